/*
 * ioremap and memremap: windows onto physical ranges in the ioremap region
 * (IOREMAP_BASE .. IOREMAP_END, see kernel/mm/mm.h), 4 KiB pages, global and
 * never executable. Unmapping flushes every online CPU's TLB.
 */
#include "kernel/mm/ioremap.h"
#include "kernel/mm/mm.h"
#include "kernel/mm/paging.h"
#include "kernel/console/printk.h"
#include "kernel/arch/smp.h"
#include "kernel/mm/vm_area.h"

static struct vm_region ioremap_region =
	VM_REGION_INIT(ioremap_region, IOREMAP_BASE, IOREMAP_END);

static void *remap(u64 phys, size_t len, u64 flags)
{
	u64 base = ALIGN_DOWN(phys, PAGE_SIZE);
	u64 size = ALIGN_UP(phys + len, PAGE_SIZE) - base;
	u64 va, done, unused_start, unused_size;

	if (len == 0 || phys + len < phys)
		return NULL;
	va = vm_area_alloc(&ioremap_region, size);
	if (!va)
		return NULL;
	for (done = 0; done < size; done += PAGE_SIZE) {
		if (vm_map_page(va + done, base + done, flags | PTE_W | PTE_G | pte_nx))
			goto unwind;
	}
	return (void *)(uintptr_t)(va + (phys - base));

unwind:
	while (done) {
		done -= PAGE_SIZE;
		vm_unmap_page(va + done);
	}
	vm_area_free(&ioremap_region, va, &unused_start, &unused_size);
	return NULL;
}

static void unmap(void *addr, size_t len)
{
	u64 va, size;

	if (vm_area_find(&ioremap_region, (u64)(uintptr_t)addr, &va, &size)) {
		pr_err("iounmap: %p was not mapped by ioremap/memremap\n", addr);
		return;
	}
	if (ALIGN_UP((u64)(uintptr_t)addr + len, PAGE_SIZE) - va != size)
		pr_warn("iounmap: %p: length %zu does not match the mapping\n", addr, len);
	for (u64 off = 0; off < size; off += PAGE_SIZE)
		vm_unmap_page(va + off);
	tlb_flush_kernel_range(va, va + size);
	/* the range goes back only once no CPU can reach the old pages through it */
	vm_area_free(&ioremap_region, va, &va, &size);
}

void *ioremap(u64 phys, size_t len)
{
	return remap(phys, len, PTE_PCD | PTE_PWT);
}

void iounmap(void *addr, size_t len)
{
	unmap(addr, len);
}

static bool direct_mapped(u64 phys, size_t len)
{
	u64 end = phys + len, pa;

	for (u64 p = ALIGN_DOWN(phys, PAGE_SIZE); p < end; p += PAGE_SIZE) {
		if (vm_translate(DIRECT_MAP_BASE + p, &pa) || pa != p)
			return false;
	}
	return true;
}

void *memremap(u64 phys, size_t len)
{
	if (len && phys + len > phys && direct_mapped(phys, len))
		return phys_to_virt(phys);
	return remap(phys, len, 0);
}

void memunmap(void *addr, size_t len)
{
	uintptr_t v = (uintptr_t)addr;

	if (v >= DIRECT_MAP_BASE && v < IOREMAP_BASE)
		return;	/* the direct map: nothing was mapped */
	unmap(addr, len);
}
