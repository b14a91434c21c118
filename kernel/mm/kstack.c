/*
 * Kernel stacks: a virtual range of guard + size bytes from the stack
 * region, the top size bytes mapped RW NX to pages from the page allocator
 * (one at a time: a stack needs no physical contiguity), the guard never.
 */
#include "kernel/mm/kstack.h"
#include "kernel/mm/mm.h"
#include "kernel/mm/page_alloc.h"
#include "kernel/mm/paging.h"
#include "kernel/panic.h"
#include "kernel/console/printk.h"
#include "kernel/arch/smp.h"
#include "kernel/mm/vm_area.h"

static struct vm_region kstack_region = VM_REGION_INIT(kstack_region, KSTACK_BASE, KSTACK_END);

#define KSTACK_RELEASE_BATCH 16	/* pages unmapped per TLB shootdown */

/*
 * Unmap and free the pages of base .. base + size that are mapped. A page
 * goes back to the allocator only after every CPU's TLB forgot it.
 */
static void kstack_release(u64 base, u64 size)
{
	u64 pages[KSTACK_RELEASE_BATCH];

	for (u64 start = base; start < base + size;) {
		u64 end = min(base + size, start + KSTACK_RELEASE_BATCH * PAGE_SIZE);
		unsigned int n = 0;

		for (u64 va = start; va < end; va += PAGE_SIZE) {
			u64 pa;

			if (vm_translate(va, &pa))
				continue;
			vm_unmap_page(va);
			pages[n++] = pa;
		}
		tlb_flush_kernel_range(start, end);
		while (n)
			page_free(phys_to_virt(pages[--n]), 0);
		start = end;
	}
}

void *kstack_alloc(size_t size)
{
	u64 area, base, unused_start, unused_size;

	size = ALIGN_UP(size, PAGE_SIZE);
	if (size == 0)
		return NULL;
	area = vm_area_alloc(&kstack_region, KSTACK_GUARD_SIZE + size);
	if (!area)
		return NULL;
	base = area + KSTACK_GUARD_SIZE;
	for (u64 va = base; va < base + size; va += PAGE_SIZE) {
		void *page = page_zalloc(0);

		if (!page || vm_map_page(va, virt_to_phys(page), PTE_W | PTE_G | pte_nx)) {
			if (page)
				page_free(page, 0);
			kstack_release(base, size);
			vm_area_free(&kstack_region, area, &unused_start, &unused_size);
			return NULL;
		}
	}
	return (void *)(uintptr_t)(base + size);
}

void kstack_free(void *top)
{
	u64 area, size;

	if (vm_area_find(&kstack_region, (u64)(uintptr_t)top - 1, &area, &size))
		panic("kstack_free: %p is not a kernel stack", top);
	if (area + size != (u64)(uintptr_t)top)
		panic("kstack_free: %p is not the top of its stack", top);
	/* pages first, range last: the range must not be reused while mapped */
	kstack_release(area + KSTACK_GUARD_SIZE, size - KSTACK_GUARD_SIZE);
	vm_area_free(&kstack_region, area, &area, &size);
}
