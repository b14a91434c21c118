/*
 * The clock event of each CPU (clockevent.h): its local APIC timer. With
 * TSC-deadline mode (CPUID.1:ECX[24], SDM vol. 3A 11.5.4.1) a deadline is
 * written as an absolute TSC value to IA32_TSC_DEADLINE, so no calibration
 * is needed and no precision is lost. Without it the timer counts down a
 * 32-bit initial count at the APIC bus clock / 16, whose rate is measured
 * once against the TSC, in the TSC's own calibration windows at boot
 * (clockevent_rider) or, when those had no clock, in one of its own; a
 * deadline beyond the counter's reach is clamped and the timer code re-arms
 * when the early interrupt finds nothing due.
 *
 * timer.c may arm timers before the APIC is up (sched_init() does); those
 * calls are dropped, and clockevent_init_cpu() fires once at once so that
 * timer_interrupt() programs the first pending deadline.
 */
#include "kernel/time/clockevent.h"
#include "kernel/arch/apic.h"
#include "kernel/arch/apic_regs.h"
#include "kernel/arch/irq.h"
#include "kernel/panic.h"
#include "kernel/arch/percpu.h"
#include "kernel/console/printk.h"
#include "kernel/time/time.h"
#include "kernel/arch/vectors.h"
#include "kernel/arch/x86.h"

#define CALIBRATE_NS	(2 * NSEC_PER_MSEC)

static bool tsc_deadline;
static u64 lapic_timer_khz;		/* one-shot mode: counter rate after the divider */
static u64 lapic_ticks_per_ns;		/* the same as 32.32 fixed point */
static bool cpu_ready[MAX_CPUS];	/* written by the CPU itself */

static void apic_timer_interrupt(void *unused)
{
	timer_interrupt();
}

/*
 * The timer's count, stamped with the TSC midway through the read; the
 * tightest of a few reads, as a read the CPU was taken from in the middle
 * (a host preempting the vCPU, an SMI) stamps far from the count: one
 * such read made a 2 ms measurement say 17.9 MHz for 62.5 under TCG.
 */
#define SAMPLE_TRIES	5

static u32 apic_timer_sample(u64 *tsc)
{
	u64 best_width = ~0ULL;
	u32 best = 0;

	for (int i = 0; i < SAMPLE_TRIES; i++) {
		u64 before = rdtsc();
		u32 count = apic_reg_read(APIC_TIMER_CURRENT);
		u64 after = rdtsc();

		if (after - before < best_width) {
			best_width = after - before;
			best = count;
			*tsc = before + (after - before) / 2;
		}
	}
	return best;
}

/* The count turned round to go up, for the TSC's calibration windows. */
static u64 apic_timer_rider_sample(u64 *tsc)
{
	return 0xffffffffU - apic_timer_sample(tsc);
}

static struct time_rider apic_timer_rider = {
	.sample = apic_timer_rider_sample, .mask = 0xffffffffU,
};

static void apic_timer_count_masked(void)
{
	apic_reg_write(APIC_TIMER_DIVIDE, APIC_TIMER_DIVIDE_16);
	apic_reg_write(APIC_LVT_TIMER, APIC_LVT_MASKED | APIC_TIMER_ONESHOT | VECTOR_TIMER);
	apic_reg_write(APIC_TIMER_INITIAL, 0xffffffff);
}

struct time_rider *clockevent_rider(void)
{
	u32 a, b, c, d;

	cpuid(1, 0, &a, &b, &c, &d);
	if (c & CPUID1_ECX_TSC_DEADLINE)
		return NULL;
	/* 2^32 ticks: over 40 s at a 100 MHz timer, far beyond the windows */
	apic_timer_count_masked();
	return &apic_timer_rider;
}

/*
 * Without a rider's figure (no clock for the TSC's windows): count the APIC
 * timer down (masked) for CALIBRATE_NS of TSC time, between
 * two reads of its count each stamped with the TSC, so that neither the
 * start's register write nor a read's latency is in the interval: then 2 ms
 * are as good as the 10 of the first version (at QEMU's 62.5 MHz 125000
 * ticks, at a real 100 MHz bus / 16 12500, against a read of well under a
 * microsecond).
 */
static u64 apic_timer_measure_khz(void)
{
	u64 t0, t1, ns;
	u32 c0, c1;

	apic_timer_count_masked();
	c0 = apic_timer_sample(&t0);
	ndelay(CALIBRATE_NS);
	c1 = apic_timer_sample(&t1);
	apic_reg_write(APIC_TIMER_INITIAL, 0);
	ns = tsc_to_ns(t1 - t0);
	if (!ns || c1 >= c0)
		return 0;
	return (u64)(c0 - c1) * NSEC_PER_MSEC / ns;
}

static void clockevent_init_once(void)
{
	u32 a, b, c, d;

	cpuid(1, 0, &a, &b, &c, &d);
	tsc_deadline = c & CPUID1_ECX_TSC_DEADLINE;
	if (!tsc_deadline) {
		apic_reg_write(APIC_TIMER_INITIAL, 0);
		lapic_timer_khz = apic_timer_rider.khz;
		if (!lapic_timer_khz)
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
