/*
 * x86_64 descriptor formats: GDT segment descriptors, the 64-bit TSS and its
 * descriptor, and IDT gate descriptors. Intel SDM vol. 3A: "Segment
 * Descriptors" (3.4.5), "Task Management in 64-bit Mode" (the TSS layout and
 * the 16-byte TSS descriptor), "64-Bit Mode IDT" (16-byte gates with an IST
 * index) and "Interrupt Stack Table".
 */
#ifndef KERNEL_ARCH_DESC_H
#define KERNEL_ARCH_DESC_H

#include "lib/types.h"

/* Code and data segment descriptor bits (the upper 32 bits of the 8 bytes). */
#define DESC_ACCESSED	BIT(40)
#define DESC_RW		BIT(41)	/* data: writable; code: readable */
#define DESC_CODE	BIT(43)
#define DESC_S		BIT(44)	/* code or data, not a system descriptor */
#define DESC_PRESENT	BIT(47)
#define DESC_L		BIT(53)	/* 64-bit code */
#define DESC_DB		BIT(54)	/* 32-bit default operand size; must be 0 with L */
#define DESC_G		BIT(55)	/* limit in 4 KiB units */
#define DESC_LIMIT_MAX	(0xFFFFULL | (0xFULL << 48))

/* System descriptor and gate types (SDM table "System-Segment and Gate-Descriptor Types"). */
#define DESC_TYPE_TSS_AVAILABLE	0x9
#define DESC_TYPE_TSS_BUSY	0xB
#define DESC_TYPE_INTERRUPT_GATE 0xE

/*
 * The 64-bit TSS. In long mode it holds no task state: only the stacks the
 * CPU switches to (RSP0-2 on a privilege change, IST1-7 for gates that name
 * one) and the I/O permission bitmap offset.
 */
struct tss64 {
	u32 reserved0;
	u64 rsp[3];
	u64 reserved1;
	u64 ist[7];		/* ist[0] is IST1 */
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base;		/* >= the limit: no I/O bitmap */
} __packed;

STATIC_ASSERT(sizeof(struct tss64) == 0x68);

/* The TSS descriptor takes two GDT slots in long mode. */
struct tss_desc {
	u16 limit_low;
	u16 base_low;
	u8 base_mid;
	u8 type_attr;		/* type, S = 0, DPL, P */
	u8 limit_flags;		/* limit 19:16, AVL, G */
	u8 base_high;
	u32 base_upper;
	u32 reserved;
} __packed;

STATIC_ASSERT(sizeof(struct tss_desc) == 16);

/* An IDT gate in long mode. */
struct idt_gate {
	u16 offset_low;
	u16 selector;
	u8 ist;			/* bits 2:0: IST index, 0 = no stack switch */
	u8 type_attr;		/* type, DPL, P */
	u16 offset_mid;
	u32 offset_high;
	u32 reserved;
} __packed;

STATIC_ASSERT(sizeof(struct idt_gate) == 16);

#define GATE_PRESENT	0x80

/* The operand of lgdt, lidt, sgdt and sidt. */
struct desc_ptr {
	u16 limit;
	u64 base;
} __packed;

#endif
