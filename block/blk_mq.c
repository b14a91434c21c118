/*
 * blk-mq: tag sets and queues, the path of a request from a bio piece to
 * the driver, and its way back (docs/blk-mq.md, "The core").
 *
 * Submission (blk_mq_submit_piece, on the submitting CPU with preemption
 * off): enter the queue (this CPU's ctx->in_flight, a locked increment that
 * doubles as the barrier against a freezer), take a tag from the hctx this
 * CPU maps to (the POLL one for REQ_POLLED bios when the set has poll
 * queues), fill the request, then either keep it in the thread's plug,
 * hand it to the elevator, or issue it at once with last = true.
 *
 * Issue: at most one CPU at a time issues to an hctx (the RUNNING bit); a
 * CPU that finds it taken leaves its requests on hctx->dispatch and sets
 * RERUN, and the owner issues them before letting go. So a driver's
 * queue_rq needs no lock against itself, a batch reaches it in order with
 * last = false until its final request, and a request completed inline
 * from queue_rq that submits again cannot recurse into the same hctx.
 * BLK_STS_RESOURCE parks the rest of a batch on hctx->dispatch; the next
 * completion on that hctx (or kblockd after 1 ms) runs it again.
 *
 * Completion: blk_mq_complete_request calls ops->complete on the CPU that
 * took the interrupt (or polled), or, as q->rq_affinity says, sends it to
 * the submitting CPU (rq->ctx->cpu) with one IPI per batch
 * (blk_mq_complete.c, docs/rq_affinity.md): always (2), or only when the
 * two CPUs do not share a last-level cache (1). Drivers aim each queue's
 * vector at a CPU mapped to it, so with as many queues as CPUs the
 * interrupt is on the submitter already and the check is all it costs.
 */
#include "block/blk_internal.h"
#include "block/blk_ioc.h"
#include "block/blk_mq_map.h"
#include "kernel/arch/cpu_cache.h"
#include "kernel/panic.h"
#include "kernel/mm/slab.h"
#include "kernel/sched/thread.h"
#include "kernel/time/time.h"
#include "lib/errno.h"
#include "lib/string.h"

static inline bool hctx_test_bit(struct blk_mq_hw_ctx *hctx, unsigned int bit)
{
	return __atomic_load_n(&hctx->state, __ATOMIC_ACQUIRE) & (1UL << bit);
}

/* Locked read-modify-writes: full barriers on x86. */
static inline bool hctx_test_and_set_bit(struct blk_mq_hw_ctx *hctx, unsigned int bit)
{
	return __atomic_fetch_or(&hctx->state, 1UL << bit, __ATOMIC_SEQ_CST) & (1UL << bit);
}

static inline void hctx_set_bit(struct blk_mq_hw_ctx *hctx, unsigned int bit)
{
	__atomic_fetch_or(&hctx->state, 1UL << bit, __ATOMIC_SEQ_CST);
}

static inline void hctx_clear_bit(struct blk_mq_hw_ctx *hctx, unsigned int bit)
{
	__atomic_fetch_and(&hctx->state, ~(1UL << bit), __ATOMIC_SEQ_CST);
}

/* --- entering and leaving a queue ---------------------------------------- */

/* A request ended (or a poller left): count it off on this CPU, wake a freezer. */
static void blk_queue_exit(struct request_queue *q)
{
	/* any CPU's counter will do: only the sum over CPUs means anything */
	__atomic_fetch_sub(&blk_mq_ctx_of(q, this_cpu_id())->in_flight, 1, __ATOMIC_SEQ_CST);
	if (unlikely(READ_ONCE(q->frozen)))
		wake_up_all(&q->freeze_wait);
}

/*
 * Count this CPU in q once more, for a caller whose requests already hold q
 * entered: the issue path touches the hctx after queue_rq returns, and a
 * request completed inline must not let a freezer (and an nr_hw_queues
 * change) go on while it does. Preemption off.
 */
static void blk_queue_enter_nested(struct blk_mq_ctx *ctx)
{
	__atomic_fetch_add(&ctx->in_flight, 1, __ATOMIC_SEQ_CST);
}

/*
 * Count this CPU in q, unless q is frozen: then wait for the thaw (or give
 * up when the caller cannot sleep or the queue is dead). Preemption is off on entry and on
 * return; returns this CPU's ctx, or NULL.
 */
static struct blk_mq_ctx *blk_queue_enter(struct request_queue *q, bool can_sleep)
{
	for (;;) {
		struct blk_mq_ctx *ctx = blk_mq_ctx_of(q, this_cpu_id());

		/* the locked add orders it before the read of frozen (freeze: the reverse) */
		__atomic_fetch_add(&ctx->in_flight, 1, __ATOMIC_SEQ_CST);
		if (likely(!READ_ONCE(q->frozen)))
			return ctx;
		blk_queue_exit(q);
		/* a dead queue stays frozen: the check costs nothing on the hot path */
		if (!can_sleep || READ_ONCE(q->dead))
			return NULL;
		preempt_enable();
		/*
		 * Requests in our plug have entered and hold the freeze up: a
		 * freezer waiting for them while we wait for the thaw would
		 * wait forever (a CPU-hotplug remap under bench showed it).
		 */
		if (current_thread()->plug)
			blk_flush_plug(current_thread()->plug);
		wait_event(q->freeze_wait, !READ_ONCE(q->frozen) || READ_ONCE(q->dead));
		preempt_disable();
	}
}

/* --- issuing to the driver ------------------------------------------------ */

static void blk_mq_add_dispatch(struct blk_mq_hw_ctx *hctx, struct list_head *list, bool head)
{
	unsigned long flags;

	if (list_empty(list))
		return;
	flags = spin_lock_irqsave(&hctx->lock);
	if (head) {
		list_splice_tail_init(&hctx->dispatch, list);
		list_splice_tail_init(list, &hctx->dispatch);
	} else {
		list_splice_tail_init(list, &hctx->dispatch);
	}
	spin_unlock_irqrestore(&hctx->lock, flags);
}

static unsigned int batch_order(unsigned int n)
{
	unsigned int order = 31 - (unsigned int)__builtin_clz(n);

	return order < BLK_MQ_MAX_DISPATCH_ORDER ? order : BLK_MQ_MAX_DISPATCH_ORDER - 1;
}

/*
 * Issue list in order, the RUNNING bit held. Returns true when the driver
 * was busy: the unissued rest is back at the head of hctx->dispatch.
 */
static bool blk_mq_issue_list(struct blk_mq_hw_ctx *hctx, struct list_head *list)
{
	struct request_queue *q = hctx->queue;
	const struct blk_mq_ops *ops = q->tag_set->ops;
	unsigned int issued = 0;
	bool need_commit = false, busy = false;
	u64 now, deadline;

	if (list_empty(list))
		return false;
	now = time_ns();
	deadline = now + (q->tag_set->timeout_ns ? q->tag_set->timeout_ns : BLK_DEFAULT_TIMEOUT_NS);
	while (!list_empty(list)) {
		struct request *rq = list_first_entry(list, struct request, queuelist);
		bool last;
		int ret;

		list_del_init(&rq->queuelist);
		last = list_empty(list);
		rq->start_ns = now;
		rq->deadline_ns = deadline;
		__atomic_store_n(&rq->state, REQ_STATE_IN_FLIGHT, __ATOMIC_RELEASE);
		/* counted before queue_rq: the request may complete inside it */
		hctx->dispatched++;
		ret = ops->queue_rq(hctx, rq, last);
		if (likely(ret == 0)) {
			issued++;
			need_commit = !last;
			continue;
		}
		hctx->dispatched--;
		if (ret == BLK_STS_RESOURCE) {
			__atomic_store_n(&rq->state, REQ_STATE_IDLE, __ATOMIC_RELAXED);
			list_add(&rq->queuelist, list);
			blk_mq_add_dispatch(hctx, list, true);
			busy = true;
			break;
		}
		blk_mq_end_request(rq, ret);
	}
	if (need_commit && ops->commit_rqs)
		ops->commit_rqs(hctx);
	if (issued) {
		/* RUNNING makes these single-writer */
		hctx->dispatch_batch[batch_order(issued)]++;
	}
	return busy;
}

/* Issue local, then what waits on hctx->dispatch and in the elevator. */
static bool blk_mq_issue_all(struct blk_mq_hw_ctx *hctx, struct list_head *local)
{
	struct request_queue *q = hctx->queue;

	if (!list_empty(&hctx->dispatch)) {
		/* older requests first */
		unsigned long flags = spin_lock_irqsave(&hctx->lock);
		LIST_HEAD(older);

		list_splice_tail_init(&hctx->dispatch, &older);
		list_splice_tail_init(local, &older);
		list_splice_tail_init(&older, local);
		spin_unlock_irqrestore(&hctx->lock, flags);
	}
	if (blk_mq_issue_list(hctx, local))
		return true;
	while (q->elevator && blk_mq_sched_has_work(hctx)) {
		if (!blk_mq_sched_pull(hctx, local, BLK_PLUG_MAX_REQUESTS))
			break;
		if (blk_mq_issue_list(hctx, local))
			return true;
	}
	return false;
}

/*
 * Issue list (may be NULL) and whatever else waits on hctx, unless another
 * CPU is issuing to it: then leave ours on hctx->dispatch for that CPU.
 * Preemption off. Returns true when the driver was busy.
 */
static bool blk_mq_run(struct blk_mq_hw_ctx *hctx, struct list_head *list)
{
	LIST_HEAD(local);
	bool busy;

	if (list)
		list_splice_tail_init(list, &local);
	for (;;) {
		if (hctx_test_and_set_bit(hctx, BLK_MQ_S_RUNNING)) {
			blk_mq_add_dispatch(hctx, &local, false);
			hctx_set_bit(hctx, BLK_MQ_S_RERUN);
			if (hctx_test_bit(hctx, BLK_MQ_S_RUNNING))
				return false;	/* the owner sees RERUN before it lets go */
			continue;
		}
		/* after RUNNING is set: blk_mq_quiesce_queue sets its bit, then waits for ours */
		if (hctx_test_bit(hctx, BLK_MQ_S_QUIESCED) || hctx_test_bit(hctx, BLK_MQ_S_STOPPED)) {
			blk_mq_add_dispatch(hctx, &local, false);
			hctx_clear_bit(hctx, BLK_MQ_S_RUNNING);
			/*
			 * An unquiesce (or start) that came while we held RUNNING
			 * left its run to us through RERUN: do it, or the requests
			 * requeued during the quiesce wait on dispatch forever.
			 */
			if (hctx_test_bit(hctx, BLK_MQ_S_RERUN) &&
			    !hctx_test_bit(hctx, BLK_MQ_S_QUIESCED) &&
			    !hctx_test_bit(hctx, BLK_MQ_S_STOPPED))
				continue;
			return false;
		}
		hctx_clear_bit(hctx, BLK_MQ_S_RERUN);
		busy = blk_mq_issue_all(hctx, &local);
		hctx_clear_bit(hctx, BLK_MQ_S_RUNNING);
		if (busy || !hctx_test_bit(hctx, BLK_MQ_S_RERUN))
			return busy;
	}
}

void blk_mq_dispatch_list(struct blk_mq_hw_ctx *hctx, struct list_head *list)
{
	blk_mq_run(hctx, list);
}

void blk_mq_run_hw_queue(struct blk_mq_hw_ctx *hctx)
{
	/* queue_rq never runs in an interrupt handler: defer to kblockd there */
	if (!irqs_enabled()) {
		blk_work_queue(&hctx->run_work);
		return;
	}
	preempt_disable();
	blk_mq_run(hctx, NULL);
	preempt_enable();
}

/* kblockd: a deferred run; again in 1 ms while the driver stays busy */
static bool blk_mq_run_work(struct blk_work *work)
{
	struct blk_mq_hw_ctx *hctx = container_of(work, struct blk_mq_hw_ctx, run_work);
	bool busy;

	preempt_disable();
	busy = blk_mq_run(hctx, NULL);
	preempt_enable();
	return busy;
}

void blk_mq_stop_hw_queue(struct blk_mq_hw_ctx *hctx)
{
	hctx_set_bit(hctx, BLK_MQ_S_STOPPED);
}

void blk_mq_start_hw_queue(struct blk_mq_hw_ctx *hctx)
{
	hctx_clear_bit(hctx, BLK_MQ_S_STOPPED);
	blk_mq_run_hw_queue(hctx);
}

/* --- submission ------------------------------------------------------------ */

static int blk_mq_poll_hctx(struct blk_mq_hw_ctx *hctx);

/*
 * Wait until a tag is free on *hctxp; preemption off on entry and on
 * return, with *hctxp and *ctxp the queue the tag is from and a software
 * queue of the submitter. A drain (blk_mq_hotplug.c) knows that no submitter still holds
 * an old map between reading it and taking a tag without sleeping, but a
 * sleeper may wake on a queue that went INACTIVE meanwhile: it gives the
 * tag back and takes one on its ctx's new map. The tag was taken with a
 * locked instruction (a full barrier) and the drain sets INACTIVE with one
 * before it counts busy tags: it sees our tag, or we see its bit. On a
 * poll queue it polls instead of sleeping (below).
 */
static __always_inline struct request *blk_mq_wait_tag(struct request_queue *q, struct blk_plug *plug,
				       struct blk_mq_hw_ctx **hctxp, struct blk_mq_ctx **ctxp)
{
	struct blk_mq_hw_ctx *hctx = *hctxp;
	struct blk_mq_ctx *ctx = *ctxp;
	enum hctx_type type = hctx->type;
	struct request *rq = NULL;

	while (!rq) {
		preempt_enable();
		/* our own plug may hold the tags we wait for */
		if (plug)
			blk_flush_plug(plug);
		/* hctx stays valid: our count in ctx keeps a resize from starting */
		if (type == HCTX_TYPE_POLL) {
			/*
			 * A polled request ends only when someone polls its queue:
			 * asleep here, we would wait for completions nobody reaps
			 * (until the timeout handler found them, 30 s later). Reap
			 * them ourselves until a tag is free.
			 */
			while (!(rq = blk_mq_get_tag(hctx, ctx)))
				if (!blk_mq_poll_hctx(hctx))
					cpu_relax();
		} else {
			io_wait_event(hctx->tags->wait, (rq = blk_mq_get_tag(hctx, ctx)) != NULL);
			/*
			 * A put may have spent its wake-up on us while we were
			 * taking a tag on our own: pass it on, or a sleeper
			 * could miss a free tag.
			 */
			if (!list_empty(&hctx->tags->wait.waiters))
				wake_up_one(&hctx->tags->wait);
		}
		preempt_disable();
		if (likely(!hctx_test_bit(hctx, BLK_MQ_S_INACTIVE)))
			break;
		blk_mq_put_tag(hctx, rq);
		/* we may be on another CPU now; preemption off: the drain waits for us */
		ctx = blk_mq_ctx_of(q, this_cpu_id());
		hctx = READ_ONCE(ctx->hctxs[type]);
		rq = blk_mq_get_tag(hctx, ctx);
	}
	*hctxp = hctx;
	*ctxp = ctx;
	return rq;
}

/* The body of blk_mq_submit_piece and of its traced twin (TAG stamped). */
static __always_inline void __blk_mq_submit_piece(struct request_queue *q, struct bio *bio,
						  const struct blk_piece *p, const bool traced)
{
	bool can_sleep = irqs_enabled() && preempt_count() == 0 && !(bio->flags & REQ_NOWAIT);
	/* an interrupt handler must not touch the plug (or io_context) of the thread it interrupted */
	struct thread *self = irqs_enabled() ? current_thread() : NULL;
	struct blk_plug *plug = self ? self->plug : NULL;
	enum hctx_type type = HCTX_TYPE_DEFAULT;
	struct blk_mq_hw_ctx *hctx;
	struct blk_mq_ctx *ctx;
	struct request *rq;

	preempt_disable();
	ctx = blk_queue_enter(q, can_sleep);
	if (unlikely(!ctx)) {
		preempt_enable();
		blk_bio_end_piece(bio, READ_ONCE(q->dead) ? -ENODEV : -EAGAIN);
		return;
	}
	/* entered: the layout cannot change under us now */
	if ((bio->flags & REQ_POLLED) && ctx->hctxs[HCTX_TYPE_POLL])
		type = HCTX_TYPE_POLL;
	/*
	 * A CPU going or coming may switch the map (blk_mq_hotplug.c): one
	 * load, the old hctx or the new; the switch waits until no CPU is
	 * between this load and its tag (preemption is off).
	 */
	hctx = ctx->hctxs[type];
	rq = blk_mq_get_tag(hctx, ctx);
	if (unlikely(!rq) && plug && plug->count && (bio->flags & REQ_NOWAIT)) {
		/*
		 * The submitter's own plug may hold the tags: issue it (that
		 * does not sleep) and look once more before saying -EAGAIN.
		 */
		blk_flush_plug(plug);
		rq = blk_mq_get_tag(hctx, ctx);
	}
	if (unlikely(!rq)) {
		if (!can_sleep) {
			blk_queue_exit(q);
			preempt_enable();
			blk_bio_end_piece(bio, -EAGAIN);
			return;
		}
		rq = blk_mq_wait_tag(q, plug, &hctx, &ctx);
	}
	blk_local_inc(&ctx->submitted);
	__atomic_fetch_add(&hctx->queued, 1, __ATOMIC_RELAXED);

	rq->q = q;
	rq->hctx = hctx;
	rq->ctx = ctx;
	rq->op = bio->op;
	rq->flags = type == HCTX_TYPE_POLL ? bio->flags : bio->flags & ~REQ_POLLED;
	rq->ioprio = bio->ioprio;
	if (!rq->ioprio && self) {
		/* none of its own: the submitter's, its io_context made on its first I/O */
		struct io_context *ioc = ioc_current(self);

		if (likely(ioc))
			rq->ioprio = READ_ONCE(ioc->ioprio);
	}
	rq->sector = p->sector;
	rq->nr_bytes = p->nr_bytes;
	rq->nr_phys_segments = p->nr_segs;
	rq->vecs = p->vecs;
	rq->vcnt = p->vcnt;
	rq->vec_offset = p->vec_offset;
	rq->bio = bio;
	rq->status = 0;
	rq->elv_private = NULL;
	if (traced)
		blk_trace_rq(rq, BLK_TRACE_TAG);

	if (plug) {
		list_add_tail(&rq->queuelist, &plug->requests);
		if (++plug->count >= BLK_PLUG_MAX_REQUESTS) {
			preempt_enable();
			blk_flush_plug(plug);
			return;
		}
	} else {
		LIST_HEAD(list);

		list_add_tail(&rq->queuelist, &list);
		blk_queue_enter_nested(ctx);
		if (q->elevator) {
			blk_mq_sched_insert(hctx, &list);
			blk_mq_run(hctx, NULL);
		} else {
			blk_mq_run(hctx, &list);
		}
		blk_queue_exit(q);
	}
	preempt_enable();
}

void blk_mq_submit_piece(struct request_queue *q, struct bio *bio, const struct blk_piece *p)
{
	__blk_mq_submit_piece(q, bio, p, false);
}

void blk_mq_submit_piece_traced(struct request_queue *q, struct bio *bio, const struct blk_piece *p)
{
	__blk_mq_submit_piece(q, bio, p, true);
}

void blk_mq_flush_plug_list(struct list_head *list)
{
	preempt_disable();
	while (!list_empty(list)) {
		struct blk_mq_hw_ctx *hctx = list_first_entry(list, struct request, queuelist)->hctx;
		struct request *rq, *next;
		LIST_HEAD(batch);

		/* one batch per hardware queue, in submission order */
		list_for_each_entry_safe(rq, next, list, queuelist)
			if (rq->hctx == hctx)
				list_move_tail(&rq->queuelist, &batch);
		blk_queue_enter_nested(blk_mq_ctx_of(hctx->queue, this_cpu_id()));
		if (hctx->queue->elevator) {
			blk_mq_sched_insert(hctx, &batch);
			blk_mq_run(hctx, NULL);
		} else {
			blk_mq_run(hctx, &batch);
		}
		blk_queue_exit(hctx->queue);
	}
	preempt_enable();
}

/* --- completion ----------------------------------------------------------- */

/* One injected lost completion, if any are asked for (queue <dev> fail_io_timeout=N). */
static bool blk_mq_lose_completion(struct request_queue *q)
{
	u32 left = __atomic_load_n(&q->fail_io_timeout, __ATOMIC_RELAXED);

	while (left)
		if (__atomic_compare_exchange_n(&q->fail_io_timeout, &left, left - 1, false,
						__ATOMIC_RELAXED, __ATOMIC_RELAXED))
			return true;
	return false;
}

/*
 * The CPU ops->complete of rq must run on, when not this one; -1 for here.
 * A polled request stays with its poller (who waits for it right here),
 * and a submitter that has gone offline is not disturbed.
 */
static inline int blk_mq_complete_target(struct request *rq)
{
	/* the submitter's own interrupt first: that is every setting's answer, and the common case */
	unsigned int cpu = this_cpu_id(), home = rq->ctx->cpu, affinity;
	struct cpu *c;

	if (likely(cpu == home))
		return -1;
	affinity = READ_ONCE(rq->q->rq_affinity);
	if (affinity == BLK_RQ_AFFINITY_IRQ)
		return -1;
	if (affinity == BLK_RQ_AFFINITY_CACHE && cpus_share_cache(cpu, home))
		return -1;
	if (rq->hctx->type == HCTX_TYPE_POLL)
		return -1;
	c = cpu_get(home);
	return c && READ_ONCE(c->online) ? (int)home : -1;
}

/*
 * An injected lost completion, when q->hooks asks (queue <dev>
 * fail_io_timeout=N): true when rq is to be forgotten.
 */
static __attribute__((noinline)) bool blk_mq_complete_lost(struct request *rq)
{
	struct request_queue *q = rq->q;

	if (!READ_ONCE(q->fail_io_timeout)) {
		/* used up: off the slow path, unless a new count came meanwhile */
		__atomic_fetch_and(&q->hooks, (u8)~BLK_HOOK_FAIL_IO, __ATOMIC_SEQ_CST);
		if (READ_ONCE(q->fail_io_timeout))
			__atomic_fetch_or(&q->hooks, BLK_HOOK_FAIL_IO, __ATOMIC_SEQ_CST);
		return false;
	}
	return __atomic_load_n(&rq->state, __ATOMIC_ACQUIRE) == REQ_STATE_IN_FLIGHT &&
	       blk_mq_lose_completion(q);
}

void blk_mq_complete_request(struct request *rq)
{
	int target;
	u32 expected = REQ_STATE_IN_FLIGHT;
	u8 hooks = READ_ONCE(rq->q->hooks);

	/*
	 * q->hooks' slow paths: the REAP stamp of a traced queue (with no test
	 * of BLK_HOOK_TRACE: a stamp in an untraced bio is never committed),
	 * lost completions
	 */
	if (unlikely(hooks & BLK_HOOKS_COMPLETE)) {
		blk_trace_rq(rq, BLK_TRACE_REAP);
		if ((hooks & BLK_HOOK_FAIL_IO) && blk_mq_complete_lost(rq))
			return;
	}

	/* once: a late interrupt after a timeout handler ended rq is ignored */
	if (!__atomic_compare_exchange_n(&rq->state, &expected, REQ_STATE_COMPLETE, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
		return;
	target = blk_mq_complete_target(rq);
	if (unlikely(target >= 0)) {
		blk_mq_complete_send(rq, (unsigned int)target);
		return;
	}
	rq->q->tag_set->ops->complete(rq);
}

/*
 * The body of blk_mq_end_request, plain and hooked; the hooked one also runs
 * the scheduler's completed_request and, on a traced queue, stamps
 * COMPLETE and END_IO.
 */
static __always_inline void __blk_mq_end_request(struct request *rq, int status, u8 hooks,
						 const bool hooked)
{
	struct request_queue *q = rq->q;
	struct blk_mq_hw_ctx *hctx = rq->hctx;
	struct bio *bio = rq->bio;

	if (hooked && (hooks & BLK_HOOK_TRACE))
		blk_trace_rq(rq, BLK_TRACE_COMPLETE);
	else if (hooked && bio)
		bio->trace.t0 = 0;	/* stamped before tracing went off: not to be committed */
	rq->status = status;
	if (hooked && (hooks & BLK_HOOK_ELV_DONE)) {
		const struct elevator_type *e = READ_ONCE(q->elevator);

		if (e && e->completed_request)
			e->completed_request(rq);
	}
	__atomic_fetch_add(&hctx->completed, 1, __ATOMIC_RELAXED);
	preempt_disable();
	blk_local_inc(&blk_mq_ctx_of(q, this_cpu_id())->completed);
	preempt_enable();
	rq->bio = NULL;
	__atomic_store_n(&rq->state, REQ_STATE_IDLE, __ATOMIC_RELEASE);
	blk_mq_put_tag(hctx, rq);
	/* rq may belong to someone else from here on */
	if (unlikely(!list_empty(&hctx->dispatch)))
		blk_work_queue(&hctx->run_work);
	/* after this, a freezer may go on and free hctx */
	blk_queue_exit(q);
	if (bio) {
		/* traced now: t0 is set (q->hooks may not be read after the exit) */
		if (hooked && bio->trace.t0)
			blk_bio_end_piece_traced(bio, status);
		else
			blk_bio_end_piece(bio, status);
	}
}

/*
 * Both bodies in one frame: the hooked one out of line cost a second
 * prologue (20 instructions an I/O on a traced queue). The hooked body keeps
 * no value across its calls that the plain one does not (the END_IO choice
 * is the bio's t0, not q->hooks held in a register), so the plain path
 * saves no more registers than it did alone.
 */
void blk_mq_end_request(struct request *rq, int status)
{
	u8 hooks = READ_ONCE(rq->q->hooks);

	if (unlikely(hooks & BLK_HOOKS_END)) {
		__blk_mq_end_request(rq, status, hooks, true);
		return;
	}
	__blk_mq_end_request(rq, status, 0, false);
}

void blk_mq_requeue_request(struct request *rq)
{
	struct blk_mq_hw_ctx *hctx = rq->hctx;
	unsigned long flags;

	__atomic_store_n(&rq->state, REQ_STATE_IDLE, __ATOMIC_RELEASE);
	flags = spin_lock_irqsave(&hctx->lock);
	list_add_tail(&rq->queuelist, &hctx->dispatch);
	spin_unlock_irqrestore(&hctx->lock, flags);
	blk_work_queue(&hctx->run_work);
}

/* --- polling ---------------------------------------------------------------- */

static int blk_mq_poll_hctx(struct blk_mq_hw_ctx *hctx)
{
	return hctx->queue->tag_set->ops->poll(hctx);
}

int blk_mq_poll(struct request_queue *q)
{
	struct blk_mq_hw_ctx *hctx;
	struct blk_mq_ctx *ctx;
	int found = 0;

	if (!q->poll_enabled)
		return 0;
	preempt_disable();
	ctx = blk_queue_enter(q, false);
	if (ctx) {
		hctx = ctx->hctxs[HCTX_TYPE_POLL];
		if (hctx)
			found = blk_mq_poll_hctx(hctx);
		blk_queue_exit(q);
	}
	preempt_enable();
	return found;
}

static int blk_mq_poll_every_hctx(struct request_queue *q)
{
	int found = 0;

	for (unsigned int i = 0; i < q->nr_hw_queues; i++)
		if (q->hctxs[i]->type == HCTX_TYPE_POLL)
			found += blk_mq_poll_hctx(q->hctxs[i]);
	return found;
}

int blk_mq_poll_all(struct request_queue *q)
{
	int found = blk_mq_poll(q);

	if (found || !q->poll_enabled)
		return found;
	/* the submitter may have moved to another CPU since it issued */
	preempt_disable();
	if (blk_queue_enter(q, false)) {
		found = blk_mq_poll_every_hctx(q);
		blk_queue_exit(q);
		preempt_enable();
		return found;
	}
	preempt_enable();
	/*
	 * Frozen: a freezer may be waiting for the very request we poll for,
	 * so poll anyway. The hctxs are only rebuilt under config_lock, which
	 * the rebuilders take after their freeze is complete.
	 */
	mutex_lock(&q->config_lock);
	found = blk_mq_poll_every_hctx(q);
	mutex_unlock(&q->config_lock);
	return found;
}

void blk_mq_poll_until(struct request_queue *q, const unsigned int *done)
{
	while (!READ_ONCE(*done))
		if (!blk_mq_poll_all(q))
			cpu_relax();
}

/* --- tag sets, queues, hardware contexts --------------------------------------- */

void blk_mq_update_queue_maps(struct blk_mq_tag_set *set)
{
	unsigned int nr_default = set->nr_hw_queues - set->nr_poll_queues;

	set->nr_maps = set->nr_poll_queues ? 2 : 1;
	set->map[HCTX_TYPE_DEFAULT].nr_queues = nr_default;
	set->map[HCTX_TYPE_DEFAULT].queue_offset = 0;
	set->map[HCTX_TYPE_POLL].nr_queues = set->nr_poll_queues;
	set->map[HCTX_TYPE_POLL].queue_offset = nr_default;
	if (set->ops->map_queues) {
		set->ops->map_queues(set);
		return;
	}
	/* over the active CPUs: one going offline is already out (blk_mq_hotplug.c) */
	for (unsigned int i = 0; i < set->nr_maps; i++)
		blk_mq_map_queues_active(set->map[i].mq_map, nr_cpus, cpu_active_mask.bits,
					 set->map[i].nr_queues, set->map[i].queue_offset);
}

int blk_mq_alloc_tag_set(struct blk_mq_tag_set *set)
{
	const struct blk_mq_ops *ops = set->ops;
	int err = -ENOMEM;

	if (!ops || !ops->queue_rq || !ops->complete || !set->nr_hw_queues ||
	    set->nr_poll_queues >= set->nr_hw_queues || (set->nr_poll_queues && !ops->poll) ||
	    !set->queue_depth || set->reserved_tags >= set->queue_depth)
		return -EINVAL;
	mutex_init(&set->tag_list_lock);
	INIT_LIST_HEAD(&set->tag_list);
	set->nr_queues = 0;
	/*
	 * Maps made and the set listed under one lock: a CPU going offline
	 * either is out of the active mask the maps are made from, or finds
	 * the set on the list and remaps it (blk_mq_hotplug.c).
	 */
	mutex_lock(&blk_mq_sets_lock);
	blk_mq_update_queue_maps(set);
	set->tags = kcalloc(set->nr_hw_queues, sizeof(*set->tags));
	if (!set->tags)
		goto unlock;
	for (unsigned int i = 0; i < set->nr_hw_queues; i++) {
		set->tags[i] = blk_mq_alloc_tags(set, i);
		if (!set->tags[i])
			goto free_tags;
	}
	list_add_tail(&set->set_link, &blk_mq_sets);
	mutex_unlock(&blk_mq_sets_lock);
	return 0;
free_tags:
	for (unsigned int i = 0; i < set->nr_hw_queues && set->tags[i]; i++)
		blk_mq_free_tags(set->tags[i]);
	kfree(set->tags);
	set->tags = NULL;
unlock:
	mutex_unlock(&blk_mq_sets_lock);
	return err;
}

void blk_mq_free_tag_set(struct blk_mq_tag_set *set)
{
	if (!set->tags)
		return;
	mutex_lock(&blk_mq_sets_lock);
	list_del(&set->set_link);
	mutex_unlock(&blk_mq_sets_lock);
	for (unsigned int i = 0; i < set->nr_hw_queues; i++)
		blk_mq_free_tags(set->tags[i]);
	kfree(set->tags);
	set->tags = NULL;
}

void blk_mq_hctx_cpus(struct blk_mq_tag_set *set, struct blk_mq_hw_ctx *hctx, cpumask_t *cpus)
{
	blk_mq_map_queue_cpus(set->map[hctx->type].mq_map, nr_cpus, hctx->queue_num, cpus->bits);
	/* inactive CPUs sit on some queue's map, but no hctx owns them */
	for (unsigned int w = 0; w < ARRAY_SIZE(cpus->bits); w++)
		cpus->bits[w] &= cpu_active_mask.bits[w];
}

int blk_mq_alloc_hctxs(struct request_queue *q, struct blk_mq_hw_ctx ***out)
{
	struct blk_mq_tag_set *set = q->tag_set;
	unsigned int nr = set->nr_hw_queues, nr_default = nr - set->nr_poll_queues;
	struct blk_mq_hw_ctx **hctxs = kcalloc(nr, sizeof(*hctxs));

	if (!hctxs)
		return -ENOMEM;
	for (unsigned int i = 0; i < nr; i++) {
		struct blk_mq_hw_ctx *hctx = kzalloc(sizeof(*hctx));

		if (!hctx) {
			blk_mq_free_hctxs(q, hctxs, i);
			return -ENOMEM;
		}
		spin_init(&hctx->lock);
		INIT_LIST_HEAD(&hctx->dispatch);
		hctx->queue = q;
		hctx->tags = set->tags[i];
		hctx->type = i < nr_default ? HCTX_TYPE_DEFAULT : HCTX_TYPE_POLL;
		hctx->queue_num = i;
		hctx->tag_shared = q->tag_shared;
		blk_mq_hctx_cpus(set, hctx, &hctx->cpumask);
		blk_work_init(&hctx->run_work, blk_mq_run_work);
		hctxs[i] = hctx;
	}
	*out = hctxs;
	return 0;
}

int blk_mq_init_hctxs(struct request_queue *q, struct blk_mq_hw_ctx **hctxs, unsigned int nr)
{
	const struct blk_mq_ops *ops = q->tag_set->ops;

	if (!ops->init_hctx)
		return 0;
	for (unsigned int i = 0; i < nr; i++) {
		int err = ops->init_hctx(hctxs[i], q->tag_set->driver_data, i);

		if (err) {
			blk_mq_exit_hctxs(q, hctxs, i);
			return err;
		}
	}
	return 0;
}

void blk_mq_exit_hctxs(struct request_queue *q, struct blk_mq_hw_ctx **hctxs, unsigned int nr)
{
	const struct blk_mq_ops *ops = q->tag_set->ops;

	for (unsigned int i = 0; i < nr; i++) {
		blk_work_cancel_sync(&hctxs[i]->run_work);
		if (ops->exit_hctx)
			ops->exit_hctx(hctxs[i], i);
	}
}

void blk_mq_free_hctxs(struct request_queue *q, struct blk_mq_hw_ctx **hctxs, unsigned int nr)
{
	for (unsigned int i = 0; i < nr; i++)
		kfree(hctxs[i]);
	kfree(hctxs);
}

void blk_mq_map_swqueue(struct request_queue *q)
{
	struct blk_mq_tag_set *set = q->tag_set;

	for (unsigned int cpu = 0; cpu < nr_cpus; cpu++) {
		struct blk_mq_ctx *ctx = blk_mq_ctx_of(q, cpu);

		for (unsigned int type = 0; type < HCTX_MAX_TYPES; type++) {
			unsigned int index = set->map[type].mq_map[cpu];

			/* one store each: a submitter reads the old hctx or the new one */
			if (type >= set->nr_maps) {
				WRITE_ONCE(ctx->hctxs[type], NULL);
				continue;
			}
			if (index >= q->nr_hw_queues || q->hctxs[index]->type != type)
				index = set->map[type].queue_offset;	/* a bad driver map */
			WRITE_ONCE(ctx->hctxs[type], q->hctxs[index]);
		}
	}
}

void blk_queue_limits_default(struct queue_limits *lim)
{
	*lim = (struct queue_limits){
		.logical_block_size = 512,
		.physical_block_size = 512,
		.max_sectors = 1024,
		.max_segments = 128,
		.max_segment_size = 65536,
		.seg_boundary_mask = 0xffffffff,
		.dma_alignment = 511,
	};
}

struct request_queue *blk_mq_alloc_queue(struct blk_mq_tag_set *set, void *queuedata)
{
	struct request_queue *q;
	int err = -ENOMEM;

	if (!set->tags)
		return ERR_PTR(-EINVAL);
	q = kzalloc(sizeof(*q));
	if (!q)
		return ERR_PTR(-ENOMEM);
	q->tag_set = set;
	q->queuedata = queuedata;
	blk_queue_limits_default(&q->limits);
	q->nr_requests = set->queue_depth - set->reserved_tags;
	q->poll_enabled = set->nr_poll_queues > 0;
	q->rq_affinity = BLK_RQ_AFFINITY_DEFAULT;
	wait_queue_init(&q->freeze_wait);
	mutex_init(&q->config_lock);
	spin_init(&q->icq_lock);
	INIT_LIST_HEAD(&q->icq_list);
	q->ctxs = kcalloc(nr_cpus, sizeof(*q->ctxs));
	if (!q->ctxs)
		goto free_queue;
	for (unsigned int cpu = 0; cpu < nr_cpus; cpu++) {
		struct blk_mq_ctx *ctx = blk_mq_ctx_of(q, cpu);

		spin_init(&ctx->lock);
		INIT_LIST_HEAD(&ctx->rq_list);
		ctx->cpu = cpu;
		ctx->queue = q;
	}
	err = blk_mq_alloc_hctxs(q, &q->hctxs);
	if (err)
		goto free_queue;
	q->nr_hw_queues = set->nr_hw_queues;
	err = blk_mq_init_hctxs(q, q->hctxs, q->nr_hw_queues);
	if (err)
		goto free_hctxs;
	blk_mq_map_swqueue(q);
	mutex_lock(&set->tag_list_lock);
	list_add_tail(&q->tag_set_link, &set->tag_list);
	set->nr_queues++;
	/* a second queue makes the set shared: the first one too, frozen */
	blk_mq_tag_set_update_shared(set, q);
	mutex_unlock(&set->tag_list_lock);
	blk_timeout_start(q);
	return q;
free_hctxs:
	blk_mq_free_hctxs(q, q->hctxs, q->nr_hw_queues);
free_queue:
	kfree(q->ctxs);
	kfree(q);
	return ERR_PTR(err);
}

void blk_mq_destroy_queue(struct request_queue *q)
{
	struct blk_mq_tag_set *set = q->tag_set;

	WRITE_ONCE(q->dying, true);
	blk_timeout_stop(q);
	blk_mq_freeze_queue(q);
	mutex_lock(&set->tag_list_lock);
	list_del(&q->tag_set_link);
	set->nr_queues--;
	/* frozen: no tag held; our share goes back to the others */
	blk_mq_queue_tag_idle(q, false);
	blk_mq_tag_set_update_shared(set, NULL);
	mutex_unlock(&set->tag_list_lock);
	if (q->elevator && q->elevator->exit)
		q->elevator->exit(q);
	blk_mq_exit_hctxs(q, q->hctxs, q->nr_hw_queues);
	blk_mq_free_hctxs(q, q->hctxs, q->nr_hw_queues);
	blk_trace_free(q);
	kfree(q->ctxs);
	kfree(q);
}

struct blk_mq_hw_ctx *blk_mq_map_hctx(struct request_queue *q, enum hctx_type type,
				      unsigned int cpu)
{
	if (type >= HCTX_MAX_TYPES || cpu >= nr_cpus)
		return NULL;
	return blk_mq_ctx_of(q, cpu)->hctxs[type];
}
