/*
 * io-wq pools (kernel/io_wq/io_wq.h): accounts, workers, the scheduler's
 * sleeping/running hooks, idle exit, cancel and teardown. The pending list
 * itself (hash runs, stall) is the pure core in io_wq_list.c.
 *
 * Worker states, all changed under the account's lock:
 *   free     parked on acct->free_list, waiting for a kick or the idle time;
 *   running  looking for work or running an item (counted in nr_running);
 *   blocked  inside an item and asleep in the scheduler (nr_blocked): the
 *            scheduler's io_wq_worker_sleeping hook moved it out of
 *            nr_running and, if that left work waiting with no worker
 *            running, woke a free worker or asked for a new one.
 * A worker leaves the free list only by being kicked (whoever kicks it
 * counts it running first), so nr_running never misses a worker that is
 * about to look at the list: enqueue starts no new worker while one runs,
 * unless the item is IO_WQ_WORK_CONCURRENT (as in Linux).
 *
 * Creating a thread allocates and may sleep, so it cannot happen in the
 * scheduler hook or an interrupt: there the account reserves the worker
 * (nr_workers, nr_running) and queues itself for the creator thread, which
 * serves every pool. A thread that may sleep and queues work creates the
 * worker itself, as Linux's io_wq_enqueue does.
 *
 * Lifetimes: a worker frees itself when it exits idle; teardown claims the
 * workers still there and joins them. A reservation keeps its pool alive
 * (teardown waits for nr_workers to reach 0), so the creator never touches
 * a freed pool.
 */
#include "kernel/io_wq/io_wq.h"
#include "kernel/arch/percpu.h"
#include "kernel/arch/x86.h"
#include "kernel/console/printk.h"
#include "kernel/mm/slab.h"
#include "kernel/sched/mutex.h"
#include "kernel/sched/spinlock.h"
#include "kernel/sched/thread.h"
#include "kernel/sched/wait.h"
#include "lib/errno.h"
#include "lib/list.h"
#include "lib/printf.h"
#include "lib/string.h"

#define IO_WQ_TEARDOWN_POLL_NS (1000 * 1000ULL)

struct io_wq_acct {
	spinlock_t lock;		/* everything below, and the workers' states */
	struct io_wq *wq;
	enum io_wq_acct_index index;
	struct io_wq_list list;		/* pending work */
	unsigned int max_workers;
	unsigned int nr_workers;	/* alive or reserved */
	unsigned int nr_running;	/* not free and not blocked (reserved included) */
	unsigned int nr_blocked;
	unsigned int nr_free;
	unsigned int nr_to_create;	/* reserved, for the creator thread */
	bool create_queued;		/* on io_wq_create_list; io_wq_create_lock */
	struct list_head create_link;	/* io_wq_create_lock */
	struct list_head free_list;	/* struct io_wq_worker */
	struct list_head all_list;	/* every worker not claimed by its exit */
	u64 done, cancelled, cancel_running, created, exited;
	u64 start_woken_n, start_woken_cycles, start_created_n, start_created_cycles;
};

/* One memory node's part of a pool: its two accounts. */
struct io_wq_node {
	struct io_wq_acct acct[IO_WQ_ACCT_NR];
};

struct io_wq {
	char name[IO_WQ_NAME_MAX];
	u64 idle_ns;
	const struct io_wq_identity_ops *identity;
	cpumask_t cpus;			/* bound workers; the accounts' locks, copied under them */
	unsigned int cpus_gen;		/* bumped when cpus changes; bound workers retire */
	bool dying;			/* io_wq_destroy has begun; every account's lock */
	bool has_fixed;			/* the fixed worker exists; atomic */
	struct list_head link;		/* in io_wq_pools; io_wq_pools_lock */
	struct io_wq_node node[1];	/* one memory node */
};

enum io_wq_start {
	IO_WQ_START_CREATED,		/* the first item of a new worker */
	IO_WQ_START_WOKEN,		/* the first item after a kick */
	IO_WQ_START_QUEUED,		/* taken right after another item */
};

struct io_wq_worker {
	struct thread *thread;
	struct io_wq_acct *acct;
	struct list_head free_link;	/* on acct->free_list while free */
	struct list_head all_link;	/* on acct->all_list */
	struct io_wq_work *cur;		/* the item running; acct->lock */
	bool cancel_cur;		/* cur was cancelled while running; acct->lock */
	struct wait_queue wait;		/* parked here while free */
	unsigned int cpus_gen;		/* of the mask it was created with */
	bool kicked;			/* taken off the free list; acct->lock */
	bool fixed;			/* does not exit when idle */
	bool claimed;			/* teardown joins and frees it */
	bool blocked;			/* asleep inside an item; acct->lock */
	bool in_work;			/* inside an item; the worker's own */
	void *saved_identity;		/* its own io_context while it wears another */
};

struct io_wq *io_wq_system;

/* Pools and workers come from caches of their own: `mem` shows them, and leak checks count them. */
static struct kmem_cache *io_wq_cache, *io_wq_worker_cache;

static struct mutex io_wq_pools_lock = MUTEX_INIT(io_wq_pools_lock);
static LIST_HEAD(io_wq_pools);			/* protected by io_wq_pools_lock */

static spinlock_t io_wq_create_lock = SPINLOCK_INIT;
static LIST_HEAD(io_wq_create_list);		/* struct io_wq_acct; io_wq_create_lock */
static struct wait_queue io_wq_create_wait = WAIT_QUEUE_INIT(io_wq_create_wait);

static void io_wq_worker_create(struct io_wq_acct *acct);

static struct io_wq_acct *io_wq_work_acct(struct io_wq *wq, const struct io_wq_work *work)
{
	return &wq->node[0].acct[(work->flags & IO_WQ_WORK_UNBOUND) ? IO_WQ_ACCT_UNBOUND
								     : IO_WQ_ACCT_BOUND];
}

/* --- waking and creating workers (acct->lock held) -------------------------- */

/* Hand a free worker the work that waits; false if none is free. */
static bool io_wq_acct_kick_free(struct io_wq_acct *acct)
{
	struct io_wq_worker *w;

	if (list_empty(&acct->free_list))
		return false;
	w = list_first_entry(&acct->free_list, struct io_wq_worker, free_link);
	list_del_init(&w->free_link);
	acct->nr_free--;
	acct->nr_running++;
	WRITE_ONCE(w->kicked, true);
	wake_up_all(&w->wait);
	return true;
}

/* Reserve a new worker if the maximum allows; true if reserved. */
static bool io_wq_acct_reserve(struct io_wq_acct *acct)
{
	if (acct->nr_workers >= acct->max_workers || acct->wq->dying)
		return false;
	acct->nr_workers++;
	acct->nr_running++;
	return true;
}

/* Give a reservation back (creation failed or the pool is going). */
static void io_wq_acct_unreserve(struct io_wq_acct *acct)
{
	acct->nr_workers--;
	acct->nr_running--;
}

/* The creator thread will make one more worker for acct (reserved already). */
static void io_wq_acct_queue_create(struct io_wq_acct *acct)
{
	acct->nr_to_create++;
	spin_lock(&io_wq_create_lock);
	if (!acct->create_queued) {
		acct->create_queued = true;
		list_add_tail(&acct->create_link, &io_wq_create_list);
	}
	spin_unlock(&io_wq_create_lock);
	wake_up_one(&io_wq_create_wait);
}

static int io_wq_creator_main(void *unused)
{
	for (;;) {
		struct io_wq_acct *acct;
		unsigned long flags;
		unsigned int n;

		wait_event(io_wq_create_wait, !list_empty(&io_wq_create_list));
		flags = spin_lock_irqsave(&io_wq_create_lock);
		acct = list_first_entry_or_null(&io_wq_create_list, struct io_wq_acct, create_link);
		if (acct) {
			list_del_init(&acct->create_link);
			acct->create_queued = false;
		}
		spin_unlock_irqrestore(&io_wq_create_lock, flags);
		if (!acct)
			continue;
		/* each of these is a reservation: the pool stays until they are used */
		flags = spin_lock_irqsave(&acct->lock);
		n = acct->nr_to_create;
		acct->nr_to_create = 0;
		spin_unlock_irqrestore(&acct->lock, flags);
		while (n--)
			io_wq_worker_create(acct);
	}
	return 0;
}

/* --- identity ------------------------------------------------------------------ */

/*
 * The hook where a worker takes on its submitter's identity for one item:
 * the io_context (and with it the I/O priority) the submitter had when it
 * queued the work, as io-wq switches mm, creds and blkcg.
 */
static void io_wq_worker_adopt_identity(struct io_wq_worker *w, struct thread *self,
					void *identity)
{
	w->saved_identity = self->io_context;
	if (identity)
		self->io_context = identity;
}

static void io_wq_worker_restore_identity(struct io_wq_worker *w, struct thread *self)
{
	self->io_context = w->saved_identity;
}

static void io_wq_put_identity(struct io_wq *wq, void *identity)
{
	if (identity && wq->identity)
		wq->identity->put(identity);
}

/* --- the worker ------------------------------------------------------------------- */

/* Run one item taken off the list; back with acct->lock not held. */
static void io_wq_worker_run(struct io_wq_worker *w, struct io_wq_work *work,
			     enum io_wq_start how)
{
	struct io_wq_acct *acct = w->acct;
	struct io_wq *wq = acct->wq;
	struct thread *self = w->thread;
	bool hashed = io_wq_work_is_hashed(work);
	unsigned int hash = work->hash;
	void *identity = work->identity;
	u64 waited = rdtsc() - work->queued_tsc;
	unsigned long flags;

	if (READ_ONCE(wq->dying))
		__atomic_fetch_or(&work->flags, IO_WQ_WORK_CANCEL, __ATOMIC_RELEASE);
	io_wq_worker_adopt_identity(w, self, identity);
	w->in_work = true;
	work->fn(work);			/* work may be gone from here on */
	w->in_work = false;
	io_wq_worker_restore_identity(w, self);
	io_wq_put_identity(wq, identity);

	flags = spin_lock_irqsave(&acct->lock);
	w->cur = NULL;
	acct->done++;
	if (how == IO_WQ_START_WOKEN) {
		acct->start_woken_n++;
		acct->start_woken_cycles += waited;
	} else if (how == IO_WQ_START_CREATED) {
		acct->start_created_n++;
		acct->start_created_cycles += waited;
	}
	/* the next item of the hash may go; this worker looks for it itself */
	if (hashed)
		io_wq_list_hash_done(&acct->list, hash);
	spin_unlock_irqrestore(&acct->lock, flags);
}

/* No work for w: should it exit rather than park? acct->lock held. */
static bool io_wq_worker_should_exit(struct io_wq_worker *w)
{
	struct io_wq_acct *acct = w->acct;

	if (acct->wq->dying)
		return true;
	if (acct->index == IO_WQ_ACCT_BOUND && w->cpus_gen != acct->wq->cpus_gen)
		return true;	/* its CPU mask is out of date */
	return !w->fixed && acct->nr_workers > acct->max_workers;
}

/* Leave the pool: acct->lock held on entry, released. w not counted running. */
static void io_wq_worker_exit(struct io_wq_worker *w, unsigned long flags)
{
	struct io_wq_acct *acct = w->acct;
	bool claimed = w->claimed;

	acct->nr_workers--;
	acct->exited++;
	list_del_init(&w->all_link);
	if (w->fixed)
		__atomic_store_n(&acct->wq->has_fixed, false, __ATOMIC_RELEASE);
	w->thread->io_worker = NULL;
	spin_unlock_irqrestore(&acct->lock, flags);
	if (!claimed) {
		thread_detach(w->thread);
		kmem_cache_free(io_wq_worker_cache, w);
	}
}

static int io_wq_worker_main(void *arg)
{
	struct io_wq_worker *w = arg;
	struct io_wq_acct *acct = w->acct;
	enum io_wq_start how = IO_WQ_START_CREATED;
	unsigned long flags;

	for (;;) {
		struct io_wq_work *work;

		flags = spin_lock_irqsave(&acct->lock);
		work = io_wq_list_take(&acct->list);
		if (work) {
			w->cur = work;
			w->cancel_cur = false;
			spin_unlock_irqrestore(&acct->lock, flags);
			io_wq_worker_run(w, work, how);
			how = IO_WQ_START_QUEUED;
			continue;
		}
		acct->nr_running--;
		if (io_wq_worker_should_exit(w))
			break;
		/* park until kicked; idle too long and not the fixed one: exit */
		list_add(&w->free_link, &acct->free_list);
		acct->nr_free++;
		WRITE_ONCE(w->kicked, false);
		for (;;) {
			spin_unlock_irqrestore(&acct->lock, flags);
			wait_event_timeout(w->wait, READ_ONCE(w->kicked), acct->wq->idle_ns);
			flags = spin_lock_irqsave(&acct->lock);
			if (w->kicked)
				break;	/* off the free list, counted running by the kicker */
			if (!w->fixed || acct->wq->dying) {
				list_del_init(&w->free_link);
				acct->nr_free--;
				goto leave_pool;
			}
		}
		spin_unlock_irqrestore(&acct->lock, flags);
		how = IO_WQ_START_WOKEN;
	}
leave_pool:
	io_wq_worker_exit(w, flags);
	return 0;
}

/* Make a worker for a reservation of acct; thread context. */
static void io_wq_worker_create(struct io_wq_acct *acct)
{
	struct io_wq *wq = acct->wq;
	struct io_wq_worker *w;
	struct thread *t;
	char name[THREAD_NAME_MAX];
	unsigned long flags;
	bool expected = false;

	w = kmem_cache_zalloc(io_wq_worker_cache);
	if (!w)
		goto unreserve;
	snprintf(name, sizeof(name), "iowq-%s/%c", wq->name,
		 acct->index == IO_WQ_ACCT_BOUND ? 'b' : 'u');
	t = thread_create(name, io_wq_worker_main, w);
	if (IS_ERR(t))
		goto free_worker;
	w->thread = t;
	w->acct = acct;
	INIT_LIST_HEAD(&w->free_link);
	wait_queue_init(&w->wait);
	flags = spin_lock_irqsave(&acct->lock);
	w->cpus_gen = wq->cpus_gen;
	if (acct->index == IO_WQ_ACCT_BOUND)
		thread_set_affinity(t, &wq->cpus);	/* checked non-empty when set */
	w->fixed = __atomic_compare_exchange_n(&wq->has_fixed, &expected, true, false,
					       __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
	t->io_worker = w;
	list_add_tail(&w->all_link, &acct->all_list);
	acct->created++;
	spin_unlock_irqrestore(&acct->lock, flags);
	thread_start(t);
	return;
free_worker:
	kmem_cache_free(io_wq_worker_cache, w);
unreserve:
	pr_warn("io-wq: %s: cannot create a worker\n", wq->name);
	flags = spin_lock_irqsave(&acct->lock);
	io_wq_acct_unreserve(acct);
	spin_unlock_irqrestore(&acct->lock, flags);
}

/* --- the scheduler's hooks ---------------------------------------------------------- */

void io_wq_worker_sleeping(struct thread *t)
{
	struct io_wq_worker *w = t->io_worker;
	struct io_wq_acct *acct;
	unsigned long flags;

	if (!w->in_work)
		return;		/* parked, or in the pool's own code */
	acct = w->acct;
	flags = spin_lock_irqsave(&acct->lock);
	w->blocked = true;
	acct->nr_running--;
	acct->nr_blocked++;
	if (!acct->nr_running && io_wq_list_runnable(&acct->list) &&
	    !io_wq_acct_kick_free(acct) && io_wq_acct_reserve(acct))
		io_wq_acct_queue_create(acct);	/* we are about to sleep: not here */
	spin_unlock_irqrestore(&acct->lock, flags);
}

void io_wq_worker_running(struct thread *t)
{
	struct io_wq_worker *w = t->io_worker;
	struct io_wq_acct *acct;
	unsigned long flags;

	if (!w->in_work)
		return;
	acct = w->acct;
	flags = spin_lock_irqsave(&acct->lock);
	if (w->blocked) {
		w->blocked = false;
		acct->nr_blocked--;
		acct->nr_running++;
	}
	spin_unlock_irqrestore(&acct->lock, flags);
}

/* --- queueing and cancelling ----------------------------------------------------------- */

static bool io_wq_can_sleep(void)
{
	return irqs_enabled() && preempt_count() == 0;
}

void io_wq_enqueue(struct io_wq *wq, struct io_wq_work *work)
{
	struct io_wq_acct *acct = io_wq_work_acct(wq, work);
	bool create = false, can_sleep = io_wq_can_sleep();
	unsigned long flags;

	work->identity = wq->identity && can_sleep ? wq->identity->get_current() : NULL;
	work->queued_tsc = rdtsc();
	flags = spin_lock_irqsave(&acct->lock);
	io_wq_list_insert(&acct->list, work);
	if (!io_wq_acct_kick_free(acct) &&
	    ((work->flags & IO_WQ_WORK_CONCURRENT) || !acct->nr_running) &&
	    io_wq_acct_reserve(acct)) {
		if (can_sleep)
			create = true;
		else
			io_wq_acct_queue_create(acct);
	}
	spin_unlock_irqrestore(&acct->lock, flags);
	if (create)
		io_wq_worker_create(acct);
}

/* Run the cancelled items of a chain (outside every lock); how many. */
static unsigned int io_wq_run_cancelled(struct io_wq *wq, struct io_wq_work *chain)
{
	unsigned int n = 0;

	while (chain) {
		struct io_wq_work *next = chain->next;
		void *identity = chain->identity;

		chain->fn(chain);
		io_wq_put_identity(wq, identity);
		chain = next;
		n++;
	}
	return n;
}

enum io_wq_cancel io_wq_cancel_cb(struct io_wq *wq, bool (*match)(struct io_wq_work *work,
								   void *data),
				  void *data, bool all)
{
	bool pending = false, running = false;

	for (unsigned int i = 0; i < IO_WQ_ACCT_NR; i++) {
		struct io_wq_acct *acct = &wq->node[0].acct[i];
		struct io_wq_work *chain;
		unsigned long flags = spin_lock_irqsave(&acct->lock);
		unsigned int n = io_wq_list_cancel(&acct->list, match, data, all, &chain);

		acct->cancelled += n;
		spin_unlock_irqrestore(&acct->lock, flags);
		if (io_wq_run_cancelled(wq, chain))
			pending = true;
		if (pending && !all)
			return IO_WQ_CANCEL_OK;
	}
	for (unsigned int i = 0; i < IO_WQ_ACCT_NR; i++) {
		struct io_wq_acct *acct = &wq->node[0].acct[i];
		struct io_wq_worker *w;
		unsigned long flags = spin_lock_irqsave(&acct->lock);

		list_for_each_entry(w, &acct->all_list, all_link) {
			if (!w->cur || !match(w->cur, data))
				continue;
			/*
			 * Flag the worker, never the item: its fn may have completed
			 * it already (the submitter then reuses that memory) while
			 * the worker has not yet cleared cur.
			 */
			__atomic_store_n(&w->cancel_cur, true, __ATOMIC_RELEASE);
			thread_wake(w->thread);
			acct->cancel_running++;
			running = true;
			if (!all)
				break;
		}
		spin_unlock_irqrestore(&acct->lock, flags);
		if (running && !all)
			break;
	}
	if (pending)
		return IO_WQ_CANCEL_OK;
	return running ? IO_WQ_CANCEL_RUNNING : IO_WQ_CANCEL_NOTFOUND;
}

bool io_wq_work_cancelled(const struct io_wq_work *work)
{
	struct io_wq_worker *w = current_thread()->io_worker;

	if (io_wq_work_cancel_flagged(work))
		return true;
	/* a running item's cancel is on its worker (io_wq_cancel_cb) */
	return w && w->cur == work && __atomic_load_n(&w->cancel_cur, __ATOMIC_ACQUIRE);
}

/* --- pools -------------------------------------------------------------------------------- */

static void io_wq_acct_init(struct io_wq *wq, struct io_wq_acct *acct, enum io_wq_acct_index i,
			    unsigned int max)
{
	spin_init(&acct->lock);
	acct->wq = wq;
	acct->index = i;
	io_wq_list_init(&acct->list);
	acct->max_workers = max;
	INIT_LIST_HEAD(&acct->free_list);
	INIT_LIST_HEAD(&acct->all_list);
	INIT_LIST_HEAD(&acct->create_link);
}

static struct io_wq *io_wq_find_locked(const char *name)
{
	struct io_wq *wq;

	list_for_each_entry(wq, &io_wq_pools, link)
		if (!strcmp(wq->name, name))
			return wq;
	return NULL;
}

struct io_wq *io_wq_create(const char *name, const struct io_wq_params *params)
{
	unsigned int max[IO_WQ_ACCT_NR] = {
		IO_WQ_BOUND_PER_CPU * cpumask_weight(&cpu_online_mask), IO_WQ_UNBOUND_DEFAULT,
	};
	struct io_wq *wq;

	if (!name || !name[0] || strlen(name) >= IO_WQ_NAME_MAX)
		return ERR_PTR(-EINVAL);
	for (unsigned int i = 0; params && i < IO_WQ_ACCT_NR; i++) {
		if (params->max_workers[i] > IO_WQ_MAX_WORKERS)
			return ERR_PTR(-EINVAL);
		if (params->max_workers[i])
			max[i] = params->max_workers[i];
	}
	wq = kmem_cache_zalloc(io_wq_cache);
	if (!wq)
		return ERR_PTR(-ENOMEM);
	strlcpy(wq->name, name, sizeof(wq->name));
	wq->idle_ns = params && params->idle_ns ? params->idle_ns : IO_WQ_IDLE_NS;
	wq->identity = params ? params->identity : NULL;
	wq->cpus = cpu_online_mask;
	for (unsigned int i = 0; i < IO_WQ_ACCT_NR; i++)
		io_wq_acct_init(wq, &wq->node[0].acct[i], i, max[i]);
	mutex_lock(&io_wq_pools_lock);
	if (io_wq_find_locked(name)) {
		mutex_unlock(&io_wq_pools_lock);
		kmem_cache_free(io_wq_cache, wq);
		return ERR_PTR(-EEXIST);
	}
	list_add_tail(&wq->link, &io_wq_pools);
	mutex_unlock(&io_wq_pools_lock);
	return wq;
}

static bool io_wq_match_all(struct io_wq_work *work, void *data)
{
	return true;
}

/* Kick every free worker of acct (to exit or to look again). acct->lock held. */
static void io_wq_acct_kick_all_free(struct io_wq_acct *acct)
{
	while (io_wq_acct_kick_free(acct))
		;
}

/* Claim one worker of wq for teardown; its thread, or NULL when none is left. */
static struct io_wq_worker *io_wq_claim_worker(struct io_wq *wq)
{
	for (unsigned int i = 0; i < IO_WQ_ACCT_NR; i++) {
		struct io_wq_acct *acct = &wq->node[0].acct[i];
		unsigned long flags = spin_lock_irqsave(&acct->lock);
		struct io_wq_worker *w;

		io_wq_acct_kick_all_free(acct);
		list_for_each_entry(w, &acct->all_list, all_link) {
			if (w->claimed)
				continue;
			w->claimed = true;
			spin_unlock_irqrestore(&acct->lock, flags);
			return w;
		}
		spin_unlock_irqrestore(&acct->lock, flags);
	}
	return NULL;
}

static unsigned int io_wq_nr_workers(struct io_wq *wq)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < IO_WQ_ACCT_NR; i++) {
		struct io_wq_acct *acct = &wq->node[0].acct[i];
		unsigned long flags = spin_lock_irqsave(&acct->lock);

		n += acct->nr_workers;
		spin_unlock_irqrestore(&acct->lock, flags);
	}
	return n;
}

void io_wq_destroy(struct io_wq *wq)
{
	struct io_wq_worker *w;

	mutex_lock(&io_wq_pools_lock);
	list_del(&wq->link);
	mutex_unlock(&io_wq_pools_lock);
	for (unsigned int i = 0; i < IO_WQ_ACCT_NR; i++) {
		struct io_wq_acct *acct = &wq->node[0].acct[i];
		unsigned long flags = spin_lock_irqsave(&acct->lock);

		WRITE_ONCE(wq->dying, true);
		spin_unlock_irqrestore(&acct->lock, flags);
	}
	io_wq_cancel_cb(wq, io_wq_match_all, NULL, true);
	/* the workers see dying: each finishes its item (flagged) and exits */
	while (io_wq_nr_workers(wq)) {
		w = io_wq_claim_worker(wq);
		if (!w) {
			/* a reservation the creator has not used yet: it gives it back */
			thread_sleep_ns(IO_WQ_TEARDOWN_POLL_NS);
			continue;
		}
		thread_join(w->thread);
		kmem_cache_free(io_wq_worker_cache, w);
	}
	kmem_cache_free(io_wq_cache, wq);
}

/* --- limits and introspection ----------------------------------------------------------------- */

int io_wq_max_workers(struct io_wq *wq, unsigned int max[IO_WQ_ACCT_NR])
{
	for (unsigned int i = 0; i < IO_WQ_ACCT_NR; i++)
		if (max[i] > IO_WQ_MAX_WORKERS)
			return -EINVAL;
	for (unsigned int i = 0; i < IO_WQ_ACCT_NR; i++) {
		struct io_wq_acct *acct = &wq->node[0].acct[i];
		unsigned long flags = spin_lock_irqsave(&acct->lock);
		unsigned int old = acct->max_workers;

		if (max[i]) {
			acct->max_workers = max[i];
			if (max[i] < old)
				io_wq_acct_kick_all_free(acct);	/* the extra ones exit */
		}
		spin_unlock_irqrestore(&acct->lock, flags);
		max[i] = old;
	}
	return 0;
}

int io_wq_set_cpus(struct io_wq *wq, const cpumask_t *cpus)
{
	struct io_wq_acct *acct = &wq->node[0].acct[IO_WQ_ACCT_BOUND];
	unsigned long flags;
	unsigned int cpu;
	bool online = false;

	for_each_cpu_in(cpu, cpus)
		online |= cpumask_test(&cpu_online_mask, cpu);
	if (!online)
		return -EINVAL;
	flags = spin_lock_irqsave(&acct->lock);
	wq->cpus = *cpus;
	wq->cpus_gen++;
	io_wq_acct_kick_all_free(acct);		/* they retire; new ones get the mask */
	spin_unlock_irqrestore(&acct->lock, flags);
	return 0;
}

void io_wq_get_stats(struct io_wq *wq, struct io_wq_stats *out)
{
	strlcpy(out->name, wq->name, sizeof(out->name));
	out->idle_ns = wq->idle_ns;
	for (unsigned int i = 0; i < IO_WQ_ACCT_NR; i++) {
		struct io_wq_acct *acct = &wq->node[0].acct[i];
		struct io_wq_acct_stats *s = &out->acct[i];
		unsigned long flags = spin_lock_irqsave(&acct->lock);

		if (i == IO_WQ_ACCT_BOUND)
			out->cpus = wq->cpus;
		s->max_workers = acct->max_workers;
		s->workers = acct->nr_workers;
		s->free = acct->nr_free;
		s->running = acct->nr_running;
		s->blocked = acct->nr_blocked;
		s->pending = acct->list.nr_pending;
		s->hashed = acct->list.nr_hashed;
		s->stalled = acct->list.stalled;
		s->done = acct->done;
		s->cancelled = acct->cancelled;
		s->cancel_running = acct->cancel_running;
		s->created = acct->created;
		s->exited = acct->exited;
		s->start_woken_n = acct->start_woken_n;
		s->start_woken_cycles = acct->start_woken_cycles;
		s->start_created_n = acct->start_created_n;
		s->start_created_cycles = acct->start_created_cycles;
		spin_unlock_irqrestore(&acct->lock, flags);
	}
}

const char *io_wq_name(const struct io_wq *wq)
{
	return wq->name;
}

int io_wq_for_each(int (*fn)(struct io_wq *wq, void *arg), void *arg)
{
	struct io_wq *wq;
	int ret = 0;

	mutex_lock(&io_wq_pools_lock);
	list_for_each_entry(wq, &io_wq_pools, link) {
		ret = fn(wq, arg);
		if (ret)
			break;
	}
	mutex_unlock(&io_wq_pools_lock);
	return ret;
}

int io_wq_init(void)
{
	struct thread *t;
	struct io_wq *wq;

	io_wq_cache = kmem_cache_create("io_wq", sizeof(struct io_wq), 64);
	io_wq_worker_cache = kmem_cache_create("io_wq_worker", sizeof(struct io_wq_worker), 64);
	if (!io_wq_cache || !io_wq_worker_cache)
		return -ENOMEM;
	t = thread_create("iowq-creator", io_wq_creator_main, NULL);
	if (IS_ERR(t))
		return (int)PTR_ERR(t);
	thread_detach(t);
	thread_start(t);
	wq = io_wq_create("system", NULL);
	if (IS_ERR(wq))
		return (int)PTR_ERR(wq);
	io_wq_system = wq;
	return 0;
}
