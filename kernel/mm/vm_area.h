/*
 * Virtual address ranges handed out from a fixed window of the kernel's
 * address space (the ioremap and kernel-stack regions of kernel/mm/mm.h).
 * Only the addresses: the caller maps and unmaps the pages.
 */
#ifndef KERNEL_MM_VM_AREA_H
#define KERNEL_MM_VM_AREA_H

#include "lib/types.h"
#include "lib/list.h"
#include "kernel/sched/spinlock.h"

struct vm_region {
	u64 base, end;
	spinlock_t lock;
	struct list_head areas;		/* sorted by address; protected by lock */
};

#define VM_REGION_INIT(r, _base, _end) \
	{ .base = (_base), .end = (_end), .lock = SPINLOCK_INIT, .areas = LIST_HEAD_INIT((r).areas) }

/* The start of a free range of size bytes (page-aligned), or 0. */
u64 vm_area_alloc(struct vm_region *r, u64 size);
/*
 * The range that contains va, without releasing it: a caller unmaps the
 * range's pages first and releases it last, so that nobody can be handed
 * the range while its old pages are still mapped. 0 or -ENOENT.
 */
int vm_area_find(struct vm_region *r, u64 va, u64 *start, u64 *size);
/* Release the range that contains va, reporting its start and size. 0 or -ENOENT. */
int vm_area_free(struct vm_region *r, u64 va, u64 *start, u64 *size);

#endif
