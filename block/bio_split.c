/*
 * Checking a bio against a queue's limits and finding where it must be
 * split (see bio.h). Pure arithmetic over the bio's vectors: no memory is
 * allocated and nothing is modified except by bio_advance.
 *
 * The split point is found in two walks over the vectors. The first one
 * goes as far as the limits allow; that length is rounded down to the
 * logical block size, which may end the piece inside a vector, and the
 * second walk stops exactly there to count the piece's segments and find
 * where the next piece starts.
 */
#include "block/bio.h"
#include "lib/errno.h"

static bool is_mask(u32 mask)
{
	return (mask & (mask + 1)) == 0;
}

static bool is_pow2(u32 x)
{
	return x && (x & (x - 1)) == 0;
}

int queue_limits_check(const struct queue_limits *lim)
{
	u32 lbs = lim->logical_block_size;

	if (!is_pow2(lbs) || lbs < SECTOR_SIZE || lbs > 65536)
		return -EINVAL;
	if (!is_pow2(lim->physical_block_size) || lim->physical_block_size < lbs)
		return -EINVAL;
	if ((u64)lim->max_sectors << SECTOR_SHIFT < lbs || lim->max_segments == 0)
		return -EINVAL;
	/* as in Linux, a segment may always hold a 4 KiB page */
	if (lim->max_segment_size < 4096)
		return -EINVAL;
	if (!is_mask(lim->seg_boundary_mask) || lim->seg_boundary_mask < 4095)
		return -EINVAL;
	if (!is_mask(lim->dma_alignment) || lim->dma_alignment >= lbs)
		return -EINVAL;
	if (lim->virt_boundary_mask &&
	    (!is_mask(lim->virt_boundary_mask) || lim->virt_boundary_mask < 4095))
		return -EINVAL;
	return 0;
}

static int bio_check_vecs(const struct bio *bio, const struct queue_limits *lim)
{
	u64 total = 0;

	if (!bio->vcnt || !bio->vecs)
		return -EINVAL;
	for (u16 i = 0; i < bio->vcnt; i++) {
		const struct bio_vec *v = &bio->vecs[i];

		if (!v->len || ((v->phys | v->len) & lim->dma_alignment))
			return -EINVAL;
		total += v->len;
	}
	if (bio->vec_offset >= bio->vecs[0].len || total - bio->vec_offset != bio->size)
		return -EINVAL;
	return 0;
}

int bio_check(const struct bio *bio, const struct queue_limits *lim, u64 capacity_sectors)
{
	/* once: a stacked disk's limits may be republished meanwhile (queue_limits_publish) */
	u32 lbs = READ_ONCE(lim->logical_block_size);
	u32 block_mask = (lbs >> SECTOR_SHIFT) - 1;
	int err;

	if (bio->op >= REQ_OP_COUNT)
		return -EINVAL;
	if ((bio->flags & (REQ_FUA | REQ_PREFLUSH)) && bio->op != REQ_OP_WRITE)
		return -EINVAL;
	switch (bio->op) {
	case REQ_OP_FLUSH:
		return bio->size || bio->vcnt ? -EINVAL : 0;
	case REQ_OP_DISCARD:
	case REQ_OP_WRITE_ZEROES:
		if (!(bio->op == REQ_OP_DISCARD ? lim->max_discard_sectors
						: lim->max_write_zeroes_sectors))
			return -ENOTSUP;
		if (bio->vcnt)
			return -EINVAL;
		break;
	default:
		err = bio_check_vecs(bio, lim);
		if (err)
			return err;
	}
	if (!bio->size || (bio->size & (lbs - 1)) || (bio->sector & block_mask))
		return -EINVAL;
	if (bio->sector > capacity_sectors ||
	    bio->size >> SECTOR_SHIFT > capacity_sectors - bio->sector)
		return -EIO;
	return 0;
}

/*
 * Walk the bio's data from its start into hardware segments, for at most
 * limit bytes, stopping before a segment beyond max_segments or a vector
 * that opens a virt-boundary gap. Returns the bytes covered; fills the
 * segment count and the position just after them.
 */
static u32 bio_walk(const struct bio *bio, const struct queue_limits *lim, u32 limit,
		    struct bio_split *pos)
{
	u32 done = 0, segs = 0, off = bio->vec_offset;
	u64 prev_end = 0;
	u16 i = 0;

	while (done < limit && i < bio->vcnt) {
		const struct bio_vec *v = &bio->vecs[i];
		u64 addr = v->phys + off;
		u32 left = min(v->len - off, limit - done);

		if (lim->virt_boundary_mask && done &&
		    ((prev_end | addr) & lim->virt_boundary_mask))
			break;
		while (left) {
			u64 line_left = lim->seg_boundary_mask -
					(addr & lim->seg_boundary_mask) + 1;
			u32 seg = (u32)min((u64)min(left, lim->max_segment_size), line_left);

			if (segs == lim->max_segments)
				goto out;
			segs++;
			done += seg;
			addr += seg;
			off += seg;
			left -= seg;
		}
		if (off < v->len)
			break;	/* limit reached inside this vector */
		prev_end = addr;
		off = 0;
		i++;
	}
out:
	pos->bytes = done;
	pos->nr_segs = segs;
	pos->next_vec = i;
	pos->next_offset = off;
	return done;
}

int bio_split_point(const struct bio *bio, const struct queue_limits *lim,
		    struct bio_split *out)
{
	u32 lbs = lim->logical_block_size;
	u64 max_bytes;
	u32 bytes;

	*out = (struct bio_split){ 0 };
	switch (bio->op) {
	case REQ_OP_FLUSH:
		return 0;
	case REQ_OP_DISCARD:
	case REQ_OP_WRITE_ZEROES:
		max_bytes = (u64)(bio->op == REQ_OP_DISCARD ? lim->max_discard_sectors
							    : lim->max_write_zeroes_sectors)
			    << SECTOR_SHIFT;
		max_bytes = ALIGN_DOWN(min(max_bytes, (u64)bio->size), (u64)lbs);
		if (!max_bytes)
			return -EINVAL;
		out->bytes = (u32)max_bytes;
		return 0;
	}

	max_bytes = ALIGN_DOWN(min((u64)lim->max_sectors << SECTOR_SHIFT, (u64)bio->size),
			       (u64)lbs);
	bytes = ALIGN_DOWN(bio_walk(bio, lim, (u32)max_bytes, out), lbs);
	if (!bytes)
		return -EINVAL;
	if (bytes != out->bytes)
		bio_walk(bio, lim, bytes, out);
	return 0;
}

void bio_advance(struct bio *bio, const struct bio_split *split)
{
	if (split->next_vec) {
		bio->vecs += split->next_vec;
		bio->vcnt -= split->next_vec;
	}
	bio->vec_offset = split->next_offset;
	bio->sector += split->bytes >> SECTOR_SHIFT;
	bio->size -= split->bytes;
}
