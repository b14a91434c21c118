/*
 * ACPI table parsers: RSDP, RSDT/XSDT, MADT, FADT, HPET and MCFG, from bytes
 * in memory to the structures of kernel/acpi.h. No printing and no hardware
 * access, so that the host unit tests run them (see kernel/acpi/acpi_parse.h).
 * Every read is checked against the table's own length first: firmware
 * tables come in many revisions and sizes, and some are simply wrong.
 */
#include "kernel/acpi/acpi_parse.h"
#include "lib/errno.h"
#include "lib/string.h"

/* the offset just past a field: a table of at least this length has it */
#define FIELD_END(type, field) (offsetof(type, field) + sizeof(((type *)0)->field))

u8 acpi_checksum(const void *p, size_t len)
{
	const u8 *b = p;
	u8 sum = 0;

	while (len--)
		sum += *b++;
	return sum;
}

int acpi_rsdp_parse(const void *p, size_t avail, struct acpi_rsdp_info *out)
{
	const struct acpi_rsdp *rsdp = p;

	memset(out, 0, sizeof(*out));
	if (avail < ACPI_RSDP_V1_LENGTH || memcmp(rsdp->signature, ACPI_RSDP_SIGNATURE, 8))
		return -EINVAL;
	if (acpi_checksum(rsdp, ACPI_RSDP_V1_LENGTH))
		return -EINVAL;
	out->revision = rsdp->revision;
	memcpy(out->oem_id, rsdp->oem_id, sizeof(rsdp->oem_id));
	out->rsdt = rsdp->rsdt_address;
	if (rsdp->revision >= 2 && avail >= sizeof(*rsdp) && rsdp->length >= sizeof(*rsdp) &&
	    rsdp->length <= avail && !acpi_checksum(rsdp, rsdp->length)) {
		out->xsdt_valid = true;
		out->xsdt = rsdp->xsdt_address;
	}
	return 0;
}

int acpi_root_entries(const struct acpi_sdt_header *root, u64 *out, int max)
{
	const u8 *entries = (const u8 *)(root + 1);
	size_t size, count;

	if (!memcmp(root->signature, ACPI_SIG_XSDT, 4))
		size = 8;
	else if (!memcmp(root->signature, ACPI_SIG_RSDT, 4))
		size = 4;
	else
		return -EINVAL;
	if (root->length < sizeof(*root))
		return -EINVAL;
	count = (root->length - sizeof(*root)) / size;
	for (size_t i = 0; i < count && i < (size_t)max; i++) {
		u64 addr = 0;

		/* XSDT entries are not 8-byte aligned; copy, do not dereference */
		memcpy(&addr, entries + i * size, size);
		out[i] = addr;
	}
	return count;
}

static void madt_add_cpu(struct acpi_madt_info *out, u32 apic_id, u32 uid, u32 flags,
			 bool x2apic)
{
	struct acpi_cpu *cpu;

	/* firmware may list a CPU twice, as a local APIC and as an x2APIC */
	for (int i = 0; i < out->ncpus; i++)
		if (out->cpus[i].apic_id == apic_id)
			return;
	if (out->ncpus == ACPI_MAX_CPUS) {
		out->dropped++;
		return;
	}
	cpu = &out->cpus[out->ncpus++];
	cpu->apic_id = apic_id;
	cpu->uid = uid;
	cpu->enabled = flags & ACPI_MADT_ENABLED;
	cpu->online_capable = flags & ACPI_MADT_ONLINE_CAPABLE;
	cpu->x2apic = x2apic;
}

static void madt_add_nmi(struct acpi_madt_info *out, u32 uid, u8 lint, u16 flags)
{
	if (out->nnmis == ACPI_MAX_NMIS) {
		out->dropped++;
		return;
	}
	out->nmis[out->nnmis++] = (struct acpi_lapic_nmi){ uid, lint, flags };
}

/* The minimum length of each entry type we read; 0 for types we skip. */
static size_t madt_entry_min_length(u8 type)
{
	switch (type) {
	case ACPI_MADT_LAPIC:		return sizeof(struct acpi_madt_lapic);
	case ACPI_MADT_IOAPIC:		return sizeof(struct acpi_madt_ioapic);
	case ACPI_MADT_ISO:		return sizeof(struct acpi_madt_iso);
	case ACPI_MADT_LAPIC_NMI:	return sizeof(struct acpi_madt_lapic_nmi);
	case ACPI_MADT_LAPIC_ADDR:	return sizeof(struct acpi_madt_lapic_addr);
	case ACPI_MADT_X2APIC:		return sizeof(struct acpi_madt_x2apic);
	case ACPI_MADT_X2APIC_NMI:	return sizeof(struct acpi_madt_x2apic_nmi);
	default:			return 0;
	}
}

static void madt_parse_entry(const struct acpi_madt_entry *e, struct acpi_madt_info *out)
{
	switch (e->type) {
	case ACPI_MADT_LAPIC: {
		const struct acpi_madt_lapic *l = (const void *)e;

		madt_add_cpu(out, l->apic_id, l->uid, l->flags, false);
		break;
	}
	case ACPI_MADT_X2APIC: {
		const struct acpi_madt_x2apic *x = (const void *)e;

		madt_add_cpu(out, x->x2apic_id, x->uid, x->flags, true);
		break;
	}
	case ACPI_MADT_IOAPIC: {
		const struct acpi_madt_ioapic *io = (const void *)e;

		if (out->nioapics == ACPI_MAX_IOAPICS) {
			out->dropped++;
			break;
		}
		out->ioapics[out->nioapics++] = (struct acpi_ioapic){
			io->id, io->address, io->gsi_base,
		};
		break;
	}
	case ACPI_MADT_ISO: {
		const struct acpi_madt_iso *iso = (const void *)e;

		if (out->noverrides == ACPI_MAX_OVERRIDES) {
			out->dropped++;
			break;
		}
		out->overrides[out->noverrides++] = (struct acpi_irq_override){
			iso->source, iso->gsi, iso->flags,
		};
		break;
	}
	case ACPI_MADT_LAPIC_NMI: {
		const struct acpi_madt_lapic_nmi *n = (const void *)e;

		madt_add_nmi(out, n->uid == 0xff ? ACPI_UID_ALL : n->uid, n->lint, n->flags);
		break;
	}
	case ACPI_MADT_X2APIC_NMI: {
		const struct acpi_madt_x2apic_nmi *n = (const void *)e;

		madt_add_nmi(out, n->uid, n->lint, n->flags);
		break;
	}
	case ACPI_MADT_LAPIC_ADDR: {
		const struct acpi_madt_lapic_addr *a = (const void *)e;

		out->lapic_address = a->address;
		break;
	}
	}
}

int acpi_madt_parse(const struct acpi_sdt_header *hdr, struct acpi_madt_info *out)
{
	const struct acpi_madt *madt = (const void *)hdr;
	const u8 *p = (const u8 *)(madt + 1), *end = (const u8 *)hdr + hdr->length;

	memset(out, 0, sizeof(*out));
	if (hdr->length < sizeof(*madt))
		return -EINVAL;
	out->lapic_address = madt->lapic_address;
	out->flags = madt->flags;
	while (p < end) {
		const struct acpi_madt_entry *e = (const void *)p;

		/* an entry that runs past the table, or could loop, ends the trust */
		if (end - p < (long)sizeof(*e) || e->length < sizeof(*e) || e->length > end - p)
			return -EINVAL;
		if (e->length < madt_entry_min_length(e->type))
			return -EINVAL;
		madt_parse_entry(e, out);
		p += e->length;
	}
	return 0;
}

/* The legacy port-number form of a PM block, as a GAS in system I/O space. */
static struct acpi_gas fadt_legacy_gas(u32 port, u8 len)
{
	return (struct acpi_gas){
		.space_id = ACPI_GAS_IO,
		.bit_width = len * 8,
		.address = port,
	};
}

int acpi_fadt_parse(const struct acpi_sdt_header *hdr, struct acpi_fadt_info *out)
{
	const struct acpi_fadt *f = (const void *)hdr;
	u32 len = hdr->length;

	memset(out, 0, sizeof(*out));
	if (len < ACPI_FADT_V1_LENGTH)
		return -EINVAL;
	out->revision = hdr->revision;
	out->flags = f->flags;
	out->sci_irq = f->sci_int;
	out->smi_cmd = f->smi_cmd;
	out->acpi_enable = f->acpi_enable;
	out->dsdt = f->dsdt;
	if (f->pm1a_cnt_blk)
		out->pm1a_cnt = fadt_legacy_gas(f->pm1a_cnt_blk, f->pm1_cnt_len);
	if (f->pm1b_cnt_blk)
		out->pm1b_cnt = fadt_legacy_gas(f->pm1b_cnt_blk, f->pm1_cnt_len);
	/* PM_TMR_LEN is 4 when the timer is supported, 0 when not (ACPI 6.4 5.2.9) */
	if (f->pm_tmr_blk && f->pm_tmr_len == 4)
		out->pm_tmr = fadt_legacy_gas(f->pm_tmr_blk, f->pm_tmr_len);
	out->pm_tmr_32bit = f->flags & ACPI_FADT_TMR_VAL_EXT;
	/* revision 1 (ACPI 1.0) had a reserved byte where boot_arch now is */
	if (hdr->revision >= 3) {
		out->boot_arch_valid = true;
		out->boot_arch = f->iapc_boot_arch;
	}
	if (len >= FIELD_END(struct acpi_fadt, reset_value)) {
		out->reset_supported = f->flags & ACPI_FADT_RESET_REG_SUP;
		out->reset_reg = f->reset_reg;
		out->reset_value = f->reset_value;
	}
	/* the 64-bit X_ fields win over the legacy ones when they are set */
	if (len >= FIELD_END(struct acpi_fadt, x_dsdt) && f->x_dsdt)
		out->dsdt = f->x_dsdt;
	if (len >= FIELD_END(struct acpi_fadt, x_pm1a_cnt_blk) && f->x_pm1a_cnt_blk.address)
		out->pm1a_cnt = f->x_pm1a_cnt_blk;
	if (len >= FIELD_END(struct acpi_fadt, x_pm1b_cnt_blk) && f->x_pm1b_cnt_blk.address)
		out->pm1b_cnt = f->x_pm1b_cnt_blk;
	if (len >= FIELD_END(struct acpi_fadt, x_pm_tmr_blk) && f->x_pm_tmr_blk.address)
		out->pm_tmr = f->x_pm_tmr_blk;
	return 0;
}

int acpi_hpet_parse(const struct acpi_sdt_header *hdr, struct acpi_hpet_info *out)
{
	const struct acpi_hpet *h = (const void *)hdr;

	memset(out, 0, sizeof(*out));
	if (hdr->length < sizeof(*h) || !h->base.address)
		return -EINVAL;
	out->base = h->base;
	out->number = h->number;
	out->comparators = ACPI_HPET_COMPARATORS(h->block_id);
	out->counter_64bit = h->block_id & ACPI_HPET_COUNTER_64BIT;
	out->legacy_capable = h->block_id & ACPI_HPET_LEGACY_CAPABLE;
	out->vendor = ACPI_HPET_VENDOR(h->block_id);
	out->min_tick = h->min_tick;
	return 0;
}

int acpi_mcfg_parse(const struct acpi_sdt_header *hdr, struct acpi_mcfg_info *out)
{
	const struct acpi_mcfg_allocation *a;
	size_t n;

	memset(out, 0, sizeof(*out));
	if (hdr->length < sizeof(struct acpi_mcfg) ||
	    (hdr->length - sizeof(struct acpi_mcfg)) % sizeof(*a))
		return -EINVAL;
	a = (const void *)((const u8 *)hdr + sizeof(struct acpi_mcfg));
	n = (hdr->length - sizeof(struct acpi_mcfg)) / sizeof(*a);
	for (size_t i = 0; i < n; i++, a++) {
		if (a->end_bus < a->start_bus || !a->base)
			return -EINVAL;
		if (out->nregions == ACPI_MAX_MCFG) {
			out->dropped++;
			continue;
		}
		out->regions[out->nregions++] = (struct acpi_mcfg_region){
			a->base, a->segment, a->start_bus, a->end_bus,
		};
	}
	return 0;
}
