/*
 * The NVMe device floor (block/blk_floor.h, `floor nvme0n1`): a queue pair
 * of its own, created polled on a qid no hctx uses, and commands sent one
 * at a time: fill the SQ entry, ring the doorbell, spin on the phase bit
 * of the next CQ entry, write the CQ head doorbell. No blk-mq, no request,
 * no interrupt: what the controller allows at iodepth 1.
 *
 * With wait=irq the pair is created with an MSI-X entry of its own (its
 * qid's) aimed at this CPU, which halts after each doorbell until the
 * queue's interrupt handler has reaped the entry (the generic reaper:
 * phase bit, CQ head doorbell) and marked the command done; the vector is
 * cleared before the pair is freed.
 *
 * The controller's reset_lock is held throughout, so neither a reset nor
 * an hctx (re)creation can claim the qid meanwhile.
 */
#include "drivers/nvme/nvme.h"
#include "drivers/pci/pci.h"
#include "block/blk_floor.h"
#include "kernel/arch/x86.h"
#include "kernel/mm/mm.h"
#include "kernel/mm/page_alloc.h"
#include "kernel/mm/slab.h"
#include "kernel/sched/preempt.h"
#include "kernel/time/time.h"
#include "lib/errno.h"
#include "lib/string.h"

#define NVME_FLOOR_DEPTH 16
#define NVME_FLOOR_TIMEOUT_NS (5ULL * 1000000000ULL)

/* The floor's pair, and what its interrupt handler saw (wait=irq). */
struct nvme_floor {
	struct nvme_queue q;
	bool done;
	u16 status;
};

/*
 * The generic reaper's callback: with wait=spin no command comes here but
 * at deletion; with wait=irq the interrupt handler hands each one here.
 */
static void nvme_floor_complete(struct nvme_queue *q, const struct nvme_completion *cqe)
{
	struct nvme_floor *f = container_of(q, struct nvme_floor, q);

	f->status = cqe->status;
	__atomic_store_n(&f->done, true, __ATOMIC_RELEASE);
}

/* A qid the controller granted that no hctx uses (with an MSI-X entry: irq); 0 if none. */
static u16 nvme_floor_free_qid(struct nvme_ctrl *c, bool irq)
{
	unsigned int top = irq ? min(c->max_io_queues, c->max_irq_queues) : c->max_io_queues;

	if (irq && (c->pdev->irq_mode != PCI_IRQ_MSIX || c->nr_vectors < 2))
		return 0;		/* the pair needs an entry no other queue uses */
	for (unsigned int qid = top; qid >= 1; qid--)
		if (!c->queues[qid].live && !c->queues[qid].users)
			return (u16)qid;
	return 0;
}

/* The commands; *buf_out is freed by the caller once the pair is deleted (aborting any late one). */
static int nvme_floor_loop(struct nvme_ns *ns, struct nvme_floor *f, unsigned int ios,
			   u32 bs, bool write, enum blk_floor_wait wait, struct histogram *lat,
			   void **buf_out, unsigned int *order_out)
{
	struct nvme_queue *fq = &f->q;
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
		u64 start, end, deadline;
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
		deadline = time_ns() + NVME_FLOOR_TIMEOUT_NS;
		if (wait == BLK_FLOOR_IRQ) {
			/* on this CPU from the doorbell to the handler: it halts for the interrupt */
			preempt_disable();
			f->done = false;
			start = rdtsc();
			nvme_queue_submit(fq, &cmd, true);
			err = blk_floor_irq_wait(&f->done, fq->cpu, deadline);
			cqe.status = f->status;
			end = rdtsc();
			preempt_enable();
			if (err)
				goto free_buf;
		} else {
			start = rdtsc();
			nvme_queue_submit(fq, &cmd, true);
			if (wait == BLK_FLOOR_HYBRID)
				blk_floor_hybrid_sleep(mean_ns);
			while (!nvme_queue_pop(fq, &cqe)) {
				if (unlikely(blk_floor_spin_expired(&turns, deadline))) {
					err = -ETIMEDOUT;
					goto free_buf;
				}
			}
			fq->completed++;
			nvme_queue_cq_done(fq);
			end = rdtsc();
		}
		hist_add(lat, tsc_to_ns(end - start));
		blk_floor_mean_update(&mean_ns, tsc_to_ns(end - start));
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
			  enum blk_floor_wait wait, struct histogram *lat, const char **how)
{
	struct nvme_ns *ns = disk->private_data;
	struct nvme_ctrl *c = ns->ctrl;
	bool irq = wait == BLK_FLOOR_IRQ;
	struct nvme_floor *f;
	unsigned int order = 0;
	void *buf = NULL;
	u16 qid;
	int err;

	if (bs < (1u << ns->lba_shift) || bs > 2 * PAGE_SIZE || bs % (1u << ns->lba_shift))
		return -EINVAL;
	f = kzalloc(sizeof(*f));
	if (!f)
		return -ENOMEM;
	mutex_lock(&c->reset_lock);
	if (c->state != NVME_CTRL_LIVE) {
		err = -EBUSY;
		goto unlock;
	}
	qid = nvme_floor_free_qid(c, irq);
	if (!qid) {
		err = -EBUSY;		/* every granted pair (with a vector) is in use */
		goto unlock;
	}
	err = nvme_queue_alloc(c, &f->q, qid, NVME_FLOOR_DEPTH, nvme_floor_complete);
	if (err)
		goto unlock;
	/* irq: aimed at the CPU this starts on; a thread moved later spins on the flag */
	err = nvme_create_io_queue(&f->q, !irq, irq ? (int)qid : -1, irq ? (int)this_cpu_id() : -1);
	if (err)
		goto clear_vector;
	err = nvme_floor_loop(ns, f, ios, bs, write, wait, lat, &buf, &order);
	/* deleting the SQ aborts a command still out: buf is ours again after it */
	nvme_delete_io_queue(&f->q);
	if (buf)
		page_free(buf, order);
	*how = irq ? "a queue pair of its own, its interrupt, the CPU halted"
		   : "a queue pair of its own, polled, no interrupt";
clear_vector:
	/* no handler may be left pointing at the pair, which goes now */
	if (irq)
		pci_irq_clear_vector(c->pdev, qid);
	nvme_queue_free(&f->q);
unlock:
	mutex_unlock(&c->reset_lock);
	kfree(f);
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
