/*
 * Stack traces by walking the frame-pointer chain (the kernel is built with
 * -fno-omit-frame-pointer: every function pushes rbp and points rbp at it, so
 * [rbp] is the caller's rbp and [rbp + 8] the return address).
 *
 * The walk never follows a pointer it cannot trust: a frame must lie inside
 * the bounds of the stack rsp is on, above rsp, 8-byte aligned and above
 * the previous frame, and its return address must be in kernel text; at most
 * STACKTRACE_MAX_FRAMES are printed. The bounds are exact for the boot stack
 * and the calling CPU's IST stacks. Any other stack is taken to be the
 * mapped pages among the STACKTRACE_WINDOW bytes that start at rsp's page
 * (checked in the page tables): kernel stacks are at least that large, and a
 * chain that reaches further than their top is corrupt anyway (the first
 * frame of a thread has rbp 0).
 */
#ifndef KERNEL_ARCH_STACKTRACE_H
#define KERNEL_ARCH_STACKTRACE_H

#include "lib/types.h"

#define STACKTRACE_MAX_FRAMES	32
#define STACKTRACE_MAX_WALK	4096	/* frames followed, repeats included */
#define STACKTRACE_WINDOW	(16 * 1024)

/*
 * Print one line per frame through out(): first rip itself (the interrupted
 * instruction; skipped when 0), then the return addresses found from rbp.
 * rsp is the stack pointer of the same context.
 */
void stacktrace_print(u64 rip, u64 rbp, u64 rsp, void (*out)(const char *line));

#endif
