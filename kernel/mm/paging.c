/*
 * The kernel's own page tables, replacing the boot tables of boot/entry.S:
 *  - the direct map: every usable and ACPI range of the firmware map at
 *    DIRECT_MAP_BASE + phys, RW, NX, global, in 1 GiB pages where the CPU has
 *    them and the range allows, else 2 MiB, and 4 KiB at unaligned edges;
 *  - the kernel image at KERNEL_VMA in 4 KiB pages, W^X per section:
 *    text RX, rodata R, data and bss RW (NX for all but text); its text and
 *    rodata seen through the direct map are read-only too (the large pages
 *    there are split down to 4 KiB around them), so no alias of code or
 *    constants is writable and no writable page is executable anywhere;
 *  - nothing else: low memory is not identity-mapped any more.
 * Tables built before the page allocator exists come from memblock.
 */
#include "kernel/mm/paging.h"
#include "kernel/bootinfo.h"
#include "kernel/mm/memblock.h"
#include "kernel/mm/mm.h"
#include "kernel/mm/page_alloc.h"
#include "kernel/panic.h"
#include "kernel/console/printk.h"
#include "kernel/sched/spinlock.h"
#include "kernel/arch/x86.h"
#include "lib/errno.h"

#define CPUID_EXT_FEATURES	0x80000001
#define CPUID_EDX_PDPE1GB	BIT(26)
#define EFER_NXE_BIT		BIT(11)

extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __data_start[], __kernel_end[];

u64 kernel_pml4[PT_ENTRIES] __aligned(4096);
u64 pte_nx;
static spinlock_t vm_lock = SPINLOCK_INIT;	/* every change to the tables */
static bool has_1g_pages;
static u64 direct_map_end;

static unsigned int pt_index(u64 va, unsigned int level)
{
	return (va >> PT_LEVEL_SHIFT(level)) & (PT_ENTRIES - 1);
}

static u64 *pt_table(u64 entry)
{
	return phys_to_virt(entry & PTE_ADDR_MASK);
}

/* A zeroed page for a table: physical address, 0 when out of memory. */
static u64 pt_alloc(void)
{
	void *p;

	if (!page_alloc_ready())
		return memblock_alloc(PAGE_SIZE);
	p = page_zalloc(0);
	return p ? virt_to_phys(p) : 0;
}

/*
 * Find the entry for va at level (0: PT .. 3: PML4), creating tables above
 * it when create is set. -EEXIST with *out at the large page that maps va
 * already; -ENOENT (no create) or -ENOMEM when a table is missing.
 */
static int pt_walk(u64 va, unsigned int level, bool create, u64 **out)
{
	u64 *table = kernel_pml4;

	for (unsigned int l = 3; l > level; l--) {
		u64 *e = &table[pt_index(va, l)];

		if (!(*e & PTE_P)) {
			u64 pa;

			if (!create)
				return -ENOENT;
			pa = pt_alloc();
			if (!pa)
				return -ENOMEM;
			/* upper levels allow everything; the leaf decides */
			*e = pa | PTE_P | PTE_W;
		} else if (*e & PTE_PS) {
			*out = e;
			return -EEXIST;
		}
		table = pt_table(*e);
	}
	*out = &table[pt_index(va, level)];
	return 0;
}

/* Map phys start .. end (page-aligned) linearly at DIRECT_MAP_BASE. */
static void direct_map_range(u64 start, u64 end)
{
	u64 flags = PTE_P | PTE_W | PTE_G | pte_nx;
	u64 pa = start;

	while (pa < end) {
		unsigned int level = 0;
		u64 *e;
		int err;

		if (has_1g_pages && IS_ALIGNED(pa, 1ULL << 30) && pa + (1ULL << 30) <= end)
			level = 2;
		else if (IS_ALIGNED(pa, 1ULL << 21) && pa + (1ULL << 21) <= end)
			level = 1;
		for (;;) {
			err = pt_walk(DIRECT_MAP_BASE + pa, level, true, &e);
			/* a smaller mapping from an overlapping range: go down to it */
			if (!err && level && (*e & PTE_P) && !(*e & PTE_PS)) {
				level--;
				continue;
			}
			break;
		}
		if (err == -ENOMEM)
			panic("paging: out of memory for the direct map at %#llx",
			       (unsigned long long)pa);
		/* present already (-EEXIST or a leaf): the map is linear, keep it */
		if (!err && !(*e & PTE_P))
			*e = pa | flags | (level ? PTE_PS : 0);
		pa += 1ULL << PT_LEVEL_SHIFT(level);
	}
	direct_map_end = max(direct_map_end, end);
}

/*
 * Turn the large page at *e (level 1 or 2) into a table of the next level
 * mapping the same memory with the same rights.
 */
static void pt_split(u64 *e, unsigned int level)
{
	u64 size = 1ULL << PT_LEVEL_SHIFT(level - 1);
	u64 base = *e & PTE_ADDR_MASK & ~((1ULL << PT_LEVEL_SHIFT(level)) - 1);
	u64 flags = *e & ~PTE_ADDR_MASK & ~PTE_PS;
	u64 pa = pt_alloc();
	u64 *table;

	if (!pa)
		panic("paging: out of memory to split a direct-map page");
	table = phys_to_virt(pa);
	for (unsigned int i = 0; i < PT_ENTRIES; i++)
		table[i] = (base + i * size) | flags | (level - 1 ? PTE_PS : 0);
	*e = pa | PTE_P | PTE_W;
}

/* The direct map's 4 KiB entry for va, splitting large pages on the way. */
static u64 *direct_map_pte(u64 va)
{
	u64 *e;
	int err;

	while ((err = pt_walk(va, 0, false, &e)) == -EEXIST) {
		unsigned int level = 1;
		u64 *probe;

		/* which level the large page is at: the deepest walk that finds it */
		if (pt_walk(va, 1, false, &probe) == -EEXIST)
			level = 2;
		pt_split(e, level);
	}
	if (err)
		panic("paging: %#llx is not in the direct map", (unsigned long long)va);
	return e;
}

/* Text and rodata through the direct map: read-only, no execute. */
static void direct_map_protect_image(void)
{
	u64 start = (uintptr_t)__text_start - KERNEL_VMA;
	u64 end = (uintptr_t)__rodata_end - KERNEL_VMA;

	for (u64 pa = ALIGN_DOWN(start, PAGE_SIZE); pa < end; pa += PAGE_SIZE) {
		u64 *e = direct_map_pte(DIRECT_MAP_BASE + pa);

		*e = pa | PTE_P | PTE_G | pte_nx;
	}
}

static void kernel_image_map(void)
{
	for (uintptr_t va = (uintptr_t)__text_start; va < (uintptr_t)__kernel_end; va += PAGE_SIZE) {
		u64 flags = PTE_P | PTE_G;
		u64 *e;

		if (va >= (uintptr_t)__text_end)
			flags |= pte_nx;
		if (va >= (uintptr_t)__data_start)
			flags |= PTE_W;
		if (pt_walk(va, 0, true, &e))
			panic("paging: cannot map the kernel image at %#lx", (unsigned long)va);
		*e = (va - KERNEL_VMA) | flags;
	}
}

void paging_init(void)
{
	u32 a, b, c, d;

	cpuid(0x80000000, 0, &a, &b, &c, &d);
	if (a >= CPUID_EXT_FEATURES) {
		cpuid(CPUID_EXT_FEATURES, 0, &a, &b, &c, &d);
		has_1g_pages = d & CPUID_EDX_PDPE1GB;
	}
	/* boot/entry.S set EFER.NXE if the CPU has NX; without it bit 63 is reserved */
	pte_nx = (rdmsr(MSR_EFER_ADDR) & EFER_NXE_BIT) ? PTE_NX : 0;

	for (unsigned int i = 0; i < boot_info.mmap_count; i++) {
		const struct boot_mmap_entry *m = &boot_info.mmap[i];

		if (m->type == BOOT_MEM_USABLE || m->type == BOOT_MEM_ACPI_RECLAIM ||
		    m->type == BOOT_MEM_ACPI_NVS)
			direct_map_range(ALIGN_DOWN(m->base, PAGE_SIZE),
					 ALIGN_UP(m->base + m->len, PAGE_SIZE));
	}
	direct_map_protect_image();
	kernel_image_map();
	write_cr3(virt_to_phys(kernel_pml4));
	/* drop global entries too (the kernel's new ones are global) */
	tlb_flush_all_local();
}

void tlb_flush_all_local(void)
{
	u64 cr4 = read_cr4();

	write_cr3(read_cr3());
	/* clearing CR4.PGE flushes global entries as well (SDM vol. 3A 4.10.4.1) */
	if (cr4 & CR4_PGE) {
		write_cr4(cr4 & ~(u64)CR4_PGE);
		write_cr4(cr4);
	}
}

u64 paging_direct_map_end(void)
{
	return direct_map_end;
}

int vm_map_page(u64 va, u64 pa, u64 flags)
{
	unsigned long irq;
	u64 *e;
	int err;

	if (!IS_ALIGNED(va, PAGE_SIZE) || !IS_ALIGNED(pa, PAGE_SIZE))
		return -EINVAL;
	irq = spin_lock_irqsave(&vm_lock);
	err = pt_walk(va, 0, true, &e);
	if (!err && (*e & PTE_P))
		err = -EEXIST;
	if (!err)
		*e = pa | flags | PTE_P;
	spin_unlock_irqrestore(&vm_lock, irq);
	return err;
}

int vm_unmap_page(u64 va)
{
	unsigned long irq;
	u64 *e;
	int err;

	irq = spin_lock_irqsave(&vm_lock);
	err = pt_walk(va, 0, false, &e);
	if (!err && !(*e & PTE_P))
		err = -ENOENT;
	if (err == -EEXIST)
		err = -ENOENT;	/* a large page: not ours to split */
	if (!err) {
		*e = 0;
		invlpg(va);
	}
	spin_unlock_irqrestore(&vm_lock, irq);
	return err;
}

int vm_translate(u64 va, u64 *pa)
{
	u64 *table = kernel_pml4;
	unsigned long irq = spin_lock_irqsave(&vm_lock);
	int err = -ENOENT;

	for (int l = 3; l >= 0; l--) {
		u64 e = table[pt_index(va, l)];

		if (!(e & PTE_P))
			break;
		if (l == 0 || (e & PTE_PS)) {
			u64 size = 1ULL << PT_LEVEL_SHIFT(l);

			*pa = (e & PTE_ADDR_MASK & ~(size - 1)) | (va & (size - 1));
			err = 0;
			break;
		}
		table = pt_table(e);
	}
	spin_unlock_irqrestore(&vm_lock, irq);
	return err;
}

static void pt_walk_leaves(u64 *table, unsigned int level, u64 va_base,
			   void (*fn)(u64 va, u64 entry, unsigned int level, void *arg), void *arg)
{
	for (unsigned int i = 0; i < PT_ENTRIES; i++) {
		u64 e = table[i];
		u64 va = va_base + ((u64)i << PT_LEVEL_SHIFT(level));

		if (!(e & PTE_P))
			continue;
		if (level == 3 && i >= PT_ENTRIES / 2)
			va |= 0xffff000000000000ULL;	/* canonical upper half */
		if (level == 0 || (e & PTE_PS))
			fn(va, e, level, arg);
		else
			pt_walk_leaves(pt_table(e), level - 1, va, fn, arg);
	}
}

void paging_for_each_leaf(void (*fn)(u64 va, u64 entry, unsigned int level, void *arg),
			  void *arg)
{
	unsigned long irq = spin_lock_irqsave(&vm_lock);

	pt_walk_leaves(kernel_pml4, 3, 0, fn, arg);
	spin_unlock_irqrestore(&vm_lock, irq);
}
