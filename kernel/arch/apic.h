/*
 * The local APIC of each CPU, in x2APIC mode (MSRs) when the CPU has it,
 * else in xAPIC mode (MMIO). apic_init_bsp() chooses the mode once and
 * silences the legacy 8259 PICs; apic_init_cpu() enables the APIC of the
 * calling CPU (the boot CPU and each AP as it comes up). The IPI functions
 * take the destination's APIC id, which may be above 255 in x2APIC mode.
 */
#ifndef KERNEL_ARCH_APIC_H
#define KERNEL_ARCH_APIC_H

#include "lib/types.h"

/* Boot CPU, once, after acpi_init(): pick the mode, map the xAPIC, mask the PICs. */
void apic_init_bsp(void);
/* Every CPU, interrupts off: enable and program this CPU's local APIC. */
void apic_init_cpu(void);
/* True once apic_init_bsp() ran: IPIs and EOIs may be sent. */
bool apic_ready(void);
bool apic_x2apic_mode(void);

/* The APIC id of the calling CPU. */
u32 apic_read_id(void);
void apic_eoi(void);

/* Register access for the timer code (kernel/time/apic_timer.c). */
u32 apic_reg_read(u32 reg);
void apic_reg_write(u32 reg, u32 value);

/* A fixed-delivery interrupt at vector on the CPU with this APIC id. */
void apic_send_ipi(u32 apic_id, u8 vector);
void apic_send_ipi_nmi(u32 apic_id);
/* For AP bring-up (SDM vol. 3A 9.4.4): INIT, then STARTUP at page << 12. */
void apic_send_init(u32 apic_id);
void apic_send_startup(u32 apic_id, u8 page);

#endif
