/*
 * `selftest nvme`, on the first NVMe namespace (the tests pass vacuously
 * without one):
 *
 *   batch32          32 reads of 4 KiB in one plug: one SQ doorbell write for
 *                    the batch; prints doorbells, interrupts and time per I/O,
 *                    and the same for 32 reads issued one at a time
 *   reset_during_io  a thread writes and verifies while the controller is
 *                    reset three times; no I/O may fail or come back wrong;
 *                    it leaves LBAs NVME_ST_LBA.. filled with a pattern the
 *                    host checks (tests/qemu/test_nvme.py)
 *   prp_sizes        reads and writes of 1 block to 4 MiB, most from buffers
 *                    that start 512 bytes into a page, checked against each other
 */
#include "drivers/nvme/nvme.h"
#include "block/blkdev.h"
#include "kernel/console/console.h"
#include "kernel/mm/page_alloc.h"
#include "kernel/selftest/selftest.h"
#include "kernel/mm/slab.h"
#include "kernel/sched/thread.h"
#include "kernel/time/time.h"
#include "kernel/arch/x86.h"
#include "lib/errno.h"
#include "lib/string.h"

#define NVME_ST_LBA	8192		/* reset_during_io: first LBA (512-byte blocks: 4 MiB in) */
#define NVME_ST_BYTES	(256 * 1024)	/* reset_during_io: bytes it leaves patterned */

static struct nvme_ns *first_ns(void)
{
	struct nvme_ctrl *c;

	list_for_each_entry(c, &nvme_ctrls, link)
		if (c->state == NVME_CTRL_LIVE && !list_empty(&c->namespaces))
			return list_first_entry(&c->namespaces, struct nvme_ns, link);
	return NULL;
}

struct nvme_queue_counts {
	u64 submitted, sq_db, cq_db, irqs;
};

static void counts_read(struct nvme_ctrl *c, struct nvme_queue_counts *n)
{
	memset(n, 0, sizeof(*n));
	for (unsigned int qid = 1; qid <= c->max_io_queues; qid++) {
		n->submitted += c->queues[qid].submitted;
		n->sq_db += c->queues[qid].sq_doorbells;
		n->cq_db += c->queues[qid].cq_doorbells;
		n->irqs += c->queues[qid].interrupts;
	}
}

/* --- batch32 ---------------------------------------------------------------- */
#define BATCH 32

static volatile unsigned int batch_done;
static struct wait_queue batch_wait = WAIT_QUEUE_INIT(batch_wait);

static void batch_end_io(struct bio *bio)
{
	__atomic_fetch_add(&batch_done, 1, __ATOMIC_SEQ_CST);
	wake_up_all(&batch_wait);
}

static void report(const char *what, struct nvme_ctrl *c, const struct nvme_queue_counts *a,
		   const struct nvme_queue_counts *b, u64 ns, u64 cycles)
{
	u64 n = b->submitted - a->submitted;

	if (!n)
		n = 1;
	printf("nvme %s: %s: %llu commands, %llu SQ doorbell writes, %llu CQ doorbell writes, "
	       "%llu interrupts, %llu ns and %llu TSC cycles per I/O (shadow doorbells %s)\n",
	       c->name, what, (unsigned long long)(b->submitted - a->submitted),
	       (unsigned long long)(b->sq_db - a->sq_db), (unsigned long long)(b->cq_db - a->cq_db),
	       (unsigned long long)(b->irqs - a->irqs), (unsigned long long)(ns / n),
	       (unsigned long long)(cycles / n), c->dbbuf_db ? "on" : "off");
}

static void test_batch32(struct selftest *t)
{
	struct nvme_ns *ns = first_ns();
	struct nvme_queue_counts before, after;
	struct bio *bios;
	struct bio_vec *vecs;
	struct blk_plug plug;
	u8 *buf;
	u64 t0, c0;

	if (!ns)
		return;
	bios = kcalloc(BATCH, sizeof(*bios));
	vecs = kcalloc(BATCH, sizeof(*vecs));
	buf = page_alloc(5);		/* 32 pages */
	if (!bios || !vecs || !buf) {
		ST_EXPECT(t, false);
		goto out;
	}
	for (int i = 0; i < BATCH; i++) {
		vecs[i].phys = virt_to_phys(buf + i * 4096);
		vecs[i].len = 4096;
	}
	/* one batch, on one CPU so that every request meets the same hardware queue */
	preempt_disable();
	batch_done = 0;
	counts_read(ns->ctrl, &before);
	t0 = time_ns();
	c0 = rdtsc();
	blk_start_plug(&plug);
	for (int i = 0; i < BATCH; i++) {
		struct bio *bio = &bios[i];

		memset(bio, 0, sizeof(*bio));
		bio->disk = &ns->disk;
		bio->op = REQ_OP_READ;
		bio->sector = (u64)i * 8;
		bio->size = 4096;
		bio->vecs = &vecs[i];
		bio->vcnt = 1;
		bio->end_io = batch_end_io;
		submit_bio(bio);
	}
	blk_finish_plug(&plug);
	preempt_enable();
	wait_event(batch_wait, batch_done == BATCH);
	counts_read(ns->ctrl, &after);
	report("32 reads in one plug", ns->ctrl, &before, &after, time_ns() - t0, rdtsc() - c0);
	ST_EXPECT_EQ(t, after.submitted - before.submitted, BATCH);
	/* one batch: one doorbell without shadow doorbells, at most one with them */
	ST_EXPECT(t, after.sq_db - before.sq_db <= 1);
	for (int i = 0; i < BATCH; i++)
		ST_EXPECT_EQ(t, bios[i].status, 0);

	/* the same reads one at a time: a doorbell each (fewer with shadow doorbells) */
	counts_read(ns->ctrl, &before);
	t0 = time_ns();
	c0 = rdtsc();
	for (int i = 0; i < BATCH; i++)
		ST_EXPECT_EQ(t, blk_rw_sync(&ns->disk, REQ_OP_READ, (u64)i * 8, buf, 4096, 0), 0);
	counts_read(ns->ctrl, &after);
	report("32 reads one at a time", ns->ctrl, &before, &after, time_ns() - t0, rdtsc() - c0);
out:
	if (buf)
		page_free(buf, 5);
	kfree(bios);
	kfree(vecs);
}
SELFTEST(nvme, batch32, test_batch32);

/* --- reset_during_io ------------------------------------------------------------ */
struct io_loop {
	struct nvme_ns *ns;
	volatile bool stop;
	unsigned int rounds, errors, mismatches;
	int first_err;
};

static u8 pattern_byte(u64 offset, unsigned int round)
{
	return (u8)((offset >> 9) * 7 + (offset & 511) + round);
}

static int io_loop_thread(void *arg)
{
	struct io_loop *l = arg;
	u64 sector = (u64)NVME_ST_LBA;
	u8 *wbuf = page_alloc(6), *rbuf = page_alloc(6);	/* 256 KiB each */
	unsigned int round = 0;

	if (!wbuf || !rbuf) {
		l->errors++;
		goto out;
	}
	/* the last round writes round 0's pattern: the one the host checks */
	for (bool last = false; !last; round++) {
		last = l->stop;
		unsigned int r = last ? 0 : round + 1;
		int err;

		for (u32 i = 0; i < NVME_ST_BYTES; i++)
			wbuf[i] = pattern_byte(i, r);
		/* pieces of 64 KiB: more requests in flight around a reset */
		for (u32 off = 0; off < NVME_ST_BYTES; off += 65536) {
			err = blk_rw_sync(&l->ns->disk, REQ_OP_WRITE, sector + off / 512, wbuf + off,
					  65536, 0);
			if (err && !l->errors++)
				l->first_err = err;
		}
		memset(rbuf, 0, NVME_ST_BYTES);
		err = blk_rw_sync(&l->ns->disk, REQ_OP_READ, sector, rbuf, NVME_ST_BYTES, 0);
		if (err && !l->errors++)
			l->first_err = err;
		if (memcmp(rbuf, wbuf, NVME_ST_BYTES))
			l->mismatches++;
		l->rounds++;
	}
out:
	if (wbuf)
		page_free(wbuf, 6);
	if (rbuf)
		page_free(rbuf, 6);
	return 0;
}

static void test_reset_during_io(struct selftest *t)
{
	struct nvme_ns *ns = first_ns();
	struct io_loop loop = { 0 };
	struct thread *th;
	u64 resets;

	if (!ns || (ns->blocks << ns->lba_shift) < (u64)NVME_ST_LBA * 512 + NVME_ST_BYTES)
		return;
	loop.ns = ns;
	resets = ns->ctrl->resets;
	th = thread_create("nvme-st-io", io_loop_thread, &loop);
	ST_ASSERT(t, !IS_ERR(th));
	thread_start(th);
	for (int i = 0; i < 3; i++) {
		thread_sleep_ns(30 * 1000000ULL);
		ST_EXPECT_EQ(t, nvme_reset_ctrl(ns->ctrl), 0);
	}
	thread_sleep_ns(30 * 1000000ULL);
	loop.stop = true;
	thread_join(th);
	printf("nvme reset_during_io: %u rounds of %u KiB write + read around 3 resets, "
	       "%u errors, %u mismatches\n", loop.rounds, NVME_ST_BYTES / 1024, loop.errors,
	       loop.mismatches);
	ST_EXPECT_EQ(t, ns->ctrl->resets - resets, 3);
	ST_EXPECT_EQ(t, loop.errors, 0);
	ST_EXPECT_EQ(t, loop.first_err, 0);
	ST_EXPECT_EQ(t, loop.mismatches, 0);
	ST_EXPECT(t, loop.rounds >= 2);
}
SELFTEST(nvme, reset_during_io, test_reset_during_io);

/* --- prp_sizes ------------------------------------------------------------------ */
static void test_prp_sizes(struct selftest *t)
{
	static const u32 sizes[] = { 1, 2, 7, 8, 9, 15, 16, 17, 255, 256, 257, 1024, 1025, 8192 };
	struct nvme_ns *ns = first_ns();
	u32 block;
	u8 *w, *r;

	if (!ns)
		return;
	block = 1U << ns->lba_shift;
	w = page_alloc(10);		/* 4 MiB, the largest block the page allocator has */
	r = page_alloc(10);
	if (!w || !r) {
		ST_EXPECT(t, false);
		goto out;
	}
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		u64 len = (u64)sizes[i] * 512;
		/* the data starts 512 bytes into a page (PRP1 with an offset) when it fits */
		u32 off = len + 512 <= (4U << 20) ? 512 : 0;
		u8 *wb = w + off, *rb = r + off;

		if (len % block)
			continue;
		for (u64 j = 0; j < len; j++)
			wb[j] = (u8)(j * 13 + i);
		memset(rb, 0, len);
		ST_EXPECT_EQ(t, blk_rw_sync(&ns->disk, REQ_OP_WRITE, 0, wb, len, 0), 0);
		ST_EXPECT_EQ(t, blk_rw_sync(&ns->disk, REQ_OP_READ, 0, rb, len, 0), 0);
		if (memcmp(wb, rb, len)) {
			selftest_fail(t, __FILE__, __LINE__, "%llu bytes read back differ",
				      (unsigned long long)len);
		}
	}
out:
	if (w)
		page_free(w, 10);
	if (r)
		page_free(r, 10);
}
SELFTEST(nvme, prp_sizes, test_prp_sizes);

/* --- poll_queue ------------------------------------------------------------------ */
/*
 * With poll queues (`queue <dev> poll_queues=N`, or nvme_poll_queues=N at
 * boot): polled reads and writes complete on a queue created without an
 * interrupt, and their data round-trips.
 */
static void test_poll_queue(struct selftest *t)
{
	struct nvme_ns *ns = first_ns();
	u64 completed = 0, irqs = 0, completed2 = 0, irqs2 = 0;
	struct nvme_ctrl *c;
	u8 *w, *r;

	if (!ns || !ns->ctrl->tagset.nr_poll_queues)
		return;
	c = ns->ctrl;
	for (unsigned int qid = 1; qid <= c->max_io_queues; qid++) {
		if (c->queues[qid].live && c->queues[qid].poll) {
			completed += c->queues[qid].completed;
			irqs += c->queues[qid].interrupts;
		}
	}
	w = page_alloc(4);
	r = page_alloc(4);
	if (!w || !r) {
		ST_EXPECT(t, false);
		goto out;
	}
	for (unsigned int i = 0; i < 65536; i++)
		w[i] = (u8)(i * 31 + 3);
	memset(r, 0, 65536);
	ST_EXPECT_EQ(t, blk_rw_sync(&ns->disk, REQ_OP_WRITE, 128, w, 65536, REQ_POLLED), 0);
	ST_EXPECT_EQ(t, blk_rw_sync(&ns->disk, REQ_OP_READ, 128, r, 65536, REQ_POLLED), 0);
	ST_EXPECT(t, !memcmp(w, r, 65536));
	for (unsigned int qid = 1; qid <= c->max_io_queues; qid++) {
		if (c->queues[qid].live && c->queues[qid].poll) {
			completed2 += c->queues[qid].completed;
			irqs2 += c->queues[qid].interrupts;
		}
	}
	printf("nvme %s: poll queues completed %llu commands, %llu interrupts\n", c->name,
	       (unsigned long long)(completed2 - completed), (unsigned long long)(irqs2 - irqs));
	ST_EXPECT(t, completed2 - completed >= 2);
	ST_EXPECT_EQ(t, irqs2 - irqs, 0);
out:
	if (w)
		page_free(w, 4);
	if (r)
		page_free(r, 4);
}
SELFTEST(nvme, poll_queue, test_poll_queue);
