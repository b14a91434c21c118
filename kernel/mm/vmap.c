/*
 * vmap(): page arrays mapped back to back in the vmap region of
 * kernel/mm/mm.h, with an unmapped guard page after each mapping so that a
 * run off the end faults. Ranges come from vm_area.c; mappings are few and
 * made from threads, so its list is enough.
 */
#include "kernel/mm/vmap.h"
#include "kernel/mm/mm.h"
#include "kernel/mm/paging.h"
#include "kernel/mm/vm_area.h"
#include "kernel/arch/smp.h"
#include "kernel/panic.h"

static struct vm_region vmap_region = VM_REGION_INIT(vmap_region, VMAP_BASE, VMAP_END);

static void vmap_unmap_range(u64 start, u64 end)
{
	for (u64 va = start; va < end; va += PAGE_SIZE)
		vm_unmap_page(va);
	tlb_flush_kernel_range(start, end);
}

void *vmap(void *const *pages, size_t n)
{
	u64 area, unused_start, unused_size;

	if (!n || n > (VMAP_END - VMAP_BASE) / PAGE_SIZE)
		return NULL;
	area = vm_area_alloc(&vmap_region, (n + 1) * PAGE_SIZE);
	if (!area)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		u64 va = area + i * PAGE_SIZE;

		if (!IS_ALIGNED((uintptr_t)pages[i], PAGE_SIZE) ||
		    vm_map_page(va, virt_to_phys(pages[i]), PTE_W | PTE_G | pte_nx)) {
			vmap_unmap_range(area, va);
			vm_area_free(&vmap_region, area, &unused_start, &unused_size);
			return NULL;
		}
	}
	return (void *)(uintptr_t)area;
}

void vunmap(void *addr)
{
	u64 area, size;

	if (vm_area_find(&vmap_region, (u64)(uintptr_t)addr, &area, &size) ||
	    area != (u64)(uintptr_t)addr)
		panic("vunmap: %p is not a vmap() mapping", addr);
	/* pages first, range last: the range must not be reused while mapped */
	vmap_unmap_range(area, area + size - PAGE_SIZE);
	vm_area_free(&vmap_region, area, &area, &size);
}
