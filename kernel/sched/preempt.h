/*
 * Preemption control. A thread may be switched out by the timer tick only
 * while this CPU's preempt_count is zero; spinlocks raise it, so a lock holder
 * is never preempted by a thread that would then spin on its lock. The count
 * lives in struct cpu and is changed with one %gs-relative instruction, which
 * an interrupt cannot split.
 */
#ifndef KERNEL_SCHED_PREEMPT_H
#define KERNEL_SCHED_PREEMPT_H

#include "lib/types.h"

#define CPU_OFFSET_PREEMPT_COUNT 16
#define CPU_OFFSET_NEED_RESCHED 20

void preempt_schedule(void);

static inline void preempt_disable(void)
{
	__asm__ volatile("incl %%gs:16" ::: "memory");
}

static inline void preempt_enable_no_resched(void)
{
	__asm__ volatile("decl %%gs:16" ::: "memory");
}

static inline int preempt_count(void)
{
	int n;

	__asm__ volatile("movl %%gs:16, %0" : "=r"(n));
	return n;
}

/* Drop a level; at zero, run a pending reschedule now. */
static inline void preempt_enable(void)
{
	bool zero;

	__asm__ volatile("decl %%gs:16" : "=@ccz"(zero) : : "memory");
	if (unlikely(zero)) {
		bool resched;

		__asm__ volatile("movb %%gs:20, %0" : "=q"(resched));
		if (unlikely(resched))
			preempt_schedule();
	}
}

#endif
