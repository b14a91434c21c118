/*
 * SMEP, SMAP and UMIP on each CPU that has them (cpu_protect.h). Called by
 * the boot CPU in kmain and by every AP in smp_ap_entry, before either runs
 * anything that could be tricked into user memory.
 */
#include "kernel/arch/cpu_protect.h"
#include "kernel/arch/x86.h"

#define CPUID_LEAF7_EBX_SMEP	BIT(7)
#define CPUID_LEAF7_EBX_SMAP	BIT(20)
#define CPUID_LEAF7_ECX_UMIP	BIT(2)

u64 cpu_protect_init(void)
{
	u32 a, b, c, d;
	u64 bits = 0;

	cpuid(0, 0, &a, &b, &c, &d);
	if (a < 7)
		return 0;
	cpuid(7, 0, &a, &b, &c, &d);
	if (b & CPUID_LEAF7_EBX_SMEP)
		bits |= CR4_SMEP;
	if (b & CPUID_LEAF7_EBX_SMAP)
		bits |= CR4_SMAP;
	if (c & CPUID_LEAF7_ECX_UMIP)
		bits |= CR4_UMIP;
	if (bits)
		write_cr4(read_cr4() | bits);
	return bits;
}
