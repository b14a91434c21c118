/*
 * Static keys (static_key.h): patching the NOP/JMP of every use site.
 *
 * Cross-modifying code is only safe when no CPU can fetch a site while it
 * is half written, so a patch stops the machine: the other online CPUs
 * take a call-function IPI and spin in it with interrupts off until the
 * patcher is done; the patcher writes the sites with CR0.WP cleared (the
 * text is mapped read-only) and interrupts off; the others then leave the
 * IPI through IRET, which serialises, and fetch the new bytes. An IPI
 * arrives between instructions, so no CPU stands inside a 5-byte site.
 * Under QEMU TCG a write to a page of translated code drops its
 * translations, so the emulator picks the patch up the same way.
 */
#include "kernel/arch/static_key.h"
#include "kernel/arch/percpu.h"
#include "kernel/arch/smp.h"
#include "kernel/arch/x86.h"
#include "kernel/panic.h"
#include "kernel/sched/mutex.h"
#include "kernel/sched/preempt.h"
#include "lib/string.h"

extern const struct static_key_site __static_key_sites_start[], __static_key_sites_end[];

#define CR0_WP BIT(16)		/* supervisor writes honour read-only pages */

static struct mutex static_key_lock = MUTEX_INIT(static_key_lock);

static const u8 static_key_nop5[5] = { 0x0f, 0x1f, 0x44, 0x00, 0x00 };

/* The rendezvous of one patch; the patcher's stack holds it while the others spin. */
struct static_key_stop {
	u32 arrived;		/* CPUs spinning in static_key_stop_fn */
	u32 done;		/* set by the patcher when the sites are written */
};

static void static_key_stop_fn(void *arg)
{
	struct static_key_stop *stop = arg;

	__atomic_fetch_add(&stop->arrived, 1, __ATOMIC_ACQ_REL);
	while (!__atomic_load_n(&stop->done, __ATOMIC_ACQUIRE))
		cpu_relax();
}

static void static_key_site_encode(const struct static_key_site *s, bool on, u8 out[5])
{
	if (!on) {
		memcpy(out, static_key_nop5, 5);
		return;
	}
	s32 rel = (s32)(s64)(s->target - (s->code + 5));

	out[0] = 0xe9;
	memcpy(&out[1], &rel, 4);
}

/* Write every site of key (the machine is stopped, interrupts are off). */
static unsigned int static_key_write_sites(const struct static_key *key, bool on)
{
	unsigned int n = 0;
	u64 cr0 = read_cr0();

	write_cr0(cr0 & ~CR0_WP);
	for (const struct static_key_site *s = __static_key_sites_start;
	     s < __static_key_sites_end; s++) {
		u8 want[5], was[5];

		if (s->key != (u64)(uintptr_t)key)
			continue;
		static_key_site_encode(s, !on, was);
		if (memcmp((const void *)(uintptr_t)s->code, was, 5) != 0) {
			write_cr0(cr0);
			panic("static_key: site %#llx holds neither the NOP nor its jump",
			      (unsigned long long)s->code);
		}
		static_key_site_encode(s, on, want);
		memcpy((void *)(uintptr_t)s->code, want, 5);
		n++;
	}
	write_cr0(cr0);
	return n;
}

static unsigned int static_key_patch(const struct static_key *key, bool on)
{
	struct static_key_stop stop = { 0, 0 };
	unsigned int others, n;
	unsigned long flags;
	cpumask_t mask;

	/*
	 * Interrupts off before the others stop, not after: an interrupt
	 * handler run here while another CPU is held could spin on a lock
	 * that CPU's interrupted context holds. Waiting with interrupts off
	 * cannot deadlock on our IPI either: a CPU that waits for one of its
	 * own calls with interrupts off runs its queue (ours) as it spins.
	 */
	flags = irq_save();
	preempt_disable();
	/* smp_call_function_many runs fn here too when the mask has us: it must not */
	mask = cpu_online_mask;
	cpumask_unset(&mask, this_cpu_id());
	others = cpumask_weight(&mask);
	if (others)
		smp_call_function_many(&mask, static_key_stop_fn, &stop, false);
	while (__atomic_load_n(&stop.arrived, __ATOMIC_ACQUIRE) < others)
		cpu_relax();
	n = static_key_write_sites(key, on);
	__atomic_store_n(&stop.done, 1, __ATOMIC_RELEASE);
	irq_restore(flags);
	/* the others read stop until they leave: wait for none, it is their exit */
	preempt_enable();
	return n;
}

unsigned int static_key_enable(struct static_key *key)
{
	unsigned int n = 0;

	mutex_lock(&static_key_lock);
	if (key->enabled++ == 0)
		n = static_key_patch(key, true);
	mutex_unlock(&static_key_lock);
	return n;
}

unsigned int static_key_disable(struct static_key *key)
{
	unsigned int n = 0;

	mutex_lock(&static_key_lock);
	if (key->enabled > 0 && --key->enabled == 0)
		n = static_key_patch(key, false);
	mutex_unlock(&static_key_lock);
	return n;
}

bool static_key_enabled(const struct static_key *key)
{
	return READ_ONCE(key->enabled) > 0;
}

unsigned int static_key_nr_sites(const struct static_key *key)
{
	unsigned int n = 0;

	for (const struct static_key_site *s = __static_key_sites_start;
	     s < __static_key_sites_end; s++)
		n += s->key == (u64)(uintptr_t)key;
	return n;
}
