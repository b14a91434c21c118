/*
 * Host tests of the shell's word splitter (kernel/shell/shell_split.c):
 * blanks, quotes, the word limit and open quotes; a trailing '&'.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "kernel/shell/shell_split.c"
#include "lib/string.h"

static int split(const char *text, char *buf, char **argv, int max)
{
	strlcpy(buf, text, 256);
	return shell_split(buf, argv, max);
}

static void test_words(void **state)
{
	char buf[256], *argv[9];

	(void)state;
	assert_int_equal(split("  echo \t a  b ", buf, argv, 8), 3);
	assert_string_equal(argv[0], "echo");
	assert_string_equal(argv[1], "a");
	assert_string_equal(argv[2], "b");
	assert_null(argv[3]);
	assert_int_equal(split("", buf, argv, 8), 0);
	assert_null(argv[0]);
	assert_int_equal(split(" \t ", buf, argv, 8), 0);
}

static void test_quotes(void **state)
{
	char buf[256], *argv[9];

	(void)state;
	assert_int_equal(split("echo \"a b\" 'c \"d' e\"f g\"", buf, argv, 8), 4);
	assert_string_equal(argv[1], "a b");
	assert_string_equal(argv[2], "c \"d");
	assert_string_equal(argv[3], "ef g");
	assert_int_equal(split("echo \"\"", buf, argv, 8), 2);
	assert_string_equal(argv[1], "");
	assert_int_equal(split("echo \"open", buf, argv, 8), -EINVAL);
	assert_int_equal(split("echo 'open", buf, argv, 8), -EINVAL);
}

static void test_limit(void **state)
{
	char buf[256], *argv[4];

	(void)state;
	assert_int_equal(split("a b c", buf, argv, 3), 3);
	assert_null(argv[3]);
	assert_int_equal(split("a b c d", buf, argv, 3), -E2BIG);
}

static bool background(const char *text, char *buf)
{
	strlcpy(buf, text, 256);
	return shell_split_background(buf);
}

static void test_background(void **state)
{
	char buf[256];

	(void)state;
	assert_true(background("bench null0 runtime=5 &", buf));
	assert_string_equal(buf, "bench null0 runtime=5");
	assert_true(background("echo a&", buf));
	assert_string_equal(buf, "echo a");
	assert_true(background("  mq null0 \t& \t ", buf));
	assert_string_equal(buf, "  mq null0");
	assert_true(background("&", buf));
	assert_string_equal(buf, "");
	assert_true(background("  & ", buf));
	assert_string_equal(buf, "");
	assert_false(background("echo a && ", buf));
	assert_string_equal(buf, "echo a && ");
	assert_false(background("echo a & b", buf));
	assert_false(background("echo \"a &\"", buf));
	assert_false(background("", buf));
	assert_false(background(" \t", buf));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_quotes),
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_background),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
