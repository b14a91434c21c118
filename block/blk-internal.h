/*
 * What the files of the block core share and drivers do not see: blk-core
 * (bios), blk-mq (requests), blk-mq-tag (tags), blk-mq-sched (elevators),
 * blk-mq-freeze (freeze, quiesce, nr_hw_queues), blk-kblockd (deferred
 * work and timeouts) and genhd (disks).
 */
#ifndef BLOCK_BLK_INTERNAL_H
#define BLOCK_BLK_INTERNAL_H

#include "block/blk-mq.h"
#include "kernel/percpu.h"

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

/* --- blk-mq.c --- */

/*
 * One piece of a bio (already checked and split, on the whole disk):
 * becomes one request, issued now or collected in the current plug. May
 * sleep for a tag when called from a thread that can; from atomic context
 * a piece that finds no tag ends with -EAGAIN.
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
/* Dispatch the requests of a plug, one batch per hardware queue. */
void blk_mq_flush_plug_list(struct list_head *list);
/* Issue list (requests of hctx) to the driver; preemption disabled. */
void blk_mq_dispatch_list(struct blk_mq_hw_ctx *hctx, struct list_head *list);
/* Poll every POLL queue of q, this CPU's first; completions found. */
int blk_mq_poll_all(struct request_queue *q);
/* Build (or rebuild) the set's CPU maps from its queue counts. */
void blk_mq_update_queue_maps(struct blk_mq_tag_set *set);
/* Allocate q's hardware contexts over set's current counts, tags and maps. */
int blk_mq_alloc_hctxs(struct request_queue *q, struct blk_mq_hw_ctx ***out);
/* ops->init_hctx each (undone on failure) / ops->exit_hctx each, after its deferred runs. */
int blk_mq_init_hctxs(struct request_queue *q, struct blk_mq_hw_ctx **hctxs, unsigned int nr);
void blk_mq_exit_hctxs(struct request_queue *q, struct blk_mq_hw_ctx **hctxs, unsigned int nr);
void blk_mq_free_hctxs(struct request_queue *q, struct blk_mq_hw_ctx **hctxs, unsigned int nr);
/* Point every CPU's ctx at q's current hctxs. */
void blk_mq_map_swqueue(struct request_queue *q);

/* --- blk-mq-tag.c --- */

struct blk_mq_tags *blk_mq_alloc_tags(struct blk_mq_tag_set *set, unsigned int hctx_index);
void blk_mq_free_tags(struct blk_mq_tags *tags);
/* A request with a free tag of hctx (searching from ctx's hint), or NULL. */
struct request *blk_mq_get_tag(struct blk_mq_hw_ctx *hctx, struct blk_mq_ctx *ctx,
			       bool reserved);
void blk_mq_put_tag(struct blk_mq_hw_ctx *hctx, struct request *rq);
/* Set the usable depth of every tag map of q (without reserved), frozen. */
int blk_mq_tag_resize(struct request_queue *q, unsigned int nr_requests);
/* Visit the requests of hctx that are issued and not complete. */
void blk_mq_tags_busy_iter(struct blk_mq_tags *tags,
			   bool (*fn)(struct request *rq, void *arg), void *arg);

/* --- blk-mq-sched.c --- */

const struct elevator_type *elevator_find(const char *name);
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

/* --- blk-kblockd.c --- */

void blk_work_init(struct blk_work *work, bool (*fn)(struct blk_work *work));
/* Queue work for kblockd (any context); no-op when it is pending. */
void blk_work_queue(struct blk_work *work);
/* Unqueue work and wait until it is not running. Thread context. */
void blk_work_cancel_sync(struct blk_work *work);
int blk_kblockd_init(void);
void blk_timeout_start(struct request_queue *q);
void blk_timeout_stop(struct request_queue *q);

/* --- blk-mq-freeze.c --- */

/* Sum of the requests entered and not ended on every CPU of q. */
u64 blk_queue_in_flight(struct request_queue *q);

/* --- blk-core.c --- */

/* One piece of bio ended with status: the first error sticks, end_io after the last. */
void blk_bio_end_piece(struct bio *bio, int status);
/* Dispatch what plug holds now (before its owner sleeps, or when it is full). */
void blk_flush_plug(struct blk_plug *plug);

#endif
