/*
 * Async jobs (async.h): the jobs not yet ended on a list in the order they
 * were started, a wait queue for those who wait for the list to empty (or
 * for its head to be their own job), and one detached thread per job.
 *
 * Locking: async_lock (a spinlock, interrupts off) protects async_jobs and
 * async_count. A waiter tests under the wait queue's protocol (wait_event:
 * queued and marked blocked before the test), and a job wakes the queue
 * after it has left the list, so no wake-up is lost. async_report is an
 * atomic that exactly one of the prompt and the last job takes back.
 */
#include "kernel/sched/async.h"
#include "kernel/arch/percpu.h"
#include "kernel/console/printk.h"
#include "kernel/mm/slab.h"
#include "kernel/sched/spinlock.h"
#include "kernel/sched/thread.h"
#include "kernel/sched/wait.h"
#include "kernel/time/time.h"
#include "lib/errno.h"
#include "lib/list.h"

struct async_job {
	struct list_head link;		/* in async_jobs while it runs in a thread */
	int (*fn)(void *arg);
	void *arg;
};

static spinlock_t async_lock = SPINLOCK_INIT;
static LIST_HEAD(async_jobs);		/* oldest first; async_lock */
static unsigned int async_count;	/* entries of async_jobs; async_lock */
static unsigned int async_report;	/* 1: the job that ends last prints the boot line */
static struct wait_queue async_wait = WAIT_QUEUE_INIT(async_wait);

static void async_job_done(struct async_job *job)
{
	unsigned long flags = spin_lock_irqsave(&async_lock);
	bool last;

	list_del(&job->link);
	last = --async_count == 0;
	spin_unlock_irqrestore(&async_lock, flags);
	if (last && __atomic_exchange_n(&async_report, 0, __ATOMIC_ACQ_REL))
		pr_info("boot: background probes done after %llu ms\n",
			(unsigned long long)(time_ns() / NSEC_PER_MSEC));
	wake_up_all(&async_wait);
}

static int async_thread(void *arg)
{
	struct async_job *job = arg;
	int err;

	err = job->fn(job->arg);
	if (err)
		pr_err("async: %s ended with %s\n", current_thread()->name, errno_name(err));
	async_job_done(job);
	kfree(job);
	return 0;
}

void async_run(const char *name, int (*fn)(void *arg), void *arg)
{
	struct async_job *job = kzalloc(sizeof(*job));
	unsigned long flags;
	struct thread *t;
	int err;

	if (!job)
		goto inline_run;
	job->fn = fn;
	job->arg = arg;
	t = thread_create(name, async_thread, job);
	if (IS_ERR(t)) {
		kfree(job);
		goto inline_run;
	}
	flags = spin_lock_irqsave(&async_lock);
	list_add_tail(&job->link, &async_jobs);
	async_count++;
	spin_unlock_irqrestore(&async_lock, flags);
	thread_detach(t);
	thread_start(t);
	return;

inline_run:
	/* not on the list: nobody waits for it, it is over when we return */
	pr_warn("async: no memory for a thread: %s runs in the boot path\n", name);
	err = fn(arg);
	if (err)
		pr_err("async: %s ended with %s\n", name, errno_name(err));
}

/* The job the current thread runs, or NULL. */
static struct async_job *async_current_job(void)
{
	struct thread *t = current_thread();

	return t && t->fn == async_thread ? t->arg : NULL;
}

/* Nothing is older than job on the list (with job NULL: the list is empty). */
static bool async_none_before(struct async_job *job)
{
	unsigned long flags = spin_lock_irqsave(&async_lock);
	bool none;

	none = list_empty(&async_jobs) ||
	       (job && list_first_entry(&async_jobs, struct async_job, link) == job);
	spin_unlock_irqrestore(&async_lock, flags);
	return none;
}

void async_synchronize_earlier(void)
{
	struct async_job *job = async_current_job();

	wait_event(async_wait, async_none_before(job));
}

void async_synchronize(void)
{
	/* inside a job, the jobs after it may wait for it: only the earlier ones */
	async_synchronize_earlier();
}

unsigned int async_pending(void)
{
	unsigned long flags = spin_lock_irqsave(&async_lock);
	unsigned int n = async_count;

	spin_unlock_irqrestore(&async_lock, flags);
	return n;
}

unsigned int async_boot_report_arm(void)
{
	unsigned int n;

	__atomic_store_n(&async_report, 1, __ATOMIC_SEQ_CST);
	n = async_pending();
	if (n)
		return n;
	/* nothing pending: take the report back, unless the last job just took it */
	return __atomic_exchange_n(&async_report, 0, __ATOMIC_ACQ_REL) ? 0 : 1;
}
