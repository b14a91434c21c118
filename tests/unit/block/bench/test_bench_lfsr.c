/*
 * Unit tests for block/bench/bench_lfsr.c: every block of a region exactly
 * once in each pass, for regions of 1, 2, 3 blocks, odd sizes, powers of two
 * and their neighbours, and a few million blocks; every register up to 24
 * bits has the full period 2^n - 1; different seeds give different orders.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "block/bench/bench_lfsr.c"

/* Two passes of nr outputs each: every block once in each, nothing out of range. */
static void check_passes(u64 nr, u64 seed)
{
	struct bench_lfsr l;
	u8 *seen = calloc(nr, 1);

	assert_non_null(seen);
	assert_int_equal(bench_lfsr_init(&l, nr, seed), 0);
	for (unsigned int pass = 1; pass <= 2; pass++) {
		for (u64 i = 0; i < nr; i++) {
			u64 b = bench_lfsr_next(&l);

			assert_true(b < nr);
			if (seen[b] != pass - 1)
				fail_msg("nr %llu seed %llu pass %u: block %llu twice",
					 (unsigned long long)nr, (unsigned long long)seed, pass,
					 (unsigned long long)b);
			seen[b] = (u8)pass;
		}
	}
	free(seen);
}

static void test_small_regions(void **state)
{
	(void)state;
	for (u64 nr = 1; nr <= 300; nr++)
		for (u64 seed = 0; seed < 4; seed++)
			check_passes(nr, seed);
}

static void test_powers_of_two_and_neighbours(void **state)
{
	(void)state;
	for (unsigned int k = 1; k <= 20; k++) {
		check_passes((1ULL << k) - 1, k);
		check_passes(1ULL << k, k);
		check_passes((1ULL << k) + 1, k);
	}
}

static void test_large_regions(void **state)
{
	(void)state;
	check_passes(2048 * 4 / 4, 0x5eed);	/* size=8m bs=4k */
	check_passes(3000017, 1);		/* odd, prime */
	check_passes((1ULL << 22) + 12345, 7);
}

/* Each register up to 24 bits: back to its start after 2^n - 1 steps, not before. */
static void test_full_period(void **state)
{
	(void)state;
	for (unsigned int bits = 1; bits <= 24; bits++) {
		u64 taps = bench_lfsr_taps(bits), period = (1ULL << bits) - 1, s = 1, n = 0;

		assert_true(taps & (1ULL << (bits - 1)));
		assert_true(taps < (1ULL << bits));
		do {
			s = (s >> 1) ^ (-(s & 1) & taps);
			n++;
		} while (s != 1 && n <= period);
		if (n != period)
			fail_msg("%u bits: period %llu, not %llu", bits, (unsigned long long)n,
				 (unsigned long long)period);
	}
}

/* A region of 2^k blocks takes the k-bit register: no state is skipped. */
static void test_power_of_two_uses_k_bits(void **state)
{
	struct bench_lfsr l;

	(void)state;
	assert_int_equal(bench_lfsr_init(&l, 2048, 1), 0);
	assert_int_equal(l.bits, 11);
	assert_int_equal(bench_lfsr_init(&l, 2049, 1), 0);
	assert_int_equal(l.bits, 12);
	assert_int_equal(bench_lfsr_init(&l, 2047, 1), 0);
	assert_int_equal(l.bits, 11);
	assert_int_equal(bench_lfsr_init(&l, 1, 1), 0);
	assert_int_equal(l.bits, 1);
	assert_int_equal(bench_lfsr_init(&l, 1ULL << 63, 1), 0);
	assert_int_equal(l.bits, 63);
	/* the top block of a huge power of two comes out within one period */
	check_passes(1ULL << 16, 99);
}

/* Every register up to 64 bits has its top bit set and stays within its bits. */
static void test_table_shape(void **state)
{
	(void)state;
	for (unsigned int bits = 1; bits <= 64; bits++) {
		u64 taps = bench_lfsr_taps(bits);

		assert_true(taps & (1ULL << (bits - 1)));
		if (bits < 64)
			assert_true(taps < (1ULL << bits));
	}
	assert_int_equal(bench_lfsr_taps(0), 0);
	assert_int_equal(bench_lfsr_taps(65), 0);
}

/* Huge regions: the state stays in range and the output below nr. */
static void test_huge_regions(void **state)
{
	u64 sizes[] = { (1ULL << 40) + 3, (1ULL << 55) - 7, 1ULL << 63, ~0ULL };

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct bench_lfsr l;

		assert_int_equal(bench_lfsr_init(&l, sizes[i], i), 0);
		for (unsigned int n = 0; n < 100000; n++)
			assert_true(bench_lfsr_next(&l) < sizes[i]);
	}
}

static void test_seeds_differ(void **state)
{
	struct bench_lfsr a, b;
	unsigned int same = 0;

	(void)state;
	assert_int_equal(bench_lfsr_init(&a, 2048, 0x5eed * 2 + 1), 0);
	assert_int_equal(bench_lfsr_init(&b, 2048, 0x5eed * 2 + 3), 0);
	for (unsigned int i = 0; i < 2048; i++)
		same += bench_lfsr_next(&a) == bench_lfsr_next(&b);
	assert_true(same < 16);
	/* the same seed, the same order (fio's randrepeat) */
	assert_int_equal(bench_lfsr_init(&a, 2048, 9), 0);
	assert_int_equal(bench_lfsr_init(&b, 2048, 9), 0);
	for (unsigned int i = 0; i < 2048; i++)
		assert_int_equal(bench_lfsr_next(&a), bench_lfsr_next(&b));
}

static void test_empty_region(void **state)
{
	struct bench_lfsr l;

	(void)state;
	assert_int_equal(bench_lfsr_init(&l, 0, 1), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_regions),
		cmocka_unit_test(test_powers_of_two_and_neighbours),
		cmocka_unit_test(test_large_regions),
		cmocka_unit_test(test_full_period),
		cmocka_unit_test(test_table_shape),
		cmocka_unit_test(test_power_of_two_uses_k_bits),
		cmocka_unit_test(test_huge_regions),
		cmocka_unit_test(test_seeds_differ),
		cmocka_unit_test(test_empty_region),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
