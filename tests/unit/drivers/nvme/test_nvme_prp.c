/*
 * Unit tests for drivers/nvme/nvme_prp.c: PRP1/PRP2 and lists for one page, two
 * pages, page-aligned and misaligned starts, list pages that chain, the
 * PRP rule (gaps refused), pages_needed against what the builder uses, and
 * SGL descriptors.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "drivers/nvme/nvme_prp.c"

#define PS 4096u
#define PER_PAGE (PS / 8)

static u64 list_mem[NVME_PRP_MAX_LIST_PAGES][PER_PAGE];

/* fake physical addresses of the list pages: recognisable, page aligned */
static struct nvme_prp_pages make_pages(unsigned int nr)
{
	struct nvme_prp_pages p = { .nr = nr };

	for (unsigned int i = 0; i < NVME_PRP_MAX_LIST_PAGES; i++) {
		p.virt[i] = list_mem[i];
		p.phys[i] = 0x7000000000ull + i * PS;
		for (unsigned int j = 0; j < PER_PAGE; j++)
			list_mem[i][j] = 0xdeadbeefull;
	}
	return p;
}

static void test_one_page(void **state)
{
	struct nvme_prp_pages p = make_pages(1);
	struct bio_vec v = { 0x100000, 4096 };
	struct nvme_prp_result r;

	(void)state;
	assert_int_equal(nvme_prp_build(&v, 1, 0, 4096, PS, &p, &r), 0);
	assert_int_equal(r.prp1, 0x100000);
	assert_int_equal(r.prp2, 0);
	assert_int_equal(r.entries, 1);
	assert_int_equal(r.list_pages, 0);
	/* 512 bytes in the middle of a page */
	v = (struct bio_vec){ 0x100200, 512 };
	assert_int_equal(nvme_prp_build(&v, 1, 0, 512, PS, &p, &r), 0);
	assert_int_equal(r.prp1, 0x100200);
	assert_int_equal(r.prp2, 0);
}

static void test_two_pages(void **state)
{
	struct nvme_prp_pages p = make_pages(1);
	struct bio_vec v = { 0x100000, 8192 };
	struct nvme_prp_result r;

	(void)state;
	assert_int_equal(nvme_prp_build(&v, 1, 0, 8192, PS, &p, &r), 0);
	assert_int_equal(r.prp1, 0x100000);
	assert_int_equal(r.prp2, 0x101000);
	assert_int_equal(r.list_pages, 0);
	/* 4 KiB starting 512 bytes into a page crosses into a second page */
	v = (struct bio_vec){ 0x100200, 4096 };
	assert_int_equal(nvme_prp_build(&v, 1, 0, 4096, PS, &p, &r), 0);
	assert_int_equal(r.prp1, 0x100200);
	assert_int_equal(r.prp2, 0x101000);
	assert_int_equal(r.entries, 2);
	/* the list page is untouched */
	assert_int_equal(list_mem[0][0], 0xdeadbeefull);
}

static void test_list(void **state)
{
	struct nvme_prp_pages p = make_pages(1);
	struct bio_vec v = { 0x200000, 5 * 4096 };
	struct nvme_prp_result r;

	(void)state;
	assert_int_equal(nvme_prp_build(&v, 1, 0, 5 * 4096, PS, &p, &r), 0);
	assert_int_equal(r.prp1, 0x200000);
	assert_int_equal(r.prp2, p.phys[0]);
	assert_int_equal(r.entries, 5);
	assert_int_equal(r.list_pages, 1);
	for (unsigned int i = 0; i < 4; i++)
		assert_int_equal(list_mem[0][i], 0x201000 + i * 4096ull);
	assert_int_equal(list_mem[0][4], 0xdeadbeefull);
}

/* vectors of whole pages, the first and last partial, with vec_offset and a short end */
static void test_vectors_and_offset(void **state)
{
	struct nvme_prp_pages p = make_pages(1);
	struct bio_vec v[3] = {
		{ 0x300000, 8192 },	/* skip 0x800 of it: starts at 0x300800 */
		{ 0x500000, 4096 },
		{ 0x900000, 8192 },	/* only 1024 bytes used */
	};
	struct nvme_prp_result r;
	u32 bytes = (8192 - 0x800) + 4096 + 1024;

	(void)state;
	assert_int_equal(nvme_prp_build(v, 3, 0x800, bytes, PS, &p, &r), 0);
	assert_int_equal(r.prp1, 0x300800);
	assert_int_equal(r.prp2, p.phys[0]);
	assert_int_equal(r.entries, 4);
	assert_int_equal(list_mem[0][0], 0x301000);
	assert_int_equal(list_mem[0][1], 0x500000);
	assert_int_equal(list_mem[0][2], 0x900000);
}

/* a list that exactly fills one page, then one entry more: the chain */
static void test_chain(void **state)
{
	struct nvme_prp_pages p = make_pages(3);
	struct nvme_prp_result r;
	/* PRP1 + 512 entries: fills list page 0 with no chain */
	struct bio_vec v = { 0x10000000, (1 + PER_PAGE) * PS };

	(void)state;
	assert_int_equal(nvme_prp_build(&v, 1, 0, v.len, PS, &p, &r), 0);
	assert_int_equal(r.list_pages, 1);
	assert_int_equal(list_mem[0][PER_PAGE - 1], 0x10000000ull + PER_PAGE * PS);

	/* one page more: slot 511 chains to page 1, which holds the last two */
	p = make_pages(3);
	v.len += PS;
	assert_int_equal(nvme_prp_build(&v, 1, 0, v.len, PS, &p, &r), 0);
	assert_int_equal(r.list_pages, 2);
	assert_int_equal(r.entries, PER_PAGE + 2);
	assert_int_equal(list_mem[0][PER_PAGE - 2], 0x10000000ull + (PER_PAGE - 1) * PS);
	assert_int_equal(list_mem[0][PER_PAGE - 1], p.phys[1]);
	assert_int_equal(list_mem[1][0], 0x10000000ull + PER_PAGE * PS);
	assert_int_equal(list_mem[1][1], 0x10000000ull + (PER_PAGE + 1) * PS);
	assert_int_equal(list_mem[1][2], 0xdeadbeefull);

	/* not enough list pages */
	p = make_pages(1);
	assert_int_equal(nvme_prp_build(&v, 1, 0, v.len, PS, &p, &r), -ENOSPC);
}

/* pages_needed is what the builder asks for in the worst case (misaligned start) */
static void test_pages_needed(void **state)
{
	struct nvme_prp_pages p = make_pages(NVME_PRP_MAX_LIST_PAGES);
	struct nvme_prp_result r;
	static const u32 sizes[] = { 512, 4096, 8192, 12288, 128 << 10, 512 << 10,
				     2 << 20, (2 << 20) + 4096, 4 << 20 };

	(void)state;
	assert_int_equal(nvme_prp_pages_needed(4096, PS), 0);
	assert_int_equal(nvme_prp_pages_needed(8192, PS), 1);
	assert_int_equal(nvme_prp_pages_needed(2 << 20, PS), 1);
	assert_int_equal(nvme_prp_pages_needed((2 << 20) + 4096, PS), 2);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		unsigned int need = nvme_prp_pages_needed(sizes[i], PS);
		struct bio_vec aligned = { 0x40000000, sizes[i] };
		struct bio_vec off = { 0x40000200, sizes[i] };

		assert_int_equal(nvme_prp_build(&aligned, 1, 0, sizes[i], PS, &p, &r), 0);
		assert_true(r.list_pages <= need);
		assert_int_equal(nvme_prp_build(&off, 1, 0, sizes[i], PS, &p, &r), 0);
		assert_true(r.list_pages <= need);
		if (sizes[i] > 4096)
			assert_int_equal(r.list_pages, need);
	}
}

static void test_rule_violations(void **state)
{
	struct nvme_prp_pages p = make_pages(1);
	struct nvme_prp_result r;
	/* second vector off a page start */
	struct bio_vec gap_start[2] = { { 0x100000, 4096 }, { 0x200200, 4096 } };
	/* first vector ends inside a page */
	struct bio_vec gap_end[2] = { { 0x100000, 2048 }, { 0x200000, 4096 } };
	struct bio_vec odd = { 0x100002, 512 };
	struct bio_vec shortv = { 0x100000, 512 };

	(void)state;
	assert_int_equal(nvme_prp_build(gap_start, 2, 0, 8192, PS, &p, &r), -EINVAL);
	assert_int_equal(nvme_prp_build(gap_end, 2, 0, 6144, PS, &p, &r), -EINVAL);
	assert_int_equal(nvme_prp_build(&odd, 1, 0, 512, PS, &p, &r), -EINVAL);
	assert_int_equal(nvme_prp_build(&shortv, 1, 0, 1024, PS, &p, &r), -EINVAL);
	assert_int_equal(nvme_prp_build(&shortv, 1, 0, 0, PS, &p, &r), -EINVAL);
	assert_int_equal(nvme_prp_build(&shortv, 1, 512, 512, PS, &p, &r), -EINVAL);
}

static void test_sgl(void **state)
{
	struct nvme_sgl_desc list[4], cmd;
	struct bio_vec one = { 0x100200, 1000 };
	struct bio_vec three[3] = { { 0x100000, 4096 }, { 0x300123, 100 }, { 0x500000, 8192 } };

	(void)state;
	assert_int_equal(nvme_sgl_build(&one, 1, 0, 1000, list, 0x9000, 4, &cmd), 0);
	assert_int_equal(cmd.addr, 0x100200);
	assert_int_equal(cmd.length, 1000);
	assert_int_equal(cmd.type, NVME_SGL_TYPE_DATA_BLOCK);

	/* SGLs have no page rule: odd addresses and lengths are fine */
	assert_int_equal(nvme_sgl_build(three, 3, 16, 4080 + 100 + 512, list, 0x9000, 4, &cmd), 0);
	assert_int_equal(cmd.type, NVME_SGL_TYPE_LAST_SEGMENT);
	assert_int_equal(cmd.addr, 0x9000);
	assert_int_equal(cmd.length, 3 * 16);
	assert_int_equal(list[0].addr, 0x100010);
	assert_int_equal(list[0].length, 4080);
	assert_int_equal(list[1].addr, 0x300123);
	assert_int_equal(list[1].length, 100);
	assert_int_equal(list[2].addr, 0x500000);
	assert_int_equal(list[2].length, 512);
	assert_int_equal(list[2].type, NVME_SGL_TYPE_DATA_BLOCK);

	assert_int_equal(nvme_sgl_build(three, 3, 0, 4096 + 100 + 512, list, 0x9000, 2, &cmd),
			 -ENOSPC);
	assert_int_equal(nvme_sgl_build(three, 3, 0, 1 << 20, list, 0x9000, 4, &cmd), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_page),
		cmocka_unit_test(test_two_pages),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_vectors_and_offset),
		cmocka_unit_test(test_chain),
		cmocka_unit_test(test_pages_needed),
		cmocka_unit_test(test_rule_violations),
		cmocka_unit_test(test_sgl),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
