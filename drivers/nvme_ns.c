/*
 * NVMe namespaces as disks, and the blk-mq operations behind them.
 *
 * Every active namespace (Identify, active namespace list) with a usable
 * LBA format becomes the disk nvme<controller>n<nsid>. The namespaces of a
 * controller share one tag set: hardware queue i is I/O queue pair i + 1,
 * command ids are tags. A pair is created on the controller when the first
 * namespace's hctx for it is initialised, and deleted with the last; when
 * blk_mq_update_nr_hw_queues() turns a pair from interrupt-driven to polled
 * (or back) the set is frozen, so the pair is re-created in place.
 *
 * Data pointers: PRPs by default (the queue limits carry the PRP rule as
 * virt_boundary_mask = page size - 1), an SGL when the controller has them
 * and the request's segments average at least nvme_sgl_threshold bytes (a
 * descriptor per segment instead of an entry per page). Each tag owns its
 * PRP list pages, allocated once per queue pair: no allocation per I/O.
 */
#include "drivers/nvme.h"
#include "drivers/nvme_status.h"
#include "drivers/pci.h"
#include "block/blkdev.h"
#include "kernel/cmdline.h"
#include "kernel/page_alloc.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "kernel/slab.h"
#include "lib/errno.h"
#include "lib/parse.h"
#include "lib/printf.h"
#include "lib/string.h"

/* `nvme_poll_queues=N`: poll queues each controller starts with */
static u32 nvme_poll_queues;
/* `nvme_sgl_threshold=BYTES`: SGLs when segments average at least this; 0 never */
static u64 nvme_sgl_threshold = 32 * 1024;

static int nvme_poll_queues_option(const char *value)
{
	return parse_u32(value, &nvme_poll_queues);
}
CMDLINE_OPTION("nvme_poll_queues", nvme_poll_queues_option,
	       "poll queues per NVMe controller at boot (default 0)");

static int nvme_sgl_option(const char *value)
{
	return parse_size(value, &nvme_sgl_threshold);
}
CMDLINE_OPTION("nvme_sgl_threshold", nvme_sgl_option,
	       "use SGLs for requests whose segments average this many bytes (default 32k, 0 never)");

/* --- building commands ------------------------------------------------------ */
static int nvme_setup_data(struct nvme_ctrl *c, struct request *rq, struct nvme_iod *iod)
{
	struct nvme_command *cmd = &iod->cmd;
	int err;

	if (c->sgl && nvme_sgl_threshold && rq->nr_phys_segments > 1 &&
	    rq->nr_bytes / rq->nr_phys_segments >= nvme_sgl_threshold) {
		cmd->flags = NVME_CMD_PSDT_SGL_MPTR;
		err = nvme_sgl_build(rq->vecs, rq->vcnt, rq->vec_offset, rq->nr_bytes,
				     (struct nvme_sgl_desc *)iod->prp->virt[0], iod->prp->phys[0],
				     c->page_size / sizeof(struct nvme_sgl_desc), &cmd->sgl);
	} else {
		struct nvme_prp_result r;

		err = nvme_prp_build(rq->vecs, rq->vcnt, rq->vec_offset, rq->nr_bytes,
				     c->page_size, iod->prp, &r);
		cmd->prp1 = r.prp1;
		cmd->prp2 = r.prp2;
	}
	return err;
}

static int nvme_setup_cmd(struct nvme_ns *ns, struct request *rq, struct nvme_iod *iod)
{
	struct nvme_command *cmd = &iod->cmd;
	u64 slba = rq->sector >> (ns->lba_shift - SECTOR_SHIFT);
	u32 nlb = rq->nr_bytes >> ns->lba_shift;
	struct nvme_dsm_range *range;

	memset(cmd, 0, sizeof(*cmd));
	cmd->nsid = ns->nsid;
	switch (rq->op) {
	case REQ_OP_READ:
	case REQ_OP_WRITE:
		if (!nlb || nlb > 0x10000)
			return -EINVAL;
		cmd->opcode = rq->op == REQ_OP_READ ? nvme_cmd_read : nvme_cmd_write;
		cmd->cdw10 = (u32)slba;
		cmd->cdw11 = (u32)(slba >> 32);
		cmd->cdw12 = nlb - 1;
		if (rq->op == REQ_OP_WRITE && (rq->flags & REQ_FUA))
			cmd->cdw12 |= NVME_RW_FUA;
		return nvme_setup_data(ns->ctrl, rq, iod);
	case REQ_OP_FLUSH:
		cmd->opcode = nvme_cmd_flush;
		return 0;
	case REQ_OP_WRITE_ZEROES:
		if (!nlb || nlb > 0x10000)
			return -EINVAL;
		cmd->opcode = nvme_cmd_write_zeroes;
		cmd->cdw10 = (u32)slba;
		cmd->cdw11 = (u32)(slba >> 32);
		cmd->cdw12 = nlb - 1;
		return 0;
	case REQ_OP_DISCARD:
		if (!nlb)
			return -EINVAL;
		/* one range, in this tag's list page */
		range = (struct nvme_dsm_range *)iod->prp->virt[0];
		range->cattr = 0;
		range->nlb = nlb;
		range->slba = slba;
		cmd->opcode = nvme_cmd_dsm;
		cmd->prp1 = iod->prp->phys[0];
		cmd->cdw10 = 0;			/* one range, 0's based */
		cmd->cdw11 = NVME_DSMGMT_AD;
		return 0;
	default:
		return -ENOTSUP;
	}
}

/* --- blk-mq operations -------------------------------------------------------- */
static int nvme_queue_rq(struct blk_mq_hw_ctx *hctx, struct request *rq, bool last)
{
	struct nvme_queue *q = hctx->driver_data;
	struct nvme_ns *ns = rq->q->queuedata;
	struct nvme_ctrl *c = q->ctrl;
	struct nvme_iod *iod = blk_mq_rq_to_pdu(rq);
	int err;

	if (unlikely(c->state != NVME_CTRL_LIVE || !q->live))
		return c->state == NVME_CTRL_DEAD ? -ENODEV : BLK_STS_RESOURCE;
	err = nvme_setup_cmd(ns, rq, iod);
	if (unlikely(err)) {
		if (last)
			nvme_queue_commit(q);
		return err;
	}
	iod->cmd.command_id = (u16)rq->tag;
	iod->status = 0;
	iod->aborted = false;
	iod->preflush = rq->op == REQ_OP_WRITE && (rq->flags & REQ_PREFLUSH) && c->vwc;
	if (unlikely(iod->preflush)) {
		/*
		 * The controller may run commands in any order, so a write that
		 * wants the cache flushed first waits for a Flush with its own
		 * command id: the write is sent from the Flush's completion.
		 */
		struct nvme_command flush;

		memset(&flush, 0, sizeof(flush));
		flush.opcode = nvme_cmd_flush;
		flush.nsid = ns->nsid;
		flush.command_id = (u16)rq->tag;
		nvme_queue_submit(q, &flush, last);
		return 0;
	}
	nvme_queue_submit(q, &iod->cmd, last);
	return 0;
}

static void nvme_commit_rqs(struct blk_mq_hw_ctx *hctx)
{
	nvme_queue_commit(hctx->driver_data);
}

static int nvme_poll(struct blk_mq_hw_ctx *hctx)
{
	return nvme_queue_poll(hctx->driver_data, false);
}

void nvme_ns_complete_cqe(struct nvme_queue *q, const struct nvme_completion *cqe)
{
	struct blk_mq_tags *tags = q->tags;
	struct request *rq;
	struct nvme_iod *iod;

	if (unlikely(!tags || cqe->command_id >= tags->depth)) {
		q->spurious++;
		pr_warn("%s: queue %u: completion for command id %u, no such tag\n",
			q->ctrl->name, q->qid, cqe->command_id);
		return;
	}
	rq = tags->rqs[cqe->command_id];
	if (unlikely(__atomic_load_n(&rq->state, __ATOMIC_ACQUIRE) != REQ_STATE_IN_FLIGHT)) {
		q->spurious++;
		pr_warn("%s: queue %u: completion for command id %u, not in flight\n",
			q->ctrl->name, q->qid, cqe->command_id);
		return;
	}
	iod = blk_mq_rq_to_pdu(rq);
	iod->status = cqe->status >> 1;
	if (unlikely(iod->preflush)) {
		iod->preflush = false;
		if (!iod->status) {
			nvme_queue_submit(q, &iod->cmd, true);
			return;
		}
	}
	blk_mq_complete_request(rq);
}

static const char *const nvme_op_names[REQ_OP_COUNT] = {
	[REQ_OP_READ] = "read", [REQ_OP_WRITE] = "write", [REQ_OP_FLUSH] = "flush",
	[REQ_OP_DISCARD] = "discard", [REQ_OP_WRITE_ZEROES] = "write-zeroes",
};

static void nvme_complete_rq(struct request *rq)
{
	struct nvme_iod *iod = blk_mq_rq_to_pdu(rq);
	struct nvme_ns *ns = rq->q->queuedata;
	int err = 0;

	if (unlikely(iod->status)) {
		char text[96];

		err = nvme_status_to_errno(iod->status);
		if (iod->aborted && iod->status == NVME_STATUS(NVME_SCT_GENERIC, NVME_SC_ABORT_REQ))
			err = -ETIMEDOUT;
		pr_err("%s: %s sector %llu, %u bytes: %s: %s\n", ns->disk.name,
		       rq->op < REQ_OP_COUNT ? nvme_op_names[rq->op] : "?",
		       (unsigned long long)rq->sector, rq->nr_bytes,
		       nvme_status_format(iod->status, text, sizeof(text)), errno_name(err));
	}
	iod->retries = 0;
	blk_mq_end_request(rq, err);
}

static enum blk_eh_timer_return nvme_timeout(struct request *rq)
{
	struct nvme_iod *iod = blk_mq_rq_to_pdu(rq);
	struct nvme_queue *q = rq->hctx->driver_data;
	struct nvme_ctrl *c = q->ctrl;
	u32 csts = nvme_readl(c, NVME_REG_CSTS);

	c->timeouts++;
	if (csts == 0xffffffff) {
		/* the error handler sees the device gone and fails everything */
		nvme_schedule_reset(c);
		return BLK_EH_RESET_TIMER;
	}
	if (c->state != NVME_CTRL_LIVE)
		return BLK_EH_RESET_TIMER;	/* a reset in progress takes care of it */
	if (csts & NVME_CSTS_CFS) {
		pr_err("%s: controller fatal status (CSTS 0x%x): resetting\n", c->name, csts);
		nvme_schedule_reset(c);
		return BLK_EH_RESET_TIMER;
	}
	/* maybe the completion is there and its interrupt was lost */
	nvme_queue_poll(q, true);
	if (__atomic_load_n(&rq->state, __ATOMIC_ACQUIRE) != REQ_STATE_IN_FLIGHT) {
		pr_warn("%s: queue %u: timed-out command %d had completed: interrupt lost?\n",
			c->name, q->qid, rq->tag);
		return BLK_EH_DONE;
	}
	if (!iod->aborted) {
		iod->aborted = true;
		pr_warn("%s: queue %u command %d timed out: aborting it\n", c->name, q->qid,
			rq->tag);
		nvme_schedule_abort(c, q->qid, (u16)rq->tag);
		return BLK_EH_RESET_TIMER;
	}
	pr_err("%s: queue %u command %d timed out after its abort: resetting\n", c->name,
	       q->qid, rq->tag);
	nvme_schedule_reset(c);
	return BLK_EH_RESET_TIMER;
}

/*
 * Each tag's list pages, for the life of the controller: blk-mq has no
 * exit_request, and tags of a rebuilt set find their pages again here.
 */
static int nvme_queue_prp_alloc(struct nvme_ctrl *c, struct nvme_queue *q)
{
	unsigned int tags = c->io_depth - 1;
	unsigned int pages = max(nvme_prp_pages_needed(c->max_transfer, c->page_size), 1U);
	unsigned int order = __builtin_ctz(c->page_size) - PAGE_SHIFT;

	if (!q->prp)
		q->prp = kcalloc(tags, sizeof(*q->prp));
	if (!q->prp)
		return -ENOMEM;
	for (unsigned int t = 0; t < tags; t++) {
		while (q->prp[t].nr < pages) {
			void *page = page_alloc(order);

			if (!page)
				return -ENOMEM;
			q->prp[t].virt[q->prp[t].nr] = page;
			q->prp[t].phys[q->prp[t].nr] = virt_to_phys(page);
			q->prp[t].nr++;
		}
	}
	return 0;
}

static int nvme_init_request(struct blk_mq_tag_set *set, struct request *rq,
			     unsigned int hctx_index)
{
	struct nvme_ctrl *c = set->driver_data;
	struct nvme_iod *iod = blk_mq_rq_to_pdu(rq);
	struct nvme_queue *q;
	int err;

	if (hctx_index + 1 > c->max_io_queues) {
		if (rq->tag == 0)
			pr_err("%s: hardware queue %u asked, the controller granted %u queue pairs\n",
			       c->name, hctx_index + 1, c->max_io_queues);
		return -EINVAL;
	}
	if (rq->tag < 0 || (u32)rq->tag >= c->io_depth - 1)
		return -EINVAL;
	q = &c->queues[hctx_index + 1];
	if (!q->prp || !q->prp[rq->tag].nr) {
		err = nvme_queue_prp_alloc(c, q);
		if (err)
			return err;
	}
	memset(iod, 0, sizeof(*iod));
	iod->prp = &q->prp[rq->tag];
	return 0;
}

static int nvme_init_hctx(struct blk_mq_hw_ctx *hctx, void *driver_data, unsigned int index)
{
	struct nvme_ctrl *c = driver_data;
	bool poll = hctx->type == HCTX_TYPE_POLL;
	unsigned int qid = index + 1;
	struct nvme_queue *q;
	int cpu = 0, err = 0;

	if (qid > c->max_io_queues) {
		pr_err("%s: %u hardware queues asked, the controller granted %u\n", c->name,
		       qid, c->max_io_queues);
		return -EINVAL;
	}
	if (!poll && qid > c->max_irq_queues) {
		pr_err("%s: queue %u needs an interrupt vector; %u usable\n", c->name, qid,
		       c->max_irq_queues);
		return -EINVAL;
	}
	if (cpumask_first(&hctx->cpumask) < nr_cpus)
		cpu = (int)cpumask_first(&hctx->cpumask);
	mutex_lock(&c->reset_lock);
	q = &c->queues[qid];
	if (!q->sq)
		err = nvme_queue_alloc(c, q, (u16)qid, (u16)c->io_depth);
	/* the set is frozen: a pair of the other kind can be re-created in place */
	if (!err && q->live && q->poll != poll)
		err = nvme_queue_delete(q);
	if (!err && !q->live && c->state != NVME_CTRL_DEAD)
		err = nvme_queue_create(q, poll, c->nr_vectors == 1 ? 0 : (int)qid, cpu);
	else if (!err && q->live && !poll && q->cpu != cpu) {
		err = pci_irq_set_vector(c->pdev, (unsigned int)q->msix_entry, (unsigned int)cpu,
					 nvme_queue_irq, q, q->irq_name);
		if (!err)
			q->cpu = cpu;
	}
	if (!err) {
		q->tags = hctx->tags;
		q->users++;
		hctx->driver_data = q;
	}
	mutex_unlock(&c->reset_lock);
	if (err)
		pr_err("%s: queue %u: %s\n", c->name, qid, errno_name(err));
	return err;
}

static void nvme_exit_hctx(struct blk_mq_hw_ctx *hctx, unsigned int index)
{
	struct nvme_queue *q = hctx->driver_data;
	struct nvme_ctrl *c;

	if (!q)
		return;
	c = q->ctrl;
	mutex_lock(&c->reset_lock);
	if (--q->users == 0 && q->live)
		nvme_queue_delete(q);
	mutex_unlock(&c->reset_lock);
	hctx->driver_data = NULL;
}

static const struct blk_mq_ops nvme_mq_ops = {
	.queue_rq = nvme_queue_rq,
	.commit_rqs = nvme_commit_rqs,
	.poll = nvme_poll,
	.complete = nvme_complete_rq,
	.timeout = nvme_timeout,
	.init_hctx = nvme_init_hctx,
	.exit_hctx = nvme_exit_hctx,
	.init_request = nvme_init_request,
};

/* --- reset support -------------------------------------------------------- */
struct nvme_cancel {
	bool requeue;
	unsigned int requeued, failed;
};

static bool nvme_cancel_one(struct request *rq, void *arg)
{
	struct nvme_cancel *cancel = arg;
	struct nvme_iod *iod = blk_mq_rq_to_pdu(rq);

	if (cancel->requeue && iod->retries < NVME_MAX_RETRIES) {
		iod->retries++;
		cancel->requeued++;
		blk_mq_requeue_request(rq);
	} else {
		cancel->failed++;
		iod->retries = 0;
		blk_mq_end_request(rq, cancel->requeue ? -EIO : -ENODEV);
	}
	return true;
}

void nvme_ns_cancel_requests(struct nvme_ctrl *c, bool requeue)
{
	struct nvme_cancel cancel = { requeue, 0, 0 };

	if (!c->tagset_ready)
		return;
	blk_mq_tagset_busy_iter(&c->tagset, nvme_cancel_one, &cancel);
	if (cancel.requeued || cancel.failed)
		pr_info("%s: %u requests requeued, %u failed\n", c->name, cancel.requeued,
			cancel.failed);
}

void nvme_ns_quiesce(struct nvme_ctrl *c)
{
	struct nvme_ns *ns;

	list_for_each_entry(ns, &c->namespaces, link)
		blk_mq_quiesce_queue(ns->queue);
}

void nvme_ns_unquiesce(struct nvme_ctrl *c)
{
	struct nvme_ns *ns;

	list_for_each_entry(ns, &c->namespaces, link)
		blk_mq_unquiesce_queue(ns->queue);
}

int nvme_ns_restore_queues(struct nvme_ctrl *c)
{
	for (unsigned int qid = 1; qid <= c->max_io_queues; qid++) {
		struct nvme_queue *q = &c->queues[qid];
		int err;

		if (!q->sq || !q->users)
			continue;
		err = nvme_queue_create(q, q->poll, q->msix_entry, q->cpu);
		if (err)
			return err;
	}
	return 0;
}

/* --- namespaces ---------------------------------------------------------------- */

/* Refuse what the driver cannot carry; fill the namespace's geometry. */
static int nvme_ns_geometry(struct nvme_ctrl *c, struct nvme_ns *ns, const struct nvme_id_ns *id)
{
	unsigned int fmt = id->flbas & NVME_NS_FLBAS_LBA_MASK;
	const struct nvme_lbaf *lbaf;

	if (id->nlbaf >= 16)
		fmt |= (id->flbas >> 1) & 0x30;	/* 2.0: FLBAS bits 6:5 are the upper bits */
	if (fmt > id->nlbaf) {
		pr_err("%s: namespace %u: format %u beyond the %u it lists: skipped\n", c->name,
		       ns->nsid, fmt, id->nlbaf + 1);
		return -EINVAL;
	}
	lbaf = &id->lbaf[fmt];
	if (lbaf->ms) {
		pr_err("%s: namespace %u: LBA format %u has %u bytes of metadata per block, "
		       "which this driver does not support: skipped\n", c->name, ns->nsid, fmt,
		       lbaf->ms);
		return -ENOTSUP;
	}
	if (lbaf->ds < 9 || lbaf->ds > 16 || (1U << lbaf->ds) > c->max_transfer) {
		pr_err("%s: namespace %u: block size 2^%u unsupported: skipped\n", c->name,
		       ns->nsid, lbaf->ds);
		return -ENOTSUP;
	}
	if (!id->nsze) {
		pr_err("%s: namespace %u: size 0: skipped\n", c->name, ns->nsid);
		return -EINVAL;
	}
	ns->lbaf = (u8)fmt;
	ns->lba_shift = lbaf->ds;
	ns->blocks = id->nsze;
	ns->phys_block = 1U << ns->lba_shift;
	if (id->nsfeat & NVME_NS_FEAT_OPTPERF) {
		u32 pwg = (id->npwg + 1U) << ns->lba_shift;

		/* a power of two the block layer can take as physical block size */
		if (!(pwg & (pwg - 1)) && pwg <= 65536)
			ns->phys_block = pwg;
		ns->opt_io = (id->nows + 1U) << ns->lba_shift;
	}
	ns->io_boundary = id->noiob ? (u32)id->noiob << ns->lba_shift : 0;
	return 0;
}

static void nvme_ns_limits(struct nvme_ctrl *c, struct nvme_ns *ns, struct queue_limits *lim)
{
	u32 block_sectors = 1U << (ns->lba_shift - SECTOR_SHIFT);

	memset(lim, 0, sizeof(*lim));
	lim->logical_block_size = 1U << ns->lba_shift;
	lim->physical_block_size = ns->phys_block;
	lim->max_sectors = c->max_transfer >> SECTOR_SHIFT;
	/* the PRP rule: whole pages between the first and last segment */
	lim->virt_boundary_mask = c->page_size - 1;
	lim->max_segments = c->max_transfer / c->page_size + 1;
	lim->max_segment_size = c->max_transfer;
	lim->seg_boundary_mask = 0xffffffff;
	lim->dma_alignment = 3;			/* PRP entries are dword aligned */
	/* the driver issues PREFLUSH's flush itself; FUA is a bit in Write */
	if (c->vwc)
		lim->features = BLK_FEAT_WRITE_CACHE | BLK_FEAT_FUA | BLK_FEAT_PREFLUSH;
	if (c->dsm)
		lim->max_discard_sectors = ALIGN_DOWN(1U << 22, block_sectors);
	if (c->write_zeroes)
		lim->max_write_zeroes_sectors = min(0x10000U * block_sectors, 1U << 22);
}

static int nvme_ns_add(struct nvme_ctrl *c, u32 nsid, struct nvme_id_ns *id)
{
	struct nvme_ns *ns = kzalloc(sizeof(*ns));
	u16 status;
	int err;

	if (!ns)
		return -ENOMEM;
	ns->ctrl = c;
	ns->nsid = nsid;
	err = nvme_identify(c, nsid, NVME_ID_CNS_NS, id, &status);
	if (err) {
		char text[96];

		pr_err("%s: Identify Namespace %u: %s\n", c->name, nsid,
		       nvme_status_format(status, text, sizeof(text)));
		goto out_free;
	}
	err = nvme_ns_geometry(c, ns, id);
	if (err)
		goto out_free;
	ns->queue = blk_mq_alloc_queue(&c->tagset, ns);
	if (IS_ERR(ns->queue)) {
		err = (int)PTR_ERR(ns->queue);
		goto out_free;
	}
	nvme_ns_limits(c, ns, &ns->queue->limits);
	snprintf(ns->disk.name, sizeof(ns->disk.name), "%sn%u", c->name, nsid);
	ns->disk.driver = "nvme";
	ns->disk.capacity = ns->blocks << (ns->lba_shift - SECTOR_SHIFT);
	ns->disk.queue = ns->queue;
	ns->disk.private_data = ns;
	ns->queue->disk = &ns->disk;
	/* listed before disk_add: reading the partition table already does I/O */
	list_add_tail(&ns->link, &c->namespaces);
	err = disk_add(&ns->disk);
	if (err) {
		list_del(&ns->link);
		goto out_queue;
	}
	pr_info("%s: namespace %u: %llu blocks of %u bytes (%llu MiB)\n", ns->disk.name, nsid,
		(unsigned long long)ns->blocks, 1U << ns->lba_shift,
		(unsigned long long)((ns->blocks << ns->lba_shift) >> 20));
	return 0;

out_queue:
	blk_mq_destroy_queue(ns->queue);
out_free:
	pr_err("%s: namespace %u not added: %s\n", c->name, nsid, errno_name(err));
	kfree(ns);
	return err;
}

static int nvme_tagset_init(struct nvme_ctrl *c)
{
	struct blk_mq_tag_set *set = &c->tagset;
	unsigned int nr_default = min(min((unsigned int)nr_cpus, c->max_irq_queues),
				      c->max_io_queues);
	unsigned int nr_poll = min((unsigned int)nvme_poll_queues, c->max_io_queues - nr_default);
	int err;

	memset(set, 0, sizeof(*set));
	set->ops = &nvme_mq_ops;
	set->nr_hw_queues = nr_default + nr_poll;
	set->nr_poll_queues = nr_poll;
	set->queue_depth = c->io_depth - 1;
	set->cmd_size = sizeof(struct nvme_iod);
	set->timeout_ns = 0;		/* blk-mq's default, 30 s */
	set->driver_data = c;
	err = blk_mq_alloc_tag_set(set);
	if (err)
		return err;
	c->tagset_ready = true;
	return 0;
}

int nvme_ns_scan(struct nvme_ctrl *c)
{
	u32 *list = kmalloc(4096);
	struct nvme_id_ns *id = kmalloc(sizeof(*id));
	unsigned int added = 0;
	int err = -ENOMEM;

	if (!list || !id)
		goto out;
	if (c->vs >= NVME_VS(1, 1)) {
		err = nvme_identify(c, 0, NVME_ID_CNS_NS_ACTIVE_LIST, list, NULL);
		if (err) {
			pr_err("%s: active namespace list: %s\n", c->name, errno_name(err));
			goto out;
		}
	} else {
		/* 1.0: every id up to NN, inactive ones have size 0 */
		for (u32 i = 0; i < 1024; i++)
			list[i] = i < c->id->nn ? i + 1 : 0;
	}
	if (!list[0]) {
		pr_info("%s: no active namespaces\n", c->name);
		err = 0;
		goto out;
	}
	err = nvme_tagset_init(c);
	if (err) {
		pr_err("%s: tag set: %s\n", c->name, errno_name(err));
		goto out;
	}
	for (u32 i = 0; i < 1024 && list[i]; i++)
		if (nvme_ns_add(c, list[i], id) == 0)
			added++;
	err = 0;
out:
	kfree(list);
	kfree(id);
	return err;
}
