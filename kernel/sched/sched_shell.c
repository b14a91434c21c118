/*
 * Shell commands that exercise the scheduler from the console:
 *
 *	hog <seconds> [cpus=<list>]	a CPU-bound thread on each CPU, for testing
 *	hog stop			that the shell stays responsive under load
 *	sleep <seconds>			sleep, stoppable with Ctrl-C
 *	threads				the kernel threads (kernel/sched/thread.c)
 *	idle [poll_ns=N|clear] [--json]	idle polling per CPU (kernel/sched/idle_poll.c)
 */
#include "kernel/console/console.h"
#include "kernel/arch/percpu.h"
#include "kernel/shell/shell.h"
#include "kernel/mm/slab.h"
#include "kernel/sched/thread.h"
#include "kernel/sched/idle_poll.h"
#include "lib/json.h"
#include "kernel/time/time.h"
#include "lib/cpulist.h"
#include "lib/errno.h"
#include "lib/parse.h"
#include "lib/string.h"

#define HOG_MAX_SECONDS 3600
#define SLEEP_STEP_NS (10 * NSEC_PER_MSEC)

/* Bumped by `hog stop`: every hog of an older generation ends. */
static unsigned int hog_generation;
static unsigned int hogs_running;

struct hog {
	u64 end_ns;
	unsigned int generation;
};

static int hog_spin(void *arg)
{
	struct hog *h = arg;

	while (time_ns() < h->end_ns &&
	       __atomic_load_n(&hog_generation, __ATOMIC_RELAXED) == h->generation)
		cpu_relax();
	kfree(h);
	__atomic_sub_fetch(&hogs_running, 1, __ATOMIC_RELAXED);
	return 0;
}

static int hog_start(unsigned int cpu, u64 end_ns)
{
	struct hog *h = kmalloc(sizeof(*h));
	struct thread *t;

	if (!h)
		return -ENOMEM;
	h->end_ns = end_ns;
	h->generation = __atomic_load_n(&hog_generation, __ATOMIC_RELAXED);
	t = thread_create("hog", hog_spin, h);
	if (IS_ERR(t)) {
		kfree(h);
		return (int)PTR_ERR(t);
	}
	thread_bind(t, cpu);
	__atomic_add_fetch(&hogs_running, 1, __ATOMIC_RELAXED);
	thread_start(t);
	thread_detach(t);
	return 0;
}

static int cmd_hog(int argc, char **argv)
{
	cpumask_t cpus = cpu_online_mask;
	unsigned int cpu, started = 0;
	u64 seconds;
	int err;

	if (argc == 2 && !strcmp(argv[1], "stop")) {
		__atomic_add_fetch(&hog_generation, 1, __ATOMIC_RELAXED);
		printf("stopping %u hog threads\n", __atomic_load_n(&hogs_running, __ATOMIC_RELAXED));
		return 0;
	}
	if (argc < 2 || argc > 3)
		return shell_usage_error(argv[0]);
	if (parse_u64(argv[1], &seconds) || seconds == 0 || seconds > HOG_MAX_SECONDS)
		return shell_error("seconds must be 1 .. %d, not '%s'", HOG_MAX_SECONDS, argv[1]);
	if (argc == 3) {
		if (strncmp(argv[2], "cpus=", 5))
			return shell_usage_error(argv[0]);
		err = cpulist_parse(argv[2] + 5, cpus.bits, MAX_CPUS);
		if (err)
			return shell_error("bad CPU list '%s'", argv[2] + 5);
	}
	for_each_cpu_in(cpu, &cpus) {
		if (!cpumask_test(&cpu_online_mask, cpu))
			return shell_error("CPU %u is not online", cpu);
	}
	for_each_cpu_in(cpu, &cpus) {
		err = hog_start(cpu, time_ns() + seconds * NSEC_PER_SEC);
		if (err)
			return shell_error("cannot start a hog on CPU %u (%s)", cpu, errno_name(err));
		started++;
	}
	printf("%u hog threads for %llu s (stop them with 'hog stop')\n", started,
	       (unsigned long long)seconds);
	return 0;
}
SHELL_COMMAND(hog, cmd_hog, "hog <seconds> [cpus=<list>] | hog stop",
	      "spin a thread on each CPU (or those listed), to load the machine");

static int cmd_sleep(int argc, char **argv)
{
	u64 seconds, end, now;

	if (argc != 2)
		return shell_usage_error(argv[0]);
	if (parse_u64(argv[1], &seconds) || seconds > HOG_MAX_SECONDS)
		return shell_error("seconds must be 0 .. %d, not '%s'", HOG_MAX_SECONDS, argv[1]);
	end = time_ns() + seconds * NSEC_PER_SEC;
	/* in small steps, so that Ctrl-C ends it at once */
	while ((now = time_ns()) < end) {
		if (console_interrupted())
			return -EINTR;
		thread_sleep_ns(min(SLEEP_STEP_NS, end - now));
	}
	return 0;
}
SHELL_COMMAND(sleep, cmd_sleep, "sleep <seconds>", "sleep; Ctrl-C ends it");

/* Threads are copied out under the thread list's lock and printed without it. */
static int cmd_threads(int argc, char **argv)
{
	struct thread_info *list;
	unsigned int max, n;

	if (argc > 1)
		return shell_usage_error(argv[0]);
	max = thread_count() + 16;	/* room for threads born while we allocate */
	list = kmalloc(max * sizeof(*list));
	if (!list) {
		printf("error: threads: out of memory\n");
		return -ENOMEM;
	}
	n = thread_snapshot(list, max);
	printf("%5s %-20s %-8s %4s %4s %-10s %10s\n", "TID", "NAME", "STATE", "CPU", "PRIO",
	       "CPUS", "TIME(ms)");
	for (unsigned int i = 0; i < n; i++) {
		const struct thread_info *t = &list[i];
		char cpus[32];

		if (cpumask_weight(&t->allowed) == MAX_CPUS)
			strlcpy(cpus, "all", sizeof(cpus));
		else
			cpulist_format(cpus, sizeof(cpus), t->allowed.bits, MAX_CPUS);
		printf("%5u %-20s %-8s %4u %4d %-10s %10llu\n", t->tid, t->name, t->state, t->cpu,
		       t->prio, cpus, (unsigned long long)(t->run_ns / 1000000));
	}
	kfree(list);
	return 0;
}
SHELL_COMMAND(threads, cmd_threads, "threads", "list the kernel threads");

/*
 * `idle`: each CPU's idle-polling window now, and what its idle stretches
 * after an I/O wait did (a poll caught the work, a poll ran out and it
 * halted, it halted at once) since boot or `idle clear`, the time spent
 * polling, and the mean period from one I/O wait to the next after each
 * way (the shorter one is the way the CPU goes). `idle poll_ns=N` sets the
 * windows' ceiling (0: no polling).
 */
static void idle_print_text(void)
{
	printf("idle polling: a CPU waiting for I/O polls up to %u ns before it halts%s\n",
	       idle_poll_max(), idle_poll_max() ? "" : " (off: it halts at once)");
	printf("%4s %10s %10s %10s %10s %11s %15s %15s\n", "CPU", "WINDOW(ns)", "CAUGHT",
	       "TIMED-OUT", "HALTS", "POLLED(ms)", "PERIOD-POLL(ns)", "PERIOD-HALT(ns)");
	for (unsigned int id = 0; id < nr_cpus; id++) {
		struct cpu *c = cpu_get(id);

		if (!c)
			continue;
		printf("%4u %10u %10llu %10llu %10llu %11llu %15u %15u\n", id,
		       READ_ONCE(c->idle_poll.window_ns),
		       (unsigned long long)READ_ONCE(c->idle_poll.caught),
		       (unsigned long long)READ_ONCE(c->idle_poll.timed_out),
		       (unsigned long long)READ_ONCE(c->idle_poll.halts),
		       (unsigned long long)(READ_ONCE(c->idle_poll.polled_ns) / 1000000),
		       READ_ONCE(c->idle_poll.ewma_poll_ns), READ_ONCE(c->idle_poll.ewma_halt_ns));
	}
}

static int idle_print_json(void)
{
	struct json_writer w;

	shell_json_begin(&w);
	json_object_begin(&w);
	json_field_u64(&w, "poll_ns", idle_poll_max());
	json_key(&w, "cpus");
	json_array_begin(&w);
	for (unsigned int id = 0; id < nr_cpus; id++) {
		struct cpu *c = cpu_get(id);

		if (!c)
			continue;
		json_object_begin(&w);
		json_field_u64(&w, "cpu", id);
		json_field_u64(&w, "window_ns", READ_ONCE(c->idle_poll.window_ns));
		json_field_u64(&w, "caught", READ_ONCE(c->idle_poll.caught));
		json_field_u64(&w, "timed_out", READ_ONCE(c->idle_poll.timed_out));
		json_field_u64(&w, "halts", READ_ONCE(c->idle_poll.halts));
		json_field_u64(&w, "polled_ns", READ_ONCE(c->idle_poll.polled_ns));
		json_field_u64(&w, "period_poll_ns", READ_ONCE(c->idle_poll.ewma_poll_ns));
		json_field_u64(&w, "period_halt_ns", READ_ONCE(c->idle_poll.ewma_halt_ns));
		json_object_end(&w);
	}
	json_array_end(&w);
	json_object_end(&w);
	return shell_json_end(&w);
}

static int cmd_idle(int argc, char **argv)
{
	u64 ns;

	if (argc == 2 && !strcmp(argv[1], "clear")) {
		idle_poll_clear();
		return 0;
	}
	if (argc == 2 && !strncmp(argv[1], "poll_ns=", 8)) {
		if (parse_u64(argv[1] + 8, &ns) || idle_poll_set_max(ns))
			return shell_error("poll_ns must be 0 .. %u (ns), not '%s'",
					   IDLE_POLL_MAX_NS_LIMIT, argv[1] + 8);
		printf("idle polling: up to %llu ns%s\n", (unsigned long long)ns,
		       ns ? "" : " (off)");
		return 0;
	}
	return shell_show_cmd(argc, argv, idle_print_text, idle_print_json);
}
SHELL_COMMAND(idle, cmd_idle, "idle [poll_ns=N | clear] [--json]",
	      "idle polling per CPU: window, polls that caught the wake-up or ran out, halts");
