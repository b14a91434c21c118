/*
 * Set 1 scan codes to terminal bytes (drivers/input/keymap.h). Make codes
 * are 0x01-0x58, a break code is its make code with bit 7 set, and 0xe0
 * announces an extended key (the arrows and the navigation block, right Ctrl
 * and Alt). Backspace sends DEL (0x7f) and Enter CR, as Linux's console does.
 */
#include "drivers/input/keymap.h"

#define SC_ESC		0x01
#define SC_BACKSPACE	0x0e
#define SC_ENTER	0x1c
#define SC_LCTRL	0x1d
#define SC_LSHIFT	0x2a
#define SC_RSHIFT	0x36
#define SC_LALT		0x38
#define SC_CAPS		0x3a
#define SC_NUMLOCK	0x45
#define SC_KP_FIRST	0x47
#define SC_KP_LAST	0x53
#define SC_BREAK	0x80

/* the keys that type a character, without and with Shift */
static const char plain[0x3a] =
	"\0\0331234567890-=\0\tqwertyuiop[]\r\0asdfghjkl;'`\0\\zxcvbnm,./\0*\0 ";
static const char shifted[0x3a] =
	"\0\033!@#$%^&*()_+\0\tQWERTYUIOP{}\r\0ASDFGHJKL:\"~\0|ZXCVBNM<>?\0*\0 ";

/* The navigation keys by scan code (after 0xe0, or on the keypad without Num Lock). */
static const char *keymap_nav(u8 code)
{
	switch (code) {
	case 0x47: return "\033[H";	/* Home */
	case 0x48: return "\033[A";	/* Up */
	case 0x49: return "\033[5~";	/* Page Up */
	case 0x4b: return "\033[D";	/* Left */
	case 0x4d: return "\033[C";	/* Right */
	case 0x4f: return "\033[F";	/* End */
	case 0x50: return "\033[B";	/* Down */
	case 0x51: return "\033[6~";	/* Page Down */
	case 0x52: return "\033[2~";	/* Insert */
	case 0x53: return "\033[3~";	/* Delete */
	}
	return NULL;
}

static unsigned int keymap_copy(char *out, unsigned int n, const char *s)
{
	while (*s && n < KEYMAP_OUT_MAX)
		out[n++] = *s++;
	return n;
}

/* A character key's byte, Shift, Caps Lock and Ctrl applied (0: none). */
static char keymap_char(const struct keymap_state *st, u8 code)
{
	bool shift = st->lshift || st->rshift;
	char c;

	if (code >= sizeof(plain))
		return 0;
	c = plain[code];
	if (c >= 'a' && c <= 'z') {
		if (shift != st->caps)
			c = (char)(c - 'a' + 'A');
	} else if (shift) {
		c = shifted[code];
	}
	if (st->lctrl || st->rctrl) {
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '@' && c <= '_'))
			c = (char)(c & 0x1f);	/* Ctrl-C is 3, Ctrl-[ is ESC */
		else if (c == ' ')
			c = 0;
	}
	return c;
}

unsigned int keymap_feed(struct keymap_state *st, u8 code, char out[KEYMAP_OUT_MAX])
{
	bool release = code & SC_BREAK, ext;
	unsigned int n = 0;
	const char *seq;
	u8 key = code & ~SC_BREAK;
	char c;

	if (st->skip) {
		st->skip--;
		return 0;
	}
	if (code == 0xe0) {
		st->prefix = 0xe0;
		return 0;
	}
	if (code == 0xe1) {	/* Pause: e1 1d 45 e1 9d c5, nothing to type */
		st->skip = 5;
		return 0;
	}
	ext = st->prefix == 0xe0;
	st->prefix = 0;

	switch (key) {
	case SC_LSHIFT:
	case SC_RSHIFT:
		if (ext)
			return 0;	/* the fake shifts around extended keys */
		*(key == SC_LSHIFT ? &st->lshift : &st->rshift) = !release;
		return 0;
	case SC_LCTRL:
		*(ext ? &st->rctrl : &st->lctrl) = !release;
		return 0;
	case SC_LALT:
		*(ext ? &st->ralt : &st->lalt) = !release;
		return 0;
	case SC_CAPS:
		if (!release)
			st->caps = !st->caps;
		return 0;
	case SC_NUMLOCK:
		if (!release && !ext)
			st->numlock = !st->numlock;
		return 0;
	}
	if (release)
		return 0;
	if (st->lalt || st->ralt)
		out[n++] = '\033';	/* Meta sends ESC first, as xterm does */
	if (ext) {
		if (key == SC_ENTER)
			out[n++] = '\r';
		else if (key == 0x35)
			out[n++] = '/';	/* keypad / */
		else if ((seq = keymap_nav(key)))
			n = keymap_copy(out, n, seq);
		else
			return 0;
		return n;
	}
	if (key >= SC_KP_FIRST && key <= SC_KP_LAST) {
		static const char keypad[] = "789-456+1230.";

		c = keypad[key - SC_KP_FIRST];
		if (st->numlock || c == '-' || c == '+') {
			out[n++] = c;
			return n;
		}
		seq = keymap_nav(key);
		return seq ? keymap_copy(out, n, seq) : 0;
	}
	if (key == SC_BACKSPACE) {
		out[n++] = 0x7f;
		return n;
	}
	c = keymap_char(st, key);
	if (!c && !((st->lctrl || st->rctrl) && key < sizeof(plain) && plain[key] == ' '))
		return 0;
	out[n++] = c;
	return n;
}
