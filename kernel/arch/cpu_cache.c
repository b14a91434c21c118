/*
 * Last-level cache topology (kernel/arch/cpu_cache.h): CPUID's cache list
 * decoded by kernel/arch/cpu_cache_decode.c, applied to every CPU's APIC
 * id. The same parameters hold on every CPU of a system stork supports
 * (one processor model), so the boot CPU reads them for all.
 */
#include "kernel/arch/cpu_cache.h"
#include "kernel/arch/cpu_cache_decode.h"
#include "kernel/arch/percpu.h"
#include "kernel/arch/x86.h"
#include "kernel/console/printk.h"
#include "lib/errno.h"

#define CPU_CACHE_MAX_SUBLEAVES	16
#define CPUID_AMD_TOPOEXT	(1U << 22)	/* CPUID 0x80000001 ECX */

u32 cpu_llc_id[MAX_CPUS];
static unsigned int cpu_llc_level;

/* The EAX of each subleaf of leaf, up to the first of type 0; how many. */
static unsigned int cpu_cache_read_leaf(u32 leaf, u32 *eax)
{
	unsigned int nr = 0;
	u32 b, c, d;

	while (nr < CPU_CACHE_MAX_SUBLEAVES) {
		cpuid(leaf, nr, &eax[nr], &b, &c, &d);
		if (CPUID_CACHE_TYPE(eax[nr]) == CPUID_CACHE_NULL)
			break;
		nr++;
	}
	return nr;
}

/* Leaf 4, else AMD's 0x8000001D; -ENOENT when neither lists a cache. */
static int cpu_cache_find_llc(struct cpu_cache_llc *llc)
{
	u32 eax[CPU_CACHE_MAX_SUBLEAVES], max_basic, max_ext, b, c, d;
	unsigned int nr;

	cpuid(0, 0, &max_basic, &b, &c, &d);
	if (max_basic >= 4) {
		nr = cpu_cache_read_leaf(4, eax);
		if (cpu_cache_llc_decode(eax, nr, llc) == 0)
			return 0;
	}
	cpuid(0x80000000, 0, &max_ext, &b, &c, &d);
	if (max_ext < 0x8000001d)
		return -ENOENT;
	cpuid(0x80000001, 0, &eax[0], &b, &c, &d);
	if (!(c & CPUID_AMD_TOPOEXT))
		return -ENOENT;
	nr = cpu_cache_read_leaf(0x8000001d, eax);
	return cpu_cache_llc_decode(eax, nr, llc);
}

void cpu_cache_init(void)
{
	struct cpu_cache_llc llc;
	unsigned int cpu, groups = 0;

	if (cpu_cache_find_llc(&llc)) {
		/* unknown: share nothing, so rq_affinity=1 never skips a needed IPI */
		for (cpu = 0; cpu < MAX_CPUS; cpu++)
			cpu_llc_id[cpu] = cpu;
		pr_info("cpu: no cache topology in CPUID: each CPU taken as its own last-level cache\n");
		return;
	}
	cpu_llc_level = llc.level;
	for (cpu = 0; cpu < MAX_CPUS; cpu++) {
		struct cpu *c = cpu_get(cpu);

		/* a CPU that never came up: its own (it submits and completes nothing) */
		cpu_llc_id[cpu] = c ? c->apic_id >> llc.apic_shift : (u32)(0x80000000U | cpu);
	}
	for (cpu = 0; cpu < nr_cpus; cpu++) {
		bool first = true;

		for (unsigned int other = 0; other < cpu; other++)
			if (cpus_share_cache(cpu, other))
				first = false;
		groups += first;
	}
	pr_info("cpu: last-level cache L%u, %u CPU%s in %u group%s sharing one\n", llc.level,
		nr_cpus, nr_cpus == 1 ? "" : "s", groups, groups == 1 ? "" : "s");
}

unsigned int cpu_cache_llc_level(void)
{
	return cpu_llc_level;
}
