/*
 * Sleeping mutexes (interface and rules in kernel/sched/mutex.h).
 *
 * The owner word holds the owning thread's address with MUTEX_WAITERS in bit
 * 0 (threads are at least 8-byte aligned). The uncontended lock and unlock
 * are one compare-and-swap each. A contended locker first spins a while,
 * then queues itself on m->wait, marks itself blocked and, in one atomic
 * step, either takes the mutex or sets MUTEX_WAITERS, so an unlock that
 * comes after that step sees the flag and wakes it: no wake-up is lost. The
 * unlocker clears the whole word and wakes the first waiter; the woken
 * thread retries and, if someone took the mutex meanwhile, sets the flag on
 * the new owner's word before it sleeps again. A waiter that takes the mutex
 * sets the flag again when others are still queued.
 */
#include "kernel/sched/mutex.h"
#include "kernel/sched/lockdebug.h"
#include "kernel/panic.h"
#include "kernel/arch/percpu.h"
#include "kernel/console/printk.h"
#include "kernel/sched/thread.h"
#include "kernel/arch/x86.h"

#define MUTEX_WAITERS 1UL
#define MUTEX_FLAGS MUTEX_WAITERS
/* Tries of a contended locker before it sleeps: a few microseconds. */
#define MUTEX_SPIN_TRIES 200

void mutex_init(struct mutex *m)
{
	m->owner = 0;
	wait_queue_init(&m->wait);
}

struct thread *mutex_owner(const struct mutex *m)
{
	return (struct thread *)(READ_ONCE(m->owner) & ~MUTEX_FLAGS);
}

bool mutex_trylock(struct mutex *m)
{
	unsigned long old = READ_ONCE(m->owner);

	/* a free mutex may still carry MUTEX_WAITERS: keep it */
	while (!(old & ~MUTEX_FLAGS)) {
		if (__atomic_compare_exchange_n(&m->owner, &old, old | (unsigned long)current_thread(),
						false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			return true;
	}
	return false;
}

/* Take m, or else mark it as having a sleeper; true if taken. */
static bool mutex_take_or_flag(struct mutex *m, struct thread *self)
{
	unsigned long old = READ_ONCE(m->owner);

	for (;;) {
		unsigned long new = old & ~MUTEX_FLAGS ? old | MUTEX_WAITERS
						       : old | (unsigned long)self;

		if (__atomic_compare_exchange_n(&m->owner, &old, new, false,
						__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			return !(old & ~MUTEX_FLAGS);
	}
}

static bool mutex_spin(struct mutex *m)
{
	for (int i = 0; i < MUTEX_SPIN_TRIES; i++) {
		if (!(READ_ONCE(m->owner) & ~MUTEX_FLAGS) && mutex_trylock(m))
			return true;
		cpu_relax();
	}
	return false;
}

static void __attribute__((noinline)) mutex_lock_slow(struct mutex *m)
{
	struct thread *self = current_thread();
	struct waiter w = { .thread = self };
	unsigned long flags;

	if (mutex_owner(m) == self)
		panic("mutex %p locked again by its owner, thread %s", m, self->name);
	if (mutex_spin(m))
		return;
	flags = spin_lock_irqsave(&m->wait.lock);
	list_add_tail(&w.link, &m->wait.waiters);
	for (;;) {
		WRITE_ONCE(self->state, THREAD_BLOCKED);
		if (mutex_take_or_flag(m, self))
			break;
		spin_unlock_irqrestore(&m->wait.lock, flags);
		schedule();
		flags = spin_lock_irqsave(&m->wait.lock);
	}
	WRITE_ONCE(self->state, THREAD_RUNNING);
	list_del(&w.link);
	/* the unlock that woke us cleared the flag; the others still need it */
	if (!list_empty(&m->wait.waiters))
		__atomic_fetch_or(&m->owner, MUTEX_WAITERS, __ATOMIC_RELAXED);
	spin_unlock_irqrestore(&m->wait.lock, flags);
}

void mutex_lock(struct mutex *m)
{
	unsigned long free = 0;

	might_sleep();
	if (likely(__atomic_compare_exchange_n(&m->owner, &free, (unsigned long)current_thread(),
					       false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)))
		return;
	mutex_lock_slow(m);
}

void mutex_unlock(struct mutex *m)
{
	unsigned long self = (unsigned long)current_thread();
	unsigned long old = self;

	if (likely(__atomic_compare_exchange_n(&m->owner, &old, 0, false,
					       __ATOMIC_RELEASE, __ATOMIC_RELAXED)))
		return;
	if (unlikely((old & ~MUTEX_FLAGS) != self)) {
		struct thread *owner = (struct thread *)(old & ~MUTEX_FLAGS);

		pr_warn("mutex %p unlocked by thread %s, but %s%s holds it\n", m,
			current_thread()->name, owner ? "thread " : "nobody", owner ? owner->name : "");
		WARN_ON(true);
		return;		/* not ours: leave it to its owner */
	}
	old = __atomic_exchange_n(&m->owner, 0, __ATOMIC_RELEASE);
	if (old & MUTEX_WAITERS)
		wake_up_one(&m->wait);
}
