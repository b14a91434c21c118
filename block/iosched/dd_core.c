/*
 * mq-deadline's pure core (see dd_core.h for the model). The sorted lists
 * are doubly linked lists kept in sector order; an insertion searches from
 * the tail, so sequential streams append in O(1) and a random one walks at
 * most the requests queued in its class and direction (bounded by the
 * queue's tags). The position found is also where the merge candidates
 * are: the request before it may end where the new one starts, the one
 * after it may start where the new one ends.
 */
#include "block/iosched/dd_core.h"

void dd_tunables_default(struct dd_tunables *t)
{
	t->read_expire_ns = DD_READ_EXPIRE_NS;
	t->write_expire_ns = DD_WRITE_EXPIRE_NS;
	t->prio_aging_expire_ns = DD_PRIO_AGING_NS;
	t->fifo_batch = DD_FIFO_BATCH;
	t->writes_starved = DD_WRITES_STARVED;
	t->hw_depth = 0;
	t->prio_idle_ns = DD_PRIO_IDLE_NS;
	t->low_prio_depth = 0;
	t->front_merges = true;
}

void dd_core_init(struct dd_core *dd)
{
	for (unsigned int p = 0; p < DD_PRIO_COUNT; p++) {
		struct dd_class *cls = &dd->cls[p];

		for (unsigned int d = 0; d < DD_DIR_COUNT; d++) {
			INIT_LIST_HEAD(&cls->sort[d]);
			INIT_LIST_HEAD(&cls->fifo[d]);
			cls->next[d] = NULL;
		}
		cls->queued = 0;
		cls->in_driver = 0;
		cls->reserve_until_ns = 0;
		cls->stats = (struct dd_class_stats){ 0 };
	}
	dd_tunables_default(&dd->tun);
	dd->last_dir = DD_READ;
	dd->batching = 0;
	dd->starved = 0;
	dd->in_driver = 0;
	dd->depth = 0;
}

enum dd_prio dd_prio_of_class(unsigned int ioprio_class)
{
	switch (ioprio_class) {
	case 1:
		return DD_RT_PRIO;
	case 3:
		return DD_IDLE_PRIO;
	default:
		return DD_BE_PRIO;	/* none is best effort, as in Linux */
	}
}

static struct dd_rq *sort_next(struct dd_class *cls, struct dd_rq *rq)
{
	if (list_is_last(&rq->sort, &cls->sort[rq->dir]))
		return NULL;
	return list_next_entry(rq, sort);
}

/* Take rq out of the lists; a batch that was to go on at rq goes on after it. */
static void dd_remove(struct dd_core *dd, struct dd_rq *rq)
{
	struct dd_class *cls = &dd->cls[rq->prio];

	if (cls->next[rq->dir] == rq)
		cls->next[rq->dir] = sort_next(cls, rq);
	list_del_init(&rq->sort);
	list_del_init(&rq->fifo);
	cls->queued--;
}

/*
 * front absorbed back, which was queued: front keeps the earlier deadline
 * and age of the two, and with them back's place in the FIFO if that was
 * the earlier one.
 */
static void dd_take_times(struct dd_rq *front, struct dd_rq *back)
{
	if (back->expire_ns < front->expire_ns) {
		front->expire_ns = back->expire_ns;
		list_del(&front->fifo);
		__list_add(&front->fifo, back->fifo.prev, &back->fifo);
	}
	if (back->insert_ns < front->insert_ns)
		front->insert_ns = back->insert_ns;
}

static bool dd_adjacent(const struct dd_rq *front, const struct dd_rq *back)
{
	return front->sector + front->nr_sectors == back->sector;
}

struct dd_rq *dd_insert(struct dd_core *dd, struct dd_rq *rq, u64 now, dd_merge_fn merge,
			void *arg)
{
	struct dd_class *cls = &dd->cls[rq->prio];
	struct list_head *head = &cls->sort[rq->dir];
	struct list_head *pos = head->prev;
	struct dd_rq *prev = NULL, *next = NULL;

	/* pos: the last request at or below rq's sector, or the head */
	while (pos != head && list_entry(pos, struct dd_rq, sort)->sector > rq->sector)
		pos = pos->prev;
	if (pos != head)
		prev = list_entry(pos, struct dd_rq, sort);
	if (pos->next != head)
		next = list_entry(pos->next, struct dd_rq, sort);
	cls->stats.inserted++;

	if (prev && dd_adjacent(prev, rq) && merge(prev, rq, arg)) {
		prev->nr_sectors += rq->nr_sectors;
		cls->stats.merged++;
		/* the grown request may now close the gap to its successor */
		if (next && dd_adjacent(prev, next) && merge(prev, next, arg)) {
			dd_take_times(prev, next);
			dd_remove(dd, next);
			prev->nr_sectors += next->nr_sectors;
			cls->stats.merged++;
		}
		return prev;
	}

	rq->insert_ns = now;
	rq->expire_ns = now + (rq->dir == DD_READ ? dd->tun.read_expire_ns
						  : dd->tun.write_expire_ns);
	INIT_LIST_HEAD(&rq->fifo);
	if (dd->tun.front_merges && next && dd_adjacent(rq, next) && merge(rq, next, arg)) {
		/* rq takes next's places, then next leaves */
		__list_add(&rq->sort, &next->sort, next->sort.next);
		list_add_tail(&rq->fifo, &cls->fifo[rq->dir]);
		cls->queued++;
		dd_take_times(rq, next);
		if (cls->next[rq->dir] == next)
			cls->next[rq->dir] = rq;
		dd_remove(dd, next);
		rq->nr_sectors += next->nr_sectors;
		cls->stats.merged++;
		return rq;
	}
	__list_add(&rq->sort, pos, pos->next);
	list_add_tail(&rq->fifo, &cls->fifo[rq->dir]);
	cls->queued++;
	return rq;
}

static struct dd_rq *fifo_head(struct dd_class *cls, unsigned int dir)
{
	return list_first_entry_or_null(&cls->fifo[dir], struct dd_rq, fifo);
}

static bool dd_class_busy(const struct dd_core *dd, unsigned int prio)
{
	return dd->cls[prio].queued || dd->cls[prio].in_driver;
}

/*
 * With two classes or more waiting, the oldest request of a lower class
 * that has waited prio_aging_expire goes first.
 */
static struct dd_rq *dd_pick_aged(struct dd_core *dd, u64 now)
{
	unsigned int busy = 0;

	for (unsigned int p = 0; p < DD_PRIO_COUNT; p++)
		busy += dd_class_busy(dd, p);
	if (busy < 2)
		return NULL;
	for (unsigned int p = DD_BE_PRIO; p < DD_PRIO_COUNT; p++) {
		struct dd_rq *oldest = NULL;

		for (unsigned int d = 0; d < DD_DIR_COUNT; d++) {
			struct dd_rq *rq = fifo_head(&dd->cls[p], d);

			if (rq && (!oldest || rq->insert_ns < oldest->insert_ns))
				oldest = rq;
		}
		if (oldest && now - oldest->insert_ns >= dd->tun.prio_aging_expire_ns &&
		    now >= oldest->insert_ns)
			return oldest;
	}
	return NULL;
}

/* The deadline-and-batch choice within one class, as Linux's __dd_dispatch_request. */
static struct dd_rq *dd_pick_in_class(struct dd_core *dd, struct dd_class *cls, u64 now)
{
	struct dd_rq *rq, *head;
	unsigned int dir;

	if (!cls->queued)
		return NULL;
	rq = cls->next[dd->last_dir];
	if (rq && dd->batching < dd->tun.fifo_batch) {
		dd->batching++;
		return rq;
	}
	/* a new batch: reads first, unless writes have been passed over too often */
	if (!list_empty(&cls->fifo[DD_READ])) {
		dir = DD_READ;
		if (!list_empty(&cls->fifo[DD_WRITE]) && dd->starved++ >= dd->tun.writes_starved)
			dir = DD_WRITE;
	} else {
		dir = DD_WRITE;
	}
	if (dir == DD_WRITE)
		dd->starved = 0;
	head = fifo_head(cls, dir);
	rq = cls->next[dir];
	/* an expired deadline, or the end of the sorted list: restart at the oldest */
	if (!rq || head->expire_ns <= now)
		rq = head;
	dd->last_dir = (u8)dir;
	dd->batching = 1;
	return rq;
}

/* Class p had a request queued, dispatched or completed at now. */
static void dd_class_touch(struct dd_core *dd, unsigned int p, u64 now)
{
	dd->cls[p].reserve_until_ns = now + dd->tun.prio_idle_ns;
}

u32 dd_low_prio_depth(const struct dd_core *dd)
{
	u32 depth = dd->tun.hw_depth ? dd->tun.hw_depth : dd->depth;

	if (dd->tun.low_prio_depth)
		return dd->tun.low_prio_depth;
	return depth / 4 ? depth / 4 : 1;
}

/*
 * May a request of class p go to the driver at now, or does a higher
 * class's reservation hold it back? Class p and the ones below it may hold
 * low_prio_depth at the driver while a higher one is busy or was within
 * prio_idle. At least one is allowed, so a held-back class always has a
 * request whose completion runs the queue again.
 */
static bool dd_reserved_for_higher(const struct dd_core *dd, unsigned int p, u64 now)
{
	bool reserved = false;
	u32 in_driver = 0;

	if (!dd->tun.prio_idle_ns)
		return false;
	for (unsigned int q = 0; q < p; q++)
		if (dd_class_busy(dd, q) || now < dd->cls[q].reserve_until_ns)
			reserved = true;
	if (!reserved)
		return false;
	for (unsigned int q = p; q < DD_PRIO_COUNT; q++)
		in_driver += dd->cls[q].in_driver;
	return in_driver >= dd_low_prio_depth(dd);
}

struct dd_rq *dd_dispatch(struct dd_core *dd, u64 now)
{
	struct dd_rq *rq = NULL;
	struct dd_class *cls;

	if (dd->tun.hw_depth && dd->in_driver >= dd->tun.hw_depth)
		return NULL;
	rq = dd_pick_aged(dd, now);
	for (unsigned int p = 0; !rq && p < DD_PRIO_COUNT; p++) {
		rq = dd_pick_in_class(dd, &dd->cls[p], now);
		/* a lower class waits while this one has requests queued or at the driver */
		if (!rq && dd_class_busy(dd, p))
			break;
	}
	if (!rq)
		return NULL;
	if (rq->prio != DD_RT_PRIO && dd_reserved_for_higher(dd, rq->prio, now))
		return NULL;
	cls = &dd->cls[rq->prio];
	dd_class_touch(dd, rq->prio, now);
	/* the batch goes on with the request after this one */
	cls->next[rq->dir] = rq;
	dd_remove(dd, rq);
	cls->in_driver++;
	dd->in_driver++;
	cls->stats.dispatched++;
	return rq;
}

void dd_completed(struct dd_core *dd, enum dd_prio prio, u64 now)
{
	struct dd_class *cls = &dd->cls[prio];

	dd_class_touch(dd, prio, now);
	cls->in_driver--;
	dd->in_driver--;
	cls->stats.completed++;
}

u32 dd_queued(const struct dd_core *dd)
{
	u32 n = 0;

	for (unsigned int p = 0; p < DD_PRIO_COUNT; p++)
		n += dd->cls[p].queued;
	return n;
}

bool dd_has_work(const struct dd_core *dd)
{
	return dd_queued(dd) != 0;
}
