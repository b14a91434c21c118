/*
 * Unit tests for drivers/ahci/ahci_fis.c: the NCQ FIS layout (count in
 * features, tag in count bits 7:3, FUA), the non-queued DMA commands, a
 * command header, PRD tables (a vector split at 4 MiB, an offset into the
 * first vector, too many entries, odd addresses, the 32-bit HBA limit), and
 * TRIM range entries (one range, a range split at 65535 sectors, too big).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "drivers/ahci/ahci_fis.c"

static void test_fis_ncq(void **state)
{
	struct fis_reg_h2d fis;

	(void)state;
	assert_int_equal(sizeof(fis), 20);
	ahci_fis_rw(&fis, false, 0x0000123456789abcull, 8, 17, false);
	assert_int_equal(fis.type, 0x27);
	assert_int_equal(fis.flags, 0x80);
	assert_int_equal(fis.command, ATA_CMD_READ_FPDMA_QUEUED);
	assert_int_equal(fis.feature_low, 8);
	assert_int_equal(fis.feature_high, 0);
	assert_int_equal(fis.count_low, 17 << 3);
	assert_int_equal(fis.count_high, 0);
	assert_int_equal(fis.lba0, 0xbc);
	assert_int_equal(fis.lba1, 0x9a);
	assert_int_equal(fis.lba2, 0x78);
	assert_int_equal(fis.lba3, 0x56);
	assert_int_equal(fis.lba4, 0x34);
	assert_int_equal(fis.lba5, 0x12);
	assert_int_equal(fis.device, 0x40);

	ahci_fis_rw(&fis, true, 0, 65536, 31, true);
	assert_int_equal(fis.command, ATA_CMD_WRITE_FPDMA_QUEUED);
	assert_int_equal(fis.feature_low, 0);
	assert_int_equal(fis.feature_high, 0);
	assert_int_equal(fis.count_low, 31 << 3);
	assert_int_equal(fis.device, 0xc0);
}

static void test_fis_dma(void **state)
{
	struct fis_reg_h2d fis;

	(void)state;
	ahci_fis_rw(&fis, false, 100, 0x1234, -1, false);
	assert_int_equal(fis.command, ATA_CMD_READ_DMA_EXT);
	assert_int_equal(fis.count_low, 0x34);
	assert_int_equal(fis.count_high, 0x12);
	assert_int_equal(fis.feature_low, 0);
	ahci_fis_rw(&fis, true, 100, 1, -1, false);
	assert_int_equal(fis.command, ATA_CMD_WRITE_DMA_EXT);
	ahci_fis_rw(&fis, true, 100, 1, -1, true);
	assert_int_equal(fis.command, ATA_CMD_WRITE_DMA_FUA_EXT);
	ahci_fis_command(&fis, ATA_CMD_DSM, ATA_DSM_TRIM, 0, 1);
	assert_int_equal(fis.command, 0x06);
	assert_int_equal(fis.feature_low, 1);
	assert_int_equal(fis.count_low, 1);
}

static void test_header(void **state)
{
	struct ahci_cmd_header hdr;

	(void)state;
	assert_int_equal(sizeof(hdr), 32);
	memset(&hdr, 0xff, sizeof(hdr));
	ahci_cmd_header_fill(&hdr, 0x123456780ull, 3, true);
	assert_int_equal(hdr.flags, 5 | (1 << 6) | (3 << 16));
	assert_int_equal(hdr.prdbc, 0);
	assert_int_equal(hdr.ctba, 0x23456780);
	assert_int_equal(hdr.ctbau, 1);
}

static void test_prd(void **state)
{
	struct ahci_prd prdt[8];
	struct bio_vec v[3] = { { 0x100000, 4096 }, { 0x200000, 9u << 20 }, { 0x5000, 512 } };
	int n;

	(void)state;
	/* 512 bytes into the first vector, through the 9 MiB one, 256 of the last */
	n = ahci_prd_fill(prdt, 8, v, 3, 512, 3584 + (9u << 20) + 256, true);
	assert_int_equal(n, 5);
	assert_int_equal(prdt[0].dba, 0x100200);
	assert_int_equal(prdt[0].dbc, 3584 - 1);
	assert_int_equal(prdt[1].dba, 0x200000);
	assert_int_equal(prdt[1].dbc, (4u << 20) - 1);
	assert_int_equal(prdt[2].dba, 0x200000 + (4u << 20));
	assert_int_equal(prdt[3].dbc, (1u << 20) - 1);
	assert_int_equal(prdt[4].dba, 0x5000);
	assert_int_equal(prdt[4].dbc, 255);
	assert_int_equal(prdt[4].dbau, 0);

	/* not enough room, not enough data, an odd length */
	assert_int_equal(ahci_prd_fill(prdt, 4, v, 3, 512, 3584 + (9u << 20) + 256, true), -EINVAL);
	assert_int_equal(ahci_prd_fill(prdt, 8, v, 1, 0, 8192, true), -EINVAL);
	assert_int_equal(ahci_prd_fill(prdt, 8, v, 1, 0, 511, true), -EINVAL);

	/* above 4 GiB: fine with 64-bit addressing, refused without */
	v[0].phys = 0x100000000ull;
	n = ahci_prd_fill(prdt, 8, v, 1, 0, 4096, true);
	assert_int_equal(n, 1);
	assert_int_equal(prdt[0].dbau, 1);
	assert_int_equal(ahci_prd_fill(prdt, 8, v, 1, 0, 4096, false), -ERANGE);
	/* an offset that skips a whole vector */
	v[0].phys = 0x100000;
	n = ahci_prd_fill(prdt, 8, v, 3, 4096 + 512, 1024, true);
	assert_int_equal(n, 1);
	assert_int_equal(prdt[0].dba, 0x200200);
}

static void test_trim(void **state)
{
	u8 buf[1024];
	int blocks;

	(void)state;
	memset(buf, 0xee, sizeof(buf));
	blocks = ahci_dsm_trim_fill(buf, 1, 0x10000, 8);
	assert_int_equal(blocks, 1);
	assert_int_equal(get_le64(buf), 0x10000ull | 8ull << 48);
	for (unsigned int i = 8; i < 512; i++)
		assert_int_equal(buf[i], 0);

	/* 65535 * 64 + 1 sectors need a second block */
	blocks = ahci_dsm_trim_fill(buf, 2, 0, 65535ull * 64 + 1);
	assert_int_equal(blocks, 2);
	assert_int_equal(get_le64(buf), 65535ull << 48);
	assert_int_equal(get_le64(buf + 8), 65535ull | 65535ull << 48);
	assert_int_equal(get_le64(buf + 512), (65535ull * 64) | 1ull << 48);
	assert_int_equal(get_le64(buf + 520), 0);

	assert_int_equal(ahci_dsm_trim_fill(buf, 1, 0, 65535ull * 64 + 1), -EINVAL);
	assert_int_equal(ahci_dsm_trim_fill(buf, 1, 0, 0), -EINVAL);
	assert_int_equal(ahci_dsm_trim_fill(buf, 1, (1ull << 48) - 4, 8), -EINVAL);
	assert_int_equal(ahci_dsm_trim_max_sectors(1), 65535ull * 64);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fis_ncq),
		cmocka_unit_test(test_fis_dma),
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_prd),
		cmocka_unit_test(test_trim),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
