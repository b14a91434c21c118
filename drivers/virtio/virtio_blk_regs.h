/*
 * virtio-blk hardware definitions (virtio 1.2, section 5.2): feature bits,
 * the device configuration layout, the request header and status byte.
 */
#ifndef DRIVERS_VIRTIO_VIRTIO_BLK_REGS_H
#define DRIVERS_VIRTIO_VIRTIO_BLK_REGS_H

#include "lib/types.h"

/* feature bits (5.2.3) */
#define VIRTIO_BLK_F_SIZE_MAX		1	/* size_max: bytes per segment */
#define VIRTIO_BLK_F_SEG_MAX		2	/* seg_max: segments per request */
#define VIRTIO_BLK_F_GEOMETRY		4
#define VIRTIO_BLK_F_RO			5	/* read-only */
#define VIRTIO_BLK_F_BLK_SIZE		6	/* blk_size: the logical block size */
#define VIRTIO_BLK_F_FLUSH		9	/* VIRTIO_BLK_T_FLUSH: a write-back cache */
#define VIRTIO_BLK_F_TOPOLOGY		10	/* physical block exponent, io sizes */
#define VIRTIO_BLK_F_CONFIG_WCE		11
#define VIRTIO_BLK_F_MQ			12	/* num_queues */
#define VIRTIO_BLK_F_DISCARD		13
#define VIRTIO_BLK_F_WRITE_ZEROES	14

/* struct virtio_blk_config (5.2.4): byte offsets in the device configuration */
#define VIRTIO_BLK_CFG_CAPACITY		0	/* le64, 512-byte sectors */
#define VIRTIO_BLK_CFG_SIZE_MAX		8	/* le32 */
#define VIRTIO_BLK_CFG_SEG_MAX		12	/* le32 */
#define VIRTIO_BLK_CFG_BLK_SIZE		20	/* le32 */
#define VIRTIO_BLK_CFG_PHYS_BLOCK_EXP	24	/* u8: physical = logical << exp */
#define VIRTIO_BLK_CFG_NUM_QUEUES	34	/* le16 */
#define VIRTIO_BLK_CFG_MAX_DISCARD_SECTORS	36	/* le32 */
#define VIRTIO_BLK_CFG_MAX_DISCARD_SEG	40	/* le32 */
#define VIRTIO_BLK_CFG_DISCARD_ALIGN	44	/* le32, sectors */
#define VIRTIO_BLK_CFG_MAX_WRITE_ZEROES_SECTORS	48	/* le32 */
#define VIRTIO_BLK_CFG_MAX_WRITE_ZEROES_SEG	52	/* le32 */

/* request types (5.2.6) */
#define VIRTIO_BLK_T_IN			0
#define VIRTIO_BLK_T_OUT		1
#define VIRTIO_BLK_T_FLUSH		4
#define VIRTIO_BLK_T_GET_ID		8	/* 20 bytes of serial number */
#define VIRTIO_BLK_T_DISCARD		11
#define VIRTIO_BLK_T_WRITE_ZEROES	13

#define VIRTIO_BLK_ID_BYTES		20

/* the status byte the device writes last */
#define VIRTIO_BLK_S_OK			0
#define VIRTIO_BLK_S_IOERR		1
#define VIRTIO_BLK_S_UNSUPP		2

/* the device-readable header that starts every request */
struct virtio_blk_outhdr {
	u32 type;	/* VIRTIO_BLK_T_* */
	u32 reserved;	/* ioprio in legacy devices; 0 */
	u64 sector;	/* 512-byte units, whatever blk_size says */
};

/* the data of a DISCARD or WRITE_ZEROES request: one range per segment */
struct virtio_blk_discard_write_zeroes {
	u64 sector;
	u32 num_sectors;
	u32 flags;	/* VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP */
};

#define VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP 1

STATIC_ASSERT(sizeof(struct virtio_blk_outhdr) == 16);
STATIC_ASSERT(sizeof(struct virtio_blk_discard_write_zeroes) == 16);

#endif
