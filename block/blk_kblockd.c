/*
 * kblockd: the block layer's own thread, for work that may not run where
 * it is noticed. A completion interrupt that finds requests parked on a
 * busy hctx cannot call queue_rq (drivers take their submission locks
 * without disabling interrupts), and a timeout found by a timer needs a
 * thread for the driver's handler. One thread serves every queue: this is
 * the slow path (the fast path never comes here).
 *
 * Timeouts: each queue has a timer, re-armed every BLK_TIMEOUT_SCAN_NS on
 * the CPU that made the queue; when requests are in flight it queues the
 * queue's timeout_work, which walks the busy tags of every hctx and hands
 * each request past its deadline to ops->timeout (BLK_EH_RESET_TIMER gives
 * it another period). The scan holds the queue entered, so hctxs cannot be
 * rebuilt under it; ops->timeout must therefore not freeze the queue (it
 * schedules a reset instead, as in Linux).
 *
 * A queue of a shared tag set is scanned every period even when idle: the
 * scan makes each of its hctxs that holds no tag idle (blk_mq_tag_idle),
 * so the other queues get its share back (docs/shared_tags.md).
 */
#include "block/blk_internal.h"
#include "kernel/panic.h"
#include "kernel/console/printk.h"
#include "kernel/sched/thread.h"
#include "kernel/time/time.h"
#include "lib/errno.h"

#define KBLOCKD_RETRY_NS 1000000ULL

static spinlock_t kblockd_lock = SPINLOCK_INIT;
static LIST_HEAD(kblockd_list);			/* struct blk_work, protected by kblockd_lock */
static struct blk_work *kblockd_running;	/* protected by kblockd_lock */
static struct wait_queue kblockd_wait = WAIT_QUEUE_INIT(kblockd_wait);
static struct wait_queue kblockd_idle = WAIT_QUEUE_INIT(kblockd_idle);

void blk_work_init(struct blk_work *work, bool (*fn)(struct blk_work *work))
{
	INIT_LIST_HEAD(&work->link);
	work->fn = fn;
	work->pending = false;
}

void blk_work_queue(struct blk_work *work)
{
	unsigned long flags = spin_lock_irqsave(&kblockd_lock);
	bool queued = !work->pending;

	if (queued) {
		work->pending = true;
		list_add_tail(&work->link, &kblockd_list);
	}
	spin_unlock_irqrestore(&kblockd_lock, flags);
	if (queued)
		wake_up_one(&kblockd_wait);
}

static bool kblockd_running_is(struct blk_work *work)
{
	unsigned long flags = spin_lock_irqsave(&kblockd_lock);
	bool running = kblockd_running == work;

	spin_unlock_irqrestore(&kblockd_lock, flags);
	return running;
}

void blk_work_cancel_sync(struct blk_work *work)
{
	unsigned long flags;

	do {
		flags = spin_lock_irqsave(&kblockd_lock);
		if (work->pending) {
			list_del_init(&work->link);
			work->pending = false;
		}
		spin_unlock_irqrestore(&kblockd_lock, flags);
		wait_event(kblockd_idle, !kblockd_running_is(work));
	} while (READ_ONCE(work->pending));
}

static bool kblockd_has_work(void)
{
	return !list_empty(&kblockd_list);
}

static int kblockd_fn(void *unused)
{
	for (;;) {
		struct blk_work *work;
		unsigned long flags;
		bool again;

		wait_event(kblockd_wait, kblockd_has_work());
		flags = spin_lock_irqsave(&kblockd_lock);
		if (list_empty(&kblockd_list)) {
			spin_unlock_irqrestore(&kblockd_lock, flags);
			continue;
		}
		work = list_first_entry(&kblockd_list, struct blk_work, link);
		list_del_init(&work->link);
		work->pending = false;
		kblockd_running = work;
		spin_unlock_irqrestore(&kblockd_lock, flags);

		again = work->fn(work);

		flags = spin_lock_irqsave(&kblockd_lock);
		kblockd_running = NULL;
		spin_unlock_irqrestore(&kblockd_lock, flags);
		wake_up_all(&kblockd_idle);
		if (again) {
			thread_sleep_ns(KBLOCKD_RETRY_NS);
			blk_work_queue(work);
		}
	}
	return 0;
}

int blk_kblockd_init(void)
{
	struct thread *t = thread_create("kblockd", kblockd_fn, NULL);

	if (IS_ERR(t))
		return (int)PTR_ERR(t);
	thread_detach(t);
	thread_start(t);
	return 0;
}

/* --- timeouts -------------------------------------------------------------- */

struct timeout_scan {
	struct request_queue *q;
	u64 now, period;
	const struct blk_mq_ops *ops;
};

static bool blk_timeout_check(struct request *rq, void *arg)
{
	struct timeout_scan *scan = arg;

	/* a shared set's maps hold the other queues' requests too: theirs to scan */
	if (READ_ONCE(rq->q) != scan->q)
		return true;
	if (scan->now < READ_ONCE(rq->deadline_ns))
		return true;
	if (!scan->ops->timeout || scan->ops->timeout(rq) == BLK_EH_RESET_TIMER)
		WRITE_ONCE(rq->deadline_ns, scan->now + scan->period);
	return true;
}

static bool blk_timeout_work(struct blk_work *work)
{
	struct request_queue *q = container_of(work, struct request_queue, timeout_work);
	struct timeout_scan scan = {
		.q = q,
		.now = time_ns(),
		.period = q->tag_set->timeout_ns ? q->tag_set->timeout_ns : BLK_DEFAULT_TIMEOUT_NS,
		.ops = q->tag_set->ops,
	};
	bool entered;

	/* enter like a submitter, so that the hctxs stay as they are */
	preempt_disable();
	__atomic_fetch_add(&blk_mq_ctx_of(q, this_cpu_id())->in_flight, 1, __ATOMIC_SEQ_CST);
	entered = !READ_ONCE(q->frozen);
	preempt_enable();
	if (entered) {
		for (unsigned int i = 0; i < q->nr_hw_queues; i++)
			blk_mq_tags_busy_iter(q->hctxs[i]->tags, blk_timeout_check, &scan);
		/* Linux idles a shared queue's hctxs from its timeout work too */
		if (READ_ONCE(q->tag_shared))
			blk_mq_queue_tag_idle(q, true);
	}
	preempt_disable();
	__atomic_fetch_sub(&blk_mq_ctx_of(q, this_cpu_id())->in_flight, 1, __ATOMIC_SEQ_CST);
	preempt_enable();
	if (READ_ONCE(q->frozen))
		wake_up_all(&q->freeze_wait);
	return false;
}

static void blk_timeout_timer_fn(struct timer *t)
{
	struct request_queue *q = container_of(t, struct request_queue, timeout_timer);

	if (READ_ONCE(q->dying))
		return;
	/* a shared queue's scan also makes its unused hctxs idle */
	if (blk_queue_in_flight(q) || READ_ONCE(q->tag_shared))
		blk_work_queue(&q->timeout_work);
	timer_arm(t, time_ns() + BLK_TIMEOUT_SCAN_NS);
}

void blk_timeout_start(struct request_queue *q)
{
	blk_work_init(&q->timeout_work, blk_timeout_work);
	timer_setup(&q->timeout_timer, blk_timeout_timer_fn);
	preempt_disable();
	timer_arm(&q->timeout_timer, time_ns() + BLK_TIMEOUT_SCAN_NS);
	preempt_enable();
}

void blk_timeout_stop(struct request_queue *q)
{
	/* dying is set: a handler running now may re-arm once, not twice */
	timer_cancel(&q->timeout_timer);
	timer_cancel(&q->timeout_timer);
	blk_work_cancel_sync(&q->timeout_work);
}
