/*
 * Unit tests for block/bench/bench_lat_dist.c: samples land in fio's ranges
 * by unit (nsec below 1 us, usec below 1 ms, then msec and ">=2000"), the
 * shares are rounded hundredths of a percent with fio's 0.01 % floor, they
 * add up to 100 % within rounding, and every bucket's json+ value lies in
 * the bucket (so a reader of the bins finds the same distribution).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "block/bench/bench_lat_dist.c"

static struct histogram h;
static struct bench_lat_dist dist;

static void add_n(u64 ns, unsigned int n)
{
	while (n--)
		hist_add(&h, ns);
}

static void test_ranges(void **state)
{
	(void)state;
	hist_init(&h);
	add_n(500, 100);		/* nsec [500, 750): "750" */
	add_n(3000, 300);		/* usec [2, 4): "4" */
	add_n(15000, 550);		/* usec [10, 20): "20" */
	add_n(1500000, 49);		/* msec [1, 2): "2" */
	add_n(3000000000ULL, 1);	/* 3 s: ">=2000" */
	bench_lat_dist_init(&dist);
	bench_lat_dist_add(&dist, &h);
	assert_int_equal(dist.total, 1000);
	assert_int_equal(dist.count[BENCH_LAT_NSEC][8], 100);
	assert_int_equal(dist.count[BENCH_LAT_USEC][1], 300);
	assert_int_equal(dist.count[BENCH_LAT_USEC][3], 550);
	assert_int_equal(dist.count[BENCH_LAT_MSEC][0], 49);
	assert_int_equal(dist.count[BENCH_LAT_MSEC][11], 1);
	assert_int_equal(bench_lat_dist_centipct(&dist, BENCH_LAT_NSEC, 8), 1000);
	assert_int_equal(bench_lat_dist_centipct(&dist, BENCH_LAT_USEC, 1), 3000);
	assert_int_equal(bench_lat_dist_centipct(&dist, BENCH_LAT_USEC, 3), 5500);
	assert_int_equal(bench_lat_dist_centipct(&dist, BENCH_LAT_MSEC, 0), 490);
	assert_int_equal(bench_lat_dist_centipct(&dist, BENCH_LAT_MSEC, 11), 10);
	assert_int_equal(bench_lat_dist_centipct(&dist, BENCH_LAT_USEC, 0), 0);
	assert_string_equal(bench_lat_units[BENCH_LAT_MSEC].labels[11], ">=2000");
	assert_string_equal(bench_lat_units[BENCH_LAT_USEC].labels[1], "4");
	assert_string_equal(bench_lat_units[BENCH_LAT_USEC].json, "latency_us");
}

/* fio's unit boundaries: 999 ns is nsec "1000", 1000 ns is usec "2"; 2 s is ">=2000" */
static void test_unit_edges(void **state)
{
	(void)state;
	hist_init(&h);
	add_n(999, 1);
	add_n(1000, 1);
	add_n(2100000000ULL, 1);
	add_n(1, 1);			/* nsec [0, 2): "2" */
	bench_lat_dist_init(&dist);
	bench_lat_dist_add(&dist, &h);
	assert_int_equal(dist.count[BENCH_LAT_NSEC][9], 1);
	assert_int_equal(dist.count[BENCH_LAT_USEC][0], 1);
	assert_int_equal(dist.count[BENCH_LAT_MSEC][11], 1);
	assert_int_equal(dist.count[BENCH_LAT_NSEC][0], 1);
}

/* one sample in a million still shows, as 0.01 % */
static void test_floor(void **state)
{
	(void)state;
	hist_init(&h);
	add_n(5000, 999999);
	add_n(50000000, 1);
	bench_lat_dist_init(&dist);
	bench_lat_dist_add(&dist, &h);
	assert_int_equal(bench_lat_dist_centipct(&dist, BENCH_LAT_MSEC, 5), 1);
	assert_int_equal(bench_lat_dist_centipct(&dist, BENCH_LAT_USEC, 2), 10000);
}

/* spread over 1 ns .. 10 s: the shares add to 100 % within half a hundredth each */
static void test_sums_to_100(void **state)
{
	u64 x = 88172645463325252ULL;
	u32 sum = 0, nonzero = 0;

	(void)state;
	hist_init(&h);
	for (unsigned int i = 0; i < 200000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		/* log-uniform: a random fraction in [1, 2) times 2^0 .. 2^33 ns */
		hist_add(&h, (((x & 0xffff) | 0x10000) << ((x >> 20) % 34)) >> 16);
	}
	bench_lat_dist_init(&dist);
	bench_lat_dist_add(&dist, &h);
	assert_int_equal(dist.total, 200000);
	for (unsigned int u = 0; u < BENCH_LAT_UNITS; u++)
		for (unsigned int i = 0; i < bench_lat_units[u].nr_ranges; i++) {
			u32 c = bench_lat_dist_centipct(&dist, u, i);

			sum += c;
			nonzero += c != 0;
		}
	assert_true(nonzero >= 20);
	/* each share is off by at most half a hundredth (or the 0.01 floor) */
	assert_true(sum + nonzero >= 10000);
	assert_true(sum <= 10000 + nonzero);
}

static void test_bucket_values(void **state)
{
	(void)state;
	for (unsigned int b = 0; b + 1 < HIST_BUCKETS; b++) {
		u64 v = bench_lat_bucket_value(b);

		assert_true(v >= hist_bucket_low(b));
		assert_true(v <= hist_bucket_high(b));
		assert_int_equal(hist_bucket(v), b);
	}
	/* exact below 128, then the middle: [1000, 1007] is named 1004 */
	assert_int_equal(bench_lat_bucket_value(100), 100);
	assert_int_equal(bench_lat_bucket_value(hist_bucket(1000)), 1004);
	assert_int_equal(bench_lat_bucket_value(HIST_BUCKETS - 1), hist_bucket_low(HIST_BUCKETS - 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_unit_edges),
		cmocka_unit_test(test_floor),
		cmocka_unit_test(test_sums_to_100),
		cmocka_unit_test(test_bucket_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
