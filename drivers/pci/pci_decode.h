/*
 * The pure part of PCI: decoding what configuration space says, with no
 * access of its own. BAR sizes from the values read back after writing all
 * ones, capability lists walked through a caller's byte reader, driver match
 * tables, class names and the x86 MSI message. The host unit tests
 * (tests/unit/drivers/pci/test_pci_decode.c) run this file against fake
 * configuration spaces; drivers/pci/pci.c runs it against the hardware.
 */
#ifndef DRIVERS_PCI_PCI_DECODE_H
#define DRIVERS_PCI_PCI_DECODE_H

#include "lib/types.h"

#define PCI_ANY_ID 0xffffffffU

/* what a BAR decodes */
#define PCI_BAR_IO		BIT(0)	/* I/O space (else memory) */
#define PCI_BAR_MEM64		BIT(1)	/* 64-bit: uses this slot and the next */
#define PCI_BAR_PREFETCH	BIT(2)	/* prefetchable memory */

struct pci_bar {
	u64 base;	/* bus address (= physical on x86); 0 when unassigned */
	u64 size;	/* bytes; 0: the BAR is not implemented */
	u32 flags;	/* PCI_BAR_* */
};

/* ids: one row of a driver's match table, ended by a row with vendor 0 */
struct pci_device_id {
	u32 vendor, device;	/* PCI_ANY_ID matches every value */
	u32 class, class_mask;	/* base << 16 | sub << 8 | prog-if; mask 0: any */
	unsigned long driver_data;	/* quirks or variant, handed to probe */
};


/*
 * Decode one BAR from its original value and the value read back after
 * writing all ones (for a 64-bit BAR, also those of the next slot, the high
 * half: pass 0 and 0 when there is no next slot, which leaves it absent).
 * Returns the number of slots the BAR uses: 2 for 64-bit memory, else 1.
 */
int pci_bar_decode(u32 orig, u32 probed, u32 orig_hi, u32 probed_hi, struct pci_bar *bar);
/* Whether this BAR value (any, original or probed) is 64-bit memory. */
bool pci_bar_is_64(u32 value);

/*
 * Walk a capability list through read8(ctx, offset). Returns the offset of
 * the first capability with this id after the one at start (start 0: from
 * the head at PCI_CAPABILITY_LIST), or 0 when there is none. Pointers into
 * the header end the list, and so does a loop: every capability is found at
 * most once, so iterating with start always ends.
 */
typedef u8 (*pci_read8_fn)(const void *ctx, unsigned int off);
int pci_cap_find_next(pci_read8_fn read8, const void *ctx, u8 id, int start);
/* The same for a capability of any id: walking the whole list. */
int pci_cap_next(pci_read8_fn read8, const void *ctx, int start);

/* The first row of ids matching the function, or NULL. */
const struct pci_device_id *pci_match_id(const struct pci_device_id *ids, u16 vendor,
					 u16 device, u32 class);

/* "storage/NVM", "network", ...; "unknown" for a class not in the table. */
const char *pci_class_name(u8 base, u8 sub);
/* "PM", "MSI", "MSI-X", "PCIe", "vendor", ...; NULL for an unknown id. */
const char *pci_cap_name(u8 id);

/*
 * The MSI address and data for a fixed, edge-triggered vector on the CPU
 * with this local APIC id (xAPIC compatibility format, SDM vol. 3A 11.11):
 * 0, or -ERANGE when the id does not fit in the 8-bit destination.
 */
int pci_msi_compose(u32 apic_id, u8 vector, u32 *address, u32 *data);

#endif
