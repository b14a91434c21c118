/*
 * Fuzz virtio-blk's configuration decoding (drivers/virtio/virtio_blk_config.c).
 * Input: the negotiated features (8 bytes LE), the ring size and the
 * device's queue count (2 bytes each), then the configuration space
 * (VIRTIO_BLK_CFG_BYTES; short input leaves the rest zero). Invariants: an
 * accepted configuration has a power-of-two logical block of 512 .. 4096
 * bytes, a capacity of whole blocks whose size in bytes fits a u64, a
 * physical block that is a power-of-two multiple of the logical one, 1 .. 64
 * segments, fields of features not negotiated ignored; a ring's segment
 * count leaves room for header and status; the queue count is 1 .. what the
 * device and the driver have.
 */
#include "tests/fuzz/fuzz.h"
#include "drivers/virtio/virtio_blk_config.c"

#define FUZZ_VIRTIO_HEADER 12

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	u8 cfg[VIRTIO_BLK_CFG_BYTES];
	struct virtio_blk_config_info c;
	const char *why = NULL;
	u64 features;
	u32 ring;
	unsigned int device_queues, q;

	if (size < FUZZ_VIRTIO_HEADER)
		return 0;
	features = get_le64(data);
	ring = get_le16(data + 8);
	device_queues = get_le16(data + 10);
	memset(cfg, 0, sizeof(cfg));
	memcpy(cfg, data + FUZZ_VIRTIO_HEADER, min(size - FUZZ_VIRTIO_HEADER, sizeof(cfg)));

	if (virtio_blk_config_decode(cfg, features, &c, &why)) {
		FUZZ_CHECK(why && get_le64(cfg) > ~0ULL >> 9);
		return 0;
	}
	FUZZ_CHECK(c.blk_size >= 512 && c.blk_size <= 4096 && !(c.blk_size & (c.blk_size - 1)));
	FUZZ_CHECK(c.capacity <= ~0ULL >> 9 && c.capacity % (c.blk_size / 512) == 0);
	FUZZ_CHECK(c.capacity <= get_le64(cfg) && get_le64(cfg) - c.capacity < c.blk_size / 512);
	FUZZ_CHECK(c.phys_block >= c.blk_size && c.phys_block <= c.blk_size << 7 &&
		   !(c.phys_block & (c.phys_block - 1)));
	FUZZ_CHECK(c.seg_max >= 1 && c.seg_max <= VIRTIO_BLK_MAX_SEGMENTS);
	FUZZ_CHECK(c.num_queues >= 1);
	if (!(features >> VIRTIO_BLK_F_BLK_SIZE & 1))
		FUZZ_CHECK(c.blk_size == 512);
	if (!(features >> VIRTIO_BLK_F_TOPOLOGY & 1))
		FUZZ_CHECK(c.phys_block == c.blk_size);
	if (!(features >> VIRTIO_BLK_F_SEG_MAX & 1))
		FUZZ_CHECK(c.seg_max == VIRTIO_BLK_MAX_SEGMENTS);
	if (!(features >> VIRTIO_BLK_F_SIZE_MAX & 1))
		FUZZ_CHECK(c.size_max == 0);
	FUZZ_CHECK(!!(features >> VIRTIO_BLK_F_DISCARD & 1) == !!c.max_discard_sectors);
	FUZZ_CHECK(!!(features >> VIRTIO_BLK_F_WRITE_ZEROES & 1) == !!c.max_write_zeroes_sectors);
	if (!(features >> VIRTIO_BLK_F_MQ & 1))
		FUZZ_CHECK(c.num_queues == 1);

	for (int indirect = 0; indirect < 2; indirect++) {
		int seg = virtio_blk_ring_seg_max(c.seg_max, ring, indirect);

		if (seg < 0) {
			FUZZ_CHECK(indirect ? ring == 0 : ring < 3);
			continue;
		}
		FUZZ_CHECK(seg >= 1 && (u32)seg <= c.seg_max);
		if (!indirect)
			FUZZ_CHECK((u32)seg + 2 <= ring);
	}
	q = virtio_blk_queues_wanted(c.num_queues, device_queues);
	FUZZ_CHECK(q <= device_queues && q <= VIRTIO_BLK_MAX_QUEUES && q <= c.num_queues);
	FUZZ_CHECK(q >= 1 || device_queues == 0);
	return 0;
}
