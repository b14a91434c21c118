/*
 * The stack protector's canary and its failure report (stack_protector.h).
 * The canary's low byte is zero, as glibc's is, so that a string copy
 * running off a buffer stops at it instead of reproducing it.
 */
#include "kernel/stack_protector.h"
#include "kernel/arch/x86.h"
#include "kernel/ksyms.h"
#include "kernel/panic.h"

#define CPUID_LEAF7_EBX_RDSEED	BIT(18)
#define CPUID_LEAF1_ECX_RDRAND	BIT(30)
#define HW_RANDOM_TRIES		32

unsigned long __stack_chk_guard;

void __noreturn __stack_chk_fail(void);

static bool cpu_rdseed(u64 *v)
{
	bool ok;

	for (int i = 0; i < HW_RANDOM_TRIES; i++) {
		__asm__ volatile("rdseed %0; setc %1" : "=r"(*v), "=qm"(ok));
		if (ok)
			return true;
	}
	return false;
}

static bool cpu_rdrand(u64 *v)
{
	bool ok;

	for (int i = 0; i < HW_RANDOM_TRIES; i++) {
		__asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok));
		if (ok)
			return true;
	}
	return false;
}

/*
 * Without a hardware generator: the low bits of TSC differences around
 * work whose length varies (cache, bus, emulation), folded over many rounds.
 * Weak, but different every boot, which is what a canary needs.
 */
static u64 tsc_jitter(void)
{
	u64 v = rdtsc();

	for (int i = 0; i < 256; i++) {
		u64 t0 = rdtsc();
		u32 a, b, c, d;

		cpuid(0, 0, &a, &b, &c, &d);
		v = (v << 7 | v >> 57) ^ (rdtsc() - t0) ^ a;
		v *= 0x9e3779b97f4a7c15ULL;
	}
	return v;
}

__attribute__((no_stack_protector)) const char *stack_protector_init(void)
{
	u32 a, b, c, d, max;
	const char *source = "TSC jitter";
	u64 v = 0;

	cpuid(0, 0, &max, &b, &c, &d);
	if (max >= 7) {
		cpuid(7, 0, &a, &b, &c, &d);
		if ((b & CPUID_LEAF7_EBX_RDSEED) && cpu_rdseed(&v))
			source = "RDSEED";
	}
	if (!v) {
		cpuid(1, 0, &a, &b, &c, &d);
		if ((c & CPUID_LEAF1_ECX_RDRAND) && cpu_rdrand(&v))
			source = "RDRAND";
	}
	if (!v)
		v = tsc_jitter();
	__stack_chk_guard = (unsigned long)(v & ~0xffULL);
	return source;
}

/* Called from the epilogue of the function whose canary was overwritten. */
void __noreturn __stack_chk_fail(void)
{
	char where[96];

	ksym_format_return(where, sizeof(where), (u64)__builtin_return_address(0));
	panic("stack smashed in %s: its canary was overwritten", where);
}
