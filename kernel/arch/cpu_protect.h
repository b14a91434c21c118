/*
 * The CPU's own memory protections for kernel code, turned on per CPU where
 * the CPU has them (CPUID leaf 7): SMEP (no executing user pages), SMAP (no
 * touching user pages without STAC) and UMIP (SGDT, SIDT, SLDT, SMSW, STR
 * only at CPL 0). stork maps no user page at all, so there is no deliberate
 * user access point to mark: any access with the user bit set is a bug.
 */
#ifndef KERNEL_ARCH_CPU_PROTECT_H
#define KERNEL_ARCH_CPU_PROTECT_H

#include "lib/types.h"

#define CR4_UMIP	BIT(11)
#define CR4_SMEP	BIT(20)
#define CR4_SMAP	BIT(21)

/* Set the CR4 bits this CPU supports; returns the bits set. */
u64 cpu_protect_init(void);

#endif
