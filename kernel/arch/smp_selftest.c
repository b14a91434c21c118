/*
 * Self tests of the SMP bring-up (suite `smp`): every online CPU has its
 * struct cpu installed under its number, with a distinct APIC id, and code
 * sent to a CPU with smp_call_function_single() finds itself on that CPU
 * (this_cpu() through GS agrees with the local APIC's own id).
 */
#include "kernel/arch/apic.h"
#include "kernel/arch/percpu.h"
#include "kernel/selftest/selftest.h"
#include "kernel/arch/smp.h"

static void test_cpu_table(struct selftest *t)
{
	unsigned int id, other;

	ST_EXPECT_EQ(t, cpumask_weight(&cpu_online_mask), nr_cpus);
	for_each_online_cpu(id) {
		struct cpu *c = cpu_get(id);

		ST_ASSERT(t, c != NULL);
		ST_EXPECT(t, c->self == c);
		ST_EXPECT_EQ(t, c->id, id);
		ST_EXPECT(t, c->online);
		ST_EXPECT(t, c->idle != NULL);
		for_each_online_cpu(other)
			if (other != id)
				ST_EXPECT(t, cpu_get(other)->apic_id != c->apic_id);
	}
	ST_EXPECT_EQ(t, this_cpu()->apic_id, apic_read_id());
}
SELFTEST(smp, cpu_table, test_cpu_table);

struct smp_where {
	unsigned int cpu;
	u32 apic_id_gs, apic_id_hw;
};

static void smp_where_am_i(void *arg)
{
	struct smp_where *w = arg;

	w->cpu = this_cpu_id();
	w->apic_id_gs = this_cpu()->apic_id;
	w->apic_id_hw = apic_read_id();
}

static void test_call_function_single(struct selftest *t)
{
	unsigned int id;

	for_each_online_cpu(id) {
		struct smp_where w = { .cpu = ~0U };

		ST_ASSERT_EQ(t, smp_call_function_single(id, smp_where_am_i, &w, true), 0);
		ST_EXPECT_EQ(t, w.cpu, id);
		ST_EXPECT_EQ(t, w.apic_id_gs, w.apic_id_hw);
		ST_EXPECT_EQ(t, w.apic_id_gs, cpu_get(id)->apic_id);
	}
}
SELFTEST(smp, call_function_single, test_call_function_single);
