/*
 * The `cpus` command: one line per CPU with its logical number, APIC id,
 * state (online, offline when `cpu N offline` parked it, going-down in
 * between) and the time it spent busy and idle (struct cpu busy_ns/idle_ns,
 * kept by the scheduler at each switch), then the MADT's CPUs that were
 * never started. With --json, one JSON object for host tools.
 */
#include "kernel/console/console.h"
#include "kernel/arch/cpu_hotplug.h"
#include "kernel/arch/percpu.h"
#include "kernel/shell/shell.h"
#include "kernel/arch/smp.h"
#include "kernel/sched/thread.h"
#include "kernel/time/time.h"
#include "kernel/arch/x86.h"
#include "lib/json.h"
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

		if (!c || id >= nr_cpus)
			continue;
		cpu_times_get(c, &t);
		printf("%4u %8u %-8s %10llu %10llu %4u%%\n", id, c->apic_id, cpu_hotplug_state(id),
		       (unsigned long long)t.busy_ms, (unsigned long long)t.idle_ms, t.busy_pct);
	}
	for (unsigned int i = 0; i < n; i++)
		printf("%4s %8u %-8s (%s)\n", "-", off[i].apic_id, "offline", off[i].reason);
}

static int cpus_print_json(void)
{
	const struct smp_offline_cpu *off;
	unsigned int n = smp_offline_cpus(&off);
	struct json_writer w;

	shell_json_begin(&w);
	json_object_begin(&w);
	json_field_u64(&w, "online", cpumask_weight(&cpu_online_mask));
	json_key(&w, "cpus");
	json_array_begin(&w);
	for (unsigned int id = 0; id < MAX_CPUS; id++) {
		struct cpu *c = cpu_get(id);
		struct cpu_times t;

		const char *state = cpu_hotplug_state(id);

		if (!c || id >= nr_cpus)
			continue;
		cpu_times_get(c, &t);
		json_object_begin(&w);
		json_field_u64(&w, "cpu", id);
		json_field_u64(&w, "apic_id", c->apic_id);
		json_field_str(&w, "state", state);
		if (strcmp(state, "offline") == 0)
			json_field_str(&w, "reason", "cpu_down");
		json_field_u64(&w, "busy_ms", t.busy_ms);
		json_field_u64(&w, "idle_ms", t.idle_ms);
		json_field_u64(&w, "busy_pct", t.busy_pct);
		json_object_end(&w);
	}
	for (unsigned int i = 0; i < n; i++) {
		json_object_begin(&w);
		json_key(&w, "cpu");
		json_null(&w);
		json_field_u64(&w, "apic_id", off[i].apic_id);
		json_field_str(&w, "state", "offline");
		json_field_str(&w, "reason", off[i].reason);
		json_object_end(&w);
	}
	json_array_end(&w);
	json_object_end(&w);
	return shell_json_end(&w);
}

static int cmd_cpus(int argc, char **argv)
{
	return shell_show_cmd(argc, argv, cpus_print_text, cpus_print_json);
}
SHELL_COMMAND(cpus, cmd_cpus, "cpus [--json]",
	      "every CPU: number, APIC id, online/offline/going-down, busy and idle time");
