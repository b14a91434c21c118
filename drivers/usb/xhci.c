/*
 * xHCI host controller bring-up (PCI class 0x0c0330): take the controller
 * from the firmware (the legacy-support handoff), reset it, give it its
 * device context array, scratchpad pages, a command ring and one event
 * ring, run it, then reset each connected root port and hand the device to
 * drivers/usb/usb_dev.c (hubs one level deep, boot keyboards). Section numbers below are the xHCI 1.2 specification's.
 */
#include "drivers/usb/usb.h"
#include "kernel/console/printk.h"
#include "kernel/mm/mm.h"
#include "kernel/mm/page_alloc.h"
#include "kernel/mm/slab.h"
#include "kernel/time/time.h"
#include "lib/errno.h"
#include "lib/string.h"

#define XHCI_TIMEOUT_US		200000
#define XHCI_MAX_SLOTS		16

static const struct pci_device_id xhci_ids[] = {
	{ PCI_ANY_ID, PCI_ANY_ID, 0x0c0330, 0xffffff, 0 },
	{ 0 }
};

static u32 rd32(volatile u8 *base, unsigned int off)
{
	return *(volatile u32 *)(base + off);
}

static void wr32(volatile u8 *base, unsigned int off, u32 v)
{
	*(volatile u32 *)(base + off) = v;
}

static void wr64(volatile u8 *base, unsigned int off, u64 v)
{
	/* low half first: some controllers latch the pair on the high write */
	wr32(base, off, (u32)v);
	wr32(base, off + 4, (u32)(v >> 32));
}

u32 xhci_op_read(struct xhci *x, unsigned int off)
{
	return rd32(x->op, off);
}

void xhci_op_write(struct xhci *x, unsigned int off, u32 v)
{
	wr32(x->op, off, v);
}

u32 *xhci_ctx(struct xhci *x, void *ctx, unsigned int index)
{
	return (u32 *)((u8 *)ctx + index * x->ctx_size);
}

int xhci_ring_alloc(struct xhci_ring *ring)
{
	struct xhci_trb *link;

	ring->trbs = page_zalloc(0);
	if (!ring->trbs)
		return -ENOMEM;
	ring->phys = virt_to_phys(ring->trbs);
	ring->idx = 0;
	ring->cycle = true;
	link = &ring->trbs[XHCI_RING_TRBS - 1];
	link->param = ring->phys;
	link->control = TRB_TYPE(TRB_LINK) | TRB_TOGGLE;	/* cycle bit set when reached */
	return 0;
}

void xhci_ring_free(struct xhci_ring *ring)
{
	if (ring->trbs)
		page_free(ring->trbs, 0);
	ring->trbs = NULL;
}

u64 xhci_ring_push(struct xhci_ring *ring, u64 param, u32 status, u32 control)
{
	struct xhci_trb *trb = &ring->trbs[ring->idx];
	u64 phys = ring->phys + ring->idx * sizeof(*trb);

	trb->param = param;
	trb->status = status;
	/* the cycle bit last: it hands the TRB to the controller */
	__atomic_store_n(&trb->control, (control & ~TRB_CYCLE) | (ring->cycle ? TRB_CYCLE : 0),
			 __ATOMIC_RELEASE);
	if (++ring->idx == XHCI_RING_TRBS - 1) {
		struct xhci_trb *link = &ring->trbs[ring->idx];

		__atomic_store_n(&link->control, (link->control & ~TRB_CYCLE) |
				 (ring->cycle ? TRB_CYCLE : 0), __ATOMIC_RELEASE);
		ring->idx = 0;
		ring->cycle = !ring->cycle;
	}
	return phys;
}

void xhci_doorbell(struct xhci *x, unsigned int slot, unsigned int target)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	x->db[slot] = target;
}

bool xhci_event_next(struct xhci *x, struct xhci_trb *ev)
{
	struct xhci_ring *ring = &x->event;
	struct xhci_trb *trb = &ring->trbs[ring->idx];
	u32 control = __atomic_load_n(&trb->control, __ATOMIC_ACQUIRE);

	if (!(control & TRB_CYCLE) != !ring->cycle)
		return false;
	*ev = *trb;
	ev->control = control;
	if (++ring->idx == XHCI_RING_TRBS) {	/* the event ring has no link TRB */
		ring->idx = 0;
		ring->cycle = !ring->cycle;
	}
	wr64(x->rt, XHCI_ERDP, (ring->phys + ring->idx * sizeof(*trb)) | ERDP_EHB);
	return true;
}

/* Wait for an event of this type about the TRB at trb_phys. */
static int xhci_wait_event(struct xhci *x, unsigned int type, u64 trb_phys, struct xhci_trb *ev)
{
	for (int i = 0; i < XHCI_TIMEOUT_US / 10; i++) {
		while (xhci_event_next(x, ev))
			if (TRB_TYPE_OF(ev->control) == type && ev->param == trb_phys)
				return 0;
		udelay(10);
	}
	return -ETIMEDOUT;
}

static int xhci_cc_errno(u32 status)
{
	u32 cc = TRB_CC(status);

	return cc == CC_SUCCESS || cc == CC_SHORT_PACKET ? 0 : -EIO;
}

int xhci_command(struct xhci *x, u64 param, u32 status, u32 control, unsigned int *slot)
{
	struct xhci_trb ev;
	u64 at = xhci_ring_push(&x->cmd, param, status, control);
	int err;

	xhci_doorbell(x, 0, 0);
	err = xhci_wait_event(x, TRB_EV_COMMAND, at, &ev);
	if (err)
		return err;
	if (slot)
		*slot = TRB_SLOT_OF(ev.control);
	return xhci_cc_errno(ev.status);
}

int xhci_control(struct xhci *x, unsigned int slot, struct xhci_ring *ep0, const u8 setup[8],
		 void *data, u16 len)
{
	bool in = setup[0] & 0x80;
	struct xhci_trb ev;
	u64 packet, at;
	int err;

	memcpy(&packet, setup, 8);
	xhci_ring_push(ep0, packet, 8, TRB_TYPE(TRB_SETUP) | TRB_IDT |
		       (len ? (in ? TRB_TRT_IN : 2u << 16) : 0));
	if (len)
		xhci_ring_push(ep0, virt_to_phys(data), len,
			       TRB_TYPE(TRB_DATA) | (in ? TRB_DIR_IN : 0));
	/* the status stage goes the other way from the data (IN when none) */
	at = xhci_ring_push(ep0, 0, 0, TRB_TYPE(TRB_STATUS) | TRB_IOC |
			    (len && in ? 0 : TRB_DIR_IN));
	xhci_doorbell(x, slot, 1);
	err = xhci_wait_event(x, TRB_EV_TRANSFER, at, &ev);
	if (err)
		return err;
	return xhci_cc_errno(ev.status);
}

/* Section 4.22.1: ask the firmware to let go of the controller. */
static void xhci_take_from_bios(struct xhci *x)
{
	unsigned int off = HCC1_XECP(rd32(x->cap, XHCI_HCCPARAMS1)) * 4;

	for (int n = 0; off && n < 64; n++) {
		u32 v = rd32(x->cap, off);

		if ((v & 0xff) == XECP_LEGACY) {
			wr32(x->cap, off, v | LEGACY_OS_OWNED);
			for (int i = 0; i < 100000 && (rd32(x->cap, off) & LEGACY_BIOS_OWNED); i++)
				udelay(10);
			/* SMIs off: the firmware keeps its hands off from here */
			wr32(x->cap, off + 4, 0);
			return;
		}
		if (!((v >> 8) & 0xff))
			return;
		off += ((v >> 8) & 0xff) * 4;
	}
}

static int xhci_wait_bits(struct xhci *x, unsigned int off, u32 mask, u32 want)
{
	for (int i = 0; i < XHCI_TIMEOUT_US / 10; i++) {
		if ((xhci_op_read(x, off) & mask) == want)
			return 0;
		udelay(10);
	}
	return -ETIMEDOUT;
}

static int xhci_reset(struct xhci *x)
{
	xhci_op_write(x, XHCI_USBCMD, xhci_op_read(x, XHCI_USBCMD) & ~CMD_RUN);
	if (xhci_wait_bits(x, XHCI_USBSTS, STS_HCH, STS_HCH))
		return -ETIMEDOUT;
	xhci_op_write(x, XHCI_USBCMD, CMD_HCRST);
	if (xhci_wait_bits(x, XHCI_USBCMD, CMD_HCRST, 0) ||
	    xhci_wait_bits(x, XHCI_USBSTS, STS_CNR, 0))
		return -ETIMEDOUT;
	return 0;
}

static int xhci_scratchpads(struct xhci *x)
{
	unsigned int n = HCS2_SCRATCHPADS(rd32(x->cap, XHCI_HCSPARAMS2));
	u64 *array;

	if (!n)
		return 0;
	if (n > PAGE_SIZE / 8)
		return -ENOSPC;
	array = page_zalloc(0);
	if (!array)
		return -ENOMEM;
	for (unsigned int i = 0; i < n; i++) {
		void *page = page_zalloc(0);

		if (!page)
			return -ENOMEM;	/* boot-time memory: not given back */
		array[i] = virt_to_phys(page);
	}
	x->dcbaa[0] = virt_to_phys(array);
	return 0;
}

static int xhci_start(struct xhci *x)
{
	int err;

	xhci_take_from_bios(x);
	err = xhci_reset(x);
	if (err)
		return err;
	x->dcbaa = page_zalloc(0);
	if (!x->dcbaa)
		return -ENOMEM;
	err = xhci_scratchpads(x);
	if (err)
		return err;
	err = xhci_ring_alloc(&x->cmd);
	if (err)
		return err;
	err = xhci_ring_alloc(&x->event);
	if (err)
		return err;
	memset(&x->event.trbs[XHCI_RING_TRBS - 1], 0, sizeof(struct xhci_trb));	/* no link */
	x->erst = page_zalloc(0);
	if (!x->erst)
		return -ENOMEM;
	x->erst[0].base = x->event.phys;
	x->erst[0].size = XHCI_RING_TRBS;

	xhci_op_write(x, XHCI_CONFIG, x->max_slots);
	wr64(x->op, XHCI_DCBAAP, virt_to_phys(x->dcbaa));
	wr64(x->op, XHCI_CRCR, x->cmd.phys | 1);
	wr32(x->rt, XHCI_ERSTSZ, 1);
	wr64(x->rt, XHCI_ERDP, x->event.phys);
	wr64(x->rt, XHCI_ERSTBA, virt_to_phys(x->erst));
	wr32(x->rt, XHCI_IMAN, 0);	/* polled: no interrupt */
	xhci_op_write(x, XHCI_USBCMD, CMD_RUN);
	return xhci_wait_bits(x, XHCI_USBSTS, STS_HCH, 0);
}

/* Section 4.3.1: a USB 2 port needs a reset to be enabled; USB 3 ones train alone. */
static int xhci_port_reset(struct xhci *x, unsigned int port)
{
	unsigned int off = XHCI_PORTSC(port - 1);
	u32 v = xhci_op_read(x, off);

	if (!(v & PORTSC_CCS))
		return -ENODEV;
	if (!(v & PORTSC_PED) || PORTSC_SPEED(v) < XHCI_SPEED_SUPER) {
		/* keep the state bits; the change bits and PED are write-1 */
		xhci_op_write(x, off, (v & ~(PORTSC_RW1C | PORTSC_PED)) | PORTSC_PR);
		for (int i = 0; i < XHCI_TIMEOUT_US / 100; i++) {
			v = xhci_op_read(x, off);
			if (v & PORTSC_PRC)
				break;
			udelay(100);
		}
		xhci_op_write(x, off, (v & ~(PORTSC_RW1C | PORTSC_PED)) | PORTSC_PRC);
		v = xhci_op_read(x, off);
	}
	return v & PORTSC_PED ? (int)PORTSC_SPEED(v) : -EIO;
}

static int xhci_probe(struct pci_device *dev, const struct pci_device_id *id)
{
	char name[PCI_NAME_MAX];
	struct xhci *x;
	int err;

	x = kzalloc(sizeof(*x));
	if (!x)
		return -ENOMEM;
	x->pdev = dev;
	err = pci_enable_device(dev);
	if (err)
		goto free_x;
	x->cap = pci_map_bar(dev, 0);
	if (!x->cap) {
		err = -ENOMEM;
		goto free_x;
	}
	x->op = x->cap + (rd32(x->cap, XHCI_CAPLENGTH) & 0xff);
	x->rt = x->cap + (rd32(x->cap, XHCI_RTSOFF) & ~0x1fu);
	x->db = (volatile u32 *)(x->cap + (rd32(x->cap, XHCI_DBOFF) & ~0x3u));
	x->ctx_size = rd32(x->cap, XHCI_HCCPARAMS1) & HCC1_CSZ ? 64 : 32;
	x->max_slots = min(HCS1_MAX_SLOTS(rd32(x->cap, XHCI_HCSPARAMS1)), (u32)XHCI_MAX_SLOTS);
	x->nports = HCS1_MAX_PORTS(rd32(x->cap, XHCI_HCSPARAMS1));
	err = xhci_start(x);
	if (err) {
		pr_warn("xhci %s: controller did not start (%d)\n",
			pci_device_name(dev, name, sizeof(name)), err);
		goto unmap;	/* the rings stay allocated: the controller may hold them */
	}
	pr_info("xhci %s: %u ports, %u slots, %u-byte contexts\n",
		pci_device_name(dev, name, sizeof(name)), x->nports, x->max_slots, x->ctx_size);
	for (unsigned int port = 1; port <= x->nports; port++) {
		int speed = xhci_port_reset(x, port);

		if (speed < 0)
			continue;
		struct usb_loc loc = { .root_port = port, .speed = (unsigned int)speed };

		usb_device_attach(x, &loc);
	}
	dev->driver_data = x;
	return 0;
unmap:
	pci_unmap_bar(dev, 0, (void *)x->cap);
free_x:
	kfree(x);
	return err;
}
PCI_DRIVER(xhci, xhci_ids, xhci_probe);
