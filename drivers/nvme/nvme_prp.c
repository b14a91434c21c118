/*
 * PRP lists and SGLs from physical vectors (nvme_prp.h). Two passes for PRPs:
 * the first walks the vectors, checks the PRP rule and counts page entries;
 * the second writes them, so that the builder knows, before it writes the
 * last slot of a list page, whether that slot holds data or the pointer to
 * the next list page (1.4 4.3: the last entry of a full list page chains).
 */
#include "drivers/nvme/nvme_prp.h"
#include "lib/errno.h"

/* List pages for rest entries after PRP1 (1.4 4.3: a full page's last entry chains). */
static unsigned int prp_list_pages(u64 rest, u32 page_size)
{
	u64 per_page = page_size / 8;

	if (rest <= 1)
		return 0;
	if (rest <= per_page)
		return 1;
	return (unsigned int)DIV_ROUND_UP(rest - 1, per_page - 1);
}

unsigned int nvme_prp_pages_needed(u64 max_bytes, u32 page_size)
{
	/* the worst case: one entry per page of data, PRP1 included */
	return prp_list_pages(DIV_ROUND_UP(max_bytes, page_size), page_size);
}

/*
 * The i-th piece of the data: address and length within nr_bytes, the first
 * vector offset by vec_offset. *left counts down; 0 length is malformed.
 */
static int data_piece(const struct bio_vec *vecs, unsigned int i, u32 vec_offset, u32 *left,
		      u64 *addr, u32 *len)
{
	u32 skip = i == 0 ? vec_offset : 0;

	*addr = vecs[i].phys + skip;
	*len = min(vecs[i].len - skip, *left);
	if (!*len)
		return -EINVAL;
	*left -= *len;
	return 0;
}

/*
 * Walk the data as page entries, calling emit for each (when non-NULL);
 * returns the number of entries or a negative errno for data that breaks
 * the PRP rule.
 */
static long prp_walk(const struct bio_vec *vecs, unsigned int vcnt, u32 vec_offset,
		     u32 nr_bytes, u32 page_size,
		     void (*emit)(void *ctx, u64 addr), void *ctx)
{
	u64 mask = page_size - 1;
	u32 left = nr_bytes;
	long entries = 0;

	if (!nr_bytes || !vcnt || vec_offset >= vecs[0].len)
		return -EINVAL;
	for (unsigned int i = 0; i < vcnt && left; i++) {
		u64 addr;
		u32 len;

		if (data_piece(vecs, i, vec_offset, &left, &addr, &len))
			return -EINVAL;
		/* only the first entry may start inside a page, and dword aligned */
		if (i == 0 ? (addr & 3) : (addr & mask))
			return -EINVAL;
		/* every vector but the last ends on a page boundary */
		if (left && ((addr + len) & mask))
			return -EINVAL;
		for (u64 page = addr; page < addr + len; page = (page & ~mask) + page_size) {
			if (emit)
				emit(ctx, page);
			entries++;
		}
	}
	return left ? -EINVAL : entries;
}

struct prp_writer {
	const struct nvme_prp_pages *pages;
	struct nvme_prp_result *out;
	u32 page_size;
	unsigned int total;		/* entries the walk will emit */
	unsigned int index;		/* entries emitted so far */
	unsigned int page;		/* list page being written */
	unsigned int slot;		/* next slot in it */
};

static void prp_emit(void *ctx, u64 addr)
{
	struct prp_writer *w = ctx;
	unsigned int per_page = w->page_size / 8;
	unsigned int index = w->index++;

	if (index == 0) {
		w->out->prp1 = addr;
		return;
	}
	if (w->total == 2) {
		w->out->prp2 = addr;
		return;
	}
	/* a full page with entries still to come: its last slot chains */
	if (w->slot == per_page - 1 && index < w->total - 1) {
		w->pages->virt[w->page][w->slot] = w->pages->phys[w->page + 1];
		w->page++;
		w->slot = 0;
	}
	w->pages->virt[w->page][w->slot++] = addr;
}

int nvme_prp_build(const struct bio_vec *vecs, unsigned int vcnt, u32 vec_offset, u32 nr_bytes,
		   u32 page_size, const struct nvme_prp_pages *pages, struct nvme_prp_result *out)
{
	struct prp_writer w = { pages, out, page_size, 0, 0, 0, 0 };
	unsigned int need;
	long n;

	n = prp_walk(vecs, vcnt, vec_offset, nr_bytes, page_size, NULL, NULL);
	if (n < 0)
		return (int)n;
	w.total = (unsigned int)n;
	need = prp_list_pages((u64)n - 1, page_size);
	if (need > pages->nr)
		return -ENOSPC;
	out->prp1 = out->prp2 = 0;
	out->entries = w.total;
	out->list_pages = need;
	if (need)
		out->prp2 = pages->phys[0];
	prp_walk(vecs, vcnt, vec_offset, nr_bytes, page_size, prp_emit, &w);
	return 0;
}

static void sgl_data_desc(struct nvme_sgl_desc *d, u64 addr, u32 len)
{
	d->addr = addr;
	d->length = len;
	d->rsvd[0] = d->rsvd[1] = d->rsvd[2] = 0;
	d->type = NVME_SGL_TYPE_DATA_BLOCK;
}

int nvme_sgl_build(const struct bio_vec *vecs, unsigned int vcnt, u32 vec_offset, u32 nr_bytes,
		   struct nvme_sgl_desc *list, u64 list_phys, unsigned int max_desc,
		   struct nvme_sgl_desc *cmd_desc)
{
	unsigned int n = 0;
	u32 left = nr_bytes;
	u64 first_addr = 0;
	u32 first_len = 0;

	if (!nr_bytes || !vcnt || vec_offset >= vecs[0].len)
		return -EINVAL;
	for (unsigned int i = 0; i < vcnt && left; i++) {
		u64 addr;
		u32 len;

		if (data_piece(vecs, i, vec_offset, &left, &addr, &len))
			return -EINVAL;
		if (n == 0) {
			first_addr = addr;
			first_len = len;
		} else {
			if (n == 1) {
				if (max_desc < 2)
					return -ENOSPC;
				sgl_data_desc(&list[0], first_addr, first_len);
			}
			if (n >= max_desc)
				return -ENOSPC;
			sgl_data_desc(&list[n], addr, len);
		}
		n++;
	}
	if (left)
		return -EINVAL;
	if (n == 1) {
		sgl_data_desc(cmd_desc, first_addr, first_len);
		return 0;
	}
	cmd_desc->addr = list_phys;
	cmd_desc->length = n * (u32)sizeof(struct nvme_sgl_desc);
	cmd_desc->rsvd[0] = cmd_desc->rsvd[1] = cmd_desc->rsvd[2] = 0;
	cmd_desc->type = NVME_SGL_TYPE_LAST_SEGMENT;
	return 0;
}
