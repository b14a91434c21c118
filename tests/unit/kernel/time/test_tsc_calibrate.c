/*
 * Unit tests for kernel/time/tsc_calibrate.c: every clock agreeing, the
 * HPET alone, no clock at all, CPUID unchecked and checked (exact 0x15
 * preferred, nominal 0x16 only a vote), a broken measurement outvoted, no
 * two candidates agreeing, the agreement threshold itself, and when one
 * calibration window is enough.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "kernel/time/tsc_calibrate.c"

static struct tsc_result choose(u64 hpet, u64 pm, u64 pit, u64 cpuid, bool exact)
{
	u64 khz[TSC_REF_COUNT] = { hpet, pm, pit, cpuid };
	struct tsc_result r;

	tsc_calibrate_choose(khz, exact, &r);
	return r;
}

static void test_all_agree(void **state)
{
	struct tsc_result r = choose(2300045, 2299980, 2311009, 0, false);

	(void)state;
	assert_int_equal(r.verdict, TSC_AGREED);
	assert_int_equal(r.source, TSC_REF_HPET);
	assert_int_equal(r.khz, 2300045);
	assert_int_equal(r.agree, 1U << TSC_REF_PMTMR | 1U << TSC_REF_PIT);
	assert_int_equal(r.disagree, 0);
}

static void test_single_and_none(void **state)
{
	struct tsc_result r = choose(0, 2299980, 0, 0, false);

	(void)state;
	assert_int_equal(r.verdict, TSC_UNCHECKED);
	assert_int_equal(r.source, TSC_REF_PMTMR);
	r = choose(0, 0, 0, 0, false);
	assert_int_equal(r.verdict, TSC_NO_CLOCK);
	assert_int_equal(r.khz, 0);
	/* CPUID alone is used, but flagged as unchecked */
	r = choose(0, 0, 0, 2400000, true);
	assert_int_equal(r.verdict, TSC_UNCHECKED);
	assert_int_equal(r.source, TSC_REF_CPUID);
	assert_int_equal(r.khz, 2400000);
}

static void test_cpuid_checked(void **state)
{
	/* exact crystal ratio confirmed by the PM timer: CPUID's value */
	struct tsc_result r = choose(0, 2399100, 0, 2400000, true);

	(void)state;
	assert_int_equal(r.verdict, TSC_AGREED);
	assert_int_equal(r.source, TSC_REF_CPUID);
	assert_int_equal(r.khz, 2400000);
	assert_int_equal(r.agree, 1U << TSC_REF_PMTMR);
	/* nominal 0x16: the measurement */
	r = choose(0, 2399100, 0, 2400000, false);
	assert_int_equal(r.source, TSC_REF_PMTMR);
	assert_int_equal(r.khz, 2399100);
	/* CPUID 0x16 says 3 GHz, two clocks measure 2.3: outvoted */
	r = choose(2300045, 2299980, 0, 3000000, false);
	assert_int_equal(r.verdict, TSC_OUTVOTED);
	assert_int_equal(r.source, TSC_REF_HPET);
	assert_int_equal(r.disagree, 1U << TSC_REF_CPUID);
	/* CPUID against one clock that disagrees: nobody agrees, the clock wins */
	r = choose(0, 0, 2300000, 3000000, true);
	assert_int_equal(r.verdict, TSC_NONE_AGREE);
	assert_int_equal(r.source, TSC_REF_PIT);
}

static void test_broken_clock_outvoted(void **state)
{
	/* a PIT that is not there measured "3 MHz" (issue 16): the others win */
	struct tsc_result r = choose(0, 2299980, 3194, 2300000, false);

	(void)state;
	assert_int_equal(r.verdict, TSC_OUTVOTED);
	assert_int_equal(r.source, TSC_REF_PMTMR);
	assert_int_equal(r.disagree, 1U << TSC_REF_PIT);
	/* the HPET itself wrong: PM timer and PIT agree, two votes to none */
	r = choose(1150000, 2299980, 2301000, 0, false);
	assert_int_equal(r.source, TSC_REF_PMTMR);
	assert_int_equal(r.disagree, 1U << TSC_REF_HPET);
}

static void test_threshold(void **state)
{
	(void)state;
	assert_true(tsc_khz_agree(1000000, 980000));	/* 2.0% */
	assert_false(tsc_khz_agree(1000000, 979999));
	assert_true(tsc_khz_agree(980000, 1000000));
	assert_false(tsc_khz_agree(0, 0));
	assert_string_equal(tsc_ref_name(TSC_REF_PMTMR), "ACPI PM timer");
}

/* One window is enough only with two or more clocks in it, all agreeing. */
static void test_window_conclusive(void **state)
{
	const u64 agree[TSC_REF_COUNT] = { 2300045, 2299980, 2311009, 0 };
	const u64 two[TSC_REF_COUNT] = { 2300045, 0, 2311009, 0 };
	const u64 one[TSC_REF_COUNT] = { 2300045, 0, 0, 0 };
	const u64 none[TSC_REF_COUNT] = { 0 };
	const u64 bad_pit[TSC_REF_COUNT] = { 2300045, 2299980, 1150000, 0 };
	const u64 bad_two[TSC_REF_COUNT] = { 2300045, 0, 3000000, 0 };
	/* each within 2 % of the next, the ends 3.9 % apart: not all agree */
	const u64 chain[TSC_REF_COUNT] = { 1000000, 1019000, 1039000, 0 };

	(void)state;
	assert_true(tsc_window_conclusive(agree));
	assert_true(tsc_window_conclusive(two));
	assert_false(tsc_window_conclusive(one));
	assert_false(tsc_window_conclusive(none));
	assert_false(tsc_window_conclusive(bad_pit));
	assert_false(tsc_window_conclusive(bad_two));
	assert_false(tsc_window_conclusive(chain));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_agree),
		cmocka_unit_test(test_single_and_none),
		cmocka_unit_test(test_cpuid_checked),
		cmocka_unit_test(test_broken_clock_outvoted),
		cmocka_unit_test(test_threshold),
		cmocka_unit_test(test_window_conclusive),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
