/*
 * I/O APICs (see ioapic.h; registers in ioapic_regs.h). Each one serves the
 * global system interrupts gsi_base .. gsi_base + pins - 1. ISA IRQ n
 * arrives on GSI n unless the MADT has an interrupt source override for it
 * (ACPI 6.5, 5.2.12.5), which also says its polarity and trigger mode.
 */
#include "kernel/arch/ioapic.h"
#include "kernel/arch/ioapic_regs.h"
#include "kernel/acpi/acpi.h"
#include "kernel/mm/ioremap.h"
#include "kernel/arch/percpu.h"
#include "kernel/console/printk.h"
#include "kernel/sched/spinlock.h"
#include "lib/errno.h"

#define ISA_IRQS	16

struct ioapic {
	volatile u32 *regs;
	u8 id;
	u32 gsi_base;
	unsigned int pins;
};

static struct ioapic ioapics[ACPI_MAX_IOAPICS];
static int nr_ioapics;
static spinlock_t ioapic_lock = SPINLOCK_INIT;	/* the index/window pair is not atomic */

static u32 ioapic_read(struct ioapic *io, u32 reg)
{
	io->regs[IOAPIC_REGSEL / 4] = reg;
	return io->regs[IOAPIC_WINDOW / 4];
}

static void ioapic_write(struct ioapic *io, u32 reg, u32 value)
{
	io->regs[IOAPIC_REGSEL / 4] = reg;
	io->regs[IOAPIC_WINDOW / 4] = value;
}

int ioapic_init(void)
{
	const struct acpi_madt_info *madt = acpi_madt();

	for (int i = 0; madt && i < madt->nioapics; i++) {
		const struct acpi_ioapic *a = &madt->ioapics[i];
		struct ioapic *io = &ioapics[nr_ioapics];

		io->regs = ioremap(a->address, IOAPIC_MMIO_SIZE);
		if (!io->regs) {
			pr_err("ioapic: cannot map I/O APIC %u at %#x\n", a->id, a->address);
			continue;
		}
		io->id = a->id;
		io->gsi_base = a->gsi_base;
		io->pins = IOAPIC_VERSION_MAX_REDIR(ioapic_read(io, IOAPIC_REG_VERSION)) + 1;
		for (unsigned int pin = 0; pin < io->pins; pin++) {
			ioapic_write(io, IOAPIC_REG_REDIR(pin), IOAPIC_REDIR_MASKED);
			ioapic_write(io, IOAPIC_REG_REDIR(pin) + 1, 0);
		}
		pr_info("ioapic: id %u at %#x, GSIs %u-%u\n", io->id, a->address,
			io->gsi_base, io->gsi_base + io->pins - 1);
		nr_ioapics++;
	}
	if (!nr_ioapics) {
		pr_warn("ioapic: none in the MADT; legacy devices stay polled\n");
		return -ENODEV;
	}
	return 0;
}

/* The GSI and redirection flags of an ISA IRQ, after the MADT's overrides. */
static u32 isa_irq_to_gsi(u8 isa_irq, u32 *redir_flags)
{
	const struct acpi_madt_info *madt = acpi_madt();
	u32 gsi = isa_irq;
	u16 flags = 0;

	for (int i = 0; madt && i < madt->noverrides; i++)
		if (madt->overrides[i].bus_irq == isa_irq) {
			gsi = madt->overrides[i].gsi;
			flags = madt->overrides[i].flags;
			break;
		}
	/* "conforms to the bus" means edge and active high on ISA */
	*redir_flags = 0;
	if ((flags & ACPI_MADT_POLARITY_MASK) == ACPI_MADT_POLARITY_LOW)
		*redir_flags |= IOAPIC_REDIR_POLARITY_LOW;
	if ((flags & ACPI_MADT_TRIGGER_MASK) == ACPI_MADT_TRIGGER_LEVEL)
		*redir_flags |= IOAPIC_REDIR_TRIGGER_LEVEL;
	return gsi;
}

static struct ioapic *ioapic_for_gsi(u32 gsi, unsigned int *pin)
{
	for (int i = 0; i < nr_ioapics; i++) {
		struct ioapic *io = &ioapics[i];

		if (gsi >= io->gsi_base && gsi < io->gsi_base + io->pins) {
			*pin = gsi - io->gsi_base;
			return io;
		}
	}
	return NULL;
}

int ioapic_route_isa_irq(u8 isa_irq, unsigned int cpu, u8 vector)
{
	struct cpu *c = cpu_get(cpu);
	struct ioapic *io;
	unsigned int pin;
	unsigned long flags;
	u32 redir, gsi;

	if (isa_irq >= ISA_IRQS || !c || c->apic_id > 0xff || vector < 0x20)
		return -EINVAL;
	gsi = isa_irq_to_gsi(isa_irq, &redir);
	io = ioapic_for_gsi(gsi, &pin);
	if (!io)
		return -ENODEV;
	redir |= IOAPIC_REDIR_DM_FIXED | vector;
	flags = spin_lock_irqsave(&ioapic_lock);
	/* destination first, while the pin is still masked, then unmask with the vector */
	ioapic_write(io, IOAPIC_REG_REDIR(pin), IOAPIC_REDIR_MASKED);
	ioapic_write(io, IOAPIC_REG_REDIR(pin) + 1, c->apic_id << IOAPIC_REDIR_DEST_SHIFT);
	ioapic_write(io, IOAPIC_REG_REDIR(pin), redir);
	spin_unlock_irqrestore(&ioapic_lock, flags);
	return 0;
}

void ioapic_mask_isa_irq(u8 isa_irq)
{
	struct ioapic *io;
	unsigned int pin;
	unsigned long flags;
	u32 redir;

	if (isa_irq >= ISA_IRQS)
		return;
	io = ioapic_for_gsi(isa_irq_to_gsi(isa_irq, &redir), &pin);
	if (!io)
		return;
	flags = spin_lock_irqsave(&ioapic_lock);
	ioapic_write(io, IOAPIC_REG_REDIR(pin),
		     ioapic_read(io, IOAPIC_REG_REDIR(pin)) | IOAPIC_REDIR_MASKED);
	spin_unlock_irqrestore(&ioapic_lock, flags);
}
