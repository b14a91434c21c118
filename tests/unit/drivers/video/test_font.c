/*
 * Unit tests for drivers/video/font.c: every printable character has a
 * well-formed drawing, glyphs come out as drawn (bit 4 leftmost, rows from
 * the top), no two characters look alike, and characters outside the font
 * get the box.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "drivers/video/font.c"

static int setup(void **state)
{
	char bad = 0;

	(void)state;
	assert_int_equal(font_build(&bad), 0);
	return 0;
}

static void test_shapes(void **state)
{
	static const u8 A[FONT_H] = { 0x0e, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11, 0, 0 };
	static const u8 g[FONT_H] = { 0, 0, 0x0f, 0x11, 0x11, 0x11, 0x0f, 0x01, 0x0e };
	static const u8 space[FONT_H] = { 0 };

	(void)state;
	assert_memory_equal(font_glyph('A'), A, FONT_H);
	assert_memory_equal(font_glyph('g'), g, FONT_H);	/* a descender */
	assert_memory_equal(font_glyph(' '), space, FONT_H);
	assert_int_equal(font_glyph('_')[7], 0x1f);
	assert_ptr_equal(font_glyph(0x7f), font_missing);
	assert_ptr_equal(font_glyph(0x1b), font_missing);
	assert_ptr_equal(font_glyph(0xe9), font_missing);
}

static void test_all_distinct(void **state)
{
	(void)state;
	for (unsigned int a = FONT_FIRST; a <= FONT_LAST; a++) {
		if (a != ' ')
			assert_memory_not_equal(font_glyph((u8)a), font_missing, FONT_H);
		for (unsigned int b = a + 1; b <= FONT_LAST; b++)
			if (!memcmp(font_glyph((u8)a), font_glyph((u8)b), FONT_H))
				fail_msg("'%c' and '%c' are drawn alike", a, b);
	}
}

static void test_parse_refuses(void **state)
{
	u8 rows[FONT_H];

	(void)state;
	assert_int_equal(font_parse("#...#", rows), 0);
	assert_int_equal(rows[0], 0x11);
	assert_int_equal(rows[1], 0);
	assert_int_equal(font_parse("#...", rows), -EINVAL);		/* short row */
	assert_int_equal(font_parse("#...##", rows), -EINVAL);	/* long row */
	assert_int_equal(font_parse("#..x#", rows), -EINVAL);
	assert_int_equal(font_parse("..... ..... ..... ..... ..... ..... ..... ..... ..... .....",
				    rows), -EINVAL);		/* ten rows */
	assert_int_equal(font_parse(NULL, rows), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_shapes, setup),
		cmocka_unit_test_setup(test_all_distinct, setup),
		cmocka_unit_test_setup(test_parse_refuses, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
