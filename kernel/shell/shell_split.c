/*
 * The shell's word splitter, apart from the shell so that the host can
 * test and fuzz it (tests/unit/kernel/shell, tests/fuzz): it is the first
 * code every typed byte meets. See shell_split.h for the rules.
 */
#include "kernel/shell/shell_split.h"
#include "lib/errno.h"

int shell_split(char *line, char **argv, int max_args)
{
	int argc = 0;
	char *in = line, *out = line;

	for (;;) {
		char quote = 0;

		while (*in == ' ' || *in == '\t')
			in++;
		if (!*in)
			break;
		if (argc == max_args)
			return -E2BIG;
		argv[argc++] = out;
		while (*in && (quote || (*in != ' ' && *in != '\t'))) {
			if (!quote && (*in == '"' || *in == '\'')) {
				quote = *in++;
			} else if (quote && *in == quote) {
				quote = 0;
				in++;
			} else {
				*out++ = *in++;
			}
		}
		if (quote)
			return -EINVAL;
		if (*in)
			in++;
		*out++ = 0;
	}
	argv[argc] = NULL;
	return argc;
}


static bool shell_split_blank(char c)
{
	return c == ' ' || c == '\t';
}

bool shell_split_background(char *line)
{
	size_t n = 0;

	while (line[n])
		n++;
	while (n && shell_split_blank(line[n - 1]))
		n--;
	if (!n || line[n - 1] != '&' || (n >= 2 && line[n - 2] == '&'))
		return false;
	for (n--; n && shell_split_blank(line[n - 1]); n--)
		;
	line[n] = 0;
	return true;
}
