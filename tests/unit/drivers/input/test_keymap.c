/*
 * Unit tests for drivers/input/keymap.c: letters, Shift and Caps Lock,
 * symbols, Ctrl-C and Ctrl with other keys, Alt as an ESC prefix, the
 * extended navigation keys, the keypad with and without Num Lock, break codes
 * and Pause's six bytes typing nothing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "drivers/input/keymap.c"

static struct keymap_state st;

/* Feed the codes; return everything they typed as a string. */
static const char *feed(const u8 *codes, size_t n)
{
	static char buf[64];
	size_t len = 0;

	for (size_t i = 0; i < n; i++) {
		char out[KEYMAP_OUT_MAX];
		unsigned int k = keymap_feed(&st, codes[i], out);

		assert_true(k <= KEYMAP_OUT_MAX);
		memcpy(buf + len, out, k);
		len += k;
	}
	buf[len] = 0;
	return buf;
}

#define FEED(...) ({ static const u8 c_[] = { __VA_ARGS__ }; feed(c_, sizeof(c_)); })

static int setup(void **state)
{
	(void)state;
	memset(&st, 0, sizeof(st));
	return 0;
}

static void test_letters_and_shift(void **state)
{
	(void)state;
	/* "hi": make and break of h (0x23) and i (0x17) */
	assert_string_equal(FEED(0x23, 0xa3, 0x17, 0x97), "hi");
	/* Shift held: capitals and the shifted symbols */
	assert_string_equal(FEED(0x2a, 0x23, 0x02, 0x0c, 0x28, 0xaa, 0x23), "H!_\"h");
	/* right Shift too */
	assert_string_equal(FEED(0x36, 0x1e, 0xb6, 0x1e), "Aa");
	/* digits and unshifted symbols */
	assert_string_equal(FEED(0x0b, 0x0c, 0x0d, 0x1a, 0x1b, 0x27, 0x29, 0x2b, 0x33, 0x34, 0x35,
				 0x39), "0-=[];`\\,./ ");
	assert_string_equal(FEED(0x1c, 0x0e, 0x0f, 0x01), "\r\x7f\t\x1b");
}

static void test_caps_lock(void **state)
{
	(void)state;
	assert_string_equal(FEED(0x3a, 0xba, 0x1e, 0x02), "A1");
	/* Shift undoes Caps Lock for letters only */
	assert_string_equal(FEED(0x2a, 0x1e, 0x02, 0xaa), "a!");
	assert_string_equal(FEED(0x3a, 0xba, 0x1e), "a");
}

static void test_ctrl(void **state)
{
	(void)state;
	assert_string_equal(FEED(0x1d, 0x2e, 0x9d), "\x03");		/* Ctrl-C */
	assert_string_equal(FEED(0xe0, 0x1d, 0x1e, 0xe0, 0x9d, 0x1e), "\x01" "a");	/* right Ctrl */
	assert_string_equal(FEED(0x1d, 0x1a, 0x9d), "\x1b");		/* Ctrl-[ */
	assert_string_equal(FEED(0x1d, 0x02, 0x9d), "1");		/* nothing to control */
	/* Ctrl-Space types NUL: one byte, not nothing */
	char out[KEYMAP_OUT_MAX];

	keymap_feed(&st, 0x1d, out);
	assert_int_equal(keymap_feed(&st, 0x39, out), 1);
	assert_int_equal(out[0], 0);
}

static void test_alt(void **state)
{
	(void)state;
	assert_string_equal(FEED(0x38, 0x30, 0xb8, 0x30), "\x1b" "bb");
	assert_string_equal(FEED(0xe0, 0x38, 0x30, 0xe0, 0xb8), "\x1b" "b");	/* AltGr as Alt */
}

static void test_navigation(void **state)
{
	(void)state;
	assert_string_equal(FEED(0xe0, 0x48, 0xe0, 0xc8), "\x1b[A");
	assert_string_equal(FEED(0xe0, 0x50, 0xe0, 0x4d, 0xe0, 0x4b), "\x1b[B\x1b[C\x1b[D");
	assert_string_equal(FEED(0xe0, 0x47, 0xe0, 0x4f), "\x1b[H\x1b[F");
	assert_string_equal(FEED(0xe0, 0x53, 0xe0, 0x52), "\x1b[3~\x1b[2~");
	assert_string_equal(FEED(0xe0, 0x49, 0xe0, 0x51), "\x1b[5~\x1b[6~");
	/* the fake Shift some keyboards wrap around extended keys changes nothing */
	assert_string_equal(FEED(0xe0, 0x2a, 0xe0, 0x48, 0xe0, 0xc8, 0xe0, 0xaa, 0x1e), "\x1b[Aa");
	/* keypad Enter and / */
	assert_string_equal(FEED(0xe0, 0x1c, 0xe0, 0x35), "\r/");
	/* an unknown extended key types nothing */
	assert_string_equal(FEED(0xe0, 0x5b), "");
}

static void test_keypad(void **state)
{
	(void)state;
	/* Num Lock off (as at boot): the keypad navigates; - and + type */
	assert_string_equal(FEED(0x48, 0x47, 0x4a, 0x4e, 0x53), "\x1b[A\x1b[H-+\x1b[3~");
	assert_string_equal(FEED(0x4c), "");	/* 5 has no navigation */
	assert_string_equal(FEED(0x45, 0xc5, 0x47, 0x4c, 0x4f, 0x52, 0x53), "7510.");
}

static void test_pause_and_unknown(void **state)
{
	(void)state;
	assert_string_equal(FEED(0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5, 0x1e), "a");
	assert_string_equal(FEED(0x3b, 0x57, 0x58, 0xbb), "");	/* F1, F11, F12 */
	assert_false(st.numlock);	/* Pause's 0x45 is not Num Lock */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_letters_and_shift, setup),
		cmocka_unit_test_setup(test_caps_lock, setup),
		cmocka_unit_test_setup(test_ctrl, setup),
		cmocka_unit_test_setup(test_alt, setup),
		cmocka_unit_test_setup(test_navigation, setup),
		cmocka_unit_test_setup(test_keypad, setup),
		cmocka_unit_test_setup(test_pause_and_unknown, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
