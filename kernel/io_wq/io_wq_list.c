/*
 * The pending-work list of an io-wq account (kernel/io_wq/io_wq_list.h):
 * queue order, per-hash runs kept together behind hash_tail[], one running
 * item per hash, the stalled state, and removal of cancelled items. Pure:
 * no lock and no thread here (the account's lock is the caller's), tested
 * on the host (tests/unit/kernel/io_wq/test_io_wq_list.c).
 */
#include "kernel/io_wq/io_wq_list.h"

void io_wq_work_init(struct io_wq_work *work, io_wq_work_fn fn)
{
	work->next = NULL;
	work->flags = 0;
	work->hash = 0;
	work->fn = fn;
	work->identity = NULL;
	work->queued_tsc = 0;
}

void io_wq_work_set_hash(struct io_wq_work *work, u64 key)
{
	/* multiplicative hashing: the top bits of key times 2^64 / phi */
	work->hash = (unsigned int)((key * 0x9e3779b97f4a7c15ULL) >> (64 - IO_WQ_HASH_ORDER));
	work->flags |= IO_WQ_WORK_HASHED;
}

void io_wq_list_init(struct io_wq_list *list)
{
	list->first = list->last = NULL;
	for (unsigned int h = 0; h < IO_WQ_NR_HASH; h++)
		list->hash_tail[h] = NULL;
	list->hash_busy = 0;
	list->stalled = false;
	list->nr_pending = 0;
	list->nr_hashed = 0;
}

void io_wq_list_insert(struct io_wq_list *list, struct io_wq_work *work)
{
	struct io_wq_work *tail = io_wq_work_is_hashed(work) ? list->hash_tail[work->hash] : NULL;

	if (tail) {
		/* behind the last pending item of its hash: the run stays in one piece */
		work->next = tail->next;
		tail->next = work;
		if (list->last == tail)
			list->last = work;
	} else {
		work->next = NULL;
		if (list->last)
			list->last->next = work;
		else
			list->first = work;
		list->last = work;
	}
	if (io_wq_work_is_hashed(work)) {
		list->hash_tail[work->hash] = work;
		list->nr_hashed++;
	}
	list->nr_pending++;
	list->stalled = false;
}

/* Take work (after prev, or first) off the list; hash_tail is the caller's. */
static void io_wq_list_unlink(struct io_wq_list *list, struct io_wq_work *work,
			      struct io_wq_work *prev)
{
	if (prev)
		prev->next = work->next;
	else
		list->first = work->next;
	if (list->last == work)
		list->last = prev;
	work->next = NULL;
	list->nr_pending--;
	if (io_wq_work_is_hashed(work))
		list->nr_hashed--;
	if (!list->first)
		list->stalled = false;
}

struct io_wq_work *io_wq_list_take(struct io_wq_list *list)
{
	struct io_wq_work *prev = NULL, *work = list->first;

	while (work) {
		u64 bit;

		if (!io_wq_work_is_hashed(work)) {
			io_wq_list_unlink(list, work, prev);
			return work;
		}
		bit = 1ULL << work->hash;
		if (!(list->hash_busy & bit)) {
			/* work heads its hash's run: the oldest pending item of the hash */
			list->hash_busy |= bit;
			if (list->hash_tail[work->hash] == work)
				list->hash_tail[work->hash] = NULL;
			io_wq_list_unlink(list, work, prev);
			return work;
		}
		/* the hash is running: skip its whole run, which ends at its tail */
		prev = list->hash_tail[work->hash];
		work = prev->next;
	}
	list->stalled = list->first != NULL;
	return NULL;
}

bool io_wq_list_hash_done(struct io_wq_list *list, unsigned int hash)
{
	bool was_stalled = list->stalled;

	list->hash_busy &= ~(1ULL << hash);
	list->stalled = false;
	return was_stalled;
}

unsigned int io_wq_list_cancel(struct io_wq_list *list,
			       bool (*match)(struct io_wq_work *work, void *data), void *data,
			       bool all, struct io_wq_work **cancelled)
{
	struct io_wq_work *prev = NULL, *work = list->first, *out_tail = NULL;
	unsigned int n = 0;

	*cancelled = NULL;
	while (work) {
		struct io_wq_work *next = work->next;

		if (!match(work, data)) {
			prev = work;
			work = next;
			continue;
		}
		if (io_wq_work_is_hashed(work) && list->hash_tail[work->hash] == work) {
			/* the run of its hash now ends at prev, if prev is of that run */
			bool same = prev && io_wq_work_is_hashed(prev) && prev->hash == work->hash;

			list->hash_tail[work->hash] = same ? prev : NULL;
		}
		io_wq_list_unlink(list, work, prev);
		__atomic_fetch_or(&work->flags, IO_WQ_WORK_CANCEL, __ATOMIC_RELEASE);
		if (out_tail)
			out_tail->next = work;
		else
			*cancelled = work;
		out_tail = work;
		n++;
		if (!all)
			break;
		work = next;
	}
	return n;
}
