/*
 * Unit tests for drivers/usb/hid_kbd.c: keys typed once when pressed (not
 * again while held, nor on release), Shift and Caps Lock, Ctrl-C, Alt, the
 * navigation keys' sequences, the keypad, several keys in one report, and
 * the rollover report changing nothing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "drivers/usb/hid_kbd.c"

static struct hid_kbd_state st;

/* One report: modifiers and up to six usages; what it typed, as a string. */
static const char *report(u8 mods, u8 k0, u8 k1, u8 k2)
{
	static char buf[HID_KBD_OUT_MAX + 1];
	const u8 r[HID_KBD_REPORT] = { mods, 0, k0, k1, k2, 0, 0, 0 };
	unsigned int n = hid_kbd_report(&st, r, buf);

	assert_true(n <= HID_KBD_OUT_MAX);
	buf[n] = 0;
	return buf;
}

static int setup(void **state)
{
	(void)state;
	memset(&st, 0, sizeof(st));
	return 0;
}

static void test_press_hold_release(void **state)
{
	(void)state;
	assert_string_equal(report(0, 0x0b, 0, 0), "h");	/* h pressed */
	assert_string_equal(report(0, 0x0b, 0, 0), "");		/* still held */
	assert_string_equal(report(0, 0x0b, 0x0c, 0), "i");	/* i joins */
	assert_string_equal(report(0, 0, 0, 0), "");		/* both released */
	assert_string_equal(report(0, 0x0b, 0, 0), "h");	/* again */
}

static void test_shift_caps(void **state)
{
	(void)state;
	assert_string_equal(report(0x02, 0x04, 0x1e, 0x2d), "A!_");
	assert_string_equal(report(0, 0, 0, 0), "");
	assert_string_equal(report(0x20, 0x34, 0x38, 0), "\"?");	/* right Shift */
	assert_string_equal(report(0, 0x39, 0, 0), "");		/* Caps Lock */
	assert_string_equal(report(0, 0x04, 0x1e, 0), "A1");
	assert_string_equal(report(0x02, 0x05, 0, 0), "b");	/* Shift undoes Caps for letters */
}

static void test_ctrl_alt(void **state)
{
	(void)state;
	assert_string_equal(report(0x01, 0x06, 0, 0), "\x03");	/* Ctrl-C */
	assert_string_equal(report(0x10, 0x04, 0, 0), "\x01");	/* right Ctrl-A */
	assert_string_equal(report(0x04, 0x05, 0, 0), "\x1b" "b");	/* Alt-b */
	assert_string_equal(report(0x04, 0x05, 0x52, 0), "\x1b\x1b[A");	/* Alt-Up */
}

static void test_keys(void **state)
{
	(void)state;
	assert_string_equal(report(0, 0x28, 0x29, 0x2a), "\r\x1b\x7f");
	assert_string_equal(report(0, 0x2b, 0x2c, 0x31), "\t \\");
	assert_string_equal(report(0, 0x52, 0x51, 0x4f), "\x1b[A\x1b[B\x1b[C");
	assert_string_equal(report(0, 0x50, 0x4a, 0x4d), "\x1b[D\x1b[H\x1b[F");
	assert_string_equal(report(0, 0x4c, 0x49, 0x4b), "\x1b[3~\x1b[2~\x1b[5~");
	assert_string_equal(report(0, 0x4e, 0x58, 0x62), "\x1b[6~\r0");
	assert_string_equal(report(0, 0x54, 0x59, 0x63), "/1.");
	assert_string_equal(report(0, 0x3a, 0x45, 0x03), "");	/* F1, F12, a reserved usage */
}

static void test_rollover(void **state)
{
	(void)state;
	assert_string_equal(report(0, 0x04, 0, 0), "a");
	assert_string_equal(report(0, 0x01, 0x01, 0x01), "");
	/* the rollover report did not forget a: still held, not typed again */
	assert_string_equal(report(0, 0x04, 0, 0), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_press_hold_release, setup),
		cmocka_unit_test_setup(test_shift_caps, setup),
		cmocka_unit_test_setup(test_ctrl_alt, setup),
		cmocka_unit_test_setup(test_keys, setup),
		cmocka_unit_test_setup(test_rollover, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
