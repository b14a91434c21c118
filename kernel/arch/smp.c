/*
 * Bringing up the application processors. The boot CPU gives each enabled
 * CPU of the MADT a struct cpu, a kernel stack, GDT/TSS and IST stacks in
 * an entry of smp_ap_table, then wakes them all together with INIT and
 * startup IPIs (Intel SDM vol. 3A, 8.4.4.1; MP spec B.4) through the
 * trampoline page (boot/trampoline.S), where each AP finds its entry by its
 * APIC ID. Each arrives in smp_ap_entry() and waits; the BSP numbers those
 * that came in MADT order and lets them go; each sets itself up and becomes
 * the idle thread of its run queue. See docs/smp.md.
 */
#include "boot/trampoline.h"
#include "kernel/acpi/acpi.h"
#include "kernel/arch/apic.h"
#include "kernel/time/clockevent.h"
#include "kernel/cmdline.h"
#include "kernel/arch/gdt.h"
#include "kernel/arch/idt.h"
#include "kernel/mm/ioremap.h"
#include "kernel/mm/kstack.h"
#include "kernel/mm/mm.h"
#include "kernel/mm/paging.h"
#include "kernel/arch/percpu.h"
#include "kernel/console/printk.h"
#include "kernel/sched/sched.h"
#include "kernel/mm/slab.h"
#include "kernel/arch/smp.h"
#include "kernel/arch/cpu_protect.h"
#include "kernel/sched/thread_internal.h"
#include "kernel/time/time.h"
#include "kernel/arch/x86.h"
#include "lib/errno.h"
#include "lib/parse.h"
#include "lib/string.h"

STATIC_ASSERT(offsetof(struct smp_trampoline_params, started) == TP_STARTED);
STATIC_ASSERT(offsetof(struct smp_trampoline_params, cr3) == TP_CR3);
STATIC_ASSERT(offsetof(struct smp_trampoline_params, efer) == TP_EFER);
STATIC_ASSERT(sizeof(struct smp_trampoline_params) == TP_SIZE);

#define SMP_AP_STACK_SIZE	(16 * 1024UL)
#define SMP_INIT_DELAY_US	10000	/* INIT to first startup IPI (SDM 8.4.4.1) */
#define SMP_INIT_DELAY_MODERN_US 10	/* the same where the APIC is the CPU's own (below) */
#define SMP_SIPI_DELAY_US	200	/* between the two startup IPIs */
#define SMP_POLL_US		20	/* how often the BSP looks for arrivals */
/*
 * An AP's own setup takes well under a millisecond, but under TCG on a
 * loaded host its vCPU thread can wait for a host CPU for far longer; a
 * second costs nothing when APs answer and keeps a busy host's CPUs.
 */
#define SMP_ONLINE_TIMEOUT_NS	(1000 * 1000 * 1000ULL)
/* some AP reached the trampoline and is not in yet: alive, only slow (a busy TCG host) */
#define SMP_STARTED_TIMEOUT_NS	(2000 * 1000 * 1000ULL)

/*
 * struct smp_ap state: the BSP and a late AP race to set it. The AP
 * claims its start on arrival and waits for GO; the BSP gives up only if
 * it claims first. An AP that finds its start given up halts for good, and
 * the BSP never frees what such an AP may still touch (its struct cpu,
 * tables and stacks).
 */
enum { SMP_AP_STARTING, SMP_AP_ARRIVED, SMP_AP_ABANDONED, SMP_AP_GO, SMP_AP_READY };

/*
 * One AP being started, and what it owns besides its struct cpu, so that a
 * failed start can be undone. The first fields are read by
 * smp_ap_start64 (boot/trampoline.h).
 */
struct smp_ap {
	u32 apic_id;			/* SMP_AP_APIC_ID: as the MADT gives it */
	u32 state;			/* SMP_AP_*, atomic */
	void *stack_top;		/* SMP_AP_STACK */
	bool woke;			/* the AP left its wait for GO: no more NMIs */
	struct cpu *cpu;
	struct cpu_tables *tables;
	void *ist_top[IST_COUNT];
};
STATIC_ASSERT(offsetof(struct smp_ap, apic_id) == SMP_AP_APIC_ID);
STATIC_ASSERT(offsetof(struct smp_ap, stack_top) == SMP_AP_STACK);

static unsigned int smp_max_cpus = MAX_CPUS;
static struct kmem_cache *cpu_cache;
/*
 * The APs being started, looked up by APIC ID in smp_ap_start64. Written
 * by the BSP before any startup IPI and left as it is after (a late AP may
 * still look), so it is never freed or rewritten.
 */
struct smp_ap *smp_ap_table[ACPI_MAX_CPUS];
u32 smp_ap_count;

/* MADT CPUs that are not running, for `cpus`; written only by smp_init(). */
static struct smp_offline_cpu smp_offline[ACPI_MAX_CPUS];
static unsigned int smp_nr_offline;

static int smp_maxcpus_set(const char *value)
{
	u32 n;

	if (parse_u32(value, &n) || n == 0)
		return -EINVAL;
	smp_max_cpus = min(n, (u32)MAX_CPUS);
	return 0;
}
CMDLINE_OPTION("maxcpus", smp_maxcpus_set, "bring up at most N CPUs, the boot CPU included");

unsigned int smp_offline_cpus(const struct smp_offline_cpu **out)
{
	*out = smp_offline;
	return smp_nr_offline;
}

static void smp_offline_add(u32 apic_id, const char *reason)
{
	if (smp_nr_offline < ACPI_MAX_CPUS)
		smp_offline[smp_nr_offline++] = (struct smp_offline_cpu){ apic_id, reason };
}

/*
 * The AP's first C code, on its own stack, with interrupts off, on the
 * trampoline's GDT and no IDT: claim the start, wait for the BSP to give
 * this CPU its number (numbers follow the MADT's order among the CPUs that
 * came, whatever order they came in), then what makes this_cpu() and
 * faults work, then the local APIC and its timer, then the scheduler.
 */
void __noreturn smp_ap_entry(struct smp_ap *ap);
void __noreturn smp_ap_entry(struct smp_ap *ap)
{
	u32 expected = SMP_AP_STARTING;
	struct cpu *c = ap->cpu;

	if (__atomic_load_n(&ap->state, __ATOMIC_ACQUIRE) == SMP_AP_ABANDONED)
		goto abandoned;
	/*
	 * Before we say we are here (the BSP's NMI may follow at once): GS on
	 * our struct cpu (whose nmi_expected keeps the NMI handler quiet), our
	 * own GDT, TSS and IST stacks, the IDT. Only our own memory, which
	 * the BSP keeps even for a start it gave up.
	 */
	c->self = c;
	wrmsr(MSR_GS_BASE, (u64)c);
	gdt_init_cpu(ap->tables, ap->ist_top[IST_DOUBLE_FAULT - 1],
		     ap->ist_top[IST_NMI - 1], ap->ist_top[IST_MACHINE_CHECK - 1]);
	idt_load();
	if (!__atomic_compare_exchange_n(&ap->state, &expected, SMP_AP_ARRIVED, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		goto abandoned;
	/*
	 * Wait halted, not spinning (a spinning vCPU holds up the others under
	 * TCG's one-thread modes): the BSP's NMI wakes the halt. It may come
	 * just before the hlt: the BSP sends it again until we say we woke.
	 */
	while (__atomic_load_n(&ap->state, __ATOMIC_ACQUIRE) != SMP_AP_GO)
		__asm__ volatile("cli; hlt" ::: "memory");
	__atomic_store_n(&ap->woke, true, __ATOMIC_RELEASE);
	percpu_install(c);
	cpu_protect_init();
	/* the trampoline page is unmapped once every AP is up */
	invlpg(mm_trampoline_phys);
	apic_init_cpu();
	clockevent_init_cpu();
	__atomic_store_n(&ap->state, SMP_AP_READY, __ATOMIC_RELEASE);
	sched_start_cpu();

abandoned:
	/* the BSP gave this start up and moved on */
	for (;;)
		__asm__ volatile("cli; hlt" ::: "memory");
}

static void smp_ap_free(struct smp_ap *ap)
{
	for (int i = 0; i < IST_COUNT; i++)
		if (ap->ist_top[i])
			kstack_free(ap->ist_top[i]);
	if (ap->stack_top)
		kstack_free(ap->stack_top);
	kfree(ap->tables);
	if (ap->cpu)
		kmem_cache_free(cpu_cache, ap->cpu);
	kfree(ap);
}

static int smp_ap_alloc(struct smp_ap *ap, u32 apic_id)
{
	memset(ap, 0, sizeof(*ap));
	ap->cpu = kmem_cache_zalloc(cpu_cache);
	ap->tables = kzalloc(sizeof(*ap->tables));
	ap->stack_top = kstack_alloc(SMP_AP_STACK_SIZE);
	for (int i = 0; i < IST_COUNT; i++)
		ap->ist_top[i] = kstack_alloc(GDT_IST_STACK_SIZE);
	if (!ap->cpu || !ap->tables || !ap->stack_top || !ap->ist_top[0] || !ap->ist_top[1] ||
	    !ap->ist_top[2]) {
		smp_ap_free(ap);
		return -ENOMEM;
	}
	ap->apic_id = apic_id;
	ap->cpu->apic_id = apic_id;
	ap->cpu->arch = ap->tables;
	runqueue_init(&ap->cpu->rq);
	return 0;
}

/*
 * The 10 ms between INIT and the startup IPI is for processors with an
 * external APIC. Like Linux (init_udelay), Intel family 6 and later, AMD
 * family 0xF and later, and any virtual CPU (CPUID's hypervisor bit) take
 * the startup IPI at once: waiting 10 ms per AP is most of an 8-CPU boot.
 */
static unsigned int smp_init_delay_us(void)
{
	u32 max, a, b, c, d, family;
	bool intel, amd;

	cpuid(0, 0, &max, &b, &c, &d);
	intel = b == 0x756e6547 && d == 0x49656e69 && c == 0x6c65746e;	/* GenuineIntel */
	amd = b == 0x68747541 && d == 0x69746e65 && c == 0x444d4163;	/* AuthenticAMD */
	if (max < 1)
		return SMP_INIT_DELAY_US;
	cpuid(1, 0, &a, &b, &c, &d);
	if (c & (1u << 31))
		return SMP_INIT_DELAY_MODERN_US;
	family = (a >> 8) & 0xf;
	if (family == 0xf)
		family += (a >> 20) & 0xff;
	if ((intel && family >= 6) || (amd && family >= 0xf))
		return SMP_INIT_DELAY_MODERN_US;
	return SMP_INIT_DELAY_US;
}

/*
 * Poll until cond holds or deadline_ns passes; the condition's last value.
 * It spins: under TCG's one-thread modes (-icount) a BSP that sleeps here
 * was measured to let the APs wait 135 ms for their startup IPIs, one that
 * spins hands them the CPU at its next timer deadline.
 */
#define smp_wait_until(cond, deadline_ns)				\
	({								\
		bool _ok;						\
		while (!(_ok = (cond)) && time_ns() < (deadline_ns))	\
			udelay(SMP_POLL_US);				\
		_ok;							\
	})

/* Every AP in [0, n) has left SMP_AP_STARTING (arrived, or given up on). */
static bool smp_all_arrived(unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (__atomic_load_n(&smp_ap_table[i]->state, __ATOMIC_ACQUIRE) == SMP_AP_STARTING)
			return false;
	return true;
}

/* Set up and scheduling: the scheduler looks at current of every CPU in the mask. */
static bool smp_ap_is_up(struct smp_ap *ap)
{
	return __atomic_load_n(&ap->state, __ATOMIC_ACQUIRE) == SMP_AP_READY &&
	       READ_ONCE(ap->cpu->online) && READ_ONCE(ap->cpu->current);
}

/* Wake an AP waiting halted for GO; counted first, so that its handler stays quiet. */
static void smp_ap_nmi(struct smp_ap *ap)
{
	__atomic_add_fetch(&ap->cpu->nmi_expected, 1, __ATOMIC_ACQ_REL);
	apic_send_ipi_nmi(ap->apic_id);
}

static bool smp_all_up(unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		struct smp_ap *ap = smp_ap_table[i];
		u32 state = __atomic_load_n(&ap->state, __ATOMIC_ACQUIRE);

		if (state != SMP_AP_ABANDONED && !smp_ap_is_up(ap))
			return false;
	}
	return true;
}

/*
 * Start the APs of smp_ap_table together (SDM vol. 3A 8.4.4.1): INIT, the
 * INIT delay and a startup IPI to each in turn (10 us on modern CPUs, 10 ms
 * only for CPUs with an external APIC: smp_init_delay_us), one SIPI delay
 * for all, a second startup IPI only to those not yet in, then poll for
 * arrivals: nobody waits for one AP's arrival before starting the next.
 * The INIT delay sleeps (at least as long as asked): under -icount an AP's
 * vCPU runs its INIT only when the BSP's stops, and a spinning BSP made each
 * AP wait for the next timer tick (26 ms for 7 APs, 4 ms sleeping). INIT to
 * all and then a startup IPI to all was slower there still (135 ms).
 * Returns how many arrived; those that did not are ABANDONED and parked by
 * INIT, with a message each.
 */
static unsigned int smp_aps_wake(volatile struct smp_trampoline_params *tp, unsigned int n)
{
	u8 vector = (u8)(mm_trampoline_phys >> PAGE_SHIFT);
	unsigned int arrived = 0, started;
	u64 deadline;

	tp->started = 0;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (unsigned int i = 0; i < n; i++) {
		apic_send_init(smp_ap_table[i]->apic_id);
		thread_sleep_ns(smp_init_delay_us() * NSEC_PER_USEC);
		apic_send_startup(smp_ap_table[i]->apic_id, vector);
	}
	udelay(SMP_SIPI_DELAY_US);
	for (unsigned int i = 0; i < n; i++)
		if (__atomic_load_n(&smp_ap_table[i]->state, __ATOMIC_ACQUIRE) == SMP_AP_STARTING)
			apic_send_startup(smp_ap_table[i]->apic_id, vector);
	deadline = time_ns() + SMP_ONLINE_TIMEOUT_NS;
	if (!smp_wait_until(smp_all_arrived(n), deadline)) {
		/* an AP counted in by the trampoline but not here yet is slow, not missing */
		for (unsigned int i = 0; i < n; i++)
			if (__atomic_load_n(&smp_ap_table[i]->state, __ATOMIC_ACQUIRE) != SMP_AP_STARTING)
				arrived++;
		if (tp->started > arrived)
			smp_wait_until(smp_all_arrived(n), deadline + SMP_STARTED_TIMEOUT_NS);
	}
	started = tp->started;
	arrived = 0;
	for (unsigned int i = 0; i < n; i++) {
		struct smp_ap *ap = smp_ap_table[i];
		u32 expected = SMP_AP_STARTING;

		if (__atomic_compare_exchange_n(&ap->state, &expected, SMP_AP_ABANDONED, false,
						__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			/*
			 * Given up before the AP claimed it. INIT parks it, but an
			 * AP already past its startup IPI may still arrive: it
			 * then halts on seeing ABANDONED, so its memory is kept.
			 */
			apic_send_init(ap->apic_id);
			pr_err("smp: CPU with APIC id %u did not come up (%s); its %lu KiB are kept for a late start\n",
			       ap->apic_id, started > arrived ? "no arrival; some AP is stuck after the trampoline's start" :
			       "no answer to startup IPIs",
			       (SMP_AP_STACK_SIZE + IST_COUNT * GDT_IST_STACK_SIZE) / 1024);
			continue;
		}
		arrived++;
	}
	return arrived;
}

/*
 * Copy the trampoline to its page, write through a cached kernel mapping,
 * and map the page at its own address, read-only and executable, for the
 * instructions an AP runs after it turns paging on.
 */
static volatile struct smp_trampoline_params *smp_trampoline_install(void **page)
{
	size_t len = (size_t)(trampoline_end - trampoline_start);
	u64 efer = rdmsr(MSR_EFER_ADDR) & (EFER_LME | EFER_NXE);
	volatile struct smp_trampoline_params *tp;
	int err;

	*page = memremap(mm_trampoline_phys, PAGE_SIZE);
	if (!*page)
		return NULL;
	err = vm_map_page(mm_trampoline_phys, mm_trampoline_phys, 0);
	if (err) {
		pr_err("smp: cannot map the trampoline page: %d\n", err);
		memunmap(*page, PAGE_SIZE);
		return NULL;
	}
	memcpy(*page, trampoline_start, len);
	tp = (void *)((char *)*page + (trampoline_params - trampoline_start));
	tp->cr3 = (u32)virt_to_phys(kernel_pml4);
	tp->efer = (u32)(efer | EFER_LME);
	return tp;
}

static void smp_trampoline_remove(void *page)
{
	vm_unmap_page(mm_trampoline_phys);
	memunmap(page, PAGE_SIZE);
}

void smp_init(void)
{
	const struct acpi_madt_info *madt = acpi_madt();
	volatile struct smp_trampoline_params *tp;
	struct cpu *bsp = this_cpu();
	void *page;

	bsp->apic_id = apic_read_id();
	if (!madt || madt->ncpus <= 1)
		goto out;
	/* the trampoline loads CR3 in 32-bit mode; kernel_pml4 is in the image */
	if (virt_to_phys(kernel_pml4) >> 32) {
		pr_err("smp: kernel_pml4 above 4 GiB, not starting other CPUs\n");
		goto out;
	}
	if (!mm_trampoline_phys) {
		pr_err("smp: the firmware map has no usable page below 1 MiB for the AP"
		       " trampoline: not starting other CPUs\n");
		goto out;
	}
	pr_info("smp: AP trampoline at %#llx (usable RAM in the firmware map)\n",
		(unsigned long long)mm_trampoline_phys);
	cpu_cache = kmem_cache_create("cpu", sizeof(struct cpu), 64);
	tp = cpu_cache ? smp_trampoline_install(&page) : NULL;
	if (!tp) {
		pr_err("smp: out of memory, not starting other CPUs\n");
		goto out;
	}
	for (int i = 0; i < madt->ncpus; i++) {
		const struct acpi_cpu *ac = &madt->cpus[i];
		struct smp_ap *ap;

		if (!ac->enabled || ac->apic_id == bsp->apic_id)
			continue;
		if (1 + smp_ap_count >= smp_max_cpus) {
			smp_offline_add(ac->apic_id, 1 + smp_ap_count >= MAX_CPUS ? "MAX_CPUS" : "maxcpus");
			continue;
		}
		ap = kmalloc(sizeof(*ap));
		/* smp_ap_alloc frees ap when it fails */
		if (!ap || smp_ap_alloc(ap, ac->apic_id)) {
			smp_offline_add(ac->apic_id, "no memory");
			continue;
		}
		smp_ap_table[smp_ap_count] = ap;
		/* published before any startup IPI: smp_ap_start64 reads the count */
		__atomic_store_n(&smp_ap_count, smp_ap_count + 1, __ATOMIC_RELEASE);
	}
	if (smp_ap_count && smp_aps_wake(tp, smp_ap_count)) {
		/* numbers in MADT order among those that came; then all set up at once */
		unsigned int id = 1;

		for (unsigned int i = 0; i < smp_ap_count; i++) {
			struct smp_ap *ap = smp_ap_table[i];

			if (__atomic_load_n(&ap->state, __ATOMIC_ACQUIRE) != SMP_AP_ARRIVED)
				continue;
			ap->cpu->id = id++;
			__atomic_store_n(&ap->state, SMP_AP_GO, __ATOMIC_RELEASE);
			smp_ap_nmi(ap);
		}
		/* released APs are committed: wait as long as they take */
		while (!smp_all_up(smp_ap_count)) {
			udelay(SMP_POLL_US);
			/* an NMI that came before the AP's hlt woke nothing: again */
			for (unsigned int i = 0; i < smp_ap_count; i++)
				if (__atomic_load_n(&smp_ap_table[i]->state, __ATOMIC_ACQUIRE) ==
				    SMP_AP_GO && !__atomic_load_n(&smp_ap_table[i]->woke,
								  __ATOMIC_ACQUIRE))
					smp_ap_nmi(smp_ap_table[i]);
		}
		for (unsigned int i = 0; i < smp_ap_count; i++) {
			struct smp_ap *ap = smp_ap_table[i];
			struct cpu *c = ap->cpu;

			if (__atomic_load_n(&ap->state, __ATOMIC_ACQUIRE) == SMP_AP_ABANDONED) {
				smp_offline_add(ap->apic_id, "no answer");
				continue;
			}
			if (c->apic_id != ap->apic_id)
				pr_warn("smp: CPU %u: MADT says APIC id %u, the APIC says %u\n", c->id,
					ap->apic_id, c->apic_id);
			cpumask_set_atomic(&cpu_online_mask, c->id);
			cpumask_set_atomic(&cpu_active_mask, c->id);
			__atomic_store_n(&nr_cpus, c->id + 1, __ATOMIC_RELEASE);
			pr_debug("smp: CPU %u online, APIC id %u\n", c->id, c->apic_id);
		}
	} else {
		for (unsigned int i = 0; i < smp_ap_count; i++)
			if (__atomic_load_n(&smp_ap_table[i]->state, __ATOMIC_ACQUIRE) == SMP_AP_ABANDONED)
				smp_offline_add(smp_ap_table[i]->apic_id, "no answer");
	}
	smp_trampoline_remove(page);
out:
	pr_info("smp: %u CPU%s online\n", nr_cpus, nr_cpus == 1 ? "" : "s");
}
