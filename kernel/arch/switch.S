/*
 * The context switch. A switched-out thread's stack holds its callee-saved
 * registers and the address to return to in schedule(); its stack pointer is
 * in thread->rsp (offset 0). Caller-saved registers need no saving: the switch
 * is an ordinary function call. Interrupts are off across it (schedule()
 * saves and restores the flags on each thread's own stack).
 */
	.text

/* struct thread *sched_switch_to(struct thread *prev, struct thread *next) */
	.globl sched_switch_to
sched_switch_to:
	push	%rbp
	push	%rbx
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	mov	%rsp, (%rdi)
	mov	(%rsi), %rsp
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbx
	pop	%rbp
	/* to the thread now running: the one that was switched out */
	mov	%rdi, %rax
	ret

/*
 * A new thread's first "return" from sched_switch_to lands here, with the
 * thread that was switched out in %rax.
 */
	.globl thread_entry_asm
thread_entry_asm:
	mov	%rax, %rdi
	xor	%ebp, %ebp
	and	$-16, %rsp
	call	thread_entry
	ud2
