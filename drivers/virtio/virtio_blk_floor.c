/*
 * The virtio-blk device floor (block/blk_floor.h, `floor vda`): requests
 * sent one at a time on a quiesced virtqueue: the disk's blk-mq queue is
 * frozen (nothing of ours in flight, new submitters wait), the queue's
 * interrupt is suppressed (virtq_disable_cb), and each request is: the
 * three descriptors, the kick, a spin on the used ring, the entry taken
 * off it. What the device allows at iodepth 1.
 *
 * The command is marked raw, so if the device interrupts anyway (a
 * suppression is a hint under VIRTIO_F_EVENT_IDX) the handler only marks
 * it done; the spin accepts either. With wait=hybrid the thread sleeps
 * for half the running mean before it spins. With wait=irq the queue's
 * interrupt stays on and the CPU halts until its handler has taken the
 * entry off the used ring and marked the command done.
 */
#include "drivers/virtio/virtio_blk.h"
#include "block/blk_floor.h"
#include "block/blk_mq.h"
#include "kernel/arch/percpu.h"
#include "kernel/arch/x86.h"
#include "kernel/mm/mm.h"
#include "kernel/mm/page_alloc.h"
#include "kernel/mm/slab.h"
#include "kernel/sched/preempt.h"
#include "kernel/time/time.h"
#include "lib/errno.h"
#include "lib/string.h"

#define VIRTIO_BLK_FLOOR_TIMEOUT_NS (5ULL * 1000000000ULL)

/* The virtqueue whose interrupt cpu takes (the one its hctx uses), else -1. */
static int virtio_blk_floor_queue(struct virtio_blk *vblk, unsigned int cpu)
{
	for (unsigned int i = 0; i < vblk->nr_vqs; i++)
		if (vblk->queues[i].irq_cpu == (int)cpu && !vblk->queues[i].polled)
			return (int)i;
	return -1;
}

/* One request, doorbell to used entry taken: 0, -EIO, -ETIMEDOUT. */
static int virtio_blk_floor_one(struct virtio_blk_queue *q, struct virtio_blk_cmd *cmd,
				enum blk_floor_wait wait, u64 hybrid_mean_ns, u64 *cycles)
{
	u64 start, deadline = time_ns() + VIRTIO_BLK_FLOOR_TIMEOUT_NS;
	unsigned int turns = 0;
	unsigned long flags;
	bool kick;
	int err;

	/* wait=irq: on this CPU from the doorbell to the handler (it halts for it) */
	if (wait == BLK_FLOOR_IRQ)
		preempt_disable();
	start = rdtsc();
	flags = spin_lock_irqsave(&q->lock);
	err = virtq_add_buf(q->vq, cmd->sg, 3, virt_to_phys(cmd->sg), cmd);
	kick = !err && virtq_kick_prepare(q->vq);
	spin_unlock_irqrestore(&q->lock, flags);
	if (err)
		goto out;
	if (kick)
		virtio_pci_queue_notify(q->pq);
	if (wait == BLK_FLOOR_IRQ) {
		err = blk_floor_irq_wait(&cmd->done, q->irq_cpu, deadline);
		goto out;
	}
	if (wait == BLK_FLOOR_HYBRID)
		blk_floor_hybrid_sleep(hybrid_mean_ns);
	for (;;) {
		if (virtq_has_used(q->vq)) {
			struct virtio_blk_cmd *got;
			u32 len;

			flags = spin_lock_irqsave(&q->lock);
			got = virtq_get_used(q->vq, &len);
			spin_unlock_irqrestore(&q->lock, flags);
			if (got == cmd) {
				cmd->len = len;
				break;
			}
		}
		if (__atomic_load_n(&cmd->done, __ATOMIC_ACQUIRE))
			break;		/* an interrupt came anyway and took it */
		if (blk_floor_spin_expired(&turns, deadline)) {
			err = -ETIMEDOUT;
			goto out;
		}
	}
out:
	*cycles = rdtsc() - start;
	if (wait == BLK_FLOOR_IRQ)
		preempt_enable();
	if (err)
		return err;
	return cmd->len >= 1 && READ_ONCE(cmd->status) == VIRTIO_BLK_S_OK ? 0 : -EIO;
}

/* One stream: its queue, its command and buffer, its latencies. */
struct virtio_blk_floor_stream {
	struct virtio_blk_queue *q;
	struct virtio_blk_cmd *cmd;
	void *buf;
	struct histogram *lat;
	int err;
};

struct virtio_blk_floor {
	const struct blk_floor_params *p;
	u64 span;			/* bs-sized blocks of the disk */
	unsigned int order;		/* of each buffer */
	struct virtio_blk_floor_stream s[BLK_FLOOR_MAX_STREAMS];
};

static int virtio_blk_floor_stream(void *arg, unsigned int i)
{
	struct virtio_blk_floor *vf = arg;
	const struct blk_floor_params *p = vf->p;
	struct virtio_blk_floor_stream *st = &vf->s[i];
	struct virtio_blk_cmd *cmd = st->cmd;
	u64 mean_ns = 0;
	int err = 0;

	for (unsigned int n = 0; !err && n < p->ios; n++) {
		u64 cycles;

		cmd->raw = true;
		cmd->done = false;
		cmd->status = 0xff;
		cmd->len = 0;
		cmd->hdr.type = p->write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN;
		cmd->hdr.sector = blk_floor_block(p, i, n, vf->span) * (p->bs >> SECTOR_SHIFT);
		virtq_sg_set(cmd->sg, 0, virt_to_phys(&cmd->hdr), sizeof(cmd->hdr), false);
		virtq_sg_set(cmd->sg, 1, virt_to_phys(st->buf), p->bs, !p->write);
		virtq_sg_set(cmd->sg, 2, virt_to_phys(&cmd->status), 1, true);
		err = virtio_blk_floor_one(st->q, cmd, p->wait, mean_ns, &cycles);
		if (!err) {
			hist_add(st->lat, tsc_to_ns(cycles));
			blk_floor_mean_update(&mean_ns, tsc_to_ns(cycles));
		}
	}
	st->err = err;
	return err;
}

static int virtio_blk_floor_run(struct gendisk *disk, const struct blk_floor_params *p,
				struct histogram *lat, const char **how)
{
	struct virtio_blk *vblk = container_of(disk, struct virtio_blk, disk);
	bool irq = p->wait == BLK_FLOOR_IRQ, own = true;
	struct virtio_blk_floor *vf;
	unsigned int n = p->streams ? p->streams : 1;
	unsigned long flags;
	int err = 0;

	if (!p->bs || p->bs % 512 || p->bs > 2 * PAGE_SIZE || !(disk->capacity / (p->bs >> SECTOR_SHIFT)))
		return -EINVAL;
	vf = kzalloc(sizeof(*vf));
	if (!vf)
		return -ENOMEM;
	vf->p = p;
	vf->span = disk->capacity / (p->bs >> SECTOR_SHIFT);
	vf->order = page_order(p->bs);
	for (unsigned int i = 0; i < n; i++) {
		vf->s[i].lat = &lat[i];
		vf->s[i].cmd = kzalloc(sizeof(*vf->s[i].cmd));
		vf->s[i].buf = page_zalloc(vf->order);
		if (!vf->s[i].cmd || !vf->s[i].buf) {
			err = -ENOMEM;
			goto free_bufs;
		}
	}
	blk_mq_freeze_queue(disk->queue);
	for (unsigned int i = 0; i < n; i++) {
		/* one stream: the caller's CPU; several: each its CPU's queue, not shared */
		int qi = virtio_blk_floor_queue(vblk, n == 1 ? this_cpu_id() : p->cpus[i]);

		if (qi < 0 && n > 1) {
			err = -EBUSY;		/* no queue of its own: streams would take each other's entries */
			break;
		}
		own = own && qi >= 0;
		vf->s[i].q = &vblk->queues[qi < 0 ? 0 : qi];
		for (unsigned int j = 0; j < i; j++)
			if (vf->s[j].q == vf->s[i].q)
				err = -EBUSY;
	}
	for (unsigned int i = 0; !err && i < n; i++) {
		struct virtio_blk_queue *q = vf->s[i].q;

		flags = spin_lock_irqsave(&q->lock);
		if (q->resetting)
			err = -EBUSY;
		else if (irq && (q->polled || q->irq_cpu < 0))
			err = -ENOTSUP;		/* no interrupt to wait for */
		else if (!irq)
			virtq_disable_cb(q->vq);
		spin_unlock_irqrestore(&q->lock, flags);
	}
	if (!err)
		err = blk_floor_run_streams(p, virtio_blk_floor_stream, vf);
	for (unsigned int i = 0; i < n; i++) {
		struct virtio_blk_queue *q = vf->s[i].q;

		if (!q)
			continue;
		flags = spin_lock_irqsave(&q->lock);
		if (!q->resetting && !q->polled)
			virtq_enable_cb(q->vq);
		spin_unlock_irqrestore(&q->lock, flags);
	}
	blk_mq_unfreeze_queue(disk->queue);
	*how = !irq ? "its own CPU's virtqueue, quiesced (queue frozen, interrupt suppressed), polled"
	       : own ? "its own CPU's virtqueue, quiesced (queue frozen), its interrupt, the CPU halted"
	       : "virtqueue 0, quiesced (queue frozen), its interrupt on another CPU";
free_bufs:
	for (unsigned int i = 0; i < n; i++) {
		/* timed out: the device still owns cmd and buf; leak them rather than let it write freed memory */
		if (vf->s[i].err == -ETIMEDOUT)
			continue;
		if (vf->s[i].buf)
			page_free(vf->s[i].buf, vf->order);
		kfree(vf->s[i].cmd);
	}
	kfree(vf);
	return err;
}

static const struct blk_floor_ops virtio_blk_floor_ops = {
	.driver = "virtio-blk",
	.run = virtio_blk_floor_run,
};

void virtio_blk_floor_register(void)
{
	blk_floor_register(&virtio_blk_floor_ops);
}
