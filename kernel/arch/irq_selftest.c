/*
 * Self tests of the interrupt layer and IPIs (suite irq) and of the per-CPU
 * timers on top of the APIC timer (suite timers). They run in the shell's
 * thread with interrupts enabled; IPIs to this CPU go through the real APIC.
 */
#include "kernel/arch/apic.h"
#include "kernel/arch/irq.h"
#include "kernel/arch/percpu.h"
#include "kernel/selftest/selftest.h"
#include "kernel/arch/smp.h"
#include "kernel/sched/thread.h"
#include "kernel/time/time.h"
#include "kernel/time/timer.h"
#include "kernel/arch/vectors.h"
#include "lib/errno.h"

#define WAIT_LIMIT_NS	(10000 * NSEC_PER_MSEC)	/* a bound for stalled vCPUs, not a latency */
/* a lost wakeup shows as seconds; a loaded host stalls a vCPU for tens of ms */
#define LATE_LIMIT_NS	(500 * NSEC_PER_MSEC)

/* Spin (interrupts on) until *flag is set or the limit passes. */
static bool wait_for_flag(volatile int *flag)
{
	u64 end = time_ns() + WAIT_LIMIT_NS;

	while (!*flag && time_ns() < end)
		cpu_relax();
	return *flag;
}

/* --- irq ----------------------------------------------------------------- */

static void test_counts_increase(struct selftest *t)
{
	unsigned int cpu;
	u64 before;

	preempt_disable();
	cpu = this_cpu_id();
	before = irq_count(cpu, VECTOR_TIMER);
	preempt_enable();
	thread_sleep_ns(10 * NSEC_PER_MSEC);
	/* the scheduler tick alone fires every 4 ms */
	ST_EXPECT(t, irq_count(cpu, VECTOR_TIMER) > before);
}
SELFTEST(irq, counts_increase, test_counts_increase);

static void test_self_ipi(struct selftest *t)
{
	unsigned int cpu;
	u64 before;
	u64 end = time_ns() + WAIT_LIMIT_NS;

	preempt_disable();
	cpu = this_cpu_id();
	before = irq_count(cpu, VECTOR_RESCHEDULE);
	apic_send_ipi(this_cpu()->apic_id, VECTOR_RESCHEDULE);
	while (irq_count(cpu, VECTOR_RESCHEDULE) == before && time_ns() < end)
		cpu_relax();
	ST_EXPECT_EQ(t, irq_count(cpu, VECTOR_RESCHEDULE), before + 1);
	preempt_enable();
}
SELFTEST(irq, self_ipi, test_self_ipi);

static void mark_ran(void *arg)
{
	volatile int *ran = arg;

	/* call-function runs with interrupts off */
	if (!irqs_enabled())
		*ran = 1;
}

static void test_dynamic_vector(struct selftest *t)
{
	volatile int ran = 0;
	unsigned int cpu;
	int v, v2;

	ST_EXPECT_EQ(t, irq_alloc_vector(MAX_CPUS - 1, mark_ran, (void *)&ran, "test"), -ENXIO);
	preempt_disable();
	cpu = this_cpu_id();
	v = irq_alloc_vector(cpu, mark_ran, (void *)&ran, "selftest");
	ST_EXPECT(t, v >= VECTOR_DYNAMIC_FIRST && v <= VECTOR_DYNAMIC_LAST);
	if (v >= 0) {
		v2 = irq_alloc_vector(cpu, mark_ran, (void *)&ran, "selftest2");
		ST_EXPECT(t, v2 != v);
		apic_send_ipi(this_cpu()->apic_id, (u8)v);
		ST_EXPECT(t, wait_for_flag(&ran));
		ST_EXPECT_EQ(t, irq_count(cpu, (u8)v) > 0, true);
		if (v2 >= 0)
			irq_free_vector(cpu, (u8)v2);
		irq_free_vector(cpu, (u8)v);
	}
	preempt_enable();
}
SELFTEST(irq, dynamic_vector, test_dynamic_vector);

static void count_call(void *arg)
{
	int *calls = arg;

	__atomic_fetch_add(calls, 1, __ATOMIC_RELAXED);
}

static void test_call_function(struct selftest *t)
{
	volatile int ran = 0;
	int calls = 0;
	unsigned int cpu;

	ST_EXPECT_EQ(t, smp_call_function_single(this_cpu_id(), mark_ran, (void *)&ran, true), 0);
	ST_EXPECT(t, ran);
	ST_EXPECT_EQ(t, smp_call_function_single(MAX_CPUS - 1, mark_ran, (void *)&ran, true),
		     -ENXIO);
	/* every online CPU, this one included, and wait for all of them */
	smp_call_function_many(&cpu_online_mask, count_call, &calls, true);
	ST_EXPECT_EQ(t, calls, cpumask_weight(&cpu_online_mask));
	/* the same one CPU at a time without waiting, then wait for the count */
	calls = 0;
	for_each_online_cpu(cpu)
		ST_EXPECT_EQ(t, smp_call_function_single(cpu, count_call, &calls, false), 0);
	for (u64 end = time_ns() + WAIT_LIMIT_NS;
	     __atomic_load_n(&calls, __ATOMIC_RELAXED) < (int)cpumask_weight(&cpu_online_mask) &&
	     time_ns() < end;)
		cpu_relax();
	ST_EXPECT_EQ(t, __atomic_load_n(&calls, __ATOMIC_RELAXED), cpumask_weight(&cpu_online_mask));
}
SELFTEST(irq, call_function, test_call_function);

static void test_tlb_flush(struct selftest *t)
{
	/* no check beyond "returns": a missing flush shows as a stale mapping later */
	tlb_flush_kernel_range(0xffffffff80000000ULL, 0xffffffff80004000ULL);
	tlb_flush_kernel_range(0xffffffff80000000ULL, 0xffffffff80400000ULL);
	ST_EXPECT(t, irqs_enabled());
}
SELFTEST(irq, tlb_flush, test_tlb_flush);

/* --- timers -------------------------------------------------------------- */

struct test_timer {
	struct timer timer;
	u64 fired_ns;
	int order;		/* position among the timers that fired */
	volatile int fired;
};

static int fire_sequence;

static void test_timer_fn(struct timer *timer)
{
	struct test_timer *tt = container_of(timer, struct test_timer, timer);

	tt->fired_ns = time_ns();
	tt->order = __atomic_fetch_add(&fire_sequence, 1, __ATOMIC_RELAXED);
	tt->fired = 1;
}

static void test_timer_arm(struct test_timer *tt, u64 deadline_ns)
{
	tt->fired = 0;
	timer_setup(&tt->timer, test_timer_fn);
	preempt_disable();
	timer_arm(&tt->timer, deadline_ns);
	preempt_enable();
}

static void test_timer_fires_on_time(struct selftest *t)
{
	struct test_timer tt;
	u64 deadline = time_ns() + 2 * NSEC_PER_MSEC;

	test_timer_arm(&tt, deadline);
	ST_ASSERT(t, wait_for_flag(&tt.fired));
	ST_EXPECT(t, tt.fired_ns >= deadline);
	ST_EXPECT(t, tt.fired_ns < deadline + LATE_LIMIT_NS);
}
SELFTEST(timers, fires_on_time, test_timer_fires_on_time);

static void test_timer_past_deadline(struct selftest *t)
{
	struct test_timer tt;

	test_timer_arm(&tt, time_ns() > 1000 ? time_ns() - 1000 : 0);
	ST_EXPECT(t, wait_for_flag(&tt.fired));
}
SELFTEST(timers, past_deadline, test_timer_past_deadline);

static void test_timer_order(struct selftest *t)
{
	static const unsigned int offsets_ms[] = { 4, 1, 3, 2 };
	struct test_timer tt[ARRAY_SIZE(offsets_ms)];
	u64 now = time_ns();

	fire_sequence = 0;
	for (size_t i = 0; i < ARRAY_SIZE(tt); i++)
		test_timer_arm(&tt[i], now + offsets_ms[i] * NSEC_PER_MSEC);
	for (size_t i = 0; i < ARRAY_SIZE(tt); i++)
		ST_ASSERT(t, wait_for_flag(&tt[i].fired));
	for (size_t i = 0; i < ARRAY_SIZE(tt); i++)
		ST_EXPECT_EQ(t, tt[i].order, offsets_ms[i] - 1);
}
SELFTEST(timers, deadline_order, test_timer_order);

static void test_timer_cancel(struct selftest *t)
{
	struct test_timer tt;

	test_timer_arm(&tt, time_ns() + 2 * NSEC_PER_MSEC);
	ST_EXPECT(t, timer_cancel(&tt.timer));
	thread_sleep_ns(5 * NSEC_PER_MSEC);
	ST_EXPECT(t, !tt.fired);
	ST_EXPECT(t, !timer_cancel(&tt.timer));
}
SELFTEST(timers, cancel, test_timer_cancel);

static void test_sleep(struct selftest *t)
{
	u64 start = time_ns(), slept;

	thread_sleep_ns(NSEC_PER_MSEC);
	slept = time_ns() - start;
	ST_EXPECT(t, slept >= NSEC_PER_MSEC);
	ST_EXPECT(t, slept < LATE_LIMIT_NS);
	start = time_ns();
	thread_sleep_ns(10 * NSEC_PER_MSEC);
	slept = time_ns() - start;
	ST_EXPECT(t, slept >= 10 * NSEC_PER_MSEC);
	ST_EXPECT(t, slept < 10 * NSEC_PER_MSEC + LATE_LIMIT_NS);
}
SELFTEST(timers, sleep, test_sleep);

static void test_clock_monotonic(struct selftest *t)
{
	u64 prev = time_ns();

	for (int i = 0; i < 10000; i++) {
		u64 now = time_ns();

		ST_ASSERT(t, now >= prev);
		prev = now;
	}
}
SELFTEST(timers, monotonic, test_clock_monotonic);
