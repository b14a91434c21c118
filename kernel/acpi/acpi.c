/*
 * ACPI tables at boot: find the RSDP (the multiboot2 loader's copy, else the
 * EBDA and BIOS ROM areas), walk the XSDT (or the RSDT when there is no
 * valid XSDT), record every table with its checksum state, and parse the
 * FADT, MADT, HPET, MCFG and the DSDT's _S5 object through kernel/acpi_parse.c.
 * A table that fails its checksum or its parser is reported and never used;
 * without ACPI at all the kernel runs on and the accessors return NULL.
 * The `acpi` shell command shows what was found.
 */
#include "kernel/acpi/acpi.h"
#include "kernel/mm/ioremap.h"
#include "kernel/acpi/acpi_parse.h"
#include "kernel/bootinfo.h"
#include "kernel/console/console.h"
#include "kernel/mm/mm.h"
#include "kernel/console/printk.h"
#include "lib/errno.h"
#include "lib/string.h"

#define ACPI_TABLE_MAX_LENGTH	(16U << 20)	/* far above real tables; stops garbage */

#define BDA_EBDA_SEGMENT	0x40e	/* real-mode segment of the EBDA */
#define BIOS_ROM_START		0xe0000
#define BIOS_ROM_END		0x100000

static const char *const acpi_table_state_names[] = {
	[ACPI_TABLE_OK] = "ok",
	[ACPI_TABLE_BAD_CHECKSUM] = "bad-checksum",
	[ACPI_TABLE_BAD_LENGTH] = "bad-length",
	[ACPI_TABLE_UNMAPPED] = "unmapped",
};

static struct acpi_table acpi_tables[ACPI_MAX_TABLES];
static int acpi_ntables;
static int acpi_ntables_dropped;

static struct acpi_rsdp_info acpi_rsdp;
static const char *acpi_rsdp_source;	/* NULL: no RSDP */
static u64 acpi_rsdp_phys;		/* 0 for the loader's copy */
static const char *acpi_root_name;	/* "XSDT" or "RSDT" in use */

static struct acpi_madt_info madt_info;
static struct acpi_fadt_info fadt_info;
static struct acpi_hpet_info hpet_info;
static struct acpi_mcfg_info mcfg_info;
static bool madt_valid, fadt_valid, hpet_valid, mcfg_valid;
static int s5_err = -ENODEV;
static u8 s5_typa, s5_typb;

void *acpi_map(u64 phys, size_t len)
{
	/* tables live in RAM (ACPI or reserved ranges): a cacheable mapping */
	void *p = len ? memremap(phys, len) : NULL;

	if (!p)
		pr_warn("acpi: cannot map %#llx+%#zx, not accessed\n", (unsigned long long)phys, len);
	return p;
}

/* Table signatures and OEM ids are ASCII by the spec; do not print garbage. */
static void acpi_copy_name(char *dst, const char *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = src[i] >= 0x20 && src[i] < 0x7f ? src[i] : '?';
	dst[n] = 0;
}

/* Record the table at phys; returns its entry, or NULL when the list is full. */
static struct acpi_table *acpi_table_add(u64 phys)
{
	const struct acpi_sdt_header *hdr;
	struct acpi_table *t;

	if (acpi_ntables == ACPI_MAX_TABLES) {
		acpi_ntables_dropped++;
		return NULL;
	}
	t = &acpi_tables[acpi_ntables++];
	t->phys = phys;
	t->state = ACPI_TABLE_UNMAPPED;
	strlcpy(t->signature, "????", sizeof(t->signature));
	hdr = acpi_map(phys, sizeof(*hdr));
	if (!hdr)
		return t;
	acpi_copy_name(t->signature, hdr->signature, 4);
	acpi_copy_name(t->oem_id, hdr->oem_id, 6);
	t->length = hdr->length;
	t->revision = hdr->revision;
	if (t->length < sizeof(*hdr) || t->length > ACPI_TABLE_MAX_LENGTH) {
		t->state = ACPI_TABLE_BAD_LENGTH;
		pr_warn("acpi: %s at %#llx has length %u, ignored\n", t->signature,
			(unsigned long long)phys, t->length);
		return t;
	}
	hdr = acpi_map(phys, t->length);
	if (!hdr)
		return t;
	if (acpi_checksum(hdr, t->length)) {
		t->state = ACPI_TABLE_BAD_CHECKSUM;
		pr_warn("acpi: %s at %#llx fails its checksum, ignored\n", t->signature,
			(unsigned long long)phys);
		return t;
	}
	t->state = ACPI_TABLE_OK;
	t->hdr = hdr;
	return t;
}

const struct acpi_sdt_header *acpi_find_table(const char sig[4], int index)
{
	for (int i = 0; i < acpi_ntables; i++) {
		const struct acpi_table *t = &acpi_tables[i];

		if (t->hdr && !memcmp(t->hdr->signature, sig, 4) && index-- == 0)
			return t->hdr;
	}
	return NULL;
}

/* RSDP candidates sit on 16-byte boundaries (ACPI 6.4 5.2.5.1). */
static int acpi_rsdp_scan(u64 start, u64 len, const char *where)
{
	const u8 *area = acpi_map(start, len);

	if (!area)
		return -ENOENT;
	for (u64 off = 0; off + ACPI_RSDP_V1_LENGTH <= len; off += 16) {
		if (!acpi_rsdp_parse(area + off, len - off, &acpi_rsdp)) {
			acpi_rsdp_source = where;
			acpi_rsdp_phys = start + off;
			return 0;
		}
	}
	return -ENOENT;
}

static int acpi_rsdp_find(void)
{
	const u16 *ebda_segment;
	u64 ebda;

	if (boot_info.has_rsdp) {
		if (!acpi_rsdp_parse(boot_info.rsdp, sizeof(boot_info.rsdp), &acpi_rsdp)) {
			acpi_rsdp_source = "multiboot2";
			return 0;
		}
		pr_warn("acpi: the loader's RSDP is invalid, searching the BIOS areas\n");
	}
	ebda_segment = acpi_map(BDA_EBDA_SEGMENT, sizeof(*ebda_segment));
	if (ebda_segment) {
		ebda = (u64)*ebda_segment << 4;
		/* the EBDA lives just below 640 KiB; anything else is not one */
		if (ebda >= 0x80000 && ebda < 0xa0000 && !acpi_rsdp_scan(ebda, 1024, "EBDA"))
			return 0;
	}
	return acpi_rsdp_scan(BIOS_ROM_START, BIOS_ROM_END - BIOS_ROM_START, "BIOS ROM");
}

/* The XSDT when the RSDP vouches for one and it is intact, else the RSDT. */
static const struct acpi_sdt_header *acpi_root_load(void)
{
	const struct acpi_table *t;

	if (acpi_rsdp.revision >= 2 && !acpi_rsdp.xsdt_valid)
		pr_warn("acpi: RSDP 2.0 fields fail their checksum or length, using the RSDT\n");
	if (acpi_rsdp.xsdt_valid && acpi_rsdp.xsdt) {
		t = acpi_table_add(acpi_rsdp.xsdt);
		if (t && t->hdr && !memcmp(t->hdr->signature, ACPI_SIG_XSDT, 4)) {
			acpi_root_name = ACPI_SIG_XSDT;
			return t->hdr;
		}
		pr_warn("acpi: XSDT unusable, trying the RSDT\n");
	}
	if (acpi_rsdp.rsdt) {
		t = acpi_table_add(acpi_rsdp.rsdt);
		if (t && t->hdr && !memcmp(t->hdr->signature, ACPI_SIG_RSDT, 4)) {
			acpi_root_name = ACPI_SIG_RSDT;
			return t->hdr;
		}
	}
	return NULL;
}

static void acpi_root_walk(const struct acpi_sdt_header *root)
{
	u64 entries[ACPI_MAX_TABLES];
	int n = acpi_root_entries(root, entries, ACPI_MAX_TABLES);

	if (n > ACPI_MAX_TABLES) {
		acpi_ntables_dropped += n - ACPI_MAX_TABLES;
		n = ACPI_MAX_TABLES;
	}
	for (int i = 0; i < n; i++)
		if (entries[i])
			acpi_table_add(entries[i]);
}

/* _S5 is in the DSDT, or on some machines in an SSDT. */
static void acpi_s5_load(void)
{
	static const char *const sigs[] = { ACPI_SIG_DSDT, ACPI_SIG_SSDT };
	const struct acpi_sdt_header *hdr;

	for (size_t s = 0; s < ARRAY_SIZE(sigs) && s5_err; s++) {
		for (int i = 0; (hdr = acpi_find_table(sigs[s], i)); i++) {
			s5_err = acpi_aml_find_s5((const u8 *)(hdr + 1),
						  hdr->length - sizeof(*hdr), &s5_typa, &s5_typb);
			if (s5_err != -ENOENT)
				break;
		}
	}
	if (s5_err)
		pr_warn("acpi: no usable _S5 object (%s): poweroff will not work\n",
			errno_name(s5_err));
}

static void acpi_fadt_load(void)
{
	const struct acpi_sdt_header *hdr = acpi_find_table(ACPI_SIG_FADT, 0);
	const struct acpi_table *dsdt;
	int err;

	if (!hdr) {
		pr_warn("acpi: no FADT\n");
		return;
	}
	err = acpi_fadt_parse(hdr, &fadt_info);
	if (err) {
		pr_warn("acpi: FADT of length %u is malformed, ignored\n", hdr->length);
		return;
	}
	fadt_valid = true;
	if (fadt_info.dsdt) {
		dsdt = acpi_table_add(fadt_info.dsdt);
		if (dsdt && dsdt->hdr && memcmp(dsdt->signature, ACPI_SIG_DSDT, 4))
			pr_warn("acpi: the FADT's DSDT pointer finds '%s'\n", dsdt->signature);
	}
	acpi_s5_load();
	pr_info("acpi: FADT rev %u: SCI irq %u, PM1a_CNT %#llx, reset %s %#llx=%#x, S5 %s %u/%u\n",
		fadt_info.revision, fadt_info.sci_irq,
		(unsigned long long)fadt_info.pm1a_cnt.address,
		fadt_info.reset_supported ? "reg" : "unsupported",
		(unsigned long long)fadt_info.reset_reg.address, fadt_info.reset_value,
		s5_err ? "missing" : "SLP_TYP", s5_typa, s5_typb);
}

static void acpi_madt_load(void)
{
	const struct acpi_sdt_header *hdr = acpi_find_table(ACPI_SIG_MADT, 0);
	int enabled = 0;

	if (!hdr) {
		pr_warn("acpi: no MADT\n");
		return;
	}
	if (acpi_madt_parse(hdr, &madt_info)) {
		pr_warn("acpi: MADT has a malformed entry, ignored\n");
		return;
	}
	madt_valid = true;
	for (int i = 0; i < madt_info.ncpus; i++)
		enabled += madt_info.cpus[i].enabled;
	pr_info("acpi: MADT: %d CPUs (%d enabled), %d IOAPICs, %d overrides, %d NMIs, "
		"LAPIC at %#llx\n", madt_info.ncpus, enabled, madt_info.nioapics,
		madt_info.noverrides, madt_info.nnmis, (unsigned long long)madt_info.lapic_address);
	if (madt_info.dropped)
		pr_warn("acpi: MADT: %d entries beyond the kernel's limits ignored\n",
			madt_info.dropped);
}

static void acpi_hpet_load(void)
{
	const struct acpi_sdt_header *hdr = acpi_find_table(ACPI_SIG_HPET, 0);

	if (!hdr)
		return;
	if (acpi_hpet_parse(hdr, &hpet_info)) {
		pr_warn("acpi: HPET table is malformed, ignored\n");
		return;
	}
	hpet_valid = true;
	pr_info("acpi: HPET at %#llx, %d comparators, %s counter, min tick %u\n",
		(unsigned long long)hpet_info.base.address, hpet_info.comparators,
		hpet_info.counter_64bit ? "64-bit" : "32-bit", hpet_info.min_tick);
}

static void acpi_mcfg_load(void)
{
	const struct acpi_sdt_header *hdr = acpi_find_table(ACPI_SIG_MCFG, 0);

	if (!hdr)
		return;
	if (acpi_mcfg_parse(hdr, &mcfg_info)) {
		pr_warn("acpi: MCFG table is malformed, ignored\n");
		return;
	}
	mcfg_valid = true;
	for (int i = 0; i < mcfg_info.nregions; i++) {
		const struct acpi_mcfg_region *r = &mcfg_info.regions[i];

		pr_info("acpi: MCFG: segment %u buses %02x-%02x ECAM at %#llx\n", r->segment,
			r->start_bus, r->end_bus, (unsigned long long)r->base);
	}
}

int acpi_init(void)
{
	const struct acpi_sdt_header *root;

	if (acpi_rsdp_find()) {
		pr_warn("acpi: no RSDP found, running without ACPI\n");
		return -ENODEV;
	}
	pr_info("acpi: RSDP rev %u, OEM '%s', from %s\n", acpi_rsdp.revision,
		acpi_rsdp.oem_id, acpi_rsdp_source);
	root = acpi_root_load();
	if (!root) {
		pr_warn("acpi: no valid RSDT or XSDT, running without ACPI\n");
		return -ENODEV;
	}
	acpi_root_walk(root);
	if (acpi_ntables_dropped)
		pr_warn("acpi: %d tables beyond the first %d ignored\n", acpi_ntables_dropped,
			ACPI_MAX_TABLES);
	acpi_fadt_load();
	acpi_madt_load();
	acpi_hpet_load();
	acpi_mcfg_load();
	return 0;
}

const struct acpi_madt_info *acpi_madt(void)
{
	return madt_valid ? &madt_info : NULL;
}

const struct acpi_fadt_info *acpi_fadt(void)
{
	return fadt_valid ? &fadt_info : NULL;
}

const struct acpi_hpet_info *acpi_hpet(void)
{
	return hpet_valid ? &hpet_info : NULL;
}

const struct acpi_mcfg_info *acpi_mcfg(void)
{
	return mcfg_valid ? &mcfg_info : NULL;
}

int acpi_s5_sleep_type(u8 *typa, u8 *typb)
{
	if (s5_err)
		return s5_err;
	*typa = s5_typa;
	*typb = s5_typb;
	return 0;
}

const char *acpi_table_state_name(enum acpi_table_state state)
{
	return acpi_table_state_names[state];
}

const struct acpi_table *acpi_table_at(int index)
{
	return index >= 0 && index < acpi_ntables ? &acpi_tables[index] : NULL;
}

int acpi_tables_dropped(void)
{
	return acpi_ntables_dropped;
}

int acpi_rsdp_get(struct acpi_rsdp_found *out)
{
	if (!acpi_rsdp_source)
		return -ENODEV;
	out->rsdp = &acpi_rsdp;
	out->source = acpi_rsdp_source;
	out->phys = acpi_rsdp_phys;
	out->root_name = acpi_root_name;
	return 0;
}
