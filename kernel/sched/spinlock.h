/*
 * Ticket spinlocks: fair (first come, first served), four bytes of state.
 * Holding one disables preemption on this CPU (kernel/sched/preempt.h). The
 * _irqsave forms also disable interrupts on this CPU, for locks that an
 * interrupt handler takes too.
 *
 * With lock debugging on (the `lockdebug` boot option, or `make LOCKDEBUG=1`;
 * kernel/sched/lockdebug.c) every acquire and release goes through an out-of-line
 * checker that records which CPU holds which lock and where it was taken, and
 * panics on recursion and on releasing a lock this CPU does not hold. Off, it
 * costs one predictable branch on lockdebug_enabled.
 */
#ifndef KERNEL_SCHED_SPINLOCK_H
#define KERNEL_SCHED_SPINLOCK_H

#include "lib/types.h"
#include "kernel/arch/x86.h"
#include "kernel/sched/preempt.h"

typedef struct spinlock {
	u16 next;	/* ticket handed to the next CPU that asks */
	u16 owner;	/* ticket now allowed in */
} spinlock_t;

#define SPINLOCK_INIT { 0, 0 }

static inline void spin_init(spinlock_t *l) { l->next = 0; l->owner = 0; }

/* Set by the `lockdebug` option before any lock is held; never cleared. */
extern bool lockdebug_enabled;
/* The checked forms, out of line so that they see their caller's address. */
void lockdebug_spin_acquire(spinlock_t *l);
void lockdebug_spin_release(spinlock_t *l);
void lockdebug_spin_trylocked(spinlock_t *l);

static inline void spin_acquire_nodebug(spinlock_t *l)
{
	u16 me = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);

	while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != me)
		cpu_relax();
}

static inline void spin_release_nodebug(spinlock_t *l)
{
	__atomic_store_n(&l->owner, (u16)(l->owner + 1), __ATOMIC_RELEASE);
}

/* acquire without touching preemption: for callers that manage it */
static inline void spin_acquire(spinlock_t *l)
{
	if (unlikely(lockdebug_enabled))
		lockdebug_spin_acquire(l);
	else
		spin_acquire_nodebug(l);
}

static inline void spin_release(spinlock_t *l)
{
	if (unlikely(lockdebug_enabled))
		lockdebug_spin_release(l);
	else
		spin_release_nodebug(l);
}

static inline void spin_lock(spinlock_t *l)
{
	preempt_disable();
	spin_acquire(l);
}

static inline bool spin_trylock(spinlock_t *l)
{
	u16 owner = __atomic_load_n(&l->owner, __ATOMIC_RELAXED);
	u32 old = ((u32)owner << 16) | owner, new = ((u32)owner << 16) | (u16)(owner + 1);

	preempt_disable();
	/* next and owner are adjacent: take a ticket only if it is served at once */
	if (__atomic_compare_exchange_n((u32 *)l, &old, new, false,
					__ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
		if (unlikely(lockdebug_enabled))
			lockdebug_spin_trylocked(l);
		return true;
	}
	preempt_enable();
	return false;
}

static inline void spin_unlock(spinlock_t *l)
{
	spin_release(l);
	preempt_enable();
}

static inline bool spin_is_locked(spinlock_t *l)
{
	return __atomic_load_n(&l->owner, __ATOMIC_RELAXED) !=
	       __atomic_load_n(&l->next, __ATOMIC_RELAXED);
}

static inline unsigned long spin_lock_irqsave(spinlock_t *l)
{
	unsigned long flags = irq_save();

	preempt_disable();
	spin_acquire(l);
	return flags;
}

static inline void spin_unlock_irqrestore(spinlock_t *l, unsigned long flags)
{
	spin_release(l);
	irq_restore(flags);
	preempt_enable();
}

#endif
