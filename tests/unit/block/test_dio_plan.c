/*
 * Unit tests for block/dio_plan.c against a byte-by-byte model. The
 * alignment rule for every combination of buffer, offset and length aligned
 * to the filesystem block, the device block, or neither. Then random file
 * layouts (runs of mapped, contiguous-across-runs, hole, unwritten blocks)
 * and random transfers in both units, crossing holes, extents and the end
 * of file: executing the plan's steps on a simulated disk and buffer must
 * give exactly what the model says each byte becomes, I/O steps must be
 * unit-aligned, within max_bytes and maximal (nothing left unmerged), and
 * get_block must be asked once per run. Writes into holes stop with
 * DIO_STEP_HOLE, or allocate (DIO_RUN_NEW) with the uncovered parts of new
 * blocks zeroed on the disk.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "block/dio_plan.c"

static void test_align_unit(void **state)
{
	/* value that is a multiple of: [0] the fs block, [1] the dev block only, [2] neither */
	static const u64 classes[3] = { 8192, 4096 + 512, 4096 + 100 };
	enum dio_misalign what;

	(void)state;
	for (int o = 0; o < 3; o++) {
		for (int l = 0; l < 3; l++) {
			for (int b = 0; b < 3; b++) {
				int worst = max(o, max(l, b));
				int unit = dio_align_unit(classes[o], classes[l], (uintptr_t)classes[b],
							  4096, 512, &what);

				if (worst == 0) {
					assert_int_equal(unit, 4096);
					assert_int_equal(what, DIO_ALIGNED);
				} else if (worst == 1) {
					assert_int_equal(unit, 512);	/* blkfactor 8 */
					assert_int_equal(what, DIO_ALIGNED);
				} else {
					assert_int_equal(unit, -EINVAL);
					assert_int_equal(what, o == 2 ? DIO_MISALIGNED_OFFSET :
							 l == 2 ? DIO_MISALIGNED_LENGTH :
								  DIO_MISALIGNED_BUFFER);
				}
			}
		}
	}
	/* a disk: its block size is both */
	assert_int_equal(dio_align_unit(512, 1024, 0x1000, 512, 512, &what), 512);
	assert_int_equal(dio_align_unit(0, 0, 0, 4096, 512, &what), 4096);
	/* bad geometry */
	assert_int_equal(dio_align_unit(0, 4096, 0, 512, 4096, &what), -EINVAL);
	assert_int_equal(dio_align_unit(0, 4096, 0, 3000, 512, &what), -EINVAL);
}

/* --- the model ------------------------------------------------------------ */

#define NR_BLOCKS 96
#define NEW_BASE 100000	/* where a model allocation puts block lblk: NEW_BASE + lblk */

struct layout {
	u32 bs;
	u8 state[NR_BLOCKS];	/* enum dio_run_state per block */
	u64 pblk[NR_BLOCKS];
	u16 run_id[NR_BLOCKS];	/* a run is what one get_block call returns */
	bool allocate;		/* get_block turns holes into DIO_RUN_NEW */
	u8 allocated[NR_BLOCKS];	/* set when get_block allocated it */
	unsigned int calls;
	u64 first_lblk;		/* where the transfer under test starts */
	int fail_at;		/* lblk whose mapping fails; -1 for none */
};

static u64 rng = 88172645463325252ULL;

static u64 next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void layout_random(struct layout *l, u32 bs, bool allocate)
{
	u64 pblk = 50;
	u16 id = 0;

	memset(l, 0, sizeof(*l));
	l->bs = bs;
	l->allocate = allocate;
	l->fail_at = -1;
	for (u32 b = 0; b < NR_BLOCKS;) {
		u32 len = 1 + (u32)(next_rand() % 9);
		u8 st = (u8)(next_rand() % 4);	/* 0 hole, 1-2 mapped, 3 unwritten */

		st = st == 0 ? DIO_RUN_HOLE : st == 3 ? DIO_RUN_UNWRITTEN : DIO_RUN_MAPPED;
		/* mapped runs sometimes continue the previous one on the disk (merge) */
		if (next_rand() % 3)
			pblk += 1 + next_rand() % 4;
		for (u32 i = 0; i < len && b < NR_BLOCKS; i++, b++) {
			l->state[b] = st;
			l->pblk[b] = st == DIO_RUN_HOLE ? 0 : pblk++;
			l->run_id[b] = id;
		}
		id++;
	}
}

static int layout_get_block(void *ctx, u64 lblk, u32 max_len, bool write, struct dio_run *out)
{
	struct layout *l = ctx;
	u32 len = 1;

	assert_true(lblk < NR_BLOCKS);
	assert_true(max_len >= 1);
	l->calls++;
	if ((int)lblk == l->fail_at)
		return -EIO;
	/* asked once per run: only where the transfer starts or a run begins */
	assert_true(lblk == l->first_lblk || l->run_id[lblk] != l->run_id[lblk - 1]);
	while (lblk + len < NR_BLOCKS && len < max_len && l->run_id[lblk + len] == l->run_id[lblk])
		len++;
	out->lblk = lblk;
	out->len = len;
	out->state = l->state[lblk];
	out->pblk = l->pblk[lblk];
	if (write && l->allocate && l->state[lblk] == DIO_RUN_HOLE) {
		/* allocate the whole hole run (within max_len), contiguous */
		for (u32 i = 0; i < len; i++) {
			l->state[lblk + i] = DIO_RUN_MAPPED;
			l->pblk[lblk + i] = NEW_BASE + lblk + i;
			l->allocated[lblk + i] = 1;
		}
		for (u64 i = lblk + len; i < NR_BLOCKS && l->run_id[i] == l->run_id[lblk]; i++)
			l->run_id[i] = (u16)(l->run_id[i] + 1000);	/* the rest is another run now */
		out->state = DIO_RUN_NEW;
		out->pblk = NEW_BASE + lblk;
	}
	return 0;
}

static u8 disk_byte0(u64 off)	/* the disk's content before a write */
{
	return (u8)(off * 7 + (off >> 10) + 1);
}

static u8 buf_byte0(u64 off)	/* the write buffer's content */
{
	return (u8)(off * 13 + 0x55);
}

/*
 * The simulated disk: the blocks a layout can map (pblk below LOW_BLOCKS)
 * and the ones a model allocation hands out (NEW_BASE + lblk), folded into
 * one array, with a flag per byte saying whether the plan wrote it.
 */
#define LOW_BLOCKS 600

struct sim {
	u8 *val;
	u8 *written;
	u32 bs;
	u64 nr_written;	/* distinct bytes */
};

static u64 sim_index(const struct sim *s, u64 off)
{
	u64 blk = off / s->bs;

	if (blk >= NEW_BASE) {
		assert_true(blk - NEW_BASE < NR_BLOCKS);
		blk = LOW_BLOCKS + (blk - NEW_BASE);
	}
	assert_true(blk < LOW_BLOCKS + NR_BLOCKS);
	return blk * s->bs + off % s->bs;
}

static void sim_write(struct sim *s, u64 off, u8 val)
{
	u64 i = sim_index(s, off);

	s->val[i] = val;
	s->nr_written += !s->written[i];
	s->written[i] = 1;
}

static u8 sim_read(const struct sim *s, u64 off)
{
	u64 i = sim_index(s, off);

	return s->written[i] ? s->val[i] : disk_byte0(off);
}

static bool sim_was_written(const struct sim *s, u64 off)
{
	return s->written[sim_index(s, off)];
}

struct transfer {
	u64 offset, length, i_size, max_bytes;
	u32 unit;
	bool write;
};

/*
 * Run the plan for t over layout l on a simulated disk and buffer and check
 * every byte against the model. Returns the plan's last step kind.
 */
static u8 check_transfer(struct layout *l, const struct transfer *t)
{
	struct layout before = *l;
	struct dio_plan p;
	struct dio_step s, prev = { .kind = DIO_STEP_END };
	u8 *buf = malloc(t->length + 1);
	struct sim disk = { .bs = l->bs };
	u64 eof = ALIGN_UP(t->i_size, (u64)t->unit);
	u64 end = min(t->offset + t->length, max(eof, t->offset));
	u64 planned = 0, hole_at = ~0ULL;
	unsigned int steps = 0;
	bool prev_io = false;

	l->first_lblk = t->offset / l->bs;
	disk.val = calloc((LOW_BLOCKS + NR_BLOCKS), l->bs);
	disk.written = calloc((LOW_BLOCKS + NR_BLOCKS), l->bs);
	for (u64 i = 0; i <= t->length; i++)
		buf[i] = t->write ? buf_byte0(i) : 0xEE;	/* 0xEE: never written */
	assert_int_equal(dio_plan_init(&p, t->offset, t->length, t->i_size, l->bs, t->unit,
				       t->write, t->max_bytes, layout_get_block, l), 0);
	assert_int_equal(p.bytes, t->offset < t->i_size ?
				  min(t->offset + t->length, t->i_size) - t->offset : 0);
	for (;;) {
		assert_int_equal(dio_plan_next(&p, &s), 0);
		assert_true(++steps < 10000);
		if (s.kind == DIO_STEP_END || s.kind == DIO_STEP_HOLE)
			break;
		assert_true(s.len > 0);
		switch (s.kind) {
		case DIO_STEP_IO:
			assert_int_equal(s.buf_off, planned);
			assert_int_equal(s.disk_off % t->unit, 0);
			assert_int_equal(s.len % t->unit, 0);
			assert_true(s.len <= t->max_bytes);
			/* maximal: an I/O that continues the previous one means the cap cut it */
			if (prev_io && prev.disk_off + prev.len == s.disk_off)
				assert_int_equal(prev.len, t->max_bytes);
			for (u64 i = 0; i < s.len; i++) {
				if (t->write)
					sim_write(&disk, s.disk_off + i, buf[s.buf_off + i]);
				else
					buf[s.buf_off + i] = disk_byte0(s.disk_off + i);
			}
			planned += s.len;
			break;
		case DIO_STEP_ZERO:
			assert_false(t->write);
			assert_int_equal(s.buf_off, planned);
			memset(buf + s.buf_off, 0, s.len);
			planned += s.len;
			break;
		case DIO_STEP_ZERO_DISK:
			assert_true(t->write);
			assert_true(s.len < l->bs);
			for (u64 i = 0; i < s.len; i++)
				sim_write(&disk, s.disk_off + i, 0);
			break;
		default:
			fail();
		}
		prev_io = s.kind == DIO_STEP_IO;
		if (prev_io)
			prev = s;
		else
			prev.kind = s.kind;
	}
	if (s.kind == DIO_STEP_HOLE) {
		hole_at = t->offset + planned;
		assert_true(t->write);
		assert_int_equal(s.buf_off, planned);
	} else {
		assert_int_equal(planned, end - t->offset);
	}

	/* the model, byte by byte over the transfer */
	for (u64 i = 0; i < t->length; i++) {
		u64 pos = t->offset + i;
		u64 b = pos / l->bs;

		if (pos >= end || pos >= hole_at) {
			if (!t->write)
				assert_int_equal(buf[i], 0xEE);
			continue;
		}
		if (t->write) {
			u64 d = l->pblk[b] * l->bs + pos % l->bs;

			assert_int_equal(sim_read(&disk, d), buf_byte0(i));
		} else {
			u8 want = before.state[b] == DIO_RUN_MAPPED ?
					  disk_byte0(before.pblk[b] * l->bs + pos % l->bs) : 0;

			if (buf[i] != want)
				fail_msg("byte %llu of the read: %#x, want %#x", (unsigned long long)i,
					 buf[i], want);
		}
	}
	assert_int_equal(buf[t->length], t->write ? buf_byte0(t->length) : 0xEE);
	if (t->write) {
		/*
		 * Every written byte belongs to the file: inside the transfer, or
		 * in a block allocated now, where all the rest is zeroes; the
		 * count of written bytes says nothing else was touched.
		 */
		u64 seen = 0;

		for (int b = 0; b < NR_BLOCKS; b++) {
			bool is_new = l->allocated[b] && !before.allocated[b];
			u64 disk_blk = is_new ? NEW_BASE + (u64)b : before.pblk[b];

			if (!is_new && before.state[b] != DIO_RUN_MAPPED)
				continue;
			for (u64 i = 0; i < l->bs; i++) {
				u64 d = disk_blk * l->bs + i;
				u64 pos = (u64)b * l->bs + i;

				if (!sim_was_written(&disk, d)) {
					assert_false(is_new);
					continue;
				}
				seen++;
				if (pos < t->offset || pos >= min(end, hole_at)) {
					assert_true(is_new);
					assert_int_equal(sim_read(&disk, d), 0);
				}
			}
		}
		assert_int_equal(seen, disk.nr_written);
	}
	free(disk.val);
	free(disk.written);
	free(buf);
	return s.kind;
}

static void random_transfer(struct layout *l, struct transfer *t, bool write)
{
	u32 dev = next_rand() % 2 ? 512 : l->bs;
	u64 file_bytes = (u64)NR_BLOCKS * l->bs;

	t->unit = next_rand() % 2 ? l->bs : dev;
	t->write = write;
	t->offset = ALIGN_DOWN(next_rand() % file_bytes, (u64)t->unit);
	t->length = ALIGN_UP(1 + next_rand() % (12ULL * l->bs), (u64)t->unit);
	if (t->offset + t->length > file_bytes)
		t->length = file_bytes - t->offset;
	/* EOF anywhere, sometimes inside the transfer, sometimes mid-block */
	t->i_size = next_rand() % 4 ? file_bytes - next_rand() % (3 * l->bs) : t->offset + next_rand() % (t->length + 1);
	t->max_bytes = next_rand() % 3 ? 1ULL << 20 : (u64)t->unit * (1 + next_rand() % 6);
}

static void test_reads(void **state)
{
	(void)state;
	for (unsigned int round = 0; round < 400; round++) {
		struct layout l;
		struct transfer t;

		layout_random(&l, round % 2 ? 4096 : 1024, false);
		random_transfer(&l, &t, false);
		assert_int_equal(check_transfer(&l, &t), DIO_STEP_END);
	}
}

static void test_writes_in_place(void **state)
{
	unsigned int holes = 0, ends = 0;

	(void)state;
	for (unsigned int round = 0; round < 400; round++) {
		struct layout l;
		struct transfer t;

		layout_random(&l, round % 2 ? 4096 : 1024, false);
		random_transfer(&l, &t, true);
		if (check_transfer(&l, &t) == DIO_STEP_HOLE)
			holes++;
		else
			ends++;
	}
	/* both outcomes were exercised */
	assert_true(holes > 30 && ends > 30);
}

static void test_writes_allocating(void **state)
{
	(void)state;
	for (unsigned int round = 0; round < 400; round++) {
		struct layout l;
		struct transfer t;

		layout_random(&l, round % 2 ? 4096 : 1024, true);
		/* unwritten runs exist only on ext4, which does not allocate */
		for (int b = 0; b < NR_BLOCKS; b++)
			if (l.state[b] == DIO_RUN_UNWRITTEN)
				l.state[b] = DIO_RUN_MAPPED;
		random_transfer(&l, &t, true);
		assert_int_equal(check_transfer(&l, &t), DIO_STEP_END);
	}
}

/* A small write inside one new block: zero head, data, zero tail, in that order. */
static void test_new_block_head_and_tail(void **state)
{
	struct layout l;
	struct dio_plan p;
	struct dio_step s;

	(void)state;
	layout_random(&l, 4096, true);
	for (int b = 0; b < NR_BLOCKS; b++) {
		l.state[b] = DIO_RUN_HOLE;
		l.pblk[b] = 0;
		l.run_id[b] = 0;
	}
	l.first_lblk = 3;
	assert_int_equal(dio_plan_init(&p, 4096 * 3 + 1024, 512, 1 << 30, 4096, 512, true,
				       1 << 20, layout_get_block, &l), 0);
	assert_int_equal(dio_plan_next(&p, &s), 0);
	assert_int_equal(s.kind, DIO_STEP_ZERO_DISK);
	assert_int_equal(s.disk_off, (NEW_BASE + 3) * 4096ULL);
	assert_int_equal(s.len, 1024);
	assert_int_equal(dio_plan_next(&p, &s), 0);
	assert_int_equal(s.kind, DIO_STEP_IO);
	assert_int_equal(s.disk_off, (NEW_BASE + 3) * 4096ULL + 1024);
	assert_int_equal(s.len, 512);
	assert_int_equal(dio_plan_next(&p, &s), 0);
	assert_int_equal(s.kind, DIO_STEP_ZERO_DISK);
	assert_int_equal(s.disk_off, (NEW_BASE + 3) * 4096ULL + 1536);
	assert_int_equal(s.len, 4096 - 1536);
	assert_int_equal(dio_plan_next(&p, &s), 0);
	assert_int_equal(s.kind, DIO_STEP_END);
	assert_int_equal(l.calls, 1);
}

/* A disk: one run, one I/O per max_bytes, one get_block call; EOF makes it short. */
static void test_disk_identity_and_eof(void **state)
{
	struct layout l;
	struct dio_plan p;
	struct dio_step s;

	(void)state;
	layout_random(&l, 512, false);
	for (int b = 0; b < NR_BLOCKS; b++) {
		l.state[b] = DIO_RUN_MAPPED;
		l.pblk[b] = (u64)b;
		l.run_id[b] = 0;
	}
	/* 40 blocks from 60, a disk of 80 blocks: 20 blocks transferred */
	l.first_lblk = 60;
	assert_int_equal(dio_plan_init(&p, 60 * 512, 40 * 512, 80 * 512, 512, 512, false,
				       8 * 512, layout_get_block, &l), 0);
	assert_int_equal(p.bytes, 20 * 512);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(dio_plan_next(&p, &s), 0);
		assert_int_equal(s.kind, DIO_STEP_IO);
		assert_int_equal(s.disk_off, (60 + 8 * i) * 512);
		assert_int_equal(s.len, (i < 2 ? 8 : 4) * 512);
	}
	assert_int_equal(dio_plan_next(&p, &s), 0);
	assert_int_equal(s.kind, DIO_STEP_END);
	assert_int_equal(l.calls, 1);
	/* at or past EOF: nothing, 0 bytes */
	assert_int_equal(dio_plan_init(&p, 80 * 512, 512, 80 * 512, 512, 512, false, 4096,
				       layout_get_block, &l), 0);
	assert_int_equal(p.bytes, 0);
	assert_int_equal(dio_plan_next(&p, &s), 0);
	assert_int_equal(s.kind, DIO_STEP_END);
	/* a mapping error ends the plan with it */
	l.fail_at = 2;
	l.first_lblk = 2;
	assert_int_equal(dio_plan_init(&p, 2 * 512, 512, 80 * 512, 512, 512, false, 4096,
				       layout_get_block, &l), 0);
	assert_int_equal(dio_plan_next(&p, &s), -EIO);
	/* bad arguments */
	assert_int_equal(dio_plan_init(&p, 100, 512, 80 * 512, 512, 512, false, 4096,
				       layout_get_block, &l), -EINVAL);
	assert_int_equal(dio_plan_init(&p, 0, 512, 80 * 512, 512, 1024, false, 4096,
				       layout_get_block, &l), -EINVAL);
	assert_int_equal(dio_plan_init(&p, 0, 512, 80 * 512, 512, 512, false, 100,
				       layout_get_block, &l), -EINVAL);
	assert_int_equal(dio_plan_init(&p, ~0ULL - 511, 1024, ~0ULL, 512, 512, false, 4096,
				       layout_get_block, &l), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_align_unit),
		cmocka_unit_test(test_reads),
		cmocka_unit_test(test_writes_in_place),
		cmocka_unit_test(test_writes_allocating),
		cmocka_unit_test(test_new_block_head_and_tail),
		cmocka_unit_test(test_disk_identity_and_eof),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
