/*
 * ACPI tables at boot: find the RSDP (the multiboot2 loader's copy, else the
 * EBDA and BIOS ROM areas), walk the XSDT (or the RSDT when there is no
 * valid XSDT), record every table with its checksum state, and parse the
 * FADT, MADT, HPET, MCFG and the DSDT's _S5 object through kernel/acpi_parse.c.
 * A table that fails its checksum or its parser is reported and never used;
 * without ACPI at all the kernel runs on and the accessors return NULL.
 * The `acpi` shell command shows what was found.
 */
#include "kernel/acpi.h"
#include "kernel/ioremap.h"
#include "kernel/acpi_parse.h"
#include "kernel/bootinfo.h"
#include "kernel/console.h"
#include "kernel/mm.h"
#include "kernel/printk.h"
#include "kernel/selftest.h"
#include "kernel/shell.h"
#include "lib/errno.h"
#include "lib/string.h"

#define ACPI_MAX_TABLES		64
#define ACPI_TABLE_MAX_LENGTH	(16U << 20)	/* far above real tables; stops garbage */

#define BDA_EBDA_SEGMENT	0x40e	/* real-mode segment of the EBDA */
#define BIOS_ROM_START		0xe0000
#define BIOS_ROM_END		0x100000

enum acpi_table_state {
	ACPI_TABLE_OK,
	ACPI_TABLE_BAD_CHECKSUM,
	ACPI_TABLE_BAD_LENGTH,
	ACPI_TABLE_UNMAPPED,
};

static const char *const acpi_table_state_names[] = {
	[ACPI_TABLE_OK] = "ok",
	[ACPI_TABLE_BAD_CHECKSUM] = "bad-checksum",
	[ACPI_TABLE_BAD_LENGTH] = "bad-length",
	[ACPI_TABLE_UNMAPPED] = "unmapped",
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

static struct acpi_table acpi_tables[ACPI_MAX_TABLES];
static int acpi_ntables;
static int acpi_tables_dropped;

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
		acpi_tables_dropped++;
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
		acpi_tables_dropped += n - ACPI_MAX_TABLES;
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
	if (acpi_tables_dropped)
		pr_warn("acpi: %d tables beyond the first %d ignored\n", acpi_tables_dropped,
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

/* --- the `acpi` command --------------------------------------------------- */

static const char *gas_space_name(u8 space_id)
{
	switch (space_id) {
	case ACPI_GAS_MEMORY:	return "mem";
	case ACPI_GAS_IO:	return "io";
	case ACPI_GAS_PCI_CONFIG: return "pci";
	default:		return "other";
	}
}

static void acpi_print_gas(const char *name, const struct acpi_gas *gas)
{
	if (!gas->address) {
		printf("%-10s none\n", name);
		return;
	}
	printf("%-10s %s %#llx width %u\n", name, gas_space_name(gas->space_id),
	       (unsigned long long)gas->address, gas->bit_width);
}

static const char *irq_polarity_name(u16 flags)
{
	switch (flags & ACPI_MADT_POLARITY_MASK) {
	case ACPI_MADT_POLARITY_HIGH:	return "high";
	case ACPI_MADT_POLARITY_LOW:	return "low";
	default:			return "bus";
	}
}

static const char *irq_trigger_name(u16 flags)
{
	switch (flags & ACPI_MADT_TRIGGER_MASK) {
	case ACPI_MADT_TRIGGER_EDGE:	return "edge";
	case ACPI_MADT_TRIGGER_LEVEL:	return "level";
	default:			return "bus";
	}
}

static int acpi_show_tables(void)
{
	if (!acpi_rsdp_source)
		return shell_error("no ACPI RSDP was found");
	if (acpi_rsdp_phys)
		printf("RSDP rev %u OEM '%s' at %#llx (%s), root %s\n", acpi_rsdp.revision,
		       acpi_rsdp.oem_id, (unsigned long long)acpi_rsdp_phys, acpi_rsdp_source,
		       acpi_root_name ? acpi_root_name : "none");
	else
		printf("RSDP rev %u OEM '%s' (%s copy), root %s\n", acpi_rsdp.revision,
		       acpi_rsdp.oem_id, acpi_rsdp_source,
		       acpi_root_name ? acpi_root_name : "none");
	printf("%-4s %-18s %-8s %-3s %-6s %s\n", "sig", "address", "length", "rev", "oem",
	       "state");
	for (int i = 0; i < acpi_ntables; i++) {
		const struct acpi_table *t = &acpi_tables[i];

		printf("%-4s %#-18llx %-8u %-3u %-6s %s\n", t->signature,
		       (unsigned long long)t->phys, t->length, t->revision, t->oem_id,
		       acpi_table_state_names[t->state]);
	}
	if (acpi_tables_dropped)
		printf("%d more tables not recorded\n", acpi_tables_dropped);
	return 0;
}

static int acpi_show_madt(void)
{
	const struct acpi_madt_info *m = acpi_madt();

	if (!m)
		return shell_error("no valid MADT");
	printf("lapic %#llx flags %#x%s\n", (unsigned long long)m->lapic_address, m->flags,
	       m->flags & ACPI_MADT_PCAT_COMPAT ? " (8259 PICs present)" : "");
	for (int i = 0; i < m->ncpus; i++) {
		const struct acpi_cpu *c = &m->cpus[i];

		printf("cpu %s %u uid %u %s\n", c->x2apic ? "x2apic" : "apic", c->apic_id, c->uid,
		       c->enabled ? "enabled" : c->online_capable ? "online-capable" : "disabled");
	}
	for (int i = 0; i < m->nioapics; i++)
		printf("ioapic id %u at %#x gsi %u\n", m->ioapics[i].id, m->ioapics[i].address,
		       m->ioapics[i].gsi_base);
	for (int i = 0; i < m->noverrides; i++) {
		const struct acpi_irq_override *o = &m->overrides[i];

		printf("override irq %u -> gsi %u polarity %s trigger %s\n", o->bus_irq, o->gsi,
		       irq_polarity_name(o->flags), irq_trigger_name(o->flags));
	}
	for (int i = 0; i < m->nnmis; i++) {
		const struct acpi_lapic_nmi *n = &m->nmis[i];

		if (n->uid == ACPI_UID_ALL)
			printf("nmi uid all lint%u polarity %s trigger %s\n", n->lint,
			       irq_polarity_name(n->flags), irq_trigger_name(n->flags));
		else
			printf("nmi uid %u lint%u polarity %s trigger %s\n", n->uid, n->lint,
			       irq_polarity_name(n->flags), irq_trigger_name(n->flags));
	}
	if (m->dropped)
		printf("%d entries ignored (beyond the kernel's limits)\n", m->dropped);
	return 0;
}

static int acpi_show_fadt(void)
{
	const struct acpi_fadt_info *f = acpi_fadt();
	u8 typa, typb;
	int err;

	if (!f)
		return shell_error("no valid FADT");
	printf("revision   %u flags %#x%s\n", f->revision, f->flags,
	       f->flags & ACPI_FADT_HW_REDUCED_ACPI ? " (hardware-reduced)" : "");
	acpi_print_gas("pm1a_cnt", &f->pm1a_cnt);
	acpi_print_gas("pm1b_cnt", &f->pm1b_cnt);
	printf("sci        irq %u\n", f->sci_irq);
	printf("smi_cmd    %#x acpi_enable %#x\n", f->smi_cmd, f->acpi_enable);
	if (f->reset_supported)
		printf("reset      %s %#llx value %#x\n", gas_space_name(f->reset_reg.space_id),
		       (unsigned long long)f->reset_reg.address, f->reset_value);
	else
		printf("reset      unsupported\n");
	printf("dsdt       %#llx\n", (unsigned long long)f->dsdt);
	if (f->boot_arch_valid)
		printf("boot_arch  %#x%s%s\n", f->boot_arch,
		       f->boot_arch & ACPI_BOOT_ARCH_LEGACY_DEVICES ? " legacy-devices" : "",
		       f->boot_arch & ACPI_BOOT_ARCH_8042 ? " 8042" : "");
	else
		printf("boot_arch  not reported (FADT revision < 3)\n");
	err = acpi_s5_sleep_type(&typa, &typb);
	if (err)
		printf("s5         unusable (%s)\n", errno_name(err));
	else
		printf("s5         SLP_TYPa %u SLP_TYPb %u\n", typa, typb);
	return 0;
}

static int acpi_show_hpet(void)
{
	const struct acpi_hpet_info *h = acpi_hpet();

	if (!h)
		return shell_error("no valid HPET table");
	acpi_print_gas("base", &h->base);
	printf("number     %u\n", h->number);
	printf("timers     %d, %s counter%s\n", h->comparators,
	       h->counter_64bit ? "64-bit" : "32-bit",
	       h->legacy_capable ? ", legacy replacement capable" : "");
	printf("vendor     %#06x\n", h->vendor);
	printf("min_tick   %u\n", h->min_tick);
	return 0;
}

static int acpi_show_mcfg(void)
{
	const struct acpi_mcfg_info *m = acpi_mcfg();

	if (!m)
		return shell_error("no valid MCFG table");
	for (int i = 0; i < m->nregions; i++)
		printf("segment %u buses %02x-%02x ecam %#llx\n", m->regions[i].segment,
		       m->regions[i].start_bus, m->regions[i].end_bus,
		       (unsigned long long)m->regions[i].base);
	if (m->dropped)
		printf("%d regions ignored (beyond the kernel's limits)\n", m->dropped);
	return 0;
}

static const struct {
	const char *name;
	int (*show)(void);
} acpi_subcommands[] = {
	{ "madt", acpi_show_madt },
	{ "fadt", acpi_show_fadt },
	{ "hpet", acpi_show_hpet },
	{ "mcfg", acpi_show_mcfg },
};

static int cmd_acpi(int argc, char **argv)
{
	if (argc == 1)
		return acpi_show_tables();
	if (argc > 2)
		return shell_usage_error(argv[0]);
	for (size_t i = 0; i < ARRAY_SIZE(acpi_subcommands); i++)
		if (!strcmp(argv[1], acpi_subcommands[i].name))
			return acpi_subcommands[i].show();
	return shell_error("unknown acpi subcommand '%s' (madt, fadt, hpet, mcfg)", argv[1]);
}
SHELL_COMMAND(acpi, cmd_acpi, "acpi [madt | fadt | hpet | mcfg]",
	      "the firmware's ACPI tables, or one of them decoded");

/* --- self tests: whatever machine runs them must have a sane ACPI ------- */

static void test_rsdp_found(struct selftest *t)
{
	ST_EXPECT(t, acpi_rsdp_source != NULL);
	ST_EXPECT(t, acpi_root_name != NULL);
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
