/*
 * Counting semaphores (interface in kernel/sched/semaphore.h), built on a wait
 * queue: the count lives under the queue's lock, down() is wait_event() on
 * taking a unit, and up() wakes the first sleeper not already woken, so n
 * ups wake n threads and never the whole queue.
 */
#include "kernel/sched/semaphore.h"
#include "kernel/sched/thread.h"
#include "lib/errno.h"

void sema_init(struct semaphore *sem, unsigned int count)
{
	sem->count = count;
	wait_queue_init(&sem->wait);
}

bool down_trylock(struct semaphore *sem)
{
	unsigned long flags = spin_lock_irqsave(&sem->wait.lock);
	bool taken = sem->count > 0;

	if (taken)
		sem->count--;
	spin_unlock_irqrestore(&sem->wait.lock, flags);
	return taken;
}

void down(struct semaphore *sem)
{
	wait_event(sem->wait, down_trylock(sem));
}

int down_timeout(struct semaphore *sem, u64 timeout_ns)
{
	unsigned long flags;
	bool free_unit;

	if (wait_event_timeout(sem->wait, down_trylock(sem), timeout_ns))
		return 0;
	/*
	 * An up() may have woken us just as the time ran out: the unit it
	 * freed is still there, and its wake-up must go to another sleeper.
	 */
	flags = spin_lock_irqsave(&sem->wait.lock);
	free_unit = sem->count > 0;
	spin_unlock_irqrestore(&sem->wait.lock, flags);
	if (free_unit)
		wake_up_one(&sem->wait);
	return -ETIMEDOUT;
}

void up(struct semaphore *sem)
{
	unsigned long flags = spin_lock_irqsave(&sem->wait.lock);
	struct waiter *w;

	sem->count++;
	list_for_each_entry(w, &sem->wait.waiters, link)
		if (thread_wake(w->thread))
			break;
	spin_unlock_irqrestore(&sem->wait.lock, flags);
}
