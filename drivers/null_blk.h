/*
 * The null block device, like Linux's null_blk: a disk with no hardware
 * behind it, so that what an I/O costs is the block layer's alone. Reads
 * return zeroes (or, memory backed, what was written); completion comes
 * inline from queue_rq, by an IPI to the submitting CPU, or from a timer.
 */
#ifndef DRIVERS_NULL_BLK_H
#define DRIVERS_NULL_BLK_H

#include "lib/types.h"

enum nullb_irqmode {
	NULLB_IRQ_NONE,		/* complete inside queue_rq */
	NULLB_IRQ_IPI,		/* complete in an IPI on the submitting CPU */
	NULLB_IRQ_TIMER,	/* complete from a timer completion_ns later */
};

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

#endif
