/*
 * Data pointers of NVMe commands: PRP entries and lists (1.4 4.3) and SGL
 * descriptors (1.4 4.4), built from a request's physical vectors. Pure code:
 * no allocation, no hardware; the driver hands in the list pages it
 * preallocated per tag, and tests/unit/drivers/nvme/test_nvme_prp.c checks every
 * rule on the host.
 *
 * The PRP rule: the first entry may start anywhere dword aligned in a page;
 * every later entry is a whole page start. So every vector but the first
 * must start on a page boundary and every vector but the last must end on
 * one. blk-mq guarantees it through virt_boundary_mask = page size - 1; the
 * builder still checks, and refuses data that breaks it.
 */
#ifndef DRIVERS_NVME_NVME_PRP_H
#define DRIVERS_NVME_NVME_PRP_H

#include "lib/types.h"
#include "block/bio.h"
#include "drivers/nvme/nvme_regs.h"

#define NVME_PRP_MAX_LIST_PAGES 4

/* The PRP list pages of one tag: each one controller page, physically contiguous. */
struct nvme_prp_pages {
	u64 *virt[NVME_PRP_MAX_LIST_PAGES];
	u64 phys[NVME_PRP_MAX_LIST_PAGES];
	unsigned int nr;		/* pages available */
};

/* What the builder produced: PRP1, PRP2, and how many list pages it used. */
struct nvme_prp_result {
	u64 prp1, prp2;
	unsigned int entries;		/* page entries, PRP1 included */
	unsigned int list_pages;	/* 0 when PRP2 is a data page or unused */
};

/*
 * List pages one request of at most max_bytes needs with this page size
 * (the worst case: the data starts just off a page boundary).
 */
unsigned int nvme_prp_pages_needed(u64 max_bytes, u32 page_size);

/*
 * Describe nr_bytes from vecs (vcnt of them; the first vec_offset bytes of
 * vecs[0] are not part of it) for a controller with page_size pages.
 * Returns 0 with *out filled, -EINVAL for data the PRP rule cannot describe
 * (a gap, an address not dword aligned, vectors shorter than nr_bytes,
 * nr_bytes 0), -ENOSPC when more list pages are needed than pages->nr.
 */
int nvme_prp_build(const struct bio_vec *vecs, unsigned int vcnt, u32 vec_offset, u32 nr_bytes,
		   u32 page_size, const struct nvme_prp_pages *pages, struct nvme_prp_result *out);

/*
 * The same data as SGL data block descriptors: one vector becomes the
 * command's own descriptor; more go into a last-segment list of up to
 * max_desc descriptors at list (physical list_phys) and the command's
 * descriptor points at it. Returns 0, -EINVAL (bad vectors), -ENOSPC (more
 * vectors than max_desc).
 */
int nvme_sgl_build(const struct bio_vec *vecs, unsigned int vcnt, u32 vec_offset, u32 nr_bytes,
		   struct nvme_sgl_desc *list, u64 list_phys, unsigned int max_desc,
		   struct nvme_sgl_desc *cmd_desc);

#endif
