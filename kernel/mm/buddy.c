/*
 * Binary buddy allocation (Knuth, TAOCP vol. 1, 2.5): allocation splits the
 * smallest free block that is large enough, freeing merges a block with its
 * buddy for as long as the buddy is free and of the same order. See
 * kernel/mm/buddy.h for the data; the caller serialises every call.
 */
#include "kernel/mm/buddy.h"
#include "lib/errno.h"

void buddy_init(struct buddy *b, struct page *pages, u64 nr_pages)
{
	b->pages = pages;
	b->nr_pages = nr_pages;
	for (unsigned int o = 0; o <= BUDDY_MAX_ORDER; o++) {
		INIT_LIST_HEAD(&b->free[o]);
		b->nr_free[o] = 0;
	}
	b->free_pages = 0;
	b->managed_pages = 0;
	for (u64 pfn = 0; pfn < nr_pages; pfn++) {
		pages[pfn].flags = 0;
		pages[pfn].order = 0;
		INIT_LIST_HEAD(&pages[pfn].list);
	}
}

static void block_push(struct buddy *b, u64 pfn, unsigned int order)
{
	struct page *p = &b->pages[pfn];

	p->flags = (p->flags & ~BUDDY_PAGE_ALLOCATED) | BUDDY_PAGE_FREE;
	p->order = order;
	list_add(&p->list, &b->free[order]);
	b->nr_free[order]++;
}

static void block_remove(struct buddy *b, u64 pfn, unsigned int order)
{
	struct page *p = &b->pages[pfn];

	list_del_init(&p->list);
	p->flags &= ~BUDDY_PAGE_FREE;
	b->nr_free[order]--;
}

/* Put a block on the free lists, merged with its buddies as far as it goes. */
static void block_release(struct buddy *b, u64 pfn, unsigned int order)
{
	b->free_pages += 1ULL << order;
	while (order < BUDDY_MAX_ORDER) {
		u64 buddy = pfn ^ (1ULL << order);
		struct page *bp;

		if (buddy >= b->nr_pages)
			break;
		bp = &b->pages[buddy];
		if (!(bp->flags & BUDDY_PAGE_FREE) || bp->order != order)
			break;
		block_remove(b, buddy, order);
		pfn &= ~(1ULL << order);
		order++;
	}
	block_push(b, pfn, order);
}

void buddy_add_range(struct buddy *b, u64 start, u64 end)
{
	end = min(end, b->nr_pages);
	while (start < end) {
		unsigned int order = 0;

		/* the largest aligned block that starts here and fits */
		while (order < BUDDY_MAX_ORDER && !(start & (1ULL << order)) &&
		       start + (2ULL << order) <= end)
			order++;
		b->managed_pages += 1ULL << order;
		block_release(b, start, order);
		start += 1ULL << order;
	}
}

u64 buddy_alloc(struct buddy *b, unsigned int order)
{
	unsigned int o = order;
	struct page *p;
	u64 pfn;

	if (order > BUDDY_MAX_ORDER)
		return BUDDY_NO_PFN;
	while (o <= BUDDY_MAX_ORDER && list_empty(&b->free[o]))
		o++;
	if (o > BUDDY_MAX_ORDER)
		return BUDDY_NO_PFN;
	p = list_first_entry(&b->free[o], struct page, list);
	pfn = (u64)(p - b->pages);
	block_remove(b, pfn, o);
	/* split: the upper halves go back on the lists */
	while (o > order) {
		o--;
		block_push(b, pfn + (1ULL << o), o);
	}
	p->flags |= BUDDY_PAGE_ALLOCATED;
	p->order = order;
	b->free_pages -= 1ULL << order;
	return pfn;
}

int buddy_free(struct buddy *b, u64 pfn, unsigned int order)
{
	struct page *p;

	if (pfn >= b->nr_pages || order > BUDDY_MAX_ORDER)
		return -EINVAL;
	p = &b->pages[pfn];
	if (!(p->flags & BUDDY_PAGE_ALLOCATED) || p->order != order)
		return -EINVAL;
	p->flags &= ~(BUDDY_PAGE_ALLOCATED | PAGE_SLAB | PAGE_KMALLOC_LARGE);
	block_release(b, pfn, order);
	return 0;
}
