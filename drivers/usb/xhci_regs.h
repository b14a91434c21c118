/*
 * xHCI registers, TRBs and contexts: the eXtensible Host Controller Interface
 * for USB, revision 1.2 (sections 5 and 6), as much as a keyboard needs.
 */
#ifndef DRIVERS_USB_XHCI_REGS_H
#define DRIVERS_USB_XHCI_REGS_H

#include "lib/types.h"

/* capability registers */
#define XHCI_CAPLENGTH		0x00
#define XHCI_HCSPARAMS1		0x04
#define XHCI_HCSPARAMS2		0x08
#define XHCI_HCCPARAMS1		0x10
#define XHCI_DBOFF		0x14
#define XHCI_RTSOFF		0x18
#define HCS1_MAX_SLOTS(p)	((p) & 0xff)
#define HCS1_MAX_PORTS(p)	((p) >> 24)
#define HCS2_SCRATCHPADS(p)	((((p) >> 21) & 0x1f) << 5 | (p) >> 27)
#define HCC1_CSZ		(1u << 2)
#define HCC1_XECP(p)		((p) >> 16)

/* operational registers */
#define XHCI_USBCMD		0x00
#define XHCI_USBSTS		0x04
#define XHCI_CRCR		0x18
#define XHCI_DCBAAP		0x30
#define XHCI_CONFIG		0x38
#define XHCI_PORTSC(n)		(0x400 + 0x10 * (n))	/* n from 0 */
#define CMD_RUN			(1u << 0)
#define CMD_HCRST		(1u << 1)
#define STS_HCH			(1u << 0)
#define STS_CNR			(1u << 11)
#define PORTSC_CCS		(1u << 0)
#define PORTSC_PED		(1u << 1)
#define PORTSC_PR		(1u << 4)
#define PORTSC_PP		(1u << 9)
#define PORTSC_SPEED(p)		(((p) >> 10) & 0xf)
#define PORTSC_PRC		(1u << 21)
#define PORTSC_RW1C		0x00fe0000u	/* the change bits: write 1 to clear */

/* runtime registers: interrupter 0 */
#define XHCI_IMAN		0x20
#define XHCI_ERSTSZ		0x28
#define XHCI_ERSTBA		0x30
#define XHCI_ERDP		0x38
#define ERDP_EHB		(1u << 3)

/* extended capability: USB legacy support (BIOS/OS handoff) */
#define XECP_LEGACY		1
#define LEGACY_BIOS_OWNED	(1u << 16)
#define LEGACY_OS_OWNED		(1u << 24)

/* port speeds */
#define XHCI_SPEED_FULL		1
#define XHCI_SPEED_LOW		2
#define XHCI_SPEED_HIGH		3
#define XHCI_SPEED_SUPER	4

struct xhci_trb {
	u64 param;
	u32 status;
	u32 control;
};

#define TRB_CYCLE		(1u << 0)
#define TRB_TOGGLE		(1u << 1)	/* link TRB: toggle the cycle state */
#define TRB_ISP			(1u << 2)
#define TRB_IOC			(1u << 5)
#define TRB_IDT			(1u << 6)
#define TRB_TYPE(t)		((u32)(t) << 10)
#define TRB_TYPE_OF(c)		(((c) >> 10) & 0x3f)
#define TRB_DIR_IN		(1u << 16)
#define TRB_TRT_IN		(3u << 16)
#define TRB_SLOT(s)		((u32)(s) << 24)
#define TRB_SLOT_OF(c)		((c) >> 24)
#define TRB_CC(s)		((s) >> 24)

enum {
	TRB_NORMAL = 1, TRB_SETUP = 2, TRB_DATA = 3, TRB_STATUS = 4, TRB_LINK = 6,
	TRB_ENABLE_SLOT = 9, TRB_ADDRESS_DEVICE = 11, TRB_CONFIGURE_EP = 12,
	TRB_EV_TRANSFER = 32, TRB_EV_COMMAND = 33, TRB_EV_PORT = 34,
};

#define CC_SUCCESS		1
#define CC_SHORT_PACKET		13

struct xhci_erst_entry {
	u64 base;
	u32 size;
	u32 reserved;
};

/* endpoint types (endpoint context dword 1) */
#define EP_TYPE_CONTROL		4
#define EP_TYPE_INT_IN		7

#endif
