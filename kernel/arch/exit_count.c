/*
 * Exit counters (exit_count.h): the per-CPU table and its readers.
 */
#include "kernel/arch/exit_count.h"
#include "lib/string.h"

struct exit_counts exit_counts_cpu[MAX_CPUS];

static const char *const exit_kind_names[EXIT_KINDS] = {
	[EXIT_DOORBELL] = "doorbell",
	[EXIT_IRQ] = "irq",
	[EXIT_EOI] = "eoi",
	[EXIT_MMIO_READ] = "mmio_read",
};

void exit_counts_read(struct exit_counts *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned int cpu = 0; cpu < MAX_CPUS; cpu++)
		for (unsigned int k = 0; k < EXIT_KINDS; k++)
			out->n[k] += READ_ONCE(exit_counts_cpu[cpu].n[k]);
}

const char *exit_kind_name(enum exit_kind kind)
{
	return kind < EXIT_KINDS ? exit_kind_names[kind] : "?";
}
