/*
 * The blk-mq side of a SATA disk: one hardware queue whose tags are the
 * port's command slots. Reads and writes go as READ/WRITE FPDMA QUEUED when
 * the disk and HBA do NCQ (the tag is the slot, in the FIS's count field),
 * else as READ/WRITE DMA EXT one at a time; FLUSH CACHE EXT and DATA SET
 * MANAGEMENT (TRIM) are never queued, so they wait for the queue to drain
 * and hold new commands back until they are done (ACS-3 forbids mixing).
 *
 * One doorbell per batch: queue_rq builds the slot's command table and
 * marks the slot pending; the last request of a batch (or commit_rqs)
 * writes PxSACT then PxCI once for all of them (AHCI 1.3.1 5.3.2: SACT
 * before CI for a queued command).
 */
#include "drivers/ahci/ahci.h"
#include "drivers/ahci/ahci_fis.h"
#include "kernel/cmdline.h"
#include "kernel/console/printk.h"
#include "kernel/mm/mm.h"
#include "lib/errno.h"
#include "lib/parse.h"
#include "lib/printf.h"
#include "lib/string.h"

static bool ahci_ncq_enabled = true;

static int ahci_set_ncq(const char *value)
{
	u32 v;
	int err = parse_u32(value, &v);

	if (err || v > 1)
		return -EINVAL;
	ahci_ncq_enabled = v;
	return 0;
}
CMDLINE_OPTION("ahci.ncq", ahci_set_ncq,
	       "1 (default): READ/WRITE FPDMA QUEUED when the disk does NCQ; 0: one command at a time");

/* Write the batch's SACT and CI bits. Port lock held. */
static void ahci_port_ring(struct ahci_port *port)
{
	u32 in_flight;

	if (!port->pending)
		return;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);	/* the tables before the doorbell */
	if (port->pending_ncq)
		ahci_writel(port->regs, AHCI_PxSACT, port->pending_ncq);
	ahci_writel(port->regs, AHCI_PxCI, port->pending);
	port->pending = 0;
	port->pending_ncq = 0;
	in_flight = ahci_slot_count(port->issued);
	if (in_flight > port->max_in_flight)
		port->max_in_flight = in_flight;
}

/* Fill the slot's FIS, PRD table and header for rq; returns 0 or -errno. */
static int ahci_setup_rq(struct ahci_port *port, struct request *rq, bool ncq)
{
	u8 *table = port->tables + (size_t)rq->tag * AHCI_SLOT_BYTES;
	struct fis_reg_h2d *fis = (struct fis_reg_h2d *)(table + AHCI_CT_CFIS);
	struct ahci_prd *prdt = (struct ahci_prd *)(table + AHCI_CT_PRDT);
	u64 lba = rq->sector >> port->lba_shift;
	u32 count = rq->nr_bytes >> (SECTOR_SHIFT + port->lba_shift);
	bool write = false;
	int n = 0;

	switch (rq->op) {
	case REQ_OP_READ:
	case REQ_OP_WRITE:
		write = rq->op == REQ_OP_WRITE;
		n = ahci_prd_fill(prdt, AHCI_SLOT_PRDS, rq->vecs, rq->vcnt, rq->vec_offset,
				  rq->nr_bytes, port->host->addr64);
		if (n < 0)
			return n;
		ahci_fis_rw(fis, write, lba, count, ncq ? rq->tag : -1,
			    write && (rq->flags & REQ_FUA));
		break;
	case REQ_OP_FLUSH:
		ahci_fis_command(fis, port->id.flush_ext ? ATA_CMD_FLUSH_CACHE_EXT : 0xe7, 0, 0, 0);
		fis->device = 0;
		break;
	case REQ_OP_DISCARD: {
		struct bio_vec vec;
		int blocks = ahci_dsm_trim_fill(table + AHCI_SLOT_DSM, 1, lba, count);

		if (blocks < 0)
			return blocks;
		vec = (struct bio_vec){ virt_to_phys(table + AHCI_SLOT_DSM), (u32)blocks * 512 };
		n = ahci_prd_fill(prdt, 1, &vec, 1, 0, vec.len, port->host->addr64);
		if (n < 0)
			return n;
		ahci_fis_command(fis, ATA_CMD_DSM, ATA_DSM_TRIM, 0, (u16)blocks);
		write = true;
		break;
	}
	default:
		return -ENOTSUP;
	}
	ahci_cmd_header_fill(&port->cmd_list[rq->tag], virt_to_phys(table), (unsigned int)n, write);
	return 0;
}

static int ahci_queue_rq(struct blk_mq_hw_ctx *hctx, struct request *rq, bool last)
{
	struct ahci_port *port = hctx->driver_data;
	bool ncq = port->use_ncq && (rq->op == REQ_OP_READ || rq->op == REQ_OP_WRITE);
	u32 bit = 1U << rq->tag;
	unsigned long flags;
	int err;

	if (unlikely(port->state == AHCI_PORT_DEAD))
		return -ENODEV;
	err = ahci_setup_rq(port, rq, ncq);
	if (unlikely(err))
		return err;
	flags = spin_lock_irqsave(&port->lock);
	if (unlikely(port->state != AHCI_PORT_LIVE))
		goto busy;
	if (ncq ? port->drain || (port->issued && !port->ncq_issued) : port->issued != 0) {
		/* queued and non-queued commands never mix: wait for the queue to drain */
		port->drain = true;
		goto busy;
	}
	port->issued |= bit;
	port->ncq_issued = ncq;
	port->rqs[rq->tag] = rq;
	port->pending |= bit;
	if (ncq)
		port->pending_ncq |= bit;
	if (last || !ncq)
		ahci_port_ring(port);
	spin_unlock_irqrestore(&port->lock, flags);
	return 0;

busy:
	ahci_port_ring(port);
	spin_unlock_irqrestore(&port->lock, flags);
	return BLK_STS_RESOURCE;
}

static void ahci_commit_rqs(struct blk_mq_hw_ctx *hctx)
{
	struct ahci_port *port = hctx->driver_data;
	unsigned long flags = spin_lock_irqsave(&port->lock);

	ahci_port_ring(port);
	spin_unlock_irqrestore(&port->lock, flags);
}

static void ahci_complete(struct request *rq)
{
	struct ahci_cmd *cmd = blk_mq_rq_to_pdu(rq);

	blk_mq_end_request(rq, cmd->status);
}

static enum blk_eh_timer_return ahci_timeout(struct request *rq)
{
	struct ahci_port *port = rq->hctx->driver_data;
	unsigned long flags;
	bool held;

	/* maybe it is done and its interrupt was lost */
	flags = spin_lock_irqsave(&port->lock);
	held = port->rqs[rq->tag] == rq;
	spin_unlock_irqrestore(&port->lock, flags);
	if (held && port->state == AHCI_PORT_LIVE)
		ahci_port_reap(port);
	if (__atomic_load_n(&rq->state, __ATOMIC_ACQUIRE) != REQ_STATE_IN_FLIGHT)
		return BLK_EH_DONE;
	port->timeouts++;
	pr_warn("%s: tag %d (op %u, sector %llu) timed out: resetting the port\n",
		port->disk.name, rq->tag, rq->op, (unsigned long long)rq->sector);
	ahci_port_schedule_eh(port, AHCI_EH_TIMEOUT);
	return BLK_EH_RESET_TIMER;
}

static int ahci_init_hctx(struct blk_mq_hw_ctx *hctx, void *driver_data, unsigned int index)
{
	struct ahci_port *port = driver_data;

	(void)index;
	hctx->driver_data = port;
	port->hctx = hctx;
	return 0;
}

static const struct blk_mq_ops ahci_mq_ops = {
	.queue_rq = ahci_queue_rq,
	.commit_rqs = ahci_commit_rqs,
	.complete = ahci_complete,
	.timeout = ahci_timeout,
	.init_hctx = ahci_init_hctx,
};


static void ahci_disk_limits(struct ahci_port *port, struct queue_limits *lim)
{
	const struct ata_id *id = &port->id;

	blk_queue_limits_default(lim);
	lim->logical_block_size = id->logical_size;
	lim->physical_block_size = id->physical_size;
	/* 65536 blocks is what a command counts; 1 MiB keeps a request's latency sane */
	lim->max_sectors = 2048;
	lim->max_segments = AHCI_SLOT_PRDS;
	lim->max_segment_size = AHCI_PRD_MAX_BYTES;
	lim->seg_boundary_mask = 0xffffffffU;
	lim->dma_alignment = 1;		/* PRDs take word-aligned addresses and even counts */
	lim->features = 0;
	if (id->write_cache_enabled) {
		lim->features |= BLK_FEAT_WRITE_CACHE;
		if (port->use_ncq || id->fua)
			lim->features |= BLK_FEAT_FUA;
	}
	if (id->trim)
		lim->max_discard_sectors =
			(u32)(ahci_dsm_trim_max_sectors(1) << port->lba_shift);
}

int ahci_disk_create(struct ahci_port *port)
{
	static unsigned int next_index;
	struct blk_mq_tag_set *set = &port->tag_set;
	struct queue_limits lim;
	int err;

	port->use_ncq = ahci_ncq_enabled && port->id.ncq && (port->host->cap & AHCI_CAP_SNCQ);
	port->depth = port->use_ncq ? min(port->id.queue_depth, port->host->nr_slots) : 1;
	port->lba_shift = (unsigned int)__builtin_ctz(port->id.logical_size >> SECTOR_SHIFT);
	disk_name_letters(port->disk.name, sizeof(port->disk.name), "sd", next_index++);

	memset(set, 0, sizeof(*set));
	set->ops = &ahci_mq_ops;
	set->nr_hw_queues = 1;
	set->queue_depth = port->depth;
	set->cmd_size = sizeof(struct ahci_cmd);
	set->driver_data = port;
	ahci_disk_limits(port, &lim);
	port->disk.driver = "ahci";
	port->disk.capacity = port->id.sectors << port->lba_shift;
	port->disk.private_data = port;
	/* the handler runs first: registering the disk reads the partition table */
	err = ahci_port_start_eh(port);
	if (err)
		return err;
	port->state = AHCI_PORT_LIVE;
	err = blk_mq_create_disk(&port->disk, set, &lim, port, BLK_DISK_OWN_TAG_SET);
	if (err) {
		port->state = AHCI_PORT_DEAD;
		ahci_port_stop_eh(port);
		return err;
	}
	return 0;
}
