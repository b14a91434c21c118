/*
 * The buddy allocator's core: free lists of blocks of 2^order page frames over
 * an array of struct page indexed by page frame number. It touches no
 * hardware and takes no lock (kernel/mm/page_alloc.c wraps it with both), so the
 * host unit tests run it over a plain array.
 *
 * A block of order n starts at a pfn that is a multiple of 2^n; its buddy is
 * the block at pfn ^ 2^n. Only the first page of a block (its head) carries
 * state: BUDDY_PAGE_FREE or BUDDY_PAGE_ALLOCATED, and the order.
 */
#ifndef KERNEL_MM_BUDDY_H
#define KERNEL_MM_BUDDY_H

#include "lib/types.h"
#include "lib/list.h"

#define BUDDY_MAX_ORDER	10		/* blocks of up to 2^10 pages (4 MiB) */
#define BUDDY_NO_PFN	((u64)-1)

/* page flags */
#define BUDDY_PAGE_FREE		BIT(0)	/* head of a block on a free list */
#define BUDDY_PAGE_ALLOCATED	BIT(1)	/* head of a block handed out */
#define PAGE_SLAB		BIT(2)	/* part of a slab, see kernel/mm/slab.c */
#define PAGE_KMALLOC_LARGE	BIT(3)	/* head of a kmalloc() beyond the slab sizes */

struct kmem_cache;

/* One per page frame, at pages[pfn]. */
struct page {
	u16 flags;
	u8 order;			/* of the block this page heads */
	u32 slab_inuse;			/* slab head page: objects handed out */
	struct list_head list;		/* a buddy free list, or the cache's slab list */
	struct kmem_cache *slab_cache;	/* slab pages: the owning cache */
	union {
		void *slab_freelist;	/* slab head page: first free object */
		struct page *slab_head;	/* other pages of a multi-page slab */
	};
};

struct buddy {
	struct page *pages;		/* indexed by pfn */
	u64 nr_pages;			/* pfns 0 .. nr_pages - 1 exist */
	struct list_head free[BUDDY_MAX_ORDER + 1];
	u64 nr_free[BUDDY_MAX_ORDER + 1];	/* blocks per order */
	u64 free_pages;
	u64 managed_pages;		/* ever given by buddy_add_range() */
};

/* Every page starts neither free nor allocated: unusable until added. */
void buddy_init(struct buddy *b, struct page *pages, u64 nr_pages);
/* Hand pfns start .. end - 1 to the allocator as free memory. */
void buddy_add_range(struct buddy *b, u64 start, u64 end);
/* The first pfn of a free block of 2^order pages, or BUDDY_NO_PFN. */
u64 buddy_alloc(struct buddy *b, unsigned int order);
/*
 * Give back a block from buddy_alloc(). Returns -EINVAL, changing nothing,
 * when pfn does not head an allocated block of that order: a double free, a
 * pointer never allocated, or the wrong order.
 */
int buddy_free(struct buddy *b, u64 pfn, unsigned int order);

#endif
