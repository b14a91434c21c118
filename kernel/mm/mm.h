/*
 * Memory management: the kernel's view of memory, and the one call that sets
 * it up.
 *
 * Virtual layout (48-bit, 4-level paging):
 *   0xFFFF800000000000  direct map of the RAM and ACPI ranges of the firmware
 *                       map (DIRECT_MAP_BASE), RW NX; MMIO holes stay unmapped
 *   0xFFFFC00000000000  ioremap()/memremap() windows (kernel/mm/ioremap.h)
 *   0xFFFFD00000000000  vmap(): page arrays made virtually contiguous (kernel/mm/vmap.h)
 *   0xFFFFE00000000000  kernel stacks with guard pages (kernel/mm/kstack.h)
 *   0xFFFFFFFF80000000  the kernel image, linked here, loaded at 1 MiB (KERNEL_VMA)
 * Nothing maps low virtual addresses: a NULL dereference faults. Until
 * mm_init() the boot tables of boot/entry.S map the first 1 GiB.
 *
 * The rest of the interface: kernel/mm/page_alloc.h (page frames),
 * kernel/mm/paging.h (page tables), kernel/mm/slab.h (caches and kmalloc).
 */
#ifndef KERNEL_MM_MM_H
#define KERNEL_MM_MM_H

#include "lib/types.h"
#include "boot/boot.h"

#define PAGE_SHIFT	12
#define PAGE_SIZE	(1UL << PAGE_SHIFT)
#define DIRECT_MAP_BASE	0xFFFF800000000000UL
#define IOREMAP_BASE	0xFFFFC00000000000UL
#define IOREMAP_END	0xFFFFD00000000000UL
#define VMAP_BASE	0xFFFFD00000000000UL
#define VMAP_END	0xFFFFE00000000000UL
#define KSTACK_BASE	0xFFFFE00000000000UL
#define KSTACK_END	0xFFFFF00000000000UL

/*
 * The page the application processors start from (their real-mode entry
 * must lie below 1 MiB): MM_TRAMPOLINE_PREFERRED when the firmware map says
 * it is usable RAM, else the lowest usable page above the real-mode IVT;
 * 0 when there is none (the machine then runs on one CPU). Chosen by
 * memblock_init(); nothing below 1 MiB is ever allocated, so the page stays
 * free for the SMP code.
 */
#define MM_TRAMPOLINE_PREFERRED	0x8000UL
extern u64 mm_trampoline_phys;
#define MM_LOW_RESERVED_END	0x100000UL	/* never allocated below this */

static inline void *phys_to_virt(u64 phys)
{
	return (void *)(uintptr_t)(phys + DIRECT_MAP_BASE);
}

/* For direct-map and kernel-image addresses only; see vm_translate(). */
static inline u64 virt_to_phys(const void *virt)
{
	uintptr_t v = (uintptr_t)virt;

	if (v >= KERNEL_VMA)
		return v - KERNEL_VMA;
	return v - DIRECT_MAP_BASE;
}

/*
 * Build the page allocator, the kernel's page tables (switching to them),
 * and the slab caches. Called once, early in kmain, after bootinfo_parse().
 */
void mm_init(void);


#endif
