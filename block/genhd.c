/*
 * Disks: the registry of block devices by name, their partitions, and
 * `lsblk`.
 *
 * Every disk and partition is on one list, in registration order, under
 * one mutex (disks come and go from threads: drivers' probes, `nullb`).
 * A whole disk's partitions are read with block/partition.c when it is
 * added or rescanned, and each becomes a gendisk of its own that shares the
 * whole disk's queue with an offset, named as Linux names them: the disk's
 * name, a 'p' when that name ends in a digit, the partition number
 * (vda1, nvme0n1p1, null0p1).
 *
 * Lifetime (docs/blk_lifetime.md), Linux's choice: a user opens a disk
 * by name (blkdev_get_by_name) and holds a reference until blkdev_put.
 * disk_del (del_gendisk) marks the disk and its partitions dead, takes them
 * off the list so that nobody new can open them, waits for the requests in
 * flight, and drops the registry's reference; I/O submitted later ends
 * with -ENODEV. The last disk_put frees the queue (when blk_mq_create_disk
 * made it) and calls the driver's free_disk. A partition is this file's
 * and holds a reference on its whole disk, so the shared queue outlives it.
 *
 * Lookups by name and walks of the list first wait for the probes still
 * running in the background (kernel/sched/async.h): a disk that will be
 * there is waited for, not reported missing.
 */
#include "block/blk_internal.h"
#include "block/partition.h"
#include "kernel/console/console.h"
#include "kernel/sched/async.h"
#include "kernel/sched/mutex.h"
#include "kernel/console/printk.h"
#include "kernel/mm/slab.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

static struct mutex disks_lock = MUTEX_INIT(disks_lock);
static LIST_HEAD(disks);	/* struct gendisk, protected by disks_lock */
static u64 disks_registered;	/* on the list now; disks_lock */
static u64 disks_released;	/* atomic */

static struct gendisk *disk_find_locked(const char *name)
{
	struct gendisk *disk;

	list_for_each_entry(disk, &disks, link)
		if (!strcmp(disk->name, name))
			return disk;
	return NULL;
}

bool disk_name_used(const char *name)
{
	bool used;

	mutex_lock(&disks_lock);
	used = disk_find_locked(name) != NULL;
	mutex_unlock(&disks_lock);
	return used;
}

void disk_counts(u64 *registered, u64 *released)
{
	mutex_lock(&disks_lock);
	*registered = disks_registered;
	mutex_unlock(&disks_lock);
	*released = __atomic_load_n(&disks_released, __ATOMIC_RELAXED);
}

/* --- references ---------------------------------------------------------------- */

/* The last reference went: free the partition, or the queue and the driver's part. */
static void disk_release(struct gendisk *disk)
{
	__atomic_fetch_add(&disks_released, 1, __ATOMIC_RELAXED);
	if (disk->whole != disk) {
		struct gendisk *whole = disk->whole;

		kfree(disk);
		disk_put(whole);
		return;
	}
	if (disk->owns_queue) {
		struct blk_mq_tag_set *set = disk->queue->tag_set;

		blk_mq_destroy_queue(disk->queue);
		if (disk->owns_tag_set)
			blk_mq_free_tag_set(set);
		disk->queue = NULL;
	}
	if (disk->free_disk)
		disk->free_disk(disk);
}

void disk_get(struct gendisk *disk)
{
	__atomic_fetch_add(&disk->refs, 1, __ATOMIC_RELAXED);
}

void disk_put(struct gendisk *disk)
{
	if (__atomic_sub_fetch(&disk->refs, 1, __ATOMIC_ACQ_REL) == 0)
		disk_release(disk);
}

struct gendisk *blkdev_get_by_name(const char *name)
{
	struct gendisk *disk;

	/* a disk still being probed in the background (AHCI ports) is waited for */
	async_synchronize();
	mutex_lock(&disks_lock);
	disk = disk_find_locked(name);
	if (disk) {
		disk_get(disk);
		__atomic_fetch_add(&disk->openers, 1, __ATOMIC_RELAXED);
	}
	mutex_unlock(&disks_lock);
	return disk ? disk : ERR_PTR(-ENODEV);
}

void blkdev_get(struct gendisk *disk)
{
	disk_get(disk);
	__atomic_fetch_add(&disk->openers, 1, __ATOMIC_RELAXED);
}

void blkdev_put(struct gendisk *disk)
{
	__atomic_fetch_sub(&disk->openers, 1, __ATOMIC_RELAXED);
	disk_put(disk);
}

int disk_open_count(struct gendisk *disk)
{
	struct gendisk *part;
	int n;

	mutex_lock(&disks_lock);
	n = __atomic_load_n(&disk->openers, __ATOMIC_RELAXED);
	list_for_each_entry(part, &disk->parts, part_link)
		n += __atomic_load_n(&part->openers, __ATOMIC_RELAXED);
	mutex_unlock(&disks_lock);
	return n;
}

int disk_for_each(int (*fn)(struct gendisk *disk, void *arg), void *arg)
{
	struct gendisk *disk;
	int ret = 0;

	async_synchronize();
	mutex_lock(&disks_lock);
	list_for_each_entry(disk, &disks, link) {
		ret = fn(disk, arg);
		if (ret)
			break;
	}
	mutex_unlock(&disks_lock);
	return ret;
}

void disk_name_letters(char *buf, size_t len, const char *prefix, unsigned int index)
{
	char letters[8];
	size_t at;
	int n = 0;

	do {
		letters[n++] = (char)('a' + index % 26);
		index = index / 26;
	} while (index-- && n < (int)sizeof(letters));
	snprintf(buf, len, "%s", prefix);
	for (at = strlen(buf); n > 0 && at + 1 < len; at++) {
		buf[at] = letters[--n];
		buf[at + 1] = 0;
	}
}

int disk_name_alloc(char *buf, size_t len, const char *prefix)
{
	mutex_lock(&disks_lock);
	for (unsigned int n = 0; n < 10000; n++) {
		snprintf(buf, len, "%s%u", prefix, n);
		if (!disk_find_locked(buf)) {
			mutex_unlock(&disks_lock);
			return 0;
		}
	}
	mutex_unlock(&disks_lock);
	return -ENOSPC;
}

/* --- partitions ---------------------------------------------------------------- */

static int part_read_block(void *ctx, u64 lba, void *buf)
{
	struct gendisk *disk = ctx;
	u32 lbs = disk->queue->limits.logical_block_size;

	return blk_rw_sync(disk, REQ_OP_READ, lba * (lbs >> SECTOR_SHIFT), buf, lbs, 0);
}

static void part_name(char *buf, size_t len, const char *disk, u32 number)
{
	size_t n = strlen(disk);
	bool digit = n && disk[n - 1] >= '0' && disk[n - 1] <= '9';

	snprintf(buf, len, "%s%s%u", disk, digit ? "p" : "", number);
}

/*
 * Mark the partitions of whole dead and take them off the registry onto
 * gone; disks_lock held. Their registry references are dropped by
 * disk_put_partitions once the lock is let go (a release may sleep).
 */
static void disk_unlink_partitions(struct gendisk *whole, struct list_head *gone)
{
	struct gendisk *part, *next;

	list_for_each_entry_safe(part, next, &whole->parts, part_link) {
		WRITE_ONCE(part->dead, true);
		list_del(&part->part_link);
		list_del(&part->link);
		disks_registered--;
		list_add_tail(&part->part_link, gone);
	}
}

static void disk_put_partitions(struct list_head *gone)
{
	struct gendisk *part, *next;

	list_for_each_entry_safe(part, next, gone, part_link) {
		list_del(&part->part_link);
		disk_put(part);
	}
}

static bool disk_partitions_open_locked(struct gendisk *whole)
{
	struct gendisk *part;

	list_for_each_entry(part, &whole->parts, part_link)
		if (__atomic_load_n(&part->openers, __ATOMIC_RELAXED))
			return true;
	return false;
}

int disk_rescan_partitions(struct gendisk *disk)
{
	u32 lbs = disk->queue->limits.logical_block_size;
	struct partition_disk pd = {
		.block_size = lbs,
		.nr_blocks = disk->capacity / (lbs >> SECTOR_SHIFT),
		.read = part_read_block,
		.ctx = disk,
	};
	struct partition_table *pt;
	LIST_HEAD(gone);
	int err;

	if (disk->whole != disk)
		return -EINVAL;
	if (lbs > 4096)
		return 0;	/* partition.c reads blocks of up to 4 KiB */
	pt = kzalloc(sizeof(*pt));
	pd.buf = kmalloc(lbs);
	if (!pt || !pd.buf) {
		err = -ENOMEM;
		goto out;
	}
	err = partition_scan(&pd, pt);
	mutex_lock(&disks_lock);
	if (disk_partitions_open_locked(disk)) {
		/* Linux's BLKRRPART refuses too: users hold the old ones */
		mutex_unlock(&disks_lock);
		err = -EBUSY;
		goto out;
	}
	disk_unlink_partitions(disk, &gone);
	for (int i = 0; !err && i < pt->count; i++) {
		const struct partition *p = &pt->parts[i];
		struct gendisk *part = kzalloc(sizeof(*part));

		if (!part) {
			err = -ENOMEM;
			break;
		}
		part_name(part->name, sizeof(part->name), disk->name, p->number);
		part->driver = disk->driver;
		part->queue = disk->queue;
		part->whole = disk;
		part->partno = (int)p->number;
		part->part_offset = p->start_lba * (lbs >> SECTOR_SHIFT);
		part->capacity = p->nr_lbas * (lbs >> SECTOR_SHIFT);
		part->read_only = disk->read_only;
		part->private_data = disk->private_data;
		part->refs = 1;		/* the registry's */
		disk_get(disk);		/* the shared queue outlives the partition */
		INIT_LIST_HEAD(&part->parts);
		list_add_tail(&part->part_link, &disk->parts);
		list_add_tail(&part->link, &disks);
		disks_registered++;
	}
	mutex_unlock(&disks_lock);
	disk_put_partitions(&gone);
	if (!err && pt->count)
		pr_info("%s: %s, %d partition%s%s\n", disk->name, pt->scheme, pt->count,
			pt->count == 1 ? "" : "s", pt->gpt_backup ? " (backup GPT)" : "");
out:
	kfree(pd.buf);
	kfree(pt);
	return err;
}

/* --- registry ------------------------------------------------------------------ */

int disk_add(struct gendisk *disk)
{
	int err;

	if (!disk->queue || !disk->capacity || !disk->name[0])
		return -EINVAL;
	if (queue_limits_check(&disk->queue->limits))
		return -EINVAL;
	mutex_lock(&disks_lock);
	if (disk_find_locked(disk->name)) {
		mutex_unlock(&disks_lock);
		return -EEXIST;
	}
	disk->whole = disk;
	disk->partno = 0;
	disk->part_offset = 0;
	disk->refs = 1;		/* the registry's, until disk_del */
	disk->openers = 0;
	disk->dead = false;
	INIT_LIST_HEAD(&disk->parts);
	disk->queue->disk = disk;
	list_add_tail(&disk->link, &disks);
	disks_registered++;
	mutex_unlock(&disks_lock);
	err = disk_rescan_partitions(disk);
	if (err && err != -ENOMEM)
		pr_info("%s: no partition table read (error %d)\n", disk->name, err);
	return 0;
}

/* The registry lock held and the disk unused or not: mark, unlink, then drain and put. */
static void disk_del_locked(struct gendisk *disk)
{
	LIST_HEAD(gone);

	WRITE_ONCE(disk->dead, true);
	disk_unlink_partitions(disk, &gone);
	list_del(&disk->link);
	disks_registered--;
	mutex_unlock(&disks_lock);
	/*
	 * A bio-based disk (dm) drains its own I/O (its suspend); a blk-mq
	 * queue is frozen once so that every request entered has ended, and
	 * marked dead so that later ones fail on entry.
	 */
	if (!disk->submit_bio)
		blk_queue_kill(disk->queue);
	disk_put_partitions(&gone);
	disk_put(disk);
}

void disk_del(struct gendisk *disk)
{
	mutex_lock(&disks_lock);
	disk_del_locked(disk);
}

int disk_del_unused(struct gendisk *disk)
{
	mutex_lock(&disks_lock);
	if (__atomic_load_n(&disk->openers, __ATOMIC_RELAXED) ||
	    disk_partitions_open_locked(disk)) {
		mutex_unlock(&disks_lock);
		return -EBUSY;
	}
	disk_del_locked(disk);
	return 0;
}

/* --- a driver's disk in one call ----------------------------------------------------- */

int blk_mq_create_disk(struct gendisk *disk, struct blk_mq_tag_set *set,
		       const struct queue_limits *lim, void *queuedata, unsigned int flags)
{
	struct request_queue *q;
	int err;

	if (flags & BLK_DISK_OWN_TAG_SET) {
		err = blk_mq_alloc_tag_set(set);
		if (err)
			return err;
	}
	q = blk_mq_alloc_queue(set, queuedata);
	if (IS_ERR(q)) {
		err = (int)PTR_ERR(q);
		goto free_tag_set;
	}
	if (lim)
		q->limits = *lim;
	disk->queue = q;
	disk->owns_tag_set = flags & BLK_DISK_OWN_TAG_SET;
	disk->owns_queue = true;
	err = disk_add(disk);
	if (err)
		goto destroy_queue;
	return 0;

destroy_queue:
	blk_mq_destroy_queue(q);
	disk->queue = NULL;
	disk->owns_queue = false;
free_tag_set:
	if (flags & BLK_DISK_OWN_TAG_SET)
		blk_mq_free_tag_set(set);
	return err;
}

void blk_mq_destroy_disk(struct gendisk *disk)
{
	disk_del(disk);
}
