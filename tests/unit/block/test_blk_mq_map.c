/*
 * Unit tests for block/blk_mq_map.c over every nr_cpus 1..64 and
 * nr_queues 1..64: every CPU mapped to a valid queue, groups contiguous
 * and in queue order, sizes within one of each other, every queue used
 * when there are enough CPUs, and the inverse agreeing with the map.
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_shapes),
		cmocka_unit_test(test_examples),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
