/*
 * A new USB device: a slot from the controller, Address Device with its
 * location and endpoint 0 (section 4.3.3 of xHCI 1.2), the device and
 * configuration descriptors (USB 2.0 section 9.4.3), then the class driver:
 * a hub or a boot keyboard. Devices nobody wants stay addressed and idle.
 */
#include "drivers/usb/usb.h"
#include "kernel/console/printk.h"
#include "kernel/mm/mm.h"
#include "kernel/mm/page_alloc.h"
#include "kernel/mm/slab.h"
#include "lib/errno.h"
#include "lib/string.h"

#define CMD_EVALUATE_CONTEXT	13

int usb_get_descriptor(struct usb_device *dev, u8 type, u8 index, void *buf, u16 len)
{
	const u8 setup[8] = { 0x80, USB_REQ_GET_DESCRIPTOR, index, type, 0, 0, (u8)len, (u8)(len >> 8) };

	return xhci_control(dev->x, dev->slot, &dev->ep0, setup, buf, len);
}

int usb_request(struct usb_device *dev, u8 type, u8 req, u16 value, u16 index)
{
	const u8 setup[8] = { type, req, (u8)value, (u8)(value >> 8), (u8)index, (u8)(index >> 8), 0, 0 };

	return xhci_control(dev->x, dev->slot, &dev->ep0, setup, NULL, 0);
}

u32 *usb_slot_ctx(struct usb_device *dev, unsigned int entries)
{
	u32 *c = xhci_ctx(dev->x, dev->in_ctx, 1);

	c[0] = entries << 27 | dev->loc.speed << 20 | dev->loc.route;
	c[1] = dev->loc.root_port << 16;
	c[2] = dev->loc.tt_slot | dev->loc.tt_port << 8;
	return c;
}

static int usb_device_address(struct usb_device *dev)
{
	struct xhci *x = dev->x;
	unsigned int speed = dev->loc.speed;
	u16 mps0 = speed == XHCI_SPEED_SUPER ? 512 : speed == XHCI_SPEED_HIGH ? 64 : 8;
	void *out_ctx = page_zalloc(0);
	u32 *c;
	int err;

	if (!out_ctx)
		return -ENOMEM;
	err = xhci_command(x, 0, 0, TRB_TYPE(TRB_ENABLE_SLOT), &dev->slot);
	if (err || !dev->slot || dev->slot > x->max_slots)
		return err ? err : -EIO;
	x->dcbaa[dev->slot] = virt_to_phys(out_ctx);

	memset(dev->in_ctx, 0, PAGE_SIZE);
	xhci_ctx(x, dev->in_ctx, 0)[1] = 0x3;	/* add the slot and endpoint 0 */
	usb_slot_ctx(dev, 1);
	c = xhci_ctx(x, dev->in_ctx, 2);
	c[1] = 3u << 1 | EP_TYPE_CONTROL << 3 | (u32)mps0 << 16;
	c[2] = (u32)dev->ep0.phys | 1;
	c[3] = (u32)(dev->ep0.phys >> 32);
	c[4] = 8;
	err = xhci_command(x, virt_to_phys(dev->in_ctx), 0,
			   TRB_TYPE(TRB_ADDRESS_DEVICE) | TRB_SLOT(dev->slot), NULL);
	if (err)
		return err;
	err = usb_get_descriptor(dev, USB_DT_DEVICE, 0, dev->buf, 8);
	if (err)
		return err;
	if (dev->buf[7] && dev->buf[7] != mps0 && speed < XHCI_SPEED_HIGH) {
		/* a full-speed device with a bigger endpoint 0: tell the controller */
		memset(dev->in_ctx, 0, PAGE_SIZE);
		xhci_ctx(x, dev->in_ctx, 0)[1] = 0x2;
		xhci_ctx(x, dev->in_ctx, 2)[1] = 3u << 1 | EP_TYPE_CONTROL << 3 |
						 (u32)dev->buf[7] << 16;
		err = xhci_command(x, virt_to_phys(dev->in_ctx), 0,
				   TRB_TYPE(CMD_EVALUATE_CONTEXT) | TRB_SLOT(dev->slot), NULL);
	}
	return err;
}

int usb_device_attach(struct xhci *x, const struct usb_loc *loc)
{
	struct usb_device *dev = kzalloc(sizeof(*dev));
	u8 class;
	int err;

	if (!dev)
		return -ENOMEM;
	dev->x = x;
	dev->loc = *loc;
	dev->in_ctx = page_zalloc(0);
	dev->buf = page_zalloc(0);
	/* boot-time pages: a device that fails keeps them (the controller may too) */
	if (!dev->in_ctx || !dev->buf || xhci_ring_alloc(&dev->ep0))
		return -ENOMEM;
	err = usb_device_address(dev);
	if (err)
		goto fail;
	class = dev->buf[4];
	err = usb_get_descriptor(dev, USB_DT_CONFIG, 0, dev->buf, 9);
	if (err)
		goto fail;
	dev->cfg_len = min((unsigned int)(dev->buf[2] | dev->buf[3] << 8), (unsigned int)PAGE_SIZE);
	err = usb_get_descriptor(dev, USB_DT_CONFIG, 0, dev->buf, (u16)dev->cfg_len);
	if (err)
		goto fail;
	if (class == USB_CLASS_HUB)
		return usb_hub_attach(dev);
	return usb_kbd_attach(dev);
fail:
	pr_warn("usb: device at port %u route 0x%x did not set up (%d)\n", loc->root_port,
		loc->route, err);
	return err;
}
