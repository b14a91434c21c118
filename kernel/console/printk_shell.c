/*
 * `dmesg`: the kernel log ring (kernel/console/printk.c), printed to the
 * console.
 */
#include "kernel/console/printk.h"
#include "kernel/console/console.h"
#include "kernel/shell/shell.h"

static int cmd_dmesg(int argc, char **argv)
{
	if (argc > 1)
		return shell_usage_error(argv[0]);
	printk_dump(console_out);
	return 0;
}
SHELL_COMMAND(dmesg, cmd_dmesg, "dmesg", "print the kernel log");
