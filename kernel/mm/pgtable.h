/*
 * x86-64 page-table entry bits for 4-level paging: Intel SDM vol. 3A, 4.5
 * (tables 4-15 to 4-20). Plain numbers, so boot/entry.S can use them too.
 */
#ifndef KERNEL_MM_PGTABLE_H
#define KERNEL_MM_PGTABLE_H

#define PTE_P		0x001			/* present */
#define PTE_W		0x002			/* writable */
#define PTE_U		0x004			/* user-mode access */
#define PTE_PWT		0x008			/* page-level write-through */
#define PTE_PCD		0x010			/* page-level cache disable */
#define PTE_A		0x020			/* accessed */
#define PTE_D		0x040			/* dirty (leaf entries) */
#define PTE_PS		0x080			/* 2 MiB / 1 GiB page (PDE / PDPTE) */
#define PTE_G		0x100			/* global: kept in the TLB across CR3 loads */
#define PTE_NX		0x8000000000000000	/* no execute, when EFER.NXE is set */
#define PTE_ADDR_MASK	0x000FFFFFFFFFF000	/* physical address of a table or 4 KiB page */

#define PT_ENTRIES	512
#define PT_LEVEL_SHIFT(level)	(12 + 9 * (level))	/* level 0: PT .. 3: PML4 */

#endif
