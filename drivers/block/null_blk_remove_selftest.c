/*
 * `selftest blk`: a disk removed under I/O (docs/blk_lifetime.md). Threads
 * that hold a null disk open read it in a loop with requests in flight
 * (timer completions); `nullb del`'s call removes it meanwhile. Every I/O
 * must end (the threads' loops go on), the ones after the removal with
 * -ENODEV; the name is free at once and nobody new can open it; the disk
 * is not freed while the threads hold it, and is freed by their last put.
 */
#include "block/blkdev.h"
#include "drivers/block/null_blk.h"
#include "kernel/mm/page_alloc.h"
#include "kernel/selftest/selftest.h"
#include "kernel/sched/thread.h"
#include "lib/errno.h"
#include "lib/string.h"

#define REMOVE_WORKERS 2
#define NS_PER_MS 1000000ULL

struct remove_worker {
	struct gendisk *disk;		/* the worker's open, put when it stops */
	u64 ok, failed;			/* written by the worker, read after it stops */
	int first_error;
	bool stop;
	struct thread *thread;
};

static int remove_worker_main(void *arg)
{
	struct remove_worker *w = arg;
	void *buf = page_alloc(0);
	u64 n = 0;

	while (buf && !READ_ONCE(w->stop)) {
		int err = blk_rw_sync(w->disk, REQ_OP_READ, (n++ % 256) * 8, buf, 4096, 0);

		if (!err) {
			WRITE_ONCE(w->ok, w->ok + 1);
		} else {
			if (!w->first_error)
				WRITE_ONCE(w->first_error, err);
			WRITE_ONCE(w->failed, w->failed + 1);
			thread_sleep_ns(NS_PER_MS);	/* a dead disk fails at once: do not spin */
		}
	}
	if (buf)
		page_free(buf, 0);
	blkdev_put(w->disk);
	return 0;
}

static void test_remove_under_io(struct selftest *t)
{
	struct remove_worker w[REMOVE_WORKERS] = { 0 };
	struct nullb_config cfg;
	char name[DISK_NAME_LEN];
	u64 registered, released0, released;
	struct gendisk *disk, *again;
	int started = 0;

	nullb_config_default(&cfg);
	cfg.size = 16 << 20;
	cfg.irqmode = NULLB_IRQ_TIMER;
	cfg.completion_ns = 200000;	/* requests stay in flight while the removal runs */
	disk = nullb_create(&cfg);
	ST_ASSERT(t, !IS_ERR(disk));
	strlcpy(name, disk->name, sizeof(name));
	for (int i = 0; i < REMOVE_WORKERS; i++) {
		w[i].disk = blkdev_get_by_name(name);
		ST_ASSERT(t, !IS_ERR(w[i].disk));
		w[i].thread = thread_run("remove-io", remove_worker_main, &w[i]);
		if (IS_ERR(w[i].thread)) {
			blkdev_put(w[i].disk);
			break;
		}
		started++;
	}
	ST_EXPECT_EQ(t, disk_open_count(disk), REMOVE_WORKERS);
	thread_sleep_ns(50 * NS_PER_MS);
	disk_counts(&registered, &released0);

	ST_EXPECT_EQ(t, nullb_destroy(disk), 0);
	/* gone from the registry at once: the name is free, nobody new opens it */
	ST_EXPECT(t, !disk_name_used(name));
	again = blkdev_get_by_name(name);
	ST_EXPECT(t, IS_ERR(again));
	thread_sleep_ns(50 * NS_PER_MS);
	disk_counts(&registered, &released);
	ST_EXPECT_EQ(t, released, released0);	/* still held by the workers */

	for (int i = 0; i < started; i++) {
		WRITE_ONCE(w[i].stop, true);
		thread_join(w[i].thread);
		ST_EXPECT(t, w[i].ok > 0);
		ST_EXPECT(t, w[i].failed > 0);
		ST_EXPECT_EQ(t, w[i].first_error, -ENODEV);
	}
	ST_EXPECT_EQ(t, started, REMOVE_WORKERS);
	disk_counts(&registered, &released);
	ST_EXPECT_EQ(t, released, released0 + 1);	/* the last put freed it */
}
SELFTEST(blk, remove_under_io, test_remove_under_io);
