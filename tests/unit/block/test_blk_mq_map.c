/*
 * Unit tests for block/blk_mq_map.c over every nr_cpus 1..64 and
 * nr_queues 1..64: every CPU mapped to a valid queue, groups contiguous
 * and in queue order, sizes within one of each other, every queue used
 * when there are enough CPUs, and the inverse agreeing with the map.
 * The map over active CPUs only: with every CPU active it is the plain map;
 * with some inactive, the active ones get the plain map of their count in
 * order and the inactive ones the first active CPU's queue.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "block/blk_mq_map.c"
#include "lib/cpulist.h"
#include "lib/string.h"

#define MAX 64
#define UNSET 0xdeadU

static void check_map(unsigned int nr_cpus, unsigned int nr_queues, unsigned int offset)
{
	unsigned int map[MAX + 1], size[MAX] = { 0 };
	DECLARE_BITMAP(cpus, MAX);
	unsigned int min_size = ~0U, max_size = 0, used = 0;

	for (unsigned int i = 0; i <= MAX; i++)
		map[i] = UNSET;
	blk_mq_map_queues(map, nr_cpus, nr_queues, offset);
	assert_int_equal(map[nr_cpus], UNSET);	/* nothing written past the end */
	for (unsigned int cpu = 0; cpu < nr_cpus; cpu++) {
		assert_true(map[cpu] >= offset && map[cpu] < offset + nr_queues);
		if (nr_queues >= nr_cpus)
			assert_int_equal(map[cpu], offset + cpu);
		/* contiguous groups in queue order: never step back or skip */
		if (cpu)
			assert_true(map[cpu] == map[cpu - 1] || map[cpu] == map[cpu - 1] + 1);
		else
			assert_int_equal(map[cpu], offset);
		size[map[cpu] - offset]++;
	}
	for (unsigned int q = 0; q < nr_queues; q++) {
		unsigned int n = blk_mq_map_queue_cpus(map, nr_cpus, offset + q, cpus);

		assert_int_equal(n, size[q]);
		assert_int_equal(bitmap_weight(cpus, nr_cpus), n);
		for (unsigned int cpu = 0; cpu < nr_cpus; cpu++)
			assert_int_equal(bitmap_test_bit(cpus, cpu), map[cpu] == offset + q);
		if (!size[q])
			continue;
		used++;
		min_size = min(min_size, size[q]);
		max_size = max(max_size, size[q]);
	}
	assert_true(max_size - min_size <= 1);
	assert_int_equal(used, min(nr_cpus, nr_queues));
	if (nr_queues <= nr_cpus) {
		assert_int_equal(min_size, nr_cpus / nr_queues);
		assert_int_equal(max_size, DIV_ROUND_UP(nr_cpus, nr_queues));
	}
}

static void test_all_shapes(void **state)
{
	(void)state;
	for (unsigned int c = 1; c <= MAX; c++) {
		for (unsigned int q = 1; q <= MAX; q++) {
			check_map(c, q, 0);
			check_map(c, q, 3);
		}
	}
}

static void test_examples(void **state)
{
	unsigned int map[8];
	DECLARE_BITMAP(cpus, 8);
	char buf[32];

	(void)state;
	/* 8 CPUs, 3 queues: 3 + 3 + 2 */
	blk_mq_map_queues(map, 8, 3, 0);
	assert_int_equal(blk_mq_map_queue_cpus(map, 8, 0, cpus), 3);
	cpulist_format(buf, sizeof(buf), cpus, 8);
	assert_string_equal(buf, "0-2");
	assert_int_equal(blk_mq_map_queue_cpus(map, 8, 2, cpus), 2);
	cpulist_format(buf, sizeof(buf), cpus, 8);
	assert_string_equal(buf, "6-7");
	/* a POLL map of 2 queues after 4 DEFAULT ones */
	blk_mq_map_queues(map, 8, 2, 4);
	assert_int_equal(map[0], 4);
	assert_int_equal(map[7], 5);
	assert_int_equal(blk_mq_map_queue_cpus(map, 8, 0, cpus), 0);
	/* a queue index no CPU maps to */
	blk_mq_map_queues(map, 2, 5, 0);
	assert_int_equal(blk_mq_map_queue_cpus(map, 2, 4, cpus), 0);
	/* nr_queues 0 is a caller bug, but the map stays valid */
	blk_mq_map_queues(map, 8, 0, 1);
	for (unsigned int cpu = 0; cpu < 8; cpu++)
		assert_int_equal(map[cpu], 1);
}

/* The active map for nr_cpus CPUs, active set by a pattern, against the plain map. */
static void check_active_map(unsigned int nr_cpus, unsigned int nr_queues, unsigned long pattern)
{
	unsigned int map[MAX + 1], plain[MAX], active_ids[MAX], nr_active = 0;
	DECLARE_BITMAP(active, MAX);

	bitmap_zero(active, MAX);
	for (unsigned int cpu = 0; cpu < nr_cpus; cpu++)
		if (pattern & (1UL << (cpu % (8 * sizeof(long))))) {
			bitmap_set_bit(active, cpu);
			active_ids[nr_active++] = cpu;
		}
	for (unsigned int i = 0; i <= MAX; i++)
		map[i] = UNSET;
	blk_mq_map_queues_active(map, nr_cpus, active, nr_queues, 2);
	assert_int_equal(map[nr_cpus], UNSET);
	if (!nr_active) {
		for (unsigned int cpu = 0; cpu < nr_cpus; cpu++)
			assert_int_equal(map[cpu], 2);
		return;
	}
	blk_mq_map_queues(plain, nr_active, nr_queues, 2);
	for (unsigned int i = 0; i < nr_active; i++)
		assert_int_equal(map[active_ids[i]], plain[i]);
	for (unsigned int cpu = 0; cpu < nr_cpus; cpu++)
		if (!bitmap_test_bit(active, cpu))
			assert_int_equal(map[cpu], map[active_ids[0]]);
}

static void test_active_shapes(void **state)
{
	static const unsigned long patterns[] = {
		~0UL, 0UL, 1UL, ~1UL, 0x5555555555555555UL, 0xaaaaaaaaaaaaaaaaUL,
		0x0f0f0f0f0f0f0f0fUL, 0x8000000000000001UL, 0x1234567890abcdefUL,
	};

	(void)state;
	for (unsigned int c = 1; c <= MAX; c++)
		for (unsigned int q = 1; q <= MAX; q++)
			for (unsigned int p = 0; p < ARRAY_SIZE(patterns); p++)
				check_active_map(c, q, patterns[p]);
}

static void test_active_examples(void **state)
{
	unsigned int map[4];
	DECLARE_BITMAP(active, 4);

	(void)state;
	/* 4 CPUs, 2 queues, CPU 1 offline: 0 and 2 share queue 0, 3 has queue 1 */
	bitmap_zero(active, 4);
	bitmap_set_bit(active, 0);
	bitmap_set_bit(active, 2);
	bitmap_set_bit(active, 3);
	blk_mq_map_queues_active(map, 4, active, 2, 0);
	assert_int_equal(map[0], 0);
	assert_int_equal(map[1], 0);
	assert_int_equal(map[2], 0);
	assert_int_equal(map[3], 1);
	/* only CPU 0 left: every CPU on queue 0, queue 1 idle */
	bitmap_clear_bit(active, 2);
	bitmap_clear_bit(active, 3);
	blk_mq_map_queues_active(map, 4, active, 2, 0);
	for (unsigned int cpu = 0; cpu < 4; cpu++)
		assert_int_equal(map[cpu], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_shapes),
		cmocka_unit_test(test_examples),
		cmocka_unit_test(test_active_shapes),
		cmocka_unit_test(test_active_examples),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
