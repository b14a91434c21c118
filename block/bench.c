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
 *          blk_mq_poll() of its CPU's poll queue instead of sleeping.
 * Nothing is allocated and no lock is taken between the first and the last
 * I/O, apart from the wake-up of a sleeping job (async only).
 */
#include "block/bench_opts.h"
#include "block/bench_output.h"
#include "block/bench_verify.h"
#include "block/blk-mq.h"
#include "block/blkdev.h"
#include "kernel/console.h"
#include "kernel/mm.h"
#include "kernel/page_alloc.h"
#include "kernel/percpu.h"
#include "kernel/shell.h"
#include "kernel/slab.h"
#include "kernel/thread.h"
#include "kernel/time.h"
#include "kernel/wait.h"
#include "kernel/x86.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

#define NS_PER_SEC 1000000000ULL
#define BENCH_BATCH 16			/* submissions per plug */
#define BENCH_MAX_VERIFY_REPORTS 8	/* error lines printed per job */

/* bio->ioprio as bench fills it until io-contexts define it: class << 3 | level */
#define BENCH_IOPRIO(class, level) ((u8)(((class) << 3) | (level)))

struct bench_job;

/* One I/O slot: reused for every I/O the job issues at this depth position. */
struct bench_slot {
	struct bio bio;
	struct bio_vec vec;
	struct bench_job *job;
	void *buf;
	unsigned int order;		/* of buf */
	u64 offset;			/* bytes on the disk */
	u64 start_tsc, end_tsc;
	u64 seq;
	u8 dir;
	struct bench_slot *next_done;	/* on job->done */
};

struct bench_region {
	struct gendisk *disk;
	u64 start, len;			/* bytes */
};

struct bench_job {
	struct bench_run *run;
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
	struct bench_region regions[BENCH_MAX_DEVS];
	unsigned int next_region;	/* round robin */
	u64 seq_pos;			/* sequential: next offset within the region */
	u64 rand_state;
	u64 issued, issued_bytes;	/* every I/O, ramp included */
	u64 inflight;
	u64 measure_start_tsc;		/* 0 until ramp_time is over */
	u64 busy_start_ns;
	u64 next_due_tsc;		/* rate_iops */
	u64 rate_gap_tsc;
	volatile u64 live_ios[BENCH_DIRS], live_bytes[BENCH_DIRS];	/* for progress */
	struct bench_job_result *res;
};

struct bench_run {
	struct bench_config cfg;
	struct bench_job *jobs;
	unsigned int nr_jobs;
	struct gendisk *disks[BENCH_MAX_DEVS];
	volatile bool stop;
	u64 start_tsc, ramp_end_tsc, end_tsc;	/* end 0: no time limit */
	volatile unsigned int running;
};

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

static struct bench_slot *job_take_done(struct bench_job *job)
{
	return __atomic_exchange_n(&job->done, NULL, __ATOMIC_SEQ_CST);
}

/* Should the job start another I/O? */
static bool job_may_issue(struct bench_job *job, u64 now)
{
	const struct bench_config *cfg = &job->run->cfg;

	if (job->run->stop)
		return false;
	if (job->run->end_tsc && now >= job->run->end_tsc)
		return false;
	if (cfg->number_ios && job->issued >= cfg->number_ios)
		return false;
	if (cfg->size && !cfg->time_based && job->issued_bytes >= cfg->size)
		return false;
	return true;
}

/* Aim slot at the next block: region, offset, direction, size, data. */
static void job_prepare(struct bench_job *job, struct bench_slot *slot)
{
	const struct bench_config *cfg = &job->run->cfg;
	struct bench_region *r = &job->regions[job->next_region];
	u32 len = bench_pick_bs(cfg, cfg->nr_bs_shares ? xorshift(&job->rand_state) % 100 :
				xorshift(&job->rand_state));
	bool read;
	struct bio *bio = &slot->bio;

	if (++job->next_region == job->run->cfg.nr_devs)
		job->next_region = 0;
	if (cfg->random) {
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

	memset(bio, 0, sizeof(*bio));
	bio->disk = r->disk;
	bio->sector = slot->offset >> SECTOR_SHIFT;
	bio->size = len;
	bio->op = read ? REQ_OP_READ : REQ_OP_WRITE;
	if (cfg->engine == BENCH_ENGINE_POLL)
		bio->flags |= REQ_POLLED;
	if (cfg->ioprio_class >= 0 || cfg->ioprio >= 0)
		bio->ioprio = BENCH_IOPRIO(cfg->ioprio_class >= 0 ? cfg->ioprio_class : 2,
					   cfg->ioprio >= 0 ? cfg->ioprio : 4);
	slot->vec.phys = virt_to_phys(slot->buf);
	slot->vec.len = len;
	bio->vecs = &slot->vec;
	bio->vcnt = 1;
	bio->end_io = bench_end_io;
	bio->private = slot;
}

static void job_verify_report(struct bench_job *job, struct bench_slot *slot,
			      enum bench_verify_result r)
{
	struct bench_verify_header hdr;

	job->res->verify_errors++;
	if (job->res->verify_errors > BENCH_MAX_VERIFY_REPORTS)
		return;
	bench_verify_check(slot->buf, slot->vec.len, slot->offset, job->run->cfg.verify_gen, &hdr);
	printf("verify: job %u: %s at offset %llu (0x%llx) on %s: header offset %llu, "
	       "job %u, seq %llu, gen %u\n", job->index, bench_verify_result_name(r),
	       (unsigned long long)slot->offset, (unsigned long long)slot->offset,
	       slot->bio.disk->name, (unsigned long long)hdr.offset, hdr.job,
	       (unsigned long long)hdr.seq, hdr.gen);
}

/* Account one finished I/O (the job thread, never interrupt context). */
static void job_reap(struct bench_job *job, struct bench_slot *slot)
{
	const struct bench_config *cfg = &job->run->cfg;
	struct bench_job_result *res = job->res;
	u32 len = slot->vec.len;

	job->inflight--;
	job->free[job->nr_free++] = slot;
	if (slot->bio.status) {
		if (!res->error)
			res->error = slot->bio.status;
		job->run->stop = true;
		return;
	}
	if (slot->dir == BENCH_DIR_READ && cfg->verify) {
		enum bench_verify_result r = bench_verify_check(slot->buf, len, slot->offset,
								 cfg->verify_gen, NULL);

		if (r != BENCH_VERIFY_OK)
			job_verify_report(job, slot, r);
	}
	if (!job->measure_start_tsc) {
		if (slot->end_tsc < job->run->ramp_end_tsc)
			return;
		job->measure_start_tsc = slot->end_tsc;
		job->busy_start_ns = cpu_busy_now_ns();
	}
	res->dir[slot->dir].ios++;
	res->dir[slot->dir].bytes += len;
	hist_add(&res->dir[slot->dir].lat, tsc_to_ns(slot->end_tsc - slot->start_tsc));
	WRITE_ONCE(job->live_ios[slot->dir], res->dir[slot->dir].ios);
	WRITE_ONCE(job->live_bytes[slot->dir], res->dir[slot->dir].bytes);
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

	for (i = 0; i < job->run->cfg.nr_devs; i++)
		blk_mq_poll(job->run->disks[i]->queue);
}

/* Wait for at least one completion: poll, or sleep until end_io wakes us. */
static void job_wait_completion(struct bench_job *job)
{
	if (job->run->cfg.engine == BENCH_ENGINE_POLL) {
		while (!READ_ONCE(job->done))
			job_poll_devices(job);
		return;
	}
	__atomic_store_n(&job->waiting, true, __ATOMIC_SEQ_CST);
	wait_event(job->wait, READ_ONCE(job->done) != NULL);
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
				submit_bio(&slot->bio);
				batch++;
				now = rdtsc();
			}
			blk_finish_plug(&plug);
		}
		if (!job->inflight) {
			if (!job_may_issue(job, rdtsc()))
				return;
			continue;	/* rate-limited: slept in job_rate_ok */
		}
		if (job->run->cfg.engine == BENCH_ENGINE_POLL)
			job_poll_devices(job);
		if (!READ_ONCE(job->done) && (!job->nr_free || !job_may_issue(job, rdtsc()) ||
					      batch == 0))
			job_wait_completion(job);
		job_reap_list(job, job_take_done(job));
	}
}

static int bench_job_main(void *arg)
{
	struct bench_job *job = arg;
	struct bench_run *run = job->run;
	u64 end_tsc;

	job->res->cpu = (int)this_cpu_id();
	job->rand_state = run->cfg.randseed * 0x9e3779b97f4a7c15ULL + job->index * 2 + 1;
	if (run->cfg.rate_iops)
		job->rate_gap_tsc = ns_to_tsc(NS_PER_SEC / run->cfg.rate_iops);
	job->next_due_tsc = rdtsc();
	if (!run->cfg.ramp_time_ns) {
		job->measure_start_tsc = rdtsc();
		job->busy_start_ns = cpu_busy_now_ns();
	}
	if (run->cfg.engine == BENCH_ENGINE_SYNC)
		job_run_sync(job);
	else
		job_run_async(job);
	end_tsc = rdtsc();
	if (job->measure_start_tsc) {
		job->res->runtime_ns = tsc_to_ns(end_tsc - job->measure_start_tsc);
		job->res->busy_ns = cpu_busy_now_ns() - job->busy_start_ns;
		job->res->busy_cycles = ns_to_tsc(job->res->busy_ns);
	}
	__atomic_fetch_sub(&run->running, 1, __ATOMIC_SEQ_CST);
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
		for (i = 0; i < job->nr_slots; i++)
			if (job->slots[i].buf)
				page_free(job->slots[i].buf, job->slots[i].order);
		kfree(job->slots);
	}
	kfree(job->free);
	kfree(job->res);
}

static int bench_job_alloc(struct bench_run *run, struct bench_job *job)
{
	const struct bench_config *cfg = &run->cfg;
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
		slot->order = order;
		slot->buf = page_zalloc(order);
		if (!slot->buf)
			return -ENOMEM;
		job->free[job->nr_free++] = slot;
	}
	job->res->job = job->index;
	for (d = 0; d < BENCH_DIRS; d++)
		hist_init(&job->res->dir[d].lat);
	wait_queue_init(&job->wait);
	return 0;
}

/* Look the devices up and check the options against them. */
static int bench_check_devices(struct bench_run *run)
{
	struct bench_config *cfg = &run->cfg;
	u64 region = UINT64_MAX;
	unsigned int i;

	for (i = 0; i < cfg->nr_devs; i++) {
		struct gendisk *disk = disk_find(cfg->devs[i]);
		u32 lbs;
		u64 bytes;

		if (!disk)
			return shell_error("%s: no such device (see lsblk)", cfg->devs[i]);
		lbs = disk->queue->limits.logical_block_size;
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
		if (cfg->engine == BENCH_ENGINE_POLL && !disk->queue->poll_enabled)
			return shell_error("%s: no poll queues for engine=poll", disk->name);
		region = min(region, bytes - cfg->offset);
		run->disks[i] = disk;
	}
	if (cfg->size && cfg->size < region)
		region = cfg->size;
	region = ALIGN_DOWN(region, cfg->bs_min);
	/* verify: each job its own slice, so two jobs never race on one block */
	if (cfg->verify && cfg->numjobs > 1) {
		region = ALIGN_DOWN(region / cfg->numjobs, cfg->bs_min);
		if (region < cfg->bs_max)
			return shell_error("verify: the region is too small for %u jobs",
					   cfg->numjobs);
	}
	for (i = 0; i < run->nr_jobs; i++) {
		struct bench_job *job = &run->jobs[i];
		unsigned int d;

		for (d = 0; d < cfg->nr_devs; d++) {
			job->regions[d].disk = run->disks[d];
			job->regions[d].len = region;
			job->regions[d].start = cfg->offset + (cfg->verify ? region * i : 0);
		}
	}
	return 0;
}

/* The CPU of job i: the i-th of cpus_allowed (or of the online CPUs), wrapping. */
static unsigned int bench_job_cpu(const struct bench_config *cfg, unsigned int i)
{
	cpumask_t mask = cfg->cpus_allowed_set ? cfg->cpus_allowed : cpu_online_mask;
	unsigned int cpu, n = 0, weight;

	for_each_cpu_in(cpu, &mask)
		if (!cpumask_test(&cpu_online_mask, cpu))
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

static void console_out(void *arg, const char *s, size_t n)
{
	(void)arg;
	console_write(s, n);
}

static const struct bench_out bench_console = { console_out, NULL };

/* Every second until the jobs are done: the progress line, and Ctrl-C. */
static void bench_monitor(struct bench_run *run)
{
	u64 last_ios[BENCH_DIRS] = { 0 }, last_bytes[BENCH_DIRS] = { 0 };
	u64 last = time_ns(), start = last;
	u64 total_ns = tsc_to_ns(run->end_tsc ? run->end_tsc - run->start_tsc : 0);

	while (READ_ONCE(run->running)) {
		u64 ios[BENCH_DIRS] = { 0 }, bytes[BENCH_DIRS] = { 0 }, d_ios[BENCH_DIRS],
		    d_bytes[BENCH_DIRS], now;
		unsigned int i, d;

		thread_sleep_ns(NS_PER_SEC / 10);
		if (console_interrupted())
			run->stop = true;
		now = time_ns();
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
}

static int bench_start_jobs(struct bench_run *run)
{
	unsigned int i;

	run->start_tsc = rdtsc();
	run->ramp_end_tsc = run->start_tsc + ns_to_tsc(run->cfg.ramp_time_ns);
	run->end_tsc = run->cfg.runtime_ns ?
		       run->ramp_end_tsc + ns_to_tsc(run->cfg.runtime_ns) : 0;
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
		if (ret)
			run->stop = true;	/* started anyway: it sees stop and ends */
		__atomic_fetch_add(&run->running, 1, __ATOMIC_SEQ_CST);
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
	for (i = 0; i < run->nr_jobs; i++)
		results[i] = *run->jobs[i].res;
	bench_result_sum(results, run->nr_jobs, total);
	if (run->cfg.json)
		bench_output_json(&bench_console, &run->cfg, results, run->nr_jobs, total);
	else
		bench_output_text(&bench_console, &run->cfg, results, run->nr_jobs, total);
out:
	kfree(results);
	kfree(total);
}

static int cmd_bench(int argc, char **argv)
{
	struct bench_run *run;
	char err[160];
	unsigned int i;
	int ret;

	run = kzalloc(sizeof(*run));
	if (!run)
		return shell_error("out of memory");
	ret = bench_parse(argc, argv, &run->cfg, err, sizeof(err));
	if (ret) {
		kfree(run);
		return shell_error("%s", err);
	}
	run->nr_jobs = run->cfg.numjobs;
	run->jobs = kcalloc(run->nr_jobs, sizeof(*run->jobs));
	if (!run->jobs) {
		ret = shell_error("out of memory");
		goto out_run;
	}
	for (i = 0; i < run->nr_jobs; i++) {
		run->jobs[i].run = run;
		run->jobs[i].index = i;
		run->jobs[i].cpu = bench_job_cpu(&run->cfg, i);
		ret = bench_job_alloc(run, &run->jobs[i]);
		if (ret) {
			shell_error("out of memory for %u jobs x iodepth %u x %u-byte buffers",
				    run->nr_jobs, run->cfg.iodepth, run->cfg.bs_max);
			goto out_jobs;
		}
	}
	ret = bench_check_devices(run);
	if (ret)
		goto out_jobs;

	console_clear_interrupt();
	ret = bench_start_jobs(run);
	if (ret)
		shell_error("cannot start the jobs: %s", errno_name(ret));
	bench_monitor(run);
	for (i = 0; i < run->nr_jobs; i++)
		if (run->jobs[i].thread)
			thread_join(run->jobs[i].thread);
	if (console_interrupted()) {
		console_discard_through_interrupt();
		console_clear_interrupt();
		printf("bench: interrupted\n");
	}
	if (!ret)
		bench_report(run);
	for (i = 0; i < run->nr_jobs; i++) {
		if (!ret && run->jobs[i].res->error)
			ret = shell_error("job %u: I/O error %s", i,
					  errno_name(run->jobs[i].res->error));
		if (!ret && run->jobs[i].res->verify_errors)
			ret = shell_error("job %u: %llu blocks failed verification", i,
					  (unsigned long long)run->jobs[i].res->verify_errors);
	}
out_jobs:
	for (i = 0; i < run->nr_jobs; i++)
		bench_job_free(&run->jobs[i]);
	kfree(run->jobs);
out_run:
	kfree(run);
	return ret;
}

SHELL_COMMAND(bench, cmd_bench,
	      "bench <dev>[,<dev>...] [rw= rwmixread= bs= bsrange= bssplit= iodepth= "
	      "numjobs= cpus_allowed= runtime= time_based size= offset= number_ios= "
	      "ramp_time= rate_iops= engine=sync|async|poll ioprio= ioprio_class= "
	      "verify=crc32c verify_gen= randseed= name= --quiet --json]",
	      "fio-like benchmark of one or more block devices");
