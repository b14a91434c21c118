/*
 * The per-CPU interrupt source behind kernel/time/timer.c: the local APIC timer
 * (kernel/time/apic_timer.c), in TSC-deadline mode when the CPU has it, else
 * one-shot. The timer code asks for one interrupt at a deadline; the
 * interrupt handler calls timer_interrupt().
 */
#ifndef KERNEL_TIME_CLOCKEVENT_H
#define KERNEL_TIME_CLOCKEVENT_H

#include "lib/types.h"

struct time_rider;
/*
 * Boot CPU, after apic_init_cpu() and before time_calibrate_late(): start
 * the APIC timer counting for the TSC's calibration windows to measure;
 * NULL in TSC-deadline mode, which needs no rate.
 */
struct time_rider *clockevent_rider(void);
/* Every CPU, after apic_init_cpu(): set up its timer and program the pending timers. */
void clockevent_init_cpu(void);
/* Interrupt this CPU at (or just after) deadline_ns on the time_ns() clock. */
void clockevent_set_next(u64 deadline_ns);
/* Called by the timer interrupt on this CPU: run the timers that are due. */
void timer_interrupt(void);

#endif
