/*
 * USB HID boot-protocol keyboard reports to the bytes a terminal sends: the
 * 8-byte report (modifier bits, a reserved byte, up to six key usages held)
 * is compared with the previous one and each newly pressed key is typed, US
 * layout, with the same escape sequences as the PS/2 keymap
 * (drivers/input/keymap.c). Pure logic, tested on the host.
 */
#ifndef DRIVERS_USB_HID_KBD_H
#define DRIVERS_USB_HID_KBD_H

#include "lib/types.h"

#define HID_KBD_REPORT	8
#define HID_KBD_OUT_MAX	(6 * 5)	/* six keys, each at most ESC ESC [ 3 ~ */

struct hid_kbd_state {
	u8 held[6];		/* the usages of the previous report */
	bool caps;
};

/* Feed one report; the bytes it types go to out. Returns their count. */
unsigned int hid_kbd_report(struct hid_kbd_state *st, const u8 report[HID_KBD_REPORT],
			    char out[HID_KBD_OUT_MAX]);

#endif
