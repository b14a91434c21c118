/*
 * Synchronous I/O that its waiter may leave: the shell's read, write, sum,
 * flush and discard wait for their I/O like blk_rw_sync(), but a person who
 * presses Ctrl-C gets the prompt back even when the device never answers.
 * The I/O cannot be taken back from the device, so it keeps its request, its
 * vectors and its data buffer until it completes or the block layer's
 * timeout ends it; only then are they freed. Until then it is listed (see
 * blk_rw_detached_for_each) so the shell can say what is still in flight.
 */
#ifndef BLOCK_BLK_RW_DETACH_H
#define BLOCK_BLK_RW_DETACH_H

#include "block/blkdev.h"

/* A data buffer that the I/O frees itself when its waiter has left. */
struct blk_rw_buf {
	void *data;
	void (*release)(void *data, unsigned long cookie);
	unsigned long cookie;
};

/*
 * blk_rw_sync() that polls stop() while it waits (every few milliseconds).
 * When stop() turns true before the I/O ends, returns -EINTR at once: the
 * I/O then owns buf->data (set to NULL here) and releases it when it ends.
 */
int blk_rw_wait(struct gendisk *disk, u8 op, u64 sector, struct blk_rw_buf *buf, size_t len,
		u16 flags, bool (*stop)(void));

/* What a left I/O was, for a listing. */
struct blk_rw_detached_info {
	char disk[DISK_NAME_LEN];
	u8 op;
	u64 sector;
	u32 bytes;
	u64 age_ns;		/* since it was submitted */
};

/* Call fn for each I/O whose waiter left and that has not ended; the count. */
unsigned int blk_rw_detached_for_each(void (*fn)(const struct blk_rw_detached_info *info,
						 void *arg), void *arg);

#endif
