/*
 * Per-CPU state. Each CPU owns one struct cpu, reached through the GS base
 * register: %gs:0 holds the structure's own address, so this_cpu() is one
 * instruction and needs no CPU number. Fields touched by the CPU itself on
 * every interrupt or switch (current, preempt_count, need_resched) are read
 * and written with single %gs-relative instructions, which cannot be split by
 * preemption and migration.
 */
#ifndef KERNEL_PERCPU_H
#define KERNEL_PERCPU_H

#include "lib/types.h"
#include "kernel/cpumask.h"
#include "kernel/sched_types.h"
#include "kernel/timer.h"

struct thread;

struct cpu {
	struct cpu *self;		/* %gs:0, for this_cpu() */
	struct thread *current;		/* %gs:8, the running thread */
	int preempt_count;		/* > 0: no preemption on this CPU */
	bool need_resched;		/* schedule() at the next chance */
	bool online;			/* scheduling and taking interrupts */
	unsigned int id;		/* logical number, 0 .. nr_cpus - 1 */
	u32 apic_id;			/* local APIC (or x2APIC) id */
	struct thread *idle;		/* runs when nothing else can */
	struct runqueue rq;		/* threads ready to run here */
	struct timer tick;		/* the scheduler tick of this CPU */
	u64 busy_ns, idle_ns;		/* time accounting, written by this CPU */
	u64 last_account_tsc;
	void *arch;			/* GDT/TSS/IST state, owned by kernel/gdt.c */
} __aligned(64);

#define CPU_OFFSET_CURRENT 8

extern struct cpu *cpu_table[MAX_CPUS];	/* by logical number; NULL when absent */
extern unsigned int nr_cpus;		/* CPUs brought up so far */
extern cpumask_t cpu_online_mask;

static inline struct cpu *this_cpu(void)
{
	struct cpu *c;

	__asm__ volatile("mov %%gs:0, %0" : "=r"(c));
	return c;
}

static inline unsigned int this_cpu_id(void)
{
	return this_cpu()->id;
}

static inline struct thread *current_thread(void)
{
	struct thread *t;

	__asm__ volatile("mov %%gs:8, %0" : "=r"(t));
	return t;
}

static inline struct cpu *cpu_get(unsigned int id)
{
	return id < MAX_CPUS ? cpu_table[id] : NULL;
}

#define for_each_online_cpu(id) for_each_cpu_in(id, &cpu_online_mask)

/* Point GS at c and record it as CPU c->id. */
void percpu_install(struct cpu *c);
/* The boot CPU's structure is static: it is needed before any allocator. */
void percpu_init_boot(void);

#endif
