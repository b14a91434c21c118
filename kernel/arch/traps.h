/*
 * Exceptions (vectors 0-31). A fatal one prints a report - a header line
 * with the exception's name, error code and location, the fault address for
 * a page fault, every register, a stack trace - and stops the CPU like a
 * panic. Two are not fatal: #BP (int3) prints a notice and execution goes on
 * after the int3; an NMI prints a notice and returns (the SMP code will use
 * NMIs to stop the other CPUs on a panic, and hook in here for that).
 */
#ifndef KERNEL_ARCH_TRAPS_H
#define KERNEL_ARCH_TRAPS_H

#include "lib/types.h"
#include "kernel/arch/exception.h"
#include "kernel/arch/idt.h"

/* Called by trap_dispatch() for vectors 0-31. */
void trap_exception_handle(struct trap_frame *tf);
/* How many times exception vector has been taken since boot. */
u64 trap_exception_count(u8 vector);

#endif
