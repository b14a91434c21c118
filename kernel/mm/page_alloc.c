/*
 * The kernel's physical page allocator: one buddy allocator (kernel/mm/buddy.c)
 * over every page frame up to the end of usable RAM, behind one spinlock.
 * Its struct page array comes from memblock; the pages memblock did not
 * hand out become the free memory.
 */
#include "kernel/mm/page_alloc.h"
#include "kernel/mm/memblock.h"
#include "kernel/panic.h"
#include "kernel/console/printk.h"
#include "kernel/sched/spinlock.h"
#include "lib/string.h"

static struct buddy buddy;	/* protected by buddy_lock */
static spinlock_t buddy_lock = SPINLOCK_INIT;
static bool ready;

static void add_free_range(u64 start, u64 end)
{
	buddy_add_range(&buddy, start >> PAGE_SHIFT, end >> PAGE_SHIFT);
}

void page_alloc_init(void)
{
	u64 nr_pages = memblock_usable_end() >> PAGE_SHIFT;
	u64 pages_phys = memblock_alloc(nr_pages * sizeof(struct page));

	if (!pages_phys)
		panic("mm: no room for %llu struct pages", (unsigned long long)nr_pages);
	buddy_init(&buddy, phys_to_virt(pages_phys), nr_pages);
	memblock_release(add_free_range);
	ready = true;
}

bool page_alloc_ready(void)
{
	return ready;
}

void *page_alloc(unsigned int order)
{
	unsigned long flags = spin_lock_irqsave(&buddy_lock);
	u64 pfn = buddy_alloc(&buddy, order);

	spin_unlock_irqrestore(&buddy_lock, flags);
	if (pfn == BUDDY_NO_PFN)
		return NULL;
	return phys_to_virt(pfn << PAGE_SHIFT);
}

void *page_zalloc(unsigned int order)
{
	void *p = page_alloc(order);

	if (p)
		memset(p, 0, PAGE_SIZE << order);
	return p;
}

void page_free(void *addr, unsigned int order)
{
	uintptr_t v = (uintptr_t)addr;
	unsigned long flags;
	int err;

	if (v < DIRECT_MAP_BASE || v >= IOREMAP_BASE || !IS_ALIGNED(v, PAGE_SIZE))
		panic("page_free: %p is not a page of the direct map", addr);
	flags = spin_lock_irqsave(&buddy_lock);
	err = buddy_free(&buddy, virt_to_phys(addr) >> PAGE_SHIFT, order);
	spin_unlock_irqrestore(&buddy_lock, flags);
	if (err)
		panic("page_free: %p order %u is not an allocated block (double free?)",
		       addr, order);
}

struct page *virt_to_page(const void *addr)
{
	uintptr_t v = (uintptr_t)addr;
	u64 pfn;

	if (v < DIRECT_MAP_BASE || v >= IOREMAP_BASE)
		return NULL;
	pfn = virt_to_phys(addr) >> PAGE_SHIFT;
	return pfn < buddy.nr_pages ? &buddy.pages[pfn] : NULL;
}

void *page_to_virt(const struct page *page)
{
	return phys_to_virt((u64)(page - buddy.pages) << PAGE_SHIFT);
}

u64 mm_pages_total(void)
{
	return buddy.managed_pages;
}

u64 mm_pages_free(void)
{
	return READ_ONCE(buddy.free_pages);
}

void page_alloc_free_blocks(u64 out[PAGE_MAX_ORDER + 1])
{
	unsigned long flags = spin_lock_irqsave(&buddy_lock);

	for (unsigned int o = 0; o <= PAGE_MAX_ORDER; o++)
		out[o] = buddy.nr_free[o];
	spin_unlock_irqrestore(&buddy_lock, flags);
}
