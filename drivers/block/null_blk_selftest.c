/*
 * Self tests of the block core (`selftest blk`), on null devices made for
 * each test and removed after it, as Linux's blktests drive the block layer
 * through null_blk: data through memory-backed null disks, splitting, tag
 * exhaustion, freeze and nr_hw_queues changes under I/O, POLL queues,
 * partitions. They live with the null driver so that block/ depends on no
 * driver.
 */
#include "block/blk_internal.h"
#include "drivers/block/null_blk.h"
#include "kernel/mm/page_alloc.h"
#include "kernel/selftest/selftest.h"
#include "kernel/mm/slab.h"
#include "kernel/sched/thread.h"
#include "kernel/time/time.h"
#include "kernel/console/console.h"
#include "kernel/arch/x86.h"
#include "kernel/mm/mm.h"
#include "lib/byteorder.h"
#include "lib/crc32.h"
#include "lib/printf.h"
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

/* Sums of the counters of every hardware queue of q. */
static void hctx_totals(struct request_queue *q, u64 *dispatched, u64 *completed)
{
	*dispatched = *completed = 0;
	for (unsigned int i = 0; i < q->nr_hw_queues; i++) {
		*dispatched += READ_ONCE(q->hctxs[i]->dispatched);
		*completed += READ_ONCE(q->hctxs[i]->completed);
	}
}

/*
 * A bio of many small vectors, scattered over pages, on a queue of 4 KiB
 * requests of at most 3 segments: it becomes many requests, and the data
 * read back through one large read is what was written.
 */
static void test_split(struct selftest *t)
{
	struct nullb_config cfg;
	struct gendisk *disk;
	struct bio_vec vecs[32];
	u8 *pages = page_zalloc(5), *back = page_zalloc(4);
	u64 d0, c0, d1, c1;
	struct bio bio;

	test_config(&cfg, 8 << 20);
	cfg.max_sectors = 8;
	cfg.max_segments = 3;
	cfg.queues = 1;
	disk = test_disk(t, &cfg);
	if (!disk || !pages || !back)
		goto out;
	/* vector i: 1 KiB at the start of page i (32 KiB of data in all) */
	for (int i = 0; i < 32; i++) {
		fill(pages + i * 4096, 64 + i * 2, 1024, 3);
		vecs[i] = (struct bio_vec){ virt_to_phys(pages + i * 4096), 1024 };
	}
	hctx_totals(disk->queue, &d0, &c0);
	bio = (struct bio){ .disk = disk, .sector = 64, .size = 32 * 1024, .op = REQ_OP_WRITE,
			    .vecs = vecs, .vcnt = 32 };
	ST_EXPECT_EQ(t, submit_bio_wait(&bio), 0);
	hctx_totals(disk->queue, &d1, &c1);
	/* 3 segments of 1 KiB a request: 11 requests */
	ST_EXPECT_EQ(t, d1 - d0, 11);
	ST_EXPECT_EQ(t, c1 - c0, 11);
	ST_EXPECT_EQ(t, blk_rw_sync(disk, REQ_OP_READ, 64, back, 32 * 1024, 0), 0);
	ST_EXPECT(t, check(back, 64, 32 * 1024, 3));
	/* a 16 KiB read of contiguous memory: 4 requests of 8 sectors */
	hctx_totals(disk->queue, &d0, &c0);
	ST_EXPECT_EQ(t, blk_rw_sync(disk, REQ_OP_READ, 64, back, 16384, 0), 0);
	hctx_totals(disk->queue, &d1, &c1);
	ST_EXPECT_EQ(t, d1 - d0, 4);
	/* a failing piece fails the bio once: beyond the end is caught before */
	ST_EXPECT_EQ(t, blk_rw_sync(disk, REQ_OP_READ, disk->capacity - 8, back, 8192, 0), -EIO);
out:
	if (disk)
		nullb_destroy(disk);
	page_free(pages, 5);
	page_free(back, 4);
}
SELFTEST(blk, split, test_split);

/* --- threads doing verified I/O ---------------------------------------------- */

struct io_thread {
	struct gendisk *disk;
	unsigned int index;
	u64 first_sector, sectors;	/* the thread's own range */
	u16 flags;			/* REQ_POLLED, say */
	volatile bool *stop;
	unsigned int min_ios;		/* go on at least this long */
	unsigned int ios, errors, mismatches;
};

/* Write a block with a pattern, read it back and compare, over and over. */
static int io_thread_fn(void *arg)
{
	struct io_thread *it = arg;
	u8 *buf = page_alloc(0), *back = page_alloc(0);
	u64 s = 0;

	if (!buf || !back)
		return -ENOMEM;
	while (it->ios < it->min_ios || !*it->stop) {
		u64 sector = it->first_sector + (s++ % (it->sectors / 8)) * 8;
		u8 seed = (u8)(it->ios + it->index * 17);

		fill(buf, sector, 4096, seed);
		if (blk_rw_sync(it->disk, REQ_OP_WRITE, sector, buf, 4096, it->flags))
			it->errors++;
		if (blk_rw_sync(it->disk, REQ_OP_READ, sector, back, 4096, it->flags))
			it->errors++;
		else if (!check(back, sector, 4096, seed))
			it->mismatches++;
		it->ios++;
	}
	page_free(buf, 0);
	page_free(back, 0);
	return 0;
}

static unsigned int io_threads_start(struct selftest *t, struct io_thread *its,
				     struct thread **threads, unsigned int n, unsigned int first,
				     struct gendisk *disk, volatile bool *stop,
				     unsigned int min_ios, u16 flags)
{
	unsigned int started = 0;

	for (unsigned int i = 0; i < n; i++) {
		its[i] = (struct io_thread){ .disk = disk, .index = first + i,
					     .first_sector = (first + i) * 256,
					     .sectors = 256, .flags = flags, .stop = stop,
					     .min_ios = min_ios };
		threads[i] = thread_create("blk-test", io_thread_fn, &its[i]);
		if (IS_ERR(threads[i])) {
			selftest_fail(t, __FILE__, __LINE__, "thread_create");
			break;
		}
		thread_set_affinity(threads[i], &cpu_online_mask);
		thread_start(threads[i]);
		started++;
	}
	return started;
}

static void io_threads_join(struct selftest *t, struct io_thread *its, struct thread **threads,
			    unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		ST_EXPECT_EQ(t, thread_join(threads[i]), 0);
		ST_EXPECT_EQ(t, its[i].errors, 0);
		ST_EXPECT_EQ(t, its[i].mismatches, 0);
		ST_EXPECT(t, its[i].ios >= its[i].min_ios);
	}
}

/* Depth 2, 8 submitters: most wait for a tag, none loses its I/O. */
static void test_tag_wait(struct selftest *t)
{
	struct nullb_config cfg;
	struct gendisk *disk;
	struct io_thread its[8];
	struct thread *threads[8];
	volatile bool stop = true;
	unsigned int n;

	test_config(&cfg, 8 << 20);
	cfg.depth = 2;
	cfg.queues = 1;
	cfg.irqmode = NULLB_IRQ_TIMER;
	cfg.completion_ns = 50000;
	disk = test_disk(t, &cfg);
	if (!disk)
		return;
	ST_EXPECT_EQ(t, blk_mq_set_nr_requests(disk->queue, 3), -EINVAL);
	ST_EXPECT_EQ(t, blk_mq_set_nr_requests(disk->queue, 1), 0);
	n = io_threads_start(t, its, threads, 8, 0, disk, &stop, 20, 0);
	thread_sleep_ns(3000000);
	ST_EXPECT_EQ(t, blk_mq_set_nr_requests(disk->queue, 2), 0);
	io_threads_join(t, its, threads, n);
	ST_EXPECT_EQ(t, disk->queue->nr_requests, 2);
	ST_EXPECT_EQ(t, sbitmap_weight(&disk->queue->hctxs[0]->tags->bitmap), 0);
	ST_EXPECT(t, list_empty(&disk->queue->hctxs[0]->tags->wait.waiters));
	nullb_destroy(disk);
}
SELFTEST(blk, tag_wait, test_tag_wait);

/* A freeze waits for the I/O in flight and holds new I/O back until the thaw. */
static void test_freeze(struct selftest *t)
{
	struct nullb_config cfg;
	struct gendisk *disk;
	struct io_thread its[4];
	struct thread *threads[4];
	volatile bool stop = false;
	unsigned int n;
	u64 d0, c0, d1, c1;

	test_config(&cfg, 8 << 20);
	cfg.irqmode = NULLB_IRQ_TIMER;
	cfg.completion_ns = 20000;
	disk = test_disk(t, &cfg);
	if (!disk)
		return;
	n = io_threads_start(t, its, threads, 4, 0, disk, &stop, 10, 0);
	for (int round = 0; round < 5; round++) {
		thread_sleep_ns(5000000);
		blk_mq_freeze_queue(disk->queue);
		blk_mq_freeze_queue(disk->queue);	/* nests */
		/* (a submitter backing out may count itself in for an instant) */
		hctx_totals(disk->queue, &d0, &c0);
		ST_EXPECT_EQ(t, d0, c0);
		thread_sleep_ns(3000000);
		hctx_totals(disk->queue, &d1, &c1);
		ST_EXPECT_EQ(t, d1, d0);
		blk_mq_unfreeze_queue(disk->queue);
		ST_EXPECT(t, disk->queue->frozen);
		blk_mq_unfreeze_queue(disk->queue);
		ST_EXPECT(t, !disk->queue->frozen);
	}
	stop = true;
	io_threads_join(t, its, threads, n);
	nullb_destroy(disk);
}
SELFTEST(blk, freeze, test_freeze);

/*
 * The number of hardware queues changes again and again (with and without
 * a POLL queue) while threads write, read back and compare: every I/O ends,
 * once, with its data.
 */
static void test_update_nr_hw_queues(struct selftest *t)
{
	static const unsigned int layouts[][2] = {
		{ 1, 0 }, { 4, 0 }, { 2, 1 }, { 3, 0 }, { 1, 1 }, { 8, 2 }, { 2, 0 },
	};
	struct nullb_config cfg;
	struct gendisk *disk;
	struct io_thread its[6];
	struct thread *threads[6];
	volatile bool stop = false;
	unsigned int n;
	u64 d, c;

	test_config(&cfg, 8 << 20);
	cfg.irqmode = NULLB_IRQ_TIMER;
	cfg.completion_ns = 20000;
	cfg.depth = 4;
	disk = test_disk(t, &cfg);
	if (!disk)
		return;
	/* half of them ask for polling: they poll whatever POLL queue there is */
	n = io_threads_start(t, its, threads, 3, 0, disk, &stop, 20, 0);
	n += io_threads_start(t, its + 3, threads + 3, 3, 3, disk, &stop, 20, REQ_POLLED);
	for (unsigned int round = 0, rounds = selftest_scaled(3, 1); round < rounds; round++) {
		for (size_t i = 0; i < ARRAY_SIZE(layouts); i++) {
			struct blk_mq_tag_set *set = disk->queue->tag_set;

			thread_sleep_ns(2000000);
			ST_EXPECT_EQ(t, blk_mq_update_nr_hw_queues(set, layouts[i][0] + layouts[i][1],
								   layouts[i][1]), 0);
			ST_EXPECT_EQ(t, disk->queue->nr_hw_queues, layouts[i][0] + layouts[i][1]);
			ST_EXPECT_EQ(t, disk->queue->poll_enabled, layouts[i][1] > 0);
		}
	}
	ST_EXPECT_EQ(t, blk_mq_update_nr_hw_queues(disk->queue->tag_set, 2, 2), -EINVAL);
	stop = true;
	io_threads_join(t, its, threads, n);
	hctx_totals(disk->queue, &d, &c);
	ST_EXPECT_EQ(t, d, c);
	ST_EXPECT_EQ(t, blk_queue_in_flight(disk->queue), 0);
	nullb_destroy(disk);
}
SELFTEST(blk, update_nr_hw_queues, test_update_nr_hw_queues);

/*
 * A first measure of the block layer's cost: 4 KiB reads with
 * submit_bio_wait in a loop on one thread, on null0 (inline completion)
 * and on devices completing by IPI and by timer. Prints TSC cycles and ns
 * per I/O; checks only that every read succeeded.
 */
static void perf_loop(struct selftest *t, struct gendisk *disk, const char *what)
{
	struct bio_vec vec;
	u8 *buf = page_alloc(0);
	unsigned int n = 10000;
	u64 t0 = 0, c0 = 0, c1, t1;

	if (!buf)
		return;
	vec = (struct bio_vec){ virt_to_phys(buf), 4096 };
	for (unsigned int i = 0; i < n + 500; i++) {
		struct bio bio = { .disk = disk, .sector = (i % 1024) * 8, .size = 4096,
				   .op = REQ_OP_READ, .vecs = &vec, .vcnt = 1 };

		if (i == 500) {	/* warm */
			t0 = time_ns();
			c0 = rdtsc();
		}
		if (submit_bio_wait(&bio)) {
			selftest_fail(t, __FILE__, __LINE__, "%s: read %u failed", what, i);
			break;
		}
	}
	c1 = rdtsc();
	t1 = time_ns();
	printf("    %s: %llu cycles, %llu ns per 4 KiB read (%u reads)\n", what,
	       (unsigned long long)((c1 - c0) / n), (unsigned long long)((t1 - t0) / n), n);
	page_free(buf, 0);
}

static void test_perf_null(struct selftest *t)
{
	struct gendisk *null0 = blkdev_get_by_name("null0"), *disk;
	struct nullb_config cfg;

	if (!IS_ERR(null0)) {
		perf_loop(t, null0, "null0, inline");
		blkdev_put(null0);
	}
	nullb_config_default(&cfg);
	cfg.irqmode = NULLB_IRQ_IPI;
	disk = test_disk(t, &cfg);
	if (disk) {
		perf_loop(t, disk, "ipi");
		nullb_destroy(disk);
	}
	cfg.irqmode = NULLB_IRQ_TIMER;
	cfg.completion_ns = 1000;
	disk = test_disk(t, &cfg);
	if (disk) {
		perf_loop(t, disk, "timer 1 us");
		nullb_destroy(disk);
	}
}
SELFTEST(blk, perf_null, test_perf_null);

/* Data through each completion mode, and through a POLL queue. */
static void test_completion_modes(struct selftest *t)
{
	static const u32 modes[] = { NULLB_IRQ_NONE, NULLB_IRQ_IPI, NULLB_IRQ_TIMER };
	u8 *buf = page_alloc(1), *back = page_alloc(1);

	if (!buf || !back)
		goto out;
	for (size_t m = 0; m < ARRAY_SIZE(modes); m++) {
		struct nullb_config cfg;
		struct gendisk *disk;

		test_config(&cfg, 4 << 20);
		cfg.irqmode = modes[m];
		cfg.poll_queues = m == 0 ? 1 : 0;
		disk = test_disk(t, &cfg);
		if (!disk)
			continue;
		fill(buf, 80, 8192, (u8)m);
		ST_EXPECT_EQ(t, blk_rw_sync(disk, REQ_OP_WRITE, 80, buf, 8192, 0), 0);
		memset(back, 0, 8192);
		ST_EXPECT_EQ(t, blk_rw_sync(disk, REQ_OP_READ, 80, back, 8192, 0), 0);
		ST_EXPECT(t, check(back, 80, 8192, (u8)m));
		if (cfg.poll_queues) {
			struct request_queue *q = disk->queue;
			struct blk_mq_hw_ctx *poll = q->hctxs[q->nr_hw_queues - 1];
			u64 before = poll->completed;

			ST_EXPECT(t, q->poll_enabled && poll->type == HCTX_TYPE_POLL);
			ST_EXPECT(t, blk_mq_map_hctx(q, HCTX_TYPE_POLL, 0) == poll);
			memset(back, 0, 8192);
			ST_EXPECT_EQ(t, blk_rw_sync(disk, REQ_OP_READ, 80, back, 8192, REQ_POLLED), 0);
			ST_EXPECT(t, check(back, 80, 8192, (u8)m));
			ST_EXPECT_EQ(t, poll->completed - before, 1);
			/* nothing waits on the POLL queue after that */
			ST_EXPECT_EQ(t, blk_mq_poll(q), 0);
		}
		nullb_destroy(disk);
	}
out:
	page_free(buf, 1);
	page_free(back, 1);
}
SELFTEST(blk, completion_modes, test_completion_modes);

/* A plug holds requests back, then hands them over as one batch. */
static void test_plug_batch(struct selftest *t)
{
	struct nullb_config cfg;
	struct gendisk *disk;
	struct blk_mq_hw_ctx *hctx;
	struct bio bios[8];
	struct bio_vec vec;
	struct blk_plug plug;
	u8 *buf = page_zalloc(0);
	u64 batches4 = 0, done = 0;

	nullb_config_default(&cfg);
	cfg.queues = 1;
	disk = test_disk(t, &cfg);
	if (!disk || !buf)
		goto out;
	hctx = disk->queue->hctxs[0];
	batches4 = hctx->dispatch_batch[3];	/* batches of 8 .. 15 */
	vec = (struct bio_vec){ virt_to_phys(buf), 4096 };
	blk_start_plug(&plug);
	for (int i = 0; i < 8; i++) {
		bios[i] = (struct bio){ .disk = disk, .sector = i * 8, .size = 4096,
					.op = REQ_OP_READ, .vecs = &vec, .vcnt = 1,
					.end_io = NULL };
		submit_bio(&bios[i]);
	}
	done = hctx->completed;
	ST_EXPECT_EQ(t, plug.count, 8);
	blk_finish_plug(&plug);
	ST_EXPECT_EQ(t, hctx->completed - done, 8);
	ST_EXPECT_EQ(t, hctx->dispatch_batch[3] - batches4, 1);
	ST_EXPECT(t, current_thread()->plug == NULL);
out:
	if (disk)
		nullb_destroy(disk);
	page_free(buf, 0);
}
SELFTEST(blk, plug_batch, test_plug_batch);

/*
 * A GPT written to a memory-backed null disk becomes partitions on a
 * rescan; I/O through a partition lands at its offset on the whole disk.
 */
static void test_partitions(struct selftest *t)
{
	const u64 nr = 8192, start = 2048, end = 4095;
	struct nullb_config cfg;
	struct gendisk *disk, *part;
	char name[DISK_NAME_LEN];
	u8 *b = page_zalloc(1), *back = page_zalloc(0);

	test_config(&cfg, nr * 512);
	disk = test_disk(t, &cfg);
	if (!disk || !b || !back)
		goto out;
	/* LBA 0: protective MBR */
	b[446 + 4] = 0xee;
	put_le32(b + 446 + 8, 1);
	put_le32(b + 446 + 12, (u32)(nr - 1));
	b[510] = 0x55;
	b[511] = 0xaa;
	/* LBA 2: 4 entries of 128 bytes, the second one used */
	u8 *e = b + 1024 + 128;
	for (int i = 0; i < 16; i++)
		e[i] = (u8)(0x10 + i), e[16 + i] = (u8)(0x40 + i);
	put_le64(e + 32, start);
	put_le64(e + 40, end);
	e[56] = 'd';
	/* LBA 1: header */
	u8 *h = b + 512;
	memcpy(h, "EFI PART", 8);
	put_le32(h + 8, 0x10000);
	put_le32(h + 12, 92);
	put_le64(h + 24, 1);
	put_le64(h + 32, nr - 1);
	put_le64(h + 40, 34);
	put_le64(h + 48, nr - 34);
	put_le64(h + 72, 2);
	put_le32(h + 80, 4);
	put_le32(h + 84, 128);
	put_le32(h + 88, crc32(0, b + 1024, 4 * 128));
	put_le32(h + 16, crc32(0, h, 92));
	ST_ASSERT_EQ(t, blk_rw_sync(disk, REQ_OP_WRITE, 0, b, 1536, 0), 0);
	ST_EXPECT_EQ(t, disk_rescan_partitions(disk), 0);
	snprintf(name, sizeof(name), "%sp2", disk->name);
	part = blkdev_get_by_name(name);
	ST_ASSERT(t, !IS_ERR(part));
	ST_EXPECT(t, part->whole == disk && part->partno == 2);
	ST_EXPECT_EQ(t, part->part_offset, start);
	ST_EXPECT_EQ(t, part->capacity, end - start + 1);
	fill(back, 0, 512, 9);
	ST_EXPECT_EQ(t, blk_rw_sync(part, REQ_OP_WRITE, 5, back, 512, 0), 0);
	memset(back, 0, 512);
	ST_EXPECT_EQ(t, blk_rw_sync(disk, REQ_OP_READ, start + 5, back, 512, 0), 0);
	ST_EXPECT(t, check(back, 0, 512, 9));
	/* the partition's end is its own */
	ST_EXPECT_EQ(t, blk_rw_sync(part, REQ_OP_READ, part->capacity, back, 512, 0), -EIO);
	/* wiping the table and rescanning removes it, once nobody holds it open */
	memset(b, 0, 1536);
	ST_EXPECT_EQ(t, blk_rw_sync(disk, REQ_OP_WRITE, 0, b, 1536, 0), 0);
	ST_EXPECT_EQ(t, disk_open_count(disk), 1);
	ST_EXPECT_EQ(t, disk_rescan_partitions(disk), -EBUSY);
	ST_EXPECT(t, disk_name_used(name));
	blkdev_put(part);
	ST_EXPECT_EQ(t, disk_rescan_partitions(disk), 0);
	ST_EXPECT(t, !disk_name_used(name));
out:
	if (disk)
		nullb_destroy(disk);
	page_free(b, 1);
	page_free(back, 0);
}
SELFTEST(blk, partitions, test_partitions);

/* --- the elevator hook, with a first-in first-out scheduler of the test's ---------- */

struct fifo_data {
	spinlock_t lock;
	struct list_head list;
	unsigned int inserted, dispatched, completed;
};

static int fifo_init(struct request_queue *q)
{
	struct fifo_data *fd = kzalloc(sizeof(*fd));

	if (!fd)
		return -ENOMEM;
	spin_init(&fd->lock);
	INIT_LIST_HEAD(&fd->list);
	q->elevator_data = fd;
	return 0;
}

static struct fifo_data *fifo_last;	/* kept for the checks after exit */

static void fifo_exit(struct request_queue *q)
{
	fifo_last = q->elevator_data;
}

static void fifo_insert(struct blk_mq_hw_ctx *hctx, struct list_head *list)
{
	struct fifo_data *fd = hctx->queue->elevator_data;
	unsigned long flags = spin_lock_irqsave(&fd->lock);
	struct request *rq;

	list_for_each_entry(rq, list, queuelist)
		fd->inserted++;
	list_splice_tail_init(list, &fd->list);
	spin_unlock_irqrestore(&fd->lock, flags);
}

static struct request *fifo_dispatch(struct blk_mq_hw_ctx *hctx)
{
	struct fifo_data *fd = hctx->queue->elevator_data;
	unsigned long flags = spin_lock_irqsave(&fd->lock);
	struct request *rq = NULL, *pos;

	list_for_each_entry(pos, &fd->list, queuelist) {
		if (pos->hctx == hctx) {
			rq = pos;
			list_del_init(&rq->queuelist);
			fd->dispatched++;
			break;
		}
	}
	spin_unlock_irqrestore(&fd->lock, flags);
	return rq;
}

static void fifo_completed(struct request *rq)
{
	struct fifo_data *fd = rq->q->elevator_data;

	__atomic_fetch_add(&fd->completed, 1, __ATOMIC_RELAXED);
}

static const struct elevator_type fifo_elevator = {
	.name = "test-fifo",
	.init = fifo_init,
	.exit = fifo_exit,
	.insert_requests = fifo_insert,
	.dispatch_request = fifo_dispatch,
	.completed_request = fifo_completed,
};

static void test_elevator(struct selftest *t)
{
	struct nullb_config cfg;
	struct gendisk *disk;
	struct io_thread its[3];
	struct thread *threads[3];
	volatile bool stop = true;
	unsigned int n;

	test_config(&cfg, 4 << 20);
	cfg.irqmode = NULLB_IRQ_TIMER;
	cfg.completion_ns = 10000;
	disk = test_disk(t, &cfg);
	if (!disk)
		return;
	ST_EXPECT_EQ(t, elevator_switch(disk->queue, "no-such"), -EINVAL);
	ST_EXPECT_EQ(t, elevator_switch_type(disk->queue, &fifo_elevator), 0);
	ST_EXPECT(t, !strcmp(elevator_name(disk->queue), "test-fifo"));
	n = io_threads_start(t, its, threads, 3, 0, disk, &stop, 20, 0);
	io_threads_join(t, its, threads, n);
	ST_EXPECT_EQ(t, elevator_switch(disk->queue, "none"), 0);
	ST_ASSERT(t, fifo_last != NULL);
	ST_EXPECT_EQ(t, fifo_last->inserted, 3 * 20 * 2);
	ST_EXPECT_EQ(t, fifo_last->dispatched, 3 * 20 * 2);
	ST_EXPECT_EQ(t, fifo_last->completed, 3 * 20 * 2);
	kfree(fifo_last);
	fifo_last = NULL;
	ST_EXPECT(t, disk->queue->elevator == NULL);
	nullb_destroy(disk);
}
SELFTEST(blk, elevator, test_elevator);
