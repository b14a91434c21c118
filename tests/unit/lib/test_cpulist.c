/*
 * Unit tests for lib/cpulist.c: parsing Linux cpulists into bitmaps and
 * formatting them back, including malformed and out-of-range input.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/bitmap.h"
#include "lib/cpulist.h"
#include "lib/errno.h"
#include "lib/string.h"

#define NBITS 256

static void roundtrip(const char *in, const char *expect, size_t weight)
{
	DECLARE_BITMAP(map, NBITS);
	char buf[128];

	assert_int_equal(cpulist_parse(in, map, NBITS), 0);
	assert_int_equal(bitmap_weight(map, NBITS), weight);
	assert_int_equal(cpulist_format(buf, sizeof(buf), map, NBITS), (int)strlen(expect));
	assert_string_equal(buf, expect);
}

static void test_parse_format(void **state)
{
	(void)state;
	roundtrip("0", "0", 1);
	roundtrip("0-3", "0-3", 4);
	roundtrip("0,1,2,3", "0-3", 4);
	roundtrip("5,1-2,9", "1-2,5,9", 4);
	roundtrip("3-3", "3", 1);
	roundtrip("0-255", "0-255", 256);
	roundtrip("63,64,65", "63-65", 3);
	roundtrip("1-2,2-4", "1-4", 4);
}

static void test_parse_errors(void **state)
{
	DECLARE_BITMAP(map, NBITS);

	(void)state;
	assert_int_equal(cpulist_parse("", map, NBITS), -EINVAL);
	assert_int_equal(cpulist_parse(",", map, NBITS), -EINVAL);
	assert_int_equal(cpulist_parse("1,", map, NBITS), -EINVAL);
	assert_int_equal(cpulist_parse("3-1", map, NBITS), -EINVAL);
	assert_int_equal(cpulist_parse("1-", map, NBITS), -EINVAL);
	assert_int_equal(cpulist_parse("a", map, NBITS), -EINVAL);
	assert_int_equal(cpulist_parse("1 2", map, NBITS), -EINVAL);
	assert_int_equal(cpulist_parse("-1", map, NBITS), -EINVAL);
	assert_int_equal(cpulist_parse("256", map, NBITS), -ERANGE);
	assert_int_equal(cpulist_parse("0-256", map, NBITS), -ERANGE);
	assert_int_equal(cpulist_parse("99999999999", map, NBITS), -ERANGE);
}

static void test_format_truncated(void **state)
{
	DECLARE_BITMAP(map, NBITS);
	char buf[4];

	(void)state;
	assert_int_equal(cpulist_parse("0-3,10-12", map, NBITS), 0);
	assert_int_equal(cpulist_format(buf, sizeof(buf), map, NBITS), 9);
	assert_string_equal(buf, "0-3");
	bitmap_zero(map, NBITS);
	assert_int_equal(cpulist_format(buf, sizeof(buf), map, NBITS), 0);
	assert_string_equal(buf, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_format),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_format_truncated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
