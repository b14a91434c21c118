/*
 * Boot-protocol keyboard reports (drivers/usb/hid_kbd.h). Usage numbers: the
 * USB HID Usage Tables, Keyboard/Keypad page (0x07). A report whose key slots
 * all say 0x01 (ErrorRollOver: too many keys) changes nothing. The keypad
 * types digits (the boot protocol has no Num Lock state to follow).
 */
#include "drivers/usb/hid_kbd.h"

#define MOD_CTRL	0x11	/* left and right */
#define MOD_SHIFT	0x22
#define MOD_ALT		0x44
#define USAGE_ROLLOVER	0x01
#define USAGE_A		0x04
#define USAGE_Z		0x1d
#define USAGE_CAPS	0x39

/* usages 0x1e-0x38 without and with Shift */
static const char plain[] = "1234567890\r\033\x7f\t -=[]\\\\;'`,./";
static const char shifted[] = "!@#$%^&*()\r\033\x7f\t _+{}||:\"~<>?";

static const char *hid_kbd_seq(u8 usage)
{
	switch (usage) {
	case 0x49: return "\033[2~";	/* Insert */
	case 0x4a: return "\033[H";	/* Home */
	case 0x4b: return "\033[5~";	/* Page Up */
	case 0x4c: return "\033[3~";	/* Delete */
	case 0x4d: return "\033[F";	/* End */
	case 0x4e: return "\033[6~";	/* Page Down */
	case 0x4f: return "\033[C";	/* Right */
	case 0x50: return "\033[D";	/* Left */
	case 0x51: return "\033[B";	/* Down */
	case 0x52: return "\033[A";	/* Up */
	}
	return NULL;
}

/* The byte of a character key (0: not one), Shift, Caps Lock and Ctrl applied. */
static char hid_kbd_char(const struct hid_kbd_state *st, u8 mods, u8 usage)
{
	static const char keypad[] = "/*-+\r1234567890.";
	bool shift = mods & MOD_SHIFT;
	char c;

	if (usage >= USAGE_A && usage <= USAGE_Z) {
		c = (char)('a' + usage - USAGE_A);
		if (shift != st->caps)
			c = (char)(c - 'a' + 'A');
	} else if (usage >= 0x1e && usage <= 0x38) {
		c = shift ? shifted[usage - 0x1e] : plain[usage - 0x1e];
	} else if (usage >= 0x54 && usage <= 0x63) {
		c = keypad[usage - 0x54];
	} else {
		return 0;
	}
	if (mods & MOD_CTRL) {
		if ((c >= 'a' && c <= 'z') || (c >= '@' && c <= '_'))
			c = (char)(c & 0x1f);
		else if (c >= 'A' && c <= 'Z')
			c = (char)(c & 0x1f);
	}
	return c;
}

static bool hid_kbd_was_held(const struct hid_kbd_state *st, u8 usage)
{
	for (unsigned int i = 0; i < 6; i++)
		if (st->held[i] == usage)
			return true;
	return false;
}

unsigned int hid_kbd_report(struct hid_kbd_state *st, const u8 report[HID_KBD_REPORT],
			    char out[HID_KBD_OUT_MAX])
{
	const u8 *keys = report + 2;
	u8 mods = report[0];
	unsigned int n = 0;

	if (keys[0] == USAGE_ROLLOVER)
		return 0;
	for (unsigned int i = 0; i < 6; i++) {
		u8 usage = keys[i];
		const char *seq;
		char c;

		if (usage < USAGE_A || hid_kbd_was_held(st, usage))
			continue;
		if (usage == USAGE_CAPS) {
			st->caps = !st->caps;
			continue;
		}
		seq = hid_kbd_seq(usage);
		c = seq ? 0 : hid_kbd_char(st, mods, usage);
		if (!seq && !c)
			continue;
		if (mods & MOD_ALT)
			out[n++] = '\033';
		if (seq)
			while (*seq)
				out[n++] = *seq++;
		else
			out[n++] = c;
	}
	for (unsigned int i = 0; i < 6; i++)
		st->held[i] = keys[i];
	return n;
}
