/*
 * CPU to hardware-queue maps of blk-mq. A map is an array indexed by CPU
 * holding a hardware queue index. A device with poll queues has two maps,
 * DEFAULT (interrupt-driven queues 0 .. n-1) and POLL (queues n .. n+p-1),
 * each filled by blk_mq_map_queues with its own queue_offset.
 */
#ifndef BLOCK_BLK_MQ_MAP_H
#define BLOCK_BLK_MQ_MAP_H

#include "lib/types.h"

/*
 * Spread nr_cpus CPUs over nr_queues queues in contiguous groups, the first
 * nr_cpus % nr_queues queues taking one CPU more, so group sizes differ by
 * at most one and neighbouring CPUs (often cache siblings) share a queue.
 * With more queues than CPUs, CPU i gets queue i and the rest stay idle.
 * map[cpu] = queue_offset + group. nr_queues == 0 maps every CPU to
 * queue_offset (a caller bug; the map stays usable).
 */
void blk_mq_map_queues(unsigned int *map, unsigned int nr_cpus, unsigned int nr_queues,
		       unsigned int queue_offset);

/*
 * The same over the CPUs set in active (a bitmap of nr_cpus bits) only:
 * the active CPUs, in order, are spread as blk_mq_map_queues spreads
 * 0 .. n-1, and every inactive CPU (offline, or going) gets the queue of
 * the first active one, so its software queue still names a valid
 * hardware queue. With no active CPU every CPU gets queue_offset.
 */
void blk_mq_map_queues_active(unsigned int *map, unsigned int nr_cpus,
			      const unsigned long *active, unsigned int nr_queues,
			      unsigned int queue_offset);

/*
 * The inverse for one queue: set in cpus (a bitmap of nr_cpus bits, cleared
 * first) the CPUs mapped to queue. Returns how many there are.
 */
unsigned int blk_mq_map_queue_cpus(const unsigned int *map, unsigned int nr_cpus,
				   unsigned int queue, unsigned long *cpus);

#endif
