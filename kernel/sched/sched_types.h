/*
 * The run queue, kept apart from kernel/sched/sched.h so that struct cpu can embed
 * it without pulling in the whole scheduler interface.
 */
#ifndef KERNEL_SCHED_SCHED_TYPES_H
#define KERNEL_SCHED_SCHED_TYPES_H

#include "lib/list.h"
#include "kernel/sched/spinlock.h"

#define SCHED_NR_PRIO 8		/* priority 0 is the most urgent */

/* Threads ready to run on one CPU; protected by lock (taken with IRQs off). */
struct runqueue {
	spinlock_t lock;
	unsigned int nr_queued;		/* in the queues, not counting the running one */
	unsigned int prio_bits;		/* bit p: queue[p] is not empty */
	struct list_head queue[SCHED_NR_PRIO];
	u64 switches;			/* context switches on this CPU */
};

#endif
