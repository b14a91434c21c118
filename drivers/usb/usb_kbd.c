/*
 * USB keyboards in the HID boot protocol (addressed by usb_dev.c): pick the
 * interface that says "boot keyboard" (class 3, subclass 1, protocol 1),
 * configure it, ask for the boot protocol and keep one 8-byte interrupt
 * transfer queued on its input endpoint. The console polls (usb_kbd_poll):
 * each completed report goes through drivers/usb/hid_kbd.c into tty0's input
 * and the transfer is queued again. Requests: USB 2.0 chapter 9 and HID 1.11 section 7.2.
 */
#include "drivers/usb/usb.h"
#include "drivers/usb/hid_kbd.h"
#include "kernel/console/printk.h"
#include "kernel/console/screen.h"
#include "kernel/mm/mm.h"
#include "kernel/mm/page_alloc.h"
#include "kernel/sched/spinlock.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

#define USB_KBD_MAX		4
#define HID_REQ_SET_IDLE	0x0a
#define HID_REQ_SET_PROTOCOL	0x0b

struct usb_kbd {
	struct usb_device *dev;
	unsigned int dci;
	struct xhci_ring in;
	u8 *report;		/* the interrupt transfer's buffer */
	struct hid_kbd_state state;
};

static struct usb_kbd kbds[USB_KBD_MAX];
static unsigned int nkbds;
static spinlock_t usb_kbd_lock = SPINLOCK_INIT;	/* one poller of the event rings */

static void usb_kbd_queue(struct usb_kbd *k)
{
	xhci_ring_push(&k->in, virt_to_phys(k->report), HID_KBD_REPORT,
		       TRB_TYPE(TRB_NORMAL) | TRB_IOC | TRB_ISP);
	xhci_doorbell(k->dev->x, k->dev->slot, k->dci);
}

static void usb_kbd_poll(void)
{
	unsigned long flags = spin_lock_irqsave(&usb_kbd_lock);
	struct xhci *seen[USB_KBD_MAX];
	unsigned int nseen = 0;

	for (unsigned int i = 0; i < nkbds; i++) {
		struct xhci *x = kbds[i].dev->x;
		struct xhci_trb ev;
		bool done = false;

		for (unsigned int j = 0; j < nseen; j++)
			done |= seen[j] == x;
		if (done)
			continue;
		seen[nseen++] = x;
		while (xhci_event_next(x, &ev)) {
			if (TRB_TYPE_OF(ev.control) != TRB_EV_TRANSFER)
				continue;
			for (unsigned int j = 0; j < nkbds; j++) {
				struct usb_kbd *k = &kbds[j];
				char out[HID_KBD_OUT_MAX];
				unsigned int n;

				if (k->dev->x != x || k->dev->slot != TRB_SLOT_OF(ev.control))
					continue;
				if (TRB_CC(ev.status) == CC_SUCCESS || TRB_CC(ev.status) == CC_SHORT_PACKET) {
					n = hid_kbd_report(&k->state, k->report, out);
					screen_input(out, n);
				}
				usb_kbd_queue(k);
			}
		}
	}
	spin_unlock_irqrestore(&usb_kbd_lock, flags);
}

/* Find the boot keyboard interface and its interrupt IN endpoint in a configuration. */
static int usb_kbd_parse(const u8 *cfg, unsigned int len, u8 *iface, u8 *ep, u16 *mps,
			 u8 *interval)
{
	bool in_kbd = false;

	for (unsigned int off = 0; off + 2 <= len && cfg[off] >= 2; off += cfg[off]) {
		const u8 *d = cfg + off;

		if (off + d[0] > len)
			break;
		if (d[1] == USB_DT_INTERFACE && d[0] >= 9) {
			in_kbd = d[5] == 3 && d[6] == 1 && d[7] == 1;
			*iface = d[2];
		} else if (d[1] == USB_DT_ENDPOINT && d[0] >= 7 && in_kbd &&
			   (d[2] & 0x80) && (d[3] & 3) == 3) {
			*ep = d[2] & 0x0f;
			*mps = (u16)(d[4] | d[5] << 8) & 0x7ff;
			*interval = d[6];
			return 0;
		}
	}
	return -ENODEV;
}

/* The endpoint context's interval: 2^n x 125 us (section 6.2.3.6). */
static u32 usb_kbd_interval(unsigned int speed, u8 binterval)
{
	u32 n = 3;

	if (speed == XHCI_SPEED_HIGH || speed == XHCI_SPEED_SUPER)
		return binterval ? min((u32)binterval - 1, 15u) : 0;
	/* full and low speed: bInterval in ms; the largest 2^n x 125 us not above it */
	while (n < 10 && (1u << (n + 1)) <= (u32)binterval * 8)
		n++;
	return n;
}

int usb_kbd_attach(struct usb_device *dev)
{
	struct xhci *x = dev->x;
	u8 iface = 0, ep = 0, interval = 0;
	struct usb_kbd *k;
	char desc[64];
	u16 mps = 8;
	u32 *c;
	int err;

	err = usb_kbd_parse(dev->buf, dev->cfg_len, &iface, &ep, &mps, &interval);
	if (err)
		return err;	/* not a keyboard: leave it addressed and idle */
	if (nkbds == USB_KBD_MAX)
		return -ENOSPC;
	k = &kbds[nkbds];
	memset(k, 0, sizeof(*k));
	k->dev = dev;
	k->report = page_zalloc(0);
	if (!k->report || xhci_ring_alloc(&k->in))
		return -ENOMEM;	/* boot-time pages: not given back */
	err = usb_request(dev, 0x00, USB_REQ_SET_CONFIG, dev->buf[5], 0);
	if (err)
		goto fail;
	err = usb_request(dev, 0x21, HID_REQ_SET_PROTOCOL, 0, iface);	/* 0: boot protocol */
	if (err)
		goto fail;
	usb_request(dev, 0x21, HID_REQ_SET_IDLE, 0, iface);	/* optional: a stall is fine */

	/* Configure Endpoint: the interrupt IN endpoint */
	k->dci = ep * 2 + 1;
	memset(dev->in_ctx, 0, PAGE_SIZE);
	xhci_ctx(x, dev->in_ctx, 0)[1] = 1u | 1u << k->dci;
	usb_slot_ctx(dev, k->dci);
	c = xhci_ctx(x, dev->in_ctx, k->dci + 1);
	c[0] = usb_kbd_interval(dev->loc.speed, interval) << 16;
	c[1] = 3u << 1 | EP_TYPE_INT_IN << 3 | (u32)mps << 16;
	c[2] = (u32)k->in.phys | 1;
	c[3] = (u32)(k->in.phys >> 32);
	c[4] = HID_KBD_REPORT | (u32)mps << 16;
	err = xhci_command(x, virt_to_phys(dev->in_ctx), 0,
			   TRB_TYPE(TRB_CONFIGURE_EP) | TRB_SLOT(dev->slot), NULL);
	if (err)
		goto fail;
	nkbds++;
	usb_kbd_queue(k);
	if (dev->loc.route)
		snprintf(desc, sizeof(desc), "USB keyboard (xHCI port %u.%u)", dev->loc.root_port,
			 dev->loc.route & 0xf);
	else
		snprintf(desc, sizeof(desc), "USB keyboard (xHCI port %u)", dev->loc.root_port);
	screen_attach_keyboard(desc);
	screen_keyboard_add_poll(usb_kbd_poll);
	pr_info("usb: %s, slot %u, endpoint %u\n", desc, dev->slot, ep);
	return 0;
fail:
	pr_warn("usb: keyboard at port %u did not set up (%d)\n", dev->loc.root_port, err);
	return err;
}
