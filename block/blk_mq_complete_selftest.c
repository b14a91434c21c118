/*
 * Self tests of completion affinity (`selftest blk`, rq_affinity_*;
 * docs/rq_affinity.md). A small driver made here takes every request's
 * "interrupt" on one chosen CPU (a call-function IPI to it, as a device
 * whose vector is aimed there), and threads bound to other CPUs submit:
 * each bio's end_io notes the CPU it ran on, which must be the interrupt's
 * CPU for rq_affinity=0, the submitter for 2, and for 1 the interrupt's
 * CPU when it shares a last-level cache with the submitter, else the
 * submitter. Then up to four CPUs submit at once with the affinity changing
 * under it: every bio must end exactly once, with success.
 */
#include "block/blk_internal.h"
#include "kernel/arch/cpu_cache.h"
#include "kernel/arch/smp.h"
#include "kernel/mm/page_alloc.h"
#include "kernel/mm/slab.h"
#include "kernel/selftest/selftest.h"
#include "kernel/sched/thread.h"
#include "kernel/sched/wait.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

#define RQA_DEPTH	32
#define RQA_IOS		64		/* per submitter, where the CPU is checked */
#define RQA_STRESS_IOS	100		/* per CPU on 2 CPUs, all at once; fewer beyond */
/*
 * Submitting CPUs at most: every "interrupt" goes through CPU 0's
 * call-function lock, and with 8 vCPUs on a loaded 2-core host the time
 * goes to spinning on it while the host runs someone else (19 s).
 */
#define RQA_STRESS_CPUS	4
#define RQA_SECTORS	8		/* 4 KiB per I/O */
#define RQA_WAIT_NS	(20ULL * 1000 * 1000 * 1000)	/* a lost completion, not a slow one */

struct rqa_dev {
	struct gendisk disk;
	struct blk_mq_tag_set set;
	unsigned int irq_cpu;		/* where every completion interrupt goes */
};

struct rqa_cmd {
	struct call_single_data csd;	/* the "interrupt" */
};

static void rqa_irq(void *arg)
{
	blk_mq_complete_request(arg);
}

static int rqa_queue_rq(struct blk_mq_hw_ctx *hctx, struct request *rq, bool last)
{
	struct rqa_dev *dev = hctx->queue->queuedata;
	struct rqa_cmd *cmd = blk_mq_rq_to_pdu(rq);

	(void)last;
	cmd->csd.fn = rqa_irq;
	cmd->csd.arg = rq;
	if (smp_call_function_single_async(READ_ONCE(dev->irq_cpu), &cmd->csd))
		blk_mq_complete_request(rq);	/* the interrupt's CPU went offline */
	return 0;
}

static void rqa_complete(struct request *rq)
{
	blk_mq_end_request(rq, 0);
}

static const struct blk_mq_ops rqa_ops = {
	.queue_rq = rqa_queue_rq,
	.complete = rqa_complete,
};

static void rqa_free_disk(struct gendisk *disk)
{
	kfree(container_of(disk, struct rqa_dev, disk));
}

static struct rqa_dev *rqa_create(unsigned int irq_cpu)
{
	struct rqa_dev *dev = kzalloc(sizeof(*dev));

	if (!dev)
		return NULL;
	dev->irq_cpu = irq_cpu;
	dev->set = (struct blk_mq_tag_set){
		.ops = &rqa_ops,
		.nr_hw_queues = 1,
		.queue_depth = RQA_DEPTH,
		.cmd_size = sizeof(struct rqa_cmd),
	};
	if (disk_name_alloc(dev->disk.name, sizeof(dev->disk.name), "rqaff"))
		goto free_dev;
	dev->disk.driver = "rqaff-selftest";
	dev->disk.capacity = 2048;
	dev->disk.free_disk = rqa_free_disk;
	if (blk_mq_create_disk(&dev->disk, &dev->set, NULL, dev, BLK_DISK_OWN_TAG_SET))
		goto free_dev;
	return dev;
free_dev:
	kfree(dev);
	return NULL;
}

/* One bio and what its end_io saw. */
struct rqa_io {
	struct bio bio;
	struct rqa_batch *batch;
	int end_cpu;
	u32 ends;			/* end_io calls: must be 1 */
};

struct rqa_batch {
	struct gendisk *disk;
	unsigned int cpu;		/* the submitter's */
	unsigned int nr;
	struct rqa_io *ios;
	u8 *buf;
	u32 left;			/* ends still to come, plus one for the submitter */
	struct completion done;
	int err;
	bool timed_out;			/* some bio never ended: its memory is left alone */
};

static void rqa_end_io(struct bio *bio)
{
	struct rqa_io *io = container_of(bio, struct rqa_io, bio);
	struct rqa_batch *b = io->batch;

	io->end_cpu = (int)this_cpu_id();
	__atomic_add_fetch(&io->ends, 1, __ATOMIC_RELAXED);
	if (bio->status)
		WRITE_ONCE(b->err, bio->status);
	if (__atomic_sub_fetch(&b->left, 1, __ATOMIC_ACQ_REL) == 0)
		complete(&b->done);
}

/* Bound to b->cpu: submit every bio, wait until all have ended. */
static int rqa_submit_main(void *arg)
{
	struct rqa_batch *b = arg;

	for (unsigned int i = 0; i < b->nr; i++) {
		struct rqa_io *io = &b->ios[i];
		int err = blk_rw_bio_init(&io->bio, b->disk, REQ_OP_READ,
					  (u64)(i % (2048 / RQA_SECTORS)) * RQA_SECTORS, b->buf,
					  RQA_SECTORS * SECTOR_SIZE, 0);

		io->batch = b;
		io->end_cpu = -1;
		if (err) {
			/* never submitted: count it as ended with the error */
			io->ends = 1;
			WRITE_ONCE(b->err, err);
			__atomic_sub_fetch(&b->left, 1, __ATOMIC_ACQ_REL);
			continue;
		}
		io->bio.end_io = rqa_end_io;
		submit_bio(&io->bio);
	}
	if (__atomic_sub_fetch(&b->left, 1, __ATOMIC_ACQ_REL) == 0)
		complete(&b->done);
	if (!wait_for_completion_timeout(&b->done, RQA_WAIT_NS))
		WRITE_ONCE(b->timed_out, true);
	return 0;
}

static int rqa_batch_init(struct rqa_batch *b, struct gendisk *disk, unsigned int cpu,
			  unsigned int nr)
{
	*b = (struct rqa_batch){ .disk = disk, .cpu = cpu, .nr = nr, .left = nr + 1 };
	completion_init(&b->done);
	b->ios = kcalloc(nr, sizeof(*b->ios));
	b->buf = page_alloc(0);
	if (!b->ios || !b->buf)
		return -ENOMEM;
	return 0;
}

static void rqa_batch_free(struct rqa_batch *b)
{
	if (b->timed_out)
		return;		/* a late end_io may still write it: leak rather than corrupt */
	for (unsigned int i = 0; b->ios && i < b->nr; i++)
		kfree(b->ios[i].bio.vecs);
	kfree(b->ios);
	if (b->buf)
		page_free(b->buf, 0);
}

/* Start a thread bound to b->cpu running the batch; NULL on failure. */
static struct thread *rqa_batch_start(struct rqa_batch *b)
{
	struct thread *t = thread_create("st-rqaff", rqa_submit_main, b);

	if (IS_ERR(t))
		return NULL;
	if (thread_bind(t, b->cpu)) {
		/* never started: let it run unbound, its CPU is then not what we check */
		b->cpu = MAX_CPUS;
	}
	thread_start(t);
	return t;
}

/* The interrupt's CPU (0, the boot CPU, always on) and a submitter unlike it when there is one. */
static void rqa_pick_cpus(unsigned int *irq_cpu, unsigned int *submit_cpu)
{
	unsigned int cpu;

	*irq_cpu = 0;
	*submit_cpu = 0;
	for_each_cpu_in(cpu, &cpu_active_mask)
		if (cpu != 0)
			*submit_cpu = cpu;
}

static void rqa_destroy(struct rqa_dev *dev)
{
	blk_mq_destroy_disk(&dev->disk);
}

static void test_rq_affinity_cpu(struct selftest *t)
{
	unsigned int irq_cpu, submit_cpu;
	struct rqa_dev *dev;

	rqa_pick_cpus(&irq_cpu, &submit_cpu);
	dev = rqa_create(irq_cpu);
	ST_ASSERT(t, dev != NULL);
	for (unsigned int mode = 0; mode <= BLK_RQ_AFFINITY_MAX; mode++) {
		struct rqa_batch b;
		struct thread *th;
		unsigned int expect, wrong = 0, twice = 0;

		WRITE_ONCE(dev->disk.queue->rq_affinity, (u8)mode);
		if (rqa_batch_init(&b, &dev->disk, submit_cpu, RQA_IOS)) {
			rqa_batch_free(&b);
			ST_EXPECT(t, false);
			break;
		}
		th = rqa_batch_start(&b);
		ST_EXPECT(t, th != NULL);
		if (!th) {
			rqa_batch_free(&b);
			break;
		}
		thread_join(th);
		if (b.timed_out) {
			selftest_fail(t, __FILE__, __LINE__, "rq_affinity=%u: a completion was lost",
				      mode);
			return;		/* the disk still has it in flight: leave it */
		}
		ST_EXPECT_EQ(t, b.cpu, submit_cpu);
		ST_EXPECT_EQ(t, b.err, 0);
		if (mode == BLK_RQ_AFFINITY_IRQ)
			expect = irq_cpu;
		else if (mode == BLK_RQ_AFFINITY_CACHE && cpus_share_cache(irq_cpu, submit_cpu))
			expect = irq_cpu;
		else
			expect = submit_cpu;
		for (unsigned int i = 0; i < b.nr; i++) {
			wrong += b.ios[i].end_cpu != (int)expect;
			twice += b.ios[i].ends != 1;
		}
		if (wrong)
			selftest_fail(t, __FILE__, __LINE__,
				      "rq_affinity=%u: %u of %u ended off CPU %u (submitter %u, interrupt %u)",
				      mode, wrong, b.nr, expect, submit_cpu, irq_cpu);
		ST_EXPECT_EQ(t, twice, 0);
		rqa_batch_free(&b);
	}
	ST_EXPECT_EQ(t, blk_queue_in_flight(dev->disk.queue), 0);
	rqa_destroy(dev);
}
SELFTEST(blk, rq_affinity_cpu, test_rq_affinity_cpu);

/* Up to RQA_STRESS_CPUS CPUs submit at once while the affinity changes: each bio ends once. */
static void test_rq_affinity_stress(struct selftest *t)
{
	static struct rqa_batch batches[MAX_CPUS];
	static struct thread *threads[MAX_CPUS];
	unsigned int irq_cpu, submit_cpu, cpu, n = 0, twice = 0, lost = 0;
	unsigned int nr_ios = selftest_scaled(RQA_STRESS_IOS, 40);
	bool timed_out = false;
	struct rqa_dev *dev;

	rqa_pick_cpus(&irq_cpu, &submit_cpu);
	dev = rqa_create(irq_cpu);
	ST_ASSERT(t, dev != NULL);
	WRITE_ONCE(dev->disk.queue->rq_affinity, BLK_RQ_AFFINITY_FORCE);
	for_each_cpu_in(cpu, &cpu_active_mask) {
		if (n == RQA_STRESS_CPUS)
			break;
		if (rqa_batch_init(&batches[n], &dev->disk, cpu, nr_ios)) {
			rqa_batch_free(&batches[n]);
			ST_EXPECT(t, false);
			break;
		}
		threads[n] = rqa_batch_start(&batches[n]);
		if (!threads[n]) {
			rqa_batch_free(&batches[n]);
			ST_EXPECT(t, false);
			break;
		}
		n++;
	}
	/* change it under them: an in-flight request may go either way, never lost */
	for (unsigned int i = 0; i < 10; i++) {
		WRITE_ONCE(dev->disk.queue->rq_affinity, (u8)(i % (BLK_RQ_AFFINITY_MAX + 1)));
		thread_sleep_ns(1000000);
	}
	for (unsigned int i = 0; i < n; i++) {
		thread_join(threads[i]);
		timed_out |= batches[i].timed_out;
		ST_EXPECT_EQ(t, batches[i].err, 0);
		for (unsigned int k = 0; k < batches[i].nr; k++) {
			twice += batches[i].ios[k].ends > 1;
			lost += batches[i].ios[k].ends == 0;
		}
		rqa_batch_free(&batches[i]);
	}
	ST_EXPECT_EQ(t, twice, 0);
	ST_EXPECT_EQ(t, lost, 0);
	ST_ASSERT(t, !timed_out);	/* else the disk still has I/O in flight: leave it */
	ST_EXPECT_EQ(t, blk_queue_in_flight(dev->disk.queue), 0);
	rqa_destroy(dev);
}
SELFTEST(blk, rq_affinity_stress, test_rq_affinity_stress);
