/*
 * The GDT and TSS of each CPU. Every CPU has its own table pair (struct
 * cpu_tables): the same code and data segments as the boot GDT (so selectors
 * 0x08 and 0x10 stay valid across the switch) plus a TSS whose interrupt
 * stack table gives the double fault, NMI and machine check handlers stacks
 * of their own, so that they run even when the interrupted stack is broken
 * (a kernel stack overflow turns into a double fault on IST1).
 *
 * The boot CPU uses static tables and stacks (gdt_init_boot_cpu()). The SMP
 * code allocates a struct cpu_tables and three GDT_IST_STACK_SIZE stacks per
 * application processor and calls gdt_init_cpu() on that processor.
 */
#ifndef KERNEL_ARCH_GDT_H
#define KERNEL_ARCH_GDT_H

#include "lib/types.h"
#include "kernel/arch/desc.h"

#define GDT_KERNEL_CS	0x08
#define GDT_KERNEL_DS	0x10
#define GDT_TSS		0x18	/* two slots */
#define GDT_ENTRIES	5

/* Interrupt stack table slots (the IST field of an IDT gate). */
#define IST_DOUBLE_FAULT	1
#define IST_NMI			2
#define IST_MACHINE_CHECK	3
#define IST_COUNT		3	/* slots in use */

#define GDT_IST_STACK_SIZE	(16 * 1024)

struct cpu_tables {
	u64 gdt[GDT_ENTRIES];
	struct tss64 tss;
};

/*
 * Fill ct and load it on the calling CPU: GDTR, CS/DS/ES/SS and TR. The IST
 * arguments are the tops of GDT_IST_STACK_SIZE-byte stacks. FS and GS keep
 * their selectors and bases (the per-CPU base may already be set). ct must
 * stay allocated for as long as the CPU runs.
 */
void gdt_init_cpu(struct cpu_tables *ct, void *ist_df_top, void *ist_nmi_top,
		  void *ist_mc_top);
/*
 * Once the kernel's page tables are in: unmap the page below each of the
 * boot CPU's IST stacks, so an overflow faults. 0 or a negative errno.
 */
int gdt_guard_boot_ist_stacks(void);
/* The guard page of boot IST stack i (0 .. IST_COUNT - 1), for tests. */
void *gdt_boot_ist_guard(int i);
/* The boot CPU's tables and IST stacks, in .bss. */
void gdt_init_boot_cpu(void);

/*
 * If addr lies on one of the calling CPU's IST stacks, store that stack's
 * bounds [*lo, *hi) and return true. False before gdt_init_cpu() ran here.
 */
bool gdt_ist_stack_find(u64 addr, u64 *lo, u64 *hi);

#endif
