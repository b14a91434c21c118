/*
 * PCI: the devices on the PCI (Express) buses and the drivers that bind to
 * them. pci_init() scans every bus once at boot (ECAM from the ACPI MCFG
 * table, or port I/O when there is none or `pci=legacy` is given), builds a
 * struct pci_device per function and offers each one to the drivers declared
 * with PCI_DRIVER(). Drivers then enable the device, map its BARs, find their
 * capabilities and set up interrupts (MSI-X, MSI or INTx) through this header.
 * docs/pci.md explains the choices.
 *
 * The device list is built before any other CPU runs and is read-only after
 * pci_init(); a device's fields belong to its driver once bound.
 */
#ifndef DRIVERS_PCI_PCI_H
#define DRIVERS_PCI_PCI_H

#include "lib/list.h"
#include "lib/types.h"
#include "drivers/pci/pci_decode.h"

#define PCI_NUM_BARS 6

enum pci_irq_mode {
	PCI_IRQ_NONE,		/* no interrupt set up (or the device has none) */
	PCI_IRQ_INTX,		/* pin recorded; not routed, so the driver polls */
	PCI_IRQ_MSI,		/* one message */
	PCI_IRQ_MSIX,		/* irq_nvec table entries */
};

struct pci_msix_vector;

struct pci_device {
	struct list_head node;		/* on the global list, in scan order */
	u16 segment;
	u8 bus, dev, fn;
	u16 vendor, device;
	u8 class_base, class_sub, prog_if, revision;
	u8 header_type;			/* PCI_HEADER_TYPE_{NORMAL,BRIDGE,...}, no MF bit */
	u8 irq_pin;			/* 0 none, 1-4 INTA-INTD */
	u8 irq_line;			/* what firmware wrote, for the record */
	struct pci_bar bar[PCI_NUM_BARS];	/* the high half of a 64-bit BAR: size 0 */
	u8 cap_msi, cap_msix, cap_exp;	/* capability offsets, 0 when absent */
	void *ecam;			/* this function's 4 KiB of ECAM, or NULL */
	const struct pci_driver *driver;	/* bound driver, NULL when none */
	void *driver_data;		/* the driver's own */

	/* interrupts, owned by drivers/pci/pci_msi.c */
	enum pci_irq_mode irq_mode;
	unsigned int irq_nvec;		/* MSI-X entries enabled, or 1 for MSI/INTx */
	void *msix_table;		/* mapped MSI-X table and pending bits */
	void *msix_pba;
	size_t msix_table_len, msix_pba_len;
	struct pci_msix_vector *msix_vectors;	/* irq_nvec of them */
	int msi_cpu, msi_vector;	/* the MSI message's target; -1 when unset */
};

struct pci_driver {
	const char *name;
	const struct pci_device_id *ids;
	/* 0 binds the driver; a negative errno leaves the device unbound */
	int (*probe)(struct pci_device *dev, const struct pci_device_id *id);
};

/*
 *	static const struct pci_device_id nvme_ids[] = {
 *		{ PCI_ANY_ID, PCI_ANY_ID, 0x010802, 0xffffff },
 *		{ 0 }
 *	};
 *	PCI_DRIVER(nvme, nvme_ids, nvme_probe);
 *
 * Drivers are offered each device in the order of their names.
 */
#define PCI_DRIVER(_name, _ids, _probe)						\
	static const struct pci_driver __pci_driver_##_name __used		\
	__section(".pci_drivers." #_name) __aligned(8) = {			\
		#_name, _ids, _probe						\
	}

/* Scan every bus and probe drivers; 0, or -ENODEV when no bus answers. */
int pci_init(void);

/* Every function found, in scan order (bus, device, function, depth first). */
extern struct list_head pci_devices;
#define pci_for_each_device(d) list_for_each_entry(d, &pci_devices, node)

/* "ecam" or "legacy": how configuration space is reached. */
const char *pci_config_method(void);

/*
 * Configuration space of one function. Offsets past 255 need ECAM: with port
 * I/O they read as all ones and writes are dropped. Accesses must be aligned
 * to their size.
 */
u8 pci_config_read8(const struct pci_device *dev, unsigned int off);
u16 pci_config_read16(const struct pci_device *dev, unsigned int off);
u32 pci_config_read32(const struct pci_device *dev, unsigned int off);
void pci_config_write8(const struct pci_device *dev, unsigned int off, u8 v);
void pci_config_write16(const struct pci_device *dev, unsigned int off, u16 v);
void pci_config_write32(const struct pci_device *dev, unsigned int off, u32 v);

/* Turn on memory (and I/O) decoding for the BARs it has, and bus mastering. */
int pci_enable_device(struct pci_device *dev);
/* Map a memory BAR uncached; NULL when the BAR is absent or I/O. */
void *pci_map_bar(struct pci_device *dev, int bar);
void pci_unmap_bar(struct pci_device *dev, int bar, void *addr);

/*
 * Capabilities: the offset of the first one with this id, or of the next one
 * after the capability at start (start 0: from the beginning); 0 when none.
 * Walking vendor-specific ones (virtio):
 *	for (c = pci_find_capability(d, PCI_CAP_ID_VNDR); c;
 *	     c = pci_find_next_capability(d, PCI_CAP_ID_VNDR, c))
 */
int pci_find_capability(struct pci_device *dev, u8 id);
int pci_find_next_capability(struct pci_device *dev, u8 id, int start);
/* The capability after start (0: the first) whatever its id; 0 at the end. */
int pci_next_capability(struct pci_device *dev, int start);

/* "00:03.0" (segment prefixed when not 0) into buf; returns buf. */
char *pci_device_name(const struct pci_device *dev, char *buf, size_t len);
#define PCI_NAME_MAX 16

/* --- interrupts: drivers/pci/pci_msi.c --------------------------------------- */
/*
 * The ladder: MSI-X with nvec entries (fewer when the table is smaller),
 * else MSI with one, else INTx (recorded only: we do not parse _PRT, so the
 * line is not routed and the driver must poll). Returns the number of
 * vectors the driver may set with pci_irq_set_vector() (0 for INTx and when
 * the device has no interrupt at all), or a negative errno.
 */
int pci_irq_setup(struct pci_device *dev, unsigned int nvec);
/*
 * Aim entry (an MSI-X entry, or 0 for MSI) at cpu: allocate a vector there
 * for fn(arg), program the message and unmask it. -ERANGE when the CPU's
 * APIC id cannot be reached by an MSI (x2APIC id above 255): the driver
 * aims that queue elsewhere or polls it.
 */
int pci_irq_set_vector(struct pci_device *dev, unsigned int entry, unsigned int cpu,
		       void (*fn)(void *arg), void *arg, const char *name);
/*
 * Mask MSI-X entry and free its vector: no handler is called for it any
 * more (its arg may go). A no-op for an entry never set, or without MSI-X.
 */
void pci_irq_clear_vector(struct pci_device *dev, unsigned int entry);
/* Mask everything, free the vectors and return to PCI_IRQ_NONE. */
void pci_irq_teardown(struct pci_device *dev);

/* The rungs of the ladder, for drivers that want one of them only. */
int pci_msix_enable(struct pci_device *dev, unsigned int nvec);
int pci_msix_set_vector(struct pci_device *dev, unsigned int entry, unsigned int cpu,
			void (*fn)(void *arg), void *arg, const char *name);
void pci_msix_disable(struct pci_device *dev);
int pci_msi_enable(struct pci_device *dev);
int pci_msi_set_vector(struct pci_device *dev, unsigned int cpu,
		       void (*fn)(void *arg), void *arg, const char *name);
void pci_msi_disable(struct pci_device *dev);
int pci_intx_setup(struct pci_device *dev);

/* "msix", "msi", "intx", "none" */
const char *pci_irq_mode_name(enum pci_irq_mode mode);

#endif
