/*
 * Self tests of the locks (suite `locks`): a shared counter hammered from
 * two threads per CPU stays exact under a spinlock, an IRQ-saving spinlock,
 * a mutex, and as a per-CPU counter; a semaphore admits at most its count;
 * trylock semantics; sleepers on a mutex are all woken in turn; the
 * lock-debugging report names the lock held.
 */
#include "kernel/console/console.h"
#include "kernel/sched/lockdebug.h"
#include "kernel/ksyms.h"
#include "kernel/sched/mutex.h"
#include "kernel/arch/percpu.h"
#include "kernel/sched/percpu_counter.h"
#include "kernel/selftest/selftest.h"
#include "kernel/selftest/selftest_workers.h"
#include "kernel/sched/semaphore.h"
#include "kernel/sched/spinlock.h"
#include "kernel/sched/thread.h"
#include "kernel/time/time.h"
#include "lib/errno.h"
#include "lib/string.h"

#define MS NSEC_PER_MSEC
#define HAMMER_THREADS_PER_CPU 2
#define HAMMER_ITERATIONS 100000
/*
 * Under TCG with more vCPUs than host cores a ticket lock crawls: the next
 * ticket often belongs to a vCPU the host has descheduled. So each thread
 * stops at a deadline too, and the check is that the counter equals the
 * increments the threads report, however many that is.
 */
#define HAMMER_DEADLINE_NS (2 * NSEC_PER_SEC)

enum hammer_kind { HAMMER_SPIN, HAMMER_SPIN_IRQSAVE, HAMMER_MUTEX, HAMMER_PERCPU };

struct hammer {
	enum hammer_kind kind;
	spinlock_t lock;
	struct mutex mutex;
	struct percpu_counter pcp;
	struct completion go;		/* all start together */
	u64 deadline_ns;
	volatile u64 counter;
};

static int hammer_body(struct selftest_worker *w)
{
	struct hammer *h = w->ctx;
	int i;

	wait_for_completion(&h->go);
	for (i = 0; i < HAMMER_ITERATIONS; i++) {
		unsigned long flags;

		if (time_ns() > h->deadline_ns)
			break;
		switch (h->kind) {
		case HAMMER_SPIN:
			spin_lock(&h->lock);
			h->counter++;
			spin_unlock(&h->lock);
			break;
		case HAMMER_SPIN_IRQSAVE:
			flags = spin_lock_irqsave(&h->lock);
			h->counter++;
			spin_unlock_irqrestore(&h->lock, flags);
			break;
		case HAMMER_MUTEX:
			mutex_lock(&h->mutex);
			h->counter++;
			mutex_unlock(&h->mutex);
			break;
		case HAMMER_PERCPU:
			percpu_counter_inc(&h->pcp);
			break;
		}
	}
	w->result = (u64)i;		/* the increments it made */
	return console_interrupted() ? -EINTR : 0;
}

static void hammer_run(struct selftest *t, enum hammer_kind kind)
{
	static struct hammer h;
	struct selftest_workers ws;
	u64 start = time_ns(), total, done = 0;

	memset(&h, 0, sizeof(h));
	h.kind = kind;
	spin_init(&h.lock);
	mutex_init(&h.mutex);
	completion_init(&h.go);
	if (kind == HAMMER_PERCPU)
		ST_ASSERT_EQ(t, percpu_counter_init(&h.pcp), 0);
	ST_ASSERT_EQ(t, selftest_workers_start(&ws, "st-hammer", HAMMER_THREADS_PER_CPU,
					       THREAD_PRIO_DEFAULT, hammer_body, &h), 0);
	h.deadline_ns = time_ns() + HAMMER_DEADLINE_NS;
	complete_all(&h.go);
	ST_EXPECT_EQ(t, selftest_workers_join(&ws), 0);
	for (unsigned int i = 0; i < ws.n; i++)
		done += ws.w[i].result;
	total = kind == HAMMER_PERCPU ? (u64)percpu_counter_sum(&h.pcp) : h.counter;
	if (total != done)
		selftest_fail(t, __FILE__, __LINE__, "%u threads made %llu increments, but the "
			      "counter is %llu", ws.n, (unsigned long long)done,
			      (unsigned long long)total);
	printf("    %u threads, %llu of %llu increments in %llu ms\n", ws.n,
	       (unsigned long long)done, (unsigned long long)ws.n * HAMMER_ITERATIONS,
	       (unsigned long long)((time_ns() - start) / MS));
	ST_EXPECT(t, !mutex_is_locked(&h.mutex));
	ST_EXPECT(t, !spin_is_locked(&h.lock));
	selftest_workers_free(&ws);
	if (kind == HAMMER_PERCPU)
		percpu_counter_destroy(&h.pcp);
}

static void test_counter_spinlock(struct selftest *t)
{
	hammer_run(t, HAMMER_SPIN);
}
SELFTEST(locks, counter_spinlock, test_counter_spinlock);

static void test_counter_spinlock_irqsave(struct selftest *t)
{
	hammer_run(t, HAMMER_SPIN_IRQSAVE);
}
SELFTEST(locks, counter_spinlock_irqsave, test_counter_spinlock_irqsave);

static void test_counter_mutex(struct selftest *t)
{
	hammer_run(t, HAMMER_MUTEX);
}
SELFTEST(locks, counter_mutex, test_counter_mutex);

static void test_counter_percpu(struct selftest *t)
{
	hammer_run(t, HAMMER_PERCPU);
}
SELFTEST(locks, counter_percpu, test_counter_percpu);

#define SEM_COUNT 2
#define SEM_ROUNDS 10

struct sem_ctx {
	struct semaphore sem;
	int inside;			/* threads between down and up */
	int most;			/* the largest inside seen */
};

static int sem_body(struct selftest_worker *w)
{
	struct sem_ctx *s = w->ctx;

	for (unsigned int i = 0, n = selftest_scaled(SEM_ROUNDS, 3); i < n; i++) {
		int now, most;

		down(&s->sem);
		now = __atomic_add_fetch(&s->inside, 1, __ATOMIC_ACQ_REL);
		most = __atomic_load_n(&s->most, __ATOMIC_RELAXED);
		while (now > most && !__atomic_compare_exchange_n(&s->most, &most, now, false,
								  __ATOMIC_RELAXED, __ATOMIC_RELAXED))
			;
		thread_sleep_ns(200 * 1000);	/* so that others pile up at down() */
		__atomic_sub_fetch(&s->inside, 1, __ATOMIC_ACQ_REL);
		up(&s->sem);
	}
	return 0;
}

static void test_semaphore_limits(struct selftest *t)
{
	struct sem_ctx s = { .inside = 0, .most = 0 };
	struct selftest_workers ws;

	sema_init(&s.sem, SEM_COUNT);
	ST_ASSERT_EQ(t, selftest_workers_start(&ws, "st-sem", 2, THREAD_PRIO_DEFAULT, sem_body,
					       &s), 0);
	selftest_workers_join(&ws);
	if (s.most > SEM_COUNT)
		selftest_fail(t, __FILE__, __LINE__, "%d threads inside a semaphore of count %d",
			      s.most, SEM_COUNT);
	if (ws.n >= SEM_COUNT && s.most < SEM_COUNT)
		selftest_fail(t, __FILE__, __LINE__, "never more than %d of %u threads inside a "
			      "semaphore of count %d", s.most, ws.n, SEM_COUNT);
	ST_EXPECT_EQ(t, s.sem.count, SEM_COUNT);
	selftest_workers_free(&ws);
}
SELFTEST(locks, semaphore_limits, test_semaphore_limits);

struct try_ctx {
	struct mutex *m;
	spinlock_t *l;
	bool mutex_got, spin_got;
};

static int try_from_other(void *arg)
{
	struct try_ctx *c = arg;

	c->mutex_got = mutex_trylock(c->m);
	if (c->mutex_got)
		mutex_unlock(c->m);
	c->spin_got = spin_trylock(c->l);
	if (c->spin_got)
		spin_unlock(c->l);
	return 0;
}

static void test_trylock(struct selftest *t)
{
	static struct mutex m = MUTEX_INIT(m);
	static spinlock_t l = SPINLOCK_INIT;
	static struct semaphore sem = SEMAPHORE_INIT(sem, 1);
	struct try_ctx c = { &m, &l, false, false };
	int pc = preempt_count();
	u64 start;

	ST_EXPECT(t, spin_trylock(&l));
	ST_EXPECT_EQ(t, preempt_count(), pc + 1);
	ST_EXPECT(t, spin_is_locked(&l));
	spin_unlock(&l);
	ST_EXPECT_EQ(t, preempt_count(), pc);

	ST_EXPECT(t, mutex_trylock(&m));
	ST_EXPECT(t, mutex_owner(&m) == current_thread());
	ST_EXPECT(t, !mutex_trylock(&m));
	/* another thread fails on the held mutex; the spinlock is free for it */
	thread_join(thread_run("st-try", try_from_other, &c));
	ST_EXPECT(t, !c.mutex_got);
	ST_EXPECT(t, c.spin_got);
	mutex_unlock(&m);
	ST_EXPECT(t, mutex_owner(&m) == NULL);
	thread_join(thread_run("st-try", try_from_other, &c));
	ST_EXPECT(t, c.mutex_got);

	ST_EXPECT(t, down_trylock(&sem));
	ST_EXPECT(t, !down_trylock(&sem));
	start = time_ns();
	ST_EXPECT_EQ(t, down_timeout(&sem, 5 * MS), -ETIMEDOUT);
	ST_EXPECT(t, time_ns() - start >= 5 * MS);
	up(&sem);
	ST_EXPECT_EQ(t, down_timeout(&sem, 5 * MS), 0);
	up(&sem);
	ST_EXPECT_EQ(t, sem.count, 1);
}
SELFTEST(locks, trylock, test_trylock);

#define MUTEX_SLEEPERS 6

static int mutex_sleeper(void *arg)
{
	struct mutex *m = arg;

	mutex_lock(m);
	thread_sleep_ns(100 * 1000);	/* hold it a while, asleep */
	mutex_unlock(m);
	return 0;
}

/* Sleepers queued on a held mutex are each woken in turn: none is lost. */
static void test_mutex_sleepers(struct selftest *t)
{
	static struct mutex m;
	struct thread *th[MUTEX_SLEEPERS];
	u64 start;

	mutex_init(&m);
	mutex_lock(&m);
	for (int i = 0; i < MUTEX_SLEEPERS; i++) {
		th[i] = thread_run("st-msleep", mutex_sleeper, &m);
		ST_ASSERT(t, !IS_ERR(th[i]));
	}
	thread_sleep_ns(20 * MS);	/* past their spinning: they sleep */
	ST_EXPECT(t, !list_empty(&m.wait.waiters));
	start = time_ns();
	mutex_unlock(&m);
	for (int i = 0; i < MUTEX_SLEEPERS; i++)
		thread_join(th[i]);
	ST_EXPECT(t, !mutex_is_locked(&m));
	ST_EXPECT(t, list_empty(&m.wait.waiters));
	ST_EXPECT(t, time_ns() - start < 2000 * MS);
}
SELFTEST(locks, mutex_sleepers, test_mutex_sleepers);

/* What a panic for sleeping under a spinlock would say about the lock held. */
static void test_lockdebug_report(struct selftest *t)
{
	static spinlock_t l = SPINLOCK_INIT;
	char buf[2 * KSYM_FORMAT_MAX];

	spin_lock(&l);
	lockdebug_describe_held(buf, sizeof(buf));
	spin_unlock(&l);
	if (lockdebug_enabled)
		ST_EXPECT(t, strstr(buf, "holding spinlock") && strstr(buf, "test_lockdebug_report"));
	else
		ST_EXPECT(t, strstr(buf, "lockdebug") != NULL);
}
SELFTEST(locks, lockdebug_report, test_lockdebug_report);
