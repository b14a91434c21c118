/*
 * Self tests of the scheduler core (suite `sched`): placement on every CPU,
 * sleep and wake-up through completions and wait queues in both orders,
 * priorities, yield, and thread lifetimes (thousands of create/join cycles
 * and detached threads, with no thread or page left behind).
 */
#include "kernel/mm/page_alloc.h"
#include "kernel/arch/percpu.h"
#include "kernel/sched/sched.h"
#include "kernel/selftest/selftest.h"
#include "kernel/selftest/selftest_workers.h"
#include "kernel/console/console.h"
#include "kernel/sched/thread.h"
#include "kernel/time/time.h"
#include "kernel/sched/wait.h"
#include "lib/errno.h"

#define MS NSEC_PER_MSEC

/* Wait (sleeping 1 ms at a time) until *flag is set or timeout_ns passes. */
static bool wait_flag(volatile int *flag, u64 timeout_ns)
{
	u64 end = time_ns() + timeout_ns;

	while (!*flag && time_ns() < end)
		thread_sleep_ns(MS);
	return *flag;
}

static int report_cpu(struct selftest_worker *w)
{
	unsigned int wrong = 0;

	/* look several times, across sleeps and yields: a bound thread never moves */
	for (int i = 0; i < 20; i++) {
		if (this_cpu_id() != w->cpu)
			wrong++;
		if (i % 2)
			thread_yield();
		else
			thread_sleep_ns(100 * 1000);
	}
	w->result = wrong;
	return 0;
}

static void test_bound_every_cpu(struct selftest *t)
{
	struct selftest_workers ws;

	ST_ASSERT_EQ(t, selftest_workers_start(&ws, "st-bound", 1, THREAD_PRIO_DEFAULT,
					       report_cpu, NULL), 0);
	ST_EXPECT_EQ(t, ws.n, cpumask_weight(&cpu_online_mask));
	selftest_workers_join(&ws);
	for (unsigned int i = 0; i < ws.n; i++)
		if (ws.w[i].result)
			selftest_fail(t, __FILE__, __LINE__, "thread bound to CPU %u ran %llu of 20 "
				      "times elsewhere", ws.w[i].cpu, (unsigned long long)ws.w[i].result);
	selftest_workers_free(&ws);
}
SELFTEST(sched, bound_every_cpu, test_bound_every_cpu);

struct wake_ctx {
	struct completion done;
	struct wait_queue wq;
	volatile int flag;
	volatile int waiting;
};

static int completion_waiter(void *arg)
{
	struct wake_ctx *c = arg;

	c->waiting = 1;
	wait_for_completion(&c->done);
	return 7;
}

static void test_completion_wake(struct selftest *t)
{
	struct wake_ctx c = { .waiting = 0 };
	struct thread *th;

	/* sleep first, wake later */
	completion_init(&c.done);
	th = thread_run("st-compl", completion_waiter, &c);
	ST_ASSERT(t, !IS_ERR(th));
	ST_EXPECT(t, wait_flag(&c.waiting, 1000 * MS));
	thread_sleep_ns(2 * MS);	/* let it reach the sleep */
	complete(&c.done);
	ST_EXPECT_EQ(t, thread_join(th), 7);

	/* wake first: the completion is remembered */
	completion_init(&c.done);
	complete(&c.done);
	th = thread_run("st-compl", completion_waiter, &c);
	ST_ASSERT(t, !IS_ERR(th));
	ST_EXPECT_EQ(t, thread_join(th), 7);
	/* and consumed: a second wait would sleep */
	ST_EXPECT(t, !wait_for_completion_timeout(&c.done, MS));
}
SELFTEST(sched, completion_wake, test_completion_wake);

static int queue_waiter(void *arg)
{
	struct wake_ctx *c = arg;

	c->waiting = 1;
	wait_event(c->wq, c->flag);
	return 9;
}

/* Walk at most limit links; the number of waiters, or -1 if the list is broken. */
static int waiters_count(struct wait_queue *wq, int limit)
{
	unsigned long flags = spin_lock_irqsave(&wq->lock);
	struct list_head *p = wq->waiters.next;
	int n = 0;

	while (p != &wq->waiters && n <= limit) {
		if (p->next->prev != p) {
			n = -1;
			break;
		}
		p = p->next;
		n++;
	}
	spin_unlock_irqrestore(&wq->lock, flags);
	return n > limit ? -1 : n;
}

static void test_waitqueue_wake(struct selftest *t)
{
	struct wake_ctx c = { .flag = 0, .waiting = 0 };
	struct thread *th;

	wait_queue_init(&c.wq);
	th = thread_run("st-wq", queue_waiter, &c);
	ST_ASSERT(t, !IS_ERR(th));
	ST_EXPECT(t, wait_flag(&c.waiting, 1000 * MS));
	thread_sleep_ns(2 * MS);
	ST_EXPECT_EQ(t, waiters_count(&c.wq, 4), 1);
	/* a wake-up with the condition still false: it must queue itself once again */
	wake_up_all(&c.wq);
	thread_sleep_ns(2 * MS);
	c.flag = 1;
	if (waiters_count(&c.wq, 4) != 1) {
		selftest_fail(t, __FILE__, __LINE__, "after a spurious wake-up the wait queue "
			      "holds %d waiters (-1: broken list), want 1", waiters_count(&c.wq, 4));
		INIT_LIST_HEAD(&c.wq.waiters);	/* a broken list would hang wake_up_all */
		thread_wake(th);
	} else {
		wake_up_all(&c.wq);
	}
	ST_EXPECT_EQ(t, thread_join(th), 9);
	wait_queue_init(&c.wq);

	/* the condition made true before the thread waits: it does not sleep */
	th = thread_run("st-wq", queue_waiter, &c);
	ST_ASSERT(t, !IS_ERR(th));
	ST_EXPECT_EQ(t, thread_join(th), 9);
}
SELFTEST(sched, waitqueue_wake, test_waitqueue_wake);

struct order_ctx {
	unsigned int seq;
	unsigned int ran[2];		/* by child: 1 if it ran first, 2 if second */
	int err;
};

struct order_child {
	struct order_ctx *o;
	unsigned int index;
};

static int order_record(void *arg)
{
	struct order_child *c = arg;

	c->o->ran[c->index] = __atomic_add_fetch(&c->o->seq, 1, __ATOMIC_RELAXED);
	return 0;
}

/*
 * At priority 0, bound to its CPU, it queues a less urgent child, then a
 * more urgent one, on the same CPU; neither runs until it blocks in join.
 */
static int priority_starter(void *arg)
{
	struct order_ctx *o = arg;
	struct order_child child[2] = { { o, 0 }, { o, 1 } };
	static const int prio[2] = { SCHED_NR_PRIO - 2, 1 };
	struct thread *th[2];

	for (int i = 0; i < 2; i++) {
		th[i] = thread_create("st-prio", order_record, &child[i]);
		if (IS_ERR(th[i])) {
			o->err = -ENOMEM;
			if (i) {
				thread_start(th[0]);
				thread_join(th[0]);
			}
			return 0;
		}
		thread_bind(th[i], this_cpu_id());
		thread_set_priority(th[i], prio[i]);
	}
	thread_start(th[0]);
	thread_start(th[1]);
	thread_join(th[0]);
	thread_join(th[1]);
	return 0;
}

static void test_priority_order(struct selftest *t)
{
	unsigned int cpu;

	for_each_online_cpu(cpu) {
		struct order_ctx o = { 0 };
		struct thread *th = thread_create("st-prio-start", priority_starter, &o);

		ST_ASSERT(t, !IS_ERR(th));
		thread_bind(th, cpu);
		thread_set_priority(th, 0);
		thread_start(th);
		thread_join(th);
		ST_ASSERT_EQ(t, o.err, 0);
		if (o.ran[1] != 1 || o.ran[0] != 2)
			selftest_fail(t, __FILE__, __LINE__, "CPU %u: priority 1 thread ran %u., "
				      "priority %d thread ran %u. (want 1., 2.)", cpu, o.ran[1],
				      SCHED_NR_PRIO - 2, o.ran[0]);
	}
}
SELFTEST(sched, priority_order, test_priority_order);

#define YIELD_ROUNDS 100

struct yield_ctx {
	char log[2 * YIELD_ROUNDS];
	unsigned int len;
};

struct yield_child {
	struct yield_ctx *y;
	char id;
};

static int yield_loop(void *arg)
{
	struct yield_child *c = arg;

	for (int i = 0; i < YIELD_ROUNDS; i++) {
		preempt_disable();
		c->y->log[c->y->len++] = c->id;
		preempt_enable();
		thread_yield();
	}
	return 0;
}

/* Both children queued behind a priority-0 starter, as in priority_starter. */
static int yield_starter(void *arg)
{
	struct yield_ctx *y = arg;
	struct yield_child child[2] = { { y, 'a' }, { y, 'b' } };
	struct thread *th[2];

	for (int i = 0; i < 2; i++) {
		th[i] = thread_create("st-yield", yield_loop, &child[i]);
		if (IS_ERR(th[i])) {
			if (i) {
				thread_start(th[0]);
				thread_join(th[0]);
			}
			return -ENOMEM;
		}
		thread_bind(th[i], this_cpu_id());
		thread_set_priority(th[i], 1);
	}
	thread_start(th[0]);
	thread_start(th[1]);
	thread_join(th[0]);
	thread_join(th[1]);
	return 0;
}

static void test_yield_alternates(struct selftest *t)
{
	struct yield_ctx y = { .len = 0 };
	unsigned int repeats = 0, cpu = cpumask_first(&cpu_online_mask);
	struct thread *th = thread_create("st-yield-start", yield_starter, &y);

	ST_ASSERT(t, !IS_ERR(th));
	thread_bind(th, cpu);
	thread_set_priority(th, 0);
	thread_start(th);
	ST_ASSERT_EQ(t, thread_join(th), 0);
	ST_ASSERT_EQ(t, y.len, 2 * YIELD_ROUNDS);
	for (unsigned int i = 1; i < y.len; i++)
		if (y.log[i] == y.log[i - 1])
			repeats++;
	/* a host hiccup longer than a time slice may preempt once between log and yield */
	if (repeats > 2)
		selftest_fail(t, __FILE__, __LINE__, "two threads yielding on CPU %u did not "
			      "alternate: %u repeats in %.40s...", cpu, repeats, y.log);
}
SELFTEST(sched, yield_alternates, test_yield_alternates);

static int exit_with_arg(void *arg)
{
	return (int)(uintptr_t)arg;
}

#define CYCLES 500		/* a leak of one object per cycle shows either way */

static void create_join_cycles(struct selftest *t, bool bound)
{
	unsigned int cpu = cpumask_first(&cpu_online_mask), threads_start;
	int i, cycles = (int)selftest_scaled(CYCLES, 200);
	u64 pages_start, start = time_ns();

	/* a first round lets the slab caches reach their steady size */
	for (i = 0; i < 20; i++)
		thread_join(thread_run("st-warm", exit_with_arg, NULL));
	threads_start = thread_count();
	pages_start = mm_pages_free();
	for (i = 0; i < cycles && !console_interrupted(); i++) {
		struct thread *th = thread_create("st-cycle", exit_with_arg, (void *)(uintptr_t)i);

		ST_ASSERT(t, !IS_ERR(th));
		if (bound) {
			thread_bind(th, cpu);
			cpu = cpumask_next(&cpu_online_mask, cpu);
			if (cpu >= MAX_CPUS)
				cpu = cpumask_first(&cpu_online_mask);
		}
		thread_start(th);
		if (thread_join(th) != i) {
			selftest_fail(t, __FILE__, __LINE__, "cycle %d: wrong exit code", i);
			break;
		}
	}
	ST_EXPECT_EQ(t, i, cycles);
	ST_EXPECT_EQ(t, thread_count(), threads_start);
	ST_EXPECT_EQ(t, mm_pages_free(), pages_start);
	printf("    %d %s create/join cycles in %llu ms\n", i, bound ? "bound" : "unbound",
	       (unsigned long long)((time_ns() - start) / MS));
}

static void test_create_join_unbound(struct selftest *t)
{
	create_join_cycles(t, false);
}
SELFTEST(sched, create_join_unbound, test_create_join_unbound);

static void test_create_join_bound(struct selftest *t)
{
	create_join_cycles(t, true);
}
SELFTEST(sched, create_join_bound, test_create_join_bound);

static int detached_body(void *arg)
{
	thread_sleep_ns((uintptr_t)arg * 100 * 1000);
	return 0;
}

static void test_detached_reaped(struct selftest *t)
{
	unsigned int threads_start = thread_count(), cpu, n = 0;
	u64 end;

	for_each_online_cpu(cpu) {
		for (int k = 0; k < 4; k++) {
			struct thread *th = thread_create("st-detached", detached_body,
							  (void *)(uintptr_t)k);

			if (IS_ERR(th)) {
				selftest_fail(t, __FILE__, __LINE__, "thread_create for CPU %u: %s",
					      cpu, errno_name((int)PTR_ERR(th)));
				return;
			}
			thread_bind(th, cpu);
			thread_start(th);
			thread_detach(th);
			n++;
		}
	}
	/* a generous bound: 8 vCPUs on 2 busy host cores stall an idle CPU for seconds */
	end = time_ns() + 20000 * MS;
	while (thread_count() != threads_start && time_ns() < end)
		thread_sleep_ns(MS);
	if (thread_count() != threads_start)
		selftest_fail(t, __FILE__, __LINE__, "%u of %u detached threads not freed after 20 s",
			      thread_count() - threads_start, n);
}
SELFTEST(sched, detached_reaped, test_detached_reaped);
