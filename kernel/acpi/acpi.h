/*
 * ACPI: the firmware's description of the machine. acpi_init() finds the
 * RSDP, walks the XSDT (or RSDT), checks every table's checksum and parses
 * the tables the rest of the kernel needs into the plain structures below.
 * Each accessor returns NULL when its table is missing or was rejected, so
 * that its user falls back (legacy PIC and PIT, port-based PCI config, ...).
 * Everything here is filled once at boot and read-only afterwards.
 */
#ifndef KERNEL_ACPI_ACPI_H
#define KERNEL_ACPI_ACPI_H

#include "lib/types.h"
#include "kernel/acpi/acpi_tables.h"

#define ACPI_MAX_CPUS		256
#define ACPI_MAX_IOAPICS	16
#define ACPI_MAX_OVERRIDES	48
#define ACPI_MAX_NMIS		256
#define ACPI_MAX_MCFG		8

#define ACPI_UID_ALL		0xffffffffU	/* an NMI entry that applies to every CPU */

/* the MADT, 5.2.12 */
struct acpi_cpu {
	u32 apic_id;		/* the local APIC (or x2APIC) id */
	u32 uid;		/* ACPI processor UID, what NMI entries refer to */
	bool enabled;		/* usable now */
	bool online_capable;	/* disabled, but may be brought online */
	bool x2apic;		/* listed by an x2APIC entry */
};

struct acpi_ioapic {
	u8 id;
	u32 address;		/* physical base of its registers */
	u32 gsi_base;		/* first global system interrupt it handles */
};

struct acpi_irq_override {
	u8 bus_irq;		/* the ISA IRQ */
	u32 gsi;		/* the global system interrupt it arrives on */
	u16 flags;		/* ACPI_MADT_POLARITY_* | ACPI_MADT_TRIGGER_*; 0: bus default */
};

struct acpi_lapic_nmi {
	u32 uid;		/* ACPI_UID_ALL for every CPU */
	u8 lint;		/* local APIC LINT0 or LINT1 */
	u16 flags;		/* polarity and trigger, as for overrides */
};

struct acpi_madt_info {
	u64 lapic_address;	/* after any local APIC address override */
	u32 flags;		/* ACPI_MADT_PCAT_COMPAT */
	struct acpi_cpu cpus[ACPI_MAX_CPUS];
	int ncpus;		/* every processor listed, enabled or not */
	struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
	int nioapics;
	struct acpi_irq_override overrides[ACPI_MAX_OVERRIDES];
	int noverrides;
	struct acpi_lapic_nmi nmis[ACPI_MAX_NMIS];
	int nnmis;
	int dropped;		/* entries that did not fit the arrays above */
};

/* the FADT, 5.2.9 */
struct acpi_fadt_info {
	u8 revision;
	u32 flags;		/* ACPI_FADT_* */
	u16 sci_irq;
	u32 smi_cmd;		/* port; 0: the machine is always in ACPI mode */
	u8 acpi_enable;		/* written to smi_cmd to enter ACPI mode */
	struct acpi_gas pm1a_cnt;	/* X_ field when nonzero, else the legacy port */
	struct acpi_gas pm1b_cnt;	/* address 0: there is no PM1b block */
	struct acpi_gas pm_tmr;		/* the ACPI PM timer (3.579545 MHz); address 0: none */
	bool pm_tmr_32bit;		/* TMR_VAL_EXT: 32 bits count, else 24 */
	bool reset_supported;	/* RESET_REG_SUP: reset_reg may be used */
	struct acpi_gas reset_reg;
	u8 reset_value;
	u64 dsdt;		/* X_DSDT when nonzero, else DSDT */
	bool boot_arch_valid;	/* revision >= 3: boot_arch is meaningful */
	u16 boot_arch;		/* ACPI_BOOT_ARCH_* */
};

/* the HPET table, HPET specification 1.0a 3.2.4 */
struct acpi_hpet_info {
	struct acpi_gas base;
	u8 number;		/* HPET sequence number */
	int comparators;
	bool counter_64bit;
	bool legacy_capable;
	u16 vendor;		/* PCI vendor id of the timer block */
	u16 min_tick;
};

/* the MCFG table, PCI Firmware specification 4.1.2: PCIe ECAM regions */
struct acpi_mcfg_region {
	u64 base;		/* ECAM address of bus 0 of the segment */
	u16 segment;
	u8 start_bus;
	u8 end_bus;
};

struct acpi_mcfg_info {
	struct acpi_mcfg_region regions[ACPI_MAX_MCFG];
	int nregions;
	int dropped;
};

/* Returns 0, or -ENODEV when there is no usable ACPI (the kernel carries on). */
int acpi_init(void);

/*
 * The index-th table with this signature whose checksum is good, or NULL.
 * The header is followed by header->length bytes of table.
 */
const struct acpi_sdt_header *acpi_find_table(const char sig[4], int index);

const struct acpi_madt_info *acpi_madt(void);
const struct acpi_fadt_info *acpi_fadt(void);
const struct acpi_hpet_info *acpi_hpet(void);
const struct acpi_mcfg_info *acpi_mcfg(void);

/*
 * The S5 (soft off) sleep types from the DSDT's (or an SSDT's) _S5 object:
 * 0, or -ENODEV without a DSDT, -ENOENT without _S5, -EINVAL for a bad one.
 */
int acpi_s5_sleep_type(u8 *typa, u8 *typb);

/*
 * Map len bytes of firmware memory at phys for reading and writing; NULL
 * (and a warning) when the range cannot be mapped. Every access to tables
 * and firmware registers in memory space goes through here.
 */
void *acpi_map(u64 phys, size_t len);

/*
 * Read or write a register described by a Generic Address Structure, with
 * an access of width bits (8, 16 or 32): system memory, system I/O, or PCI
 * configuration space of segment 0 bus 0. Returns 0, -EINVAL for another
 * address space or width, -EFAULT when the memory cannot be mapped.
 */
int acpi_gas_read(const struct acpi_gas *gas, unsigned int width, u32 *value);
int acpi_gas_write(const struct acpi_gas *gas, unsigned int width, u32 value);

/* --- what the `acpi` command shows (kernel/acpi/acpi_shell.c) --- */

#define ACPI_MAX_TABLES		64	/* tables recorded; more are counted as dropped */

enum acpi_table_state {
	ACPI_TABLE_OK,
	ACPI_TABLE_BAD_CHECKSUM,
	ACPI_TABLE_BAD_LENGTH,
	ACPI_TABLE_UNMAPPED,
};

/* one table the firmware pointed at, trusted or not */
struct acpi_table {
	u64 phys;
	const struct acpi_sdt_header *hdr;	/* set only when state is ACPI_TABLE_OK */
	enum acpi_table_state state;
	char signature[5];
	char oem_id[7];
	u32 length;
	u8 revision;
};

/* "ok", "bad-checksum", "bad-length" or "unmapped". */
const char *acpi_table_state_name(enum acpi_table_state state);
/* The index-th table the firmware pointed at (NULL past the last one). */
const struct acpi_table *acpi_table_at(int index);
/* Tables beyond ACPI_MAX_TABLES that were not recorded. */
int acpi_tables_dropped(void);

struct acpi_rsdp_info;

struct acpi_rsdp_found {
	const struct acpi_rsdp_info *rsdp;
	const char *source;	/* where it was found */
	u64 phys;		/* 0 for the loader's copy */
	const char *root_name;	/* "XSDT" or "RSDT" in use, NULL for none */
};
/* The RSDP in use: 0, or -ENODEV when none was found. */
int acpi_rsdp_get(struct acpi_rsdp_found *out);

#endif
