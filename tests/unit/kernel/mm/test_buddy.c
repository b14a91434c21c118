/*
 * Unit tests for kernel/mm/buddy.c over a fake array of struct page: splitting,
 * merging back to the largest blocks, ranges that start and end unaligned,
 * exhaustion, and refusing double and bogus frees without changing a count.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "kernel/mm/buddy.c"
#include "lib/errno.h"

#define NPAGES 4096

static struct page pages[NPAGES];
static struct buddy b;

static u64 count_free_blocks(void)
{
	u64 pages_free = 0;

	for (unsigned int o = 0; o <= BUDDY_MAX_ORDER; o++) {
		struct page *p;
		u64 n = 0;

		list_for_each_entry(p, &b.free[o], list) {
			assert_true(p->flags & BUDDY_PAGE_FREE);
			assert_int_equal(p->order, o);
			assert_int_equal((u64)(p - pages) & ((1ULL << o) - 1), 0);
			n++;
		}
		assert_int_equal(n, b.nr_free[o]);
		pages_free += n << o;
	}
	assert_int_equal(pages_free, b.free_pages);
	return pages_free;
}

static void test_add_aligned(void **state)
{
	(void)state;
	buddy_init(&b, pages, NPAGES);
	buddy_add_range(&b, 0, NPAGES);
	assert_int_equal(b.managed_pages, NPAGES);
	assert_int_equal(b.nr_free[BUDDY_MAX_ORDER], NPAGES >> BUDDY_MAX_ORDER);
	assert_int_equal(count_free_blocks(), NPAGES);
}

static void test_add_unaligned(void **state)
{
	(void)state;
	buddy_init(&b, pages, NPAGES);
	buddy_add_range(&b, 3, 2000);
	assert_int_equal(b.managed_pages, 1997);
	assert_int_equal(count_free_blocks(), 1997);
	/* the page before the range and after it are not the allocator's */
	assert_int_equal(buddy_free(&b, 2, 0), -EINVAL);
	assert_int_equal(pages[2000].flags, 0);
	/* a second range next to it merges into bigger blocks */
	buddy_add_range(&b, 2000, NPAGES);
	buddy_add_range(&b, 0, 3);
	assert_int_equal(b.nr_free[BUDDY_MAX_ORDER], NPAGES >> BUDDY_MAX_ORDER);
	assert_int_equal(count_free_blocks(), NPAGES);
}

static void test_split_and_merge(void **state)
{
	u64 a, c;

	(void)state;
	buddy_init(&b, pages, NPAGES);
	buddy_add_range(&b, 0, 1024);
	a = buddy_alloc(&b, 0);
	c = buddy_alloc(&b, 0);
	assert_int_equal(a ^ c, 1);	/* buddies */
	assert_int_equal(b.free_pages, 1022);
	assert_int_equal(b.nr_free[BUDDY_MAX_ORDER], 0);
	assert_int_equal(buddy_free(&b, a, 0), 0);
	assert_int_equal(buddy_free(&b, c, 0), 0);
	assert_int_equal(b.nr_free[BUDDY_MAX_ORDER], 1);
	assert_int_equal(count_free_blocks(), 1024);
}

static void test_every_order(void **state)
{
	u64 pfn[BUDDY_MAX_ORDER + 1];

	(void)state;
	buddy_init(&b, pages, NPAGES);
	buddy_add_range(&b, 0, NPAGES);
	for (unsigned int o = 0; o <= BUDDY_MAX_ORDER; o++) {
		pfn[o] = buddy_alloc(&b, o);
		assert_int_not_equal(pfn[o], BUDDY_NO_PFN);
		assert_int_equal(pfn[o] & ((1ULL << o) - 1), 0);
		assert_true(pages[pfn[o]].flags & BUDDY_PAGE_ALLOCATED);
	}
	assert_int_equal(buddy_alloc(&b, BUDDY_MAX_ORDER + 1), BUDDY_NO_PFN);
	count_free_blocks();
	for (unsigned int o = 0; o <= BUDDY_MAX_ORDER; o++)
		assert_int_equal(buddy_free(&b, pfn[o], o), 0);
	assert_int_equal(count_free_blocks(), NPAGES);
	assert_int_equal(b.nr_free[BUDDY_MAX_ORDER], NPAGES >> BUDDY_MAX_ORDER);
}

static void test_exhaustion(void **state)
{
	static u64 got[NPAGES];
	u64 n = 0, pfn;

	(void)state;
	buddy_init(&b, pages, NPAGES);
	buddy_add_range(&b, 1, NPAGES - 1);
	while ((pfn = buddy_alloc(&b, 0)) != BUDDY_NO_PFN) {
		assert_true(pfn >= 1 && pfn < NPAGES - 1);
		assert_false(pages[pfn].flags & BUDDY_PAGE_FREE);
		got[n++] = pfn;
	}
	assert_int_equal(n, NPAGES - 2);
	assert_int_equal(b.free_pages, 0);
	/* free in an interleaved order: merging must not depend on it */
	for (u64 i = 0; i < n; i += 2)
		assert_int_equal(buddy_free(&b, got[i], 0), 0);
	for (u64 i = 1; i < n; i += 2)
		assert_int_equal(buddy_free(&b, got[i], 0), 0);
	assert_int_equal(count_free_blocks(), NPAGES - 2);
}

static void test_bad_free(void **state)
{
	u64 a, before;

	(void)state;
	buddy_init(&b, pages, NPAGES);
	buddy_add_range(&b, 0, NPAGES);
	a = buddy_alloc(&b, 2);
	before = b.free_pages;
	assert_int_equal(buddy_free(&b, a, 1), -EINVAL);	/* wrong order */
	assert_int_equal(buddy_free(&b, a + 1, 0), -EINVAL);	/* inside the block */
	assert_int_equal(buddy_free(&b, a + 4, 0), -EINVAL);	/* free page */
	assert_int_equal(buddy_free(&b, NPAGES, 0), -EINVAL);	/* beyond memory */
	assert_int_equal(b.free_pages, before);
	assert_int_equal(buddy_free(&b, a, 2), 0);
	assert_int_equal(buddy_free(&b, a, 2), -EINVAL);	/* double free */
	assert_int_equal(count_free_blocks(), NPAGES);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_aligned),
		cmocka_unit_test(test_add_unaligned),
		cmocka_unit_test(test_split_and_merge),
		cmocka_unit_test(test_every_order),
		cmocka_unit_test(test_exhaustion),
		cmocka_unit_test(test_bad_free),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
