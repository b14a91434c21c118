/*
 * Wait queues, completions and wait timeouts (interface in kernel/sched/wait.h).
 */
#include "kernel/sched/wait.h"
#include "kernel/arch/percpu.h"
#include "kernel/sched/thread.h"
#include "kernel/time/time.h"

void wait_queue_init(struct wait_queue *wq)
{
	spin_init(&wq->lock);
	INIT_LIST_HEAD(&wq->waiters);
}

void wait_prepare(struct wait_queue *wq, struct waiter *w)
{
	unsigned long flags = spin_lock_irqsave(&wq->lock);
	struct thread *self = current_thread();

	w->thread = self;
	list_add_tail(&w->link, &wq->waiters);
	WRITE_ONCE(self->state, THREAD_BLOCKED);
	spin_unlock_irqrestore(&wq->lock, flags);
}

void wait_finish(struct wait_queue *wq, struct waiter *w)
{
	unsigned long flags;

	WRITE_ONCE(current_thread()->state, THREAD_RUNNING);
	flags = spin_lock_irqsave(&wq->lock);
	list_del(&w->link);
	spin_unlock_irqrestore(&wq->lock, flags);
}

void wake_up_all_locked(struct wait_queue *wq)
{
	struct waiter *w;

	list_for_each_entry(w, &wq->waiters, link)
		thread_wake(w->thread);
}

void wake_up_all(struct wait_queue *wq)
{
	unsigned long flags = spin_lock_irqsave(&wq->lock);

	wake_up_all_locked(wq);
	spin_unlock_irqrestore(&wq->lock, flags);
}

void wake_up_one(struct wait_queue *wq)
{
	unsigned long flags = spin_lock_irqsave(&wq->lock);
	struct waiter *w;

	/* the first waiter not already woken: two wake-ups wake two threads */
	list_for_each_entry(w, &wq->waiters, link)
		if (thread_wake(w->thread))
			break;
	spin_unlock_irqrestore(&wq->lock, flags);
}

static void wait_timeout_fire(struct timer *timer)
{
	struct wait_timeout *to = container_of(timer, struct wait_timeout, timer);

	to->expired = true;
	thread_wake(to->thread);
}

void wait_timeout_start(struct wait_timeout *to, u64 timeout_ns)
{
	to->thread = current_thread();
	to->expired = false;
	timer_setup(&to->timer, wait_timeout_fire);
	preempt_disable();
	timer_arm(&to->timer, time_ns() + timeout_ns);
	preempt_enable();
}

void wait_timeout_stop(struct wait_timeout *to)
{
	timer_cancel(&to->timer);
}

void completion_init(struct completion *c)
{
	c->done = 0;
	wait_queue_init(&c->wait);
}

void reinit_completion(struct completion *c)
{
	c->done = 0;
}

void complete(struct completion *c)
{
	unsigned long flags = spin_lock_irqsave(&c->wait.lock);
	struct waiter *w;

	if (c->done != ~0U)
		c->done++;
	list_for_each_entry(w, &c->wait.waiters, link)
		if (thread_wake(w->thread))
			break;
	spin_unlock_irqrestore(&c->wait.lock, flags);
}

void complete_all(struct completion *c)
{
	unsigned long flags = spin_lock_irqsave(&c->wait.lock);

	c->done = ~0U;
	wake_up_all_locked(&c->wait);
	spin_unlock_irqrestore(&c->wait.lock, flags);
}

/* Take one completion if there is one; under the lock, so two waiters cannot both. */
static bool completion_take(struct completion *c)
{
	unsigned long flags = spin_lock_irqsave(&c->wait.lock);
	bool taken = c->done > 0;

	if (taken && c->done != ~0U)
		c->done--;
	spin_unlock_irqrestore(&c->wait.lock, flags);
	return taken;
}

void wait_for_completion(struct completion *c)
{
	wait_event(c->wait, completion_take(c));
}

void wait_for_completion_io(struct completion *c)
{
	io_wait_event(c->wait, completion_take(c));
}

bool io_wait_begin(void)
{
	struct thread *t = current_thread();
	bool was = t->in_iowait;

	t->in_iowait = true;
	return was;
}

void io_wait_end(bool was)
{
	current_thread()->in_iowait = was;
}

bool wait_for_completion_timeout(struct completion *c, u64 timeout_ns)
{
	return wait_event_timeout(c->wait, completion_take(c), timeout_ns);
}
