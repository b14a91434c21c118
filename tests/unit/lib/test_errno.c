/* Unit tests for lib/errno.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/errno.h"

static void test_errno_name(void **state)
{
	(void)state;
	assert_string_equal(errno_name(-EIO), "EIO");
	assert_string_equal(errno_name(EIO), "EIO");
	assert_string_equal(errno_name(-ENOMEM), "ENOMEM");
	assert_string_equal(errno_name(-ETIMEDOUT), "ETIMEDOUT");
	assert_string_equal(errno_name(ECANCELED), "ECANCELED");
	assert_string_equal(errno_name(-ENOTSUP), "ENOTSUP");
	assert_string_equal(errno_name(0), "E?");
	assert_string_equal(errno_name(3), "E?");
	assert_string_equal(errno_name(-4096), "E?");
	assert_string_equal(errno_name(INT32_MIN), "E?");
	assert_string_equal(errno_name(INT32_MAX), "E?");
}

/* Every number lib/errno.h defines, with the name it must print as. */
#define ERRNO_CASE(e) { e, #e }
static const struct {
	int err;
	const char *name;
} errno_cases[] = {
	ERRNO_CASE(EPERM), ERRNO_CASE(ENOENT), ERRNO_CASE(EINTR),
	ERRNO_CASE(EIO), ERRNO_CASE(ENXIO), ERRNO_CASE(E2BIG),
	ERRNO_CASE(EAGAIN), ERRNO_CASE(ENOMEM), ERRNO_CASE(EFAULT),
	ERRNO_CASE(EBUSY), ERRNO_CASE(EEXIST), ERRNO_CASE(ENODEV),
	ERRNO_CASE(EINVAL), ERRNO_CASE(ENOSPC), ERRNO_CASE(EROFS),
	ERRNO_CASE(ERANGE), ERRNO_CASE(ENOSYS), ERRNO_CASE(ENOTSUP),
	ERRNO_CASE(ETIMEDOUT), ERRNO_CASE(ECANCELED),
};

static void test_errno_name_all(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(errno_cases); i++) {
		assert_string_equal(errno_name(errno_cases[i].err), errno_cases[i].name);
		assert_string_equal(errno_name(-errno_cases[i].err), errno_cases[i].name);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_errno_name),
		cmocka_unit_test(test_errno_name_all),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
