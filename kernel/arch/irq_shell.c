/*
 * `irqs [--json]`: interrupt counts per vector and CPU, like Linux's
 * /proc/interrupts, from the counters and handler names of kernel/arch/irq.c.
 * A vector is listed when something handles it or it has fired.
 */
#include "kernel/arch/irq.h"
#include "kernel/arch/idt.h"
#include "kernel/arch/percpu.h"
#include "kernel/arch/vectors.h"
#include "kernel/console/console.h"
#include "kernel/shell/shell.h"
#include "lib/json.h"
#include "lib/printf.h"

static bool irqs_shown(unsigned int v, const char *name)
{
	unsigned int cpu;

	if (name[0])
		return true;
	for_each_online_cpu(cpu)
		if (irq_count(cpu, v))
			return true;
	return false;
}

static int irqs_print_json(void)
{
	struct json_writer w;
	char name[128];
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
	for (unsigned int v = VECTOR_LEGACY_BASE; v < IDT_VECTORS; v++) {
		irq_vector_name(v, name, sizeof(name));
		if (!irqs_shown(v, name))
			continue;
		json_object_begin(&w);
		json_field_u64(&w, "vector", v);
		json_field_str(&w, "name", name);
		json_key(&w, "counts");
		json_array_begin(&w);
		for_each_online_cpu(cpu)
			json_u64(&w, irq_count(cpu, v));
		json_array_end(&w);
		json_object_end(&w);
	}
	json_array_end(&w);
	json_object_end(&w);
	return shell_json_end(&w);
}

static void irqs_print_text(void)
{
	char name[128];
	unsigned int cpu;

	printf("vector  %-24s", "name");
	for_each_online_cpu(cpu) {
		char head[16];

		snprintf(head, sizeof(head), "CPU%u", cpu);
		printf(" %13s", head);
	}
	printf("\n");
	for (unsigned int v = VECTOR_LEGACY_BASE; v < IDT_VECTORS; v++) {
		irq_vector_name(v, name, sizeof(name));
		if (!irqs_shown(v, name))
			continue;
		printf("0x%02x    %-24s", v, name[0] ? name : "-");
		for_each_online_cpu(cpu)
			printf(" %13llu", (unsigned long long)irq_count(cpu, v));
		printf("\n");
	}
}

static int cmd_irqs(int argc, char **argv)
{
	return shell_show_cmd(argc, argv, irqs_print_text, irqs_print_json);
}
SHELL_COMMAND(irqs, cmd_irqs, "irqs [--json]", "interrupt counts per vector and CPU");
