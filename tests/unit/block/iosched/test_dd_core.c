/*
 * Unit tests for block/iosched/dd_core.c, mq-deadline's decisions, with a
 * fake clock: class order and the rule that a lower class waits while a
 * higher one is busy, aging, FIFO expiry, batches, writes_starved,
 * hw_depth, the reservation for higher classes (prio_idle,
 * low_prio_depth), back and front merges and the counters.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "block/iosched/dd_core.c"

#define MS 1000000ULL
#define NR_RQS 64

static struct dd_core dd;
static struct dd_rq rqs[NR_RQS];
static unsigned int nr_rqs;
static u64 now;
static bool allow_merges;
static unsigned int merges_asked;

static bool merge_cb(struct dd_rq *front, struct dd_rq *back, void *arg)
{
	(void)front;
	(void)back;
	(void)arg;
	merges_asked++;
	return allow_merges;
}

static int setup(void **state)
{
	(void)state;
	dd_core_init(&dd);
	nr_rqs = 0;
	now = 1000 * MS;
	allow_merges = false;
	merges_asked = 0;
	return 0;
}

static struct dd_rq *add(unsigned int prio, unsigned int dir, u64 sector, u32 nr)
{
	struct dd_rq *rq = &rqs[nr_rqs++];

	assert_true(nr_rqs <= NR_RQS);
	rq->sector = sector;
	rq->nr_sectors = nr;
	rq->dir = (u8)dir;
	rq->prio = (u8)prio;
	return dd_insert(&dd, rq, now, merge_cb, NULL);
}

/* Dispatch one request, complete it at once; its sector, or ~0 when none. */
static u64 next_sector(void)
{
	struct dd_rq *rq = dd_dispatch(&dd, now);

	if (!rq)
		return ~0ULL;
	dd_completed(&dd, (enum dd_prio)rq->prio, now);
	return rq->sector;
}

static void test_class_mapping(void **state)
{
	(void)state;
	assert_int_equal(dd_prio_of_class(0), DD_BE_PRIO);
	assert_int_equal(dd_prio_of_class(1), DD_RT_PRIO);
	assert_int_equal(dd_prio_of_class(2), DD_BE_PRIO);
	assert_int_equal(dd_prio_of_class(3), DD_IDLE_PRIO);
}

static void test_class_order(void **state)
{
	(void)state;
	add(DD_IDLE_PRIO, DD_READ, 10, 8);
	add(DD_BE_PRIO, DD_READ, 20, 8);
	add(DD_RT_PRIO, DD_READ, 30, 8);
	add(DD_BE_PRIO, DD_READ, 40, 8);
	assert_int_equal(dd_queued(&dd), 4);
	assert_true(dd_has_work(&dd));
	assert_int_equal(next_sector(), 30);
	assert_int_equal(next_sector(), 20);
	assert_int_equal(next_sector(), 40);
	assert_int_equal(next_sector(), 10);
	assert_int_equal(next_sector(), ~0ULL);
	assert_false(dd_has_work(&dd));
}

/* A lower class is not served while a higher one has a request at the driver. */
static void test_lower_class_waits_for_in_driver(void **state)
{
	struct dd_rq *rt;

	(void)state;
	add(DD_RT_PRIO, DD_READ, 100, 8);
	add(DD_BE_PRIO, DD_READ, 200, 8);
	add(DD_IDLE_PRIO, DD_READ, 300, 8);
	rt = dd_dispatch(&dd, now);
	assert_non_null(rt);
	assert_int_equal(rt->sector, 100);
	assert_null(dd_dispatch(&dd, now));
	assert_true(dd_has_work(&dd));
	dd_completed(&dd, DD_RT_PRIO, now);
	struct dd_rq *be = dd_dispatch(&dd, now);
	assert_non_null(be);
	assert_int_equal(be->sector, 200);
	/* idle: only when neither RT nor BE is queued or at the driver */
	assert_null(dd_dispatch(&dd, now));
	dd_completed(&dd, DD_BE_PRIO, now);
	assert_int_equal(next_sector(), 300);
	assert_int_equal(dd.cls[DD_RT_PRIO].stats.completed, 1);
	assert_int_equal(dd.cls[DD_BE_PRIO].stats.dispatched, 1);
	assert_int_equal(dd.cls[DD_IDLE_PRIO].stats.completed, 1);
}

/* An idle request that waited prio_aging_expire goes before BE work. */
static void test_aging(void **state)
{
	(void)state;
	add(DD_IDLE_PRIO, DD_READ, 500, 8);
	now += DD_PRIO_AGING_NS - 1;
	add(DD_BE_PRIO, DD_READ, 10, 8);
	add(DD_BE_PRIO, DD_READ, 20, 8);
	assert_int_equal(next_sector(), 10);
	now += 1;
	assert_int_equal(next_sector(), 500);
	assert_int_equal(next_sector(), 20);
}

/* Aging needs two busy classes: a lone old BE request is just served in order. */
static void test_aging_needs_competition(void **state)
{
	(void)state;
	dd.tun.prio_aging_expire_ns = 5 * MS;
	add(DD_BE_PRIO, DD_READ, 900, 8);
	now += 10 * MS;
	add(DD_BE_PRIO, DD_READ, 100, 8);
	/* one class: sorted order from the batch position, no aging */
	assert_null(dd_pick_aged(&dd, now));
	add(DD_RT_PRIO, DD_READ, 50, 8);
	/* RT busy too: the old BE request is aged and goes first */
	assert_int_equal(next_sector(), 900);
	assert_int_equal(next_sector(), 50);
}

/* Within a batch the sorted list is walked upwards from where it started. */
static void test_sorted_batch(void **state)
{
	(void)state;
	add(DD_BE_PRIO, DD_READ, 300, 8);
	add(DD_BE_PRIO, DD_READ, 100, 8);
	add(DD_BE_PRIO, DD_READ, 200, 8);
	add(DD_BE_PRIO, DD_READ, 400, 8);
	/* a new batch starts at the oldest (FIFO head), then goes up by sector */
	assert_int_equal(next_sector(), 300);
	assert_int_equal(next_sector(), 400);
	/* end of the sorted list: the next batch starts at the oldest again */
	assert_int_equal(next_sector(), 100);
	assert_int_equal(next_sector(), 200);
}

/* An expired deadline ends the walk once the batch is over. */
static void test_fifo_expiry(void **state)
{
	(void)state;
	dd.tun.fifo_batch = 2;
	add(DD_BE_PRIO, DD_READ, 50, 8);	/* the oldest */
	now += 1 * MS;
	add(DD_BE_PRIO, DD_READ, 100, 8);
	add(DD_BE_PRIO, DD_READ, 200, 8);
	add(DD_BE_PRIO, DD_READ, 300, 8);
	add(DD_BE_PRIO, DD_READ, 400, 8);
	assert_int_equal(next_sector(), 50);
	assert_int_equal(next_sector(), 100);	/* batch of 2 */
	add(DD_BE_PRIO, DD_READ, 10, 8);	/* not expired: the walk goes on */
	assert_int_equal(next_sector(), 200);
	assert_int_equal(next_sector(), 300);
	now += DD_READ_EXPIRE_NS + 1 * MS;	/* 400 and 10 expired; 400 is older */
	add(DD_BE_PRIO, DD_READ, 5, 8);
	/* batch over, head of FIFO (400) expired: restart there */
	assert_int_equal(next_sector(), 400);
	/* sorted list ended after 400: start from the oldest, 10 */
	assert_int_equal(next_sector(), 10);
	assert_int_equal(next_sector(), 5);
}

/* Without expiry a batch of fifo_batch continues in sort order past older requests. */
static void test_batch_length(void **state)
{
	(void)state;
	dd.tun.fifo_batch = 3;
	for (u64 s = 1; s <= 6; s++)
		add(DD_BE_PRIO, DD_READ, s * 100, 8);
	add(DD_BE_PRIO, DD_WRITE, 50, 8);
	dd.tun.writes_starved = 1;
	assert_int_equal(next_sector(), 100);
	assert_int_equal(next_sector(), 200);
	assert_int_equal(next_sector(), 300);
	/* a new batch: one read batch passed the write, so now the write */
	assert_int_equal(next_sector(), 50);
	assert_int_equal(next_sector(), 400);
}

/* Reads are preferred, but a waiting write goes after writes_starved read batches. */
static void test_writes_starved(void **state)
{
	(void)state;
	dd.tun.fifo_batch = 1;
	dd.tun.writes_starved = 2;
	add(DD_BE_PRIO, DD_WRITE, 1000, 8);
	for (u64 s = 1; s <= 5; s++)
		add(DD_BE_PRIO, DD_READ, s * 10, 8);
	assert_int_equal(next_sector(), 10);	/* starved 0 -> 1 */
	assert_int_equal(next_sector(), 20);	/* 1 -> 2 */
	assert_int_equal(next_sector(), 1000);	/* 2 >= 2: the write */
	assert_int_equal(next_sector(), 30);
	assert_int_equal(next_sector(), 40);
	assert_int_equal(next_sector(), 50);
	assert_int_equal(next_sector(), ~0ULL);
}

/* Writes alone are served; the expiry of a write is write_expire. */
static void test_write_expire(void **state)
{
	struct dd_rq *w;

	(void)state;
	w = add(DD_BE_PRIO, DD_WRITE, 8, 8);
	assert_int_equal(w->expire_ns, now + DD_WRITE_EXPIRE_NS);
	w = add(DD_BE_PRIO, DD_READ, 16, 8);
	assert_int_equal(w->expire_ns, now + DD_READ_EXPIRE_NS);
}

static void test_hw_depth(void **state)
{
	struct dd_rq *a, *b;

	(void)state;
	dd.tun.hw_depth = 2;
	for (u64 s = 1; s <= 4; s++)
		add(DD_BE_PRIO, DD_READ, s * 10, 8);
	a = dd_dispatch(&dd, now);
	b = dd_dispatch(&dd, now);
	assert_non_null(a);
	assert_non_null(b);
	assert_null(dd_dispatch(&dd, now));
	assert_true(dd_has_work(&dd));
	dd_completed(&dd, DD_BE_PRIO, now);
	assert_non_null(dd_dispatch(&dd, now));
	assert_null(dd_dispatch(&dd, now));
	/* an RT arrival waits for a slot too, then goes before the queued BE */
	add(DD_RT_PRIO, DD_READ, 5000, 8);
	dd_completed(&dd, DD_BE_PRIO, now);
	assert_int_equal(next_sector(), 5000);
}

static void test_back_merge(void **state)
{
	struct dd_rq *a, *got;

	(void)state;
	allow_merges = true;
	a = add(DD_BE_PRIO, DD_READ, 100, 8);
	got = add(DD_BE_PRIO, DD_READ, 108, 8);
	assert_ptr_equal(got, a);
	assert_int_equal(a->nr_sectors, 16);
	assert_int_equal(dd_queued(&dd), 1);
	assert_int_equal(dd.cls[DD_BE_PRIO].stats.inserted, 2);
	assert_int_equal(dd.cls[DD_BE_PRIO].stats.merged, 1);
	/* other class or direction, or a gap: no merge */
	add(DD_RT_PRIO, DD_READ, 116, 8);
	add(DD_BE_PRIO, DD_WRITE, 116, 8);
	add(DD_BE_PRIO, DD_READ, 117, 8);
	assert_int_equal(dd_queued(&dd), 4);
	assert_int_equal(dd.cls[DD_BE_PRIO].stats.merged, 1);
}

/* A back merge that closes the gap to the next request absorbs that one too. */
static void test_back_merge_bridges(void **state)
{
	struct dd_rq *a, *c;

	(void)state;
	allow_merges = true;
	dd.tun.front_merges = false;
	a = add(DD_BE_PRIO, DD_READ, 100, 8);
	c = add(DD_BE_PRIO, DD_READ, 116, 8);
	assert_ptr_not_equal(a, c);
	assert_ptr_equal(add(DD_BE_PRIO, DD_READ, 108, 8), a);
	assert_int_equal(a->nr_sectors, 24);
	assert_int_equal(dd_queued(&dd), 1);
	assert_int_equal(dd.cls[DD_BE_PRIO].stats.merged, 2);
	assert_int_equal(next_sector(), 100);
	assert_int_equal(next_sector(), ~0ULL);
}

static void test_front_merge(void **state)
{
	struct dd_rq *b, *a;

	(void)state;
	allow_merges = true;
	b = add(DD_BE_PRIO, DD_WRITE, 108, 8);
	now += 1 * MS;
	a = add(DD_BE_PRIO, DD_WRITE, 100, 8);
	assert_ptr_not_equal(a, b);
	assert_int_equal(a->nr_sectors, 16);
	assert_int_equal(dd_queued(&dd), 1);
	/* the merged request keeps the earlier deadline */
	assert_int_equal(a->expire_ns, b->expire_ns);
	assert_int_equal(a->insert_ns, b->insert_ns);
	assert_ptr_equal(dd_dispatch(&dd, now), a);
}

static void test_front_merges_off(void **state)
{
	(void)state;
	allow_merges = true;
	dd.tun.front_merges = false;
	add(DD_BE_PRIO, DD_READ, 108, 8);
	add(DD_BE_PRIO, DD_READ, 100, 8);
	assert_int_equal(dd_queued(&dd), 2);
	assert_int_equal(merges_asked, 0);
}

/* The caller may refuse (limits): both stay queued, in order. */
static void test_merge_refused(void **state)
{
	(void)state;
	add(DD_BE_PRIO, DD_READ, 100, 8);
	add(DD_BE_PRIO, DD_READ, 108, 8);
	add(DD_BE_PRIO, DD_READ, 92, 8);
	assert_int_equal(merges_asked, 2);
	assert_int_equal(dd_queued(&dd), 3);
	assert_int_equal(next_sector(), 100);
	assert_int_equal(next_sector(), 108);
	assert_int_equal(next_sector(), 92);
}

/* A merge into the request a batch goes on with keeps the batch position right. */
static void test_front_merge_of_next(void **state)
{
	(void)state;
	allow_merges = true;
	add(DD_BE_PRIO, DD_READ, 100, 8);
	add(DD_BE_PRIO, DD_READ, 200, 8);
	assert_int_equal(next_sector(), 100);	/* next: 200 */
	add(DD_BE_PRIO, DD_READ, 192, 8);	/* absorbs 200 */
	assert_int_equal(next_sector(), 192);
	assert_int_equal(next_sector(), ~0ULL);
}

/* Many random inserts come out as a permutation, each once. */
static void test_every_request_once(void **state)
{
	bool seen[NR_RQS] = { false };
	u64 x = 12345;

	(void)state;
	for (unsigned int i = 0; i < NR_RQS; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		add((unsigned int)(x >> 60) % DD_PRIO_COUNT, (unsigned int)(x >> 40) & 1,
		    (x >> 20) % 100000 * 16, 8);
		now += (x >> 30) % (50 * MS);
	}
	for (unsigned int i = 0; i < NR_RQS; i++) {
		struct dd_rq *rq = dd_dispatch(&dd, now);

		assert_non_null(rq);
		assert_false(seen[rq - rqs]);
		seen[rq - rqs] = true;
		dd_completed(&dd, (enum dd_prio)rq->prio, now);
	}
	assert_null(dd_dispatch(&dd, now));
	assert_int_equal(dd.in_driver, 0);
}

/* Dispatch without completing; how many went. */
static unsigned int dispatch_all(void)
{
	unsigned int n = 0;

	while (dd_dispatch(&dd, now))
		n++;
	return n;
}

/* An RT request queued, dispatched and completed at now. */
static void rt_round_trip(void)
{
	struct dd_rq *rt;

	add(DD_RT_PRIO, DD_READ, 1, 8);
	rt = dd_dispatch(&dd, now);
	assert_non_null(rt);
	assert_int_equal(rt->prio, DD_RT_PRIO);
	dd_completed(&dd, DD_RT_PRIO, now);
}

/*
 * For prio_idle after an RT completion, BE holds a quarter of hw_depth at
 * the driver; the next RT request goes at once; after prio_idle BE fills
 * hw_depth again.
 */
static void test_reserve_for_higher_class(void **state)
{
	(void)state;
	dd.tun.hw_depth = 16;
	rt_round_trip();
	for (unsigned int i = 0; i < 30; i++)
		add(DD_BE_PRIO, DD_WRITE, 1000 + i * 100, 8);
	assert_int_equal(dd_low_prio_depth(&dd), 4);
	assert_int_equal(dispatch_all(), 4);
	assert_true(dd_has_work(&dd));
	add(DD_RT_PRIO, DD_READ, 2, 8);
	struct dd_rq *rt = dd_dispatch(&dd, now);
	assert_non_null(rt);
	assert_int_equal(rt->prio, DD_RT_PRIO);
	assert_null(dd_dispatch(&dd, now));	/* RT at the driver: BE waits */
	now += MS;
	dd_completed(&dd, DD_RT_PRIO, now);
	assert_int_equal(dispatch_all(), 0);	/* BE already holds its 4 */
	dd_completed(&dd, DD_BE_PRIO, now);
	assert_int_equal(dispatch_all(), 1);
	now += DD_PRIO_IDLE_NS - 1;
	assert_int_equal(dispatch_all(), 0);
	now += 1;
	assert_int_equal(dispatch_all(), 12);	/* hw_depth 16, 4 at the driver */
	assert_int_equal(dd.in_driver, 16);
}

/* prio_idle 0: Linux's behaviour, BE takes hw_depth as soon as RT is idle. */
static void test_reserve_off(void **state)
{
	(void)state;
	dd.tun.hw_depth = 16;
	dd.tun.prio_idle_ns = 0;
	rt_round_trip();
	for (unsigned int i = 0; i < 30; i++)
		add(DD_BE_PRIO, DD_READ, 1000 + i * 100, 8);
	assert_int_equal(dispatch_all(), 16);
}

/* An explicit low_prio_depth; the queue's depth when hw_depth is 0; at least 1. */
static void test_low_prio_depth(void **state)
{
	(void)state;
	assert_int_equal(dd_low_prio_depth(&dd), 1);	/* no depth known */
	dd.depth = 64;
	assert_int_equal(dd_low_prio_depth(&dd), 16);
	dd.tun.hw_depth = 2;
	assert_int_equal(dd_low_prio_depth(&dd), 1);
	dd.tun.low_prio_depth = 3;
	assert_int_equal(dd_low_prio_depth(&dd), 3);
	dd.tun.hw_depth = 0;
	rt_round_trip();
	for (unsigned int i = 0; i < 10; i++)
		add(DD_BE_PRIO, DD_READ, 1000 + i * 100, 8);
	assert_int_equal(dispatch_all(), 3);
}

/* IDLE is held for BE as BE is for RT; both count against the same depth. */
static void test_reserve_idle_for_be(void **state)
{
	struct dd_rq *be;

	(void)state;
	dd.tun.low_prio_depth = 2;
	add(DD_BE_PRIO, DD_READ, 10, 8);
	be = dd_dispatch(&dd, now);
	assert_non_null(be);
	dd_completed(&dd, DD_BE_PRIO, now);
	for (unsigned int i = 0; i < 5; i++)
		add(DD_IDLE_PRIO, DD_READ, 1000 + i * 100, 8);
	assert_int_equal(dispatch_all(), 2);
	now += DD_PRIO_IDLE_NS;
	assert_int_equal(dispatch_all(), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_class_mapping, setup),
		cmocka_unit_test_setup(test_class_order, setup),
		cmocka_unit_test_setup(test_lower_class_waits_for_in_driver, setup),
		cmocka_unit_test_setup(test_aging, setup),
		cmocka_unit_test_setup(test_aging_needs_competition, setup),
		cmocka_unit_test_setup(test_sorted_batch, setup),
		cmocka_unit_test_setup(test_fifo_expiry, setup),
		cmocka_unit_test_setup(test_batch_length, setup),
		cmocka_unit_test_setup(test_writes_starved, setup),
		cmocka_unit_test_setup(test_write_expire, setup),
		cmocka_unit_test_setup(test_hw_depth, setup),
		cmocka_unit_test_setup(test_back_merge, setup),
		cmocka_unit_test_setup(test_back_merge_bridges, setup),
		cmocka_unit_test_setup(test_front_merge, setup),
		cmocka_unit_test_setup(test_front_merges_off, setup),
		cmocka_unit_test_setup(test_merge_refused, setup),
		cmocka_unit_test_setup(test_front_merge_of_next, setup),
		cmocka_unit_test_setup(test_every_request_once, setup),
		cmocka_unit_test_setup(test_reserve_for_higher_class, setup),
		cmocka_unit_test_setup(test_reserve_off, setup),
		cmocka_unit_test_setup(test_low_prio_depth, setup),
		cmocka_unit_test_setup(test_reserve_idle_for_be, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
