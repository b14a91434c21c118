/*
 * Interrupts above the IDT (kernel/arch/idt.h): handlers by vector, per-CPU
 * counts, EOI to the local APIC, and preemption on the way out.
 *
 * Two kinds of vectors (kernel/arch/vectors.h). Legacy and system vectors mean
 * the same on every CPU: the timer, the IPIs, the IOAPIC-routed ISA IRQs;
 * irq_request() claims one. Dynamic vectors (0x30-0xdf) are a per-CPU
 * resource for MSI/MSI-X: irq_alloc_vector() hands out a free vector of one
 * CPU, and the same number may serve another device on another CPU.
 *
 * A handler runs with interrupts off on the CPU that took the interrupt; the
 * EOI is sent after it returns, then the scheduler may switch threads
 * (sched_irq_exit()) if the interrupted code had interrupts enabled.
 */
#ifndef KERNEL_ARCH_IRQ_H
#define KERNEL_ARCH_IRQ_H

#include "lib/types.h"

typedef void (*irq_handler_fn)(void *arg);

/* Boot CPU, once, from apic_init_bsp(): take the IDT vectors this layer serves. */
void irq_init(void);
/* Every CPU, from apic_init_cpu(): its counters and dynamic vector table. */
void irq_init_cpu(void);

/*
 * Claim a legacy or system vector (not a dynamic one) on every CPU. name is
 * kept, not copied. Returns 0, -EINVAL for an exception or dynamic vector or
 * a NULL fn, -EBUSY when taken.
 */
int irq_request(u8 vector, irq_handler_fn fn, void *arg, const char *name);
/* Release it; silence the source first (a handler running elsewhere may finish). */
void irq_release(u8 vector);

/*
 * A dynamic vector on CPU cpu for fn(arg): the vector number, -ENOSPC when
 * that CPU has none left, -ENXIO when the CPU is not initialised.
 */
int irq_alloc_vector(unsigned int cpu, irq_handler_fn fn, void *arg, const char *name);
void irq_free_vector(unsigned int cpu, u8 vector);

/*
 * The dynamic vectors allocated on CPU cpu: how many, and their names
 * joined with commas in names (cut to size). cpu_down() checks that none
 * is left on a CPU going offline.
 */
unsigned int irq_cpu_vectors(unsigned int cpu, char *names, size_t size);

/* Interrupts of vector taken by CPU cpu so far. */
u64 irq_count(unsigned int cpu, u8 vector);

/*
 * One row of `irqs`. A legacy or system vector (cpu -1) is one handler on
 * every CPU: name is its handler's ("" when nothing claims it; counts are
 * irq_count's). A dynamic vector is a different handler on each CPU (cpu
 * >= 0): name is the one CPU cpu gave it ("" when free), *count the
 * interrupts it took there since it was allocated, or since it was freed
 * (strays).
 */
void irq_vector_row(unsigned int v, int cpu, char *name, size_t size, u64 *count);

#endif
