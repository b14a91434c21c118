/*
 * Fuzz the ACPI table parsers (kernel/acpi/acpi_parse.c, acpi_aml.c): the
 * first byte picks RSDP, RSDT/XSDT, MADT, FADT, HPET, MCFG or the _S5_
 * search in AML; the rest is the table. A table's length field is set to
 * the bytes there are, as the kernel maps exactly length bytes, so ASan
 * sees any read past the table.
 */
#include "tests/fuzz/fuzz.h"
#include "kernel/acpi/acpi_parse.c"
#include "kernel/acpi/acpi_aml.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	union {
		struct acpi_rsdp_info rsdp;
		struct acpi_madt_info madt;
		struct acpi_fadt_info fadt;
		struct acpi_hpet_info hpet;
		struct acpi_mcfg_info mcfg;
	} out;
	struct acpi_sdt_header *table;
	u64 entries[16];
	u8 *copy, a, b;
	size_t len;

	if (size < 1)
		return 0;
	len = size - 1;
	copy = malloc(len ? len : 1);
	memcpy(copy, data + 1, len);
	table = (struct acpi_sdt_header *)copy;
	if (data[0] % 7 != 0 && data[0] % 7 != 6) {
		if (len < sizeof(*table))
			goto out;
		table->length = (u32)len;
	}
	switch (data[0] % 7) {
	case 0:
		acpi_rsdp_parse(copy, len, &out.rsdp);
		break;
	case 1: {
		int n = acpi_root_entries(table, entries, 16);

		FUZZ_CHECK(n == -EINVAL || n >= 0);
		break;
	}
	case 2:
		acpi_madt_parse(table, &out.madt);
		break;
	case 3:
		acpi_fadt_parse(table, &out.fadt);
		break;
	case 4:
		acpi_hpet_parse(table, &out.hpet);
		break;
	case 5:
		acpi_mcfg_parse(table, &out.mcfg);
		break;
	case 6:
		acpi_aml_find_s5(copy, len, &a, &b);
		break;
	}
out:
	free(copy);
	return 0;
}
