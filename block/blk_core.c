/*
 * Bios: checking, partition mapping, splitting into requests, completion
 * of the whole from its pieces; the synchronous helpers; plugs.
 *
 * A bio is split without allocating and without changing it: a copy on the
 * stack walks its vectors (bio_split_point, bio_advance) and each piece
 * becomes one request pointing into the original vectors. The pieces
 * share bio->remaining, which starts at one per piece submitted plus one
 * held by the submitter until the last piece is out, so end_io runs once,
 * after every piece, with the first error any piece saw. A bio that needs
 * no split skips the count's atomics.
 *
 * Plugs: a plug belongs to a thread (struct thread's plug), not to a CPU,
 * because a submitter may be preempted or sleep for a tag between two
 * bios and finish its plug on another CPU; the requests it holds keep the
 * hctx they took their tag from and are issued there, from whichever CPU
 * flushes. A thread flushes its plug before it sleeps in the block layer
 * (waiting for a tag, for a frozen queue's thaw, or in submit_bio_wait);
 * it must not sleep elsewhere
 * with requests plugged. Plugs do not nest: an inner blk_start_plug is a
 * no-op and its finish leaves the outer plug alone.
 */
#include "block/blk_internal.h"
#include "block/blk_ioc.h"
#include "kernel/mm/mm.h"
#include "kernel/panic.h"
#include "kernel/sched/preempt.h"
#include "kernel/mm/paging.h"
#include "kernel/mm/slab.h"
#include "kernel/sched/thread.h"
#include "kernel/arch/x86.h"
#include "lib/errno.h"

/* The body of blk_bio_end_piece and of its traced twin (END_IO stamped, committed). */
static __always_inline void __blk_bio_end_piece(struct bio *bio, int status, const bool traced)
{
	if (unlikely(status)) {
		int none = 0;

		__atomic_compare_exchange_n(&bio->status, &none, status, false,
					    __ATOMIC_RELAXED, __ATOMIC_RELAXED);
	}
	/* the only reference left is ours: nobody else can change the count */
	if (likely(__atomic_load_n(&bio->remaining, __ATOMIC_ACQUIRE) == 1) ||
	    __atomic_sub_fetch(&bio->remaining, 1, __ATOMIC_ACQ_REL) == 0) {
		if (traced && blk_trace_bio_end_io(bio)) {
			__blk_trace_bio_end_io(bio);
			return;
		}
		if (bio->end_io)
			bio->end_io(bio);
	}
}

void blk_bio_end_piece(struct bio *bio, int status)
{
	__blk_bio_end_piece(bio, status, false);
}

void blk_bio_end_piece_traced(struct bio *bio, int status)
{
	__blk_bio_end_piece(bio, status, true);
}

static void bio_fail(struct bio *bio, int status)
{
	bio->status = status;
	if (bio->end_io)
		bio->end_io(bio);
}

static void piece_from_split(struct blk_piece *p, const struct bio *it,
			     const struct bio_split *split)
{
	p->sector = it->sector;
	p->nr_bytes = split->bytes;
	p->nr_segs = (u16)split->nr_segs;
	p->vecs = it->vecs;
	p->vec_offset = it->vec_offset;
	p->vcnt = 0;
	if (it->vcnt)
		p->vcnt = split->next_vec < it->vcnt
				  ? (u16)(split->next_vec + (split->next_offset ? 1 : 0))
				  : it->vcnt;
}

/* A flush of the whole disk, waited for. */
static int blk_flush_wait(struct gendisk *disk)
{
	struct bio flush = { .disk = disk, .op = REQ_OP_FLUSH };

	return submit_bio_wait(&flush);
}

/*
 * A write with PREFLUSH or FUA on a device whose cache needs help: run the
 * sequence flush, write, flush (each part only as needed) in the submitter's
 * context, then end the bio. Returns true when it took the bio over. This is
 * not the hot path: plain writes never come here. A submitter that cannot
 * sleep gets -EAGAIN (nothing in stork submits FUA writes from interrupts).
 */
static bool blk_flush_sequence(struct gendisk *disk, struct bio *bio)
{
	u32 features = disk->queue->limits.features;
	bool pre, post;
	struct bio data;
	int err = 0;

	if (!(features & BLK_FEAT_WRITE_CACHE)) {
		bio->flags &= ~(REQ_PREFLUSH | REQ_FUA);	/* nothing volatile to flush */
		return false;
	}
	pre = (bio->flags & REQ_PREFLUSH) && !(features & BLK_FEAT_PREFLUSH);
	post = (bio->flags & REQ_FUA) && !(features & BLK_FEAT_FUA);
	if (!pre && !post)
		return false;
	if (preempt_count() || !irqs_enabled() || (bio->flags & REQ_NOWAIT)) {
		bio_fail(bio, -EAGAIN);
		return true;
	}
	if (pre)
		err = blk_flush_wait(disk);
	if (!err) {
		data = *bio;
		data.flags &= ~((pre ? REQ_PREFLUSH : 0) | (post ? REQ_FUA : 0));
		err = submit_bio_wait(&data);
	}
	if (!err && post)
		err = blk_flush_wait(disk);
	bio->status = err;
	if (bio->end_io)
		bio->end_io(bio);
	return true;
}

/*
 * The blk-mq part of submission, past the checks: cut the bio into
 * requests. traced (a constant): the twin for a traced disk, which stamps
 * TAG (blk_mq_submit_piece_traced).
 */
static __always_inline void blk_submit_mq(struct bio *bio, const bool traced)
{
	struct gendisk *disk = bio->disk;
	struct request_queue *q = disk->queue;
	struct bio_split split;
	struct blk_piece piece;
	struct bio it;
	int err;

	if (unlikely(bio->flags & (REQ_PREFLUSH | REQ_FUA)) && blk_flush_sequence(disk, bio))
		return;
	if (unlikely(bio->op == REQ_OP_FLUSH && !(q->limits.features & BLK_FEAT_WRITE_CACHE))) {
		bio->status = 0;	/* no volatile cache: every write is durable already */
		if (bio->end_io)
			bio->end_io(bio);
		return;
	}
	bio->status = 0;
	/* where the split falls depends on the data, not on the sector */
	err = bio_split_point(bio, &q->limits, &split);
	if (unlikely(err)) {
		bio_fail(bio, err);
		return;
	}
	if (likely(split.bytes == bio->size)) {
		/* one piece: no moving copy of the bio */
		bio->remaining = 1;
		piece_from_split(&piece, bio, &split);
		piece.sector += disk->part_offset;
		if (traced)
			blk_mq_submit_piece_traced(q, bio, &piece);
		else
			blk_mq_submit_piece(q, bio, &piece);
		return;
	}
	it = *bio;
	it.sector += disk->part_offset;
	/* pieces of one bio may not half succeed: a NOWAIT submitter retries it whole */
	if (bio->flags & REQ_NOWAIT) {
		bio_fail(bio, -EAGAIN);
		return;
	}
	/* split: the submitter's reference keeps end_io back until every piece is out */
	bio->remaining = 1;
	for (;;) {
		__atomic_fetch_add(&bio->remaining, 1, __ATOMIC_RELAXED);
		piece_from_split(&piece, &it, &split);
		if (traced)
			blk_mq_submit_piece_traced(q, bio, &piece);
		else
			blk_mq_submit_piece(q, bio, &piece);
		bio_advance(&it, &split);
		if (!it.size)
			break;
		err = bio_split_point(&it, &q->limits, &split);
		if (err) {
			int none = 0;

			__atomic_compare_exchange_n(&bio->status, &none, err, false,
						    __ATOMIC_RELAXED, __ATOMIC_RELAXED);
			break;
		}
	}
	if (__atomic_sub_fetch(&bio->remaining, 1, __ATOMIC_ACQ_REL) == 0 && bio->end_io)
		bio->end_io(bio);
}

/*
 * A traced disk's gendisk->submit_bio (blk_trace.c sets it): the submit
 * stamp, then the same path as an untraced disk's, with TAG stamped.
 * blk_submit_checked knows the pointer and runs this body in its own frame
 * (a second frame around the blk-mq path cost 25 instructions an I/O);
 * the function is what the pointer names, and is right if called.
 */
void blk_trace_submit_bio(struct bio *bio, u64 sector)
{
	blk_trace_bio_stamp_submit(bio, sector);
	blk_submit_mq(bio, true);
}

/*
 * Past the checks: hand the bio to the disk's driver. A bio-based disk
 * (device-mapper) takes it through the whole disk's submit_bio; a blk-mq
 * disk has it cut into requests here, through the traced twin when the
 * pointer says the disk is traced.
 */
static __always_inline void blk_submit_checked(struct bio *bio)
{
	struct gendisk *disk = bio->disk;
	void (*submit)(struct bio *bio, u64 sector);

	/* removed (disk_del): a blk-mq queue refuses entry too, closing the race with this read */
	if (unlikely(READ_ONCE(disk->dead))) {
		bio_fail(bio, -ENODEV);
		return;
	}
	/* once: tracing turns on and off under us */
	submit = READ_ONCE(disk->whole->submit_bio);
	if (likely(!submit)) {
		blk_submit_mq(bio, false);
		return;
	}
	/* the traced twin right here: no second frame around the blk-mq path */
	if (submit == blk_trace_submit_bio) {
		blk_trace_bio_stamp_submit(bio, bio->sector + disk->part_offset);
		blk_submit_mq(bio, true);
		return;
	}
	submit(bio, bio->sector + disk->part_offset);
}

static bool bio_writes_read_only(const struct bio *bio, const struct gendisk *disk)
{
	return op_is_write(bio->op) && (disk->read_only || disk->whole->read_only);
}

void submit_bio(struct bio *bio)
{
	struct gendisk *disk = bio->disk;
	int err;

	if (unlikely(!disk || !disk->queue)) {
		bio_fail(bio, -EINVAL);
		return;
	}
	err = bio_check(bio, &disk->queue->limits, disk->capacity);
	if (!err && bio_writes_read_only(bio, disk))
		err = -EROFS;
	if (unlikely(err)) {
		bio_fail(bio, err);
		return;
	}
	blk_submit_checked(bio);
}

void submit_bio_remapped(struct bio *bio)
{
	struct gendisk *disk = bio->disk;
	u64 sectors = bio->size >> SECTOR_SHIFT;

	/* what can change under a table: the parent's size and its read-only flag */
	if (unlikely(bio->sector > disk->capacity || sectors > disk->capacity - bio->sector)) {
		bio_fail(bio, -EIO);
		return;
	}
	if (unlikely(bio_writes_read_only(bio, disk))) {
		bio_fail(bio, -EROFS);
		return;
	}
	blk_submit_checked(bio);
}

static void submit_bio_wait_end_io(struct bio *bio)
{
	complete(bio->private);
}

int submit_bio_wait(struct bio *bio)
{
	struct gendisk *disk = bio->disk;
	struct blk_plug *plug = current_thread()->plug;
	struct completion done;

	completion_init(&done);
	bio->private = &done;
	bio->end_io = submit_bio_wait_end_io;
	submit_bio(bio);
	if (plug)
		blk_flush_plug(plug);
	if ((bio->flags & REQ_POLLED) && disk && disk->queue && disk->queue->poll_enabled)
		blk_mq_poll_until(disk->queue, &done.done);
	wait_for_completion_io(&done);
	return bio->status;
}

/* The physical address of a kernel virtual address, or -EFAULT. */
static int blk_virt_to_phys(uintptr_t va, u64 *pa)
{
	if (va >= KERNEL_VMA ||
	    (va >= DIRECT_MAP_BASE && va - DIRECT_MAP_BASE < paging_direct_map_end())) {
		*pa = virt_to_phys((const void *)va);
		return 0;
	}
	/* kernel stacks and other mapped areas: page by page */
	return vm_translate(va, pa) ? -EFAULT : 0;
}

/* Vectors for [buf, buf + len), a page at a time, merging contiguous pages. */
static int blk_build_vecs(void *buf, size_t len, struct bio_vec **out, u16 *vcnt)
{
	uintptr_t va = (uintptr_t)buf;
	size_t pages = ((va & (PAGE_SIZE - 1)) + len + PAGE_SIZE - 1) >> PAGE_SHIFT;
	struct bio_vec *vecs;
	u16 n = 0;

	if (pages > 0xffff)
		return -EINVAL;
	vecs = kcalloc(pages, sizeof(*vecs));
	if (!vecs)
		return -ENOMEM;
	while (len) {
		u32 chunk = (u32)min((size_t)(PAGE_SIZE - (va & (PAGE_SIZE - 1))), len);
		u64 pa;

		if (blk_virt_to_phys(va, &pa)) {
			kfree(vecs);
			return -EFAULT;
		}
		if (n && vecs[n - 1].phys + vecs[n - 1].len == pa)
			vecs[n - 1].len += chunk;
		else
			vecs[n++] = (struct bio_vec){ pa, chunk };
		va += chunk;
		len -= chunk;
	}
	*out = vecs;
	*vcnt = n;
	return 0;
}

int blk_rw_bio_init(struct bio *bio, struct gendisk *disk, u8 op, u64 sector, void *buf,
		    size_t len, u16 flags)
{
	int err;

	*bio = (struct bio){
		.disk = disk,
		.sector = sector,
		.size = (u32)len,
		.op = op,
		.flags = flags,
	};
	if (!disk || len > 0xffffffffUL || op >= REQ_OP_COUNT)
		return -EINVAL;
	if (op == REQ_OP_READ || op == REQ_OP_WRITE) {
		if (!buf || !len)
			return -EINVAL;
		err = blk_build_vecs(buf, len, &bio->vecs, &bio->vcnt);
		if (err)
			return err == -EFAULT ? -EINVAL : err;
	} else if (buf) {
		return -EINVAL;
	}
	return 0;
}

int blk_rw_sync(struct gendisk *disk, u8 op, u64 sector, void *buf, size_t len, u16 flags)
{
	struct bio bio;
	int err;

	err = blk_rw_bio_init(&bio, disk, op, sector, buf, len, flags);
	if (err)
		return err;
	err = submit_bio_wait(&bio);
	kfree(bio.vecs);
	return err;
}

void blk_start_plug(struct blk_plug *plug)
{
	struct thread *t = current_thread();

	INIT_LIST_HEAD(&plug->requests);
	plug->count = 0;
	if (!t->plug)
		t->plug = plug;
}

void blk_flush_plug(struct blk_plug *plug)
{
	LIST_HEAD(list);

	if (list_empty(&plug->requests))
		return;
	list_splice_tail_init(&plug->requests, &list);
	plug->count = 0;
	blk_mq_flush_plug_list(&list);
}

void blk_finish_plug(struct blk_plug *plug)
{
	struct thread *t = current_thread();

	if (t->plug != plug)
		return;
	blk_flush_plug(plug);
	t->plug = NULL;
}

void blk_init(void)
{
	if (blk_kblockd_init())
		panic("block: cannot start kblockd");
	if (ioc_init())
		panic("block: cannot make the io_context caches");
	if (blk_mq_hotplug_init())
		panic("block: cannot register the CPU hotplug callback");
}
