/*
 * x86 exception vectors and the formats of their error codes. Intel SDM
 * vol. 3A: "Exception and Interrupt Vectors" (table "Protected-Mode
 * Exceptions and Interrupts"), "Error Code" (selector error codes) and
 * "Interrupt 14-Page-Fault Exception (#PF)" (page-fault error code). Plain
 * defines only: trap_entry.S includes this too.
 */
#ifndef KERNEL_ARCH_EXCEPTION_H
#define KERNEL_ARCH_EXCEPTION_H

#define TRAP_DIVIDE_ERROR	0
#define TRAP_DEBUG		1
#define TRAP_NMI		2
#define TRAP_BREAKPOINT		3
#define TRAP_OVERFLOW		4
#define TRAP_BOUND_RANGE	5
#define TRAP_INVALID_OPCODE	6
#define TRAP_DEVICE_NOT_AVAILABLE 7
#define TRAP_DOUBLE_FAULT	8
#define TRAP_INVALID_TSS	10
#define TRAP_SEGMENT_NOT_PRESENT 11
#define TRAP_STACK_SEGMENT	12
#define TRAP_GENERAL_PROTECTION	13
#define TRAP_PAGE_FAULT		14
#define TRAP_X87_FPU		16
#define TRAP_ALIGNMENT_CHECK	17
#define TRAP_MACHINE_CHECK	18
#define TRAP_SIMD		19
#define TRAP_VIRTUALIZATION	20
#define TRAP_CONTROL_PROTECTION	21
#define TRAP_HYPERVISOR_INJECTION 28
#define TRAP_VMM_COMMUNICATION	29
#define TRAP_SECURITY		30
#define TRAP_EXCEPTIONS		32

/* The exceptions for which the CPU pushes an error code. */
#define TRAP_HAS_ERROR_CODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || \
				(v) == 21 || (v) == 29 || (v) == 30)

/* Page-fault error code bits. */
#define PF_PRESENT	(1 << 0)	/* 0: the page was not present */
#define PF_WRITE	(1 << 1)	/* 0: a read */
#define PF_USER		(1 << 2)	/* 0: a supervisor access */
#define PF_RESERVED	(1 << 3)	/* a reserved bit was set in a paging entry */
#define PF_INSTRUCTION	(1 << 4)	/* an instruction fetch */
#define PF_PROTECTION_KEY (1 << 5)
#define PF_SHADOW_STACK	(1 << 6)

/* Selector error code (#TS, #NP, #SS, #GP): flags, then the index from bit 3. */
#define SEL_ERR_EXTERNAL (1 << 0)	/* raised by an event external to the program */
#define SEL_ERR_IDT	(1 << 1)	/* the index refers to an IDT gate */
#define SEL_ERR_LDT	(1 << 2)	/* with !IDT: the LDT rather than the GDT */
#define SEL_ERR_INDEX_SHIFT 3

/* RFLAGS bits (SDM vol. 1, "EFLAGS Register"). */
#define RFLAGS_CF	(1 << 0)
#define RFLAGS_PF	(1 << 2)
#define RFLAGS_AF	(1 << 4)
#define RFLAGS_ZF	(1 << 6)
#define RFLAGS_SF	(1 << 7)
#define RFLAGS_TF	(1 << 8)
#define RFLAGS_DF	(1 << 10)
#define RFLAGS_OF	(1 << 11)
#define RFLAGS_NT	(1 << 14)
#define RFLAGS_RF	(1 << 16)
#define RFLAGS_AC	(1 << 18)
#define RFLAGS_IOPL_SHIFT 12

#endif
