/*
 * Self tests of inter-processor calls (suite `ipi`): a call sent to each
 * CPU, waited for or not, runs there; a call to many runs once on each; a
 * storm of calls from every CPU to every other all arrive; an offline CPU
 * is refused.
 */
#include "kernel/arch/percpu.h"
#include "kernel/selftest/selftest.h"
#include "kernel/selftest/selftest_workers.h"
#include "kernel/arch/smp.h"
#include "kernel/sched/thread.h"
#include "kernel/time/time.h"
#include "lib/errno.h"
#include "lib/string.h"

struct ipi_hits {
	unsigned int ran_on;
	unsigned int hits[MAX_CPUS];	/* calls run, by CPU */
	unsigned int total;
};

static void ipi_record(void *arg)
{
	struct ipi_hits *h = arg;

	h->ran_on = this_cpu_id();
	__atomic_add_fetch(&h->hits[this_cpu_id()], 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&h->total, 1, __ATOMIC_RELEASE);
}

static void test_call_single(struct selftest *t)
{
	static struct ipi_hits h;
	unsigned int cpu;

	for_each_online_cpu(cpu) {
		u64 end;

		h.ran_on = ~0U;
		h.total = 0;
		ST_ASSERT_EQ(t, smp_call_function_single(cpu, ipi_record, &h, true), 0);
		if (h.ran_on != cpu)
			selftest_fail(t, __FILE__, __LINE__, "call for CPU %u ran on CPU %u", cpu,
				      h.ran_on);
		/* without waiting: it still arrives, soon */
		ST_ASSERT_EQ(t, smp_call_function_single(cpu, ipi_record, &h, false), 0);
		end = time_ns() + 10 * NSEC_PER_SEC;	/* a bound for stalled vCPUs */
		while (__atomic_load_n(&h.total, __ATOMIC_ACQUIRE) < 2 && time_ns() < end)
			thread_yield();
		if (h.total != 2 || h.ran_on != cpu)
			selftest_fail(t, __FILE__, __LINE__, "call for CPU %u without wait: %u "
				      "of 2 calls ran, last on CPU %u", cpu, h.total, h.ran_on);
	}
}
SELFTEST(ipi, call_single, test_call_single);

static void test_call_many(struct selftest *t)
{
	static struct ipi_hits h;
	unsigned int cpu;

	memset(&h, 0, sizeof(h));
	smp_call_function_many(&cpu_online_mask, ipi_record, &h, true);
	ST_EXPECT_EQ(t, h.total, cpumask_weight(&cpu_online_mask));
	for_each_online_cpu(cpu)
		if (h.hits[cpu] != 1)
			selftest_fail(t, __FILE__, __LINE__, "call to all ran %u times on CPU %u",
				      h.hits[cpu], cpu);
}
SELFTEST(ipi, call_many, test_call_many);

static void test_offline_refused(struct selftest *t)
{
	static struct ipi_hits h;
	unsigned int cpu;

	for (cpu = 0; cpu < MAX_CPUS && cpumask_test(&cpu_online_mask, cpu); cpu++)
		;
	if (cpu == MAX_CPUS)
		return;
	h.total = 0;
	ST_EXPECT_EQ(t, smp_call_function_single(cpu, ipi_record, &h, true), -ENXIO);
	ST_EXPECT_EQ(t, h.total, 0);
}
SELFTEST(ipi, offline_refused, test_offline_refused);

/*
 * Rounds of all-pairs calls: 50 on 2 CPUs, fewer as the pairs grow (n * n
 * calls per round), so 8 vCPUs on a 2-core host take seconds, not a minute.
 */
static unsigned int storm_rounds(unsigned int n)
{
	return min(max(200 / (n * n), 4u), 50u);
}

/* Each worker calls every online CPU in turn, waiting: all-pairs traffic. */
static int ipi_storm(struct selftest_worker *w)
{
	struct ipi_hits *h = w->ctx;
	unsigned int cpu, rounds = storm_rounds(cpumask_weight(&cpu_online_mask));

	for (unsigned int r = 0; r < rounds; r++)
		for_each_online_cpu(cpu)
			if (smp_call_function_single(cpu, ipi_record, h, true))
				return -1;
	return 0;
}

static void test_call_storm(struct selftest *t)
{
	static struct ipi_hits h;
	struct selftest_workers ws;
	unsigned int cpu, n = cpumask_weight(&cpu_online_mask);

	memset(&h, 0, sizeof(h));
	ST_ASSERT_EQ(t, selftest_workers_start(&ws, "st-ipi", 1, THREAD_PRIO_DEFAULT, ipi_storm,
					       &h), 0);
	ST_EXPECT_EQ(t, selftest_workers_join(&ws), 0);
	selftest_workers_free(&ws);
	ST_EXPECT_EQ(t, h.total, n * n * storm_rounds(n));
	for_each_online_cpu(cpu)
		if (h.hits[cpu] != n * storm_rounds(n))
			selftest_fail(t, __FILE__, __LINE__, "CPU %u ran %u calls, want %u", cpu,
				      h.hits[cpu], n * storm_rounds(n));
}
SELFTEST(ipi, call_storm, test_call_storm);
