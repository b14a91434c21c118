/*
 * Unit tests for kernel/acpi/acpi_parse.c and kernel/acpi/acpi_aml.c: tables built in
 * memory, good and broken. Every table lives in a heap block of exactly its
 * length, so AddressSanitizer catches a parser reading one byte too far.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "kernel/acpi/acpi_parse.c"
#include "kernel/acpi/acpi_aml.c"

/* A zeroed heap block of exactly len bytes. */
static void *table_alloc(size_t len)
{
	void *p = calloc(1, len ? len : 1);

	assert_non_null(p);
	return p;
}

/* Fill in a header and make the table's bytes sum to zero. */
static void sdt_finish(void *table, const char *sig, u32 len, u8 revision)
{
	struct acpi_sdt_header *h = table;

	memcpy(h->signature, sig, 4);
	h->length = len;
	h->revision = revision;
	memcpy(h->oem_id, "STORK ", 6);
	h->checksum = 0;
	h->checksum = -acpi_checksum(h, len);
}

static void test_checksum(void **state)
{
	u8 bytes[] = { 1, 2, 3, 0xfa };

	(void)state;
	assert_int_equal(acpi_checksum(bytes, sizeof(bytes)), 0);
	assert_int_equal(acpi_checksum(bytes, 3), 6);
	assert_int_equal(acpi_checksum(bytes, 0), 0);
}

/* An RSDP of revision rev in a block of avail bytes; v2 fields when rev >= 2. */
static struct acpi_rsdp *rsdp_build(u8 rev, size_t avail)
{
	struct acpi_rsdp *r = table_alloc(avail < sizeof(*r) ? sizeof(*r) : avail);

	memcpy(r->signature, ACPI_RSDP_SIGNATURE, 8);
	memcpy(r->oem_id, "BOCHS ", 6);
	r->revision = rev;
	r->rsdt_address = 0x7fe1000;
	if (rev >= 2) {
		r->length = sizeof(*r);
		r->xsdt_address = 0x1234567890ULL;
	}
	r->checksum = -acpi_checksum(r, ACPI_RSDP_V1_LENGTH);
	if (rev >= 2)
		r->extended_checksum = -acpi_checksum(r, sizeof(*r));
	return r;
}

static void test_rsdp_v1(void **state)
{
	struct acpi_rsdp_info info;
	struct acpi_rsdp *r = rsdp_build(0, sizeof(struct acpi_rsdp));

	(void)state;
	assert_int_equal(acpi_rsdp_parse(r, ACPI_RSDP_V1_LENGTH, &info), 0);
	assert_int_equal(info.revision, 0);
	assert_int_equal(info.rsdt, 0x7fe1000);
	assert_false(info.xsdt_valid);
	assert_string_equal(info.oem_id, "BOCHS ");
	/* too short to hold even the v1 part */
	assert_int_equal(acpi_rsdp_parse(r, ACPI_RSDP_V1_LENGTH - 1, &info), -EINVAL);
	/* v1 checksum broken */
	r->rsdt_address++;
	assert_int_equal(acpi_rsdp_parse(r, ACPI_RSDP_V1_LENGTH, &info), -EINVAL);
	r->rsdt_address--;
	/* signature broken (with the checksum kept right) */
	r->signature[0] = 'X';
	r->checksum -= 'X' - 'R';
	assert_int_equal(acpi_rsdp_parse(r, ACPI_RSDP_V1_LENGTH, &info), -EINVAL);
	free(r);
}

static void test_rsdp_v2(void **state)
{
	struct acpi_rsdp_info info;
	struct acpi_rsdp *r = rsdp_build(2, sizeof(struct acpi_rsdp));

	(void)state;
	assert_int_equal(acpi_rsdp_parse(r, sizeof(*r), &info), 0);
	assert_int_equal(info.revision, 2);
	assert_true(info.xsdt_valid);
	assert_int_equal(info.xsdt, 0x1234567890ULL);
	assert_int_equal(info.rsdt, 0x7fe1000);

	/* only the v1 part available (the loader's old-style tag) */
	assert_int_equal(acpi_rsdp_parse(r, ACPI_RSDP_V1_LENGTH, &info), 0);
	assert_false(info.xsdt_valid);

	/* extended checksum broken: v1 still usable, the XSDT is not trusted */
	r->xsdt_address++;
	assert_int_equal(acpi_rsdp_parse(r, sizeof(*r), &info), 0);
	assert_false(info.xsdt_valid);
	assert_int_equal(info.rsdt, 0x7fe1000);
	r->xsdt_address--;

	/* length beyond what is available, and below the v2 size */
	r->length = 40;
	r->extended_checksum -= 4;
	assert_int_equal(acpi_rsdp_parse(r, sizeof(*r), &info), 0);
	assert_false(info.xsdt_valid);
	r->length = 20;
	r->extended_checksum += 20;
	assert_int_equal(acpi_rsdp_parse(r, sizeof(*r), &info), 0);
	assert_false(info.xsdt_valid);
	free(r);
}

static struct acpi_sdt_header *root_build(const char *sig, const u64 *addrs, int n)
{
	size_t size = !memcmp(sig, ACPI_SIG_XSDT, 4) ? 8 : 4;
	u32 len = sizeof(struct acpi_sdt_header) + n * size;
	u8 *t = table_alloc(len);

	for (int i = 0; i < n; i++)
		memcpy(t + sizeof(struct acpi_sdt_header) + i * size, &addrs[i], size);
	sdt_finish(t, sig, len, 1);
	return (struct acpi_sdt_header *)t;
}

static void test_root_entries(void **state)
{
	const u64 addrs32[] = { 0x7fe0000, 0x7fe1000, 0x7fe2000 };
	const u64 addrs64[] = { 0x100000000ULL, 0x7fe1000, 0xfedcba9876ULL };
	struct acpi_sdt_header *rsdt = root_build(ACPI_SIG_RSDT, addrs32, 3);
	struct acpi_sdt_header *xsdt = root_build(ACPI_SIG_XSDT, addrs64, 3);
	struct acpi_sdt_header *empty = root_build(ACPI_SIG_XSDT, NULL, 0);
	u64 out[4] = { 0 };

	(void)state;
	assert_int_equal(acpi_root_entries(rsdt, out, 4), 3);
	assert_memory_equal(out, addrs32, sizeof(addrs32));
	assert_int_equal(acpi_root_entries(xsdt, out, 4), 3);
	assert_memory_equal(out, addrs64, sizeof(addrs64));
	/* fewer slots than entries: the count still tells the truth */
	memset(out, 0, sizeof(out));
	assert_int_equal(acpi_root_entries(xsdt, out, 1), 3);
	assert_int_equal(out[0], addrs64[0]);
	assert_int_equal(out[1], 0);
	assert_int_equal(acpi_root_entries(empty, out, 4), 0);
	/* a partial trailing entry is not an entry */
	rsdt->length -= 2;
	assert_int_equal(acpi_root_entries(rsdt, out, 4), 2);
	rsdt->length = 10;
	assert_int_equal(acpi_root_entries(rsdt, out, 4), -EINVAL);
	memcpy(xsdt->signature, "FACP", 4);
	assert_int_equal(acpi_root_entries(xsdt, out, 4), -EINVAL);
	free(rsdt);
	free(xsdt);
	free(empty);
}

/* Builds a MADT entry by entry. */
struct madt_builder {
	u8 buf[8192];
	size_t len;
};

static void madt_begin(struct madt_builder *b, u32 lapic, u32 flags)
{
	struct acpi_madt m = { .lapic_address = lapic, .flags = flags };

	memcpy(b->buf, &m, sizeof(m));
	b->len = sizeof(m);
}

static void madt_add(struct madt_builder *b, const void *entry, size_t len)
{
	assert_true(b->len + len <= sizeof(b->buf));
	memcpy(b->buf + b->len, entry, len);
	b->len += len;
}

static struct acpi_sdt_header *madt_end(struct madt_builder *b)
{
	u8 *t = table_alloc(b->len);

	memcpy(t, b->buf, b->len);
	sdt_finish(t, ACPI_SIG_MADT, b->len, 5);
	return (struct acpi_sdt_header *)t;
}

#define ENTRY(type, s) { type, sizeof(s) }

static void madt_add_lapic(struct madt_builder *b, u8 uid, u8 id, u32 flags)
{
	struct acpi_madt_lapic e = { ENTRY(ACPI_MADT_LAPIC, e), uid, id, flags };

	madt_add(b, &e, sizeof(e));
}

static void madt_add_x2apic(struct madt_builder *b, u32 uid, u32 id, u32 flags)
{
	struct acpi_madt_x2apic e = { ENTRY(ACPI_MADT_X2APIC, e), 0, id, flags, uid };

	madt_add(b, &e, sizeof(e));
}

static void test_madt(void **state)
{
	static struct acpi_madt_info info;
	struct madt_builder b;
	struct acpi_madt_ioapic io = { ENTRY(ACPI_MADT_IOAPIC, io), 8, 0, 0xfec00000, 0 };
	struct acpi_madt_ioapic io2 = { ENTRY(ACPI_MADT_IOAPIC, io2), 9, 0, 0xfec01000, 24 };
	struct acpi_madt_iso iso0 = { ENTRY(ACPI_MADT_ISO, iso0), 0, 0, 2, 0 };
	struct acpi_madt_iso iso9 = { ENTRY(ACPI_MADT_ISO, iso9), 0, 9, 9,
				      ACPI_MADT_POLARITY_LOW | ACPI_MADT_TRIGGER_LEVEL };
	struct acpi_madt_lapic_nmi nmi = { ENTRY(ACPI_MADT_LAPIC_NMI, nmi), 0xff, 5, 1 };
	struct acpi_madt_x2apic_nmi x2nmi = { ENTRY(ACPI_MADT_X2APIC_NMI, x2nmi), 0, 300, 1, {0} };
	struct acpi_madt_lapic_addr addr = { ENTRY(ACPI_MADT_LAPIC_ADDR, addr), 0,
					     0x1fee00000ULL };
	u8 unknown[6] = { 0x7f, 6, 1, 2, 3, 4 };
	struct acpi_sdt_header *t;

	(void)state;
	madt_begin(&b, 0xfee00000, ACPI_MADT_PCAT_COMPAT);
	madt_add_lapic(&b, 0, 0, ACPI_MADT_ENABLED);
	madt_add_lapic(&b, 1, 2, ACPI_MADT_ENABLED);
	madt_add_lapic(&b, 2, 4, ACPI_MADT_ONLINE_CAPABLE);
	madt_add(&b, unknown, sizeof(unknown));
	madt_add_x2apic(&b, 300, 0x1000, ACPI_MADT_ENABLED);
	madt_add_x2apic(&b, 0, 0, ACPI_MADT_ENABLED);	/* the same CPU as apic 0 */
	madt_add(&b, &io, sizeof(io));
	madt_add(&b, &io2, sizeof(io2));
	madt_add(&b, &iso0, sizeof(iso0));
	madt_add(&b, &iso9, sizeof(iso9));
	madt_add(&b, &nmi, sizeof(nmi));
	madt_add(&b, &x2nmi, sizeof(x2nmi));
	t = madt_end(&b);
	assert_int_equal(acpi_madt_parse(t, &info), 0);
	assert_int_equal(info.lapic_address, 0xfee00000);
	assert_int_equal(info.flags, ACPI_MADT_PCAT_COMPAT);
	assert_int_equal(info.ncpus, 4);
	assert_int_equal(info.cpus[0].apic_id, 0);
	assert_true(info.cpus[0].enabled);
	assert_int_equal(info.cpus[1].apic_id, 2);
	assert_int_equal(info.cpus[1].uid, 1);
	assert_false(info.cpus[2].enabled);
	assert_true(info.cpus[2].online_capable);
	assert_int_equal(info.cpus[3].apic_id, 0x1000);
	assert_int_equal(info.cpus[3].uid, 300);
	assert_true(info.cpus[3].x2apic);
	assert_false(info.cpus[0].x2apic);
	assert_int_equal(info.nioapics, 2);
	assert_int_equal(info.ioapics[1].id, 9);
	assert_int_equal(info.ioapics[1].address, 0xfec01000);
	assert_int_equal(info.ioapics[1].gsi_base, 24);
	assert_int_equal(info.noverrides, 2);
	assert_int_equal(info.overrides[0].bus_irq, 0);
	assert_int_equal(info.overrides[0].gsi, 2);
	assert_int_equal(info.overrides[1].flags, 0xf);
	assert_int_equal(info.nnmis, 2);
	assert_int_equal(info.nmis[0].uid, ACPI_UID_ALL);
	assert_int_equal(info.nmis[0].lint, 1);
	assert_int_equal(info.nmis[0].flags, 5);
	assert_int_equal(info.nmis[1].uid, 300);
	assert_int_equal(info.dropped, 0);
	free(t);

	/* the address override wins over the 32-bit field */
	madt_begin(&b, 0xfee00000, 0);
	madt_add(&b, &addr, sizeof(addr));
	madt_add_lapic(&b, 0, 0, ACPI_MADT_ENABLED);
	t = madt_end(&b);
	assert_int_equal(acpi_madt_parse(t, &info), 0);
	assert_int_equal(info.lapic_address, 0x1fee00000ULL);
	free(t);

	/* more CPUs than fit: the rest are counted, not stored */
	madt_begin(&b, 0xfee00000, 0);
	for (u32 i = 0; i < ACPI_MAX_CPUS + 10; i++)
		madt_add_x2apic(&b, i, i, ACPI_MADT_ENABLED);
	t = madt_end(&b);
	assert_int_equal(acpi_madt_parse(t, &info), 0);
	assert_int_equal(info.ncpus, ACPI_MAX_CPUS);
	assert_int_equal(info.dropped, 10);
	free(t);
}

static void test_madt_malformed(void **state)
{
	static struct acpi_madt_info info;
	struct madt_builder b;
	struct acpi_sdt_header *t;
	u8 zero_length[2] = { ACPI_MADT_LAPIC, 0 };
	u8 short_lapic[6] = { ACPI_MADT_LAPIC, 6, 0, 0, 1, 0 };
	u8 past_end[4] = { ACPI_MADT_IOAPIC, 12, 0, 0 };
	u8 one_byte[1] = { ACPI_MADT_LAPIC };

	(void)state;
	madt_begin(&b, 0xfee00000, 0);
	madt_add_lapic(&b, 0, 0, ACPI_MADT_ENABLED);
	madt_add(&b, zero_length, sizeof(zero_length));
	t = madt_end(&b);
	assert_int_equal(acpi_madt_parse(t, &info), -EINVAL);
	free(t);

	madt_begin(&b, 0xfee00000, 0);
	madt_add(&b, short_lapic, sizeof(short_lapic));
	t = madt_end(&b);
	assert_int_equal(acpi_madt_parse(t, &info), -EINVAL);
	free(t);

	madt_begin(&b, 0xfee00000, 0);
	madt_add(&b, past_end, sizeof(past_end));
	t = madt_end(&b);
	assert_int_equal(acpi_madt_parse(t, &info), -EINVAL);
	free(t);

	madt_begin(&b, 0xfee00000, 0);
	madt_add(&b, one_byte, sizeof(one_byte));
	t = madt_end(&b);
	assert_int_equal(acpi_madt_parse(t, &info), -EINVAL);
	free(t);

	/* a header too short for the MADT's own fields */
	t = table_alloc(40);
	sdt_finish(t, ACPI_SIG_MADT, 40, 1);
	assert_int_equal(acpi_madt_parse(t, &info), -EINVAL);
	free(t);
}

static struct acpi_fadt *fadt_build(u32 len, u8 revision)
{
	struct acpi_fadt f = {
		.dsdt = 0x7fe0040,
		.sci_int = 9,
		.smi_cmd = 0xb2,
		.acpi_enable = 0xf1,
		.pm1a_cnt_blk = 0x604,
		.pm1_cnt_len = 2,
		.pm_tmr_blk = 0x608,
		.pm_tmr_len = 4,
		.iapc_boot_arch = ACPI_BOOT_ARCH_8042,
		.flags = ACPI_FADT_RESET_REG_SUP,
		.reset_reg = { ACPI_GAS_IO, 8, 0, 1, 0xcf9 },
		.reset_value = 6,
	};
	struct acpi_fadt *t = table_alloc(len);

	memcpy(t, &f, len < sizeof(f) ? len : sizeof(f));
	sdt_finish(t, ACPI_SIG_FADT, len, revision);
	return t;
}

static void test_fadt_v1(void **state)
{
	struct acpi_fadt *t = fadt_build(ACPI_FADT_V1_LENGTH, 1);
	struct acpi_fadt_info info;

	(void)state;
	assert_int_equal(acpi_fadt_parse(&t->header, &info), 0);
	assert_int_equal(info.sci_irq, 9);
	assert_int_equal(info.smi_cmd, 0xb2);
	assert_int_equal(info.acpi_enable, 0xf1);
	assert_int_equal(info.pm1a_cnt.space_id, ACPI_GAS_IO);
	assert_int_equal(info.pm1a_cnt.address, 0x604);
	assert_int_equal(info.pm1a_cnt.bit_width, 16);
	assert_int_equal(info.pm1b_cnt.address, 0);
	assert_int_equal(info.pm_tmr.space_id, ACPI_GAS_IO);
	assert_int_equal(info.pm_tmr.address, 0x608);
	assert_int_equal(info.pm_tmr.bit_width, 32);
	assert_false(info.pm_tmr_32bit);
	assert_int_equal(info.dsdt, 0x7fe0040);
	/* revision 1 has no boot flags, and a 116-byte table no reset register */
	assert_false(info.boot_arch_valid);
	assert_false(info.reset_supported);
	free(t);

	t = fadt_build(ACPI_FADT_V1_LENGTH - 1, 1);
	assert_int_equal(acpi_fadt_parse(&t->header, &info), -EINVAL);
	free(t);

	/* PM_TMR_LEN 0: no PM timer, whatever the block says; TMR_VAL_EXT: 32 bits */
	t = fadt_build(ACPI_FADT_V1_LENGTH, 1);
	t->pm_tmr_len = 0;
	t->flags |= ACPI_FADT_TMR_VAL_EXT;
	sdt_finish(t, ACPI_SIG_FADT, ACPI_FADT_V1_LENGTH, 1);
	assert_int_equal(acpi_fadt_parse(&t->header, &info), 0);
	assert_int_equal(info.pm_tmr.address, 0);
	assert_true(info.pm_tmr_32bit);
	free(t);
}

static void test_fadt_x_fields(void **state)
{
	struct acpi_fadt *t = fadt_build(sizeof(struct acpi_fadt), 3);
	struct acpi_fadt_info info;

	(void)state;
	/* X_ fields zero: the legacy ones stand */
	assert_int_equal(acpi_fadt_parse(&t->header, &info), 0);
	assert_int_equal(info.dsdt, 0x7fe0040);
	assert_int_equal(info.pm1a_cnt.address, 0x604);
	assert_true(info.boot_arch_valid);
	assert_int_equal(info.boot_arch, ACPI_BOOT_ARCH_8042);
	assert_true(info.reset_supported);
	assert_int_equal(info.reset_reg.address, 0xcf9);
	assert_int_equal(info.reset_value, 6);
	free(t);

	/* X_ fields set: they win */
	t = fadt_build(sizeof(struct acpi_fadt), 5);
	t->x_dsdt = 0x123456789ULL;
	t->x_pm1a_cnt_blk = (struct acpi_gas){ ACPI_GAS_MEMORY, 16, 0, 2, 0xfed80000 };
	t->x_pm1b_cnt_blk = (struct acpi_gas){ ACPI_GAS_IO, 16, 0, 2, 0x704 };
	t->x_pm_tmr_blk = (struct acpi_gas){ ACPI_GAS_IO, 32, 0, 3, 0x1808 };
	sdt_finish(t, ACPI_SIG_FADT, sizeof(*t), 5);
	assert_int_equal(acpi_fadt_parse(&t->header, &info), 0);
	assert_int_equal(info.dsdt, 0x123456789ULL);
	assert_int_equal(info.pm1a_cnt.space_id, ACPI_GAS_MEMORY);
	assert_int_equal(info.pm1a_cnt.address, 0xfed80000);
	assert_int_equal(info.pm1b_cnt.address, 0x704);
	assert_int_equal(info.pm_tmr.address, 0x1808);
	free(t);

	/* a table that ends after the reset register has no X_ fields to read */
	t = fadt_build(132, 3);
	assert_int_equal(acpi_fadt_parse(&t->header, &info), 0);
	assert_true(info.reset_supported);
	assert_int_equal(info.dsdt, 0x7fe0040);
	free(t);
}

static void test_hpet(void **state)
{
	struct acpi_hpet h = {
		.block_id = 0x8086a201,	/* 3 comparators, 64-bit, legacy capable */
		.base = { ACPI_GAS_MEMORY, 0, 0, 0, 0xfed00000 },
		.min_tick = 128,
	};
	struct acpi_hpet *t = table_alloc(sizeof(h));
	struct acpi_hpet_info info;

	(void)state;
	memcpy(t, &h, sizeof(h));
	sdt_finish(t, ACPI_SIG_HPET, sizeof(h), 1);
	assert_int_equal(acpi_hpet_parse(&t->header, &info), 0);
	assert_int_equal(info.base.address, 0xfed00000);
	assert_int_equal(info.comparators, 3);
	assert_true(info.counter_64bit);
	assert_true(info.legacy_capable);
	assert_int_equal(info.vendor, 0x8086);
	assert_int_equal(info.min_tick, 128);

	t->header.length = sizeof(h) - 1;
	assert_int_equal(acpi_hpet_parse(&t->header, &info), -EINVAL);
	t->header.length = sizeof(h);
	t->base.address = 0;
	assert_int_equal(acpi_hpet_parse(&t->header, &info), -EINVAL);
	free(t);
}

static struct acpi_sdt_header *mcfg_build(const struct acpi_mcfg_allocation *a, int n,
					  size_t extra)
{
	u32 len = sizeof(struct acpi_mcfg) + n * sizeof(*a) + extra;
	u8 *t = table_alloc(len);

	memcpy(t + sizeof(struct acpi_mcfg), a, n * sizeof(*a));
	sdt_finish(t, ACPI_SIG_MCFG, len, 1);
	return (struct acpi_sdt_header *)t;
}

static void test_mcfg(void **state)
{
	struct acpi_mcfg_allocation a[2] = {
		{ 0xb0000000, 0, 0, 0xff, 0 },
		{ 0x4000000000ULL, 1, 0x10, 0x1f, 0 },
	};
	struct acpi_mcfg_info info;
	struct acpi_sdt_header *t;

	(void)state;
	t = mcfg_build(a, 2, 0);
	assert_int_equal(acpi_mcfg_parse(t, &info), 0);
	assert_int_equal(info.nregions, 2);
	assert_int_equal(info.regions[0].base, 0xb0000000);
	assert_int_equal(info.regions[0].end_bus, 0xff);
	assert_int_equal(info.regions[1].base, 0x4000000000ULL);
	assert_int_equal(info.regions[1].segment, 1);
	assert_int_equal(info.regions[1].start_bus, 0x10);
	assert_int_equal(info.regions[1].end_bus, 0x1f);
	free(t);

	t = mcfg_build(a, 0, 0);
	assert_int_equal(acpi_mcfg_parse(t, &info), 0);
	assert_int_equal(info.nregions, 0);
	free(t);

	/* half an allocation at the end */
	t = mcfg_build(a, 1, 8);
	assert_int_equal(acpi_mcfg_parse(t, &info), -EINVAL);
	free(t);

	a[1].end_bus = 0x0f;
	t = mcfg_build(a, 2, 0);
	assert_int_equal(acpi_mcfg_parse(t, &info), -EINVAL);
	free(t);
}

/* Run the _S5_ scanner on an exact-size copy of the bytes. */
static int s5_scan(const u8 *aml, size_t len, u8 *a, u8 *b)
{
	u8 *copy = table_alloc(len);
	int ret;

	memcpy(copy, aml, len);
	ret = acpi_aml_find_s5(copy, len, a, b);
	free(copy);
	return ret;
}

#define S5_EXPECT(bytes, want_a, want_b)					\
	do {									\
		const u8 aml_[] = bytes;					\
		u8 a_ = 0xee, b_ = 0xee;					\
		assert_int_equal(s5_scan(aml_, sizeof(aml_), &a_, &b_), 0);	\
		assert_int_equal(a_, want_a);					\
		assert_int_equal(b_, want_b);					\
	} while (0)

#define S5_EXPECT_ERR(bytes, err)						\
	do {									\
		const u8 aml_[] = bytes;					\
		u8 a_, b_;							\
		assert_int_equal(s5_scan(aml_, sizeof(aml_), &a_, &b_), err);	\
	} while (0)

/* some AML before the object: a Scope (\_SB) header and a Name(_S3_, 0) */
#define AML_PREFIX 0x10, 0x0a, '\\', '_', 'S', 'B', '_', 0x08, '_', 'S', '3', '_', 0x00
#define S5 0x08, '_', 'S', '5', '_'
#define ROOT_S5 0x08, '\\', '_', 'S', '5', '_'
#define L(...) { __VA_ARGS__ }

static void test_s5_encodings(void **state)
{
	(void)state;
	/* what QEMU writes: Package (4) { Zero, Zero, Zero, Zero } */
	S5_EXPECT(L(AML_PREFIX, S5, 0x12, 0x06, 0x04, 0x00, 0x00, 0x00, 0x00), 0, 0);
	S5_EXPECT(L(S5, 0x12, 0x04, 0x02, 0x01, 0x00), 1, 0);
	S5_EXPECT(L(AML_PREFIX, ROOT_S5, 0x12, 0x06, 0x02, 0x0a, 0x05, 0x0a, 0x07), 5, 7);
	S5_EXPECT(L(S5, 0x12, 0x08, 0x02, 0x0b, 0x06, 0x00, 0x0b, 0x03, 0x00), 6, 3);
	S5_EXPECT(L(S5, 0x12, 0x0e, 0x04, 0x0c, 0x07, 0, 0, 0, 0x0c, 0x02, 0, 0, 0, 0, 0), 7, 2);
	/* a two-byte PkgLength (0x4a 0x00 is 10) and mixed encodings */
	S5_EXPECT(L(S5, 0x12, 0x4a, 0x00, 0x04, 0x0a, 0x05, 0x01, 0x00, 0x00, 0x00, 0x00), 5, 1);
	/* a reference to _S5_ that is not its definition is skipped */
	S5_EXPECT(L(0x70, '_', 'S', '5', '_', 0x60, S5, 0x12, 0x05, 0x02, 0x0a, 0x03, 0x01),
		  3, 1);
}

static void test_s5_absent_and_odd(void **state)
{
	(void)state;
	S5_EXPECT_ERR(L(AML_PREFIX), -ENOENT);
	S5_EXPECT_ERR(L(0x70, '_', 'S', '5', '_', 0x60), -ENOENT);
	S5_EXPECT_ERR(L('_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x00, 0x00), -ENOENT);
	assert_int_equal(acpi_aml_find_s5(NULL, 0, NULL, NULL), -ENOENT);
	/* not a package */
	S5_EXPECT_ERR(L(S5, 0x0a, 0x05), -EINVAL);
	/* one element only */
	S5_EXPECT_ERR(L(S5, 0x12, 0x03, 0x01, 0x00), -EINVAL);
	/* a sleep type beyond 3 bits */
	S5_EXPECT_ERR(L(S5, 0x12, 0x06, 0x02, 0x0a, 0x08, 0x0a, 0x00), -EINVAL);
	/* an element that is not an integer constant (OnesOp, a string) */
	S5_EXPECT_ERR(L(S5, 0x12, 0x04, 0x02, 0xff, 0x00), -EINVAL);
	S5_EXPECT_ERR(L(S5, 0x12, 0x05, 0x02, 0x0d, 'a', 0x00), -EINVAL);
	/* PkgLength: reserved bits set, or shorter than its own contents */
	S5_EXPECT_ERR(L(S5, 0x12, 0x70, 0x00, 0x02, 0x00, 0x00), -EINVAL);
	S5_EXPECT_ERR(L(S5, 0x12, 0x01, 0x02, 0x00, 0x00), -EINVAL);
	/* the package ends in the middle of its second element */
	S5_EXPECT_ERR(L(S5, 0x12, 0x04, 0x02, 0x0a, 0x05, 0x00), -EINVAL);
	/* the package runs past the end of the table */
	S5_EXPECT_ERR(L(S5, 0x12, 0x3f, 0x02, 0x00, 0x00), -EINVAL);
}

/* Every prefix of a good object, cut anywhere, is refused without an overread. */
static void test_s5_truncated(void **state)
{
	const u8 aml[] = { AML_PREFIX, ROOT_S5, 0x12, 0x4d, 0x00, 0x04, 0x0c, 0x05, 0, 0, 0,
			   0x0b, 0x05, 0x00, 0x00, 0x00 };
	const size_t name_end = 13 + 6;	/* after AML_PREFIX and "\_S5_" */
	u8 a, b;

	(void)state;
	assert_int_equal(s5_scan(aml, sizeof(aml), &a, &b), 0);
	assert_int_equal(a, 5);
	assert_int_equal(b, 5);
	for (size_t len = 0; len < sizeof(aml); len++)
		assert_int_equal(s5_scan(aml, len, &a, &b), len < name_end ? -ENOENT : -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checksum),
		cmocka_unit_test(test_rsdp_v1),
		cmocka_unit_test(test_rsdp_v2),
		cmocka_unit_test(test_root_entries),
		cmocka_unit_test(test_madt),
		cmocka_unit_test(test_madt_malformed),
		cmocka_unit_test(test_fadt_v1),
		cmocka_unit_test(test_fadt_x_fields),
		cmocka_unit_test(test_hpet),
		cmocka_unit_test(test_mcfg),
		cmocka_unit_test(test_s5_encodings),
		cmocka_unit_test(test_s5_absent_and_odd),
		cmocka_unit_test(test_s5_truncated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
