/*
 * The kernel's own page tables, replacing the boot tables of boot/entry.S:
 *  - the direct map: every usable and ACPI range of the firmware map at
 *    DIRECT_MAP_BASE + phys, RW, NX, global, in 1 GiB pages where the CPU has
 *    them and the range allows, else 2 MiB, and 4 KiB at unaligned edges;
 *  - the kernel image at KERNEL_VMA in 4 KiB pages, W^X per section:
 *    text RX, rodata R, data and bss RW (NX for all but text);
 *  - nothing else: low memory is not identity-mapped any more.
 * Tables built before the page allocator exists come from memblock.
 */
#include "kernel/paging.h"
#include "kernel/bootinfo.h"
#include "kernel/memblock.h"
#include "kernel/mm.h"
#include "kernel/page_alloc.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/spinlock.h"
#include "kernel/x86.h"
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
	kernel_image_map();
	write_cr3(virt_to_phys(kernel_pml4));
	/* drop global entries too (the kernel's new ones are global) */
	write_cr4(read_cr4() & ~(u64)CR4_PGE);
	write_cr4(read_cr4() | CR4_PGE);
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
