/*
 * The virtio 1.x PCI transport (virtio 1.2, 4.1): how a driver of a virtio
 * device type (virtio_blk.c) reaches its device over PCI. Only the modern
 * interface is used, through the vendor-specific capabilities, also on
 * transitional devices (1af4:1000-103f) that offer both.
 *
 * Bring-up order, as the spec has it (3.1.1):
 *	virtio_pci_init()           map the capabilities, reset, ACKNOWLEDGE|DRIVER
 *	virtio_pci_negotiate()      features: device & driver, FEATURES_OK checked
 *	virtio_pci_config_read*()   the device type's configuration
 *	virtio_pci_irq_setup()      MSI-X entries, one per queue
 *	virtio_pci_queue_setup()    each queue: size, vector, ring addresses, enable
 *	virtio_pci_driver_ok()      the device starts
 * and virtio_pci_shutdown() resets it and frees what init and setup took.
 *
 * Everything here runs at probe or on a frozen queue; only
 * virtio_pci_queue_notify() is on the I/O path.
 */
#ifndef DRIVERS_VIRTIO_VIRTIO_PCI_H
#define DRIVERS_VIRTIO_VIRTIO_PCI_H

#include "lib/types.h"
#include "kernel/arch/exit_count.h"
#include "drivers/pci/pci.h"
#include "drivers/virtio/virtio_regs.h"
#include "drivers/virtio/virtio_ring.h"

struct virtio_pci_queue {
	struct virtq *vq;
	volatile u16 *notify;	/* the doorbell: write the queue index */
	u16 index;
	u16 msix_entry;		/* VIRTIO_MSI_NO_VECTOR when the queue has none */
	unsigned int ring_order;	/* pages of the ring: 2^ring_order */
};

struct virtio_pci {
	struct pci_device *pci;
	void *bar[PCI_NUM_BARS];	/* mapped BARs the capabilities point into */
	volatile u8 *common;		/* struct virtio_pci_common_cfg */
	volatile u8 *notify_base;
	u32 notify_len;
	u32 notify_mult;		/* notify_off_multiplier */
	volatile u8 *isr;
	volatile u8 *device_cfg;	/* NULL when the device has none */
	u32 device_cfg_len;
	u64 features;			/* negotiated */
	u16 num_queues;			/* the device's maximum */
	unsigned int nr_msix;		/* MSI-X entries enabled */
	struct virtio_pci_queue *queues;	/* num_queues of them; vq NULL when not set up */
};

/*
 * Enable pci, find and map the COMMON, NOTIFY, ISR and DEVICE capabilities,
 * reset the device and set ACKNOWLEDGE | DRIVER. Returns 0, -ENODEV when a
 * required capability is missing or unusable, -ENOMEM.
 */
int virtio_pci_init(struct virtio_pci *vp, struct pci_device *pci);

u64 virtio_pci_device_features(struct virtio_pci *vp);

/*
 * Accept the features of wanted (bit numbers as BIT(VIRTIO_F_...)) that the
 * device offers; VIRTIO_F_VERSION_1 is required. Sets FEATURES_OK and checks
 * that the device kept it. Returns 0, -ENODEV (no VERSION_1, or refused).
 */
int virtio_pci_negotiate(struct virtio_pci *vp, u64 wanted);

static inline bool virtio_has_feature(const struct virtio_pci *vp, unsigned int bit)
{
	return vp->features & BIT(bit);
}

/*
 * Device configuration reads at their natural width, repeated until the
 * configuration generation is the same before and after (4.1.4.3.1): a
 * 64-bit field is two 32-bit reads that must not straddle a change.
 * Offsets past the capability's length read as 0.
 */
u8 virtio_pci_config_read8(struct virtio_pci *vp, unsigned int off);
u16 virtio_pci_config_read16(struct virtio_pci *vp, unsigned int off);
u32 virtio_pci_config_read32(struct virtio_pci *vp, unsigned int off);
u64 virtio_pci_config_read64(struct virtio_pci *vp, unsigned int off);

/*
 * Enable MSI-X with nvec entries (one per queue; the configuration-change
 * interrupt is not used). Returns the number of entries (maybe fewer), or
 * -ENOTSUP when the device cannot do MSI-X (virtio's modern vectors need it).
 */
int virtio_pci_irq_setup(struct virtio_pci *vp, unsigned int nvec);

/*
 * Set up queue index with at most max_size entries (the device's size when
 * smaller), MSI-X entry msix_entry (VIRTIO_MSI_NO_VECTOR for none), and
 * enable it. Returns 0, -ENOENT for a queue the device lacks, -EIO when the
 * device refuses the vector, -ENOMEM.
 */
int virtio_pci_queue_setup(struct virtio_pci *vp, u16 index, u16 max_size, u16 msix_entry);

/* Ring the doorbell of q. */
static inline void virtio_pci_queue_notify(struct virtio_pci_queue *q)
{
	*q->notify = q->index;
	exit_count(EXIT_DOORBELL);
}

/* Tell the device the driver is ready (DRIVER_OK). */
/*
 * Reset the device and set it up again as it was (features, every queue
 * with its ring emptied, MSI-X entries), short of DRIVER_OK: after it the
 * device holds no request and owns no buffer. 0 or a negative errno.
 */
int virtio_pci_restart(struct virtio_pci *vp);
void virtio_pci_driver_ok(struct virtio_pci *vp);
/* Mark the device FAILED (after a setup error, before shutdown). */
void virtio_pci_fail(struct virtio_pci *vp);
u8 virtio_pci_status(struct virtio_pci *vp);
/* Reset the device, free queues and interrupts, unmap. */
void virtio_pci_shutdown(struct virtio_pci *vp);

#endif
