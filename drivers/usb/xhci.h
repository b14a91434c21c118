/*
 * The xHCI host controller driver's state and the operations the keyboard
 * driver (drivers/usb/usb_kbd.c) builds on: synchronous commands and control
 * transfers, transfer rings, and non-blocking reads of the event ring. The
 * controller's interrupt is not used: the console polls it (a keyboard needs
 * no more); after the boot-time probe only usb_kbd.c's poll, under its lock,
 * touches the controller.
 */
#ifndef DRIVERS_USB_XHCI_H
#define DRIVERS_USB_XHCI_H

#include "drivers/pci/pci.h"
#include "drivers/usb/xhci_regs.h"

#define XHCI_RING_TRBS	256	/* one page; the last is the link back */

struct xhci_ring {
	struct xhci_trb *trbs;
	u64 phys;
	unsigned int idx;	/* next to fill (or, for the event ring, to read) */
	bool cycle;
};

struct xhci {
	struct pci_device *pdev;
	volatile u8 *cap, *op, *rt;
	volatile u32 *db;
	unsigned int ctx_size;		/* 32 or 64 bytes */
	unsigned int max_slots, nports;
	u64 *dcbaa;
	struct xhci_ring cmd, event;
	struct xhci_erst_entry *erst;
};

u32 xhci_op_read(struct xhci *x, unsigned int off);
void xhci_op_write(struct xhci *x, unsigned int off, u32 v);

int xhci_ring_alloc(struct xhci_ring *ring);
void xhci_ring_free(struct xhci_ring *ring);
/* Put a TRB on a command or transfer ring; returns its physical address. */
u64 xhci_ring_push(struct xhci_ring *ring, u64 param, u32 status, u32 control);
void xhci_doorbell(struct xhci *x, unsigned int slot, unsigned int target);

/* The next event if one is waiting (and consume it); false if none. */
bool xhci_event_next(struct xhci *x, struct xhci_trb *ev);
/*
 * Run a command and wait for its completion: the completion code's errno
 * (0 for success), *slot set from the event when not NULL.
 */
int xhci_command(struct xhci *x, u64 param, u32 status, u32 control, unsigned int *slot);
/*
 * A control transfer on a device's endpoint 0, waited for: setup is the
 * 8-byte request, data (a page-allocated buffer) len bytes in its
 * direction. 0 or a negative errno.
 */
int xhci_control(struct xhci *x, unsigned int slot, struct xhci_ring *ep0, const u8 setup[8],
		 void *data, u16 len);
/* Input context pieces: the control context, the slot, endpoint dci. */
u32 *xhci_ctx(struct xhci *x, void *ctx, unsigned int index);


#endif
