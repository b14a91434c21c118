/*
 * Memory management: the kernel's view of physical memory.
 *
 * Virtual layout (48-bit, 4-level paging):
 *   0xFFFF800000000000  direct map of all physical memory (DIRECT_MAP_BASE)
 *   0xFFFFFFFF80000000  the kernel image, linked here, loaded at 1 MiB (KERNEL_VMA)
 * From boot the direct map covers the first 1 GiB; mm_init() extends it to
 * every byte of RAM the firmware reports.
 */
#ifndef KERNEL_MM_H
#define KERNEL_MM_H

#include "lib/types.h"
#include "boot/boot.h"

#define PAGE_SHIFT	12
#define PAGE_SIZE	(1UL << PAGE_SHIFT)
#define DIRECT_MAP_BASE	0xFFFF800000000000UL

static inline void *phys_to_virt(u64 phys)
{
	return (void *)(uintptr_t)(phys + DIRECT_MAP_BASE);
}

static inline u64 virt_to_phys(const void *virt)
{
	uintptr_t v = (uintptr_t)virt;

	if (v >= KERNEL_VMA)
		return v - KERNEL_VMA;
	return v - DIRECT_MAP_BASE;
}

#endif
