/*
 * Unit tests for drivers/ahci/ata_id.c: an IDENTIFY page built word by word
 * as a QEMU disk and an Advanced Format SSD would answer, decoded: swapped
 * and trimmed strings, 28- and 48-bit capacity, sector sizes, NCQ depth,
 * TRIM and its block count, the feature words' validity pattern, and the
 * word 255 checksum.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "drivers/ahci/ata_id.c"

static u8 page[512];

static void set_word(unsigned int w, u16 v)
{
	page[2 * w] = (u8)v;
	page[2 * w + 1] = (u8)(v >> 8);
}

/* ATA strings: the first character of each pair in the high byte */
static void set_string(unsigned int w, unsigned int len, const char *s)
{
	char padded[64];

	memset(padded, ' ', sizeof(padded));
	memcpy(padded, s, strlen(s));
	for (unsigned int i = 0; i < len; i += 2)
		set_word(w + i / 2, (u16)((u8)padded[i] << 8 | (u8)padded[i + 1]));
}

static void seal(void)
{
	u8 sum = 0;

	set_word(ATA_ID_INTEGRITY, 0xa5);
	for (unsigned int i = 0; i < 511; i++)
		sum = (u8)(sum + page[i]);
	page[511] = (u8)(0 - sum);
}

static void build_ssd(void)
{
	memset(page, 0, sizeof(page));
	set_word(0, 0x0040);
	set_string(ATA_ID_SERIAL, 20, "  S3Z9NB0K123456");
	set_string(ATA_ID_FW_REV, 8, "RVT04B6Q");
	set_string(ATA_ID_MODEL, 40, "Samsung SSD 860 EVO 500GB");
	set_word(ATA_ID_CAPABILITY, ATA_ID_CAP_LBA | ATA_ID_CAP_DMA);
	set_word(ATA_ID_LBA28_CAPACITY, 0xffff);
	set_word(ATA_ID_LBA28_CAPACITY + 1, 0x0fff);
	set_word(ATA_ID_ADDITIONAL_SUPP, ATA_ID_ADD_DRAT | ATA_ID_ADD_RZAT);
	set_word(ATA_ID_QUEUE_DEPTH, 31);
	set_word(ATA_ID_SATA_CAP, ATA_ID_SATA_NCQ | 0xe);
	set_word(ATA_ID_SATA_CAP2, 3 << 1);
	set_word(ATA_ID_MAJOR_VERSION, 0x0ff0);		/* ATA-4 .. ACS-4 */
	set_word(ATA_ID_COMMAND_SET_1, ATA_ID_CS1_SMART | ATA_ID_CS1_WCACHE | ATA_ID_CS1_LOOKAHEAD);
	set_word(ATA_ID_COMMAND_SET_2, 0x4000 | ATA_ID_CS2_LBA48 | ATA_ID_CS2_FLUSH |
		 ATA_ID_CS2_FLUSH_EXT);
	set_word(ATA_ID_CFSSE, 0x4000 | ATA_ID_CFSSE_FUA);
	set_word(ATA_ID_CFS_ENABLE_1, ATA_ID_CS1_SMART | ATA_ID_CS1_WCACHE);
	set_word(ATA_ID_CFS_ENABLE_2, ATA_ID_CS2_LBA48 | ATA_ID_CS2_FLUSH_EXT);
	set_word(ATA_ID_UDMA_MODES, 0x407f);
	/* 976773168 sectors: 500 GB */
	set_word(ATA_ID_LBA48_CAPACITY, (u16)976773168u);
	set_word(ATA_ID_LBA48_CAPACITY + 1, (u16)(976773168u >> 16));
	set_word(ATA_ID_DSM_BLOCKS, 8);
	set_word(ATA_ID_SECTOR_SIZE, ATA_ID_SS_VALID | ATA_ID_SS_MULTI | 3);	/* 4 KiB physical */
	set_word(ATA_ID_DSM, ATA_ID_DSM_TRIM);
	set_word(ATA_ID_ROTATION_RATE, 1);
	seal();
}

static void test_ssd(void **state)
{
	struct ata_id id;

	(void)state;
	build_ssd();
	ata_id_parse(page, &id);
	assert_true(id.ata);
	assert_string_equal(id.model, "Samsung SSD 860 EVO 500GB");
	assert_string_equal(id.serial, "S3Z9NB0K123456");
	assert_string_equal(id.firmware, "RVT04B6Q");
	assert_true(id.lba && id.dma && id.lba48);
	assert_int_equal(id.sectors, 976773168u);
	assert_int_equal(id.lba28_sectors, 0x0fffffff);
	assert_int_equal(id.logical_size, 512);
	assert_int_equal(id.physical_size, 4096);
	assert_true(id.ncq);
	assert_int_equal(id.queue_depth, 32);
	assert_int_equal(id.sata_gens, 7);
	assert_int_equal(id.sata_speed, 3);
	assert_string_equal(ata_id_major_name(id.major_versions), "ACS-4");
	assert_true(id.smart && id.smart_enabled);
	assert_true(id.write_cache && id.write_cache_enabled);
	assert_true(id.look_ahead && !id.look_ahead_enabled);
	assert_true(id.flush && id.flush_ext && id.fua);
	assert_true(id.trim && id.trim_drat && id.trim_rzat);
	assert_int_equal(id.dsm_blocks, 8);
	assert_int_equal(id.rotation_rate, 1);
	assert_int_equal(id.udma_supported, 0x7f);
	assert_int_equal(id.udma_selected, 0x40);
	assert_true(id.integrity_present && id.integrity_ok);
	page[100] ^= 1;
	ata_id_parse(page, &id);
	assert_true(id.integrity_present && !id.integrity_ok);
}

/* an old disk: no valid feature words, 28-bit only, no NCQ, no TRIM */
static void test_old_disk(void **state)
{
	struct ata_id id;

	(void)state;
	memset(page, 0, sizeof(page));
	set_string(ATA_ID_MODEL, 40, "OLD DISK");
	set_word(ATA_ID_CAPABILITY, ATA_ID_CAP_LBA | ATA_ID_CAP_DMA);
	set_word(ATA_ID_LBA28_CAPACITY, 0x1000);
	set_word(ATA_ID_LBA48_CAPACITY, 0x2000);	/* ignored: no 48-bit */
	set_word(ATA_ID_COMMAND_SET_2, ATA_ID_CS2_LBA48);	/* bits 15:14 not 01 */
	set_word(ATA_ID_SATA_CAP, 0xffff);
	set_word(ATA_ID_MAJOR_VERSION, 0xffff);
	set_word(ATA_ID_SECTOR_SIZE, 0xffff);
	ata_id_parse(page, &id);
	assert_string_equal(id.model, "OLD DISK");
	assert_string_equal(id.serial, "");
	assert_false(id.lba48);
	assert_int_equal(id.sectors, 0x1000);
	assert_int_equal(id.logical_size, 512);
	assert_int_equal(id.physical_size, 512);
	assert_false(id.ncq);
	assert_int_equal(id.queue_depth, 1);
	assert_false(id.trim);
	assert_int_equal(id.dsm_blocks, 0);
	assert_string_equal(ata_id_major_name(id.major_versions), "unknown");
	assert_false(id.integrity_present);
	assert_false(id.flush_ext);
}

/* 4 KiB logical sectors (word 106 bit 12, words 117-118) and a TRIM without a block count */
static void test_4k_native(void **state)
{
	struct ata_id id;

	(void)state;
	build_ssd();
	set_word(ATA_ID_SECTOR_SIZE, ATA_ID_SS_VALID | ATA_ID_SS_LONG);
	set_word(ATA_ID_LOGICAL_SIZE, 2048);
	set_word(ATA_ID_DSM_BLOCKS, 0);
	ata_id_parse(page, &id);
	assert_int_equal(id.logical_size, 4096);
	assert_int_equal(id.physical_size, 4096);
	assert_int_equal(id.dsm_blocks, 1);
	assert_string_equal(ata_sata_speed_name(2), "3.0 Gb/s");
	assert_string_equal(ata_sata_speed_name(0), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ssd),
		cmocka_unit_test(test_old_disk),
		cmocka_unit_test(test_4k_native),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
