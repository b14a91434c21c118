/*
 * Tags: per hardware queue, an sbitmap (lib/sbitmap.h) of queue_depth bits,
 * the first reserved_tags of them reserved, and as many requests allocated
 * with the map, each followed by the driver's cmd_size bytes and set up once
 * by ops->init_request. A tag names its request: getting a tag is getting a
 * request, and nothing is allocated per I/O.
 *
 * Why per hardware queue and not per device: a command id must be unique
 * only within its hardware queue (NVMe's CID is per submission queue), one
 * map per queue keeps the CPUs of different queues on different cache lines,
 * and a queue's depth is the hardware's. The price is that a device with
 * many idle queues holds requests it does not use.
 *
 * The search hint of each CPU lives in its blk_mq_ctx (tag_hint[type]), a
 * line only that CPU writes on submission. When a map is empty the
 * submitter sleeps on tags->wait; blk_mq_put_tag wakes one sleeper.
 *
 * Shared sets (docs/shared_tags.md): the queues of a set all use
 * set->tags[i] for their hctx i, so when a set has several queues they
 * compete for one map. Each hctx of such a set (tag_shared) counts the
 * tags it holds (nr_active) and, on its first allocation after being idle,
 * sets its TAG_ACTIVE bit and counts itself in tags->active_queues (Linux's
 * blk_mq_tag_busy); it then gets a tag only while it holds fewer than its
 * fair share (block/blk_mq_tag_share.h). The timeout scan makes an active
 * hctx that holds no tag idle again (blk_mq_tag_idle), so a lone busy queue
 * gets the whole depth back. Everything is per-hctx atomics: no lock, and
 * a queue of an unshared set pays one predicted branch on get and on put.
 * A put of a shared map wakes every sleeper, not one: a sleeper over its
 * share cannot use the tag another queue freed, and must not swallow the
 * wake-up a sleeper of that queue needs.
 */
#include "block/blk_internal.h"
#include "block/blk_mq_tag_share.h"
#include "kernel/mm/slab.h"
#include "kernel/sched/thread.h"
#include "lib/errno.h"
#include "lib/string.h"

static size_t blk_mq_rq_size(const struct blk_mq_tag_set *set)
{
	return ALIGN_UP(sizeof(struct request) + set->cmd_size, 64);
}

struct blk_mq_tags *blk_mq_alloc_tags(struct blk_mq_tag_set *set, unsigned int hctx_index)
{
	unsigned int depth = set->queue_depth;
	size_t map_size = sbitmap_map_size(depth, -1), rq_size = blk_mq_rq_size(set);
	struct blk_mq_tags *tags = kzalloc(sizeof(*tags));

	if (!tags)
		return NULL;
	tags->depth = depth;
	tags->reserved = set->reserved_tags;
	wait_queue_init(&tags->wait);
	tags->bitmap_mem = kzalloc(map_size);
	tags->rqs = kcalloc(depth, sizeof(*tags->rqs));
	/* + 63: kmalloc aligns large blocks to pages, small ones to their class */
	tags->rq_mem = kzalloc(rq_size * depth + 63);
	if (!tags->bitmap_mem || !tags->rqs || !tags->rq_mem)
		goto free_tags;
	if (sbitmap_init(&tags->bitmap, depth, -1, set->reserved_tags, tags->bitmap_mem, map_size))
		goto free_tags;
	for (unsigned int i = 0; i < depth; i++) {
		struct request *rq = (struct request *)(ALIGN_UP((uintptr_t)tags->rq_mem, 64) +
							i * rq_size);

		rq->tag = (int)i;
		rq->state = REQ_STATE_IDLE;
		INIT_LIST_HEAD(&rq->queuelist);
		tags->rqs[i] = rq;
		if (set->ops->init_request && set->ops->init_request(set, rq, hctx_index))
			goto free_tags;
	}
	return tags;
free_tags:
	blk_mq_free_tags(tags);
	return NULL;
}

void blk_mq_free_tags(struct blk_mq_tags *tags)
{
	if (!tags)
		return;
	kfree(tags->rq_mem);
	kfree(tags->rqs);
	kfree(tags->bitmap_mem);
	kfree(tags);
}

static struct request *blk_mq_tag_to_rq(struct blk_mq_tags *tags, int tag)
{
	return tag < 0 ? NULL : tags->rqs[tag];
}

static inline bool hctx_tag_active(struct blk_mq_hw_ctx *hctx)
{
	return __atomic_load_n(&hctx->state, __ATOMIC_RELAXED) & (1UL << BLK_MQ_S_TAG_ACTIVE);
}

/* Linux's blk_mq_tag_busy: count hctx among the active users of its tags, once. */
static void blk_mq_tag_busy(struct blk_mq_hw_ctx *hctx)
{
	/* a plain read first: the locked or is needed once per active period */
	if (hctx_tag_active(hctx))
		return;
	if (!(__atomic_fetch_or(&hctx->state, 1UL << BLK_MQ_S_TAG_ACTIVE, __ATOMIC_SEQ_CST) &
	      (1UL << BLK_MQ_S_TAG_ACTIVE)))
		__atomic_fetch_add(&hctx->tags->active_queues, 1, __ATOMIC_SEQ_CST);
}

void blk_mq_tag_idle(struct blk_mq_hw_ctx *hctx)
{
	struct blk_mq_tags *tags = hctx->tags;

	if (!hctx_tag_active(hctx))
		return;
	if (!(__atomic_fetch_and(&hctx->state, ~(1UL << BLK_MQ_S_TAG_ACTIVE), __ATOMIC_SEQ_CST) &
	      (1UL << BLK_MQ_S_TAG_ACTIVE)))
		return;
	__atomic_fetch_sub(&tags->active_queues, 1, __ATOMIC_SEQ_CST);
	/* the others' shares grew: sleepers held back by theirs may go on */
	if (!list_empty(&tags->wait.waiters))
		wake_up_all(&tags->wait);
}

unsigned int blk_mq_tag_share(const struct blk_mq_hw_ctx *hctx)
{
	const struct blk_mq_tags *tags = hctx->tags;

	return blk_mq_tag_share_shown(tags->bitmap.depth - tags->reserved, hctx->tag_shared,
				      __atomic_load_n(&hctx->state, __ATOMIC_RELAXED) &
					      (1UL << BLK_MQ_S_TAG_ACTIVE),
				      __atomic_load_n(&tags->active_queues, __ATOMIC_RELAXED));
}

/*
 * Linux's hctx_may_queue: below its fair share? The count and the check
 * are not one atomic step, so two CPUs of one hctx may both pass at
 * share - 1 and hold one more than the share for a moment, as in Linux;
 * the map itself still bounds the total.
 */
static bool blk_mq_tag_may_queue(struct blk_mq_hw_ctx *hctx)
{
	struct blk_mq_tags *tags = hctx->tags;
	unsigned int users;

	blk_mq_tag_busy(hctx);
	users = __atomic_load_n(&tags->active_queues, __ATOMIC_RELAXED);
	return __atomic_load_n(&hctx->nr_active, __ATOMIC_RELAXED) <
	       blk_mq_tag_fair_share(tags->bitmap.depth - tags->reserved, users);
}

/*
 * The shared set's get and put, out of line: an unshared queue's get and
 * put pay one compare and branch for them, and save no register their
 * locals would need (inlined, they cost 10 instructions per I/O more).
 */
static __attribute__((noinline)) struct request *blk_mq_get_tag_shared(struct blk_mq_hw_ctx *hctx,
								       struct blk_mq_ctx *ctx)
{
	struct blk_mq_tags *tags = hctx->tags;
	int tag;

	if (!blk_mq_tag_may_queue(hctx))
		return NULL;
	tag = sbitmap_get(&tags->bitmap, &ctx->tag_hint[hctx->type]);
	if (tag < 0)
		return NULL;
	__atomic_fetch_add(&hctx->nr_active, 1, __ATOMIC_RELAXED);
	return tags->rqs[tag];
}

struct request *blk_mq_get_tag(struct blk_mq_hw_ctx *hctx, struct blk_mq_ctx *ctx)
{
	struct blk_mq_tags *tags = hctx->tags;

	if (unlikely(hctx->tag_shared))
		return blk_mq_get_tag_shared(hctx, ctx);
	return blk_mq_tag_to_rq(tags, sbitmap_get(&tags->bitmap, &ctx->tag_hint[hctx->type]));
}

struct request *blk_mq_get_reserved_tag(struct blk_mq_hw_ctx *hctx)
{
	struct request *rq = blk_mq_tag_to_rq(hctx->tags, sbitmap_get_reserved(&hctx->tags->bitmap));

	/* never held back by a share (they are for commands that must not wait), but counted */
	if (rq && hctx->tag_shared)
		__atomic_fetch_add(&hctx->nr_active, 1, __ATOMIC_RELAXED);
	return rq;
}

static __attribute__((noinline)) void blk_mq_put_tag_shared(struct blk_mq_hw_ctx *hctx, struct request *rq)
{
	struct blk_mq_tags *tags = hctx->tags;
	struct blk_mq_ctx *ctx = blk_mq_ctx_of(hctx->queue, this_cpu_id());

	sbitmap_put(&tags->bitmap, (unsigned int)rq->tag,
		    hctx->queue->ctxs ? &ctx->tag_hint[hctx->type] : NULL);
	/* locked, after the bit's release: a full barrier before the list check */
	__atomic_fetch_sub(&hctx->nr_active, 1, __ATOMIC_SEQ_CST);
	if (!list_empty(&tags->wait.waiters))
		wake_up_all(&tags->wait);
}

void blk_mq_put_tag(struct blk_mq_hw_ctx *hctx, struct request *rq)
{
	struct blk_mq_tags *tags = hctx->tags;
	struct blk_mq_ctx *ctx;

	if (unlikely(hctx->tag_shared)) {
		blk_mq_put_tag_shared(hctx, rq);
		return;
	}
	ctx = blk_mq_ctx_of(hctx->queue, this_cpu_id());
	/* the hint is this CPU's: the freeing CPU reuses the warm request */
	sbitmap_put(&tags->bitmap, (unsigned int)rq->tag,
		    hctx->queue->ctxs ? &ctx->tag_hint[hctx->type] : NULL);
	/*
	 * A sleeper queues itself and then tries the map; we cleared the bit
	 * (a locked instruction, a full barrier on x86) and then look at the
	 * list, so one of the two sees the other.
	 */
	__asm__ volatile("" ::: "memory");
	if (!list_empty(&tags->wait.waiters))
		wake_up_one(&tags->wait);
}

void blk_mq_queue_tag_idle(struct request_queue *q, bool only_unused)
{
	for (unsigned int i = 0; i < q->nr_hw_queues; i++) {
		struct blk_mq_hw_ctx *hctx = q->hctxs[i];

		if (!only_unused || !__atomic_load_n(&hctx->nr_active, __ATOMIC_ACQUIRE))
			blk_mq_tag_idle(hctx);
	}
}

/*
 * Flip q between shared and not: frozen (unless unused: a queue not yet on
 * any disk), so no tag is held while get and put change their minds.
 */
static void blk_mq_queue_set_shared(struct request_queue *q, bool shared, bool unused)
{
	if (!unused)
		blk_mq_freeze_queue(q);
	/* no rebuild of the hctxs meanwhile: it holds tag_list_lock, as our caller does */
	if (!shared)
		blk_mq_queue_tag_idle(q, false);
	for (unsigned int i = 0; i < q->nr_hw_queues; i++) {
		q->hctxs[i]->nr_active = 0;
		WRITE_ONCE(q->hctxs[i]->tag_shared, shared);
	}
	WRITE_ONCE(q->tag_shared, shared);
	if (!unused)
		blk_mq_unfreeze_queue(q);
}

void blk_mq_tag_set_update_shared(struct blk_mq_tag_set *set, struct request_queue *fresh)
{
	bool shared = set->nr_queues > 1;
	struct request_queue *q;

	list_for_each_entry(q, &set->tag_list, tag_set_link)
		if (q->tag_shared != shared)
			/* the fresh queue has seen no I/O yet: nothing to wait for */
			blk_mq_queue_set_shared(q, shared, q == fresh);
}

void blk_mq_tag_set_reset_active(struct blk_mq_tag_set *set)
{
	for (unsigned int i = 0; i < set->nr_hw_queues; i++)
		__atomic_store_n(&set->tags[i]->active_queues, 0, __ATOMIC_SEQ_CST);
}

int blk_mq_tag_resize(struct request_queue *q, unsigned int nr_requests)
{
	struct blk_mq_tag_set *set = q->tag_set;

	if (nr_requests < 1 || nr_requests > set->queue_depth - set->reserved_tags)
		return -EINVAL;
	for (unsigned int i = 0; i < q->nr_hw_queues; i++) {
		int err = sbitmap_resize(&q->hctxs[i]->tags->bitmap,
					 nr_requests + set->reserved_tags);

		if (err)
			return err;
	}
	q->nr_requests = nr_requests;
	return 0;
}

int blk_mq_set_nr_requests(struct request_queue *q, unsigned int nr)
{
	struct blk_mq_tag_set *set = q->tag_set;
	struct request_queue *each;
	int err;

	/*
	 * The maps are the set's: on a shared set every queue over them gets
	 * the new depth, each frozen (a resize must not race a get), with the
	 * locks taken in a rebuild's order.
	 */
	mutex_lock(&set->tag_list_lock);
	list_for_each_entry(each, &set->tag_list, tag_set_link)
		blk_mq_freeze_queue(each);
	list_for_each_entry(each, &set->tag_list, tag_set_link)
		mutex_lock(&each->config_lock);
	err = blk_mq_tag_resize(q, nr);
	list_for_each_entry(each, &set->tag_list, tag_set_link) {
		if (!err)
			each->nr_requests = nr;
		mutex_unlock(&each->config_lock);
	}
	list_for_each_entry(each, &set->tag_list, tag_set_link)
		blk_mq_unfreeze_queue(each);
	mutex_unlock(&set->tag_list_lock);
	return err;
}

struct busy_iter {
	struct blk_mq_tags *tags;
	bool (*fn)(struct request *rq, void *arg);
	void *arg;
};

static bool busy_iter_one(unsigned int bit, void *data)
{
	struct busy_iter *it = data;
	struct request *rq = it->tags->rqs[bit];

	if (__atomic_load_n(&rq->state, __ATOMIC_ACQUIRE) != REQ_STATE_IN_FLIGHT)
		return true;
	return it->fn(rq, it->arg);
}

void blk_mq_tags_busy_iter(struct blk_mq_tags *tags,
			   bool (*fn)(struct request *rq, void *arg), void *arg)
{
	struct busy_iter it = { tags, fn, arg };

	sbitmap_for_each_set(&tags->bitmap, busy_iter_one, &it);
}

void blk_mq_tagset_busy_iter(struct blk_mq_tag_set *set,
			     bool (*fn)(struct request *rq, void *arg), void *arg)
{
	for (unsigned int i = 0; i < set->nr_hw_queues; i++)
		if (set->tags && set->tags[i])
			blk_mq_tags_busy_iter(set->tags[i], fn, arg);
}
