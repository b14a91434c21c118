/*
 * Unit tests for kernel/shell/shell_flags.c: flags are taken wherever they
 * stand and the other words keep their order; an unknown "--word" is one
 * error line with the usage and leaves argv and the flags as they were;
 * one-dash words that are not flags stay arguments.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "kernel/shell/shell_flags.c"
#include "lib/printf.h"

/* The shell core's side, as the tests need it: the last error line, one command. */
static char error_line[256];
static unsigned int errors;

int shell_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(error_line, sizeof(error_line), fmt, ap);
	va_end(ap);
	errors++;
	return -EINVAL;
}

const struct shell_cmd *shell_find(const char *name)
{
	static const struct shell_cmd lspci = { "lspci", NULL, "lspci [-v] [--json]", "" };

	return strcmp(name, "lspci") ? NULL : &lspci;
}

static void take(int argc_in, const char *const *words, int err, const char *const *want,
		 bool want_json, bool want_verbose)
{
	char *argv[16];
	bool json = false, verbose = false;
	const struct shell_flag flags[] = { { "--json", &json }, { "-v", &verbose } };
	int argc = argc_in;

	for (int i = 0; i < argc; i++)
		argv[i] = (char *)words[i];
	argv[argc] = NULL;
	errors = 0;
	assert_int_equal(shell_flags_take(&argc, argv, flags, ARRAY_SIZE(flags)), err);
	assert_int_equal(errors, err ? 1 : 0);
	assert_int_equal(json, want_json);
	assert_int_equal(verbose, want_verbose);
	for (int i = 0; want[i]; i++) {
		assert_true(i < argc);
		assert_string_equal(argv[i], want[i]);
		if (!want[i + 1])
			assert_int_equal(argc, i + 1);
	}
	assert_null(argv[argc]);
}

static void test_anywhere(void **state)
{
	(void)state;
	take(1, (const char *[]){ "lspci" }, 0, (const char *[]){ "lspci", NULL }, false, false);
	take(3, (const char *[]){ "lspci", "-v", "--json" }, 0,
	     (const char *[]){ "lspci", NULL }, true, true);
	take(5, (const char *[]){ "sum", "--json", "vda", "0", "16" }, 0,
	     (const char *[]){ "sum", "vda", "0", "16", NULL }, true, false);
	take(6, (const char *[]){ "sum", "vda", "--json", "0", "16", "--json" }, 0,
	     (const char *[]){ "sum", "vda", "0", "16", NULL }, true, false);
	/* one-dash words that are not flags stay, in order */
	take(4, (const char *[]){ "x", "-1", "-v", "-x" }, 0,
	     (const char *[]){ "x", "-1", "-x", NULL }, false, true);
	/* argv[0] is the command, never a flag */
	take(2, (const char *[]){ "--json", "a" }, 0, (const char *[]){ "--json", "a", NULL },
	     false, false);
}

static void test_unknown_long_option(void **state)
{
	(void)state;
	take(3, (const char *[]){ "lspci", "--json", "--jsno" }, -EINVAL,
	     (const char *[]){ "lspci", "--json", "--jsno", NULL }, false, false);
	assert_string_equal(error_line, "unknown option '--jsno' (usage: lspci [-v] [--json])");
	/* a command the table does not know: its name stands for the usage */
	take(2, (const char *[]){ "mem", "--" }, -EINVAL, (const char *[]){ "mem", "--", NULL },
	     false, false);
	assert_string_equal(error_line, "unknown option '--' (usage: mem)");
	/* a flag is matched whole: "--json=1" is not --json */
	take(2, (const char *[]){ "mem", "--json=1" }, -EINVAL,
	     (const char *[]){ "mem", "--json=1", NULL }, false, false);
}

static void test_json_flag(void **state)
{
	char *argv[] = { "mq", "vda", "--json", NULL };
	int argc = 3;
	bool json = false;

	(void)state;
	assert_int_equal(shell_json_flag(&argc, argv, &json), 0);
	assert_true(json);
	assert_int_equal(argc, 2);
	assert_null(argv[2]);
	argc = 2;
	json = false;
	argv[1] = "-v";
	assert_int_equal(shell_json_flag(&argc, argv, &json), 0);
	assert_false(json);
	assert_int_equal(argc, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_anywhere),
		cmocka_unit_test(test_unknown_long_option),
		cmocka_unit_test(test_json_flag),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
