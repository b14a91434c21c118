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
 * Implemented in block/blk_mq.c (submission, dispatch, completion, freeze),
 * block/blk_mq_tag.c (tags), block/blk_mq_sched.c (the elevator hook and
 * `none`), block/blk_mq_shell.c (`mq`, `queue`).
 */
#ifndef BLOCK_BLK_MQ_H
#define BLOCK_BLK_MQ_H

#include "lib/types.h"
#include "lib/list.h"
#include "lib/llist.h"
#include "lib/sbitmap.h"
#include "block/bio.h"
#include "block/blkdev.h"
#include "kernel/sched/cpumask.h"
#include "kernel/sched/spinlock.h"
#include "kernel/sched/wait.h"
#include "kernel/time/timer.h"
#include "kernel/sched/mutex.h"
#include "block/blk_trace.h"

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
struct blk_trace;

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
	struct llist_node ipi_node;	/* on the submitter's remote completion list */
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
	/*
	 * Optional: queue_rq's traced twin (docs/blk-trace.md), called
	 * instead while a queue of the set is traced. It stamps DISPATCH
	 * first (blk_trace_rq) and DOORBELL where it rings
	 * (blk_trace_rq_doorbell): one body compiled twice, so that the
	 * untraced one carries no stamp and no test.
	 */
	int (*queue_rq_traced)(struct blk_mq_hw_ctx *hctx, struct request *rq, bool last);
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
	/*
	 * Aim hctx's interrupt at cpu, an online CPU, with requests possibly
	 * in flight (a CPU going offline or coming back, docs/hotplug.md): no
	 * completion may be lost in the switch. A no-op when it is aimed
	 * there already or hctx has no interrupt of its own. NULL: the
	 * driver's interrupts do not follow its queues' CPUs.
	 */
	int (*aim_hctx)(struct blk_mq_hw_ctx *hctx, unsigned int cpu);
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
	/*
	 * The driver's ops; while a queue of the set is traced, &trace_ops
	 * (a copy with queue_rq traced, blk_trace.c) and the driver's are in
	 * plain_ops. Read without a lock: both tables stay valid.
	 */
	const struct blk_mq_ops *ops;
	const struct blk_mq_ops *plain_ops;
	struct blk_mq_ops trace_ops;
	unsigned int trace_queues;	/* traced queues over the set; blk_trace_lock */
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
	unsigned int nr_queues;		/* on tag_list; written under tag_list_lock */
	struct list_head set_link;	/* in blk_mq_sets; blk_mq_sets_lock */
	bool remap_drain;		/* a CPU hotplug remap must drain it; blk_mq_sets_lock */
};

struct blk_mq_tags {
	struct sbitmap bitmap;		/* bit n free: tag n unused */
	void *bitmap_mem;
	unsigned int depth, reserved;
	struct request **rqs;		/* tag -> request, preallocated */
	void *rq_mem;
	struct wait_queue wait;		/* threads waiting for a free tag */
	/*
	 * Queues of a shared set whose hctx over these tags is active (has
	 * allocated since it last went idle): the fair share divides the
	 * depth by it. Changed atomically, only with the hctx's TAG_ACTIVE
	 * bit (blk_mq_tag.c); 0 while the set has one queue.
	 */
	u32 active_queues;
};

/* A hardware queue: owned by the CPUs of its cpumask. */
struct blk_mq_hw_ctx {
	spinlock_t lock;		/* protects dispatch */
	struct list_head dispatch;	/* requests the driver pushed back (busy) */
	struct request_queue *queue;
	struct blk_mq_tags *tags;
	/*
	 * The set has several queues: tags are allocated with the fair-share
	 * check and counted in nr_active. Changed only with the queue frozen
	 * (blk_mq_tag_set_update_shared), so get and put agree on it.
	 */
	bool tag_shared;
	enum hctx_type type;
	unsigned int queue_num;		/* index in the tag set */
	cpumask_t cpumask;		/* CPUs mapped to it */
	void *driver_data;		/* the driver's queue (set in init_hctx) */
	unsigned long state;		/* BLK_MQ_S_* bits */
	/* statistics, like /sys/block/X/mq/N/ */
	u64 dispatched, completed, queued;
	u32 nr_active;			/* tags held, counted only when tag_shared; atomic */
#define BLK_MQ_MAX_DISPATCH_ORDER 8
	u64 dispatch_batch[BLK_MQ_MAX_DISPATCH_ORDER];	/* batches of 1, 2-3, 4-7, ... */
	struct blk_work run_work;	/* a deferred blk_mq_run_hw_queue */
} __aligned(64);

#define BLK_MQ_S_STOPPED 0		/* the driver said: do not dispatch */
#define BLK_MQ_S_QUIESCED 1		/* blk_mq_quiesce_queue() */
#define BLK_MQ_S_RUNNING 2		/* a CPU is in queue_rq/commit_rqs of this hctx */
#define BLK_MQ_S_RERUN 3		/* work arrived while RUNNING: run once more */
/*
 * No online CPU maps to it (its last one went offline): no new request is
 * allocated on it; a submitter that took a tag and then sees the bit gives
 * the tag back and looks at its ctx's map again (blk_mq_hotplug.c).
 */
#define BLK_MQ_S_INACTIVE 4
#define BLK_MQ_S_TAG_ACTIVE 5		/* counted in tags->active_queues (shared set) */

/* A CPU's software queue for one request queue. */
struct blk_mq_ctx {
	spinlock_t lock;
	struct list_head rq_list;	/* for the I/O scheduler, when there is one */
	unsigned int cpu;
	/*
	 * Rewritten one store at a time by a CPU hotplug remap under
	 * q->config_lock (blk_mq_hotplug.c); a submitter reads it once, with
	 * preemption off until it holds its tag.
	 */
	struct blk_mq_hw_ctx *hctxs[HCTX_MAX_TYPES];
	struct request_queue *queue;
	unsigned int tag_hint[HCTX_MAX_TYPES];	/* where this CPU looks for a tag first */
	u64 in_flight;			/* entered and not left; for freeze */
	u64 submitted, completed;
} __aligned(64);

/* q->hooks */
#define BLK_HOOK_TRACE		(1u << 0)	/* traced: reap, complete, end_io stamps */
#define BLK_HOOK_FAIL_IO	(1u << 1)	/* fail_io_timeout may be above 0 */
#define BLK_HOOK_ELV_DONE	(1u << 2)	/* the elevator has completed_request */
#define BLK_HOOKS_COMPLETE	(BLK_HOOK_TRACE | BLK_HOOK_FAIL_IO)
#define BLK_HOOKS_END		(BLK_HOOK_TRACE | BLK_HOOK_ELV_DONE)

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
	volatile bool dead;		/* blk_queue_kill: frozen for good, entering fails */
	unsigned int freeze_depth;	/* protected by freeze_wait.lock */
	struct wait_queue freeze_wait;
	struct timer timeout_timer;
	struct blk_work timeout_work;	/* the scan the timer asks kblockd for */
	struct gendisk *disk;
	void *queuedata;		/* the driver's */
	struct mutex config_lock;	/* freeze depth, elevator, nr_requests, hctx rebuilds */
	struct list_head tag_set_link;	/* in tag_set->tag_list */
	bool tag_shared;		/* as its hctxs' tag_shared; changed frozen */
	bool dying;			/* blk_mq_destroy_queue() has begun */
	/* the io_cqs of this queue (block/blk_ioc.h); icq_lock before any ioc->lock */
	spinlock_t icq_lock;
	struct list_head icq_list;
	/*
	 * Fault injection (Linux's fail_io_timeout, as a count): the next
	 * this many completions are ignored, so their requests time out and
	 * the driver's recovery runs. Changed atomically; 0 in normal use.
	 */
	u32 fail_io_timeout;
	/*
	 * Where ops->complete runs (Linux's rq_affinity): 0 on the CPU that
	 * took the interrupt; 1 on the submitting CPU (ctx->cpu) when that
	 * one does not share a last-level cache with it; 2 always on the
	 * submitting CPU. Read without a lock on every completion.
	 */
	u8 rq_affinity;
	/*
	 * BLK_HOOK_*: the slow paths of completion, tested in one load on
	 * every completion (blk_mq_complete_request, blk_mq_end_request).
	 * Changed atomically.
	 */
	u8 hooks;
	struct blk_trace *trace;	/* per-stage tracing (blk_trace.c); NULL until first on */
};

int blk_mq_alloc_tag_set(struct blk_mq_tag_set *set);
void blk_mq_free_tag_set(struct blk_mq_tag_set *set);
/* A queue over set; ERR_PTR on failure. The caller sets q->limits (checked at disk_add). */
struct request_queue *blk_mq_alloc_queue(struct blk_mq_tag_set *set, void *queuedata);
void blk_mq_destroy_queue(struct request_queue *q);
/* The limits a new queue starts with: 512-byte blocks, 512 KiB requests, 128 segments. */
void blk_queue_limits_default(struct queue_limits *lim);

/*
 * What every blk-mq driver does to make a disk, with one unwind: the tag
 * set allocated (with BLK_DISK_OWN_TAG_SET; else set is already allocated
 * and may be shared by several disks, as NVMe namespaces share their
 * controller's), a queue over it for queuedata with lim (NULL: the
 * defaults), and disk registered on it (disk_add). The caller fills in the
 * disk's name, driver, capacity, read_only and private_data first. Returns
 * 0, or an errno with everything made here undone.
 */
#define BLK_DISK_OWN_TAG_SET	(1U << 0)	/* the disk owns set: freed with it */
int blk_mq_create_disk(struct gendisk *disk, struct blk_mq_tag_set *set,
		       const struct queue_limits *lim, void *queuedata, unsigned int flags);
/*
 * Undo blk_mq_create_disk: disk_del (new I/O fails, in-flight I/O ends,
 * the registry lets go). The queue and an owned set are freed, and
 * disk->free_disk called, by the last disk_put: at once when nobody holds
 * the disk open, else when its last user leaves (docs/blk_lifetime.md).
 */
void blk_mq_destroy_disk(struct gendisk *disk);

/* request_queue.rq_affinity */
enum {
	BLK_RQ_AFFINITY_IRQ,		/* 0: where the interrupt came */
	BLK_RQ_AFFINITY_CACHE,		/* 1: a CPU sharing the submitter's last-level cache */
	BLK_RQ_AFFINITY_FORCE,		/* 2: the submitting CPU itself */
	BLK_RQ_AFFINITY_MAX = BLK_RQ_AFFINITY_FORCE,
};
/* what a new queue starts with (docs/rq_affinity.md says why) */
#define BLK_RQ_AFFINITY_DEFAULT BLK_RQ_AFFINITY_FORCE

/*
 * From the driver's interrupt or poll path: rq's hardware work is done.
 * ops->complete runs here, or on the submitting CPU by IPI as
 * q->rq_affinity says.
 */
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
/*
 * The disk is going (disk_del): from now on entering q fails (I/O ends
 * with -ENODEV); returns once every request entered before has ended.
 */
void blk_queue_kill(struct request_queue *q);
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
 * queue_depth - reserved_tags (-EINVAL otherwise). The tag maps are the
 * set's, so every queue of a shared set gets it; freezes them all.
 */
int blk_mq_set_nr_requests(struct request_queue *q, unsigned int nr);

/* Poll the POLL hardware queue of this CPU; returns completions found. */
int blk_mq_poll(struct request_queue *q);

/* The hardware queue a CPU uses for a type, or NULL. */
struct blk_mq_hw_ctx *blk_mq_map_hctx(struct request_queue *q, enum hctx_type type,
				      unsigned int cpu);

/*
 * A tunable of a scheduler, like /sys/block/X/queue/iosched/<name>: a number
 * in min .. max (unit says what it counts); store runs under q->config_lock
 * with the value already checked against the range.
 */
struct elv_attr {
	const char *name;
	const char *unit;		/* "ms", "requests", "bool", ... */
	u64 min, max;
	u64 (*show)(struct request_queue *q);
	int (*store)(struct request_queue *q, u64 value);
};

/* What a scheduler counted for one priority class (`queue <dev>`, --json). */
struct elv_class_stats {
	const char *name;		/* "rt", "be", "idle" */
	u64 queued;			/* waiting in the scheduler now */
	u64 in_driver;			/* dispatched, not completed, now */
	u64 inserted, merged, dispatched, completed;	/* since attached */
};

/* The I/O scheduler hook ("elevator"); none is a NULL elevator. */
struct elevator_type {
	const char *name;
	int (*init)(struct request_queue *q);
	void (*exit)(struct request_queue *q);
	void (*insert_requests)(struct blk_mq_hw_ctx *hctx, struct list_head *list);
	struct request *(*dispatch_request)(struct blk_mq_hw_ctx *hctx);
	bool (*has_work)(struct blk_mq_hw_ctx *hctx);
	/* rq->status is set; runs where the request ends (may be interrupt context) */
	void (*completed_request)(struct request *rq);
	const struct elv_attr *attrs;
	unsigned int nr_attrs;
	/* fill up to max entries of out; how many classes there are */
	unsigned int (*class_stats)(struct request_queue *q, struct elv_class_stats *out,
				    unsigned int max);
};
int elevator_switch(struct request_queue *q, const char *name);
/* The tunable name of e, or NULL. */
const struct elv_attr *elevator_attr_find(const struct elevator_type *e, const char *name);
/* Set a tunable of q's scheduler, which must still be e: -EINVAL out of range, -EBUSY switched. */
int elevator_attr_set(struct request_queue *q, const struct elevator_type *e,
		      const struct elv_attr *attr, u64 value);

#endif
