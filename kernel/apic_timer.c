/*
 * The clock event of each CPU (clockevent.h): its local APIC timer. With
 * TSC-deadline mode (CPUID.1:ECX[24], SDM vol. 3A 11.5.4.1) a deadline is
 * written as an absolute TSC value to IA32_TSC_DEADLINE, so no calibration
 * is needed and no precision is lost. Without it the timer counts down a
 * 32-bit initial count at the APIC bus clock / 16, whose rate is measured
 * once against the TSC; a deadline beyond the counter's reach is clamped and
 * the timer code re-arms when the early interrupt finds nothing due.
 *
 * timer.c may arm timers before the APIC is up (sched_init() does); those
 * calls are dropped, and clockevent_init_cpu() fires once at once so that
 * timer_interrupt() programs the first pending deadline.
 */
#include "kernel/clockevent.h"
#include "kernel/apic.h"
#include "kernel/apic_regs.h"
#include "kernel/irq.h"
#include "kernel/panic.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "kernel/time.h"
#include "kernel/vectors.h"
#include "kernel/x86.h"

#define CALIBRATE_NS	(10 * NSEC_PER_MSEC)

static bool tsc_deadline;
static u64 lapic_timer_khz;		/* one-shot mode: counter rate after the divider */
static u64 lapic_ticks_per_ns;		/* the same as 32.32 fixed point */
static bool cpu_ready[MAX_CPUS];	/* written by the CPU itself */

static void apic_timer_interrupt(void *unused)
{
	timer_interrupt();
}

/* Count the APIC timer down (masked) for CALIBRATE_NS of TSC time. */
static u64 apic_timer_measure_khz(void)
{
	u64 start_tsc, end_tsc;
	u32 remaining;

	apic_reg_write(APIC_TIMER_DIVIDE, APIC_TIMER_DIVIDE_16);
	apic_reg_write(APIC_LVT_TIMER, APIC_LVT_MASKED | APIC_TIMER_ONESHOT | VECTOR_TIMER);
	start_tsc = rdtsc();
	apic_reg_write(APIC_TIMER_INITIAL, 0xffffffff);
	ndelay(CALIBRATE_NS);
	remaining = apic_reg_read(APIC_TIMER_CURRENT);
	end_tsc = rdtsc();
	apic_reg_write(APIC_TIMER_INITIAL, 0);
	return (u64)(0xffffffffU - remaining) * NSEC_PER_MSEC / tsc_to_ns(end_tsc - start_tsc);
}

static void clockevent_init_once(void)
{
	u32 a, b, c, d;

	cpuid(1, 0, &a, &b, &c, &d);
	tsc_deadline = c & CPUID1_ECX_TSC_DEADLINE;
	if (!tsc_deadline) {
		lapic_timer_khz = apic_timer_measure_khz();
		if (!lapic_timer_khz)
			panic("apic timer: it does not count");
		lapic_ticks_per_ns = (lapic_timer_khz << 32) / NSEC_PER_MSEC;
	}
	if (irq_request(VECTOR_TIMER, apic_timer_interrupt, NULL, "timer"))
		panic("apic timer: cannot claim the timer vector");
	if (tsc_deadline)
		pr_info("clockevent: local APIC timer, TSC-deadline mode\n");
	else
		pr_info("clockevent: local APIC timer, one-shot at %llu kHz\n",
			(unsigned long long)lapic_timer_khz);
}

void clockevent_init_cpu(void)
{
	static bool once;

	if (!once) {
		once = true;	/* the boot CPU, before any other exists */
		clockevent_init_once();
	}
	if (tsc_deadline) {
		apic_reg_write(APIC_LVT_TIMER, APIC_TIMER_TSC_DEADLINE | VECTOR_TIMER);
		/* the mode switch must land before the first deadline write (SDM 11.5.4.1) */
		__asm__ volatile("mfence" ::: "memory");
	} else {
		apic_reg_write(APIC_TIMER_DIVIDE, APIC_TIMER_DIVIDE_16);
		apic_reg_write(APIC_LVT_TIMER, APIC_TIMER_ONESHOT | VECTOR_TIMER);
	}
	WRITE_ONCE(cpu_ready[this_cpu_id()], true);
	/* the timers armed so far get programmed by the interrupt this causes */
	clockevent_set_next(0);
}

void clockevent_set_next(u64 deadline_ns)
{
	if (!READ_ONCE(cpu_ready[this_cpu_id()]))
		return;
	if (tsc_deadline) {
		u64 tsc = time_ns_to_tsc(deadline_ns);

		/* 0 would disarm the timer; any past value fires at once */
		__asm__ volatile("mfence; lfence" ::: "memory");
		wrmsr(MSR_TSC_DEADLINE, tsc ? tsc : 1);
	} else {
		u64 now = time_ns(), ticks = 1;

		if (deadline_ns > now)
			ticks = (u64)(((unsigned __int128)(deadline_ns - now) *
				       lapic_ticks_per_ns) >> 32) + 1;
		/* the longest the counter holds: the interrupt comes early, and is re-armed */
		if (ticks > 0xffffffffULL)
			ticks = 0xffffffffULL;
		apic_reg_write(APIC_TIMER_INITIAL, (u32)ticks);
	}
}
