/*
 * Counting semaphores: at most count holders at once. down() takes a unit,
 * sleeping while there is none; up() gives one back and wakes one sleeper.
 * Unlike a mutex, a semaphore has no owner: any thread may up() it, and
 * up() may be called from interrupt context.
 */
#ifndef KERNEL_SCHED_SEMAPHORE_H
#define KERNEL_SCHED_SEMAPHORE_H

#include "lib/types.h"
#include "kernel/sched/wait.h"

struct semaphore {
	unsigned int count;		/* units free; protected by wait.lock */
	struct wait_queue wait;		/* threads sleeping in down() */
};

#define SEMAPHORE_INIT(name, n) { (n), WAIT_QUEUE_INIT((name).wait) }

void sema_init(struct semaphore *sem, unsigned int count);
void down(struct semaphore *sem);
/* Take a unit only if one is free now; true if taken. */
bool down_trylock(struct semaphore *sem);
/* down() for at most timeout_ns: 0, or -ETIMEDOUT without a unit. */
int down_timeout(struct semaphore *sem, u64 timeout_ns);
void up(struct semaphore *sem);

#endif
