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
#include "kernel/console.h"
#include "kernel/x86.h"
#include "kernel/mm.h"
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
	n = io_threads_start(t, its, threads, 8, 0, disk, &stop, 20, 0);
	io_threads_join(t, its, threads, n);
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
		ST_EXPECT_EQ(t, blk_queue_in_flight(disk->queue), 0);
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
	for (int round = 0; round < 3; round++) {
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
	unsigned int n = 20000;
	u64 t0 = 0, c0 = 0, c1, t1;

	if (!buf)
		return;
	vec = (struct bio_vec){ virt_to_phys(buf), 4096 };
	for (unsigned int i = 0; i < n + 1000; i++) {
		struct bio bio = { .disk = disk, .sector = (i % 1024) * 8, .size = 4096,
				   .op = REQ_OP_READ, .vecs = &vec, .vcnt = 1 };

		if (i == 1000) {	/* warm */
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
	struct gendisk *null0 = disk_find("null0"), *disk;
	struct nullb_config cfg;

	if (null0)
		perf_loop(t, null0, "null0, inline");
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
