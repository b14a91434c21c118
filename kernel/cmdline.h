/*
 * Kernel command line options ("console=ttyS0 loglevel=7"), declared next to
 * the code they configure with CMDLINE_OPTION() and collected into a table in
 * the .cmdline_opts section. cmdline_parse() calls each option's handler with
 * its value; unknown options and bad values are reported, not fatal.
 */
#ifndef KERNEL_CMDLINE_H
#define KERNEL_CMDLINE_H

#include "lib/types.h"

struct cmdline_option {
	const char *name;
	int (*set)(const char *value);	/* 0 or a negative errno */
	const char *help;
};

#define CMDLINE_OPTION(_name, _set, _help)					\
	static const struct cmdline_option __cmdline_opt_##_set __used		\
	__section(".cmdline_opts") __aligned(8) = { _name, _set, _help }

void cmdline_parse(const char *cmdline);
/* The command line as the loader gave it ("" when none). */
const char *cmdline_get(void);

/* The options table, collected by the linker from every CMDLINE_OPTION. */
extern const struct cmdline_option __cmdline_opts_start[], __cmdline_opts_end[];
#define for_each_cmdline_option(o) \
	for (const struct cmdline_option *o = __cmdline_opts_start; o < __cmdline_opts_end; o++)

#endif
