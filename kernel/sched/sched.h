/*
 * The scheduler: per-CPU run queues with fixed priorities, round-robin within
 * a priority, preemption at the timer tick and at wake-ups of more urgent
 * threads, wake-ups on other CPUs by IPI, and idle CPUs pulling unbound work
 * from busy ones. See docs/sched.md.
 */
#ifndef KERNEL_SCHED_SCHED_H
#define KERNEL_SCHED_SCHED_H

#include "lib/types.h"
#include "kernel/arch/percpu.h"
#include "kernel/sched/thread.h"

#define SCHED_SLICE_NS (10 * 1000 * 1000ULL)
#define SCHED_TICK_NS (4 * 1000 * 1000ULL)	/* 250 Hz */

/* Turn the boot context into CPU 0's first thread, and make its idle thread. */
void sched_init(void);
/* On a CPU that just came up: make its idle thread and never return. */
void __noreturn sched_start_cpu(void);
/* Timer tick on this CPU (interrupt context): time slices and balancing. */
void sched_tick(void);
/*
 * At the end of an interrupt that came in with interrupts enabled, after
 * EOI: switch threads now if one is due and preemption is allowed.
 */
void sched_irq_exit(void);
/*
 * cpu_down(), on the CPU going offline, in a call-function IPI: clear it
 * from the online mask and send it to its idle thread, which pushes its
 * threads to other CPUs and parks the CPU (c->parked) until c->unpark and
 * an NMI.
 */
void sched_cpu_deactivate(void *unused);
/* The reschedule IPI arrived: need_resched is already set by the sender. */
void sched_resched_ipi(void);

#endif
