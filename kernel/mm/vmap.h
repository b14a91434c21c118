/*
 * Virtually contiguous mappings of pages that need not be physically
 * contiguous (Linux's vmap): a caller that wants a large buffer without a
 * large physical block, or a test that wants a buffer whose pages are
 * scattered on purpose (direct-IO's `buf=scattered`), hands in the pages.
 */
#ifndef KERNEL_MM_VMAP_H
#define KERNEL_MM_VMAP_H

#include "lib/types.h"

/*
 * Map pages[0 .. n - 1] (direct-map addresses of page-aligned pages) at
 * consecutive virtual addresses in the vmap region, RW NX. Returns the
 * start, or NULL when out of address space or memory. The pages stay the
 * caller's: vunmap() unmaps them and does not free them.
 */
void *vmap(void *const *pages, size_t n);
/* Undo vmap(addr, ..): every CPU forgets the mapping before this returns. */
void vunmap(void *addr);

#endif
