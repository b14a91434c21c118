/*
 * Local APIC (see apic.h; registers in apic_regs.h). Every CPU runs the same
 * mode, chosen by the boot CPU: x2APIC when CPUID says the CPU has it, since
 * it takes ids above 255 and its ICR is one MSR write with no busy bit to
 * poll; else xAPIC through an uncached mapping of the MADT's address.
 *
 * The legacy 8259 PICs are remapped away from the exception vectors and
 * fully masked: devices reach the CPUs through the IOAPIC (kernel/arch/ioapic.c)
 * or MSI, never through LINT0's virtual-wire mode.
 */
#include "kernel/arch/apic.h"
#include "kernel/arch/exit_count.h"
#include "kernel/arch/apic_regs.h"
#include "kernel/acpi/acpi.h"
#include "kernel/mm/ioremap.h"
#include "kernel/arch/irq.h"
#include "kernel/panic.h"
#include "kernel/arch/percpu.h"
#include "kernel/console/printk.h"
#include "kernel/time/time.h"
#include "kernel/arch/vectors.h"
#include "kernel/arch/x86.h"
#include "kernel/cmdline.h"
#include "lib/errno.h"
#include "lib/string.h"

/* 8259A ports and initialisation words (ICW1..ICW4) */
#define PIC1_CMD	0x20
#define PIC1_DATA	0x21
#define PIC2_CMD	0xa0
#define PIC2_DATA	0xa1
#define PIC_ICW1_INIT	0x11	/* edge, cascade, ICW4 follows */
#define PIC_ICW4_8086	0x01

#define ICR_WAIT_US	1000	/* how long an xAPIC IPI may stay pending */

static bool x2apic;
static bool ready;
static volatile u32 *xapic_regs;	/* xAPIC only: the mapped register page */

bool apic_ready(void)
{
	return READ_ONCE(ready);
}

bool apic_x2apic_mode(void)
{
	return x2apic;
}

u32 apic_reg_read(u32 reg)
{
	if (x2apic)
		return (u32)rdmsr(MSR_X2APIC_BASE + (reg >> 4));
	return xapic_regs[reg / 4];
}

void apic_reg_write(u32 reg, u32 value)
{
	if (x2apic)
		wrmsr(MSR_X2APIC_BASE + (reg >> 4), value);
	else
		xapic_regs[reg / 4] = value;
}

u32 apic_read_id(void)
{
	u32 id = apic_reg_read(APIC_ID);

	return x2apic ? id : id >> 24;
}

void apic_eoi(void)
{
	exit_count(EXIT_EOI);
	apic_reg_write(APIC_EOI, 0);
}

/*
 * The APIC found a bad vector, a send or receive error (SDM 11.5.3). Writing
 * the ESR latches the errors into it; log them at most once a second.
 */
static void apic_error_interrupt(void *unused)
{
	static u64 last_ns, suppressed;
	u32 esr;

	apic_reg_write(APIC_ESR, 0);
	esr = apic_reg_read(APIC_ESR);
	if (last_ns && time_ns() - last_ns < NSEC_PER_SEC) {
		suppressed++;
		return;
	}
	last_ns = time_ns();
	pr_err("apic: error on CPU %u, ESR %#x (%llu earlier reports suppressed)\n",
	       this_cpu_id(), esr, (unsigned long long)suppressed);
	suppressed = 0;
}

/* Remap both PICs to the legacy vectors (so a stray one is not an exception), then mask them. */
static void pic_disable(void)
{
	outb(PIC1_CMD, PIC_ICW1_INIT);
	outb(PIC2_CMD, PIC_ICW1_INIT);
	outb(PIC1_DATA, VECTOR_LEGACY_BASE);
	outb(PIC2_DATA, VECTOR_LEGACY_BASE + 8);
	outb(PIC1_DATA, 1 << 2);	/* the slave hangs on IRQ 2 */
	outb(PIC2_DATA, 2);		/* its cascade identity */
	outb(PIC1_DATA, PIC_ICW4_8086);
	outb(PIC2_DATA, PIC_ICW4_8086);
	outb(PIC1_DATA, 0xff);
	outb(PIC2_DATA, 0xff);
}

static bool apic_force_xapic;

static int apic_option(const char *value)
{
	if (!strcmp(value, "xapic"))
		apic_force_xapic = true;
	else if (!strcmp(value, "auto"))
		apic_force_xapic = false;
	else
		return -EINVAL;
	return 0;
}
CMDLINE_OPTION("apic", apic_option,
	       "apic=xapic: keep the local APICs in xAPIC (MMIO) mode even where x2APIC exists;"
	       " apic=auto (default): x2APIC when the CPU has it");

static bool cpu_has_x2apic(void)
{
	u32 a, b, c, d;

	cpuid(1, 0, &a, &b, &c, &d);
	return c & CPUID1_ECX_X2APIC;
}

void apic_init_bsp(void)
{
	const struct acpi_madt_info *madt = acpi_madt();
	u64 base = rdmsr(MSR_APIC_BASE);
	u64 phys;

	pic_disable();
	x2apic = cpu_has_x2apic() && !apic_force_xapic;
	if (!x2apic) {
		phys = base & APIC_BASE_ADDR_MASK;
		if (madt && madt->lapic_address && madt->lapic_address != phys)
			pr_warn("apic: MADT says %#llx, IA32_APIC_BASE %#llx; using the MSR\n",
				(unsigned long long)madt->lapic_address, (unsigned long long)phys);
		xapic_regs = ioremap(phys, 4096);
		if (!xapic_regs)
			panic("apic: cannot map the local APIC at %#llx", (unsigned long long)phys);
	}
	pr_info("apic: %s mode%s%s\n", x2apic ? "x2APIC" : "xAPIC",
		apic_force_xapic && cpu_has_x2apic() ? " (apic=xapic; the CPU has x2APIC)" : "",
		madt ? "" : " (no MADT)");
	irq_init();
	if (irq_request(VECTOR_APIC_ERROR, apic_error_interrupt, NULL, "apic error"))
		panic("apic: cannot claim the error vector");
	WRITE_ONCE(ready, true);
}

/* LINT0/LINT1: NMI where the MADT says so for this CPU, else masked. */
static u32 apic_lint_entry(u32 uid_of_cpu, bool have_uid, u8 lint)
{
	const struct acpi_madt_info *madt = acpi_madt();

	for (int i = 0; madt && i < madt->nnmis; i++) {
		const struct acpi_lapic_nmi *n = &madt->nmis[i];
		u32 v = APIC_DM_NMI;

		if (n->lint != lint || (n->uid != ACPI_UID_ALL && (!have_uid || n->uid != uid_of_cpu)))
			continue;
		if ((n->flags & ACPI_MADT_POLARITY_MASK) == ACPI_MADT_POLARITY_LOW)
			v |= APIC_POLARITY_LOW;
		/* NMI delivery is always edge-triggered (SDM 11.5.1) */
		return v;
	}
	return APIC_LVT_MASKED;
}

void apic_init_cpu(void)
{
	const struct acpi_madt_info *madt = acpi_madt();
	u64 base = rdmsr(MSR_APIC_BASE);
	u32 id, uid = 0, max_lvt;
	bool have_uid = false;

	if (x2apic) {
		/* xAPIC must be enabled before EXTD may be set (SDM 11.12.5) */
		if (!(base & APIC_BASE_EN))
			wrmsr(MSR_APIC_BASE, base |= APIC_BASE_EN);
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_EXTD);
	} else if (base & APIC_BASE_EXTD) {
		/*
		 * Firmware left x2APIC on (or INIT kept it, SDM 10.12.5.1): the only
		 * way back to xAPIC is through the disabled state (SDM 10.12.5).
		 */
		wrmsr(MSR_APIC_BASE, base & ~(APIC_BASE_EN | APIC_BASE_EXTD));
		wrmsr(MSR_APIC_BASE, (base & ~APIC_BASE_EXTD) | APIC_BASE_EN);
	} else if (!(base & APIC_BASE_EN)) {
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_EN);
	}
	irq_init_cpu();
	id = apic_read_id();
	this_cpu()->apic_id = id;
	for (int i = 0; madt && i < madt->ncpus; i++)
		if (madt->cpus[i].apic_id == id) {
			uid = madt->cpus[i].uid;
			have_uid = true;
			break;
		}

	apic_reg_write(APIC_TPR, 0);
	apic_reg_write(APIC_SVR, APIC_SVR_ENABLE | VECTOR_SPURIOUS);
	max_lvt = APIC_VERSION_MAX_LVT(apic_reg_read(APIC_VERSION));
	apic_reg_write(APIC_LVT_TIMER, APIC_LVT_MASKED | VECTOR_TIMER);
	if (max_lvt >= 5)
		apic_reg_write(APIC_LVT_THERMAL, APIC_LVT_MASKED);
	if (max_lvt >= 4)
		apic_reg_write(APIC_LVT_PERF, APIC_LVT_MASKED);
	apic_reg_write(APIC_LVT_LINT0, apic_lint_entry(uid, have_uid, 0));
	apic_reg_write(APIC_LVT_LINT1, apic_lint_entry(uid, have_uid, 1));
	apic_reg_write(APIC_LVT_ERROR, VECTOR_APIC_ERROR);
	/* the ESR latches on write (SDM 11.5.3): write twice to clear stale bits */
	apic_reg_write(APIC_ESR, 0);
	apic_reg_write(APIC_ESR, 0);
	/* an interrupt accepted before now (none should be) must not block lower ones */
	apic_eoi();
}

/* xAPIC: wait (bounded) for the previous IPI to leave; false on timeout. */
static bool xapic_icr_wait(void)
{
	u64 end = rdtsc() + ns_to_tsc(ICR_WAIT_US * NSEC_PER_USEC);

	while (xapic_regs[APIC_ICR_LOW / 4] & APIC_DELIVERY_PENDING) {
		if ((s64)(rdtsc() - end) > 0)
			return false;
		cpu_relax();
	}
	return true;
}

static void apic_icr_write(u32 apic_id, u32 low)
{
	unsigned long flags;

	if (!apic_ready())
		return;
	if (x2apic) {
		/* WRMSR to the ICR is not serializing: order earlier stores before the IPI */
		__asm__ volatile("mfence; lfence" ::: "memory");
		wrmsr(MSR_X2APIC_BASE + (APIC_ICR_LOW >> 4), ((u64)apic_id << 32) | low);
		return;
	}
	if (apic_id > 0xff) {
		pr_err("apic: cannot send to APIC id %u in xAPIC mode\n", apic_id);
		return;
	}
	/* the two halves must not be split by an interrupt that sends its own IPI */
	flags = irq_save();
	if (!xapic_icr_wait())
		pr_warn("apic: previous IPI still pending after %u us\n", ICR_WAIT_US);
	xapic_regs[APIC_ICR_HIGH / 4] = apic_id << 24;
	xapic_regs[APIC_ICR_LOW / 4] = low;
	if (!xapic_icr_wait())
		pr_warn("apic: IPI %#x to %u still pending after %u us\n", low, apic_id, ICR_WAIT_US);
	irq_restore(flags);
}

void apic_send_ipi(u32 apic_id, u8 vector)
{
	apic_icr_write(apic_id, APIC_DM_FIXED | APIC_LEVEL_ASSERT | vector);
}

void apic_send_ipi_nmi(u32 apic_id)
{
	apic_icr_write(apic_id, APIC_DM_NMI | APIC_LEVEL_ASSERT);
}

void apic_send_init(u32 apic_id)
{
	apic_icr_write(apic_id, APIC_DM_INIT | APIC_TRIGGER_LEVEL | APIC_LEVEL_ASSERT);
	/* the xAPIC also wants the de-assert; the x2APIC has no such message */
	if (!x2apic)
		apic_icr_write(apic_id, APIC_DM_INIT | APIC_TRIGGER_LEVEL);
}

void apic_send_startup(u32 apic_id, u8 page)
{
	apic_icr_write(apic_id, APIC_DM_STARTUP | APIC_LEVEL_ASSERT | page);
}
