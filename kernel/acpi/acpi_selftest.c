/*
 * The `acpi` self tests: whatever machine runs them must have a sane ACPI
 * (an RSDP, a root table, a FADT with S5, a MADT with CPUs and an IOAPIC).
 */
#include "kernel/acpi/acpi.h"
#include "kernel/selftest/selftest.h"

static void test_rsdp_found(struct selftest *t)
{
	struct acpi_rsdp_found r;

	ST_ASSERT_EQ(t, acpi_rsdp_get(&r), 0);
	ST_EXPECT(t, r.source != NULL);
	ST_EXPECT(t, r.root_name != NULL);
}
SELFTEST(acpi, rsdp_found, test_rsdp_found);

static void test_fadt_parsed(struct selftest *t)
{
	const struct acpi_fadt_info *f = acpi_fadt();
	u8 typa, typb;

	ST_ASSERT(t, f != NULL);
	ST_EXPECT(t, acpi_find_table(ACPI_SIG_FADT, 0) != NULL);
	ST_EXPECT(t, f->dsdt != 0);
	if (!(f->flags & ACPI_FADT_HW_REDUCED_ACPI))
		ST_EXPECT(t, f->pm1a_cnt.address != 0);
	ST_EXPECT_EQ(t, acpi_s5_sleep_type(&typa, &typb), 0);
}
SELFTEST(acpi, fadt_parsed, test_fadt_parsed);

static void test_madt_parsed(struct selftest *t)
{
	const struct acpi_madt_info *m = acpi_madt();

	ST_ASSERT(t, m != NULL);
	ST_EXPECT(t, m->ncpus >= 1);
	ST_EXPECT(t, m->nioapics >= 1);
	ST_EXPECT(t, m->lapic_address != 0);
}
SELFTEST(acpi, madt_parsed, test_madt_parsed);

static void test_find_table_bounds(struct selftest *t)
{
	ST_EXPECT(t, acpi_find_table("XXXX", 0) == NULL);
	ST_EXPECT(t, acpi_find_table(ACPI_SIG_MADT, ACPI_MAX_TABLES) == NULL);
}
SELFTEST(acpi, find_table_bounds, test_find_table_bounds);
