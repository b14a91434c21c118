/*
 * Idle polling: a CPU whose thread went to sleep waiting for I/O polls for
 * work a while before it halts, so that the I/O's completion finds it awake
 * (docs/sched.md, "Idle polling"). The window adapts per CPU
 * (kernel/sched/idle_poll_rule.h); idle_poll_ns= on the command line, or
 * `idle poll_ns=N`, sets its ceiling, 0 turns polling off.
 */
#ifndef KERNEL_SCHED_IDLE_POLL_H
#define KERNEL_SCHED_IDLE_POLL_H

#include "lib/types.h"
#include "kernel/sched/idle_poll_rule.h"

struct cpu;

#define IDLE_POLL_MAX_NS_LIMIT 10000000U	/* 10 ms: a longer ceiling is a mistake */

/* The ceiling of every CPU's window; 0: halt at once. */
u32 idle_poll_max(void);
int idle_poll_set_max(u64 ns);
/* Zero every CPU's counters (the windows stay). */
void idle_poll_clear(void);

/*
 * The idle thread of CPU c, with interrupts off and nothing to run: poll
 * and/or halt until an interrupt came. Returns with interrupts on.
 */
void idle_enter(struct cpu *c);

#endif
