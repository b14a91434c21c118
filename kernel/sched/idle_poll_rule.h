/*
 * How long an idle CPU polls before it halts: the rule alone, with no
 * kernel state, so the host unit tests can run it (kernel/sched/idle_poll.c
 * applies it; docs/sched.md, "Idle polling").
 *
 * After each idle stretch the window moves by what it would have taken to
 * catch the wake-up, as Linux's cpuidle haltpoll governor moves its own:
 *
 *	the poll saw the work come		window unchanged
 *	halted, woken within the ceiling	window doubled (at least GROW_START),
 *						at most the ceiling: next time it polls
 *	halted, woken after the ceiling		window halved: polling would not
 *						have caught it
 */
#ifndef KERNEL_SCHED_IDLE_POLL_RULE_H
#define KERNEL_SCHED_IDLE_POLL_RULE_H

#include "lib/types.h"

#define IDLE_POLL_GROW_START_NS 50000U	/* the first window after a halt that was short */
#define IDLE_POLL_MAX_NS_DEFAULT 200000U	/* the ceiling, as Linux's guest_halt_poll_ns */

/*
 * The next window after an idle stretch that lasted block_ns (idle entry to
 * the wake-up), given whether the poll caught the work and the ceiling.
 */
static inline u32 idle_poll_next_window(u32 window, u64 block_ns, bool caught, u32 max)
{
	u64 grown;

	if (caught)
		return window < max ? window : max;
	if (block_ns > max)
		return window / 2;
	grown = window ? (u64)window * 2 : IDLE_POLL_GROW_START_NS;
	if (grown < IDLE_POLL_GROW_START_NS)
		grown = IDLE_POLL_GROW_START_NS;
	return grown < max ? (u32)grown : max;
}

/*
 * Whether polling pays here: every IDLE_POLL_PROBE_EVERY-th stretch after an
 * I/O wait goes the other way (halts at once when polling is favoured,
 * polls when halting is), and each way keeps a moving mean of the period
 * from its stretches to the next I/O wait (idle_poll.c); the shorter mean
 * wins. On a host whose CPUs are all busy (a guest's spinning vCPU taking
 * the time the device model needs) halting wins, and the CPU stops polling.
 */
#define IDLE_POLL_PROBE_EVERY 16
#define IDLE_POLL_EWMA_SHIFT 3		/* each stretch weighs 1/8 */

static inline u32 idle_poll_ewma(u32 mean, u64 sample_ns)
{
	s64 x = sample_ns > 0xffffffffULL ? 0xffffffffLL : (s64)sample_ns;

	if (!mean)
		return x ? (u32)x : 1;
	return (u32)((s64)mean + ((x - (s64)mean) >> IDLE_POLL_EWMA_SHIFT));
}

/* Poll in this stretch? (stretch: its number; 0 means "no mean yet") */
static inline bool idle_poll_choose(u32 stretch, u32 mean_poll, u32 mean_halt)
{
	bool favour_poll = !mean_halt || !mean_poll || mean_poll <= mean_halt;
	bool probe = stretch % IDLE_POLL_PROBE_EVERY == 0;

	return favour_poll != probe;
}

#endif
