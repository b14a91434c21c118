/*
 * kcopyd: copy a region of a disk to one or more regions, in chunks with
 * several in flight, each chunk one dm-io read followed by one dm-io write
 * fanned out to every destination (Linux's drivers/md/dm-kcopyd.c). The
 * mirror's resync and `dm copy` use it.
 *
 * A client owns the chunk buffers (page lists, allocated once) and a dm-io
 * client; one copy runs at a time per client, in the calling thread, which
 * issues chunks and sleeps until one changes state.
 */
#ifndef BLOCK_DM_KCOPYD_H
#define BLOCK_DM_KCOPYD_H

#include "lib/types.h"
#include "block/dm/dm_io.h"

struct kcopyd_client;

/* Optional hooks of one copy: progress about every period_ns, and a stop request. */
struct kcopyd_hooks {
	void (*progress)(void *ctx, u64 bytes_done, u64 bytes_total);
	bool (*stop)(void *ctx);	/* true: finish what is in flight and return */
	void *ctx;
	u64 period_ns;
};

struct kcopyd_result {
	u64 bytes;			/* copied to every destination that did not fail */
	bool read_error;		/* the source failed: the copy stopped there */
	u64 write_error_bits;		/* bit i: dests[i] failed somewhere */
	bool stopped;			/* hooks->stop said so */
};

/* nr_chunks buffers of chunk_bytes (a multiple of 4096); ERR_PTR on failure. */
struct kcopyd_client *kcopyd_client_create(u32 chunk_bytes, u32 nr_chunks);
void kcopyd_client_destroy(struct kcopyd_client *kc);

/*
 * Copy from->count sectors to every dests[i] (each count equal to from's,
 * at most 64 destinations). Returns 0 (everything copied), -EIO (see res),
 * -EINTR (stopped), -EINVAL (bad regions: nothing was done).
 */
int kcopyd_copy(struct kcopyd_client *kc, const struct dm_io_region *from,
		unsigned int nr_dests, const struct dm_io_region *dests,
		const struct kcopyd_hooks *hooks, struct kcopyd_result *res);

#endif
