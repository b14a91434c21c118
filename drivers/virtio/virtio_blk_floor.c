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

/* The virtqueue whose interrupt this CPU takes (the one its hctx uses), else 0. */
static unsigned int virtio_blk_floor_queue(struct virtio_blk *vblk)
{
	for (unsigned int i = 0; i < vblk->nr_vqs; i++)
		if (vblk->queues[i].irq_cpu == (int)this_cpu_id() && !vblk->queues[i].polled)
			return i;
	return 0;
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

static int virtio_blk_floor_run(struct gendisk *disk, unsigned int ios, u32 bs, bool write,
				enum blk_floor_wait wait, struct histogram *lat, const char **how)
{
	struct virtio_blk *vblk = container_of(disk, struct virtio_blk, disk);
	u64 span = disk->capacity / (bs >> SECTOR_SHIFT);
	struct virtio_blk_cmd *cmd;
	struct virtio_blk_queue *q;
	unsigned int order = 0;
	unsigned long flags;
	u64 mean_ns = 0;
	void *buf;
	int err = 0;

	if (!bs || bs % 512 || bs > 2 * PAGE_SIZE || !span)
		return -EINVAL;
	while ((PAGE_SIZE << order) < bs)
		order++;
	cmd = kzalloc(sizeof(*cmd));
	buf = page_zalloc(order);
	if (!cmd || !buf) {
		err = -ENOMEM;
		goto free_bufs;
	}
	blk_mq_freeze_queue(disk->queue);
	/* a migration later does not matter: the spin reads memory, the interrupt stays off */
	q = &vblk->queues[virtio_blk_floor_queue(vblk)];
	flags = spin_lock_irqsave(&q->lock);
	if (q->resetting)
		err = -EBUSY;
	else if (wait == BLK_FLOOR_IRQ && (q->polled || q->irq_cpu < 0))
		err = -ENOTSUP;		/* no interrupt to wait for */
	else if (wait != BLK_FLOOR_IRQ)
		virtq_disable_cb(q->vq);
	spin_unlock_irqrestore(&q->lock, flags);
	for (unsigned int i = 0; !err && i < ios; i++) {
		u64 cycles;

		cmd->raw = true;
		cmd->done = false;
		cmd->status = 0xff;
		cmd->len = 0;
		cmd->hdr.type = write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN;
		cmd->hdr.sector = (i * 2654435761ULL) % span * (bs >> SECTOR_SHIFT);
		virtq_sg_set(cmd->sg, 0, virt_to_phys(&cmd->hdr), sizeof(cmd->hdr), false);
		virtq_sg_set(cmd->sg, 1, virt_to_phys(buf), bs, !write);
		virtq_sg_set(cmd->sg, 2, virt_to_phys(&cmd->status), 1, true);
		err = virtio_blk_floor_one(q, cmd, wait, mean_ns, &cycles);
		if (!err) {
			hist_add(lat, tsc_to_ns(cycles));
			blk_floor_mean_update(&mean_ns, tsc_to_ns(cycles));
		}
	}
	flags = spin_lock_irqsave(&q->lock);
	if (!q->resetting && !q->polled)
		virtq_enable_cb(q->vq);
	spin_unlock_irqrestore(&q->lock, flags);
	blk_mq_unfreeze_queue(disk->queue);
	*how = wait != BLK_FLOOR_IRQ
		       ? "its own CPU's virtqueue, quiesced (queue frozen, interrupt suppressed), polled"
		       : q->irq_cpu == (int)this_cpu_id()
		       ? "its own CPU's virtqueue, quiesced (queue frozen), its interrupt, the CPU halted"
		       : "virtqueue 0, quiesced (queue frozen), its interrupt on another CPU";
	if (err == -ETIMEDOUT) {
		/* the device still owns cmd and buf: leak them rather than let it write freed memory */
		return err;
	}
free_bufs:
	if (buf)
		page_free(buf, order);
	kfree(cmd);
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
