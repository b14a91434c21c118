/*
 * First-fit allocation of virtual ranges: a sorted list of the ranges in use
 * (nodes from kmalloc), searched for the first gap that fits. Mappings of
 * MMIO and stacks are few and long-lived, so a list is enough.
 */
#include "kernel/mm/vm_area.h"
#include "kernel/mm/mm.h"
#include "kernel/mm/slab.h"
#include "lib/errno.h"

struct vm_area {
	struct list_head link;
	u64 start, size;
};

u64 vm_area_alloc(struct vm_region *r, u64 size)
{
	struct vm_area *a, *area = kmalloc(sizeof(*area));
	struct list_head *before;
	unsigned long flags;
	u64 start;

	if (!area)
		return 0;
	size = ALIGN_UP(size, PAGE_SIZE);
	flags = spin_lock_irqsave(&r->lock);
	start = r->base;
	before = &r->areas;
	list_for_each_entry(a, &r->areas, link) {
		if (a->start - start >= size)
			break;
		start = a->start + a->size;
		before = &a->link;
	}
	if (size == 0 || start > r->end || r->end - start < size) {
		spin_unlock_irqrestore(&r->lock, flags);
		kfree(area);
		return 0;
	}
	area->start = start;
	area->size = size;
	list_add(&area->link, before);
	spin_unlock_irqrestore(&r->lock, flags);
	return start;
}

int vm_area_find(struct vm_region *r, u64 va, u64 *start, u64 *size)
{
	unsigned long flags = spin_lock_irqsave(&r->lock);
	struct vm_area *a;
	int err = -ENOENT;

	list_for_each_entry(a, &r->areas, link) {
		if (va >= a->start && va - a->start < a->size) {
			*start = a->start;
			*size = a->size;
			err = 0;
			break;
		}
	}
	spin_unlock_irqrestore(&r->lock, flags);
	return err;
}

int vm_area_free(struct vm_region *r, u64 va, u64 *start, u64 *size)
{
	unsigned long flags = spin_lock_irqsave(&r->lock);
	struct vm_area *a;

	list_for_each_entry(a, &r->areas, link) {
		if (va >= a->start && va - a->start < a->size) {
			list_del(&a->link);
			spin_unlock_irqrestore(&r->lock, flags);
			*start = a->start;
			*size = a->size;
			kfree(a);
			return 0;
		}
	}
	spin_unlock_irqrestore(&r->lock, flags);
	return -ENOENT;
}
