/*
 * io-contexts and io_cqs (the model, the lock order and why the hint needs
 * no lock: block/blk_ioc.h; docs/ioprio.md).
 *
 * A thread's io_context pointer changes only under ioc_attach_lock (its
 * creation, sharing, inheritance, the thread's exit, ionice on another
 * thread); the owning thread reads its own pointer without it, since only
 * its own exit clears it.
 */
#include "block/blk_ioc.h"
#include "block/blk_internal.h"
#include "block/ioprio.h"
#include "kernel/mm/slab.h"
#include "kernel/io_wq/io_wq.h"
#include "kernel/sched/thread.h"
#include "lib/errno.h"
#include "lib/string.h"

static struct kmem_cache *ioc_cache, *icq_cache;
static spinlock_t ioc_attach_lock = SPINLOCK_INIT;

static const struct thread_io_ops ioc_thread_ops = {
	.fork = ioc_thread_fork,
	.exit = ioc_thread_exit,
};

int ioc_init(void)
{
	ioc_cache = kmem_cache_create("io_context", sizeof(struct io_context), 64);
	icq_cache = kmem_cache_create("io_cq", sizeof(struct io_cq), 0);
	if (!ioc_cache || !icq_cache)
		return -ENOMEM;
	/* from here threads get, share and drop io_contexts as they come and go */
	thread_io_ops_register(&ioc_thread_ops);
	return 0;
}

static bool ioc_release_fn(struct blk_work *work);

static struct io_context *ioc_alloc(void)
{
	struct io_context *ioc;

	/* I/O at boot before blk_init (a partition scan in a probe) goes without */
	if (!ioc_cache)
		return NULL;
	ioc = kmem_cache_zalloc(ioc_cache);
	if (!ioc)
		return NULL;
	ioc->refcount = 1;
	ioc->active_ref = 1;
	ioc->nr_tasks = 1;
	spin_init(&ioc->lock);
	INIT_LIST_HEAD(&ioc->icq_list);
	blk_work_init(&ioc->release_work, ioc_release_fn);
	return ioc;
}

void ioc_get(struct io_context *ioc)
{
	__atomic_fetch_add(&ioc->refcount, 1, __ATOMIC_RELAXED);
}

/* --- the hint ----------------------------------------------------------------- */

/* ioc->lock held */
static void ioc_hint_set(struct io_context *ioc, struct request_queue *q, struct io_cq *icq)
{
	__atomic_store_n(&ioc->hint_seq, ioc->hint_seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	WRITE_ONCE(ioc->hint_q, q);
	WRITE_ONCE(ioc->hint_icq, icq);
	__atomic_store_n(&ioc->hint_seq, ioc->hint_seq + 1, __ATOMIC_RELEASE);
}

static struct io_cq *ioc_hint_get(struct io_context *ioc, struct request_queue *q)
{
	u32 seq = __atomic_load_n(&ioc->hint_seq, __ATOMIC_ACQUIRE);
	struct request_queue *hq;
	struct io_cq *icq;

	if (seq & 1)
		return NULL;
	hq = READ_ONCE(ioc->hint_q);
	icq = READ_ONCE(ioc->hint_icq);
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (__atomic_load_n(&ioc->hint_seq, __ATOMIC_RELAXED) != seq || hq != q)
		return NULL;
	return icq;
}

/* --- io_cqs ------------------------------------------------------------------- */

static unsigned int icq_hash(const struct request_queue *q)
{
	return (unsigned int)(((uintptr_t)q >> 6) % IOC_HASH_SIZE);
}

/* ioc->lock held */
static struct io_cq *icq_find_locked(struct io_context *ioc, struct request_queue *q)
{
	for (struct io_cq *icq = ioc->icq_hash[icq_hash(q)]; icq; icq = icq->hash_next)
		if (icq->q == q)
			return icq;
	return NULL;
}

/* Unlink icq from both sides and free it: q->icq_lock and ioc->lock held. */
static void icq_destroy(struct io_cq *icq)
{
	struct io_context *ioc = icq->ioc;
	struct io_cq **pp = &ioc->icq_hash[icq_hash(icq->q)];

	while (*pp != icq)
		pp = &(*pp)->hash_next;
	*pp = icq->hash_next;
	list_del(&icq->ioc_node);
	list_del(&icq->q_node);
	if (ioc->hint_icq == icq)
		ioc_hint_set(ioc, NULL, NULL);
	kmem_cache_free(icq_cache, icq);
}

struct io_cq *ioc_lookup_icq(struct io_context *ioc, struct request_queue *q)
{
	struct io_cq *icq = ioc_hint_get(ioc, q);
	unsigned long flags;

	if (likely(icq))
		return icq;
	flags = spin_lock_irqsave(&ioc->lock);
	icq = icq_find_locked(ioc, q);
	if (icq)
		ioc_hint_set(ioc, q, icq);
	spin_unlock_irqrestore(&ioc->lock, flags);
	return icq;
}

struct io_cq *ioc_create_icq(struct io_context *ioc, struct request_queue *q)
{
	struct io_cq *icq = ioc_lookup_icq(ioc, q), *found;
	unsigned long flags;

	if (icq)
		return icq;
	icq = kmem_cache_zalloc(icq_cache);
	if (!icq)
		return NULL;
	icq->q = q;
	icq->ioc = ioc;
	flags = spin_lock_irqsave(&q->icq_lock);
	spin_acquire(&ioc->lock);
	/* another thread sharing ioc may have made it meanwhile */
	found = icq_find_locked(ioc, q);
	if (!found) {
		unsigned int h = icq_hash(q);

		icq->hash_next = ioc->icq_hash[h];
		ioc->icq_hash[h] = icq;
		list_add(&icq->ioc_node, &ioc->icq_list);
		list_add(&icq->q_node, &q->icq_list);
		icq->exited = __atomic_load_n(&ioc->active_ref, __ATOMIC_RELAXED) == 0;
		found = icq;
		icq = NULL;
	}
	ioc_hint_set(ioc, q, found);
	spin_release(&ioc->lock);
	spin_unlock_irqrestore(&q->icq_lock, flags);
	if (icq)
		kmem_cache_free(icq_cache, icq);
	return found;
}

void ioc_clear_queue(struct request_queue *q)
{
	unsigned long flags = spin_lock_irqsave(&q->icq_lock);

	while (!list_empty(&q->icq_list)) {
		struct io_cq *icq = list_first_entry(&q->icq_list, struct io_cq, q_node);
		/* alive: its release needs q->icq_lock to take this icq away */
		struct io_context *ioc = icq->ioc;

		spin_acquire(&ioc->lock);
		icq_destroy(icq);
		spin_release(&ioc->lock);
	}
	spin_unlock_irqrestore(&q->icq_lock, flags);
}

unsigned int ioc_queue_icq_count(struct request_queue *q)
{
	unsigned long flags = spin_lock_irqsave(&q->icq_lock);
	unsigned int n = 0;
	struct list_head *pos;

	list_for_each(pos, &q->icq_list)
		n++;
	spin_unlock_irqrestore(&q->icq_lock, flags);
	return n;
}

/* --- release ------------------------------------------------------------------ */

/*
 * kblockd: the last reference went while icqs remained. Against the lock
 * order, so every queue lock is only tried; on failure let go and retry
 * (the queue's side is then tearing that very icq down, or will be done
 * with its lock soon).
 */
static bool ioc_release_fn(struct blk_work *work)
{
	struct io_context *ioc = container_of(work, struct io_context, release_work);
	unsigned long flags = spin_lock_irqsave(&ioc->lock);

	while (!list_empty(&ioc->icq_list)) {
		struct io_cq *icq = list_first_entry(&ioc->icq_list, struct io_cq, ioc_node);
		struct request_queue *q = icq->q;

		if (spin_trylock(&q->icq_lock)) {
			icq_destroy(icq);
			spin_unlock(&q->icq_lock);
			continue;
		}
		spin_unlock_irqrestore(&ioc->lock, flags);
		cpu_relax();
		flags = spin_lock_irqsave(&ioc->lock);
	}
	spin_unlock_irqrestore(&ioc->lock, flags);
	kmem_cache_free(ioc_cache, ioc);
	return false;
}

void ioc_put(struct io_context *ioc)
{
	unsigned long flags;
	bool has_icqs;

	if (__atomic_sub_fetch(&ioc->refcount, 1, __ATOMIC_ACQ_REL))
		return;
	/* under the lock: a queue tearing down our last icq has let go of it */
	flags = spin_lock_irqsave(&ioc->lock);
	has_icqs = !list_empty(&ioc->icq_list);
	spin_unlock_irqrestore(&ioc->lock, flags);
	if (has_icqs)
		blk_work_queue(&ioc->release_work);
	else
		kmem_cache_free(ioc_cache, ioc);
}

/* The last thread issuing I/O through ioc left: its icqs are exited. */
static void ioc_exit_icqs(struct io_context *ioc)
{
	unsigned long flags = spin_lock_irqsave(&ioc->lock);
	struct io_cq *icq;

	list_for_each_entry(icq, &ioc->icq_list, ioc_node)
		icq->exited = true;
	spin_unlock_irqrestore(&ioc->lock, flags);
}

/* --- threads ------------------------------------------------------------------ */

/* ioc_attach_lock held: t's io_context, made now if it has none. */
static struct io_context *ioc_of_thread_locked(struct thread *t)
{
	struct io_context *ioc = t->io_context;

	if (!ioc) {
		ioc = ioc_alloc();
		if (ioc)
			__atomic_store_n(&t->io_context, ioc, __ATOMIC_RELEASE);
	}
	return ioc;
}

struct io_context *ioc_of_thread(struct thread *t)
{
	unsigned long flags = spin_lock_irqsave(&ioc_attach_lock);
	struct io_context *ioc = ioc_of_thread_locked(t);

	spin_unlock_irqrestore(&ioc_attach_lock, flags);
	return ioc;
}

u8 ioc_thread_ioprio(struct thread *t)
{
	unsigned long flags = spin_lock_irqsave(&ioc_attach_lock);
	struct io_context *ioc = t->io_context;
	u8 prio = ioc ? READ_ONCE(ioc->ioprio) : 0;

	spin_unlock_irqrestore(&ioc_attach_lock, flags);
	return prio;
}

int ioc_thread_set_ioprio(struct thread *t, u8 ioprio)
{
	unsigned long flags = spin_lock_irqsave(&ioc_attach_lock);
	struct io_context *ioc = ioc_of_thread_locked(t);

	if (ioc)
		WRITE_ONCE(ioc->ioprio, ioprio);
	spin_unlock_irqrestore(&ioc_attach_lock, flags);
	return ioc ? 0 : -ENOMEM;
}

int ioc_thread_fork(struct thread *parent, struct thread *child, bool share)
{
	unsigned long flags = spin_lock_irqsave(&ioc_attach_lock);
	struct io_context *ioc = parent ? parent->io_context : NULL;
	int err = 0;

	if (share && parent) {
		/* CLONE_IO: one context for both, made now if the parent had none */
		ioc = ioc_of_thread_locked(parent);
		if (ioc) {
			ioc_get(ioc);
			__atomic_fetch_add(&ioc->active_ref, 1, __ATOMIC_RELAXED);
			__atomic_fetch_add(&ioc->nr_tasks, 1, __ATOMIC_RELAXED);
			child->io_context = ioc;
		} else {
			err = -ENOMEM;
		}
	} else if (ioc && ioc->ioprio) {
		/* a priority that was set is inherited, as across fork() */
		struct io_context *child_ioc = ioc_alloc();

		if (child_ioc) {
			child_ioc->ioprio = ioc->ioprio;
			child->io_context = child_ioc;
		} else {
			err = -ENOMEM;
		}
	}
	spin_unlock_irqrestore(&ioc_attach_lock, flags);
	return err;
}

void ioc_thread_exit(struct thread *t)
{
	unsigned long flags = spin_lock_irqsave(&ioc_attach_lock);
	struct io_context *ioc = t->io_context;

	t->io_context = NULL;
	spin_unlock_irqrestore(&ioc_attach_lock, flags);
	if (!ioc)
		return;
	__atomic_fetch_sub(&ioc->nr_tasks, 1, __ATOMIC_RELAXED);
	if (__atomic_sub_fetch(&ioc->active_ref, 1, __ATOMIC_ACQ_REL) == 0)
		ioc_exit_icqs(ioc);
	ioc_put(ioc);
}

/* --- leak checks -------------------------------------------------------------- */

static unsigned long cache_in_use(const char *name)
{
	struct kmem_cache_info *info;
	unsigned int n, max = 64;
	unsigned long in_use = 0;

	info = kcalloc(max, sizeof(*info));
	if (!info)
		return 0;
	n = kmem_cache_info_get(info, max);
	for (unsigned int i = 0; i < n && i < max; i++)
		if (!strcmp(info[i].name, name))
			in_use = info[i].in_use;
	kfree(info);
	return in_use;
}

unsigned long ioc_count(void)
{
	return cache_in_use("io_context");
}

unsigned long icq_count(void)
{
	return cache_in_use("io_cq");
}

/*
 * io-wq work runs under its submitter's io_context (and so its I/O
 * priority), as Linux's io-wq runs work under the submitter's blkcg and
 * creds: the submitter's context is referenced when the work is queued and
 * put after it ran. A submitter without one yet (no I/O so far) leaves the
 * worker its own: nothing is allocated on the queueing path.
 */
static void *ioc_identity_get_current(void)
{
	struct io_context *ioc = __atomic_load_n(&current_thread()->io_context, __ATOMIC_ACQUIRE);

	if (ioc)
		ioc_get(ioc);
	return ioc;
}

static void ioc_identity_put(void *identity)
{
	if (identity)
		ioc_put(identity);
}

const struct io_wq_identity_ops ioc_io_wq_identity = {
	.get_current = ioc_identity_get_current,
	.put = ioc_identity_put,
};
