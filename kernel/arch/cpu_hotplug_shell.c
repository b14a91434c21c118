/*
 * The `cpu` command, Linux's /sys/devices/system/cpu/cpuN/online on the
 * console: `cpu N offline` parks CPU N, `cpu N online` brings it back
 * (kernel/arch/cpu_hotplug.c). Each prints how long the transition took
 * and its parts, which docs/BENCHMARKS.md quotes.
 *
 * `cpu cycle N|all [times=K] [period_ms=P] [delay_ms=D]` takes each CPU
 * named (every non-boot CPU for all) offline and back K times, one every P
 * ms, after D ms, in a thread of its own, and returns at once: a bench
 * started next runs through the transitions. The thread prints one summary line when done.
 */
#include "kernel/arch/cpu_hotplug.h"
#include "kernel/console/console.h"
#include "kernel/arch/percpu.h"
#include "kernel/shell/shell.h"
#include "kernel/sched/thread.h"
#include "kernel/mm/slab.h"
#include "lib/errno.h"
#include "lib/parse.h"
#include "lib/string.h"

static void cpu_print_ms(const char *what, u64 ns)
{
	printf("%s%llu.%03llu ms", what, (unsigned long long)(ns / 1000000),
	       (unsigned long long)(ns / 1000 % 1000));
}

struct cpu_cycle {
	cpumask_t cpus;
	u32 times, period_ms, delay_ms;
};

static bool cpu_cycle_running;

static int cpu_cycle_main(void *arg)
{
	struct cpu_cycle *cc = arg;
	u64 max_down = 0, max_up = 0, sum_down = 0, sum_up = 0;
	unsigned int downs = 0, ups = 0, errors = 0, id;

	thread_sleep_ns((u64)cc->delay_ms * 1000000);
	for (u32 k = 0; k < cc->times; k++) {
		for_each_cpu_in(id, &cc->cpus) {
			struct cpu_hotplug_times t;

			if (cpu_down(id, &t)) {
				errors++;
				continue;
			}
			downs++;
			sum_down += t.total_ns;
			max_down = max(max_down, t.total_ns);
			thread_sleep_ns((u64)cc->period_ms * 1000000);
			if (cpu_up(id, &t)) {
				errors++;
				continue;
			}
			ups++;
			sum_up += t.total_ns;
			max_up = max(max_up, t.total_ns);
			thread_sleep_ns((u64)cc->period_ms * 1000000);
		}
	}
	printf("cpu cycle: done, %u offline (avg %llu us, max %llu us), %u online (avg %llu us, max %llu us), %u errors\n",
	       downs, (unsigned long long)(downs ? sum_down / downs / 1000 : 0),
	       (unsigned long long)(max_down / 1000), ups,
	       (unsigned long long)(ups ? sum_up / ups / 1000 : 0),
	       (unsigned long long)(max_up / 1000), errors);
	kfree(cc);
	__atomic_store_n(&cpu_cycle_running, false, __ATOMIC_RELEASE);
	return 0;
}

static int cpu_cycle_start(int argc, char **argv)
{
	struct cpu_cycle *cc;
	struct thread *t;
	u32 cpu;

	if (argc < 3)
		return shell_usage_error(argv[0]);
	cc = kzalloc(sizeof(*cc));
	if (!cc)
		return -ENOMEM;
	cc->times = 1;
	cc->period_ms = 100;
	if (strcmp(argv[2], "all") == 0) {
		cpumask_fill_upto(&cc->cpus, nr_cpus);
		cpumask_unset(&cc->cpus, 0);
	} else if (parse_u32(argv[2], &cpu) == 0 && cpu > 0 && cpu < nr_cpus) {
		cpumask_set(&cc->cpus, cpu);
	} else {
		kfree(cc);
		return shell_error("cpu cycle: '%s' is not a non-boot CPU or 'all'", argv[2]);
	}
	for (int i = 3; i < argc; i++) {
		if (strncmp(argv[i], "times=", 6) == 0 && parse_u32(argv[i] + 6, &cc->times) == 0 &&
		    cc->times >= 1 && cc->times <= 10000)
			continue;
		if (strncmp(argv[i], "period_ms=", 10) == 0 &&
		    parse_u32(argv[i] + 10, &cc->period_ms) == 0 && cc->period_ms <= 60000)
			continue;
		if (strncmp(argv[i], "delay_ms=", 9) == 0 &&
		    parse_u32(argv[i] + 9, &cc->delay_ms) == 0 && cc->delay_ms <= 60000)
			continue;
		kfree(cc);
		return shell_error("cpu cycle: bad option '%s' (times=1..10000, period_ms=0..60000, delay_ms=0..60000)",
				   argv[i]);
	}
	if (__atomic_exchange_n(&cpu_cycle_running, true, __ATOMIC_ACQ_REL)) {
		kfree(cc);
		return shell_error("cpu cycle: one is running already");
	}
	t = thread_run("cpu-cycle", cpu_cycle_main, cc);
	if (IS_ERR(t)) {
		kfree(cc);
		__atomic_store_n(&cpu_cycle_running, false, __ATOMIC_RELEASE);
		return (int)PTR_ERR(t);
	}
	thread_detach(t);
	printf("cpu cycle: started\n");
	return 0;
}

static int cmd_cpu(int argc, char **argv)
{
	struct cpu_hotplug_times t;
	bool down;
	u32 cpu;
	int err;

	if (argc >= 2 && strcmp(argv[1], "cycle") == 0)
		return cpu_cycle_start(argc, argv);
	if (argc != 3 || parse_u32(argv[1], &cpu))
		return shell_usage_error(argv[0]);
	if (strcmp(argv[2], "offline") == 0)
		down = true;
	else if (strcmp(argv[2], "online") == 0)
		down = false;
	else
		return shell_usage_error(argv[0]);
	err = down ? cpu_down(cpu, &t) : cpu_up(cpu, &t);
	switch (err) {
	case 0:
		break;
	case -EINVAL:
		return shell_error("cpu %u: no such CPU (see `cpus`)", cpu);
	case -EALREADY:
		return shell_error("cpu %u: already %s", cpu, down ? "offline" : "online");
	case -EBUSY:
		if (cpu == 0)
			return shell_error("cpu 0: the boot CPU cannot go offline (it takes the legacy interrupts and the console)");
		return shell_error("cpu %u: the last active CPU cannot go offline", cpu);
	default:
		return shell_error("cpu %u: %s failed: %s", cpu, argv[2], errno_name(err));
	}
	printf("cpu %u: %s in ", cpu, argv[2]);
	cpu_print_ms("", t.total_ns);
	printf(" (");
	cpu_print_ms("queue remap ", t.callbacks_ns);
	cpu_print_ms(down ? ", park " : ", restart ", t.park_ns);
	printf(")");
	if (t.threads_moved)
		printf(", %u bound thread%s moved", t.threads_moved, t.threads_moved == 1 ? "" : "s");
	printf("\n");
	return 0;
}
SHELL_COMMAND(cpu, cmd_cpu, "cpu <n> offline|online | cpu cycle <n>|all [times=K] [period_ms=P] [delay_ms=D]",
	      "take a CPU offline (threads, timers, queues and interrupts move) or bring it back");
