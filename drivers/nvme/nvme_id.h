/*
 * What the controller tells the driver about itself, decoded: the CAP
 * register, Identify Controller, Identify Namespace, the granted queue count
 * of Set Features (Number of Queues), and the ASCII fields of Identify.
 * Pure code (drivers/nvme/nvme_id.c), tested on the host and fuzzed
 * (tests/fuzz/drivers/nvme/fuzz_nvme_id.c): all of it is outside input, and
 * a controller that reports nonsense must get a refusal, never a shift past
 * the width of a type or a size that wraps.
 */
#ifndef DRIVERS_NVME_NVME_ID_H
#define DRIVERS_NVME_NVME_ID_H

#include "lib/types.h"
#include "drivers/nvme/nvme_regs.h"

#define NVME_MAX_TRANSFER	(2U << 20)	/* cap when MDTS says more (or unlimited) */
#define NVME_IO_DEPTH_MAX	256		/* entries per I/O queue: 255 tags */

/* From CAP, for a host whose pages are 2^page_shift bytes. */
struct nvme_cap_info {
	u32 page_size;			/* CC.MPS: the host's page size */
	u32 db_stride;			/* bytes between doorbells */
	u64 ready_timeout_ns;		/* CAP.TO, at least 500 ms */
	u32 io_depth;			/* entries per I/O queue, 2 .. NVME_IO_DEPTH_MAX */
};

/*
 * Decode CAP. Returns 0, or -ENODEV with why set (a static string) when the
 * controller cannot be driven: registers all ones, no NVM command set, a page
 * size range that excludes the host's, queues of fewer than two entries.
 */
int nvme_cap_decode(u64 cap, unsigned int page_shift, struct nvme_cap_info *out,
		    const char **why);

/* From Identify Controller. */
struct nvme_id_ctrl_info {
	u32 max_transfer;		/* bytes per command, page_size .. NVME_MAX_TRANSFER */
	u32 nn;				/* number of namespaces */
	bool sgl;			/* SGLs for data */
	bool write_zeroes, dsm, vwc;
	bool dbbuf;			/* Doorbell Buffer Config */
};

void nvme_id_ctrl_decode(const struct nvme_id_ctrl *id, u32 page_size,
			 struct nvme_id_ctrl_info *out);

/* From Identify Namespace: what the disk is made of. */
struct nvme_ns_geom {
	u8 lbaf;			/* format in use */
	u8 lba_shift;			/* log2 of the logical block size, 9 .. 16 */
	u64 blocks;			/* NSZE, 1 .. what 512-byte sectors in a u64 can hold */
	u32 phys_block;			/* bytes: preferred write granularity, a power of two */
	u32 opt_io;			/* bytes: optimal write size (NOWS), 0 unknown */
	u32 io_boundary;		/* bytes: NOIOB, 0 none */
};

/*
 * Decode id for a controller moving at most max_transfer bytes per command.
 * Returns 0; -EINVAL (a format beyond those listed, size 0, a size no sector
 * count holds) or -ENOTSUP (metadata, a block size the driver cannot carry)
 * with why filled ("format 5 beyond the 2 it lists").
 */
int nvme_id_ns_decode(const struct nvme_id_ns *id, u32 max_transfer, struct nvme_ns_geom *out,
		      char *why, size_t why_len);

/*
 * Queue pairs granted, from completion dword 0 of Set Features (Number of
 * Queues): the smaller of NSQA and NCQA (both 0's based), at most wanted.
 */
unsigned int nvme_id_queue_count(u32 result, unsigned int wanted);

/*
 * An Identify ASCII field (serial, model, firmware, NQN) as a C string in
 * buf (len + 1 bytes): trailing spaces and NULs dropped, bytes outside
 * printable ASCII shown as '?'. Returns buf.
 */
const char *nvme_id_string(const char *src, size_t len, char *buf);

#endif
