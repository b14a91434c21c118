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
 * cleared before the pair is freed. With jobs=N each of N streams has a
 * pair of its own, its thread bound to its CPU.
 *
 * The controller's reset_lock is held throughout, so neither a reset nor
 * an hctx (re)creation can claim the qids meanwhile.
 */
#include "drivers/nvme/nvme.h"
#include "drivers/pci/pci.h"
#include "block/blk_floor.h"
#include "kernel/arch/percpu.h"
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

/* One stream's pair, what its interrupt handler saw (wait=irq), its buffer and latencies. */
struct nvme_floor {
	struct nvme_queue q;
	bool done;
	u16 status;
	u16 qid;			/* 0: no pair made */
	bool created;			/* on the controller */
	void *buf;
	struct histogram *lat;
};

struct nvme_floor_run {
	struct nvme_ns *ns;
	const struct blk_floor_params *p;
	unsigned int order;		/* of each buffer */
	struct nvme_floor *f[BLK_FLOOR_MAX_STREAMS];
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

/*
 * A qid below below that the controller granted and no hctx uses (with an
 * MSI-X entry: irq); 0 if none.
 */
static u16 nvme_floor_free_qid(struct nvme_ctrl *c, bool irq, unsigned int below)
{
	unsigned int top = irq ? min(c->max_io_queues, c->max_irq_queues) : c->max_io_queues;

	if (irq && (c->pdev->irq_mode != PCI_IRQ_MSIX || c->nr_vectors < 2))
		return 0;		/* the pair needs an entry no other queue uses */
	for (unsigned int qid = min(top, below - 1); qid >= 1; qid--)
		if (!c->queues[qid].live && !c->queues[qid].users)
			return (u16)qid;
	return 0;
}

/* One stream's commands on its pair. */
static int nvme_floor_stream(void *arg, unsigned int i)
{
	struct nvme_floor_run *r = arg;
	const struct blk_floor_params *p = r->p;
	struct nvme_floor *f = r->f[i];
	struct nvme_queue *fq = &f->q;
	struct nvme_ns *ns = r->ns;
	u32 nlb = p->bs >> ns->lba_shift;
	u64 span = ns->blocks > nlb ? ns->blocks / nlb : 1;
	u64 mean_ns = 0;
	int err = 0;

	for (unsigned int n = 0; n < p->ios; n++) {
		struct nvme_command cmd;
		struct nvme_completion cqe;
		u64 slba = blk_floor_block(p, i, n, span) * nlb;
		u64 start, end, deadline;
		unsigned int turns = 0;

		memset(&cmd, 0, sizeof(cmd));
		cmd.opcode = p->write ? nvme_cmd_write : nvme_cmd_read;
		cmd.command_id = (u16)n;
		cmd.nsid = ns->nsid;
		cmd.prp1 = virt_to_phys(f->buf);
		if (p->bs > PAGE_SIZE)
			cmd.prp2 = virt_to_phys(f->buf) + PAGE_SIZE;
		cmd.cdw10 = (u32)slba;
		cmd.cdw11 = (u32)(slba >> 32);
		cmd.cdw12 = nlb - 1;
		deadline = time_ns() + NVME_FLOOR_TIMEOUT_NS;
		if (p->wait == BLK_FLOOR_IRQ) {
			/* on this CPU from the doorbell to the handler: it halts for the interrupt */
			preempt_disable();
			WRITE_ONCE(f->done, false);
			start = rdtsc();
			nvme_queue_submit(fq, &cmd, true);
			err = blk_floor_irq_wait(&f->done, fq->cpu, deadline);
			cqe.status = f->status;
			end = rdtsc();
			preempt_enable();
			if (err)
				return err;
		} else {
			start = rdtsc();
			nvme_queue_submit(fq, &cmd, true);
			if (p->wait == BLK_FLOOR_HYBRID)
				blk_floor_hybrid_sleep(mean_ns);
			while (!nvme_queue_pop(fq, &cqe)) {
				if (unlikely(blk_floor_spin_expired(&turns, deadline)))
					return -ETIMEDOUT;
			}
			fq->completed++;
			nvme_queue_cq_done(fq);
			end = rdtsc();
		}
		hist_add(f->lat, tsc_to_ns(end - start));
		blk_floor_mean_update(&mean_ns, tsc_to_ns(end - start));
		if (cqe.status >> 1)
			return -EIO;
	}
	return err;
}

/*
 * A pair per stream on qids no hctx uses, made and deleted under the
 * controller's reset lock (no reset or hctx rebuild can claim a qid
 * meanwhile); with wait=irq each with its qid's MSI-X entry aimed at the
 * stream's CPU, cleared before the pair is freed.
 */
static int nvme_floor_run(struct gendisk *disk, const struct blk_floor_params *p,
			  struct histogram *lat, const char **how)
{
	struct nvme_ns *ns = disk->private_data;
	struct nvme_ctrl *c = ns->ctrl;
	bool irq = p->wait == BLK_FLOOR_IRQ;
	unsigned int n = p->streams ? p->streams : 1, below = 0xffff;
	struct nvme_floor_run *r;
	int err = 0;

	if (p->bs < (1u << ns->lba_shift) || p->bs > 2 * PAGE_SIZE || p->bs % (1u << ns->lba_shift))
		return -EINVAL;
	r = kzalloc(sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->ns = ns;
	r->p = p;
	r->order = page_order(p->bs);
	mutex_lock(&c->reset_lock);
	for (unsigned int i = 0; !err && i < n; i++) {
		struct nvme_floor *f = kzalloc(sizeof(*f));
		/* one stream: the CPU the caller is on; several: each its own */
		unsigned int cpu = n == 1 ? this_cpu_id() : p->cpus[i];

		r->f[i] = f;
		if (!f || !(f->buf = page_zalloc(r->order))) {
			err = -ENOMEM;
			break;
		}
		f->lat = &lat[i];
		if (c->state != NVME_CTRL_LIVE) {
			err = -EBUSY;
			break;
		}
		f->qid = nvme_floor_free_qid(c, irq, below);
		if (!f->qid) {
			err = -EBUSY;	/* every granted pair (with a vector) is in use */
			break;
		}
		below = f->qid;
		err = nvme_queue_alloc(c, &f->q, f->qid, NVME_FLOOR_DEPTH, nvme_floor_complete);
		if (err) {
			f->qid = 0;
			break;
		}
		err = nvme_create_io_queue(&f->q, !irq, irq ? (int)f->qid : -1, irq ? (int)cpu : -1);
		f->created = !err;
	}
	if (!err)
		err = blk_floor_run_streams(p, nvme_floor_stream, r);
	for (unsigned int i = 0; i < n; i++) {
		struct nvme_floor *f = r->f[i];

		if (!f)
			continue;
		/* deleting the SQ aborts a command still out: buf is ours again after it */
		if (f->created)
			nvme_delete_io_queue(&f->q);
		if (f->qid) {
			/* no handler may be left pointing at the pair, which goes now */
			if (irq)
				pci_irq_clear_vector(c->pdev, f->qid);
			nvme_queue_free(&f->q);
		}
		if (f->buf)
			page_free(f->buf, r->order);
		kfree(f);
	}
	mutex_unlock(&c->reset_lock);
	kfree(r);
	*how = irq ? "a queue pair of its own, its interrupt, the CPU halted"
		   : "a queue pair of its own, polled, no interrupt";
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
