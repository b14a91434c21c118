/*
 * Lock debugging: catching spinlock misuse and sleeping in atomic context.
 *
 * The spinlock checks themselves are hooked into kernel/sched/spinlock.h and turned
 * on by the `lockdebug` boot option (or built in with `make LOCKDEBUG=1`).
 * might_sleep() is always on: one %gs load and a compare, in functions that
 * may block anyway.
 */
#ifndef KERNEL_SCHED_LOCKDEBUG_H
#define KERNEL_SCHED_LOCKDEBUG_H

#include "lib/types.h"
#include "kernel/sched/preempt.h"

/* Panic: a function that may sleep was called with preemption disabled. */
void __noreturn lockdebug_atomic_sleep(const char *what, const char *file, int line);

#define might_sleep_what(what)							\
	do {									\
		if (unlikely(preempt_count() != 0))				\
			lockdebug_atomic_sleep(what, __FILE__, __LINE__);	\
	} while (0)

#define might_sleep() might_sleep_what(__func__)

/*
 * Describe the spinlocks this CPU holds, for a panic message: ", holding
 * spinlock 0x... taken at fn+0x1c/0x80" (and how many more), or a hint to
 * boot with `lockdebug` when it is off. Returns the length, like snprintf.
 */
int lockdebug_describe_held(char *buf, size_t len);

#endif
