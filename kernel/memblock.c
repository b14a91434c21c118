/*
 * Boot-time allocation, memblock-style: a sorted copy of the firmware's
 * usable ranges, a short sorted list of reserved ranges (low memory, the
 * kernel image, and what was allocated here), and a cursor that only moves
 * up. Allocations are few and never freed, so a bump allocator is enough.
 */
#include "kernel/memblock.h"
#include "kernel/bootinfo.h"
#include "kernel/mm.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
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
