/*
 * io-wq: kernel worker pools in the shape of Linux's io_uring io-wq
 * (docs/io-wq.md). Work that would block its submitter (a tag that is not
 * there, a frozen queue, a flush) is handed to a pool, whose workers run it
 * blocking, under the submitter's identity, and post the result wherever
 * the work says.
 *
 * A pool has one part per memory node (one here) and in each two accounts:
 * BOUND work waits on block I/O and has at most 4 x online CPUs workers by
 * default, UNBOUND work has a maximum of its own. Workers start on demand
 * when work is queued and no worker is free (up to the maximum), park on a
 * free list when idle, and exit after the pool's idle time (5 s) except one
 * fixed worker per pool. A worker that sleeps inside a work item stops
 * counting as running: if work is waiting and no worker is free, another
 * starts (the scheduler calls io_wq_worker_sleeping/running). Items with
 * the same hash run one at a time in queue order (io_wq_list.h).
 */
#ifndef KERNEL_IO_WQ_IO_WQ_H
#define KERNEL_IO_WQ_IO_WQ_H

#include "lib/types.h"
#include "kernel/io_wq/io_wq_list.h"
#include "kernel/sched/cpumask.h"

struct io_wq;
struct thread;

enum io_wq_acct_index {
	IO_WQ_ACCT_BOUND,		/* waits on block I/O */
	IO_WQ_ACCT_UNBOUND,		/* anything else */
	IO_WQ_ACCT_NR,
};

#define IO_WQ_IDLE_NS (5ULL * 1000 * 1000 * 1000)
#define IO_WQ_BOUND_PER_CPU 4		/* default bound maximum: 4 x online CPUs */
#define IO_WQ_UNBOUND_DEFAULT 32	/* default unbound maximum */
#define IO_WQ_MAX_WORKERS 1024		/* the highest maximum one may set */
#define IO_WQ_NAME_MAX 16

/*
 * Who the submitter is, carried by each work item: today its io_context
 * (block/blk_ioc, which also holds its I/O priority). get_current takes a
 * reference on the current thread's identity when work is queued (NULL:
 * none); put drops it after the work ran or was cancelled. A pool without
 * these ops runs work under the worker's own identity.
 */
struct io_wq_identity_ops {
	void *(*get_current)(void);
	void (*put)(void *identity);
};

struct io_wq_params {
	unsigned int max_workers[IO_WQ_ACCT_NR];	/* 0: the default */
	u64 idle_ns;					/* 0: IO_WQ_IDLE_NS */
	const struct io_wq_identity_ops *identity;	/* NULL: none */
};

/* A pool named name (unique, < IO_WQ_NAME_MAX); ERR_PTR(-EEXIST/-EINVAL/-ENOMEM). */
struct io_wq *io_wq_create(const char *name, const struct io_wq_params *params);
/*
 * Cancel everything pending (its fn runs with IO_WQ_WORK_CANCEL), flag and
 * wake what runs, and join every worker. Thread context; the caller makes
 * sure nobody queues work on wq any more.
 */
void io_wq_destroy(struct io_wq *wq);

/*
 * Queue work (io_wq_work_init, optionally io_wq_work_set_hash and the
 * UNBOUND / CONCURRENT flags). Any context; from a thread that may sleep a
 * missing worker is created at once, elsewhere by the pools' creator
 * thread.
 */
void io_wq_enqueue(struct io_wq *wq, struct io_wq_work *work);

/*
 * In a work fn: has work been cancelled (pending and taken off by a cancel,
 * the pool being destroyed, or running and matched by io_wq_cancel_cb)?
 */
bool io_wq_work_cancelled(const struct io_wq_work *work);

enum io_wq_cancel {
	IO_WQ_CANCEL_OK,		/* pending matches removed, their fn ran with CANCEL */
	IO_WQ_CANCEL_RUNNING,		/* a running match got CANCEL and a wake-up */
	IO_WQ_CANCEL_NOTFOUND,
};

/*
 * Cancel the work for which match(work, data) is true: the first match, or
 * all of them. Pending matches are removed and completed (their fn runs
 * with IO_WQ_WORK_CANCEL, in the caller); a running match is marked
 * cancelled on its worker, which gets a wake-up, and finishes on its own.
 * OK wins over RUNNING when both happened. Thread context.
 *
 * match must decide from the item's address and data, never by reading the
 * item: a running item's fn may already have completed it (its memory is
 * then the submitter's again) while its worker has not yet let go of it.
 */
enum io_wq_cancel io_wq_cancel_cb(struct io_wq *wq, bool (*match)(struct io_wq_work *work,
								   void *data),
				  void *data, bool all);

/*
 * Linux's io_uring_register(IORING_REGISTER_IOWQ_MAX_WORKERS): for each
 * account a non-zero max[i] becomes its maximum (1 .. IO_WQ_MAX_WORKERS,
 * else -EINVAL and nothing changes); max[] returns the previous values.
 * Idle workers above a lowered maximum exit.
 */
int io_wq_max_workers(struct io_wq *wq, unsigned int max[IO_WQ_ACCT_NR]);
/* Confine the bound workers to cpus (online ones; -EINVAL if none). */
int io_wq_set_cpus(struct io_wq *wq, const cpumask_t *cpus);

struct io_wq_acct_stats {
	unsigned int max_workers, workers, free, running, blocked;
	unsigned int pending, hashed;
	bool stalled;
	u64 done;			/* items run by a worker */
	u64 cancelled;			/* pending items cancelled */
	u64 cancel_running;		/* running items flagged */
	u64 created, exited;		/* workers */
	/* enqueue -> start of the item, TSC cycles: by a woken free worker, by a new one */
	u64 start_woken_n, start_woken_cycles, start_created_n, start_created_cycles;
};

struct io_wq_stats {
	char name[IO_WQ_NAME_MAX];
	cpumask_t cpus;			/* of the bound workers */
	u64 idle_ns;
	struct io_wq_acct_stats acct[IO_WQ_ACCT_NR];
};

void io_wq_get_stats(struct io_wq *wq, struct io_wq_stats *out);
const char *io_wq_name(const struct io_wq *wq);
/*
 * Call fn for every pool, in creation order, with the pool list locked (so
 * that no pool goes away meanwhile); stops at and returns fn's first
 * non-zero result.
 */
int io_wq_for_each(int (*fn)(struct io_wq *wq, void *arg), void *arg);

/* The scheduler's hooks: a worker thread (t->io_worker set) blocks / runs again. */
void io_wq_worker_sleeping(struct thread *t);
void io_wq_worker_running(struct thread *t);

/* The kernel's own pool, for deferred work that may block ("system"). */
extern struct io_wq *io_wq_system;
/* The creator thread and the system pool; at boot, once threads run. */
int io_wq_init(void);

#endif
