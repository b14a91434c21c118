/*
 * `poweroff` and `reboot`: leave the machine cleanly, devices shut down
 * first (kernel/acpi/power.c).
 */
#include "kernel/acpi/power.h"
#include "kernel/shell/shell.h"

static int cmd_poweroff(int argc, char **argv)
{
	if (argc > 1)
		return shell_usage_error(argv[0]);
	power_off();
}
SHELL_COMMAND(poweroff, cmd_poweroff, "poweroff", "shut the devices down and switch off (ACPI S5)");

static int cmd_reboot(int argc, char **argv)
{
	if (argc > 1)
		return shell_usage_error(argv[0]);
	power_reboot();
}
SHELL_COMMAND(reboot, cmd_reboot, "reboot", "shut the devices down and reset the machine");
