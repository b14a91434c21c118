/*
 * `console=` values, as Linux spells them: "tty0" (the screen and keyboard;
 * tty1..tty63 name the same screen here) and "ttyS<n>[,<baud>[<parity>[<bits>]]]"
 * ("ttyS1,115200n8"). Pure parsing, tested on the host.
 */
#ifndef KERNEL_CONSOLE_CONSOLE_OPT_H
#define KERNEL_CONSOLE_CONSOLE_OPT_H

#include "lib/types.h"

enum console_kind {
	CONSOLE_SCREEN,		/* tty0 */
	CONSOLE_SERIAL,		/* ttyS<n> */
};

struct console_opt {
	enum console_kind kind;
	unsigned int index;	/* n of ttyS<n>; 0 for the screen */
	u32 baud;		/* 0: keep the default (115200) */
	char parity;		/* 'n', 'o' or 'e' */
	u8 bits;		/* 5-8 */
};

/* 0, or -EINVAL for anything else (including a baud 115200 is no multiple of). */
int console_opt_parse(const char *value, struct console_opt *opt);
/* The Linux name of what opt selects ("tty0", "ttyS1") into buf. */
void console_opt_name(const struct console_opt *opt, char *buf, size_t len);

#endif
