/*
 * Per-CPU counters, for statistics that many CPUs bump often (I/Os
 * submitted and completed, bytes moved): each CPU adds to its own
 * cache-line slot, so an update is one unlocked add on a line no other CPU
 * writes; a reader sums the slots. The sum is exact once the updates have
 * stopped, and a moment's snapshot while they run.
 *
 * percpu_counter_add() may be called from any context, interrupts included:
 * the add is a single instruction, which an interrupt on this CPU cannot
 * split.
 */
#ifndef KERNEL_SCHED_PERCPU_COUNTER_H
#define KERNEL_SCHED_PERCPU_COUNTER_H

#include "lib/types.h"
#include "kernel/sched/cpumask.h"
#include "kernel/arch/percpu.h"
#include "kernel/sched/preempt.h"

struct percpu_counter_slot {
	u64 value;			/* written only by its CPU */
} __aligned(64);

struct percpu_counter {
	struct percpu_counter_slot *slots;	/* MAX_CPUS of them, by CPU number */
};

/* 0, or -ENOMEM. The counter starts at 0. */
int percpu_counter_init(struct percpu_counter *c);
void percpu_counter_destroy(struct percpu_counter *c);

static inline void percpu_counter_add(struct percpu_counter *c, s64 delta)
{
	preempt_disable();	/* stay on the CPU whose slot we picked */
	__asm__ volatile("addq %1, %0"
			 : "+m"(c->slots[this_cpu_id()].value) : "er"(delta) : "cc");
	preempt_enable();
}

static inline void percpu_counter_inc(struct percpu_counter *c)
{
	percpu_counter_add(c, 1);
}

/* The total of every CPU's slot (two's complement: negative deltas work). */
s64 percpu_counter_sum(const struct percpu_counter *c);

#endif
