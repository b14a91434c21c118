/*
 * Fuzz the MBR and GPT reader (block/partition.c) with a disk image: the
 * first byte picks the block size (512 or 4096), the next four the disk's
 * size in blocks (at least 1), the rest is a sparse image (fuzz.h) in
 * blocks; every other block reads as zeroes. Every partition found must lie
 * on the disk, inside the table's bounds, and not overlap another.
 */
#include "tests/fuzz/fuzz.h"
#include "block/partition.c"

struct fuzz_disk {
	struct fuzz_image image;
	u64 nr;
	u64 reads;
};

static int fuzz_disk_read(void *ctx, u64 lba, void *buf)
{
	struct fuzz_disk *d = ctx;

	FUZZ_CHECK(lba < d->nr);
	/* a bounded scan: the MBR, an EBR chain, two GPT headers and arrays */
	FUZZ_CHECK(++d->reads <= 2 + MBR_MAX_EBRS + 2 * (1 + GPT_MAX_ENTRIES));
	fuzz_image_read(&d->image, lba * d->image.unit, buf, d->image.unit);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct partition_table pt;
	static u8 *scratch512, *scratch4096;	/* exactly a block each, so ASan bounds reads */
	struct fuzz_disk d;
	struct partition_disk disk;

	if (size < 5)
		return 0;
	d.image = (struct fuzz_image){ data + 5, size - 5, data[0] & 1 ? 4096 : 512 };
	d.nr = (u32)data[1] | (u32)data[2] << 8 | (u32)data[3] << 16 | (u32)data[4] << 24;
	if (!d.nr)
		d.nr = 1;
	d.reads = 0;
	if (!scratch512) {
		scratch512 = malloc(512);
		scratch4096 = malloc(4096);
	}
	disk = (struct partition_disk){ d.image.unit, d.nr, fuzz_disk_read, &d,
					d.image.unit == 512 ? scratch512 : scratch4096 };
	if (partition_scan(&disk, &pt) == 0) {
		FUZZ_CHECK(pt.count >= 0 && pt.count <= PARTITION_MAX);
		for (int i = 0; i < pt.count; i++) {
			const struct partition *p = &pt.parts[i];

			FUZZ_CHECK(p->nr_lbas && p->start_lba < d.nr &&
				   p->nr_lbas <= d.nr - p->start_lba);
			for (int j = 0; j < i; j++)
				FUZZ_CHECK(p->start_lba >= pt.parts[j].start_lba + pt.parts[j].nr_lbas ||
					   pt.parts[j].start_lba >= p->start_lba + p->nr_lbas);
		}
	}
	return 0;
}
