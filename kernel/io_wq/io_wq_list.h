/*
 * The pending-work list of one io-wq account: the pure core of the worker
 * pools (kernel/io_wq/io_wq.h), with no lock and no thread in it, so that
 * the host unit tests drive it with a fake scheduler.
 *
 * Work items are queued in submission order on a singly linked list. Items
 * that carry a hash (IO_WQ_WORK_HASHED, one of IO_WQ_NR_HASH buckets) must
 * run one at a time in the order they were queued: the list keeps the
 * items of one hash next to each other (a new one goes right after the
 * last queued item of its hash, found through hash_tail[]), a hash is
 * "busy" from the moment a worker takes its first item until that item is
 * done, and a busy hash's items are skipped by the other workers. When
 * every pending item belongs to a busy hash the list is "stalled": workers
 * stop looking until an item is queued or a hash is done, as in Linux's
 * io-wq (IO_ACCT_STALLED_BIT).
 *
 * Unlike Linux, a worker takes one item at a time, not the whole run of a
 * hash: every item that has not started stays on the list, where a cancel
 * finds it.
 *
 * Locking: none here; the account's lock protects a struct io_wq_list and
 * the next field of the items on it.
 */
#ifndef KERNEL_IO_WQ_IO_WQ_LIST_H
#define KERNEL_IO_WQ_IO_WQ_LIST_H

#include "lib/types.h"

#define IO_WQ_HASH_ORDER 6
#define IO_WQ_NR_HASH (1U << IO_WQ_HASH_ORDER)

enum io_wq_work_flag {
	IO_WQ_WORK_CANCEL = 1 << 0,	/* cancelled: finish with -ECANCELED, set atomically */
	IO_WQ_WORK_HASHED = 1 << 1,	/* runs after the earlier items of its hash */
	IO_WQ_WORK_UNBOUND = 1 << 2,	/* the unbound account (does not wait on block I/O) */
	IO_WQ_WORK_CONCURRENT = 1 << 3,	/* start a worker for it even if workers are running */
};

struct io_wq_work;

/*
 * Runs the work, in a worker thread, under its submitter's identity; also
 * called, with IO_WQ_WORK_CANCEL set, by whoever cancels the work before
 * it started. It must look at the flag and finish with -ECANCELED then.
 * The work may be freed by fn: the pool does not touch it afterwards.
 */
typedef void (*io_wq_work_fn)(struct io_wq_work *work);

struct io_wq_work {
	struct io_wq_work *next;	/* on the pending list; the account's lock */
	unsigned int flags;		/* enum io_wq_work_flag; CANCEL set atomically */
	unsigned int hash;		/* bucket, with IO_WQ_WORK_HASHED */
	io_wq_work_fn fn;
	void *identity;			/* the submitter's io_context, held by the pool */
	u64 queued_tsc;			/* when it was queued: punt latency */
};

struct io_wq_list {
	struct io_wq_work *first, *last;
	struct io_wq_work *hash_tail[IO_WQ_NR_HASH];	/* last pending item of each hash */
	u64 hash_busy;			/* bit h: an item of hash h is running */
	bool stalled;			/* only items of busy hashes are pending */
	unsigned int nr_pending;	/* items on the list */
	unsigned int nr_hashed;		/* of which hashed */
};

/* Fill in a work item: no flags, no hash. */
void io_wq_work_init(struct io_wq_work *work, io_wq_work_fn fn);
/* Make work hashed on key (any value: a disk, an inode); same key, same bucket. */
void io_wq_work_set_hash(struct io_wq_work *work, u64 key);
static inline bool io_wq_work_is_hashed(const struct io_wq_work *work)
{
	return work->flags & IO_WQ_WORK_HASHED;
}
/* Whether work carries IO_WQ_WORK_CANCEL (a fn asks io_wq_work_cancelled(), which also sees a running cancel). */
static inline bool io_wq_work_cancel_flagged(const struct io_wq_work *work)
{
	return __atomic_load_n(&work->flags, __ATOMIC_ACQUIRE) & IO_WQ_WORK_CANCEL;
}

void io_wq_list_init(struct io_wq_list *list);
/* Queue work (behind the last pending item of its hash); un-stalls the list. */
void io_wq_list_insert(struct io_wq_list *list, struct io_wq_work *work);
/*
 * Take the first item a worker may run now: the first unhashed item, or the
 * first item of a hash that is not busy (that hash becomes busy), whichever
 * comes first. NULL when nothing may run; the list is then stalled if it is
 * not empty.
 */
struct io_wq_work *io_wq_list_take(struct io_wq_list *list);
/*
 * The hashed item taken by io_wq_list_take() is done: its hash is free for
 * the next item. Returns true when that un-stalled the list (a worker
 * should then look again).
 */
bool io_wq_list_hash_done(struct io_wq_list *list, unsigned int hash);
/* Whether a worker looking now would find something to run. */
static inline bool io_wq_list_runnable(const struct io_wq_list *list)
{
	return list->first && !list->stalled;
}
/*
 * Remove pending items for which match(work, data) is true (the first one
 * only unless all), set their IO_WQ_WORK_CANCEL flag and chain them through
 * next onto *cancelled, in queue order; the caller runs their fn outside
 * its lock. Returns how many were removed.
 */
unsigned int io_wq_list_cancel(struct io_wq_list *list,
			       bool (*match)(struct io_wq_work *work, void *data), void *data,
			       bool all, struct io_wq_work **cancelled);

#endif
