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

/* A CPU's idle polling (kernel/sched/idle_poll.c): written by that CPU only. */
struct idle_poll {
	u64 caught;			/* polls that saw work come */
	u64 timed_out;			/* polls that ran out, then halted */
	u64 halts;			/* halts without a poll */
	u64 polled_ns;			/* time spent polling */
	u64 last_entry_ns;		/* when the last stretch after an I/O wait began */
	u32 window_ns;			/* poll this long before halting; adapted */
	u32 stretches;			/* idle stretches after an I/O wait */
	u32 ewma_poll_ns, ewma_halt_ns;	/* mean I/O-wait period after polling / halting */
	bool after_io;			/* the thread that left this CPU blocked for I/O */
	u8 last_way;			/* how the last stretch went: IDLE_WAY_* (idle_poll.c) */
};

#endif
