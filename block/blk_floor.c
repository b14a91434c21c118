/*
 * The device floor's common part (blk_floor.h): the registry of drivers
 * that can measure it, the waits (hybrid sleep, the interrupt wait) and
 * the streams run at once on their CPUs.
 */
#include "block/blk_floor.h"
#include "kernel/arch/percpu.h"
#include "kernel/arch/x86.h"
#include "kernel/sched/spinlock.h"
#include "kernel/sched/thread.h"
#include "lib/errno.h"
#include "lib/string.h"

#define BLK_FLOOR_MAX_DRIVERS 4

static spinlock_t blk_floor_lock = SPINLOCK_INIT;	/* protects blk_floor_drivers */
static const struct blk_floor_ops *blk_floor_drivers[BLK_FLOOR_MAX_DRIVERS];

int blk_floor_register(const struct blk_floor_ops *ops)
{
	unsigned long flags = spin_lock_irqsave(&blk_floor_lock);
	int err = -ENOSPC;

	for (unsigned int i = 0; i < BLK_FLOOR_MAX_DRIVERS; i++)
		if (!blk_floor_drivers[i] || blk_floor_drivers[i] == ops) {
			blk_floor_drivers[i] = ops;
			err = 0;
			break;
		}
	spin_unlock_irqrestore(&blk_floor_lock, flags);
	return err;
}

const struct blk_floor_ops *blk_floor_find(const char *driver)
{
	const struct blk_floor_ops *found = NULL;
	unsigned long flags = spin_lock_irqsave(&blk_floor_lock);

	for (unsigned int i = 0; i < BLK_FLOOR_MAX_DRIVERS; i++)
		if (blk_floor_drivers[i] && driver && !strcmp(blk_floor_drivers[i]->driver, driver))
			found = blk_floor_drivers[i];
	spin_unlock_irqrestore(&blk_floor_lock, flags);
	return found;
}

void blk_floor_hybrid_sleep(u64 mean_ns)
{
	if (mean_ns / 2)
		thread_sleep_ns(mean_ns / 2);
}

void blk_floor_mean_update(u64 *mean_ns, u64 ns)
{
	/* a running mean, 1/8 weight to the newest */
	*mean_ns = *mean_ns ? *mean_ns - *mean_ns / 8 + ns / 8 : ns;
}

int blk_floor_irq_wait(const bool *done, int irq_cpu, u64 deadline)
{
	bool halt = irq_cpu == (int)this_cpu_id();
	unsigned int turns = 0;

	while (!__atomic_load_n(done, __ATOMIC_ACQUIRE)) {
		if (halt) {
			/* no wake-up lost: the flag is looked at again with interrupts off */
			irq_disable();
			if (!__atomic_load_n(done, __ATOMIC_ACQUIRE))
				irq_enable_and_halt();
			irq_enable();
			if (time_ns() > deadline)
				return -ETIMEDOUT;
		} else if (blk_floor_spin_expired(&turns, deadline)) {
			return -ETIMEDOUT;
		}
	}
	return 0;
}

struct blk_floor_stream_thread {
	int (*fn)(void *arg, unsigned int i);
	void *arg;
	unsigned int i;
	struct thread *t;
};

static int blk_floor_stream_main(void *arg)
{
	struct blk_floor_stream_thread *st = arg;

	return st->fn(st->arg, st->i);
}

int blk_floor_run_streams(const struct blk_floor_params *p, int (*fn)(void *arg, unsigned int i),
			  void *arg)
{
	struct blk_floor_stream_thread st[BLK_FLOOR_MAX_STREAMS];
	unsigned int started = 0;
	int err = 0;

	if (p->streams <= 1)
		return fn(arg, 0);
	for (unsigned int i = 0; i < p->streams && i < BLK_FLOOR_MAX_STREAMS; i++) {
		st[i] = (struct blk_floor_stream_thread){ fn, arg, i, NULL };
		st[i].t = thread_create("floor", blk_floor_stream_main, &st[i]);
		if (IS_ERR_OR_NULL(st[i].t)) {
			err = -ENOMEM;
			break;
		}
		/* the shell gave online CPUs; one gone since runs unbound (it spins, not halts) */
		thread_bind(st[i].t, p->cpus[i]);
		started++;
	}
	/* all created first, then started together: the streams overlap (those made run even on error) */
	for (unsigned int i = 0; i < started; i++)
		thread_start(st[i].t);
	for (unsigned int i = 0; i < started; i++) {
		int ret = thread_join(st[i].t);

		if (ret && !err)
			err = ret;
	}
	return err;
}
