/*
 * Unit tests for block/bench/bench_verify.c: a filled block checks out; a flipped
 * bit anywhere, a block read from the wrong offset, a torn block (half of an
 * older write), a zeroed block and a stale generation are each reported as
 * what they are.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "block/bench/bench_verify.c"

static u64 blk[8192 / 8], old[8192 / 8];

static void test_roundtrip(void **state)
{
	struct bench_verify_header hdr;
	u32 sizes[] = { 512, 4096, 8192 };

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(sizes); i++) {
		bench_verify_fill(blk, sizes[i], 1 << 20, 42, 7, 3);
		assert_int_equal(bench_verify_check(blk, sizes[i], 1 << 20, 7, &hdr), BENCH_VERIFY_OK);
		assert_int_equal(hdr.offset, 1 << 20);
		assert_int_equal(hdr.seq, 42);
		assert_int_equal(hdr.gen, 7);
		assert_int_equal(hdr.job, 3);
		assert_int_equal(hdr.len, sizes[i]);
		/* generation 0 accepts any */
		assert_int_equal(bench_verify_check(blk, sizes[i], 1 << 20, 0, NULL), BENCH_VERIFY_OK);
	}
	/* the filler depends on offset and sequence */
	bench_verify_fill(old, 4096, 1 << 20, 41, 7, 3);
	bench_verify_fill(blk, 4096, 1 << 20, 42, 7, 3);
	assert_true(memcmp((u8 *)old + 40, (u8 *)blk + 40, 4096 - 40) != 0);
}

static void test_bit_flips(void **state)
{
	(void)state;
	bench_verify_fill(blk, 4096, 8192, 1, 1, 0);
	for (unsigned int byte = 0; byte < 4096; byte += 37) {
		u8 *p = (u8 *)blk + byte;
		enum bench_verify_result r;

		*p ^= 0x10;
		r = bench_verify_check(blk, 4096, 8192, 1, NULL);
		/* a flip in the magic hides the header; elsewhere the crc catches it */
		if (byte < 8)
			assert_int_equal(r, BENCH_VERIFY_NO_HEADER);
		else if (byte >= offsetof(struct bench_verify_header, len) &&
			 byte < offsetof(struct bench_verify_header, crc))
			assert_int_equal(r, BENCH_VERIFY_BAD_LENGTH);
		else
			assert_int_equal(r, BENCH_VERIFY_BAD_CRC);
		*p ^= 0x10;
	}
	assert_int_equal(bench_verify_check(blk, 4096, 8192, 1, NULL), BENCH_VERIFY_OK);
}

static void test_misdirected(void **state)
{
	struct bench_verify_header hdr;

	(void)state;
	bench_verify_fill(blk, 4096, 4096 * 5, 9, 1, 2);
	assert_int_equal(bench_verify_check(blk, 4096, 4096 * 6, 1, &hdr),
			 BENCH_VERIFY_MISDIRECTED);
	assert_int_equal(hdr.offset, 4096 * 5);
	assert_string_equal(bench_verify_result_name(BENCH_VERIFY_MISDIRECTED), "misdirected");
}

static void test_torn_and_zero(void **state)
{
	(void)state;
	/* the first half of the new write, the second half of the old one */
	bench_verify_fill(old, 4096, 0, 1, 1, 0);
	bench_verify_fill(blk, 4096, 0, 2, 1, 0);
	memcpy((u8 *)blk + 2048, (u8 *)old + 2048, 2048);
	assert_int_equal(bench_verify_check(blk, 4096, 0, 1, NULL), BENCH_VERIFY_BAD_CRC);
	memset(blk, 0, 4096);
	assert_int_equal(bench_verify_check(blk, 4096, 0, 1, NULL), BENCH_VERIFY_NO_HEADER);
	/* read with another block size */
	bench_verify_fill(blk, 8192, 0, 1, 1, 0);
	assert_int_equal(bench_verify_check(blk, 4096, 0, 1, NULL), BENCH_VERIFY_BAD_LENGTH);
}

static void test_stale(void **state)
{
	(void)state;
	bench_verify_fill(blk, 4096, 0, 1, 3, 0);
	assert_int_equal(bench_verify_check(blk, 4096, 0, 4, NULL), BENCH_VERIFY_STALE);
	assert_string_equal(bench_verify_result_name(BENCH_VERIFY_STALE), "stale");
	assert_string_equal(bench_verify_result_name(BENCH_VERIFY_BAD_CRC), "bad checksum");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_bit_flips),
		cmocka_unit_test(test_misdirected),
		cmocka_unit_test(test_torn_and_zero),
		cmocka_unit_test(test_stale),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
