/*
 * The physical page allocator: blocks of 2^order contiguous page frames
 * (order 0 .. PAGE_MAX_ORDER), returned as direct-map addresses. SMP-safe;
 * may be called with interrupts disabled. Never hands out memory below 1 MiB,
 * the kernel image or the allocator's own struct page array.
 */
#ifndef KERNEL_MM_PAGE_ALLOC_H
#define KERNEL_MM_PAGE_ALLOC_H

#include "kernel/mm/buddy.h"
#include "kernel/mm/mm.h"

#define PAGE_MAX_ORDER	BUDDY_MAX_ORDER

/* The smallest order whose block holds bytes (0 for a page or less). */
static inline unsigned int page_order(size_t bytes)
{
	unsigned int order = 0;

	while ((PAGE_SIZE << order) < bytes)
		order++;
	return order;
}

/* NULL when no block of that order is free. */
void *page_alloc(unsigned int order);
void *page_zalloc(unsigned int order);
/*
 * Give back a block from page_alloc() with the same order. Freeing twice, a
 * wrong order or an address never allocated is a kernel bug: panic().
 */
void page_free(void *addr, unsigned int order);

/* The struct page of a direct-map address; NULL outside managed memory. */
struct page *virt_to_page(const void *addr);
void *page_to_virt(const struct page *page);

/* Page frames the allocator manages, and of those, free now. */
u64 mm_pages_total(void);
u64 mm_pages_free(void);
/* Free blocks of each order, for `mem`. */
void page_alloc_free_blocks(u64 out[PAGE_MAX_ORDER + 1]);
bool page_alloc_ready(void);

/* Only mm_init(): build the struct page array and take over from memblock. */
void page_alloc_init(void);

#endif
