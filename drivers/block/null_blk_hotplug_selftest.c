/*
 * Self tests of CPU hotplug under I/O (`selftest hotplug`, docs/hotplug.md):
 * CPU 1 and the last CPU taken offline and back, again and again, while
 * threads, some bound to the CPUs that go, write and read back their own
 * blocks of null devices, and another thread walks the queues' CPU maps
 * the way `mq` does. Nothing may be lost (every I/O returns and its data
 * reads back), nothing completed twice (in-flight counts return to zero),
 * and no request may be left on a queue no CPU serves (the drain of an
 * INACTIVE queue), and no active CPU may map to a draining queue. Here with the null
 * driver, whose timer and IPI completion modes ride on exactly what moves
 * (timers, call-function IPIs); virtio and NVMe are cycled under `bench
 * verify=crc32c` by tests/qemu/test_hotplug.py.
 */
#include "block/blk_internal.h"
#include "drivers/block/null_blk.h"
#include "kernel/arch/cpu_hotplug.h"
#include "kernel/mm/page_alloc.h"
#include "kernel/selftest/selftest.h"
#include "kernel/sched/mutex.h"
#include "kernel/sched/thread.h"
#include "kernel/time/time.h"
#include "lib/errno.h"
#include "lib/string.h"

#define HP_THREADS	4
#define HP_ROUNDS	2
#define HP_BLOCK	4096

struct hp_io {
	struct gendisk *disk;
	unsigned int index;
	volatile bool *stop;
	u64 ios, errors, mismatches;
};

static u8 hp_byte(unsigned int index, u64 n, u32 i)
{
	return (u8)(index * 37 + n * 11 + i * 3);
}

/* Write a block of its own, read it back, compare; until told to stop. */
static int hp_io_main(void *arg)
{
	struct hp_io *io = arg;
	u8 *buf = page_alloc(0), *back = page_alloc(0);

	if (!buf || !back) {
		io->errors++;
		goto out;
	}
	for (u64 n = 0; !READ_ONCE(*io->stop); n++) {
		u64 sector = (io->index * 64 + n % 64) * (HP_BLOCK / SECTOR_SIZE);

		for (u32 i = 0; i < HP_BLOCK; i++)
			buf[i] = hp_byte(io->index, n, i);
		if (blk_rw_sync(io->disk, REQ_OP_WRITE, sector, buf, HP_BLOCK, 0) ||
		    blk_rw_sync(io->disk, REQ_OP_READ, sector, back, HP_BLOCK, 0)) {
			io->errors++;
			continue;
		}
		if (memcmp(buf, back, HP_BLOCK))
			io->mismatches++;
		io->ios++;
	}
out:
	if (buf)
		page_free(buf, 0);
	if (back)
		page_free(back, 0);
	return 0;
}

struct hp_reader {
	struct request_queue *q;
	volatile bool *stop;
	u64 walks, bad;
};

/*
 * What `mq` reads, under the lock it takes: every CPU's software queue
 * names one of the queue's live hctxs, and every CPU an hctx claims maps
 * back to it.
 */
static int hp_reader_main(void *arg)
{
	struct hp_reader *r = arg;
	struct request_queue *q = r->q;

	while (!READ_ONCE(*r->stop)) {
		mutex_lock(&q->config_lock);
		for (unsigned int cpu = 0; cpu < nr_cpus; cpu++) {
			struct blk_mq_hw_ctx *h = blk_mq_ctx_of(q, cpu)->hctxs[HCTX_TYPE_DEFAULT];
			bool found = false;

			for (unsigned int i = 0; i < q->nr_hw_queues; i++)
				found |= q->hctxs[i] == h;
			r->bad += !found;
			/* an active CPU never submits to a queue that is draining */
			r->bad += cpumask_test(&cpu_active_mask, cpu) &&
				  (__atomic_load_n(&h->state, __ATOMIC_ACQUIRE) & (1UL << BLK_MQ_S_INACTIVE));
		}
		for (unsigned int i = 0; i < q->nr_hw_queues; i++) {
			unsigned int cpu;

			for_each_cpu_in(cpu, &q->hctxs[i]->cpumask)
				r->bad += blk_mq_ctx_of(q, cpu)->hctxs[HCTX_TYPE_DEFAULT] != q->hctxs[i];
		}
		r->walks++;
		mutex_unlock(&q->config_lock);
		thread_yield();
	}
	return 0;
}

/* Requests held by hardware queues that no CPU serves: must be none. */
static unsigned int hp_orphans(struct request_queue *q)
{
	unsigned int n = 0;

	mutex_lock(&q->config_lock);
	for (unsigned int i = 0; i < q->nr_hw_queues; i++)
		if (!cpumask_weight(&q->hctxs[i]->cpumask))
			n += sbitmap_weight(&q->hctxs[i]->tags->bitmap);
	mutex_unlock(&q->config_lock);
	return n;
}

/*
 * rounds offline/online rounds of CPU 1 and the last CPU (only_cpu >= 0:
 * of that CPU alone, with the bound threads on it) under I/O on a null
 * device with queues hardware queues, each request completing
 * completion_ns after it was issued.
 */
static void hp_cycle_under_io(struct selftest *t, u32 irqmode, unsigned int queues,
			      unsigned int rounds, int only_cpu, u64 completion_ns)
{
	struct nullb_config cfg;
	struct gendisk *disk;
	struct hp_io io[HP_THREADS];
	struct hp_reader reader;
	struct thread *threads[HP_THREADS], *rt;
	volatile bool stop = false;
	unsigned int started = 0, orphans = 0, failed = 0;

	if (nr_cpus < 2)
		return;		/* nothing to take offline */
	nullb_config_default(&cfg);
	cfg.size = 16 << 20;
	cfg.memory_backed = true;
	cfg.queues = queues;
	cfg.irqmode = irqmode;
	cfg.completion_ns = completion_ns;
	disk = nullb_create(&cfg);
	if (IS_ERR(disk)) {
		selftest_fail(t, __FILE__, __LINE__, "nullb_create: %ld", PTR_ERR(disk));
		return;
	}
	reader = (struct hp_reader){ .q = disk->queue, .stop = &stop };
	rt = thread_run("hp-reader", hp_reader_main, &reader);
	ST_ASSERT(t, !IS_ERR(rt));
	for (unsigned int i = 0; i < HP_THREADS; i++) {
		io[i] = (struct hp_io){ .disk = disk, .index = i, .stop = &stop };
		threads[i] = thread_create("hp-io", hp_io_main, &io[i]);
		if (IS_ERR(threads[i]))
			break;
		/* half bound to a CPU that will go, half free to move */
		if (i % 2)
			thread_bind(threads[i], only_cpu >= 0 ? (unsigned int)only_cpu :
						1 + i % (nr_cpus - 1));
		thread_start(threads[i]);
		started++;
	}
	/* let every thread have a request in flight before the first offline */
	thread_sleep_ns(completion_ns / 2);
	for (unsigned int round = 0; round < rounds; round++) {
		for (unsigned int cpu = 1; cpu < nr_cpus; cpu++) {
			/* CPU 1 and the last: every one would make `selftest` on 8 CPUs too slow */
			if (only_cpu >= 0 ? cpu != (unsigned int)only_cpu :
					    cpu != 1 && cpu != nr_cpus - 1)
				continue;
			failed += cpu_down(cpu, NULL) != 0;
			orphans += hp_orphans(disk->queue);
			thread_sleep_ns(2 * 1000 * 1000);
			failed += cpu_up(cpu, NULL) != 0;
			thread_sleep_ns(2 * 1000 * 1000);
		}
	}
	stop = true;
	for (unsigned int i = 0; i < started; i++) {
		thread_join(threads[i]);
		ST_EXPECT_EQ(t, io[i].errors, 0);
		ST_EXPECT_EQ(t, io[i].mismatches, 0);
		ST_EXPECT(t, io[i].ios > 0);
	}
	thread_join(rt);
	ST_EXPECT_EQ(t, started, HP_THREADS);
	ST_EXPECT_EQ(t, failed, 0);
	ST_EXPECT_EQ(t, orphans, 0);
	ST_EXPECT_EQ(t, reader.bad, 0);
	ST_EXPECT(t, reader.walks > 0);
	ST_EXPECT_EQ(t, blk_queue_in_flight(disk->queue), 0);
	ST_EXPECT_EQ(t, cpumask_weight(&cpu_online_mask), nr_cpus);
	nullb_destroy(disk);
}

static void test_cycle_timer(struct selftest *t)
{
	hp_cycle_under_io(t, NULLB_IRQ_TIMER, nr_cpus, HP_ROUNDS, -1, 20000);
}
SELFTEST(hotplug, cycle_timer_completions, test_cycle_timer);

static void test_cycle_ipi(struct selftest *t)
{
	hp_cycle_under_io(t, NULLB_IRQ_IPI, nr_cpus, HP_ROUNDS, -1, 20000);
}
SELFTEST(hotplug, cycle_ipi_completions, test_cycle_ipi);

/*
 * The map switch itself, many times: with half as many queues as CPUs most
 * switches move CPUs from one live hctx to another (no drain), the others
 * drain the queue whose last CPU left, while submitters race the switch.
 */
static void test_map_switch_stress(struct selftest *t)
{
	hp_cycle_under_io(t, NULLB_IRQ_TIMER, nr_cpus > 2 ? nr_cpus / 2 : nr_cpus, 6, 1, 20000);
}
SELFTEST(hotplug, map_switch_stress, test_map_switch_stress);

/*
 * The drain: requests that take 300 ms, far longer than an offline, are
 * in flight on the leaving CPU's queue when its offline begins (the last
 * CPU: with a queue per CPU its queue is the one no CPU maps to after
 * it). cpu_down must wait for them: an undrained queue shows as busy tags
 * on a queue no CPU serves right after it returns.
 */
static void test_drain_before_offline(struct selftest *t)
{
	hp_cycle_under_io(t, NULLB_IRQ_TIMER, nr_cpus, 1, (int)nr_cpus - 1, 300 * 1000 * 1000);
}
SELFTEST(hotplug, drain_before_offline, test_drain_before_offline);

static void test_refusals(struct selftest *t)
{
	ST_EXPECT_EQ(t, cpu_down(0, NULL), -EBUSY);
	ST_EXPECT_EQ(t, cpu_down(nr_cpus, NULL), -EINVAL);
	if (nr_cpus < 2)
		return;
	ST_EXPECT_EQ(t, cpu_up(1, NULL), -EALREADY);
	ST_ASSERT(t, cpu_down(1, NULL) == 0);
	ST_EXPECT_EQ(t, cpu_down(1, NULL), -EALREADY);
	ST_EXPECT(t, !cpumask_test(&cpu_online_mask, 1));
	ST_EXPECT(t, !cpumask_test(&cpu_active_mask, 1));
	ST_EXPECT_EQ(t, cpu_up(1, NULL), 0);
	ST_EXPECT(t, cpumask_test(&cpu_online_mask, 1));
}
SELFTEST(hotplug, refusals, test_refusals);
