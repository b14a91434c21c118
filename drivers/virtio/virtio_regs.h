/*
 * virtio 1.x hardware definitions: device status, feature bits, the PCI
 * transport's vendor-specific capabilities and common configuration layout
 * (virtio 1.2, section 4.1.4), and the split virtqueue layout (section 2.7).
 * All fields are little-endian, which on x86 is native.
 */
#ifndef DRIVERS_VIRTIO_VIRTIO_REGS_H
#define DRIVERS_VIRTIO_VIRTIO_REGS_H

#include "lib/types.h"

/* --- device status (2.1) ------------------------------------------------ */
#define VIRTIO_STATUS_ACKNOWLEDGE	0x01	/* the guest noticed the device */
#define VIRTIO_STATUS_DRIVER		0x02	/* and knows how to drive it */
#define VIRTIO_STATUS_DRIVER_OK		0x04	/* the driver is ready */
#define VIRTIO_STATUS_FEATURES_OK	0x08	/* feature negotiation done */
#define VIRTIO_STATUS_NEEDS_RESET	0x40	/* the device hit an error */
#define VIRTIO_STATUS_FAILED		0x80	/* the driver gave up */

/* --- feature bits independent of the device type (6) -------------------- */
#define VIRTIO_F_RING_INDIRECT_DESC	28
#define VIRTIO_F_RING_EVENT_IDX		29
#define VIRTIO_F_VERSION_1		32
#define VIRTIO_F_ACCESS_PLATFORM	33
#define VIRTIO_F_RING_PACKED		34
#define VIRTIO_F_IN_ORDER		35
#define VIRTIO_F_ORDER_PLATFORM		36
#define VIRTIO_F_SR_IOV			37
#define VIRTIO_F_NOTIFICATION_DATA	38
#define VIRTIO_F_RING_RESET		40

/* --- PCI (4.1) ------------------------------------------------------------ */
#define VIRTIO_PCI_VENDOR		0x1af4
#define VIRTIO_PCI_DEVICE_MODERN_BASE	0x1040	/* + device type: 0x1042 is block */
#define VIRTIO_PCI_DEVICE_BLOCK_LEGACY	0x1001	/* transitional virtio-blk */

/* struct virtio_pci_cap, in configuration space after the generic cap header */
#define VIRTIO_PCI_CAP_LEN		2	/* u8: length of this capability */
#define VIRTIO_PCI_CAP_CFG_TYPE		3	/* u8: VIRTIO_PCI_CAP_* */
#define VIRTIO_PCI_CAP_BAR		4	/* u8: which BAR */
#define VIRTIO_PCI_CAP_ID		5	/* u8: several of one type */
#define VIRTIO_PCI_CAP_OFFSET		8	/* le32: within the BAR */
#define VIRTIO_PCI_CAP_LENGTH		12	/* le32: bytes */
#define VIRTIO_PCI_NOTIFY_CAP_MULT	16	/* le32: notify_off_multiplier */

#define VIRTIO_PCI_CAP_COMMON_CFG	1
#define VIRTIO_PCI_CAP_NOTIFY_CFG	2
#define VIRTIO_PCI_CAP_ISR_CFG		3
#define VIRTIO_PCI_CAP_DEVICE_CFG	4
#define VIRTIO_PCI_CAP_PCI_CFG		5

/* struct virtio_pci_common_cfg (4.1.4.3): byte offsets */
#define VIRTIO_PCI_COMMON_DFSELECT	0x00	/* le32 device_feature_select */
#define VIRTIO_PCI_COMMON_DF		0x04	/* le32 device_feature (read-only) */
#define VIRTIO_PCI_COMMON_GFSELECT	0x08	/* le32 driver_feature_select */
#define VIRTIO_PCI_COMMON_GF		0x0c	/* le32 driver_feature */
#define VIRTIO_PCI_COMMON_MSIX		0x10	/* le16 config_msix_vector */
#define VIRTIO_PCI_COMMON_NUMQ		0x12	/* le16 num_queues (read-only) */
#define VIRTIO_PCI_COMMON_STATUS	0x14	/* u8 device_status */
#define VIRTIO_PCI_COMMON_CFGGENERATION	0x15	/* u8 config_generation (read-only) */
#define VIRTIO_PCI_COMMON_Q_SELECT	0x16	/* le16 queue_select */
#define VIRTIO_PCI_COMMON_Q_SIZE	0x18	/* le16 queue_size */
#define VIRTIO_PCI_COMMON_Q_MSIX	0x1a	/* le16 queue_msix_vector */
#define VIRTIO_PCI_COMMON_Q_ENABLE	0x1c	/* le16 queue_enable */
#define VIRTIO_PCI_COMMON_Q_NOFF	0x1e	/* le16 queue_notify_off (read-only) */
#define VIRTIO_PCI_COMMON_Q_DESCLO	0x20	/* le64 queue_desc */
#define VIRTIO_PCI_COMMON_Q_DESCHI	0x24
#define VIRTIO_PCI_COMMON_Q_AVAILLO	0x28	/* le64 queue_driver */
#define VIRTIO_PCI_COMMON_Q_AVAILHI	0x2c
#define VIRTIO_PCI_COMMON_Q_USEDLO	0x30	/* le64 queue_device */
#define VIRTIO_PCI_COMMON_Q_USEDHI	0x34
#define VIRTIO_PCI_COMMON_CFG_LEN	0x38	/* what a driver without 1.2 extras reads */

#define VIRTIO_MSI_NO_VECTOR		0xffff

/* ISR status (4.1.4.5): read to acknowledge; only meaningful for INTx */
#define VIRTIO_PCI_ISR_QUEUE		0x1
#define VIRTIO_PCI_ISR_CONFIG		0x2

/* --- split virtqueues (2.7) ----------------------------------------------- */
#define VIRTQ_DESC_F_NEXT		1	/* the chain goes on in .next */
#define VIRTQ_DESC_F_WRITE		2	/* device writes (else reads) */
#define VIRTQ_DESC_F_INDIRECT		4	/* addr/len is a table of descriptors */

struct virtq_desc {
	u64 addr;	/* guest physical */
	u32 len;
	u16 flags;	/* VIRTQ_DESC_F_* */
	u16 next;
};

#define VIRTQ_AVAIL_F_NO_INTERRUPT	1	/* without EVENT_IDX: no interrupt please */

/* the driver area: flags, idx, ring[queue size], then used_event (EVENT_IDX) */
struct virtq_avail {
	u16 flags;
	u16 idx;	/* where the driver puts the next entry (free running) */
	u16 ring[];
};

#define VIRTQ_USED_F_NO_NOTIFY		1	/* without EVENT_IDX: no kick please */

struct virtq_used_elem {
	u32 id;		/* head of the descriptor chain */
	u32 len;	/* bytes the device wrote into the chain */
};

/* the device area: flags, idx, ring[queue size], then avail_event (EVENT_IDX) */
struct virtq_used {
	u16 flags;
	u16 idx;
	struct virtq_used_elem ring[];
};

STATIC_ASSERT(sizeof(struct virtq_desc) == 16);
STATIC_ASSERT(sizeof(struct virtq_used_elem) == 8);

/* 2.7.7.2: alignment the device requires of each part */
#define VIRTQ_DESC_ALIGN	16
#define VIRTQ_AVAIL_ALIGN	2
#define VIRTQ_USED_ALIGN	4
#define VIRTQ_MAX_SIZE		32768

#endif
