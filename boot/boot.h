/*
 * Constants shared by the assembly entry code and C: where the kernel is
 * linked, control-register and EFER bits (Intel SDM vol. 3A, 2.5 and 4.1), and
 * the boot stack size.
 */
#ifndef BOOT_BOOT_H
#define BOOT_BOOT_H

#define KERNEL_VMA	0xFFFFFFFF80000000
#define KERNEL_PHYS	0x100000

#define BOOT_STACK_SIZE	(16 * 1024)

#define BOOT_CS64	0x08
#define BOOT_DS		0x10

#include "kernel/mm/pgtable.h"

#define CR0_PE		(1 << 0)
#define CR0_WP		(1 << 16)
#define CR0_PG		(1 << 31)
#define CR4_PAE		(1 << 5)
#define CR4_PGE		(1 << 7)

#define MSR_EFER	0xC0000080
#define EFER_LME	(1 << 8)
#define EFER_NXE	(1 << 11)

#define MB1_BOOT_MAGIC	0x2BADB002
#define MB2_BOOT_MAGIC	0x36D76289

#endif
