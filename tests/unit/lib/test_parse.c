/* Unit tests for lib/parse.c: accepted forms, suffixes, overflow, junk. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/errno.h"
#include "lib/parse.h"
#include "lib/string.h"

static const u64 UNTOUCHED = 0x5a5a5a5a5a5a5a5aULL;

static void expect_u64(const char *s, int ret, u64 value)
{
	u64 out = UNTOUCHED;

	assert_int_equal(parse_u64(s, &out), ret);
	assert_int_equal(out, ret ? UNTOUCHED : value);
}

static void expect_size(const char *s, int ret, u64 value)
{
	u64 out = UNTOUCHED;

	assert_int_equal(parse_size(s, &out), ret);
	assert_int_equal(out, ret ? UNTOUCHED : value);
}

static void test_parse_u64(void **state)
{
	(void)state;
	expect_u64("0", 0, 0);
	expect_u64("4096", 0, 4096);
	expect_u64("007", 0, 7);
	expect_u64("0x1f", 0, 0x1f);
	expect_u64("0XaBcD", 0, 0xabcd);
	expect_u64("18446744073709551615", 0, UINT64_MAX);
	expect_u64("0xffffffffffffffff", 0, UINT64_MAX);
	expect_u64("0x0000000000000000000001", 0, 1);

	expect_u64("18446744073709551616", -ERANGE, 0);
	expect_u64("99999999999999999999999", -ERANGE, 0);
	expect_u64("0x10000000000000000", -ERANGE, 0);

	expect_u64("", -EINVAL, 0);
	expect_u64("0x", -EINVAL, 0);
	expect_u64("x10", -EINVAL, 0);
	expect_u64("-1", -EINVAL, 0);
	expect_u64("+1", -EINVAL, 0);
	expect_u64(" 1", -EINVAL, 0);
	expect_u64("1 ", -EINVAL, 0);
	expect_u64("12a", -EINVAL, 0);
	expect_u64("0x1g", -EINVAL, 0);
	expect_u64("1.5", -EINVAL, 0);
	/* Malformed wins over too large: the whole string is read first. */
	expect_u64("99999999999999999999999x", -EINVAL, 0);
}

static void test_parse_u32(void **state)
{
	u32 out = 7;

	(void)state;
	assert_int_equal(parse_u32("4294967295", &out), 0);
	assert_int_equal(out, UINT32_MAX);
	assert_int_equal(parse_u32("0x10", &out), 0);
	assert_int_equal(out, 16);
	out = 7;
	assert_int_equal(parse_u32("4294967296", &out), -ERANGE);
	assert_int_equal(parse_u32("0x100000000", &out), -ERANGE);
	assert_int_equal(parse_u32("", &out), -EINVAL);
	assert_int_equal(parse_u32("-1", &out), -EINVAL);
	assert_int_equal(out, 7);
}

static void test_parse_s64(void **state)
{
	s64 out = 7;

	(void)state;
	assert_int_equal(parse_s64("-42", &out), 0);
	assert_int_equal(out, -42);
	assert_int_equal(parse_s64("+42", &out), 0);
	assert_int_equal(out, 42);
	assert_int_equal(parse_s64("-0x10", &out), 0);
	assert_int_equal(out, -16);
	assert_int_equal(parse_s64("9223372036854775807", &out), 0);
	assert_int_equal(out, INT64_MAX);
	assert_int_equal(parse_s64("-9223372036854775808", &out), 0);
	assert_int_equal(out, INT64_MIN);

	out = 7;
	assert_int_equal(parse_s64("9223372036854775808", &out), -ERANGE);
	assert_int_equal(parse_s64("-9223372036854775809", &out), -ERANGE);
	assert_int_equal(parse_s64("-", &out), -EINVAL);
	assert_int_equal(parse_s64("--1", &out), -EINVAL);
	assert_int_equal(parse_s64("-+1", &out), -EINVAL);
	assert_int_equal(parse_s64("", &out), -EINVAL);
	assert_int_equal(parse_s64("1-", &out), -EINVAL);
	assert_int_equal(out, 7);
}

static void test_parse_size(void **state)
{
	(void)state;
	expect_size("512", 0, 512);
	expect_size("512b", 0, 512);
	expect_size("512B", 0, 512);
	expect_size("4k", 0, 4096);
	expect_size("4K", 0, 4096);
	expect_size("4kb", 0, 4096);
	expect_size("4KB", 0, 4096);
	expect_size("4KiB", 0, 4096);
	expect_size("4kib", 0, 4096);
	expect_size("1m", 0, 1ULL << 20);
	expect_size("2MiB", 0, 2ULL << 20);
	expect_size("3g", 0, 3ULL << 30);
	expect_size("1G", 0, 1ULL << 30);
	expect_size("5t", 0, 5ULL << 40);
	expect_size("16TiB", 0, 16ULL << 40);
	expect_size("0k", 0, 0);
	expect_size("0x10k", 0, 16 << 10);
	/* In hex 'b' is a digit, not the byte suffix. */
	expect_size("0x1b", 0, 0x1b);
	expect_size("0x1bk", 0, 0x1bULL << 10);
	expect_size("16777215t", 0, 16777215ULL << 40);

	expect_size("16777216t", -ERANGE, 0);
	expect_size("18446744073709551615k", -ERANGE, 0);
	expect_size("18446744073709551616", -ERANGE, 0);
	expect_size("18446744073709551615", 0, UINT64_MAX);

	expect_size("", -EINVAL, 0);
	expect_size("k", -EINVAL, 0);
	expect_size("KiB", -EINVAL, 0);
	expect_size("4x", -EINVAL, 0);
	expect_size("4kk", -EINVAL, 0);
	expect_size("4ki", -EINVAL, 0);
	expect_size("4kibb", -EINVAL, 0);
	expect_size("4 k", -EINVAL, 0);
	expect_size("4bb", -EINVAL, 0);
	expect_size("4p", -EINVAL, 0);
	expect_size("-4k", -EINVAL, 0);
	expect_size("99999999999999999999999q", -EINVAL, 0);
}

static void test_parse_bool(void **state)
{
	static const struct {
		const char *s;
		bool value;
	} good[] = {
		{ "1", true }, { "0", false }, { "on", true }, { "OFF", false },
		{ "yes", true }, { "No", false }, { "true", true }, { "FALSE", false },
	};
	static const char *const bad[] = { "", "2", "y", "onn", "tru", " on", "01" };
	size_t i;
	bool out;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(good); i++) {
		out = !good[i].value;
		assert_int_equal(parse_bool(good[i].s, &out), 0);
		assert_int_equal(out, good[i].value);
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		out = true;
		assert_int_equal(parse_bool(bad[i], &out), -EINVAL);
		assert_true(out);
	}
}

static void test_parse_kv(void **state)
{
	char arg1[] = "qd=32", arg2[] = "name=", arg3[] = "a=b=c";
	char arg4[] = "=5", arg5[] = "novalue";
	char *key = NULL, *value = NULL;

	(void)state;
	assert_int_equal(parse_kv(arg1, &key, &value), 0);
	assert_string_equal(key, "qd");
	assert_string_equal(value, "32");
	assert_ptr_equal(key, arg1);

	assert_int_equal(parse_kv(arg2, &key, &value), 0);
	assert_string_equal(key, "name");
	assert_string_equal(value, "");

	/* Only the first '=' splits. */
	assert_int_equal(parse_kv(arg3, &key, &value), 0);
	assert_string_equal(key, "a");
	assert_string_equal(value, "b=c");

	key = value = NULL;
	assert_int_equal(parse_kv(arg4, &key, &value), -EINVAL);
	assert_string_equal(arg4, "=5");
	assert_int_equal(parse_kv(arg5, &key, &value), -EINVAL);
	assert_string_equal(arg5, "novalue");
	assert_null(key);
	assert_null(value);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_u64),
		cmocka_unit_test(test_parse_u32),
		cmocka_unit_test(test_parse_s64),
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_parse_bool),
		cmocka_unit_test(test_parse_kv),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
