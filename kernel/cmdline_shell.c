/*
 * `cmdline`: the kernel command line as the boot loader passed it, and the
 * options the kernel takes (kernel/cmdline.c, declared with CMDLINE_OPTION).
 */
#include "kernel/cmdline.h"
#include "kernel/console/console.h"
#include "kernel/shell/shell.h"

static int cmd_cmdline(int argc, char **argv)
{
	if (argc > 1)
		return shell_usage_error(argv[0]);
	printf("%s\n", cmdline_get());
	for_each_cmdline_option(o)
		printf("  %-12s %s\n", o->name, o->help);
	return 0;
}
SHELL_COMMAND(cmdline, cmd_cmdline, "cmdline", "the kernel command line and the options it takes");
