/*
 * Unit tests for kernel/io_wq/io_wq_list.c: queue order, hashed runs kept
 * together, one running item per hash, stall and un-stall, cancel of
 * pending items, and a fake scheduler that runs a random mix of items on
 * several "workers" in random interleavings, checking that items of one
 * hash never overlap and run in submission order.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "kernel/io_wq/io_wq_list.c"

static void nop(struct io_wq_work *work)
{
	(void)work;
}

struct item {
	struct io_wq_work work;
	int id;
	int key;		/* -1: unhashed */
	int ran;		/* order in which it started, 0: not yet */
	int done;
};

static void item_init(struct item *it, int id, int key)
{
	io_wq_work_init(&it->work, nop);
	it->id = id;
	it->key = key;
	it->ran = it->done = 0;
	if (key >= 0) {
		/* the keys used here are the buckets themselves */
		it->work.flags |= IO_WQ_WORK_HASHED;
		it->work.hash = (unsigned int)key;
	}
}

static int id_of(struct io_wq_work *w)
{
	return w ? ((struct item *)((char *)w - offsetof(struct item, work)))->id : -1;
}

/* The list walked from first, checking last and the counters. */
static void expect_order(struct io_wq_list *l, const int *want, size_t n)
{
	struct io_wq_work *w = l->first, *last = NULL;
	unsigned int hashed = 0;
	size_t i = 0;

	for (; w; last = w, w = w->next) {
		assert_true(i < n);
		assert_int_equal(id_of(w), want[i]);
		hashed += io_wq_work_is_hashed(w);
		i++;
	}
	assert_int_equal(i, n);
	assert_ptr_equal(l->last, last);
	assert_int_equal(l->nr_pending, n);
	assert_int_equal(l->nr_hashed, hashed);
}

#define EXPECT(l, ...)							\
	do {								\
		const int want_[] = { __VA_ARGS__ };			\
		expect_order(l, want_, sizeof(want_) / sizeof(want_[0]));	\
	} while (0)

static void test_unhashed_fifo(void **state)
{
	struct io_wq_list l;
	struct item it[4];

	(void)state;
	io_wq_list_init(&l);
	assert_null(io_wq_list_take(&l));
	assert_false(l.stalled);
	for (int i = 0; i < 4; i++) {
		item_init(&it[i], i, -1);
		io_wq_list_insert(&l, &it[i].work);
	}
	EXPECT(&l, 0, 1, 2, 3);
	assert_true(io_wq_list_runnable(&l));
	for (int i = 0; i < 4; i++)
		assert_int_equal(id_of(io_wq_list_take(&l)), i);
	assert_null(io_wq_list_take(&l));
	assert_false(l.stalled);
	assert_false(io_wq_list_runnable(&l));
	EXPECT(&l);
}

static void test_hashed_runs_stay_together(void **state)
{
	struct io_wq_list l;
	struct item it[7];
	/* ids 0..6 with keys: a b - a b a - */
	const int keys[] = { 1, 2, -1, 1, 2, 1, -1 };

	(void)state;
	io_wq_list_init(&l);
	for (int i = 0; i < 7; i++) {
		item_init(&it[i], i, keys[i]);
		io_wq_list_insert(&l, &it[i].work);
	}
	/* each new hashed item goes behind the last one of its hash */
	EXPECT(&l, 0, 3, 5, 1, 4, 2, 6);
	assert_ptr_equal(l.hash_tail[1], &it[5].work);
	assert_ptr_equal(l.hash_tail[2], &it[4].work);
	assert_int_equal(l.nr_hashed, 5);
}

static void test_one_running_per_hash_and_stall(void **state)
{
	struct io_wq_list l;
	struct item it[5];
	const int keys[] = { 1, 1, 2, 1, -1 };

	(void)state;
	io_wq_list_init(&l);
	for (int i = 0; i < 5; i++) {
		item_init(&it[i], i, keys[i]);
		io_wq_list_insert(&l, &it[i].work);
	}
	EXPECT(&l, 0, 1, 3, 2, 4);
	/* worker A takes 0 (hash 1 busy), worker B skips 1 and 3 and takes 2 */
	assert_int_equal(id_of(io_wq_list_take(&l)), 0);
	assert_int_equal(id_of(io_wq_list_take(&l)), 2);
	assert_int_equal(id_of(io_wq_list_take(&l)), 4);
	/* only hash 1's items are left, and hash 1 is running: stalled */
	assert_null(io_wq_list_take(&l));
	assert_true(l.stalled);
	assert_false(io_wq_list_runnable(&l));
	/* hash 2 finishing does not help, but un-stalls so that a worker looks */
	assert_true(io_wq_list_hash_done(&l, 2));
	assert_null(io_wq_list_take(&l));
	assert_true(l.stalled);
	/* hash 1 finishing lets the next item of hash 1 go, in order */
	assert_true(io_wq_list_hash_done(&l, 1));
	assert_true(io_wq_list_runnable(&l));
	assert_int_equal(id_of(io_wq_list_take(&l)), 1);
	assert_null(io_wq_list_take(&l));
	assert_true(l.stalled);
	assert_true(io_wq_list_hash_done(&l, 1));
	assert_int_equal(id_of(io_wq_list_take(&l)), 3);
	assert_null(l.hash_tail[1]);
	assert_null(io_wq_list_take(&l));
	assert_false(l.stalled);	/* empty is not stalled */
	EXPECT(&l);
}

static void test_insert_unstalls(void **state)
{
	struct io_wq_list l;
	struct item it[3];

	(void)state;
	io_wq_list_init(&l);
	item_init(&it[0], 0, 5);
	item_init(&it[1], 1, 5);
	item_init(&it[2], 2, -1);
	io_wq_list_insert(&l, &it[0].work);
	io_wq_list_insert(&l, &it[1].work);
	assert_int_equal(id_of(io_wq_list_take(&l)), 0);
	assert_null(io_wq_list_take(&l));
	assert_true(l.stalled);
	io_wq_list_insert(&l, &it[2].work);
	assert_false(l.stalled);
	assert_int_equal(id_of(io_wq_list_take(&l)), 2);
	/* hash 5's item inserted while 0 ran stays behind */
	assert_null(io_wq_list_take(&l));
	io_wq_list_hash_done(&l, 5);
	assert_int_equal(id_of(io_wq_list_take(&l)), 1);
}

static bool match_id(struct io_wq_work *w, void *data)
{
	return id_of(w) == *(int *)data;
}

static bool match_key(struct io_wq_work *w, void *data)
{
	return ((struct item *)((char *)w - offsetof(struct item, work)))->key == *(int *)data;
}

static bool match_all(struct io_wq_work *w, void *data)
{
	(void)w;
	(void)data;
	return true;
}

static void test_cancel_pending(void **state)
{
	struct io_wq_list l;
	struct item it[6];
	const int keys[] = { 1, -1, 1, 1, 2, -1 };
	struct io_wq_work *out;
	int id;

	(void)state;
	io_wq_list_init(&l);
	for (int i = 0; i < 6; i++) {
		item_init(&it[i], i, keys[i]);
		io_wq_list_insert(&l, &it[i].work);
	}
	EXPECT(&l, 0, 2, 3, 1, 4, 5);
	/* cancel the tail of hash 1's run: the tail moves back to 2 */
	id = 3;
	assert_int_equal(io_wq_list_cancel(&l, match_id, &id, false, &out), 1);
	assert_int_equal(id_of(out), 3);
	assert_null(out->next);
	assert_true(io_wq_work_cancel_flagged(out));
	assert_ptr_equal(l.hash_tail[1], &it[2].work);
	EXPECT(&l, 0, 2, 1, 4, 5);
	/* a later item of hash 1 still joins the run */
	item_init(&it[3], 3, 1);
	io_wq_list_insert(&l, &it[3].work);
	EXPECT(&l, 0, 2, 3, 1, 4, 5);
	/* cancel the last item: last moves back */
	id = 5;
	assert_int_equal(io_wq_list_cancel(&l, match_id, &id, false, &out), 1);
	EXPECT(&l, 0, 2, 3, 1, 4);
	/* cancel the only item of hash 2: its tail goes */
	id = 2;
	assert_int_equal(io_wq_list_cancel(&l, match_key, &id, true, &out), 1);
	assert_null(l.hash_tail[2]);
	EXPECT(&l, 0, 2, 3, 1);
	/* cancel every item of hash 1, in queue order */
	id = 1;
	assert_int_equal(io_wq_list_cancel(&l, match_key, &id, true, &out), 3);
	assert_int_equal(id_of(out), 0);
	assert_int_equal(id_of(out->next), 2);
	assert_int_equal(id_of(out->next->next), 3);
	assert_null(out->next->next->next);
	assert_null(l.hash_tail[1]);
	EXPECT(&l, 1);
	/* no match */
	id = 42;
	assert_int_equal(io_wq_list_cancel(&l, match_id, &id, true, &out), 0);
	assert_null(out);
	assert_int_equal(io_wq_list_cancel(&l, match_all, NULL, true, &out), 1);
	EXPECT(&l);
	assert_null(l.first);
}

static void test_cancel_head_of_run_while_busy(void **state)
{
	struct io_wq_list l;
	struct item it[4];
	struct io_wq_work *out;
	int id;

	(void)state;
	io_wq_list_init(&l);
	for (int i = 0; i < 4; i++) {
		item_init(&it[i], i, 7);
		io_wq_list_insert(&l, &it[i].work);
	}
	assert_int_equal(id_of(io_wq_list_take(&l)), 0);
	assert_null(io_wq_list_take(&l));
	assert_true(l.stalled);
	/* cancel the head of what is pending: 2 becomes the head, still waits */
	id = 1;
	assert_int_equal(io_wq_list_cancel(&l, match_id, &id, false, &out), 1);
	EXPECT(&l, 2, 3);
	assert_true(l.stalled);
	assert_null(io_wq_list_take(&l));
	io_wq_list_hash_done(&l, 7);
	assert_int_equal(id_of(io_wq_list_take(&l)), 2);
	/* cancel everything that is left: not stalled once empty */
	assert_null(io_wq_list_take(&l));
	assert_true(l.stalled);
	assert_int_equal(io_wq_list_cancel(&l, match_all, NULL, true, &out), 1);
	assert_false(l.stalled);
	assert_null(l.hash_tail[7]);
}

static void test_hash_of_key(void **state)
{
	struct io_wq_work a, b;

	(void)state;
	io_wq_work_init(&a, nop);
	io_wq_work_init(&b, nop);
	io_wq_work_set_hash(&a, 0xffff800012345000ULL);
	io_wq_work_set_hash(&b, 0xffff800012345000ULL);
	assert_true(io_wq_work_is_hashed(&a));
	assert_int_equal(a.hash, b.hash);
	assert_true(a.hash < IO_WQ_NR_HASH);
	/* nearby pointers spread over the buckets */
	{
		u64 seen = 0;

		for (u64 k = 0; k < 64; k++) {
			io_wq_work_set_hash(&a, 0xffff800000000000ULL + k * 4096);
			seen |= 1ULL << a.hash;
		}
		assert_true(__builtin_popcountll(seen) > 32);
	}
}

/*
 * The fake scheduler: NWORKERS workers, each either idle or running one
 * item. Each step does one random thing: queue an item, let a worker take
 * an item, let a running worker finish, or cancel a random pending item.
 * Checked throughout: never two items of one hash running, items of one
 * hash start in submission order, nothing is lost or run twice, and the
 * stalled state means exactly "pending items, none of them runnable".
 */
#define NWORKERS 4
#define NITEMS 4000
#define NKEYS 5

static void test_fake_scheduler(void **state)
{
	static struct item it[NITEMS];
	struct io_wq_list l;
	struct item *running[NWORKERS] = { 0 };
	int last_started[NKEYS];
	int queued = 0, started = 0, finished = 0, cancelled = 0, overlap_unhashed = 0;

	(void)state;
	srand(12345);
	io_wq_list_init(&l);
	for (int k = 0; k < NKEYS; k++)
		last_started[k] = -1;
	while (finished + cancelled < NITEMS) {
		int r = rand() % 100;

		if (r < 35 && queued < NITEMS) {
			int key = rand() % (NKEYS + 2) - 2;	/* -2, -1: unhashed */

			item_init(&it[queued], queued, key < 0 ? -1 : key);
			io_wq_list_insert(&l, &it[queued].work);
			queued++;
		} else if (r < 70) {
			int w = rand() % NWORKERS;
			struct io_wq_work *work;
			struct item *item;

			if (running[w])
				continue;
			work = io_wq_list_take(&l);
			if (!work) {
				assert_true(l.stalled == (l.first != NULL));
				continue;
			}
			item = (struct item *)((char *)work - offsetof(struct item, work));
			assert_int_equal(item->ran, 0);
			item->ran = ++started;
			if (item->key >= 0) {
				for (int o = 0; o < NWORKERS; o++)
					assert_true(!running[o] || running[o]->key != item->key);
				/* in submission order: cancelled items may leave gaps */
				assert_true(item->id > last_started[item->key]);
				last_started[item->key] = item->id;
			} else {
				for (int o = 0; o < NWORKERS; o++)
					if (running[o] && running[o]->key < 0)
						overlap_unhashed++;
			}
			running[w] = item;
		} else if (r < 95) {
			int w = rand() % NWORKERS;

			if (!running[w])
				continue;
			running[w]->done = 1;
			if (running[w]->key >= 0)
				io_wq_list_hash_done(&l, (unsigned int)running[w]->key);
			running[w] = NULL;
			finished++;
		} else if (l.first) {
			struct io_wq_work *out;
			int id;
			int n = rand() % (int)l.nr_pending;
			struct io_wq_work *w = l.first;

			while (n--)
				w = w->next;
			id = id_of(w);
			assert_int_equal(io_wq_list_cancel(&l, match_id, &id, false, &out), 1);
			assert_int_equal(id_of(out), id);
			assert_true(io_wq_work_cancel_flagged(out));
			cancelled++;
		}
		if (queued == NITEMS && !l.first) {
			/* drain: finish whatever runs */
			for (int w = 0; w < NWORKERS; w++)
				if (running[w]) {
					if (running[w]->key >= 0)
						io_wq_list_hash_done(&l, (unsigned int)running[w]->key);
					running[w]->done = 1;
					running[w] = NULL;
					finished++;
				}
		}
	}
	assert_int_equal(l.nr_pending, 0);
	assert_int_equal(l.hash_busy, 0);
	for (int i = 0; i < NITEMS; i++)
		assert_true(it[i].done != io_wq_work_cancel_flagged(&it[i].work));
	/* unhashed items did run side by side */
	assert_true(overlap_unhashed > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unhashed_fifo),
		cmocka_unit_test(test_hashed_runs_stay_together),
		cmocka_unit_test(test_one_running_per_hash_and_stall),
		cmocka_unit_test(test_insert_unstalls),
		cmocka_unit_test(test_cancel_pending),
		cmocka_unit_test(test_cancel_head_of_run_while_busy),
		cmocka_unit_test(test_hash_of_key),
		cmocka_unit_test(test_fake_scheduler),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
