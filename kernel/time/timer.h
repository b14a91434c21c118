/*
 * Per-CPU one-shot timers. A timer runs its function once, in interrupt
 * context on the CPU that armed it, at or shortly after its expiry time
 * (time_ns() clock). The local APIC timer (TSC-deadline mode when the CPU has
 * it) is programmed for the earliest pending timer of each CPU; a periodic
 * scheduler tick rides on the same mechanism.
 */
#ifndef KERNEL_TIME_TIMER_H
#define KERNEL_TIME_TIMER_H

#include "lib/types.h"
#include "lib/list.h"

struct timer {
	u64 expires_ns;
	void (*fn)(struct timer *t);
	struct list_head link;		/* in its CPU's pending list, sorted by expiry */
	unsigned int cpu;		/* CPU whose list holds it */
	bool pending;
};

void timer_setup(struct timer *t, void (*fn)(struct timer *t));
/* Arm (or re-arm) t on this CPU to expire at expires_ns. */
void timer_arm(struct timer *t, u64 expires_ns);
/*
 * Disarm t; true if it was pending. When it returns, t's function is not
 * running on any CPU, so t may be freed.
 */
bool timer_cancel(struct timer *t);
/*
 * Move every pending timer of CPU from (offline: it runs none of them) to
 * this CPU, and program this CPU's clock event for them.
 */
void timer_migrate_cpu(unsigned int from);

#endif
