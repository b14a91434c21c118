/*
 * Unit tests for kernel/console/vt.c: text placement, xterm's pending wrap,
 * scrolling, backspace across the row edge, tabs, and the ESC [ sequences
 * (colours, erase, cursor moves), including ones split across writes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "kernel/console/vt.c"

#define ROWS 4
#define COLS 10

static struct vt vt;
static struct vt_cell cells[ROWS * COLS];

static void put(const char *s)
{
	vt_write(&vt, s, strlen(s));
}

/* Row r as a string, trailing blanks dropped. */
static const char *row_text(unsigned int r)
{
	static char buf[COLS + 1];
	int n = COLS;

	for (int c = 0; c < COLS; c++)
		buf[c] = (char)vt_cell_at(&vt, r, c)->ch;
	while (n > 0 && buf[n - 1] == ' ')
		n--;
	buf[n] = 0;
	return buf;
}

static int setup(void **state)
{
	(void)state;
	vt_init(&vt, cells, ROWS, COLS);
	return 0;
}

static void test_text_and_newline(void **state)
{
	(void)state;
	put("ab\ncd");
	assert_string_equal(row_text(0), "ab");
	assert_string_equal(row_text(1), "cd");
	assert_int_equal(vt.row, 1);
	assert_int_equal(vt.col, 2);
	put("\rX");
	assert_string_equal(row_text(1), "Xd");
	assert_int_equal(vt_cell_at(&vt, 0, 0)->attr, VT_ATTR_DEFAULT);
}

static void test_pending_wrap(void **state)
{
	(void)state;
	put("0123456789");
	assert_int_equal(vt.row, 0);	/* a full row: the cursor waits at its end */
	assert_true(vt.wrap_pending);
	put("\n");
	assert_int_equal(vt.row, 1);	/* the newline does not make a blank row */
	assert_int_equal(vt.col, 0);
	put("0123456789A");
	assert_string_equal(row_text(2), "A");
	assert_int_equal(vt.col, 1);
}

static void test_scroll(void **state)
{
	(void)state;
	put("1\n2\n3\n4\n5");
	assert_string_equal(row_text(0), "2");
	assert_string_equal(row_text(3), "5");
	assert_int_equal(vt.scrolled, 1);
	assert_int_equal(vt.row, ROWS - 1);
}

static void test_backspace(void **state)
{
	(void)state;
	put("abc\b\bX");
	assert_string_equal(row_text(0), "aXc");
	/* at the edge of a full row: back over its last character */
	vt_init(&vt, cells, ROWS, COLS);
	put("0123456789\bZ");
	assert_string_equal(row_text(0), "012345678Z");
	/* at column 0: to the end of the row above, as the line editor expects */
	put("Q\b\b");
	assert_int_equal(vt.row, 0);
	assert_int_equal(vt.col, COLS - 1);
	/* at the top left corner: nowhere to go */
	vt_init(&vt, cells, ROWS, COLS);
	put("\b");
	assert_int_equal(vt.row, 0);
	assert_int_equal(vt.col, 0);
}

static void test_tab(void **state)
{
	(void)state;
	put("a\tb");
	assert_int_equal(vt_cell_at(&vt, 0, 8)->ch, 'b');
}

static void test_colours(void **state)
{
	(void)state;
	put("\x1b[31mR\x1b[1;44mB\x1b[0mN\x1b[7mI\x1b[m");
	assert_int_equal(vt_cell_at(&vt, 0, 0)->attr, VT_ATTR(4, 0));	/* red is VGA's 4 */
	assert_int_equal(vt_cell_at(&vt, 0, 1)->attr, VT_ATTR(12, 1));	/* bold: bright */
	assert_int_equal(vt_cell_at(&vt, 0, 2)->attr, VT_ATTR_DEFAULT);
	assert_int_equal(vt_cell_at(&vt, 0, 3)->attr, VT_ATTR(0, 7));	/* reverse */
	put("\x1b[92;100mG");
	assert_int_equal(vt_cell_at(&vt, 0, 4)->attr, VT_ATTR(10, 8));
	assert_string_equal(row_text(0), "RBNIG");
}

static void test_split_sequence(void **state)
{
	(void)state;
	put("\x1b");
	put("[3");
	put("2mG");
	assert_string_equal(row_text(0), "G");
	assert_int_equal(vt_cell_at(&vt, 0, 0)->attr, VT_ATTR(2, 0));
}

static void test_erase_and_moves(void **state)
{
	(void)state;
	put("abcdef\x1b[3D\x1b[K");
	assert_string_equal(row_text(0), "abc");
	put("\nxyz\x1b[1;2H");
	assert_int_equal(vt.row, 0);
	assert_int_equal(vt.col, 1);
	put("\x1b[2J");
	assert_string_equal(row_text(0), "");
	assert_string_equal(row_text(1), "");
	put("\x1b[99;99H");
	assert_int_equal(vt.row, ROWS - 1);
	assert_int_equal(vt.col, COLS - 1);
	put("\x1b[2A\x1b[5C\x1b[B");
	assert_int_equal(vt.row, ROWS - 2);
	put("\x1b[1K");
	assert_string_equal(row_text(ROWS - 2), "");
}

static void test_junk_ignored(void **state)
{
	(void)state;
	put("a\x01\x7f\x1b(Bb\x1b[\x01" "c");
	/* a control byte inside a sequence ends it; the next byte is text again */
	assert_string_equal(row_text(0), "abc");
	put("\x1b[1;2;3;4;5;6m");	/* more parameters than kept */
	put("d");
	assert_string_equal(row_text(0), "abcd");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_text_and_newline, setup),
		cmocka_unit_test_setup(test_pending_wrap, setup),
		cmocka_unit_test_setup(test_scroll, setup),
		cmocka_unit_test_setup(test_backspace, setup),
		cmocka_unit_test_setup(test_tab, setup),
		cmocka_unit_test_setup(test_colours, setup),
		cmocka_unit_test_setup(test_split_sequence, setup),
		cmocka_unit_test_setup(test_erase_and_moves, setup),
		cmocka_unit_test_setup(test_junk_ignored, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
