/*
 * `uptime`: time since the kernel was entered, from the monotonic clock
 * (kernel/time/time.c).
 */
#include "kernel/time/time.h"
#include "kernel/console/console.h"
#include "kernel/shell/shell.h"

static int cmd_uptime(int argc, char **argv)
{
	u64 ns = time_ns();
	u64 s = ns / NSEC_PER_SEC;

	if (argc > 1)
		return shell_usage_error(argv[0]);
	printf("up %llu:%02llu:%02llu.%03llu (%llu.%09llu s)\n", (unsigned long long)(s / 3600),
	       (unsigned long long)(s / 60 % 60), (unsigned long long)(s % 60),
	       (unsigned long long)(ns / NSEC_PER_MSEC % 1000), (unsigned long long)s,
	       (unsigned long long)(ns % NSEC_PER_SEC));
	return 0;
}
SHELL_COMMAND(uptime, cmd_uptime, "uptime", "time since the kernel was entered");
