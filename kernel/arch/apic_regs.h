/*
 * Local APIC registers: Intel SDM vol. 3A, chapter 11 (table 11-1 for the
 * xAPIC memory map, 11.12 for x2APIC). In xAPIC mode a register is a 32-bit
 * word at its offset in the 4 KiB MMIO page; in x2APIC mode the same
 * register is MSR 0x800 + (offset >> 4), and the ICR is one 64-bit MSR.
 */
#ifndef KERNEL_ARCH_APIC_REGS_H
#define KERNEL_ARCH_APIC_REGS_H

/* MSRs */
#define MSR_APIC_BASE		0x1b
#define  APIC_BASE_BSP		(1ULL << 8)
#define  APIC_BASE_EXTD		(1ULL << 10)	/* x2APIC mode */
#define  APIC_BASE_EN		(1ULL << 11)
#define  APIC_BASE_ADDR_MASK	0x000ffffffffff000ULL
#define MSR_TSC_DEADLINE	0x6e0
#define MSR_X2APIC_BASE		0x800

/* CPUID.1:ECX */
#define CPUID1_ECX_X2APIC	(1U << 21)
#define CPUID1_ECX_TSC_DEADLINE	(1U << 24)

/* register offsets (xAPIC MMIO) */
#define APIC_ID			0x020	/* xAPIC: id in bits 31:24; x2APIC: all 32 bits */
#define APIC_VERSION		0x030
#define APIC_TPR		0x080
#define APIC_EOI		0x0b0
#define APIC_SVR		0x0f0
#define APIC_ESR		0x280
#define APIC_ICR_LOW		0x300
#define APIC_ICR_HIGH		0x310	/* xAPIC only: destination in bits 31:24 */
#define APIC_LVT_TIMER		0x320
#define APIC_LVT_THERMAL	0x330
#define APIC_LVT_PERF		0x340
#define APIC_LVT_LINT0		0x350
#define APIC_LVT_LINT1		0x360
#define APIC_LVT_ERROR		0x370
#define APIC_TIMER_INITIAL	0x380
#define APIC_TIMER_CURRENT	0x390
#define APIC_TIMER_DIVIDE	0x3e0

/* spurious-interrupt vector register */
#define APIC_SVR_ENABLE		(1U << 8)

/* version register: highest LVT entry index in bits 23:16 */
#define APIC_VERSION_MAX_LVT(v)	(((v) >> 16) & 0xff)

/* LVT entries and the ICR share these fields */
#define APIC_DM_FIXED		(0U << 8)
#define APIC_DM_NMI		(4U << 8)
#define APIC_DM_INIT		(5U << 8)
#define APIC_DM_STARTUP		(6U << 8)
#define APIC_DELIVERY_PENDING	(1U << 12)	/* xAPIC ICR: send pending */
#define APIC_POLARITY_LOW	(1U << 13)	/* LVT LINT only */
#define APIC_LEVEL_ASSERT	(1U << 14)	/* ICR */
#define APIC_TRIGGER_LEVEL	(1U << 15)
#define APIC_LVT_MASKED		(1U << 16)
#define APIC_TIMER_ONESHOT	(0U << 17)
#define APIC_TIMER_TSC_DEADLINE	(2U << 17)

/* divide configuration register: divide by 16 */
#define APIC_TIMER_DIVIDE_16	0x3

#endif
