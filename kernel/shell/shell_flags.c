/*
 * The one way shell commands take flags (kernel/shell/shell.h): "--json",
 * "-v" and the like may stand anywhere after the command name, as with
 * GNU tools, and an unknown "--word" is an error rather than an argument,
 * so a typo ("--jsno") is never taken for a disk name.
 */
#include "kernel/shell/shell.h"
#include "lib/errno.h"
#include "lib/string.h"

static const struct shell_flag *shell_flag_find(const struct shell_flag *flags, size_t nr,
						const char *word)
{
	for (size_t i = 0; i < nr; i++)
		if (!strcmp(flags[i].name, word))
			return &flags[i];
	return NULL;
}

int shell_flags_take(int *argc, char **argv, const struct shell_flag *flags, size_t nr)
{
	int out = 1;

	/* check every word before touching argv or a flag: an error changes nothing */
	for (int i = 1; i < *argc; i++) {
		if (!strncmp(argv[i], "--", 2) && !shell_flag_find(flags, nr, argv[i])) {
			const struct shell_cmd *c = shell_find(argv[0]);

			return shell_error("unknown option '%s' (usage: %s)", argv[i],
					   c ? c->usage : argv[0]);
		}
	}
	for (int i = 1; i < *argc; i++) {
		const struct shell_flag *f = shell_flag_find(flags, nr, argv[i]);

		if (f)
			*f->set = true;
		else
			argv[out++] = argv[i];
	}
	argv[out] = NULL;
	*argc = out;
	return 0;
}

int shell_json_flag(int *argc, char **argv, bool *json)
{
	const struct shell_flag flags[] = { { "--json", json } };

	return shell_flags_take(argc, argv, flags, ARRAY_SIZE(flags));
}
