/*
 * Decoding what an NVMe controller reports about itself (see nvme_id.h):
 * the CAP register, Identify Controller and Namespace, the granted queue
 * count. Pure: the driver reads the registers and runs the commands
 * (nvme_ctrl.c, nvme_ns.c) and hands the bytes here, so that the host
 * tests and the fuzzer see exactly the arithmetic the driver does.
 */
#include "drivers/nvme/nvme_id.h"
#include "lib/errno.h"
#include "lib/printf.h"

int nvme_cap_decode(u64 cap, unsigned int page_shift, struct nvme_cap_info *out,
		    const char **why)
{
	u32 mps = page_shift - 12;

	if (cap == ~0ULL) {
		*why = "registers read all ones";
		return -ENODEV;
	}
	if (!(NVME_CAP_CSS(cap) & NVME_CAP_CSS_NVM)) {
		*why = "no NVM command set";
		return -ENODEV;
	}
	if (mps < NVME_CAP_MPSMIN(cap) || mps > NVME_CAP_MPSMAX(cap)) {
		*why = "its page sizes exclude the host's";
		return -ENODEV;
	}
	out->page_size = 1U << (12 + mps);
	out->db_stride = 4U << NVME_CAP_DSTRD(cap);
	out->ready_timeout_ns = (u64)max(NVME_CAP_TO(cap), 1U) * 500 * 1000000;
	out->io_depth = min(NVME_CAP_MQES(cap) + 1, (u32)NVME_IO_DEPTH_MAX);
	if (out->io_depth < 2) {
		*why = "CAP.MQES allows no usable queue";
		return -ENODEV;
	}
	return 0;
}

void nvme_id_ctrl_decode(const struct nvme_id_ctrl *id, u32 page_size,
			 struct nvme_id_ctrl_info *out)
{
	u64 max = NVME_MAX_TRANSFER;

	/* MDTS is a u8: 2^32 pages and more are past the cap anyway (and past a u64 shift) */
	if (id->mdts && id->mdts < 32 && ((u64)page_size << id->mdts) < max)
		max = (u64)page_size << id->mdts;
	out->max_transfer = (u32)max;
	out->nn = id->nn;
	out->sgl = (id->sgls & NVME_CTRL_SGLS_MASK) != 0;
	out->write_zeroes = id->oncs & NVME_CTRL_ONCS_WRITE_ZEROES;
	out->dsm = id->oncs & NVME_CTRL_ONCS_DSM;
	out->vwc = id->vwc & NVME_CTRL_VWC_PRESENT;
	out->dbbuf = id->oacs & NVME_CTRL_OACS_DBBUF;
}

int nvme_id_ns_decode(const struct nvme_id_ns *id, u32 max_transfer, struct nvme_ns_geom *out,
		      char *why, size_t why_len)
{
	unsigned int fmt = id->flbas & NVME_NS_FLBAS_LBA_MASK;
	const struct nvme_lbaf *lbaf;

	if (id->nlbaf >= 16)
		fmt |= (id->flbas >> 1) & 0x30;	/* 2.0: FLBAS bits 6:5 are the upper bits */
	if (fmt > id->nlbaf) {
		snprintf(why, why_len, "format %u beyond the %u it lists", fmt, id->nlbaf + 1);
		return -EINVAL;
	}
	lbaf = &id->lbaf[fmt];
	if (lbaf->ms) {
		snprintf(why, why_len, "LBA format %u has %u bytes of metadata per block, "
			 "which this driver does not support", fmt, lbaf->ms);
		return -ENOTSUP;
	}
	if (lbaf->ds < 9 || lbaf->ds > 16 || (1U << lbaf->ds) > max_transfer) {
		snprintf(why, why_len, "block size 2^%u unsupported", lbaf->ds);
		return -ENOTSUP;
	}
	if (!id->nsze) {
		snprintf(why, why_len, "size 0");
		return -EINVAL;
	}
	/* the size in bytes must fit a u64: capacity and offsets are computed from it */
	if (id->nsze > ~0ULL >> lbaf->ds) {
		snprintf(why, why_len, "size of %llu blocks of 2^%u bytes overflows",
			 (unsigned long long)id->nsze, lbaf->ds);
		return -EINVAL;
	}
	out->lbaf = (u8)fmt;
	out->lba_shift = lbaf->ds;
	out->blocks = id->nsze;
	out->phys_block = 1U << out->lba_shift;
	out->opt_io = 0;
	if (id->nsfeat & NVME_NS_FEAT_OPTPERF) {
		/* in u64: 65536 blocks of 64 KiB is 2^32, which a u32 wraps to 0 */
		u64 pwg = (u64)(id->npwg + 1U) << out->lba_shift;
		u64 ows = (u64)(id->nows + 1U) << out->lba_shift;

		/* a power of two the block layer can take as physical block size */
		if (!(pwg & (pwg - 1)) && pwg <= 65536)
			out->phys_block = (u32)pwg;
		/* an optimal size no u32 holds is no hint: leave it unknown */
		out->opt_io = ows <= 0xffffffffULL ? (u32)ows : 0;
	}
	out->io_boundary = id->noiob ? (u32)id->noiob << out->lba_shift : 0;
	return 0;
}

unsigned int nvme_id_queue_count(u32 result, unsigned int wanted)
{
	return min(min((result & 0xffff) + 1, (result >> 16) + 1), wanted);
}

const char *nvme_id_string(const char *src, size_t len, char *buf)
{
	size_t n = len;

	while (n && (src[n - 1] == ' ' || src[n - 1] == '\0'))
		n--;
	for (size_t i = 0; i < n; i++)
		buf[i] = src[i] >= ' ' && src[i] <= '~' ? src[i] : '?';
	buf[n] = '\0';
	return buf;
}
