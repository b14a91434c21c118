/*
 * Freezing, quiescing, and changing the number of hardware queues of a
 * live device.
 *
 * Freeze: new submitters wait, and the freezer waits until every request
 * entered has ended. Entering is a locked increment of the submitting
 * CPU's ctx->in_flight followed by a read of q->frozen; the freezer writes
 * frozen and then sums the counters (wait_event's locked wait-queue entry
 * orders the two), so either the submitter sees frozen and backs off, or
 * the freezer sees its count. A request ends with a locked decrement on
 * the CPU that ends it, so single counters wrap; only the sum is
 * meaningful. Freezes nest (freeze_depth).
 *
 * Quiesce: no CPU is in, or will enter, queue_rq of the queue's hctxs
 * until unquiesce; submissions go on queueing on hctx->dispatch. It does
 * not nest.
 *
 * nr_hw_queues: freeze every queue of the set (nothing is in flight, so
 * nothing can be lost or issued twice: a submitter blocked in enter
 * submits on the new hctxs after the thaw), quiesce (kblockd runs out),
 * allocate what the new layout needs, exit_hctx the old contexts,
 * init_hctx the new ones, switch and free. Until the old contexts are
 * exited nothing is changed, so an allocation failure leaves the device as
 * it was; an init_hctx failure re-inits the old contexts.
 */
#include "block/blk_internal.h"
#include "kernel/panic.h"
#include "kernel/console/printk.h"
#include "kernel/mm/slab.h"
#include "kernel/sched/thread.h"
#include "lib/errno.h"
#include "lib/string.h"

u64 blk_queue_in_flight(struct request_queue *q)
{
	u64 sum = 0;

	for (unsigned int cpu = 0; cpu < nr_cpus; cpu++)
		sum += __atomic_load_n(&blk_mq_ctx_of(q, cpu)->in_flight, __ATOMIC_ACQUIRE);
	return sum;
}

void blk_mq_freeze_queue(struct request_queue *q)
{
	unsigned long flags = spin_lock_irqsave(&q->freeze_wait.lock);

	if (q->freeze_depth++ == 0)
		WRITE_ONCE(q->frozen, true);
	spin_unlock_irqrestore(&q->freeze_wait.lock, flags);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	wait_event(q->freeze_wait, blk_queue_in_flight(q) == 0);
}

void blk_mq_unfreeze_queue(struct request_queue *q)
{
	unsigned long flags = spin_lock_irqsave(&q->freeze_wait.lock);
	bool thaw = false;

	if (!WARN_ON(q->freeze_depth == 0) && --q->freeze_depth == 0) {
		WRITE_ONCE(q->frozen, false);
		thaw = true;
	}
	spin_unlock_irqrestore(&q->freeze_wait.lock, flags);
	if (thaw)
		wake_up_all(&q->freeze_wait);
}

/*
 * Linux's blk_mark_disk_dead + a freeze: dead is written before the freeze
 * makes frozen visible, so a submitter that finds frozen finds dead too and
 * fails instead of waiting; the freeze is never undone, so entering stays
 * on the slow path that checks dead. Sleepers in enter are woken to see it.
 */
void blk_queue_kill(struct request_queue *q)
{
	WRITE_ONCE(q->dead, true);
	blk_mq_freeze_queue(q);
	wake_up_all(&q->freeze_wait);
	/*
	 * A dead queue allocates no more: give its share of a shared set
	 * back now, not when its last user lets go. config_lock: the hctxs
	 * stay as they are (a rebuild swaps them under it).
	 */
	if (READ_ONCE(q->tag_shared)) {
		mutex_lock(&q->config_lock);
		blk_mq_queue_tag_idle(q, false);
		mutex_unlock(&q->config_lock);
	}
}

void blk_mq_quiesce_queue(struct request_queue *q)
{
	for (unsigned int i = 0; i < q->nr_hw_queues; i++)
		__atomic_fetch_or(&q->hctxs[i]->state, 1UL << BLK_MQ_S_QUIESCED, __ATOMIC_SEQ_CST);
	/* a CPU in queue_rq holds RUNNING with preemption off: it will not be long */
	for (unsigned int i = 0; i < q->nr_hw_queues; i++)
		while (__atomic_load_n(&q->hctxs[i]->state, __ATOMIC_ACQUIRE) &
		       (1UL << BLK_MQ_S_RUNNING))
			thread_yield();
}

void blk_mq_unquiesce_queue(struct request_queue *q)
{
	for (unsigned int i = 0; i < q->nr_hw_queues; i++)
		__atomic_fetch_and(&q->hctxs[i]->state, ~(1UL << BLK_MQ_S_QUIESCED),
				   __ATOMIC_SEQ_CST);
	for (unsigned int i = 0; i < q->nr_hw_queues; i++)
		blk_mq_run_hw_queue(q->hctxs[i]);
}

/* What the set looked like before a change, to go back to it. */
struct set_layout {
	unsigned int nr_hw_queues, nr_poll_queues, nr_maps;
	struct blk_mq_tags **tags;
	struct blk_mq_queue_map map[HCTX_MAX_TYPES];
};

static void layout_save(struct blk_mq_tag_set *set, struct set_layout *old)
{
	old->nr_hw_queues = set->nr_hw_queues;
	old->nr_poll_queues = set->nr_poll_queues;
	old->nr_maps = set->nr_maps;
	old->tags = set->tags;
	memcpy(old->map, set->map, sizeof(old->map));
}

static void layout_restore(struct blk_mq_tag_set *set, const struct set_layout *old)
{
	set->nr_hw_queues = old->nr_hw_queues;
	set->nr_poll_queues = old->nr_poll_queues;
	set->nr_maps = old->nr_maps;
	set->tags = old->tags;
	memcpy(set->map, old->map, sizeof(set->map));
}

/* The tags of the new layout: the old ones where the index exists, new above. */
static struct blk_mq_tags **tags_for(struct blk_mq_tag_set *set, const struct set_layout *old,
				     unsigned int nr)
{
	struct blk_mq_tags **tags = kcalloc(nr, sizeof(*tags));

	if (!tags)
		return NULL;
	for (unsigned int i = 0; i < nr; i++) {
		tags[i] = i < old->nr_hw_queues ? old->tags[i] : blk_mq_alloc_tags(set, i);
		if (!tags[i]) {
			for (unsigned int j = old->nr_hw_queues; j < i; j++)
				blk_mq_free_tags(tags[j]);
			kfree(tags);
			return NULL;
		}
	}
	return tags;
}

static void tags_free_above(struct blk_mq_tags **tags, unsigned int from, unsigned int nr)
{
	for (unsigned int i = from; i < nr; i++)
		blk_mq_free_tags(tags[i]);
	kfree(tags);
}

/* Per queue, while the layout changes. */
struct queue_change {
	struct request_queue *q;
	struct blk_mq_hw_ctx **hctxs;	/* the new ones */
};

int blk_mq_update_nr_hw_queues(struct blk_mq_tag_set *set, unsigned int nr_hw_queues,
			       unsigned int nr_poll_queues)
{
	struct set_layout *old;
	struct queue_change *changes = NULL;
	struct request_queue *q;
	unsigned int nr_queues = 0, i = 0, inited = 0;
	int err = 0;

	if (!nr_hw_queues || nr_poll_queues >= nr_hw_queues || nr_hw_queues > MAX_CPUS * 2 ||
	    (nr_poll_queues && !set->ops->poll))
		return -EINVAL;
	old = kzalloc(sizeof(*old));
	if (!old)
		return -ENOMEM;
	mutex_lock(&set->tag_list_lock);
	if (nr_hw_queues == set->nr_hw_queues && nr_poll_queues == set->nr_poll_queues)
		goto unlock;
	list_for_each_entry(q, &set->tag_list, tag_set_link)
		nr_queues++;
	changes = kcalloc(nr_queues ? nr_queues : 1, sizeof(*changes));
	if (!changes) {
		err = -ENOMEM;
		goto unlock;
	}
	list_for_each_entry(q, &set->tag_list, tag_set_link)
		blk_mq_freeze_queue(q);
	list_for_each_entry(q, &set->tag_list, tag_set_link) {
		mutex_lock(&q->config_lock);
		blk_mq_quiesce_queue(q);
		changes[i++].q = q;
	}

	layout_save(set, old);
	set->tags = tags_for(set, old, nr_hw_queues);
	if (!set->tags) {
		set->tags = old->tags;
		err = -ENOMEM;
		goto thaw;
	}
	set->nr_hw_queues = nr_hw_queues;
	set->nr_poll_queues = nr_poll_queues;
	blk_mq_update_queue_maps(set);
	for (i = 0; i < nr_queues; i++) {
		err = blk_mq_alloc_hctxs(changes[i].q, &changes[i].hctxs);
		if (err)
			goto free_new_hctxs;
	}

	/* the point of no easy return: the driver lets go of the old queues */
	for (i = 0; i < nr_queues; i++)
		blk_mq_exit_hctxs(changes[i].q, changes[i].q->hctxs, changes[i].q->nr_hw_queues);
	for (inited = 0; inited < nr_queues; inited++) {
		err = blk_mq_init_hctxs(changes[inited].q, changes[inited].hctxs, nr_hw_queues);
		if (err)
			goto exit_new_hctxs;
	}
	for (i = 0; i < nr_queues; i++) {
		struct blk_mq_hw_ctx **old_hctxs;
		unsigned int old_nr;

		q = changes[i].q;
		old_hctxs = q->hctxs;
		old_nr = q->nr_hw_queues;
		q->hctxs = changes[i].hctxs;
		q->nr_hw_queues = nr_hw_queues;
		q->poll_enabled = nr_poll_queues > 0;
		blk_mq_map_swqueue(q);
		/* new tag maps start at full depth */
		if (q->nr_requests < set->queue_depth - set->reserved_tags)
			for (unsigned int h = old->nr_hw_queues; h < nr_hw_queues; h++)
				sbitmap_resize(&set->tags[h]->bitmap, q->nr_requests + set->reserved_tags);
		changes[i].hctxs = old_hctxs;	/* freed below */
		blk_mq_free_hctxs(q, changes[i].hctxs, old_nr);
	}
	/* the hctxs counted as active users of the kept tags are gone */
	blk_mq_tag_set_reset_active(set);
	if (old->nr_hw_queues > nr_hw_queues)
		tags_free_above(old->tags, nr_hw_queues, old->nr_hw_queues);
	else
		kfree(old->tags);
	goto thaw;

exit_new_hctxs:
	for (i = 0; i < inited; i++)
		blk_mq_exit_hctxs(changes[i].q, changes[i].hctxs, nr_hw_queues);
	for (i = 0; i < nr_queues; i++) {
		q = changes[i].q;
		if (blk_mq_init_hctxs(q, q->hctxs, q->nr_hw_queues))
			pr_err("blk-mq: %s: cannot restore %u hardware queues\n",
			       q->disk ? q->disk->name : "queue", q->nr_hw_queues);
	}
free_new_hctxs:
	for (i = 0; i < nr_queues; i++)
		if (changes[i].hctxs)
			blk_mq_free_hctxs(changes[i].q, changes[i].hctxs, nr_hw_queues);
	tags_free_above(set->tags, old->nr_hw_queues, nr_hw_queues);
	layout_restore(set, old);
thaw:
	for (i = 0; i < nr_queues; i++) {
		blk_mq_unquiesce_queue(changes[i].q);
		mutex_unlock(&changes[i].q->config_lock);
	}
	list_for_each_entry(q, &set->tag_list, tag_set_link)
		blk_mq_unfreeze_queue(q);
unlock:
	mutex_unlock(&set->tag_list_lock);
	kfree(changes);
	kfree(old);
	return err;
}
