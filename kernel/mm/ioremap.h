/*
 * Mapping physical ranges that the direct map does not cover, or must not be
 * touched through it: device registers (ioremap, uncached) and firmware
 * tables in reserved memory (memremap, cached). Both return the virtual
 * address of phys itself (its offset within the page kept), or NULL.
 */
#ifndef KERNEL_MM_IOREMAP_H
#define KERNEL_MM_IOREMAP_H

#include "lib/types.h"

/* Uncached (PCD|PWT), NX: the local APIC, HPET, PCI BARs. */
void *ioremap(u64 phys, size_t len);
void iounmap(void *addr, size_t len);
/*
 * Cached: the direct-map address when the whole range is in the direct map,
 * else a new write-back mapping. Undo with memunmap().
 */
void *memremap(u64 phys, size_t len);
void memunmap(void *addr, size_t len);

#endif
