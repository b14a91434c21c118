/*
 * Per-CPU state. Each CPU owns one struct cpu, reached through the GS base
 * register: %gs:0 holds the structure's own address, so this_cpu() is one
 * instruction and needs no CPU number. Fields touched by the CPU itself on
 * every interrupt or switch (current, preempt_count, need_resched) are read
 * and written with single %gs-relative instructions, which cannot be split by
 * preemption and migration.
 */
#ifndef KERNEL_ARCH_PERCPU_H
#define KERNEL_ARCH_PERCPU_H

#include "lib/types.h"
#include "kernel/sched/cpumask.h"
#include "kernel/sched/sched_types.h"
#include "kernel/time/timer.h"

struct thread;

struct cpu {
	struct cpu *self;		/* %gs:0, for this_cpu() */
	struct thread *current;		/* %gs:8, the running thread */
	int preempt_count;		/* > 0: no preemption on this CPU */
	bool need_resched;		/* schedule() at the next chance */
	bool online;			/* scheduling and taking interrupts; written under rq.lock */
	bool dying;			/* going offline: schedule() picks only the idle thread */
	bool parked;			/* offline, halted with interrupts off (kernel/sched/sched_hotplug.c) */
	bool unpark;			/* set by cpu_up(): leave the parked loop at the next NMI */
	u32 nmi_expected;		/* wake-up NMIs sent while it starts (kernel/arch/smp.c); atomic */
	unsigned int id;		/* logical number, 0 .. nr_cpus - 1 */
	u32 apic_id;			/* local APIC (or x2APIC) id */
	struct thread *idle;		/* runs when nothing else can */
	struct runqueue rq;		/* threads ready to run here */
	struct timer tick;		/* the scheduler tick of this CPU */
	u64 busy_ns, idle_ns;		/* time accounting, written by this CPU */
	struct idle_poll idle_poll;	/* kernel/sched/idle_poll.c */
	u64 last_account_tsc;
	void *arch;			/* GDT/TSS/IST state, owned by kernel/arch/gdt.c */
} __aligned(64);

#define CPU_OFFSET_CURRENT 8

extern struct cpu *cpu_table[MAX_CPUS];	/* by logical number; NULL when absent */
extern unsigned int nr_cpus;		/* CPUs brought up so far */
extern cpumask_t cpu_online_mask;
/*
 * CPUs that take new work: online and not on their way down. blk-mq maps
 * software queues over these; cleared before a CPU leaves the online mask
 * and set after it is back (kernel/arch/cpu_hotplug.c), as Linux's
 * cpu_active_mask.
 */
extern cpumask_t cpu_active_mask;

static inline struct cpu *this_cpu(void)
{
	struct cpu *c;

	__asm__ volatile("mov %%gs:0, %0" : "=r"(c));
	return c;
}

/* one %gs-relative load: blk-mq asks on every completion */
static inline unsigned int this_cpu_id(void)
{
	unsigned int id;

	__asm__ volatile("movl %%gs:%c1, %0" : "=r"(id) : "i"(__builtin_offsetof(struct cpu, id)));
	return id;
}

/* The same as an index: a 32-bit load zero-extends, and the compiler knows it here. */
static inline unsigned long this_cpu_index(void)
{
	unsigned long id;

	__asm__ volatile("movl %%gs:%c1, %k0" : "=r"(id) : "i"(__builtin_offsetof(struct cpu, id)));
	return id;
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

/* The (n mod count)-th active CPU, for spreading work that has no CPU of its own. */
static inline unsigned int cpu_active_nth(unsigned int n)
{
	unsigned int count = cpumask_weight(&cpu_active_mask), id;

	n %= count ? count : 1;
	for_each_cpu_in(id, &cpu_active_mask)
		if (n-- == 0)
			return id;
	return 0;
}

#define for_each_online_cpu(id) for_each_cpu_in(id, &cpu_online_mask)

/* Point GS at c and record it as CPU c->id. */
void percpu_install(struct cpu *c);
/*
 * True when the CPU has RDTSCP (CPUID 0x80000001 EDX bit 27): then every
 * CPU's IA32_TSC_AUX holds its number (cpu_tsc_aux_init, at its start), so
 * that one rdtscp gives the TSC and the CPU (block tracing's stamps).
 */
extern bool cpu_has_rdtscp;
void cpu_tsc_aux_init(unsigned int id);
/* The boot CPU's structure is static: it is needed before any allocator. */
void percpu_init_boot(void);

#endif
