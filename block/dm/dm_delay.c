/*
 * delay: a linear mapping that holds every read for read_ms and every write
 * for write_ms (optionally to another disk) before sending it on (Linux's
 * dm-delay). Held clones wait on a list per direction, in arrival order
 * (the delay is constant, so that is also due order), and a thread per
 * target submits each when it is due: from a thread, so the parent's
 * submission may sleep for a tag, which a timer's interrupt context may not.
 */
#include "block/dm/dm.h"
#include "kernel/mm/slab.h"
#include "kernel/sched/thread.h"
#include "kernel/time/time.h"
#include "lib/errno.h"
#include "lib/printf.h"

struct dm_delay {
	spinlock_t lock;
	struct list_head held[2];	/* [write]: struct dm_clone by link; protected by lock */
	bool stop;			/* protected by lock */
	struct wait_queue wait;		/* the thread sleeps here */
	struct thread *thread;
	u64 delayed[2];			/* clones held, reads and writes; atomic */
};

static void dm_delay_submit(struct dm_target *ti, struct dm_clone *c)
{
	c->bio.disk = ti->devs[c->map_dev];
	c->bio.sector = c->map_sector;
	submit_bio(&c->bio);
}

/* The held clone due first, or NULL; lock held. */
static struct dm_clone *dm_delay_first(struct dm_delay *dc)
{
	struct dm_clone *first = NULL;

	for (int w = 0; w < 2; w++) {
		struct dm_clone *c;

		if (list_empty(&dc->held[w]))
			continue;
		c = list_first_entry(&dc->held[w], struct dm_clone, link);
		if (!first || c->due_ns < first->due_ns)
			first = c;
	}
	return first;
}

static bool dm_delay_ready(struct dm_delay *dc)
{
	unsigned long flags = spin_lock_irqsave(&dc->lock);
	struct dm_clone *c = dm_delay_first(dc);
	bool ready = dc->stop || (c && c->due_ns <= time_ns());

	spin_unlock_irqrestore(&dc->lock, flags);
	return ready;
}

static int dm_delay_thread(void *arg)
{
	struct dm_target *ti = arg;
	struct dm_delay *dc = ti->private;

	for (;;) {
		unsigned long flags = spin_lock_irqsave(&dc->lock);
		struct dm_clone *c = dm_delay_first(dc);
		u64 now = time_ns(), wait_ns;

		if (c && c->due_ns <= now) {
			list_del(&c->link);
			spin_unlock_irqrestore(&dc->lock, flags);
			dm_delay_submit(ti, c);
			continue;
		}
		if (dc->stop && !c) {
			spin_unlock_irqrestore(&dc->lock, flags);
			return 0;
		}
		/* nothing held: sleep until a map wakes us (bounded, to re-check stop) */
		wait_ns = c ? c->due_ns - now : 1000000000ULL;
		spin_unlock_irqrestore(&dc->lock, flags);
		wait_event_timeout(dc->wait, dm_delay_ready(dc), wait_ns);
	}
}

static int dm_delay_ctr(struct dm_target *ti, struct dm_table_error *err)
{
	struct dm_delay *dc = kzalloc(sizeof(*dc));

	if (!dc) {
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		return -ENOMEM;
	}
	spin_init(&dc->lock);
	INIT_LIST_HEAD(&dc->held[0]);
	INIT_LIST_HEAD(&dc->held[1]);
	wait_queue_init(&dc->wait);
	ti->private = dc;
	dc->thread = thread_run("dm-delay", dm_delay_thread, ti);
	if (!dc->thread) {
		kfree(dc);
		snprintf(err->msg, sizeof(err->msg), "cannot start its thread");
		return -ENOMEM;
	}
	return 0;
}

static void dm_delay_dtr(struct dm_target *ti)
{
	struct dm_delay *dc = ti->private;
	unsigned long flags = spin_lock_irqsave(&dc->lock);

	dc->stop = true;
	spin_unlock_irqrestore(&dc->lock, flags);
	wake_up_all(&dc->wait);
	thread_join(dc->thread);
	kfree(dc);
}

static void dm_delay_map(struct dm_target *ti, struct dm_clone *c)
{
	struct dm_delay *dc = ti->private;
	int w = op_is_write(c->bio.op);
	u32 ms = w ? ti->spec->delay.write_ms : ti->spec->delay.read_ms;
	unsigned long flags;

	if (!ms || c->bio.op == REQ_OP_FLUSH) {
		dm_delay_submit(ti, c);
		return;
	}
	c->due_ns = time_ns() + ms * 1000000ULL;
	__atomic_fetch_add(&dc->delayed[w], 1, __ATOMIC_RELAXED);
	flags = spin_lock_irqsave(&dc->lock);
	list_add_tail(&c->link, &dc->held[w]);
	spin_unlock_irqrestore(&dc->lock, flags);
	wake_up_all(&dc->wait);
}

static void dm_delay_status(struct dm_target *ti, char *buf, size_t len)
{
	struct dm_delay *dc = ti->private;

	snprintf(buf, len, "reads=%llu writes=%llu",
		 (unsigned long long)__atomic_load_n(&dc->delayed[0], __ATOMIC_RELAXED),
		 (unsigned long long)__atomic_load_n(&dc->delayed[1], __ATOMIC_RELAXED));
}

const struct dm_target_type dm_delay_target = {
	.kind = DM_TARGET_DELAY,
	.ctr = dm_delay_ctr,
	.dtr = dm_delay_dtr,
	.map = dm_delay_map,
	.status = dm_delay_status,
};
