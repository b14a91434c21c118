/*
 * `irqs [--json]`: interrupt counts per vector and CPU, like Linux's
 * /proc/interrupts, from the counters and handler names of kernel/arch/irq.c.
 * A vector is listed when something handles it or it has fired; a dynamic
 * (MSI/MSI-X) vector once per CPU that allocated it, as the same number is
 * a different device's on each CPU.
 */
#include "kernel/arch/irq.h"
#include "kernel/arch/idt.h"
#include "kernel/arch/percpu.h"
#include "kernel/arch/vectors.h"
#include "kernel/console/console.h"
#include "kernel/shell/shell.h"
#include "lib/json.h"
#include "lib/printf.h"

/*
 * The rows of the table, in vector order: a legacy or system vector is one
 * row (cpu -1) whenever something handles it or it fired; a dynamic
 * vector is one row per CPU that has it allocated (or took strays on it
 * since it was freed), as each CPU's vector v is a different handler, its
 * count in that CPU's column only. counts[] by online CPU.
 */
typedef void (*irqs_row_fn)(unsigned int v, int cpu, const char *name, const u64 *counts,
			    void *arg);

static void irqs_for_each_row(irqs_row_fn fn, void *arg)
{
	u64 counts[MAX_CPUS];
	char name[128];

	for (unsigned int v = VECTOR_LEGACY_BASE; v < IDT_VECTORS; v++) {
		bool dynamic = vector_is_dynamic(v);
		unsigned int row_cpu;

		for_each_online_cpu(row_cpu) {
			int cpu = dynamic ? (int)row_cpu : -1;
			unsigned int c, i = 0;
			u64 count;
			bool shown;

			irq_vector_row(v, cpu, name, sizeof(name), &count);
			shown = name[0];
			for_each_online_cpu(c) {
				counts[i] = !dynamic ? irq_count(c, (u8)v) : c == row_cpu ? count : 0;
				shown = shown || counts[i];
				i++;
			}
			if (shown)
				fn(v, cpu, name, counts, arg);
			if (!dynamic)
				break;
		}
	}
}

static void irqs_row_json(unsigned int v, int cpu, const char *name, const u64 *counts,
			  void *arg)
{
	struct json_writer *w = arg;
	unsigned int c, i = 0;

	json_object_begin(w);
	json_field_u64(w, "vector", v);
	if (cpu >= 0)
		json_field_u64(w, "cpu", (u64)cpu);
	json_field_str(w, "name", name);
	json_key(w, "counts");
	json_array_begin(w);
	for_each_online_cpu(c)
		json_u64(w, counts[i++]);
	json_array_end(w);
	json_object_end(w);
}

static int irqs_print_json(void)
{
	struct json_writer w;
	unsigned int cpu;

	shell_json_begin(&w);
	json_object_begin(&w);
	json_key(&w, "cpus");
	json_array_begin(&w);
	for_each_online_cpu(cpu)
		json_u64(&w, cpu);
	json_array_end(&w);
	json_key(&w, "vectors");
	json_array_begin(&w);
	irqs_for_each_row(irqs_row_json, &w);
	json_array_end(&w);
	json_object_end(&w);
	return shell_json_end(&w);
}

static void irqs_row_text(unsigned int v, int cpu, const char *name, const u64 *counts,
			  void *arg)
{
	unsigned int c, i = 0;
	char where[8];

	if (cpu >= 0)
		snprintf(where, sizeof(where), "%d", cpu);
	else
		snprintf(where, sizeof(where), "all");
	printf("0x%02x    %-4s %-24s", v, where, name[0] ? name : "-");
	for_each_online_cpu(c)
		printf(" %13llu", (unsigned long long)counts[i++]);
	printf("\n");
}

static void irqs_print_text(void)
{
	unsigned int cpu;

	printf("vector  cpu  %-24s", "name");
	for_each_online_cpu(cpu) {
		char head[16];

		snprintf(head, sizeof(head), "CPU%u", cpu);
		printf(" %13s", head);
	}
	printf("\n");
	irqs_for_each_row(irqs_row_text, NULL);
}

static int cmd_irqs(int argc, char **argv)
{
	return shell_show_cmd(argc, argv, irqs_print_text, irqs_print_json);
}
SHELL_COMMAND(irqs, cmd_irqs, "irqs [--json]", "interrupt counts per vector and CPU");
