/*
 * Exits: the guest operations a hypervisor must trap, counted per CPU
 * (doorbell writes, interrupts taken, EOIs, MMIO/port reads on the I/O
 * path). Under virtualization each is a VM exit, the currency of
 * iodepth-1 latency; `bench` prints them per I/O (exits/io=).
 *
 * Each CPU owns one cache line of counters and bumps them with a single
 * `incq`, which an interrupt on the same CPU cannot split; readers sum
 * all CPUs without a lock.
 */
#ifndef KERNEL_ARCH_EXIT_COUNT_H
#define KERNEL_ARCH_EXIT_COUNT_H

#include "lib/types.h"
#include "kernel/sched/cpumask.h"
#include "kernel/arch/percpu.h"

enum exit_kind {
	EXIT_DOORBELL,		/* a device doorbell / notify register written */
	EXIT_IRQ,		/* a device or IPI interrupt taken */
	EXIT_EOI,		/* end of interrupt written to the local APIC */
	EXIT_MMIO_READ,		/* a device register read on the I/O path */
	EXIT_KINDS,
};

struct exit_counts {
	u64 n[EXIT_KINDS];
} __aligned(64);

extern struct exit_counts exit_counts_cpu[MAX_CPUS];

static inline void exit_count(enum exit_kind kind)
{
	__asm__ volatile("incq %0" : "+m"(exit_counts_cpu[this_cpu_id()].n[kind]));
}

/* The sum over every CPU. */
void exit_counts_read(struct exit_counts *out);
const char *exit_kind_name(enum exit_kind kind);

#endif
