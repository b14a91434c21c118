/*
 * JSON from shell commands (kernel/shell/shell.h): a lib/json writer whose
 * sink is the console. The writer hands over its buffer in a few large
 * writes, so a document is rarely split by a log line from another CPU.
 */
#include "kernel/shell/shell.h"
#include "kernel/console/console.h"
#include "lib/json.h"

static void shell_json_write(void *arg, const char *s, size_t n)
{
	console_out(s, n);
}

void shell_json_begin(struct json_writer *w)
{
	json_init(w, shell_json_write, NULL);
}

int shell_json_end(struct json_writer *w)
{
	if (json_finish(w))
		return shell_error("the JSON above is malformed (a bug in this command)");
	return 0;
}
