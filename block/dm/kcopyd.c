/*
 * kcopyd (kcopyd.h). Every chunk buffer cycles FREE -> READING -> READ ->
 * WRITING -> WRITTEN -> FREE. The dm-io completions (interrupt context)
 * only advance the state and wake the copying thread; the thread does all
 * the issuing, so the order of the steps of one chunk is the thread's and
 * a chunk's write starts only after its read ended well. Chunks are
 * independent: with n of them, n reads and writes overlap.
 */
#include "block/dm/kcopyd.h"
#include "kernel/mm/page_alloc.h"
#include "kernel/mm/slab.h"
#include "kernel/sched/wait.h"
#include "kernel/time/time.h"
#include "lib/errno.h"
#include "lib/string.h"

enum kcopyd_chunk_state {
	KCOPYD_FREE,
	KCOPYD_READING,
	KCOPYD_READ,
	KCOPYD_WRITING,
	KCOPYD_WRITTEN,
};

struct kcopyd_chunk {
	struct kcopyd_client *kc;
	void *block;			/* the chunk's pages as one block, or NULL: single pages */
	u32 state;			/* enum kcopyd_chunk_state; the thread and one completion */
	u64 offset;			/* sectors from the start of the copy */
	u32 sectors;
	u64 error_bits;			/* of the last dm-io */
	struct dm_page_list *pages;	/* chunk_bytes / PAGE_SIZE of them */
};

struct kcopyd_client {
	struct dm_io_client *io;
	u32 chunk_bytes;
	u32 nr_chunks;
	struct kcopyd_chunk *chunks;
	struct dm_page_list *page_list;	/* all pages, chained per chunk */
	u64 events;			/* completions so far; atomic */
	struct wait_queue wait;		/* the copying thread */
};

static unsigned int kcopyd_chunk_order(const struct kcopyd_client *kc)
{
	return page_order(kc->chunk_bytes);
}

static void kcopyd_free_pages(struct kcopyd_client *kc)
{
	u32 pages = kc->chunk_bytes / PAGE_SIZE;

	if (!kc->page_list)
		return;
	for (u32 c = 0; kc->chunks && c < kc->nr_chunks; c++) {
		if (kc->chunks[c].block) {
			page_free(kc->chunks[c].block, kcopyd_chunk_order(kc));
			continue;
		}
		for (u32 p = 0; p < pages; p++)
			if (kc->page_list[c * pages + p].page)
				page_free(kc->page_list[c * pages + p].page, 0);
	}
	kfree(kc->page_list);
}

struct kcopyd_client *kcopyd_client_create(u32 chunk_bytes, u32 nr_chunks)
{
	struct kcopyd_client *kc;
	u32 pages = chunk_bytes / PAGE_SIZE;

	if (!pages || chunk_bytes % PAGE_SIZE || !nr_chunks)
		return ERR_PTR(-EINVAL);
	kc = kzalloc(sizeof(*kc));
	if (!kc)
		return ERR_PTR(-ENOMEM);
	kc->chunk_bytes = chunk_bytes;
	kc->nr_chunks = nr_chunks;
	wait_queue_init(&kc->wait);
	kc->io = dm_io_client_create(nr_chunks * 2, nr_chunks * 16);
	if (IS_ERR(kc->io)) {
		kc->io = NULL;
		goto free_kc;
	}
	kc->chunks = kcalloc(nr_chunks, sizeof(*kc->chunks));
	kc->page_list = kcalloc((size_t)nr_chunks * pages, sizeof(*kc->page_list));
	if (!kc->chunks || !kc->page_list)
		goto free_kc;
	for (u32 c = 0; c < nr_chunks; c++) {
		struct dm_page_list *pl = &kc->page_list[c * pages];

		kc->chunks[c].kc = kc;
		kc->chunks[c].pages = pl;
		/*
		 * One block when memory allows: dm-io merges contiguous pages
		 * into one vector, so a chunk takes few bios. Else single pages:
		 * a chunk needs no contiguous memory.
		 */
		if (chunk_bytes == PAGE_SIZE << kcopyd_chunk_order(kc) &&
		    kcopyd_chunk_order(kc) <= PAGE_MAX_ORDER)
			kc->chunks[c].block = page_alloc(kcopyd_chunk_order(kc));
		for (u32 p = 0; p < pages; p++) {
			pl[p].page = kc->chunks[c].block ? (u8 *)kc->chunks[c].block + p * PAGE_SIZE
							 : page_alloc(0);
			if (!pl[p].page)
				goto free_kc;
			pl[p].next = p + 1 < pages ? &pl[p + 1] : NULL;
		}
	}
	return kc;
free_kc:
	kcopyd_client_destroy(kc);
	return ERR_PTR(-ENOMEM);
}

void kcopyd_client_destroy(struct kcopyd_client *kc)
{
	if (!kc)
		return;
	kcopyd_free_pages(kc);
	kfree(kc->chunks);
	dm_io_client_destroy(kc->io);
	kfree(kc);
}

/* dm-io's notify, in interrupt context: the next state, and wake the thread. */
static void kcopyd_chunk_notify(u64 error_bits, void *context)
{
	struct kcopyd_chunk *chunk = context;
	struct kcopyd_client *kc = chunk->kc;

	chunk->error_bits = error_bits;
	__atomic_store_n(&chunk->state, __atomic_load_n(&chunk->state, __ATOMIC_RELAXED) + 1,
			 __ATOMIC_RELEASE);
	__atomic_fetch_add(&kc->events, 1, __ATOMIC_SEQ_CST);
	wake_up_all(&kc->wait);
}

static int kcopyd_chunk_io(struct kcopyd_chunk *chunk, u8 op, unsigned int nr,
			   const struct dm_io_region *base, u32 new_state)
{
	struct dm_io_region where[DM_IO_MAX_REGIONS];
	struct dm_io_request req = {
		.op = op,
		.mem = { .type = DM_IO_PAGE_LIST, .ptr.pl = chunk->pages },
		.notify = { kcopyd_chunk_notify, chunk },
		.client = chunk->kc->io,
	};

	for (unsigned int i = 0; i < nr; i++) {
		where[i] = base[i];
		where[i].sector += chunk->offset;
		where[i].count = chunk->sectors;
	}
	__atomic_store_n(&chunk->state, new_state, __ATOMIC_RELEASE);
	return dm_io(&req, nr, where, NULL);
}

int kcopyd_copy(struct kcopyd_client *kc, const struct dm_io_region *from,
		unsigned int nr_dests, const struct dm_io_region *dests,
		const struct kcopyd_hooks *hooks, struct kcopyd_result *res)
{
	u64 total = from->count, next = 0, done = 0, last_progress = time_ns();
	u32 chunk_sectors = kc->chunk_bytes >> SECTOR_SHIFT;
	u64 all_dests = nr_dests == 64 ? ~0ULL : (1ULL << nr_dests) - 1;
	bool stopping = false;

	memset(res, 0, sizeof(*res));
	if (!nr_dests || nr_dests > DM_IO_MAX_REGIONS || !from->disk || !total)
		return -EINVAL;
	for (unsigned int i = 0; i < nr_dests; i++)
		if (!dests[i].disk || dests[i].count != total)
			return -EINVAL;
	for (;;) {
		u64 seen = __atomic_load_n(&kc->events, __ATOMIC_SEQ_CST);
		bool progress = false, in_flight = false;

		for (u32 i = 0; i < kc->nr_chunks; i++) {
			struct kcopyd_chunk *chunk = &kc->chunks[i];

			switch (__atomic_load_n(&chunk->state, __ATOMIC_ACQUIRE)) {
			case KCOPYD_FREE:
				if (stopping || next == total)
					break;
				chunk->offset = next;
				chunk->sectors = (u32)min((u64)chunk_sectors, total - next);
				next += chunk->sectors;
				progress = true;
				if (kcopyd_chunk_io(chunk, REQ_OP_READ, 1, from, KCOPYD_READING)) {
					res->read_error = true;
					stopping = true;
					chunk->state = KCOPYD_FREE;
				}
				break;
			case KCOPYD_READ:
				progress = true;
				if (chunk->error_bits) {
					res->read_error = true;
					stopping = true;
					chunk->state = KCOPYD_FREE;
					break;
				}
				if (kcopyd_chunk_io(chunk, REQ_OP_WRITE, nr_dests, dests,
						    KCOPYD_WRITING)) {
					res->write_error_bits = all_dests;
					stopping = true;
					chunk->state = KCOPYD_FREE;
				}
				break;
			case KCOPYD_WRITTEN:
				res->write_error_bits |= chunk->error_bits;
				if ((res->write_error_bits & all_dests) == all_dests)
					stopping = true;	/* nowhere left to write */
				done += chunk->sectors;
				chunk->state = KCOPYD_FREE;
				progress = true;
				break;
			default:
				in_flight = true;
			}
		}
		if (!progress && !in_flight)
			break;
		if (hooks && hooks->stop && !stopping && hooks->stop(hooks->ctx)) {
			stopping = true;
			res->stopped = true;
		}
		if (hooks && hooks->progress && time_ns() - last_progress >= hooks->period_ns) {
			last_progress = time_ns();
			hooks->progress(hooks->ctx, done << SECTOR_SHIFT, total << SECTOR_SHIFT);
		}
		if (progress)
			continue;	/* a freed chunk may take the next read at once */
		/* sleep until a completion, at most 100 ms (progress, stop) */
		wait_event_timeout(kc->wait, __atomic_load_n(&kc->events, __ATOMIC_SEQ_CST) != seen,
				   100000000ULL);
	}
	res->bytes = done << SECTOR_SHIFT;
	if (res->read_error || res->write_error_bits)
		return -EIO;
	return res->stopped ? -EINTR : 0;
}
