/*
 * The entry stubs of all 256 vectors and the common path that builds a
 * struct trap_frame (kernel/arch/idt.h) and calls trap_dispatch(). The stubs are
 * generated: each pushes a 0 where the CPU pushes no error code, so that
 * every frame has the same layout, then its vector number. trap_stub_table
 * lists their addresses for idt_init(). Which vectors come with an error
 * code is in kernel/exception.h. Only the kernel runs (no ring 3), so there
 * is no swapgs and no segment to switch.
 */
#include "kernel/arch/exception.h"
#include "kernel/arch/idt.h"

	.macro trap_stub vec
	.balign 16
trap_stub_\vec:
	.ifeq TRAP_HAS_ERROR_CODE(\vec)
	pushq	$0
	.endif
	pushq	$\vec
	jmp	trap_common
	.endm

	.text
	.altmacro
	.set	vec, 0
	.rept	IDT_VECTORS
	trap_stub %vec
	.set	vec, vec + 1
	.endr

/*
 * On entry the CPU has aligned the stack to 16 bytes and pushed 5 words; the
 * stub added 2 and we add 15: 22 words, so the call is made on a 16-byte
 * aligned stack as the ABI asks.
 */
trap_common:
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%rbp
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	cld
	movq	%rsp, %rdi
	call	trap_dispatch
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rbp
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rbx
	popq	%rax
	addq	$16, %rsp		/* vector and error code */
	iretq

	.macro stub_address vec
	.quad	trap_stub_\vec
	.endm

	.section .rodata
	.balign 8
	.globl	trap_stub_table
trap_stub_table:
	.set	vec, 0
	.rept	IDT_VECTORS
	stub_address %vec
	.set	vec, vec + 1
	.endr
