/*
 * mq-deadline's decisions, without the block layer: which queued request
 * goes to the driver next, and which two queued requests may become one.
 * block/iosched/mq_deadline.c wraps it around real requests, one instance
 * per hardware queue under that queue's scheduler lock; the host unit test
 * drives it with a fake clock (tests/unit/block/iosched/test_dd_core.c).
 *
 * The model is Linux's mq-deadline (docs/ioprio.md):
 *   - per priority class (RT, BE, IDLE) and per direction (read, write) a
 *     list sorted by sector and a FIFO list by insertion, each request
 *     with an expiry time (read_expire / write_expire after insertion);
 *   - a class is served only while no higher class has requests queued or
 *     at the driver, so RT goes before BE before IDLE, except that a
 *     request of a lower class waiting longer than prio_aging_expire is
 *     served first (nothing starves forever);
 *   - within a class, batches of up to fifo_batch requests in one
 *     direction walk the sorted list upwards; a new batch starts at the
 *     oldest request when its expiry passed, reads are preferred but a
 *     waiting write is taken after writes_starved read batches;
 *   - a request inserted next to a queued one of the same class and
 *     direction is merged into it (back merge: it starts where the queued
 *     one ends; front merge, when front_merges is set: it ends where the
 *     queued one starts) if the caller's merge callback agrees.
 * stork adds hw_depth: when non-zero, no more than that many requests are
 * at the driver at once, so that the rest wait here where their class is
 * honoured (a device shallower than the load; 0 leaves the depth to tags).
 * And a reservation for the higher classes: for prio_idle after a higher
 * class last had a request queued, dispatched or completed, the lower
 * classes may hold at most low_prio_depth requests at the driver (0: a
 * quarter of hw_depth, or of the queue's depth, at least 1), so that the
 * next request of an iodepth-1 RT reader finds a free slot and waits
 * behind a few lower requests in the device, not behind a full queue of
 * them. prio_idle 0 turns it off (Linux's behaviour).
 *
 * Not thread-safe: the caller serialises every call on one dd_core.
 */
#ifndef BLOCK_IOSCHED_DD_CORE_H
#define BLOCK_IOSCHED_DD_CORE_H

#include "lib/types.h"
#include "lib/list.h"

enum dd_dir { DD_READ, DD_WRITE, DD_DIR_COUNT };

/* Served in this order; the I/O priority class maps onto it (dd_prio_of_class). */
enum dd_prio { DD_RT_PRIO, DD_BE_PRIO, DD_IDLE_PRIO, DD_PRIO_COUNT };

/* Linux's defaults (block/mq-deadline.c), in nanoseconds. */
#define DD_READ_EXPIRE_NS	500000000ULL		/* HZ / 2 */
#define DD_WRITE_EXPIRE_NS	5000000000ULL		/* 5 * HZ */
#define DD_PRIO_AGING_NS	10000000000ULL		/* 10 * HZ */
#define DD_FIFO_BATCH		16
#define DD_WRITES_STARVED	2
#define DD_PRIO_IDLE_NS		10000000ULL		/* stork's: 10 ms, as BFQ's idle slice */

struct dd_tunables {
	u64 read_expire_ns;
	u64 write_expire_ns;
	u64 prio_aging_expire_ns;
	u32 fifo_batch;		/* requests per batch, >= 1 */
	u32 writes_starved;	/* read batches a waiting write lets pass */
	u32 hw_depth;		/* 0: no limit; else requests at the driver at most */
	u64 prio_idle_ns;	/* 0: no reservation for the higher classes */
	u32 low_prio_depth;	/* lower classes' requests at the driver while reserved; 0 auto */
	bool front_merges;
};

/* A request as the scheduler sees it; embedded in the caller's per-request data. */
struct dd_rq {
	struct list_head sort;	/* in its class's sorted list of its direction */
	struct list_head fifo;	/* in its class's FIFO list of its direction */
	u64 sector;
	u32 nr_sectors;
	u64 insert_ns;		/* for aging */
	u64 expire_ns;		/* for the FIFO deadline */
	u8 dir;			/* enum dd_dir */
	u8 prio;		/* enum dd_prio */
};

/* Per class, counters since the scheduler was attached (shown by `queue <dev>`). */
struct dd_class_stats {
	u64 inserted;		/* requests handed in, merged ones included */
	u64 merged;		/* of those, merged into another request */
	u64 dispatched;
	u64 completed;
};

struct dd_class {
	struct list_head sort[DD_DIR_COUNT];
	struct list_head fifo[DD_DIR_COUNT];
	/* where the current batch of this class goes on in each direction, or NULL */
	struct dd_rq *next[DD_DIR_COUNT];
	u32 queued;		/* in the lists */
	u32 in_driver;		/* dispatched and not completed */
	u64 reserve_until_ns;	/* lower classes are held to low_prio_depth until then */
	struct dd_class_stats stats;
};

struct dd_core {
	struct dd_class cls[DD_PRIO_COUNT];
	struct dd_tunables tun;
	u8 last_dir;		/* direction of the current batch */
	u32 batching;		/* requests of the current batch so far */
	u32 starved;		/* read batches chosen while writes waited */
	u32 in_driver;		/* all classes */
	u32 depth;		/* the queue's depth, for the automatic low_prio_depth; 0 unknown */
};

/*
 * May front (queued or new) absorb back, the request that starts where
 * front ends? When it returns true the merge is done on the caller's side
 * (back's data now travels with front, which completes for both).
 */
typedef bool (*dd_merge_fn)(struct dd_rq *front, struct dd_rq *back, void *arg);

void dd_core_init(struct dd_core *dd);
void dd_tunables_default(struct dd_tunables *t);

/* The class that serves an I/O priority class (0 none, 1 RT, 2 BE, 3 IDLE). */
enum dd_prio dd_prio_of_class(unsigned int ioprio_class);

/*
 * Queue rq (sector, nr_sectors, dir and prio set by the caller) at time
 * now, merging it with a neighbour when merge agrees. Returns rq when it
 * was queued on its own (perhaps after absorbing a queued neighbour that
 * it then replaces in the lists), or the queued request that absorbed it.
 */
struct dd_rq *dd_insert(struct dd_core *dd, struct dd_rq *rq, u64 now, dd_merge_fn merge,
			void *arg);

/* The next request for the driver at time now, taken out of the lists; or NULL. */
struct dd_rq *dd_dispatch(struct dd_core *dd, u64 now);

/* A dispatched request of class prio completed at time now. */
void dd_completed(struct dd_core *dd, enum dd_prio prio, u64 now);

/* The lower classes' depth at the driver while a higher class is reserved. */
u32 dd_low_prio_depth(const struct dd_core *dd);

/* Requests queued (not dispatched) in every class. */
u32 dd_queued(const struct dd_core *dd);

/*
 * Requests are queued: dd_dispatch may still return NULL while a higher
 * class, its reservation or the hw_depth limit holds them back; a
 * completion ends that (a held-back class has a request at the driver).
 */
bool dd_has_work(const struct dd_core *dd);

#endif
