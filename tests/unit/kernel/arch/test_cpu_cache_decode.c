/*
 * Unit tests for kernel/arch/cpu_cache_decode.c: the last-level cache is the
 * highest-level data or unified cache listed, instruction caches are
 * skipped, the list ends at a type-0 subleaf, the APIC id shift is the
 * sharing count rounded up to a power of two, and an empty list says
 * -ENOENT (topology unknown).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "kernel/arch/cpu_cache_decode.c"

/* EAX of a subleaf: type, level, APIC ids sharing it */
static u32 leaf(u32 type, u32 level, u32 sharing)
{
	return type | level << 5 | (sharing - 1) << 14;
}

static void test_intel_l3(void **state)
{
	/* L1d and L1i per 2 threads, L2 per 2 threads, L3 per 16 ids */
	const u32 eax[] = {
		leaf(CPUID_CACHE_DATA, 1, 2), leaf(CPUID_CACHE_INSTRUCTION, 1, 2),
		leaf(CPUID_CACHE_UNIFIED, 2, 2), leaf(CPUID_CACHE_UNIFIED, 3, 16), 0,
	};
	struct cpu_cache_llc llc;

	(void)state;
	assert_int_equal(cpu_cache_llc_decode(eax, 5, &llc), 0);
	assert_int_equal(llc.level, 3);
	assert_int_equal(llc.apic_shift, 4);
}

static void test_sharing_rounded_up(void **state)
{
	/* 12 ids share it: the id needs 4 bits */
	const u32 eax[] = { leaf(CPUID_CACHE_DATA, 1, 1), leaf(CPUID_CACHE_UNIFIED, 2, 12) };
	struct cpu_cache_llc llc;

	(void)state;
	assert_int_equal(cpu_cache_llc_decode(eax, 2, &llc), 0);
	assert_int_equal(llc.level, 2);
	assert_int_equal(llc.apic_shift, 4);
}

static void test_private_cache(void **state)
{
	const u32 eax[] = { leaf(CPUID_CACHE_DATA, 1, 1) };
	struct cpu_cache_llc llc;

	(void)state;
	assert_int_equal(cpu_cache_llc_decode(eax, 1, &llc), 0);
	assert_int_equal(llc.level, 1);
	assert_int_equal(llc.apic_shift, 0);
}

static void test_stops_at_null(void **state)
{
	/* what follows a type-0 subleaf is not a cache */
	const u32 eax[] = { leaf(CPUID_CACHE_DATA, 1, 1), 0, leaf(CPUID_CACHE_UNIFIED, 3, 64) };
	struct cpu_cache_llc llc;

	(void)state;
	assert_int_equal(cpu_cache_llc_decode(eax, 3, &llc), 0);
	assert_int_equal(llc.level, 1);
	assert_int_equal(llc.apic_shift, 0);
}

static void test_unknown(void **state)
{
	const u32 none[] = { 0 };
	const u32 only_instruction[] = { leaf(CPUID_CACHE_INSTRUCTION, 1, 2), 0 };
	struct cpu_cache_llc llc;

	(void)state;
	assert_int_equal(cpu_cache_llc_decode(none, 1, &llc), -ENOENT);
	assert_int_equal(cpu_cache_llc_decode(none, 0, &llc), -ENOENT);
	assert_int_equal(cpu_cache_llc_decode(only_instruction, 2, &llc), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_intel_l3),
		cmocka_unit_test(test_sharing_rounded_up),
		cmocka_unit_test(test_private_cache),
		cmocka_unit_test(test_stops_at_null),
		cmocka_unit_test(test_unknown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
