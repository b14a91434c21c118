/*
 * CPUID cache parameters to the last-level cache's APIC id shift (see
 * kernel/arch/cpu_cache_decode.h). No hardware access here.
 */
#include "kernel/arch/cpu_cache_decode.h"
#include "lib/errno.h"

/* ceil(log2(n)) for n >= 1 */
static unsigned int cpu_cache_order(u32 n)
{
	unsigned int order = 0;

	while ((1U << order) < n)
		order++;
	return order;
}

int cpu_cache_llc_decode(const u32 *eax, unsigned int nr, struct cpu_cache_llc *out)
{
	bool found = false;

	for (unsigned int i = 0; i < nr; i++) {
		u32 type = CPUID_CACHE_TYPE(eax[i]), level = CPUID_CACHE_LEVEL(eax[i]);

		if (type == CPUID_CACHE_NULL)
			break;
		if (type != CPUID_CACHE_DATA && type != CPUID_CACHE_UNIFIED)
			continue;
		/* the last one of the highest level: caches are listed level by level */
		if (!found || level >= out->level) {
			out->level = level;
			out->apic_shift = cpu_cache_order(CPUID_CACHE_SHARING(eax[i]));
			found = true;
		}
	}
	return found ? 0 : -ENOENT;
}
