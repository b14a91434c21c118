/*
 * Unit tests for block/partition.c on disk images crafted in memory: MBR
 * with primaries and an extended chain (also one that loops), GPT with 2
 * and 128 entries at 512 and 4096-byte blocks, a corrupt primary header or
 * entry array (backup used), both copies corrupt, entries past the usable
 * area or overlapping, absurd header fields, and a disk with no table.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "block/partition.c"
#include "lib/printf.h"

struct image {
	u32 bs;
	u64 nr;
	u8 *data;
	u8 *scratch;
	unsigned int reads;
	u64 fail_lba;	/* a read of this LBA fails; ~0 for none */
};

static int image_read(void *ctx, u64 lba, void *buf)
{
	struct image *img = ctx;

	assert_true(lba < img->nr);
	img->reads++;
	if (lba == img->fail_lba)
		return -EIO;
	memcpy(buf, img->data + lba * img->bs, img->bs);
	return 0;
}

static struct image *image_new(u32 bs, u64 nr)
{
	struct image *img = calloc(1, sizeof(*img));

	img->bs = bs;
	img->nr = nr;
	img->data = calloc(nr, bs);
	img->scratch = calloc(1, bs);
	img->fail_lba = ~0ULL;
	return img;
}

static void image_free(struct image *img)
{
	free(img->data);
	free(img->scratch);
	free(img);
}

static int image_scan(struct image *img, struct partition_table *pt)
{
	struct partition_disk disk = {
		.block_size = img->bs, .nr_blocks = img->nr,
		.read = image_read, .ctx = img, .buf = img->scratch,
	};

	return partition_scan(&disk, pt);
}

static u8 *block(struct image *img, u64 lba)
{
	return img->data + lba * img->bs;
}

/* --- MBR ------------------------------------------------------------------ */

static void mbr_set(u8 *b, int i, u8 type, u32 start, u32 nr)
{
	u8 *e = b + 446 + 16 * i;

	e[4] = type;
	put_le32(e + 8, start);
	put_le32(e + 12, nr);
	b[510] = 0x55;
	b[511] = 0xaa;
}

static void test_no_table(void **state)
{
	struct image *img = image_new(512, 100);
	static struct partition_table pt;

	(void)state;
	assert_int_equal(image_scan(img, &pt), 0);
	assert_string_equal(pt.scheme, "none");
	assert_int_equal(pt.count, 0);
	/* a signature with no entries is an empty MBR */
	block(img, 0)[510] = 0x55;
	block(img, 0)[511] = 0xaa;
	assert_int_equal(image_scan(img, &pt), 0);
	assert_string_equal(pt.scheme, "mbr");
	assert_int_equal(pt.count, 0);
	/* read errors come back as they are */
	img->fail_lba = 0;
	assert_int_equal(image_scan(img, &pt), -EIO);
	image_free(img);
}

static void test_bad_disk(void **state)
{
	struct image *img = image_new(512, 10);
	static struct partition_table pt;

	(void)state;
	img->bs = 1024 + 512;
	assert_int_equal(image_scan(img, &pt), -EINVAL);
	img->bs = 8192;
	assert_int_equal(image_scan(img, &pt), -EINVAL);
	img->bs = 512, img->nr = 0;
	assert_int_equal(image_scan(img, &pt), -EINVAL);
	image_free(img);
}

static void test_mbr_primary(void **state)
{
	struct image *img = image_new(512, 10000);
	static struct partition_table pt;
	u8 *b = block(img, 0);

	(void)state;
	mbr_set(b, 0, 0x83, 2048, 4096);
	mbr_set(b, 2, 0x0c, 6144, 3856);	/* ends on the last block */
	assert_int_equal(image_scan(img, &pt), 0);
	assert_string_equal(pt.scheme, "mbr");
	assert_int_equal(pt.count, 2);
	assert_int_equal(pt.rejected, 0);
	assert_int_equal(pt.parts[0].number, 1);
	assert_int_equal(pt.parts[0].start_lba, 2048);
	assert_int_equal(pt.parts[0].nr_lbas, 4096);
	assert_int_equal(pt.parts[0].mbr_type, 0x83);
	assert_string_equal(pt.parts[0].name, "");
	assert_int_equal(pt.parts[1].number, 3);
	assert_int_equal(pt.parts[1].mbr_type, 0x0c);

	/* one block past the end, overlapping, starting on the MBR */
	mbr_set(b, 2, 0x0c, 6144, 3857);
	mbr_set(b, 1, 0x83, 4000, 100);
	mbr_set(b, 3, 0x83, 0, 10);
	assert_int_equal(image_scan(img, &pt), 0);
	assert_int_equal(pt.count, 1);
	assert_int_equal(pt.rejected, 3);
	/* values near 2^32 do not wrap */
	mbr_set(b, 1, 0x83, 0xffffffff, 0xffffffff);
	mbr_set(b, 2, 0, 0, 0);
	mbr_set(b, 3, 0, 0, 0);
	assert_int_equal(image_scan(img, &pt), 0);
	assert_int_equal(pt.count, 1);
	assert_int_equal(pt.rejected, 1);
	image_free(img);
}

/* An extended partition at ext of nr blocks, logical partitions of size
 * nr_each 100 blocks after each EBR, EBRs every 1000 blocks. */
static void build_extended(struct image *img, u32 ext, u32 nr, int logicals)
{
	mbr_set(block(img, 0), 0, 0x83, 2048, 1000);
	mbr_set(block(img, 0), 1, 0x0f, ext, nr);
	for (int i = 0; i < logicals; i++) {
		u8 *ebr = block(img, ext + 1000 * i);

		mbr_set(ebr, 0, 0x83, 10, 100);
		if (i + 1 < logicals)
			mbr_set(ebr, 1, 0x05, 1000 * (i + 1), 200);
	}
}

static void test_mbr_extended(void **state)
{
	struct image *img = image_new(512, 100000);
	static struct partition_table pt;

	(void)state;
	build_extended(img, 10000, 50000, 5);
	assert_int_equal(image_scan(img, &pt), 0);
	assert_int_equal(pt.count, 6);
	assert_int_equal(pt.rejected, 0);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(pt.parts[1 + i].number, 5 + i);
		assert_int_equal(pt.parts[1 + i].start_lba, 10000 + 1000 * i + 10);
		assert_int_equal(pt.parts[1 + i].nr_lbas, 100);
	}
	/* a logical partition leaving the extended one is dropped */
	mbr_set(block(img, 10000 + 4000), 0, 0x83, 10, 50000);
	assert_int_equal(image_scan(img, &pt), 0);
	assert_int_equal(pt.count, 5);
	assert_int_equal(pt.rejected, 1);
	/* a link out of the extended partition ends the chain */
	mbr_set(block(img, 10000 + 1000), 1, 0x05, 60000, 10);
	assert_int_equal(image_scan(img, &pt), 0);
	assert_int_equal(pt.count, 3);
	assert_int_equal(pt.rejected, 1);
	/* an EBR without signature ends it too */
	mbr_set(block(img, 10000 + 1000), 1, 0x05, 3000, 10);
	block(img, 13000)[510] = 0;
	assert_int_equal(image_scan(img, &pt), 0);
	assert_int_equal(pt.count, 3);
	assert_int_equal(pt.rejected, 1);
	/* an extended partition beyond the disk is not followed */
	mbr_set(block(img, 0), 1, 0x05, 90000, 20000);
	assert_int_equal(image_scan(img, &pt), 0);
	assert_int_equal(pt.count, 1);
	assert_int_equal(pt.rejected, 1);
	image_free(img);
}

static void test_mbr_loop(void **state)
{
	struct image *img = image_new(512, 100000);
	static struct partition_table pt;

	(void)state;
	build_extended(img, 10000, 50000, 3);
	/* the third EBR links back to the second */
	mbr_set(block(img, 12000), 1, 0x05, 1000, 200);
	assert_int_equal(image_scan(img, &pt), 0);
	assert_int_equal(pt.count, 4);	/* each logical once */
	assert_true(pt.rejected > 0);
	assert_true(img->reads <= 1 + MBR_MAX_EBRS);
	/* an EBR linking to itself */
	img->reads = 0;
	mbr_set(block(img, 10000), 1, 0x05, 1, 200);
	mbr_set(block(img, 10001), 0, 0x83, 200, 5);
	mbr_set(block(img, 10001), 1, 0x05, 1, 200);
	assert_int_equal(image_scan(img, &pt), 0);
	assert_int_equal(pt.count, 3);
	assert_true(pt.rejected > 0);
	assert_true(img->reads <= 1 + MBR_MAX_EBRS);
	image_free(img);
}

/* --- GPT ------------------------------------------------------------------ */

struct gpt_spec {
	u32 nr_entries;
	u32 entry_size;
	u32 used;	/* entries filled: slot i covers 100 blocks each */
};

static u64 gpt_array_blocks(const struct image *img, const struct gpt_spec *s)
{
	return DIV_ROUND_UP((u64)s->nr_entries * s->entry_size, img->bs);
}

/* The header CRC over its claimed size, or the whole block if it claims more. */
static void gpt_header_crc(u8 *h, u32 bs)
{
	put_le32(h + 16, 0);
	put_le32(h + 16, crc32(0, h, min(get_le32(h + 12), bs)));
}

static void gpt_write_copy(struct image *img, const struct gpt_spec *s, u64 my, u64 alt,
			   u64 entries_lba, u64 first, u64 last)
{
	u8 *h = block(img, my);
	u8 *array = block(img, entries_lba);
	size_t array_bytes = (size_t)s->nr_entries * s->entry_size;

	for (u32 i = 0; i < s->used; i++) {
		u8 *e = array + (size_t)i * s->entry_size;
		char name[16];

		memset(e, 0, s->entry_size);
		e[0] = 0xaf, e[1] = 0x3d, e[15] = (u8)(i + 1);	/* type */
		e[16] = 0x11, e[31] = (u8)i;			/* unique */
		put_le64(e + 32, first + 100 * (u64)i);
		put_le64(e + 40, first + 100 * (u64)i + 99);
		snprintf(name, sizeof(name), "part%u", i + 1);
		for (int k = 0; name[k]; k++)
			e[56 + 2 * k] = (u8)name[k];
	}
	memset(h, 0, img->bs);
	memcpy(h, "EFI PART", 8);
	put_le32(h + 8, 0x00010000);
	put_le32(h + 12, 92);
	put_le64(h + 24, my);
	put_le64(h + 32, alt);
	put_le64(h + 40, first);
	put_le64(h + 48, last);
	put_le64(h + 72, entries_lba);
	put_le32(h + 80, s->nr_entries);
	put_le32(h + 84, s->entry_size);
	put_le32(h + 88, crc32(0, array, array_bytes));
	gpt_header_crc(h, img->bs);
}

static struct image *gpt_image(u32 bs, u64 nr, const struct gpt_spec *s)
{
	struct image *img = image_new(bs, nr);
	u64 blocks = gpt_array_blocks(img, s);
	u64 first = 2 + blocks, last = nr - 2 - blocks;

	mbr_set(block(img, 0), 0, 0xee, 1, (u32)min(nr - 1, (u64)0xffffffff));
	gpt_write_copy(img, s, 1, nr - 1, 2, first, last);
	gpt_write_copy(img, s, nr - 1, 1, nr - 1 - blocks, first, last);
	return img;
}

static void check_gpt(const struct partition_table *pt, const struct image *img,
		      const struct gpt_spec *s)
{
	u64 first = 2 + gpt_array_blocks(img, s);

	assert_string_equal(pt->scheme, "gpt");
	assert_int_equal(pt->count, (int)s->used);
	for (u32 i = 0; i < s->used; i++) {
		const struct partition *p = &pt->parts[i];
		char name[16];

		snprintf(name, sizeof(name), "part%u", i + 1);
		assert_int_equal(p->number, i + 1);
		assert_int_equal(p->start_lba, first + 100 * i);
		assert_int_equal(p->nr_lbas, 100);
		assert_int_equal(p->type_guid[0], 0xaf);
		assert_int_equal(p->type_guid[15], i + 1);
		assert_int_equal(p->uuid[31 - 16], (u8)i);
		assert_int_equal(p->mbr_type, 0);
		assert_string_equal(p->name, name);
	}
}

static void test_gpt_valid(void **state)
{
	static const u32 sizes[] = { 512, 4096 };
	static struct partition_table pt;

	(void)state;
	for (unsigned int k = 0; k < ARRAY_SIZE(sizes); k++) {
		struct gpt_spec two = { 128, 128, 2 }, full = { 128, 128, 128 };
		struct gpt_spec wide = { 16, 256, 5 };
		struct image *img = gpt_image(sizes[k], 20000, &two);

		assert_int_equal(image_scan(img, &pt), 0);
		check_gpt(&pt, img, &two);
		assert_int_equal(pt.rejected, 0);
		assert_false(pt.gpt_backup);
		image_free(img);

		img = gpt_image(sizes[k], 20000, &full);
		assert_int_equal(image_scan(img, &pt), 0);
		check_gpt(&pt, img, &full);
		image_free(img);

		img = gpt_image(sizes[k], 20000, &wide);
		assert_int_equal(image_scan(img, &pt), 0);
		check_gpt(&pt, img, &wide);
		image_free(img);
	}
}

static void test_gpt_names_and_holes(void **state)
{
	struct gpt_spec s = { 128, 128, 4 };
	struct image *img = gpt_image(512, 20000, &s);
	static struct partition_table pt;
	u8 *array = block(img, 2);

	(void)state;
	/* slot 2 unused (zero type GUID): numbers keep their slots */
	memset(array + 128 * 1, 0, 128);
	/* a non-ASCII character and a full 36-unit name */
	array[56 + 2] = 0xe9;
	for (int k = 0; k < 36; k++)
		array[128 * 2 + 56 + 2 * k] = (u8)('a' + k % 26);
	put_le32(block(img, 1) + 88, crc32(0, array, 128 * 128));
	gpt_header_crc(block(img, 1), img->bs);
	assert_int_equal(image_scan(img, &pt), 0);
	assert_int_equal(pt.count, 3);
	assert_int_equal(pt.parts[0].number, 1);
	assert_string_equal(pt.parts[0].name, "p?rt1");
	assert_int_equal(pt.parts[1].number, 3);
	assert_int_equal(strlen(pt.parts[1].name), 36);
	assert_int_equal(pt.parts[2].number, 4);
	image_free(img);
}

static void test_gpt_backup(void **state)
{
	struct gpt_spec s = { 128, 128, 3 };
	static struct partition_table pt;

	(void)state;
	/* primary header CRC wrong */
	for (u32 bs = 512; bs <= 4096; bs *= 8) {
		struct image *img = gpt_image(bs, 20000, &s);

		block(img, 1)[40] ^= 1;
		assert_int_equal(image_scan(img, &pt), 0);
		check_gpt(&pt, img, &s);
		assert_true(pt.gpt_backup);
		/* both headers bad: an error, no partitions */
		block(img, 19999)[40] ^= 1;
		assert_int_equal(image_scan(img, &pt), -EINVAL);
		assert_string_equal(pt.scheme, "none");
		assert_int_equal(pt.count, 0);
		image_free(img);
	}
	/* primary entry array corrupt: the backup's copy is used */
	{
		struct image *img = gpt_image(512, 20000, &s);
		u64 backup_array = 20000 - 1 - 32;

		block(img, 2)[128 + 40] ^= 0x10;
		assert_int_equal(image_scan(img, &pt), 0);
		check_gpt(&pt, img, &s);
		assert_true(pt.gpt_backup);
		block(img, backup_array)[5] ^= 1;
		assert_int_equal(image_scan(img, &pt), -EINVAL);
		image_free(img);
	}
	/* a read error on the primary is not hidden by the backup */
	{
		struct image *img = gpt_image(512, 20000, &s);

		img->fail_lba = 1;
		assert_int_equal(image_scan(img, &pt), -EIO);
		image_free(img);
	}
}

static void test_gpt_bad_entries(void **state)
{
	struct gpt_spec s = { 128, 128, 4 };
	struct image *img = gpt_image(512, 20000, &s);
	static struct partition_table pt;
	u8 *array = block(img, 2);
	u64 last = 20000 - 2 - 32;

	(void)state;
	put_le64(array + 128 * 1 + 40, last + 1);	/* past the usable area */
	put_le64(array + 128 * 2 + 32, 40);		/* overlaps entry 1 */
	put_le64(array + 128 * 3 + 32, 500);		/* end before start */
	put_le64(array + 128 * 3 + 40, 499);
	put_le32(block(img, 1) + 88, crc32(0, array, 128 * 128));
	gpt_header_crc(block(img, 1), img->bs);
	assert_int_equal(image_scan(img, &pt), 0);
	assert_false(pt.gpt_backup);
	assert_int_equal(pt.count, 1);
	assert_int_equal(pt.rejected, 3);
	assert_int_equal(pt.parts[0].number, 1);
	image_free(img);
}

/* Each change to the primary header (CRC fixed up) makes it invalid. */
static void test_gpt_bad_headers(void **state)
{
	struct gpt_spec s = { 128, 128, 2 };
	static const struct { int offset, width; u64 value; } bad[] = {
		{ 8, 4, 0x00020000 },		/* revision 2.0 */
		{ 12, 4, 91 },			/* header size */
		{ 12, 4, 513 },
		{ 24, 8, 2 },			/* my LBA */
		{ 40, 8, 20000 },		/* first usable past last */
		{ 48, 8, 20000 },		/* last usable past the disk */
		{ 40, 8, 1 },
		{ 72, 8, 19990 },		/* array past the disk */
		{ 72, 8, 100 },			/* array in the usable area */
		{ 72, 8, 1 },			/* array over the header */
		{ 80, 4, 0 },			/* entry counts */
		{ 80, 4, GPT_MAX_ENTRIES + 1 },
		{ 80, 4, 0xffffffff },
		{ 84, 4, 64 },			/* entry sizes */
		{ 84, 4, 384 },
		{ 84, 4, 1024 },		/* more than a block */
		{ 84, 4, 0 },
	};
	static struct partition_table pt;

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		struct image *img = gpt_image(512, 20000, &s);
		u8 *h = block(img, 1);

		if (bad[i].width == 4)
			put_le32(h + bad[i].offset, (u32)bad[i].value);
		else
			put_le64(h + bad[i].offset, bad[i].value);
		gpt_header_crc(h, img->bs);
		assert_int_equal(image_scan(img, &pt), 0);
		assert_true(pt.gpt_backup);
		check_gpt(&pt, img, &s);
		/* the same change to the backup too: no table at all */
		h = block(img, 19999);
		if (bad[i].offset == 24)
			put_le64(h + 24, 19998);
		else if (bad[i].width == 4)
			put_le32(h + bad[i].offset, (u32)bad[i].value);
		else
			put_le64(h + bad[i].offset, bad[i].value);
		gpt_header_crc(h, img->bs);
		if (bad[i].offset == 72 && bad[i].value == 1)
			put_le64(h + 72, 19999), gpt_header_crc(h, img->bs);
		assert_int_equal(image_scan(img, &pt), -EINVAL);
		image_free(img);
	}
	/* a wrong signature */
	{
		struct image *img = gpt_image(512, 20000, &s);

		block(img, 1)[0] = 'X';
		block(img, 19999)[7] = 'X';
		assert_int_equal(image_scan(img, &pt), -EINVAL);
		image_free(img);
	}
}

static void test_gpt_many_used(void **state)
{
	/* 256 used entries: the first 128 kept, the rest counted */
	struct gpt_spec s = { 256, 128, 256 };
	struct image *img = gpt_image(4096, 60000, &s);
	static struct partition_table pt;

	(void)state;
	assert_int_equal(image_scan(img, &pt), 0);
	assert_int_equal(pt.count, PARTITION_MAX);
	assert_int_equal(pt.rejected, 128);
	assert_int_equal(pt.parts[127].number, 128);
	image_free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_table),
		cmocka_unit_test(test_bad_disk),
		cmocka_unit_test(test_mbr_primary),
		cmocka_unit_test(test_mbr_extended),
		cmocka_unit_test(test_mbr_loop),
		cmocka_unit_test(test_gpt_valid),
		cmocka_unit_test(test_gpt_names_and_holes),
		cmocka_unit_test(test_gpt_backup),
		cmocka_unit_test(test_gpt_bad_entries),
		cmocka_unit_test(test_gpt_bad_headers),
		cmocka_unit_test(test_gpt_many_used),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
