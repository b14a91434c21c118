/*
 * Per-CPU counters (see kernel/sched/percpu_counter.h). A slot per possible CPU
 * (MAX_CPUS), so that a CPU brought up later needs no resizing; 16 KiB per
 * counter, which the few statistics that need one can afford.
 */
#include "kernel/sched/percpu_counter.h"
#include "kernel/mm/slab.h"
#include "lib/errno.h"

STATIC_ASSERT(sizeof(struct percpu_counter_slot) == 64);

int percpu_counter_init(struct percpu_counter *c)
{
	c->slots = kzalloc(MAX_CPUS * sizeof(*c->slots));
	return c->slots ? 0 : -ENOMEM;
}

void percpu_counter_destroy(struct percpu_counter *c)
{
	kfree(c->slots);
	c->slots = NULL;
}

s64 percpu_counter_sum(const struct percpu_counter *c)
{
	u64 sum = 0;

	for (unsigned int cpu = 0; cpu < MAX_CPUS; cpu++)
		sum += READ_ONCE(c->slots[cpu].value);
	return (s64)sum;
}
