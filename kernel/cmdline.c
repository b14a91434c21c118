/*
 * Parse the kernel command line into the options table. Words are separated by
 * spaces; each is "name=value" or a bare "name" (value ""). A first word that
 * is neither is the kernel's own path (QEMU and GRUB pass it) and is skipped.
 */
#include "kernel/cmdline.h"
#include "kernel/console/printk.h"
#include "kernel/console/console.h"
#include "lib/string.h"
#include "lib/errno.h"

#define CMDLINE_MAX 1024

static char cmdline[CMDLINE_MAX];

static const struct cmdline_option *cmdline_find(const char *name)
{
	for (const struct cmdline_option *o = __cmdline_opts_start; o < __cmdline_opts_end; o++)
		if (!strcmp(o->name, name))
			return o;
	return NULL;
}

void cmdline_parse(const char *line)
{
	char copy[CMDLINE_MAX];
	char *p = copy;

	strlcpy(cmdline, line ? line : "", sizeof(cmdline));
	strlcpy(copy, cmdline, sizeof(copy));
	while (*p) {
		const struct cmdline_option *o;
		char *word, *value;
		int err;

		while (*p == ' ')
			p++;
		if (!*p)
			break;
		word = p;
		while (*p && *p != ' ')
			p++;
		if (*p)
			*p++ = 0;
		value = strchr(word, '=');
		if (word == copy && !value && !cmdline_find(word))
			continue;	/* the kernel's own path, as loaders pass it first */
		if (value)
			*value++ = 0;
		else
			value = "";
		o = cmdline_find(word);
		if (!o) {
			pr_warn("cmdline: unknown option '%s' ignored\n", word);
			continue;
		}
		err = o->set(value);
		if (err)
			pr_warn("cmdline: bad value '%s' for %s (%s) ignored\n", value, word,
				errno_name(err));
	}
}

const char *cmdline_get(void)
{
	return cmdline;
}
