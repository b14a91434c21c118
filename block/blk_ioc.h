/*
 * io-contexts, after Linux's block/blk-ioc.c: the I/O state of a thread (or
 * of threads sharing one, Linux's CLONE_IO), above all its I/O priority,
 * and one io_cq per (io_context, request queue) where an I/O scheduler
 * keeps what it knows of that context on that queue.
 *
 * Life of an io_context: created on a thread's first I/O (or when its
 * priority is first set), shared or inherited when the thread creates
 * another (thread_create_flags, THREAD_CLONE_IO), dropped when the thread
 * exits; the last put frees it, at once when it has no io_cq, else through
 * kblockd (see the lock order below).
 *
 * Life of an io_cq: created by the scheduler on the first request of the
 * context to the queue (ioc_create_icq), found again by a one-entry hint
 * (no lock, no atomic) or a hash on the queue (ioc->lock), and torn down
 * from either side: ioc_clear_queue() when the scheduler leaves the queue
 * (a switch, the queue's destruction: frozen, so no request is inside),
 * and the io_context's release when its last reference goes.
 *
 * Lock order: q->icq_lock, then ioc->lock. The release of an io_context
 * holds ioc->lock and needs each icq's queue lock, against that order: it
 * only trylocks, and backs off (drops ioc->lock, retries) when that fails;
 * since that may spin it never runs in the thread that dropped the last
 * reference but in kblockd.
 *
 * Why the hint needs no lock: a lookup runs in the thread that owns a
 * reference to ioc and has entered q, so neither side can tear the icq of
 * (ioc, q) down under it; the hint's (queue, icq) pair is read under a
 * sequence count so that a pair half-rewritten by another thread of the
 * same context is never believed.
 */
#ifndef BLOCK_BLK_IOC_H
#define BLOCK_BLK_IOC_H

#include "lib/types.h"
#include "lib/list.h"
#include "block/blk_mq.h"
#include "kernel/sched/spinlock.h"
#include "kernel/sched/thread.h"

#define IOC_HASH_SIZE 16

struct io_cq {
	struct request_queue *q;
	struct io_context *ioc;
	struct list_head q_node;	/* in q->icq_list; protected by q->icq_lock */
	struct list_head ioc_node;	/* in ioc->icq_list; protected by ioc->lock */
	struct io_cq *hash_next;	/* in ioc->icq_hash; protected by ioc->lock */
	bool exited;			/* the context's threads are gone; ioc->lock */
	/* the scheduler's view of this context on this queue: its requests */
	u64 nr_requests;		/* changed atomically (a context may be shared) */
	u64 nr_bytes;
};

struct io_context {
	int refcount;			/* atomic: threads, icq'd requests, transient gets */
	int active_ref;			/* atomic: threads that issue I/O through it */
	int nr_tasks;			/* atomic: threads sharing it */
	u8 ioprio;			/* block/ioprio.h; written by ionice, read without lock */
	spinlock_t lock;		/* protects icq_list, icq_hash and hint writes */
	u32 hint_seq;			/* odd while the hint is rewritten */
	struct request_queue *hint_q;	/* the queue of the last icq looked up */
	struct io_cq *hint_icq;
	struct io_cq *icq_hash[IOC_HASH_SIZE];
	struct list_head icq_list;
	struct blk_work release_work;	/* the last put with icqs left: kblockd */
};

struct io_wq_identity_ops;
/* For io_wq_create(): pool work runs under the submitter's io_context. */
extern const struct io_wq_identity_ops ioc_io_wq_identity;

/* Boot: the caches of io_contexts and io_cqs. */
int ioc_init(void);

void ioc_get(struct io_context *ioc);
void ioc_put(struct io_context *ioc);

/*
 * t's io_context, created if it has none (NULL when out of memory); the
 * reference is t's. Any thread may call it for any live thread.
 */
struct io_context *ioc_of_thread(struct thread *t);

/* The calling thread's io_context, created on first use; NULL without memory. */
static inline struct io_context *ioc_current(struct thread *self)
{
	struct io_context *ioc = __atomic_load_n(&self->io_context, __ATOMIC_ACQUIRE);

	return likely(ioc) ? ioc : ioc_of_thread(self);
}

/* The priority a request of thread t without one of its own gets (0: none). */
u8 ioc_thread_ioprio(struct thread *t);
/* Set t's priority (a checked block/ioprio.h value); -ENOMEM. */
int ioc_thread_set_ioprio(struct thread *t, u8 ioprio);

/*
 * child was just created by parent: share parent's io_context (share), or
 * give child a new one with parent's priority when parent set one.
 */
int ioc_thread_fork(struct thread *parent, struct thread *child, bool share);
/* t is going away: it lets go of its io_context (idempotent). */
void ioc_thread_exit(struct thread *t);

/* The io_cq of (ioc, q), or NULL. The caller holds ioc and has entered q. */
struct io_cq *ioc_lookup_icq(struct io_context *ioc, struct request_queue *q);
/* Find or make it; NULL when out of memory. Same conditions. */
struct io_cq *ioc_create_icq(struct io_context *ioc, struct request_queue *q);
/* Tear down every io_cq of q: q is frozen or being destroyed. */
void ioc_clear_queue(struct request_queue *q);
/* io_cqs of q now (for `queue <dev>`). */
unsigned int ioc_queue_icq_count(struct request_queue *q);

/* Objects of the two caches in use, for leak checks. */
unsigned long ioc_count(void);
unsigned long icq_count(void);

#endif
