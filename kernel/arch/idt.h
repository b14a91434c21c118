/*
 * The IDT and the trap frame. One IDT of 256 gates serves every CPU
 * (idt_init() builds it once, idt_load() loads it on the calling CPU). Each
 * vector enters through a stub in kernel/arch/trap_entry.S that saves the
 * interrupted state as a struct trap_frame and calls trap_dispatch():
 * vectors 0-31 are exceptions (kernel/arch/traps.c), vectors 32-255 go to the
 * handler registered with idt_set_handler().
 *
 * No EOI is sent here: this layer knows nothing of interrupt controllers. The
 * local APIC code registers its vectors with a wrapper that calls the device
 * handler and then writes the EOI; a vector with no handler is only counted
 * and logged (once per vector), without EOI.
 */
#ifndef KERNEL_ARCH_IDT_H
#define KERNEL_ARCH_IDT_H

#define IDT_VECTORS		256
#define IDT_FIRST_EXTERNAL	32	/* 0-31 are reserved for exceptions */

#ifndef __ASSEMBLY__

#include "lib/types.h"

/*
 * The stack as trap_entry.S leaves it, lowest address first. From vector up
 * it is the stub's work: the vector, and the CPU's error code or a 0 the
 * stub pushed for vectors where the CPU pushes none; from rip up it is the
 * frame the CPU pushed (in long mode always with ss:rsp). The general
 * registers are pushed by trap_common in the reverse order of this list.
 */
struct trap_frame {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector;
	u64 error;
	u64 rip, cs, rflags, rsp, ss;
};

#define TRAP_FRAME_SIZE	(22 * 8)

typedef void (*idt_handler_fn)(struct trap_frame *tf, void *arg);

void idt_init(void);
void idt_load(void);

/*
 * Route vector (32-255) to fn(tf, arg). Returns 0, -EINVAL for an exception
 * vector or a NULL fn, -EBUSY if the vector has a handler already.
 */
int idt_set_handler(u8 vector, idt_handler_fn fn, void *arg);
/*
 * Remove the handler. It does not wait for a call already running on another
 * CPU: silence the source before clearing its vector.
 */
void idt_clear_handler(u8 vector);
/* How many times vector arrived with no handler. */
u64 idt_unhandled_count(u8 vector);

/* Called by trap_entry.S with interrupts disabled. */
void trap_dispatch(struct trap_frame *tf);

#endif /* __ASSEMBLY__ */
#endif
