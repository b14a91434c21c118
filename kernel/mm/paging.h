/*
 * The kernel's page tables: one set, shared by every CPU (they load
 * kernel_pml4 into CR3). Mappings are changed under one lock; see
 * kernel/mm/pgtable.h for the entry bits a caller passes in flags.
 */
#ifndef KERNEL_MM_PAGING_H
#define KERNEL_MM_PAGING_H

#include "lib/types.h"
#include "kernel/mm/pgtable.h"

extern u64 kernel_pml4[PT_ENTRIES];

/* PTE_NX when the CPU supports no-execute, else 0: or it into flags freely. */
extern u64 pte_nx;

/*
 * Map one 4 KiB page. flags: PTE_W, PTE_NX, PTE_PCD, ... (PTE_P is implied).
 * Intermediate tables come from the page allocator. Returns 0, -EEXIST when
 * va is mapped already, -ENOMEM, or -EINVAL for unaligned addresses.
 */
int vm_map_page(u64 va, u64 pa, u64 flags);
/*
 * Unmap one 4 KiB page and flush it from this CPU's TLB. With more than one
 * CPU running, a caller that unmaps memory another CPU may have touched must
 * also shoot the address down on those CPUs with tlb_flush_kernel_range()
 * (kernel/arch/smp.h), after its vm_unmap_page() calls and outside any lock that
 * disables interrupts (iounmap and kstack_free do).
 * Returns 0, or -ENOENT when nothing maps va at 4 KiB granularity.
 */
int vm_unmap_page(u64 va);
/*
 * Drop every entry of this CPU's TLB, global ones included: for a CPU that
 * missed shoot-downs (one coming back from being parked offline).
 */
void tlb_flush_all_local(void);
/* The physical address va maps to: 0, or -ENOENT. */
int vm_translate(u64 va, u64 *pa);
/*
 * Call fn for every present leaf entry of the kernel's tables (level 0: a
 * 4 KiB page, 1: 2 MiB, 2: 1 GiB), under the tables' lock: fn must not map
 * or unmap, nor sleep.
 */
void paging_for_each_leaf(void (*fn)(u64 va, u64 entry, unsigned int level, void *arg),
			  void *arg);

/* The end of the direct map's highest range (physical). */
u64 paging_direct_map_end(void);

/* Only mm_init(): build the tables and load them into CR3. */
void paging_init(void);

#endif
