/*
 * virtio-blk's device configuration decoded (see virtio_blk_config.h). The
 * driver (virtio_blk.c) reads the configuration field by field, as the
 * spec wants, into a little-endian copy; everything here works on the copy.
 */
#include "drivers/virtio/virtio_blk_config.h"
#include "lib/byteorder.h"
#include "lib/errno.h"

static bool has(u64 features, unsigned int bit)
{
	return features >> bit & 1;
}

int virtio_blk_config_decode(const u8 *cfg, u64 features, struct virtio_blk_config_info *out,
			     const char **why)
{
	u32 v;

	out->capacity = get_le64(cfg + VIRTIO_BLK_CFG_CAPACITY);
	out->blk_size = 512;
	if (has(features, VIRTIO_BLK_F_BLK_SIZE)) {
		v = get_le32(cfg + VIRTIO_BLK_CFG_BLK_SIZE);
		if (v >= 512 && v <= 4096 && !(v & (v - 1)))
			out->blk_size = v;
	}
	/* offsets in bytes are sectors << 9: a capacity past that is no disk */
	if (out->capacity > ~0ULL >> 9) {
		*why = "capacity in bytes overflows";
		return -EINVAL;
	}
	/* a trailing partial logical block cannot be addressed */
	out->capacity &= ~(u64)(out->blk_size / 512 - 1);
	out->phys_block = out->blk_size;
	if (has(features, VIRTIO_BLK_F_TOPOLOGY)) {
		u8 exp = cfg[VIRTIO_BLK_CFG_PHYS_BLOCK_EXP];

		if (exp <= 7)
			out->phys_block = out->blk_size << exp;
	}
	out->seg_max = VIRTIO_BLK_MAX_SEGMENTS;
	if (has(features, VIRTIO_BLK_F_SEG_MAX)) {
		v = get_le32(cfg + VIRTIO_BLK_CFG_SEG_MAX);
		if (v)
			out->seg_max = min(v, (u32)VIRTIO_BLK_MAX_SEGMENTS);
	}
	out->size_max = 0;
	if (has(features, VIRTIO_BLK_F_SIZE_MAX))
		out->size_max = get_le32(cfg + VIRTIO_BLK_CFG_SIZE_MAX);
	out->max_discard_sectors = 0;
	if (has(features, VIRTIO_BLK_F_DISCARD)) {
		v = get_le32(cfg + VIRTIO_BLK_CFG_MAX_DISCARD_SECTORS);
		out->max_discard_sectors = v ? v : 0xffffffffU >> 9;
	}
	out->max_write_zeroes_sectors = 0;
	if (has(features, VIRTIO_BLK_F_WRITE_ZEROES)) {
		v = get_le32(cfg + VIRTIO_BLK_CFG_MAX_WRITE_ZEROES_SECTORS);
		out->max_write_zeroes_sectors = v ? v : 0xffffffffU >> 9;
	}
	out->num_queues = 1;
	if (has(features, VIRTIO_BLK_F_MQ))
		out->num_queues = max(get_le16(cfg + VIRTIO_BLK_CFG_NUM_QUEUES), (u16)1);
	return 0;
}

int virtio_blk_ring_seg_max(u32 seg_max, u32 ring_size, bool indirect)
{
	if (indirect)
		return ring_size ? (int)seg_max : -ENOSPC;
	/* header + data + status descriptors */
	if (ring_size < 3)
		return -ENOSPC;
	return (int)min(seg_max, ring_size - 2);
}

unsigned int virtio_blk_queues_wanted(u32 num_queues, unsigned int device_queues)
{
	return min(max(num_queues, 1U), min(device_queues, (unsigned int)VIRTIO_BLK_MAX_QUEUES));
}
