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
 * Lifetime: a gendisk is the driver's (a partition is this file's); there
 * are no references, so disk_del and a rescan expect no I/O in flight and
 * no pointer to the partitions kept by anyone.
 */
#include "block/blk-internal.h"
#include "block/partition.h"
#include "kernel/console.h"
#include "kernel/mutex.h"
#include "kernel/printk.h"
#include "kernel/shell.h"
#include "kernel/slab.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

static struct mutex disks_lock = MUTEX_INIT(disks_lock);
static LIST_HEAD(disks);	/* struct gendisk, protected by disks_lock */

static struct gendisk *disk_find_locked(const char *name)
{
	struct gendisk *disk;

	list_for_each_entry(disk, &disks, link)
		if (!strcmp(disk->name, name))
			return disk;
	return NULL;
}

struct gendisk *disk_find(const char *name)
{
	struct gendisk *disk;

	mutex_lock(&disks_lock);
	disk = disk_find_locked(name);
	mutex_unlock(&disks_lock);
	return disk;
}

int disk_for_each(int (*fn)(struct gendisk *disk, void *arg), void *arg)
{
	struct gendisk *disk;
	int ret = 0;

	mutex_lock(&disks_lock);
	list_for_each_entry(disk, &disks, link) {
		ret = fn(disk, arg);
		if (ret)
			break;
	}
	mutex_unlock(&disks_lock);
	return ret;
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

/* Unlink and free the partitions of whole; disks_lock held. */
static void disk_drop_partitions(struct gendisk *whole)
{
	struct gendisk *part, *next;

	list_for_each_entry_safe(part, next, &whole->parts, part_link) {
		list_del(&part->part_link);
		list_del(&part->link);
		kfree(part);
	}
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
	disk_drop_partitions(disk);
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
		INIT_LIST_HEAD(&part->parts);
		list_add_tail(&part->part_link, &disk->parts);
		list_add_tail(&part->link, &disks);
	}
	mutex_unlock(&disks_lock);
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
	INIT_LIST_HEAD(&disk->parts);
	disk->queue->disk = disk;
	list_add_tail(&disk->link, &disks);
	mutex_unlock(&disks_lock);
	err = disk_rescan_partitions(disk);
	if (err && err != -ENOMEM)
		pr_info("%s: no partition table read (error %d)\n", disk->name, err);
	return 0;
}

void disk_del(struct gendisk *disk)
{
	mutex_lock(&disks_lock);
	disk_drop_partitions(disk);
	list_del(&disk->link);
	mutex_unlock(&disks_lock);
}

/* --- lsblk ------------------------------------------------------------------------ */

/* "512M", "1.5G", "931.5K": one decimal when it is not whole, as lsblk does */
static const char *size_human(u64 bytes, char *buf, size_t len)
{
	static const char units[] = "BKMGTP";
	u64 unit = 1, tenths;
	int u = 0;

	while (u < 5 && bytes >= unit * 1024) {
		unit *= 1024;
		u++;
	}
	tenths = (bytes / unit) * 10 + ((bytes % unit) * 10 + unit / 2) / unit;

	if (u == 0 || tenths % 10 == 0)
		snprintf(buf, len, "%llu%c", (unsigned long long)(tenths / 10), units[u]);
	else
		snprintf(buf, len, "%llu.%llu%c", (unsigned long long)(tenths / 10),
			 (unsigned long long)(tenths % 10), units[u]);
	return buf;
}

static void hwq_text(const struct request_queue *q, char *buf, size_t len)
{
	unsigned int poll = q->tag_set->nr_poll_queues;

	if (poll)
		snprintf(buf, len, "%u+%up", q->nr_hw_queues - poll, poll);
	else
		snprintf(buf, len, "%u", q->nr_hw_queues);
}

static void lsblk_print_line(const struct gendisk *disk)
{
	const struct request_queue *q = disk->queue;
	char size[16], hwq[16], name[DISK_NAME_LEN + 2];

	snprintf(name, sizeof(name), "%s%s", disk->partno ? "`-" : "", disk->name);
	hwq_text(q, hwq, sizeof(hwq));
	printf("%-12s %-10s %7s %7u %7u %5s %-6s %2d\n", name, disk->driver ? disk->driver : "-",
	       size_human(disk->capacity << SECTOR_SHIFT, size, sizeof(size)),
	       q->limits.logical_block_size, q->limits.physical_block_size, hwq,
	       elevator_name(q), disk->read_only ? 1 : 0);
}

static void lsblk_print_json_one(const struct gendisk *disk)
{
	const struct request_queue *q = disk->queue;
	char size[16];

	printf("{\"name\":\"%s\",\"driver\":\"%s\",\"size\":%llu,\"size_human\":\"%s\","
	       "\"log_sec\":%u,\"phy_sec\":%u,\"hw_queues\":%u,\"poll_queues\":%u,"
	       "\"sched\":\"%s\",\"ro\":%s,\"start\":%llu",
	       disk->name, disk->driver ? disk->driver : "",
	       (unsigned long long)(disk->capacity << SECTOR_SHIFT),
	       size_human(disk->capacity << SECTOR_SHIFT, size, sizeof(size)),
	       q->limits.logical_block_size, q->limits.physical_block_size,
	       q->nr_hw_queues - q->tag_set->nr_poll_queues, q->tag_set->nr_poll_queues,
	       elevator_name(q), disk->read_only ? "true" : "false",
	       (unsigned long long)disk->part_offset);
}

static int cmd_lsblk(int argc, char **argv)
{
	bool json = argc == 2 && !strcmp(argv[1], "--json");
	struct gendisk *disk, *part;
	bool first = true;

	if (argc > 2 || (argc == 2 && !json))
		return shell_usage_error(argv[0]);
	mutex_lock(&disks_lock);
	if (json)
		printf("{\"blockdevices\":[");
	else
		printf("%-12s %-10s %7s %7s %7s %5s %-6s %2s\n", "NAME", "DRIVER", "SIZE",
		       "LOG-SEC", "PHY-SEC", "HWQ", "SCHED", "RO");
	list_for_each_entry(disk, &disks, link) {
		bool first_part = true;

		if (disk->whole != disk)
			continue;	/* printed under their disk */
		if (!json) {
			lsblk_print_line(disk);
			list_for_each_entry(part, &disk->parts, part_link)
				lsblk_print_line(part);
			continue;
		}
		printf("%s", first ? "" : ",");
		first = false;
		lsblk_print_json_one(disk);
		printf(",\"children\":[");
		list_for_each_entry(part, &disk->parts, part_link) {
			printf("%s", first_part ? "" : ",");
			first_part = false;
			lsblk_print_json_one(part);
			printf(",\"partno\":%d}", part->partno);
		}
		printf("]}");
	}
	if (json)
		printf("]}\n");
	mutex_unlock(&disks_lock);
	return 0;
}
SHELL_COMMAND(lsblk, cmd_lsblk, "lsblk [--json]",
	      "block devices: size, block sizes, hardware queues, scheduler");
