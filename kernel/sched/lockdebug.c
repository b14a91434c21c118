/*
 * Spinlock debugging (see kernel/sched/spinlock.h and docs/sched.md).
 *
 * Each CPU keeps a small table of the spinlocks it holds, with the address
 * they were taken from. A spinlock disables preemption, so its holder cannot
 * move to another CPU, and the scheduler's hand-over of the run-queue lock
 * across a context switch stays on one CPU too: a per-CPU table sees every
 * acquire and its release. Interrupt handlers on the same CPU nest inside it
 * and leave it as they found it; the table is only changed with interrupts
 * off, so a handler cannot split an update.
 *
 * Checks: taking a lock this CPU already holds (a certain deadlock, reported
 * with both sites), releasing one it does not hold (reported with the
 * holder, if any), holding more than LOCKDEBUG_DEPTH at once, and waiting
 * for one longer than LOCKDEBUG_STALL_NS (reported once, with its holder).
 */
#include "kernel/sched/lockdebug.h"
#include "kernel/cmdline.h"
#include "kernel/ksyms.h"
#include "kernel/panic.h"
#include "kernel/arch/percpu.h"
#include "kernel/console/printk.h"
#include "kernel/sched/spinlock.h"
#include "kernel/sched/thread.h"
#include "kernel/time/time.h"
#include "kernel/arch/x86.h"
#include "lib/parse.h"
#include "lib/printf.h"

#define LOCKDEBUG_DEPTH 16
#define LOCKDEBUG_STALL_NS (5 * NSEC_PER_SEC)

#ifdef CONFIG_LOCKDEBUG
bool lockdebug_enabled = true;
#else
bool lockdebug_enabled;
#endif

struct held_lock {
	spinlock_t *lock;
	u64 site;		/* return address of the call into the lock code */
};

/* Written only by the CPU it belongs to, with interrupts off. */
struct held_locks {
	unsigned int depth;
	struct held_lock held[LOCKDEBUG_DEPTH];
} __aligned(64);

static struct held_locks held_by_cpu[MAX_CPUS];

static struct held_lock *held_find(struct held_locks *h, spinlock_t *l)
{
	for (unsigned int i = 0; i < h->depth; i++)
		if (h->held[i].lock == l)
			return &h->held[i];
	return NULL;
}

/* Another CPU that holds l, for a report; racy, which a report can afford. */
static int held_find_other(spinlock_t *l, u64 *site)
{
	for (unsigned int cpu = 0; cpu < MAX_CPUS; cpu++) {
		struct held_locks *h = &held_by_cpu[cpu];
		unsigned int depth = READ_ONCE(h->depth);

		for (unsigned int i = 0; i < depth && i < LOCKDEBUG_DEPTH; i++)
			if (READ_ONCE(h->held[i].lock) == l) {
				*site = READ_ONCE(h->held[i].site);
				return (int)cpu;
			}
	}
	return -1;
}

static void held_push(spinlock_t *l, u64 site)
{
	unsigned long flags = irq_save();
	struct held_locks *h = &held_by_cpu[this_cpu_id()];
	char where[KSYM_FORMAT_MAX];

	if (h->depth == LOCKDEBUG_DEPTH) {
		ksym_format_return(where, sizeof(where), site);
		panic("lockdebug: CPU %u holds %d spinlocks; one more, %p, taken at %s",
		      this_cpu_id(), LOCKDEBUG_DEPTH, l, where);
	}
	h->held[h->depth].lock = l;
	h->held[h->depth].site = site;
	h->depth++;
	irq_restore(flags);
}

static void lockdebug_report_stall(spinlock_t *l, u64 site)
{
	char where[KSYM_FORMAT_MAX], holder_where[KSYM_FORMAT_MAX];
	u64 holder_site = 0;
	int holder = held_find_other(l, &holder_site);

	ksym_format_return(where, sizeof(where), site);
	ksym_format_return(holder_where, sizeof(holder_where), holder_site);
	pr_warn("lockdebug: CPU %u has waited %llu s at %s for spinlock %p, held by CPU %d since %s\n",
		this_cpu_id(), (unsigned long long)(LOCKDEBUG_STALL_NS / NSEC_PER_SEC), where, l,
		holder, holder >= 0 ? holder_where : "(not recorded)");
}

static void lockdebug_spin_wait(spinlock_t *l, u64 site)
{
	u16 me = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);
	u64 start = 0;
	unsigned int spins = 0;
	bool reported = false;

	while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != me) {
		cpu_relax();
		/* look at the clock rarely: the wait itself must stay cheap */
		if (++spins % 65536 || reported)
			continue;
		if (!start) {
			start = time_ns();
		} else if (time_ns() - start >= LOCKDEBUG_STALL_NS) {
			lockdebug_report_stall(l, site);
			reported = true;
		}
	}
}

void lockdebug_spin_acquire(spinlock_t *l)
{
	u64 site = (u64)__builtin_return_address(0);
	unsigned long flags = irq_save();
	struct held_lock *prev = held_find(&held_by_cpu[this_cpu_id()], l);

	if (unlikely(prev)) {
		char where[KSYM_FORMAT_MAX], first[KSYM_FORMAT_MAX];

		ksym_format_return(where, sizeof(where), site);
		ksym_format_return(first, sizeof(first), prev->site);
		panic("lockdebug: recursive spinlock %p on CPU %u: taken at %s, "
		      "already held since %s", l, this_cpu_id(), where, first);
	}
	irq_restore(flags);
	lockdebug_spin_wait(l, site);
	held_push(l, site);
}

void lockdebug_spin_trylocked(spinlock_t *l)
{
	held_push(l, (u64)__builtin_return_address(0));
}

void lockdebug_spin_release(spinlock_t *l)
{
	u64 site = (u64)__builtin_return_address(0);
	unsigned long flags = irq_save();
	struct held_locks *h = &held_by_cpu[this_cpu_id()];
	struct held_lock *entry = held_find(h, l);

	if (unlikely(!entry)) {
		char where[KSYM_FORMAT_MAX], holder_where[KSYM_FORMAT_MAX];
		u64 holder_site = 0;
		int holder = held_find_other(l, &holder_site);

		ksym_format_return(where, sizeof(where), site);
		ksym_format_return(holder_where, sizeof(holder_where), holder_site);
		if (holder >= 0)
			panic("lockdebug: CPU %u releases spinlock %p at %s, but CPU %d holds it "
			      "(taken at %s)", this_cpu_id(), l, where, holder, holder_where);
		panic("lockdebug: CPU %u releases spinlock %p at %s, which %s", this_cpu_id(), l,
		      where, spin_is_locked(l) ? "is held with no record of where it was taken"
						: "is not held");
	}
	/* keep the order: the report lists locks as they were taken */
	for (struct held_lock *e = entry; e + 1 < &h->held[h->depth]; e++)
		e[0] = e[1];
	h->depth--;
	spin_release_nodebug(l);
	irq_restore(flags);
}

int lockdebug_describe_held(char *buf, size_t len)
{
	unsigned long flags;
	struct held_locks *h;
	char where[KSYM_FORMAT_MAX];
	int n;

	if (!lockdebug_enabled)
		return snprintf(buf, len, " (boot with 'lockdebug' to see which lock)");
	flags = irq_save();
	h = &held_by_cpu[this_cpu_id()];
	if (!h->depth) {
		irq_restore(flags);
		return snprintf(buf, len, ", holding no spinlock (preempt_disable() not undone?)");
	}
	ksym_format_return(where, sizeof(where), h->held[h->depth - 1].site);
	n = snprintf(buf, len, ", holding spinlock %p taken at %s", h->held[h->depth - 1].lock,
		     where);
	if (h->depth > 1 && (size_t)n < len)
		n += snprintf(buf + n, len - n, " and %u more", h->depth - 1);
	irq_restore(flags);
	return n;
}

void lockdebug_atomic_sleep(const char *what, const char *file, int line)
{
	char held[2 * KSYM_FORMAT_MAX];
	struct thread *self = current_thread();

	lockdebug_describe_held(held, sizeof(held));
	panic("%s (%s:%d) may sleep, called in atomic context (preempt_count %d) by thread %s%s",
	      what, file, line, preempt_count(), self ? self->name : "?", held);
}

static int lockdebug_set(const char *value)
{
	bool on = true;
	int err = *value ? parse_bool(value, &on) : 0;

	if (err)
		return err;
	/* only at boot: no CPU holds a lock yet, so no release goes unmatched */
	lockdebug_enabled = on;
	if (on)
		pr_info("lockdebug: checking spinlock recursion, foreign unlocks and stalls\n");
	return 0;
}
CMDLINE_OPTION("lockdebug", lockdebug_set,
	       "check spinlocks: recursion, unlock by a non-holder, stalls (lockdebug[=0|1])");
