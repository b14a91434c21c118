/*
 * Unit tests for kernel/arch/vector.c: vectors come out lowest first within the
 * dynamic range, exhaustion gives -ENOSPC, freed vectors are reused, bogus
 * frees are refused without changing the map, and two CPUs' maps are
 * independent (the same number may be handed out on each).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "kernel/arch/vector.c"
#include "lib/errno.h"

static void test_alloc_in_order(void **state)
{
	struct vector_map m;

	(void)state;
	vector_map_init(&m);
	assert_int_equal(vector_map_alloc(&m), VECTOR_DYNAMIC_FIRST);
	assert_int_equal(vector_map_alloc(&m), VECTOR_DYNAMIC_FIRST + 1);
	assert_true(vector_map_is_used(&m, VECTOR_DYNAMIC_FIRST));
	assert_false(vector_map_is_used(&m, VECTOR_DYNAMIC_FIRST + 2));
	assert_int_equal(m.nr_used, 2);
}

static void test_exhaustion(void **state)
{
	struct vector_map m;

	(void)state;
	vector_map_init(&m);
	for (int i = 0; i < VECTOR_DYNAMIC_COUNT; i++) {
		int v = vector_map_alloc(&m);

		assert_true(v >= VECTOR_DYNAMIC_FIRST && v <= VECTOR_DYNAMIC_LAST);
		assert_int_equal(v, VECTOR_DYNAMIC_FIRST + i);
	}
	assert_int_equal(vector_map_alloc(&m), -ENOSPC);
	assert_int_equal(m.nr_used, VECTOR_DYNAMIC_COUNT);
	/* one freed in the middle is the next one handed out */
	assert_int_equal(vector_map_free(&m, 0x80), 0);
	assert_int_equal(vector_map_alloc(&m), 0x80);
	assert_int_equal(vector_map_alloc(&m), -ENOSPC);
}

static void test_free_checks(void **state)
{
	struct vector_map m;
	int a, b;

	(void)state;
	vector_map_init(&m);
	a = vector_map_alloc(&m);
	b = vector_map_alloc(&m);
	assert_int_equal(vector_map_free(&m, a), 0);
	assert_int_equal(vector_map_free(&m, a), -EINVAL);	/* double free */
	assert_int_equal(vector_map_free(&m, VECTOR_DYNAMIC_FIRST - 1), -EINVAL);
	assert_int_equal(vector_map_free(&m, VECTOR_DYNAMIC_LAST + 1), -EINVAL);
	assert_int_equal(vector_map_free(&m, 0xff), -EINVAL);
	assert_int_equal(vector_map_free(&m, 1000), -EINVAL);
	assert_int_equal(m.nr_used, 1);
	assert_true(vector_map_is_used(&m, b));
	assert_int_equal(vector_map_alloc(&m), a);
}

static void test_per_cpu_independent(void **state)
{
	struct vector_map cpu0, cpu1;

	(void)state;
	vector_map_init(&cpu0);
	vector_map_init(&cpu1);
	for (int i = 0; i < VECTOR_DYNAMIC_COUNT; i++)
		assert_true(vector_map_alloc(&cpu0) > 0);
	assert_int_equal(vector_map_alloc(&cpu0), -ENOSPC);
	/* a full CPU 0 leaves CPU 1 untouched: it hands out the same numbers */
	assert_int_equal(vector_map_alloc(&cpu1), VECTOR_DYNAMIC_FIRST);
	assert_int_equal(cpu1.nr_used, 1);
	assert_int_equal(vector_map_free(&cpu1, VECTOR_DYNAMIC_FIRST), 0);
	assert_true(vector_map_is_used(&cpu0, VECTOR_DYNAMIC_FIRST));
	assert_int_equal(vector_map_free(&cpu1, VECTOR_DYNAMIC_FIRST + 1), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_in_order),
		cmocka_unit_test(test_exhaustion),
		cmocka_unit_test(test_free_checks),
		cmocka_unit_test(test_per_cpu_independent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
