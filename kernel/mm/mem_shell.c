/*
 * The `mem` command: page allocator totals and free blocks per order, the
 * usage of every slab cache, and the firmware memory map, as a table or
 * (with --json) as one JSON object for host tools.
 */
#include "kernel/bootinfo.h"
#include "kernel/console/console.h"
#include "kernel/mm/memblock.h"
#include "kernel/mm/page_alloc.h"
#include "kernel/shell/shell.h"
#include "kernel/mm/slab.h"
#include "lib/json.h"

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

static int mem_print_json(const struct mem_totals *t, const struct kmem_cache_info *ci,
			  unsigned int ncaches)
{
	struct json_writer w;

	shell_json_begin(&w);
	json_object_begin(&w);
	json_field_u64(&w, "total_kib", t->total_kib);
	json_field_u64(&w, "free_kib", t->free_kib);
	json_field_u64(&w, "used_kib", t->used_kib);
	json_field_u64(&w, "reserved_kib", t->reserved_kib);
	json_key(&w, "free_blocks");
	json_array_begin(&w);
	for (unsigned int o = 0; o <= PAGE_MAX_ORDER; o++)
		json_u64(&w, t->free_blocks[o]);
	json_array_end(&w);
	json_key(&w, "caches");
	json_array_begin(&w);
	for (unsigned int i = 0; i < ncaches; i++) {
		json_object_begin(&w);
		json_field_str(&w, "name", ci[i].name);
		json_field_u64(&w, "object_size", ci[i].object_size);
		json_field_u64(&w, "in_use", ci[i].in_use);
		json_field_u64(&w, "total", ci[i].total);
		json_field_u64(&w, "slabs", ci[i].slabs);
		json_field_u64(&w, "bytes", ci[i].bytes);
		json_object_end(&w);
	}
	json_array_end(&w);
	json_key(&w, "firmware_map");
	json_array_begin(&w);
	for (unsigned int i = 0; i < boot_info.mmap_count; i++) {
		const struct boot_mmap_entry *e = &boot_info.mmap[i];

		json_object_begin(&w);
		json_field_u64(&w, "base", e->base);
		json_field_u64(&w, "length", e->len);
		json_field_str(&w, "type", boot_mem_type_name(e->type));
		json_object_end(&w);
	}
	json_array_end(&w);
	json_object_end(&w);
	return shell_json_end(&w);
}

static int cmd_mem(int argc, char **argv)
{
	struct kmem_cache_info *ci;
	struct mem_totals t;
	unsigned int n, got;
	bool json = false;
	int err;

	err = shell_json_flag(&argc, argv, &json);
	if (err)
		return err;
	if (argc != 1)
		return shell_usage_error(argv[0]);
	/* the snapshot itself may create a slab: size it, then fill it */
	n = kmem_cache_info_get(NULL, 0) + 4;
	ci = kcalloc(n, sizeof(*ci));
	if (!ci)
		return shell_error("out of memory");
	got = min(kmem_cache_info_get(ci, n), n);
	mem_totals_get(&t);
	if (json)
		err = mem_print_json(&t, ci, got);
	else
		mem_print_text(&t, ci, got);
	kfree(ci);
	return err;
}
SHELL_COMMAND(mem, cmd_mem, "mem [--json]",
	      "memory totals, slab caches and the firmware memory map");
