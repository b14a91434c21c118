/*
 * mq-deadline, the scheduler: block/iosched/dd_core.c's decisions around
 * real requests (docs/ioprio.md). `queue <dev> scheduler=mq-deadline`.
 *
 * One instance of the core per hardware queue, each under its own lock:
 * a request keeps the tag (and so the hardware queue) it was given at
 * submission, so it can only be dispatched there, and no lock is shared
 * by CPUs that submit to different hardware queues (Linux's mq-deadline
 * has one lock per request queue). The class order therefore holds among
 * the requests of one hardware queue; a device with one queue, or CPUs
 * sharing one, sees it for all of them.
 *
 * Per tag, preallocated: the core's node, and room for the vectors of a
 * merged request. A merge joins two requests of consecutive sectors into
 * one device command: the front request's vectors become both's (copied
 * into its room), the back one rides along and is ended with it. A merge
 * is refused when the result would break the queue's limits or need more
 * than DD_MERGE_MAX_VECS vectors.
 *
 * On the first request of an io_context to the queue the io_cq is made
 * (block/blk_ioc.h); it counts that context's requests and bytes here.
 *
 * Locking: dd_hctx.lock protects its core and its per-tag entries while
 * queued; an entry belongs to its request from dispatch to completion.
 * Tunables change under q->config_lock, then in each instance under its
 * lock.
 */
#include "block/blk_internal.h"
#include "block/blk_ioc.h"
#include "block/ioprio.h"
#include "block/iosched/dd_core.h"
#include "kernel/mm/slab.h"
#include "kernel/sched/thread.h"
#include "kernel/time/time.h"
#include "lib/errno.h"
#include "lib/string.h"

#define DD_MAX_HCTX (MAX_CPUS * 2)	/* blk_mq_update_nr_hw_queues' bound */
#define DD_MERGE_MAX_VECS 8
#define NS_PER_MS 1000000ULL

/* The scheduler's part of one request (one per tag). */
struct dd_request {
	struct dd_rq node;
	struct request *rq;
	struct request *absorbed;	/* merged into this one: ended with it */
	struct request *next_absorbed;	/* in the list of the request that took this one */
	bool is_absorbed;
	struct bio_vec vecs[DD_MERGE_MAX_VECS];	/* the data once merged */
};

struct dd_hctx {
	spinlock_t lock;		/* protects dd and the queued entries */
	struct dd_core dd;
	struct request_queue *q;
	struct dd_request reqs[];	/* by tag: dd.depth entries, the tag set's queue_depth */
};

struct dd_data {
	struct dd_tunables tun;		/* written under q->config_lock */
	struct dd_hctx *hctx[DD_MAX_HCTX];	/* by hctx->queue_num; made on demand */
};

static struct dd_data *dd_data_of(struct request_queue *q)
{
	return q->elevator_data;
}

static struct dd_hctx *dd_hctx_alloc(struct request_queue *q, const struct dd_tunables *tun)
{
	unsigned int depth = q->tag_set->queue_depth;
	struct dd_hctx *dh = kzalloc(sizeof(*dh) + depth * sizeof(dh->reqs[0]));

	if (!dh)
		return NULL;
	spin_init(&dh->lock);
	dd_core_init(&dh->dd);
	dh->dd.tun = *tun;
	dh->q = q;
	dh->dd.depth = depth;
	return dh;
}

/*
 * The instance of hctx, made on its first request when the hardware queues
 * were rebuilt since init (frozen then: none is in use).
 */
static struct dd_hctx *dd_hctx_of(struct blk_mq_hw_ctx *hctx)
{
	struct dd_data *dd = dd_data_of(hctx->queue);
	struct dd_hctx *dh = __atomic_load_n(&dd->hctx[hctx->queue_num], __ATOMIC_ACQUIRE);
	struct dd_hctx *expected = NULL;

	if (likely(dh))
		return dh;
	dh = dd_hctx_alloc(hctx->queue, &dd->tun);
	if (!dh)
		return NULL;
	if (!__atomic_compare_exchange_n(&dd->hctx[hctx->queue_num], &expected, dh, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		kfree(dh);
		return expected;
	}
	return dh;
}

static int dd_init(struct request_queue *q)
{
	struct dd_data *dd = kzalloc(sizeof(*dd));

	if (!dd)
		return -ENOMEM;
	dd_tunables_default(&dd->tun);
	for (unsigned int i = 0; i < q->nr_hw_queues && i < DD_MAX_HCTX; i++) {
		dd->hctx[i] = dd_hctx_alloc(q, &dd->tun);
		if (!dd->hctx[i])
			goto free_hctxs;
	}
	q->elevator_data = dd;
	return 0;
free_hctxs:
	for (unsigned int i = 0; i < DD_MAX_HCTX; i++)
		kfree(dd->hctx[i]);
	kfree(dd);
	return -ENOMEM;
}

/* Frozen: nothing is queued here and nothing is at the driver. */
static void dd_exit(struct request_queue *q)
{
	struct dd_data *dd = dd_data_of(q);

	ioc_clear_queue(q);
	for (unsigned int i = 0; i < DD_MAX_HCTX; i++)
		kfree(dd->hctx[i]);
	kfree(dd);
	q->elevator_data = NULL;
}

/* --- merging -------------------------------------------------------------- */

/* Append rq's data as vectors to out[n..]; the new count, or -1 when it does not fit. */
static int dd_vecs_append(struct bio_vec *out, int n, const struct request *rq)
{
	u32 left = rq->nr_bytes, off = rq->vec_offset;

	for (u16 i = 0; i < rq->vcnt && left; i++) {
		u32 len = min(rq->vecs[i].len - off, left);

		if (n == DD_MERGE_MAX_VECS)
			return -1;
		out[n].phys = rq->vecs[i].phys + off;
		out[n].len = len;
		n++;
		left -= len;
		off = 0;
	}
	return left ? -1 : n;
}

static bool dd_merge(struct dd_rq *front_node, struct dd_rq *back_node, void *arg)
{
	struct dd_request *f = container_of(front_node, struct dd_request, node);
	struct dd_request *b = container_of(back_node, struct dd_request, node);
	struct request *fr = f->rq, *br = b->rq;
	const struct queue_limits *lim = &fr->q->limits;
	struct bio_vec vecs[DD_MERGE_MAX_VECS];
	struct request **tail;
	int n;

	(void)arg;
	if ((fr->op != REQ_OP_READ && fr->op != REQ_OP_WRITE) || fr->op != br->op ||
	    fr->flags != br->flags || (fr->flags & (REQ_FUA | REQ_PREFLUSH)))
		return false;
	if ((u64)fr->nr_bytes + br->nr_bytes > (u64)lim->max_sectors << SECTOR_SHIFT ||
	    (u32)fr->nr_phys_segments + br->nr_phys_segments > lim->max_segments)
		return false;
	n = dd_vecs_append(vecs, 0, fr);
	if (n < 0)
		return false;
	/* no gap between the two where the device wants none (NVMe PRPs) */
	if (lim->virt_boundary_mask &&
	    (((vecs[n - 1].phys + vecs[n - 1].len) & lim->virt_boundary_mask) ||
	     ((br->vecs[0].phys + br->vec_offset) & lim->virt_boundary_mask)))
		return false;
	n = dd_vecs_append(vecs, n, br);
	if (n < 0)
		return false;
	memcpy(f->vecs, vecs, (size_t)n * sizeof(vecs[0]));
	fr->vecs = f->vecs;
	fr->vcnt = (u16)n;
	fr->vec_offset = 0;
	fr->nr_bytes += br->nr_bytes;
	fr->nr_phys_segments = (u16)(fr->nr_phys_segments + br->nr_phys_segments);
	/*
	 * br, and whatever it had taken, end when fr does: one flat list, since
	 * an absorbed request's own completion hook does nothing
	 */
	b->is_absorbed = true;
	tail = &f->absorbed;
	while (*tail)
		tail = &container_of((*tail)->elv_private, struct dd_request, node)->next_absorbed;
	*tail = br;
	b->next_absorbed = b->absorbed;
	b->absorbed = NULL;
	return true;
}

/* --- the elevator hooks ------------------------------------------------------- */

static u8 dd_dir_of(const struct request *rq)
{
	return rq->op == REQ_OP_READ ? DD_READ : DD_WRITE;
}

/* The submitter's io_cq for q, made on its first request (thread context only). */
static void dd_account_icq(struct request_queue *q, struct list_head *list)
{
	struct io_context *ioc;
	struct io_cq *icq;
	struct request *rq;
	u64 n = 0, bytes = 0;

	if (!irqs_enabled())
		return;
	ioc = current_thread()->io_context;
	if (!ioc)
		return;
	icq = ioc_create_icq(ioc, q);
	if (!icq)
		return;
	list_for_each_entry(rq, list, queuelist) {
		n++;
		bytes += rq->nr_bytes;
	}
	__atomic_fetch_add(&icq->nr_requests, n, __ATOMIC_RELAXED);
	__atomic_fetch_add(&icq->nr_bytes, bytes, __ATOMIC_RELAXED);
}

static void dd_insert_requests(struct blk_mq_hw_ctx *hctx, struct list_head *list)
{
	struct dd_hctx *dh = dd_hctx_of(hctx);
	struct request *rq, *next;
	unsigned long flags;
	u64 now;

	if (unlikely(!dh)) {
		/* no memory for this queue's instance: straight to the driver */
		blk_mq_dispatch_list(hctx, list);
		return;
	}
	dd_account_icq(hctx->queue, list);
	now = time_ns();
	flags = spin_lock_irqsave(&dh->lock);
	list_for_each_entry_safe(rq, next, list, queuelist) {
		struct dd_request *e = &dh->reqs[rq->tag];

		list_del_init(&rq->queuelist);
		e->rq = rq;
		e->absorbed = NULL;
		e->next_absorbed = NULL;
		e->is_absorbed = false;
		e->node.sector = rq->sector;
		e->node.nr_sectors = rq->nr_bytes >> SECTOR_SHIFT;
		e->node.dir = dd_dir_of(rq);
		e->node.prio = (u8)dd_prio_of_class(ioprio_class_of(rq->ioprio));
		rq->elv_private = &e->node;
		dd_insert(&dh->dd, &e->node, now, dd_merge, NULL);
	}
	spin_unlock_irqrestore(&dh->lock, flags);
}

static struct request *dd_dispatch_request(struct blk_mq_hw_ctx *hctx)
{
	struct dd_hctx *dh = dd_data_of(hctx->queue)->hctx[hctx->queue_num];
	struct dd_rq *node;
	unsigned long flags;

	if (!dh)
		return NULL;
	flags = spin_lock_irqsave(&dh->lock);
	node = dd_dispatch(&dh->dd, time_ns());
	spin_unlock_irqrestore(&dh->lock, flags);
	return node ? container_of(node, struct dd_request, node)->rq : NULL;
}

static bool dd_has_work_hctx(struct blk_mq_hw_ctx *hctx)
{
	struct dd_hctx *dh = dd_data_of(hctx->queue)->hctx[hctx->queue_num];

	return dh && READ_ONCE(dh->dd.cls[DD_RT_PRIO].queued) +
			     READ_ONCE(dh->dd.cls[DD_BE_PRIO].queued) +
			     READ_ONCE(dh->dd.cls[DD_IDLE_PRIO].queued);
}

static void dd_completed_request(struct request *rq)
{
	struct dd_rq *node = rq->elv_private;
	struct dd_request *e;
	struct dd_hctx *dh;
	struct request *r, *next;
	unsigned long flags;
	bool held_back;

	if (!node)
		return;
	e = container_of(node, struct dd_request, node);
	if (e->is_absorbed)
		return;		/* ended by the request that took it */
	dh = dd_data_of(rq->q)->hctx[rq->hctx->queue_num];
	flags = spin_lock_irqsave(&dh->lock);
	dd_completed(&dh->dd, (enum dd_prio)node->prio, time_ns());
	/* what waits now waited for this completion (a class, or hw_depth) */
	held_back = dd_has_work(&dh->dd);
	spin_unlock_irqrestore(&dh->lock, flags);
	for (r = e->absorbed; r; r = next) {
		next = container_of(r->elv_private, struct dd_request, node)->next_absorbed;
		blk_mq_end_request(r, rq->status);
	}
	if (held_back)
		blk_mq_run_hw_queue(rq->hctx);
}

/* --- tunables and counters ------------------------------------------------------ */

/* Apply the queue's tunables to every instance (q->config_lock held), then run the queues. */
static int dd_tunables_apply(struct request_queue *q)
{
	struct dd_data *dd = dd_data_of(q);

	for (unsigned int i = 0; i < DD_MAX_HCTX; i++) {
		struct dd_hctx *dh = dd->hctx[i];
		unsigned long flags;

		if (!dh)
			continue;
		flags = spin_lock_irqsave(&dh->lock);
		dh->dd.tun = dd->tun;
		spin_unlock_irqrestore(&dh->lock, flags);
	}
	/* a wider hw_depth lets held-back requests go */
	for (unsigned int i = 0; i < q->nr_hw_queues; i++)
		blk_mq_run_hw_queue(q->hctxs[i]);
	return 0;
}

#define DD_MS_ATTR(field)							\
	static u64 show_##field(struct request_queue *q)			\
	{									\
		return dd_data_of(q)->tun.field##_ns / NS_PER_MS;		\
	}									\
	static int store_##field(struct request_queue *q, u64 v)		\
	{									\
		dd_data_of(q)->tun.field##_ns = v * NS_PER_MS;			\
		return dd_tunables_apply(q);					\
	}

#define DD_U32_ATTR(field)							\
	static u64 show_##field(struct request_queue *q)			\
	{									\
		return dd_data_of(q)->tun.field;				\
	}									\
	static int store_##field(struct request_queue *q, u64 v)		\
	{									\
		dd_data_of(q)->tun.field = (u32)v;				\
		return dd_tunables_apply(q);					\
	}

DD_MS_ATTR(read_expire)
DD_MS_ATTR(write_expire)
DD_MS_ATTR(prio_aging_expire)
DD_MS_ATTR(prio_idle)
DD_U32_ATTR(low_prio_depth)
DD_U32_ATTR(fifo_batch)
DD_U32_ATTR(writes_starved)
DD_U32_ATTR(hw_depth)

static u64 show_front_merges(struct request_queue *q)
{
	return dd_data_of(q)->tun.front_merges;
}

static int store_front_merges(struct request_queue *q, u64 v)
{
	dd_data_of(q)->tun.front_merges = v != 0;
	return dd_tunables_apply(q);
}

#define DD_MAX_EXPIRE_MS 3600000ULL	/* an hour */

static const struct elv_attr dd_attrs[] = {
	{ "read_expire", "ms", 1, DD_MAX_EXPIRE_MS, show_read_expire, store_read_expire },
	{ "write_expire", "ms", 1, DD_MAX_EXPIRE_MS, show_write_expire, store_write_expire },
	{ "prio_aging_expire", "ms", 1, DD_MAX_EXPIRE_MS, show_prio_aging_expire,
	  store_prio_aging_expire },
	{ "fifo_batch", "requests", 1, 1024, show_fifo_batch, store_fifo_batch },
	{ "writes_starved", "read batches", 0, 1024, show_writes_starved, store_writes_starved },
	{ "front_merges", "0 or 1", 0, 1, show_front_merges, store_front_merges },
	{ "hw_depth", "requests at the driver per hardware queue, 0 no limit", 0, 65535,
	  show_hw_depth, store_hw_depth },
	{ "prio_idle", "ms lower classes stay held to low_prio_depth after a higher one, 0 off",
	  0, DD_MAX_EXPIRE_MS, show_prio_idle, store_prio_idle },
	{ "low_prio_depth", "lower classes' requests at the driver while held, 0 a quarter",
	  0, 65535, show_low_prio_depth, store_low_prio_depth },
};

static unsigned int dd_class_stats(struct request_queue *q, struct elv_class_stats *out,
				   unsigned int max)
{
	static const char *const names[DD_PRIO_COUNT] = { "rt", "be", "idle" };
	struct dd_data *dd = dd_data_of(q);

	for (unsigned int p = 0; p < DD_PRIO_COUNT && p < max; p++) {
		out[p] = (struct elv_class_stats){ .name = names[p] };
		for (unsigned int i = 0; i < DD_MAX_HCTX; i++) {
			struct dd_hctx *dh = dd->hctx[i];
			const struct dd_class *c;
			unsigned long flags;

			if (!dh)
				continue;
			flags = spin_lock_irqsave(&dh->lock);
			c = &dh->dd.cls[p];
			out[p].queued += c->queued;
			out[p].in_driver += c->in_driver;
			out[p].inserted += c->stats.inserted;
			out[p].merged += c->stats.merged;
			out[p].dispatched += c->stats.dispatched;
			out[p].completed += c->stats.completed;
			spin_unlock_irqrestore(&dh->lock, flags);
		}
	}
	return DD_PRIO_COUNT;
}

const struct elevator_type mq_deadline_elevator = {
	.name = "mq-deadline",
	.init = dd_init,
	.exit = dd_exit,
	.insert_requests = dd_insert_requests,
	.dispatch_request = dd_dispatch_request,
	.has_work = dd_has_work_hctx,
	.completed_request = dd_completed_request,
	.attrs = dd_attrs,
	.nr_attrs = ARRAY_SIZE(dd_attrs),
	.class_stats = dd_class_stats,
};
