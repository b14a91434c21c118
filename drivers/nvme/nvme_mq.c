/*
 * The blk-mq operations of NVMe namespaces, and the tag set they share.
 *
 * The namespaces of a controller share one tag set: hardware queue i is I/O
 * queue pair i + 1, command ids are tags. A pair is created on the
 * controller when the first namespace's hctx for it is initialised, and
 * deleted with the last; when blk_mq_update_nr_hw_queues() turns a pair from
 * interrupt-driven to polled (or back) the set is frozen, so the pair is
 * re-created in place. A CPU going offline or coming back deletes
 * nothing: aim_hctx moves a live pair's vector (docs/hotplug.md). A pair completes through the callback it was
 * allocated with (nvme_mq_complete_cqe): the queue code knows no requests.
 *
 * Each tag owns its PRP list pages, allocated once per queue pair: no
 * allocation per I/O.
 */
#include "drivers/nvme/nvme.h"
#include "drivers/nvme/nvme_status.h"
#include "drivers/pci/pci.h"
#include "block/blkdev.h"
#include "kernel/cmdline.h"
#include "kernel/mm/page_alloc.h"
#include "kernel/arch/percpu.h"
#include "kernel/console/printk.h"
#include "kernel/mm/slab.h"
#include "lib/errno.h"
#include "lib/parse.h"
#include "lib/string.h"

/* `nvme_poll_queues=N`: poll queues each controller starts with */
static u32 nvme_poll_queues;
static int nvme_poll_queues_option(const char *value)
{
	return parse_u32(value, &nvme_poll_queues);
}
CMDLINE_OPTION("nvme_poll_queues", nvme_poll_queues_option,
	       "poll queues per NVMe controller at boot (default 0)");

/* --- blk-mq operations -------------------------------------------------------- */
/* queue_rq and its traced twin (traced a constant: DOORBELL stamped, docs/blk-trace.md) */
static __always_inline int __nvme_queue_rq(struct blk_mq_hw_ctx *hctx, struct request *rq,
					   bool last, const bool traced)
{
	struct nvme_queue *q = hctx->driver_data;
	struct nvme_ns *ns = rq->q->queuedata;
	struct nvme_ctrl *c = q->ctrl;
	struct nvme_iod *iod = blk_mq_rq_to_pdu(rq);
	int err;

	if (unlikely(c->state != NVME_CTRL_LIVE || !q->live))
		return c->state == NVME_CTRL_DEAD ? -ENODEV : BLK_STS_RESOURCE;
	err = nvme_setup_rq(ns, rq, iod);
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

		nvme_setup_flush(&flush, ns->nsid);
		flush.command_id = (u16)rq->tag;
		nvme_queue_submit(q, &flush, last);
		return 0;
	}
	/* before the doorbell: once rung, rq (and its bio) may end on another CPU */
	blk_trace_rq_doorbell(rq, last, traced);
	nvme_queue_submit(q, &iod->cmd, last);
	return 0;
}

static int nvme_queue_rq(struct blk_mq_hw_ctx *hctx, struct request *rq, bool last)
{
	return __nvme_queue_rq(hctx, rq, last, false);
}

static int nvme_queue_rq_traced(struct blk_mq_hw_ctx *hctx, struct request *rq, bool last)
{
	blk_trace_rq(rq, BLK_TRACE_DISPATCH);
	return __nvme_queue_rq(hctx, rq, last, true);
}

static void nvme_commit_rqs(struct blk_mq_hw_ctx *hctx)
{
	nvme_queue_commit(hctx->driver_data);
}

static int nvme_poll(struct blk_mq_hw_ctx *hctx)
{
	return nvme_queue_poll(hctx->driver_data, false);
}

/* The completion callback of every I/O queue pair: end the request the entry names. */
static void nvme_mq_complete_cqe(struct nvme_queue *q, const struct nvme_completion *cqe)
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
		err = nvme_queue_alloc(c, q, (u16)qid, (u16)c->io_depth, nvme_mq_complete_cqe);
	/* the set is frozen: a pair of the other kind can be re-created in place */
	if (!err && q->live && q->poll != poll)
		err = nvme_delete_io_queue(q);
	if (!err && !q->live && c->state != NVME_CTRL_DEAD)
		err = nvme_create_io_queue(q, poll, c->nr_vectors == 1 ? 0 : (int)qid, cpu);
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
		nvme_delete_io_queue(q);
	mutex_unlock(&c->reset_lock);
	hctx->driver_data = NULL;
}

/*
 * A CPU went or came (blk_mq_hotplug.c): move the pair's vector, requests
 * in flight. The entry is masked while it is rewritten, so a message the
 * controller sends meanwhile waits in the pending bit; one that reached the
 * old vector and was not taken yet is lost with it, so the queue is reaped
 * once here after the move.
 */
static int nvme_aim_hctx(struct blk_mq_hw_ctx *hctx, unsigned int cpu)
{
	struct nvme_queue *q = hctx->driver_data;
	struct nvme_ctrl *c;
	int err = 0;

	if (!q || q->poll)
		return 0;
	c = q->ctrl;
	mutex_lock(&c->reset_lock);
	/* one vector for every queue (the admin queue's): nothing of its own to move */
	if (c->nr_vectors == 1 || q->msix_entry < 0 || q->cpu == (int)cpu)
		goto unlock;
	if (q->live) {
		err = pci_irq_set_vector(c->pdev, (unsigned int)q->msix_entry, cpu, nvme_queue_irq,
					 q, q->irq_name);
		if (err)
			goto unlock;
	}
	/* a pair that is not live is re-created on q->cpu by the reset that revives it */
	q->cpu = (int)cpu;
	nvme_queue_poll(q, true);
unlock:
	mutex_unlock(&c->reset_lock);
	return err;
}

static const struct blk_mq_ops nvme_mq_ops = {
	.queue_rq = nvme_queue_rq,
	.queue_rq_traced = nvme_queue_rq_traced,
	.commit_rqs = nvme_commit_rqs,
	.poll = nvme_poll,
	.complete = nvme_complete_rq,
	.timeout = nvme_timeout,
	.init_hctx = nvme_init_hctx,
	.exit_hctx = nvme_exit_hctx,
	.aim_hctx = nvme_aim_hctx,
	.init_request = nvme_init_request,
};

int nvme_mq_tagset_init(struct nvme_ctrl *c)
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
