/*
 * PCI configuration space: offsets and bits. Section numbers are from the PCI
 * Local Bus Specification 3.0 ("LB"), the PCI-to-PCI Bridge Architecture
 * Specification 1.2 ("BR") and the PCI Express Base Specification 4.0
 * ("PCIe"). Hardware definitions only; the logic is in drivers/pci*.c.
 */
#ifndef DRIVERS_PCI_PCI_REGS_H
#define DRIVERS_PCI_PCI_REGS_H

/* --- the common header, LB 6.1 ---------------------------------------- */
#define PCI_VENDOR_ID		0x00	/* 16 bits; 0xffff: no function here */
#define PCI_DEVICE_ID		0x02
#define PCI_COMMAND		0x04	/* 16 bits, LB 6.2.2 */
#define PCI_STATUS		0x06	/* 16 bits, LB 6.2.3 */
#define PCI_REVISION_ID		0x08
#define PCI_CLASS_PROG		0x09	/* programming interface */
#define PCI_CLASS_SUBCLASS	0x0a
#define PCI_CLASS_BASE		0x0b
#define PCI_CACHE_LINE_SIZE	0x0c
#define PCI_LATENCY_TIMER	0x0d
#define PCI_HEADER_TYPE		0x0e	/* LB 6.2.1 */
#define PCI_BIST		0x0f

#define PCI_HEADER_TYPE_MASK		0x7f
#define PCI_HEADER_TYPE_NORMAL		0x00
#define PCI_HEADER_TYPE_BRIDGE		0x01
#define PCI_HEADER_TYPE_CARDBUS		0x02
#define PCI_HEADER_TYPE_MULTIFUNC	0x80	/* bit 7: functions 1-7 may exist */

/* command register bits, LB 6.2.2 */
#define PCI_COMMAND_IO			0x0001	/* respond to I/O space accesses */
#define PCI_COMMAND_MEMORY		0x0002	/* respond to memory space accesses */
#define PCI_COMMAND_MASTER		0x0004	/* may master the bus (DMA, MSI writes) */
#define PCI_COMMAND_PARITY		0x0040
#define PCI_COMMAND_SERR		0x0100
#define PCI_COMMAND_INTX_DISABLE	0x0400	/* LB 3.0: do not assert INTx# */

/* status register bits, LB 6.2.3 */
#define PCI_STATUS_INTERRUPT		0x0008	/* INTx# is asserted */
#define PCI_STATUS_CAP_LIST		0x0010	/* PCI_CAPABILITY_LIST is valid */

/* --- header type 0 (a device), LB 6.1 ------------------------------------ */
#define PCI_BAR0		0x10	/* six 32-bit BARs, 0x10-0x24 */
#define PCI_BAR_COUNT_NORMAL	6
#define PCI_CARDBUS_CIS		0x28
#define PCI_SUBSYSTEM_VENDOR_ID	0x2c
#define PCI_SUBSYSTEM_ID	0x2e
#define PCI_ROM_ADDRESS		0x30
#define PCI_CAPABILITY_LIST	0x34	/* 8 bits: offset of the first capability */
#define PCI_INTERRUPT_LINE	0x3c	/* what firmware wrote; informational */
#define PCI_INTERRUPT_PIN	0x3d	/* 0: none, 1-4: INTA#-INTD# */
#define PCI_MIN_GNT		0x3e
#define PCI_MAX_LAT		0x3f

/* --- header type 1 (a PCI-to-PCI bridge), BR 3.2 ------------------------- */
#define PCI_BAR_COUNT_BRIDGE	2
#define PCI_PRIMARY_BUS		0x18
#define PCI_SECONDARY_BUS	0x19	/* the bus right behind the bridge */
#define PCI_SUBORDINATE_BUS	0x1a	/* the highest bus behind the bridge */
#define PCI_SEC_LATENCY_TIMER	0x1b
#define PCI_IO_BASE		0x1c
#define PCI_IO_LIMIT		0x1d
#define PCI_SEC_STATUS		0x1e
#define PCI_MEMORY_BASE		0x20
#define PCI_MEMORY_LIMIT	0x22
#define PCI_PREF_MEMORY_BASE	0x24
#define PCI_PREF_MEMORY_LIMIT	0x26
#define PCI_PREF_BASE_UPPER32	0x28
#define PCI_PREF_LIMIT_UPPER32	0x2c
#define PCI_IO_BASE_UPPER16	0x30
#define PCI_IO_LIMIT_UPPER16	0x32
/* PCI_CAPABILITY_LIST (0x34) is at the same offset as in type 0 */
#define PCI_ROM_ADDRESS_BRIDGE	0x38
#define PCI_BRIDGE_CONTROL	0x3e

/* --- base address registers, LB 6.2.5.1 ---------------------------------- */
#define PCI_BAR_SPACE_IO	0x1	/* bit 0: 1 I/O, 0 memory */
#define PCI_BAR_MEM_TYPE_MASK	0x6	/* bits 2:1 of a memory BAR */
#define PCI_BAR_MEM_TYPE_32	0x0	/* anywhere in 32-bit space */
#define PCI_BAR_MEM_TYPE_1M	0x2	/* below 1 MiB (reserved since LB 3.0) */
#define PCI_BAR_MEM_TYPE_64	0x4	/* 64-bit: the next BAR holds bits 63:32 */
#define PCI_BAR_MEM_PREFETCH	0x8	/* bit 3: no read side effects */
#define PCI_BAR_MEM_MASK	0xfffffff0U
#define PCI_BAR_IO_MASK		0xfffffffcU

/* --- capabilities, LB 6.7 and appendix H; PCIe 7.5.3 ---------------------- */
#define PCI_CAP_ID		0	/* byte: capability id */
#define PCI_CAP_NEXT		1	/* byte: offset of the next one, 0 at the end */
#define PCI_CAP_FIRST_OFFSET	0x40	/* capabilities live past the header */
#define PCI_CAP_MAX		48	/* (256 - 64) / 4: no list can be longer */

#define PCI_CAP_ID_PM		0x01	/* power management */
#define PCI_CAP_ID_AGP		0x02
#define PCI_CAP_ID_VPD		0x03
#define PCI_CAP_ID_SLOTID	0x04
#define PCI_CAP_ID_MSI		0x05	/* LB 6.8.1 */
#define PCI_CAP_ID_HT		0x08
#define PCI_CAP_ID_VNDR		0x09	/* vendor specific (virtio uses several) */
#define PCI_CAP_ID_DBG		0x0a
#define PCI_CAP_ID_SSVID	0x0d	/* bridge subsystem vendor id */
#define PCI_CAP_ID_EXP		0x10	/* PCI Express, PCIe 7.5.3 */
#define PCI_CAP_ID_MSIX		0x11	/* LB 6.8.2 */
#define PCI_CAP_ID_SATA		0x12
#define PCI_CAP_ID_AF		0x13

/* --- MSI capability, LB 6.8.1 -------------------------------------------- */
#define PCI_MSI_FLAGS		2	/* 16 bits: message control */
#define PCI_MSI_ADDRESS_LO	4
#define PCI_MSI_ADDRESS_HI	8	/* only with PCI_MSI_FLAGS_64BIT */
#define PCI_MSI_DATA_32		8	/* 16 bits; without 64-bit addressing */
#define PCI_MSI_DATA_64		12
#define PCI_MSI_MASK_32		12	/* 32 bits; with per-vector masking */
#define PCI_MSI_MASK_64		16

#define PCI_MSI_FLAGS_ENABLE	0x0001
#define PCI_MSI_FLAGS_QMASK	0x000e	/* multiple message capable, log2 */
#define PCI_MSI_FLAGS_QSIZE	0x0070	/* multiple message enable, log2 */
#define PCI_MSI_FLAGS_64BIT	0x0080
#define PCI_MSI_FLAGS_MASKBIT	0x0100	/* per-vector masking */

/* --- MSI-X capability, LB 6.8.2 ------------------------------------------ */
#define PCI_MSIX_FLAGS		2	/* 16 bits: message control */
#define PCI_MSIX_TABLE		4	/* 32 bits: BIR in 2:0, offset in 31:3 */
#define PCI_MSIX_PBA		8	/* 32 bits: the same for the pending bits */

#define PCI_MSIX_FLAGS_QSIZE	0x07ff	/* table size - 1 */
#define PCI_MSIX_FLAGS_MASKALL	0x4000	/* function mask */
#define PCI_MSIX_FLAGS_ENABLE	0x8000
#define PCI_MSIX_BIR_MASK	0x7
#define PCI_MSIX_OFFSET_MASK	0xfffffff8U

/* a table entry, LB 6.8.2.6: 16 bytes */
#define PCI_MSIX_ENTRY_SIZE		16
#define PCI_MSIX_ENTRY_ADDR_LO		0
#define PCI_MSIX_ENTRY_ADDR_HI		4
#define PCI_MSIX_ENTRY_DATA		8
#define PCI_MSIX_ENTRY_VECTOR_CTRL	12
#define PCI_MSIX_ENTRY_CTRL_MASKBIT	0x1

/* --- the MSI message on x86, Intel SDM vol. 3A 11.11 ---------------------- */
#define MSI_ADDRESS_BASE	0xfee00000U
#define MSI_ADDRESS_DEST_SHIFT	12	/* destination APIC id in bits 19:12 */
#define MSI_DEST_MAX		255	/* more needs interrupt remapping */

/* --- configuration access ------------------------------------------------ */
/* ECAM, PCIe 7.2.2: 4 KiB per function, 32 devices x 8 functions per bus */
#define PCI_ECAM_FUNCTION_SIZE	4096
#define PCI_ECAM_BUS_SIZE	(1U << 20)
#define PCI_ECAM_OFFSET(bus, dev, fn) \
	(((u64)(bus) << 20) | ((u64)(dev) << 15) | ((u64)(fn) << 12))
#define PCI_CONFIG_SIZE		256	/* conventional PCI */
#define PCI_CONFIG_SIZE_EXT	4096	/* PCIe extended configuration space */

/* configuration mechanism #1, LB 3.2.2.3.2 */
#define PCI_CONF1_ADDRESS	0xcf8
#define PCI_CONF1_DATA		0xcfc
#define PCI_CONF1_ENABLE	0x80000000U

#define PCI_MAX_BUSES		256
#define PCI_MAX_DEVICES		32
#define PCI_MAX_FUNCTIONS	8

#endif
