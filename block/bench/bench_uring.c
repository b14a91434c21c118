/*
 * The submission and completion rings of `bench engine=uring`
 * (block/bench/bench_uring.h): sizing and set-up; the operations of
 * every I/O are inline in the header.
 */
#include "block/bench/bench_uring.h"

u32 bench_uring_entries(u32 depth)
{
	u32 n = 1;

	while (n < depth && n < BENCH_URING_MAX_ENTRIES)
		n <<= 1;
	return n;
}

void bench_sq_init(struct bench_sq *sq, u32 *array, u32 entries)
{
	sq->head = sq->tail = 0;
	sq->mask = entries - 1;
	sq->array = array;
}

void bench_cq_init(struct bench_cq *cq, struct bench_cqe *cqes, u32 entries)
{
	cq->head = cq->tail = 0;
	cq->mask = entries - 1;
	cq->cqes = cqes;
	for (u32 i = 0; i < entries; i++)
		cqes[i] = (struct bench_cqe){ 0, 0, 0 };
}
