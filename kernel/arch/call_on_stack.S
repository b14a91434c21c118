/*
 * call_on_stack(top, fn): move this CPU onto another stack and call fn there.
 * Used once in kmain to leave the boot stack for a guarded one; the old
 * stack is abandoned, so fn must never return.
 */
	.text
	.globl call_on_stack
call_on_stack:
	mov	%rdi, %rsp		/* 16-byte aligned: fn sees the ABI's alignment */
	xor	%ebp, %ebp		/* end of the frame chain for backtraces */
	call	*%rsi
1:	cli
	hlt
	jmp	1b
