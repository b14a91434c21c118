/*
 * The NVMe device floor (block/blk_floor.h, `floor nvme0n1`): a queue pair
 * of its own, created polled on a qid no hctx uses, and commands sent one
 * at a time: fill the SQ entry, ring the doorbell, spin on the phase bit
 * of the next CQ entry, write the CQ head doorbell. No blk-mq, no request,
 * no interrupt: what the controller allows at iodepth 1.
 *
 * The controller's reset_lock is held throughout, so neither a reset nor
 * an hctx (re)creation can claim the qid meanwhile.
 */
#include "drivers/nvme/nvme.h"
#include "block/blk_floor.h"
#include "kernel/arch/x86.h"
#include "kernel/mm/mm.h"
#include "kernel/mm/page_alloc.h"
#include "kernel/mm/slab.h"
#include "kernel/time/time.h"
#include "lib/errno.h"
#include "lib/string.h"

#define NVME_FLOOR_DEPTH 16
#define NVME_FLOOR_TIMEOUT_NS (5ULL * 1000000000ULL)

/* No command of the floor's pair goes through the generic reaper but at deletion. */
static void nvme_floor_complete(struct nvme_queue *q, const struct nvme_completion *cqe)
{
}

/* A qid the controller granted that no hctx uses; 0 if none. */
static u16 nvme_floor_free_qid(struct nvme_ctrl *c)
{
	for (unsigned int qid = c->max_io_queues; qid >= 1; qid--)
		if (!c->queues[qid].live && !c->queues[qid].users)
			return (u16)qid;
	return 0;
}

/* The commands; *buf_out is freed by the caller once the pair is deleted (aborting any late one). */
static int nvme_floor_loop(struct nvme_ns *ns, struct nvme_queue *fq, unsigned int ios,
			   u32 bs, bool write, bool hybrid, struct histogram *lat, void **buf_out,
			   unsigned int *order_out)
{
	u64 mean_ns = 0;
	u32 nlb = bs >> ns->lba_shift;
	u64 span = ns->blocks > nlb ? ns->blocks / nlb : 1;
	unsigned int order = 0;
	void *buf;
	int err = 0;

	while ((PAGE_SIZE << order) < bs)
		order++;
	buf = page_zalloc(order);
	*buf_out = NULL;
	if (!buf)
		return -ENOMEM;
	for (unsigned int i = 0; i < ios; i++) {
		struct nvme_command cmd;
		struct nvme_completion cqe;
		u64 slba = (i * 2654435761ULL) % span * nlb;	/* scattered, block aligned */
		u64 start, deadline;
		unsigned int turns = 0;

		memset(&cmd, 0, sizeof(cmd));
		cmd.opcode = write ? nvme_cmd_write : nvme_cmd_read;
		cmd.command_id = (u16)i;
		cmd.nsid = ns->nsid;
		cmd.prp1 = virt_to_phys(buf);
		if (bs > PAGE_SIZE)
			cmd.prp2 = virt_to_phys(buf) + PAGE_SIZE;
		cmd.cdw10 = (u32)slba;
		cmd.cdw11 = (u32)(slba >> 32);
		cmd.cdw12 = nlb - 1;
		start = rdtsc();
		deadline = time_ns() + NVME_FLOOR_TIMEOUT_NS;
		nvme_queue_submit(fq, &cmd, true);
		if (hybrid)
			blk_floor_hybrid_sleep(mean_ns);
		while (!nvme_queue_pop(fq, &cqe)) {
			if (unlikely(blk_floor_spin_expired(&turns, deadline))) {
				err = -ETIMEDOUT;
				goto free_buf;
			}
		}
		fq->completed++;
		nvme_queue_cq_done(fq);
		hist_add(lat, tsc_to_ns(rdtsc() - start));
		blk_floor_mean_update(&mean_ns, tsc_to_ns(rdtsc() - start));
		if (cqe.status >> 1) {
			err = -EIO;
			goto free_buf;
		}
	}
free_buf:
	*buf_out = buf;
	*order_out = order;
	return err;
}

static int nvme_floor_run(struct gendisk *disk, unsigned int ios, u32 bs, bool write,
			  bool hybrid, struct histogram *lat, const char **how)
{
	struct nvme_ns *ns = disk->private_data;
	struct nvme_ctrl *c = ns->ctrl;
	struct nvme_queue *fq;
	unsigned int order = 0;
	void *buf = NULL;
	u16 qid;
	int err;

	if (bs < (1u << ns->lba_shift) || bs > 2 * PAGE_SIZE || bs % (1u << ns->lba_shift))
		return -EINVAL;
	fq = kzalloc(sizeof(*fq));
	if (!fq)
		return -ENOMEM;
	mutex_lock(&c->reset_lock);
	if (c->state != NVME_CTRL_LIVE) {
		err = -EBUSY;
		goto unlock;
	}
	qid = nvme_floor_free_qid(c);
	if (!qid) {
		err = -EBUSY;		/* every granted pair is in use (poll queues?) */
		goto unlock;
	}
	err = nvme_queue_alloc(c, fq, qid, NVME_FLOOR_DEPTH, nvme_floor_complete);
	if (err)
		goto unlock;
	err = nvme_create_io_queue(fq, true, -1, -1);
	if (err)
		goto free_queue;
	err = nvme_floor_loop(ns, fq, ios, bs, write, hybrid, lat, &buf, &order);
	/* deleting the SQ aborts a command still out: buf is ours again after it */
	nvme_delete_io_queue(fq);
	if (buf)
		page_free(buf, order);
	*how = "a queue pair of its own, polled, no interrupt";
free_queue:
	nvme_queue_free(fq);
unlock:
	mutex_unlock(&c->reset_lock);
	kfree(fq);
	return err;
}

static const struct blk_floor_ops nvme_floor_ops = {
	.driver = "nvme",
	.run = nvme_floor_run,
};

void nvme_floor_register(void)
{
	blk_floor_register(&nvme_floor_ops);
}
