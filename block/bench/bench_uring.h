/*
 * The rings of `bench engine=uring`, in io_uring's shape: per job a
 * submission ring of slot indexes (the job produces, the job's submit step
 * consumes) and a completion ring of {user_data, res} entries, each a
 * power-of-two array with free-running head and tail indexes.
 *
 * The completion ring has many producers (end_io in interrupt context on
 * any CPU, io-wq workers, the submitter itself for inline completions) and
 * one consumer, the job. The ring is sized so that it cannot fill (the job
 * has at most iodepth I/Os in flight and the ring holds twice that, as
 * io_uring's CQ is twice its SQ), so a producer takes index t with one
 * fetch-and-add on tail, fills entry t & mask and publishes it by writing
 * its seq = t + 1 last, with a full barrier (so that it may then read a
 * "consumer is asleep" flag); the job takes entry head once its seq is
 * head + 1 and releases it by storing head + 1. No lock: a producer and
 * the job meet only in tail and seq.
 *
 * Pure: host unit tests (tests/unit/block/bench/test_bench_uring.c) run
 * producers on threads.
 */
#ifndef BLOCK_BENCH_BENCH_URING_H
#define BLOCK_BENCH_BENCH_URING_H

#include "lib/types.h"

#define BENCH_URING_MAX_ENTRIES (1U << 16)

/* Submission ring: one producer and one consumer (here the same thread). */
struct bench_sq {
	u32 head, tail;			/* free running; tail - head entries queued */
	u32 mask;			/* entries - 1 */
	u32 *array;			/* slot indexes */
};

struct bench_cqe {
	u64 user_data;			/* the slot index */
	s32 res;			/* 0 or a negative errno */
	u32 seq;			/* index + 1 once written; written last */
};

/* Completion ring: many producers, one consumer. */
struct bench_cq {
	u32 head;			/* written by the consumer only */
	u32 tail;			/* reserved by producers (compare-and-swap) */
	u32 mask;
	struct bench_cqe *cqes;
};

/* Entries for a ring that must hold depth: the next power of two (>= 1). */
u32 bench_uring_entries(u32 depth);

/* entries: a power of two <= BENCH_URING_MAX_ENTRIES; array of as many. */
void bench_sq_init(struct bench_sq *sq, u32 *array, u32 entries);

/* cqes: entries of them, zeroed here. */
void bench_cq_init(struct bench_cq *cq, struct bench_cqe *cqes, u32 entries);

/* On the hot path of every I/O: inline. */

static inline bool bench_sq_push(struct bench_sq *sq, u32 index)
{
	u32 tail = sq->tail;

	if (tail - __atomic_load_n(&sq->head, __ATOMIC_ACQUIRE) > sq->mask)
		return false;
	sq->array[tail & sq->mask] = index;
	__atomic_store_n(&sq->tail, tail + 1, __ATOMIC_RELEASE);
	return true;
}

/*
 * The consumer: the i-th queued index from head on (i < bench_sq_count),
 * then bench_sq_advance(n) once for the n consumed, as io_uring's kernel
 * side moves the SQ head once per io_uring_enter.
 */
static inline u32 bench_sq_peek(const struct bench_sq *sq, u32 i)
{
	return sq->array[(sq->head + i) & sq->mask];
}

static inline void bench_sq_advance(struct bench_sq *sq, u32 n)
{
	__atomic_store_n(&sq->head, sq->head + n, __ATOMIC_RELEASE);
}

static inline u32 bench_sq_count(const struct bench_sq *sq)
{
	return __atomic_load_n(&sq->tail, __ATOMIC_ACQUIRE) -
	       __atomic_load_n(&sq->head, __ATOMIC_ACQUIRE);
}

/*
 * Any context, any CPU. The ring must have room: its owner never has more
 * entries posted and not reaped than the ring holds (bench: at most iodepth
 * I/Os in flight, on a ring of at least twice that), so a post takes its
 * index with one fetch-and-add and never looks at head.
 */
static inline void bench_cq_post(struct bench_cq *cq, u64 user_data, s32 res)
{
	u32 tail = __atomic_fetch_add(&cq->tail, 1, __ATOMIC_ACQ_REL);
	struct bench_cqe *cqe = &cq->cqes[tail & cq->mask];

	cqe->user_data = user_data;
	cqe->res = res;
	__atomic_store_n(&cqe->seq, tail + 1, __ATOMIC_SEQ_CST);
}

/* Whether an entry is ready for the consumer. */
static inline bool bench_cq_ready(const struct bench_cq *cq)
{
	u32 head = cq->head;

	return __atomic_load_n(&cq->cqes[head & cq->mask].seq, __ATOMIC_ACQUIRE) == head + 1;
}

/*
 * The consumer: the i-th complete entry from head on (i = 0, 1, ... while
 * entries are complete), read in place; NULL at the first one that is not.
 * Then bench_cq_advance(n) gives the n entries read back to the producers.
 */
static inline struct bench_cqe *bench_cq_peek(struct bench_cq *cq, u32 i)
{
	u32 index = cq->head + i;
	struct bench_cqe *cqe = &cq->cqes[index & cq->mask];

	return __atomic_load_n(&cqe->seq, __ATOMIC_ACQUIRE) == index + 1 ? cqe : NULL;
}

static inline void bench_cq_advance(struct bench_cq *cq, u32 n)
{
	__atomic_store_n(&cq->head, cq->head + n, __ATOMIC_RELEASE);
}

#endif
