/*
 * Unit tests for drivers/nvme/nvme_id.c: CAP, Identify Controller and
 * Namespace as QEMU's controller reports them, every refusal, and the
 * values that once wrapped or shifted past a type's width (found while
 * fuzzing and splitting the decoding out of the driver: MDTS 255, a
 * namespace of 2^64 / 512 blocks, NPWG and NOWS of 65536 blocks of 64 KiB).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "drivers/nvme/nvme_id.c"
#include "lib/string.h"

#define CAP_QEMU (0x7ffULL | 1ULL << 16 | 0x20ULL << 24 | 1ULL << 37 | 4ULL << 52)

static void test_cap(void **state)
{
	struct nvme_cap_info c;
	const char *why = NULL;

	(void)state;
	assert_int_equal(nvme_cap_decode(CAP_QEMU, 12, &c, &why), 0);
	assert_int_equal(c.page_size, 4096);
	assert_int_equal(c.db_stride, 4);
	assert_int_equal(c.io_depth, NVME_IO_DEPTH_MAX);
	assert_true(c.ready_timeout_ns == 32ULL * 500 * 1000000);
	/* stride 2^(2 + 3), depth from MQES, a zero timeout counts as 500 ms */
	assert_int_equal(nvme_cap_decode((CAP_QEMU & ~0xffULL << 24 & ~0xffffULL) | 3ULL << 32 | 15,
					 12, &c, &why), 0);
	assert_int_equal(c.db_stride, 32);
	assert_int_equal(c.io_depth, 16);
	assert_true(c.ready_timeout_ns == 500ULL * 1000000);

	assert_int_equal(nvme_cap_decode(~0ULL, 12, &c, &why), -ENODEV);
	assert_string_equal(why, "registers read all ones");
	assert_int_equal(nvme_cap_decode(CAP_QEMU & ~(1ULL << 37), 12, &c, &why), -ENODEV);
	assert_string_equal(why, "no NVM command set");
	assert_int_equal(nvme_cap_decode(CAP_QEMU | 1ULL << 48, 12, &c, &why), -ENODEV);
	assert_int_equal(nvme_cap_decode(CAP_QEMU & ~0xffffULL, 12, &c, &why), -ENODEV);
	assert_string_equal(why, "CAP.MQES allows no usable queue");
}

static void test_ctrl(void **state)
{
	static struct nvme_id_ctrl id;
	struct nvme_id_ctrl_info ci;

	(void)state;
	memset(&id, 0, sizeof(id));
	nvme_id_ctrl_decode(&id, 4096, &ci);
	assert_int_equal(ci.max_transfer, NVME_MAX_TRANSFER);	/* 0: unlimited */
	id.mdts = 5;
	id.oncs = NVME_CTRL_ONCS_DSM | NVME_CTRL_ONCS_WRITE_ZEROES;
	id.vwc = NVME_CTRL_VWC_PRESENT;
	id.sgls = 1;
	id.oacs = NVME_CTRL_OACS_DBBUF;
	id.nn = 256;
	nvme_id_ctrl_decode(&id, 4096, &ci);
	assert_int_equal(ci.max_transfer, 128 * 1024);
	assert_true(ci.dsm && ci.write_zeroes && ci.vwc && ci.sgl && ci.dbbuf);
	assert_int_equal(ci.nn, 256);
	/* MDTS up to 255 once shifted a u64 by 255 (UBSan in fuzz_nvme_id): now the cap */
	for (unsigned int mdts = 9; mdts < 256; mdts++) {
		id.mdts = (u8)mdts;
		nvme_id_ctrl_decode(&id, 4096, &ci);
		assert_int_equal(ci.max_transfer, NVME_MAX_TRANSFER);
	}
}

static void ns_format(struct nvme_id_ns *id, u8 nlbaf, u8 flbas, u64 nsze)
{
	memset(id, 0, sizeof(*id));
	id->nsze = id->ncap = nsze;
	id->nlbaf = nlbaf;
	id->flbas = flbas;
	for (int i = 0; i < 64; i++)
		id->lbaf[i].ds = 9;
}

static void test_ns(void **state)
{
	static struct nvme_id_ns id;
	struct nvme_ns_geom g;
	char why[128];

	(void)state;
	ns_format(&id, 7, 4, 262144);
	id.lbaf[4].ds = 12;
	assert_int_equal(nvme_id_ns_decode(&id, 512 * 1024, &g, why, sizeof(why)), 0);
	assert_int_equal(g.lbaf, 4);
	assert_int_equal(g.lba_shift, 12);
	assert_true(g.blocks == 262144);
	assert_int_equal(g.phys_block, 4096);
	assert_int_equal(g.opt_io, 0);
	assert_int_equal(g.io_boundary, 0);

	/* optimal-performance fields, NOIOB */
	id.nsfeat = NVME_NS_FEAT_OPTPERF;
	id.npwg = 3;
	id.nows = 31;
	id.noiob = 64;
	assert_int_equal(nvme_id_ns_decode(&id, 512 * 1024, &g, why, sizeof(why)), 0);
	assert_int_equal(g.phys_block, 16384);
	assert_int_equal(g.opt_io, 32 * 4096);
	assert_int_equal(g.io_boundary, 64 * 4096);
	id.npwg = 2;		/* 3 blocks: not a power of two, stays the logical block */
	assert_int_equal(nvme_id_ns_decode(&id, 512 * 1024, &g, why, sizeof(why)), 0);
	assert_int_equal(g.phys_block, 4096);

	/* 2.0: more than 16 formats, FLBAS bits 6:5 are the upper bits of the index */
	ns_format(&id, 17, 0x21, 8);
	id.lbaf[17].ds = 13;
	assert_int_equal(nvme_id_ns_decode(&id, 512 * 1024, &g, why, sizeof(why)), 0);
	assert_int_equal(g.lbaf, 17);
	assert_int_equal(g.lba_shift, 13);

	/* refusals, each with its reason */
	ns_format(&id, 1, 3, 8);
	assert_int_equal(nvme_id_ns_decode(&id, 512 * 1024, &g, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "format 3 beyond the 2 it lists");
	ns_format(&id, 1, 1, 8);
	id.lbaf[1].ms = 8;
	assert_int_equal(nvme_id_ns_decode(&id, 512 * 1024, &g, why, sizeof(why)), -ENOTSUP);
	ns_format(&id, 0, 0, 8);
	id.lbaf[0].ds = 8;
	assert_int_equal(nvme_id_ns_decode(&id, 512 * 1024, &g, why, sizeof(why)), -ENOTSUP);
	assert_string_equal(why, "block size 2^8 unsupported");
	id.lbaf[0].ds = 16;	/* 64 KiB blocks through 32 KiB transfers */
	assert_int_equal(nvme_id_ns_decode(&id, 32 * 1024, &g, why, sizeof(why)), -ENOTSUP);
	ns_format(&id, 0, 0, 0);
	assert_int_equal(nvme_id_ns_decode(&id, 512 * 1024, &g, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "size 0");
}

/* Sizes that wrapped before the fix (fuzz_nvme_id and the split's review). */
static void test_ns_no_wrap(void **state)
{
	static struct nvme_id_ns id;
	struct nvme_ns_geom g;
	char why[128];

	(void)state;
	/* NSZE whose size in bytes no u64 holds: refused, not a capacity that wrapped */
	ns_format(&id, 0, 0, 1ULL << 55);
	assert_int_equal(nvme_id_ns_decode(&id, 512 * 1024, &g, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "overflows"));
	ns_format(&id, 0, 0, (1ULL << 55) - 1);
	assert_int_equal(nvme_id_ns_decode(&id, 512 * 1024, &g, why, sizeof(why)), 0);

	/* 65536 blocks of 64 KiB is 2^32: once a physical block of 0 and an optimal size of 0 */
	ns_format(&id, 0, 0, 1024);
	id.lbaf[0].ds = 16;
	id.nsfeat = NVME_NS_FEAT_OPTPERF;
	id.npwg = 0xffff;
	id.nows = 0xffff;
	assert_int_equal(nvme_id_ns_decode(&id, 2 << 20, &g, why, sizeof(why)), 0);
	assert_int_equal(g.phys_block, 65536);
	assert_int_equal(g.opt_io, 0);
	id.nows = 0x7fff;
	assert_int_equal(nvme_id_ns_decode(&id, 2 << 20, &g, why, sizeof(why)), 0);
	assert_int_equal(g.opt_io, 0x80000000U);
	id.noiob = 0xffff;
	assert_int_equal(nvme_id_ns_decode(&id, 2 << 20, &g, why, sizeof(why)), 0);
	assert_int_equal(g.io_boundary, 0xffff0000U);
}

static void test_queue_count(void **state)
{
	(void)state;
	assert_int_equal(nvme_id_queue_count(0x003f003f, 4), 4);
	assert_int_equal(nvme_id_queue_count(0x00010003, 8), 2);	/* NCQA 2 */
	assert_int_equal(nvme_id_queue_count(0x00030001, 8), 2);	/* NSQA 2 */
	assert_int_equal(nvme_id_queue_count(0, 8), 1);
	assert_int_equal(nvme_id_queue_count(0xffffffff, 1024), 1024);
	assert_int_equal(nvme_id_queue_count(0xffffffff, 100000), 65536);
}

static void test_string(void **state)
{
	char buf[41];

	(void)state;
	assert_string_equal(nvme_id_string("QEMU NVMe Ctrl                          ", 40, buf),
			    "QEMU NVMe Ctrl");
	assert_string_equal(nvme_id_string("ab\x01\x7f" "c\0\0 ", 8, buf), "ab??c");
	assert_string_equal(nvme_id_string("        ", 8, buf), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_ctrl),
		cmocka_unit_test(test_ns),
		cmocka_unit_test(test_ns_no_wrap),
		cmocka_unit_test(test_queue_count),
		cmocka_unit_test(test_string),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
