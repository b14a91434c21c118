/*
 * The scheduler core: run queues, schedule(), wake-ups, preemption, idle
 * threads and load balancing.
 *
 * Each CPU has a run queue (struct runqueue in struct cpu) with one FIFO per
 * priority. A thread is on at most one run queue; t->cpu names it and changes
 * only under that queue's lock. The lock is taken with interrupts off and is
 * held across the context switch: the thread switched to releases it in
 * sched_finish_switch(), so a thread being switched out is never seen
 * half-saved by another CPU.
 *
 * t->state says what the thread wants (run, sleep, exit); t->on_rq says
 * whether it is queued or running. A thread preempted just after it marked
 * itself blocked stays queued (it has not slept yet), so a wake-up that came
 * before can never be lost.
 */
#include "kernel/sched.h"
#include "kernel/ksyms.h"
#include "kernel/lockdebug.h"
#include "kernel/smp.h"
#include "kernel/time.h"
#include "kernel/x86.h"
#include "kernel/printk.h"
#include "kernel/panic.h"
#include "kernel/thread_internal.h"
#include "lib/errno.h"

struct thread *sched_switch_to(struct thread *prev, struct thread *next);

static unsigned int rq_highest_prio(struct runqueue *rq)
{
	return (unsigned int)__builtin_ctz(rq->prio_bits);
}

static void rq_enqueue(struct runqueue *rq, struct thread *t)
{
	list_add_tail(&t->rq_link, &rq->queue[t->prio]);
	rq->prio_bits |= 1U << t->prio;
	rq->nr_queued++;
}

static void rq_dequeue(struct runqueue *rq, struct thread *t)
{
	list_del(&t->rq_link);
	if (list_empty(&rq->queue[t->prio]))
		rq->prio_bits &= ~(1U << t->prio);
	rq->nr_queued--;
}

static struct thread *rq_pick(struct runqueue *rq)
{
	struct thread *t;

	if (!rq->nr_queued)
		return NULL;
	t = list_first_entry(&rq->queue[rq_highest_prio(rq)], struct thread, rq_link);
	rq_dequeue(rq, t);
	return t;
}

void runqueue_init(struct runqueue *rq)
{
	spin_init(&rq->lock);
	rq->nr_queued = 0;
	rq->prio_bits = 0;
	rq->switches = 0;
	for (int i = 0; i < SCHED_NR_PRIO; i++)
		INIT_LIST_HEAD(&rq->queue[i]);
}

/* Lock the run queue t is on; t->cpu may change until we hold it. */
static struct runqueue *thread_rq_lock(struct thread *t)
{
	for (;;) {
		unsigned int cpu = READ_ONCE(t->cpu);
		struct runqueue *rq = &cpu_table[cpu]->rq;

		spin_acquire(&rq->lock);
		if (READ_ONCE(t->cpu) == cpu)
			return rq;
		spin_release(&rq->lock);
	}
}

static void account(struct cpu *c, struct thread *prev)
{
	u64 now = rdtsc(), ns = tsc_to_ns(now - c->last_account_tsc);

	c->last_account_tsc = now;
	prev->run_ns += ns;
	if (prev->idle)
		c->idle_ns += ns;
	else
		c->busy_ns += ns;
}

/* Ask CPU c to reschedule: locally by flag, remotely by IPI. */
static void resched_cpu(struct cpu *c)
{
	if (c == this_cpu()) {
		c->need_resched = true;
		return;
	}
	if (!READ_ONCE(c->need_resched)) {
		WRITE_ONCE(c->need_resched, true);
		smp_send_reschedule(c->id);
	}
}

/* t was just queued on c's run queue (locked): does it preempt c's thread? */
static void check_preempt(struct cpu *c, struct thread *t)
{
	struct thread *curr = c->current;

	if (curr->idle || t->prio < curr->prio)
		resched_cpu(c);
}

/* Called by the thread switched to, with the rq lock held and IRQs off. */
struct thread *sched_finish_switch(struct thread *last)
{
	struct cpu *c = this_cpu();

	spin_release(&c->rq.lock);
	if (last->state == THREAD_EXITING)
		thread_reap_later(last);
	return last;
}

/*
 * The heart: pick the next thread and switch to it. preempted says the
 * current thread did not ask to stop (tick or wake-up), so it stays runnable
 * whatever its state says.
 */
static void __schedule(bool preempted)
{
	struct cpu *c = this_cpu();
	struct thread *prev = c->current, *next;
	struct runqueue *rq = &c->rq;

	spin_acquire(&rq->lock);
	c->need_resched = false;
	if (!prev->idle) {
		if (preempted || prev->state == THREAD_RUNNING) {
			if (!preempted || prev->slice_end_ns <= time_ns())
				prev->slice_end_ns = time_ns() + SCHED_SLICE_NS;
			rq_enqueue(rq, prev);
		} else {
			prev->on_rq = false;	/* blocked or exiting: off the CPU */
		}
	}
	next = rq_pick(rq);
	if (!next)
		next = c->idle;
	if (next == prev) {
		spin_release(&rq->lock);
		return;
	}
	account(c, prev);
	rq->switches++;
	c->current = next;
	next->cpu = c->id;
	sched_finish_switch(sched_switch_to(prev, next));
}

void schedule(void)
{
	unsigned long flags = irq_save();

	if (unlikely(preempt_count() != 0)) {
		char held[2 * KSYM_FORMAT_MAX];

		lockdebug_describe_held(held, sizeof(held));
		panic("schedule() while atomic (preempt_count %d) in thread %s%s",
		      preempt_count(), current_thread()->name, held);
	}
	preempt_disable();
	__schedule(false);
	preempt_enable_no_resched();
	irq_restore(flags);
}

/* From preempt_enable() at count zero with a reschedule pending. */
void preempt_schedule(void)
{
	unsigned long flags;

	if (!irqs_enabled())
		return;		/* the interrupt exit or irq_restore path will get it */
	flags = irq_save();
	preempt_disable();
	__schedule(true);
	preempt_enable_no_resched();
	irq_restore(flags);
}

void sched_irq_exit(void)
{
	struct cpu *c = this_cpu();

	if (c->need_resched && c->preempt_count == 0 && c->current) {
		preempt_disable();
		__schedule(true);
		preempt_enable_no_resched();
	}
}

void sched_resched_ipi(void)
{
	/* need_resched is set; sched_irq_exit() acts on it on the way out */
}

void thread_yield(void)
{
	unsigned long flags = irq_save();

	preempt_disable();
	current_thread()->slice_end_ns = 0;
	__schedule(true);
	preempt_enable_no_resched();
	irq_restore(flags);
}

/* An online CPU in t's set with nothing to do, or t's own CPU. */
static unsigned int wake_select_cpu(struct thread *t)
{
	struct cpu *home = cpu_table[t->cpu];
	unsigned int id;

	if (!cpumask_test(&t->allowed, t->cpu) || !home || !home->online) {
		for_each_cpu_in(id, &t->allowed)
			if (cpu_table[id] && cpu_table[id]->online)
				return id;
		return t->cpu;
	}
	if (home->current->idle && !home->rq.nr_queued)
		return t->cpu;
	for_each_cpu_in(id, &t->allowed) {
		struct cpu *c = cpu_table[id];

		if (c && c->online && c->current->idle && !READ_ONCE(c->rq.nr_queued))
			return id;
	}
	return t->cpu;
}

bool thread_wake(struct thread *t)
{
	unsigned long flags = irq_save();
	struct runqueue *rq;
	unsigned int target;

	preempt_disable();
	rq = thread_rq_lock(t);
	if (t->state != THREAD_BLOCKED) {
		spin_release(&rq->lock);
		goto out_false;
	}
	WRITE_ONCE(t->state, THREAD_RUNNING);
	if (t->on_rq) {
		/* still queued or running: it will see the new state itself */
		spin_release(&rq->lock);
		goto out_true;
	}
	t->on_rq = true;
	target = wake_select_cpu(t);
	if (target != t->cpu) {
		/* on_rq is set, so no other waker or balancer touches t meanwhile */
		WRITE_ONCE(t->cpu, target);
		spin_release(&rq->lock);
		rq = &cpu_table[target]->rq;
		spin_acquire(&rq->lock);
	}
	rq_enqueue(rq, t);
	check_preempt(cpu_table[target], t);
	spin_release(&rq->lock);
out_true:
	irq_restore(flags);
	preempt_enable();
	return true;
out_false:
	irq_restore(flags);
	preempt_enable();
	return false;
}

/* Make a NEW thread runnable on a CPU it is allowed on. */
void sched_start_thread(struct thread *t)
{
	unsigned long flags = irq_save();
	struct runqueue *rq;

	preempt_disable();
	t->cpu = this_cpu_id();
	rq = thread_rq_lock(t);
	t->state = THREAD_BLOCKED;	/* so that thread_wake() places it */
	t->on_rq = false;
	spin_release(&rq->lock);
	irq_restore(flags);
	preempt_enable();
	thread_wake(t);
}

/*
 * Idle balancing: take one queued, movable thread from the busiest other CPU.
 * Called by an idle CPU with interrupts off. Locks are taken in CPU order.
 */
static bool sched_pull(struct cpu *me)
{
	struct cpu *busiest = NULL;
	struct thread *t, *found = NULL;
	unsigned int id, most = 0;

	for_each_online_cpu(id) {
		struct cpu *c = cpu_table[id];

		if (c != me && READ_ONCE(c->rq.nr_queued) > most) {
			most = c->rq.nr_queued;
			busiest = c;
		}
	}
	if (!busiest)
		return false;
	if (busiest->id < me->id) {
		spin_acquire(&busiest->rq.lock);
		spin_acquire(&me->rq.lock);
	} else {
		spin_acquire(&me->rq.lock);
		spin_acquire(&busiest->rq.lock);
	}
	for (int p = 0; p < SCHED_NR_PRIO && !found; p++)
		list_for_each_entry(t, &busiest->rq.queue[p], rq_link)
			if (cpumask_test(&t->allowed, me->id)) {
				found = t;
				break;
			}
	if (found) {
		rq_dequeue(&busiest->rq, found);
		WRITE_ONCE(found->cpu, me->id);
		rq_enqueue(&me->rq, found);
		me->need_resched = true;
	}
	spin_release(&busiest->rq.lock);
	spin_release(&me->rq.lock);
	return found != NULL;
}

void sched_tick(void)
{
	struct cpu *c = this_cpu();
	struct thread *curr = c->current;
	unsigned int id;

	if (!curr)
		return;
	if (!curr->idle && c->rq.nr_queued && time_ns() >= curr->slice_end_ns)
		c->need_resched = true;
	if (c->rq.nr_queued < 1 || curr->idle)
		return;
	/* work is waiting here: wake one idle CPU to come and take it */
	for_each_online_cpu(id) {
		struct cpu *other = cpu_table[id];

		if (other != c && other->current->idle && !READ_ONCE(other->need_resched)) {
			resched_cpu(other);
			break;
		}
	}
}

static void sched_tick_fire(struct timer *tick)
{
	sched_tick();
	timer_arm(tick, time_ns() + SCHED_TICK_NS);
}

static void sched_tick_start(struct cpu *c)
{
	timer_setup(&c->tick, sched_tick_fire);
	timer_arm(&c->tick, time_ns() + SCHED_TICK_NS);
}

static int idle_loop(void *arg)
{
	struct cpu *c = this_cpu();

	for (;;) {
		irq_disable();
		if (!c->need_resched && !c->rq.nr_queued && !sched_pull(c))
			irq_enable_and_halt();
		irq_enable();
		if (c->need_resched || c->rq.nr_queued)
			schedule();
		thread_reap();
	}
	return 0;
}

/* The idle thread of this CPU, made from scratch; it runs only when chosen. */
static void sched_make_idle(struct cpu *c)
{
	struct thread *idle = thread_create_idle(idle_loop, c->id);

	if (IS_ERR(idle))
		panic("cannot create the idle thread of CPU %u", c->id);
	c->idle = idle;
}

void sched_init(void)
{
	struct cpu *c = this_cpu();

	c->last_account_tsc = rdtsc();
	c->current = thread_adopt_boot("main", c->id);
	sched_make_idle(c);
	c->online = true;
	sched_tick_start(c);
}

void sched_start_cpu(void)
{
	struct cpu *c = this_cpu();
	struct thread *idle = thread_adopt_boot("idle", c->id);

	if (IS_ERR(idle))
		panic("cannot create the idle thread of CPU %u", c->id);
	idle->idle = true;
	idle->prio = SCHED_NR_PRIO - 1;
	c->last_account_tsc = rdtsc();
	c->idle = idle;
	c->current = idle;
	c->online = true;
	sched_tick_start(c);
	irq_enable();
	idle_loop(NULL);
	__builtin_unreachable();
}
