/*
 * Inter-processor interrupts (the IPI half of smp.h): reschedule,
 * call-function on other CPUs, TLB shootdown on top of call-function, and
 * the NMI that stops the other CPUs at a panic.
 *
 * Call-function: each CPU has a queue of requests under its own lock. The
 * caller links a request into the target's queue and sends
 * VECTOR_CALL_FUNCTION; the target's handler takes the whole queue, runs
 * each function and marks its request done. A waiting caller spins with
 * interrupts enabled, so two CPUs that call each other both keep serving
 * their own queues; it also drains its own queue while it spins, which keeps
 * even a (warned about) caller with interrupts off from deadlocking.
 * A waited-for request lives on the caller's stack; a request nobody waits
 * for is allocated and freed by the target, unless the caller provides it
 * (smp_call_function_single_async: the storage is the caller's, e.g. in a
 * block request, and nothing is allocated).
 */
#include "kernel/arch/smp.h"
#include "boot/boot.h"
#include "kernel/arch/apic.h"
#include "kernel/arch/irq.h"
#include "kernel/panic.h"
#include "kernel/arch/percpu.h"
#include "kernel/console/printk.h"
#include "kernel/sched/sched.h"
#include "kernel/mm/slab.h"
#include "kernel/sched/spinlock.h"
#include "kernel/arch/vectors.h"
#include "kernel/arch/x86.h"
#include "lib/errno.h"
#include "lib/list.h"

/* Above this many pages a full flush is cheaper than invlpg one by one. */
#define TLB_FLUSH_MAX_PAGES	32
#define PAGE_SIZE_4K		4096ULL

struct call_request {
	struct call_single_data csd;	/* queued in the target's queue */
	bool free_when_done;		/* nobody waits: the target frees it */
	bool done;			/* set by the target after fn returned */
};

struct call_queue {
	spinlock_t lock;
	struct list_head requests;	/* struct call_single_data, protected by lock */
} __aligned(64);

static struct call_queue call_queues[MAX_CPUS];

static struct call_queue *call_queue(unsigned int cpu)
{
	struct call_queue *q = &call_queues[cpu];

	if (unlikely(!q->requests.next)) {
		unsigned long flags = spin_lock_irqsave(&q->lock);

		if (!q->requests.next)
			INIT_LIST_HEAD(&q->requests);
		spin_unlock_irqrestore(&q->lock, flags);
	}
	return q;
}

/* Run every request queued for this CPU; interrupts off. */
static void call_queue_run(void)
{
	struct call_queue *q = call_queue(this_cpu_id());
	struct list_head batch;
	struct call_single_data *csd, *next;

	spin_acquire(&q->lock);
	if (list_empty(&q->requests)) {
		spin_release(&q->lock);
		return;
	}
	INIT_LIST_HEAD(&batch);
	list_splice_tail_init(&q->requests, &batch);
	spin_release(&q->lock);
	list_for_each_entry_safe(csd, next, &batch, link) {
		struct call_request *r = container_of(csd, struct call_request, csd);
		bool async = csd->async, free_it = !async && r->free_when_done;

		/* an async csd may be reused as soon as fn begins: read nothing after */
		csd->fn(csd->arg);
		if (async)
			continue;
		/* after this store a waiter may reuse r: touch it no more */
		if (free_it)
			kfree(r);
		else
			__atomic_store_n(&r->done, true, __ATOMIC_RELEASE);
	}
}

static void call_function_interrupt(void *unused)
{
	call_queue_run();
}

static void reschedule_interrupt(void *unused)
{
	sched_resched_ipi();
}

static bool cpu_is_online(unsigned int cpu)
{
	struct cpu *c = cpu_get(cpu);

	return c && READ_ONCE(c->online);
}

void smp_send_reschedule(unsigned int cpu)
{
	if (cpu_is_online(cpu))
		apic_send_ipi(cpu_table[cpu]->apic_id, VECTOR_RESCHEDULE);
}

/*
 * Queue csd on cpu: -ENXIO when cpu is not online. Online is tested under
 * the queue's lock, and a CPU going offline runs its queue under that lock
 * after clearing online (smp_call_queue_flush_dying): a request is either
 * refused or run, never left on a parked CPU.
 */
static int call_request_queue(unsigned int cpu, struct call_single_data *csd)
{
	struct call_queue *q = call_queue(cpu);
	unsigned long flags = spin_lock_irqsave(&q->lock);

	if (!cpu_is_online(cpu)) {
		spin_unlock_irqrestore(&q->lock, flags);
		return -ENXIO;
	}
	list_add_tail(&csd->link, &q->requests);
	spin_unlock_irqrestore(&q->lock, flags);
	apic_send_ipi(cpu_table[cpu]->apic_id, VECTOR_CALL_FUNCTION);
	return 0;
}

void smp_call_queue_flush_dying(void)
{
	call_queue_run();
}

/* Spin until r is done, serving our own queue meanwhile. */
static void call_request_wait(struct call_request *r)
{
	while (!__atomic_load_n(&r->done, __ATOMIC_ACQUIRE)) {
		unsigned long flags = irq_save();

		call_queue_run();
		irq_restore(flags);
		cpu_relax();
	}
}

static void call_local(void (*fn)(void *arg), void *arg)
{
	unsigned long flags = irq_save();

	fn(arg);
	irq_restore(flags);
}

int smp_call_function_single(unsigned int cpu, void (*fn)(void *arg), void *arg, bool wait)
{
	struct call_request on_stack, *r = &on_stack;
	int err = 0;

	preempt_disable();
	if (cpu == this_cpu_id()) {
		call_local(fn, arg);
		goto out;
	}
	if (!cpu_is_online(cpu)) {
		err = -ENXIO;
		goto out;
	}
	WARN_ON(wait && !irqs_enabled());
	if (!wait) {
		r = kmalloc(sizeof(*r));
		if (!r) {
			r = &on_stack;	/* no memory: wait after all, it is still correct */
			wait = true;
		}
	}
	r->csd.fn = fn;
	r->csd.arg = arg;
	r->csd.async = false;
	r->free_when_done = !wait;
	r->done = false;
	err = call_request_queue(cpu, &r->csd);
	if (err) {
		if (r != &on_stack)
			kfree(r);
	} else if (wait) {
		call_request_wait(r);
	}
out:
	preempt_enable();
	return err;
}

int smp_call_function_single_async(unsigned int cpu, struct call_single_data *csd)
{
	csd->async = true;
	return call_request_queue(cpu, csd);
}

void smp_call_function_many(const cpumask_t *mask, void (*fn)(void *arg), void *arg, bool wait)
{
	struct call_request *reqs = NULL;
	unsigned int cpu, self, n = 0, i = 0;

	preempt_disable();
	self = this_cpu_id();
	for_each_cpu_in(cpu, mask)
		if (cpu != self && cpu_is_online(cpu))
			n++;
	if (n && wait) {
		WARN_ON(!irqs_enabled());
		reqs = kcalloc(n, sizeof(*reqs));
	}
	for_each_cpu_in(cpu, mask) {
		struct call_request *r;

		if (cpu == self || !cpu_is_online(cpu))
			continue;
		if (wait && !reqs) {
			/* no memory for a batch: one CPU at a time */
			smp_call_function_single(cpu, fn, arg, true);
			continue;
		}
		if (reqs) {
			if (i >= n)
				break;	/* a CPU came online since we counted */
			r = &reqs[i++];
			r->free_when_done = false;
		} else {
			r = kmalloc(sizeof(*r));
			if (!r) {
				smp_call_function_single(cpu, fn, arg, true);
				continue;
			}
			r->free_when_done = true;
		}
		r->csd.fn = fn;
		r->csd.arg = arg;
		r->csd.async = false;
		r->done = false;
		if (call_request_queue(cpu, &r->csd)) {
			/* it went offline since we looked: nothing to run there */
			if (r->free_when_done)
				kfree(r);
			else
				r->done = true;
		}
	}
	if (cpumask_test(mask, self))
		call_local(fn, arg);
	for (unsigned int k = 0; k < i; k++)
		call_request_wait(&reqs[k]);
	kfree(reqs);
	preempt_enable();
}

/* --- TLB shootdown -------------------------------------------------------- */

struct tlb_range {
	u64 start, end;
};

static void tlb_flush_local(void *arg)
{
	const struct tlb_range *range = arg;

	if ((range->end - range->start) / PAGE_SIZE_4K > TLB_FLUSH_MAX_PAGES) {
		/* kernel mappings are global: toggling CR4.PGE drops them too */
		u64 cr4 = read_cr4();

		write_cr4(cr4 ^ CR4_PGE);
		write_cr4(cr4);
		return;
	}
	for (u64 va = range->start & ~(PAGE_SIZE_4K - 1); va < range->end; va += PAGE_SIZE_4K)
		invlpg(va);
}

void tlb_flush_kernel_range(u64 start, u64 end)
{
	struct tlb_range range = { start, end };

	if (end <= start)
		return;
	/* this CPU first and directly, the others as they take the IPI */
	smp_call_function_many(&cpu_online_mask, tlb_flush_local, &range, true);
}

/* --- panic --------------------------------------------------------------- */

void smp_stop_other_cpus(void)
{
	unsigned int cpu, self = this_cpu_id();

	if (!apic_ready())
		return;
	for_each_online_cpu(cpu)
		if (cpu != self)
			apic_send_ipi_nmi(cpu_table[cpu]->apic_id);
}

/* --- boot ---------------------------------------------------------------- */

void ipi_init(void)
{
	if (irq_request(VECTOR_RESCHEDULE, reschedule_interrupt, NULL, "reschedule IPI") ||
	    irq_request(VECTOR_CALL_FUNCTION, call_function_interrupt, NULL, "call-function IPI"))
		panic("ipi: cannot claim the IPI vectors");
}
