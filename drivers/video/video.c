/*
 * Choosing tty0's display: a linear framebuffer when the loader gave one
 * (GRUB under UEFI, or under BIOS when the image asks for graphics), else
 * VGA text mode when the machine is in it (BIOS boots, QEMU's -kernel).
 */
#include "drivers/video/video.h"
#include "kernel/console/printk.h"
#include "lib/errno.h"

int video_init(void)
{
	int err = fbcon_init();

	if (err != -ENODEV) {
		if (err)
			pr_warn("fbcon: framebuffer not usable (%d)\n", err);
		return err;
	}
	return vga_text_init();
}
