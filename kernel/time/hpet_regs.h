/*
 * HPET registers: IA-PC HPET specification 1.0a, 2.3. Only the general
 * registers and the main counter: the kernel uses the HPET as a reference
 * clock to measure the TSC, not as an interrupt source.
 */
#ifndef KERNEL_TIME_HPET_REGS_H
#define KERNEL_TIME_HPET_REGS_H

#define HPET_MMIO_SIZE		0x400
#define HPET_CAPABILITIES	0x000	/* bits 63:32: counter period in femtoseconds */
#define HPET_CONFIG		0x010
#define HPET_COUNTER		0x0f0

#define HPET_CAP_PERIOD_SHIFT	32
#define HPET_MAX_PERIOD_FS	100000000ULL	/* 100 ns: the spec's upper bound */
#define HPET_CONFIG_ENABLE	(1ULL << 0)

#endif
