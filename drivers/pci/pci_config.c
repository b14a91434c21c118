/*
 * PCI configuration space access. PCIe machines map every function's 4 KiB
 * of configuration space into memory (ECAM, PCIe 7.2.2) at the addresses the
 * ACPI MCFG table gives; older ones, and every machine when the command line
 * says `pci=legacy`, go through configuration mechanism #1: an address
 * written to port 0xcf8, the data at 0xcfc (LB 3.2.2.3.2), which reaches only
 * segment 0 and the first 256 bytes.
 *
 * ECAM is mapped one bus (1 MiB) at a time, on the first access to that bus,
 * so a segment of 256 buses costs only the buses that exist. Mappings are
 * never undone: devices do not leave. The port pair is one shared register
 * pair and takes a lock; ECAM accesses are single loads and stores.
 */
#include "drivers/pci/pci_internal.h"
#include "drivers/pci/pci_regs.h"
#include "kernel/acpi/acpi.h"
#include "kernel/cmdline.h"
#include "kernel/mm/ioremap.h"
#include "kernel/console/printk.h"
#include "kernel/sched/spinlock.h"
#include "kernel/arch/x86.h"
#include "lib/errno.h"
#include "lib/parse.h"
#include "lib/string.h"

struct pci_ecam_region {
	u64 base;			/* physical address of bus 0 of the segment */
	u16 segment;
	u8 start_bus, end_bus;
	void *bus_map[PCI_MAX_BUSES];	/* 1 MiB windows, by bus; NULL until used */
};

static struct pci_ecam_region ecam_regions[ACPI_MAX_MCFG];
static int ecam_nregions;
static bool pci_force_legacy;
static unsigned int pci_last_bus = PCI_MAX_BUSES - 1;
static spinlock_t conf1_lock = SPINLOCK_INIT;

/* Linux's pci= words, comma separated: legacy (its "conf1"), lastbus=N */
static int pci_option(const char *value)
{
	char word[24];

	while (*value) {
		const char *comma = strchr(value, ',');
		size_t n = comma ? (size_t)(comma - value) : strlen(value);
		u32 bus;

		if (n >= sizeof(word))
			return -EINVAL;
		memcpy(word, value, n);
		word[n] = 0;
		value += n + (value[n] == ',');
		if (!strcmp(word, "legacy") || !strcmp(word, "conf1"))
			pci_force_legacy = true;
		else if (!strncmp(word, "lastbus=", 8) && !parse_u32(word + 8, &bus) &&
			 bus < PCI_MAX_BUSES)
			pci_last_bus = bus;
		else
			return -EINVAL;
	}
	return 0;
}
CMDLINE_OPTION("pci", pci_option,
	       "pci=legacy: configuration space through ports 0xcf8/0xcfc, not ECAM;"
	       " pci=lastbus=N: look for root buses up to bus N only (default 255)");

unsigned int pci_config_last_bus(void)
{
	return pci_last_bus;
}

const char *pci_config_method(void)
{
	return ecam_nregions ? "ecam" : "legacy";
}

int pci_config_init(struct pci_root *roots, int max)
{
	const struct acpi_mcfg_info *mcfg = acpi_mcfg();
	int n = 0;

	ecam_nregions = 0;
	if (mcfg && !pci_force_legacy) {
		for (int i = 0; i < mcfg->nregions && n < max; i++) {
			const struct acpi_mcfg_region *r = &mcfg->regions[i];
			struct pci_ecam_region *e = &ecam_regions[ecam_nregions++];

			memset(e, 0, sizeof(*e));
			e->base = r->base;
			e->segment = r->segment;
			e->start_bus = r->start_bus;
			e->end_bus = r->end_bus;
			roots[n++] = (struct pci_root){ r->segment, r->start_bus, r->end_bus };
		}
	}
	if (n) {
		pr_info("pci: configuration space through ECAM, %d region%s\n", n,
			n == 1 ? "" : "s");
		return n;
	}
	pr_info("pci: configuration space through ports 0xcf8/0xcfc (%s)\n",
		pci_force_legacy ? "pci=legacy" : "no MCFG table");
	if (max < 1)
		return 0;
	roots[0] = (struct pci_root){ 0, 0, PCI_MAX_BUSES - 1 };
	return 1;
}

static struct pci_ecam_region *ecam_region_find(u16 segment, u8 bus)
{
	for (int i = 0; i < ecam_nregions; i++) {
		struct pci_ecam_region *e = &ecam_regions[i];

		if (e->segment == segment && bus >= e->start_bus && bus <= e->end_bus)
			return e;
	}
	return NULL;
}

int pci_config_attach(struct pci_device *dev)
{
	struct pci_ecam_region *e;
	u8 *bus_base;

	dev->ecam = NULL;
	if (!ecam_nregions)
		return dev->segment == 0 ? 0 : -ENXIO;
	e = ecam_region_find(dev->segment, dev->bus);
	if (!e)
		return -ENXIO;
	if (!e->bus_map[dev->bus]) {
		e->bus_map[dev->bus] = ioremap(e->base + PCI_ECAM_OFFSET(dev->bus, 0, 0),
					       PCI_ECAM_BUS_SIZE);
		if (!e->bus_map[dev->bus]) {
			pr_err("pci: cannot map ECAM of bus %04x:%02x\n", dev->segment, dev->bus);
			return -ENXIO;
		}
	}
	bus_base = e->bus_map[dev->bus];
	dev->ecam = bus_base + PCI_ECAM_OFFSET(0, dev->dev, dev->fn);
	return 0;
}

void pci_config_release_bus(u16 segment, u8 bus)
{
	struct pci_ecam_region *e = ecam_region_find(segment, bus);

	if (e && e->bus_map[bus]) {
		iounmap(e->bus_map[bus], PCI_ECAM_BUS_SIZE);
		e->bus_map[bus] = NULL;
	}
}

/*
 * Mechanism #1 reads a whole dword; the byte lanes at 0xcfc + (off & 3)
 * select the part. Segments other than 0 and offsets past 255 are out of
 * its reach: they read as all ones, as an absent function does.
 */
static u32 conf1_read(const struct pci_device *dev, unsigned int off, unsigned int size)
{
	unsigned long flags;
	u32 v;

	if (dev->segment || off >= PCI_CONFIG_SIZE)
		return 0xffffffffU;
	flags = spin_lock_irqsave(&conf1_lock);
	outl(PCI_CONF1_ADDRESS, PCI_CONF1_ENABLE | (u32)dev->bus << 16 | (u32)dev->dev << 11 |
	     (u32)dev->fn << 8 | (off & 0xfc));
	if (size == 1)
		v = inb(PCI_CONF1_DATA + (off & 3));
	else if (size == 2)
		v = inw(PCI_CONF1_DATA + (off & 2));
	else
		v = inl(PCI_CONF1_DATA);
	spin_unlock_irqrestore(&conf1_lock, flags);
	return v;
}

static void conf1_write(const struct pci_device *dev, unsigned int off, unsigned int size,
			u32 v)
{
	unsigned long flags;

	if (dev->segment || off >= PCI_CONFIG_SIZE)
		return;
	flags = spin_lock_irqsave(&conf1_lock);
	outl(PCI_CONF1_ADDRESS, PCI_CONF1_ENABLE | (u32)dev->bus << 16 | (u32)dev->dev << 11 |
	     (u32)dev->fn << 8 | (off & 0xfc));
	if (size == 1)
		outb(PCI_CONF1_DATA + (off & 3), (u8)v);
	else if (size == 2)
		outw(PCI_CONF1_DATA + (off & 2), (u16)v);
	else
		outl(PCI_CONF1_DATA, v);
	spin_unlock_irqrestore(&conf1_lock, flags);
}

/* an offset outside the function's space, or misaligned, is a driver bug: read ones */
static bool config_offset_ok(unsigned int off, unsigned int size)
{
	return off + size <= PCI_CONFIG_SIZE_EXT && (off & (size - 1)) == 0;
}

#define PCI_CONFIG_ACCESSORS(bits, type)						\
type pci_config_read##bits(const struct pci_device *dev, unsigned int off)		\
{											\
	if (!config_offset_ok(off, sizeof(type)))					\
		return (type)~0U;							\
	if (dev->ecam)									\
		return *(volatile type *)((u8 *)dev->ecam + off);			\
	return (type)conf1_read(dev, off, sizeof(type));				\
}											\
void pci_config_write##bits(const struct pci_device *dev, unsigned int off, type v)	\
{											\
	if (!config_offset_ok(off, sizeof(type)))					\
		return;									\
	if (dev->ecam)									\
		*(volatile type *)((u8 *)dev->ecam + off) = v;				\
	else										\
		conf1_write(dev, off, sizeof(type), v);					\
}

PCI_CONFIG_ACCESSORS(8, u8)
PCI_CONFIG_ACCESSORS(16, u16)
PCI_CONFIG_ACCESSORS(32, u32)
