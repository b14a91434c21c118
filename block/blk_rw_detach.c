/*
 * Synchronous I/O its waiter may leave (see blk_rw_detach.h). The waiter and
 * the I/O each hold a reference on one heap record; whichever of the end of
 * the I/O and the waiter's departure comes first is decided by one atomic
 * state change, so exactly one of them owns the data buffer's fate: the
 * waiter frees it after a normal end, the completion frees it after the
 * waiter has gone. A late completion touches only the record it holds a
 * reference on, never the waiter's stack or a freed buffer.
 */
#include "block/blk_rw_detach.h"
#include "block/bio.h"
#include "block/blk_internal.h"
#include "kernel/mm/slab.h"
#include "kernel/sched/spinlock.h"
#include "kernel/sched/thread.h"
#include "kernel/sched/wait.h"
#include "kernel/time/time.h"
#include "lib/errno.h"
#include "lib/list.h"
#include "lib/string.h"

#define BLK_RW_STOP_POLL_NS (20 * NSEC_PER_MSEC)

enum blk_rw_state { BLK_RW_WAITING, BLK_RW_ENDED, BLK_RW_LEFT };

struct blk_rw_io {
	struct bio bio;
	struct completion done;
	struct blk_rw_buf buf;		/* the waiter's, or the I/O's once the waiter left */
	u32 state;			/* enum blk_rw_state, changed by cmpxchg */
	u32 refs;			/* the waiter's and the I/O's, atomic */
	u64 submitted_ns;
	u64 sector;			/* as submitted, for the listing */
	u32 bytes;
	char disk_name[DISK_NAME_LEN];
	struct list_head link;		/* in blk_rw_left while BLK_RW_LEFT, under blk_rw_left_lock */
};

static spinlock_t blk_rw_left_lock = SPINLOCK_INIT;
static LIST_HEAD(blk_rw_left);

static void blk_rw_io_put(struct blk_rw_io *io)
{
	if (__atomic_sub_fetch(&io->refs, 1, __ATOMIC_ACQ_REL))
		return;
	kfree(io->bio.vecs);
	kfree(io);
}

static bool blk_rw_state_move(struct blk_rw_io *io, u32 to)
{
	u32 from = BLK_RW_WAITING;

	return __atomic_compare_exchange_n(&io->state, &from, to, false, __ATOMIC_ACQ_REL,
					   __ATOMIC_ACQUIRE);
}

static void blk_rw_io_end(struct bio *bio)
{
	struct blk_rw_io *io = bio->private;
	unsigned long flags;

	if (blk_rw_state_move(io, BLK_RW_ENDED)) {
		complete(&io->done);
	} else {
		/* the waiter left: the buffer is ours to free, the record leaves the list */
		flags = spin_lock_irqsave(&blk_rw_left_lock);
		list_del(&io->link);
		spin_unlock_irqrestore(&blk_rw_left_lock, flags);
		if (io->buf.data && io->buf.release)
			io->buf.release(io->buf.data, io->buf.cookie);
	}
	blk_rw_io_put(io);
}

int blk_rw_wait(struct gendisk *disk, u8 op, u64 sector, struct blk_rw_buf *buf, size_t len,
		u16 flags, bool (*stop)(void))
{
	struct blk_plug *plug = current_thread()->plug;
	struct blk_rw_io *io;
	unsigned long irq;
	int err;

	io = kzalloc(sizeof(*io));
	if (!io)
		return -ENOMEM;
	err = blk_rw_bio_init(&io->bio, disk, op, sector, buf ? buf->data : NULL, len, flags);
	if (err)
		goto free_io;
	completion_init(&io->done);
	INIT_LIST_HEAD(&io->link);
	io->refs = 2;
	io->state = BLK_RW_WAITING;
	io->submitted_ns = time_ns();
	io->sector = sector;
	io->bytes = (u32)len;
	strlcpy(io->disk_name, disk->name, sizeof(io->disk_name));
	io->bio.private = io;
	io->bio.end_io = blk_rw_io_end;
	/* polled I/O needs its waiter to reap it: it cannot be left */
	if (flags & REQ_POLLED)
		stop = NULL;
	submit_bio(&io->bio);
	if (plug)
		blk_flush_plug(plug);
	if (flags & REQ_POLLED)
		blk_mq_poll_until(disk->queue, &io->done.done);
	while (!wait_for_completion_timeout(&io->done, BLK_RW_STOP_POLL_NS)) {
		if (!stop || !stop())
			continue;
		if (buf)
			io->buf = *buf;
		/* listed before the state says so: the end that sees LEFT finds it listed */
		irq = spin_lock_irqsave(&blk_rw_left_lock);
		list_add_tail(&io->link, &blk_rw_left);
		spin_unlock_irqrestore(&blk_rw_left_lock, irq);
		if (blk_rw_state_move(io, BLK_RW_LEFT)) {
			if (buf)
				buf->data = NULL;
			blk_rw_io_put(io);
			return -EINTR;
		}
		/* it ended meanwhile: an ordinary end after all */
		irq = spin_lock_irqsave(&blk_rw_left_lock);
		list_del_init(&io->link);
		spin_unlock_irqrestore(&blk_rw_left_lock, irq);
		io->buf = (struct blk_rw_buf){ 0 };
		wait_for_completion(&io->done);
		break;
	}
	err = io->bio.status;
	blk_rw_io_put(io);
	return err;
free_io:
	kfree(io);
	return err;
}

unsigned int blk_rw_detached_for_each(void (*fn)(const struct blk_rw_detached_info *info,
						 void *arg), void *arg)
{
	struct blk_rw_detached_info info[8];
	struct blk_rw_io *io;
	unsigned int n = 0, shown = 0;
	unsigned long flags;
	u64 now = time_ns();

	/* copied under the lock, reported without it (fn may print) */
	flags = spin_lock_irqsave(&blk_rw_left_lock);
	list_for_each_entry(io, &blk_rw_left, link) {
		if (shown < ARRAY_SIZE(info)) {
			struct blk_rw_detached_info *i = &info[shown++];

			strlcpy(i->disk, io->disk_name, sizeof(i->disk));
			i->op = io->bio.op;
			i->sector = io->sector;
			i->bytes = io->bytes;
			i->age_ns = now - io->submitted_ns;
		}
		n++;
	}
	spin_unlock_irqrestore(&blk_rw_left_lock, flags);
	for (unsigned int k = 0; k < shown && fn; k++)
		fn(&info[k], arg);
	return n;
}
