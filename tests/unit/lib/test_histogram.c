/*
 * Unit tests for lib/histogram.c: the bucket layout (continuous, monotonic,
 * bounded relative width), percentiles against known distributions (uniform,
 * constant, two-point, exponential-like), exact mean and standard deviation,
 * and merging.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "lib/histogram.h"

static struct histogram h, h2;

static void test_buckets(void **state)
{
	unsigned int b;

	(void)state;
	for (u64 v = 0; v < 128; v++)
		assert_int_equal(hist_bucket(v), v);
	assert_int_equal(hist_bucket(128), 128);
	/* every bucket starts right after the previous one ends */
	for (b = 0; b + 1 < HIST_BUCKETS; b++) {
		assert_true(hist_bucket_low(b) <= hist_bucket_high(b));
		assert_int_equal(hist_bucket_high(b) + 1, hist_bucket_low(b + 1));
		assert_int_equal(hist_bucket(hist_bucket_low(b)), b);
		assert_int_equal(hist_bucket(hist_bucket_high(b)), b);
		/* width at most 1/64 of the bucket's low value (above the exact range) */
		if (b >= 128)
			assert_true((hist_bucket_high(b) - hist_bucket_low(b) + 1) * 64 <=
				    hist_bucket_low(b));
	}
	assert_int_equal(hist_bucket(UINT64_MAX), HIST_BUCKETS - 1);
	assert_int_equal(hist_bucket(1ULL << 50), HIST_BUCKETS - 1);
	assert_true(hist_bucket_low(HIST_BUCKETS - 1) < (1ULL << 41));
	/* pseudo-random values land in a bucket that contains them */
	srand(1);
	for (int i = 0; i < 100000; i++) {
		u64 v = ((u64)rand() << 31 ^ (u64)rand()) >> (rand() % 40);

		b = hist_bucket(v);
		assert_true(v >= hist_bucket_low(b));
		if (b < HIST_BUCKETS - 1)
			assert_true(v <= hist_bucket_high(b));
	}
}

static void test_empty(void **state)
{
	(void)state;
	hist_init(&h);
	assert_int_equal(h.count, 0);
	assert_int_equal(hist_percentile(&h, 500000), 0);
	assert_int_equal(hist_mean_milli(&h), 0);
	assert_int_equal(hist_stddev_milli(&h), 0);
}

static void test_constant(void **state)
{
	(void)state;
	hist_init(&h);
	for (int i = 0; i < 1000; i++)
		hist_add(&h, 12345);
	assert_int_equal(h.min, 12345);
	assert_int_equal(h.max, 12345);
	assert_int_equal(hist_mean_milli(&h), 12345000);
	assert_int_equal(hist_stddev_milli(&h), 0);
	/* clamped to [min, max]: exact for a constant */
	assert_int_equal(hist_percentile(&h, 10000), 12345);
	assert_int_equal(hist_percentile(&h, 999900), 12345);
}

/* |got - want| within 1/64 of want (the bucket width) */
static void assert_close(u64 got, u64 want)
{
	u64 diff = got > want ? got - want : want - got;

	if (diff * 64 > want + 64)
		fail_msg("got %llu, want %llu", (unsigned long long)got, (unsigned long long)want);
}

static void test_uniform(void **state)
{
	(void)state;
	hist_init(&h);
	/* 1..100000 once each: the p-th percentile is p * 1000 */
	for (u64 v = 1; v <= 100000; v++)
		hist_add(&h, v);
	assert_int_equal(h.count, 100000);
	assert_int_equal(hist_mean_milli(&h), 50000500);
	/* stddev of 1..n is sqrt((n^2 - 1) / 12) = 28867.513 */
	assert_int_equal(hist_stddev_milli(&h), 28867513);
	assert_close(hist_percentile(&h, 10000), 1000);
	assert_close(hist_percentile(&h, 500000), 50000);
	assert_close(hist_percentile(&h, 900000), 90000);
	assert_close(hist_percentile(&h, 990000), 99000);
	assert_close(hist_percentile(&h, 999900), 99990);
	assert_int_equal(hist_percentile(&h, 1000000), 100000);
	/* small exact values */
	hist_init(&h);
	for (u64 v = 0; v < 100; v++)
		hist_add(&h, v);
	assert_int_equal(hist_percentile(&h, 500000), 49);
	assert_int_equal(hist_percentile(&h, 10000), 0);
	assert_int_equal(hist_percentile(&h, 990000), 98);
}

static void test_two_point(void **state)
{
	(void)state;
	hist_init(&h);
	/* 99 % at 1 us, 1 % at 1 ms: p99 is still 1 us, p99.5 is 1 ms */
	for (int i = 0; i < 9900; i++)
		hist_add(&h, 1000);
	for (int i = 0; i < 100; i++)
		hist_add(&h, 1000000);
	assert_close(hist_percentile(&h, 990000), 1000);
	assert_close(hist_percentile(&h, 995000), 1000000);
	assert_int_equal(hist_percentile(&h, 999900), 1000000);	/* clamped to max */
	/* mean 10990, stddev sqrt(0.99 * 0.01) * 999000 = 99401.006 */
	assert_int_equal(hist_mean_milli(&h), 10990000);
	assert_close(hist_stddev_milli(&h) / 1000, 99401);
}

static void test_geometric(void **state)
{
	u64 n = 0;

	(void)state;
	hist_init(&h);
	/* 2^k ns, 2^(20-k) times each for k = 0..20 */
	for (unsigned int k = 0; k <= 20; k++)
		for (u64 i = 0; i < (1ULL << (20 - k)); i++, n++)
			hist_add(&h, 1ULL << k);
	/* half of all samples are 1 */
	assert_int_equal(hist_percentile(&h, 500000), 1);
	/* the 75th percentile is 2, the 87.5th would be 4 */
	assert_int_equal(hist_percentile(&h, 750000), 2);
	assert_int_equal(hist_percentile(&h, 800000), 4);
	assert_close(hist_percentile(&h, 999900), 8192);
	assert_int_equal(h.count, n);
}

static void test_merge(void **state)
{
	(void)state;
	hist_init(&h);
	hist_init(&h2);
	for (u64 v = 1; v <= 50000; v++)
		hist_add(&h, v);
	for (u64 v = 50001; v <= 100000; v++)
		hist_add(&h2, v);
	hist_merge(&h, &h2);
	assert_int_equal(h.count, 100000);
	assert_int_equal(h.min, 1);
	assert_int_equal(h.max, 100000);
	assert_int_equal(hist_mean_milli(&h), 50000500);
	assert_int_equal(hist_stddev_milli(&h), 28867513);
	assert_close(hist_percentile(&h, 500000), 50000);
	/* merging an empty one changes nothing, not even min */
	hist_init(&h2);
	hist_merge(&h, &h2);
	assert_int_equal(h.min, 1);
	assert_int_equal(h.count, 100000);
}

/* hist_add_stat: the same count, sum, min, max and deviation as hist_add, no buckets. */
static void test_add_stat(void **state)
{
	static struct histogram full, stat;
	u64 total = 0;

	(void)state;
	hist_init(&full);
	hist_init(&stat);
	for (u64 v = 7; v < 100000; v = v * 3 + 1) {
		hist_add(&full, v);
		hist_add_stat(&stat, v);
	}
	assert_int_equal(stat.count, full.count);
	assert_int_equal(stat.sum, full.sum);
	assert_true(stat.sum_sq == full.sum_sq);
	assert_int_equal(stat.min, 7);
	assert_int_equal(stat.max, full.max);
	assert_int_equal(hist_mean_milli(&stat), hist_mean_milli(&full));
	assert_int_equal(hist_stddev_milli(&stat), hist_stddev_milli(&full));
	for (unsigned int b = 0; b < HIST_BUCKETS; b++)
		total += stat.buckets[b];
	assert_int_equal(total, 0);
}

static void test_huge(void **state)
{
	(void)state;
	hist_init(&h);
	hist_add(&h, 1ULL << 60);
	hist_add(&h, 1ULL << 60);
	hist_add(&h, 3);
	assert_int_equal(h.max, 1ULL << 60);
	assert_int_equal(hist_percentile(&h, 999900), 1ULL << 60);
	assert_true(hist_stddev_milli(&h) > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buckets),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_constant),
		cmocka_unit_test(test_uniform),
		cmocka_unit_test(test_two_point),
		cmocka_unit_test(test_geometric),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_huge),
		cmocka_unit_test(test_add_stat),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
