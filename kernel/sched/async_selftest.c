/*
 * Self tests of async jobs (suite `async`, kernel/sched/async.h): three jobs
 * started in order A, B, C whose first parts end in the opposite order (A
 * sleeps longest) must pass their synchronization point in start order,
 * whether they wait with async_synchronize_earlier() or async_synchronize()
 * (inside a job it must not wait for the job itself or later ones), and
 * async_synchronize() outside a job returns only when all have ended.
 */
#include "kernel/sched/async.h"
#include "kernel/selftest/selftest.h"
#include "kernel/sched/thread.h"
#include "kernel/time/time.h"

struct st_async_job {
	u64 sleep_ns;
	bool full;			/* async_synchronize() rather than ..._earlier() */
	char letter;
	char *order;			/* shared: where each job writes its letter */
	unsigned int *next;		/* shared: the next free place, atomic */
};

static int st_async_job_fn(void *arg)
{
	struct st_async_job *j = arg;
	unsigned int at;

	thread_sleep_ns(j->sleep_ns);
	if (j->full)
		async_synchronize();
	else
		async_synchronize_earlier();
	at = __atomic_fetch_add(j->next, 1, __ATOMIC_ACQ_REL);
	if (at < 3)
		j->order[at] = j->letter;
	return 0;
}

static void test_async_order(struct selftest *t)
{
	char order[4] = "???";
	unsigned int next = 0;
	struct st_async_job jobs[3] = {
		{ 6 * NSEC_PER_MSEC, false, 'A', order, &next },
		{ 3 * NSEC_PER_MSEC, true, 'B', order, &next },
		{ 0, false, 'C', order, &next },
	};

	async_run("st-async-a", st_async_job_fn, &jobs[0]);
	async_run("st-async-b", st_async_job_fn, &jobs[1]);
	async_run("st-async-c", st_async_job_fn, &jobs[2]);
	async_synchronize();
	ST_EXPECT_EQ(t, __atomic_load_n(&next, __ATOMIC_ACQUIRE), 3);
	ST_EXPECT(t, order[0] == 'A' && order[1] == 'B' && order[2] == 'C');
	ST_EXPECT_EQ(t, async_pending(), 0);
}
SELFTEST(async, start_order, test_async_order);
