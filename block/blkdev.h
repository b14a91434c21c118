/*
 * Disks: the block devices a user names ("vda", "nvme0n1", "null0", "vda1")
 * and the calls that submit I/O to them. A driver fills a struct gendisk,
 * attaches the request queue it made with blk_mq_alloc_queue() and calls
 * disk_add(); the partitions on it (GPT, MBR) become disks of their own that
 * share the whole disk's queue with an offset.
 *
 * Implemented in block/genhd.c (registry, partitions, lsblk) and
 * block/blk-core.c (submission, synchronous helpers).
 */
#ifndef BLOCK_BLKDEV_H
#define BLOCK_BLKDEV_H

#include "lib/types.h"
#include "lib/list.h"
#include "block/bio.h"

struct request_queue;

#define DISK_NAME_LEN 32

struct gendisk {
	char name[DISK_NAME_LEN];
	const char *driver;		/* "virtio-blk", "nvme", "null" */
	u64 capacity;			/* in 512-byte sectors */
	struct request_queue *queue;
	struct gendisk *whole;		/* the whole disk (itself unless a partition) */
	u64 part_offset;		/* partitions: first sector on the whole disk */
	int partno;			/* 0 for a whole disk */
	bool read_only;
	void *private_data;		/* the driver's */
	struct list_head link;		/* in the list of disks; protected by the registry lock */
	struct list_head parts;		/* a whole disk's partitions */
	struct list_head part_link;	/* in whole->parts */
};

/*
 * Register disk (its queue attached, capacity and name set): it becomes
 * visible to lsblk and the shell, and its partition table is read. Returns 0,
 * -EEXIST for a name in use, -EINVAL for a disk without queue or capacity.
 */
int disk_add(struct gendisk *disk);
/* Remove disk and its partitions; in-flight I/O must be over. */
void disk_del(struct gendisk *disk);
/* The disk called name, or NULL. */
struct gendisk *disk_find(const char *name);
/* Visit every disk and partition, in registration order; stop when fn returns non-zero. */
int disk_for_each(int (*fn)(struct gendisk *disk, void *arg), void *arg);
/* Re-read the partition table of a whole disk (after a write to it, say). */
int disk_rescan_partitions(struct gendisk *disk);
/* A name for a new disk of a driver: prefix plus the first unused number ("null" -> "null1"). */
int disk_name_alloc(char *buf, size_t len, const char *prefix);

/*
 * Submit a bio. It is checked against the queue's limits and the disk's
 * capacity (an invalid bio completes at once with its status set), mapped
 * from a partition to the whole disk, split into requests the hardware can
 * take, and queued on this CPU's software queue. bio->end_io runs once, when
 * every piece is done, in interrupt or polling context on the CPU that
 * completes it (normally the submitter's: the queue's vector is aimed there).
 */
void submit_bio(struct bio *bio);
/* Submit and sleep until it completes; returns bio->status. */
int submit_bio_wait(struct bio *bio);

/*
 * Synchronous I/O on a kernel buffer (any virtual address, including vmalloc-
 * like stacks: it is broken into physical segments page by page): op is
 * REQ_OP_READ or REQ_OP_WRITE (len bytes at byte offset sector * 512), or
 * FLUSH, DISCARD, WRITE_ZEROES (buf NULL). Returns 0 or a negative errno:
 * -EINVAL misaligned or malformed, -EIO beyond the end or a device error,
 * -EROFS a write to a read-only disk, -ENOTSUP an op the disk cannot do.
 */
int blk_rw_sync(struct gendisk *disk, u8 op, u64 sector, void *buf, size_t len, u16 flags);

/* Boot, once threads run: start the block layer's worker (kblockd). */
void blk_init(void);

/* Batching: requests submitted between start and finish reach the driver as one batch. */
struct blk_plug {
	struct list_head requests;	/* struct request, in submission order */
	unsigned int count;
};
void blk_start_plug(struct blk_plug *plug);
void blk_finish_plug(struct blk_plug *plug);

#endif
