/*
 * Per-CPU timers (interface in kernel/time/timer.h). Each CPU keeps its pending
 * timers in a list sorted by expiry under its own lock, and programs its
 * clock event for the first one. Arming, firing and re-arming stay on one
 * CPU in the common case, so no cache line is shared. A timer running its
 * function is recorded as the base's running timer, so that timer_cancel()
 * can wait for it to finish before its memory is reused.
 */
#include "kernel/time/timer.h"
#include "kernel/time/clockevent.h"
#include "kernel/arch/percpu.h"
#include "kernel/sched/spinlock.h"
#include "kernel/time/time.h"

struct timer_base {
	spinlock_t lock;
	struct list_head pending;	/* struct timer, sorted by expires_ns */
	struct timer *running;		/* whose fn is running now, or NULL */
} __aligned(64);

static struct timer_base bases[MAX_CPUS];

static struct timer_base *timer_base(unsigned int cpu)
{
	struct timer_base *b = &bases[cpu];

	if (unlikely(!b->pending.next))
		INIT_LIST_HEAD(&b->pending);	/* first use on this CPU; only it gets here */
	return b;
}

/* Lock the base t is pending on (t->cpu may change until we hold the lock). */
static struct timer_base *timer_lock_base(struct timer *t, unsigned long *flags)
{
	for (;;) {
		unsigned int cpu = READ_ONCE(t->cpu);
		struct timer_base *b = timer_base(cpu);

		*flags = spin_lock_irqsave(&b->lock);
		if (READ_ONCE(t->cpu) == cpu)
			return b;
		spin_unlock_irqrestore(&b->lock, *flags);
	}
}

void timer_setup(struct timer *t, void (*fn)(struct timer *t))
{
	t->fn = fn;
	t->pending = false;
	t->expires_ns = 0;
	t->cpu = 0;
	INIT_LIST_HEAD(&t->link);
}

static bool timer_detach(struct timer *t)
{
	if (!t->pending)
		return false;
	list_del_init(&t->link);
	t->pending = false;
	return true;
}

void timer_arm(struct timer *t, u64 expires_ns)
{
	unsigned long flags;
	struct timer_base *b = timer_lock_base(t, &flags), *here;
	struct timer *pos;

	timer_detach(t);
	here = timer_base(this_cpu_id());
	if (here != b) {
		spin_release(&b->lock);
		spin_acquire(&here->lock);
		b = here;
	}
	t->expires_ns = expires_ns;
	WRITE_ONCE(t->cpu, this_cpu_id());
	list_for_each_entry(pos, &b->pending, link)
		if (pos->expires_ns > expires_ns)
			break;
	list_add_tail(&t->link, &pos->link);	/* before the first later timer */
	t->pending = true;
	if (b->pending.next == &t->link)
		clockevent_set_next(expires_ns);
	spin_unlock_irqrestore(&b->lock, flags);
}

bool timer_cancel(struct timer *t)
{
	unsigned long flags;
	struct timer_base *b = timer_lock_base(t, &flags);
	bool was_pending = timer_detach(t);

	spin_unlock_irqrestore(&b->lock, flags);
	/* its function may be running on another CPU: let it finish */
	while (READ_ONCE(b->running) == t && b != timer_base(this_cpu_id()))
		cpu_relax();
	return was_pending;
}

void timer_interrupt(void)
{
	struct timer_base *b = timer_base(this_cpu_id());
	unsigned long flags = spin_lock_irqsave(&b->lock);

	for (;;) {
		struct timer *t = list_first_entry_or_null(&b->pending, struct timer, link);

		if (!t)
			break;
		if (t->expires_ns > time_ns()) {
			clockevent_set_next(t->expires_ns);
			break;
		}
		timer_detach(t);
		b->running = t;
		spin_unlock_irqrestore(&b->lock, flags);
		t->fn(t);
		flags = spin_lock_irqsave(&b->lock);
		b->running = NULL;
	}
	spin_unlock_irqrestore(&b->lock, flags);
}

void timer_migrate_cpu(unsigned int from)
{
	unsigned long flags = irq_save();
	unsigned int to = this_cpu_id();
	struct timer_base *src = timer_base(from), *dst = timer_base(to);
	struct timer *t, *pos;

	if (src == dst)
		goto out;
	/* nobody else holds two base locks: any order is free of deadlock */
	spin_acquire(&src->lock);
	spin_acquire(&dst->lock);
	while ((t = list_first_entry_or_null(&src->pending, struct timer, link))) {
		list_del(&t->link);
		list_for_each_entry(pos, &dst->pending, link)
			if (pos->expires_ns > t->expires_ns)
				break;
		list_add_tail(&t->link, &pos->link);
		WRITE_ONCE(t->cpu, to);
	}
	t = list_first_entry_or_null(&dst->pending, struct timer, link);
	if (t)
		clockevent_set_next(t->expires_ns);
	spin_release(&dst->lock);
	spin_release(&src->lock);
out:
	irq_restore(flags);
}
