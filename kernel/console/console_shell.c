/*
 * `consoles`: every console found, in output order, with what it is and
 * whether `console=` enabled it (as Linux's /proc/consoles).
 */
#include "kernel/console/console.h"
#include "kernel/console/screen.h"
#include "kernel/shell/shell.h"
#include "kernel/time/time.h"
#include "lib/json.h"

static int cmd_consoles(int argc, char **argv)
{
	bool json = false, verbose = false;
	const struct shell_flag flags[] = { { "--json", &json }, { "-v", &verbose } };
	int err = shell_flags_take(&argc, argv, flags, ARRAY_SIZE(flags));
	struct screen_stats st;
	bool has_screen = screen_get_stats(&st);

	if (err)
		return err;
	if (argc > 1)
		return shell_usage_error(argv[0]);
	if (json) {
		struct json_writer w;

		shell_json_begin(&w);
		json_array_begin(&w);
		for (unsigned int i = 0; i < console_count(); i++) {
			struct console *con = console_get(i);

			json_object_begin(&w);
			json_field_str(&w, "name", con->name);
			json_field_str(&w, "device", con->desc);
			json_field_bool(&w, "enabled", con->enabled);
			json_field_str(&w, "input", !con->poll ? "none" : con->has_irq ? "irq" : "poll");
			if (con->kind == CONSOLE_SCREEN && has_screen) {
				json_field_u64(&w, "draws", st.draws);
				json_field_u64(&w, "draw_ns", tsc_to_ns(st.cycles));
				json_field_u64(&w, "draw_max_ns", tsc_to_ns(st.max_cycles));
			}
			json_object_end(&w);
		}
		json_array_end(&w);
		return shell_json_end(&w);
	}
	for (unsigned int i = 0; i < console_count(); i++) {
		struct console *con = console_get(i);

		printf("%-6s %-8s %-5s %s\n", con->name, con->enabled ? "enabled" : "off",
		       !con->poll ? "-" : con->has_irq ? "irq" : "poll", con->desc);
	}
	/* what drawing costs: it runs with interrupts off on the writing CPU */
	if (verbose && has_screen)
		printf("tty0 drawing: %llu writes, %llu us in all, mean %llu us, longest %llu us\n",
		       (unsigned long long)st.draws,
		       (unsigned long long)(tsc_to_ns(st.cycles) / 1000),
		       (unsigned long long)(st.draws ? tsc_to_ns(st.cycles) / st.draws / 1000 : 0),
		       (unsigned long long)(tsc_to_ns(st.max_cycles) / 1000));
	return 0;
}
SHELL_COMMAND(consoles, cmd_consoles, "consoles [-v] [--json]",
	      "the consoles: name, enabled by console=, input by irq or poll, device; "
	      "-v: the time spent drawing the screen");
