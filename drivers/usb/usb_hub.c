/*
 * USB hubs, one level deep (a hub on a root port; a hub behind a hub is left
 * alone): tell the controller the slot is a hub, power every port, and reset
 * and attach what is connected (USB 2.0 chapter 11.24; xHCI 1.2 section
 * 4.5.2 for the slot context's hub fields and the route string). A full- or
 * low-speed device behind a high-speed hub is reached through the hub's
 * transaction translator, named in its slot context.
 */
#include "drivers/usb/usb.h"
#include "kernel/console/printk.h"
#include "kernel/mm/mm.h"
#include "kernel/time/time.h"
#include "lib/errno.h"
#include "lib/string.h"

#define USB_DT_HUB		0x29
#define HUB_PORT_RESET		4
#define HUB_PORT_POWER		8
#define HUB_C_PORT_CONNECTION	16
#define HUB_C_PORT_RESET	20
#define PORT_CONNECTION		(1u << 0)
#define PORT_ENABLE		(1u << 1)
#define PORT_RESET		(1u << 4)
#define PORT_LOW_SPEED		(1u << 9)
#define PORT_HIGH_SPEED		(1u << 10)
#define HUB_PORTS_MAX		15	/* a route string tier holds 4 bits */

static int usb_hub_port_status(struct usb_device *hub, unsigned int port, u32 *status)
{
	const u8 setup[8] = { 0xa3, USB_REQ_GET_STATUS, 0, 0, (u8)port, 0, 4, 0 };
	int err = xhci_control(hub->x, hub->slot, &hub->ep0, setup, hub->buf, 4);

	memcpy(status, hub->buf, 4);	/* wPortStatus, then wPortChange */
	return err;
}

/* Reset a connected port; its device's speed, or a negative errno. */
static int usb_hub_port_reset(struct usb_device *hub, unsigned int port)
{
	u32 status = 0;
	int err = usb_request(hub, 0x23, USB_REQ_SET_FEATURE, HUB_PORT_RESET, (u16)port);

	if (err)
		return err;
	for (int i = 0; i < 50; i++) {
		udelay(10000);
		err = usb_hub_port_status(hub, port, &status);
		if (err)
			return err;
		if (!(status & PORT_RESET) && (status & PORT_ENABLE))
			break;
	}
	usb_request(hub, 0x23, USB_REQ_CLEAR_FEATURE, HUB_C_PORT_RESET, (u16)port);
	usb_request(hub, 0x23, USB_REQ_CLEAR_FEATURE, HUB_C_PORT_CONNECTION, (u16)port);
	if (!(status & PORT_ENABLE))
		return -EIO;
	udelay(10000);	/* reset recovery: 10 ms before the first request */
	return status & PORT_LOW_SPEED ? XHCI_SPEED_LOW :
	       status & PORT_HIGH_SPEED ? XHCI_SPEED_HIGH : XHCI_SPEED_FULL;
}

int usb_hub_attach(struct usb_device *hub)
{
	struct xhci *x = hub->x;
	unsigned int nports, power_ms;
	u32 *slot;
	int err;

	if (hub->loc.route) {
		pr_info("usb: hub behind a hub at port %u: not supported, ignored\n",
			hub->loc.root_port);
		return -ENOTSUP;
	}
	err = usb_request(hub, 0x00, USB_REQ_SET_CONFIG, hub->buf[5], 0);
	if (err)
		return err;
	{
		const u8 setup[8] = { 0xa0, USB_REQ_GET_DESCRIPTOR, 0, USB_DT_HUB, 0, 0, 8, 0 };

		err = xhci_control(x, hub->slot, &hub->ep0, setup, hub->buf, 8);
		if (err)
			return err;
	}
	nports = min((unsigned int)hub->buf[2], (unsigned int)HUB_PORTS_MAX);
	power_ms = hub->buf[5] * 2u;

	/* the slot is a hub: its port count, and multiple TTs left off */
	memset(hub->in_ctx, 0, PAGE_SIZE);
	xhci_ctx(x, hub->in_ctx, 0)[1] = 1;
	slot = usb_slot_ctx(hub, 1);
	slot[0] |= 1u << 26;
	slot[1] |= nports << 24;
	err = xhci_command(x, virt_to_phys(hub->in_ctx), 0,
			   TRB_TYPE(TRB_CONFIGURE_EP) | TRB_SLOT(hub->slot), NULL);
	if (err)
		return err;
	pr_info("usb: hub at xHCI port %u, %u ports\n", hub->loc.root_port, nports);

	for (unsigned int port = 1; port <= nports; port++)
		usb_request(hub, 0x23, USB_REQ_SET_FEATURE, HUB_PORT_POWER, (u16)port);
	udelay((power_ms + 100) * 1000ull);
	for (unsigned int port = 1; port <= nports; port++) {
		struct usb_loc loc = hub->loc;
		u32 status;
		int speed;

		if (usb_hub_port_status(hub, port, &status) || !(status & PORT_CONNECTION))
			continue;
		speed = usb_hub_port_reset(hub, port);
		if (speed < 0) {
			pr_warn("usb: hub port %u.%u did not reset (%d)\n", hub->loc.root_port, port, speed);
			continue;
		}
		loc.route = port;
		loc.speed = (unsigned int)speed;
		if (hub->loc.speed == XHCI_SPEED_HIGH && speed != XHCI_SPEED_HIGH) {
			loc.tt_slot = hub->slot;
			loc.tt_port = port;
		}
		usb_device_attach(x, &loc);
	}
	return 0;
}
