/*
 * The interrupt layer (see irq.h). Every legacy and dynamic vector, and each
 * system vector claimed with irq_request(), enters irq_entry() from the IDT.
 * Dynamic vectors are looked up in the table of the CPU that took the
 * interrupt, the others in one shared table. Counting is a plain increment
 * of a per-CPU counter: only its own CPU writes it, with interrupts off.
 */
#include "kernel/arch/irq.h"
#include "kernel/arch/apic.h"
#include "kernel/arch/exit_count.h"
#include "kernel/arch/idt.h"
#include "kernel/panic.h"
#include "kernel/arch/percpu.h"
#include "kernel/console/printk.h"
#include "kernel/sched/sched.h"
#include "kernel/mm/slab.h"
#include "kernel/sched/spinlock.h"
#include "kernel/arch/vector.h"
#include "kernel/arch/vectors.h"
#include "kernel/arch/x86.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "kernel/console/console.h"
#include "lib/string.h"

struct irq_action {
	irq_handler_fn fn;	/* NULL: nothing claimed it */
	void *arg;
	const char *name;
	/*
	 * Freed since it last had a handler: a message a device sent before
	 * its MSI/MSI-X entry was masked may still arrive (masking does not
	 * recall it), so one here is counted, not warned about.
	 */
	bool freed;
	/*
	 * Dynamic vectors: the CPU's count of this vector when it was last
	 * allocated or freed, so that `irqs` shows each handler its own
	 * interrupts, not those of the vector's earlier owners.
	 */
	u64 base;
};

/* One per CPU; written by the owning CPU (counts) or under irq_lock (the rest). */
struct irq_cpu {
	u64 count[IDT_VECTORS];
	struct irq_action dynamic[VECTOR_DYNAMIC_COUNT];
	struct vector_map map;
};

static spinlock_t irq_lock = SPINLOCK_INIT;	/* serialises claiming and freeing */
static struct irq_action shared[IDT_VECTORS];	/* legacy and system vectors */
static struct irq_cpu irq_cpu_boot;
static struct irq_cpu *irq_cpus[MAX_CPUS];
static bool warned_unclaimed[IDT_VECTORS];

static void irq_entry(struct trap_frame *tf, void *unused)
{
	u8 v = (u8)tf->vector;
	struct irq_cpu *ic = irq_cpus[this_cpu_id()];
	struct irq_action *a = vector_is_dynamic(v) ? &ic->dynamic[v - VECTOR_DYNAMIC_FIRST]
						    : &shared[v];
	irq_handler_fn fn = __atomic_load_n(&a->fn, __ATOMIC_ACQUIRE);

	ic->count[v]++;
	exit_count(EXIT_IRQ);
	if (fn)
		fn(a->arg);
	else if (!READ_ONCE(a->freed) &&
		 !__atomic_exchange_n(&warned_unclaimed[v], true, __ATOMIC_RELAXED))
		pr_warn("irq: vector %#x on CPU %u has no handler (logged once)\n",
			v, this_cpu_id());
	apic_eoi();
	if (tf->rflags & RFLAGS_IF)
		sched_irq_exit();
}

/* The APIC sends this when an interrupt vanished before it was acknowledged: no EOI. */
static void irq_spurious(struct trap_frame *tf, void *unused)
{
	irq_cpus[this_cpu_id()]->count[VECTOR_SPURIOUS]++;
}

void irq_init(void)
{
	for (unsigned int v = VECTOR_LEGACY_BASE; v <= VECTOR_DYNAMIC_LAST; v++)
		if (idt_set_handler(v, irq_entry, NULL))
			panic("irq: vector %#x is taken in the IDT", v);
	if (idt_set_handler(VECTOR_SPURIOUS, irq_spurious, NULL))
		panic("irq: the spurious vector is taken in the IDT");
	shared[VECTOR_SPURIOUS].name = "spurious";
}

void irq_init_cpu(void)
{
	unsigned int cpu = this_cpu_id();
	struct irq_cpu *ic;
	unsigned long flags;

	if (irq_cpus[cpu])
		return;		/* re-initialising a CPU keeps its vectors and counts */
	ic = cpu == 0 ? &irq_cpu_boot : kzalloc(sizeof(*ic));
	if (!ic)
		panic("irq: no memory for CPU %u's interrupt table", cpu);
	vector_map_init(&ic->map);
	flags = spin_lock_irqsave(&irq_lock);
	irq_cpus[cpu] = ic;
	spin_unlock_irqrestore(&irq_lock, flags);
}

int irq_request(u8 vector, irq_handler_fn fn, void *arg, const char *name)
{
	unsigned long flags;
	int err = 0;

	if (vector < VECTOR_LEGACY_BASE || vector_is_dynamic(vector) ||
	    vector == VECTOR_SPURIOUS || !fn)
		return -EINVAL;
	flags = spin_lock_irqsave(&irq_lock);
	if (shared[vector].fn) {
		err = -EBUSY;
		goto out;
	}
	/* system vectors enter through the IDT only once claimed */
	if (vector > VECTOR_DYNAMIC_LAST) {
		err = idt_set_handler(vector, irq_entry, NULL);
		if (err)
			goto out;
	}
	shared[vector].arg = arg;
	shared[vector].name = name;
	__atomic_store_n(&shared[vector].fn, fn, __ATOMIC_RELEASE);
out:
	spin_unlock_irqrestore(&irq_lock, flags);
	return err;
}

void irq_release(u8 vector)
{
	unsigned long flags;

	if (vector < VECTOR_LEGACY_BASE || vector_is_dynamic(vector) || vector == VECTOR_SPURIOUS)
		return;
	flags = spin_lock_irqsave(&irq_lock);
	if (shared[vector].fn && vector > VECTOR_DYNAMIC_LAST)
		idt_clear_handler(vector);
	__atomic_store_n(&shared[vector].fn, NULL, __ATOMIC_RELEASE);
	spin_unlock_irqrestore(&irq_lock, flags);
}

int irq_alloc_vector(unsigned int cpu, irq_handler_fn fn, void *arg, const char *name)
{
	struct irq_cpu *ic = cpu < MAX_CPUS ? irq_cpus[cpu] : NULL;
	unsigned long flags;
	int v;

	if (!fn)
		return -EINVAL;
	if (!ic)
		return -ENXIO;
	flags = spin_lock_irqsave(&irq_lock);
	v = vector_map_alloc(&ic->map);
	if (v >= 0) {
		struct irq_action *a = &ic->dynamic[v - VECTOR_DYNAMIC_FIRST];

		a->arg = arg;
		a->name = name;
		a->freed = false;
		a->base = READ_ONCE(ic->count[v]);
		__atomic_store_n(&a->fn, fn, __ATOMIC_RELEASE);
	}
	spin_unlock_irqrestore(&irq_lock, flags);
	return v;
}

void irq_free_vector(unsigned int cpu, u8 vector)
{
	struct irq_cpu *ic = cpu < MAX_CPUS ? irq_cpus[cpu] : NULL;
	unsigned long flags;

	if (!ic)
		return;
	flags = spin_lock_irqsave(&irq_lock);
	if (vector_map_free(&ic->map, vector) == 0) {
		struct irq_action *a = &ic->dynamic[vector - VECTOR_DYNAMIC_FIRST];

		WRITE_ONCE(a->freed, true);
		__atomic_store_n(&a->fn, NULL, __ATOMIC_RELEASE);
		a->base = READ_ONCE(ic->count[vector]);
	} else
		pr_warn("irq: freeing vector %#x of CPU %u, which is not allocated\n", vector, cpu);
	spin_unlock_irqrestore(&irq_lock, flags);
}

unsigned int irq_cpu_vectors(unsigned int cpu, char *names, size_t size)
{
	struct irq_cpu *ic = cpu < MAX_CPUS ? irq_cpus[cpu] : NULL;
	unsigned long flags;
	unsigned int n = 0;

	if (size)
		names[0] = 0;
	if (!ic)
		return 0;
	flags = spin_lock_irqsave(&irq_lock);
	for (unsigned int v = VECTOR_DYNAMIC_FIRST; v <= VECTOR_DYNAMIC_LAST; v++) {
		const char *name;

		if (!vector_map_is_used(&ic->map, v))
			continue;
		name = ic->dynamic[v - VECTOR_DYNAMIC_FIRST].name;
		if (n++ && size)
			strlcat(names, ",", size);
		if (size)
			strlcat(names, name ? name : "?", size);
	}
	spin_unlock_irqrestore(&irq_lock, flags);
	return n;
}

u64 irq_count(unsigned int cpu, u8 vector)
{
	struct irq_cpu *ic = cpu < MAX_CPUS ? READ_ONCE(irq_cpus[cpu]) : NULL;

	return ic ? READ_ONCE(ic->count[vector]) : 0;
}

/* --- the irqs command ---------------------------------------------------- */

void irq_vector_row(unsigned int v, int cpu, char *name, size_t size, u64 *count)
{
	struct irq_cpu *ic = cpu >= 0 && cpu < MAX_CPUS ? irq_cpus[cpu] : NULL;
	unsigned long flags;

	name[0] = 0;
	*count = 0;
	if (v >= IDT_VECTORS || vector_is_dynamic(v) != (cpu >= 0) || (cpu >= 0 && !ic))
		return;
	flags = spin_lock_irqsave(&irq_lock);
	if (cpu < 0) {
		if (shared[v].fn || v == VECTOR_SPURIOUS)
			strlcpy(name, shared[v].name ? shared[v].name : "?", size);
	} else {
		const struct irq_action *a = &ic->dynamic[v - VECTOR_DYNAMIC_FIRST];

		/* a name is kept, not copied: read only while the vector is allocated */
		if (vector_map_is_used(&ic->map, v))
			strlcpy(name, a->name ? a->name : "?", size);
		*count = READ_ONCE(ic->count[v]) - a->base;
	}
	spin_unlock_irqrestore(&irq_lock, flags);
}
