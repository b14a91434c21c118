/*
 * mm_init: memory management comes up in dependency order. memblock hands
 * out the first pages (page tables, then the struct page array), the new
 * page tables replace the boot ones, the buddy allocator takes every page
 * left over, and the slab caches sit on top of it.
 */
#include "kernel/mm/mm.h"
#include "kernel/mm/memblock.h"
#include "kernel/mm/page_alloc.h"
#include "kernel/mm/paging.h"
#include "kernel/console/printk.h"
#include "kernel/mm/slab.h"

#define BOOT_DIRECT_MAP_END	(1ULL << 30)	/* what boot/entry.S maps */

void mm_init(void)
{
	memblock_init();
	memblock_set_limit(BOOT_DIRECT_MAP_END);
	paging_init();
	memblock_set_limit(~0ULL);
	page_alloc_init();
	slab_init();
	kmalloc_init();
	pr_info("mm: %llu MiB usable, %llu MiB free, direct map up to %#llx%s\n",
		(unsigned long long)(memblock_usable_bytes() >> 20),
		(unsigned long long)((mm_pages_free() << PAGE_SHIFT) >> 20),
		(unsigned long long)paging_direct_map_end(), pte_nx ? ", NX" : ", no NX");
}
