/*
 * Questions asked of the firmware memory map before a fixed physical range
 * is used: is all of it usable RAM, and which page below 1 MiB may the AP
 * trampoline take. Entries may overlap (firmware maps do); a byte covered by
 * any entry that is not usable counts as not usable. Pure logic (memmap.c),
 * tested on the host; memblock.c and the `memmap=` option use it.
 */
#ifndef KERNEL_MM_MEMMAP_H
#define KERNEL_MM_MEMMAP_H

#include "kernel/bootinfo.h"

/* Every byte of [start, end) usable RAM, and none reserved by another entry. */
bool memmap_range_usable(const struct boot_mmap_entry *map, unsigned int n, u64 start, u64 end);

/*
 * A 4 KiB page in [lo, hi) that is usable: prefer when it is, else the
 * lowest that is; 0 when there is none.
 */
u64 memmap_find_page(const struct boot_mmap_entry *map, unsigned int n, u64 prefer, u64 lo,
		     u64 hi);

/*
 * Linux's memmap=<size>$<start> (mark reserved) and memmap=<size>@<start>
 * (mark usable): parse value into an entry. 0, or -EINVAL.
 */
int memmap_parse_option(const char *value, struct boot_mmap_entry *out);

#endif
