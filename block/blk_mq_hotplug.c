/*
 * blk-mq and CPU hotplug (docs/hotplug.md), as Linux does it: no freeze.
 * Every tag set is listed here; when a CPU leaves or rejoins
 * cpu_active_mask each set's CPU maps are rebuilt over the active CPUs
 * and published to the software queues one pointer at a time (a submitter
 * reads its ctx's hctx once: the old one or the new one). A hardware
 * queue no active CPU maps to any more is marked INACTIVE after the new
 * map is out; once every CPU has been seen outside a preempt-off section
 * (no submitter still holds the old map) the requests it still has are
 * waited for (a sleeper that wakes on it gives its tag back and takes one
 * on the new map); then its interrupt is parked
 * on the boot CPU (Linux shuts a managed interrupt down). Every other
 * queue keeps its requests flowing; only its interrupt is re-aimed at the
 * first CPU it now serves, in flight (ops->aim_hctx). Online: the map is
 * rebuilt, a queue that serves CPUs again loses INACTIVE before any ctx
 * points at it, and the interrupts are re-aimed. This all happens while
 * the leaving CPU still runs, so it never owes a completion when it
 * parks. `mq` reads hctxs under q->config_lock, which the switch holds
 * while it rewrites the masks and pointers, so it never sees a half-built
 * map.
 */
#include "block/blk_internal.h"
#include "kernel/arch/cpu_hotplug.h"
#include "kernel/arch/percpu.h"
#include "kernel/arch/smp.h"
#include "kernel/console/printk.h"
#include "kernel/sched/mutex.h"
#include "kernel/sched/preempt.h"
#include "kernel/sched/thread.h"
#include "kernel/time/time.h"
#include "lib/string.h"

struct mutex blk_mq_sets_lock = MUTEX_INIT(blk_mq_sets_lock);
LIST_HEAD(blk_mq_sets);

#define BLK_MQ_DRAIN_POLL_NS	20000ULL	/* between two looks at a draining queue's tags */
#define BLK_MQ_DRAIN_WARN_NS	(5ULL * 1000000000ULL)
#define BLK_MQ_QUIET_MAX_PAUSE_NS	1000000ULL	/* between two looks at a busy CPU, at most */

/*
 * New CPU masks and ctx pointers for q, under config_lock. A queue that
 * serves CPUs again is made active before a ctx points at it; one that
 * serves none is made inactive after none does (the order a submitter's
 * retry relies on). Returns whether a queue went inactive.
 */
static bool blk_mq_publish_map(struct request_queue *q)
{
	struct blk_mq_tag_set *set = q->tag_set;
	bool went_inactive = false;

	mutex_lock(&q->config_lock);
	for (unsigned int i = 0; i < q->nr_hw_queues; i++) {
		struct blk_mq_hw_ctx *hctx = q->hctxs[i];
		cpumask_t cpus;

		blk_mq_hctx_cpus(set, hctx, &cpus);
		memcpy(&hctx->cpumask, &cpus, sizeof(cpus));
		if (cpumask_weight(&cpus))
			__atomic_fetch_and(&hctx->state, ~(1UL << BLK_MQ_S_INACTIVE), __ATOMIC_SEQ_CST);
	}
	blk_mq_map_swqueue(q);
	for (unsigned int i = 0; i < q->nr_hw_queues; i++) {
		struct blk_mq_hw_ctx *hctx = q->hctxs[i];

		/* a locked RMW: ordered before the drain's look at the tags */
		if (!cpumask_weight(&hctx->cpumask) &&
		    !(__atomic_fetch_or(&hctx->state, 1UL << BLK_MQ_S_INACTIVE, __ATOMIC_SEQ_CST) &
		      (1UL << BLK_MQ_S_INACTIVE)))
			went_inactive = true;
	}
	mutex_unlock(&q->config_lock);
	return went_inactive;
}

struct blk_mq_quiet {
	struct thread *caller;		/* a call on the caller's own CPU runs in it */
	bool quiet;
};

/* In the call-function IPI: was the code it interrupted outside every preempt-off section? */
static void blk_mq_cpu_quiet(void *arg)
{
	struct blk_mq_quiet *q = arg;
	struct thread *cur = current_thread();

	/* a call-function handler does not raise the count: it is the interrupted code's */
	q->quiet = cur == q->caller || cur == this_cpu()->idle || preempt_count() == 0;
}

/*
 * Wait until every online CPU has been seen outside a preempt-off section
 * since the new maps were published (an RCU-sched grace period, one IPI a
 * CPU): a submitter reads its ctx's hctx and takes a tag without sleeping
 * inside one such section, so after this none takes a tag through an old
 * map, and a drain's count of busy tags only goes down (but for sleepers
 * woken on an INACTIVE queue, which give their tag back: blk_mq.c). The
 * fast path pays nothing for it.
 */
static void blk_mq_wait_submitters(void)
{
	struct blk_mq_quiet q = { .caller = current_thread() };
	unsigned int cpu;

	for_each_cpu_in(cpu, &cpu_online_mask) {
		u64 pause = BLK_MQ_DRAIN_POLL_NS;

		q.quiet = false;
		/* -ENXIO: it went offline, and runs nothing */
		while (smp_call_function_single(cpu, blk_mq_cpu_quiet, &q, true) == 0 && !q.quiet) {
			/* back off: each look interrupts the CPU's work */
			thread_sleep_ns(pause);
			pause = min(pause * 2, BLK_MQ_QUIET_MAX_PAUSE_NS);
		}
	}
}

/*
 * Wait until hardware queue index of set has no request: every queue over
 * the set shares its tags and its map, so they all went inactive together.
 * A request in a submitter's plug holds its tag too: the plug is flushed
 * at the submitter's next batch, sleep or exit (as for a freeze).
 */
static void blk_mq_drain_hw_queue(struct blk_mq_tag_set *set, unsigned int index)
{
	struct blk_mq_tags *tags = set->tags[index];
	u64 start = time_ns(), warned = start;

	while (sbitmap_weight(&tags->bitmap)) {
		if (time_ns() - warned > BLK_MQ_DRAIN_WARN_NS) {
			warned = time_ns();
			pr_warn("blk-mq: hardware queue %u still has %u requests after %llu ms\n",
				index, sbitmap_weight(&tags->bitmap),
				(unsigned long long)((warned - start) / 1000000));
		}
		thread_sleep_ns(BLK_MQ_DRAIN_POLL_NS);
	}
}

/* Each interrupt-driven hctx of q at the first CPU it serves, the boot CPU for none. */
static void blk_mq_aim_hctxs(struct request_queue *q)
{
	int (*aim)(struct blk_mq_hw_ctx *hctx, unsigned int cpu) = q->tag_set->ops->aim_hctx;

	if (!aim)
		return;
	for (unsigned int i = 0; i < q->nr_hw_queues; i++) {
		struct blk_mq_hw_ctx *hctx = q->hctxs[i];
		unsigned int cpu = cpumask_weight(&hctx->cpumask) ? cpumask_first(&hctx->cpumask) : 0;
		int err;

		if (hctx->type == HCTX_TYPE_POLL)
			continue;
		err = aim(hctx, cpu);
		if (err)
			pr_err("blk-mq: %s: cannot aim queue %u's interrupt at CPU %u: %d\n",
			       q->disk ? q->disk->name : "queue", i, cpu, err);
	}
}

/* Publish set's new maps; true when one of its hardware queues went inactive. */
static bool blk_mq_remap_publish(struct blk_mq_tag_set *set)
{
	struct request_queue *q;
	bool drain = false;

	mutex_lock(&set->tag_list_lock);
	blk_mq_update_queue_maps(set);
	list_for_each_entry(q, &set->tag_list, tag_set_link)
		if (blk_mq_publish_map(q))
			drain = true;
	mutex_unlock(&set->tag_list_lock);
	return drain;
}

/* Wait for set's inactive hardware queues to empty, then aim every interrupt. */
static void blk_mq_remap_finish(struct blk_mq_tag_set *set, bool drain)
{
	struct request_queue *q;

	mutex_lock(&set->tag_list_lock);
	if (drain && !list_empty(&set->tag_list)) {
		/* a queue's hctx i is inactive in every queue of the set, or in none */
		q = list_first_entry(&set->tag_list, struct request_queue, tag_set_link);
		for (unsigned int i = 0; i < q->nr_hw_queues; i++)
			if (__atomic_load_n(&q->hctxs[i]->state, __ATOMIC_ACQUIRE) &
			    (1UL << BLK_MQ_S_INACTIVE))
				blk_mq_drain_hw_queue(set, i);
	}
	list_for_each_entry(q, &set->tag_list, tag_set_link)
		blk_mq_aim_hctxs(q);
	mutex_unlock(&set->tag_list_lock);
}

/*
 * Remap every set over the active CPUs: every map published first, so
 * that one wait for the submitters (an IPI round per CPU) serves them all.
 */
static void blk_mq_remap_all(void)
{
	struct blk_mq_tag_set *set;
	bool drain = false;

	mutex_lock(&blk_mq_sets_lock);
	list_for_each_entry(set, &blk_mq_sets, set_link)
		set->remap_drain = blk_mq_remap_publish(set);
	list_for_each_entry(set, &blk_mq_sets, set_link)
		drain |= set->remap_drain;
	if (drain)
		blk_mq_wait_submitters();
	list_for_each_entry(set, &blk_mq_sets, set_link)
		blk_mq_remap_finish(set, set->remap_drain);
	mutex_unlock(&blk_mq_sets_lock);
}

static int blk_mq_cpu_down_prepare(unsigned int cpu)
{
	(void)cpu;
	blk_mq_remap_all();
	return 0;
}

static void blk_mq_cpu_online(unsigned int cpu)
{
	(void)cpu;
	blk_mq_remap_all();
}

static const struct cpu_hotplug_callback blk_mq_hotplug_callback = {
	.name = "blk-mq",
	.down_prepare = blk_mq_cpu_down_prepare,
	.online = blk_mq_cpu_online,
};

int blk_mq_hotplug_init(void)
{
	return cpu_hotplug_register(&blk_mq_hotplug_callback);
}
