/*
 * USB devices on an xHCI controller: where a device sits (root port, the
 * route through a hub, its speed, the hub whose transaction translator serves
 * a full- or low-speed device behind a high-speed hub), its slot and control
 * endpoint, and the class drivers that take it: hubs (usb_hub.c, one level
 * deep) and boot keyboards (usb_kbd.c).
 */
#ifndef DRIVERS_USB_USB_H
#define DRIVERS_USB_USB_H

#include "drivers/usb/xhci.h"

#define USB_DT_DEVICE		1
#define USB_DT_CONFIG		2
#define USB_DT_INTERFACE	4
#define USB_DT_ENDPOINT		5
#define USB_REQ_GET_STATUS	0
#define USB_REQ_CLEAR_FEATURE	1
#define USB_REQ_SET_FEATURE	3
#define USB_REQ_GET_DESCRIPTOR	6
#define USB_REQ_SET_CONFIG	9
#define USB_CLASS_HUB		9

struct usb_loc {
	unsigned int root_port;		/* from 1 */
	unsigned int route;		/* the route string: hub port per tier, 0 on a root port */
	unsigned int speed;		/* XHCI_SPEED_* */
	unsigned int tt_slot, tt_port;	/* the high-speed hub translating for it, or 0 */
};

struct usb_device {
	struct xhci *x;
	struct usb_loc loc;
	unsigned int slot;
	struct xhci_ring ep0;
	void *in_ctx;			/* an input context page, reused for each command */
	u8 *buf;			/* a page for descriptors */
	unsigned int cfg_len;		/* bytes of the configuration in buf */
};

/* A device appeared at loc (its port is reset and enabled): address it and find its driver. */
int usb_device_attach(struct xhci *x, const struct usb_loc *loc);
int usb_get_descriptor(struct usb_device *dev, u8 type, u8 index, void *buf, u16 len);
/* A request with no data stage. */
int usb_request(struct usb_device *dev, u8 type, u8 req, u16 value, u16 index);
/* The slot context of dev's input context, filled from its location. */
u32 *usb_slot_ctx(struct usb_device *dev, unsigned int entries);

int usb_hub_attach(struct usb_device *dev);
int usb_kbd_attach(struct usb_device *dev);

#endif
