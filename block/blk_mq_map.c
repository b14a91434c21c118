/*
 * CPU to hardware-queue maps (see blk_mq_map.h). There is no topology to
 * follow yet, so contiguous CPU numbers stand in for nearby CPUs.
 */
#include "block/blk_mq_map.h"
#include "lib/bitmap.h"

void blk_mq_map_queues(unsigned int *map, unsigned int nr_cpus, unsigned int nr_queues,
		       unsigned int queue_offset)
{
	unsigned int per_queue, extra, cpu = 0;

	if (nr_queues == 0)
		nr_queues = 1;
	if (nr_queues > nr_cpus)
		nr_queues = nr_cpus;
	if (nr_queues == 0)
		return;
	per_queue = nr_cpus / nr_queues;
	extra = nr_cpus % nr_queues;
	for (unsigned int q = 0; q < nr_queues; q++) {
		unsigned int group = per_queue + (q < extra);

		for (unsigned int i = 0; i < group; i++)
			map[cpu++] = queue_offset + q;
	}
}

void blk_mq_map_queues_active(unsigned int *map, unsigned int nr_cpus,
			      const unsigned long *active, unsigned int nr_queues,
			      unsigned int queue_offset)
{
	unsigned int nr_active = 0, per_queue, extra, queue = 0, in_queue = 0;

	for (unsigned int cpu = 0; cpu < nr_cpus; cpu++)
		nr_active += bitmap_test_bit(active, cpu);
	if (nr_queues == 0)
		nr_queues = 1;
	if (nr_queues > nr_active)
		nr_queues = nr_active;
	for (unsigned int cpu = 0; cpu < nr_cpus; cpu++)
		map[cpu] = queue_offset;
	if (nr_queues == 0)
		return;
	per_queue = nr_active / nr_queues;
	extra = nr_active % nr_queues;
	for (unsigned int cpu = 0; cpu < nr_cpus; cpu++) {
		if (!bitmap_test_bit(active, cpu))
			continue;
		map[cpu] = queue_offset + queue;
		if (++in_queue == per_queue + (queue < extra)) {
			queue++;
			in_queue = 0;
		}
	}
}

unsigned int blk_mq_map_queue_cpus(const unsigned int *map, unsigned int nr_cpus,
				   unsigned int queue, unsigned long *cpus)
{
	unsigned int count = 0;

	bitmap_zero(cpus, nr_cpus);
	for (unsigned int cpu = 0; cpu < nr_cpus; cpu++) {
		if (map[cpu] == queue) {
			bitmap_set_bit(cpus, cpu);
			count++;
		}
	}
	return count;
}
