/*
 * Multiprocessor support: bringing up the other CPUs and talking to them
 * with inter-processor interrupts. Implemented in kernel/arch/smp.c (bring-up) and
 * kernel/arch/ipi.c (IPIs).
 */
#ifndef KERNEL_ARCH_SMP_H
#define KERNEL_ARCH_SMP_H

#include "lib/types.h"
#include "kernel/sched/cpumask.h"
#include "lib/list.h"

/* Start every CPU the MADT lists (up to MAX_CPUS and the `maxcpus=` option). */
void smp_init(void);

/* An enabled CPU of the MADT that is not running, and why (for `cpus`). */
struct smp_offline_cpu {
	u32 apic_id;
	const char *reason;	/* "no answer", "no memory", "maxcpus", "MAX_CPUS" */
};
/* The list smp_init() left; returns its length. */
unsigned int smp_offline_cpus(const struct smp_offline_cpu **out);

/* Boot CPU, once, after apic_init_bsp(): claim the IPI vectors. */
void ipi_init(void);

/* Make CPU cpu run schedule() soon (it has need_resched set already). */
void smp_send_reschedule(unsigned int cpu);

/*
 * Run fn(arg) on CPU cpu, in interrupt context, and wait until it has run
 * when wait is true. On the calling CPU it runs directly with IRQs off.
 * Returns 0, or -ENXIO for a CPU that is not online.
 */
int smp_call_function_single(unsigned int cpu, void (*fn)(void *arg), void *arg, bool wait);
/* A call-function request whose storage the caller owns. */
struct call_single_data {
	struct list_head link;		/* in the target CPU's queue */
	void (*fn)(void *arg);
	void *arg;
	bool async;			/* set by smp_call_function_single_async */
};

/*
 * Run csd->fn(csd->arg) on CPU cpu in interrupt context, without waiting
 * and without allocating: csd (fn and arg set) is the caller's and may be
 * reused once fn has begun. The calling CPU too is reached through an IPI,
 * for a caller that wants interrupt context. Returns 0, or -ENXIO for a
 * CPU that is not online.
 */
int smp_call_function_single_async(unsigned int cpu, struct call_single_data *csd);

/*
 * On a CPU going offline, interrupts off, online already cleared: run what
 * is queued for it; later callers get -ENXIO (kernel/sched/sched.c).
 */
void smp_call_queue_flush_dying(void);

/* The same on every CPU of mask (the caller's included if in it). */
void smp_call_function_many(const cpumask_t *mask, void (*fn)(void *arg), void *arg, bool wait);

/* Invalidate a range of kernel virtual addresses on every online CPU. */
void tlb_flush_kernel_range(u64 start, u64 end);

/* Stop every other CPU (panic): NMI, then they halt with interrupts off. */
void smp_stop_other_cpus(void);

#endif
