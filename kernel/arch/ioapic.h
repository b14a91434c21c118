/*
 * The I/O APICs the MADT lists: legacy (ISA) interrupts reach the local
 * APICs through them. Every pin starts masked; a driver routes the ISA IRQ
 * it owns to one CPU and vector. PCI devices use MSI-X instead.
 */
#ifndef KERNEL_ARCH_IOAPIC_H
#define KERNEL_ARCH_IOAPIC_H

#include "lib/types.h"

/* Boot CPU, after apic_init_bsp(): map and mask every I/O APIC. -ENODEV: none. */
int ioapic_init(void);
/*
 * Deliver ISA IRQ isa_irq as vector on CPU cpu, with the polarity and
 * trigger of the MADT's interrupt source override (ISA default: edge, active
 * high). Returns 0, -ENODEV without an I/O APIC serving it, -EINVAL for a
 * bad IRQ, CPU or an APIC id an I/O APIC cannot address (above 255).
 */
int ioapic_route_isa_irq(u8 isa_irq, unsigned int cpu, u8 vector);
void ioapic_mask_isa_irq(u8 isa_irq);

#endif
