/*
 * `lspci`: one line per PCI function (address, ids, class, bound driver,
 * interrupt mode); -v adds the BARs and the capability list; --json prints
 * all of it as one object for host tools.
 */
#include "drivers/pci/pci_internal.h"
#include "drivers/pci/pci_regs.h"
#include "kernel/console/console.h"
#include "kernel/shell/shell.h"
#include "lib/json.h"
#include "lib/printf.h"

/* "16K", "1M", "4G" when exact, else bytes */
static const char *size_text(u64 size, char *buf, size_t len)
{
	static const char units[] = "KMGT";
	int u = -1;

	while (u < 3 && size >= 1024 && (size & 1023) == 0) {
		size >>= 10;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%llu", (unsigned long long)size);
	else
		snprintf(buf, len, "%llu%c", (unsigned long long)size, units[u]);
	return buf;
}

static const char *irq_text(const struct pci_device *dev, char *buf, size_t len)
{
	if (dev->irq_mode == PCI_IRQ_MSIX)
		snprintf(buf, len, "msix:%u", dev->irq_nvec);
	else
		snprintf(buf, len, "%s", pci_irq_mode_name(dev->irq_mode));
	return buf;
}

static void lspci_print_bars(const struct pci_device *dev)
{
	char size[24];

	for (int i = 0; i < PCI_NUM_BARS; i++) {
		const struct pci_bar *b = &dev->bar[i];

		if (!b->size)
			continue;
		printf("  BAR%d %s 0x%llx size %s%s%s\n", i, b->flags & PCI_BAR_IO ? "io " : "mem",
		       (unsigned long long)b->base, size_text(b->size, size, sizeof(size)),
		       b->flags & PCI_BAR_MEM64 ? " 64-bit" : "",
		       b->flags & PCI_BAR_PREFETCH ? " prefetchable" : "");
	}
}

/* the details worth a line for the capabilities the kernel uses */
static void lspci_print_cap(struct pci_device *dev, int pos, u8 id)
{
	const char *name = pci_cap_name(id);

	if (name)
		printf("  cap 0x%02x %s", pos, name);
	else
		printf("  cap 0x%02x id 0x%02x", pos, id);
	if (id == PCI_CAP_ID_MSIX) {
		u16 ctrl = pci_config_read16(dev, pos + PCI_MSIX_FLAGS);
		u32 table = pci_config_read32(dev, pos + PCI_MSIX_TABLE);
		u32 pba = pci_config_read32(dev, pos + PCI_MSIX_PBA);

		printf(": %u entries, table BAR%u+0x%x, PBA BAR%u+0x%x%s",
		       (ctrl & PCI_MSIX_FLAGS_QSIZE) + 1, table & PCI_MSIX_BIR_MASK,
		       table & PCI_MSIX_OFFSET_MASK, pba & PCI_MSIX_BIR_MASK,
		       pba & PCI_MSIX_OFFSET_MASK, ctrl & PCI_MSIX_FLAGS_ENABLE ? ", enabled" : "");
	} else if (id == PCI_CAP_ID_MSI) {
		u16 ctrl = pci_config_read16(dev, pos + PCI_MSI_FLAGS);

		printf(": %u messages, %s address%s%s", 1U << ((ctrl & PCI_MSI_FLAGS_QMASK) >> 1),
		       ctrl & PCI_MSI_FLAGS_64BIT ? "64-bit" : "32-bit",
		       ctrl & PCI_MSI_FLAGS_MASKBIT ? ", per-vector masking" : "",
		       ctrl & PCI_MSI_FLAGS_ENABLE ? ", enabled" : "");
	} else if (id == PCI_CAP_ID_VNDR) {
		printf(": length %u", pci_config_read8(dev, pos + 2));
	}
	printf("\n");
}

static void lspci_print_text(bool verbose)
{
	struct pci_device *dev;

	pci_for_each_device(dev) {
		char name[PCI_NAME_MAX], irq[16];

		printf("%s %04x:%04x class %02x%02x (%s) driver %s irq %s\n",
		       pci_device_name(dev, name, sizeof(name)), dev->vendor, dev->device,
		       dev->class_base, dev->class_sub,
		       pci_class_name(dev->class_base, dev->class_sub),
		       dev->driver ? dev->driver->name : "-", irq_text(dev, irq, sizeof(irq)));
		if (!verbose)
			continue;
		printf("  revision %02x, prog-if %02x, header type %u, interrupt pin %c\n",
		       dev->revision, dev->prog_if, dev->header_type,
		       dev->irq_pin >= 1 && dev->irq_pin <= 4 ? 'A' + dev->irq_pin - 1 : '-');
		lspci_print_bars(dev);
		for (int pos = pci_next_capability(dev, 0); pos; pos = pci_next_capability(dev, pos))
			lspci_print_cap(dev, pos, pci_config_read8(dev, pos + PCI_CAP_ID));
	}
}

static void lspci_json_bars(struct json_writer *w, const struct pci_device *dev)
{
	json_key(w, "bars");
	json_array_begin(w);
	for (int i = 0; i < PCI_NUM_BARS; i++) {
		const struct pci_bar *b = &dev->bar[i];

		if (!b->size)
			continue;
		json_object_begin(w);
		json_field_s64(w, "index", i);
		json_field_str(w, "type", b->flags & PCI_BAR_IO ? "io" : "mem");
		json_field_u64(w, "base", b->base);
		json_field_u64(w, "size", b->size);
		json_field_bool(w, "64bit", b->flags & PCI_BAR_MEM64);
		json_field_bool(w, "prefetchable", b->flags & PCI_BAR_PREFETCH);
		json_object_end(w);
	}
	json_array_end(w);
}

static void lspci_json_caps(struct json_writer *w, struct pci_device *dev)
{
	json_key(w, "capabilities");
	json_array_begin(w);
	for (int pos = pci_next_capability(dev, 0); pos; pos = pci_next_capability(dev, pos)) {
		u8 id = pci_config_read8(dev, pos + PCI_CAP_ID);
		const char *cap = pci_cap_name(id);

		json_object_begin(w);
		json_field_s64(w, "offset", pos);
		json_field_u64(w, "id", id);
		json_field_str(w, "name", cap ? cap : "unknown");
		json_object_end(w);
	}
	json_array_end(w);
}

static int lspci_print_json(void)
{
	struct pci_device *dev;
	struct json_writer w;

	shell_json_begin(&w);
	json_object_begin(&w);
	json_field_str(&w, "config", pci_config_method());
	json_key(&w, "devices");
	json_array_begin(&w);
	pci_for_each_device(dev) {
		char name[PCI_NAME_MAX];

		json_object_begin(&w);
		json_field_str(&w, "slot", pci_device_name(dev, name, sizeof(name)));
		json_field_u64(&w, "segment", dev->segment);
		json_field_u64(&w, "bus", dev->bus);
		json_field_u64(&w, "dev", dev->dev);
		json_field_u64(&w, "fn", dev->fn);
		json_field_u64(&w, "vendor", dev->vendor);
		json_field_u64(&w, "device", dev->device);
		json_field_u64(&w, "class", dev->class_base);
		json_field_u64(&w, "subclass", dev->class_sub);
		json_field_u64(&w, "prog_if", dev->prog_if);
		json_field_str(&w, "class_name", pci_class_name(dev->class_base, dev->class_sub));
		json_field_u64(&w, "revision", dev->revision);
		json_field_u64(&w, "header_type", dev->header_type);
		json_field_str(&w, "driver", dev->driver ? dev->driver->name : NULL);
		json_field_str(&w, "irq", pci_irq_mode_name(dev->irq_mode));
		json_field_u64(&w, "irq_vectors", dev->irq_nvec);
		json_field_u64(&w, "irq_pin", dev->irq_pin);
		lspci_json_bars(&w, dev);
		lspci_json_caps(&w, dev);
		json_object_end(&w);
	}
	json_array_end(&w);
	json_object_end(&w);
	return shell_json_end(&w);
}

static int cmd_lspci(int argc, char **argv)
{
	bool verbose = false, json = false;
	const struct shell_flag flags[] = { { "-v", &verbose }, { "--json", &json } };
	int err = shell_flags_take(&argc, argv, flags, ARRAY_SIZE(flags));

	if (err)
		return err;
	if (argc != 1)
		return shell_usage_error(argv[0]);
	if (json)
		return lspci_print_json();
	lspci_print_text(verbose);
	return 0;
}
SHELL_COMMAND(lspci, cmd_lspci, "lspci [-v] [--json]",
	      "PCI functions: ids, class, driver, interrupt mode; -v: BARs and capabilities");
