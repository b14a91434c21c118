/*
 * Direct-IO targets (block/dio.h): a disk by name, or a file on one named
 * "<disk>:<path>", opened through the ext2/ext3/ext4 reader. Each open
 * mounts privately (superblock checked, its own scratch and extent cache),
 * so two bench jobs on one file share nothing and need no lock; nothing
 * is written to the filesystem's metadata, ever.
 */
#include "block/dio.h"
#include "block/blk_mq.h"
#include "block/fs/ext2_alloc.h"
#include "kernel/mm/slab.h"
#include "lib/errno.h"
#include "lib/string.h"

/* Metadata reads of the reader: whole logical blocks, through a bounce when smaller. */
static int dio_target_fs_read(void *ctx, u64 off, void *buf, u32 len)
{
	struct gendisk *disk = ctx;
	u32 lbs = disk->queue->limits.logical_block_size;
	u64 start, end;
	u8 *bounce;
	int err;

	if (IS_ALIGNED(off, lbs) && IS_ALIGNED(len, lbs))
		return blk_rw_sync(disk, REQ_OP_READ, off >> SECTOR_SHIFT, buf, len, 0);
	start = ALIGN_DOWN(off, (u64)lbs);
	end = ALIGN_UP(off + len, (u64)lbs);
	bounce = kmalloc(end - start);
	if (!bounce)
		return -ENOMEM;
	err = blk_rw_sync(disk, REQ_OP_READ, start >> SECTOR_SHIFT, bounce, end - start, 0);
	if (!err)
		memcpy(buf, bounce + (off - start), len);
	kfree(bounce);
	return err;
}

/* Metadata writes of the ext2 allocator: read-modify-write when smaller than a logical block. */
static int dio_target_fs_write(void *ctx, u64 off, const void *buf, u32 len)
{
	struct gendisk *disk = ctx;
	u32 lbs = disk->queue->limits.logical_block_size;
	u64 start, end;
	u8 *bounce;
	int err;

	if (IS_ALIGNED(off, lbs) && IS_ALIGNED(len, lbs))
		return blk_rw_sync(disk, REQ_OP_WRITE, off >> SECTOR_SHIFT, (void *)buf, len, 0);
	start = ALIGN_DOWN(off, (u64)lbs);
	end = ALIGN_UP(off + len, (u64)lbs);
	bounce = kmalloc(end - start);
	if (!bounce)
		return -ENOMEM;
	err = blk_rw_sync(disk, REQ_OP_READ, start >> SECTOR_SHIFT, bounce, end - start, 0);
	if (!err) {
		memcpy(bounce + (off - start), buf, len);
		err = blk_rw_sync(disk, REQ_OP_WRITE, start >> SECTOR_SHIFT, bounce, end - start,
				  0);
	}
	kfree(bounce);
	return err;
}

/* Mount the ext2/3/4 filesystem on t->disk into t->fs. */
static int dio_target_mount(struct dio_target *t, bool write, const char **why)
{
	struct ext4_dev dev = {
		.read = dio_target_fs_read,
		.write = write ? dio_target_fs_write : NULL,
		.ctx = t->disk,
		.size = t->disk->capacity << SECTOR_SHIFT,
	};
	int err;

	t->fs = kzalloc(sizeof(*t->fs));
	if (!t->fs)
		return -ENOMEM;
	err = ext4_fs_probe(t->fs, &dev, why);
	if (err)
		return err;
	/* the reader's block may be smaller than the disk's (1 KiB ext2 on a 4Kn disk) */
	if (t->fs->block_size < t->dev_block_size)
		return -EINVAL;
	t->fs->buf = kmalloc(2 * t->fs->block_size);
	if (!t->fs->buf)
		return -ENOMEM;
	if (write && t->fs->read_only_reason) {
		if (why)
			*why = t->fs->read_only_reason;
		return -EROFS;
	}
	/* writes into holes allocate on ext2; elsewhere they are refused (block/dio.h) */
	t->allocate = write && ext2_alloc_check(t->fs, NULL) == 0;
	return 0;
}

static int dio_target_open_file(struct dio_target *t, const char *path)
{
	int err;

	t->file = kzalloc(sizeof(*t->file));
	if (!t->file)
		return -ENOMEM;
	err = ext4_file_open(t->fs, path, t->file);
	if (err)
		return err;
	t->size = t->file->inode.size;
	t->block_size = t->fs->block_size;
	return 0;
}

static int dio_target_get(const char *name, bool write, bool whole_fs, struct dio_target **out,
			  const char **why)
{
	const char *colon = strchr(name, ':');
	char disk_name[DISK_NAME_LEN];
	size_t len = colon ? (size_t)(colon - name) : strlen(name);
	struct dio_target *t;
	int err;

	if (why)
		*why = NULL;
	if (!len || len >= sizeof(disk_name))
		return -ENODEV;
	memcpy(disk_name, name, len);
	disk_name[len] = '\0';
	t = kzalloc(sizeof(*t));
	if (!t)
		return -ENOMEM;
	/* held open until dio_target_close: a removal meanwhile fails the I/O, frees nothing */
	t->disk = blkdev_get_by_name(disk_name);
	if (IS_ERR(t->disk)) {
		t->disk = NULL;
		err = -ENODEV;
		goto free_target;
	}
	if (write && (t->disk->read_only || t->disk->whole->read_only)) {
		if (why)
			*why = "read-only disk";
		err = -EROFS;
		goto free_target;
	}
	t->dev_block_size = t->disk->queue->limits.logical_block_size;
	t->block_size = t->dev_block_size;
	t->size = t->disk->capacity << SECTOR_SHIFT;
	if (colon || whole_fs) {
		err = dio_target_mount(t, write, why);
		if (!err && colon)
			err = dio_target_open_file(t, colon + 1);
		if (err)
			goto free_target;
	}
	*out = t;
	return 0;

free_target:
	dio_target_close(t);
	return err;
}

int dio_target_open(const char *name, bool write, struct dio_target **out, const char **why)
{
	return dio_target_get(name, write, false, out, why);
}

int dio_target_open_fs(const char *disk, struct dio_target **out, const char **why)
{
	if (strchr(disk, ':'))
		return -EINVAL;
	return dio_target_get(disk, false, true, out, why);
}

void dio_target_close(struct dio_target *t)
{
	if (!t)
		return;
	if (t->disk)
		blkdev_put(t->disk);
	if (t->fs)
		kfree(t->fs->buf);
	kfree(t->fs);
	kfree(t->file);
	kfree(t);
}
