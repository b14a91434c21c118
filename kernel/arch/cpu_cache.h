/*
 * Which CPUs share a last-level cache (Linux's cpus_share_cache), for
 * blk-mq's rq_affinity=1. Read once at boot from CPUID's deterministic
 * cache parameters (leaf 4, or AMD's 0x8000001D when TOPOEXT is set) and
 * each CPU's APIC id. When the processor lists no cache there (QEMU's
 * AMD-vendor TCG models without topoext, for one) the topology is unknown
 * and every CPU is taken as its own cache: nothing is assumed shared.
 */
#ifndef KERNEL_ARCH_CPU_CACHE_H
#define KERNEL_ARCH_CPU_CACHE_H

#include "lib/types.h"
#include "kernel/sched/cpumask.h"

/* The id of each CPU's last-level cache; written once by cpu_cache_init, read-only after. */
extern u32 cpu_llc_id[MAX_CPUS];

/* After smp_init(): read the cache topology, fill cpu_llc_id, say what was found. */
void cpu_cache_init(void);

/* The last-level cache level (2, 3) found, or 0 when the topology is unknown. */
unsigned int cpu_cache_llc_level(void);

static inline bool cpus_share_cache(unsigned int a, unsigned int b)
{
	return cpu_llc_id[a] == cpu_llc_id[b];
}

#endif
