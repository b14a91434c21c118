/*
 * The device floor's registry (blk_floor.h): drivers that can measure it.
 */
#include "block/blk_floor.h"
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
