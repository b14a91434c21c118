/*
 * Self tests of io-contexts and mq-deadline (`selftest ioprio`), on null
 * devices (so they live with null_blk, as the block core's do): sharing and
 * inheritance across thread_create_flags, an io_cq's life from either side
 * (the context's threads go; the scheduler or the disk goes), races of both
 * on every CPU while disks come and go and schedulers switch under I/O,
 * the class order of mq-deadline on a shallow device, and that every
 * io_context and io_cq object returns to the slab afterwards.
 */
#include "block/blk_internal.h"
#include "block/blk_ioc.h"
#include "block/ioprio.h"
#include "drivers/block/null_blk.h"
#include "kernel/arch/percpu.h"
#include "kernel/mm/mm.h"
#include "kernel/mm/slab.h"
#include "kernel/selftest/selftest.h"
#include "kernel/selftest/selftest_workers.h"
#include "kernel/sched/thread.h"
#include "kernel/sched/wait.h"
#include "kernel/time/time.h"
#include "lib/errno.h"
#include "lib/string.h"

#define MS 1000000ULL

/* kblockd frees an io_context that had icqs: give it a moment. */
static bool counts_back(unsigned long iocs, unsigned long icqs)
{
	for (unsigned int i = 0; i < 200; i++) {
		if (ioc_count() == iocs && icq_count() == icqs)
			return true;
		thread_sleep_ns(5 * MS);
	}
	return false;
}

static struct gendisk *ioc_test_disk(struct selftest *t, u32 depth, u32 queues)
{
	struct nullb_config cfg;
	struct gendisk *disk;

	nullb_config_default(&cfg);
	cfg.size = 16 << 20;
	cfg.depth = depth;
	cfg.queues = queues;
	disk = nullb_create(&cfg);
	if (IS_ERR(disk)) {
		selftest_fail(t, __FILE__, __LINE__, "nullb_create: %ld", PTR_ERR(disk));
		return NULL;
	}
	return disk;
}

static int ioc_child_fn(void *arg)
{
	(void)arg;
	return 0;
}

static void test_share_inherit(struct selftest *t)
{
	struct thread *self = current_thread(), *shared, *inherited, *plain;
	unsigned long iocs;
	struct io_context *ioc;
	u8 old = ioc_thread_ioprio(self);

	ST_ASSERT(t, ioc_thread_set_ioprio(self, ioprio_value(IOPRIO_CLASS_RT, 1)) == 0);
	ioc = self->io_context;
	ST_ASSERT(t, ioc != NULL);
	iocs = ioc_count();

	shared = thread_create_flags("st-ioc-share", ioc_child_fn, NULL, THREAD_CLONE_IO);
	ST_ASSERT(t, !IS_ERR(shared));
	ST_EXPECT(t, shared->io_context == ioc);
	ST_EXPECT_EQ(t, ioc->nr_tasks, 2);
	ST_EXPECT_EQ(t, ioc->active_ref, 2);
	ST_EXPECT_EQ(t, ioc_count(), iocs);

	inherited = thread_create("st-ioc-inherit", ioc_child_fn, NULL);
	ST_ASSERT(t, !IS_ERR(inherited));
	ST_EXPECT(t, inherited->io_context != NULL && inherited->io_context != ioc);
	ST_EXPECT_EQ(t, ioc_thread_ioprio(inherited), ioprio_value(IOPRIO_CLASS_RT, 1));
	ST_EXPECT_EQ(t, ioc_count(), iocs + 1);
	/* the child's own: setting it leaves the creator's alone */
	ST_EXPECT_EQ(t, ioc_thread_set_ioprio(inherited, ioprio_value(IOPRIO_CLASS_IDLE, 0)), 0);
	ST_EXPECT_EQ(t, ioc_thread_ioprio(self), ioprio_value(IOPRIO_CLASS_RT, 1));
	/* the shared one is the same: setting it through the child shows in the creator */
	ST_EXPECT_EQ(t, ioc_thread_set_ioprio(shared, ioprio_value(IOPRIO_CLASS_BE, 6)), 0);
	ST_EXPECT_EQ(t, ioc_thread_ioprio(self), ioprio_value(IOPRIO_CLASS_BE, 6));

	thread_start(shared);
	thread_start(inherited);
	thread_join(shared);
	thread_join(inherited);
	ST_EXPECT_EQ(t, ioc->nr_tasks, 1);
	ST_EXPECT_EQ(t, ioc->active_ref, 1);
	ST_EXPECT(t, counts_back(iocs, icq_count()));

	/* no priority set: the child starts without a context (made on its first I/O) */
	ST_EXPECT_EQ(t, ioc_thread_set_ioprio(self, 0), 0);
	plain = thread_create("st-ioc-plain", ioc_child_fn, NULL);
	ST_ASSERT(t, !IS_ERR(plain));
	ST_EXPECT(t, plain->io_context == NULL);
	/* a thread that never runs gives back what it has on being freed */
	ST_EXPECT_EQ(t, ioc_thread_set_ioprio(plain, ioprio_value(IOPRIO_CLASS_BE, 0)), 0);
	ST_EXPECT_EQ(t, ioc_count(), iocs + 1);
	thread_start(plain);
	thread_join(plain);
	ST_EXPECT(t, counts_back(iocs, icq_count()));
	ioc_thread_set_ioprio(self, old);
}
SELFTEST(ioprio, share_inherit, test_share_inherit);

/* A thread that does one read and then waits for a go before it exits. */
struct icq_holder {
	struct gendisk *disk;
	volatile bool go;
	volatile bool done_io;
	struct wait_queue wait;
	int err;
};

static int icq_holder_fn(void *arg)
{
	struct icq_holder *h = arg;
	static u8 buf[512] __aligned(512);

	h->err = blk_rw_sync(h->disk, REQ_OP_READ, 0, buf, sizeof(buf), 0);
	WRITE_ONCE(h->done_io, true);
	wait_event(h->wait, READ_ONCE(h->go));
	return 0;
}

static struct thread *icq_holder_start(struct icq_holder *h, struct gendisk *disk)
{
	struct thread *th;

	memset(h, 0, sizeof(*h));
	h->disk = disk;
	wait_queue_init(&h->wait);
	th = thread_run("st-icq", icq_holder_fn, h);
	if (IS_ERR(th))
		return th;
	while (!READ_ONCE(h->done_io))
		thread_sleep_ns(1 * MS);
	return th;
}

static void icq_holder_stop(struct icq_holder *h, struct thread *th)
{
	WRITE_ONCE(h->go, true);
	wake_up_all(&h->wait);
	thread_join(th);
}

static void test_icq_lifecycle(struct selftest *t)
{
	unsigned long iocs = ioc_count(), icqs = icq_count();
	struct icq_holder h;
	struct gendisk *disk;
	struct thread *th;
	struct io_cq *icq;

	disk = ioc_test_disk(t, 16, 1);
	if (!disk)
		return;
	ST_ASSERT(t, elevator_switch(disk->queue, "mq-deadline") == 0);

	/* the context's side: the thread goes, its icq with it */
	th = icq_holder_start(&h, disk);
	ST_ASSERT(t, !IS_ERR(th));
	ST_EXPECT_EQ(t, h.err, 0);
	ST_EXPECT_EQ(t, ioc_queue_icq_count(disk->queue), 1);
	ST_EXPECT_EQ(t, icq_count(), icqs + 1);
	icq = ioc_lookup_icq(th->io_context, disk->queue);
	ST_EXPECT(t, icq != NULL && icq->q == disk->queue && icq->nr_requests == 1);
	icq_holder_stop(&h, th);
	ST_EXPECT(t, counts_back(iocs, icqs));
	ST_EXPECT_EQ(t, ioc_queue_icq_count(disk->queue), 0);

	/* the queue's side: the scheduler goes while the context lives */
	th = icq_holder_start(&h, disk);
	ST_ASSERT(t, !IS_ERR(th));
	ST_EXPECT_EQ(t, icq_count(), icqs + 1);
	ST_EXPECT_EQ(t, elevator_switch(disk->queue, "none"), 0);
	ST_EXPECT_EQ(t, icq_count(), icqs);
	ST_EXPECT(t, ioc_lookup_icq(th->io_context, disk->queue) == NULL);
	icq_holder_stop(&h, th);
	ST_EXPECT(t, counts_back(iocs, icqs));

	/* and the disk goes while the context lives */
	ST_ASSERT(t, elevator_switch(disk->queue, "mq-deadline") == 0);
	th = icq_holder_start(&h, disk);
	ST_ASSERT(t, !IS_ERR(th));
	ST_EXPECT_EQ(t, icq_count(), icqs + 1);
	nullb_destroy(disk);
	ST_EXPECT_EQ(t, icq_count(), icqs);
	icq_holder_stop(&h, th);
	ST_EXPECT(t, counts_back(iocs, icqs));
}
SELFTEST(ioprio, icq_lifecycle, test_icq_lifecycle);

/*
 * Races: a submitter on every CPU reads from the disks of a small table
 * while the test thread switches their schedulers and replaces disks.
 * A slot's users count keeps a disk from going while someone reads it.
 */
#define RACE_SLOTS 3

struct race_slot {
	spinlock_t lock;
	struct gendisk *disk;		/* NULL while being replaced */
	unsigned int users;
};

struct race {
	struct race_slot slots[RACE_SLOTS];
	volatile bool stop;
	struct selftest *t;
};

static struct gendisk *race_get(struct race *r, unsigned int i)
{
	struct race_slot *s = &r->slots[i % RACE_SLOTS];
	unsigned long flags = spin_lock_irqsave(&s->lock);
	struct gendisk *disk = s->disk;

	if (disk)
		s->users++;
	spin_unlock_irqrestore(&s->lock, flags);
	return disk;
}

static void race_put(struct race *r, unsigned int i)
{
	struct race_slot *s = &r->slots[i % RACE_SLOTS];
	unsigned long flags = spin_lock_irqsave(&s->lock);

	s->users--;
	spin_unlock_irqrestore(&s->lock, flags);
}

static int race_worker(struct selftest_worker *w)
{
	struct race *r = w->ctx;
	static u8 bufs[16][4096] __aligned(4096);
	u8 *buf = bufs[w->index % 16];
	unsigned int i = w->index;
	u64 n = 0;

	while (!READ_ONCE(r->stop)) {
		struct gendisk *disk = race_get(r, i);

		if (disk) {
			if (blk_rw_sync(disk, REQ_OP_READ, (n % 64) * 8, buf, 4096, 0))
				w->result++;
			race_put(r, i);
			n++;
		}
		i++;	/* the next disk: the hint misses, the hash finds */
	}
	return 0;
}

static void race_replace(struct selftest *t, struct race *r, unsigned int i, u32 queues)
{
	struct race_slot *s = &r->slots[i];
	struct gendisk *old, *disk;
	unsigned long flags = spin_lock_irqsave(&s->lock);

	old = s->disk;
	s->disk = NULL;
	spin_unlock_irqrestore(&s->lock, flags);
	while (READ_ONCE(s->users))
		thread_sleep_ns(1 * MS);
	if (old)
		nullb_destroy(old);
	disk = ioc_test_disk(t, 16, queues);
	if (disk && elevator_switch(disk->queue, "mq-deadline"))
		selftest_fail(t, __FILE__, __LINE__, "mq-deadline on %s", disk->name);
	flags = spin_lock_irqsave(&s->lock);
	s->disk = disk;
	spin_unlock_irqrestore(&s->lock, flags);
}

static void test_icq_races(struct selftest *t)
{
	unsigned long iocs = ioc_count(), icqs = icq_count();
	struct selftest_workers ws;
	static struct race r;
	u64 end;

	memset(&r, 0, sizeof(r));
	r.t = t;
	for (unsigned int i = 0; i < RACE_SLOTS; i++) {
		spin_init(&r.slots[i].lock);
		race_replace(t, &r, i, i + 1);
	}
	ST_ASSERT(t, selftest_workers_start(&ws, "st-icq-race", 1, THREAD_PRIO_DEFAULT,
					    race_worker, &r) == 0);
	end = time_ns() + 300 * MS;
	for (unsigned int round = 0; time_ns() < end; round++) {
		struct gendisk *disk = race_get(&r, round);

		/* switch one disk's scheduler under I/O, replace another */
		if (disk) {
			ST_EXPECT_EQ(t, elevator_switch(disk->queue,
							round & 1 ? "none" : "mq-deadline"), 0);
			race_put(&r, round);
		}
		race_replace(t, &r, (round + 1) % RACE_SLOTS, round % 2 + 1);
		thread_sleep_ns(20 * MS);
	}
	WRITE_ONCE(r.stop, true);
	ST_EXPECT_EQ(t, selftest_workers_join(&ws), 0);
	for (unsigned int i = 0; i < ws.n; i++)
		ST_EXPECT_EQ(t, ws.w[i].result, 0);
	selftest_workers_free(&ws);
	for (unsigned int i = 0; i < RACE_SLOTS; i++)
		if (r.slots[i].disk)
			nullb_destroy(r.slots[i].disk);
	ST_EXPECT(t, counts_back(iocs, icqs));
	kmem_cache_shrink_all();
}
SELFTEST(ioprio, icq_races, test_icq_races);

/*
 * The class order on a device of depth 1 (hw_depth 1): with BE requests
 * queued ahead, an RT request inserted later is dispatched next, and an
 * IDLE one only when nothing else is queued.
 */
struct order_io {
	struct bio bio;
	struct bio_vec vec;
	u64 done_seq;
};

static u64 order_seq;

static void order_end_io(struct bio *bio)
{
	struct order_io *io = bio->private;

	io->done_seq = __atomic_add_fetch(&order_seq, 1, __ATOMIC_SEQ_CST);
}

static void test_class_order(struct selftest *t)
{
	static u8 buf[4096] __aligned(4096);
	static struct order_io ios[8];
	static const u8 prios[8] = {
		IOPRIO_CLASS_BE << 3, IOPRIO_CLASS_IDLE << 3, IOPRIO_CLASS_BE << 3,
		IOPRIO_CLASS_BE << 3, IOPRIO_CLASS_RT << 3, IOPRIO_CLASS_BE << 3,
		IOPRIO_CLASS_IDLE << 3, IOPRIO_CLASS_RT << 3,
	};
	struct nullb_config cfg;
	struct gendisk *disk;
	struct blk_plug plug;
	u64 rt_max = 0, be_min = ~0ULL, be_max = 0, idle_min = ~0ULL;

	nullb_config_default(&cfg);
	cfg.size = 16 << 20;
	cfg.queues = 1;
	cfg.irqmode = NULLB_IRQ_TIMER;
	cfg.completion_ns = 200000;
	disk = nullb_create(&cfg);
	ST_ASSERT(t, !IS_ERR(disk));
	ST_ASSERT(t, elevator_switch(disk->queue, "mq-deadline") == 0);
	ST_ASSERT(t, elevator_attr_set(disk->queue, disk->queue->elevator,
				       elevator_attr_find(disk->queue->elevator, "hw_depth"), 1) == 0);
	order_seq = 0;
	/* one plug: all are inserted together, then dispatched one at a time */
	blk_start_plug(&plug);
	for (unsigned int i = 0; i < 8; i++) {
		struct order_io *io = &ios[i];

		memset(io, 0, sizeof(*io));
		io->vec.phys = virt_to_phys(buf);
		io->vec.len = 4096;
		io->bio.disk = disk;
		io->bio.sector = i * 64;	/* apart: no merges */
		io->bio.size = 4096;
		io->bio.op = REQ_OP_READ;
		io->bio.ioprio = prios[i];
		io->bio.vecs = &io->vec;
		io->bio.vcnt = 1;
		io->bio.end_io = order_end_io;
		io->bio.private = io;
		submit_bio(&io->bio);
	}
	blk_finish_plug(&plug);
	for (unsigned int i = 0; i < 400 && READ_ONCE(order_seq) < 8; i++)
		thread_sleep_ns(5 * MS);
	ST_ASSERT(t, READ_ONCE(order_seq) == 8);
	for (unsigned int i = 0; i < 8; i++) {
		u64 s = ios[i].done_seq;

		ST_EXPECT_EQ(t, ios[i].bio.status, 0);
		switch (ioprio_class_of(prios[i])) {
		case IOPRIO_CLASS_RT:
			rt_max = max(rt_max, s);
			break;
		case IOPRIO_CLASS_BE:
			be_min = min(be_min, s);
			be_max = max(be_max, s);
			break;
		default:
			idle_min = min(idle_min, s);
		}
	}
	/* the first BE request may already be at the driver when the RT ones arrive */
	ST_EXPECT(t, rt_max <= 3);
	ST_EXPECT(t, be_max < idle_min);
	ST_EXPECT(t, be_min >= 1);
	nullb_destroy(disk);
}
SELFTEST(ioprio, class_order, test_class_order);

/*
 * Merges, on a memory-backed disk held one deep: four writes inserted
 * together (A at 0, C at 16, D at 24, B at 8 sectors) become one request
 * (D into C, then B into A, which then takes C and what C had taken), all
 * four complete, and the data reads back where each one put it.
 */
static struct order_io merge_ios[5];

static void test_merge_chain(struct selftest *t)
{
	static const u64 sectors[5] = { 4096, 0, 16, 24, 8 };	/* a blocker, A, C, D, B */
	static u8 bufs[5][4096] __aligned(4096);
	static u8 back[32 * SECTOR_SIZE] __aligned(4096);
	const struct elevator_type *e;
	struct nullb_config cfg;
	struct gendisk *disk;
	struct blk_plug plug;

	nullb_config_default(&cfg);
	cfg.size = 16 << 20;
	cfg.queues = 1;
	cfg.memory_backed = true;
	cfg.irqmode = NULLB_IRQ_TIMER;
	cfg.completion_ns = 2000000;
	disk = nullb_create(&cfg);
	ST_ASSERT(t, !IS_ERR(disk));
	ST_ASSERT(t, elevator_switch(disk->queue, "mq-deadline") == 0);
	e = disk->queue->elevator;
	ST_ASSERT(t, elevator_attr_set(disk->queue, e, elevator_attr_find(e, "hw_depth"), 1) == 0);
	order_seq = 0;
	for (unsigned int i = 0; i < 5; i++) {
		struct order_io *io = &merge_ios[i];

		memset(bufs[i], 0x10 + i, sizeof(bufs[i]));
		memset(io, 0, sizeof(*io));
		io->vec.phys = virt_to_phys(bufs[i]);
		io->vec.len = 4096;
		io->bio.disk = disk;
		io->bio.sector = sectors[i];
		io->bio.size = 4096;
		io->bio.op = REQ_OP_WRITE;
		io->bio.vecs = &io->vec;
		io->bio.vcnt = 1;
		io->bio.end_io = order_end_io;
		io->bio.private = io;
		/* the blocker goes alone, so the others wait together behind it */
		if (i == 1)
			blk_start_plug(&plug);
		submit_bio(&io->bio);
	}
	blk_finish_plug(&plug);
	for (unsigned int i = 0; i < 400 && READ_ONCE(order_seq) < 5; i++)
		thread_sleep_ns(5 * MS);
	ST_ASSERT(t, READ_ONCE(order_seq) == 5);
	for (unsigned int i = 0; i < 5; i++)
		ST_EXPECT_EQ(t, merge_ios[i].bio.status, 0);
	/* A, B, C, D were one device command: they completed together */
	ST_EXPECT(t, merge_ios[0].done_seq == 1);
	ST_EXPECT_EQ(t, blk_rw_sync(disk, REQ_OP_READ, 0, back, sizeof(back), 0), 0);
	for (unsigned int s = 0; s < 32; s++) {
		/* sectors 0-7 from A (buf 1), 8-15 B (4), 16-23 C (2), 24-31 D (3) */
		static const u8 owner[4] = { 1, 4, 2, 3 };
		u8 want = (u8)(0x10 + owner[s / 8]);

		if (back[s * SECTOR_SIZE] != want || back[s * SECTOR_SIZE + 511] != want) {
			selftest_fail(t, __FILE__, __LINE__, "sector %u: 0x%x, not 0x%x", s,
				      back[s * SECTOR_SIZE], want);
			break;
		}
	}
	{
		struct elv_class_stats st[3];

		ST_ASSERT(t, e->class_stats(disk->queue, st, 3) == 3);
		ST_EXPECT_EQ(t, st[1].merged, 3);
		ST_EXPECT_EQ(t, st[1].inserted, 6);	/* 5 writes and the read */
		ST_EXPECT_EQ(t, st[1].dispatched, 3);
	}
	nullb_destroy(disk);
}
SELFTEST(ioprio, merge_chain, test_merge_chain);
