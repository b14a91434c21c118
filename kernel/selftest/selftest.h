/*
 * In-kernel self tests, KUnit-style. A test is a function in the file it
 * tests, registered with
 *
 *	static void test_counter_exact(struct selftest *t) { ... ST_EXPECT_EQ(t, a, b); }
 *	SELFTEST(locks, counter_exact, test_counter_exact);
 *
 * `selftest [suite ...]` runs every test (or those of the named suites), prints
 * one line per test ("ok" or "FAIL" with the failed checks) and ends with
 * "N passed, N failed". A test fails when any check fails; checks report the
 * file, line and values and let the test go on (ST_ASSERT* return at once).
 */
#ifndef KERNEL_SELFTEST_SELFTEST_H
#define KERNEL_SELFTEST_SELFTEST_H

#include "lib/types.h"

struct selftest {
	const char *suite;
	const char *name;
	unsigned int failures;
};

struct selftest_case {
	const char *suite;
	const char *name;
	void (*run)(struct selftest *t);
};

#define SELFTEST(_suite, _name, _run)						\
	static const struct selftest_case __selftest_##_suite##_##_name __used	\
	__section(".selftests." #_suite "." #_name) __aligned(8) = {		\
		#_suite, #_name, _run						\
	}

/*
 * Rounds for a hammer test: at2 on up to 2 online CPUs, fewer as CPUs grow
 * (at2 * 2 / n, never below floor), so the total work stays about that of 2
 * CPUs: 8 vCPUs on a 2-core host would otherwise take minutes per test.
 */
unsigned int selftest_scaled(unsigned int at2, unsigned int floor);

void selftest_fail(struct selftest *t, const char *file, int line, const char *fmt, ...)
	__printf(4, 5);

#define ST_EXPECT(t, cond)							\
	do {									\
		if (!(cond))							\
			selftest_fail(t, __FILE__, __LINE__, "%s", #cond);	\
	} while (0)

#define ST_EXPECT_EQ(t, a, b)							\
	do {									\
		long long _a = (long long)(a), _b = (long long)(b);		\
		if (_a != _b)							\
			selftest_fail(t, __FILE__, __LINE__, "%s == %s: %lld != %lld", \
				      #a, #b, _a, _b);				\
	} while (0)

#define ST_ASSERT(t, cond)							\
	do {									\
		if (!(cond)) {							\
			selftest_fail(t, __FILE__, __LINE__, "%s", #cond);	\
			return;							\
		}								\
	} while (0)

#define ST_ASSERT_EQ(t, a, b)							\
	do {									\
		long long _a = (long long)(a), _b = (long long)(b);		\
		if (_a != _b) {							\
			selftest_fail(t, __FILE__, __LINE__, "%s == %s: %lld != %lld", \
				      #a, #b, _a, _b);				\
			return;							\
		}								\
	} while (0)

#endif
