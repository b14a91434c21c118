/*
 * Unit tests for kernel/mm/memmap.c: a range usable only when usable entries
 * cover it end to end and no reserved entry overlaps it (firmware maps
 * overlap), the trampoline page search (preferred, next lowest, none), and
 * Linux's memmap= syntax.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "kernel/mm/memmap.c"

/* SeaBIOS under QEMU, roughly: low RAM, EBDA, ROMs, RAM from 1 MiB in two entries */
static const struct boot_mmap_entry qemu_map[] = {
	{ 0x0, 0x9fc00, BOOT_MEM_USABLE },
	{ 0x9fc00, 0x400, BOOT_MEM_RESERVED },
	{ 0xf0000, 0x10000, BOOT_MEM_RESERVED },
	{ 0x100000, 0x3000000, BOOT_MEM_USABLE },
	{ 0x3100000, 0xcee0000, BOOT_MEM_USABLE },
	{ 0xfeffc000, 0x4000, BOOT_MEM_RESERVED },
};
#define N (sizeof(qemu_map) / sizeof(qemu_map[0]))

static void test_range_usable(void **state)
{
	(void)state;
	assert_true(memmap_range_usable(qemu_map, N, 0x8000, 0x9000));
	assert_true(memmap_range_usable(qemu_map, N, 0x100000, 0x400000));
	/* across two adjoining usable entries */
	assert_true(memmap_range_usable(qemu_map, N, 0x30ff000, 0x3101000));
	/* into the EBDA, a ROM, a hole, past the end */
	assert_false(memmap_range_usable(qemu_map, N, 0x9f000, 0xa0000));
	assert_false(memmap_range_usable(qemu_map, N, 0xf0000, 0xf1000));
	assert_false(memmap_range_usable(qemu_map, N, 0xa0000, 0xa1000));
	assert_false(memmap_range_usable(qemu_map, N, 0xfffe000, 0x10001000));
	assert_false(memmap_range_usable(qemu_map, N, 0x5000, 0x5000));
}

static void test_overlapping_reserved(void **state)
{
	struct boot_mmap_entry map[N + 1];

	(void)state;
	memcpy(map, qemu_map, sizeof(qemu_map));
	map[N] = (struct boot_mmap_entry){ 0x8000, 0x1000, BOOT_MEM_RESERVED };
	assert_false(memmap_range_usable(map, N + 1, 0x8000, 0x9000));
	assert_false(memmap_range_usable(map, N + 1, 0x7000, 0x8001));
	assert_true(memmap_range_usable(map, N + 1, 0x9000, 0xa000));
	/* the trampoline moves to the lowest usable page above the IVT */
	assert_int_equal(memmap_find_page(qemu_map, N, 0x8000, 0x1000, 0x100000), 0x8000);
	assert_int_equal(memmap_find_page(map, N + 1, 0x8000, 0x1000, 0x100000), 0x1000);
	map[N] = (struct boot_mmap_entry){ 0, 0x100000, BOOT_MEM_RESERVED };
	assert_int_equal(memmap_find_page(map, N + 1, 0x8000, 0x1000, 0x100000), 0);
	/* no map at all: nothing is usable */
	assert_int_equal(memmap_find_page(map, 0, 0x8000, 0x1000, 0x100000), 0);
}

static void test_option(void **state)
{
	struct boot_mmap_entry e;

	(void)state;
	assert_int_equal(memmap_parse_option("4K$0x8000", &e), 0);
	assert_int_equal(e.base, 0x8000);
	assert_int_equal(e.len, 4096);
	assert_int_equal(e.type, BOOT_MEM_RESERVED);
	assert_int_equal(memmap_parse_option("64M@0x100000000", &e), 0);
	assert_int_equal(e.base, 0x100000000ull);
	assert_int_equal(e.len, 64ull << 20);
	assert_int_equal(e.type, BOOT_MEM_USABLE);
	assert_int_equal(memmap_parse_option("4K", &e), -EINVAL);
	assert_int_equal(memmap_parse_option("$0x8000", &e), -EINVAL);
	assert_int_equal(memmap_parse_option("0$0x8000", &e), -EINVAL);
	assert_int_equal(memmap_parse_option("4K$zz", &e), -EINVAL);
	assert_int_equal(memmap_parse_option("16$0xffffffffffffffff", &e), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_range_usable),
		cmocka_unit_test(test_overlapping_reserved),
		cmocka_unit_test(test_option),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
