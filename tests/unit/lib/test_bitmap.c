/*
 * Unit tests for lib/bitmap.c, checked against a bool-per-bit model over
 * sizes that end inside a word, on a word boundary and one bit past it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/bitmap.h"
#include "lib/string.h"

#define MAX_BITS 200

static const size_t sizes[] = { 1, 5, 63, 64, 65, 127, 128, 129, 200 };

struct model {
	DECLARE_BITMAP(map, MAX_BITS);
	bool bits[MAX_BITS];
	size_t size;
};

static size_t model_find(const struct model *m, size_t from, bool value)
{
	for (; from < m->size; from++) {
		if (m->bits[from] == value)
			return from;
	}
	return m->size;
}

static void model_check(const struct model *m)
{
	size_t i, weight = 0;

	for (i = 0; i < m->size; i++) {
		assert_int_equal(bitmap_test_bit(m->map, i), m->bits[i]);
		weight += m->bits[i];
	}
	assert_int_equal(bitmap_weight(m->map, m->size), weight);
	assert_int_equal(find_first_bit(m->map, m->size), model_find(m, 0, true));
	assert_int_equal(find_first_zero_bit(m->map, m->size), model_find(m, 0, false));
	for (i = 0; i <= m->size + 1; i++) {
		assert_int_equal(find_next_bit(m->map, m->size, i), model_find(m, i, true));
		assert_int_equal(find_next_zero_bit(m->map, m->size, i),
				 model_find(m, i, false));
	}
}

static void test_bits_to_longs(void **state)
{
	(void)state;
	assert_int_equal(BITS_PER_LONG, 64);
	assert_int_equal(BITS_TO_LONGS(0), 0);
	assert_int_equal(BITS_TO_LONGS(1), 1);
	assert_int_equal(BITS_TO_LONGS(64), 1);
	assert_int_equal(BITS_TO_LONGS(65), 2);
}

static void test_zero_fill(void **state)
{
	struct model m;
	size_t s;

	(void)state;
	for (s = 0; s < ARRAY_SIZE(sizes); s++) {
		m.size = sizes[s];
		bitmap_fill(m.map, m.size);
		memset(m.bits, 1, sizeof(m.bits));
		model_check(&m);
		assert_int_equal(find_first_zero_bit(m.map, m.size), m.size);

		bitmap_zero(m.map, m.size);
		memset(m.bits, 0, sizeof(m.bits));
		model_check(&m);
		assert_int_equal(find_first_bit(m.map, m.size), m.size);
	}
}

static void test_single_bits(void **state)
{
	struct model m;
	size_t s, i;

	(void)state;
	for (s = 0; s < ARRAY_SIZE(sizes); s++) {
		m.size = sizes[s];
		bitmap_zero(m.map, m.size);
		memset(m.bits, 0, sizeof(m.bits));
		for (i = 0; i < m.size; i += 3) {
			bitmap_set_bit(m.map, i);
			m.bits[i] = true;
		}
		model_check(&m);
		for (i = 0; i < m.size; i += 6) {
			bitmap_clear_bit(m.map, i);
			m.bits[i] = false;
		}
		model_check(&m);
	}
}

/* Every range of a 129-bit map, starting from all-clear and all-set. */
static void test_ranges(void **state)
{
	struct model m;
	size_t start, n, i;

	(void)state;
	m.size = 129;
	for (start = 0; start <= m.size; start++) {
		for (n = 0; start + n <= m.size; n++) {
			bitmap_zero(m.map, m.size);
			memset(m.bits, 0, sizeof(m.bits));
			bitmap_set(m.map, start, n);
			for (i = start; i < start + n; i++)
				m.bits[i] = true;
			model_check(&m);

			bitmap_fill(m.map, m.size);
			memset(m.bits, 1, sizeof(m.bits));
			bitmap_clear(m.map, start, n);
			for (i = start; i < start + n; i++)
				m.bits[i] = false;
			model_check(&m);
		}
	}
}

/* Bits beyond size in the last word must never be reported. */
static void test_bits_past_size(void **state)
{
	DECLARE_BITMAP(map, 128);

	(void)state;
	bitmap_zero(map, 128);
	bitmap_set(map, 70, 58);
	assert_int_equal(find_first_bit(map, 70), 70);
	assert_int_equal(find_next_bit(map, 65, 3), 65);
	assert_int_equal(bitmap_weight(map, 70), 0);
	assert_int_equal(bitmap_weight(map, 72), 2);

	bitmap_fill(map, 128);
	bitmap_clear(map, 0, 70);
	assert_int_equal(find_first_zero_bit(map, 128), 0);
	bitmap_set(map, 0, 70);
	assert_int_equal(find_first_zero_bit(map, 100), 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bits_to_longs),
		cmocka_unit_test(test_zero_fill),
		cmocka_unit_test(test_single_bits),
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_bits_past_size),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
