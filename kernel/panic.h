/*
 * panic, BUG_ON and WARN_ON: for a broken kernel invariant, never for bad
 * input or a failing device (those return an errno).
 *
 * panic() prints "PANIC: <message>", where it was called from and a stack
 * trace, then stops the CPU for good. Only the first CPU to panic prints:
 * a panic (or fatal exception) while one is in progress, on this CPU or
 * another, just stops the CPU. The SMP code will also stop the other CPUs
 * with an NMI from panic_begin().
 */
#ifndef KERNEL_PANIC_H
#define KERNEL_PANIC_H

#include "lib/types.h"

void __noreturn panic(const char *fmt, ...) __printf(1, 2);

#define BUG_ON(cond)								\
	do {									\
		if (unlikely(cond))						\
			panic("BUG at %s:%d: %s", __FILE__, __LINE__, #cond);	\
	} while (0)

/* Print "WARNING: file:line cond" and a stack trace, and go on; yields cond. */
#define WARN_ON(cond)								\
	({									\
		bool __warn_cond = !!(cond);					\
		if (unlikely(__warn_cond))					\
			panic_warn(__FILE__, __LINE__, #cond);			\
		__warn_cond;							\
	})

void panic_warn(const char *file, int line, const char *cond);

/*
 * For code that dies like panic() but prints its own report (fatal
 * exceptions): disable interrupts and claim the panic. Returns false if a
 * panic is already in progress; the caller must then panic_cpu_stop()
 * without printing. On true, the console is in panic mode (see console.h).
 */
bool panic_begin(void);
/* True once some CPU has claimed the panic. */
bool panic_in_progress(void);
/* Print "halting" and stop this CPU. */
void __noreturn panic_end(void);
/* Stop this CPU silently: interrupts off, hlt forever (an NMI may wake it). */
void __noreturn panic_cpu_stop(void);

#endif
