/*
 * Sleeping mutexes, for critical sections that may block or run long. A
 * thread that finds the mutex taken spins briefly (the holder is usually
 * running and about to let go), then sleeps on the mutex's wait queue;
 * mutex_unlock() wakes one waiter, never all of them.
 *
 * The owner is recorded: locking a mutex you hold is a certain deadlock and
 * panics; unlocking one you do not hold is a bug and warns. Mutexes are for
 * threads only: not in interrupt context, not while holding a spinlock.
 * Not strictly FIFO: a running thread may take a just-released mutex ahead
 * of the waiter being woken, which then sleeps again (as Linux without
 * hand-off); this keeps a contended mutex from switching threads on every
 * unlock.
 */
#ifndef KERNEL_SCHED_MUTEX_H
#define KERNEL_SCHED_MUTEX_H

#include "lib/types.h"
#include "kernel/sched/wait.h"

struct thread;

struct mutex {
	/*
	 * The owning thread's address, or 0; bit 0 (MUTEX_WAITERS) set when a
	 * thread may be asleep on wait. Changed only by atomic operations.
	 */
	unsigned long owner;
	struct wait_queue wait;		/* sleeping lockers; lock protects the list */
};

#define MUTEX_INIT(name) { 0, WAIT_QUEUE_INIT((name).wait) }

void mutex_init(struct mutex *m);
void mutex_lock(struct mutex *m);
/* Take m only if it is free now; true if taken. */
bool mutex_trylock(struct mutex *m);
void mutex_unlock(struct mutex *m);
/* The thread holding m, or NULL (a snapshot: for checks and reports). */
struct thread *mutex_owner(const struct mutex *m);
static inline bool mutex_is_locked(const struct mutex *m) { return mutex_owner(m) != NULL; }

#endif
