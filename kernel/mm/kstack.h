/*
 * Kernel stacks in their own region (KSTACK_BASE, kernel/mm/mm.h), each with an
 * unmapped guard page below it, so that an overflow faults instead of
 * overwriting whatever lies below.
 */
#ifndef KERNEL_MM_KSTACK_H
#define KERNEL_MM_KSTACK_H

#include "lib/types.h"

#define KSTACK_GUARD_SIZE	4096UL
#define KSTACK_BOOT_SIZE	(32 * 1024UL)

/* The top (initial stack pointer, 16-byte aligned) of a zeroed stack, or NULL. */
void *kstack_alloc(size_t size);
void kstack_free(void *top);

/* Switch to the stack at top and call fn there; never comes back. */
void __noreturn call_on_stack(void *top, void (*fn)(void));

#endif
