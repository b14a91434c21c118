/*
 * CPU hotplug (cpu_hotplug.h, docs/hotplug.md): the order of a CPU's way
 * down and back up. One transition at a time (cpu_hotplug_lock).
 *
 * Down: the CPU leaves cpu_active_mask, so no layer gives it new work and
 * no new thread is bound to it; the layers' callbacks run while it still
 * runs and takes interrupts (blk-mq freezes each tag set, which completes
 * everything in flight, and rebuilds its CPU maps and interrupt vectors
 * without the CPU); threads bound to it get any CPU; then a call-function
 * IPI on the CPU clears it from the online mask and sends it to its idle
 * thread, which pushes its queued threads away and parks (kernel/sched/
 * sched.c). Its pending timers are moved here, and no interrupt vector may
 * be left on it.
 *
 * Up: unpark and an NMI (repeated: one that lands before the halt is
 * lost); the CPU flushes its TLB, restarts its tick and sets itself online;
 * then it is active again and the callbacks rebuild the maps over it.
 */
#include "kernel/arch/cpu_hotplug.h"
#include "kernel/arch/apic.h"
#include "kernel/arch/irq.h"
#include "kernel/arch/percpu.h"
#include "kernel/arch/smp.h"
#include "kernel/arch/x86.h"
#include "kernel/console/printk.h"
#include "kernel/sched/mutex.h"
#include "kernel/sched/sched.h"
#include "kernel/sched/thread.h"
#include "kernel/time/time.h"
#include "kernel/time/timer.h"
#include "lib/errno.h"

#define CPU_PARK_TIMEOUT_NS	(1000 * 1000 * 1000ULL)
#define CPU_UNPARK_TIMEOUT_NS	(1000 * 1000 * 1000ULL)
#define CPU_NMI_RESEND_NS	(1000 * 1000ULL)
#define CPU_MOVED_REPORT_MAX	8

static struct mutex cpu_hotplug_lock = MUTEX_INIT(cpu_hotplug_lock);
static const struct cpu_hotplug_callback *callbacks[CPU_HOTPLUG_MAX_CALLBACKS];
static unsigned int nr_callbacks;	/* protected by cpu_hotplug_lock */
static u64 transitions;			/* protected by cpu_hotplug_lock */

int cpu_hotplug_register(const struct cpu_hotplug_callback *cb)
{
	int err = 0;

	mutex_lock(&cpu_hotplug_lock);
	if (nr_callbacks == CPU_HOTPLUG_MAX_CALLBACKS)
		err = -ENOSPC;
	else
		callbacks[nr_callbacks++] = cb;
	mutex_unlock(&cpu_hotplug_lock);
	return err;
}

u64 cpu_hotplug_count(void)
{
	return READ_ONCE(transitions);
}

const char *cpu_hotplug_state(unsigned int cpu)
{
	struct cpu *c = cpu_get(cpu);

	if (!c)
		return "absent";
	if (READ_ONCE(c->online))
		return cpumask_test(&cpu_active_mask, cpu) ? "online" : "going-down";
	return READ_ONCE(c->parked) ? "offline" : "going-down";
}

/* Run the online callbacks of the first n layers (undo, or the way up). */
static void cpu_callbacks_online(unsigned int cpu, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (callbacks[i]->online)
			callbacks[i]->online(cpu);
}

static int cpu_callbacks_down(unsigned int cpu)
{
	for (unsigned int i = 0; i < nr_callbacks; i++) {
		int err = callbacks[i]->down_prepare ? callbacks[i]->down_prepare(cpu) : 0;

		if (err) {
			/* active again first: the undo rebuilds over the CPU, the failed one too */
			pr_err("cpu %u: %s refused to let it go: %d\n", cpu, callbacks[i]->name, err);
			cpumask_set_atomic(&cpu_active_mask, cpu);
			cpu_callbacks_online(cpu, i + 1);
			return err;
		}
	}
	return 0;
}

/* Threads bound to cpu now run anywhere: say which, as Linux does. */
static unsigned int cpu_threads_unbind(unsigned int cpu)
{
	struct thread_moved moved[CPU_MOVED_REPORT_MAX];
	unsigned int n = thread_affinity_break(&cpu_active_mask, moved, CPU_MOVED_REPORT_MAX);

	for (unsigned int i = 0; i < n && i < CPU_MOVED_REPORT_MAX; i++)
		pr_info("cpu %u: thread %s (tid %u) was bound to CPU %u: it now runs on any CPU\n",
			cpu, moved[i].name, moved[i].tid, moved[i].cpu);
	if (n > CPU_MOVED_REPORT_MAX)
		pr_info("cpu %u: and %u more bound threads\n", cpu, n - CPU_MOVED_REPORT_MAX);
	return n;
}

/* Poll cond for up to timeout_ns, sleeping in short steps; the last value. */
#define cpu_wait_until(cond, timeout_ns)					\
	({									\
		u64 _end = time_ns() + (timeout_ns);				\
		bool _ok;							\
		while (!(_ok = (cond)) && time_ns() < _end)			\
			thread_sleep_ns(20 * 1000);				\
		_ok;								\
	})

int cpu_down(unsigned int cpu, struct cpu_hotplug_times *times)
{
	struct cpu_hotplug_times t = { 0 };
	struct cpu *c = cpu_get(cpu);
	char names[96];
	u64 start = time_ns(), mark;
	int err;

	if (!c || cpu >= nr_cpus)
		return -EINVAL;
	if (cpu == 0)
		return -EBUSY;
	mutex_lock(&cpu_hotplug_lock);
	err = -EALREADY;
	if (!cpumask_test(&cpu_active_mask, cpu))
		goto unlock;
	err = -EBUSY;
	if (cpumask_weight(&cpu_active_mask) <= 1)
		goto unlock;
	cpumask_clear_atomic(&cpu_active_mask, cpu);
	mark = time_ns();
	err = cpu_callbacks_down(cpu);
	t.callbacks_ns = time_ns() - mark;
	if (err)
		goto unlock;
	t.threads_moved = cpu_threads_unbind(cpu);

	mark = time_ns();
	err = smp_call_function_single(cpu, sched_cpu_deactivate, NULL, true);
	if (!err && !cpu_wait_until(__atomic_load_n(&c->parked, __ATOMIC_ACQUIRE),
				    CPU_PARK_TIMEOUT_NS)) {
		/* its threads are still on it: leave it as it is, inactive */
		pr_err("cpu %u: did not park within a second (is something spinning with interrupts off?)\n",
		       cpu);
		err = -ETIMEDOUT;
		goto unlock;
	}
	if (err)
		goto unlock;
	t.park_ns = time_ns() - mark;
	timer_migrate_cpu(cpu);
	thread_rehome_from(cpu);
	if (irq_cpu_vectors(cpu, names, sizeof(names)))
		pr_warn("cpu %u: offline with interrupt vectors still aimed at it: %s\n", cpu, names);
	transitions++;
	t.total_ns = time_ns() - start;
	pr_info("cpu %u: offline\n", cpu);
unlock:
	mutex_unlock(&cpu_hotplug_lock);
	if (times)
		*times = t;
	return err;
}

int cpu_up(unsigned int cpu, struct cpu_hotplug_times *times)
{
	struct cpu_hotplug_times t = { 0 };
	struct cpu *c = cpu_get(cpu);
	u64 start = time_ns(), end;
	int err = 0;

	if (!c || cpu >= nr_cpus)
		return -EINVAL;
	mutex_lock(&cpu_hotplug_lock);
	if (!READ_ONCE(c->parked)) {
		err = -EALREADY;
		goto unlock;
	}
	__atomic_store_n(&c->unpark, true, __ATOMIC_RELEASE);
	end = start + CPU_UNPARK_TIMEOUT_NS;
	while (!READ_ONCE(c->online) && time_ns() < end) {
		unsigned long flags = irq_save();

		apic_send_ipi_nmi(c->apic_id);
		irq_restore(flags);
		cpu_wait_until(READ_ONCE(c->online), CPU_NMI_RESEND_NS);
	}
	if (!READ_ONCE(c->online)) {
		pr_err("cpu %u: did not come back within a second of NMIs\n", cpu);
		err = -ETIMEDOUT;
		goto unlock;
	}
	t.park_ns = time_ns() - start;
	cpumask_set_atomic(&cpu_active_mask, cpu);
	end = time_ns();
	cpu_callbacks_online(cpu, nr_callbacks);
	t.callbacks_ns = time_ns() - end;
	transitions++;
	t.total_ns = time_ns() - start;
	pr_info("cpu %u: online\n", cpu);
unlock:
	mutex_unlock(&cpu_hotplug_lock);
	if (times)
		*times = t;
	return err;
}
