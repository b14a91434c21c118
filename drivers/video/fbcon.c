/*
 * The framebuffer console: tty0's text grid drawn with the built-in font
 * (drivers/video/font.c) on the linear RGB framebuffer the boot loader set
 * up, at 15, 16, 24 or 32 bits per pixel in whatever channel layout it
 * reports. Glyphs are scaled by a whole number so that text stays readable on
 * large screens (1 up to 1279 pixels wide, 2 from 1280, 3 from 2560).
 *
 * Only cells that changed since the last draw are redrawn (a copy of what is
 * on the screen is kept), so echoing a typed character costs one cell and a
 * scroll costs one pass over the screen, however many lines a write scrolled.
 * The mapping is write-back in the page tables so that the firmware's MTRR
 * type for the range (write-combining, usually) decides; an uncached mapping
 * would force every pixel store to the bus on its own.
 */
#include "drivers/video/video.h"
#include "drivers/video/font.h"
#include "kernel/bootinfo.h"
#include "kernel/console/console.h"
#include "kernel/console/screen.h"
#include "kernel/console/printk.h"
#include "kernel/mm/ioremap.h"
#include "kernel/mm/slab.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

#define FBCON_CURSOR_ROWS 1	/* the cursor underlines the cell's last row(s) */

struct fbcon {
	u8 *base;
	u32 pitch, width, height;
	unsigned int bytespp;
	unsigned int scale;
	unsigned int rows, cols;
	u32 palette[16];		/* VGA's colours in the framebuffer's pixel format */
	struct vt_cell *shown;		/* what each cell shows now */
	unsigned int cursor;		/* the cell the cursor is drawn in */
};

static struct fbcon fb;

/* The 16 VGA colours, as 8-bit red, green and blue. */
static const u8 vga_rgb[16][3] = {
	{ 0, 0, 0 }, { 0, 0, 170 }, { 0, 170, 0 }, { 0, 170, 170 },
	{ 170, 0, 0 }, { 170, 0, 170 }, { 170, 85, 0 }, { 170, 170, 170 },
	{ 85, 85, 85 }, { 85, 85, 255 }, { 85, 255, 85 }, { 85, 255, 255 },
	{ 255, 85, 85 }, { 255, 85, 255 }, { 255, 255, 85 }, { 255, 255, 255 },
};

static u32 fbcon_channel(u8 v, u8 pos, u8 size)
{
	if (size == 0 || size > 8)
		return 0;
	return (u32)(v >> (8 - size)) << pos;
}

static void fbcon_put(u8 *p, u32 pixel)
{
	switch (fb.bytespp) {
	case 4:
		*(volatile u32 *)p = pixel;
		break;
	case 3:
		p[0] = (u8)pixel;
		p[1] = (u8)(pixel >> 8);
		p[2] = (u8)(pixel >> 16);
		break;
	default:
		*(volatile u16 *)p = (u16)pixel;
		break;
	}
}

/* Draw one cell: its glyph, and the cursor's underline when it is there. */
static void fbcon_draw_cell(unsigned int row, unsigned int col, struct vt_cell cell, bool cursor)
{
	const u8 *glyph = font_glyph(cell.ch);
	u32 ink = fb.palette[VT_FG(cell.attr)], paper = fb.palette[VT_BG(cell.attr)];
	unsigned int s = fb.scale;
	u8 *line = fb.base + (size_t)row * FONT_CELL_H * s * fb.pitch +
		   (size_t)col * FONT_CELL_W * s * fb.bytespp;

	for (unsigned int y = 0; y < FONT_CELL_H * s; y++, line += fb.pitch) {
		unsigned int gy = y / s;
		u8 bits = gy >= FONT_TOP && gy < FONT_TOP + FONT_H ? glyph[gy - FONT_TOP] : 0;
		bool under = cursor && gy >= FONT_CELL_H - FBCON_CURSOR_ROWS;
		u8 *p = line;

		for (unsigned int x = 0; x < FONT_CELL_W * s; x++, p += fb.bytespp) {
			unsigned int gx = x / s;
			bool on = under || (gx < FONT_W && (bits >> (FONT_W - 1 - gx)) & 1);

			fbcon_put(p, on ? ink : paper);
		}
	}
}

static void fbcon_draw(struct vt *vt, void *priv)
{
	unsigned int cursor = vt->row * vt->cols + vt->col;

	for (unsigned int i = 0; i < vt->rows * vt->cols; i++) {
		struct vt_cell cell = vt->cells[i];
		bool moved = (i == cursor) != (i == fb.cursor);

		if (!moved && cell.ch == fb.shown[i].ch && cell.attr == fb.shown[i].attr)
			continue;
		fb.shown[i] = cell;
		fbcon_draw_cell(i / vt->cols, i % vt->cols, cell, i == cursor);
	}
	fb.cursor = cursor;
}

static const struct screen_backend fbcon_backend = { fbcon_draw, NULL };

int fbcon_init(void)
{
	const struct boot_framebuffer *bf = &boot_info.fb;
	char desc[CONSOLE_DESC_MAX], bad;
	size_t len;
	int err;

	if (!boot_info.has_framebuffer || bf->type != 1)
		return -ENODEV;
	if (bf->bpp != 15 && bf->bpp != 16 && bf->bpp != 24 && bf->bpp != 32)
		return -EINVAL;
	err = font_build(&bad);
	if (err) {
		pr_err("fbcon: the font's drawing of '%c' is malformed\n", bad);
		return err;
	}
	fb.width = bf->width;
	fb.height = bf->height;
	fb.pitch = bf->pitch;
	fb.bytespp = (bf->bpp + 7) / 8;
	fb.scale = fb.width >= 2560 ? 3 : fb.width >= 1280 ? 2 : 1;
	fb.cols = fb.width / (FONT_CELL_W * fb.scale);
	fb.rows = fb.height / (FONT_CELL_H * fb.scale);
	if (fb.cols < 20 || fb.rows < 5 || fb.pitch < fb.width * fb.bytespp)
		return -EINVAL;
	for (unsigned int i = 0; i < 16; i++)
		fb.palette[i] = fbcon_channel(vga_rgb[i][0], bf->red_pos, bf->red_size) |
				fbcon_channel(vga_rgb[i][1], bf->green_pos, bf->green_size) |
				fbcon_channel(vga_rgb[i][2], bf->blue_pos, bf->blue_size);
	fb.shown = kmalloc((size_t)fb.rows * fb.cols * sizeof(*fb.shown));
	if (!fb.shown)
		return -ENOMEM;
	len = (size_t)fb.pitch * fb.height;
	fb.base = memremap(bf->addr, len);
	if (!fb.base) {
		err = -ENOMEM;
		goto free_shown;
	}
	/* start from black: whatever the loader drew is gone */
	for (u32 y = 0; y < fb.height; y++)
		for (u32 x = 0; x < fb.width; x++)
			fbcon_put(fb.base + (size_t)y * fb.pitch + (size_t)x * fb.bytespp, fb.palette[0]);
	for (unsigned int i = 0; i < fb.rows * fb.cols; i++)
		fb.shown[i] = (struct vt_cell){ ' ', VT_ATTR_DEFAULT };
	fb.cursor = ~0u;
	snprintf(desc, sizeof(desc), "framebuffer %ux%ux%u at 0x%llx, %ux%u text",
		 fb.width, fb.height, bf->bpp, (unsigned long long)bf->addr, fb.cols, fb.rows);
	err = screen_attach_display(&fbcon_backend, fb.rows, fb.cols, desc);
	if (err)
		goto unmap;
	return 0;
unmap:
	memunmap(fb.base, len);
free_shown:
	kfree(fb.shown);
	return err;
}
