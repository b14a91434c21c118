/*
 * Disks: the block devices a user names ("vda", "nvme0n1", "null0", "vda1")
 * and the calls that submit I/O to them. A driver fills a struct gendisk,
 * attaches the request queue it made with blk_mq_alloc_queue() and calls
 * disk_add(); the partitions on it (GPT, MBR) become disks of their own that
 * share the whole disk's queue with an offset.
 *
 * Implemented in block/genhd.c (registry, partitions, lsblk) and
 * block/blk_core.c (submission, synchronous helpers).
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
	bool owns_tag_set;		/* blk_mq_create_disk(BLK_DISK_OWN_TAG_SET) */
	bool owns_queue;		/* blk_mq_create_disk made the queue: freed at release */
	/*
	 * Lifetime (docs/blk_lifetime.md). refs: one for the registry from
	 * disk_add until disk_del, one per disk_get (every open holds one, a
	 * partition holds its whole disk); the last disk_put releases the
	 * disk. openers: opens now held (blkdev_get_by_name), dmsetup's "Open
	 * count". Both atomic. dead: disk_del has begun; new I/O ends with
	 * -ENODEV, set once under the registry lock.
	 */
	int refs;
	int openers;
	bool dead;
	/*
	 * Called at the last disk_put, after the queue (if owns_queue) is
	 * freed: the driver frees what the disk is part of. May be NULL when
	 * the driver frees it itself right after blk_mq_destroy_disk (a
	 * probe's error path, before anyone can have opened it).
	 */
	void (*free_disk)(struct gendisk *disk);
	void *private_data;		/* the driver's */
	struct list_head link;		/* in the list of disks; protected by the registry lock */
	struct list_head parts;		/* a whole disk's partitions */
	struct list_head part_link;	/* in whole->parts */
	/*
	 * A bio-based disk (device-mapper) sets these on its whole disk; its
	 * queue then carries limits only, no blk-mq. submit_bio takes every
	 * checked bio whole, with its sector on the whole disk (a partition's
	 * offset added), and ends it through bio->end_io. parents writes the
	 * names of the disks it is built on ("vda,vdb"), for lsblk.
	 */
	void (*submit_bio)(struct bio *bio, u64 sector);
	void (*parents)(struct gendisk *disk, char *buf, size_t len);
};

/*
 * Register disk (its queue attached, capacity and name set): it becomes
 * visible to lsblk and the shell, and its partition table is read. Returns 0,
 * -EEXIST for a name in use, -EINVAL for a disk without queue or capacity.
 */
int disk_add(struct gendisk *disk);
/*
 * Remove disk and its partitions, as Linux's del_gendisk: they are marked
 * dead (new I/O ends with -ENODEV), taken off the registry (their names are
 * free again), and the I/O in flight is waited for; then the registry's
 * references go. Whatever users still hold keeps the structures (never the
 * device) alive until their last disk_put/blkdev_put.
 */
void disk_del(struct gendisk *disk);
/* disk_del, unless disk or one of its partitions is open: -EBUSY (dm remove). */
int disk_del_unused(struct gendisk *disk);
/*
 * Open the disk or partition called name for I/O: ERR_PTR(-ENODEV) when
 * there is none (or it is being removed). The caller may use it until
 * blkdev_put, even across a removal (its I/O then fails).
 */
struct gendisk *blkdev_get_by_name(const char *name);
/* One more open of a disk the caller holds open (a job of a bench, say). */
void blkdev_get(struct gendisk *disk);
void blkdev_put(struct gendisk *disk);
/* A reference without an open (the structure stays; see docs/blk_lifetime.md). */
void disk_get(struct gendisk *disk);
void disk_put(struct gendisk *disk);
/* Opens of disk and of its partitions. */
int disk_open_count(struct gendisk *disk);
/* Whether a disk or partition is called name (a name taken). */
bool disk_name_used(const char *name);
/* Disks and partitions released since boot, and those registered now (for tests). */
void disk_counts(u64 *registered, u64 *released);
/* Visit every disk and partition, in registration order; stop when fn returns non-zero. */
int disk_for_each(int (*fn)(struct gendisk *disk, void *arg), void *arg);
/* Re-read the partition table of a whole disk (after a write to it, say). */
int disk_rescan_partitions(struct gendisk *disk);
/* Linux's letter names by probe order: prefix "sd", index 0 "sda", 25 "sdz", 26 "sdaa". */
void disk_name_letters(char *buf, size_t len, const char *prefix, unsigned int index);
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
