/*
 * stork's built-in bitmap font: printable ASCII, each glyph 5 pixels wide and
 * 9 tall (7 above the baseline, 2 for descenders), drawn in a 6 x 11 cell.
 * The glyphs are drawn as text in font.c ('#' ink, '.' paper) so that they can
 * be read and changed there, and so that the host tests can render the same
 * font (tests/qemu/screen.py reads font.c).
 */
#ifndef DRIVERS_VIDEO_FONT_H
#define DRIVERS_VIDEO_FONT_H

#include "lib/types.h"

#define FONT_W		5
#define FONT_H		9
#define FONT_CELL_W	6	/* one column of space to the right */
#define FONT_CELL_H	11	/* one row above and one below */
#define FONT_TOP	1	/* the glyph's first row within the cell */
#define FONT_FIRST	0x20
#define FONT_LAST	0x7e

/*
 * Turn the drawings into bitmaps: 0, or -EINVAL (naming the character in
 * *bad) when a drawing is not rows of five '#' or '.' separated by spaces.
 */
int font_build(char *bad);
/*
 * The rows of c's glyph, bit 4 the leftmost pixel; a box for characters the
 * font lacks. Valid after font_build().
 */
const u8 *font_glyph(u8 c);

#endif
