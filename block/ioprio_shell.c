/*
 * `ionice`, as util-linux's: show or set the I/O priority of a thread
 * (-t <tid>, stork's threads standing in for processes), or run one shell
 * command under a priority. The priority lives in the thread's
 * io_context (block/blk_ioc.h), so threads the command starts (bench's
 * jobs, a background `&`) inherit it.
 *
 *   ionice                      the shell thread's priority
 *   ionice -t 7                 thread 7's
 *   ionice -c be -n 2 -t 7      set it
 *   ionice -c idle bench ...    run a command under it
 */
#include "block/blk_ioc.h"
#include "block/ioprio.h"
#include "kernel/arch/percpu.h"
#include "kernel/console/console.h"
#include "kernel/sched/thread.h"
#include "kernel/shell/shell.h"
#include "lib/errno.h"
#include "lib/json.h"
#include "lib/parse.h"
#include "lib/printf.h"
#include "lib/string.h"

#define IONICE_LINE_MAX 1024

/* util-linux's names and numbers, and the short rt/be of fio and the issue. */
static int ionice_parse_class(const char *s, unsigned int *cls)
{
	static const struct {
		const char *name;
		unsigned int cls;
	} names[] = {
		{ "none", IOPRIO_CLASS_NONE }, { "realtime", IOPRIO_CLASS_RT },
		{ "rt", IOPRIO_CLASS_RT }, { "best-effort", IOPRIO_CLASS_BE },
		{ "be", IOPRIO_CLASS_BE }, { "idle", IOPRIO_CLASS_IDLE },
	};
	u32 v;

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcasecmp(s, names[i].name)) {
			*cls = names[i].cls;
			return 0;
		}
	if (parse_u32(s, &v) || v >= IOPRIO_NR_CLASSES)
		return shell_error("ionice: bad class '%s' (0-3, none, rt, be, idle)", s);
	*cls = v;
	return 0;
}

static void ionice_print(u8 prio, bool json, int tid)
{
	unsigned int cls = ioprio_class_of(prio), level = ioprio_level_of(prio);

	if (json) {
		struct json_writer w;

		shell_json_begin(&w);
		json_object_begin(&w);
		json_field_s64(&w, "tid", tid);
		json_field_str(&w, "class", ioprio_class_name(cls));
		json_field_u64(&w, "level", level);
		json_object_end(&w);
		shell_json_end(&w);
		return;
	}
	if (cls == IOPRIO_CLASS_IDLE)
		printf("idle\n");
	else
		printf("%s: prio %u\n", ioprio_class_name(cls), level);
}

/* Run argv[0..argc) as one shell line with self's priority set to prio, then restore it. */
static int ionice_run(struct thread *self, u8 prio, int argc, char **argv)
{
	static char line[IONICE_LINE_MAX];
	u8 old = ioc_thread_ioprio(self);
	size_t used = 0;
	int err;

	line[0] = 0;
	for (int i = 0; i < argc; i++) {
		used += (size_t)snprintf(line + used, sizeof(line) - used, "%s%s", i ? " " : "",
					 argv[i]);
		if (used >= sizeof(line))
			return shell_error("ionice: command line too long");
	}
	err = ioc_thread_set_ioprio(self, prio);
	if (err)
		return shell_error("ionice: %s", errno_name(err));
	err = shell_execute(line);
	ioc_thread_set_ioprio(self, old);
	return err;
}

static int cmd_ionice(int argc, char **argv)
{
	bool json = false, set_class = false, set_level = false;
	unsigned int cls = IOPRIO_CLASS_BE, level = IOPRIO_BE_NORM;
	struct thread *t;
	int i, tid = -1, err = 0;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *opt = argv[i];
		u32 v;

		/*
		 * ours only before the command, so not shell_json_flag(), which
		 * would take a --json meant for the command
		 */
		if (!strcmp(opt, "--json")) {
			json = true;
			continue;
		}
		if (i + 1 >= argc)
			return shell_error("ionice: %s needs a value", opt);
		if (!strcmp(opt, "-c")) {
			if (ionice_parse_class(argv[++i], &cls))
				return -EINVAL;
			set_class = true;
		} else if (!strcmp(opt, "-n")) {
			if (parse_u32(argv[++i], &v) || v >= IOPRIO_NR_LEVELS)
				return shell_error("ionice: bad level '%s' (0-7)", argv[i]);
			level = v;
			set_level = true;
		} else if (!strcmp(opt, "-t")) {
			if (parse_u32(argv[++i], &v) || v > 0x7fffffff)
				return shell_error("ionice: bad thread id '%s'", argv[i]);
			tid = (int)v;
		} else {
			return shell_error("ionice: unknown option '%s'", opt);
		}
	}
	if (tid >= 0 && i < argc)
		return shell_error("ionice: -t and a command exclude each other");
	if (cls == IOPRIO_CLASS_IDLE && set_level) {
		/* util-linux's behaviour: the idle class has no levels */
		printf("ionice: ignoring given class data for idle class\n");
		level = 0;
	}
	if (cls == IOPRIO_CLASS_IDLE || cls == IOPRIO_CLASS_NONE)
		level = 0;
	if (tid >= 0) {
		t = thread_get_by_tid((unsigned int)tid);
		if (!t)
			return shell_error("ionice: no thread %d (see threads)", tid);
	} else {
		t = current_thread();
	}
	if (i < argc) {
		if (!set_class && !set_level)
			return shell_error("ionice: a command needs -c or -n");
		return ionice_run(t, ioprio_value(cls, level), argc - i, argv + i);
	}
	if (set_class || set_level)
		err = ioc_thread_set_ioprio(t, ioprio_value(cls, level));
	if (err)
		shell_error("ionice: %s", errno_name(err));
	else if (!set_class && !set_level)
		ionice_print(ioc_thread_ioprio(t), json, tid >= 0 ? tid : (int)t->tid);
	if (tid >= 0)
		thread_put_ref(t);
	return err;
}
SHELL_COMMAND(ionice, cmd_ionice,
	      "ionice [-c none|rt|be|idle|0-3] [-n 0-7] [-t <thread> | <command...>] [--json]",
	      "show or set a thread's I/O priority, or run a command under one");
