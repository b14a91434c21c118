/*
 * The `cpus` command: one line per CPU with its logical number, APIC id,
 * state and the time it spent busy and idle (struct cpu busy_ns/idle_ns,
 * kept by the scheduler at each switch), then the MADT's CPUs that are not
 * running. With --json, one JSON object for host tools.
 */
#include "kernel/console.h"
#include "kernel/percpu.h"
#include "kernel/shell.h"
#include "kernel/smp.h"
#include "kernel/thread.h"
#include "kernel/time.h"
#include "kernel/x86.h"
#include "lib/string.h"

struct cpu_times {
	u64 busy_ms, idle_ms;
	unsigned int busy_pct;
};

/*
 * The counters of CPU c up to now: the scheduler adds a thread's time at
 * the switch away from it, so add what the running one has had since.
 * Read without a lock from another CPU: a figure may be one switch stale.
 */
static void cpu_times_get(struct cpu *c, struct cpu_times *out)
{
	u64 busy = READ_ONCE(c->busy_ns), idle = READ_ONCE(c->idle_ns);
	u64 last = READ_ONCE(c->last_account_tsc), now = rdtsc();
	struct thread *curr = READ_ONCE(c->current);

	if (curr && now > last) {
		if (curr == READ_ONCE(c->idle))
			idle += tsc_to_ns(now - last);
		else
			busy += tsc_to_ns(now - last);
	}
	out->busy_ms = busy / 1000000;
	out->idle_ms = idle / 1000000;
	out->busy_pct = busy + idle ? (unsigned int)(busy * 100 / (busy + idle)) : 0;
}

static void cpus_print_text(void)
{
	const struct smp_offline_cpu *off;
	unsigned int n = smp_offline_cpus(&off);

	printf("%4s %8s %-8s %10s %10s %5s\n", "CPU", "APIC", "STATE", "BUSY(ms)", "IDLE(ms)",
	       "BUSY%");
	for (unsigned int id = 0; id < MAX_CPUS; id++) {
		struct cpu *c = cpu_get(id);
		struct cpu_times t;

		if (!c || !cpumask_test(&cpu_online_mask, id))
			continue;
		cpu_times_get(c, &t);
		printf("%4u %8u %-8s %10llu %10llu %4u%%\n", id, c->apic_id, "online",
		       (unsigned long long)t.busy_ms, (unsigned long long)t.idle_ms, t.busy_pct);
	}
	for (unsigned int i = 0; i < n; i++)
		printf("%4s %8u %-8s (%s)\n", "-", off[i].apic_id, "offline", off[i].reason);
}

static void cpus_print_json(void)
{
	const struct smp_offline_cpu *off;
	unsigned int n = smp_offline_cpus(&off);
	bool first = true;

	printf("{\"online\":%u,\"cpus\":[", cpumask_weight(&cpu_online_mask));
	for (unsigned int id = 0; id < MAX_CPUS; id++) {
		struct cpu *c = cpu_get(id);
		struct cpu_times t;

		if (!c || !cpumask_test(&cpu_online_mask, id))
			continue;
		cpu_times_get(c, &t);
		printf("%s{\"cpu\":%u,\"apic_id\":%u,\"state\":\"online\",\"busy_ms\":%llu,"
		       "\"idle_ms\":%llu,\"busy_pct\":%u}", first ? "" : ",", id, c->apic_id,
		       (unsigned long long)t.busy_ms, (unsigned long long)t.idle_ms, t.busy_pct);
		first = false;
	}
	for (unsigned int i = 0; i < n; i++) {
		printf("%s{\"cpu\":null,\"apic_id\":%u,\"state\":\"offline\",\"reason\":\"%s\"}",
		       first ? "" : ",", off[i].apic_id, off[i].reason);
		first = false;
	}
	printf("]}\n");
}

static int cmd_cpus(int argc, char **argv)
{
	if (argc > 2 || (argc == 2 && strcmp(argv[1], "--json")))
		return shell_usage_error(argv[0]);
	if (argc == 2)
		cpus_print_json();
	else
		cpus_print_text();
	return 0;
}
SHELL_COMMAND(cpus, cmd_cpus, "cpus [--json]",
	      "every CPU: number, APIC id, online or offline, busy and idle time");
