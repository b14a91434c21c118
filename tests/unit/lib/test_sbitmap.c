/*
 * Unit tests for lib/sbitmap.c: every bit handed out once until the map is
 * full, hints, reserved bits, resize, depths that end inside a word, the
 * cache-line layout, and a contention test where threads race get/put on
 * a small map and check through an ownership array that no bit is ever
 * held twice and none is lost.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <pthread.h>
#include <cmocka.h>

#include "lib/sbitmap.h"
#include "lib/errno.h"
#include "lib/string.h"

struct map {
	struct sbitmap sb;
	void *mem;
};

static void map_init(struct map *m, unsigned int depth, int shift, unsigned int reserved)
{
	size_t size = sbitmap_map_size(depth, shift);

	m->mem = calloc(1, size);
	assert_non_null(m->mem);
	assert_int_equal(sbitmap_init(&m->sb, depth, shift, reserved, m->mem, size), 0);
}

static void map_free(struct map *m)
{
	free(m->mem);
}

static void test_layout(void **state)
{
	struct map m;

	(void)state;
	assert_int_equal(sizeof(struct sbitmap_word), SBITMAP_CACHELINE);
	assert_int_equal(_Alignof(struct sbitmap_word), SBITMAP_CACHELINE);
	/* an unaligned area is aligned inside */
	for (unsigned int off = 0; off < 64; off += 8) {
		size_t size = sbitmap_map_size(100, 3) + 64;
		char *mem = calloc(1, size);

		assert_int_equal(sbitmap_init(&m.sb, 100, 3, 0, mem + off, size - 64), 0);
		assert_int_equal((uintptr_t)m.sb.map % 64, 0);
		assert_true((char *)&m.sb.map[m.sb.map_nr] <= mem + off + size - 64);
		assert_int_equal(m.sb.map_nr, 13);
		free(mem);
	}
}

static void test_default_shift(void **state)
{
	(void)state;
	assert_int_equal(sbitmap_default_shift(1), 6);
	assert_int_equal(sbitmap_default_shift(3), 6);
	assert_int_equal(sbitmap_default_shift(4), 0);
	assert_int_equal(sbitmap_default_shift(64), 4);
	assert_int_equal(sbitmap_default_shift(256), 6);
	assert_int_equal(sbitmap_default_shift(1023), 6);
	for (unsigned int d = 4; d < 2000; d++) {
		unsigned int s = sbitmap_default_shift(d);

		assert_true(DIV_ROUND_UP(d, 1U << s) >= 4 || s == 0);
	}
}

static void test_init_errors(void **state)
{
	struct sbitmap sb;
	char mem[1024] = { 0 };

	(void)state;
	assert_int_equal(sbitmap_init(&sb, 0, -1, 0, mem, sizeof(mem)), -EINVAL);
	assert_int_equal(sbitmap_init(&sb, 8, 7, 0, mem, sizeof(mem)), -EINVAL);
	assert_int_equal(sbitmap_init(&sb, 8, -1, 8, mem, sizeof(mem)), -EINVAL);
	assert_int_equal(sbitmap_init(&sb, 8, -1, 0, NULL, sizeof(mem)), -EINVAL);
	assert_int_equal(sbitmap_init(&sb, 64, 0, 0, mem, sizeof(mem)), -EINVAL);
	assert_int_equal(sbitmap_init(&sb, 8, -1, 7, mem, sizeof(mem)), 0);
}

/* Fill the map from hint, check each bit comes once, then -1. */
static void fill_once(struct map *m, unsigned int hint)
{
	unsigned int depth = m->sb.depth, normal = depth - m->sb.nr_reserved;
	unsigned int weight = sbitmap_weight(&m->sb);
	bool *seen = calloc(depth, 1);

	for (unsigned int i = 0; i < normal; i++) {
		int bit = sbitmap_get(&m->sb, &hint);

		assert_true(bit >= (int)m->sb.nr_reserved && bit < (int)depth);
		assert_false(seen[bit]);
		seen[bit] = true;
		assert_true(sbitmap_test_bit(&m->sb, bit));
		assert_int_equal(sbitmap_weight(&m->sb), weight + i + 1);
	}
	assert_int_equal(sbitmap_get(&m->sb, &hint), -1);
	free(seen);
}

static void test_every_bit_once(void **state)
{
	static const unsigned int depths[] = { 1, 2, 3, 5, 31, 63, 64, 65, 100, 127, 128, 129, 1000 };
	static const int shifts[] = { -1, 0, 1, 3, 5, 6 };

	(void)state;
	for (unsigned int d = 0; d < ARRAY_SIZE(depths); d++) {
		for (unsigned int s = 0; s < ARRAY_SIZE(shifts); s++) {
			unsigned int depth = depths[d];
			unsigned int hints[] = { 0, 1, depth / 2, depth - 1, depth, ~0U };

			for (unsigned int h = 0; h < ARRAY_SIZE(hints); h++) {
				struct map m;

				map_init(&m, depth, shifts[s], 0);
				fill_once(&m, hints[h]);
				for (unsigned int b = 0; b < depth; b++)
					sbitmap_put(&m.sb, b, NULL);
				assert_int_equal(sbitmap_weight(&m.sb), 0);
				fill_once(&m, hints[h]);
				map_free(&m);
			}
		}
	}
}

static void test_hint(void **state)
{
	struct map m;
	unsigned int hint = 10, other = 40;

	(void)state;
	map_init(&m, 64, 3, 0);
	/* consecutive gets walk forward from the hint */
	assert_int_equal(sbitmap_get(&m.sb, &hint), 10);
	assert_int_equal(hint, 11);
	assert_int_equal(sbitmap_get(&m.sb, &hint), 11);
	/* a different hint starts in a different word (cache line) */
	assert_int_equal(sbitmap_get(&m.sb, &other), 40);
	/* put makes the freed bit the next one this CPU takes */
	sbitmap_put(&m.sb, 10, &hint);
	assert_int_equal(hint, 10);
	assert_int_equal(sbitmap_get(&m.sb, &hint), 10);
	/* the hint wraps at the end of the depth */
	hint = 63;
	assert_int_equal(sbitmap_get(&m.sb, &hint), 63);
	assert_int_equal(hint, 0);
	/* a full word from the hint on moves on to the next word */
	for (unsigned int b = 16; b < 24; b++) {
		unsigned int h = b;

		assert_int_equal(sbitmap_get(&m.sb, &h), (int)b);
	}
	hint = 20;
	assert_int_equal(sbitmap_get(&m.sb, &hint), 24);
	/* within the start word, bits below the hint are found last */
	hint = 60;
	for (int b = 60; b < 63; b++)
		assert_int_equal(sbitmap_get(&m.sb, &hint), b);
	assert_int_equal(hint, 63);
	assert_int_equal(sbitmap_get(&m.sb, &hint), 0);
	map_free(&m);
}

static void test_put_get_cycles(void **state)
{
	struct map m;
	unsigned int hint = 0;
	int held[37];

	(void)state;
	map_init(&m, 37, -1, 0);
	for (unsigned int round = 0; round < 1000; round++) {
		unsigned int n = 1 + round % 37;

		for (unsigned int i = 0; i < n; i++) {
			held[i] = sbitmap_get(&m.sb, &hint);
			assert_true(held[i] >= 0);
		}
		assert_int_equal(sbitmap_weight(&m.sb), n);
		for (unsigned int i = 0; i < n; i++)
			sbitmap_put(&m.sb, held[n - 1 - i], &hint);
		assert_int_equal(sbitmap_weight(&m.sb), 0);
	}
	map_free(&m);
}

static void test_reserved(void **state)
{
	struct map m;
	unsigned int hint = 0;

	(void)state;
	map_init(&m, 40, 3, 2);
	fill_once(&m, 0);
	assert_int_equal(sbitmap_weight(&m.sb), 38);
	/* the reserved bits are still there, and only for get_reserved */
	assert_int_equal(sbitmap_get_reserved(&m.sb), 0);
	assert_int_equal(sbitmap_get_reserved(&m.sb), 1);
	assert_int_equal(sbitmap_get_reserved(&m.sb), -1);
	sbitmap_put(&m.sb, 1, &hint);
	assert_int_equal(hint, 0);	/* a reserved bit is no hint */
	assert_int_equal(sbitmap_get(&m.sb, &hint), -1);
	assert_int_equal(sbitmap_get_reserved(&m.sb), 1);
	sbitmap_put(&m.sb, 17, &hint);
	assert_int_equal(sbitmap_get(&m.sb, &hint), 17);
	map_free(&m);

	/* reserved bits spanning more than a word */
	map_init(&m, 30, 2, 9);
	fill_once(&m, 3);
	for (int b = 0; b < 9; b++)
		assert_int_equal(sbitmap_get_reserved(&m.sb), b);
	assert_int_equal(sbitmap_get_reserved(&m.sb), -1);
	map_free(&m);

	map_init(&m, 8, -1, 0);
	assert_int_equal(sbitmap_get_reserved(&m.sb), -1);
	map_free(&m);
}

static void test_resize(void **state)
{
	struct map m;
	unsigned int hint = 0;
	int bit;

	(void)state;
	map_init(&m, 128, -1, 1);
	assert_int_equal(sbitmap_resize(&m.sb, 0), -EINVAL);
	assert_int_equal(sbitmap_resize(&m.sb, 1), -EINVAL);
	assert_int_equal(sbitmap_resize(&m.sb, 129), -EINVAL);
	hint = 100;
	bit = sbitmap_get(&m.sb, &hint);
	assert_int_equal(bit, 100);
	assert_int_equal(sbitmap_resize(&m.sb, 33), 0);
	/* the old hint is beyond the depth: the search starts again low */
	fill_once(&m, hint);
	assert_int_equal(sbitmap_weight(&m.sb), 33);	/* 32 + bit 100 */
	sbitmap_put(&m.sb, 100, &hint);
	assert_int_equal(sbitmap_weight(&m.sb), 32);
	for (unsigned int b = 1; b < 33; b++)
		sbitmap_put(&m.sb, b, &hint);
	/* and back up to the capacity */
	assert_int_equal(sbitmap_resize(&m.sb, 128), 0);
	fill_once(&m, 77);
	map_free(&m);
}

static bool collect(unsigned int bit, void *data)
{
	unsigned int *list = data;

	list[++list[0]] = bit;
	return list[0] < 3;
}

static void test_for_each_set(void **state)
{
	struct map m;
	unsigned int list[8] = { 0 };

	(void)state;
	map_init(&m, 100, 2, 0);
	for (unsigned int b = 5; b < 100; b += 30) {
		unsigned int h = b;

		assert_int_equal(sbitmap_get(&m.sb, &h), (int)b);
	}
	sbitmap_for_each_set(&m.sb, collect, list);
	assert_int_equal(list[0], 3);	/* stopped by the callback */
	assert_int_equal(list[1], 5);
	assert_int_equal(list[2], 35);
	assert_int_equal(list[3], 65);
	map_free(&m);
}

/* --- contention ---------------------------------------------------------- */

#define RACE_THREADS 8
#define RACE_CYCLES 200000
#define RACE_DEPTH 64

static struct map race_map;
static int race_owner[RACE_DEPTH];	/* 0 free, else thread id + 1; atomics */
static unsigned long race_failures;
static unsigned long race_full;

static void *race_thread(void *arg)
{
	int me = (int)(uintptr_t)arg + 1;
	unsigned int hint = (unsigned int)(me - 1) * RACE_DEPTH / RACE_THREADS;
	int held[3];

	for (unsigned int i = 0; i < RACE_CYCLES; i++) {
		unsigned int n = 1 + i % 3, got = 0;

		for (unsigned int k = 0; k < n; k++) {
			int bit = sbitmap_get(&race_map.sb, &hint), zero = 0;

			if (bit < 0) {
				__atomic_fetch_add(&race_full, 1, __ATOMIC_RELAXED);
				continue;
			}
			if (!__atomic_compare_exchange_n(&race_owner[bit], &zero, me, false,
							 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
				__atomic_fetch_add(&race_failures, 1, __ATOMIC_RELAXED);
			held[got++] = bit;
		}
		for (unsigned int k = 0; k < got; k++) {
			int owner = me;

			if (!__atomic_compare_exchange_n(&race_owner[held[k]], &owner, 0, false,
							 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
				__atomic_fetch_add(&race_failures, 1, __ATOMIC_RELAXED);
			sbitmap_put(&race_map.sb, held[k], &hint);
		}
	}
	return NULL;
}

static void test_contention(void **state)
{
	pthread_t threads[RACE_THREADS];

	(void)state;
	map_init(&race_map, RACE_DEPTH, -1, 0);
	for (uintptr_t t = 0; t < RACE_THREADS; t++)
		assert_int_equal(pthread_create(&threads[t], NULL, race_thread, (void *)t), 0);
	for (unsigned int t = 0; t < RACE_THREADS; t++)
		assert_int_equal(pthread_join(threads[t], NULL), 0);
	assert_int_equal(race_failures, 0);
	assert_int_equal(race_full, 0);	/* 8 threads x 3 bits never fill 64 */
	assert_int_equal(sbitmap_weight(&race_map.sb), 0);
	for (unsigned int b = 0; b < RACE_DEPTH; b++)
		assert_int_equal(race_owner[b], 0);
	fill_once(&race_map, 0);	/* nothing lost: all 64 still allocatable */
	map_free(&race_map);
}

/* A map smaller than the demand: threads also see -1 and must recover. */
static struct map tight_map;
static int tight_owner[8];
static unsigned long tight_failures;

static void *tight_thread(void *arg)
{
	int me = (int)(uintptr_t)arg + 1;
	unsigned int hint = 0;

	for (unsigned int i = 0; i < RACE_CYCLES / 4; i++) {
		int bit = sbitmap_get(&tight_map.sb, &hint), zero = 0, owner = me;

		if (bit < 0)
			continue;
		if (!__atomic_compare_exchange_n(&tight_owner[bit], &zero, me, false,
						 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			__atomic_fetch_add(&tight_failures, 1, __ATOMIC_RELAXED);
		if (!__atomic_compare_exchange_n(&tight_owner[bit], &owner, 0, false,
						 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			__atomic_fetch_add(&tight_failures, 1, __ATOMIC_RELAXED);
		sbitmap_put(&tight_map.sb, bit, &hint);
	}
	return NULL;
}

static void test_contention_tight(void **state)
{
	pthread_t threads[RACE_THREADS];

	(void)state;
	map_init(&tight_map, 5, -1, 0);
	for (uintptr_t t = 0; t < RACE_THREADS; t++)
		assert_int_equal(pthread_create(&threads[t], NULL, tight_thread, (void *)t), 0);
	for (unsigned int t = 0; t < RACE_THREADS; t++)
		assert_int_equal(pthread_join(threads[t], NULL), 0);
	assert_int_equal(tight_failures, 0);
	assert_int_equal(sbitmap_weight(&tight_map.sb), 0);
	fill_once(&tight_map, 0);
	map_free(&tight_map);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_default_shift),
		cmocka_unit_test(test_init_errors),
		cmocka_unit_test(test_every_bit_once),
		cmocka_unit_test(test_hint),
		cmocka_unit_test(test_put_get_cycles),
		cmocka_unit_test(test_reserved),
		cmocka_unit_test(test_resize),
		cmocka_unit_test(test_for_each_set),
		cmocka_unit_test(test_contention),
		cmocka_unit_test(test_contention_tight),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
