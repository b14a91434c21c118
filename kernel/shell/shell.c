/*
 * The shell: a line editor on the serial console and the command dispatcher.
 *
 * The editor understands printable ASCII, Backspace/DEL, Ctrl-A/E (home, end),
 * Ctrl-U (kill line), Ctrl-C (abandon the line), Ctrl-L (redraw), the arrow
 * keys (left/right move, up/down walk the history), Home/End/Delete escape
 * sequences, and Enter (CR, LF or CRLF). Every other byte - other control
 * characters, unknown escape sequences, bytes above 0x7e - is dropped. A line
 * longer than SHELL_LINE_MAX - 1 is refused as a whole when Enter comes, so a
 * flood of input never runs a truncated command.
 */
#include "kernel/shell/shell.h"
#include "kernel/shell/shell_jobs.h"
#include "kernel/shell/shell_split.h"
#include "kernel/arch/percpu.h"
#include "kernel/sched/thread.h"
#include "kernel/console/console.h"
#include "kernel/console/printk.h"
#include "lib/ctype.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

#define HISTORY_SIZE 32
#define PROMPT "stork> "

extern const struct shell_cmd __shell_cmds_start[], __shell_cmds_end[];

struct line_editor {
	char buf[SHELL_LINE_MAX];
	size_t len;		/* bytes in buf */
	size_t cursor;		/* insertion point, 0..len */
	bool overflow;		/* more than SHELL_LINE_MAX - 1 bytes were typed */
	char history[HISTORY_SIZE][SHELL_LINE_MAX];
	unsigned int history_count;	/* lines ever added */
	unsigned int history_pos;	/* while browsing: index into the lines ever added */
};

static struct line_editor ed;

int shell_error(const char *fmt, ...)
{
	va_list ap;

	puts("error: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	puts("\n");
	return -EINVAL;
}

const struct shell_cmd *shell_find(const char *name)
{
	for (const struct shell_cmd *c = __shell_cmds_start; c < __shell_cmds_end; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

int shell_usage_error(const char *name)
{
	const struct shell_cmd *c = shell_find(name);

	return shell_error("usage: %s", c ? c->usage : name);
}

int shell_show_cmd(int argc, char **argv, void (*text)(void), int (*json)(void))
{
	bool want_json = false;
	int err = shell_json_flag(&argc, argv, &want_json);

	if (err)
		return err;
	if (argc != 1)
		return shell_usage_error(argv[0]);
	if (want_json)
		return json();
	text();
	return 0;
}

int shell_execute(char *line)
{
	char *argv[SHELL_ARGS_MAX + 1];
	const struct shell_cmd *c;
	int argc, err;

	if (shell_split_background(line))
		return shell_job_start(line);
	argc = shell_split(line, argv, SHELL_ARGS_MAX);
	if (argc == -E2BIG)
		return shell_error("too many words (at most %d)", SHELL_ARGS_MAX);
	if (argc < 0)
		return shell_error("unterminated quote");
	if (argc == 0)
		return 0;
	c = shell_find(argv[0]);
	if (!c)
		return shell_error("unknown command '%s' (try 'help')", argv[0]);
	/* no clearing first: a Ctrl-C already typed after this line stops it */
	err = c->run(argc, argv);
	if (!current_thread()->console_redirect && console_interrupted()) {
		console_discard_through_interrupt();
		puts("^C\n");
	}
	return err;
}

static int cmd_help(int argc, char **argv)
{
	const struct shell_cmd *c;

	if (argc > 2)
		return shell_usage_error(argv[0]);
	if (argc == 2) {
		c = shell_find(argv[1]);
		if (!c)
			return shell_error("unknown command '%s'", argv[1]);
		printf("usage: %s\n  %s\n", c->usage, c->summary);
		return 0;
	}
	for (c = __shell_cmds_start; c < __shell_cmds_end; c++)
		printf("  %-10s %s\n", c->name, c->summary);
	return 0;
}
SHELL_COMMAND(help, cmd_help, "help [command]", "list the commands, or show how to use one");

static int cmd_echo(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		printf("%s%s", argv[i], i + 1 < argc ? " " : "");
	puts("\n");
	return 0;
}
SHELL_COMMAND(echo, cmd_echo, "echo [word ...]", "print the words");

static int cmd_version(int argc, char **argv)
{
	if (argc > 1)
		return shell_usage_error(argv[0]);
	printf("stork %s (built with gcc %s)\n", STORK_VERSION, __VERSION__);
	return 0;
}
SHELL_COMMAND(version, cmd_version, "version", "the kernel's version");

/* --- the line editor ---------------------------------------------------- */

/* Redraw from the cursor to the end of the line, then put the cursor back. */
static void editor_redraw_tail(size_t erase)
{
	console_write(ed.buf + ed.cursor, ed.len - ed.cursor);
	for (size_t i = 0; i < erase; i++)
		puts(" ");
	for (size_t i = ed.cursor; i < ed.len + erase; i++)
		puts("\b");
}

static void editor_set_line(const char *s)
{
	size_t old = ed.len;

	while (ed.cursor > 0) {
		puts("\b");
		ed.cursor--;
	}
	ed.len = min(strlen(s), sizeof(ed.buf) - 1);
	memcpy(ed.buf, s, ed.len);
	console_write(ed.buf, ed.len);
	for (size_t i = ed.len; i < old; i++)	/* blank what the old line left */
		puts(" ");
	for (size_t i = ed.len; i < old; i++)
		puts("\b");
	ed.cursor = ed.len;
}

static void editor_insert(char c)
{
	if (ed.len >= sizeof(ed.buf) - 1) {
		ed.overflow = true;
		return;
	}
	memmove(ed.buf + ed.cursor + 1, ed.buf + ed.cursor, ed.len - ed.cursor);
	ed.buf[ed.cursor] = c;
	ed.len++;
	console_write(&c, 1);
	ed.cursor++;
	if (ed.cursor < ed.len)
		editor_redraw_tail(0);
}

static void editor_delete_at_cursor(void)
{
	if (ed.cursor == ed.len)
		return;
	memmove(ed.buf + ed.cursor, ed.buf + ed.cursor + 1, ed.len - ed.cursor - 1);
	ed.len--;
	editor_redraw_tail(1);
}

static void editor_backspace(void)
{
	if (ed.cursor == 0)
		return;
	ed.cursor--;
	puts("\b");
	editor_delete_at_cursor();
}

static void editor_move(int delta)
{
	if (delta < 0 && ed.cursor > 0) {
		ed.cursor--;
		puts("\b");
	} else if (delta > 0 && ed.cursor < ed.len) {
		console_write(ed.buf + ed.cursor, 1);
		ed.cursor++;
	}
}

static void editor_history_walk(int delta)
{
	unsigned int oldest = ed.history_count > HISTORY_SIZE ? ed.history_count - HISTORY_SIZE : 0;
	unsigned int pos = ed.history_pos;

	if (delta < 0 && pos > oldest)
		pos--;
	else if (delta > 0 && pos < ed.history_count)
		pos++;
	else
		return;
	ed.history_pos = pos;
	editor_set_line(pos == ed.history_count ? "" : ed.history[pos % HISTORY_SIZE]);
}

static void editor_history_add(const char *line)
{
	const char *last = ed.history[(ed.history_count - 1) % HISTORY_SIZE];

	if (!line[0] || (ed.history_count && !strcmp(last, line)))
		return;
	strlcpy(ed.history[ed.history_count % HISTORY_SIZE], line, SHELL_LINE_MAX);
	ed.history_count++;
}

static void editor_reset(void)
{
	ed.len = 0;
	ed.cursor = 0;
	ed.overflow = false;
	ed.history_pos = ed.history_count;
}

/*
 * An escape sequence: ESC [ <params> <final> or ESC O <final>. Read it whole
 * so that its bytes never land in the line, then act on the ones we know.
 */
static void editor_escape(void)
{
	char params[8];
	size_t n = 0;
	int c = console_getc();

	if (c != '[' && c != 'O')
		return;
	for (;;) {
		c = console_getc();
		if (c >= 0x40 && c <= 0x7e)
			break;		/* the final byte */
		if (c < 0x20 || c > 0x3f)
			return;		/* not a sequence after all */
		if (n < sizeof(params) - 1)
			params[n++] = (char)c;
	}
	params[n] = 0;
	switch (c) {
	case 'A': editor_history_walk(-1); break;
	case 'B': editor_history_walk(1); break;
	case 'C': editor_move(1); break;
	case 'D': editor_move(-1); break;
	case 'H': while (ed.cursor) editor_move(-1); break;
	case 'F': while (ed.cursor < ed.len) editor_move(1); break;
	case '~':
		if (!strcmp(params, "3"))
			editor_delete_at_cursor();
		else if (!strcmp(params, "1") || !strcmp(params, "7"))
			while (ed.cursor) editor_move(-1);
		else if (!strcmp(params, "4") || !strcmp(params, "8"))
			while (ed.cursor < ed.len) editor_move(1);
		break;
	}
}

/*
 * The editor waits for a key at its prompt. editor_lock (interrupts off:
 * the hook may run in an interrupt) protects it and makes a redraw and the
 * handling of a key exclusive: the shell clears it under the lock before it
 * touches the line, so a redraw either ends first or does nothing.
 */
static spinlock_t editor_lock = SPINLOCK_INIT;
static bool editor_waiting;

/*
 * printk's hook: a kernel message printed while the editor waits for a key
 * (a probe that ended in the background) left the cursor on a fresh line
 * under the prompt: draw the prompt and what was typed again there, as
 * Ctrl-L does, so that the screen ends in a prompt. A key handled at the
 * same moment can only make the drawing untidy; Ctrl-L redraws.
 */
static void editor_redraw_after_message(void)
{
	unsigned long flags = spin_lock_irqsave(&editor_lock);

	if (editor_waiting) {
		puts(PROMPT);
		console_write(ed.buf, ed.len);
		for (size_t i = ed.cursor; i < ed.len; i++)
			puts("\b");
	}
	spin_unlock_irqrestore(&editor_lock, flags);
}

/* Read one line; returns false when it was abandoned (Ctrl-C) or refused. */
static bool editor_read_line(void)
{
	static bool last_was_cr;

	editor_reset();
	for (;;) {
		unsigned long flags;
		int c;

		WRITE_ONCE(editor_waiting, true);
		c = console_getc();
		flags = spin_lock_irqsave(&editor_lock);
		editor_waiting = false;
		spin_unlock_irqrestore(&editor_lock, flags);
		if (c == '\n' && last_was_cr) {	/* the LF of a CRLF */
			last_was_cr = false;
			continue;
		}
		last_was_cr = c == '\r';
		switch (c) {
		case '\r':
		case '\n':
			puts("\n");
			if (ed.overflow) {
				shell_error("line too long (at most %d characters)", SHELL_LINE_MAX - 1);
				return false;
			}
			ed.buf[ed.len] = 0;
			return true;
		case CTRL('C'):
			puts("^C\n");
			return false;
		case CTRL('U'):
			while (ed.cursor)
				editor_backspace();
			while (ed.len)
				editor_delete_at_cursor();
			ed.overflow = false;
			break;
		case CTRL('A'):
			while (ed.cursor)
				editor_move(-1);
			break;
		case CTRL('E'):
			while (ed.cursor < ed.len)
				editor_move(1);
			break;
		case CTRL('L'):
			puts("\n" PROMPT);
			console_write(ed.buf, ed.len);
			for (size_t i = ed.cursor; i < ed.len; i++)
				puts("\b");
			break;
		case '\b':
		case 0x7f:
			editor_backspace();
			break;
		case 0x1b:
			editor_escape();
			break;
		default:
			if (c >= 0x20 && c <= 0x7e)
				editor_insert((char)c);
			break;
		}
	}
}

void shell_run(void)
{
	printk_set_after_hook(editor_redraw_after_message);
	for (;;) {
		u64 dropped = console_take_dropped();

		if (dropped)
			printf("note: %llu typed bytes dropped while a command ran with the input buffer full\n",
			       (unsigned long long)dropped);
		shell_jobs_notify();
		puts(PROMPT);
		if (!editor_read_line())
			continue;
		editor_history_add(ed.buf);
		shell_execute(ed.buf);
	}
}
