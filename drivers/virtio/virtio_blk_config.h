/*
 * virtio-blk's device configuration (virtio 1.2 5.2.4) decoded into the
 * disk's geometry and limits: capacity, block sizes, segments, discard and
 * write-zeroes limits, the number of queues wanted. Pure code
 * (drivers/virtio/virtio_blk_config.c), tested on the host and fuzzed
 * (tests/fuzz/drivers/virtio/fuzz_virtio_blk_config.c): every field comes
 * from the device, which may report anything.
 */
#ifndef DRIVERS_VIRTIO_VIRTIO_BLK_CONFIG_H
#define DRIVERS_VIRTIO_VIRTIO_BLK_CONFIG_H

#include "lib/types.h"
#include "drivers/virtio/virtio_blk_regs.h"

#define VIRTIO_BLK_MAX_SEGMENTS 64	/* the indirect table then fits in the pdu */
#define VIRTIO_BLK_MAX_QUEUES 64	/* virtqueues a disk uses at most */
#define VIRTIO_BLK_CFG_BYTES 56		/* through max_write_zeroes_seg */

struct virtio_blk_config_info {
	u64 capacity;			/* 512-byte sectors, whole logical blocks */
	u32 blk_size;			/* logical block: 512 .. 4096, a power of two */
	u32 phys_block;			/* physical block: blk_size << exponent (<= 7) */
	u32 seg_max;			/* data segments per request, 1 .. VIRTIO_BLK_MAX_SEGMENTS */
	u32 size_max;			/* bytes per segment; 0 none */
	u32 max_discard_sectors;	/* 0 without DISCARD */
	u32 max_write_zeroes_sectors;	/* 0 without WRITE_ZEROES */
	u32 num_queues;			/* the device's wish: 1 with no MQ */
};

/*
 * Decode cfg (VIRTIO_BLK_CFG_BYTES, little-endian, as the device holds it)
 * under the negotiated features (bit n = feature n). Fields of features not
 * negotiated are ignored; out-of-range values fall back to the defaults
 * (512-byte blocks, 64 segments, one queue). Returns 0, or -EINVAL with why
 * set when the capacity in bytes does not fit a u64.
 */
int virtio_blk_config_decode(const u8 *cfg, u64 features, struct virtio_blk_config_info *out,
			     const char **why);

/*
 * Data segments a request may carry on a ring of ring_size descriptors:
 * without indirect descriptors a request's chain (header, data, status)
 * must fit the ring. Returns 1 .. seg_max, or -ENOSPC when the ring holds
 * no request at all (fewer than 3 descriptors).
 */
int virtio_blk_ring_seg_max(u32 seg_max, u32 ring_size, bool indirect);

/* Virtqueues to set up: the device's wish, at least 1, at most it and the driver have. */
unsigned int virtio_blk_queues_wanted(u32 num_queues, unsigned int device_queues);

#endif
