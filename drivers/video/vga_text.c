/*
 * VGA text mode as tty0's display: 80 x 25 (or what the loader reports)
 * character cells of two bytes, character then attribute, at 0xb8000 (0xb0000
 * on monochrome adapters), with the hardware cursor moved through the CRT
 * controller. The attribute byte is VGA's, which is what the text grid keeps.
 * Only changed cells are written: VGA memory is slow to write on real
 * adapters and trapped by emulators.
 */
#include "drivers/video/video.h"
#include "kernel/bootinfo.h"
#include "kernel/console/console.h"
#include "kernel/console/screen.h"
#include "kernel/console/printk.h"
#include "kernel/mm/ioremap.h"
#include "kernel/mm/mm.h"
#include "kernel/mm/slab.h"
#include "kernel/arch/x86.h"
#include "lib/errno.h"
#include "lib/printf.h"

#define BDA_VIDEO_MODE	0x449	/* BIOS data area: the current video mode */
#define BDA_CRTC_BASE	0x463	/* the CRT controller's index port */
#define CRTC_CURSOR_START 0x0a
#define CRTC_CURSOR_HI	0x0e
#define CRTC_CURSOR_LO	0x0f
#define CURSOR_DISABLE	0x20

struct vga_text {
	volatile u16 *vram;
	u16 *shown;		/* what vram holds, to write only changes */
	u16 crtc;		/* CRT controller index port */
	unsigned int rows, cols;
	unsigned int cursor;	/* where the hardware cursor is */
};

static struct vga_text vga;

static u8 vga_crtc_read(u8 reg)
{
	outb(vga.crtc, reg);
	return inb(vga.crtc + 1);
}

static void vga_crtc_write(u8 reg, u8 v)
{
	outb(vga.crtc, reg);
	outb(vga.crtc + 1, v);
}

static void vga_text_draw(struct vt *vt, void *priv)
{
	unsigned int n = vt->rows * vt->cols, cursor = vt->row * vt->cols + vt->col;

	for (unsigned int i = 0; i < n; i++) {
		u16 v = (u16)(vt->cells[i].ch | vt->cells[i].attr << 8);

		if (vga.shown[i] != v) {
			vga.shown[i] = v;
			vga.vram[i] = v;
		}
	}
	if (cursor != vga.cursor) {
		vga.cursor = cursor;
		vga_crtc_write(CRTC_CURSOR_HI, (u8)(cursor >> 8));
		vga_crtc_write(CRTC_CURSOR_LO, (u8)cursor);
	}
}

static const struct screen_backend vga_text_backend = { vga_text_draw, NULL };

/*
 * A CRT controller answers when its cursor-location register keeps what is
 * written to it; with no VGA adapter (QEMU with no display device, most UEFI
 * machines) the port reads 0xff.
 */
static bool vga_crtc_present(void)
{
	u8 old = vga_crtc_read(CRTC_CURSOR_LO);
	bool ok;

	vga_crtc_write(CRTC_CURSOR_LO, 0x5a);
	ok = vga_crtc_read(CRTC_CURSOR_LO) == 0x5a;
	vga_crtc_write(CRTC_CURSOR_LO, 0xa5);
	ok = ok && vga_crtc_read(CRTC_CURSOR_LO) == 0xa5;
	vga_crtc_write(CRTC_CURSOR_LO, old);
	return ok;
}

int vga_text_init(void)
{
	u64 phys = 0xb8000;
	char desc[CONSOLE_DESC_MAX];
	int err;

	vga.cols = 80;
	vga.rows = 25;
	vga.crtc = 0x3d4;
	if (boot_info.has_framebuffer) {
		if (boot_info.fb.type != 2)
			return -ENODEV;
		phys = boot_info.fb.addr;
		vga.cols = boot_info.fb.width;
		vga.rows = boot_info.fb.height;
	} else {
		/* no word from the loader: believe the BIOS data area if it says text */
		u8 mode = *(volatile u8 *)phys_to_virt(BDA_VIDEO_MODE);
		u16 crtc = *(volatile u16 *)phys_to_virt(BDA_CRTC_BASE);

		if (mode == 7 && crtc == 0x3b4) {
			phys = 0xb0000;
			vga.crtc = crtc;
		} else if (mode != 3 && mode != 2) {
			return -ENODEV;
		}
	}
	if (vga.cols == 0 || vga.rows == 0 || vga.cols > 256 || vga.rows > 128)
		return -ENODEV;
	if (!vga_crtc_present())
		return -ENODEV;
	vga.shown = kmalloc((size_t)vga.rows * vga.cols * sizeof(*vga.shown));
	if (!vga.shown)
		return -ENOMEM;
	for (unsigned int i = 0; i < vga.rows * vga.cols; i++)
		vga.shown[i] = 0xffff;	/* nothing is known to be there: draw all */
	vga.vram = ioremap(phys, (size_t)vga.rows * vga.cols * 2);
	if (!vga.vram) {
		err = -ENOMEM;
		goto free_shown;
	}
	vga.cursor = ~0u;
	/* the cursor on, as a two-line underline at the cell's bottom */
	vga_crtc_write(CRTC_CURSOR_START, (u8)(vga_crtc_read(CRTC_CURSOR_START) & ~CURSOR_DISABLE));
	snprintf(desc, sizeof(desc), "VGA text %ux%u at 0x%llx", vga.cols, vga.rows,
		 (unsigned long long)phys);
	err = screen_attach_display(&vga_text_backend, vga.rows, vga.cols, desc);
	if (err)
		goto unmap;
	return 0;
unmap:
	iounmap((void *)vga.vram, (size_t)vga.rows * vga.cols * 2);
free_shown:
	kfree(vga.shown);
	return err;
}
