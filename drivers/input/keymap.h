/*
 * Scan code set 1 (what an i8042 delivers with translation on) to the bytes a
 * terminal would send: US layout, Shift, Ctrl, Alt (as an ESC prefix), Caps
 * Lock and Num Lock, and ESC [ sequences for arrows, Home, End, Insert,
 * Delete, Page Up and Down (xterm's, which the shell's line editor reads).
 * Pure logic, tested on the host.
 */
#ifndef DRIVERS_INPUT_KEYMAP_H
#define DRIVERS_INPUT_KEYMAP_H

#include "lib/types.h"

#define KEYMAP_OUT_MAX 5	/* the longest sequence: ESC [ 3 ~ plus an Alt ESC */

struct keymap_state {
	bool lshift, rshift, lctrl, rctrl, lalt, ralt;
	bool caps, numlock;
	u8 prefix;		/* 0xe0 after an extended prefix, 0xe1 while in Pause's */
	u8 skip;		/* bytes of Pause's sequence still to ignore */
};

/* Feed one scan-code byte; the bytes it types go to out. Returns their count. */
unsigned int keymap_feed(struct keymap_state *st, u8 code, char out[KEYMAP_OUT_MAX]);

#endif
