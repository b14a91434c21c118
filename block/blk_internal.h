/*
 * What the files of the block core share and drivers do not see: blk-core
 * (bios), blk-mq (requests), blk-mq-tag (tags), blk-mq-sched (elevators),
 * blk-mq-freeze (freeze, quiesce, nr_hw_queues), blk-kblockd (deferred
 * work and timeouts) and genhd (disks).
 */
#ifndef BLOCK_BLK_INTERNAL_H
#define BLOCK_BLK_INTERNAL_H

#include "block/blk_mq.h"
#include "kernel/arch/percpu.h"

/* Plugs flush themselves when they hold this many requests (Linux's 32). */
#define BLK_PLUG_MAX_REQUESTS 32
/* Timeout scans run this often; a request times out within one period late. */
#define BLK_TIMEOUT_SCAN_NS 1000000000ULL
#define BLK_DEFAULT_TIMEOUT_NS 30000000000ULL

/* A counter that only its own CPU changes, safe against that CPU's interrupts. */
static inline void blk_local_inc(u64 *counter)
{
	__asm__ volatile("incq %0" : "+m"(*counter));
}

static inline struct blk_mq_ctx *blk_mq_ctx_of(struct request_queue *q, unsigned int cpu)
{
	return &q->ctxs[cpu];
}

static inline bool op_is_write(u8 op)
{
	return op == REQ_OP_WRITE || op == REQ_OP_DISCARD || op == REQ_OP_WRITE_ZEROES;
}

/* --- blk_core.c --- */

/*
 * submit_bio for a bio a stacking driver (dm) remapped in place: it passed
 * submit_bio's checks on the stacked disk, whose limits are no looser than
 * any parent's, and its table put it inside the parent when the table was
 * made, so only what can change since is checked again (the parent's size
 * and read-only flag).
 */
void submit_bio_remapped(struct bio *bio);

/*
 * A bio for blk_rw_sync()'s arguments (checked as it documents), its vectors
 * in bio->vecs (kfree them after the I/O); 0 or a negative errno.
 */
int blk_rw_bio_init(struct bio *bio, struct gendisk *disk, u8 op, u64 sector, void *buf,
		    size_t len, u16 flags);

/* --- blk_mq.c --- */

/*
 * One piece of a bio (already checked and split, on the whole disk):
 * becomes one request, issued now or collected in the current plug. May
 * sleep for a tag when called from a thread that can; from atomic context,
 * or for a REQ_NOWAIT bio, a piece that finds no tag (or a frozen queue)
 * ends with -EAGAIN.
 */
struct blk_piece {
	u64 sector;
	u32 nr_bytes;
	u16 nr_segs;
	struct bio_vec *vecs;
	u16 vcnt;
	u32 vec_offset;
};
void blk_mq_submit_piece(struct request_queue *q, struct bio *bio, const struct blk_piece *p);
/* The same, stamping TAG: a traced disk's (blk_trace_submit_bio). */
void blk_mq_submit_piece_traced(struct request_queue *q, struct bio *bio,
				const struct blk_piece *p);
/* Dispatch the requests of a plug, one batch per hardware queue. */
void blk_mq_flush_plug_list(struct list_head *list);

/*
 * blk_mq_complete.c: run ops->complete(rq) on CPU cpu (online, not this
 * one) from its call-function IPI, batched with other completions for it.
 */
void blk_mq_complete_send(struct request *rq, unsigned int cpu);
/* Issue list (requests of hctx) to the driver; preemption disabled. */
void blk_mq_dispatch_list(struct blk_mq_hw_ctx *hctx, struct list_head *list);
/* Poll every POLL queue of q, this CPU's first; completions found. */
int blk_mq_poll_all(struct request_queue *q);
/*
 * A polled bio's waiter: poll q (blk_mq_poll_all) until *done, a
 * completion's done count, is set. Nothing else reaps a poll queue.
 */
void blk_mq_poll_until(struct request_queue *q, const unsigned int *done);
/* Build (or rebuild) the set's CPU maps from its queue counts. */
void blk_mq_update_queue_maps(struct blk_mq_tag_set *set);
/* The active CPUs hctx serves under set's current maps, into cpus. */
void blk_mq_hctx_cpus(struct blk_mq_tag_set *set, struct blk_mq_hw_ctx *hctx, cpumask_t *cpus);
/* Allocate q's hardware contexts over set's current counts, tags and maps. */
int blk_mq_alloc_hctxs(struct request_queue *q, struct blk_mq_hw_ctx ***out);
/* ops->init_hctx each (undone on failure) / ops->exit_hctx each, after its deferred runs. */
int blk_mq_init_hctxs(struct request_queue *q, struct blk_mq_hw_ctx **hctxs, unsigned int nr);
void blk_mq_exit_hctxs(struct request_queue *q, struct blk_mq_hw_ctx **hctxs, unsigned int nr);
void blk_mq_free_hctxs(struct request_queue *q, struct blk_mq_hw_ctx **hctxs, unsigned int nr);
/* Point every CPU's ctx at q's current hctxs. */
void blk_mq_map_swqueue(struct request_queue *q);

/* --- blk_mq_hotplug.c --- */
/* Every allocated tag set, for the CPU hotplug remap. */
extern struct mutex blk_mq_sets_lock;
extern struct list_head blk_mq_sets;	/* blk_mq_tag_set.set_link; blk_mq_sets_lock */
/* Register blk-mq's CPU hotplug callback (blk_init). */
int blk_mq_hotplug_init(void);

/* --- blk_mq_tag.c --- */

struct blk_mq_tags *blk_mq_alloc_tags(struct blk_mq_tag_set *set, unsigned int hctx_index);
void blk_mq_free_tags(struct blk_mq_tags *tags);
/*
 * A request with a free normal tag of hctx (searching from ctx's hint), or
 * NULL (none free, or hctx at its share of a shared set).
 */
struct request *blk_mq_get_tag(struct blk_mq_hw_ctx *hctx, struct blk_mq_ctx *ctx);
/* A request with a free reserved tag of hctx, or NULL. */
struct request *blk_mq_get_reserved_tag(struct blk_mq_hw_ctx *hctx);
void blk_mq_put_tag(struct blk_mq_hw_ctx *hctx, struct request *rq);
/* Set the usable depth of every tag map of q (without reserved), frozen. */
int blk_mq_tag_resize(struct request_queue *q, unsigned int nr_requests);
/* --- shared tag sets (blk_mq_tag.c, docs/shared_tags.md) --- */
/* hctx is no longer counted among its tags' active queues (no-op when it is not). */
void blk_mq_tag_idle(struct blk_mq_hw_ctx *hctx);
/* Every hctx of q idle; only_unused: only those holding no tag (the timeout scan). */
void blk_mq_queue_tag_idle(struct request_queue *q, bool only_unused);
/*
 * set->nr_queues changed (tag_list_lock held): mark every queue of the set
 * shared when it has several, unshared when one. Queues that change are
 * frozen while they do, except fresh (may be NULL), which has seen no I/O.
 */
void blk_mq_tag_set_update_shared(struct blk_mq_tag_set *set, struct request_queue *fresh);
/* Every hctx of the set was replaced (a rebuild, all frozen): no queue is active. */
void blk_mq_tag_set_reset_active(struct blk_mq_tag_set *set);
/* The tags hctx may hold now, or would get on its next allocation (`mq`). */
unsigned int blk_mq_tag_share(const struct blk_mq_hw_ctx *hctx);
/* Visit the requests of hctx that are issued and not complete. */
void blk_mq_tags_busy_iter(struct blk_mq_tags *tags,
			   bool (*fn)(struct request *rq, void *arg), void *arg);

/* --- blk_mq_sched.c --- */

const struct elevator_type *elevator_find(const char *name);
/* The schedulers (block/iosched/) */
extern const struct elevator_type mq_deadline_elevator;
/* The registered elevators, for `queue` and lsblk: NULL-terminated. */
extern const struct elevator_type *const elevator_list[];
void blk_mq_sched_insert(struct blk_mq_hw_ctx *hctx, struct list_head *list);
/* Move up to max requests from the elevator of hctx onto list; how many. */
unsigned int blk_mq_sched_pull(struct blk_mq_hw_ctx *hctx, struct list_head *list,
			       unsigned int max);
bool blk_mq_sched_has_work(struct blk_mq_hw_ctx *hctx);
/* Switch q to e (NULL: none): what elevator_switch does once it has found e. */
int elevator_switch_type(struct request_queue *q, const struct elevator_type *e);
static inline const char *elevator_name(const struct request_queue *q)
{
	return q->elevator ? q->elevator->name : "none";
}

/* --- blk_kblockd.c --- */

void blk_work_init(struct blk_work *work, bool (*fn)(struct blk_work *work));
/* Queue work for kblockd (any context); no-op when it is pending. */
void blk_work_queue(struct blk_work *work);
/* Unqueue work and wait until it is not running. Thread context. */
void blk_work_cancel_sync(struct blk_work *work);
int blk_kblockd_init(void);
void blk_timeout_start(struct request_queue *q);
void blk_timeout_stop(struct request_queue *q);

/* --- blk_mq_freeze.c --- */

/* Sum of the requests entered and not ended on every CPU of q. */
u64 blk_queue_in_flight(struct request_queue *q);

/* --- blk_core.c --- */

/* One piece of bio ended with status: the first error sticks, end_io after the last. */
void blk_bio_end_piece(struct bio *bio, int status);
/* The same on a traced queue: stamps END_IO and commits the record (or leaves it to the job). */
void blk_bio_end_piece_traced(struct bio *bio, int status);
/* Dispatch what plug holds now (before its owner sleeps, or when it is full). */
void blk_flush_plug(struct blk_plug *plug);

#endif
