/*
 * tty0: the screen and the keyboard as one console. A display backend (VGA
 * text mode or the framebuffer console, drivers/video/) draws the text grid
 * kept by kernel/console/vt.c; a keyboard driver (drivers/input/) feeds
 * bytes, with the escape sequences a terminal sends for arrows and the like.
 */
#ifndef KERNEL_CONSOLE_SCREEN_H
#define KERNEL_CONSOLE_SCREEN_H

#include "kernel/console/vt.h"

struct screen_backend {
	/* make the display match vt's grid and cursor; output lock held */
	void (*draw)(struct vt *vt, void *priv);
	void *priv;
};

/*
 * Attach a display of rows x cols cells (once; a second display is
 * refused with -EBUSY): tty0 is registered, and the boot log replayed onto it.
 */
int screen_attach_display(const struct screen_backend *backend, unsigned int rows,
			  unsigned int cols, const char *desc);
/* A keyboard exists (desc says which): tty0 is registered if no display did it. */
void screen_attach_keyboard(const char *desc);
/*
 * Bytes typed on the keyboard (from its interrupt); wakes the shell. The
 * keyboard has no way to hold bytes back, so a full ring drops them.
 */
void screen_input(const char *s, size_t n);
/* What drawing has cost so far: writes drawn, TSC cycles in all, the longest. */
struct screen_stats {
	u64 draws, cycles, max_cycles;
};
/* false when tty0 has no display */
bool screen_get_stats(struct screen_stats *st);

/*
 * A keyboard that delivers only when polled: readers of the console call poll
 * every few milliseconds while they wait (up to four such keyboards).
 */
void screen_keyboard_add_poll(void (*poll)(void));

#endif
