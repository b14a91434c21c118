/*
 * Pure ACPI table parsing: each function takes a table already in memory
 * (and its length) and fills a plain structure, touching nothing else, so
 * the host unit tests (tests/unit/kernel/acpi/test_acpi_parse.c) run it on tables they
 * build. A parser never reads past the length it is given and returns
 * -EINVAL for a table it cannot trust. Checking a table's checksum and
 * mapping it are the caller's job (kernel/acpi/acpi.c).
 */
#ifndef KERNEL_ACPI_ACPI_PARSE_H
#define KERNEL_ACPI_ACPI_PARSE_H

#include "lib/types.h"
#include "kernel/acpi/acpi.h"

struct acpi_rsdp_info {
	u8 revision;
	char oem_id[7];
	u32 rsdt;
	bool xsdt_valid;	/* revision >= 2 with a good length and extended checksum */
	u64 xsdt;		/* meaningful when xsdt_valid */
};

/* The byte sum of len bytes: a table is intact when it is 0. */
u8 acpi_checksum(const void *p, size_t len);

/*
 * Validate an RSDP candidate of avail bytes: signature and the ACPI 1.0
 * checksum (-EINVAL when either fails), then for revision 2 and later the
 * length and extended checksum, which only decide out->xsdt_valid.
 */
int acpi_rsdp_parse(const void *p, size_t avail, struct acpi_rsdp_info *out);

/*
 * The table addresses in an RSDT (32-bit entries) or XSDT (64-bit), chosen
 * by its signature. Writes at most max of them and returns how many there
 * are, or -EINVAL for another signature or a length below the header.
 */
int acpi_root_entries(const struct acpi_sdt_header *root, u64 *out, int max);

int acpi_madt_parse(const struct acpi_sdt_header *madt, struct acpi_madt_info *out);
int acpi_fadt_parse(const struct acpi_sdt_header *fadt, struct acpi_fadt_info *out);
int acpi_hpet_parse(const struct acpi_sdt_header *hpet, struct acpi_hpet_info *out);
int acpi_mcfg_parse(const struct acpi_sdt_header *mcfg, struct acpi_mcfg_info *out);

/*
 * Find the _S5_ package in len bytes of AML (a DSDT or SSDT body) and return
 * its first two elements, the SLP_TYPa and SLP_TYPb values: 0, -ENOENT when
 * there is no _S5_ object, -EINVAL when its encoding is truncated or odd.
 */
int acpi_aml_find_s5(const u8 *aml, size_t len, u8 *typa, u8 *typb);

#endif
