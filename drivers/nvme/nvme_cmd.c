/*
 * Building NVMe commands (1.4 figure 105 and the command sections it names):
 * the I/O command for a block request, with its data pointer, and the admin
 * commands the driver sends. Nothing here touches a queue or the device:
 * callers submit what these fill in (nvme_queue.c, nvme_admin.c).
 *
 * Data pointers: PRPs by default (the queue limits carry the PRP rule as
 * virt_boundary_mask = page size - 1), an SGL when the controller has them
 * and the request's segments average at least nvme_sgl_threshold bytes (a
 * descriptor per segment instead of an entry per page). Each tag owns its
 * PRP list pages (nvme_mq.c), so no command allocates.
 */
#include "drivers/nvme/nvme.h"
#include "block/blkdev.h"
#include "kernel/cmdline.h"
#include "lib/errno.h"
#include "lib/parse.h"
#include "lib/string.h"

/* `nvme_sgl_threshold=BYTES`: SGLs when segments average at least this; 0 never */
static u64 nvme_sgl_threshold = 32 * 1024;

static int nvme_sgl_option(const char *value)
{
	return parse_size(value, &nvme_sgl_threshold);
}
CMDLINE_OPTION("nvme_sgl_threshold", nvme_sgl_option,
	       "use SGLs for requests whose segments average this many bytes (default 32k, 0 never)");

/* --- I/O commands (NVM command set 1.4 6) --- */

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

int nvme_setup_rq(struct nvme_ns *ns, struct request *rq, struct nvme_iod *iod)
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

void nvme_setup_flush(struct nvme_command *cmd, u32 nsid)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->opcode = nvme_cmd_flush;
	cmd->nsid = nsid;
}

/* --- admin commands (1.4 5) --- */

void nvme_setup_identify(struct nvme_command *cmd, u32 nsid, u8 cns)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->opcode = nvme_admin_identify;
	cmd->nsid = nsid;
	cmd->cdw10 = cns;
}

void nvme_setup_get_log(struct nvme_command *cmd, u32 nsid, u8 lid, size_t len)
{
	u32 dwords = (u32)(len / 4) - 1;

	memset(cmd, 0, sizeof(*cmd));
	cmd->opcode = nvme_admin_get_log_page;
	cmd->nsid = nsid;
	cmd->cdw10 = lid | ((dwords & 0xffff) << 16);
	cmd->cdw11 = dwords >> 16;
}

void nvme_setup_set_queue_count(struct nvme_command *cmd, unsigned int wanted)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->opcode = nvme_admin_set_features;
	cmd->cdw10 = NVME_FEAT_NUM_QUEUES;
	cmd->cdw11 = ((wanted - 1) << 16) | (wanted - 1);
}

void nvme_setup_dbbuf_config(struct nvme_command *cmd, u64 db_phys, u64 ei_phys)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->opcode = nvme_admin_dbbuf_config;
	cmd->prp1 = db_phys;
	cmd->prp2 = ei_phys;
}

void nvme_setup_create_cq(struct nvme_command *cmd, const struct nvme_queue *q, int msix_entry)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->opcode = nvme_admin_create_cq;
	cmd->prp1 = q->cq_phys;
	cmd->cdw10 = ((u32)(q->depth - 1) << 16) | q->qid;
	cmd->cdw11 = NVME_QUEUE_PHYS_CONTIG;
	if (msix_entry >= 0)
		cmd->cdw11 |= NVME_CQ_IRQ_ENABLED | ((u32)msix_entry << NVME_CQ_IV_SHIFT);
}

void nvme_setup_create_sq(struct nvme_command *cmd, const struct nvme_queue *q)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->opcode = nvme_admin_create_sq;
	cmd->prp1 = q->sq_phys;
	cmd->cdw10 = ((u32)(q->depth - 1) << 16) | q->qid;
	cmd->cdw11 = ((u32)q->qid << NVME_SQ_CQID_SHIFT) | NVME_SQ_PRIO_MEDIUM |
		     NVME_QUEUE_PHYS_CONTIG;
}

void nvme_setup_delete_queue(struct nvme_command *cmd, u8 opcode, u16 qid)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->opcode = opcode;
	cmd->cdw10 = qid;
}

void nvme_setup_abort(struct nvme_command *cmd, u16 sqid, u16 cid)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->opcode = nvme_admin_abort;
	cmd->cdw10 = ((u32)cid << 16) | sqid;
}
