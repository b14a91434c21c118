/*
 * Interrupts of PCI functions: MSI-X, MSI and INTx (LB 6.8), and the ladder
 * between them that pci_irq_setup() climbs down, FreeBSD style: MSI-X with
 * one entry per queue (as many as the driver asks for, fewer when the table
 * is smaller), else a single MSI, else INTx.
 *
 * Every message is aimed at one CPU: its vector comes from that CPU's
 * dynamic vectors (kernel/arch/irq.h) and its address names that CPU's local APIC
 * in the xAPIC compatibility format, which only reaches APIC ids up to 255.
 * Without interrupt remapping a CPU with a higher x2APIC id cannot take an
 * MSI at all, and set_vector says so (-ERANGE) for the driver to fall back.
 *
 * INTx is recorded and nothing more: routing a pin through the I/O APIC
 * needs the ACPI _PRT tables, which stork does not parse, so a driver left
 * with INTx polls its device.
 *
 * A device's interrupt state is its driver's: calls on one device are not
 * concurrent (drivers set up and tear down from probe and remove).
 */
#include "drivers/pci/pci_internal.h"
#include "drivers/pci/pci_regs.h"
#include "kernel/mm/ioremap.h"
#include "kernel/arch/irq.h"
#include "kernel/arch/percpu.h"
#include "kernel/console/printk.h"
#include "kernel/mm/slab.h"
#include "lib/errno.h"

/* what an MSI-X entry is aimed at */
struct pci_msix_vector {
	int cpu;	/* -1: entry unset (masked) */
	int vector;
};

const char *pci_irq_mode_name(enum pci_irq_mode mode)
{
	static const char *const names[] = {
		[PCI_IRQ_NONE] = "none", [PCI_IRQ_INTX] = "intx",
		[PCI_IRQ_MSI] = "msi", [PCI_IRQ_MSIX] = "msix",
	};

	return (unsigned int)mode < ARRAY_SIZE(names) ? names[mode] : "?";
}

/*
 * The one place that asks the interrupt layer for a vector: on cpu, for
 * fn(arg), with the message that reaches it. Returns the vector, -ENXIO for
 * a CPU that is not up, -ERANGE for one MSIs cannot address, or the
 * allocator's error.
 */
static int pci_vector_alloc(unsigned int cpu, void (*fn)(void *arg), void *arg,
			    const char *name, u32 *address, u32 *data)
{
	const struct cpu *c = cpu_get(cpu);
	int vector;

	if (!c)
		return -ENXIO;
	if (c->apic_id > MSI_DEST_MAX)
		return -ERANGE;
	vector = irq_alloc_vector(cpu, fn, arg, name);
	if (vector < 0)
		return vector;
	pci_msi_compose(c->apic_id, (u8)vector, address, data);
	return vector;
}

static void pci_vector_free(int cpu, int vector)
{
	if (cpu >= 0 && vector >= 0)
		irq_free_vector((unsigned int)cpu, (u8)vector);
}

/* --- MSI-X, LB 6.8.2 ------------------------------------------------------ */
static volatile u32 *msix_entry(struct pci_device *dev, unsigned int entry, unsigned int off)
{
	return (volatile u32 *)((u8 *)dev->msix_table + entry * PCI_MSIX_ENTRY_SIZE + off);
}

static void msix_entry_mask(struct pci_device *dev, unsigned int entry)
{
	volatile u32 *ctrl = msix_entry(dev, entry, PCI_MSIX_ENTRY_VECTOR_CTRL);

	*ctrl |= PCI_MSIX_ENTRY_CTRL_MASKBIT;
}

/* Map the table or PBA described by a BIR/offset register; NULL if it lies outside its BAR. */
static void *msix_map(struct pci_device *dev, u32 reg, size_t len)
{
	unsigned int bir = reg & PCI_MSIX_BIR_MASK;
	u64 off = reg & PCI_MSIX_OFFSET_MASK;
	const struct pci_bar *bar;

	if (bir >= PCI_NUM_BARS)
		return NULL;
	bar = &dev->bar[bir];
	if (!bar->size || !bar->base || (bar->flags & PCI_BAR_IO) || off + len > bar->size)
		return NULL;
	return ioremap(bar->base + off, len);
}

int pci_msix_enable(struct pci_device *dev, unsigned int nvec)
{
	unsigned int pos = dev->cap_msix, table_size, n;
	size_t table_len, pba_len;
	void *table, *pba;
	u16 ctrl;

	if (!pos)
		return -ENOTSUP;
	if (dev->irq_mode != PCI_IRQ_NONE)
		return -EBUSY;
	if (!nvec)
		return -EINVAL;
	ctrl = pci_config_read16(dev, pos + PCI_MSIX_FLAGS);
	table_size = (ctrl & PCI_MSIX_FLAGS_QSIZE) + 1;
	n = min(nvec, table_size);
	table_len = (size_t)table_size * PCI_MSIX_ENTRY_SIZE;
	pba_len = DIV_ROUND_UP(table_size, 64) * 8;

	dev->msix_vectors = kcalloc(n, sizeof(*dev->msix_vectors));
	if (!dev->msix_vectors)
		return -ENOMEM;
	for (unsigned int i = 0; i < n; i++)
		dev->msix_vectors[i] = (struct pci_msix_vector){ -1, -1 };
	table = msix_map(dev, pci_config_read32(dev, pos + PCI_MSIX_TABLE), table_len);
	if (!table)
		goto free_vectors;
	pba = msix_map(dev, pci_config_read32(dev, pos + PCI_MSIX_PBA), pba_len);
	if (!pba)
		goto unmap_table;
	dev->msix_table = table;
	dev->msix_table_len = table_len;
	dev->msix_pba = pba;
	dev->msix_pba_len = pba_len;

	/* the table is in memory space and messages are bus-master writes */
	pci_enable_device(dev);
	/* enabled but function-masked while every entry is masked one by one */
	pci_config_write16(dev, pos + PCI_MSIX_FLAGS,
			   ctrl | PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	for (unsigned int i = 0; i < table_size; i++)
		msix_entry_mask(dev, i);
	pci_config_write16(dev, PCI_COMMAND,
			   pci_config_read16(dev, PCI_COMMAND) | PCI_COMMAND_INTX_DISABLE);
	pci_config_write16(dev, pos + PCI_MSIX_FLAGS,
			   (ctrl | PCI_MSIX_FLAGS_ENABLE) & ~PCI_MSIX_FLAGS_MASKALL);
	dev->irq_mode = PCI_IRQ_MSIX;
	dev->irq_nvec = n;
	return (int)n;

unmap_table:
	iounmap(table, table_len);
free_vectors:
	kfree(dev->msix_vectors);
	dev->msix_vectors = NULL;
	return -ENXIO;
}

int pci_msix_set_vector(struct pci_device *dev, unsigned int entry, unsigned int cpu,
			void (*fn)(void *arg), void *arg, const char *name)
{
	struct pci_msix_vector *v;
	u32 address, data;
	int vector;

	if (dev->irq_mode != PCI_IRQ_MSIX || entry >= dev->irq_nvec || !fn)
		return -EINVAL;
	v = &dev->msix_vectors[entry];
	msix_entry_mask(dev, entry);
	pci_vector_free(v->cpu, v->vector);
	*v = (struct pci_msix_vector){ -1, -1 };

	vector = pci_vector_alloc(cpu, fn, arg, name, &address, &data);
	if (vector < 0)
		return vector;
	*msix_entry(dev, entry, PCI_MSIX_ENTRY_ADDR_LO) = address;
	*msix_entry(dev, entry, PCI_MSIX_ENTRY_ADDR_HI) = 0;
	*msix_entry(dev, entry, PCI_MSIX_ENTRY_DATA) = data;
	*msix_entry(dev, entry, PCI_MSIX_ENTRY_VECTOR_CTRL) &= ~PCI_MSIX_ENTRY_CTRL_MASKBIT;
	*v = (struct pci_msix_vector){ (int)cpu, vector };
	return 0;
}

void pci_msix_disable(struct pci_device *dev)
{
	unsigned int pos = dev->cap_msix;
	u16 ctrl;

	if (dev->irq_mode != PCI_IRQ_MSIX)
		return;
	ctrl = pci_config_read16(dev, pos + PCI_MSIX_FLAGS);
	pci_config_write16(dev, pos + PCI_MSIX_FLAGS, ctrl | PCI_MSIX_FLAGS_MASKALL);
	for (unsigned int i = 0; i < dev->msix_table_len / PCI_MSIX_ENTRY_SIZE; i++)
		msix_entry_mask(dev, i);
	for (unsigned int i = 0; i < dev->irq_nvec; i++)
		pci_vector_free(dev->msix_vectors[i].cpu, dev->msix_vectors[i].vector);
	pci_config_write16(dev, pos + PCI_MSIX_FLAGS,
			   ctrl & ~(PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL));
	iounmap(dev->msix_pba, dev->msix_pba_len);
	iounmap(dev->msix_table, dev->msix_table_len);
	kfree(dev->msix_vectors);
	dev->msix_table = dev->msix_pba = NULL;
	dev->msix_table_len = dev->msix_pba_len = 0;
	dev->msix_vectors = NULL;
	dev->irq_mode = PCI_IRQ_NONE;
	dev->irq_nvec = 0;
}

/* --- MSI, LB 6.8.1: one message here, never multiple-message mode -------- */
static unsigned int msi_mask_offset(u16 ctrl)
{
	return ctrl & PCI_MSI_FLAGS_64BIT ? PCI_MSI_MASK_64 : PCI_MSI_MASK_32;
}

static void msi_mask(struct pci_device *dev, u16 ctrl, bool masked)
{
	if (ctrl & PCI_MSI_FLAGS_MASKBIT)
		pci_config_write32(dev, dev->cap_msi + msi_mask_offset(ctrl), masked ? 1 : 0);
}

int pci_msi_enable(struct pci_device *dev)
{
	u16 ctrl;

	if (!dev->cap_msi)
		return -ENOTSUP;
	if (dev->irq_mode != PCI_IRQ_NONE)
		return -EBUSY;
	/* the enable bit waits for an address: set_vector turns it on */
	ctrl = pci_config_read16(dev, dev->cap_msi + PCI_MSI_FLAGS);
	ctrl &= ~(PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE);
	pci_config_write16(dev, dev->cap_msi + PCI_MSI_FLAGS, ctrl);
	msi_mask(dev, ctrl, true);
	pci_enable_device(dev);
	pci_config_write16(dev, PCI_COMMAND,
			   pci_config_read16(dev, PCI_COMMAND) | PCI_COMMAND_INTX_DISABLE);
	dev->irq_mode = PCI_IRQ_MSI;
	dev->irq_nvec = 1;
	return 0;
}

int pci_msi_set_vector(struct pci_device *dev, unsigned int cpu,
		       void (*fn)(void *arg), void *arg, const char *name)
{
	unsigned int pos = dev->cap_msi;
	u32 address, data;
	int vector;
	u16 ctrl;

	if (dev->irq_mode != PCI_IRQ_MSI || !fn)
		return -EINVAL;
	ctrl = pci_config_read16(dev, pos + PCI_MSI_FLAGS);
	/* without per-vector masking, the enable bit is the only mask there is */
	msi_mask(dev, ctrl, true);
	pci_config_write16(dev, pos + PCI_MSI_FLAGS, ctrl & ~PCI_MSI_FLAGS_ENABLE);
	pci_vector_free(dev->msi_cpu, dev->msi_vector);
	dev->msi_cpu = dev->msi_vector = -1;

	vector = pci_vector_alloc(cpu, fn, arg, name, &address, &data);
	if (vector < 0)
		return vector;
	pci_config_write32(dev, pos + PCI_MSI_ADDRESS_LO, address);
	if (ctrl & PCI_MSI_FLAGS_64BIT) {
		pci_config_write32(dev, pos + PCI_MSI_ADDRESS_HI, 0);
		pci_config_write16(dev, pos + PCI_MSI_DATA_64, (u16)data);
	} else {
		pci_config_write16(dev, pos + PCI_MSI_DATA_32, (u16)data);
	}
	pci_config_write16(dev, pos + PCI_MSI_FLAGS,
			   (ctrl & ~PCI_MSI_FLAGS_QSIZE) | PCI_MSI_FLAGS_ENABLE);
	msi_mask(dev, ctrl, false);
	dev->msi_cpu = (int)cpu;
	dev->msi_vector = vector;
	return 0;
}

void pci_msi_disable(struct pci_device *dev)
{
	u16 ctrl;

	if (dev->irq_mode != PCI_IRQ_MSI)
		return;
	ctrl = pci_config_read16(dev, dev->cap_msi + PCI_MSI_FLAGS);
	msi_mask(dev, ctrl, true);
	pci_config_write16(dev, dev->cap_msi + PCI_MSI_FLAGS, ctrl & ~PCI_MSI_FLAGS_ENABLE);
	pci_vector_free(dev->msi_cpu, dev->msi_vector);
	dev->msi_cpu = dev->msi_vector = -1;
	dev->irq_mode = PCI_IRQ_NONE;
	dev->irq_nvec = 0;
}

/* --- INTx ------------------------------------------------------------------ */
int pci_intx_setup(struct pci_device *dev)
{
	if (!dev->irq_pin)
		return -ENOTSUP;
	if (dev->irq_mode != PCI_IRQ_NONE)
		return -EBUSY;
	pci_config_write16(dev, PCI_COMMAND,
			   pci_config_read16(dev, PCI_COMMAND) & ~PCI_COMMAND_INTX_DISABLE);
	dev->irq_mode = PCI_IRQ_INTX;
	dev->irq_nvec = 0;
	return 0;
}

/* --- the ladder -------------------------------------------------------------- */
int pci_irq_setup(struct pci_device *dev, unsigned int nvec)
{
	char name[PCI_NAME_MAX];
	int n;

	if (!nvec)
		return -EINVAL;
	if (dev->irq_mode != PCI_IRQ_NONE)
		return -EBUSY;
	if (dev->cap_msix) {
		n = pci_msix_enable(dev, nvec);
		if (n > 0)
			return n;
		pr_warn("pci: %s: MSI-X unusable (%s), trying MSI\n",
			pci_device_name(dev, name, sizeof(name)), errno_name(n));
	}
	if (dev->cap_msi) {
		n = pci_msi_enable(dev);
		if (n == 0)
			return 1;
		pr_warn("pci: %s: MSI unusable (%s), trying INTx\n",
			pci_device_name(dev, name, sizeof(name)), errno_name(n));
	}
	/* INTx, or no interrupt at all: either way the driver polls */
	pci_intx_setup(dev);
	return 0;
}

int pci_irq_set_vector(struct pci_device *dev, unsigned int entry, unsigned int cpu,
		       void (*fn)(void *arg), void *arg, const char *name)
{
	switch (dev->irq_mode) {
	case PCI_IRQ_MSIX:
		return pci_msix_set_vector(dev, entry, cpu, fn, arg, name);
	case PCI_IRQ_MSI:
		return entry ? -EINVAL : pci_msi_set_vector(dev, cpu, fn, arg, name);
	default:
		return -ENOTSUP;
	}
}

void pci_irq_clear_vector(struct pci_device *dev, unsigned int entry)
{
	struct pci_msix_vector *v;

	if (dev->irq_mode != PCI_IRQ_MSIX || entry >= dev->irq_nvec)
		return;
	v = &dev->msix_vectors[entry];
	msix_entry_mask(dev, entry);
	pci_vector_free(v->cpu, v->vector);
	*v = (struct pci_msix_vector){ -1, -1 };
}

void pci_irq_teardown(struct pci_device *dev)
{
	switch (dev->irq_mode) {
	case PCI_IRQ_MSIX:
		pci_msix_disable(dev);
		break;
	case PCI_IRQ_MSI:
		pci_msi_disable(dev);
		break;
	case PCI_IRQ_INTX:
		pci_config_write16(dev, PCI_COMMAND,
				   pci_config_read16(dev, PCI_COMMAND) | PCI_COMMAND_INTX_DISABLE);
		dev->irq_mode = PCI_IRQ_NONE;
		break;
	case PCI_IRQ_NONE:
		break;
	}
}
