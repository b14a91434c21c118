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
 */
#include "block/blk-internal.h"
#include "kernel/slab.h"
#include "kernel/thread.h"
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
		goto fail;
	if (sbitmap_init(&tags->bitmap, depth, -1, set->reserved_tags, tags->bitmap_mem, map_size))
		goto fail;
	for (unsigned int i = 0; i < depth; i++) {
		struct request *rq = (struct request *)(ALIGN_UP((uintptr_t)tags->rq_mem, 64) +
							i * rq_size);

		rq->tag = (int)i;
		rq->state = REQ_STATE_IDLE;
		INIT_LIST_HEAD(&rq->queuelist);
		tags->rqs[i] = rq;
		if (set->ops->init_request && set->ops->init_request(set, rq, hctx_index))
			goto fail;
	}
	return tags;
fail:
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

struct request *blk_mq_get_tag(struct blk_mq_hw_ctx *hctx, struct blk_mq_ctx *ctx,
			       bool reserved)
{
	struct blk_mq_tags *tags = hctx->tags;
	int tag;

	if (reserved)
		tag = sbitmap_get_reserved(&tags->bitmap);
	else
		tag = sbitmap_get(&tags->bitmap, &ctx->tag_hint[hctx->type]);
	return blk_mq_tag_to_rq(tags, tag);
}

void blk_mq_put_tag(struct blk_mq_hw_ctx *hctx, struct request *rq)
{
	struct blk_mq_tags *tags = hctx->tags;
	struct blk_mq_ctx *ctx = blk_mq_ctx_of(hctx->queue, this_cpu_id());

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
	int err;

	blk_mq_freeze_queue(q);
	mutex_lock(&q->sysfs_lock);
	err = blk_mq_tag_resize(q, nr);
	mutex_unlock(&q->sysfs_lock);
	blk_mq_unfreeze_queue(q);
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
