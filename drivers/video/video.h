/*
 * Screen backends for tty0 (kernel/console/screen.h): the framebuffer the
 * boot loader set up, or VGA text mode. kmain calls video_init() once memory
 * can be mapped; the first that works becomes tty0's display.
 */
#ifndef DRIVERS_VIDEO_VIDEO_H
#define DRIVERS_VIDEO_VIDEO_H

/* 0 when a display was attached, -ENODEV when there is none. */
int video_init(void);
/* The framebuffer the loader described (linear RGB): 0 or a negative errno. */
int fbcon_init(void);
/* VGA text mode, as the loader described or the BIOS left it. */
int vga_text_init(void);

#endif
