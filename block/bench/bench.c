/*
 * bench: the fio-like benchmark (docs/bench.md). The shell thread parses the
 * options (bench_opts.c), sets up one job per numjobs, each a kernel thread
 * bound to one CPU of cpus_allowed, prints a progress line every second,
 * stops everyone on Ctrl-C, then merges and prints the results
 * (bench_output.c).
 *
 * A job owns everything it touches on the hot path: its preallocated slots
 * (bio, one vector, a physically contiguous buffer), its histograms and
 * counters, its random state. Engines:
 *   sync   submit_bio_wait(), one I/O at a time;
 *   async  iodepth bios in flight, completed in interrupt context by end_io,
 *          which only timestamps the slot and pushes it on the job's done
 *          list (a lock-free stack); the job thread reaps it, records the
 *          latency, verifies, and refills the slot, submitting each batch
 *          under one plug so the driver rings one doorbell;
 *   poll   as async with REQ_POLLED bios, and the job spins on
 *          blk_mq_poll() of its CPU's poll queue instead of sleeping;
 *   dio    as async, each I/O through direct-IO (block/dio.h): a disk, or a
 *          file "<disk>:<path>" on ext2/ext4 whose blocks each job maps
 *          through its own target and extent cache (hit rate reported).
 *   uring  io_uring's shape (block/bench/bench_uring.h): the job queues
 *          slots on its submission ring, then submits the ring under one
 *          plug with REQ_NOWAIT bios; a bio that would block (no tag, a
 *          frozen queue) comes back -EAGAIN at once and is punted to the
 *          job's io-wq pool, whose worker submits it blocking. end_io posts
 *          each completion on the job's completion ring, which the job
 *          reaps. serialize=1 hashes punted writes on their disk, so that
 *          they reach it in the order they were punted.
 * Nothing is allocated and no lock is taken between the first and the last
 * I/O, apart from the wake-up of a sleeping job (async, uring) and the
 * io-wq pool's lock on a punt.
 */
#include "block/bench/bench_lfsr.h"
#include "block/bench/bench_opts.h"
#include "block/bench/bench_output.h"
#include "block/bench/bench_uring.h"
#include "block/bench/bench_verify.h"
#include "block/blk_ioc.h"
#include "block/blk_mq.h"
#include "block/ioprio.h"
#include "block/blkdev.h"
#include "block/dio.h"
#include "kernel/console/console.h"
#include "kernel/io_wq/io_wq.h"
#include "kernel/mm/mm.h"
#include "kernel/mm/page_alloc.h"
#include "kernel/arch/percpu.h"
#include "kernel/arch/exit_count.h"
#include "kernel/shell/shell.h"
#include "kernel/mm/slab.h"
#include "kernel/sched/thread.h"
#include "kernel/time/time.h"
#include "kernel/sched/wait.h"
#include "kernel/arch/x86.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

#define NS_PER_SEC 1000000000ULL
#define BENCH_BATCH 16			/* submissions per plug */
#define BENCH_MAX_VERIFY_REPORTS 8	/* error lines printed per job */

struct bench_job;

/* One I/O slot: reused for every I/O the job issues at this depth position. */
struct bench_slot {
	struct bio bio;
	struct bio_vec vec;
	struct bench_job *job;
	void *buf;
	unsigned int order;		/* of buf */
	u64 offset;			/* bytes on the disk */
	/* prepared, handed to the device (fio's slat ends), completed (clat ends) */
	u64 start_tsc, submit_tsc, end_tsc;
	u64 seq;
	u8 dir;
	struct bench_slot *next_done;	/* on job->done */
	struct dio dio;			/* engine=dio: the transfer's room */
	struct dio_target *target;	/* engine=dio: of the current I/O */
	/* engine=uring */
	u32 index;			/* in job->slots: the rings' user_data */
	bool punt;			/* the REQ_NOWAIT try came back -EAGAIN */
	struct io_wq_work work;		/* the punt */
};

struct bench_region {
	struct gendisk *disk;		/* held open by the job (or by target) until it is freed */
	bool opened;			/* the job's own open of disk (no target) */
	struct dio_target *target;	/* engine=dio: this job's own, for its extent cache */
	u64 start, len;			/* bytes (of the file, for a file) */
	struct bench_lfsr map;		/* random runs: each bs_min block once per pass */
};

struct bench_job {
	struct bench_run *run;
	const struct bench_config *cfg;	/* its job's options (one of run->cfgs) */
	u64 ramp_end_tsc, end_tsc;	/* end 0: no time limit */
	unsigned int index;
	unsigned int cpu;
	struct thread *thread;
	struct bench_slot *slots;
	unsigned int nr_slots;
	struct bench_slot **free;	/* slots not in flight */
	unsigned int nr_free;
	struct bench_slot *done;	/* completed, not yet reaped; pushed by end_io */
	volatile bool waiting;		/* asleep on wait for completions */
	struct wait_queue wait;
	u64 hybrid_ns;			/* poll_delay=0: the sleep before spinning (0: not yet set) */
	struct bench_region regions[BENCH_MAX_DEVS];
	unsigned int next_region;	/* round robin */
	u64 seq_pos;			/* sequential: next offset within the region */
	u64 rand_state;
	u64 issued, issued_bytes;	/* every I/O, ramp included */
	u64 inflight;
	u64 measure_start_tsc;		/* 0 until ramp_time is over */
	/*
	 * Set at the job's start: a disk of the job is traced (the job stamps
	 * job_reap and commits its records), and that or verify= (job_reap's
	 * rare work, one test per I/O for both).
	 */
	bool trace_reap;
	bool reap_slow;
	u64 busy_start_ns;
	u64 next_due_tsc;		/* rate_iops */
	u64 rate_gap_tsc;
	volatile u64 live_ios[BENCH_DIRS], live_bytes[BENCH_DIRS];	/* for progress */
	struct bench_job_result *res;
	/* engine=uring: the rings and the pool that takes what would block */
	struct bench_sq sq;
	struct bench_cq cq;
	u32 *sq_array;
	struct bench_cqe *cqes;
	struct io_wq *wq;
};

struct bench_run {
	struct bench_config cfg;	/* the first job's options: devices, quiet, json */
	struct bench_config cfgs[BENCH_MAX_GROUPS];	/* each name= job's */
	unsigned int nr_cfgs;
	struct bench_job *jobs;
	unsigned int nr_jobs;
	struct gendisk *disks[BENCH_MAX_DEVS];
	volatile bool stop;
	u64 start_tsc, ramp_end_tsc, end_tsc;	/* end 0: no time limit */
	volatile unsigned int running;
	/*
	 * References: the shell's and one per started job; the last put frees
	 * the run. The shell can thus leave (Ctrl-C) while a job still waits
	 * for I/O a device holds, and that job frees the buffers the device
	 * writes only once it is done with them.
	 */
	u32 refs;
};

static void bench_job_free(struct bench_job *job);

static void bench_run_put(struct bench_run *run)
{
	if (__atomic_sub_fetch(&run->refs, 1, __ATOMIC_ACQ_REL))
		return;
	for (unsigned int i = 0; i < run->nr_jobs; i++)
		bench_job_free(&run->jobs[i]);
	kfree(run->jobs);
	kfree(run);
}

static u64 xorshift(u64 *s)
{
	u64 x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/* Busy time of this CPU up to now, the running (non-idle) thread's share included. */
static u64 cpu_busy_now_ns(void)
{
	struct cpu *c = this_cpu();
	unsigned long flags = irq_save();
	u64 busy = c->busy_ns + tsc_to_ns(rdtsc() - c->last_account_tsc);

	irq_restore(flags);
	return busy;
}

static void bench_end_io(struct bio *bio)
{
	struct bench_slot *slot = bio->private;
	struct bench_job *job = slot->job;
	struct bench_slot *head;

	slot->end_tsc = rdtsc();
	head = __atomic_load_n(&job->done, __ATOMIC_RELAXED);
	do {
		slot->next_done = head;
	} while (!__atomic_compare_exchange_n(&job->done, &head, slot, true, __ATOMIC_SEQ_CST,
					      __ATOMIC_RELAXED));
	if (__atomic_load_n(&job->waiting, __ATOMIC_SEQ_CST))
		wake_up_one(&job->wait);
}

/* engine=dio: the dio ended; account it like a bio (a short transfer is an error here). */
static void bench_dio_end_io(struct dio *d, s64 result)
{
	struct bench_slot *slot = d->private;

	slot->bio.status = result < 0 ? (int)result : result != slot->vec.len ? -EIO : 0;
	bench_end_io(&slot->bio);
}

static void bench_dio_submit(struct bench_slot *slot)
{
	s64 ret;

	slot->dio.private = slot;
	ret = dio_rw(&slot->dio, slot->bio.op, slot->target, slot->buf, slot->vec.len,
		     slot->offset, bench_dio_end_io, NULL);
	if (ret < 0) {
		slot->bio.status = (int)ret;
		bench_end_io(&slot->bio);
	}
}

static struct bench_slot *job_take_done(struct bench_job *job)
{
	return __atomic_exchange_n(&job->done, NULL, __ATOMIC_SEQ_CST);
}

/* Should the job start another I/O? */
static bool job_may_issue(struct bench_job *job, u64 now)
{
	const struct bench_config *cfg = job->cfg;

	if (job->run->stop)
		return false;
	if (job->end_tsc && now >= job->end_tsc)
		return false;
	if (cfg->number_ios && job->issued >= cfg->number_ios)
		return false;
	if (cfg->size && !cfg->time_based && job->issued_bytes >= cfg->io_size)
		return false;
	return true;
}

/* Aim slot at the next block: region, offset, direction, size, data. */
static void bench_uring_end_io(struct bio *bio);

static void job_prepare(struct bench_job *job, struct bench_slot *slot)
{
	const struct bench_config *cfg = job->cfg;
	struct bench_region *r = &job->regions[job->next_region];
	u32 len = bench_pick_bs(cfg, cfg->nr_bs_shares ? xorshift(&job->rand_state) % 100 :
				xorshift(&job->rand_state));
	bool read;
	struct bio *bio = &slot->bio;

	if (++job->next_region == cfg->nr_devs)
		job->next_region = 0;
	if (cfg->random && !cfg->norandommap) {
		/* fio's random map: every block once per pass (a longer block that
		 * would cross the end is moved back, as the only overlap allowed) */
		u64 off = bench_lfsr_next(&r->map) * cfg->bs_min;

		if (off + len > r->len)
			off = ALIGN_DOWN(r->len - len, cfg->bs_min);
		slot->offset = r->start + off;
	} else if (cfg->random) {
		u64 slots = (r->len - len) / cfg->bs_min + 1;

		slot->offset = r->start + xorshift(&job->rand_state) % slots * cfg->bs_min;
	} else {
		if (job->seq_pos + len > r->len)
			job->seq_pos = 0;
		slot->offset = r->start + job->seq_pos;
		job->seq_pos += len;
	}
	if (cfg->rwmixread == 100)
		read = true;
	else if (cfg->rwmixread == 0)
		read = false;
	else
		read = xorshift(&job->rand_state) % 100 < cfg->rwmixread;
	slot->dir = read ? BENCH_DIR_READ : BENCH_DIR_WRITE;
	slot->seq = job->issued++;
	job->issued_bytes += len;
	if (!read && cfg->verify)
		bench_verify_fill(slot->buf, len, slot->offset, slot->seq, cfg->verify_gen,
				  (u16)job->index);

	if (cfg->engine == BENCH_ENGINE_DIO) {
		/* dio builds its own bios: this one only carries what reaping reads */
		slot->target = r->target;
		bio->disk = r->disk;
		bio->op = read ? REQ_OP_READ : REQ_OP_WRITE;
		bio->status = 0;
		bio->private = slot;
		slot->vec.len = len;
		return;
	}
	/* the trace stamps and flags stay: submit_bio resets the stamps while a device is traced */
	memset(bio, 0, BIO_COPY_BYTES);
	bio->disk = r->disk;
	bio->sector = slot->offset >> SECTOR_SHIFT;
	bio->size = len;
	bio->op = read ? REQ_OP_READ : REQ_OP_WRITE;
	if (cfg->engine == BENCH_ENGINE_POLL)
		bio->flags |= REQ_POLLED;
	slot->vec.phys = virt_to_phys(slot->buf);
	slot->vec.len = len;
	bio->vecs = &slot->vec;
	bio->vcnt = 1;
	bio->end_io = bench_end_io;
	if (cfg->engine == BENCH_ENGINE_URING) {
		bio->flags |= REQ_NOWAIT;
		bio->end_io = bench_uring_end_io;
	}
	bio->private = slot;
}

/* out of line: its header on the stack would give job_reap a stack canary per I/O */
static __attribute__((noinline)) void job_verify_report(struct bench_job *job,
							struct bench_slot *slot,
							enum bench_verify_result r)
{
	struct bench_verify_header hdr;

	job->res->verify_errors++;
	if (job->res->verify_errors > BENCH_MAX_VERIFY_REPORTS)
		return;
	bench_verify_check(slot->buf, slot->vec.len, slot->offset, job->cfg->verify_gen, &hdr);
	printf("verify: job %u: %s at offset %llu (0x%llx) on %s: header offset %llu, "
	       "job %u, seq %llu, gen %u\n", job->index, bench_verify_result_name(r),
	       (unsigned long long)slot->offset, (unsigned long long)slot->offset,
	       slot->bio.disk->name, (unsigned long long)hdr.offset, hdr.job,
	       (unsigned long long)hdr.seq, hdr.gen);
}

/*
 * fio's three latencies: slat from the prepared I/O to the return of its
 * submission call (submit_bio under the batch's plug, as fio's queue call),
 * clat from there to completion, lat the whole. engine=sync has no
 * submission apart from its wait, so it has no slat and its clat is lat, as
 * fio's sync engines. An I/O that completes inside its own submission (a
 * bio-based device ending it at once, an error) has clat 0.
 */
static void job_account_latency(struct bench_job *job, struct bench_slot *slot,
				struct bench_dir_result *d)
{
	const struct bench_config *cfg = job->cfg;
	u64 submit = min(slot->submit_tsc, slot->end_tsc), slat = 0, clat;

	/*
	 * As fio without slat_percentiles/lat_percentiles: slat and lat keep
	 * min, max, mean and deviation (inline, no bucket); only clat, whose
	 * percentiles are printed, fills its buckets.
	 */
	if (cfg->engine == BENCH_ENGINE_SYNC || cfg->disable_slat) {
		submit = slot->start_tsc;
	} else {
		slat = tsc_to_ns(submit - slot->start_tsc);
		if (unlikely(cfg->slat_percentiles))
			hist_add(&d->slat, slat);
		else
			hist_add_stat(&d->slat, slat);
	}
	clat = tsc_to_ns(slot->end_tsc - submit);
	hist_add(&d->clat, clat);
	/* the sum, not a third conversion: within a nanosecond of it, and cheaper */
	if (cfg->disable_lat)
		return;
	if (unlikely(cfg->lat_percentiles))
		hist_add(&d->lat, slat + clat);
	else
		hist_add_stat(&d->lat, slat + clat);
}

/* verify=: check a read's data (job_reap's rare work, out of its line). */
static __attribute__((noinline)) void job_reap_verify(struct bench_job *job,
						      struct bench_slot *slot)
{
	const struct bench_config *cfg = job->cfg;

	if (!slot->bio.status && slot->dir == BENCH_DIR_READ) {
		enum bench_verify_result r = bench_verify_check(slot->buf, slot->vec.len,
								 slot->offset, cfg->verify_gen,
								 NULL);

		if (r != BENCH_VERIFY_OK)
			job_verify_report(job, slot, r);
	}
}

/* Account one finished I/O (the job thread, never interrupt context). */
static void job_reap(struct bench_job *job, struct bench_slot *slot)
{
	struct bench_job_result *res = job->res;
	u32 len = slot->vec.len;

	if (unlikely(job->reap_slow)) {
		/* the trace's job_reap stamp and commit, then verifying */
		if (job->trace_reap)
			__blk_trace_bio_job_reap(&slot->bio);
		if (job->cfg->verify)
			job_reap_verify(job, slot);
	}
	job->inflight--;
	job->free[job->nr_free++] = slot;
	if (slot->bio.status) {
		if (!res->error)
			res->error = slot->bio.status;
		job->run->stop = true;
		return;
	}
	if (!job->measure_start_tsc) {
		if (slot->end_tsc < job->ramp_end_tsc)
			return;
		job->measure_start_tsc = slot->end_tsc;
		job->busy_start_ns = cpu_busy_now_ns();
	}
	/* d and dir once: the stores below would make the compiler reload slot->dir */
	unsigned int dir = slot->dir;
	struct bench_dir_result *d = &res->dir[dir];
	u64 ios = d->ios + 1, bytes = d->bytes + len;

	d->ios = ios;
	d->bytes = bytes;
	job_account_latency(job, slot, d);
	WRITE_ONCE(job->live_ios[dir], ios);
	WRITE_ONCE(job->live_bytes[dir], bytes);
}

static void job_reap_list(struct bench_job *job, struct bench_slot *list)
{
	while (list) {
		struct bench_slot *next = list->next_done;

		job_reap(job, list);
		list = next;
	}
}

/* rate_iops: whether the next I/O is due; the job sleeps when idle and early. */
static bool job_rate_ok(struct bench_job *job, u64 now)
{
	if (!job->rate_gap_tsc)
		return true;
	if (now >= job->next_due_tsc) {
		job->next_due_tsc = max(job->next_due_tsc + job->rate_gap_tsc, now - job->rate_gap_tsc);
		return true;
	}
	if (!job->inflight)
		thread_sleep_ns(tsc_to_ns(job->next_due_tsc - now));
	return false;
}

static void job_run_sync(struct bench_job *job)
{
	struct bench_slot *slot = &job->slots[0];

	while (job_may_issue(job, rdtsc()) && !job->run->stop) {
		if (!job_rate_ok(job, rdtsc()))
			continue;
		job->nr_free--;
		job_prepare(job, slot);
		job->inflight++;
		slot->start_tsc = rdtsc();
		submit_bio_wait(&slot->bio);
		slot->end_tsc = rdtsc();
		job_reap(job, slot);
	}
}

static void job_poll_devices(struct bench_job *job)
{
	unsigned int i;

	for (i = 0; i < job->cfg->nr_devs; i++)
		blk_mq_poll(job->regions[i].disk->queue);
}

/*
 * poll_delay=0: how long to sleep before spinning. It starts as Linux's
 * io_poll_delay=0 does, at half the mean completion time so far, then
 * follows what each wait shows: a completion already there at the first
 * poll after the sleep means the sleep (and the timer's lateness on top of
 * it) overshot, so it shrinks by a quarter; a spin after the sleep means
 * room was left, and it grows by half that spin. Linux's rule alone feeds
 * the timer's lateness back into the mean it halves, and settles where an
 * I/O takes twice that lateness (under TCG: 2.2k IOPS where classic
 * polling made 14k).
 */
static u64 job_hybrid_sleep_ns(struct bench_job *job)
{
	if (!job->hybrid_ns) {
		const struct bench_dir_result *d = job->res->dir;
		u64 n = d[BENCH_DIR_READ].lat.count + d[BENCH_DIR_WRITE].lat.count;

		if (!n)
			return 0;
		job->hybrid_ns = (d[BENCH_DIR_READ].lat.sum + d[BENCH_DIR_WRITE].lat.sum) / n / 2 + 1;
	}
	return job->hybrid_ns;
}

/* After a sleep of hybrid_ns: spun, for spin_ns, or found a completion at once. */
static void job_hybrid_adjust(struct bench_job *job, bool spun, u64 spin_ns)
{
	if (!spun)
		job->hybrid_ns -= job->hybrid_ns / 4;
	else
		job->hybrid_ns += spin_ns / 2;
	job->hybrid_ns = min(max(job->hybrid_ns, 1ULL), 1000000ULL);
}

/* Wait for at least one completion: poll, or sleep until end_io wakes us. */
static void job_wait_completion(struct bench_job *job)
{
	if (job->cfg->hipri) {
		s32 delay = job->cfg->poll_delay_us;
		u64 ns = 0, woke = 0;
		bool spun = false;

		/*
		 * Hybrid polling (Linux's io_poll_delay): sleep through most of
		 * the wait, so the CPU (or, in a VM, the host thread that runs
		 * the device) is not spent spinning, then spin for the rest.
		 */
		if (delay > 0)
			ns = (u64)delay * 1000;
		else if (delay == 0)
			ns = job_hybrid_sleep_ns(job);
		if (ns) {
			thread_sleep_ns(ns);
			woke = time_ns();
		}
		job_poll_devices(job);
		while (!READ_ONCE(job->done)) {
			spun = true;
			job_poll_devices(job);
		}
		if (delay == 0 && woke)
			job_hybrid_adjust(job, spun, spun ? time_ns() - woke : 0);
		return;
	}
	__atomic_store_n(&job->waiting, true, __ATOMIC_SEQ_CST);
	io_wait_event(job->wait, READ_ONCE(job->done) != NULL);
	__atomic_store_n(&job->waiting, false, __ATOMIC_SEQ_CST);
}

static void job_run_async(struct bench_job *job)
{
	for (;;) {
		struct blk_plug plug;
		unsigned int batch = 0;
		u64 now = rdtsc();

		if (job->nr_free && job_may_issue(job, now)) {
			blk_start_plug(&plug);
			while (job->nr_free && batch < BENCH_BATCH && job_may_issue(job, now) &&
			       job_rate_ok(job, now)) {
				struct bench_slot *slot = job->free[--job->nr_free];

				job_prepare(job, slot);
				job->inflight++;
				slot->start_tsc = rdtsc();
				if (job->cfg->engine == BENCH_ENGINE_DIO)
					bench_dio_submit(slot);
				else
					submit_bio(&slot->bio);
				now = rdtsc();
				slot->submit_tsc = now;
				batch++;
			}
			blk_finish_plug(&plug);
		}
		if (!job->inflight) {
			if (!job_may_issue(job, rdtsc()))
				return;
			continue;	/* rate-limited: slept in job_rate_ok */
		}
		if (job->cfg->hipri)
			job_poll_devices(job);
		if (!READ_ONCE(job->done) && (!job->nr_free || !job_may_issue(job, rdtsc()) ||
					      batch == 0))
			job_wait_completion(job);
		job_reap_list(job, job_take_done(job));
	}
}

/* --- engine=uring ----------------------------------------------------------- */

/* Any context: a completion goes on the job's completion ring. */
static void bench_uring_end_io(struct bio *bio)
{
	struct bench_slot *slot = bio->private;
	struct bench_job *job = slot->job;

	/*
	 * -EAGAIN of the non-blocking try comes back inside the job's
	 * submit_bio (the punt's own try has REQ_NOWAIT off): punt it.
	 */
	if (bio->status == -EAGAIN && (bio->flags & REQ_NOWAIT)) {
		slot->punt = true;
		return;
	}
	slot->end_tsc = rdtsc();
	/* room for it: only slots in flight post, and the ring holds twice them all */
	bench_cq_post(&job->cq, slot->index, bio->status);
	/* the post ends with a full barrier: the job sets waiting, then looks at the ring */
	if (__atomic_load_n(&job->waiting, __ATOMIC_SEQ_CST))
		wake_up_one(&job->wait);
}

/* In an io-wq worker: submit the punted bio, blocking for a tag if need be. */
static void bench_uring_punt_fn(struct io_wq_work *work)
{
	struct bench_slot *slot = container_of(work, struct bench_slot, work);

	if (io_wq_work_cancelled(work)) {
		slot->bio.status = -ECANCELED;
		bench_uring_end_io(&slot->bio);
		return;
	}
	slot->bio.flags &= ~REQ_NOWAIT;
	submit_bio(&slot->bio);
}

/* io_uring_enter: everything on the submission ring, under one plug. */
static void job_uring_submit(struct bench_job *job)
{
	const struct bench_config *cfg = job->cfg;
	u32 n = bench_sq_count(&job->sq);
	struct blk_plug plug;

	blk_start_plug(&plug);
	for (u32 i = 0; i < n; i++) {
		struct bench_slot *slot = &job->slots[bench_sq_peek(&job->sq, i)];

		slot->start_tsc = rdtsc();
		submit_bio(&slot->bio);
		slot->submit_tsc = rdtsc();
		if (likely(!slot->punt))
			continue;
		slot->punt = false;	/* false again for the slot's next try */
		job->res->punted++;
		io_wq_work_init(&slot->work, bench_uring_punt_fn);
		if (cfg->serialize && slot->dir == BENCH_DIR_WRITE)
			io_wq_work_set_hash(&slot->work, (uintptr_t)slot->bio.disk);
		io_wq_enqueue(job->wq, &slot->work);
	}
	bench_sq_advance(&job->sq, n);
	blk_finish_plug(&plug);
}

/* Every completion on the ring, then the entries back to the producers at once. */
static void job_uring_reap(struct bench_job *job)
{
	struct bench_cqe *cqe;
	u32 n = 0;

	while ((cqe = bench_cq_peek(&job->cq, n))) {
		job_reap(job, &job->slots[cqe->user_data]);
		n++;
	}
	bench_cq_advance(&job->cq, n);
}

static void job_run_uring(struct bench_job *job)
{
	for (;;) {
		unsigned int batch = 0;
		u64 now = rdtsc();

		/* the application: prepare I/Os into submission entries */
		while (job->nr_free && batch < BENCH_BATCH && job_may_issue(job, now) &&
		       job_rate_ok(job, now)) {
			struct bench_slot *slot = job->free[--job->nr_free];

			job_prepare(job, slot);
			job->inflight++;
			bench_sq_push(&job->sq, slot->index);
			batch++;
			now = rdtsc();
		}
		if (batch)
			job_uring_submit(job);
		if (!job->inflight) {
			if (!job_may_issue(job, rdtsc()))
				return;
			continue;	/* rate-limited: slept in job_rate_ok */
		}
		if (!bench_cq_ready(&job->cq) &&
		    (!job->nr_free || !job_may_issue(job, rdtsc()) || batch == 0)) {
			__atomic_store_n(&job->waiting, true, __ATOMIC_SEQ_CST);
			io_wait_event(job->wait, bench_cq_ready(&job->cq));
			__atomic_store_n(&job->waiting, false, __ATOMIC_SEQ_CST);
		}
		job_uring_reap(job);
	}
}

/*
 * fio's randseed/randrepeat: the same sequences every run unless
 * randrepeat=0 without a randseed=; each job its own (index), each of its
 * devices its own order of blocks.
 */
static void job_seed(struct bench_job *job)
{
	const struct bench_config *cfg = job->cfg;
	u64 seed = cfg->randseed_set || cfg->randrepeat ? cfg->randseed : rdtsc();

	job->rand_state = seed * 0x9e3779b97f4a7c15ULL + job->index * 2 + 1;
	if (!cfg->random || cfg->norandommap)
		return;
	for (unsigned int d = 0; d < cfg->nr_devs; d++)
		/* regions hold at least one bs_min block (bench_check_job) */
		bench_lfsr_init(&job->regions[d].map, job->regions[d].len / cfg->bs_min,
				job->rand_state + d);
}

static int bench_job_main(void *arg)
{
	struct bench_job *job = arg;
	struct bench_run *run = job->run;
	const struct exit_counts *exits = &exit_counts_cpu[this_cpu_id()];
	struct exit_counts exits_start = *exits;
	u64 end_tsc;

	job->res->cpu = (int)this_cpu_id();
	job_seed(job);
	/*
	 * Traced disks are known now (trace=1 turned them on before the jobs
	 * started): the job stamps job_reap itself, without a site per I/O.
	 * A disk traced later ends its records at end_io.
	 */
	for (unsigned int d = 0; d < job->cfg->nr_devs; d++)
		if (blk_trace_is_on(job->regions[d].disk->queue))
			job->trace_reap = true;
	for (unsigned int i = 0; i < job->nr_slots; i++)
		blk_trace_bio_job_reaps(&job->slots[i].bio, job->trace_reap);
	job->reap_slow = job->trace_reap || job->cfg->verify;
	if (job->cfg->rate_iops)
		job->rate_gap_tsc = ns_to_tsc(NS_PER_SEC / job->cfg->rate_iops);
	job->next_due_tsc = rdtsc();
	if (!job->cfg->ramp_time_ns) {
		job->measure_start_tsc = rdtsc();
		job->busy_start_ns = cpu_busy_now_ns();
	}
	if (job->cfg->engine == BENCH_ENGINE_SYNC)
		job_run_sync(job);
	else if (job->cfg->engine == BENCH_ENGINE_URING)
		job_run_uring(job);
	else
		job_run_async(job);
	end_tsc = rdtsc();
	/* the job stays on its CPU: what that CPU trapped on, per I/O it issued */
	job->res->exit_ios = job->issued;
	for (unsigned int k = 0; k < BENCH_EXIT_KINDS && k < EXIT_KINDS; k++)
		job->res->exits[k] = READ_ONCE(exits->n[k]) - exits_start.n[k];
	if (job->measure_start_tsc) {
		job->res->runtime_ns = tsc_to_ns(end_tsc - job->measure_start_tsc);
		job->res->busy_ns = cpu_busy_now_ns() - job->busy_start_ns;
		/*
		 * busy time is accounted per scheduler slice, so a run of a few
		 * microseconds can be charged more than it lasted: one thread on
		 * one CPU is never busy for longer than the run
		 */
		job->res->busy_ns = min(job->res->busy_ns, job->res->runtime_ns);
		job->res->busy_cycles = ns_to_tsc(job->res->busy_ns);
	}
	if (job->wq) {
		struct io_wq_stats st;
		const struct io_wq_acct_stats *b = &st.acct[IO_WQ_ACCT_BOUND];

		io_wq_get_stats(job->wq, &st);
		job->res->punt_workers = b->created;
		job->res->punt_woken_n = b->start_woken_n;
		job->res->punt_woken_cycles = b->start_woken_cycles;
		job->res->punt_created_n = b->start_created_n;
		job->res->punt_created_cycles = b->start_created_cycles;
	}
	__atomic_fetch_sub(&run->running, 1, __ATOMIC_SEQ_CST);
	/* the last thing: after it, job and run may be freed */
	bench_run_put(run);
	return 0;
}

static unsigned int buf_order(u32 bytes)
{
	unsigned int order = 0;

	while ((4096u << order) < bytes)
		order++;
	return order;
}

static void bench_job_free(struct bench_job *job)
{
	unsigned int i;

	if (job->slots) {
		for (i = 0; i < job->nr_slots; i++) {
			if (job->slots[i].buf)
				page_free(job->slots[i].buf, job->slots[i].order);
			dio_free(&job->slots[i].dio);
		}
		kfree(job->slots);
	}
	for (i = 0; i < BENCH_MAX_DEVS; i++) {
		dio_target_close(job->regions[i].target);
		if (job->regions[i].opened)
			blkdev_put(job->regions[i].disk);
	}
	kfree(job->free);
	kfree(job->res);
	/* after the join: nothing of the job is in flight or punted any more */
	if (job->wq)
		io_wq_destroy(job->wq);
	kfree(job->sq_array);
	kfree(job->cqes);
}

/* engine=uring: rings that hold every slot, and the job's io-wq pool. */
static int bench_job_alloc_uring(struct bench_job *job)
{
	static unsigned int runs;	/* pool names stay unique across runs */
	/* punted I/O is issued under the job's io_context: its priority, its icqs */
	const struct io_wq_params params = { .identity = &ioc_io_wq_identity };
	u32 entries = bench_uring_entries(job->nr_slots);
	char name[IO_WQ_NAME_MAX];
	struct io_wq *wq;
	cpumask_t cpus;

	job->sq_array = kcalloc(entries, sizeof(*job->sq_array));
	/* twice as many completion entries as submission ones, as io_uring */
	job->cqes = kcalloc(2 * entries, sizeof(*job->cqes));
	if (!job->sq_array || !job->cqes)
		return -ENOMEM;
	bench_sq_init(&job->sq, job->sq_array, entries);
	bench_cq_init(&job->cq, job->cqes, 2 * entries);
	if (job->index == 0)
		__atomic_fetch_add(&runs, 1, __ATOMIC_RELAXED);
	snprintf(name, sizeof(name), "uring%u.%u", __atomic_load_n(&runs, __ATOMIC_RELAXED),
		 job->index);
	wq = io_wq_create(name, &params);
	if (IS_ERR(wq))
		return (int)PTR_ERR(wq);
	job->wq = wq;
	/*
	 * The job's CPU only, as the job itself: what a job causes runs where
	 * its CPU time is counted (cycles per I/O), and its punted I/O shares
	 * no lock, wait queue or cache line with other CPUs.
	 */
	cpumask_clear(&cpus);
	cpumask_set(&cpus, job->cpu);
	return io_wq_set_cpus(wq, &cpus);
}

static int bench_job_alloc(struct bench_job *job)
{
	const struct bench_config *cfg = job->cfg;
	unsigned int i, d, order = buf_order(cfg->bs_max);

	job->nr_slots = cfg->engine == BENCH_ENGINE_SYNC ? 1 : cfg->iodepth;
	job->slots = kcalloc(job->nr_slots, sizeof(*job->slots));
	job->free = kcalloc(job->nr_slots, sizeof(*job->free));
	job->res = kzalloc(sizeof(*job->res));
	if (!job->slots || !job->free || !job->res)
		return -ENOMEM;
	for (i = 0; i < job->nr_slots; i++) {
		struct bench_slot *slot = &job->slots[i];

		slot->job = job;
		slot->index = i;
		slot->order = order;
		slot->buf = page_zalloc(order);
		if (!slot->buf)
			return -ENOMEM;
		if (cfg->engine == BENCH_ENGINE_DIO) {
			if (dio_alloc(&slot->dio, cfg->bs_max, SECTOR_SIZE))
				return -ENOMEM;
			slot->dio.bio_flags = cfg->hipri ? REQ_POLLED : 0;
		}
		job->free[job->nr_free++] = slot;
	}
	job->res->job = job->index;
	for (d = 0; d < BENCH_DIRS; d++) {
		hist_init(&job->res->dir[d].slat);
		hist_init(&job->res->dir[d].clat);
		hist_init(&job->res->dir[d].lat);
	}
	wait_queue_init(&job->wait);
	if (cfg->engine == BENCH_ENGINE_URING)
		return bench_job_alloc_uring(job);
	return 0;
}

/*
 * engine=dio: a target for device i in each job of cfg (jobs[first..] on;
 * each its own extent cache, so jobs share nothing), with the disk and size
 * (a file's size) the checks use.
 */
static int bench_open_targets(struct bench_run *run, const struct bench_config *cfg,
			      unsigned int first, unsigned int i, struct gendisk **disk, u64 *bytes)
{
	const char *name = cfg->devs[i];
	const char *why;

	for (unsigned int j = first; j < first + cfg->numjobs; j++) {
		struct dio_target **t = &run->jobs[j].regions[i].target;
		int err = dio_target_open(name, cfg->rwmixread != 100, t, &why);

		if (err == -ENODEV) {
			*disk = NULL;
			return 0;
		}
		if (err)
			return shell_error("%s: %s%s%s", name, errno_name(err), why ? ": " : "",
					   why ? why : "");
		*disk = (*t)->disk;
		*bytes = (*t)->size;
		if ((*t)->fs && ((cfg->bs_min | cfg->offset) & ((*t)->dev_block_size - 1)))
			return shell_error("%s: bs and offset must be multiples of %u", name,
					   (*t)->dev_block_size);
	}
	return 0;
}

/* engine=dio on files: how often a mapping came from the per-job extent cache. */
static void bench_report_map_cache(struct bench_run *run)
{
	for (unsigned int d = 0; d < run->cfg.nr_devs; d++) {
		u64 hits = 0, misses = 0;

		for (unsigned int j = 0; j < run->nr_jobs; j++) {
			struct dio_target *t = run->jobs[j].regions[d].target;

			if (t && t->file) {
				hits += t->file->cache.hits;
				misses += t->file->cache.misses;
			}
		}
		if (hits + misses && !run->cfg.json)
			printf("%s: extent cache: %llu hits, %llu misses (%llu.%02llu%% hits)\n",
			       run->cfg.devs[d], (unsigned long long)hits, (unsigned long long)misses,
			       (unsigned long long)(hits * 100 / (hits + misses)),
			       (unsigned long long)(hits * 10000 / (hits + misses) % 100));
	}
}

/*
 * Look the devices up and check the options of one job (cfg, run by
 * jobs[first..first + cfg->numjobs)) against them.
 */
struct bench_opens {
	struct gendisk *disks[BENCH_MAX_DEVS];
};

/* The checks' own opens go on every return; each job holds its own. */
static void bench_opens_release(struct bench_opens *o)
{
	for (unsigned int i = 0; i < BENCH_MAX_DEVS; i++)
		if (o->disks[i])
			blkdev_put(o->disks[i]);
}

static int bench_check_job(struct bench_run *run, const struct bench_config *cfg,
			   unsigned int first)
{
	struct bench_opens opens __attribute__((cleanup(bench_opens_release))) = { 0 };
	u64 region = UINT64_MAX;
	unsigned int i;

	for (i = 0; i < cfg->nr_devs; i++) {
		struct gendisk *disk = NULL;
		u32 lbs;
		u64 bytes = 0;

		if (cfg->engine != BENCH_ENGINE_DIO && !strchr(cfg->devs[i], ':')) {
			disk = blkdev_get_by_name(cfg->devs[i]);
			disk = IS_ERR(disk) ? NULL : disk;
			opens.disks[i] = disk;
		}
		if (cfg->engine == BENCH_ENGINE_DIO) {
			int err = bench_open_targets(run, cfg, first, i, &disk, &bytes);

			if (err)
				return err;
		} else if (strchr(cfg->devs[i], ':')) {
			return shell_error("%s: files take engine=dio", cfg->devs[i]);
		}
		if (!disk)
			return shell_error("%s: no such device (see lsblk)", cfg->devs[i]);
		lbs = disk->queue->limits.logical_block_size;
		if (cfg->engine != BENCH_ENGINE_DIO)
			bytes = disk->capacity << SECTOR_SHIFT;
		if (cfg->bs_min % lbs || cfg->offset % lbs)
			return shell_error("%s: bs and offset must be multiples of its %u-byte blocks",
					   disk->name, lbs);
		if (cfg->offset + cfg->bs_max > bytes)
			return shell_error("%s: offset %llu leaves no room for a block (%llu bytes)",
					   disk->name, (unsigned long long)cfg->offset,
					   (unsigned long long)bytes);
		if (cfg->rwmixread != 100 && disk->read_only)
			return shell_error("%s: read-only", disk->name);
		if (cfg->hipri && !disk->queue->poll_enabled)
			return shell_error("%s: no poll queues for %s (boot with nvme_poll_queues= "
					   "or virtio_blk.poll_queues=)", disk->name,
					   cfg->engine == BENCH_ENGINE_POLL ? "engine=poll" : "hipri");
		region = min(region, bytes - cfg->offset);
		run->disks[i] = disk;
	}
	if (cfg->size && cfg->size < region)
		region = cfg->size;
	region = ALIGN_DOWN(region, cfg->bs_min);
	if (region < cfg->bs_max)
		return shell_error("size=%llu: smaller than a block (%u bytes)",
				   (unsigned long long)region, cfg->bs_max);
	/* verify: each job its own slice, so two jobs never race on one block */
	if (cfg->verify && cfg->numjobs > 1) {
		region = ALIGN_DOWN(region / cfg->numjobs, cfg->bs_min);
		if (region < cfg->bs_max)
			return shell_error("verify: the region is too small for %u jobs",
					   cfg->numjobs);
	}
	for (i = 0; i < cfg->numjobs; i++) {
		struct bench_job *job = &run->jobs[first + i];
		unsigned int d;

		for (d = 0; d < cfg->nr_devs; d++) {
			job->regions[d].disk = run->disks[d];
			if (job->regions[d].target) {
				job->regions[d].disk = job->regions[d].target->disk;
			} else {
				blkdev_get(run->disks[d]);
				job->regions[d].opened = true;
			}
			job->regions[d].len = region;
			job->regions[d].start = cfg->offset + (cfg->verify ? region * i : 0);
		}
	}
	return 0;
}

/*
 * The CPU of job i: the i-th of cpus_allowed (or of the active CPUs: not one
 * on its way offline), wrapping.
 */
static unsigned int bench_job_cpu(const struct bench_config *cfg, unsigned int i)
{
	cpumask_t mask = cfg->cpus_allowed_set ? cfg->cpus_allowed : cpu_active_mask;
	unsigned int cpu, n = 0, weight;

	for_each_cpu_in(cpu, &mask)
		if (!cpumask_test(&cpu_active_mask, cpu))
			cpumask_unset(&mask, cpu);
	weight = cpumask_weight(&mask);
	if (!weight)
		return 0;
	i %= weight;
	for_each_cpu_in(cpu, &mask)
		if (n++ == i)
			return cpu;
	return 0;
}

static void bench_console_write(void *arg, const char *s, size_t n)
{
	(void)arg;
	console_out(s, n);
}

static const struct bench_out bench_console = { bench_console_write, NULL };

/*
 * Every second until the jobs are done: the progress line, and Ctrl-C.
 * Returns false when the jobs are still running a second after Ctrl-C
 * (waiting for I/O a device does not end): the shell leaves them then.
 */
#define BENCH_STOP_WAIT_NS NS_PER_SEC

static bool bench_monitor(struct bench_run *run)
{
	u64 last_ios[BENCH_DIRS] = { 0 }, last_bytes[BENCH_DIRS] = { 0 };
	u64 last = time_ns(), start = last, stop_ns = 0;
	u64 total_ns = tsc_to_ns(run->end_tsc ? run->end_tsc - run->start_tsc : 0);

	while (READ_ONCE(run->running)) {
		u64 ios[BENCH_DIRS] = { 0 }, bytes[BENCH_DIRS] = { 0 }, d_ios[BENCH_DIRS],
		    d_bytes[BENCH_DIRS], now;
		unsigned int i, d;

		thread_sleep_ns(NS_PER_SEC / 10);
		now = time_ns();
		if (console_interrupted() && !stop_ns) {
			run->stop = true;
			stop_ns = now;
		}
		if (stop_ns && now - stop_ns >= BENCH_STOP_WAIT_NS && READ_ONCE(run->running))
			return false;
		if (now - last < NS_PER_SEC || run->cfg.quiet || run->cfg.json)
			continue;
		for (i = 0; i < run->nr_jobs; i++)
			for (d = 0; d < BENCH_DIRS; d++) {
				ios[d] += READ_ONCE(run->jobs[i].live_ios[d]);
				bytes[d] += READ_ONCE(run->jobs[i].live_bytes[d]);
			}
		for (d = 0; d < BENCH_DIRS; d++) {
			d_ios[d] = ios[d] - last_ios[d];
			d_bytes[d] = bytes[d] - last_bytes[d];
			last_ios[d] = ios[d];
			last_bytes[d] = bytes[d];
		}
		bench_output_progress(&bench_console, d_ios, d_bytes, now - last, now - start,
				      total_ns > now - start ? total_ns - (now - start) : 0);
		last = now;
	}
	return true;
}

/* prioclass= and prio= (fio's names): class BE and level 4 when only one is given. */
static int bench_job_set_ioprio(struct bench_job *job)
{
	const struct bench_config *cfg = job->cfg;

	if (cfg->ioprio_class < 0 && cfg->ioprio < 0)
		return 0;	/* inherited from the shell (ionice) */
	return ioc_thread_set_ioprio(job->thread,
				     ioprio_value(cfg->ioprio_class >= 0 ? (unsigned int)cfg->ioprio_class
									  : IOPRIO_CLASS_BE,
						  cfg->ioprio >= 0 ? (unsigned int)cfg->ioprio
								   : IOPRIO_BE_NORM));
}

static int bench_start_jobs(struct bench_run *run)
{
	unsigned int i;

	run->start_tsc = rdtsc();
	run->end_tsc = 0;
	for (i = 0; i < run->nr_jobs; i++) {
		struct bench_job *job = &run->jobs[i];

		job->ramp_end_tsc = run->start_tsc + ns_to_tsc(job->cfg->ramp_time_ns);
		job->end_tsc = job->cfg->runtime_ns ?
			       job->ramp_end_tsc + ns_to_tsc(job->cfg->runtime_ns) : 0;
		run->end_tsc = max(run->end_tsc, job->end_tsc);
	}
	for (i = 0; i < run->nr_jobs; i++) {
		struct bench_job *job = &run->jobs[i];
		char name[THREAD_NAME_MAX];
		int ret;

		snprintf(name, sizeof(name), "bench/%u", i);
		job->thread = thread_create(name, bench_job_main, job);
		if (IS_ERR(job->thread)) {
			ret = (int)PTR_ERR(job->thread);
			job->thread = NULL;
			run->stop = true;
			return ret;
		}
		ret = thread_bind(job->thread, job->cpu);
		if (ret == -EINVAL) {
			/* its CPU went offline since it was chosen: the boot CPU never does */
			job->cpu = 0;
			ret = thread_bind(job->thread, job->cpu);
		}
		/* fio's prio/prioclass: the job thread's io_context, before its first I/O */
		if (!ret)
			ret = bench_job_set_ioprio(job);
		if (ret)
			run->stop = true;	/* started anyway: it sees stop and ends */
		__atomic_fetch_add(&run->running, 1, __ATOMIC_SEQ_CST);
		__atomic_fetch_add(&run->refs, 1, __ATOMIC_SEQ_CST);
		thread_start(job->thread);
		if (ret)
			return ret;
	}
	return 0;
}

static void bench_report(struct bench_run *run)
{
	struct bench_job_result *results, *total;
	unsigned int i;

	results = kcalloc(run->nr_jobs, sizeof(*results));
	total = kzalloc(sizeof(*total));
	if (!results || !total) {
		shell_error("out of memory for the report");
		goto out;
	}
	for (i = 0; i < run->nr_jobs; i++) {
		results[i] = *run->jobs[i].res;
		results[i].cfg = run->jobs[i].cfg;
	}
	bench_result_sum(results, run->nr_jobs, total);
	if (run->cfg.json) {
		if (bench_output_json(&bench_console, &run->cfg, results, run->nr_jobs, total))
			shell_error("bench: the JSON report is malformed (a bug in bench_output.c)");
	} else {
		bench_output_text(&bench_console, &run->cfg, results, run->nr_jobs, total);
	}
out:
	kfree(results);
	kfree(total);
}

static void bench_trace_line(void *arg, const char *s)
{
	printf("  %s\n", s);
}

/* trace=1: trace the run's devices; bit n of the result: disk n was off before. */
static u32 bench_trace_start(struct bench_run *run)
{
	u32 turned_on = 0;

	for (unsigned int i = 0; i < BENCH_MAX_DEVS && run->disks[i]; i++) {
		struct request_queue *q = run->disks[i]->queue;

		if (!blk_trace_is_on(q)) {
			if (blk_trace_enable(q)) {
				printf("bench: trace=1: no memory to trace %s\n", run->disks[i]->name);
				continue;
			}
			turned_on |= 1u << i;
		}
		blk_trace_clear(q);
	}
	return turned_on;
}

static void bench_trace_end(struct bench_run *run, u32 turned_on, bool report)
{
	struct blk_trace_stats *st = report ? kmalloc(sizeof(*st)) : NULL;

	for (unsigned int i = 0; i < BENCH_MAX_DEVS && run->disks[i]; i++) {
		struct request_queue *q = run->disks[i]->queue;

		if (st && blk_trace_stats_read(q, st)) {
			printf("trace %s (TSC cycles per stage):\n", run->disks[i]->name);
			blk_trace_stats_format(st, tsc_khz, bench_trace_line, NULL);
		}
		if (turned_on & (1u << i))
			blk_trace_disable(q);
	}
	kfree(st);
}

static int cmd_bench(int argc, char **argv)
{
	struct bench_run *run;
	char err[160];
	unsigned int i, g, first;
	u32 trace_on = 0;
	int ret;

	run = kzalloc(sizeof(*run));
	if (!run)
		return shell_error("out of memory");
	run->refs = 1;
	ret = bench_parse_jobs(argc, argv, run->cfgs, BENCH_MAX_GROUPS, &run->nr_cfgs, err,
			       sizeof(err));
	for (g = 0; !ret && g < run->nr_cfgs; g++)
		ret = bench_check_cpus(&run->cfgs[g], &cpu_online_mask, err, sizeof(err));
	if (ret) {
		kfree(run);
		return shell_error("%s", err);
	}
	run->cfg = run->cfgs[0];
	for (g = 0; g < run->nr_cfgs; g++)
		run->nr_jobs += run->cfgs[g].numjobs;
	run->jobs = kcalloc(run->nr_jobs, sizeof(*run->jobs));
	if (!run->jobs) {
		ret = shell_error("out of memory");
		goto free_run;
	}
	for (g = 0, i = 0; g < run->nr_cfgs; g++)
		for (unsigned int k = 0; k < run->cfgs[g].numjobs; k++, i++) {
			run->jobs[i].run = run;
			run->jobs[i].cfg = &run->cfgs[g];
			run->jobs[i].index = i;
			run->jobs[i].cpu = bench_job_cpu(&run->cfgs[g], i);
		}
	for (i = 0; i < run->nr_jobs; i++) {
		ret = bench_job_alloc(&run->jobs[i]);
		if (ret) {
			if (ret == -ENOMEM)
				shell_error("out of memory for %u jobs x iodepth %u x %u-byte buffers",
					    run->nr_jobs, run->jobs[i].cfg->iodepth,
					    run->jobs[i].cfg->bs_max);
			else
				shell_error("cannot set job %u up: %s", i, errno_name(ret));
			goto free_jobs;
		}
	}
	for (g = 0, first = 0; g < run->nr_cfgs; first += run->cfgs[g].numjobs, g++) {
		ret = bench_check_job(run, &run->cfgs[g], first);
		if (ret)
			goto free_jobs;
	}

	if (run->cfg.trace)
		trace_on = bench_trace_start(run);
	ret = bench_start_jobs(run);
	if (ret)
		shell_error("cannot start the jobs: %s", errno_name(ret));
	if (!bench_monitor(run)) {
		unsigned int waiting = READ_ONCE(run->running);

		for (i = 0; i < run->nr_jobs; i++)
			if (run->jobs[i].thread)
				thread_detach(run->jobs[i].thread);
		console_discard_through_interrupt();
		printf("bench: interrupted; %u job%s still wait%s for I/O the device has not ended: they free their buffers when it ends or times out\n",
		       waiting, waiting == 1 ? "" : "s", waiting == 1 ? "s" : "");
		if (run->cfg.trace)
			bench_trace_end(run, trace_on, false);
		bench_run_put(run);
		return -EINTR;
	}
	for (i = 0; i < run->nr_jobs; i++)
		if (run->jobs[i].thread)
			thread_join(run->jobs[i].thread);
	if (console_interrupted()) {
		console_discard_through_interrupt();
		printf("bench: interrupted\n");
	}
	for (i = 0; !ret && i < run->nr_jobs; i++)
		if (run->jobs[i].cfg->ramp_time_ns && !run->jobs[i].measure_start_tsc)
			printf("note: job %u ended within ramp_time (%llu ms): nothing was measured; shorten ramp_time or raise size=\n",
			       i, (unsigned long long)(run->jobs[i].cfg->ramp_time_ns / 1000000));
	if (!ret) {
		bench_report(run);
		bench_report_map_cache(run);
	}
	if (run->cfg.trace)
		bench_trace_end(run, trace_on, !ret && !run->cfg.json);
	for (i = 0; i < run->nr_jobs; i++) {
		if (!ret && run->jobs[i].res->error)
			ret = shell_error("job %u: I/O error %s", i,
					  errno_name(run->jobs[i].res->error));
		if (!ret && run->jobs[i].res->verify_errors)
			ret = shell_error("job %u: %llu blocks failed verification", i,
					  (unsigned long long)run->jobs[i].res->verify_errors);
	}
free_jobs:
	/* every started job has ended and put its reference: this put frees */
	bench_run_put(run);
	return ret;
free_run:
	kfree(run);
	return ret;
}

SHELL_COMMAND(bench, cmd_bench,
	      "bench <dev>[,<dev>...] [rw= rwmixread= bs= bsrange= bssplit= iodepth= "
	      "numjobs= cpus_allowed= runtime= time_based size= offset= number_ios= loops= "
	      "ramp_time= rate_iops= engine=sync|async|poll|dio|uring serialize= prio= prioclass= "
	      "hipri poll_delay= verify=crc32c verify_gen= randseed= randrepeat= norandommap disable_slat "
	      "disable_lat slat_percentiles lat_percentiles trace=0|1 --quiet --json --output-format=normal|json|json+] "
	      "[name=<job> [options] ...]",
	      "fio-like benchmark of one or more block devices");
