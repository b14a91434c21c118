/* Unit tests for kernel/ksyms.c: lookup and formatting over a fake table. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "kernel/ksyms.c"
#include "lib/string.h"

/*
 * The linked table ksyms.c refers to; the tests use a table of their own
 * through the same search, since a host program cannot place __text_end.
 */
const u64 ksyms_count;
const u64 ksyms_addrs[1];
const u32 ksyms_name_offsets[1];
const char ksyms_names[1];
const char __text_end[1];

/*
 * A table as tools/gen-ksyms emits it: a linker marker sharing the first
 * function's address, then functions; text ends at 0x1200.
 */
static const u64 addrs[] = { 0x1000, 0x1000, 0x1010, 0x1080, 0x1100 };
static const u32 name_offsets[] = { 0, 13, 19, 26, 35 };
static const struct ksym_table table = {
	ARRAY_SIZE(addrs), addrs, name_offsets,
	"__text_start\0first\0second\0noreturn\0last", 0x1200,
};

static const char *lookup(u64 addr, u64 *offset, u64 *size)
{
	return ksym_table_lookup(&table, addr, offset, size);
}

static int format(char *buf, size_t len, u64 addr)
{
	return ksym_table_format(&table, buf, len, addr, false);
}

static int format_return(char *buf, size_t len, u64 ret)
{
	return ksym_table_format(&table, buf, len, ret, true);
}

static void test_lookup_inside(void **state)
{
	u64 offset = 99, size = 99;

	(void)state;
	assert_string_equal(lookup(0x1014, &offset, &size), "second");
	assert_int_equal(offset, 4);
	assert_int_equal(size, 0x70);
	assert_string_equal(lookup(0x1080, &offset, &size), "noreturn");
	assert_int_equal(offset, 0);
	assert_int_equal(size, 0x80);
	assert_non_null(lookup(0x10ff, NULL, NULL));	/* offset and size optional */
}

static void test_lookup_duplicate_prefers_last(void **state)
{
	u64 offset, size;

	(void)state;
	assert_string_equal(lookup(0x1000, &offset, &size), "first");
	assert_int_equal(size, 0x10);
}

static void test_lookup_last_symbol_ends_at_text_end(void **state)
{
	u64 offset, size;

	(void)state;
	assert_string_equal(lookup(0x11ff, &offset, &size), "last");
	assert_int_equal(offset, 0xff);
	assert_int_equal(size, 0x100);
}

static void test_lookup_outside_text(void **state)
{
	(void)state;
	assert_null(lookup(0, NULL, NULL));
	assert_null(lookup(0xfff, NULL, NULL));
	assert_null(lookup(0x1200, NULL, NULL));
	assert_null(lookup(UINT64_MAX, NULL, NULL));
}

static void test_lookup_empty_table(void **state)
{
	const struct ksym_table empty = { 0, NULL, NULL, NULL, 0x2000 };

	(void)state;
	assert_null(ksym_table_lookup(&empty, 0x1000, NULL, NULL));
}

static void test_format(void **state)
{
	char buf[KSYM_FORMAT_MAX];

	(void)state;
	assert_int_equal(format(buf, sizeof(buf), 0x101c), 15);
	assert_string_equal(buf, "second+0xc/0x70");
	format(buf, sizeof(buf), 0x1200);
	assert_string_equal(buf, "0x1200");
	format(buf, sizeof(buf), 0xffffffff80101234ULL);
	assert_string_equal(buf, "0xffffffff80101234");
}

static void test_format_truncates(void **state)
{
	char buf[8];

	(void)state;
	assert_int_equal(format(buf, sizeof(buf), 0x1014), 15);
	assert_string_equal(buf, "second+");
}

/* A call to a noreturn function ends "noreturn": its return address is "last". */
static void test_format_return(void **state)
{
	char buf[KSYM_FORMAT_MAX];

	(void)state;
	format(buf, sizeof(buf), 0x1100);
	assert_string_equal(buf, "last+0x0/0x100");
	format_return(buf, sizeof(buf), 0x1100);
	assert_string_equal(buf, "noreturn+0x80/0x80");
	format_return(buf, sizeof(buf), 0x1001);
	assert_string_equal(buf, "first+0x1/0x10");
	format_return(buf, sizeof(buf), 0x1000);	/* nothing before the text */
	assert_string_equal(buf, "0x1000");
	format_return(buf, sizeof(buf), 0);
	assert_string_equal(buf, "0x0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup_inside),
		cmocka_unit_test(test_lookup_duplicate_prefers_last),
		cmocka_unit_test(test_lookup_last_symbol_ends_at_text_end),
		cmocka_unit_test(test_lookup_outside_text),
		cmocka_unit_test(test_lookup_empty_table),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_format_truncates),
		cmocka_unit_test(test_format_return),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
