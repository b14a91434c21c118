/*
 * The virtio 1.x PCI transport (virtio 1.2, 4.1): vendor-specific
 * capabilities, the common configuration structure, feature negotiation,
 * queue setup and MSI-X vectors. See drivers/virtio/virtio_pci.h for the order of
 * calls and docs/virtio.md for the choices.
 */
#include "drivers/virtio/virtio_pci.h"
#include "drivers/pci/pci_regs.h"
#include "kernel/mm/mm.h"
#include "kernel/mm/page_alloc.h"
#include "kernel/console/printk.h"
#include "kernel/mm/slab.h"
#include "kernel/time/time.h"
#include "lib/errno.h"
#include "lib/string.h"

#define VIRTIO_RESET_TIMEOUT_US 1000000

/* --- common configuration access ---------------------------------------- */
static u8 common_read8(struct virtio_pci *vp, unsigned int off)
{
	return *(volatile u8 *)(vp->common + off);
}

static u16 common_read16(struct virtio_pci *vp, unsigned int off)
{
	return *(volatile u16 *)(vp->common + off);
}

static u32 common_read32(struct virtio_pci *vp, unsigned int off)
{
	return *(volatile u32 *)(vp->common + off);
}

static void common_write8(struct virtio_pci *vp, unsigned int off, u8 v)
{
	*(volatile u8 *)(vp->common + off) = v;
}

static void common_write16(struct virtio_pci *vp, unsigned int off, u16 v)
{
	*(volatile u16 *)(vp->common + off) = v;
}

static void common_write32(struct virtio_pci *vp, unsigned int off, u32 v)
{
	*(volatile u32 *)(vp->common + off) = v;
}

/* a 64-bit field as two 32-bit writes, low half first (4.1.3.1) */
static void common_write64(struct virtio_pci *vp, unsigned int off, u64 v)
{
	common_write32(vp, off, (u32)v);
	common_write32(vp, off + 4, (u32)(v >> 32));
}

u8 virtio_pci_status(struct virtio_pci *vp)
{
	return common_read8(vp, VIRTIO_PCI_COMMON_STATUS);
}

static void virtio_pci_add_status(struct virtio_pci *vp, u8 bits)
{
	common_write8(vp, VIRTIO_PCI_COMMON_STATUS, (u8)(virtio_pci_status(vp) | bits));
}

/* Write 0 and wait until the device reads back 0 (4.1.4.3.2). */
static int virtio_pci_reset(struct virtio_pci *vp)
{
	common_write8(vp, VIRTIO_PCI_COMMON_STATUS, 0);
	for (unsigned int us = 0; us < VIRTIO_RESET_TIMEOUT_US; us += 10) {
		if (virtio_pci_status(vp) == 0)
			return 0;
		udelay(10);
	}
	return -ETIMEDOUT;
}

/* --- capabilities ---------------------------------------------------------- */
/*
 * The address one vendor capability points at: its BAR mapped once (all
 * capabilities usually share one), checked to hold offset + length.
 */
static volatile u8 *virtio_pci_cap_map(struct virtio_pci *vp, int cap, u32 *len_out)
{
	struct pci_device *pci = vp->pci;
	u8 bar = pci_config_read8(pci, (unsigned int)cap + VIRTIO_PCI_CAP_BAR);
	u32 off = pci_config_read32(pci, (unsigned int)cap + VIRTIO_PCI_CAP_OFFSET);
	u32 len = pci_config_read32(pci, (unsigned int)cap + VIRTIO_PCI_CAP_LENGTH);

	if (bar >= PCI_NUM_BARS || !pci->bar[bar].size ||
	    (u64)off + len > pci->bar[bar].size)
		return NULL;
	if (!vp->bar[bar])
		vp->bar[bar] = pci_map_bar(pci, bar);
	if (!vp->bar[bar])
		return NULL;
	*len_out = len;
	return (volatile u8 *)vp->bar[bar] + off;
}

/* The first capability of each type wins, as the spec recommends (4.1.4.1). */
static int virtio_pci_find_caps(struct virtio_pci *vp)
{
	struct pci_device *pci = vp->pci;
	u32 len;

	for (int c = pci_find_capability(pci, PCI_CAP_ID_VNDR); c;
	     c = pci_find_next_capability(pci, PCI_CAP_ID_VNDR, c)) {
		u8 type = pci_config_read8(pci, (unsigned int)c + VIRTIO_PCI_CAP_CFG_TYPE);
		volatile u8 *p;

		switch (type) {
		case VIRTIO_PCI_CAP_COMMON_CFG:
			if (vp->common)
				break;
			p = virtio_pci_cap_map(vp, c, &len);
			if (p && len >= VIRTIO_PCI_COMMON_CFG_LEN)
				vp->common = p;
			break;
		case VIRTIO_PCI_CAP_NOTIFY_CFG:
			if (vp->notify_base)
				break;
			p = virtio_pci_cap_map(vp, c, &len);
			if (p) {
				vp->notify_base = p;
				vp->notify_len = len;
				vp->notify_mult = pci_config_read32(pci, (unsigned int)c +
								    VIRTIO_PCI_NOTIFY_CAP_MULT);
			}
			break;
		case VIRTIO_PCI_CAP_ISR_CFG:
			if (!vp->isr)
				vp->isr = virtio_pci_cap_map(vp, c, &len);
			break;
		case VIRTIO_PCI_CAP_DEVICE_CFG:
			if (vp->device_cfg)
				break;
			p = virtio_pci_cap_map(vp, c, &len);
			if (p) {
				vp->device_cfg = p;
				vp->device_cfg_len = len;
			}
			break;
		default:
			break;
		}
	}
	return vp->common && vp->notify_base && vp->isr ? 0 : -ENODEV;
}

static void virtio_pci_unmap(struct virtio_pci *vp)
{
	for (int i = 0; i < PCI_NUM_BARS; i++) {
		pci_unmap_bar(vp->pci, i, vp->bar[i]);
		vp->bar[i] = NULL;
	}
	vp->common = vp->notify_base = vp->isr = vp->device_cfg = NULL;
}

int virtio_pci_init(struct virtio_pci *vp, struct pci_device *pci)
{
	char name[PCI_NAME_MAX];
	int err;

	memset(vp, 0, sizeof(*vp));
	vp->pci = pci;
	pci_device_name(pci, name, sizeof(name));
	err = pci_enable_device(pci);
	if (err)
		return err;
	err = virtio_pci_find_caps(vp);
	if (err) {
		pr_err("virtio: %s: no modern virtio capabilities\n", name);
		goto unmap;
	}
	err = virtio_pci_reset(vp);
	if (err) {
		pr_err("virtio: %s: reset timed out\n", name);
		goto unmap;
	}
	virtio_pci_add_status(vp, VIRTIO_STATUS_ACKNOWLEDGE);
	virtio_pci_add_status(vp, VIRTIO_STATUS_DRIVER);
	/* no interrupt for configuration changes */
	common_write16(vp, VIRTIO_PCI_COMMON_MSIX, VIRTIO_MSI_NO_VECTOR);
	vp->num_queues = common_read16(vp, VIRTIO_PCI_COMMON_NUMQ);
	vp->queues = kcalloc(vp->num_queues ? vp->num_queues : 1, sizeof(*vp->queues));
	if (!vp->queues) {
		err = -ENOMEM;
		goto unmap;
	}
	return 0;

unmap:
	virtio_pci_unmap(vp);
	return err;
}

/* --- features ---------------------------------------------------------------- */
u64 virtio_pci_device_features(struct virtio_pci *vp)
{
	u64 f;

	common_write32(vp, VIRTIO_PCI_COMMON_DFSELECT, 0);
	f = common_read32(vp, VIRTIO_PCI_COMMON_DF);
	common_write32(vp, VIRTIO_PCI_COMMON_DFSELECT, 1);
	return f | (u64)common_read32(vp, VIRTIO_PCI_COMMON_DF) << 32;
}

int virtio_pci_negotiate(struct virtio_pci *vp, u64 wanted)
{
	u64 f = virtio_pci_device_features(vp) & (wanted | BIT(VIRTIO_F_VERSION_1));

	if (!(f & BIT(VIRTIO_F_VERSION_1)))
		return -ENODEV;
	common_write32(vp, VIRTIO_PCI_COMMON_GFSELECT, 0);
	common_write32(vp, VIRTIO_PCI_COMMON_GF, (u32)f);
	common_write32(vp, VIRTIO_PCI_COMMON_GFSELECT, 1);
	common_write32(vp, VIRTIO_PCI_COMMON_GF, (u32)(f >> 32));
	virtio_pci_add_status(vp, VIRTIO_STATUS_FEATURES_OK);
	if (!(virtio_pci_status(vp) & VIRTIO_STATUS_FEATURES_OK))
		return -ENODEV;
	vp->features = f;
	return 0;
}

/* --- device configuration ----------------------------------------------------- */
static u8 config_generation(struct virtio_pci *vp)
{
	return common_read8(vp, VIRTIO_PCI_COMMON_CFGGENERATION);
}

static bool config_in_range(struct virtio_pci *vp, unsigned int off, unsigned int size)
{
	return vp->device_cfg && off + size <= vp->device_cfg_len && IS_ALIGNED(off, size);
}

u8 virtio_pci_config_read8(struct virtio_pci *vp, unsigned int off)
{
	return config_in_range(vp, off, 1) ? *(volatile u8 *)(vp->device_cfg + off) : 0;
}

u16 virtio_pci_config_read16(struct virtio_pci *vp, unsigned int off)
{
	return config_in_range(vp, off, 2) ? *(volatile u16 *)(vp->device_cfg + off) : 0;
}

u32 virtio_pci_config_read32(struct virtio_pci *vp, unsigned int off)
{
	return config_in_range(vp, off, 4) ? *(volatile u32 *)(vp->device_cfg + off) : 0;
}

u64 virtio_pci_config_read64(struct virtio_pci *vp, unsigned int off)
{
	u32 lo, hi;
	u8 gen;

	if (!config_in_range(vp, off, 8))
		return 0;
	do {
		gen = config_generation(vp);
		lo = *(volatile u32 *)(vp->device_cfg + off);
		hi = *(volatile u32 *)(vp->device_cfg + off + 4);
	} while (gen != config_generation(vp));
	return (u64)hi << 32 | lo;
}

/* --- interrupts and queues ------------------------------------------------------ */
int virtio_pci_irq_setup(struct virtio_pci *vp, unsigned int nvec)
{
	int n = pci_msix_enable(vp->pci, nvec);

	if (n < 0)
		return n;
	vp->nr_msix = (unsigned int)n;
	return n;
}

/* Tell the device where queue index's ring is and turn it on (4.1.5.1.3). */
static int virtio_pci_queue_program(struct virtio_pci *vp, u16 index, struct virtq *vq,
				    u16 msix_entry)
{
	common_write16(vp, VIRTIO_PCI_COMMON_Q_SELECT, index);
	common_write16(vp, VIRTIO_PCI_COMMON_Q_SIZE, vq->num);
	common_write16(vp, VIRTIO_PCI_COMMON_Q_MSIX, msix_entry);
	if (common_read16(vp, VIRTIO_PCI_COMMON_Q_MSIX) != msix_entry)
		return -EIO;
	common_write64(vp, VIRTIO_PCI_COMMON_Q_DESCLO, vq->desc_phys);
	common_write64(vp, VIRTIO_PCI_COMMON_Q_AVAILLO, vq->avail_phys);
	common_write64(vp, VIRTIO_PCI_COMMON_Q_USEDLO, vq->used_phys);
	common_write16(vp, VIRTIO_PCI_COMMON_Q_ENABLE, 1);
	return 0;
}

int virtio_pci_queue_setup(struct virtio_pci *vp, u16 index, u16 max_size, u16 msix_entry)
{
	struct virtio_pci_queue *q;
	struct virtq *vq;
	unsigned int order;
	void *ring;
	u16 size, noff;
	int err;

	if (index >= vp->num_queues)
		return -ENOENT;
	q = &vp->queues[index];
	common_write16(vp, VIRTIO_PCI_COMMON_Q_SELECT, index);
	size = common_read16(vp, VIRTIO_PCI_COMMON_Q_SIZE);
	if (!size)
		return -ENOENT;
	/* the largest power of two within both limits (packed rings allow others) */
	while (size & (size - 1))
		size &= (u16)(size - 1);
	while (size > max_size && size > 1)
		size >>= 1;
	noff = common_read16(vp, VIRTIO_PCI_COMMON_Q_NOFF);
	if ((u64)noff * vp->notify_mult + 2 > vp->notify_len)
		return -ENODEV;

	order = page_order(virtq_ring_bytes(size));
	ring = page_zalloc(order);
	vq = kzalloc(virtq_struct_size(size));
	if (!ring || !vq) {
		err = -ENOMEM;
		goto free_vq;
	}
	err = virtq_init(vq, size, ring, virt_to_phys(ring),
			 virtio_has_feature(vp, VIRTIO_F_RING_INDIRECT_DESC),
			 virtio_has_feature(vp, VIRTIO_F_RING_EVENT_IDX));
	if (err)
		goto free_vq;

	err = virtio_pci_queue_program(vp, index, vq, msix_entry);
	if (err)
		goto free_vq;

	q->vq = vq;
	q->notify = (volatile u16 *)(vp->notify_base + (u64)noff * vp->notify_mult);
	q->index = index;
	q->msix_entry = msix_entry;
	q->ring_order = order;
	return 0;

free_vq:
	kfree(vq);
	if (ring)
		page_free(ring, order);
	return err;
}

int virtio_pci_restart(struct virtio_pci *vp)
{
	int err = virtio_pci_reset(vp);

	if (err)
		return err;
	/* 3.1.1 again, with the features and queues of the first time */
	virtio_pci_add_status(vp, VIRTIO_STATUS_ACKNOWLEDGE);
	virtio_pci_add_status(vp, VIRTIO_STATUS_DRIVER);
	common_write16(vp, VIRTIO_PCI_COMMON_MSIX, VIRTIO_MSI_NO_VECTOR);
	err = virtio_pci_negotiate(vp, vp->features);
	if (err)
		return err;
	for (unsigned int i = 0; i < vp->num_queues; i++) {
		struct virtio_pci_queue *q = &vp->queues[i];
		struct virtq *vq = q->vq;

		if (!vq)
			continue;
		err = virtq_init(vq, vq->num, vq->desc, vq->desc_phys, vq->indirect, vq->event_idx);
		if (!err)
			err = virtio_pci_queue_program(vp, (u16)i, vq, q->msix_entry);
		if (err)
			return err;
	}
	return 0;
}

void virtio_pci_driver_ok(struct virtio_pci *vp)
{
	virtio_pci_add_status(vp, VIRTIO_STATUS_DRIVER_OK);
}

void virtio_pci_fail(struct virtio_pci *vp)
{
	virtio_pci_add_status(vp, VIRTIO_STATUS_FAILED);
}

void virtio_pci_shutdown(struct virtio_pci *vp)
{
	/* after the reset the device touches no ring and sends no message */
	virtio_pci_reset(vp);
	pci_irq_teardown(vp->pci);
	vp->nr_msix = 0;
	for (unsigned int i = 0; vp->queues && i < vp->num_queues; i++) {
		struct virtio_pci_queue *q = &vp->queues[i];

		if (!q->vq)
			continue;
		page_free(q->vq->desc, q->ring_order);
		kfree(q->vq);
		q->vq = NULL;
	}
	kfree(vp->queues);
	vp->queues = NULL;
	virtio_pci_unmap(vp);
}
