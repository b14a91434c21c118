/*
 * Self tests of the block core (`selftest blk`), on null devices made for
 * each test and removed after it: data through memory-backed null disks,
 * splitting, tag exhaustion, freeze and nr_hw_queues changes under I/O,
 * POLL queues, partitions.
 */
#include "block/blk-internal.h"
#include "drivers/null_blk.h"
#include "kernel/page_alloc.h"
#include "kernel/selftest.h"
#include "kernel/slab.h"
#include "kernel/thread.h"
#include "kernel/time.h"
#include "lib/errno.h"
#include "lib/string.h"

static struct gendisk *test_disk(struct selftest *t, const struct nullb_config *cfg)
{
	struct gendisk *disk = nullb_create(cfg);

	if (IS_ERR(disk)) {
		selftest_fail(t, __FILE__, __LINE__, "nullb_create: %ld", PTR_ERR(disk));
		return NULL;
	}
	return disk;
}

static void test_config(struct nullb_config *cfg, u64 size)
{
	nullb_config_default(cfg);
	cfg->size = size;
	cfg->memory_backed = true;
}

/* byte i of a block-sized pattern for sector s */
static u8 pattern_byte(u64 sector, u32 i, u8 seed)
{
	return (u8)(sector * 131 + i * 7 + seed);
}

static void fill(u8 *buf, u64 sector, u32 len, u8 seed)
{
	for (u32 i = 0; i < len; i++)
		buf[i] = pattern_byte(sector + i / SECTOR_SIZE, i % SECTOR_SIZE, seed);
}

static bool check(const u8 *buf, u64 sector, u32 len, u8 seed)
{
	for (u32 i = 0; i < len; i++)
		if (buf[i] != pattern_byte(sector + i / SECTOR_SIZE, i % SECTOR_SIZE, seed))
			return false;
	return true;
}

static void test_rw_verify(struct selftest *t)
{
	struct nullb_config cfg;
	struct gendisk *disk;
	u8 *buf = page_alloc(2), *back = page_zalloc(2);
	u8 stackbuf[1024] __aligned(512);

	test_config(&cfg, 16 << 20);
	disk = test_disk(t, &cfg);
	if (!disk || !buf || !back)
		goto out;
	/* never written: zeroes */
	ST_EXPECT_EQ(t, blk_rw_sync(disk, REQ_OP_READ, 100, back, 16384, 0), 0);
	ST_EXPECT(t, back[0] == 0 && back[16383] == 0);
	fill(buf, 8, 16384, 1);
	ST_EXPECT_EQ(t, blk_rw_sync(disk, REQ_OP_WRITE, 8, buf, 16384, 0), 0);
	memset(back, 0xee, 16384);
	ST_EXPECT_EQ(t, blk_rw_sync(disk, REQ_OP_READ, 8, back, 16384, 0), 0);
	ST_EXPECT(t, check(back, 8, 16384, 1));
	/* a kernel stack buffer: vm_translate, page by page */
	ST_EXPECT_EQ(t, blk_rw_sync(disk, REQ_OP_READ, 9, stackbuf, sizeof(stackbuf), 0), 0);
	ST_EXPECT(t, check(stackbuf, 9, sizeof(stackbuf), 1));
	/* write-zeroes and discard read back as zeroes */
	ST_EXPECT_EQ(t, blk_rw_sync(disk, REQ_OP_WRITE_ZEROES, 8, NULL, 1024, 0), 0);
	ST_EXPECT_EQ(t, blk_rw_sync(disk, REQ_OP_DISCARD, 12, NULL, 512, 0), 0);
	ST_EXPECT_EQ(t, blk_rw_sync(disk, REQ_OP_READ, 8, back, 4096, 0), 0);
	ST_EXPECT(t, back[0] == 0 && back[1023] == 0 && back[2048] == 0 && back[2559] == 0);
	ST_EXPECT(t, check(back + 1024, 10, 1024, 1) && check(back + 2560, 13, 1536, 1));
	ST_EXPECT_EQ(t, blk_rw_sync(disk, REQ_OP_FLUSH, 0, NULL, 0, 0), 0);
	/* errors */
	ST_EXPECT_EQ(t, blk_rw_sync(disk, REQ_OP_READ, disk->capacity, back, 512, 0), -EIO);
	ST_EXPECT_EQ(t, blk_rw_sync(disk, REQ_OP_READ, 0, back + 1, 512, 0), -EINVAL);
	ST_EXPECT_EQ(t, blk_rw_sync(disk, REQ_OP_READ, 0, back, 100, 0), -EINVAL);
	disk->read_only = true;
	ST_EXPECT_EQ(t, blk_rw_sync(disk, REQ_OP_WRITE, 0, buf, 512, 0), -EROFS);
	disk->read_only = false;
out:
	if (disk)
		nullb_destroy(disk);
	page_free(buf, 2);
	page_free(back, 2);
}
SELFTEST(blk, rw_verify, test_rw_verify);
