/*
 * Between the parts of the PCI core (pci_config.c, pci.c, pci_msi.c,
 * pci_shell.c); drivers use drivers/pci/pci.h only.
 */
#ifndef DRIVERS_PCI_PCI_INTERNAL_H
#define DRIVERS_PCI_PCI_INTERNAL_H

#include "drivers/pci/pci.h"

/* a range of buses reachable through one configuration mechanism */
struct pci_root {
	u16 segment;
	u8 start_bus, end_bus;
};

/*
 * Choose the configuration mechanism (ECAM when ACPI has an MCFG and
 * `pci=legacy` was not given) and list the bus ranges to scan: one per
 * MCFG region, or segment 0 buses 0-255 with port I/O. Returns the number
 * of roots written (at most max).
 */
int pci_config_init(struct pci_root *roots, int max);
/*
 * Point dev->ecam at the function's 4 KiB of ECAM, mapping the bus on first
 * use; with port I/O it stays NULL. -ENXIO when the bus is in no region or
 * cannot be mapped (the function then reads as absent).
 */
int pci_config_attach(struct pci_device *dev);
/* The last bus the search for root buses looks at (`pci=lastbus=`). */
unsigned int pci_config_last_bus(void);
/* Unmap the ECAM window of a bus found empty (nothing of it is in use). */
void pci_config_release_bus(u16 segment, u8 bus);

#endif
