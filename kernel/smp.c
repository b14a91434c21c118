/*
 * Bringing up the application processors. The boot CPU starts the enabled
 * CPUs of the MADT one at a time: it gives each a struct cpu, a kernel
 * stack, GDT/TSS and IST stacks, writes their addresses into the parameter
 * block of the trampoline page (boot/trampoline.S), and wakes the CPU with
 * INIT and startup IPIs (Intel SDM vol. 3A, 8.4.4.1; MP spec B.4). The CPU
 * comes up in smp_ap_entry(), sets itself up and becomes the idle thread of
 * its run queue. See docs/smp.md.
 */
#include "boot/trampoline.h"
#include "kernel/acpi.h"
#include "kernel/apic.h"
#include "kernel/clockevent.h"
#include "kernel/cmdline.h"
#include "kernel/gdt.h"
#include "kernel/idt.h"
#include "kernel/ioremap.h"
#include "kernel/kstack.h"
#include "kernel/mm.h"
#include "kernel/paging.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "kernel/slab.h"
#include "kernel/smp.h"
#include "kernel/thread_internal.h"
#include "kernel/time.h"
#include "kernel/x86.h"
#include "lib/errno.h"
#include "lib/parse.h"
#include "lib/string.h"

STATIC_ASSERT(offsetof(struct smp_trampoline_params, started) == TP_STARTED);
STATIC_ASSERT(offsetof(struct smp_trampoline_params, cr3) == TP_CR3);
STATIC_ASSERT(offsetof(struct smp_trampoline_params, efer) == TP_EFER);
STATIC_ASSERT(offsetof(struct smp_trampoline_params, stack) == TP_STACK);
STATIC_ASSERT(offsetof(struct smp_trampoline_params, cpu) == TP_CPU);
STATIC_ASSERT(sizeof(struct smp_trampoline_params) == TP_SIZE);

#define SMP_AP_STACK_SIZE	(16 * 1024UL)
#define SMP_INIT_DELAY_US	10000	/* INIT to first startup IPI (SDM 8.4.4.1) */
#define SMP_SIPI_DELAY_US	200	/* between the two startup IPIs */
#define SMP_ONLINE_TIMEOUT_NS	(100 * 1000 * 1000ULL)

/* What an AP owns besides its struct cpu, so that a failed start can be undone. */
struct smp_ap {
	struct cpu *cpu;
	struct cpu_tables *tables;
	void *stack_top;
	void *ist_top[IST_COUNT];
};

static unsigned int smp_max_cpus = MAX_CPUS;
static struct kmem_cache *cpu_cache;
/* the AP being started, for smp_ap_entry(); one at a time */
static struct smp_ap *smp_ap_starting;
/* set by the AP being started when it is set up; cleared by the BSP */
static bool smp_ap_ready;

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

/* Set a bit of a mask that other CPUs read without a lock. */
static void cpumask_set_atomic(cpumask_t *m, unsigned int cpu)
{
	__atomic_fetch_or(&m->bits[cpu / BITS_PER_LONG], 1UL << (cpu % BITS_PER_LONG),
			  __ATOMIC_RELEASE);
}

/*
 * The AP's first C code, on its own stack, with interrupts off, on the
 * trampoline's GDT and no IDT: first what makes this_cpu() and faults work,
 * then the local APIC and its timer, then the scheduler.
 */
void __noreturn smp_ap_entry(struct cpu *c);
void __noreturn smp_ap_entry(struct cpu *c)
{
	struct smp_ap *ap = READ_ONCE(smp_ap_starting);

	percpu_install(c);
	gdt_init_cpu(ap->tables, ap->ist_top[IST_DOUBLE_FAULT - 1],
		     ap->ist_top[IST_NMI - 1], ap->ist_top[IST_MACHINE_CHECK - 1]);
	idt_load();
	/* the trampoline page is unmapped once every AP is up */
	invlpg(MM_TRAMPOLINE_PHYS);
	apic_init_cpu();
	clockevent_init_cpu();
	__atomic_store_n(&smp_ap_ready, true, __ATOMIC_RELEASE);
	sched_start_cpu();
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
}

static int smp_ap_alloc(struct smp_ap *ap, unsigned int id, u32 apic_id)
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
	ap->cpu->id = id;
	ap->cpu->apic_id = apic_id;
	ap->cpu->arch = ap->tables;
	runqueue_init(&ap->cpu->rq);
	return 0;
}

/* Poll until cond holds or deadline_ns passes; the condition's last value. */
#define smp_wait_until(cond, deadline_ns)				\
	({								\
		bool _ok;						\
		while (!(_ok = (cond)) && time_ns() < (deadline_ns))	\
			cpu_relax();					\
		_ok;							\
	})

/*
 * Start one AP as CPU id: INIT, wait, startup IPI, a second one only if the
 * first did not get the AP into the trampoline, then wait for it to be set
 * up and scheduling. A CPU that does not answer is sent INIT again, which
 * parks it until the next startup IPI addressed to it (there is none).
 */
static int smp_cpu_start(volatile struct smp_trampoline_params *tp, u32 apic_id,
			 unsigned int id)
{
	struct smp_ap ap;
	struct cpu *c;
	u64 deadline;
	int err;

	err = smp_ap_alloc(&ap, id, apic_id);
	if (err)
		return err;
	c = ap.cpu;
	smp_ap_starting = &ap;
	smp_ap_ready = false;
	tp->started = 0;
	tp->stack = (u64)ap.stack_top;
	tp->cpu = (u64)c;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);

	apic_send_init(apic_id);
	udelay(SMP_INIT_DELAY_US);
	apic_send_startup(apic_id, MM_TRAMPOLINE_PHYS >> PAGE_SHIFT);
	udelay(SMP_SIPI_DELAY_US);
	if (!tp->started) {
		apic_send_startup(apic_id, MM_TRAMPOLINE_PHYS >> PAGE_SHIFT);
		udelay(SMP_SIPI_DELAY_US);
	}
	/*
	 * Online only once sched_start_cpu() has given the CPU a current
	 * thread: the scheduler looks at current of every CPU in the mask.
	 */
	deadline = time_ns() + SMP_ONLINE_TIMEOUT_NS;
	if (!smp_wait_until(__atomic_load_n(&smp_ap_ready, __ATOMIC_ACQUIRE) &&
			    READ_ONCE(c->online) && READ_ONCE(c->current), deadline)) {
		apic_send_init(apic_id);
		udelay(SMP_INIT_DELAY_US);
		if (cpu_table[id] == c)
			cpu_table[id] = NULL;
		pr_err("smp: CPU with APIC id %u did not come up (%s)\n", apic_id,
		       tp->started ? "stuck after the trampoline's start" : "no answer to startup IPIs");
		smp_ap_free(&ap);
		return -ETIMEDOUT;
	}
	if (c->apic_id != apic_id)
		pr_warn("smp: CPU %u: MADT says APIC id %u, the APIC says %u\n", id, apic_id,
			c->apic_id);
	cpumask_set_atomic(&cpu_online_mask, id);
	__atomic_store_n(&nr_cpus, id + 1, __ATOMIC_RELEASE);
	pr_debug("smp: CPU %u online, APIC id %u\n", id, c->apic_id);
	return 0;
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

	*page = memremap(MM_TRAMPOLINE_PHYS, PAGE_SIZE);
	if (!*page)
		return NULL;
	err = vm_map_page(MM_TRAMPOLINE_PHYS, MM_TRAMPOLINE_PHYS, 0);
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
	vm_unmap_page(MM_TRAMPOLINE_PHYS);
	memunmap(page, PAGE_SIZE);
}

void smp_init(void)
{
	const struct acpi_madt_info *madt = acpi_madt();
	volatile struct smp_trampoline_params *tp;
	struct cpu *bsp = this_cpu();
	void *page;
	int err;

	bsp->apic_id = apic_read_id();
	if (!madt || madt->ncpus <= 1)
		goto out;
	/* the trampoline loads CR3 in 32-bit mode; kernel_pml4 is in the image */
	if (virt_to_phys(kernel_pml4) >> 32) {
		pr_err("smp: kernel_pml4 above 4 GiB, not starting other CPUs\n");
		goto out;
	}
	cpu_cache = kmem_cache_create("cpu", sizeof(struct cpu), 64);
	tp = cpu_cache ? smp_trampoline_install(&page) : NULL;
	if (!tp) {
		pr_err("smp: out of memory, not starting other CPUs\n");
		goto out;
	}
	for (int i = 0; i < madt->ncpus; i++) {
		const struct acpi_cpu *ac = &madt->cpus[i];

		if (!ac->enabled || ac->apic_id == bsp->apic_id)
			continue;
		if (nr_cpus >= smp_max_cpus) {
			smp_offline_add(ac->apic_id, nr_cpus >= MAX_CPUS ? "MAX_CPUS" : "maxcpus");
			continue;
		}
		err = smp_cpu_start(tp, ac->apic_id, nr_cpus);
		if (err)
			smp_offline_add(ac->apic_id, err == -ENOMEM ? "no memory" : "no answer");
	}
	smp_trampoline_remove(page);
out:
	pr_info("smp: %u CPU%s online\n", nr_cpus, nr_cpus == 1 ? "" : "s");
}
