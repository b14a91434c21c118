/*
 * The null block device, like Linux's null_blk: a disk with no hardware
 * behind it, so that what an I/O costs is the block layer's alone. Reads
 * return zeroes (or, memory backed, what was written); completion comes
 * inline from queue_rq, by an IPI to the submitting CPU, or from a timer.
 */
#ifndef DRIVERS_BLOCK_NULL_BLK_H
#define DRIVERS_BLOCK_NULL_BLK_H

#include "lib/types.h"

enum nullb_irqmode {
	NULLB_IRQ_NONE,		/* complete inside queue_rq */
	NULLB_IRQ_IPI,		/* complete in an IPI on the submitting CPU */
	NULLB_IRQ_TIMER,	/* complete from a timer completion_ns later */
};

#define NULLB_MAX_DEPTH 4096	/* tags per hardware queue */

struct nullb_config {
	u64 size;		/* bytes, a multiple of bs */
	u32 bs;			/* logical (and physical) block size, 512 .. 4096 */
	u32 queues;		/* interrupt-mode hardware queues; 0: one per CPU */
	u32 poll_queues;	/* POLL queues after them */
	u32 irqmode;		/* enum nullb_irqmode */
	u64 completion_ns;	/* NULLB_IRQ_TIMER's delay */
	u32 depth;		/* tags per hardware queue */
	u32 max_sectors;	/* request limits (0: defaults), to exercise splitting */
	u32 max_segments;
	bool memory_backed;	/* keep written data (pages allocated on first write) */
	u32 timeout_every;	/* fault injection: every Nth request is never completed */
	u32 timeout_ms;		/* request timeout (0: blk-mq's default, 30 s) */
	/*
	 * Share one tag set with every other device made with it (Linux's
	 * null_blk shared_tags): the first one's queues, poll_queues, depth
	 * and timeout_ms make the set, the later ones take them from it.
	 */
	bool shared_tags;
};

struct gendisk;

/* The defaults of `nullb add` (those of the null_blk.* boot options). */
void nullb_config_default(struct nullb_config *cfg);
/* A new null disk named null<N>; its gendisk, or an ERR_PTR. */
struct gendisk *nullb_create(const struct nullb_config *cfg);
/* Remove a null disk made by nullb_create (no I/O in flight). 0 or -ENODEV. */
int nullb_destroy(struct gendisk *disk);
/* The boot's null devices (null_blk.nr_devices of them, 1 by default). */
void nullb_init(void);

/* Set option key ("size", "irqmode", ...) of cfg: 0, -ENOENT, or a parse error. */
int nullb_config_set(struct nullb_config *cfg, const char *key, const char *value);
/* 0 when cfg makes a valid device, else -EINVAL. */
int nullb_config_check(const struct nullb_config *cfg);
/* "none", "ipi" or "timer". */
const char *nullb_irqmode_name(u32 irqmode);

/* One null device as `nullb list` shows it. */
struct nullb_info {
	const char *name;
	const struct nullb_config *cfg;	/* as made */
	unsigned int queues;		/* live interrupt-mode hardware queues */
	unsigned int poll_queues;	/* live POLL queues */
	u64 pages;			/* memory-backed pages allocated */
};
/* Visit every null device under the device list's lock; stop when fn returns non-zero. */
int nullb_for_each(int (*fn)(const struct nullb_info *info, void *arg), void *arg);

#endif
