/*
 * Unit tests for block/bio_split.c: bio_check's answers, split points at
 * every limit (max_sectors, max_segments, segment size and boundary, virt
 * boundary, 512 and 4096-byte blocks, discard/write-zeroes/flush), and a
 * randomized property test: iterating pieces with bio_split_point and
 * bio_advance covers the bio exactly once in order, every piece is legal
 * under an independent model of the limits, and no piece could have been
 * one logical block longer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "block/bio_split.c"
#include "lib/string.h"

static struct queue_limits limits(u32 lbs)
{
	return (struct queue_limits){
		.logical_block_size = lbs,
		.physical_block_size = lbs,
		.max_sectors = 256,		/* 128 KiB */
		.max_segments = 32,
		.max_segment_size = 65536,
		.seg_boundary_mask = 0xffffffff,
		.dma_alignment = 511,
		.max_discard_sectors = 8192,
		.max_write_zeroes_sectors = 0,
		.virt_boundary_mask = 0,
	};
}

static struct bio data_bio(u8 op, u64 sector, struct bio_vec *vecs, u16 vcnt)
{
	struct bio bio = { .op = op, .sector = sector, .vecs = vecs, .vcnt = vcnt };

	for (u16 i = 0; i < vcnt; i++)
		bio.size += vecs[i].len;
	return bio;
}

static void test_limits_check(void **state)
{
	struct queue_limits lim = limits(512), bad;

	(void)state;
	assert_int_equal(queue_limits_check(&lim), 0);
	lim = limits(4096);
	assert_int_equal(queue_limits_check(&lim), 0);
	lim.virt_boundary_mask = 4095;
	assert_int_equal(queue_limits_check(&lim), 0);

	bad = lim, bad.logical_block_size = 1024 + 512;
	assert_int_equal(queue_limits_check(&bad), -EINVAL);
	bad = lim, bad.logical_block_size = 256;
	assert_int_equal(queue_limits_check(&bad), -EINVAL);
	bad = lim, bad.physical_block_size = 512;
	assert_int_equal(queue_limits_check(&bad), -EINVAL);
	bad = lim, bad.max_sectors = 7;		/* less than one 4 KiB block */
	assert_int_equal(queue_limits_check(&bad), -EINVAL);
	bad = lim, bad.max_segments = 0;
	assert_int_equal(queue_limits_check(&bad), -EINVAL);
	bad = lim, bad.max_segment_size = 2048;
	assert_int_equal(queue_limits_check(&bad), -EINVAL);
	bad = lim, bad.seg_boundary_mask = 0x1000;
	assert_int_equal(queue_limits_check(&bad), -EINVAL);
	bad = lim, bad.seg_boundary_mask = 0x7ff;
	assert_int_equal(queue_limits_check(&bad), -EINVAL);
	bad = lim, bad.dma_alignment = 4096;
	assert_int_equal(queue_limits_check(&bad), -EINVAL);
	bad = lim, bad.virt_boundary_mask = 0x1001;
	assert_int_equal(queue_limits_check(&bad), -EINVAL);
}

static void test_check(void **state)
{
	struct queue_limits lim = limits(512), lim4k = limits(4096);
	struct bio_vec v[2] = { { 0x10000, 4096 }, { 0x30000, 4096 } };
	struct bio bio = data_bio(REQ_OP_READ, 0, v, 2), b;

	(void)state;
	assert_int_equal(bio_check(&bio, &lim, 16), 0);
	assert_int_equal(bio_check(&bio, &lim, 15), -EIO);
	b = bio, b.sector = 8;
	assert_int_equal(bio_check(&b, &lim, 24), 0);
	b.sector = 9;
	assert_int_equal(bio_check(&b, &lim, 24), -EIO);
	b.sector = ~0ULL - 4;
	assert_int_equal(bio_check(&b, &lim, ~0ULL), -EIO);	/* no wrap-around */
	b.sector = 17;
	assert_int_equal(bio_check(&b, &lim, 16), -EIO);
	/* 4 KiB blocks: sector and size must be multiples of 8 sectors */
	b = bio, b.sector = 4;
	assert_int_equal(bio_check(&b, &lim, 100), 0);
	assert_int_equal(bio_check(&b, &lim4k, 100), -EINVAL);
	b = bio, b.size = 4096 + 512, b.vecs[1].len = 512;
	assert_int_equal(bio_check(&b, &lim, 100), 0);
	assert_int_equal(bio_check(&b, &lim4k, 100), -EINVAL);
	v[1].len = 4096;
	/* vector lengths must add up to size */
	b = bio, b.size = 4096;
	assert_int_equal(bio_check(&b, &lim, 100), -EINVAL);
	b = bio, b.vec_offset = 512;
	assert_int_equal(bio_check(&b, &lim, 100), -EINVAL);
	b.size -= 512;
	assert_int_equal(bio_check(&b, &lim, 100), 0);
	b.vec_offset = 4096, b.size = 4096;
	assert_int_equal(bio_check(&b, &lim, 100), -EINVAL);
	/* zero-length, no vectors, empty vector, dma alignment */
	b = bio, b.size = 0, b.vcnt = 0;
	assert_int_equal(bio_check(&b, &lim, 100), -EINVAL);
	b = bio, b.vecs = NULL;
	assert_int_equal(bio_check(&b, &lim, 100), -EINVAL);
	{
		struct bio_vec odd[2] = { { 0x1000, 0 }, { 0x2000, 8192 } };
		struct bio c = data_bio(REQ_OP_WRITE, 0, odd, 2);

		assert_int_equal(bio_check(&c, &lim, 100), -EINVAL);
		odd[0].len = 512, odd[1].len = 4096 - 512;
		c = data_bio(REQ_OP_WRITE, 0, odd, 2);
		assert_int_equal(bio_check(&c, &lim, 100), 0);
		odd[0].phys = 0x1004;
		assert_int_equal(bio_check(&c, &lim, 100), -EINVAL);
	}
	/* flags */
	b = bio, b.op = REQ_OP_WRITE, b.flags = REQ_FUA | REQ_PREFLUSH | REQ_SYNC;
	assert_int_equal(bio_check(&b, &lim, 100), 0);
	b.op = REQ_OP_READ;
	assert_int_equal(bio_check(&b, &lim, 100), -EINVAL);
	b.flags = REQ_POLLED | REQ_SYNC;
	assert_int_equal(bio_check(&b, &lim, 100), 0);
	b.op = REQ_OP_COUNT;
	assert_int_equal(bio_check(&b, &lim, 100), -EINVAL);
}

static void test_check_no_data(void **state)
{
	struct queue_limits lim = limits(4096);
	struct bio_vec v = { 0x1000, 4096 };
	struct bio flush = { .op = REQ_OP_FLUSH, .sector = 12345 };
	struct bio discard = { .op = REQ_OP_DISCARD, .sector = 8, .size = 1 << 20 };
	struct bio b;

	(void)state;
	assert_int_equal(bio_check(&flush, &lim, 8), 0);	/* sector is ignored */
	b = flush, b.size = 4096;
	assert_int_equal(bio_check(&b, &lim, 8), -EINVAL);
	b = flush, b.vecs = &v, b.vcnt = 1;
	assert_int_equal(bio_check(&b, &lim, 8), -EINVAL);
	b = flush, b.flags = REQ_PREFLUSH;
	assert_int_equal(bio_check(&b, &lim, 8), -EINVAL);

	assert_int_equal(bio_check(&discard, &lim, 1 << 20), 0);
	assert_int_equal(bio_check(&discard, &lim, 2048 + 7), -EIO);
	b = discard, b.size = 0;
	assert_int_equal(bio_check(&b, &lim, 1 << 20), -EINVAL);
	b = discard, b.size = 512;
	assert_int_equal(bio_check(&b, &lim, 1 << 20), -EINVAL);
	b = discard, b.vecs = &v, b.vcnt = 1;
	assert_int_equal(bio_check(&b, &lim, 1 << 20), -EINVAL);
	b = discard, b.op = REQ_OP_WRITE_ZEROES;
	assert_int_equal(bio_check(&b, &lim, 1 << 20), -ENOTSUP);
	lim.max_write_zeroes_sectors = 64;
	assert_int_equal(bio_check(&b, &lim, 1 << 20), 0);
	lim.max_discard_sectors = 0;
	assert_int_equal(bio_check(&discard, &lim, 1 << 20), -ENOTSUP);
}

static void expect_split(const struct bio *bio, const struct queue_limits *lim, u32 bytes,
			 u32 segs, u16 next_vec, u32 next_offset)
{
	struct bio_split s;

	assert_int_equal(bio_split_point(bio, lim, &s), 0);
	assert_int_equal(s.bytes, bytes);
	assert_int_equal(s.nr_segs, segs);
	assert_int_equal(s.next_vec, next_vec);
	assert_int_equal(s.next_offset, next_offset);
}

static void test_max_sectors(void **state)
{
	struct queue_limits lim = limits(512);
	struct bio_vec v[3] = { { 0x100000, 65536 }, { 0x200000, 65536 }, { 0x300000, 512 } };
	struct bio bio = data_bio(REQ_OP_WRITE, 0, v, 2);

	(void)state;
	/* exactly max_sectors: one piece, the whole bio */
	expect_split(&bio, &lim, 131072, 2, 2, 0);
	/* one block more: split at max_sectors, the block is the remainder */
	bio = data_bio(REQ_OP_WRITE, 0, v, 3);
	expect_split(&bio, &lim, 131072, 2, 2, 0);
	/* the same in one vector: the split lands inside it */
	v[0].len = 131072 + 512;
	bio = data_bio(REQ_OP_WRITE, 0, v, 1);
	expect_split(&bio, &lim, 131072, 2, 0, 131072);
	/* max_sectors not a multiple of the block: rounded down */
	lim = limits(4096);
	lim.max_sectors = 255;
	v[0].len = 1 << 20;
	bio = data_bio(REQ_OP_WRITE, 0, v, 1);
	expect_split(&bio, &lim, 126976, 2, 0, 126976);
}

static void test_max_segments(void **state)
{
	struct queue_limits lim = limits(512);
	struct bio_vec v[40];
	struct bio bio;

	(void)state;
	for (unsigned int i = 0; i < 40; i++)
		v[i] = (struct bio_vec){ 0x100000 + i * 0x2000, 1024 };
	/* 40 small vectors, 32 segments allowed */
	bio = data_bio(REQ_OP_READ, 0, v, 40);
	expect_split(&bio, &lim, 32 * 1024, 32, 32, 0);
	bio = data_bio(REQ_OP_READ, 0, v, 32);
	expect_split(&bio, &lim, 32 * 1024, 32, 32, 0);
	/* adjacent vectors are not merged: still one segment each */
	for (unsigned int i = 0; i < 40; i++)
		v[i].phys = 0x100000 + i * 1024;
	bio = data_bio(REQ_OP_READ, 0, v, 40);
	expect_split(&bio, &lim, 32 * 1024, 32, 32, 0);
	/* 4 KiB blocks from 1 KiB vectors: 32 segments are 8 blocks */
	lim = limits(4096);
	expect_split(&bio, &lim, 32 * 1024, 32, 32, 0);
	/* 30 segments hold 7.5 blocks: round down to 7, inside vector 28 */
	lim.max_segments = 30;
	expect_split(&bio, &lim, 7 * 4096, 28, 28, 0);
	lim.max_segments = 3;	/* less than a block */
	{
		struct bio_split s;

		assert_int_equal(bio_split_point(&bio, &lim, &s), -EINVAL);
	}
}

static void test_huge_vector(void **state)
{
	struct queue_limits lim = limits(512);
	struct bio_vec v = { 0x40000000, 16 << 20 };
	struct bio bio = data_bio(REQ_OP_READ, 0, &v, 1);

	(void)state;
	lim.max_sectors = 65535 * 8;
	lim.max_segments = 4;
	/* one vector, 64 KiB segments: four of them */
	expect_split(&bio, &lim, 4 * 65536, 4, 0, 4 * 65536);
	/* no segment limit worth the name: max_sectors decides */
	lim.max_segments = 65535;
	lim.max_sectors = 0xffffffff;
	expect_split(&bio, &lim, 16 << 20, 256, 1, 0);
	/* a 4 GiB-capable limit and a bio close to 4 GiB, within one 4 GiB line */
	v = (struct bio_vec){ 0x100000000ULL, 0xfffff000 };
	bio = data_bio(REQ_OP_READ, 0, &v, 1);
	lim.max_segment_size = 0xffffffff;
	expect_split(&bio, &lim, 0xfffff000, 1, 1, 0);
}

static void test_seg_boundary(void **state)
{
	struct queue_limits lim = limits(512);
	struct bio_vec v[2] = { { 0xf000, 8192 }, { 0x30000, 4096 } };
	struct bio bio = data_bio(REQ_OP_WRITE, 0, v, 2);

	(void)state;
	lim.seg_boundary_mask = 0xffff;
	/* the first vector crosses 0x10000: two segments */
	expect_split(&bio, &lim, 12288, 3, 2, 0);
	lim.max_segments = 2;
	expect_split(&bio, &lim, 8192, 2, 1, 0);
	lim.max_segments = 1;
	expect_split(&bio, &lim, 4096, 1, 0, 4096);
	/* segment size and boundary together */
	v[0] = (struct bio_vec){ 0x1f000, 0x12000 };	/* to 0x31000 */
	bio = data_bio(REQ_OP_WRITE, 0, v, 1);
	lim.max_segments = 64;
	lim.max_sectors = 1024;
	lim.max_segment_size = 0x8000;
	/* 0x1f000-0x20000, 0x20000-0x28000, -0x30000, -0x31000 */
	expect_split(&bio, &lim, 0x12000, 4, 1, 0);
	lim.max_segments = 3;
	expect_split(&bio, &lim, 0x11000, 3, 0, 0x11000);
}

static void test_virt_boundary(void **state)
{
	struct queue_limits lim = limits(512);
	struct bio_vec v[4] = {
		{ 0x1200, 0xe00 },	/* starts unaligned, ends on 0x2000: fine first */
		{ 0x5000, 0x1000 },
		{ 0x9000, 0x800 },	/* ends mid-page: must be last */
		{ 0xa000, 0x1000 },
	};
	struct bio bio = data_bio(REQ_OP_READ, 0, v, 4), rest;
	struct bio_split s;

	(void)state;
	lim.virt_boundary_mask = 0xfff;
	expect_split(&bio, &lim, 0xe00 + 0x1000 + 0x800, 3, 3, 0);
	/* 4 KiB blocks: 0x2600 rounds down to 0x2000, inside vector 2 */
	lim = limits(4096);
	lim.virt_boundary_mask = 0xfff;
	lim.dma_alignment = 511;
	expect_split(&bio, &lim, 0x2000, 3, 2, 0x200);
	/* the remainder starts mid-vector: no gap check before its first one */
	rest = bio;
	assert_int_equal(bio_split_point(&bio, &lim, &s), 0);
	bio_advance(&rest, &s);
	assert_int_equal(rest.vcnt, 2);
	assert_int_equal(rest.vec_offset, 0x200);
	assert_int_equal(rest.size, 0x600 + 0x1000);
	assert_int_equal(rest.sector, 0x2000 / 512);
	assert_int_equal(bio_check(&rest, &lim, 1000), -EINVAL);	/* 0x1600: not 4K */
	/* an unaligned middle segment: gap before it */
	v[1].phys = 0x5200;
	lim = limits(512);
	lim.virt_boundary_mask = 0xfff;
	expect_split(&bio, &lim, 0xe00, 1, 1, 0);
	/* the same at 4 KiB: not even one block fits */
	lim.logical_block_size = lim.physical_block_size = 4096;
	assert_int_equal(bio_split_point(&bio, &lim, &s), -EINVAL);
	/* no virt boundary: no split at all */
	lim = limits(512);
	expect_split(&bio, &lim, bio.size, 4, 4, 0);
}

static void test_no_data_ops(void **state)
{
	struct queue_limits lim = limits(4096);
	struct bio discard = { .op = REQ_OP_DISCARD, .sector = 0, .size = 10 << 20 };
	struct bio flush = { .op = REQ_OP_FLUSH };
	struct bio_split s;
	u32 pieces[4], n = 0;

	(void)state;
	assert_int_equal(bio_split_point(&flush, &lim, &s), 0);
	assert_int_equal(s.bytes, 0);
	while (discard.size) {
		assert_int_equal(bio_split_point(&discard, &lim, &s), 0);
		assert_int_equal(s.nr_segs, 0);
		pieces[n++] = s.bytes;
		bio_advance(&discard, &s);
	}
	assert_int_equal(n, 3);
	assert_int_equal(pieces[0], 4 << 20);
	assert_int_equal(pieces[1], 4 << 20);
	assert_int_equal(pieces[2], 2 << 20);
	assert_int_equal(discard.sector, (10 << 20) / 512);
	assert_null(discard.vecs);
	/* a max not a multiple of the block is rounded down */
	lim.max_write_zeroes_sectors = 12;
	discard = (struct bio){ .op = REQ_OP_WRITE_ZEROES, .size = 16384 };
	assert_int_equal(bio_split_point(&discard, &lim, &s), 0);
	assert_int_equal(s.bytes, 4096);
	lim.max_write_zeroes_sectors = 7;
	assert_int_equal(bio_split_point(&discard, &lim, &s), -EINVAL);
}

/* --- randomized: pieces against an independent model ---------------------- */

/* Segments of [addr, addr + len): per boundary line, ceil(part / max size). */
static u64 model_segments(u64 addr, u64 len, const struct queue_limits *lim)
{
	u64 segs = 0, line = (u64)lim->seg_boundary_mask + 1;

	while (len) {
		u64 part = min(len, line - (addr & (line - 1)));

		segs += DIV_ROUND_UP(part, lim->max_segment_size);
		addr += part;
		len -= part;
	}
	return segs;
}

/* May the first bytes of bio (starting at vec_offset) go in one request? */
static bool model_legal(const struct bio *bio, const struct queue_limits *lim, u64 bytes)
{
	u64 segs = 0, done = 0, off = bio->vec_offset;

	if (bytes > (u64)lim->max_sectors * 512 || bytes > bio->size)
		return false;
	for (u16 i = 0; i < bio->vcnt && done < bytes; i++, off = 0) {
		u64 addr = bio->vecs[i].phys + off;
		u64 len = min((u64)bio->vecs[i].len - off, bytes - done);

		if (lim->virt_boundary_mask && i > 0) {
			const struct bio_vec *p = &bio->vecs[i - 1];

			if ((p->phys + p->len) & lim->virt_boundary_mask ||
			    addr & lim->virt_boundary_mask)
				return false;
		}
		segs += model_segments(addr, len, lim);
		done += len;
	}
	return segs <= lim->max_segments;
}

static u32 rnd(u32 n)
{
	return (u32)random() % n;
}

static void test_random_pieces(void **state)
{
	static struct bio_vec v[64];
	static u16 covered[64][32];	/* per vector, per 512-byte chunk */

	(void)state;
	srandom(1234);
	for (unsigned int iter = 0; iter < 20000; iter++) {
		u32 lbs = rnd(2) ? 4096 : 512;
		struct queue_limits lim = limits(lbs);
		u16 vcnt = 1 + rnd(64);
		struct bio bio, rest;
		u32 total = 0, chunks = 0, pieces = 0;
		u64 sector_expect;

		lim.max_sectors = lbs / 512 * (1 + rnd(64));
		lim.max_segments = 1 + rnd(16);
		lim.max_segment_size = 4096 << rnd(4);
		lim.seg_boundary_mask = (4096U << rnd(5)) - 1;
		lim.virt_boundary_mask = rnd(3) ? 0 : 4095;
		if (rnd(4) == 0)
			lim.seg_boundary_mask = 0xffffffff;
		assert_int_equal(queue_limits_check(&lim), 0);
		for (u16 i = 0; i < vcnt; i++) {
			v[i].phys = (u64)rnd(1 << 16) * 512;
			v[i].len = (1 + rnd(16)) * 512;
			if (lim.virt_boundary_mask && rnd(4)) {
				v[i].phys = ALIGN_DOWN(v[i].phys, 4096);
				v[i].len = ALIGN_UP(v[i].len, 4096);
			}
			total += v[i].len;
		}
		/* make the total a whole number of blocks */
		if (total % lbs) {
			v[vcnt - 1].len += lbs - total % lbs;
			total = ALIGN_UP(total, lbs);
		}
		assert_true(v[vcnt - 1].len <= 32 * 512);
		bio = data_bio(REQ_OP_WRITE, 64, v, vcnt);
		assert_int_equal(bio_check(&bio, &lim, 1 << 30), 0);
		memset(covered, 0, sizeof(covered));

		rest = bio;
		sector_expect = bio.sector;
		while (rest.size) {
			struct bio_split s;
			u64 done = 0, off = rest.vec_offset;
			int err = bio_split_point(&rest, &lim, &s);

			if (err) {
				/* legitimately stuck: no block fits */
				assert_int_equal(err, -EINVAL);
				assert_false(model_legal(&rest, &lim, lbs));
				break;
			}
			pieces++;
			assert_true(s.bytes > 0 && s.bytes % lbs == 0);
			assert_true(model_legal(&rest, &lim, s.bytes));
			assert_true(s.bytes == rest.size || !model_legal(&rest, &lim, s.bytes + lbs));
			assert_true(s.nr_segs <= lim.max_segments);
			assert_int_equal(rest.sector, sector_expect);
			/* mark the chunks of this piece, in order */
			for (u16 i = 0; done < s.bytes; i++, off = 0) {
				u64 len = min((u64)rest.vecs[i].len - off, s.bytes - done);
				unsigned int vi = (unsigned int)(rest.vecs + i - v);

				for (u64 c = off / 512; c < (off + len) / 512; c++) {
					assert_int_equal(covered[vi][c], 0);
					covered[vi][c] = (u16)pieces;
				}
				done += len;
				if (done == s.bytes) {
					if (off + len == rest.vecs[i].len) {
						assert_int_equal(s.next_vec, i + 1);
						assert_int_equal(s.next_offset, 0);
					} else {
						assert_int_equal(s.next_vec, i);
						assert_int_equal(s.next_offset, off + len);
					}
				}
			}
			sector_expect += s.bytes / 512;
			bio_advance(&rest, &s);
			if (rest.size)
				assert_int_equal(bio_check(&rest, &lim, 1 << 30), 0);
		}
		if (rest.size)
			continue;
		assert_int_equal(rest.vcnt, 0);
		/* every chunk covered once, pieces numbered in address order */
		for (u16 i = 0, last = 0; i < vcnt; i++) {
			for (u32 c = 0; c < v[i].len / 512; c++, chunks++) {
				assert_true(covered[i][c] >= last && covered[i][c] > 0);
				last = covered[i][c];
			}
		}
		assert_int_equal(chunks, total / 512);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_limits_check),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_check_no_data),
		cmocka_unit_test(test_max_sectors),
		cmocka_unit_test(test_max_segments),
		cmocka_unit_test(test_huge_vector),
		cmocka_unit_test(test_seg_boundary),
		cmocka_unit_test(test_virt_boundary),
		cmocka_unit_test(test_no_data_ops),
		cmocka_unit_test(test_random_pieces),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
