/*
 * ACPI table layouts, as the firmware lays them out in memory. Section
 * numbers are from the ACPI 6.4 specification unless noted otherwise. All
 * structures are packed: firmware places fields at byte offsets with no
 * regard for alignment (an XSDT's 64-bit entries start at offset 36).
 * Tables grew over revisions, so a parser must check a table's length before
 * it reads a field near the end.
 */
#ifndef KERNEL_ACPI_ACPI_TABLES_H
#define KERNEL_ACPI_ACPI_TABLES_H

#include "lib/types.h"

/* 5.2.5.3 Root System Description Pointer; v1 ends at rsdt_address (20 bytes) */
#define ACPI_RSDP_SIGNATURE	"RSD PTR "
#define ACPI_RSDP_V1_LENGTH	20

struct acpi_rsdp {
	char signature[8];
	u8 checksum;		/* over the first 20 bytes */
	char oem_id[6];
	u8 revision;		/* 0: ACPI 1.0, 2: ACPI 2.0 and later */
	u32 rsdt_address;
	u32 length;		/* of the whole structure, revision >= 2 */
	u64 xsdt_address;
	u8 extended_checksum;	/* over all length bytes */
	u8 reserved[3];
} __packed;

/* 5.2.6 System Description Table Header, at the start of every table but the FACS */
struct acpi_sdt_header {
	char signature[4];
	u32 length;		/* of the table, header included */
	u8 revision;
	u8 checksum;		/* all length bytes sum to zero */
	char oem_id[6];
	char oem_table_id[8];
	u32 oem_revision;
	u32 creator_id;
	u32 creator_revision;
} __packed;

/* 5.2.7 RSDT and 5.2.8 XSDT: the header, then 32-bit or 64-bit table addresses */
#define ACPI_SIG_RSDT	"RSDT"
#define ACPI_SIG_XSDT	"XSDT"
#define ACPI_SIG_FADT	"FACP"
#define ACPI_SIG_MADT	"APIC"
#define ACPI_SIG_HPET	"HPET"
#define ACPI_SIG_MCFG	"MCFG"
#define ACPI_SIG_DSDT	"DSDT"
#define ACPI_SIG_SSDT	"SSDT"

/* 5.2.3.2 Generic Address Structure */
enum {
	ACPI_GAS_MEMORY = 0,
	ACPI_GAS_IO = 1,
	ACPI_GAS_PCI_CONFIG = 2,
};

struct acpi_gas {
	u8 space_id;		/* ACPI_GAS_* */
	u8 bit_width;
	u8 bit_offset;
	u8 access_size;		/* 0 undefined, 1 byte, 2 word, 3 dword, 4 qword */
	u64 address;		/* PCI config: device << 32 | function << 16 | offset */
} __packed;

/* 5.2.9 Fixed ACPI Description Table; ACPI 1.0 tables end after flags (116 bytes) */
struct acpi_fadt {
	struct acpi_sdt_header header;
	u32 firmware_ctrl;
	u32 dsdt;
	u8 reserved0;
	u8 preferred_pm_profile;
	u16 sci_int;
	u32 smi_cmd;
	u8 acpi_enable;
	u8 acpi_disable;
	u8 s4bios_req;
	u8 pstate_cnt;
	u32 pm1a_evt_blk;
	u32 pm1b_evt_blk;
	u32 pm1a_cnt_blk;
	u32 pm1b_cnt_blk;
	u32 pm2_cnt_blk;
	u32 pm_tmr_blk;
	u32 gpe0_blk;
	u32 gpe1_blk;
	u8 pm1_evt_len;
	u8 pm1_cnt_len;
	u8 pm2_cnt_len;
	u8 pm_tmr_len;
	u8 gpe0_blk_len;
	u8 gpe1_blk_len;
	u8 gpe1_base;
	u8 cst_cnt;
	u16 p_lvl2_lat;
	u16 p_lvl3_lat;
	u16 flush_size;
	u16 flush_stride;
	u8 duty_offset;
	u8 duty_width;
	u8 day_alrm;
	u8 mon_alrm;
	u8 century;
	u16 iapc_boot_arch;	/* ACPI 2.0 (revision 3) and later */
	u8 reserved1;
	u32 flags;
	struct acpi_gas reset_reg;
	u8 reset_value;
	u16 arm_boot_arch;
	u8 minor_version;
	u64 x_firmware_ctrl;
	u64 x_dsdt;
	struct acpi_gas x_pm1a_evt_blk;
	struct acpi_gas x_pm1b_evt_blk;
	struct acpi_gas x_pm1a_cnt_blk;
	struct acpi_gas x_pm1b_cnt_blk;
	struct acpi_gas x_pm2_cnt_blk;
	struct acpi_gas x_pm_tmr_blk;
	struct acpi_gas x_gpe0_blk;
	struct acpi_gas x_gpe1_blk;
} __packed;

#define ACPI_FADT_V1_LENGTH	116	/* up to and with flags */

/* 5.2.9.3 IA-PC boot architecture flags */
#define ACPI_BOOT_ARCH_LEGACY_DEVICES	BIT(0)
#define ACPI_BOOT_ARCH_8042		BIT(1)

/* 5.2.9 fixed feature flags */
#define ACPI_FADT_TMR_VAL_EXT		BIT(8)
#define ACPI_FADT_RESET_REG_SUP		BIT(10)
#define ACPI_FADT_HW_REDUCED_ACPI	BIT(20)

/* 4.8.3.2.1 PM1 control register bits */
#define ACPI_PM1_SCI_EN			BIT(0)
#define ACPI_PM1_SLP_TYP_SHIFT		10
#define ACPI_PM1_SLP_TYP_MASK		(7U << ACPI_PM1_SLP_TYP_SHIFT)
#define ACPI_PM1_SLP_EN			BIT(13)

/* 5.2.12 Multiple APIC Description Table: the header, then entries */
struct acpi_madt {
	struct acpi_sdt_header header;
	u32 lapic_address;
	u32 flags;
} __packed;

#define ACPI_MADT_PCAT_COMPAT	BIT(0)	/* dual 8259 PICs present */

enum {
	ACPI_MADT_LAPIC = 0,
	ACPI_MADT_IOAPIC = 1,
	ACPI_MADT_ISO = 2,
	ACPI_MADT_LAPIC_NMI = 4,
	ACPI_MADT_LAPIC_ADDR = 5,
	ACPI_MADT_X2APIC = 9,
	ACPI_MADT_X2APIC_NMI = 0xa,
};

struct acpi_madt_entry {
	u8 type;
	u8 length;		/* of the entry, these two bytes included */
} __packed;

/* 5.2.12.2 Processor Local APIC */
struct acpi_madt_lapic {
	struct acpi_madt_entry entry;
	u8 uid;			/* ACPI processor UID */
	u8 apic_id;
	u32 flags;
} __packed;

/* 5.2.12.2 local APIC flags, shared with x2APIC entries */
#define ACPI_MADT_ENABLED		BIT(0)
#define ACPI_MADT_ONLINE_CAPABLE	BIT(1)

/* 5.2.12.3 I/O APIC */
struct acpi_madt_ioapic {
	struct acpi_madt_entry entry;
	u8 id;
	u8 reserved;
	u32 address;
	u32 gsi_base;
} __packed;

/* 5.2.12.5 Interrupt Source Override */
struct acpi_madt_iso {
	struct acpi_madt_entry entry;
	u8 bus;			/* 0: ISA */
	u8 source;		/* bus-relative IRQ */
	u32 gsi;
	u16 flags;		/* ACPI_MADT_POLARITY_*, ACPI_MADT_TRIGGER_* */
} __packed;

/* 5.2.12.5 MPS INTI flags */
#define ACPI_MADT_POLARITY_MASK		0x3
#define ACPI_MADT_POLARITY_HIGH		0x1
#define ACPI_MADT_POLARITY_LOW		0x3
#define ACPI_MADT_TRIGGER_MASK		0xc
#define ACPI_MADT_TRIGGER_EDGE		0x4
#define ACPI_MADT_TRIGGER_LEVEL		0xc

/* 5.2.12.7 Local APIC NMI */
struct acpi_madt_lapic_nmi {
	struct acpi_madt_entry entry;
	u8 uid;			/* 0xff: every processor */
	u16 flags;
	u8 lint;		/* LINT0 or LINT1 */
} __packed;

/* 5.2.12.8 Local APIC Address Override */
struct acpi_madt_lapic_addr {
	struct acpi_madt_entry entry;
	u16 reserved;
	u64 address;
} __packed;

/* 5.2.12.12 Processor Local x2APIC */
struct acpi_madt_x2apic {
	struct acpi_madt_entry entry;
	u16 reserved;
	u32 x2apic_id;
	u32 flags;
	u32 uid;
} __packed;

/* 5.2.12.13 Local x2APIC NMI */
struct acpi_madt_x2apic_nmi {
	struct acpi_madt_entry entry;
	u16 flags;
	u32 uid;		/* 0xffffffff: every processor */
	u8 lint;
	u8 reserved[3];
} __packed;

/* IA-PC HPET specification 1.0a, 3.2.4 The ACPI 2.0 HPET Description Table */
struct acpi_hpet {
	struct acpi_sdt_header header;
	u32 block_id;		/* the capabilities register's low 32 bits */
	struct acpi_gas base;
	u8 number;
	u16 min_tick;		/* periodic mode minimum, in counter ticks */
	u8 page_protection;
} __packed;

#define ACPI_HPET_COMPARATORS(id)	((((id) >> 8) & 0x1f) + 1)
#define ACPI_HPET_COUNTER_64BIT		BIT(13)
#define ACPI_HPET_LEGACY_CAPABLE	BIT(15)
#define ACPI_HPET_VENDOR(id)		((id) >> 16)

/* PCI Firmware specification 4.1.2 MCFG: the header, 8 reserved bytes, allocations */
struct acpi_mcfg {
	struct acpi_sdt_header header;
	u8 reserved[8];
} __packed;

struct acpi_mcfg_allocation {
	u64 base;		/* ECAM base of bus 0 of the segment */
	u16 segment;
	u8 start_bus;
	u8 end_bus;
	u32 reserved;
} __packed;

STATIC_ASSERT(sizeof(struct acpi_rsdp) == 36);
STATIC_ASSERT(sizeof(struct acpi_sdt_header) == 36);
STATIC_ASSERT(sizeof(struct acpi_gas) == 12);
STATIC_ASSERT(offsetof(struct acpi_fadt, flags) == 112);
STATIC_ASSERT(offsetof(struct acpi_fadt, reset_reg) == 116);
STATIC_ASSERT(offsetof(struct acpi_fadt, x_dsdt) == 140);
STATIC_ASSERT(offsetof(struct acpi_fadt, x_pm1a_cnt_blk) == 172);
STATIC_ASSERT(sizeof(struct acpi_fadt) == 244);
STATIC_ASSERT(sizeof(struct acpi_madt) == 44);
STATIC_ASSERT(sizeof(struct acpi_madt_lapic) == 8);
STATIC_ASSERT(sizeof(struct acpi_madt_ioapic) == 12);
STATIC_ASSERT(sizeof(struct acpi_madt_iso) == 10);
STATIC_ASSERT(sizeof(struct acpi_madt_lapic_nmi) == 6);
STATIC_ASSERT(sizeof(struct acpi_madt_lapic_addr) == 12);
STATIC_ASSERT(sizeof(struct acpi_madt_x2apic) == 16);
STATIC_ASSERT(sizeof(struct acpi_madt_x2apic_nmi) == 12);
STATIC_ASSERT(sizeof(struct acpi_hpet) == 56);
STATIC_ASSERT(sizeof(struct acpi_mcfg) == 44);
STATIC_ASSERT(sizeof(struct acpi_mcfg_allocation) == 16);

#endif
