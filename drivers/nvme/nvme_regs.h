/*
 * NVMe hardware definitions: controller registers, submission and completion
 * queue entries, the admin and NVM command set opcodes, the Identify and log
 * page layouts the driver reads, and the status codes. Section numbers are
 * those of the NVM Express Base Specification 1.4 ("1.4 3.1.5"); where 2.0
 * moved a definition elsewhere its number follows ("2.0 3.1.3.5").
 *
 * Only definitions live here: the driver's logic is in nvme*.c.
 */
#ifndef DRIVERS_NVME_NVME_REGS_H
#define DRIVERS_NVME_NVME_REGS_H

#include "lib/types.h"

/* --- controller registers (1.4 3.1, 2.0 3.1.3) in BAR0 ------------------- */
#define NVME_REG_CAP	0x00	/* Controller Capabilities, 64-bit */
#define NVME_REG_VS	0x08	/* Version */
#define NVME_REG_INTMS	0x0c	/* Interrupt Mask Set (INTx/MSI only) */
#define NVME_REG_INTMC	0x10	/* Interrupt Mask Clear */
#define NVME_REG_CC	0x14	/* Controller Configuration */
#define NVME_REG_CSTS	0x1c	/* Controller Status */
#define NVME_REG_NSSR	0x20	/* NVM Subsystem Reset */
#define NVME_REG_AQA	0x24	/* Admin Queue Attributes */
#define NVME_REG_ASQ	0x28	/* Admin Submission Queue base, 64-bit */
#define NVME_REG_ACQ	0x30	/* Admin Completion Queue base, 64-bit */
#define NVME_REG_DBS	0x1000	/* first doorbell (1.4 3.1.24, 3.1.25) */

/* CAP (1.4 3.1.1) */
#define NVME_CAP_MQES(cap)	((u32)((cap) & 0xffff))		/* max queue entries, 0's based */
#define NVME_CAP_CQR(cap)	(((cap) >> 16) & 1)		/* queues must be contiguous */
#define NVME_CAP_TO(cap)	((u32)(((cap) >> 24) & 0xff))	/* ready timeout, 500 ms units */
#define NVME_CAP_DSTRD(cap)	((u32)(((cap) >> 32) & 0xf))	/* doorbell stride 4 << DSTRD */
#define NVME_CAP_NSSRS(cap)	(((cap) >> 36) & 1)		/* NVM subsystem reset */
#define NVME_CAP_CSS(cap)	((u32)(((cap) >> 37) & 0xff))	/* command sets supported */
#define NVME_CAP_BPS(cap)	(((cap) >> 45) & 1)		/* boot partitions */
#define NVME_CAP_MPSMIN(cap)	((u32)(((cap) >> 48) & 0xf))	/* page size 2^(12 + MPSMIN) */
#define NVME_CAP_MPSMAX(cap)	((u32)(((cap) >> 52) & 0xf))
#define NVME_CAP_PMRS(cap)	(((cap) >> 56) & 1)
#define NVME_CAP_CMBS(cap)	(((cap) >> 57) & 1)
#define NVME_CAP_CSS_NVM	BIT(0)				/* the NVM command set */
#define NVME_CAP_CSS_ONLY_ADMIN	BIT(7)				/* no I/O command set */

/* CC (1.4 3.1.5) */
#define NVME_CC_EN		BIT(0)
#define NVME_CC_CSS_NVM		(0U << 4)
#define NVME_CC_MPS_SHIFT	7		/* page size 2^(12 + MPS) */
#define NVME_CC_AMS_RR		(0U << 11)	/* round robin arbitration */
#define NVME_CC_SHN_MASK	(3U << 14)
#define NVME_CC_SHN_NORMAL	(1U << 14)
#define NVME_CC_SHN_ABRUPT	(2U << 14)
#define NVME_CC_IOSQES		(6U << 16)	/* 2^6 = 64-byte submission entries */
#define NVME_CC_IOCQES		(4U << 20)	/* 2^4 = 16-byte completion entries */

/* CSTS (1.4 3.1.6) */
#define NVME_CSTS_RDY		BIT(0)
#define NVME_CSTS_CFS		BIT(1)		/* controller fatal status */
#define NVME_CSTS_SHST_MASK	(3U << 2)
#define NVME_CSTS_SHST_OCCUR	(1U << 2)	/* shutdown processing */
#define NVME_CSTS_SHST_CMPLT	(2U << 2)	/* shutdown complete */
#define NVME_CSTS_NSSRO		BIT(4)
#define NVME_CSTS_PP		BIT(5)		/* processing paused */

/* VS (1.4 3.1.2) */
#define NVME_VS(major, minor)	(((major) << 16) | ((minor) << 8))
#define NVME_VS_MAJOR(vs)	((vs) >> 16)
#define NVME_VS_MINOR(vs)	(((vs) >> 8) & 0xff)
#define NVME_VS_TERTIARY(vs)	((vs) & 0xff)

/* shutdown notification processing bound when RTD3E says nothing (ms) */
#define NVME_SHUTDOWN_TIMEOUT_MS	5000

/* --- submission queue entry (1.4 4.2) -------------------------------------- */
/* CDW0 PSDT field (1.4 4.2, Figure 105): how the data pointer is described */
#define NVME_CMD_PSDT_PRP	(0U << 6)
#define NVME_CMD_PSDT_SGL_MPTR	(1U << 6)	/* SGL for data, metadata a buffer */

/* An SGL descriptor (1.4 4.4, Figure 113): 16 bytes. */
struct nvme_sgl_desc {
	u64 addr;
	u32 length;
	u8 rsvd[3];
	u8 type;		/* descriptor type << 4 | subtype */
} __packed;
#define NVME_SGL_TYPE_DATA_BLOCK	(0x0 << 4)
#define NVME_SGL_TYPE_SEGMENT		(0x2 << 4)
#define NVME_SGL_TYPE_LAST_SEGMENT	(0x3 << 4)

/*
 * A command: 64 bytes. The generic layout (CDW0, NSID, MPTR, DPTR, CDW10-15)
 * is enough for every command the driver sends; the fields of CDW10-15 are
 * filled by the helpers in nvme_cmd.h-style builders of the caller.
 */
struct nvme_command {
	u8 opcode;
	u8 flags;		/* FUSE (bits 1:0), PSDT (bits 7:6) */
	u16 command_id;
	u32 nsid;
	u32 cdw2, cdw3;
	u64 metadata;
	union {
		struct {
			u64 prp1;
			u64 prp2;
		};
		struct nvme_sgl_desc sgl;
	};
	u32 cdw10, cdw11, cdw12, cdw13, cdw14, cdw15;
} __packed;
STATIC_ASSERT(sizeof(struct nvme_command) == 64);

/* --- completion queue entry (1.4 4.6) --------------------------------------- */
struct nvme_completion {
	u32 result;		/* DW0: command specific */
	u32 rsvd;
	u16 sq_head;		/* how far the controller consumed the SQ */
	u16 sq_id;
	u16 command_id;
	u16 status;		/* bit 0 phase tag, bits 15:1 the status field */
} __packed;
STATIC_ASSERT(sizeof(struct nvme_completion) == 16);

/*
 * The status field (1.4 4.6.1, Figure 126) as the driver keeps it: the CQE's
 * status word shifted right by one (no phase bit).
 */
#define NVME_STATUS_SC(s)	((s) & 0xff)		/* status code */
#define NVME_STATUS_SCT(s)	(((s) >> 8) & 0x7)	/* status code type */
#define NVME_STATUS_CRD(s)	(((s) >> 11) & 0x3)	/* command retry delay */
#define NVME_STATUS_MORE	BIT(13)			/* more in the error log */
#define NVME_STATUS_DNR		BIT(14)			/* do not retry */
#define NVME_STATUS(sct, sc)	((u16)(((sct) << 8) | (sc)))

/* status code types (1.4 4.6.1.2) */
enum nvme_sct {
	NVME_SCT_GENERIC = 0,
	NVME_SCT_COMMAND_SPECIFIC = 1,
	NVME_SCT_MEDIA = 2,
	NVME_SCT_PATH = 3,
	NVME_SCT_VENDOR = 7,
};

/* generic command status (1.4 4.6.1.2.1, Figures 128 and 129) */
enum {
	NVME_SC_SUCCESS			= 0x00,
	NVME_SC_INVALID_OPCODE		= 0x01,
	NVME_SC_INVALID_FIELD		= 0x02,
	NVME_SC_CMDID_CONFLICT		= 0x03,
	NVME_SC_DATA_XFER_ERROR		= 0x04,
	NVME_SC_POWER_LOSS		= 0x05,
	NVME_SC_INTERNAL		= 0x06,
	NVME_SC_ABORT_REQ		= 0x07,
	NVME_SC_ABORT_QUEUE		= 0x08,
	NVME_SC_FUSED_FAIL		= 0x09,
	NVME_SC_FUSED_MISSING		= 0x0a,
	NVME_SC_INVALID_NS		= 0x0b,
	NVME_SC_CMD_SEQ_ERROR		= 0x0c,
	NVME_SC_SGL_INVALID_LAST	= 0x0d,
	NVME_SC_SGL_INVALID_COUNT	= 0x0e,
	NVME_SC_SGL_INVALID_DATA	= 0x0f,
	NVME_SC_SGL_INVALID_METADATA	= 0x10,
	NVME_SC_SGL_INVALID_TYPE	= 0x11,
	NVME_SC_CMB_INVALID_USE		= 0x12,
	NVME_SC_PRP_INVALID_OFFSET	= 0x13,
	NVME_SC_ATOMIC_WU_EXCEEDED	= 0x14,
	NVME_SC_OP_DENIED		= 0x15,
	NVME_SC_SGL_INVALID_OFFSET	= 0x16,
	NVME_SC_HOST_ID_INCONSIST	= 0x18,
	NVME_SC_KA_TIMEOUT_EXPIRED	= 0x19,
	NVME_SC_KA_TIMEOUT_INVALID	= 0x1a,
	NVME_SC_ABORTED_PREEMPT_ABORT	= 0x1b,
	NVME_SC_SANITIZE_FAILED		= 0x1c,
	NVME_SC_SANITIZE_IN_PROGRESS	= 0x1d,
	NVME_SC_SGL_INVALID_GRANULARITY	= 0x1e,
	NVME_SC_CMD_NOT_SUP_CMB_QUEUE	= 0x1f,
	NVME_SC_NS_WRITE_PROTECTED	= 0x20,
	NVME_SC_CMD_INTERRUPTED		= 0x21,
	NVME_SC_TRANSIENT_TR_ERR	= 0x22,
	/* NVM command set (1.4 4.6.1.2.1, Figure 129) */
	NVME_SC_LBA_RANGE		= 0x80,
	NVME_SC_CAP_EXCEEDED		= 0x81,
	NVME_SC_NS_NOT_READY		= 0x82,
	NVME_SC_RESERVATION_CONFLICT	= 0x83,
	NVME_SC_FORMAT_IN_PROGRESS	= 0x84,
};

/* command specific status (1.4 4.6.1.2.2, Figures 130-131) */
enum {
	NVME_SC_CQ_INVALID		= 0x00,
	NVME_SC_QID_INVALID		= 0x01,
	NVME_SC_QUEUE_SIZE		= 0x02,
	NVME_SC_ABORT_LIMIT		= 0x03,
	NVME_SC_AER_LIMIT		= 0x05,
	NVME_SC_FW_SLOT_INVALID		= 0x06,
	NVME_SC_FW_IMAGE_INVALID	= 0x07,
	NVME_SC_IV_INVALID		= 0x08,
	NVME_SC_LOG_PAGE_INVALID	= 0x09,
	NVME_SC_FORMAT_INVALID		= 0x0a,
	NVME_SC_FW_NEEDS_CONV_RESET	= 0x0b,
	NVME_SC_QUEUE_DELETION_INVALID	= 0x0c,
	NVME_SC_FEATURE_NOT_SAVEABLE	= 0x0d,
	NVME_SC_FEATURE_NOT_CHANGEABLE	= 0x0e,
	NVME_SC_FEATURE_NOT_PER_NS	= 0x0f,
	NVME_SC_FW_NEEDS_SUBSYS_RESET	= 0x10,
	NVME_SC_FW_NEEDS_RESET		= 0x11,
	NVME_SC_FW_NEEDS_MAX_TIME	= 0x12,
	NVME_SC_FW_ACTIVATION_PROHIBITED = 0x13,
	NVME_SC_OVERLAPPING_RANGE	= 0x14,
	NVME_SC_NS_INSUFFICIENT_CAP	= 0x15,
	NVME_SC_NS_ID_UNAVAILABLE	= 0x16,
	NVME_SC_NS_ALREADY_ATTACHED	= 0x18,
	NVME_SC_NS_IS_PRIVATE		= 0x19,
	NVME_SC_NS_NOT_ATTACHED		= 0x1a,
	NVME_SC_THIN_PROV_NOT_SUPP	= 0x1b,
	NVME_SC_CTRL_LIST_INVALID	= 0x1c,
	NVME_SC_SELF_TEST_IN_PROGRESS	= 0x1d,
	NVME_SC_BP_WRITE_PROHIBITED	= 0x1e,
	NVME_SC_CTRL_ID_INVALID		= 0x1f,
	NVME_SC_SEC_CTRL_STATE_INVALID	= 0x20,
	NVME_SC_CTRL_RES_NUM_INVALID	= 0x21,
	NVME_SC_RES_ID_INVALID		= 0x22,
	NVME_SC_PMR_SAN_PROHIBITED	= 0x23,
	NVME_SC_ANA_GROUP_ID_INVALID	= 0x24,
	NVME_SC_ANA_ATTACH_FAILED	= 0x25,
	/* NVM command set (Figure 131) */
	NVME_SC_CONFLICTING_ATTRS	= 0x80,
	NVME_SC_INVALID_PI		= 0x81,
	NVME_SC_READ_ONLY		= 0x82,
};

/* media and data integrity errors (1.4 4.6.1.2.3, Figure 132) */
enum {
	NVME_SC_WRITE_FAULT		= 0x80,
	NVME_SC_READ_ERROR		= 0x81,
	NVME_SC_GUARD_CHECK		= 0x82,
	NVME_SC_APPTAG_CHECK		= 0x83,
	NVME_SC_REFTAG_CHECK		= 0x84,
	NVME_SC_COMPARE_FAILED		= 0x85,
	NVME_SC_ACCESS_DENIED		= 0x86,
	NVME_SC_UNWRITTEN_BLOCK		= 0x87,
};

/* path related status (1.4 4.6.1.2.4, Figure 133) */
enum {
	NVME_SC_INTERNAL_PATH_ERROR	= 0x00,
	NVME_SC_ANA_PERSISTENT_LOSS	= 0x01,
	NVME_SC_ANA_INACCESSIBLE	= 0x02,
	NVME_SC_ANA_TRANSITION		= 0x03,
	NVME_SC_CTRL_PATH_ERROR		= 0x60,
	NVME_SC_HOST_PATH_ERROR		= 0x70,
	NVME_SC_HOST_ABORTED_CMD	= 0x71,
};

/* --- admin commands (1.4 5, Figure 139) ----------------------------------- */
enum nvme_admin_opcode {
	nvme_admin_delete_sq		= 0x00,
	nvme_admin_create_sq		= 0x01,
	nvme_admin_get_log_page		= 0x02,
	nvme_admin_delete_cq		= 0x04,
	nvme_admin_create_cq		= 0x05,
	nvme_admin_identify		= 0x06,
	nvme_admin_abort		= 0x08,
	nvme_admin_set_features		= 0x09,
	nvme_admin_get_features		= 0x0a,
	nvme_admin_async_event		= 0x0c,
	nvme_admin_dbbuf_config		= 0x7c,
};

/* Create I/O CQ (1.4 5.3) CDW11, Create I/O SQ (1.4 5.4) CDW11 */
#define NVME_QUEUE_PHYS_CONTIG	BIT(0)
#define NVME_CQ_IRQ_ENABLED	BIT(1)
#define NVME_CQ_IV_SHIFT	16
#define NVME_SQ_PRIO_MEDIUM	(2U << 1)
#define NVME_SQ_CQID_SHIFT	16

/* Abort (1.4 5.1) CDW10: SQID bits 15:0, CID bits 31:16; DW0 bit 0 set: not aborted */
#define NVME_ABORT_NOT_ABORTED	BIT(0)

/* Identify CNS values (1.4 5.15.1, Figure 244) */
enum {
	NVME_ID_CNS_NS			= 0x00,
	NVME_ID_CNS_CTRL		= 0x01,
	NVME_ID_CNS_NS_ACTIVE_LIST	= 0x02,
};

/* Feature identifiers (1.4 5.21.1, Figure 271) */
enum {
	NVME_FEAT_ARBITRATION		= 0x01,
	NVME_FEAT_POWER_MGMT		= 0x02,
	NVME_FEAT_TEMP_THRESH		= 0x04,
	NVME_FEAT_VOLATILE_WC		= 0x06,
	NVME_FEAT_NUM_QUEUES		= 0x07,	/* 1.4 5.21.1.7 */
	NVME_FEAT_IRQ_COALESCE		= 0x08,
};

/* Log page identifiers (1.4 5.14.1, Figure 191) */
enum {
	NVME_LOG_ERROR			= 0x01,
	NVME_LOG_SMART			= 0x02,
	NVME_LOG_FW_SLOT		= 0x03,
};

/* --- NVM command set I/O commands (1.4 6, Figure 346) -------------------- */
enum nvme_io_opcode {
	nvme_cmd_flush			= 0x00,
	nvme_cmd_write			= 0x01,
	nvme_cmd_read			= 0x02,
	nvme_cmd_write_zeroes		= 0x08,
	nvme_cmd_dsm			= 0x09,
};

/* Read/Write CDW12 (1.4 6.9, 6.15): NLB 0's based in bits 15:0 */
#define NVME_RW_FUA		BIT(30)
#define NVME_RW_LR		BIT(31)
/* Write Zeroes CDW12 (1.4 6.16): deallocate as well */
#define NVME_WZ_DEAC		BIT(25)
/* Dataset Management CDW11 (1.4 6.7): attribute deallocate */
#define NVME_DSMGMT_AD		BIT(2)

/* a Dataset Management range (1.4 6.7, Figure 364) */
struct nvme_dsm_range {
	u32 cattr;
	u32 nlb;		/* not 0's based */
	u64 slba;
} __packed;
STATIC_ASSERT(sizeof(struct nvme_dsm_range) == 16);

/* --- Identify Controller data structure (1.4 5.15.2.1, Figure 247) -------- */
struct nvme_id_power_state {
	u16 max_power;		/* centiwatts */
	u8 rsvd2;
	u8 flags;
	u32 entry_lat, exit_lat;
	u8 read_tput, read_lat, write_tput, write_lat;
	u16 idle_power;
	u8 idle_scale;
	u8 rsvd19;
	u16 active_power;
	u8 active_work_scale;
	u8 rsvd23[9];
} __packed;

struct nvme_id_ctrl {
	u16 vid;		/* 0 */
	u16 ssvid;
	char sn[20];		/* 4: serial number, ASCII, space padded */
	char mn[40];		/* 24: model number */
	char fr[8];		/* 64: firmware revision */
	u8 rab;			/* 72 */
	u8 ieee[3];
	u8 cmic;		/* 76 */
	u8 mdts;		/* 77: max transfer 2^mdts minimum pages; 0 unlimited */
	u16 cntlid;		/* 78 */
	u32 ver;		/* 80 */
	u32 rtd3r;		/* 84 */
	u32 rtd3e;		/* 88: resume latency from D3, us; the shutdown bound */
	u32 oaes;		/* 92 */
	u32 ctratt;		/* 96 */
	u16 rrls;		/* 100 */
	u8 rsvd102[9];
	u8 cntrltype;		/* 111 */
	u8 fguid[16];		/* 112 */
	u16 crdt1, crdt2, crdt3;	/* 128 */
	u8 rsvd134[122];
	u16 oacs;		/* 256: optional admin command support */
	u8 acl;			/* 258: abort command limit, 0's based */
	u8 aerl;
	u8 frmw;		/* 260 */
	u8 lpa;
	u8 elpe;
	u8 npss;
	u8 avscc;		/* 264 */
	u8 apsta;
	u16 wctemp;		/* 266: warning composite temperature, kelvin */
	u16 cctemp;		/* 268: critical */
	u16 mtfa;
	u32 hmpre;		/* 272 */
	u32 hmmin;
	u8 tnvmcap[16];		/* 280 */
	u8 unvmcap[16];		/* 296 */
	u32 rpmbs;		/* 312 */
	u16 edstt;
	u8 dsto;
	u8 fwug;
	u16 kas;		/* 320 */
	u16 hctma;
	u16 mntmt;
	u16 mxtmt;
	u32 sanicap;		/* 328 */
	u32 hmminds;
	u16 hmmaxd;
	u16 nsetidmax;
	u16 endgidmax;		/* 340 */
	u8 anatt;
	u8 anacap;
	u32 anagrpmax;		/* 344 */
	u32 nanagrpid;
	u32 pels;		/* 352 */
	u8 rsvd356[156];
	u8 sqes;		/* 512: required/max SQ entry size, log2 */
	u8 cqes;		/* 513 */
	u16 maxcmd;		/* 514 */
	u32 nn;			/* 516: number of namespaces */
	u16 oncs;		/* 520: optional NVM command support */
	u16 fuses;
	u8 fna;			/* 524 */
	u8 vwc;			/* 525: volatile write cache */
	u16 awun;		/* 526 */
	u16 awupf;		/* 528 */
	u8 nvscc;		/* 530 */
	u8 nwpc;
	u16 acwu;		/* 532 */
	u16 rsvd534;
	u32 sgls;		/* 536: SGL support */
	u32 mnan;		/* 540 */
	u8 rsvd544[224];
	char subnqn[256];	/* 768 */
	u8 rsvd1024[768];
	u8 nvmf[256];		/* 1792: fabrics */
	struct nvme_id_power_state psd[32];	/* 2048 */
	u8 vs[1024];		/* 3072 */
} __packed;
STATIC_ASSERT(sizeof(struct nvme_id_ctrl) == 4096);
STATIC_ASSERT(__builtin_offsetof(struct nvme_id_ctrl, oacs) == 256);
STATIC_ASSERT(__builtin_offsetof(struct nvme_id_ctrl, sqes) == 512);
STATIC_ASSERT(__builtin_offsetof(struct nvme_id_ctrl, sgls) == 536);
STATIC_ASSERT(__builtin_offsetof(struct nvme_id_ctrl, subnqn) == 768);

/* OACS bits (Figure 247) */
#define NVME_CTRL_OACS_SEC_SUPP		BIT(0)
#define NVME_CTRL_OACS_FORMAT		BIT(1)
#define NVME_CTRL_OACS_FW		BIT(2)
#define NVME_CTRL_OACS_NS_MNGT		BIT(3)
#define NVME_CTRL_OACS_SELF_TEST	BIT(4)
#define NVME_CTRL_OACS_DIRECTIVES	BIT(5)
#define NVME_CTRL_OACS_NVME_MI		BIT(6)
#define NVME_CTRL_OACS_VIRT_MGMT	BIT(7)
#define NVME_CTRL_OACS_DBBUF		BIT(8)	/* Doorbell Buffer Config */
#define NVME_CTRL_OACS_LBA_STATUS	BIT(9)
/* ONCS bits */
#define NVME_CTRL_ONCS_COMPARE		BIT(0)
#define NVME_CTRL_ONCS_WRITE_UNCORR	BIT(1)
#define NVME_CTRL_ONCS_DSM		BIT(2)
#define NVME_CTRL_ONCS_WRITE_ZEROES	BIT(3)
#define NVME_CTRL_ONCS_FEATURES_SAVE	BIT(4)
#define NVME_CTRL_ONCS_RESERVATIONS	BIT(5)
#define NVME_CTRL_ONCS_TIMESTAMP	BIT(6)
#define NVME_CTRL_ONCS_VERIFY		BIT(7)
/* VWC bit 0: a volatile write cache is present */
#define NVME_CTRL_VWC_PRESENT		BIT(0)
/* SGLS bits 1:0: 01b SGLs supported, no alignment rule; 10b dword aligned */
#define NVME_CTRL_SGLS_MASK		0x3

/* --- Identify Namespace data structure (1.4 5.15.2.2 / 6, Figure 245) ---- */
struct nvme_lbaf {
	u16 ms;			/* metadata bytes per block */
	u8 ds;			/* data size, log2 */
	u8 rp;			/* relative performance, bits 1:0 */
} __packed;

struct nvme_id_ns {
	u64 nsze;		/* 0: size in blocks */
	u64 ncap;		/* 8 */
	u64 nuse;		/* 16 */
	u8 nsfeat;		/* 24 */
	u8 nlbaf;		/* 25: number of LBA formats, 0's based */
	u8 flbas;		/* 26: format in use, bits 3:0 (and 6:5 in 2.0) */
	u8 mc;
	u8 dpc;			/* 28 */
	u8 dps;
	u8 nmic;
	u8 rescap;
	u8 fpi;			/* 32 */
	u8 dlfeat;
	u16 nawun;		/* 34 */
	u16 nawupf;
	u16 nacwu;
	u16 nabsn;		/* 40 */
	u16 nabo;
	u16 nabspf;
	u16 noiob;		/* 46: optimal I/O boundary, blocks */
	u8 nvmcap[16];		/* 48 */
	u16 npwg;		/* 64: preferred write granularity, 0's based */
	u16 npwa;
	u16 npdg;		/* 68: preferred deallocate granularity */
	u16 npda;
	u16 nows;		/* 72: optimal write size, 0's based */
	u8 rsvd74[18];
	u32 anagrpid;		/* 92 */
	u8 rsvd96[3];
	u8 nsattr;		/* 99 */
	u16 nvmsetid;
	u16 endgid;
	u8 nguid[16];		/* 104 */
	u8 eui64[8];		/* 120 */
	struct nvme_lbaf lbaf[64];	/* 128; 1.4 has 16, 2.0 64 */
	u8 vs[3712];		/* 384 */
} __packed;
STATIC_ASSERT(sizeof(struct nvme_id_ns) == 4096);
STATIC_ASSERT(__builtin_offsetof(struct nvme_id_ns, npwg) == 64);
STATIC_ASSERT(__builtin_offsetof(struct nvme_id_ns, lbaf) == 128);

#define NVME_NS_FEAT_THIN	BIT(0)
#define NVME_NS_FEAT_OPTPERF	BIT(4)	/* NPWG, NPWA, NPDG, NPDA, NOWS are valid */
#define NVME_NS_FLBAS_LBA_MASK	0xf
#define NVME_NS_FLBAS_META_EXT	BIT(4)	/* metadata at the end of each block */
#define NVME_NS_DLFEAT_WZ	BIT(3)	/* Write Zeroes deallocates */

/* --- SMART / Health Information log page (1.4 5.14.1.2, Figure 196) ------- */
struct nvme_smart_log {
	u8 critical_warning;	/* 0 */
	u8 temperature[2];	/* 1: composite temperature, kelvin, little endian */
	u8 avail_spare;		/* 3: percent */
	u8 spare_thresh;
	u8 percent_used;	/* 5 */
	u8 endu_grp_crit_warn;
	u8 rsvd7[25];
	u8 data_units_read[16];	/* 32: units of 1000 512-byte blocks */
	u8 data_units_written[16];
	u8 host_reads[16];	/* 64: commands */
	u8 host_writes[16];
	u8 ctrl_busy_time[16];	/* 96: minutes */
	u8 power_cycles[16];
	u8 power_on_hours[16];	/* 128 */
	u8 unsafe_shutdowns[16];
	u8 media_errors[16];	/* 160 */
	u8 num_err_log_entries[16];
	u32 warning_temp_time;	/* 192: minutes */
	u32 critical_comp_time;
	u16 temp_sensor[8];	/* 200 */
	u32 thm_temp1_trans_count;	/* 216 */
	u32 thm_temp2_trans_count;
	u32 thm_temp1_total_time;
	u32 thm_temp2_total_time;
	u8 rsvd232[280];
} __packed;
STATIC_ASSERT(sizeof(struct nvme_smart_log) == 512);
STATIC_ASSERT(__builtin_offsetof(struct nvme_smart_log, media_errors) == 160);

#endif
