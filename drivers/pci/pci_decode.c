/*
 * Decoding PCI configuration space without touching it: BAR sizes,
 * capability lists, match tables, class names and MSI messages. Everything
 * here is a pure function so that the host unit tests can feed it fake
 * configuration spaces, broken ones included.
 */
#include "drivers/pci/pci_decode.h"
#include "drivers/pci/pci_regs.h"
#include "lib/errno.h"
#include "lib/string.h"

bool pci_bar_is_64(u32 value)
{
	return !(value & PCI_BAR_SPACE_IO) &&
	       (value & PCI_BAR_MEM_TYPE_MASK) == PCI_BAR_MEM_TYPE_64;
}

/*
 * The writable bits of a BAR are its address bits; the lowest of them is the
 * size (LB 6.2.5.1). Taking the lowest set bit rather than ~mask + 1 gives
 * the right size also when the top bits are hardwired to zero: a 16-bit I/O
 * decoder, or a 64-bit BAR with fewer than 64 address bits.
 */
static u64 lowest_set_bit(u64 mask)
{
	return mask & (~mask + 1);
}

int pci_bar_decode(u32 orig, u32 probed, u32 orig_hi, u32 probed_hi, struct pci_bar *bar)
{
	memset(bar, 0, sizeof(*bar));
	if (orig & PCI_BAR_SPACE_IO) {
		u32 mask = probed & PCI_BAR_IO_MASK;

		if (mask) {
			bar->flags = PCI_BAR_IO;
			bar->size = lowest_set_bit(mask);
			bar->base = orig & PCI_BAR_IO_MASK;
		}
		return 1;
	}
	if (pci_bar_is_64(orig)) {
		u64 mask = (u64)probed_hi << 32 | (probed & PCI_BAR_MEM_MASK);

		if (mask) {
			bar->flags = PCI_BAR_MEM64;
			bar->size = lowest_set_bit(mask);
			bar->base = (u64)orig_hi << 32 | (orig & PCI_BAR_MEM_MASK);
		}
	} else {
		u32 mask = probed & PCI_BAR_MEM_MASK;

		if (mask) {
			bar->size = lowest_set_bit(mask);
			bar->base = orig & PCI_BAR_MEM_MASK;
		}
	}
	if (bar->size && (orig & PCI_BAR_MEM_PREFETCH))
		bar->flags |= PCI_BAR_PREFETCH;
	return pci_bar_is_64(orig) ? 2 : 1;
}

/*
 * The next capability after the one at start (0: the first) with this id, or
 * any id when id < 0. The walk always begins at the head and remembers every
 * offset it visits (48 possible: dwords 0x40-0xfc), so it ends at the first
 * revisit: a looping list is walked once, also by a caller iterating with
 * start, and a start that is not on the list finds nothing.
 */
static int pci_cap_walk(pci_read8_fn read8, const void *ctx, int id, int start)
{
	bool past_start = start == 0;
	u64 seen = 0;
	unsigned int pos;

	if (!(read8(ctx, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return 0;
	pos = read8(ctx, PCI_CAPABILITY_LIST);
	for (;;) {
		u64 bit;
		u8 cap_id;

		pos &= ~3U;	/* the low two bits are reserved (LB 6.7) */
		if (pos < PCI_CAP_FIRST_OFFSET)
			return 0;
		bit = BIT((pos - PCI_CAP_FIRST_OFFSET) / 4);
		if (seen & bit)
			return 0;
		seen |= bit;
		cap_id = read8(ctx, pos + PCI_CAP_ID);
		if (cap_id == 0xff)	/* the function went away */
			return 0;
		if (past_start && (id < 0 || cap_id == id))
			return (int)pos;
		if ((int)pos == start)
			past_start = true;
		pos = read8(ctx, pos + PCI_CAP_NEXT);
	}
}

int pci_cap_find_next(pci_read8_fn read8, const void *ctx, u8 id, int start)
{
	return pci_cap_walk(read8, ctx, id, start);
}

int pci_cap_next(pci_read8_fn read8, const void *ctx, int start)
{
	return pci_cap_walk(read8, ctx, -1, start);
}

const struct pci_device_id *pci_match_id(const struct pci_device_id *ids, u16 vendor,
					 u16 device, u32 class)
{
	for (; ids->vendor || ids->class_mask; ids++) {
		if (ids->vendor != PCI_ANY_ID && ids->vendor != vendor)
			continue;
		if (ids->device != PCI_ANY_ID && ids->device != device)
			continue;
		if ((ids->class ^ class) & ids->class_mask)
			continue;
		return ids;
	}
	return NULL;
}

/* the PCI Code and ID Assignment Specification's classes that stork may meet */
struct pci_class_entry {
	u8 base, sub;		/* sub 0xff: any subclass */
	const char *name;
};

static const struct pci_class_entry pci_classes[] = {
	{ 0x01, 0x00, "storage/SCSI" },
	{ 0x01, 0x01, "storage/IDE" },
	{ 0x01, 0x05, "storage/ATA" },
	{ 0x01, 0x06, "storage/SATA" },
	{ 0x01, 0x07, "storage/SAS" },
	{ 0x01, 0x08, "storage/NVM" },
	{ 0x01, 0xff, "storage" },
	{ 0x02, 0xff, "network" },
	{ 0x03, 0xff, "display" },
	{ 0x04, 0xff, "multimedia" },
	{ 0x05, 0xff, "memory" },
	{ 0x06, 0x00, "bridge/host" },
	{ 0x06, 0x01, "bridge/ISA" },
	{ 0x06, 0x04, "bridge/PCI" },
	{ 0x06, 0xff, "bridge" },
	{ 0x07, 0xff, "communication" },
	{ 0x08, 0xff, "system" },
	{ 0x09, 0xff, "input" },
	{ 0x0c, 0x03, "serial/USB" },
	{ 0x0c, 0x05, "serial/SMBus" },
	{ 0x0c, 0xff, "serial bus" },
};

const char *pci_class_name(u8 base, u8 sub)
{
	for (size_t i = 0; i < ARRAY_SIZE(pci_classes); i++)
		if (pci_classes[i].base == base &&
		    (pci_classes[i].sub == sub || pci_classes[i].sub == 0xff))
			return pci_classes[i].name;
	return "unknown";
}

static const char *const pci_cap_names[] = {
	[PCI_CAP_ID_PM] = "PM",
	[PCI_CAP_ID_AGP] = "AGP",
	[PCI_CAP_ID_VPD] = "VPD",
	[PCI_CAP_ID_SLOTID] = "slot-id",
	[PCI_CAP_ID_MSI] = "MSI",
	[PCI_CAP_ID_HT] = "HyperTransport",
	[PCI_CAP_ID_VNDR] = "vendor",
	[PCI_CAP_ID_DBG] = "debug",
	[PCI_CAP_ID_SSVID] = "subsystem-id",
	[PCI_CAP_ID_EXP] = "PCIe",
	[PCI_CAP_ID_MSIX] = "MSI-X",
	[PCI_CAP_ID_SATA] = "SATA",
	[PCI_CAP_ID_AF] = "advanced-features",
};

const char *pci_cap_name(u8 id)
{
	return id < ARRAY_SIZE(pci_cap_names) ? pci_cap_names[id] : NULL;
}

int pci_msi_compose(u32 apic_id, u8 vector, u32 *address, u32 *data)
{
	if (apic_id > MSI_DEST_MAX)
		return -ERANGE;
	*address = MSI_ADDRESS_BASE | apic_id << MSI_ADDRESS_DEST_SHIFT;
	*data = vector;		/* fixed delivery, edge, assert (all zero bits) */
	return 0;
}
