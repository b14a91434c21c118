/*
 * The firmware memory map's answers (memmap.h). Ranges are half open. The
 * `memmap=` syntax is Linux's (Documentation/admin-guide/kernel-parameters):
 * a size with an optional K/M/G suffix, `$` or `@`, and a start address.
 */
#include "kernel/mm/memmap.h"
#include "lib/errno.h"
#include "lib/parse.h"
#include "lib/string.h"

#define MEMMAP_PAGE 4096ULL

static bool overlaps(const struct boot_mmap_entry *e, u64 start, u64 end)
{
	return e->len && e->base < end && start < e->base + e->len;
}

bool memmap_range_usable(const struct boot_mmap_entry *map, unsigned int n, u64 start, u64 end)
{
	u64 at = start;

	if (end <= start)
		return false;
	for (unsigned int i = 0; i < n; i++)
		if (map[i].type != BOOT_MEM_USABLE && overlaps(&map[i], start, end))
			return false;
	/* walk forward through usable entries until end is covered */
	while (at < end) {
		u64 next = at;

		for (unsigned int i = 0; i < n; i++)
			if (map[i].type == BOOT_MEM_USABLE && map[i].base <= at &&
			    map[i].base + map[i].len > next)
				next = map[i].base + map[i].len;
		if (next == at)
			return false;
		at = next;
	}
	return true;
}

u64 memmap_find_page(const struct boot_mmap_entry *map, unsigned int n, u64 prefer, u64 lo,
		     u64 hi)
{
	if (prefer >= lo && prefer + MEMMAP_PAGE <= hi &&
	    memmap_range_usable(map, n, prefer, prefer + MEMMAP_PAGE))
		return prefer;
	for (u64 p = (lo + MEMMAP_PAGE - 1) & ~(MEMMAP_PAGE - 1); p + MEMMAP_PAGE <= hi;
	     p += MEMMAP_PAGE)
		if (p && memmap_range_usable(map, n, p, p + MEMMAP_PAGE))
			return p;
	return 0;
}

int memmap_parse_option(const char *value, struct boot_mmap_entry *out)
{
	const char *sep = strchr(value, '$');
	char size[32];
	u64 len, start;
	u32 type = BOOT_MEM_RESERVED;

	if (!sep) {
		sep = strchr(value, '@');
		type = BOOT_MEM_USABLE;
	}
	if (!sep || (size_t)(sep - value) >= sizeof(size) || sep == value)
		return -EINVAL;
	memcpy(size, value, (size_t)(sep - value));
	size[sep - value] = 0;
	if (parse_size(size, &len) || !len || parse_u64(sep + 1, &start) || start + len < start)
		return -EINVAL;
	*out = (struct boot_mmap_entry){ .base = start, .len = len, .type = type };
	return 0;
}
