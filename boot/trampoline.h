/*
 * The application processors' start page (boot/trampoline.S) and the block
 * of parameters in it that the boot CPU fills for each AP in turn. The
 * offsets are shared with the assembly; kernel/smp.c checks them against
 * struct smp_trampoline_params.
 */
#ifndef BOOT_TRAMPOLINE_H
#define BOOT_TRAMPOLINE_H

#define TP_STARTED	0	/* u32: set to 1 by the AP's first instructions */
#define TP_CR3		4	/* u32: physical address of kernel_pml4 (< 4 GiB) */
#define TP_EFER		8	/* u32: EFER bits to set (LME, and NXE as on the BSP) */
#define TP_STACK	16	/* u64: top of the AP's kernel stack */
#define TP_CPU		24	/* u64: its struct cpu, smp_ap_entry()'s argument */
#define TP_SIZE		32

/* The trampoline's own GDT: 64-bit code and data as in the kernel's, plus 32-bit code. */
#define TRAMP_CS64	0x08
#define TRAMP_DS	0x10
#define TRAMP_CS32	0x18

#ifndef __ASSEMBLY__
#include "lib/types.h"

struct smp_trampoline_params {
	u32 started;
	u32 cr3;
	u32 efer;
	u32 reserved;
	u64 stack;
	u64 cpu;
};

/* The code and data to copy to MM_TRAMPOLINE_PHYS; params lies inside. */
extern const char trampoline_start[], trampoline_end[], trampoline_params[];
#endif

#endif
