/*
 * The PCI core: the scan, BAR sizing, capabilities, and binding drivers.
 *
 * pci_init() walks each root bus depth first: every device, every function
 * of a multi-function device, and behind every PCI-to-PCI bridge the
 * secondary bus that firmware programmed. The roots: the first bus of each
 * ECAM region (every MCFG segment), or bus 0 with port I/O; then every other
 * bus of the range that no bridge led to but that has a device is a root of
 * its own. That is how the extra host bridges of multi-socket machines and
 * QEMU's pxb-pcie (a root at bus_nr=128, say) are found without reading
 * them from the DSDT, as Linux's pcibios_fixup_peer_bridges() does. Buses
 * are never renumbered; a bus reached twice (a broken bridge setup) is
 * scanned once. Each function gets a struct pci_device on
 * pci_devices, its BARs sized, and is then offered to the drivers in the
 * .pci_drivers section: the first whose table matches and whose probe
 * returns 0 binds it.
 */
#include "drivers/pci/pci_internal.h"
#include "drivers/pci/pci_regs.h"
#include "kernel/acpi/acpi.h"
#include "kernel/mm/ioremap.h"
#include "kernel/console/printk.h"
#include "kernel/mm/slab.h"
#include "lib/bitmap.h"
#include "lib/errno.h"
#include "lib/printf.h"

LIST_HEAD(pci_devices);

extern const struct pci_driver __pci_drivers_start[], __pci_drivers_end[];

/* state of one root's walk */
struct pci_scan {
	struct pci_root root;
	DECLARE_BITMAP(seen, PCI_MAX_BUSES);	/* buses already walked */
	unsigned int functions, buses, roots;
	bool sweep_conf1;	/* the sweep for peer root buses reads through ports */
};

char *pci_device_name(const struct pci_device *dev, char *buf, size_t len)
{
	if (dev->segment)
		snprintf(buf, len, "%04x:%02x:%02x.%x", dev->segment, dev->bus, dev->dev, dev->fn);
	else
		snprintf(buf, len, "%02x:%02x.%x", dev->bus, dev->dev, dev->fn);
	return buf;
}

static u8 pci_cap_read8(const void *ctx, unsigned int off)
{
	return pci_config_read8(ctx, off);
}

int pci_find_next_capability(struct pci_device *dev, u8 id, int start)
{
	return pci_cap_find_next(pci_cap_read8, dev, id, start);
}

int pci_next_capability(struct pci_device *dev, int start)
{
	return pci_cap_next(pci_cap_read8, dev, start);
}

int pci_find_capability(struct pci_device *dev, u8 id)
{
	return pci_cap_find_next(pci_cap_read8, dev, id, 0);
}

/*
 * Size the BARs the LB 6.2.5.1 way: write all ones, read back the writable
 * bits, restore. Decoding is off meanwhile so that the BAR, briefly at a
 * nonsense address, cannot claim someone else's cycles.
 */
static void pci_bars_size(struct pci_device *dev)
{
	unsigned int nbars = dev->header_type == PCI_HEADER_TYPE_NORMAL ? PCI_BAR_COUNT_NORMAL :
			     dev->header_type == PCI_HEADER_TYPE_BRIDGE ? PCI_BAR_COUNT_BRIDGE : 0;
	u16 cmd = pci_config_read16(dev, PCI_COMMAND);
	char name[PCI_NAME_MAX];

	pci_config_write16(dev, PCI_COMMAND, cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
	for (unsigned int i = 0; i < nbars;) {
		unsigned int off = PCI_BAR0 + 4 * i;
		u32 orig, probed, orig_hi = 0, probed_hi = 0;

		orig = pci_config_read32(dev, off);
		pci_config_write32(dev, off, 0xffffffffU);
		probed = pci_config_read32(dev, off);
		pci_config_write32(dev, off, orig);
		if (pci_bar_is_64(orig)) {
			if (i + 1 == nbars) {
				pr_warn("pci: %s: 64-bit BAR%u in the last slot, ignored\n",
					pci_device_name(dev, name, sizeof(name)), i);
				break;
			}
			orig_hi = pci_config_read32(dev, off + 4);
			pci_config_write32(dev, off + 4, 0xffffffffU);
			probed_hi = pci_config_read32(dev, off + 4);
			pci_config_write32(dev, off + 4, orig_hi);
		}
		i += pci_bar_decode(orig, probed, orig_hi, probed_hi, &dev->bar[i]);
	}
	pci_config_write16(dev, PCI_COMMAND, cmd);
}

int pci_enable_device(struct pci_device *dev)
{
	u16 cmd = pci_config_read16(dev, PCI_COMMAND), want = cmd | PCI_COMMAND_MASTER;

	for (int i = 0; i < PCI_NUM_BARS; i++) {
		if (!dev->bar[i].size)
			continue;
		want |= dev->bar[i].flags & PCI_BAR_IO ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY;
	}
	if (want != cmd)
		pci_config_write16(dev, PCI_COMMAND, want);
	return 0;
}

void *pci_map_bar(struct pci_device *dev, int bar)
{
	const struct pci_bar *b;

	if (bar < 0 || bar >= PCI_NUM_BARS)
		return NULL;
	b = &dev->bar[bar];
	if (!b->size || !b->base || (b->flags & PCI_BAR_IO))
		return NULL;
	return ioremap(b->base, b->size);
}

void pci_unmap_bar(struct pci_device *dev, int bar, void *addr)
{
	if (addr && bar >= 0 && bar < PCI_NUM_BARS)
		iounmap(addr, dev->bar[bar].size);
}

/* Read what describes the function; its BARs and capabilities. */
static struct pci_device *pci_device_create(const struct pci_device *probe)
{
	struct pci_device *dev = kzalloc(sizeof(*dev));

	if (!dev)
		return NULL;
	*dev = *probe;
	dev->vendor = pci_config_read16(dev, PCI_VENDOR_ID);
	dev->device = pci_config_read16(dev, PCI_DEVICE_ID);
	dev->revision = pci_config_read8(dev, PCI_REVISION_ID);
	dev->prog_if = pci_config_read8(dev, PCI_CLASS_PROG);
	dev->class_sub = pci_config_read8(dev, PCI_CLASS_SUBCLASS);
	dev->class_base = pci_config_read8(dev, PCI_CLASS_BASE);
	dev->header_type = pci_config_read8(dev, PCI_HEADER_TYPE) & PCI_HEADER_TYPE_MASK;
	if (dev->header_type == PCI_HEADER_TYPE_NORMAL) {
		dev->irq_pin = pci_config_read8(dev, PCI_INTERRUPT_PIN);
		dev->irq_line = pci_config_read8(dev, PCI_INTERRUPT_LINE);
	}
	pci_bars_size(dev);
	dev->cap_msi = (u8)pci_find_capability(dev, PCI_CAP_ID_MSI);
	dev->cap_msix = (u8)pci_find_capability(dev, PCI_CAP_ID_MSIX);
	dev->cap_exp = (u8)pci_find_capability(dev, PCI_CAP_ID_EXP);
	dev->irq_mode = PCI_IRQ_NONE;
	dev->msi_cpu = -1;
	dev->msi_vector = -1;
	list_add_tail(&dev->node, &pci_devices);
	return dev;
}

static void pci_scan_bus(struct pci_scan *scan, unsigned int bus);

/* A bridge: walk the bus behind it, if that is a new bus of this root. */
static void pci_scan_bridge(struct pci_scan *scan, struct pci_device *bridge)
{
	u8 secondary = pci_config_read8(bridge, PCI_SECONDARY_BUS);
	char name[PCI_NAME_MAX];

	if (secondary <= bridge->bus || secondary < scan->root.start_bus ||
	    secondary > scan->root.end_bus) {
		pr_warn("pci: %s: bridge to bus %02x is outside %02x-%02x, not scanned\n",
			pci_device_name(bridge, name, sizeof(name)), secondary,
			bridge->bus + 1, scan->root.end_bus);
		return;
	}
	if (bitmap_test_bit(scan->seen, secondary)) {
		pr_warn("pci: %s: bus %02x is behind two bridges, scanned once\n",
			pci_device_name(bridge, name, sizeof(name)), secondary);
		return;
	}
	pci_scan_bus(scan, secondary);
}

static void pci_scan_bus(struct pci_scan *scan, unsigned int bus)
{
	bitmap_set_bit(scan->seen, bus);
	scan->buses++;
	for (unsigned int d = 0; d < PCI_MAX_DEVICES; d++) {
		for (unsigned int f = 0; f < PCI_MAX_FUNCTIONS; f++) {
			struct pci_device probe = {
				.segment = scan->root.segment, .bus = (u8)bus,
				.dev = (u8)d, .fn = (u8)f,
			};
			struct pci_device *dev;
			u16 vendor;
			u8 header;

			if (pci_config_attach(&probe))
				return;
			vendor = pci_config_read16(&probe, PCI_VENDOR_ID);
			if (vendor == 0xffff || vendor == 0) {
				/* no function 0: no device (LB 3.2.2.3.4) */
				if (f == 0)
					break;
				continue;
			}
			header = pci_config_read8(&probe, PCI_HEADER_TYPE);
			dev = pci_device_create(&probe);
			if (!dev) {
				pr_err("pci: out of memory for the device list\n");
				return;
			}
			scan->functions++;
			if (dev->header_type == PCI_HEADER_TYPE_BRIDGE)
				pci_scan_bridge(scan, dev);
			if (f == 0 && !(header & PCI_HEADER_TYPE_MULTIFUNC))
				break;
		}
	}
}

static void pci_device_bind(struct pci_device *dev)
{
	u32 class = (u32)dev->class_base << 16 | (u32)dev->class_sub << 8 | dev->prog_if;
	char name[PCI_NAME_MAX];

	for (const struct pci_driver *drv = __pci_drivers_start; drv < __pci_drivers_end; drv++) {
		const struct pci_device_id *id = pci_match_id(drv->ids, dev->vendor, dev->device,
							      class);
		int err;

		if (!id)
			continue;
		err = drv->probe(dev, id);
		if (!err) {
			dev->driver = drv;
			pr_info("pci: %s: bound to %s\n", pci_device_name(dev, name, sizeof(name)),
				drv->name);
			return;
		}
		pr_err("pci: %s: %s probe failed (%s), device left unbound\n",
		       pci_device_name(dev, name, sizeof(name)), drv->name, errno_name(err));
		/* a probe must undo its own setup; interrupts are the costly thing to leak */
		if (dev->irq_mode != PCI_IRQ_NONE)
			pci_irq_teardown(dev);
		dev->driver_data = NULL;
	}
}

/* Whether bus has any device (function 0 of some slot answers); unmaps it if not. */
static bool pci_bus_has_device(struct pci_scan *scan, unsigned int bus)
{
	for (unsigned int d = 0; d < PCI_MAX_DEVICES; d++) {
		struct pci_device probe = {
			.segment = scan->root.segment, .bus = (u8)bus, .dev = (u8)d,
		};
		u16 vendor;

		/* probe.ecam stays NULL with sweep_conf1: the read goes through the ports */
		if (!scan->sweep_conf1 && pci_config_attach(&probe))
			return false;
		vendor = pci_config_read16(&probe, PCI_VENDOR_ID);
		if (vendor != 0xffff && vendor != 0)
			return true;
	}
	if (!scan->sweep_conf1)
		pci_config_release_bus(scan->root.segment, (u8)bus);
	return false;
}

/*
 * Whether the sweep can read vendor ids through configuration mechanism #1
 * (ports 0xcf8/0xcfc) instead of ECAM: segment 0, and the ports answer for
 * the first bus's host bridge as ECAM does. Through ECAM each swept bus is
 * mapped and unmapped, and every unmap flushes the TLB of every CPU: with 8
 * CPUs under TCG that was most of the boot (0.9 s for 255 buses); the
 * ports map nothing.
 */
static bool pci_sweep_conf1_ok(const struct pci_scan *scan)
{
	struct pci_device ecam = { .segment = 0, .bus = scan->root.start_bus };
	struct pci_device port = ecam;
	u16 vendor;

	if (scan->root.segment || pci_config_attach(&ecam) || !ecam.ecam)
		return false;
	vendor = pci_config_read16(&ecam, PCI_VENDOR_ID);
	return vendor != 0xffff && vendor != 0 && pci_config_read16(&port, PCI_VENDOR_ID) == vendor;
}

/*
 * The first bus of the range, then every bus of it that nothing led to but
 * that has devices: a peer root bus (another host bridge).
 */
static void pci_scan_range(struct pci_scan *scan)
{
	unsigned int first = scan->root.start_bus, last = scan->root.end_bus;
	unsigned int sweep_end = min(last, pci_config_last_bus());

	scan->roots = 1;
	pci_scan_bus(scan, first);
	scan->sweep_conf1 = pci_sweep_conf1_ok(scan);
	/* each bus costs 32 configuration reads: slow where each is a VM exit */
	for (unsigned int bus = first + 1; bus <= sweep_end; bus++) {
		if (bitmap_test_bit(scan->seen, bus) || !pci_bus_has_device(scan, bus))
			continue;
		pr_info("pci: root bus %04x:%02x (found by scanning %02x-%02x)\n",
			scan->root.segment, bus, first, sweep_end);
		scan->roots++;
		scan->root.start_bus = (u8)bus;
		pci_scan_bus(scan, bus);
	}
}

int pci_init(void)
{
	struct pci_root roots[ACPI_MAX_MCFG];
	unsigned int functions = 0, buses = 0, nr_root_buses = 0;
	int nroots = pci_config_init(roots, ACPI_MAX_MCFG);
	struct pci_device *dev;

	for (int i = 0; i < nroots; i++) {
		struct pci_scan scan = { .root = roots[i] };

		pci_scan_range(&scan);
		functions += scan.functions;
		buses += scan.buses;
		nr_root_buses += scan.roots;
	}
	pr_info("pci: %u function%s on %u bus%s, %u root bus%s\n", functions,
		functions == 1 ? "" : "s", buses, buses == 1 ? "" : "es", nr_root_buses,
		nr_root_buses == 1 ? "" : "es");
	if (!functions)
		return -ENODEV;
	pci_for_each_device(dev)
		pci_device_bind(dev);
	return 0;
}
