/*
 * The boot-time memory allocator: hands out pages from the firmware's usable
 * ranges before the buddy allocator exists (for the page tables of the
 * direct map and for the struct page array), and then tells the buddy
 * allocator which pages are still free. Only kernel/mm/mm.c, kernel/mm/paging.c
 * and kernel/mm/page_alloc.c use it, all before the other CPUs start.
 */
#ifndef KERNEL_MM_MEMBLOCK_H
#define KERNEL_MM_MEMBLOCK_H

#include "lib/types.h"

/* Read the usable ranges from boot_info, reserve low memory and the kernel. */
void memblock_init(void);
/* Allocations must end at or below this physical address (the boot direct map). */
void memblock_set_limit(u64 limit);
/* Zeroed, page-aligned physical memory; 0 when nothing fits. */
u64 memblock_alloc(u64 size);
/* Call fn for every free range (page-aligned) and stop allocating. */
void memblock_release(void (*fn)(u64 start, u64 end));
/* One past the last usable byte, and the usable bytes in all. */
u64 memblock_usable_end(void);
u64 memblock_usable_bytes(void);

#endif
