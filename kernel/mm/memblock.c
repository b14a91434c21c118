/*
 * Boot-time allocation, memblock-style: a sorted copy of the firmware's
 * usable ranges, a short sorted list of reserved ranges (low memory, the
 * kernel image, and what was allocated here), and a cursor that only moves
 * up. Allocations are few and never freed, so a bump allocator is enough.
 */
#include "kernel/mm/memblock.h"
#include "kernel/bootinfo.h"
#include "kernel/mm/mm.h"
#include "kernel/mm/memmap.h"
#include "kernel/cmdline.h"
#include "lib/errno.h"
#include "kernel/panic.h"
#include "kernel/console/printk.h"
#include "lib/string.h"

struct mem_range {
	u64 start, end;
};

#define MEMBLOCK_RESERVED_MAX 16

extern char __kernel_end[];

static struct mem_range usable[BOOT_MMAP_MAX];
static unsigned int usable_count;
static struct mem_range reserved[MEMBLOCK_RESERVED_MAX];
static unsigned int reserved_count;
static u64 cursor;		/* allocations start at or above this */
static u64 limit = ~0ULL;
static bool released;

u64 mm_trampoline_phys;

/* memmap=<size>$<start> / <size>@<start>: Linux's, appended to the firmware map */
static int memblock_memmap_option(const char *value)
{
	struct boot_mmap_entry e;
	int err = memmap_parse_option(value, &e);

	if (err)
		return err;
	if (boot_info.mmap_count == BOOT_MMAP_MAX)
		return -ENOSPC;
	boot_info.mmap[boot_info.mmap_count++] = e;
	return 0;
}
CMDLINE_OPTION("memmap", memblock_memmap_option,
	       "<size>$<start>: treat a range as reserved; <size>@<start>: as usable RAM");

/* Take [start, end) out of the usable list: a reserved entry overlapping usable ones. */
static void usable_subtract(u64 start, u64 end)
{
	for (unsigned int i = 0; i < usable_count; i++) {
		struct mem_range *u = &usable[i];

		if (end <= u->start || start >= u->end)
			continue;
		if (start > u->start && end < u->end) {
			if (usable_count == BOOT_MMAP_MAX) {
				u->end = start;	/* no room to split: lose the tail */
				continue;
			}
			memmove(&usable[i + 2], &usable[i + 1],
				(usable_count - i - 1) * sizeof(usable[0]));
			usable[i + 1] = (struct mem_range){ end, u->end };
			u->end = start;
			usable_count++;
			i++;
		} else if (start <= u->start && end >= u->end) {
			memmove(&usable[i], &usable[i + 1], (usable_count - i - 1) * sizeof(usable[0]));
			usable_count--;
			i--;
		} else if (start <= u->start) {
			u->start = end;
		} else {
			u->end = start;
		}
	}
}

static void reserve(u64 start, u64 end)
{
	struct mem_range *last = reserved_count ? &reserved[reserved_count - 1] : NULL;

	/* callers reserve in increasing order: append or extend the last range */
	if (last && start <= last->end) {
		last->end = max(last->end, end);
		return;
	}
	if (reserved_count == MEMBLOCK_RESERVED_MAX)
		panic("memblock: more than %d reserved ranges", MEMBLOCK_RESERVED_MAX);
	reserved[reserved_count++] = (struct mem_range){ start, end };
}

void memblock_init(void)
{
	u64 kernel_end = ALIGN_UP((u64)(uintptr_t)__kernel_end - KERNEL_VMA, PAGE_SIZE);

	for (unsigned int i = 0; i < boot_info.mmap_count; i++) {
		const struct boot_mmap_entry *e = &boot_info.mmap[i];
		u64 start = ALIGN_UP(e->base, PAGE_SIZE);
		u64 end = ALIGN_DOWN(e->base + e->len, PAGE_SIZE);
		unsigned int j;

		if (e->type != BOOT_MEM_USABLE || start >= end)
			continue;
		/* insertion sort by start; firmware maps are usually sorted already */
		for (j = usable_count; j > 0 && usable[j - 1].start > start; j--)
			usable[j] = usable[j - 1];
		usable[j] = (struct mem_range){ start, end };
		usable_count++;
	}
	/* merge overlapping entries so no page is counted twice */
	for (unsigned int i = 1; i < usable_count;) {
		if (usable[i].start <= usable[i - 1].end) {
			usable[i - 1].end = max(usable[i - 1].end, usable[i].end);
			memmove(&usable[i], &usable[i + 1], (usable_count - i - 1) * sizeof(usable[0]));
			usable_count--;
		} else {
			i++;
		}
	}
	/* a range that any entry reserves is not usable, whatever else overlaps it */
	for (unsigned int i = 0; i < boot_info.mmap_count; i++) {
		const struct boot_mmap_entry *e = &boot_info.mmap[i];

		if (e->type != BOOT_MEM_USABLE && e->len)
			usable_subtract(ALIGN_DOWN(e->base, PAGE_SIZE),
					ALIGN_UP(e->base + e->len, PAGE_SIZE));
	}
	/*
	 * The loader put the image at KERNEL_PHYS, where it was linked; if the
	 * firmware says that is not RAM, the loader has already written over
	 * firmware memory: stop before anything else does.
	 */
	if (!memmap_range_usable(boot_info.mmap, boot_info.mmap_count, KERNEL_PHYS, kernel_end))
		panic("boot: the kernel image (%#llx-%#llx) is not usable RAM in the firmware"
		      " memory map: refusing to run over firmware memory",
		      (unsigned long long)KERNEL_PHYS, (unsigned long long)kernel_end);
	/* the AP trampoline: a usable page below 1 MiB, above the real-mode IVT and BDA */
	mm_trampoline_phys = memmap_find_page(boot_info.mmap, boot_info.mmap_count,
					      MM_TRAMPOLINE_PREFERRED, PAGE_SIZE,
					      MM_LOW_RESERVED_END);
	reserve(0, MM_LOW_RESERVED_END);
	reserve(KERNEL_PHYS, kernel_end);
	cursor = kernel_end;
}

void memblock_set_limit(u64 new_limit)
{
	limit = new_limit;
}

u64 memblock_alloc(u64 size)
{
	size = ALIGN_UP(size, PAGE_SIZE);
	if (released)
		panic("memblock: allocation after the page allocator took over");
	for (unsigned int i = 0; i < usable_count; i++) {
		u64 start = max(usable[i].start, cursor);

		if (start + size > usable[i].end || start + size > limit)
			continue;
		cursor = start + size;
		reserve(start, cursor);
		memset(phys_to_virt(start), 0, size);
		return start;
	}
	return 0;
}

void memblock_release(void (*fn)(u64 start, u64 end))
{
	released = true;
	for (unsigned int i = 0; i < usable_count; i++) {
		u64 start = usable[i].start;

		for (unsigned int r = 0; r < reserved_count && start < usable[i].end; r++) {
			if (reserved[r].end <= start)
				continue;
			if (reserved[r].start >= usable[i].end)
				break;
			if (reserved[r].start > start)
				fn(start, reserved[r].start);
			start = reserved[r].end;
		}
		if (start < usable[i].end)
			fn(start, usable[i].end);
	}
}

u64 memblock_usable_end(void)
{
	return usable_count ? usable[usable_count - 1].end : 0;
}

u64 memblock_usable_bytes(void)
{
	u64 sum = 0;

	for (unsigned int i = 0; i < usable_count; i++)
		sum += usable[i].end - usable[i].start;
	return sum;
}
