/*
 * Per-CPU GDT and TSS setup (see gdt.h). The tables follow the formats in
 * kernel/desc.h. Loading TR marks the TSS descriptor busy, so the descriptor
 * is rewritten as available each time a CPU (re)loads its tables.
 */
#include "kernel/arch/gdt.h"
#include "kernel/mm/mm.h"
#include "kernel/mm/paging.h"
#include "lib/string.h"

#define GDT_CODE64	(DESC_PRESENT | DESC_S | DESC_CODE | DESC_RW | DESC_ACCESSED | \
			 DESC_L | DESC_G | DESC_LIMIT_MAX)
#define GDT_DATA	(DESC_PRESENT | DESC_S | DESC_RW | DESC_ACCESSED | DESC_DB | \
			 DESC_G | DESC_LIMIT_MAX)

STATIC_ASSERT(GDT_TSS / 8 + 2 == GDT_ENTRIES);

static struct cpu_tables boot_cpu_tables;
/*
 * page-aligned, so each top is 16-byte aligned as the CPU wants; each with
 * a guard page below it, unmapped by gdt_guard_boot_ist_stacks()
 */
static struct {
	u8 guard[PAGE_SIZE];
	u8 stack[GDT_IST_STACK_SIZE];
} boot_ist_stacks[IST_COUNT] __aligned(PAGE_SIZE);

static void gdt_tss_desc_set(struct cpu_tables *ct)
{
	struct tss_desc *d = (struct tss_desc *)&ct->gdt[GDT_TSS / 8];
	u64 base = (u64)&ct->tss;
	u32 limit = sizeof(ct->tss) - 1;

	d->limit_low = limit & 0xFFFF;
	d->base_low = base & 0xFFFF;
	d->base_mid = (base >> 16) & 0xFF;
	d->type_attr = GATE_PRESENT | DESC_TYPE_TSS_AVAILABLE;
	d->limit_flags = (limit >> 16) & 0xF;
	d->base_high = (base >> 24) & 0xFF;
	d->base_upper = base >> 32;
	d->reserved = 0;
}

/* Load GDTR, then CS through a far return and the data segments; then TR. */
static void gdt_load(struct cpu_tables *ct)
{
	struct desc_ptr gdtr = { sizeof(ct->gdt) - 1, (u64)ct->gdt };
	u64 tmp;

	__asm__ volatile("lgdt %0" : : "m"(gdtr) : "memory");
	__asm__ volatile("pushq %[cs]\n\t"
			 "leaq 1f(%%rip), %[tmp]\n\t"
			 "pushq %[tmp]\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movw %w[ds], %%ds\n\t"
			 "movw %w[ds], %%es\n\t"
			 "movw %w[ds], %%ss"
			 : [tmp] "=&r"(tmp)
			 : [cs] "i"(GDT_KERNEL_CS), [ds] "r"((u64)GDT_KERNEL_DS)
			 : "memory");
	__asm__ volatile("ltr %w0" : : "r"((u16)GDT_TSS) : "memory");
}

void gdt_init_cpu(struct cpu_tables *ct, void *ist_df_top, void *ist_nmi_top,
		  void *ist_mc_top)
{
	memset(ct, 0, sizeof(*ct));
	ct->gdt[GDT_KERNEL_CS / 8] = GDT_CODE64;
	ct->gdt[GDT_KERNEL_DS / 8] = GDT_DATA;
	ct->tss.ist[IST_DOUBLE_FAULT - 1] = (u64)ist_df_top;
	ct->tss.ist[IST_NMI - 1] = (u64)ist_nmi_top;
	ct->tss.ist[IST_MACHINE_CHECK - 1] = (u64)ist_mc_top;
	ct->tss.iomap_base = sizeof(ct->tss);
	gdt_tss_desc_set(ct);
	gdt_load(ct);
}

void gdt_init_boot_cpu(void)
{
	gdt_init_cpu(&boot_cpu_tables,
		     boot_ist_stacks[IST_DOUBLE_FAULT - 1].stack + GDT_IST_STACK_SIZE,
		     boot_ist_stacks[IST_NMI - 1].stack + GDT_IST_STACK_SIZE,
		     boot_ist_stacks[IST_MACHINE_CHECK - 1].stack + GDT_IST_STACK_SIZE);
}

int gdt_guard_boot_ist_stacks(void)
{
	for (int i = 0; i < IST_COUNT; i++) {
		int err = vm_unmap_page((u64)boot_ist_stacks[i].guard);

		if (err)
			return err;
	}
	return 0;
}

void *gdt_boot_ist_guard(int i)
{
	return i >= 0 && i < IST_COUNT ? boot_ist_stacks[i].guard : NULL;
}

/*
 * The calling CPU's tables, found through GDTR so that this works on every
 * CPU without per-CPU data. The boot GDT (before gdt_init_cpu) has another
 * size and lives in low memory, and is refused.
 */
static struct cpu_tables *gdt_current_tables(void)
{
	struct desc_ptr gdtr;

	__asm__ volatile("sgdt %0" : "=m"(gdtr));
	if (gdtr.limit != sizeof(((struct cpu_tables *)0)->gdt) - 1 || gdtr.base < DIRECT_MAP_BASE)
		return NULL;
	return container_of((u64 (*)[GDT_ENTRIES])gdtr.base, struct cpu_tables, gdt);
}

bool gdt_ist_stack_find(u64 addr, u64 *lo, u64 *hi)
{
	struct cpu_tables *ct = gdt_current_tables();

	if (!ct)
		return false;
	for (int i = 0; i < IST_COUNT; i++) {
		u64 top = ct->tss.ist[i];

		if (top && addr >= top - GDT_IST_STACK_SIZE && addr < top) {
			*lo = top - GDT_IST_STACK_SIZE;
			*hi = top;
			return true;
		}
	}
	return false;
}
