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
 *
 * CPU hotplug (kernel/arch/cpu_hotplug.c, docs/hotplug.md): a CPU going
 * offline has online cleared under its rq lock, so a waker that holds the
 * lock of the CPU it chose sees it and chooses again; it then runs only
 * its idle thread, which pushes its queued threads to online CPUs and
 * parks, halted with interrupts off, until cpu_up() wakes it with an NMI.
 */
#include "kernel/sched/sched.h"
#include "kernel/sched/idle_poll.h"
#include "kernel/io_wq/io_wq.h"
#include "kernel/ksyms.h"
#include "kernel/sched/lockdebug.h"
#include "kernel/arch/smp.h"
#include "kernel/mm/paging.h"
#include "kernel/time/time.h"
#include "kernel/arch/x86.h"
#include "kernel/console/printk.h"
#include "kernel/panic.h"
#include "kernel/sched/thread_internal.h"
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
			c->idle_poll.after_io = prev->in_iowait;
		}
	}
	/* a dying CPU leaves its threads queued for its idle thread to push away */
	next = unlikely(c->dying) ? NULL : rq_pick(rq);
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
	struct thread *self = current_thread();
	/* a pool worker going to sleep inside its work: the pool may start another */
	bool worker_sleeps = self->io_worker && READ_ONCE(self->state) == THREAD_BLOCKED;
	unsigned long flags;

	if (worker_sleeps)
		io_wq_worker_sleeping(self);
	flags = irq_save();

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
	if (worker_sleeps)
		io_wq_worker_running(self);
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

/*
 * An online CPU of t's set; the first online CPU when none of its set is
 * left (a thread bound to a CPU that went offline: cpu_down() widens its
 * set, this covers the moment before).
 */
unsigned int sched_fallback_cpu_of(struct thread *t)
{
	unsigned int id;

	for_each_cpu_in(id, &t->allowed)
		if (cpu_table[id] && READ_ONCE(cpu_table[id]->online))
			return id;
	return cpumask_first(&cpu_online_mask);
}

/* An online CPU in t's set with nothing to do, or t's own CPU. */
static unsigned int wake_select_cpu(struct thread *t)
{
	struct cpu *home = cpu_table[t->cpu];
	unsigned int id;

	if (!cpumask_test(&t->allowed, t->cpu) || !home || !READ_ONCE(home->online))
		return sched_fallback_cpu_of(t);
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
		goto not_woken;
	}
	WRITE_ONCE(t->state, THREAD_RUNNING);
	if (t->on_rq) {
		/* still queued or running: it will see the new state itself */
		spin_release(&rq->lock);
		goto woken;
	}
	t->on_rq = true;
	target = wake_select_cpu(t);
	for (;;) {
		if (target != t->cpu) {
			/* on_rq is set, so no other waker or balancer touches t meanwhile */
			WRITE_ONCE(t->cpu, target);
			spin_release(&rq->lock);
			rq = &cpu_table[target]->rq;
			spin_acquire(&rq->lock);
		}
		/* online is cleared under this lock: a CPU seen online here stays so */
		if (cpu_table[target]->online)
			break;
		target = sched_fallback_cpu_of(t);
	}
	rq_enqueue(rq, t);
	check_preempt(cpu_table[target], t);
	spin_release(&rq->lock);
woken:
	irq_restore(flags);
	preempt_enable();
	return true;
not_woken:
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

/* cpu_down(): on the CPU itself, from a call-function IPI. */
void sched_cpu_deactivate(void *unused)
{
	struct cpu *c = this_cpu();

	spin_acquire(&c->rq.lock);
	WRITE_ONCE(c->online, false);
	c->dying = true;
	spin_release(&c->rq.lock);
	cpumask_clear_atomic(&cpu_online_mask, c->id);
	c->need_resched = true;		/* off to the idle thread at the interrupt's exit */
}

/*
 * Move every queued thread of dying CPU c (this one, interrupts off) to an
 * online CPU, one at a time as thread_wake() moves one: on_rq stays set, so
 * nobody else touches t between the two locks.
 */
static void sched_push_queued(struct cpu *c)
{
	for (;;) {
		struct runqueue *rq;
		struct thread *t;
		unsigned int target;

		spin_acquire(&c->rq.lock);
		t = rq_pick(&c->rq);
		if (!t) {
			spin_release(&c->rq.lock);
			return;
		}
		target = sched_fallback_cpu_of(t);
		for (;;) {
			WRITE_ONCE(t->cpu, target);
			spin_release(&c->rq.lock);
			rq = &cpu_table[target]->rq;
			spin_acquire(&rq->lock);
			if (cpu_table[target]->online)
				break;
			spin_release(&rq->lock);
			spin_acquire(&c->rq.lock);
			target = cpumask_first(&cpu_online_mask);
		}
		rq_enqueue(rq, t);
		check_preempt(cpu_table[target], t);
		spin_release(&rq->lock);
	}
}

/*
 * The idle thread of a dying CPU: push its threads away, stop its tick and
 * halt with interrupts off. Only an NMI ends a halt then; cpu_up() sets
 * unpark and sends NMIs until the CPU is online (one that came before the
 * halt is lost, the next is not). Page tables may have changed while it
 * was parked without shoot-downs reaching it, so it flushes its TLB,
 * global entries too, before it runs anything again.
 */
static void sched_cpu_park(struct cpu *c)
{
	irq_disable();
	smp_call_queue_flush_dying();
	sched_push_queued(c);
	timer_cancel(&c->tick);
	__atomic_store_n(&c->parked, true, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&c->unpark, __ATOMIC_ACQUIRE))
		__asm__ volatile("hlt" ::: "memory");
	c->unpark = false;
	tlb_flush_all_local();
	c->last_account_tsc = rdtsc();	/* parked time is neither busy nor idle */
	sched_tick_start(c);
	spin_acquire(&c->rq.lock);
	c->dying = false;
	WRITE_ONCE(c->online, true);
	spin_release(&c->rq.lock);
	cpumask_set_atomic(&cpu_online_mask, c->id);
	__atomic_store_n(&c->parked, false, __ATOMIC_RELEASE);
	irq_enable();
}

static int idle_loop(void *arg)
{
	struct cpu *c = this_cpu();

	for (;;) {
		if (unlikely(READ_ONCE(c->dying)))
			sched_cpu_park(c);
		irq_disable();
		if (!c->need_resched && !c->rq.nr_queued && !sched_pull(c))
			idle_enter(c);
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
