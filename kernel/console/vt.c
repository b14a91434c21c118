/*
 * The text screen's state machine (kernel/console/vt.h). Wrapping follows
 * xterm: a character put in the last column leaves the cursor there with a
 * wrap pending, so a line of exactly `cols` characters and its newline take
 * one row. Backspace at the left edge goes to the end of the row above (which
 * xterm does not do), so the line editor can move back over a line longer
 * than the screen is wide.
 */
#include "kernel/console/vt.h"
#include "lib/string.h"

#define VT_TAB 8

static void vt_update_attr(struct vt *vt)
{
	u8 fg = vt->fg, bg = vt->bg;

	if (vt->bold)
		fg |= 8;
	vt->attr = vt->reverse ? VT_ATTR(bg, fg) : VT_ATTR(fg, bg);
}

static void vt_clear_cells(struct vt *vt, unsigned int from, unsigned int to)
{
	for (unsigned int i = from; i < to; i++)
		vt->cells[i] = (struct vt_cell){ ' ', VT_ATTR(VT_FG(vt->attr) & 7, VT_BG(vt->attr)) };
}

void vt_init(struct vt *vt, struct vt_cell *cells, unsigned int rows, unsigned int cols)
{
	memset(vt, 0, sizeof(*vt));
	vt->cells = cells;
	vt->rows = rows;
	vt->cols = cols;
	vt->fg = 7;
	vt_update_attr(vt);
	vt_clear_cells(vt, 0, rows * cols);
}

static void vt_scroll(struct vt *vt)
{
	memmove(vt->cells, vt->cells + vt->cols, (size_t)(vt->rows - 1) * vt->cols * sizeof(*vt->cells));
	vt_clear_cells(vt, (vt->rows - 1) * vt->cols, vt->rows * vt->cols);
	vt->scrolled++;
}

static void vt_newline(struct vt *vt)
{
	vt->wrap_pending = false;
	if (vt->row + 1 < vt->rows)
		vt->row++;
	else
		vt_scroll(vt);
}

static void vt_put(struct vt *vt, char c)
{
	if (vt->wrap_pending) {
		vt->col = 0;
		vt_newline(vt);
	}
	*vt_cell_at(vt, vt->row, vt->col) = (struct vt_cell){ (u8)c, vt->attr };
	if (vt->col + 1 < vt->cols)
		vt->col++;
	else
		vt->wrap_pending = true;
}

static void vt_backspace(struct vt *vt)
{
	if (vt->wrap_pending) {
		vt->wrap_pending = false;
	} else if (vt->col > 0) {
		vt->col--;
	} else if (vt->row > 0) {
		vt->row--;
		vt->col = vt->cols - 1;
	}
}

static unsigned int vt_param(const struct vt *vt, unsigned int i, unsigned int dflt)
{
	return i < vt->nparams && vt->params[i] ? vt->params[i] : dflt;
}

/* SGR, ESC [ ... m: the colours and bold. */
static void vt_sgr(struct vt *vt)
{
	/* VT100 colour order (red first) to VGA's (blue first) */
	static const u8 ansi_to_vga[8] = { 0, 4, 2, 6, 1, 5, 3, 7 };
	unsigned int n = vt->nparams ? vt->nparams : 1;

	for (unsigned int i = 0; i < n; i++) {
		unsigned int p = i < vt->nparams ? vt->params[i] : 0;

		if (p == 0) {
			vt->fg = 7;
			vt->bg = 0;
			vt->bold = vt->reverse = false;
		} else if (p == 1) {
			vt->bold = true;
		} else if (p == 22) {
			vt->bold = false;
		} else if (p == 7) {
			vt->reverse = true;
		} else if (p == 27) {
			vt->reverse = false;
		} else if (p >= 30 && p <= 37) {
			vt->fg = ansi_to_vga[p - 30];
		} else if (p == 39) {
			vt->fg = 7;
		} else if (p >= 40 && p <= 47) {
			vt->bg = ansi_to_vga[p - 40];
		} else if (p == 49) {
			vt->bg = 0;
		} else if (p >= 90 && p <= 97) {
			vt->fg = ansi_to_vga[p - 90] | 8;
		} else if (p >= 100 && p <= 107) {
			vt->bg = ansi_to_vga[p - 100] | 8;
		}
	}
	vt_update_attr(vt);
}

static void vt_csi(struct vt *vt, char final)
{
	unsigned int here = vt->row * vt->cols + vt->col;
	unsigned int p = vt_param(vt, 0, 1);

	if (final != 'm')
		vt->wrap_pending = false;
	switch (final) {
	case 'm':
		vt_sgr(vt);
		break;
	case 'A':
		vt->row = p > vt->row ? 0 : vt->row - p;
		break;
	case 'B':
		vt->row = min(vt->row + p, vt->rows - 1);
		break;
	case 'C':
		vt->col = min(vt->col + p, vt->cols - 1);
		break;
	case 'D':
		vt->col = p > vt->col ? 0 : vt->col - p;
		break;
	case 'H':
	case 'f':
		vt->row = min(vt_param(vt, 0, 1), vt->rows) - 1;
		vt->col = min(vt_param(vt, 1, 1), vt->cols) - 1;
		break;
	case 'K': {		/* erase in line: to the end, to the start, all */
		unsigned int start = vt->row * vt->cols, end = start + vt->cols;
		unsigned int mode = vt_param(vt, 0, 0);

		if (mode == 0)
			vt_clear_cells(vt, here, end);
		else if (mode == 1)
			vt_clear_cells(vt, start, here + 1);
		else
			vt_clear_cells(vt, start, end);
		break;
	}
	case 'J': {		/* erase in display */
		unsigned int mode = vt_param(vt, 0, 0);

		if (mode == 0)
			vt_clear_cells(vt, here, vt->rows * vt->cols);
		else if (mode == 1)
			vt_clear_cells(vt, 0, here + 1);
		else
			vt_clear_cells(vt, 0, vt->rows * vt->cols);
		break;
	}
	}
}

static void vt_escape(struct vt *vt, char c)
{
	if (vt->esc == 1) {
		if (c == '[') {
			vt->esc = 2;
			vt->nparams = 0;
			vt->param_started = false;
			memset(vt->params, 0, sizeof(vt->params));
		} else if (c < 0x20 || c > 0x2f) {
			vt->esc = 0;	/* ESC and a final byte: nothing we act on */
		}	/* else an intermediate byte (ESC ( B): the final comes next */
		return;
	}
	if (c >= '0' && c <= '9') {
		if (!vt->param_started) {
			vt->param_started = true;
			if (vt->nparams < ARRAY_SIZE(vt->params))
				vt->nparams++;
		}
		if (vt->nparams <= ARRAY_SIZE(vt->params) && vt->params[vt->nparams - 1] < 10000)
			vt->params[vt->nparams - 1] = vt->params[vt->nparams - 1] * 10 + (unsigned int)(c - '0');
	} else if (c == ';') {
		if (!vt->param_started && vt->nparams < ARRAY_SIZE(vt->params))
			vt->nparams++;	/* an empty parameter: its default */
		vt->param_started = false;
	} else if (c >= 0x40 && c <= 0x7e) {
		vt->esc = 0;
		vt_csi(vt, c);
	} else if (c < 0x20 || c > 0x3f) {
		vt->esc = 0;	/* not a sequence after all */
	}
}

void vt_write(struct vt *vt, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (vt->esc) {
			vt_escape(vt, c);
			continue;
		}
		switch (c) {
		case '\n':
			vt->col = 0;	/* the console's newline is CR LF */
			vt_newline(vt);
			break;
		case '\r':
			vt->col = 0;
			vt->wrap_pending = false;
			break;
		case '\b':
			vt_backspace(vt);
			break;
		case '\t':
			do
				vt_put(vt, ' ');
			while (vt->col % VT_TAB && !vt->wrap_pending);
			break;
		case 0x1b:
			vt->esc = 1;
			break;
		default:
			if ((u8)c >= 0x20 && (u8)c < 0x7f)
				vt_put(vt, c);
			break;
		}
	}
}
