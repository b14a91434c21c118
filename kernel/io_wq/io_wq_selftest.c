/*
 * Self tests of the io-wq pools (`selftest io_wq`): hashed items never
 * overlap and run in order under load from every CPU, unhashed items
 * overlap (through the scheduler's sleeping hook, or CONCURRENT), the
 * worker count never passes the maximum, idle workers exit and the fixed
 * one stays, cancel of pending and running items races with completion
 * without a double completion or a loss, teardown under load joins
 * everything, work runs under its submitter's identity, and threads and
 * slab objects come back.
 */
#include "kernel/io_wq/io_wq.h"
#include "kernel/arch/percpu.h"
#include "kernel/arch/x86.h"
#include "kernel/mm/slab.h"
#include "kernel/sched/thread.h"
#include "kernel/selftest/selftest.h"
#include "kernel/selftest/selftest_workers.h"
#include "kernel/time/time.h"
#include "lib/errno.h"
#include "lib/string.h"

#define ST_US 1000ULL
#define ST_MS (1000 * ST_US)
#define ST_NKEYS 16

struct st_ctx;

struct st_item {
	struct io_wq_work work;
	struct st_ctx *ctx;
	int key;			/* -1: unhashed */
	unsigned int seq;		/* submission order within its key */
	u32 sleep_us;			/* asleep that long inside the item */
	u32 wait_for;			/* sleep until this many items started, 0: no */
	bool spin;			/* wait_for by spinning: never sleeps in the scheduler */
	u32 wait_ms;			/* how long wait_for waits at most */
	bool cancellable;		/* running: stops early when cancelled */
	u32 completions;		/* must end at exactly 1 */
	int status;
	bool saw_overlap;		/* wait_for was reached */
};

struct st_ctx {
	u32 running_key[ST_NKEYS];
	u32 next_seq[ST_NKEYS];
	u32 overlaps, out_of_order;
	u32 running, max_running;
	u32 started;			/* items that began running, never decremented */
	u32 finished;			/* items completed, run or cancelled */
	u32 bad_identity;
};

static struct st_item *st_of(struct io_wq_work *work)
{
	return container_of(work, struct st_item, work);
}

static void st_item_fn(struct io_wq_work *work)
{
	struct st_item *it = st_of(work);
	struct st_ctx *c = it->ctx;
	u32 now;

	if (io_wq_work_cancelled(work)) {
		it->status = -ECANCELED;
		goto complete;
	}
	if (it->key >= 0) {
		if (__atomic_add_fetch(&c->running_key[it->key], 1, __ATOMIC_SEQ_CST) > 1)
			__atomic_fetch_add(&c->overlaps, 1, __ATOMIC_RELAXED);
		/* only one item of the key runs: next_seq needs no atomics */
		if (it->seq != c->next_seq[it->key])
			__atomic_fetch_add(&c->out_of_order, 1, __ATOMIC_RELAXED);
		c->next_seq[it->key] = it->seq + 1;
	}
	now = __atomic_add_fetch(&c->running, 1, __ATOMIC_SEQ_CST);
	__atomic_fetch_add(&c->started, 1, __ATOMIC_SEQ_CST);
	for (u32 max = __atomic_load_n(&c->max_running, __ATOMIC_RELAXED); now > max;)
		if (__atomic_compare_exchange_n(&c->max_running, &max, now, false, __ATOMIC_RELAXED,
						__ATOMIC_RELAXED))
			break;
	if (it->wait_for) {
		u64 end = time_ns() + it->wait_ms * ST_MS;

		/* still running when the last of wait_for started: they overlapped */
		while (__atomic_load_n(&c->started, __ATOMIC_SEQ_CST) < it->wait_for &&
		       time_ns() < end)
			if (it->spin)
				cpu_relax();
			else
				thread_sleep_ns(50 * ST_US);
		it->saw_overlap = __atomic_load_n(&c->started, __ATOMIC_SEQ_CST) >= it->wait_for;
	}
	for (u32 slept = 0; slept < it->sleep_us; slept += 100) {
		if (it->cancellable && io_wq_work_cancelled(work))
			break;
		thread_sleep_ns(min(it->sleep_us - slept, 100u) * ST_US);
	}
	it->status = it->cancellable && io_wq_work_cancelled(work) ? -ECANCELED : 0;
	__atomic_fetch_sub(&c->running, 1, __ATOMIC_SEQ_CST);
	if (it->key >= 0)
		__atomic_fetch_sub(&c->running_key[it->key], 1, __ATOMIC_SEQ_CST);
complete:
	__atomic_fetch_add(&it->completions, 1, __ATOMIC_SEQ_CST);
	__atomic_fetch_add(&c->finished, 1, __ATOMIC_SEQ_CST);
}

static void st_item_init(struct st_item *it, struct st_ctx *c, int key, unsigned int seq,
			 u32 sleep_us)
{
	memset(it, 0, sizeof(*it));
	io_wq_work_init(&it->work, st_item_fn);
	it->ctx = c;
	it->key = key;
	it->seq = seq;
	it->sleep_us = sleep_us;
	if (key >= 0) {
		/* the buckets themselves as keys: distinct keys never share a bucket */
		it->work.flags |= IO_WQ_WORK_HASHED;
		it->work.hash = (unsigned int)key;
	}
}

/* Wait until n items finished; false after timeout_ms. */
static bool st_wait_finished(struct st_ctx *c, u32 n, u64 timeout_ms)
{
	u64 end = time_ns() + timeout_ms * ST_MS;

	while (__atomic_load_n(&c->finished, __ATOMIC_SEQ_CST) < n)
		if (time_ns() > end)
			return false;
		else
			thread_sleep_ns(ST_MS);
	return true;
}

static struct io_wq *st_pool(struct selftest *t, const char *name, unsigned int max_bound,
			     u64 idle_ns)
{
	/*
	 * both accounts capped alike: every worker costs a thread (a stack
	 * mapped and unmapped, TLB shootdowns) and 32 unbound ones on 8 vCPUs
	 * of a 2-core host make the tests slow without testing more
	 */
	struct io_wq_params p = { .max_workers = { max_bound, max_bound }, .idle_ns = idle_ns };
	struct io_wq *wq = io_wq_create(name, &p);

	if (IS_ERR(wq)) {
		selftest_fail(t, __FILE__, __LINE__, "io_wq_create(%s): %s", name,
			      errno_name((int)PTR_ERR(wq)));
		return NULL;
	}
	return wq;
}

/* Objects in use in the io-wq caches (pools and workers), the leak measure. */
static unsigned long st_slab_in_use(void)
{
	struct kmem_cache_info info[64];
	unsigned int n = kmem_cache_info_get(info, ARRAY_SIZE(info));
	unsigned long sum = 0;

	for (unsigned int i = 0; i < min(n, (unsigned int)ARRAY_SIZE(info)); i++)
		if (!strcmp(info[i].name, "io_wq") || !strcmp(info[i].name, "io_wq_worker"))
			sum += info[i].in_use;
	return sum;
}

/* Counts to come back to, taken once the previous test's threads are reaped. */
static void st_baseline(unsigned int *threads, unsigned long *slab)
{
	thread_sleep_ns(20 * ST_MS);
	*threads = thread_count();
	*slab = st_slab_in_use();
}

/*
 * Threads and slab objects return to their counts (within 10 s: detached
 * threads are freed late, by the reaper, which a loaded host delays).
 */
static void st_expect_no_leak(struct selftest *t, unsigned int threads, unsigned long slab)
{
	u64 end = time_ns() + 10000 * ST_MS;

	while ((thread_count() != threads || st_slab_in_use() != slab) && time_ns() < end)
		thread_sleep_ns(ST_MS);
	ST_EXPECT_EQ(t, thread_count(), threads);
	ST_EXPECT_EQ(t, st_slab_in_use(), slab);
}

/* --- hashed order under load from every CPU -------------------------------------- */

/*
 * Items per submitting CPU: every CPU submits, about 48 items in all (at
 * least 6 each), so 8 vCPUs on a 2-core host do not take minutes.
 */
static unsigned int st_per_cpu(void)
{
	unsigned int n = 48 / cpumask_weight(&cpu_online_mask);

	return max(6u, min(24u, n)) & ~1u;	/* even: the cancel test takes every other */
}
#define ST_PER_CPU st_per_cpu()

struct st_load {
	struct io_wq *wq;
	struct st_ctx ctx;
	struct st_item *items;		/* ST_PER_CPU per submitter */
};

static int st_submit_mix(struct selftest_worker *w)
{
	struct st_load *l = w->ctx;
	struct st_item *items = &l->items[w->index * ST_PER_CPU];
	unsigned int seq[2] = { 0, 0 };

	for (unsigned int i = 0; i < ST_PER_CPU; i++) {
		/* two keys of this submitter, and unhashed items between them */
		int key = i % 3 == 2 ? -1 : (int)(w->index * 2 + i % 3) % ST_NKEYS;

		st_item_init(&items[i], &l->ctx, key, key < 0 ? 0 : seq[i % 3]++, (i * 37) % 150);
		io_wq_enqueue(l->wq, &items[i].work);
		if (i % 8 == 0)
			thread_yield();
	}
	return 0;
}

static void test_hashed_order(struct selftest *t)
{
	struct selftest_workers ws;
	struct st_load *l = kzalloc(sizeof(*l));
	unsigned int n;

	ST_ASSERT(t, l);
	l->wq = st_pool(t, "st-hash", 8, 0);
	n = cpumask_weight(&cpu_online_mask);
	l->items = kcalloc(n * ST_PER_CPU, sizeof(*l->items));
	if (!l->wq || !l->items)
		goto destroy_pool;
	ST_EXPECT_EQ(t, selftest_workers_start(&ws, "st-iowq", 1, THREAD_PRIO_DEFAULT,
					       st_submit_mix, l), 0);
	selftest_workers_join(&ws);
	selftest_workers_free(&ws);
	/* seconds normally; the bound is for 8 vCPUs on a loaded 2-core host */
	ST_EXPECT(t, st_wait_finished(&l->ctx, n * ST_PER_CPU, 60000));
	ST_EXPECT_EQ(t, l->ctx.overlaps, 0);
	ST_EXPECT_EQ(t, l->ctx.out_of_order, 0);
	for (unsigned int i = 0; i < n * ST_PER_CPU; i++)
		ST_EXPECT_EQ(t, l->items[i].completions, 1);
	/* different keys and unhashed items did run side by side */
	ST_EXPECT(t, l->ctx.max_running > 1);
destroy_pool:
	if (l->wq)
		io_wq_destroy(l->wq);
	kfree(l->items);
	kfree(l);
}
SELFTEST(io_wq, hashed_order, test_hashed_order);

/* --- unhashed items overlap; one hash does not ------------------------------------ */

static void test_overlap(struct selftest *t)
{
	struct st_ctx c = { 0 };
	struct st_item it[4];
	struct io_wq *wq = st_pool(t, "st-overlap", 4, 0);

	if (!wq)
		return;
	/* each waits (asleep) for all four to run: only the sleeping hook gets them there */
	for (int i = 0; i < 4; i++) {
		st_item_init(&it[i], &c, -1, 0, 0);
		it[i].wait_for = 4;
		it[i].wait_ms = 10000;	/* ends when all four run: long only on a loaded host */
		io_wq_enqueue(wq, &it[i].work);
	}
	ST_EXPECT(t, st_wait_finished(&c, 4, 20000));
	for (int i = 0; i < 4; i++)
		ST_EXPECT(t, it[i].saw_overlap);
	/* two of one hash wait for each other in vain: they run one after the other */
	memset(&c, 0, sizeof(c));
	for (int i = 0; i < 2; i++) {
		st_item_init(&it[i], &c, 3, (unsigned int)i, 0);
		it[i].wait_for = 2;
		it[i].wait_ms = 200;	/* waits in vain: the whole time */
		io_wq_enqueue(wq, &it[i].work);
	}
	ST_EXPECT(t, st_wait_finished(&c, 2, 20000));
	/* the first timed out waiting; the second started after it ended */
	ST_EXPECT(t, !it[0].saw_overlap);
	ST_EXPECT_EQ(t, c.max_running, 1);
	ST_EXPECT_EQ(t, c.out_of_order, 0);
	io_wq_destroy(wq);
}
SELFTEST(io_wq, overlap, test_overlap);

/*
 * A worker that never sleeps keeps counting as running: a plain item
 * waits for it, a CONCURRENT one gets a worker of its own (Linux's rule).
 */
static void test_concurrent(struct selftest *t)
{
	struct st_ctx c = { 0 };
	struct st_item it[4];
	struct io_wq *wq = st_pool(t, "st-concurrent", 4, 0);

	if (!wq)
		return;
	/* a spinner, then a plain item: the plain one starts only after it */
	st_item_init(&it[0], &c, -1, 0, 0);
	it[0].wait_for = 2;
	it[0].wait_ms = 200;	/* waits in vain: the whole time */
	it[0].spin = true;
	io_wq_enqueue(wq, &it[0].work);
	while (!__atomic_load_n(&c.started, __ATOMIC_SEQ_CST))
		thread_sleep_ns(ST_MS);
	st_item_init(&it[1], &c, -1, 0, 0);
	io_wq_enqueue(wq, &it[1].work);
	ST_EXPECT(t, st_wait_finished(&c, 2, 20000));
	ST_EXPECT(t, !it[0].saw_overlap);
	/* a spinner, then a CONCURRENT item: they run side by side */
	memset(&c, 0, sizeof(c));
	st_item_init(&it[2], &c, -1, 0, 0);
	it[2].wait_for = 2;
	it[2].wait_ms = 10000;	/* ends when the other runs */
	it[2].spin = true;
	io_wq_enqueue(wq, &it[2].work);
	while (!__atomic_load_n(&c.started, __ATOMIC_SEQ_CST))
		thread_sleep_ns(ST_MS);
	st_item_init(&it[3], &c, -1, 0, 0);
	it[3].work.flags |= IO_WQ_WORK_CONCURRENT;
	io_wq_enqueue(wq, &it[3].work);
	ST_EXPECT(t, st_wait_finished(&c, 2, 20000));
	ST_EXPECT(t, it[2].saw_overlap);
	io_wq_destroy(wq);
}
SELFTEST(io_wq, concurrent, test_concurrent);

/* --- the maximum holds --------------------------------------------------------------- */

static void test_max_workers(struct selftest *t)
{
	struct st_ctx c = { 0 };
	struct st_item *it = kcalloc(40, sizeof(*it));
	struct io_wq *wq = st_pool(t, "st-max", 3, 0);
	unsigned int max[IO_WQ_ACCT_NR] = { 5, 0 }, most = 0;
	struct io_wq_stats st;

	if (!wq || !it)
		goto destroy_pool;
	for (int i = 0; i < 40; i++) {
		st_item_init(&it[i], &c, -1, 0, 500);
		io_wq_enqueue(wq, &it[i].work);
	}
	while (__atomic_load_n(&c.finished, __ATOMIC_SEQ_CST) < 40) {
		io_wq_get_stats(wq, &st);
		most = max(most, st.acct[IO_WQ_ACCT_BOUND].workers);
		thread_sleep_ns(200 * ST_US);
	}
	ST_EXPECT(t, most <= 3);
	ST_EXPECT(t, c.max_running <= 3);
	ST_EXPECT_EQ(t, c.max_running, 3);	/* and it is reached: items sleep */
	io_wq_get_stats(wq, &st);
	ST_EXPECT(t, st.acct[IO_WQ_ACCT_BOUND].created <= 3);
	ST_EXPECT_EQ(t, st.acct[IO_WQ_ACCT_BOUND].done, 40);
	/* Linux's IOWQ_MAX_WORKERS: returns the old maximums, 0 leaves one alone */
	ST_EXPECT_EQ(t, io_wq_max_workers(wq, max), 0);
	ST_EXPECT_EQ(t, max[IO_WQ_ACCT_BOUND], 3);
	ST_EXPECT_EQ(t, max[IO_WQ_ACCT_UNBOUND], 3);
	io_wq_get_stats(wq, &st);
	ST_EXPECT_EQ(t, st.acct[IO_WQ_ACCT_BOUND].max_workers, 5);
	max[0] = IO_WQ_MAX_WORKERS + 1;
	ST_EXPECT_EQ(t, io_wq_max_workers(wq, max), -EINVAL);
destroy_pool:
	if (wq)
		io_wq_destroy(wq);
	kfree(it);
}
SELFTEST(io_wq, max_workers, test_max_workers);

/* --- idle workers exit, the fixed one stays -------------------------------------------- */

static void test_idle_exit(struct selftest *t)
{
	struct st_ctx c = { 0 };
	struct st_item it[9];
	struct io_wq *wq = st_pool(t, "st-idle", 4, 100 * ST_MS);
	struct io_wq_stats st;
	u64 end;

	if (!wq)
		return;
	for (int i = 0; i < 8; i++) {
		st_item_init(&it[i], &c, -1, 0, 2000);
		io_wq_enqueue(wq, &it[i].work);
	}
	ST_EXPECT(t, st_wait_finished(&c, 8, 20000));
	io_wq_get_stats(wq, &st);
	ST_EXPECT(t, st.acct[IO_WQ_ACCT_BOUND].created > 1);
	end = time_ns() + 20000 * ST_MS;
	do {
		thread_sleep_ns(20 * ST_MS);
		io_wq_get_stats(wq, &st);
	} while (st.acct[IO_WQ_ACCT_BOUND].workers > 1 && time_ns() < end);
	ST_EXPECT_EQ(t, st.acct[IO_WQ_ACCT_BOUND].workers, 1);
	ST_EXPECT_EQ(t, st.acct[IO_WQ_ACCT_BOUND].free, 1);
	ST_EXPECT_EQ(t, st.acct[IO_WQ_ACCT_BOUND].exited, st.acct[IO_WQ_ACCT_BOUND].created - 1);
	/* it stays past its idle time, and the next item wakes it */
	thread_sleep_ns(250 * ST_MS);
	st_item_init(&it[8], &c, -1, 0, 0);
	io_wq_enqueue(wq, &it[8].work);
	ST_EXPECT(t, st_wait_finished(&c, 9, 20000));
	io_wq_get_stats(wq, &st);
	ST_EXPECT_EQ(t, st.acct[IO_WQ_ACCT_BOUND].workers, 1);
	ST_EXPECT_EQ(t, st.acct[IO_WQ_ACCT_BOUND].start_woken_n, 1);
	io_wq_destroy(wq);
}
SELFTEST(io_wq, idle_exit, test_idle_exit);

/* --- cancel races with completion, from every CPU -------------------------------------------- */

#define ST_CANCEL_ITEMS st_per_cpu()

struct st_cancel {
	struct io_wq *wq;
	struct st_ctx ctx;
	struct st_item *items;		/* ST_CANCEL_ITEMS per canceller */
	u32 ok, running, notfound, bad;
};

static bool st_match_item(struct io_wq_work *work, void *data)
{
	return work == data;
}

static int st_cancel_mix(struct selftest_worker *w)
{
	struct st_cancel *cl = w->ctx;
	struct st_item *items = &cl->items[w->index * ST_CANCEL_ITEMS];

	for (unsigned int i = 0; i < ST_CANCEL_ITEMS; i++) {
		st_item_init(&items[i], &cl->ctx, i % 4 == 0 ? (int)(w->index % ST_NKEYS) : -1, 0,
			     (i * 53) % 400);
		items[i].cancellable = true;
		io_wq_enqueue(cl->wq, &items[i].work);
	}
	for (unsigned int i = 0; i < ST_CANCEL_ITEMS; i += 2) {
		struct st_item *it = &items[(i * 7) % ST_CANCEL_ITEMS];
		enum io_wq_cancel r = io_wq_cancel_cb(cl->wq, st_match_item, &it->work, false);

		switch (r) {
		case IO_WQ_CANCEL_OK:
			/* completed by us, now, with -ECANCELED */
			if (__atomic_load_n(&it->completions, __ATOMIC_SEQ_CST) != 1 ||
			    it->status != -ECANCELED)
				__atomic_fetch_add(&cl->bad, 1, __ATOMIC_RELAXED);
			__atomic_fetch_add(&cl->ok, 1, __ATOMIC_RELAXED);
			break;
		case IO_WQ_CANCEL_RUNNING:
			__atomic_fetch_add(&cl->running, 1, __ATOMIC_RELAXED);
			break;
		case IO_WQ_CANCEL_NOTFOUND:
			/* it ran already (or is about to finish) */
			__atomic_fetch_add(&cl->notfound, 1, __ATOMIC_RELAXED);
			break;
		}
		if (i % 6 == 0)
			thread_sleep_ns(150 * ST_US);
	}
	return 0;
}

static void test_cancel_race(struct selftest *t)
{
	struct selftest_workers ws;
	unsigned int n = cpumask_weight(&cpu_online_mask), threads;
	struct st_cancel *cl;
	struct io_wq_stats st;
	unsigned long slab;

	st_baseline(&threads, &slab);
	cl = kzalloc(sizeof(*cl));
	ST_ASSERT(t, cl);
	cl->wq = st_pool(t, "st-cancel", 3, 0);
	cl->items = kcalloc(n * ST_CANCEL_ITEMS, sizeof(*cl->items));
	if (!cl->wq || !cl->items)
		goto destroy_pool;
	ST_EXPECT_EQ(t, selftest_workers_start(&ws, "st-iowq-c", 1, THREAD_PRIO_DEFAULT,
					       st_cancel_mix, cl), 0);
	selftest_workers_join(&ws);
	selftest_workers_free(&ws);
	ST_EXPECT(t, st_wait_finished(&cl->ctx, n * ST_CANCEL_ITEMS, 60000));
	for (unsigned int i = 0; i < n * ST_CANCEL_ITEMS; i++)
		ST_EXPECT_EQ(t, cl->items[i].completions, 1);
	ST_EXPECT_EQ(t, cl->bad, 0);
	ST_EXPECT_EQ(t, cl->ok + cl->running + cl->notfound, n * ST_CANCEL_ITEMS / 2);
	ST_EXPECT(t, cl->ok > 0);
	ST_EXPECT_EQ(t, cl->ctx.overlaps, 0);
	io_wq_get_stats(cl->wq, &st);
	ST_EXPECT_EQ(t, st.acct[IO_WQ_ACCT_BOUND].cancelled, cl->ok);
	ST_EXPECT_EQ(t, st.acct[IO_WQ_ACCT_BOUND].cancel_running, cl->running);
	ST_EXPECT_EQ(t, st.acct[IO_WQ_ACCT_BOUND].done + cl->ok, n * ST_CANCEL_ITEMS);
	ST_EXPECT_EQ(t, st.acct[IO_WQ_ACCT_BOUND].pending, 0);
destroy_pool:
	if (cl->wq)
		io_wq_destroy(cl->wq);
	kfree(cl->items);
	kfree(cl);
	st_expect_no_leak(t, threads, slab);
}
SELFTEST(io_wq, cancel_race, test_cancel_race);

/* --- teardown under load ---------------------------------------------------------------------- */

static int st_submit_sleepers(struct selftest_worker *w)
{
	struct st_load *l = w->ctx;
	struct st_item *items = &l->items[w->index * ST_PER_CPU];

	for (unsigned int i = 0; i < ST_PER_CPU; i++) {
		st_item_init(&items[i], &l->ctx, i % 5 == 0 ? (int)(w->index % ST_NKEYS) : -1,
			     i / 5, 300);
		if (i % 7 == 0)
			items[i].work.flags |= IO_WQ_WORK_UNBOUND;
		io_wq_enqueue(l->wq, &items[i].work);
	}
	return 0;
}

static void test_teardown_under_load(struct selftest *t)
{
	struct selftest_workers ws;
	unsigned int n = cpumask_weight(&cpu_online_mask), threads;
	unsigned long slab;
	struct st_load *l;

	st_baseline(&threads, &slab);
	l = kzalloc(sizeof(*l));
	ST_ASSERT(t, l);
	l->wq = st_pool(t, "st-teardown", 6, 0);
	l->items = kcalloc(n * ST_PER_CPU, sizeof(*l->items));
	if (!l->wq || !l->items)
		goto destroy_pool;
	ST_EXPECT_EQ(t, selftest_workers_start(&ws, "st-iowq-t", 1, THREAD_PRIO_DEFAULT,
					       st_submit_sleepers, l), 0);
	selftest_workers_join(&ws);
	selftest_workers_free(&ws);
	thread_sleep_ns(2 * ST_MS);
	/* work is running, blocked and pending in both accounts */
	io_wq_destroy(l->wq);
	l->wq = NULL;
	/* destroy returned: every item finished, run or cancelled, exactly once */
	ST_EXPECT_EQ(t, __atomic_load_n(&l->ctx.finished, __ATOMIC_SEQ_CST), n * ST_PER_CPU);
	for (unsigned int i = 0; i < n * ST_PER_CPU; i++)
		ST_EXPECT_EQ(t, l->items[i].completions, 1);
destroy_pool:
	if (l->wq)
		io_wq_destroy(l->wq);
	kfree(l->items);
	kfree(l);
	st_expect_no_leak(t, threads, slab);
}
SELFTEST(io_wq, teardown_under_load, test_teardown_under_load);

/* --- the submitter's identity ---------------------------------------------------------------- */

static u32 st_identity_gets, st_identity_puts;
static int st_identity_token;

static void *st_identity_get(void)
{
	__atomic_fetch_add(&st_identity_gets, 1, __ATOMIC_SEQ_CST);
	return &st_identity_token;
}

static void st_identity_put(void *identity)
{
	if (identity == &st_identity_token)
		__atomic_fetch_add(&st_identity_puts, 1, __ATOMIC_SEQ_CST);
}

static const struct io_wq_identity_ops st_identity_ops = {
	.get_current = st_identity_get,
	.put = st_identity_put,
};

struct st_identity_item {
	struct io_wq_work work;
	void *seen;
	struct thread *worker;
	bool done;
};

static void st_identity_fn(struct io_wq_work *work)
{
	struct st_identity_item *it = container_of(work, struct st_identity_item, work);

	it->seen = current_thread()->io_context;
	it->worker = current_thread();
	__atomic_store_n(&it->done, true, __ATOMIC_SEQ_CST);
}

static void test_identity(struct selftest *t)
{
	struct io_wq_params p = { .identity = &st_identity_ops };
	struct io_wq *wq = io_wq_create("st-identity", &p);
	struct st_identity_item it[3];
	u64 end = time_ns() + 20000 * ST_MS;

	ST_ASSERT(t, !IS_ERR(wq));
	st_identity_gets = st_identity_puts = 0;
	for (int i = 0; i < 3; i++) {
		memset(&it[i], 0, sizeof(it[i]));
		io_wq_work_init(&it[i].work, st_identity_fn);
		io_wq_enqueue(wq, &it[i].work);
	}
	for (int i = 0; i < 3; i++)
		while (!__atomic_load_n(&it[i].done, __ATOMIC_SEQ_CST) && time_ns() < end)
			thread_sleep_ns(ST_MS);
	for (int i = 0; i < 3; i++) {
		ST_EXPECT(t, it[i].done);
		ST_EXPECT(t, it[i].seen == &st_identity_token);
		ST_EXPECT(t, it[i].worker != current_thread());
	}
	io_wq_destroy(wq);
	ST_EXPECT_EQ(t, st_identity_gets, 3);
	ST_EXPECT_EQ(t, st_identity_puts, 3);
}
SELFTEST(io_wq, identity, test_identity);
