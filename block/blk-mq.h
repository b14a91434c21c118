/*
 * blk-mq: the multi-queue block layer, Linux's design for a kernel with
 * nothing else in the way (docs/blk-mq.md).
 *
 *   bio -> split to the limits -> request (a tag from this CPU's hardware
 *   queue) -> this CPU's software queue (ctx) -> I/O scheduler hook ->
 *   hardware queue (hctx) -> ops->queue_rq(last) ... ops->commit_rqs()
 *   interrupt or poll -> blk_mq_complete_request() -> ops->complete() ->
 *   blk_mq_end_request() -> bio->end_io
 *
 * A driver describes its hardware in a struct blk_mq_tag_set (ops, number of
 * hardware queues, depth, per-request driver data size), calls
 * blk_mq_alloc_tag_set() and blk_mq_alloc_queue(), sets the queue limits and
 * attaches the queue to its gendisk. Tags are per hardware queue (a device
 * command id is unique within its queue, as NVMe wants), each an sbitmap
 * with reserved tags below the normal ones.
 *
 * Hot path rules: no allocation per I/O (requests and driver data are
 * preallocated per tag), no global lock, per-CPU software queues, one
 * doorbell per batch (the last flag / commit_rqs).
 *
 * Implemented in block/blk-mq.c (submission, dispatch, completion, freeze),
 * block/blk-mq-tag.c (tags), block/blk-mq-sched.c (the elevator hook and
 * `none`), block/blk-mq-cmd.c (`mq`, `queue`).
 */
#ifndef BLOCK_BLK_MQ_H
#define BLOCK_BLK_MQ_H

#include "lib/types.h"
#include "lib/list.h"
#include "lib/sbitmap.h"
#include "block/bio.h"
#include "block/blkdev.h"
#include "kernel/cpumask.h"
#include "kernel/spinlock.h"
#include "kernel/wait.h"
#include "kernel/timer.h"
#include "kernel/mutex.h"

enum hctx_type {
	HCTX_TYPE_DEFAULT,	/* interrupt-driven */
	HCTX_TYPE_POLL,		/* no interrupt: completed by blk_mq_poll() */
	HCTX_MAX_TYPES,
};

enum blk_eh_timer_return {
	BLK_EH_DONE,		/* the driver completed or will complete the request */
	BLK_EH_RESET_TIMER,	/* give it another timeout period */
};

/* Returned by queue_rq: 0 issued; BLK_STS_RESOURCE try again later; else a negative errno. */
#define BLK_STS_RESOURCE 1

struct request_queue;
struct blk_mq_hw_ctx;
struct blk_mq_tag_set;
struct elevator_type;

/*
 * Work that blk-mq runs later in its own thread (kblockd): a queue run
 * after the driver said busy, a timeout scan. Embedded in the object it
 * works on; queued at most once at a time.
 */
struct blk_work {
	struct list_head link;		/* in kblockd's list; protected by its lock */
	bool (*fn)(struct blk_work *work);	/* true: run it again in 1 ms */
	bool pending;			/* protected by kblockd's lock */
};

struct request {
	struct request_queue *q;
	struct blk_mq_hw_ctx *hctx;
	struct blk_mq_ctx *ctx;		/* the submitting CPU's software queue */
	int tag;			/* unique within hctx; the driver's command id */
	u8 op;				/* enum req_op */
	u16 flags;			/* enum req_flag */
	u8 ioprio;
	u64 sector;			/* on the whole disk, 512-byte units */
	u32 nr_bytes;			/* data bytes (0 for flush; range for discard) */
	u16 nr_phys_segments;		/* hardware segments, within the limits */
	/* the data: nr_bytes from bio's vectors, starting at vecs[0] + vec_offset */
	struct bio_vec *vecs;
	u16 vcnt;
	u32 vec_offset;
	struct bio *bio;		/* the bio this request is a piece of */
	int status;			/* set by blk_mq_end_request */
	u32 state;			/* REQ_STATE_*, changed atomically */
	u64 start_ns;			/* when issued to the driver */
	u64 deadline_ns;		/* timeout */
	struct list_head queuelist;	/* in a plug, ctx or dispatch list */
	void *elv_private;		/* the I/O scheduler's */
	/* the driver's per-request data (tag_set->cmd_size bytes) follows */
};

enum { REQ_STATE_IDLE, REQ_STATE_IN_FLIGHT, REQ_STATE_COMPLETE };

static inline void *blk_mq_rq_to_pdu(struct request *rq)
{
	return rq + 1;
}

static inline struct request *blk_mq_rq_from_pdu(void *pdu)
{
	return (struct request *)pdu - 1;
}

struct blk_mq_ops {
	/*
	 * Issue rq to the hardware. last is false when more requests of the
	 * same batch follow: the driver may then delay its doorbell until a
	 * request with last == true, or commit_rqs().
	 *
	 * Called with preemption disabled, in thread context (the submitter,
	 * or blk-mq's kblockd thread), never from an interrupt handler; at
	 * most one CPU at a time runs queue_rq/commit_rqs of one hctx. It may
	 * complete rq at once (blk_mq_complete_request) and must not sleep.
	 */
	int (*queue_rq)(struct blk_mq_hw_ctx *hctx, struct request *rq, bool last);
	/* Ring the doorbell for requests issued with last == false. */
	void (*commit_rqs)(struct blk_mq_hw_ctx *hctx);
	/* Reap completions of a POLL queue; returns how many were found. */
	int (*poll)(struct blk_mq_hw_ctx *hctx);
	/* Finish rq on the completing CPU: unmap, read status, blk_mq_end_request(). */
	void (*complete)(struct request *rq);
	/* rq passed its deadline. */
	enum blk_eh_timer_return (*timeout)(struct request *rq);
	/* Per hardware queue setup and teardown (the driver's queue pair, vector). */
	int (*init_hctx)(struct blk_mq_hw_ctx *hctx, void *driver_data, unsigned int index);
	void (*exit_hctx)(struct blk_mq_hw_ctx *hctx, unsigned int index);
	/* Per request (per tag) setup of the driver's data, once at allocation. */
	int (*init_request)(struct blk_mq_tag_set *set, struct request *rq, unsigned int hctx_index);
	/* Fill set->map[]; blk_mq_map_queues() spreading is used when NULL. */
	void (*map_queues)(struct blk_mq_tag_set *set);
};

/* For each type: which hardware queue each CPU uses. */
struct blk_mq_queue_map {
	unsigned int mq_map[MAX_CPUS];	/* CPU -> hardware queue index (absolute) */
	unsigned int nr_queues;
	unsigned int queue_offset;	/* first hardware queue of this type */
};

struct blk_mq_tag_set {
	const struct blk_mq_ops *ops;
	unsigned int nr_hw_queues;	/* of every type */
	unsigned int nr_poll_queues;	/* the last ones are POLL queues */
	unsigned int queue_depth;	/* tags per hardware queue, reserved included */
	unsigned int reserved_tags;
	unsigned int cmd_size;		/* driver bytes after each struct request */
	u64 timeout_ns;			/* per request; 0: 30 s */
	void *driver_data;
	struct blk_mq_queue_map map[HCTX_MAX_TYPES];
	unsigned int nr_maps;		/* 1, or 2 with POLL queues */
	/* filled by blk_mq_alloc_tag_set */
	struct blk_mq_tags **tags;	/* per hardware queue */
	struct mutex tag_list_lock;	/* protects tag_list */
	struct list_head tag_list;	/* the queues over this set */
};

struct blk_mq_tags {
	struct sbitmap bitmap;		/* bit n free: tag n unused */
	void *bitmap_mem;
	unsigned int depth, reserved;
	struct request **rqs;		/* tag -> request, preallocated */
	void *rq_mem;
	struct wait_queue wait;		/* threads waiting for a free tag */
};

/* A hardware queue: owned by the CPUs of its cpumask. */
struct blk_mq_hw_ctx {
	spinlock_t lock;		/* protects dispatch */
	struct list_head dispatch;	/* requests the driver pushed back (busy) */
	struct request_queue *queue;
	struct blk_mq_tags *tags;
	enum hctx_type type;
	unsigned int queue_num;		/* index in the tag set */
	cpumask_t cpumask;		/* CPUs mapped to it */
	void *driver_data;		/* the driver's queue (set in init_hctx) */
	unsigned long state;		/* BLK_MQ_S_* bits */
	/* statistics, like /sys/block/X/mq/N/ */
	u64 dispatched, completed, queued;
#define BLK_MQ_MAX_DISPATCH_ORDER 8
	u64 dispatch_batch[BLK_MQ_MAX_DISPATCH_ORDER];	/* batches of 1, 2-3, 4-7, ... */
	struct blk_work run_work;	/* a deferred blk_mq_run_hw_queue */
} __aligned(64);

#define BLK_MQ_S_STOPPED 0		/* the driver said: do not dispatch */
#define BLK_MQ_S_QUIESCED 1		/* blk_mq_quiesce_queue() */
#define BLK_MQ_S_RUNNING 2		/* a CPU is in queue_rq/commit_rqs of this hctx */
#define BLK_MQ_S_RERUN 3		/* work arrived while RUNNING: run once more */

/* A CPU's software queue for one request queue. */
struct blk_mq_ctx {
	spinlock_t lock;
	struct list_head rq_list;	/* for the I/O scheduler, when there is one */
	unsigned int cpu;
	struct blk_mq_hw_ctx *hctxs[HCTX_MAX_TYPES];
	struct request_queue *queue;
	unsigned int tag_hint[HCTX_MAX_TYPES];	/* where this CPU looks for a tag first */
	u64 in_flight;			/* entered and not left; for freeze */
	u64 submitted, completed;
} __aligned(64);

struct request_queue {
	struct blk_mq_tag_set *tag_set;
	struct queue_limits limits;
	struct blk_mq_hw_ctx **hctxs;
	unsigned int nr_hw_queues;
	struct blk_mq_ctx *ctxs;	/* per CPU, indexed by CPU number */
	const struct elevator_type *elevator;	/* NULL: none */
	void *elevator_data;
	unsigned int nr_requests;	/* tags usable per hardware queue */
	bool poll_enabled;		/* POLL queues exist and may be used */
	volatile bool frozen;		/* submitters wait in freeze_wait */
	unsigned int freeze_depth;	/* protected by freeze_wait.lock */
	struct wait_queue freeze_wait;
	struct timer timeout_timer;
	struct blk_work timeout_work;	/* the scan the timer asks kblockd for */
	struct gendisk *disk;
	void *queuedata;		/* the driver's */
	struct mutex sysfs_lock;	/* freeze depth, elevator, nr_requests, hctx rebuilds */
	struct list_head tag_set_link;	/* in tag_set->tag_list */
	bool dying;			/* blk_mq_destroy_queue() has begun */
};

int blk_mq_alloc_tag_set(struct blk_mq_tag_set *set);
void blk_mq_free_tag_set(struct blk_mq_tag_set *set);
/* A queue over set; ERR_PTR on failure. The caller sets q->limits (checked at disk_add). */
struct request_queue *blk_mq_alloc_queue(struct blk_mq_tag_set *set, void *queuedata);
void blk_mq_destroy_queue(struct request_queue *q);

/* From the driver's interrupt or poll path: rq's hardware work is done. */
void blk_mq_complete_request(struct request *rq);
/* From ops->complete (or a driver error path): end rq with status, free its tag. */
void blk_mq_end_request(struct request *rq, int status);
/* Put an issued request back for a later retry (after a controller reset). */
void blk_mq_requeue_request(struct request *rq);
/* Dispatch what is waiting on hctx (after the driver had returned busy). */
void blk_mq_run_hw_queue(struct blk_mq_hw_ctx *hctx);
void blk_mq_stop_hw_queue(struct blk_mq_hw_ctx *hctx);
void blk_mq_start_hw_queue(struct blk_mq_hw_ctx *hctx);
/* Call fn for every in-flight request of the set (timeouts, resets). */
void blk_mq_tagset_busy_iter(struct blk_mq_tag_set *set,
			     bool (*fn)(struct request *rq, void *arg), void *arg);

/* Wait until no request is in flight and block new submitters; nests. */
void blk_mq_freeze_queue(struct request_queue *q);
void blk_mq_unfreeze_queue(struct request_queue *q);
/* No new dispatch to the driver (submissions still queue); for resets. */
void blk_mq_quiesce_queue(struct request_queue *q);
void blk_mq_unquiesce_queue(struct request_queue *q);

/*
 * Change the number of hardware queues of a live device: freeze, tear the
 * old hctxs down through exit_hctx, rebuild tags, hctxs and the CPU maps,
 * init_hctx the new ones, unfreeze. No request is lost or duplicated: the
 * freeze waits for every one in flight. Returns 0 or a negative errno (the
 * old configuration stays on failure).
 */
int blk_mq_update_nr_hw_queues(struct blk_mq_tag_set *set, unsigned int nr_hw_queues,
			       unsigned int nr_poll_queues);

/*
 * Tags usable per hardware queue, reserved ones not counted: 1 ..
 * queue_depth - reserved_tags (-EINVAL otherwise). Freezes the queue.
 */
int blk_mq_set_nr_requests(struct request_queue *q, unsigned int nr);

/* Poll the POLL hardware queue of this CPU; returns completions found. */
int blk_mq_poll(struct request_queue *q);

/* The hardware queue a CPU uses for a type, or NULL. */
struct blk_mq_hw_ctx *blk_mq_map_hctx(struct request_queue *q, enum hctx_type type,
				      unsigned int cpu);

/* The I/O scheduler hook ("elevator"); none is a NULL elevator. */
struct elevator_type {
	const char *name;
	int (*init)(struct request_queue *q);
	void (*exit)(struct request_queue *q);
	void (*insert_requests)(struct blk_mq_hw_ctx *hctx, struct list_head *list);
	struct request *(*dispatch_request)(struct blk_mq_hw_ctx *hctx);
	bool (*has_work)(struct blk_mq_hw_ctx *hctx);
	void (*completed_request)(struct request *rq);
};
int elevator_switch(struct request_queue *q, const char *name);

#endif
