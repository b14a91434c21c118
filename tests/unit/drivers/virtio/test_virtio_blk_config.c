/*
 * Unit tests for drivers/virtio/virtio_blk_config.c: QEMU's configuration
 * decoded, fields of features not negotiated ignored, out-of-range values
 * falling back to defaults, and what the split out of the driver fixed: a
 * capacity whose size in bytes wraps is refused, a capacity with a partial
 * logical block is cut to whole blocks, and a ring of 1 or 2 descriptors
 * (once 64 segments through a u32 that wrapped, or 0) holds no request.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "drivers/virtio/virtio_blk_config.c"
#include "lib/string.h"

#define F(bit) (1ULL << (bit))

static void cfg_fill(u8 *b, u64 capacity, u32 seg_max, u32 blk_size, u8 exp, u16 nq)
{
	memset(b, 0, VIRTIO_BLK_CFG_BYTES);
	put_le64(b + VIRTIO_BLK_CFG_CAPACITY, capacity);
	put_le32(b + VIRTIO_BLK_CFG_SEG_MAX, seg_max);
	put_le32(b + VIRTIO_BLK_CFG_BLK_SIZE, blk_size);
	b[VIRTIO_BLK_CFG_PHYS_BLOCK_EXP] = exp;
	put_le16(b + VIRTIO_BLK_CFG_NUM_QUEUES, nq);
	put_le32(b + VIRTIO_BLK_CFG_MAX_DISCARD_SECTORS, 0x3fffff);
	put_le32(b + VIRTIO_BLK_CFG_MAX_WRITE_ZEROES_SECTORS, 0);
	put_le32(b + VIRTIO_BLK_CFG_SIZE_MAX, 65536);
}

static void test_qemu(void **state)
{
	u8 b[VIRTIO_BLK_CFG_BYTES];
	struct virtio_blk_config_info c;
	const char *why;

	(void)state;
	cfg_fill(b, 131072, 126, 512, 0, 2);
	assert_int_equal(virtio_blk_config_decode(b, F(VIRTIO_BLK_F_SEG_MAX) | F(VIRTIO_BLK_F_BLK_SIZE) |
						  F(VIRTIO_BLK_F_MQ) | F(VIRTIO_BLK_F_DISCARD) |
						  F(VIRTIO_BLK_F_WRITE_ZEROES), &c, &why), 0);
	assert_true(c.capacity == 131072);
	assert_int_equal(c.blk_size, 512);
	assert_int_equal(c.phys_block, 512);
	assert_int_equal(c.seg_max, VIRTIO_BLK_MAX_SEGMENTS);	/* 126 capped */
	assert_int_equal(c.num_queues, 2);
	assert_int_equal(c.max_discard_sectors, 0x3fffff);
	assert_int_equal(c.max_write_zeroes_sectors, 0xffffffffU >> 9);	/* 0: no limit */
	assert_int_equal(c.size_max, 0);				/* SIZE_MAX not offered */

	/* 4 KiB blocks, physical 32 KiB, 16 segments */
	cfg_fill(b, 1 << 20, 16, 4096, 3, 4);
	assert_int_equal(virtio_blk_config_decode(b, F(VIRTIO_BLK_F_SEG_MAX) | F(VIRTIO_BLK_F_BLK_SIZE) |
						  F(VIRTIO_BLK_F_TOPOLOGY) | F(VIRTIO_BLK_F_SIZE_MAX),
						  &c, &why), 0);
	assert_int_equal(c.blk_size, 4096);
	assert_int_equal(c.phys_block, 32768);
	assert_int_equal(c.seg_max, 16);
	assert_int_equal(c.size_max, 65536);
	assert_int_equal(c.num_queues, 1);			/* no MQ */
	assert_int_equal(c.max_discard_sectors, 0);		/* no DISCARD */
}

static void test_defaults(void **state)
{
	u8 b[VIRTIO_BLK_CFG_BYTES];
	struct virtio_blk_config_info c;
	const char *why;
	u64 all = F(VIRTIO_BLK_F_SEG_MAX) | F(VIRTIO_BLK_F_BLK_SIZE) | F(VIRTIO_BLK_F_TOPOLOGY) |
		  F(VIRTIO_BLK_F_MQ);

	(void)state;
	/* nothing negotiated: every field ignored */
	cfg_fill(b, 64, 3, 4096, 2, 8);
	assert_int_equal(virtio_blk_config_decode(b, 0, &c, &why), 0);
	assert_int_equal(c.blk_size, 512);
	assert_int_equal(c.seg_max, VIRTIO_BLK_MAX_SEGMENTS);
	assert_int_equal(c.num_queues, 1);
	/* nonsense values fall back: block 1000 bytes, exponent 8, 0 segments, 0 queues */
	cfg_fill(b, 64, 0, 1000, 8, 0);
	assert_int_equal(virtio_blk_config_decode(b, all, &c, &why), 0);
	assert_int_equal(c.blk_size, 512);
	assert_int_equal(c.phys_block, 512);
	assert_int_equal(c.seg_max, VIRTIO_BLK_MAX_SEGMENTS);
	assert_int_equal(c.num_queues, 1);
	cfg_fill(b, 64, 1, 8192, 0, 1);
	assert_int_equal(virtio_blk_config_decode(b, all, &c, &why), 0);
	assert_int_equal(c.blk_size, 512);
	assert_int_equal(c.seg_max, 1);
}

static void test_capacity(void **state)
{
	u8 b[VIRTIO_BLK_CFG_BYTES];
	struct virtio_blk_config_info c;
	const char *why = NULL;

	(void)state;
	cfg_fill(b, ~0ULL >> 9, 1, 512, 0, 1);
	assert_int_equal(virtio_blk_config_decode(b, 0, &c, &why), 0);
	cfg_fill(b, (~0ULL >> 9) + 1, 1, 512, 0, 1);
	assert_int_equal(virtio_blk_config_decode(b, 0, &c, &why), -EINVAL);
	assert_string_equal(why, "capacity in bytes overflows");
	cfg_fill(b, ~0ULL, 1, 512, 0, 1);
	assert_int_equal(virtio_blk_config_decode(b, 0, &c, &why), -EINVAL);
	/* 4 KiB blocks: 8 sectors each, a trailing 7 sectors are no block */
	cfg_fill(b, 8 * 100 + 7, 1, 4096, 0, 1);
	assert_int_equal(virtio_blk_config_decode(b, F(VIRTIO_BLK_F_BLK_SIZE), &c, &why), 0);
	assert_true(c.capacity == 800);
}

static void test_ring(void **state)
{
	(void)state;
	assert_int_equal(virtio_blk_ring_seg_max(64, 256, false), 64);
	assert_int_equal(virtio_blk_ring_seg_max(64, 16, false), 14);
	assert_int_equal(virtio_blk_ring_seg_max(64, 3, false), 1);
	assert_int_equal(virtio_blk_ring_seg_max(64, 2, false), -ENOSPC);
	assert_int_equal(virtio_blk_ring_seg_max(64, 1, false), -ENOSPC);
	assert_int_equal(virtio_blk_ring_seg_max(64, 1, true), 64);
	assert_int_equal(virtio_blk_ring_seg_max(64, 0, true), -ENOSPC);
}

static void test_queues(void **state)
{
	(void)state;
	assert_int_equal(virtio_blk_queues_wanted(4, 2), 2);
	assert_int_equal(virtio_blk_queues_wanted(2, 4), 2);
	assert_int_equal(virtio_blk_queues_wanted(0, 4), 1);
	assert_int_equal(virtio_blk_queues_wanted(65535, 65535), VIRTIO_BLK_MAX_QUEUES);
	assert_int_equal(virtio_blk_queues_wanted(3, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qemu),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_capacity),
		cmocka_unit_test(test_ring),
		cmocka_unit_test(test_queues),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
