/*
 * The `mem` command: page allocator totals and free blocks per order, the
 * usage of every slab cache, and the firmware memory map, as a table or
 * (with --json) as one JSON object for host tools.
 */
#include "kernel/bootinfo.h"
#include "kernel/console.h"
#include "kernel/memblock.h"
#include "kernel/page_alloc.h"
#include "kernel/shell.h"
#include "kernel/slab.h"
#include "lib/string.h"

struct mem_totals {
	u64 total_kib, free_kib, used_kib, reserved_kib;
	u64 free_blocks[PAGE_MAX_ORDER + 1];
};

static void mem_totals_get(struct mem_totals *t)
{
	u64 usable = memblock_usable_bytes() >> 10;

	t->total_kib = usable;
	t->free_kib = mm_pages_free() << (PAGE_SHIFT - 10);
	/* reserved: usable RAM the allocator never manages (low 1 MiB, kernel, struct pages) */
	t->reserved_kib = usable - (mm_pages_total() << (PAGE_SHIFT - 10));
	t->used_kib = usable - t->reserved_kib - t->free_kib;
	page_alloc_free_blocks(t->free_blocks);
}

static void mem_print_text(const struct mem_totals *t, const struct kmem_cache_info *ci,
			   unsigned int ncaches)
{
	printf("total     %10llu KiB %7llu MiB\n", (unsigned long long)t->total_kib,
	       (unsigned long long)(t->total_kib >> 10));
	printf("free      %10llu KiB %7llu MiB\n", (unsigned long long)t->free_kib,
	       (unsigned long long)(t->free_kib >> 10));
	printf("used      %10llu KiB %7llu MiB\n", (unsigned long long)t->used_kib,
	       (unsigned long long)(t->used_kib >> 10));
	printf("reserved  %10llu KiB %7llu MiB\n", (unsigned long long)t->reserved_kib,
	       (unsigned long long)(t->reserved_kib >> 10));
	printf("free blocks per order:");
	for (unsigned int o = 0; o <= PAGE_MAX_ORDER; o++)
		printf(" %llu", (unsigned long long)t->free_blocks[o]);
	printf("\n\n%-24s %8s %8s %8s %6s %8s\n", "cache", "objsize", "in use", "total",
	       "slabs", "KiB");
	for (unsigned int i = 0; i < ncaches; i++)
		printf("%-24s %8zu %8lu %8lu %6lu %8lu\n", ci[i].name, ci[i].object_size,
		       ci[i].in_use, ci[i].total, ci[i].slabs, ci[i].bytes >> 10);
	printf("\n%-18s %-18s %12s  %s\n", "base", "end", "size KiB", "type");
	for (unsigned int i = 0; i < boot_info.mmap_count; i++) {
		const struct boot_mmap_entry *e = &boot_info.mmap[i];

		printf("0x%016llx 0x%016llx %12llu  %s\n", (unsigned long long)e->base,
		       (unsigned long long)(e->base + e->len - 1),
		       (unsigned long long)(e->len >> 10), boot_mem_type_name(e->type));
	}
}

static void mem_print_json(const struct mem_totals *t, const struct kmem_cache_info *ci,
			   unsigned int ncaches)
{
	printf("{\"total_kib\":%llu,\"free_kib\":%llu,\"used_kib\":%llu,\"reserved_kib\":%llu,"
	       "\"free_blocks\":[", (unsigned long long)t->total_kib,
	       (unsigned long long)t->free_kib, (unsigned long long)t->used_kib,
	       (unsigned long long)t->reserved_kib);
	for (unsigned int o = 0; o <= PAGE_MAX_ORDER; o++)
		printf("%s%llu", o ? "," : "", (unsigned long long)t->free_blocks[o]);
	printf("],\"caches\":[");
	for (unsigned int i = 0; i < ncaches; i++)
		printf("%s{\"name\":\"%s\",\"object_size\":%zu,\"in_use\":%lu,\"total\":%lu,"
		       "\"slabs\":%lu,\"bytes\":%lu}", i ? "," : "", ci[i].name,
		       ci[i].object_size, ci[i].in_use, ci[i].total, ci[i].slabs, ci[i].bytes);
	printf("],\"firmware_map\":[");
	for (unsigned int i = 0; i < boot_info.mmap_count; i++) {
		const struct boot_mmap_entry *e = &boot_info.mmap[i];

		printf("%s{\"base\":%llu,\"length\":%llu,\"type\":\"%s\"}", i ? "," : "",
		       (unsigned long long)e->base, (unsigned long long)e->len,
		       boot_mem_type_name(e->type));
	}
	printf("]}\n");
}

static int cmd_mem(int argc, char **argv)
{
	struct kmem_cache_info *ci;
	struct mem_totals t;
	unsigned int n, got;
	bool json = false;

	if (argc > 2 || (argc == 2 && strcmp(argv[1], "--json")))
		return shell_usage_error(argv[0]);
	json = argc == 2;
	/* the snapshot itself may create a slab: size it, then fill it */
	n = kmem_cache_info_get(NULL, 0) + 4;
	ci = kcalloc(n, sizeof(*ci));
	if (!ci)
		return shell_error("out of memory");
	got = min(kmem_cache_info_get(ci, n), n);
	mem_totals_get(&t);
	if (json)
		mem_print_json(&t, ci, got);
	else
		mem_print_text(&t, ci, got);
	kfree(ci);
	return 0;
}
SHELL_COMMAND(mem, cmd_mem, "mem [--json]",
	      "memory totals, slab caches and the firmware memory map");
