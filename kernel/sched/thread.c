/*
 * Thread lifetimes: creation, start, exit, join, detach and freeing, sleeping,
 * and a snapshot of the thread list for `threads` (kernel/sched/sched_shell.c).
 * The scheduler proper is kernel/sched/sched.c.
 *
 * A thread holds two references: its own, dropped once it is off its CPU for
 * good, and its creator's, dropped by thread_join() or thread_detach(). The
 * last one frees the stack and the structure; when that is the thread's own
 * (detached threads), freeing is deferred to thread_reap(), which runs in the
 * idle loop and in thread_create(), because the switch path cannot unmap
 * stacks.
 */
#include "kernel/sched/thread.h"
#include "kernel/sched/thread_internal.h"
#include "kernel/sched/sched.h"
#include "kernel/console/console.h"
#include "kernel/mm/slab.h"
#include "kernel/mm/kstack.h"
#include "kernel/time/timer.h"
#include "kernel/time/time.h"
#include "kernel/panic.h"
#include "lib/cpulist.h"
#include "lib/errno.h"
#include "lib/string.h"

void thread_entry_asm(void);
void __noreturn thread_entry(struct thread *last);

static spinlock_t threads_lock = SPINLOCK_INIT;
static LIST_HEAD(all_threads);		/* protected by threads_lock */
static LIST_HEAD(reap_list);		/* protected by threads_lock */
static unsigned int nr_threads;		/* protected by threads_lock */
static unsigned int next_tid;		/* protected by threads_lock */

static const struct thread_io_ops *thread_io;	/* set once at boot */

void thread_io_ops_register(const struct thread_io_ops *ops)
{
	__atomic_store_n(&thread_io, ops, __ATOMIC_RELEASE);
}

static void thread_io_exit(struct thread *t)
{
	const struct thread_io_ops *ops = __atomic_load_n(&thread_io, __ATOMIC_ACQUIRE);

	if (ops)
		ops->exit(t);
}

static struct thread *thread_alloc(const char *name)
{
	struct thread *t = kzalloc(sizeof(*t));
	unsigned long flags;

	if (!t)
		return NULL;
	strlcpy(t->name, name, sizeof(t->name));
	t->prio = THREAD_PRIO_DEFAULT;
	t->state = THREAD_NEW;
	t->refs = 2;
	wait_queue_init(&t->exit_wait);
	INIT_LIST_HEAD(&t->rq_link);
	cpumask_fill_upto(&t->allowed, MAX_CPUS);	/* unbound: any CPU */
	flags = spin_lock_irqsave(&threads_lock);
	t->tid = next_tid++;
	list_add_tail(&t->all_link, &all_threads);
	nr_threads++;
	spin_unlock_irqrestore(&threads_lock, flags);
	return t;
}

/*
 * Freed thread stacks stay mapped for the next threads, as Linux's cached
 * stacks: unmapping one is a TLB shootdown, a synchronous IPI to every CPU,
 * and on an overcommitted VM (8 vCPUs on 2 host cores) each waits for a
 * host time slice; io-wq workers and bench jobs come and go. At most
 * THREAD_STACK_CACHE stacks are held.
 */
#define THREAD_STACK_CACHE 8
static spinlock_t stack_cache_lock = SPINLOCK_INIT;
static void *stack_cache[THREAD_STACK_CACHE];	/* tops; stack_cache_lock */
static unsigned int stack_cache_n;

static void *thread_stack_get(void)
{
	unsigned long flags = spin_lock_irqsave(&stack_cache_lock);
	void *top = stack_cache_n ? stack_cache[--stack_cache_n] : NULL;

	spin_unlock_irqrestore(&stack_cache_lock, flags);
	if (!top)
		return kstack_alloc(THREAD_STACK_SIZE);
	/* zeroed, as a new stack's pages are: no stale frames for a stack walk */
	memset((u8 *)top - THREAD_STACK_SIZE, 0, THREAD_STACK_SIZE);
	return top;
}

static void thread_stack_put(void *top)
{
	unsigned long flags = spin_lock_irqsave(&stack_cache_lock);

	if (stack_cache_n < THREAD_STACK_CACHE) {
		stack_cache[stack_cache_n++] = top;
		top = NULL;
	}
	spin_unlock_irqrestore(&stack_cache_lock, flags);
	if (top)
		kstack_free(top);
}

static void thread_free(struct thread *t)
{
	unsigned long flags = spin_lock_irqsave(&threads_lock);

	list_del(&t->all_link);
	nr_threads--;
	spin_unlock_irqrestore(&threads_lock, flags);
	/* a thread that never ran still holds what it inherited */
	thread_io_exit(t);
	if (t->stack_top)
		thread_stack_put(t->stack_top);
	kfree(t);
}

static void thread_put(struct thread *t)
{
	if (__atomic_sub_fetch(&t->refs, 1, __ATOMIC_ACQ_REL) == 0)
		thread_free(t);
}

struct thread *thread_create(const char *name, int (*fn)(void *arg), void *arg)
{
	return thread_create_flags(name, fn, arg, 0);
}

struct thread *thread_create_flags(const char *name, int (*fn)(void *arg), void *arg,
				   unsigned int flags)
{
	struct thread *t;
	u64 *sp;

	thread_reap();
	t = thread_alloc(name);
	if (!t)
		return ERR_PTR(-ENOMEM);
	t->stack_top = thread_stack_get();
	if (!t->stack_top) {
		t->refs = 1;
		thread_put(t);
		return ERR_PTR(-ENOMEM);
	}
	if (thread_io && thread_io->fork(current_thread(), t, flags & THREAD_CLONE_IO)) {
		t->refs = 1;
		thread_put(t);
		return ERR_PTR(-ENOMEM);
	}
	t->fn = fn;
	t->arg = arg;
	/* the frame sched_switch_to() pops: six callee-saved registers, then ret */
	sp = (u64 *)t->stack_top;
	*--sp = 0;				/* keeps the frame 16-byte aligned */
	*--sp = (u64)thread_entry_asm;
	for (int i = 0; i < 6; i++)
		*--sp = 0;
	t->rsp = (u64)sp;
	return t;
}

struct thread *thread_create_idle(int (*fn)(void *arg), unsigned int cpu)
{
	struct thread *t = thread_create("idle", fn, NULL);

	if (IS_ERR(t))
		return t;
	t->idle = true;
	t->prio = SCHED_NR_PRIO - 1;
	t->cpu = cpu;
	t->state = THREAD_RUNNING;
	cpumask_clear(&t->allowed);
	cpumask_set(&t->allowed, cpu);
	return t;
}

struct thread *thread_adopt_boot(const char *name, unsigned int cpu)
{
	struct thread *t = thread_alloc(name);

	if (!t)
		return ERR_PTR(-ENOMEM);
	t->cpu = cpu;
	t->state = THREAD_RUNNING;
	t->on_rq = true;
	cpumask_clear(&t->allowed);
	cpumask_set(&t->allowed, cpu);
	return t;
}

int thread_set_affinity(struct thread *t, const cpumask_t *cpus)
{
	unsigned int id;

	if (t->state != THREAD_NEW)
		return -EBUSY;
	/* active, not just online: a CPU on its way down takes no new thread */
	for_each_cpu_in(id, cpus)
		if (cpumask_test(&cpu_active_mask, id)) {
			t->allowed = *cpus;
			return 0;
		}
	return -EINVAL;
}

int thread_bind(struct thread *t, unsigned int cpu)
{
	cpumask_t one;

	cpumask_clear(&one);
	if (cpu >= MAX_CPUS)
		return -EINVAL;
	cpumask_set(&one, cpu);
	return thread_set_affinity(t, &one);
}

int thread_set_priority(struct thread *t, int prio)
{
	if (prio < 0 || prio >= SCHED_NR_PRIO)
		return -EINVAL;
	if (t->state != THREAD_NEW)
		return -EBUSY;
	t->prio = prio;
	return 0;
}

void thread_start(struct thread *t)
{
	sched_start_thread(t);
}

struct thread *thread_run(const char *name, int (*fn)(void *arg), void *arg)
{
	struct thread *t = thread_create(name, fn, arg);

	if (!IS_ERR(t))
		thread_start(t);
	return t;
}

/* First C code of a new thread, with the rq lock held and IRQs off. */
void thread_entry(struct thread *last)
{
	struct thread *self;

	sched_finish_switch(last);
	preempt_enable_no_resched();
	irq_enable();
	self = current_thread();
	thread_exit(self->fn(self->arg));
}

void thread_exit(int code)
{
	struct thread *self = current_thread();

	if (self->idle || !self->stack_top)
		panic("thread %s cannot exit", self->name);
	self->exit_code = code;
	thread_io_exit(self);
	irq_disable();
	self->state = THREAD_EXITING;
	schedule();
	panic("exited thread %s ran again", self->name);
}

void thread_reap_later(struct thread *last)
{
	unsigned long flags = spin_lock_irqsave(&last->exit_wait.lock);

	/* under the joiners' lock, so a joiner cannot free it while we wake it */
	last->state = THREAD_EXITED;
	wake_up_all_locked(&last->exit_wait);
	spin_unlock_irqrestore(&last->exit_wait.lock, flags);
	if (__atomic_sub_fetch(&last->refs, 1, __ATOMIC_ACQ_REL) == 0) {
		flags = spin_lock_irqsave(&threads_lock);
		list_add_tail(&last->rq_link, &reap_list);
		spin_unlock_irqrestore(&threads_lock, flags);
	}
}

void thread_reap(void)
{
	for (;;) {
		unsigned long flags = spin_lock_irqsave(&threads_lock);
		struct thread *t = list_first_entry_or_null(&reap_list, struct thread, rq_link);

		if (t)
			list_del(&t->rq_link);
		spin_unlock_irqrestore(&threads_lock, flags);
		if (!t)
			return;
		thread_free(t);
	}
}

int thread_join(struct thread *t)
{
	int code;

	wait_event(t->exit_wait, READ_ONCE(t->state) == THREAD_EXITED);
	code = t->exit_code;
	thread_put(t);
	return code;
}

void thread_detach(struct thread *t)
{
	thread_put(t);
}

unsigned int thread_count(void)
{
	thread_reap();
	return READ_ONCE(nr_threads);
}

struct thread *thread_get_by_tid(unsigned int tid)
{
	unsigned long flags = spin_lock_irqsave(&threads_lock);
	struct thread *t, *found = NULL;

	list_for_each_entry(t, &all_threads, all_link) {
		int refs;

		if (t->tid != tid)
			continue;
		/* never from 0: then it is being freed, or waits on the reap list */
		refs = __atomic_load_n(&t->refs, __ATOMIC_ACQUIRE);
		while (refs > 0 && !__atomic_compare_exchange_n(&t->refs, &refs, refs + 1, false,
								__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			;
		if (refs > 0)
			found = t;
		break;
	}
	spin_unlock_irqrestore(&threads_lock, flags);
	return found;
}

void thread_put_ref(struct thread *t)
{
	if (__atomic_sub_fetch(&t->refs, 1, __ATOMIC_ACQ_REL) == 0) {
		unsigned long flags = spin_lock_irqsave(&threads_lock);

		/* freed by thread_reap: the last put may be on a path that cannot free */
		list_add_tail(&t->rq_link, &reap_list);
		spin_unlock_irqrestore(&threads_lock, flags);
	}
}

struct sleeper {
	struct timer timer;
	struct thread *thread;
	volatile bool done;
};

static void sleeper_fire(struct timer *timer)
{
	struct sleeper *s = container_of(timer, struct sleeper, timer);

	s->done = true;
	thread_wake(s->thread);
}

void thread_sleep_ns(u64 ns)
{
	struct thread *self = current_thread();
	struct sleeper s = { .thread = self, .done = false };

	timer_setup(&s.timer, sleeper_fire);
	preempt_disable();	/* the timer must be armed on the CPU we block on */
	timer_arm(&s.timer, time_ns() + ns);
	preempt_enable();
	for (;;) {
		WRITE_ONCE(self->state, THREAD_BLOCKED);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);	/* state before done, as the waker */
		if (s.done)
			break;
		schedule();
	}
	WRITE_ONCE(self->state, THREAD_RUNNING);
	timer_cancel(&s.timer);
}

unsigned int thread_affinity_break(const cpumask_t *usable, struct thread_moved *out,
				   unsigned int max)
{
	unsigned long flags = spin_lock_irqsave(&threads_lock);
	unsigned int n = 0;
	struct thread *t;

	list_for_each_entry(t, &all_threads, all_link) {
		bool left = false;
		unsigned int id;

		if (t->idle || t->state == THREAD_EXITED)
			continue;
		for_each_cpu_in(id, &t->allowed)
			left |= cpumask_test(usable, id);
		if (left)
			continue;
		if (n < max) {
			out[n].tid = t->tid;
			out[n].cpu = cpumask_first(&t->allowed);
			strlcpy(out[n].name, t->name, sizeof(out[n].name));
		}
		n++;
		/* read without a lock by wakers: any value they see is a usable set */
		cpumask_fill_upto(&t->allowed, MAX_CPUS);
	}
	spin_unlock_irqrestore(&threads_lock, flags);
	return n;
}

void thread_rehome_from(unsigned int from)
{
	unsigned long flags = spin_lock_irqsave(&threads_lock);
	struct runqueue *rq = &cpu_table[from]->rq;
	struct thread *t;

	list_for_each_entry(t, &all_threads, all_link) {
		if (t->idle || READ_ONCE(t->cpu) != from)
			continue;
		/* t->cpu changes under the rq lock it names: wakers recheck it */
		spin_acquire(&rq->lock);
		if (t->cpu == from && !t->on_rq)
			WRITE_ONCE(t->cpu, sched_fallback_cpu_of(t));
		spin_release(&rq->lock);
	}
	spin_unlock_irqrestore(&threads_lock, flags);
}

const char *thread_state_name(const struct thread *t)
{
	switch (t->state) {
	case THREAD_NEW: return "new";
	case THREAD_RUNNING: return cpu_table[t->cpu] && cpu_table[t->cpu]->current == t ? "running" : "ready";
	case THREAD_BLOCKED: return "blocked";
	case THREAD_EXITING:
	case THREAD_EXITED: return "exited";
	}
	return "?";
}

unsigned int thread_snapshot(struct thread_info *out, unsigned int max)
{
	unsigned int n = 0;
	struct thread *t;
	unsigned long flags;

	flags = spin_lock_irqsave(&threads_lock);
	list_for_each_entry(t, &all_threads, all_link) {
		struct thread_info *ti;

		if (n == max)
			break;
		ti = &out[n++];
		ti->tid = t->tid;
		strlcpy(ti->name, t->idle ? "idle" : t->name, sizeof(ti->name));
		ti->state = thread_state_name(t);
		ti->cpu = t->cpu;
		ti->prio = t->prio;
		ti->allowed = t->allowed;
		ti->run_ns = t->run_ns;
	}
	spin_unlock_irqrestore(&threads_lock, flags);
	return n;
}
