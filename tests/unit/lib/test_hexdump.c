/*
 * Unit tests for lib/hexdump.c: lines compared with what `hexdump -C`
 * prints for the same bytes (full, short, non-printable), and offsets
 * above 32 bits.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/hexdump.h"
#include "lib/string.h"

static void check_line(u64 offset, const char *data, size_t n, const char *want)
{
	char buf[HEXDUMP_LINE_MAX];
	int len = hexdump_line(buf, sizeof(buf), offset, (const u8 *)data, n);

	assert_string_equal(buf, want);
	assert_int_equal(len, (int)strlen(want));
}

static void test_full_line(void **state)
{
	(void)state;
	/* printf 'Hello, hexdump!\n' | hexdump -C */
	check_line(0, "Hello, hexdump!\n", 16,
		   "00000000  48 65 6c 6c 6f 2c 20 68  65 78 64 75 6d 70 21 0a  |Hello, hexdump!.|");
}

static void test_short_lines(void **state)
{
	(void)state;
	check_line(0, "abc\n", 4,
		   "00000000  61 62 63 0a                                       |abc.|");
	check_line(0x10, "\x00\x7f\x80\xff", 4,
		   "00000010  00 7f 80 ff                                       |....|");
	/* eight bytes: the group gap is still there */
	check_line(0x20, "01234567", 8,
		   "00000020  30 31 32 33 34 35 36 37                           |01234567|");
}

static void test_lengths_match_hexdump(void **state)
{
	char buf[HEXDUMP_LINE_MAX];
	u8 data[16] = { 0 };

	(void)state;
	for (size_t n = 1; n <= 16; n++)
		assert_int_equal(hexdump_line(buf, sizeof(buf), 0, data, n), 62 + n);
	assert_int_equal(HEXDUMP_LINE_LEN, 62 + 16);
}

static void test_wide_offset(void **state)
{
	char buf[HEXDUMP_LINE_MAX];
	u8 data[16] = { 0 };

	(void)state;
	assert_int_equal(hexdump_line(buf, sizeof(buf), 0x123456789abcdef0ULL, data, 16),
			 HEXDUMP_LINE_LEN + 8);
	assert_memory_equal(buf, "123456789abcdef0  00 ", 21);
	/* a short buffer is truncated, never overrun */
	assert_int_equal(hexdump_line(buf, 12, 0, data, 16), HEXDUMP_LINE_LEN);
	assert_string_equal(buf, "00000000  0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_line),
		cmocka_unit_test(test_short_lines),
		cmocka_unit_test(test_lengths_match_hexdump),
		cmocka_unit_test(test_wide_offset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
