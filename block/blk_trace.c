/*
 * Per-stage I/O tracing, the kernel half (blk_trace.h): the stamps, each
 * queue's per-CPU rings of records, and the folder that turns records
 * into the per-stage histograms.
 *
 * A stamp is an rdtsc and a few stores into the bio. The record is
 * committed once, on the CPU that ends it (end_io, or the job's reap), by
 * a copy into that CPU's own ring with interrupts off: an interrupt-context
 * completion on the same CPU cannot interleave, and no other CPU writes
 * there. No histogram is touched on the I/O path: a thread folds the rings
 * every millisecond, and readers (`trace show`, bench's table) fold what
 * is left before they read, under blk_trace_lock. A record the writer
 * overwrites before it is folded is counted as dropped; `dump` copies the
 * newest records without a lock and may see one torn, a price for a hot
 * path with no shared cache line.
 *
 * The stamps of a split bio are those of its pieces in turn (the last one
 * wins per stage); a record whose stamps go back in time is counted as
 * rejected, not added.
 */
#include "block/blk_trace.h"
#include "block/blk_mq.h"
#include "kernel/arch/percpu.h"
#include "kernel/arch/x86.h"
#include "kernel/mm/slab.h"
#include "kernel/sched/mutex.h"
#include "kernel/sched/thread.h"
#include "lib/errno.h"
#include "lib/list.h"
#include "lib/string.h"

/*
 * Records a CPU's ring holds (1 MiB): the folder must not fall a ring
 * behind. It wakes every BLK_TRACE_FOLD_NS, but a busy thread on its CPU
 * holds it off for up to a scheduler slice (10 ms: 6000 I/Os at 600k IOPS).
 */
#define BLK_TRACE_FOLD_RING	16384
/*
 * How often the folder empties the rings of traced queues (about 1000 I/Os
 * per CPU at 1M IOPS); a build may set it (docs/blk-trace.md measures the
 * I/O path alone with a folder that never runs in the run's time).
 */
#ifndef BLK_TRACE_FOLD_NS
#define BLK_TRACE_FOLD_NS	1000000ULL
#endif
/*
 * The folder's CPU: the last one; a build may set it (docs/blk-trace.md
 * measures the fold's cost with the folder on the bench job's CPU 0, where
 * -icount counts every instruction of it in the job's cycles).
 */
#ifndef BLK_TRACE_FOLD_CPU
#define BLK_TRACE_FOLD_CPU	(nr_cpus - 1)
#endif

/*
 * One CPU's share of a queue's trace: the ring its I/Os' records are
 * pushed into (that CPU only, interrupts off), nothing else on the path.
 */
struct blk_trace_cpu {
	struct blk_trace_ring ring;
	struct blk_trace_rec recs[BLK_TRACE_FOLD_RING];
};

/*
 * A queue's trace, allocated at its first `trace on`, freed with the
 * queue. stats and folded are the folder's and readers', under
 * blk_trace_lock: the histograms of every record folded so far, and per
 * CPU how far its ring has been folded.
 */
struct blk_trace {
	volatile bool on;
	struct blk_trace_cpu *cpu[MAX_CPUS];	/* NULL for CPUs not up at enable */
	/*
	 * The commit's table, no entry NULL: each CPU's ring, or for a CPU
	 * not up at enable the sink, one record that nobody folds (its
	 * records are lost, as they were to a NULL test on the path).
	 */
	struct blk_trace_ring *ring[MAX_CPUS];
	struct blk_trace_ring sink;
	struct blk_trace_rec sink_rec;
	struct blk_trace_stats stats;
	u64 folded[MAX_CPUS];
	struct list_head node;			/* on blk_trace_queues */
};

/* Serialises enable, disable, clear, fold and free (not the stamps). */
static struct mutex blk_trace_lock = MUTEX_INIT(blk_trace_lock);
/* Every queue's trace, on or off (folded until the last record is in), under blk_trace_lock. */
static LIST_HEAD(blk_trace_queues);
static struct thread *blk_trace_folder;

/* Fold every CPU's new records of t into t->stats; blk_trace_lock held. */
static void blk_trace_fold(struct blk_trace *t)
{
	for (unsigned int cpu = 0; cpu < MAX_CPUS; cpu++)
		if (t->cpu[cpu])
			blk_trace_ring_fold(&t->cpu[cpu]->ring, &t->folded[cpu], &t->stats);
}

/*
 * The folder: histogram updates are the bulk of a traced I/O's cost, so
 * the I/O path only pushes records and this thread, every millisecond
 * while some queue is traced, folds them (docs/blk-trace.md).
 */
static int blk_trace_fold_thread(void *arg)
{
	(void)arg;
	for (;;) {
		bool any = false;
		struct blk_trace *t;

		mutex_lock(&blk_trace_lock);
		list_for_each_entry(t, &blk_trace_queues, node) {
			blk_trace_fold(t);
			any = any || t->on;
		}
		mutex_unlock(&blk_trace_lock);
		/* nothing traced: a rare look is enough (readers fold for themselves) */
		thread_sleep_ns(any ? BLK_TRACE_FOLD_NS : 100 * BLK_TRACE_FOLD_NS);
	}
	return 0;
}

static inline bool blk_trace_queue_on(const struct request_queue *q)
{
	return q && q->trace && q->trace->on;
}

/*
 * Push the record of bio, whose last stage was stamped at tsc, into this
 * CPU's ring: the whole of the commit on the I/O path. A record whose last
 * stamp is not within 2^31 cycles after t0 is marked F_LONG (the fold
 * rejects it).
 */
static inline __attribute__((always_inline)) void blk_trace_commit(struct bio *bio, u64 tsc,
								   const bool irqs_on)
{
	struct blk_trace_stamps *s = &bio->trace;
	/* a bio with t0 was submitted to a disk, which has a queue */
	struct blk_trace *t = bio->disk->queue->trace;
	unsigned long flags;

	/*
	 * q->trace may be NULL for a bio whose t0 is stale: submitted while
	 * the key was off (no submit stamp to clear it), ended after it came on
	 */
	if (unlikely(!t))
		goto out;
	if (unlikely((tsc - s->t0) >> 31))
		s->flags |= BLK_TRACE_F_LONG;
	/* known on (a thread's commit): cli and sti, not a save of the flags */
	if (irqs_on)
		irq_disable();
	else
		flags = irq_save();
	blk_trace_ring_push(t->ring[this_cpu_index()], (const struct blk_trace_rec *)s);
	if (irqs_on)
		irq_enable();
	else
		irq_restore(flags);
out:
	s->t0 = 0;
}

void __blk_trace_bio_end_io(struct bio *bio)
{
	/* END_IO is stamped (blk_trace_bio_end_io); now is within cycles of it */
	if (bio->trace.t0)
		blk_trace_commit(bio, rdtsc(), false);
	if (bio->end_io)
		bio->end_io(bio);
}

void __blk_trace_bio_job_reap(struct bio *bio)
{
	struct blk_trace_stamps *s = &bio->trace;
	u64 tsc;
	u32 cpu;

	if (!s->t0)
		return;
	tsc = rdtscp(&cpu);
	s->d[BLK_TRACE_JOB_REAP - 1] = (u32)(tsc - s->t0);
	s->cpu[BLK_TRACE_JOB_REAP] = (u8)cpu;
	blk_trace_commit(bio, tsc, true);
}

int blk_trace_queue_rq(struct blk_mq_hw_ctx *hctx, struct request *rq, bool last)
{
	blk_trace_rq(rq, BLK_TRACE_DISPATCH);
	return hctx->queue->tag_set->plain_ops->queue_rq(hctx, rq, last);
}

/*
 * Route q's I/O through the traced twins (blk_trace.h): the completion
 * hooks first, then the set's ops, then submission, so that an I/O
 * stamped at submit finds every later stage traced. blk_trace_lock held.
 */
static void blk_trace_hooks_on(struct request_queue *q)
{
	struct blk_mq_tag_set *set = q->tag_set;

	__atomic_fetch_or(&q->hooks, BLK_HOOK_TRACE, __ATOMIC_SEQ_CST);
	if (!set->trace_queues++) {
		const struct blk_mq_ops *plain = set->ops;

		/* plain_ops stays set from here on: a traced queue_rq may still read it */
		set->plain_ops = plain;
		set->trace_ops = *plain;
		set->trace_ops.queue_rq = plain->queue_rq_traced ? plain->queue_rq_traced
								 : blk_trace_queue_rq;
		__atomic_store_n(&set->ops, &set->trace_ops, __ATOMIC_SEQ_CST);
	}
	if (q->disk)
		__atomic_store_n(&q->disk->submit_bio, blk_trace_submit_bio, __ATOMIC_SEQ_CST);
}

/*
 * The reverse: submission first. An I/O in flight then may end without
 * its last stamps and is not committed (its record is lost, not torn).
 */
static void blk_trace_hooks_off(struct request_queue *q)
{
	struct blk_mq_tag_set *set = q->tag_set;

	if (q->disk)
		__atomic_store_n(&q->disk->submit_bio, NULL, __ATOMIC_SEQ_CST);
	if (!--set->trace_queues)
		__atomic_store_n(&set->ops, set->plain_ops, __ATOMIC_SEQ_CST);
	__atomic_fetch_and(&q->hooks, (u8)~BLK_HOOK_TRACE, __ATOMIC_SEQ_CST);
}

int blk_trace_enable(struct request_queue *q)
{
	int err = 0;

	/* a stamp is one rdtscp: the TSC and the CPU (IA32_TSC_AUX) */
	if (!cpu_has_rdtscp)
		return -ENOTSUP;
	mutex_lock(&blk_trace_lock);
	if (!blk_trace_folder) {
		blk_trace_folder = thread_create("blk_trace_fold", blk_trace_fold_thread, NULL);
		if (!blk_trace_folder) {
			err = -ENOMEM;
			goto out;
		}
		/*
		 * On the last CPU, away from CPU 0 where the shell and bench's
		 * first job run: its work is real, but not the traced I/O's
		 * (hotplug moves it if that CPU goes offline).
		 */
		if (nr_cpus > 1)
			thread_bind(blk_trace_folder, BLK_TRACE_FOLD_CPU);
		thread_start(blk_trace_folder);
	}
	if (!q->trace) {
		struct blk_trace *t = kzalloc(sizeof(*t));

		if (!t) {
			err = -ENOMEM;
			goto out;
		}
		blk_trace_stats_init(&t->stats);
		for (unsigned int cpu = 0; cpu < nr_cpus; cpu++) {
			t->cpu[cpu] = kmalloc(sizeof(*t->cpu[cpu]));
			if (!t->cpu[cpu]) {
				err = -ENOMEM;
				goto free_cpus;
			}
			blk_trace_ring_init(&t->cpu[cpu]->ring, t->cpu[cpu]->recs,
					    BLK_TRACE_FOLD_RING);
		}
		blk_trace_ring_init(&t->sink, &t->sink_rec, 1);
		for (unsigned int cpu = 0; cpu < MAX_CPUS; cpu++)
			t->ring[cpu] = t->cpu[cpu] ? &t->cpu[cpu]->ring : &t->sink;
		list_add_tail(&t->node, &blk_trace_queues);
		q->trace = t;
		goto enable;
free_cpus:
		for (unsigned int cpu = 0; cpu < nr_cpus; cpu++)
			kfree(t->cpu[cpu]);
		kfree(t);
		goto out;
	}
enable:
	if (!q->trace->on) {
		q->trace->on = true;
		blk_trace_hooks_on(q);
	}
out:
	mutex_unlock(&blk_trace_lock);
	return err;
}

void blk_trace_disable(struct request_queue *q)
{
	mutex_lock(&blk_trace_lock);
	if (q->trace && q->trace->on) {
		q->trace->on = false;
		blk_trace_hooks_off(q);
	}
	mutex_unlock(&blk_trace_lock);
}

bool blk_trace_is_on(const struct request_queue *q)
{
	return blk_trace_queue_on(q);
}

void blk_trace_clear(struct request_queue *q)
{
	mutex_lock(&blk_trace_lock);
	if (q->trace) {
		struct blk_trace *t = q->trace;

		/* what was pushed so far is skipped, not folded; a racing record may survive */
		for (unsigned int cpu = 0; cpu < MAX_CPUS; cpu++)
			if (t->cpu[cpu])
				t->folded[cpu] = __atomic_load_n(&t->cpu[cpu]->ring.head,
								 __ATOMIC_ACQUIRE);
		blk_trace_stats_init(&t->stats);
	}
	mutex_unlock(&blk_trace_lock);
}

bool blk_trace_stats_read(struct request_queue *q, struct blk_trace_stats *out)
{
	bool any = false;

	blk_trace_stats_init(out);
	mutex_lock(&blk_trace_lock);
	if (q->trace) {
		any = true;
		blk_trace_fold(q->trace);
		blk_trace_stats_merge(out, &q->trace->stats);
	}
	mutex_unlock(&blk_trace_lock);
	return any;
}

unsigned int blk_trace_recs_read(struct request_queue *q, struct blk_trace_rec *out,
				 unsigned int max)
{
	unsigned int n = 0;

	mutex_lock(&blk_trace_lock);
	if (q->trace)
		for (unsigned int cpu = 0; cpu < MAX_CPUS && n < max; cpu++)
			if (q->trace->cpu[cpu]) {
				unsigned int want = min(max - n, (unsigned int)BLK_TRACE_RING_SIZE);

				n += blk_trace_ring_copy(&q->trace->cpu[cpu]->ring, out + n, want);
			}
	mutex_unlock(&blk_trace_lock);
	blk_trace_recs_sort(out, n);
	return n;
}

void blk_trace_free(struct request_queue *q)
{
	struct blk_trace *t;

	blk_trace_disable(q);
	mutex_lock(&blk_trace_lock);
	t = q->trace;
	q->trace = NULL;
	if (t)
		list_del(&t->node);
	mutex_unlock(&blk_trace_lock);
	if (!t)
		return;
	for (unsigned int cpu = 0; cpu < MAX_CPUS; cpu++)
		kfree(t->cpu[cpu]);
	kfree(t);
}
