/*
 * A text screen in memory: a grid of character cells, a cursor and the part
 * of a VT100/xterm that the shell and its line editor use (printable ASCII,
 * CR, LF, backspace, tab, and the ESC [ sequences for colours, cursor moves
 * and erasing). The screen backends (VGA text mode, the framebuffer console)
 * draw the grid; this file knows no hardware and is tested on the host.
 */
#ifndef KERNEL_CONSOLE_VT_H
#define KERNEL_CONSOLE_VT_H

#include "lib/types.h"

/* Colours as VGA numbers them: 0 black, 1 blue, 2 green, ... 7 grey, +8 bright. */
#define VT_ATTR(fg, bg)	((u8)((fg) | (bg) << 4))
#define VT_ATTR_DEFAULT	VT_ATTR(7, 0)
#define VT_FG(attr)	((attr) & 0xf)
#define VT_BG(attr)	((attr) >> 4)

struct vt_cell {
	u8 ch;
	u8 attr;
};

struct vt {
	unsigned int rows, cols;
	struct vt_cell *cells;		/* rows * cols, row by row; the caller's */
	unsigned int row, col;		/* the cursor */
	bool wrap_pending;		/* a character went in the last column */
	u8 attr;			/* for new characters */
	bool bold, reverse;
	u8 fg, bg;
	/* escape sequence parser */
	u8 esc;				/* 0 none, 1 after ESC, 2 in ESC [ */
	unsigned int params[4], nparams;
	bool param_started;
	/* lines scrolled off the top since the backend last looked */
	unsigned int scrolled;
};

/* Start with a blank screen in the default colours, the cursor home. */
void vt_init(struct vt *vt, struct vt_cell *cells, unsigned int rows, unsigned int cols);
void vt_write(struct vt *vt, const char *s, size_t n);
static inline struct vt_cell *vt_cell_at(struct vt *vt, unsigned int row, unsigned int col)
{
	return &vt->cells[row * vt->cols + col];
}

#endif
