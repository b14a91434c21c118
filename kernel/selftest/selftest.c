/*
 * The self-test runner and the `selftest` command. Tests are collected from
 * the .selftests.<suite>.<name> sections, sorted by the linker, so a suite's
 * tests run together and in a stable order.
 */
#include "kernel/selftest/selftest.h"
#include "kernel/arch/percpu.h"
#include "kernel/console/console.h"
#include "kernel/shell/shell.h"
#include "kernel/time/time.h"
#include "lib/string.h"

extern const struct selftest_case __selftests_start[], __selftests_end[];

void selftest_fail(struct selftest *t, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	t->failures++;
	printf("    %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	puts("\n");
}

static bool suite_known(const char *suite)
{
	for (const struct selftest_case *c = __selftests_start; c < __selftests_end; c++)
		if (!strcmp(c->suite, suite))
			return true;
	return false;
}

static bool suite_wanted(const char *suite, int argc, char **argv)
{
	if (argc < 2)
		return true;
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], suite))
			return true;
	return false;
}

unsigned int selftest_scaled(unsigned int at2, unsigned int floor)
{
	unsigned int n = cpumask_weight(&cpu_online_mask);
	unsigned int rounds = n > 2 ? at2 * 2 / n : at2;

	return rounds > floor ? rounds : min(floor, at2);
}

static int cmd_selftest(int argc, char **argv)
{
	unsigned int passed = 0, failed = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "list")) {
			for (const struct selftest_case *c = __selftests_start; c < __selftests_end; c++)
				printf("%s.%s\n", c->suite, c->name);
			return 0;
		}
		if (!suite_known(argv[i]))
			return shell_error("no test suite '%s' (try 'selftest list')", argv[i]);
	}
	for (const struct selftest_case *c = __selftests_start; c < __selftests_end; c++) {
		struct selftest t = { c->suite, c->name, 0 };
		u64 start;

		if (!suite_wanted(c->suite, argc, argv))
			continue;
		if (console_interrupted())
			break;
		printf("  %s.%s ...\n", c->suite, c->name);
		start = time_ns();
		c->run(&t);
		printf("  %s %s.%s (%llu ms)\n", t.failures ? "FAIL" : "ok", c->suite, c->name,
		       (unsigned long long)((time_ns() - start) / NSEC_PER_MSEC));
		if (t.failures)
			failed++;
		else
			passed++;
	}
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? -1 : 0;
}
SHELL_COMMAND(selftest, cmd_selftest, "selftest [list | suite ...]",
	      "run the in-kernel self tests (all, or the named suites)");
