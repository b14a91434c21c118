/*
 * virtio-blk (virtio 1.2, section 5.2) over the PCI transport, as a blk-mq
 * driver: one virtqueue per hardware queue, one MSI-X vector per virtqueue
 * aimed at the first CPU of its hctx, requests built straight into an
 * indirect descriptor table kept in blk-mq's per-request data, and one
 * doorbell per batch, skipped too when the device's event index says it is
 * still busy with earlier entries. docs/virtio.md has the reasoning.
 *
 * Every virtqueue the device offers (up to VIRTIO_BLK_MAX_QUEUES) is set up
 * at probe, before DRIVER_OK: a virtio 1.x queue cannot be disabled again
 * without resetting the whole device. blk_mq_update_nr_hw_queues() then only
 * changes which of them hctxs use: init_hctx binds queue `index` (aiming its
 * vector, or turning its interrupts off for a POLL hctx), exit_hctx unbinds
 * it. The freeze around the change guarantees the queue is idle. A CPU
 * going offline or coming back only moves vectors, requests in flight
 * (aim_hctx, docs/hotplug.md).
 *
 * virtio has no abort: a request past its timeout (blk-mq's io_timeout)
 * makes the driver reset the device (status 0, which the device confirms
 * only once it has let go of every buffer), set it up again with emptied
 * rings, and send each request that was in flight once more; one that
 * times out again after that is failed with EIO. The reset runs in the
 * device's own thread, with dispatch quiesced.
 */
#include "drivers/virtio/virtio_blk.h"
#include "kernel/cmdline.h"
#include "kernel/mm/mm.h"
#include "kernel/arch/percpu.h"
#include "kernel/console/printk.h"
#include "kernel/mm/slab.h"
#include "kernel/time/time.h"
#include "kernel/arch/x86.h"
#include "kernel/sched/thread.h"
#include "lib/byteorder.h"
#include "lib/errno.h"
#include "lib/parse.h"
#include "lib/printf.h"
#include "lib/string.h"

#define VIRTIO_BLK_RAW_TIMEOUT_NS 5000000000ULL
#define VIRTIO_BLK_REAP_BATCH 32

LIST_HEAD(virtio_blk_devices);

static unsigned int virtio_blk_poll_queues;

static int virtio_blk_set_poll_queues(const char *value)
{
	return parse_u32(value, &virtio_blk_poll_queues);
}
CMDLINE_OPTION("virtio_blk.poll_queues", virtio_blk_set_poll_queues,
	       "hardware queues of each virtio-blk disk completed by polling (default 0)");

/* --- completions ------------------------------------------------------------ */
static int virtio_blk_status_errno(const struct virtio_blk_cmd *cmd)
{
	if (cmd->len < 1)
		return -EIO;	/* the device did not even write the status */
	switch (READ_ONCE(cmd->status)) {
	case VIRTIO_BLK_S_OK:
		return 0;
	case VIRTIO_BLK_S_UNSUPP:
		return -ENOTSUP;
	default:
		return -EIO;
	}
}

static void virtio_blk_cmd_done(struct virtio_blk_cmd *cmd)
{
	if (unlikely(cmd->raw))
		__atomic_store_n(&cmd->done, true, __ATOMIC_RELEASE);
	else
		blk_mq_complete_request(blk_mq_rq_from_pdu(cmd));
}

/*
 * Take what the device finished off the used ring, a batch at a time, and
 * complete it outside the lock (completion may submit new I/O to this very
 * queue). For an interrupt-driven queue the last step re-arms the interrupt
 * and goes round again if entries slipped in meanwhile.
 */
static unsigned int virtio_blk_reap(struct virtio_blk_queue *q)
{
	struct virtio_blk_cmd *done[VIRTIO_BLK_REAP_BATCH];
	unsigned int total = 0, n;
	unsigned long flags;
	bool again;

	do {
		struct virtio_blk_cmd *cmd;
		u32 len;

		n = 0;
		flags = spin_lock_irqsave(&q->lock);
		if (unlikely(q->resetting)) {
			spin_unlock_irqrestore(&q->lock, flags);
			break;
		}
		while (n < VIRTIO_BLK_REAP_BATCH && (cmd = virtq_get_used(q->vq, &len))) {
			cmd->len = len;
			done[n++] = cmd;
		}
		again = n == VIRTIO_BLK_REAP_BATCH || (!q->polled && !virtq_enable_cb(q->vq));
		q->completions += n;
		spin_unlock_irqrestore(&q->lock, flags);
		for (unsigned int i = 0; i < n; i++)
			virtio_blk_cmd_done(done[i]);
		total += n;
	} while (again);
	return total;
}

static void virtio_blk_irq(void *arg)
{
	struct virtio_blk_queue *q = arg;

	q->interrupts++;
	virtio_blk_reap(q);
}

/* --- raw requests -------------------------------------------------------------- */
static bool virtio_blk_direct_map(const void *p)
{
	uintptr_t v = (uintptr_t)p;

	return (v >= DIRECT_MAP_BASE && v < IOREMAP_BASE) || v >= KERNEL_VMA;
}

int virtio_blk_raw(struct virtio_blk *vblk, unsigned int qidx, u32 type, u64 sector,
		   void *const *bufs, const u32 *lens, unsigned int nbufs, bool in)
{
	struct virtio_blk_queue *q;
	struct virtio_blk_cmd *cmd;
	unsigned long flags;
	u64 deadline;
	bool kick;
	int err;

	if (qidx >= vblk->nr_vqs || nbufs > VIRTIO_BLK_MAX_SEGMENTS)
		return -EINVAL;
	for (unsigned int i = 0; i < nbufs; i++)
		if (!virtio_blk_direct_map(bufs[i]) || !lens[i])
			return -EINVAL;
	q = &vblk->queues[qidx];
	cmd = kzalloc(sizeof(*cmd));
	if (!cmd)
		return -ENOMEM;
	cmd->raw = true;
	cmd->hdr.type = type;
	cmd->hdr.sector = sector;
	cmd->status = 0xff;
	virtq_sg_set(cmd->sg, 0, virt_to_phys(&cmd->hdr), sizeof(cmd->hdr), false);
	for (unsigned int i = 0; i < nbufs; i++)
		virtq_sg_set(cmd->sg, i + 1, virt_to_phys(bufs[i]), lens[i], in);
	virtq_sg_set(cmd->sg, nbufs + 1, virt_to_phys(&cmd->status), 1, true);

	flags = spin_lock_irqsave(&q->lock);
	err = virtq_add_buf(q->vq, cmd->sg, nbufs + 2, virt_to_phys(cmd->sg), cmd);
	kick = !err && virtq_kick_prepare(q->vq);
	spin_unlock_irqrestore(&q->lock, flags);
	if (err) {
		kfree(cmd);
		return err == -ENOSPC ? -EBUSY : err;
	}
	if (kick)
		virtio_pci_queue_notify(q->pq);

	deadline = time_ns() + VIRTIO_BLK_RAW_TIMEOUT_NS;
	while (!__atomic_load_n(&cmd->done, __ATOMIC_ACQUIRE)) {
		if (time_ns() > deadline) {
			/* the device still owns cmd: leak it rather than let it write freed memory */
			pr_err("%s: raw request type %u timed out\n", vblk->disk.name, type);
			return -ETIMEDOUT;
		}
		virtio_blk_reap(q);
		cpu_relax();
	}
	err = virtio_blk_status_errno(cmd);
	kfree(cmd);
	return err;
}

/* --- blk-mq operations ------------------------------------------------------------ */
/*
 * Fill cmd->sg for rq: header, data (each vector cut to size_max), status.
 * Returns the number of entries, or -EINVAL when rq needs more than the
 * table holds (the queue limits should have prevented it).
 */
static int virtio_blk_map_rq(struct virtio_blk *vblk, struct request *rq,
			     struct virtio_blk_cmd *cmd)
{
	u32 max_seg = vblk->disk.queue->limits.max_segment_size;
	u32 remaining = rq->nr_bytes, offset = rq->vec_offset;
	bool in = rq->op == REQ_OP_READ;
	unsigned int n = 1;

	virtq_sg_set(cmd->sg, 0, virt_to_phys(&cmd->hdr), sizeof(cmd->hdr), false);
	cmd->hdr.sector = rq->sector;
	cmd->hdr.reserved = 0;
	switch (rq->op) {
	case REQ_OP_READ:
		cmd->hdr.type = VIRTIO_BLK_T_IN;
		break;
	case REQ_OP_WRITE:
		cmd->hdr.type = VIRTIO_BLK_T_OUT;
		break;
	case REQ_OP_FLUSH:
		cmd->hdr.type = VIRTIO_BLK_T_FLUSH;
		cmd->hdr.sector = 0;
		remaining = 0;
		break;
	case REQ_OP_DISCARD:
	case REQ_OP_WRITE_ZEROES:
		cmd->hdr.type = rq->op == REQ_OP_DISCARD ? VIRTIO_BLK_T_DISCARD
							 : VIRTIO_BLK_T_WRITE_ZEROES;
		cmd->range.sector = rq->sector;
		cmd->range.num_sectors = rq->nr_bytes >> SECTOR_SHIFT;
		cmd->range.flags = 0;
		virtq_sg_set(cmd->sg, n++, virt_to_phys(&cmd->range), sizeof(cmd->range), false);
		remaining = 0;
		break;
	default:
		return -EINVAL;
	}
	for (u16 v = 0; remaining && v < rq->vcnt; v++) {
		u64 phys = rq->vecs[v].phys + offset;
		u32 len = min(rq->vecs[v].len - offset, remaining);

		offset = 0;
		remaining -= len;
		while (len) {
			u32 piece = min(len, max_seg);

			if (n > VIRTIO_BLK_MAX_SEGMENTS)
				return -EINVAL;
			virtq_sg_set(cmd->sg, n++, phys, piece, in);
			phys += piece;
			len -= piece;
		}
	}
	if (remaining)
		return -EINVAL;
	cmd->status = 0xff;
	virtq_sg_set(cmd->sg, n++, virt_to_phys(&cmd->status), 1, true);
	return (int)n;
}

/* queue_rq and its traced twin (traced a constant: DOORBELL stamped, docs/blk-trace.md) */
static __always_inline int __virtio_blk_queue_rq(struct blk_mq_hw_ctx *hctx, struct request *rq,
						 bool last, const bool traced)
{
	struct virtio_blk_queue *q = hctx->driver_data;
	struct virtio_blk_cmd *cmd = blk_mq_rq_to_pdu(rq);
	unsigned long flags;
	bool kick;
	int n, err;

	n = virtio_blk_map_rq(q->vblk, rq, cmd);
	if (n < 0)
		return n;
	/* before the buffer is visible: the device may complete it before a kick */
	blk_trace_rq_doorbell(rq, last, traced);
	flags = spin_lock_irqsave(&q->lock);
	err = virtq_add_buf(q->vq, cmd->sg, (unsigned int)n, virt_to_phys(cmd->sg), cmd);
	if (unlikely(err)) {
		/*
		 * Full (only without indirect descriptors): let the device see
		 * what is queued; blk-mq retries after the next completion.
		 */
		kick = virtq_kick_prepare(q->vq);
		spin_unlock_irqrestore(&q->lock, flags);
		if (kick)
			virtio_pci_queue_notify(q->pq);
		return BLK_STS_RESOURCE;
	}
	kick = last && virtq_kick_prepare(q->vq);
	spin_unlock_irqrestore(&q->lock, flags);
	if (kick)
		virtio_pci_queue_notify(q->pq);
	return 0;
}

static int virtio_blk_queue_rq(struct blk_mq_hw_ctx *hctx, struct request *rq, bool last)
{
	return __virtio_blk_queue_rq(hctx, rq, last, false);
}

static int virtio_blk_queue_rq_traced(struct blk_mq_hw_ctx *hctx, struct request *rq, bool last)
{
	blk_trace_rq(rq, BLK_TRACE_DISPATCH);
	return __virtio_blk_queue_rq(hctx, rq, last, true);
}

static void virtio_blk_commit_rqs(struct blk_mq_hw_ctx *hctx)
{
	struct virtio_blk_queue *q = hctx->driver_data;
	unsigned long flags;
	bool kick;

	flags = spin_lock_irqsave(&q->lock);
	kick = virtq_kick_prepare(q->vq);
	spin_unlock_irqrestore(&q->lock, flags);
	if (kick)
		virtio_pci_queue_notify(q->pq);
}

static int virtio_blk_poll(struct blk_mq_hw_ctx *hctx)
{
	struct virtio_blk_queue *q = hctx->driver_data;

	if (!virtq_has_used(q->vq))
		return 0;
	return (int)virtio_blk_reap(q);
}

static void virtio_blk_complete(struct request *rq)
{
	struct virtio_blk_cmd *cmd = blk_mq_rq_to_pdu(rq);

	cmd->requeued = false;
	blk_mq_end_request(rq, virtio_blk_status_errno(cmd));
}

/* --- timeout recovery ------------------------------------------------------------ */

static enum blk_eh_timer_return virtio_blk_timeout(struct request *rq)
{
	struct virtio_blk *vblk = rq->q->queuedata;

	pr_warn("%s: request tag %d (op %u, sector %llu) timed out: resetting the device\n",
		vblk->disk.name, rq->tag, rq->op, (unsigned long long)rq->sector);
	if (!__atomic_exchange_n(&vblk->eh_wanted, 1, __ATOMIC_SEQ_CST))
		wake_up_all(&vblk->eh_wait);
	/* the reset requeues or fails it; until then it keeps its timer */
	return BLK_EH_RESET_TIMER;
}

/* After the reset: each request still in flight goes again once, or fails. */
static bool virtio_blk_recover_rq(struct request *rq, void *arg)
{
	struct virtio_blk_cmd *cmd = blk_mq_rq_to_pdu(rq);
	bool device_ok = *(bool *)arg;
	u32 expected = REQ_STATE_IN_FLIGHT;

	/* taken from the completion path: no late completion can end it twice */
	if (!__atomic_compare_exchange_n(&rq->state, &expected, REQ_STATE_COMPLETE, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
		return true;
	if (device_ok && !cmd->requeued) {
		cmd->requeued = true;
		blk_mq_requeue_request(rq);
		return true;
	}
	cmd->requeued = false;
	blk_mq_end_request(rq, -EIO);
	return true;
}

static void virtio_blk_reset(struct virtio_blk *vblk)
{
	struct request_queue *q = vblk->disk.queue;
	unsigned long flags;
	bool device_ok;
	int err;

	blk_mq_quiesce_queue(q);
	for (unsigned int i = 0; i < vblk->nr_vqs; i++) {
		flags = spin_lock_irqsave(&vblk->queues[i].lock);
		vblk->queues[i].resetting = true;
		spin_unlock_irqrestore(&vblk->queues[i].lock, flags);
	}
	/* the device lets go of every buffer before it reads back status 0 */
	err = virtio_pci_restart(&vblk->vp);
	for (unsigned int i = 0; i < vblk->nr_vqs; i++) {
		struct virtio_blk_queue *vq = &vblk->queues[i];

		flags = spin_lock_irqsave(&vq->lock);
		vq->resetting = false;
		if (vq->polled)
			virtq_disable_cb(vq->vq);
		spin_unlock_irqrestore(&vq->lock, flags);
	}
	device_ok = !err;
	if (device_ok)
		virtio_pci_driver_ok(&vblk->vp);
	else
		pr_err("%s: reset failed (%s): failing what was in flight\n", vblk->disk.name,
		       errno_name(err));
	blk_mq_tagset_busy_iter(&vblk->tag_set, virtio_blk_recover_rq, &device_ok);
	vblk->resets++;
	pr_warn("%s: device reset %s; requests in flight sent again once\n", vblk->disk.name,
		device_ok ? "done" : "FAILED");
	blk_mq_unquiesce_queue(q);
}

static int virtio_blk_eh_thread(void *arg)
{
	struct virtio_blk *vblk = arg;

	for (;;) {
		wait_event(vblk->eh_wait, __atomic_load_n(&vblk->eh_wanted, __ATOMIC_ACQUIRE));
		__atomic_store_n(&vblk->eh_wanted, 0, __ATOMIC_SEQ_CST);
		virtio_blk_reset(vblk);
	}
	return 0;
}

static int virtio_blk_init_hctx(struct blk_mq_hw_ctx *hctx, void *driver_data,
				unsigned int index)
{
	struct virtio_blk *vblk = driver_data;
	struct virtio_blk_queue *q;
	unsigned long flags;
	bool polled;
	int err;

	if (index >= vblk->nr_vqs)
		return -EINVAL;
	q = &vblk->queues[index];
	polled = hctx->type == HCTX_TYPE_POLL;
	if (!polled) {
		/* blk-mq has filled the hctx's CPUs: aim at the first (an active one, if none) */
		unsigned int cpu = cpumask_weight(&hctx->cpumask) ?
				   cpumask_first(&hctx->cpumask) : cpu_active_nth(index);

		if (q->pq->msix_entry == VIRTIO_MSI_NO_VECTOR)
			return -ENOSPC;
		err = pci_irq_set_vector(vblk->vp.pci, q->pq->msix_entry, cpu, virtio_blk_irq, q,
					 q->irq_name);
		if (err)
			return err;
		q->irq_cpu = (int)cpu;
	}
	flags = spin_lock_irqsave(&q->lock);
	q->polled = polled;
	q->hctx = hctx;
	if (polled)
		virtq_disable_cb(q->vq);
	else
		virtq_enable_cb(q->vq);
	spin_unlock_irqrestore(&q->lock, flags);
	hctx->driver_data = q;
	return 0;
}

static void virtio_blk_exit_hctx(struct blk_mq_hw_ctx *hctx, unsigned int index)
{
	struct virtio_blk_queue *q = hctx->driver_data;
	unsigned long flags;

	(void)index;
	/* frozen: nothing in flight */
	flags = spin_lock_irqsave(&q->lock);
	q->hctx = NULL;
	spin_unlock_irqrestore(&q->lock, flags);
	/*
	 * A queue no hctx takes again (fewer hctxs now) would keep its vector
	 * on a CPU that may go offline: park it on the boot CPU, which never
	 * does; init_hctx re-aims the queues that are used.
	 */
	if (!q->polled && q->pq->msix_entry != VIRTIO_MSI_NO_VECTOR && q->irq_cpu != 0 &&
	    pci_irq_set_vector(q->vblk->vp.pci, q->pq->msix_entry, 0, virtio_blk_irq, q,
			       q->irq_name) == 0)
		q->irq_cpu = 0;
}

/*
 * A CPU went or came (blk_mq_hotplug.c): move the queue's vector with
 * requests in flight. The MSI-X entry is masked while it is rewritten (a
 * message meanwhile waits in the pending bit); one that reached the old
 * vector and was not taken yet is lost with it, so the ring is reaped once
 * here after the move.
 */
static int virtio_blk_aim_hctx(struct blk_mq_hw_ctx *hctx, unsigned int cpu)
{
	struct virtio_blk_queue *q = hctx->driver_data;
	int err;

	if (!q || q->polled || q->pq->msix_entry == VIRTIO_MSI_NO_VECTOR || q->irq_cpu == (int)cpu)
		return 0;
	err = pci_irq_set_vector(q->vblk->vp.pci, q->pq->msix_entry, cpu, virtio_blk_irq, q,
				 q->irq_name);
	if (err)
		return err;
	q->irq_cpu = (int)cpu;
	virtio_blk_reap(q);
	return 0;
}

static int virtio_blk_init_request(struct blk_mq_tag_set *set, struct request *rq,
				   unsigned int hctx_index)
{
	(void)set;
	(void)hctx_index;
	/* the indirect table is handed to the device by physical address */
	return virtio_blk_direct_map(blk_mq_rq_to_pdu(rq)) ? 0 : -EINVAL;
}

static const struct blk_mq_ops virtio_blk_mq_ops = {
	.queue_rq = virtio_blk_queue_rq,
	.queue_rq_traced = virtio_blk_queue_rq_traced,
	.commit_rqs = virtio_blk_commit_rqs,
	.poll = virtio_blk_poll,
	.complete = virtio_blk_complete,
	.timeout = virtio_blk_timeout,
	.init_hctx = virtio_blk_init_hctx,
	.exit_hctx = virtio_blk_exit_hctx,
	.aim_hctx = virtio_blk_aim_hctx,
	.init_request = virtio_blk_init_request,
};

/* --- probe ---------------------------------------------------------------------- */

static const u64 virtio_blk_features =
	BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_F_RING_INDIRECT_DESC) | BIT(VIRTIO_F_RING_EVENT_IDX) |
	BIT(VIRTIO_BLK_F_SIZE_MAX) | BIT(VIRTIO_BLK_F_SEG_MAX) | BIT(VIRTIO_BLK_F_RO) |
	BIT(VIRTIO_BLK_F_BLK_SIZE) | BIT(VIRTIO_BLK_F_FLUSH) | BIT(VIRTIO_BLK_F_TOPOLOGY) |
	BIT(VIRTIO_BLK_F_MQ) | BIT(VIRTIO_BLK_F_DISCARD) | BIT(VIRTIO_BLK_F_WRITE_ZEROES);

/*
 * The device configuration, field by field at each field's width (virtio
 * 1.2 4.1.3.1), into a little-endian copy that virtio_blk_config.c decodes.
 */
static int virtio_blk_read_config(struct virtio_blk *vblk, const char **why)
{
	static const struct { u8 off, width; } fields[] = {
		{ VIRTIO_BLK_CFG_CAPACITY, 8 }, { VIRTIO_BLK_CFG_SIZE_MAX, 4 },
		{ VIRTIO_BLK_CFG_SEG_MAX, 4 }, { VIRTIO_BLK_CFG_BLK_SIZE, 4 },
		{ VIRTIO_BLK_CFG_PHYS_BLOCK_EXP, 1 }, { VIRTIO_BLK_CFG_NUM_QUEUES, 2 },
		{ VIRTIO_BLK_CFG_MAX_DISCARD_SECTORS, 4 },
		{ VIRTIO_BLK_CFG_MAX_WRITE_ZEROES_SECTORS, 4 },
	};
	struct virtio_pci *vp = &vblk->vp;
	u8 cfg[VIRTIO_BLK_CFG_BYTES];

	memset(cfg, 0, sizeof(cfg));
	for (unsigned int i = 0; i < ARRAY_SIZE(fields); i++) {
		unsigned int off = fields[i].off;

		switch (fields[i].width) {
		case 1:
			cfg[off] = virtio_pci_config_read8(vp, off);
			break;
		case 2:
			put_le16(cfg + off, virtio_pci_config_read16(vp, off));
			break;
		case 4:
			put_le32(cfg + off, virtio_pci_config_read32(vp, off));
			break;
		default:
			put_le64(cfg + off, virtio_pci_config_read64(vp, off));
		}
	}
	return virtio_blk_config_decode(cfg, vp->features, &vblk->cfg, why);
}

/* Queue limits from the decoded configuration, with the ring's own cap. */
static int virtio_blk_read_limits(struct virtio_blk *vblk, struct queue_limits *lim)
{
	const struct virtio_blk_config_info *cfg = &vblk->cfg;
	struct virtio_pci *vp = &vblk->vp;
	int seg_max;

	memset(lim, 0, sizeof(*lim));
	vblk->blk_size = cfg->blk_size;
	lim->logical_block_size = cfg->blk_size;
	lim->physical_block_size = cfg->phys_block;
	seg_max = virtio_blk_ring_seg_max(cfg->seg_max, vblk->queues[0].vq->num,
					  virtio_has_feature(vp, VIRTIO_F_RING_INDIRECT_DESC));
	if (seg_max < 0)
		return seg_max;
	vblk->seg_max = (u32)seg_max;
	vblk->size_max = cfg->size_max;
	lim->max_segments = vblk->seg_max;
	lim->max_segment_size = vblk->size_max >= 4096 ? vblk->size_max : 0xffffffffU;
	lim->max_sectors = 2048;	/* 1 MiB */
	lim->seg_boundary_mask = 0xffffffffU;
	lim->dma_alignment = 0;
	/* a device that offers FLUSH has a volatile cache; it has no FUA */
	if (virtio_has_feature(vp, VIRTIO_BLK_F_FLUSH))
		lim->features = BLK_FEAT_WRITE_CACHE;
	lim->max_discard_sectors = cfg->max_discard_sectors;
	lim->max_write_zeroes_sectors = cfg->max_write_zeroes_sectors;
	return 0;
}

/* Set up every virtqueue the device has, with MSI-X entry = queue index. */
static int virtio_blk_setup_queues(struct virtio_blk *vblk)
{
	struct virtio_pci *vp = &vblk->vp;
	unsigned int want = virtio_blk_queues_wanted(vblk->cfg.num_queues, vp->num_queues);
	int nvec, err;

	if (!want)
		return -ENODEV;
	nvec = virtio_pci_irq_setup(vp, want);
	if (nvec <= 0)
		return nvec ? nvec : -ENOTSUP;
	vblk->queues = kcalloc(want, sizeof(*vblk->queues));
	if (!vblk->queues)
		return -ENOMEM;
	for (unsigned int i = 0; i < want; i++) {
		struct virtio_blk_queue *q = &vblk->queues[i];
		u16 entry = i < (unsigned int)nvec ? (u16)i : VIRTIO_MSI_NO_VECTOR;

		err = virtio_pci_queue_setup(vp, (u16)i, VIRTIO_BLK_QUEUE_SIZE_MAX, entry);
		if (err)
			return err;
		spin_init(&q->lock);
		q->pq = &vp->queues[i];
		q->vq = q->pq->vq;
		q->vblk = vblk;
		q->irq_cpu = -1;
		vblk->nr_vqs = i + 1;
	}
	return 0;
}

static void virtio_blk_read_serial(struct virtio_blk *vblk)
{
	char *id = kzalloc(VIRTIO_BLK_ID_BYTES + 1);
	void *bufs[1] = { id };
	u32 lens[1] = { VIRTIO_BLK_ID_BYTES };

	if (!id)
		return;
	if (virtio_blk_raw(vblk, 0, VIRTIO_BLK_T_GET_ID, 0, bufs, lens, 1, true) == 0)
		strlcpy(vblk->serial, id, sizeof(vblk->serial));
	kfree(id);
}

/* The hardware queues blk-mq gets: min(CPUs, virtqueues), the last ones POLL. */
static void virtio_blk_fill_tag_set(struct virtio_blk *vblk)
{
	struct blk_mq_tag_set *set = &vblk->tag_set;
	unsigned int nr = min(vblk->nr_vqs, nr_cpus + virtio_blk_poll_queues);
	unsigned int poll = min(virtio_blk_poll_queues, nr - 1);
	unsigned int irq_queues = min(nr - poll, (unsigned int)vblk->vp.nr_msix);

	memset(set, 0, sizeof(*set));
	set->ops = &virtio_blk_mq_ops;
	set->nr_hw_queues = irq_queues + poll;
	set->nr_poll_queues = poll;
	set->queue_depth = vblk->queues[0].vq->num;
	set->cmd_size = sizeof(struct virtio_blk_cmd);
	set->driver_data = vblk;
}

static int virtio_blk_probe(struct pci_device *pci, const struct pci_device_id *id)
{
	static unsigned int next_index;
	char pci_name[PCI_NAME_MAX];
	struct queue_limits lim;
	struct virtio_blk *vblk;
	const char *why;
	int err;

	virtio_blk_floor_register();

	(void)id;
	pci_device_name(pci, pci_name, sizeof(pci_name));
	vblk = kzalloc(sizeof(*vblk));
	if (!vblk)
		return -ENOMEM;
	err = virtio_pci_init(&vblk->vp, pci);
	if (err)
		goto free_vblk;
	err = virtio_pci_negotiate(&vblk->vp, virtio_blk_features);
	if (err) {
		pr_err("virtio-blk: %s: feature negotiation failed\n", pci_name);
		goto shutdown_device;
	}
	err = virtio_blk_read_config(vblk, &why);
	if (err) {
		pr_err("virtio-blk: %s: %s\n", pci_name, why);
		goto shutdown_device;
	}
	vblk->capacity = vblk->cfg.capacity;
	err = virtio_blk_setup_queues(vblk);
	if (err) {
		pr_err("virtio-blk: %s: queue setup failed (%s)\n", pci_name, errno_name(err));
		goto shutdown_device;
	}
	virtio_pci_driver_ok(&vblk->vp);
	disk_name_letters(vblk->disk.name, sizeof(vblk->disk.name), "vd", next_index++);
	virtio_blk_read_serial(vblk);

	for (unsigned int i = 0; i < vblk->nr_vqs; i++)
		snprintf(vblk->queues[i].irq_name, sizeof(vblk->queues[i].irq_name), "%s-q%u",
			 vblk->disk.name, i);

	virtio_blk_fill_tag_set(vblk);
	err = virtio_blk_read_limits(vblk, &lim);
	if (err) {
		pr_err("virtio-blk: %s: a ring of %u descriptors holds no request\n", pci_name,
		       vblk->queues[0].vq->num);
		goto shutdown_device;
	}
	vblk->disk.driver = "virtio-blk";
	vblk->disk.capacity = vblk->capacity;
	vblk->disk.read_only = virtio_has_feature(&vblk->vp, VIRTIO_BLK_F_RO);
	vblk->disk.private_data = vblk;
	err = blk_mq_create_disk(&vblk->disk, &vblk->tag_set, &lim, vblk, BLK_DISK_OWN_TAG_SET);
	if (err)
		goto shutdown_device;
	wait_queue_init(&vblk->eh_wait);
	vblk->eh_thread = thread_create(vblk->disk.name, virtio_blk_eh_thread, vblk);
	if (IS_ERR(vblk->eh_thread)) {
		err = (int)PTR_ERR(vblk->eh_thread);
		goto destroy_disk;
	}
	thread_start(vblk->eh_thread);
	list_add_tail(&vblk->link, &virtio_blk_devices);
	pr_info("virtio-blk: %s at %s: %llu sectors, %u-byte blocks, %u/%u queues (%u poll),"
		" features %#llx%s\n", vblk->disk.name, pci_name,
		(unsigned long long)vblk->capacity, vblk->blk_size, vblk->tag_set.nr_hw_queues,
		vblk->nr_vqs, vblk->tag_set.nr_poll_queues,
		(unsigned long long)vblk->vp.features, vblk->disk.read_only ? ", read-only" : "");
	return 0;

destroy_disk:
	blk_mq_destroy_disk(&vblk->disk);
shutdown_device:
	virtio_pci_fail(&vblk->vp);
	virtio_pci_shutdown(&vblk->vp);
	kfree(vblk->queues);
free_vblk:
	kfree(vblk);
	return err;
}

/* modern (1af4:1042) and transitional (1af4:1001) block devices */
static const struct pci_device_id virtio_blk_ids[] = {
	{ VIRTIO_PCI_VENDOR, VIRTIO_PCI_DEVICE_MODERN_BASE + 2, 0, 0, 0 },
	{ VIRTIO_PCI_VENDOR, VIRTIO_PCI_DEVICE_BLOCK_LEGACY, 0, 0, 0 },
	{ 0 }
};
PCI_DRIVER(virtio_blk, virtio_blk_ids, virtio_blk_probe);
