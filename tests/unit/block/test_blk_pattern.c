/*
 * Unit tests for block/blk_pattern.c: the seq pattern is exactly what
 * docs/blk-mq.md tells a host to regenerate, sector numbers above 32 bits
 * keep every byte, and only whole sectors are written.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "block/blk_pattern.c"
#include "lib/string.h"

/* The documented definition, byte by byte. */
static u8 seq_byte(u64 sector, unsigned int i)
{
	if (i < 8)
		return (u8)(sector >> (8 * i));
	return (u8)((sector + i) & 0xff);
}

static void check_range(u64 first, size_t sectors)
{
	size_t len = sectors * 512;
	u8 *buf = test_malloc(len + 1);

	buf[len] = 0xee;
	blk_pattern_seq_fill(buf, len, first);
	for (size_t s = 0; s < sectors; s++)
		for (unsigned int i = 0; i < 512; i++)
			assert_int_equal(buf[s * 512 + i], seq_byte(first + s, i));
	assert_int_equal(buf[len], 0xee);
	test_free(buf);
}

static void test_definition(void **state)
{
	(void)state;
	check_range(0, 1);
	check_range(0, 300);
	check_range(255, 3);
	check_range(0x0102030405060708ULL, 2);
	check_range(~0ULL - 1, 2);
}

static void test_known_bytes(void **state)
{
	u8 buf[1024];

	(void)state;
	blk_pattern_seq_fill(buf, sizeof(buf), 0x1234);
	assert_memory_equal(buf, "\x34\x12\0\0\0\0\0\0", 8);
	assert_int_equal(buf[8], (0x34 + 8) & 0xff);
	assert_int_equal(buf[511], (0x34 + 511) & 0xff);
	assert_memory_equal(buf + 512, "\x35\x12\0\0\0\0\0\0", 8);
}

static void test_partial_sector_untouched(void **state)
{
	u8 buf[1000];

	(void)state;
	memset(buf, 0xaa, sizeof(buf));
	blk_pattern_seq_fill(buf, sizeof(buf), 7);
	assert_int_equal(buf[0], 7);
	for (size_t i = 512; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0xaa);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_definition),
		cmocka_unit_test(test_known_bytes),
		cmocka_unit_test(test_partial_sector_untouched),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
