/*
 * Power off and reboot, and the `poweroff` and `reboot` commands.
 *
 * Power off is ACPI S5 (ACPI 6.4 7.4.2 and 4.8.3.2.1): switch to ACPI mode
 * if the firmware left the machine in legacy mode, then write the _S5 sleep
 * type with SLP_EN to the PM1a (and PM1b) control registers the FADT names.
 * Reboot tries, in order, the FADT reset register, the 8042 keyboard
 * controller's reset line, and a triple fault, which resets every x86.
 * Registered hooks run first, so devices see a clean shutdown.
 */
#include "kernel/acpi/power.h"
#include "kernel/acpi/acpi.h"
#include "kernel/console/console.h"
#include "kernel/sched/spinlock.h"
#include "kernel/time/time.h"
#include "kernel/arch/x86.h"
#include "lib/errno.h"

#define I8042_STATUS		0x64	/* read: status, write: command */
#define I8042_STATUS_IBF	BIT(1)	/* input buffer full: not ready for a command */
#define I8042_CMD_RESET		0xfe	/* pulse the reset line */

/* how long each method gets to take effect before the next one is tried */
#define POWER_SETTLE_US		500000

static LIST_HEAD(power_hooks);
static spinlock_t power_hooks_lock = SPINLOCK_INIT;

void power_register_hook(struct power_hook *hook)
{
	unsigned long flags = spin_lock_irqsave(&power_hooks_lock);

	list_add_tail(&hook->link, &power_hooks);
	spin_unlock_irqrestore(&power_hooks_lock, flags);
}

/*
 * Take the hooks off the list before running them: a hook may block on
 * its device for a while, and nothing should run twice.
 */
static void power_run_hooks(void)
{
	LIST_HEAD(hooks);
	struct power_hook *hook;
	unsigned long flags;

	flags = spin_lock_irqsave(&power_hooks_lock);
	list_splice_tail_init(&power_hooks, &hooks);
	spin_unlock_irqrestore(&power_hooks_lock, flags);
	list_for_each_entry(hook, &hooks, link) {
		printf("shutdown: %s\n", hook->name);
		hook->fn();
	}
}

static void __noreturn power_halt(void)
{
	for (;;) {
		irq_disable();
		halt();
	}
}

/*
 * Firmware that boots in legacy mode owns the PM registers until we ask
 * for them through SMI_CMD; SCI_EN says when it has let go.
 */
static int power_acpi_enable(const struct acpi_fadt_info *f)
{
	u64 deadline;
	u32 cnt;
	int err;

	err = acpi_gas_read(&f->pm1a_cnt, 16, &cnt);
	if (err)
		return err;
	if ((cnt & ACPI_PM1_SCI_EN) || !f->smi_cmd || !f->acpi_enable)
		return 0;
	if (f->smi_cmd > 0xffff)
		return -EINVAL;
	outb(f->smi_cmd, f->acpi_enable);
	deadline = time_ns() + NSEC_PER_SEC;
	while (time_ns() < deadline) {
		err = acpi_gas_read(&f->pm1a_cnt, 16, &cnt);
		if (err)
			return err;
		if (cnt & ACPI_PM1_SCI_EN)
			return 0;
		udelay(1000);
	}
	return -ETIMEDOUT;
}

/* Write the sleep type, and with enable set, SLP_EN, keeping the other bits. */
static int power_pm1_write(const struct acpi_gas *pm1, u8 slp_typ, bool enable)
{
	u32 cnt;
	int err;

	err = acpi_gas_read(pm1, 16, &cnt);
	if (err)
		return err;
	cnt &= ~(ACPI_PM1_SLP_TYP_MASK | ACPI_PM1_SLP_EN);
	cnt |= (u32)slp_typ << ACPI_PM1_SLP_TYP_SHIFT;
	if (enable)
		cnt |= ACPI_PM1_SLP_EN;
	return acpi_gas_write(pm1, 16, cnt);
}

static int power_acpi_s5(void)
{
	const struct acpi_fadt_info *f = acpi_fadt();
	bool has_b;
	u8 typa, typb;
	int err;

	if (!f || !f->pm1a_cnt.address)
		return -ENODEV;
	err = acpi_s5_sleep_type(&typa, &typb);
	if (err)
		return err;
	err = power_acpi_enable(f);
	if (err)
		printf("poweroff: entering ACPI mode failed (%s), trying anyway\n",
		       errno_name(err));
	printf("poweroff: ACPI S5 (SLP_TYPa %u, SLP_TYPb %u)\n", typa, typb);
	has_b = f->pm1b_cnt.address;
	/* both blocks get the type before either gets SLP_EN, as the spec orders */
	err = power_pm1_write(&f->pm1a_cnt, typa, false);
	if (!err && has_b)
		err = power_pm1_write(&f->pm1b_cnt, typb, false);
	if (!err)
		err = power_pm1_write(&f->pm1a_cnt, typa, true);
	if (!err && has_b)
		err = power_pm1_write(&f->pm1b_cnt, typb, true);
	if (err)
		return err;
	udelay(POWER_SETTLE_US);
	return -ETIMEDOUT;
}

void power_off(void)
{
	int err;

	power_run_hooks();
	irq_disable();
	err = power_acpi_s5();
	printf("error: poweroff failed (%s); halted, it is safe to switch off\n",
	       errno_name(err));
	power_halt();
}

static void power_reset_acpi(void)
{
	const struct acpi_fadt_info *f = acpi_fadt();
	int err;

	if (!f || !f->reset_supported)
		return;
	printf("reboot: trying ACPI reset register\n");
	/* the reset register is 8 bits wide by definition (ACPI 6.4 4.8.4.6) */
	err = acpi_gas_write(&f->reset_reg, 8, f->reset_value);
	if (err) {
		printf("reboot: ACPI reset register unusable (%s)\n", errno_name(err));
		return;
	}
	udelay(POWER_SETTLE_US);
}

static void power_reset_8042(void)
{
	u64 deadline = time_ns() + 100 * NSEC_PER_MSEC;
	u8 status;

	printf("reboot: trying keyboard controller\n");
	while ((status = inb(I8042_STATUS)) & I8042_STATUS_IBF) {
		/* a floating bus reads 0xff: there is no controller */
		if (status == 0xff || time_ns() > deadline) {
			printf("reboot: no keyboard controller\n");
			return;
		}
		cpu_relax();
	}
	outb(I8042_STATUS, I8042_CMD_RESET);
	udelay(POWER_SETTLE_US);
}

/* An exception with an empty IDT cannot be delivered: the CPU shuts down. */
static void __noreturn power_reset_triple_fault(void)
{
	static const struct {
		u16 limit;
		u64 base;
	} __packed empty_idt;

	printf("reboot: trying triple fault\n");
	__asm__ volatile("lidt %0; int3" : : "m"(empty_idt) : "memory");
	power_halt();
}

void power_reboot(void)
{
	power_run_hooks();
	irq_disable();
	power_reset_acpi();
	power_reset_8042();
	power_reset_triple_fault();
}
