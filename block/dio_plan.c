/*
 * Direct-IO planning (block/dio_plan.h): alignment and the walk from file
 * bytes to disk steps. Two layers: dio_plan_raw() cuts the transfer at run
 * boundaries (one get_block call per run, none while pos stays inside the
 * run it has), and dio_plan_next() merges I/O steps that continue each
 * other on the disk and in the buffer, then cuts them at max_bytes. One
 * pending slot is enough between the two: a step is either absorbed into
 * the one being built or handed back for the next call.
 */
#include "block/dio_plan.h"
#include "lib/errno.h"
#include "lib/string.h"

static bool is_power_of_2(u64 x)
{
	return x && !(x & (x - 1));
}

int dio_align_unit(u64 offset, u64 length, uintptr_t buffer, u32 block_size,
		   u32 dev_block_size, enum dio_misalign *what)
{
	u32 sizes[2] = { block_size, dev_block_size };

	*what = DIO_ALIGNED;
	if (!is_power_of_2(block_size) || !is_power_of_2(dev_block_size) ||
	    dev_block_size > block_size)
		return -EINVAL;
	for (int i = 0; i < 2; i++) {
		u64 mask = sizes[i] - 1;

		if (!(offset & mask) && !(length & mask) && !(buffer & mask))
			return (int)sizes[i];
	}
	if (offset & (dev_block_size - 1))
		*what = DIO_MISALIGNED_OFFSET;
	else if (length & (dev_block_size - 1))
		*what = DIO_MISALIGNED_LENGTH;
	else
		*what = DIO_MISALIGNED_BUFFER;
	return -EINVAL;
}

int dio_plan_init(struct dio_plan *p, u64 offset, u64 length, u64 i_size, u32 block_size,
		  u32 unit, bool write, u64 max_bytes, dio_get_block_fn get_block, void *ctx)
{
	u64 end, eof;

	memset(p, 0, sizeof(*p));
	if (!is_power_of_2(block_size) || !is_power_of_2(unit) || unit > block_size ||
	    max_bytes < unit || (offset | length) & (unit - 1) || offset + length < offset ||
	    !get_block)
		return -EINVAL;
	end = offset + length;
	/* whole units up to the one holding the last byte of the file */
	eof = ALIGN_UP(i_size, (u64)unit);
	if (eof < i_size)
		eof = ALIGN_DOWN(~0ULL, (u64)unit);
	p->offset = offset;
	p->pos = offset;
	p->end = offset < eof ? min(end, eof) : offset;
	p->bytes = offset < i_size ? min(end, i_size) - offset : 0;
	p->block_size = block_size;
	p->block_bits = (u8)__builtin_ctz(block_size);
	p->write = write;
	p->max_bytes = ALIGN_DOWN(max_bytes, (u64)unit);
	p->get_block = get_block;
	p->ctx = ctx;
	return 0;
}

/* Make p->run cover p->pos. */
static int dio_plan_map(struct dio_plan *p)
{
	u64 lblk = p->pos >> p->block_bits;
	u64 last = (p->end - 1) >> p->block_bits;
	u32 want = (u32)min(last - lblk + 1, 0xFFFFFFFFULL);
	int err;

	if (p->have_run && lblk >= p->run.lblk && lblk - p->run.lblk < p->run.len)
		return 0;
	p->have_run = false;
	p->get_block_calls++;
	err = p->get_block(p->ctx, lblk, want, p->write, &p->run);
	if (err)
		return err;
	/* the callback's answer must cover lblk, in a state we know */
	if (p->run.lblk != lblk || !p->run.len || p->run.state > DIO_RUN_NEW ||
	    (p->run.state == DIO_RUN_NEW && !p->write))
		return -EIO;
	p->have_run = true;
	return 0;
}

static void dio_step_set(struct dio_step *s, u8 kind, u64 buf_off, u64 disk_off, u64 len)
{
	s->kind = kind;
	s->buf_off = buf_off;
	s->disk_off = disk_off;
	s->len = len;
}

/*
 * The next step inside one run. A new run's partial first and last blocks
 * need zeroing on the disk around the data: those come as extra steps,
 * queued in p->pending (head before, tail after the data; the head is
 * returned first and the data is queued, the tail is produced when the
 * queue empties at the end of the run).
 */
static int dio_plan_raw(struct dio_plan *p, struct dio_step *s)
{
	u64 run_start, run_end, seg_end, disk;
	u64 block_mask = p->block_size - 1;
	int err;

	if (p->pos >= p->end) {
		dio_step_set(s, DIO_STEP_END, p->pos - p->offset, 0, 0);
		return 0;
	}
	err = dio_plan_map(p);
	if (err)
		return err;
	run_start = p->run.lblk << p->block_bits;
	run_end = (p->run.lblk + p->run.len) << p->block_bits;
	if (run_end <= run_start)	/* the run reaches the end of a 64-bit space */
		run_end = ~0ULL;
	seg_end = min(p->end, run_end);
	disk = (p->run.pblk << p->block_bits) + (p->pos - run_start);

	switch (p->run.state) {
	case DIO_RUN_MAPPED:
		dio_step_set(s, DIO_STEP_IO, p->pos - p->offset, disk, seg_end - p->pos);
		break;
	case DIO_RUN_HOLE:
	case DIO_RUN_UNWRITTEN:
		dio_step_set(s, p->write ? DIO_STEP_HOLE : DIO_STEP_ZERO, p->pos - p->offset,
			     0, seg_end - p->pos);
		break;
	default:	/* DIO_RUN_NEW */
		if (p->pos & block_mask) {
			/* head: the new block's bytes before the write starts */
			u64 head = p->pos & block_mask;

			dio_step_set(s, DIO_STEP_ZERO_DISK, p->pos - p->offset, disk - head, head);
			dio_step_set(&p->pending, DIO_STEP_IO, p->pos - p->offset, disk,
				     seg_end - p->pos);
			p->have_pending = true;
			p->pos = seg_end;
			return 0;
		}
		dio_step_set(s, DIO_STEP_IO, p->pos - p->offset, disk, seg_end - p->pos);
		break;
	}
	p->pos = seg_end;
	return 0;
}

/* The tail of a new block the write ends inside, if the step just done ended it. */
static bool dio_plan_new_tail(struct dio_plan *p, const struct dio_step *done)
{
	u64 block_mask = p->block_size - 1;
	u64 end_disk, tail;

	if (!p->have_run || p->run.state != DIO_RUN_NEW || done->kind != DIO_STEP_IO ||
	    p->pos != p->end || !(p->end & block_mask))
		return false;
	end_disk = done->disk_off + done->len;
	tail = p->block_size - (p->end & block_mask);
	dio_step_set(&p->pending, DIO_STEP_ZERO_DISK, p->end - p->offset, end_disk, tail);
	p->have_pending = true;
	p->run.state = DIO_RUN_MAPPED;	/* the tail is queued once */
	return true;
}

static int dio_plan_take(struct dio_plan *p, struct dio_step *s)
{
	if (p->have_pending) {
		*s = p->pending;
		p->have_pending = false;
		return 0;
	}
	return dio_plan_raw(p, s);
}

int dio_plan_next(struct dio_plan *p, struct dio_step *s)
{
	struct dio_step t;
	int err;

	err = dio_plan_take(p, s);
	if (err || s->kind != DIO_STEP_IO)
		return err;
	/* merge what continues this step on the disk and in the buffer */
	while (s->len < p->max_bytes && !p->have_pending) {
		if (dio_plan_new_tail(p, s))
			break;
		err = dio_plan_raw(p, &t);
		if (err)
			return err;
		if (t.kind == DIO_STEP_IO && t.disk_off == s->disk_off + s->len &&
		    t.buf_off == s->buf_off + s->len) {
			s->len += t.len;
			continue;
		}
		p->pending = t;
		p->have_pending = true;
	}
	if (s->len > p->max_bytes) {
		/* the rest goes first next time; a pending step would be lost */
		if (p->have_pending)
			return -EIO;
		dio_step_set(&p->pending, DIO_STEP_IO, s->buf_off + p->max_bytes,
			     s->disk_off + p->max_bytes, s->len - p->max_bytes);
		p->have_pending = true;
		s->len = p->max_bytes;
	} else if (!p->have_pending) {
		dio_plan_new_tail(p, s);
	}
	return 0;
}
