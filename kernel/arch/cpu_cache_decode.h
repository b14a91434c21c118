/*
 * Decoding of the deterministic cache parameters CPUID reports (Intel
 * leaf 4, AMD leaf 0x8000001D: the same EAX layout, one subleaf per cache,
 * SDM vol. 2A "CPUID—Deterministic Cache Parameters Leaf"; AMD APM vol. 3,
 * E.4.15) into what the scheduler and blk-mq need: which CPUs share the
 * last-level cache. Pure logic, tested on the host
 * (tests/unit/kernel/arch/test_cpu_cache_decode.c); kernel/arch/cpu_cache.c
 * runs CPUID and keeps the result.
 */
#ifndef KERNEL_ARCH_CPU_CACHE_DECODE_H
#define KERNEL_ARCH_CPU_CACHE_DECODE_H

#include "lib/types.h"

/* EAX of one subleaf */
#define CPUID_CACHE_TYPE(eax)		((eax) & 0x1f)		/* 0: no more caches */
#define CPUID_CACHE_LEVEL(eax)		(((eax) >> 5) & 0x7)
#define CPUID_CACHE_SHARING(eax)	((((eax) >> 14) & 0xfff) + 1)	/* APIC ids sharing it */

enum { CPUID_CACHE_NULL, CPUID_CACHE_DATA, CPUID_CACHE_INSTRUCTION, CPUID_CACHE_UNIFIED };

/* What the subleaves say about the last-level cache. */
struct cpu_cache_llc {
	unsigned int level;		/* 1, 2, 3 ...; 0: no data or unified cache listed */
	unsigned int apic_shift;	/* CPUs whose APIC ids agree above this bit share it */
};

/*
 * From the EAX of subleaves 0 .. nr - 1 (the list ends early at a subleaf of
 * type 0): the highest-level data or unified cache, and how many low APIC
 * id bits tell apart the CPUs that share it (the sharing count rounded up
 * to a power of two, as the SDM says to derive the cache's id). Returns 0,
 * or -ENOENT when no data or unified cache is listed (topology unknown).
 */
int cpu_cache_llc_decode(const u32 *eax, unsigned int nr, struct cpu_cache_llc *out);

#endif
