/*
 * The application processors' start page (boot/trampoline.S) and the block
 * of parameters in it that the boot CPU fills once for all the APs. The
 * offsets are shared with the assembly; kernel/arch/smp.c checks them against
 * struct smp_trampoline_params.
 */
#ifndef BOOT_TRAMPOLINE_H
#define BOOT_TRAMPOLINE_H

#define TP_STARTED	0	/* u32: each AP's first instructions add 1 */
#define TP_CR3		4	/* u32: physical address of kernel_pml4 (< 4 GiB) */
#define TP_EFER		8	/* u32: EFER bits to set (LME, and NXE as on the BSP) */
#define TP_SIZE		16

/*
 * The APs start together and each finds its own stack: smp_ap_start64
 * reads the CPU's APIC ID from CPUID and looks it up in smp_ap_table
 * (kernel/arch/smp.c), whose entries begin with these fields.
 */
#define SMP_AP_APIC_ID	0	/* u32 */
#define SMP_AP_STACK	8	/* u64: top of the AP's kernel stack */

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
};

/* The code and data to copy to mm_trampoline_phys; params lies inside. */
extern const char trampoline_start[], trampoline_end[], trampoline_params[];
#endif

#endif
