/*
 * Sets of CPUs: a fixed-size bitmap of MAX_CPUS bits, passed by pointer.
 * Thread affinity, IPI targets and the blk-mq CPU-to-queue maps use them.
 */
#ifndef KERNEL_SCHED_CPUMASK_H
#define KERNEL_SCHED_CPUMASK_H

#include "lib/bitmap.h"
#include "lib/cpulist.h"

#define MAX_CPUS 256

typedef struct cpumask {
	DECLARE_BITMAP(bits, MAX_CPUS);
} cpumask_t;

static inline void cpumask_clear(cpumask_t *m) { bitmap_zero(m->bits, MAX_CPUS); }
static inline void cpumask_set(cpumask_t *m, unsigned int cpu) { bitmap_set_bit(m->bits, cpu); }
static inline void cpumask_unset(cpumask_t *m, unsigned int cpu) { bitmap_clear_bit(m->bits, cpu); }
static inline bool cpumask_test(const cpumask_t *m, unsigned int cpu)
{
	return cpu < MAX_CPUS && bitmap_test_bit(m->bits, cpu);
}
static inline unsigned int cpumask_weight(const cpumask_t *m)
{
	return (unsigned int)bitmap_weight(m->bits, MAX_CPUS);
}
static inline unsigned int cpumask_first(const cpumask_t *m)
{
	return (unsigned int)find_first_bit(m->bits, MAX_CPUS);
}
static inline unsigned int cpumask_next(const cpumask_t *m, unsigned int cpu)
{
	return (unsigned int)find_next_bit(m->bits, MAX_CPUS, cpu + 1);
}
static inline void cpumask_fill_upto(cpumask_t *m, unsigned int n)
{
	bitmap_zero(m->bits, MAX_CPUS);
	bitmap_set(m->bits, 0, n);
}

/* Set or clear a bit of a mask that other CPUs read without a lock. */
static inline void cpumask_set_atomic(cpumask_t *m, unsigned int cpu)
{
	__atomic_fetch_or(&m->bits[cpu / BITS_PER_LONG], 1UL << (cpu % BITS_PER_LONG),
			  __ATOMIC_RELEASE);
}
static inline void cpumask_clear_atomic(cpumask_t *m, unsigned int cpu)
{
	__atomic_fetch_and(&m->bits[cpu / BITS_PER_LONG], ~(1UL << (cpu % BITS_PER_LONG)),
			   __ATOMIC_RELEASE);
}

#define for_each_cpu_in(cpu, mask) \
	for ((cpu) = cpumask_first(mask); (cpu) < MAX_CPUS; (cpu) = cpumask_next(mask, cpu))

#endif
