/*
 * MBR and GPT parsing (see partition.h). All on-disk fields are
 * little-endian and read byte by byte, so nothing depends on the buffer's
 * alignment. The one scratch block is reused: a GPT header is decoded into
 * struct gpt_header before its entry array is read through the same buffer.
 */
#include "block/partition.h"
#include "lib/byteorder.h"
#include "lib/crc32.h"
#include "lib/errno.h"
#include "lib/string.h"

#define MBR_SIGNATURE_OFFSET 510
#define MBR_ENTRIES_OFFSET 446
#define MBR_ENTRY_SIZE 16
#define MBR_TYPE_GPT_PROTECTIVE 0xee
#define MBR_MAX_EBRS PARTITION_MAX	/* bounds a chain that loops */

#define GPT_HEADER_MIN_SIZE 92
#define GPT_ENTRY_MIN_SIZE 128
#define GPT_NAME_UNITS 36

struct gpt_header {
	u32 header_size;
	u64 my_lba;
	u64 first_usable;
	u64 last_usable;
	u64 entries_lba;
	u32 nr_entries;
	u32 entry_size;
	u32 entries_crc;
};

static int disk_read(const struct partition_disk *disk, u64 lba)
{
	if (lba >= disk->nr_blocks)
		return -EIO;
	return disk->read(disk->ctx, lba, disk->buf);
}

/* Accept [start, start + nr) as partition number unless it is unusable. */
static void table_add(struct partition_table *pt, u32 number, u64 start, u64 nr,
		      u64 first, u64 last)
{
	struct partition *p;

	if (!nr || start < first || start > last || nr - 1 > last - start ||
	    pt->count == PARTITION_MAX) {
		pt->rejected++;
		return;
	}
	for (int i = 0; i < pt->count; i++) {
		const struct partition *q = &pt->parts[i];

		if (start < q->start_lba + q->nr_lbas && q->start_lba < start + nr) {
			pt->rejected++;
			return;
		}
	}
	p = &pt->parts[pt->count++];
	memset(p, 0, sizeof(*p));
	p->number = number;
	p->start_lba = start;
	p->nr_lbas = nr;
}

static void table_reset(struct partition_table *pt, const char *scheme)
{
	pt->scheme = scheme;
	pt->count = 0;
	pt->rejected = 0;
	pt->gpt_backup = false;
}

/* --- MBR ----------------------------------------------------------------- */

struct mbr_entry {
	u8 type;
	u32 start;	/* relative to the table's base */
	u32 nr;
};

static bool mbr_is_extended(u8 type)
{
	return type == 0x05 || type == 0x0f || type == 0x85;
}

/* Decode the four entries of the table in disk->buf; false without 0x55AA. */
static bool mbr_decode(const struct partition_disk *disk, struct mbr_entry entries[4])
{
	const u8 *b = disk->buf;

	if (b[MBR_SIGNATURE_OFFSET] != 0x55 || b[MBR_SIGNATURE_OFFSET + 1] != 0xaa)
		return false;
	for (int i = 0; i < 4; i++) {
		const u8 *e = b + MBR_ENTRIES_OFFSET + i * MBR_ENTRY_SIZE;

		entries[i].type = e[4];
		entries[i].start = get_le32(e + 8);
		entries[i].nr = get_le32(e + 12);
	}
	return true;
}

static void mbr_add(struct partition_table *pt, u32 number, u8 type, u64 start, u64 nr,
		    u64 first, u64 last)
{
	int before = pt->count;

	table_add(pt, number, start, nr, first, last);
	if (pt->count > before)
		pt->parts[before].mbr_type = type;
}

/*
 * Follow the EBR chain of the extended partition [ext, ext + ext_nr): each
 * EBR holds a logical partition relative to itself and a link to the next
 * EBR relative to the start of the extended partition.
 */
static int mbr_scan_logical(const struct partition_disk *disk, struct partition_table *pt,
			    u64 ext, u64 ext_nr)
{
	u64 ebr = ext, ext_last = ext + ext_nr - 1;
	u32 number = 5;

	for (int hops = 0; hops < MBR_MAX_EBRS; hops++) {
		struct mbr_entry e[4];
		int err = disk_read(disk, ebr);

		if (err)
			return err;
		if (!mbr_decode(disk, e)) {
			pt->rejected++;
			return 0;
		}
		if (e[0].type && e[0].nr)
			mbr_add(pt, number++, e[0].type, ebr + e[0].start, e[0].nr, ebr + 1,
				ext_last);
		if (!mbr_is_extended(e[1].type) || !e[1].nr)
			return 0;
		if (!e[1].start || e[1].start > ext_last - ext) {
			pt->rejected++;
			return 0;
		}
		ebr = ext + e[1].start;
	}
	pt->rejected++;	/* a chain this long loops */
	return 0;
}

static int mbr_scan(const struct partition_disk *disk, struct partition_table *pt,
		    const struct mbr_entry entries[4])
{
	u64 last = disk->nr_blocks - 1, ext = 0, ext_nr = 0;

	table_reset(pt, "mbr");
	for (int i = 0; i < 4; i++) {
		const struct mbr_entry *e = &entries[i];

		if (!e->type || !e->nr)
			continue;
		if (mbr_is_extended(e->type) && !ext_nr) {
			if (e->start < 1 || e->start > last || e->nr - 1 > last - e->start) {
				pt->rejected++;
				continue;
			}
			ext = e->start;
			ext_nr = e->nr;
			continue;
		}
		mbr_add(pt, i + 1, e->type, e->start, e->nr, 1, last);
	}
	if (!ext_nr)
		return 0;
	return mbr_scan_logical(disk, pt, ext, ext_nr);
}

/* --- GPT ----------------------------------------------------------------- */

static bool is_pow2(u32 x)
{
	return x && (x & (x - 1)) == 0;
}

/* Read and check the header at lba into hdr; -EINVAL if it is not valid. */
static int gpt_read_header(const struct partition_disk *disk, u64 lba, struct gpt_header *hdr)
{
	u8 *b = disk->buf;
	u64 array_blocks;
	u32 crc;
	int err = disk_read(disk, lba);

	if (err)
		return err;
	if (memcmp(b, "EFI PART", 8) || get_le32(b + 8) >> 16 != 1)
		return -EINVAL;
	hdr->header_size = get_le32(b + 12);
	if (hdr->header_size < GPT_HEADER_MIN_SIZE || hdr->header_size > disk->block_size)
		return -EINVAL;
	crc = get_le32(b + 16);
	memset(b + 16, 0, 4);
	if (crc32(0, b, hdr->header_size) != crc)
		return -EINVAL;
	hdr->my_lba = get_le64(b + 24);
	hdr->first_usable = get_le64(b + 40);
	hdr->last_usable = get_le64(b + 48);
	hdr->entries_lba = get_le64(b + 72);
	hdr->nr_entries = get_le32(b + 80);
	hdr->entry_size = get_le32(b + 84);
	hdr->entries_crc = get_le32(b + 88);
	if (hdr->my_lba != lba)
		return -EINVAL;
	if (hdr->first_usable > hdr->last_usable || hdr->last_usable >= disk->nr_blocks ||
	    hdr->first_usable < 2)
		return -EINVAL;
	if (hdr->entry_size % GPT_ENTRY_MIN_SIZE || !is_pow2(hdr->entry_size / GPT_ENTRY_MIN_SIZE) ||
	    hdr->entry_size > disk->block_size)
		return -EINVAL;
	if (!hdr->nr_entries || hdr->nr_entries > GPT_MAX_ENTRIES)
		return -EINVAL;
	/* the array lies on the disk, outside the usable area and the header */
	array_blocks = DIV_ROUND_UP((u64)hdr->nr_entries * hdr->entry_size, disk->block_size);
	if (hdr->entries_lba < 2 || array_blocks > disk->nr_blocks ||
	    hdr->entries_lba > disk->nr_blocks - array_blocks)
		return -EINVAL;
	if (hdr->entries_lba <= hdr->last_usable &&
	    hdr->entries_lba + array_blocks > hdr->first_usable)
		return -EINVAL;
	if (hdr->my_lba >= hdr->entries_lba && hdr->my_lba < hdr->entries_lba + array_blocks)
		return -EINVAL;
	return 0;
}

static void gpt_name(char *dst, const u8 *utf16)
{
	int i;

	for (i = 0; i < GPT_NAME_UNITS; i++) {
		u16 unit = utf16[2 * i] | utf16[2 * i + 1] << 8;

		if (!unit)
			break;
		dst[i] = unit >= 0x20 && unit < 0x7f ? (char)unit : '?';
	}
	dst[i] = '\0';
}

static bool guid_is_zero(const u8 *guid)
{
	for (int i = 0; i < 16; i++) {
		if (guid[i])
			return false;
	}
	return true;
}

/* Read the entry array of hdr into pt; -EINVAL if its CRC-32 is wrong. */
static int gpt_read_entries(const struct partition_disk *disk, const struct gpt_header *hdr,
			    struct partition_table *pt)
{
	u32 per_block = disk->block_size / hdr->entry_size;
	u32 crc = 0, slot = 0;
	const u8 *b = disk->buf;

	table_reset(pt, "gpt");
	for (u64 lba = hdr->entries_lba; slot < hdr->nr_entries; lba++) {
		u32 in_block = min(per_block, hdr->nr_entries - slot);
		int err = disk_read(disk, lba);

		if (err)
			return err;
		crc = crc32(crc, b, (size_t)in_block * hdr->entry_size);
		for (u32 i = 0; i < in_block; i++, slot++) {
			const u8 *e = b + i * hdr->entry_size;
			u64 start = get_le64(e + 32), end = get_le64(e + 40);
			int before = pt->count;
			struct partition *p;

			if (guid_is_zero(e))
				continue;
			if (end < start) {
				pt->rejected++;
				continue;
			}
			table_add(pt, slot + 1, start, end - start + 1, hdr->first_usable,
				  hdr->last_usable);
			if (pt->count == before)
				continue;
			p = &pt->parts[before];
			memcpy(p->type_guid, e, 16);
			memcpy(p->uuid, e + 16, 16);
			gpt_name(p->name, e + 56);
		}
	}
	return crc == hdr->entries_crc ? 0 : -EINVAL;
}

/* Try the header at lba and its entries; 0 leaves pt filled. */
static int gpt_try(const struct partition_disk *disk, u64 lba, struct partition_table *pt)
{
	struct gpt_header hdr;
	int err = gpt_read_header(disk, lba, &hdr);

	if (!err)
		err = gpt_read_entries(disk, &hdr, pt);
	if (err)
		table_reset(pt, "none");
	return err;
}

static int gpt_scan(const struct partition_disk *disk, struct partition_table *pt)
{
	int err = gpt_try(disk, 1, pt);

	if (err == -EINVAL) {
		err = gpt_try(disk, disk->nr_blocks - 1, pt);
		pt->gpt_backup = !err;
	}
	return err;
}

int partition_scan(const struct partition_disk *disk, struct partition_table *pt)
{
	struct mbr_entry entries[4];
	int err;

	table_reset(pt, "none");
	if (!is_pow2(disk->block_size) || disk->block_size < 512 || disk->block_size > 4096 ||
	    disk->nr_blocks < 1 || !disk->read || !disk->buf)
		return -EINVAL;
	err = disk_read(disk, 0);
	if (err)
		return err;
	if (!mbr_decode(disk, entries))
		return 0;
	for (int i = 0; i < 4; i++) {
		if (entries[i].type == MBR_TYPE_GPT_PROTECTIVE)
			return gpt_scan(disk, pt);
	}
	return mbr_scan(disk, pt, entries);
}
