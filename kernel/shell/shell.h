/*
 * The serial shell. Each command is declared in the file that implements it:
 *
 *	static int cmd_uptime(int argc, char **argv) { ... }
 *	SHELL_COMMAND(uptime, cmd_uptime, "uptime", "time since boot");
 *
 * which puts a struct shell_cmd in the .shell_cmds.<name> linker section; the
 * linker script sorts and collects them, so `help` lists them in order and
 * adding a command touches one file. A command returns 0, or a negative errno
 * after printing one "error: ..." line (shell_error() does both).
 */
#ifndef KERNEL_SHELL_SHELL_H
#define KERNEL_SHELL_SHELL_H

#include "lib/types.h"

struct shell_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;	/* "read <dev> <lba> [count]" */
	const char *summary;	/* one line for `help` */
};

#define SHELL_COMMAND(_name, _run, _usage, _summary)				\
	SHELL_COMMAND_NAMED(_name, #_name, _run, _usage, _summary)

/* A command whose name is not a C identifier ("write-zeroes"). */
#define SHELL_COMMAND_NAMED(_id, _name, _run, _usage, _summary)		\
	static const struct shell_cmd __shell_cmd_##_id __used			\
	__section(".shell_cmds." _name) __aligned(8) = {			\
		_name, _run, _usage, _summary					\
	}

#define SHELL_LINE_MAX 1024	/* bytes, with the terminating NUL */
#define SHELL_ARGS_MAX 64

/* Print "error: <message>" and return -EINVAL. */
int shell_error(const char *fmt, ...) __printf(1, 2);
/* Print "error: usage: <usage of argv0>" and return -EINVAL. */
int shell_usage_error(const char *name);

/*
 * A flag a command takes ("--json", "-v"): shell_flags_take() sets *set
 * when the flag is on the line. Every command that has flags declares them
 * this way, so they behave alike everywhere (kernel/shell/shell_flags.c).
 */
struct shell_flag {
	const char *name;
	bool *set;
};

/*
 * Take the flags out of argv wherever they stand after argv[0] (as GNU
 * getopt permutes), leaving the other words in order and argv[argc] NULL;
 * *argc is updated. A word that starts with "--" and is not one of the
 * flags is refused: one error line naming it with the command's usage,
 * and -EINVAL. A word with one dash that is not a flag stays an argument
 * ("-1" may be a number); the command's own argument check sees it.
 */
int shell_flags_take(int *argc, char **argv, const struct shell_flag *flags, size_t nr);
/* The common case: a command whose only flag is --json. */
int shell_json_flag(int *argc, char **argv, bool *json);
/*
 * A command with no arguments but --json: checks them, then runs text()
 * or json(); what json() returns is the command's result.
 */
int shell_show_cmd(int argc, char **argv, void (*text)(void), int (*json)(void));

/*
 * A command's JSON output goes to the console through a lib/json writer:
 * shell_json_begin() sets it up, shell_json_end() finishes the document
 * (one line) and returns 0, or prints an error line and returns -EINVAL if
 * the command built it wrong (kernel/shell/shell_json.c).
 */
struct json_writer;
void shell_json_begin(struct json_writer *w);
int shell_json_end(struct json_writer *w);

/* Look a command up by name; NULL when there is none. */
const struct shell_cmd *shell_find(const char *name);
/* Run one command line as if it were typed; returns the command's result. */
int shell_execute(char *line);
/* Read and run lines forever. */
void __noreturn shell_run(void);

#endif
