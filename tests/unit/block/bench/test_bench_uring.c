/*
 * Unit tests for block/bench/bench_uring.c: ring sizes, the submission
 * ring's order and bounds, batches read in place, and the completion ring
 * under threads posting at once (never more outstanding than it holds, the
 * rule its users keep) while one consumer reaps: every entry arrives once,
 * in each producer's order, none torn.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <pthread.h>
#include <cmocka.h>

#include "block/bench/bench_uring.c"

/* Take the oldest queued index, as a consumer taking one at a time. */
static bool bench_sq_pop(struct bench_sq *sq, u32 *index)
{
	if (!bench_sq_count(sq))
		return false;
	*index = bench_sq_peek(sq, 0);
	bench_sq_advance(sq, 1);
	return true;
}


static void test_entries(void **state)
{
	(void)state;
	assert_int_equal(bench_uring_entries(0), 1);
	assert_int_equal(bench_uring_entries(1), 1);
	assert_int_equal(bench_uring_entries(3), 4);
	assert_int_equal(bench_uring_entries(64), 64);
	assert_int_equal(bench_uring_entries(65), 128);
	assert_int_equal(bench_uring_entries(1u << 30), BENCH_URING_MAX_ENTRIES);
}

static void test_sq_order_and_bounds(void **state)
{
	u32 array[4], v;
	struct bench_sq sq;

	(void)state;
	bench_sq_init(&sq, array, 4);
	assert_false(bench_sq_pop(&sq, &v));
	for (u32 round = 0; round < 3; round++) {
		for (u32 i = 0; i < 4; i++)
			assert_true(bench_sq_push(&sq, round * 10 + i));
		assert_false(bench_sq_push(&sq, 99));
		assert_int_equal(bench_sq_count(&sq), 4);
		for (u32 i = 0; i < 4; i++) {
			assert_true(bench_sq_pop(&sq, &v));
			assert_int_equal(v, round * 10 + i);
		}
		assert_false(bench_sq_pop(&sq, &v));
	}
}


static void test_cq_peek_batch(void **state)
{
	struct bench_cqe cqes[4];
	struct bench_cq cq;

	(void)state;
	bench_cq_init(&cq, cqes, 4);
	for (u32 round = 0; round < 3; round++) {
		for (u32 i = 0; i < 4; i++)
			bench_cq_post(&cq, round * 10 + i, (s32)i - 2);
		/* read in place: nothing is given back until advance */
		for (u32 i = 0; i < 4; i++) {
			assert_int_equal(bench_cq_peek(&cq, i)->user_data, round * 10 + i);
			assert_int_equal(bench_cq_peek(&cq, i)->res, (s32)i - 2);
		}
		assert_null(bench_cq_peek(&cq, 4));
		bench_cq_advance(&cq, 4);
		assert_null(bench_cq_peek(&cq, 0));
	}
}

/*
 * As bench uses it: producers on threads, never more entries outstanding
 * than the ring holds (credits, as bench's slots), one consumer. Every
 * entry arrives once, each producer's in its order, none torn (res is a
 * checksum of user_data), whatever the interleaving.
 */
#define PRODUCERS 3
#define PER_PRODUCER 20000
#define RING 8

struct producer {
	struct bench_cq *cq;
	u32 id;
};

static u32 credits;

static s32 checksum(u64 v)
{
	return (s32)(v * 2654435761u & 0x7fffffff);
}

static void *producer_main(void *arg)
{
	struct producer *p = arg;

	for (u32 i = 0; i < PER_PRODUCER; i++) {
		u32 c = __atomic_load_n(&credits, __ATOMIC_ACQUIRE);
		u64 v = ((u64)p->id << 32) | i;

		do {
			while (!c)
				c = __atomic_load_n(&credits, __ATOMIC_ACQUIRE);
		} while (!__atomic_compare_exchange_n(&credits, &c, c - 1, false, __ATOMIC_ACQ_REL,
						      __ATOMIC_ACQUIRE));
		bench_cq_post(p->cq, v, checksum(v));
	}
	return NULL;
}

static void test_cq_many_producers(void **state)
{
	static struct bench_cqe cqes[RING];
	static u32 next[PRODUCERS];
	struct producer prod[PRODUCERS];
	pthread_t th[PRODUCERS];
	struct bench_cq cq;
	u64 got = 0;

	(void)state;
	bench_cq_init(&cq, cqes, RING);
	credits = RING;
	for (u32 i = 0; i < PRODUCERS; i++) {
		prod[i] = (struct producer){ &cq, i };
		assert_int_equal(pthread_create(&th[i], NULL, producer_main, &prod[i]), 0);
	}
	while (got < (u64)PRODUCERS * PER_PRODUCER) {
		struct bench_cqe *e;
		u32 n = 0;

		while ((e = bench_cq_peek(&cq, n))) {
			u32 id = (u32)(e->user_data >> 32);

			assert_true(id < PRODUCERS);
			assert_int_equal((u32)e->user_data, next[id]);
			next[id]++;
			assert_int_equal(e->res, checksum(e->user_data));
			n++;
		}
		bench_cq_advance(&cq, n);
		__atomic_fetch_add(&credits, n, __ATOMIC_RELEASE);
		got += n;
	}
	for (u32 i = 0; i < PRODUCERS; i++)
		pthread_join(th[i], NULL);
	assert_null(bench_cq_peek(&cq, 0));
	assert_int_equal(cq.tail, PRODUCERS * PER_PRODUCER);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_entries),
		cmocka_unit_test(test_sq_order_and_bounds),
		cmocka_unit_test(test_cq_peek_batch),
		cmocka_unit_test(test_cq_many_producers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
