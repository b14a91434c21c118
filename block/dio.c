/*
 * The direct-IO engine (block/dio.h). A transfer runs in two phases:
 *
 *  1. plan (block/dio_plan.c) and build every bio: map the file's blocks,
 *     walk the page tables for each piece of the buffer (merging pages that
 *     are physically adjacent into one vector), clear the buffer where a
 *     read meets a hole. Anything refused here (misalignment, an unmapped
 *     buffer page, a write into a hole) returns before a single bio is
 *     submitted, so a refused write changes nothing on the disk.
 *  2. submit them all under one plug, holding one reference per bio plus
 *     the submitter's; the last bio to end (or the submitter, if they all
 *     ended first) completes the dio: a waiter wakes, or end_io runs.
 *
 * Nothing is allocated per transfer: bios and vectors live in the room
 * dio_alloc() made, sized for the worst case of the longest transfer.
 *
 * Allocation (ext2 only) happens in phase 1, from get_block, under one
 * mutex for every allocating writer: each handle has its own copy of the
 * inode and its own extent cache, so under the mutex the inode is re-read
 * from the disk and the hole looked up again before a block is taken, and
 * the handle's cache is dropped afterwards. New blocks are zeroed where the
 * write does not cover them (DIO_STEP_ZERO_DISK, from one shared zero
 * buffer), and i_size grows before the data is submitted.
 */

#include "block/dio.h"
#include "block/blk_internal.h"
#include "block/blk_mq.h"
#include "block/fs/ext2_alloc.h"
#include "kernel/mm/mm.h"
#include "kernel/mm/page_alloc.h"
#include "kernel/sched/mutex.h"
#include "kernel/sched/thread.h"
#include "kernel/mm/paging.h"
#include "kernel/mm/slab.h"
#include "lib/errno.h"
#include "lib/string.h"

#define DIO_ZERO_ORDER 4	/* 64 KiB of zeroes: covers any part of the largest block */

static struct mutex dio_alloc_lock = MUTEX_INIT(dio_alloc_lock);
static void *dio_zero_buf;	/* set once, under dio_alloc_lock */

int dio_alloc(struct dio *d, u64 max_length, u32 min_unit)
{
	/* an I/O per unit at worst, the zeroing of a new block's head and tail, slack */
	u64 bios = max_length / min_unit + 4;
	u64 vecs = max_length / PAGE_SIZE + 2 * bios + 2;

	memset(d, 0, sizeof(*d));
	if (!min_unit || bios > 0xFFFFFFFFULL || vecs > 0xFFFFFFFFULL)
		return -EINVAL;
	d->bios = kcalloc(bios, sizeof(*d->bios));
	d->vecs = kcalloc(vecs, sizeof(*d->vecs));
	if (!d->bios || !d->vecs) {
		dio_free(d);
		return -ENOMEM;
	}
	d->max_bios = (u32)bios;
	d->max_vecs = (u32)vecs;
	d->max_length = max_length;
	return 0;
}

void dio_free(struct dio *d)
{
	kfree(d->bios);
	kfree(d->vecs);
	d->bios = NULL;
	d->vecs = NULL;
	d->max_bios = d->max_vecs = 0;
}

/* The hole at lblk of an ext2 file gets a block (or turns out filled by another writer). */
static int dio_get_block_alloc(struct dio_target *t, u64 lblk, struct dio_run *out)
{
	struct ext4_file *f = t->file;
	struct ext4_map map;
	bool fresh = false;
	u64 pblk = 0;
	int err;

	mutex_lock(&dio_alloc_lock);
	if (!dio_zero_buf)
		dio_zero_buf = page_zalloc(DIO_ZERO_ORDER);
	err = dio_zero_buf ? ext4_inode_read(t->fs, f->inode.ino, &f->inode) : -ENOMEM;
	if (!err) {
		err = ext2_alloc_block(t->fs, &f->inode, lblk, &pblk);
		fresh = !err;
	}
	if (err == -EEXIST) {
		/* another writer filled it since our cache said hole: its data stays */
		err = ext4_map_blocks(t->fs, &f->inode, lblk, 1, &map);
		pblk = map.pblk;
		if (!err && map.state != EXT4_MAP_MAPPED)
			err = -EIO;
	}
	mutex_unlock(&dio_alloc_lock);
	/* the block map changed under the cache */
	f->cache.nr = 0;
	f->cache.next = 0;
	if (err)
		return err;
	*out = (struct dio_run){ .lblk = lblk, .pblk = pblk, .len = 1,
				 .state = fresh ? DIO_RUN_NEW : DIO_RUN_MAPPED };
	return 0;
}

/* Grow the file to end (ext2), after its blocks exist and before data goes out. */
static int dio_file_grow(struct dio_target *t, u64 end)
{
	struct ext4_file *f = t->file;
	int err;

	mutex_lock(&dio_alloc_lock);
	err = ext4_inode_read(t->fs, f->inode.ino, &f->inode);
	if (!err && f->inode.size < end)
		err = ext2_inode_set_size(t->fs, &f->inode, end);
	mutex_unlock(&dio_alloc_lock);
	if (!err)
		t->size = f->inode.size;
	return err;
}

/* get_block for block/dio_plan.c: a disk maps to itself, a file through its extent cache. */
static int dio_get_block(void *ctx, u64 lblk, u32 max_len, bool write, struct dio_run *out)
{
	struct dio_target *t = ctx;
	struct ext4_map map;
	int err;

	if (!t->file) {
		*out = (struct dio_run){ .lblk = lblk, .pblk = lblk, .len = max_len,
					 .state = DIO_RUN_MAPPED };
		return 0;
	}
	err = ext4_file_map(t->fs, t->file, lblk, max_len, &map);
	if (err)
		return err;
	if (write && t->allocate && map.state == EXT4_MAP_HOLE)
		return dio_get_block_alloc(t, lblk, out);
	out->lblk = map.lblk;
	out->pblk = map.pblk;
	out->len = map.len;
	out->state = map.state == EXT4_MAP_MAPPED	? DIO_RUN_MAPPED :
		     map.state == EXT4_MAP_UNWRITTEN ? DIO_RUN_UNWRITTEN :
							 DIO_RUN_HOLE;
	return 0;
}

/* The physical address behind a kernel virtual address: the page tables' answer. */
static int dio_virt_to_phys(uintptr_t va, u64 *pa)
{
	if (va >= KERNEL_VMA ||
	    (va >= DIRECT_MAP_BASE && va - DIRECT_MAP_BASE < paging_direct_map_end())) {
		*pa = virt_to_phys((const void *)va);
		return 0;
	}
	/* stacks, vmap() and other mapped areas: walk the tables */
	return vm_translate(va, pa) ? -EFAULT : 0;
}

static void dio_complete(struct dio *d)
{
	s64 result = d->error ? d->error : (s64)d->bytes;

	if (d->end_io)
		d->end_io(d, result);
	else
		complete(&d->done);
}

/* A synchronous transfer's wait: polled bios are reaped by their waiter. */
static s64 dio_wait(struct dio *d, struct request_queue *q)
{
	if ((d->bio_flags & REQ_POLLED) && q->poll_enabled) {
		struct blk_plug *plug = current_thread()->plug;

		if (plug)
			blk_flush_plug(plug);
		blk_mq_poll_until(q, &d->done.done);
	}
	wait_for_completion_io(&d->done);
	return d->error ? d->error : (s64)d->bytes;
}

static void dio_put(struct dio *d)
{
	/* the only reference left is ours: nobody else can change the count */
	if (likely(__atomic_load_n(&d->refs, __ATOMIC_ACQUIRE) == 1) ||
	    __atomic_sub_fetch(&d->refs, 1, __ATOMIC_ACQ_REL) == 0)
		dio_complete(d);
}

static void dio_bio_end_io(struct bio *bio)
{
	struct dio *d = bio->private;

	/* the only bio, and the submitter's reference gone: nobody to race with */
	if (likely(d->nr_bios == 1 && READ_ONCE(d->refs) == 1)) {
		if (unlikely(bio->status))
			d->error = bio->status;
		dio_complete(d);
		return;
	}

	if (unlikely(bio->status)) {
		int none = 0;

		/* the first error is the one reported */
		__atomic_compare_exchange_n(&d->error, &none, bio->status, false,
					    __ATOMIC_RELAXED, __ATOMIC_RELAXED);
	}
	dio_put(d);
}

/* One bio for an I/O step: the buffer's pages from the page tables, adjacent ones merged. */
static int dio_bio_build(struct dio *d, u8 op, void *buf, const struct dio_step *s)
{
	struct bio_vec *v = d->vecs + d->nr_vecs;
	uintptr_t va = (uintptr_t)buf + s->buf_off;
	u64 left = s->len;
	u32 n = 0;

	if (d->nr_bios >= d->max_bios)
		return -EINVAL;
	while (left) {
		u32 chunk = (u32)min(PAGE_SIZE - (va & (PAGE_SIZE - 1)), left);
		u64 pa;

		if (dio_virt_to_phys(va, &pa))
			return -EFAULT;
		if (n && v[n - 1].phys + v[n - 1].len == pa) {
			v[n - 1].len += chunk;
		} else {
			if (d->nr_vecs + n >= d->max_vecs || n == 0xFFFF)
				return -EINVAL;
			v[n++] = (struct bio_vec){ pa, chunk };
		}
		va += chunk;
		left -= chunk;
	}
	d->bios[d->nr_bios++] = (struct bio){
		.disk = d->target->disk,
		.sector = s->disk_off >> SECTOR_SHIFT,
		.size = (u32)s->len,
		.op = op,
		.flags = d->bio_flags,
		.vecs = v,
		.vcnt = (u16)n,
		.end_io = dio_bio_end_io,
		.private = d,
	};
	d->nr_vecs += n;
	return 0;
}

/* A write of zeroes over the part of a new block the data does not cover. */
static int dio_bio_build_zero(struct dio *d, const struct dio_step *s)
{
	if (d->nr_bios >= d->max_bios || d->nr_vecs >= d->max_vecs ||
	    s->len > (PAGE_SIZE << DIO_ZERO_ORDER))
		return -EINVAL;
	d->vecs[d->nr_vecs] = (struct bio_vec){ virt_to_phys(dio_zero_buf), (u32)s->len };
	d->bios[d->nr_bios++] = (struct bio){
		.disk = d->target->disk,
		.sector = s->disk_off >> SECTOR_SHIFT,
		.size = (u32)s->len,
		.op = REQ_OP_WRITE,
		.flags = d->bio_flags,
		.vecs = &d->vecs[d->nr_vecs++],
		.vcnt = 1,
		.end_io = dio_bio_end_io,
		.private = d,
	};
	return 0;
}

/*
 * The common case in one step: the whole transfer inside one mapped run
 * (a disk always is), before the end of the file, within one bio, from a
 * direct-map buffer (physically contiguous, so one vector). Builds the bio
 * and returns true; false sends the transfer down the general path. An
 * allocating write asks the file's cache directly so that a hole is never
 * allocated here.
 */
static bool dio_build_single(struct dio *d, u8 op, struct dio_target *t, void *buf,
			     u64 length, u64 offset, u64 max_bytes)
{
	uintptr_t va = (uintptr_t)buf;
	u64 end = offset + length, pblk;
	u8 bits;

	if (!length || length > max_bytes || end > t->size || va < DIRECT_MAP_BASE ||
	    va + length - DIRECT_MAP_BASE > paging_direct_map_end())
		return false;
	bits = (u8)__builtin_ctz(t->block_size);
	if (t->file) {
		struct ext4_map map;
		u64 lblk = offset >> bits;
		u64 last = (end - 1) >> bits;

		d->get_block_calls = 1;
		if (ext4_file_map(t->fs, t->file, lblk, (u32)min(last - lblk + 1, 0xFFFFFFFFULL),
				  &map) ||
		    map.state != EXT4_MAP_MAPPED || map.len < last - lblk + 1)
			return false;
		pblk = map.pblk;
	} else {
		d->get_block_calls = 0;
		pblk = offset >> bits;
	}
	d->vecs[0] = (struct bio_vec){ va - DIRECT_MAP_BASE, (u32)length };
	d->bios[0] = (struct bio){
		.disk = t->disk,
		.sector = ((pblk << bits) + (offset & (t->block_size - 1))) >> SECTOR_SHIFT,
		.size = (u32)length,
		.op = op,
		.flags = d->bio_flags,
		.vecs = d->vecs,
		.vcnt = 1,
		.end_io = dio_bio_end_io,
		.private = d,
	};
	d->nr_bios = 1;
	d->nr_vecs = 1;
	d->bytes = length;
	return true;
}

/* Phase 1: every bio built, holes cleared; nothing submitted. */
static int dio_build(struct dio *d, u8 op, void *buf, struct dio_plan *plan)
{
	struct dio_step s;
	int err;

	for (;;) {
		err = dio_plan_next(plan, &s);
		if (err)
			return err;
		switch (s.kind) {
		case DIO_STEP_END:
			return 0;
		case DIO_STEP_IO:
			err = dio_bio_build(d, op, buf, &s);
			if (err)
				return err;
			break;
		case DIO_STEP_ZERO:
			memset((u8 *)buf + s.buf_off, 0, s.len);
			break;
		case DIO_STEP_ZERO_DISK:
			err = dio_bio_build_zero(d, &s);
			if (err)
				return err;
			break;
		case DIO_STEP_HOLE:
			return -ENOTSUP;	/* a write would have to allocate */
		default:
			return -EIO;
		}
	}
}

s64 dio_rw(struct dio *d, u8 op, struct dio_target *t, void *buf, u64 length, u64 offset,
	   dio_end_io_fn end_io, enum dio_misalign *misalign)
{
	struct request_queue *q = t->disk->queue;
	bool write = op == REQ_OP_WRITE;
	enum dio_misalign what;
	struct dio_plan plan;
	struct blk_plug plug;
	u64 max_bytes;
	bool grow;
	int unit, err;

	if (misalign)
		*misalign = DIO_ALIGNED;
	if (op != REQ_OP_READ && op != REQ_OP_WRITE)
		return -EINVAL;
	/* block-aligned, the usual case, needs no more than this test */
	if (likely(!((offset | length | (uintptr_t)buf) & (t->block_size - 1)))) {
		unit = (int)t->block_size;
	} else {
		unit = dio_align_unit(offset, length, (uintptr_t)buf, t->block_size,
				      t->dev_block_size, &what);
		if (unit < 0) {
			if (misalign)
				*misalign = what;
			return unit;
		}
	}
	if (length > d->max_length || (length >> __builtin_ctz((u32)unit)) + 4 > d->max_bios)
		return -EINVAL;
	if (write && (t->disk->read_only || t->disk->whole->read_only ||
		      (t->fs && t->fs->read_only_reason)))
		return -EROFS;
	if (write && t->file && !t->allocate && offset + length > t->size)
		return -EFBIG;		/* only ext2 files grow: elsewhere metadata is journalled */
	if (write && !t->file && length && offset >= t->size)
		return -ENOSPC;		/* Linux's answer for a write at the end of a disk */
	max_bytes = min((u64)q->limits.max_sectors << SECTOR_SHIFT, 1ULL << 30);
	d->target = t;
	d->end_io = end_io;
	d->error = 0;
	if (dio_build_single(d, op, t, buf, length, offset, max_bytes)) {
		if (!end_io)
			completion_init(&d->done);
		/* one bio, one reference: its end completes the dio */
		d->refs = 1;
		submit_bio(&d->bios[0]);
		if (end_io)
			return 0;
		return dio_wait(d, q);
	}
	grow = write && t->file && offset + length > t->size;
	err = dio_plan_init(&plan, offset, length, grow ? offset + length : t->size,
			    t->block_size, (u32)unit, write, max_bytes, dio_get_block, t);
	if (err)
		return err;

	d->bytes = plan.bytes;
	d->nr_bios = 0;
	d->nr_vecs = 0;
	err = dio_build(d, op, buf, &plan);
	d->get_block_calls = plan.get_block_calls;
	if (!err && grow)
		err = dio_file_grow(t, offset + length);
	if (err)
		return err;

	if (!end_io)
		completion_init(&d->done);
	/* one reference per bio and the submitter's, dropped once all are out */
	d->refs = d->nr_bios + 1;
	blk_start_plug(&plug);
	for (u32 i = 0; i < d->nr_bios; i++)
		submit_bio(&d->bios[i]);
	blk_finish_plug(&plug);
	dio_put(d);
	if (end_io)
		return 0;
	return dio_wait(d, q);
}
