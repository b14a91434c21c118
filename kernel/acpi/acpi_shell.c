/*
 * `acpi [madt | fadt | hpet | mcfg]`: the tables the firmware pointed at with
 * their checksum state, or one of them as kernel/acpi/acpi.c parsed it.
 */
#include "kernel/acpi/acpi.h"
#include "kernel/acpi/acpi_parse.h"
#include "kernel/console/console.h"
#include "kernel/shell/shell.h"
#include "lib/errno.h"
#include "lib/string.h"

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
	struct acpi_rsdp_found r;
	const struct acpi_table *t;

	if (acpi_rsdp_get(&r))
		return shell_error("no ACPI RSDP was found");
	if (r.phys)
		printf("RSDP rev %u OEM '%s' at %#llx (%s), root %s\n", r.rsdp->revision,
		       r.rsdp->oem_id, (unsigned long long)r.phys, r.source,
		       r.root_name ? r.root_name : "none");
	else
		printf("RSDP rev %u OEM '%s' (%s copy), root %s\n", r.rsdp->revision,
		       r.rsdp->oem_id, r.source, r.root_name ? r.root_name : "none");
	printf("%-4s %-18s %-8s %-3s %-6s %s\n", "sig", "address", "length", "rev", "oem",
	       "state");
	for (int i = 0; (t = acpi_table_at(i)); i++)
		printf("%-4s %#-18llx %-8u %-3u %-6s %s\n", t->signature,
		       (unsigned long long)t->phys, t->length, t->revision, t->oem_id,
		       acpi_table_state_name(t->state));
	if (acpi_tables_dropped())
		printf("%d more tables not recorded\n", acpi_tables_dropped());
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
