/*
 * Unit tests for kernel/console/console_opt.c: Linux's console= spellings
 * accepted (screen, serial with and without line settings), malformed ones
 * refused, and the names given back.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "kernel/console/console_opt.c"

static void test_screen(void **state)
{
	struct console_opt o;
	char name[16];

	(void)state;
	assert_int_equal(console_opt_parse("tty0", &o), 0);
	assert_int_equal(o.kind, CONSOLE_SCREEN);
	assert_int_equal(console_opt_parse("tty", &o), 0);
	assert_int_equal(console_opt_parse("tty1", &o), 0);
	assert_int_equal(o.kind, CONSOLE_SCREEN);
	console_opt_name(&o, name, sizeof(name));
	assert_string_equal(name, "tty0");
	assert_int_equal(console_opt_parse("tty64", &o), -EINVAL);
	assert_int_equal(console_opt_parse("tty0x", &o), -EINVAL);
	assert_int_equal(console_opt_parse("vga", &o), -EINVAL);
	assert_int_equal(console_opt_parse("", &o), -EINVAL);
}

static void test_serial(void **state)
{
	struct console_opt o;
	char name[16];

	(void)state;
	assert_int_equal(console_opt_parse("ttyS0", &o), 0);
	assert_int_equal(o.kind, CONSOLE_SERIAL);
	assert_int_equal(o.index, 0);
	assert_int_equal(o.baud, 0);
	assert_int_equal(o.parity, 'n');
	assert_int_equal(o.bits, 8);
	assert_int_equal(console_opt_parse("ttyS1,115200", &o), 0);
	assert_int_equal(o.index, 1);
	assert_int_equal(o.baud, 115200);
	assert_int_equal(console_opt_parse("ttyS4,9600e7", &o), 0);
	assert_int_equal(o.index, 4);
	assert_int_equal(o.baud, 9600);
	assert_int_equal(o.parity, 'e');
	assert_int_equal(o.bits, 7);
	console_opt_name(&o, name, sizeof(name));
	assert_string_equal(name, "ttyS4");
	assert_int_equal(console_opt_parse("ttyS0,38400o", &o), 0);
	assert_int_equal(o.parity, 'o');
	assert_int_equal(console_opt_parse("ttyS0,115200n8r", &o), 0);
	assert_int_equal(console_opt_parse("ttyS0,", &o), 0);
	assert_int_equal(o.baud, 0);
}

static void test_serial_refused(void **state)
{
	struct console_opt o;

	(void)state;
	assert_int_equal(console_opt_parse("ttyS", &o), -EINVAL);
	assert_int_equal(console_opt_parse("ttyS64", &o), -EINVAL);
	assert_int_equal(console_opt_parse("ttySx", &o), -EINVAL);
	assert_int_equal(console_opt_parse("ttyS0;9600", &o), -EINVAL);
	assert_int_equal(console_opt_parse("ttyS0,0", &o), -EINVAL);
	assert_int_equal(console_opt_parse("ttyS0,230400", &o), -EINVAL);	/* above the base rate */
	assert_int_equal(console_opt_parse("ttyS0,7000", &o), -EINVAL);	/* no whole divisor */
	assert_int_equal(console_opt_parse("ttyS0,9600x", &o), -EINVAL);
	assert_int_equal(console_opt_parse("ttyS0,9600n9", &o), -EINVAL);
	assert_int_equal(console_opt_parse("ttyS0,9600n8x", &o), -EINVAL);
	assert_int_equal(console_opt_parse("ttyS0,12345678901", &o), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_screen),
		cmocka_unit_test(test_serial),
		cmocka_unit_test(test_serial_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
