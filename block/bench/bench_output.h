/*
 * bench's results and how they are printed: a text report for people and a
 * JSON object whose field names are fio's (jobs[].read.iops,
 * jobs[].read.clat_ns.percentile["99.000000"], ...) so that tools written
 * for fio --output-format=json read it unchanged (json+ adds fio's
 * clat_ns.bins, and both carry fio's latency_ns/us/ms distribution, from
 * block/bench/bench_lat_dist.h). stork's own figures (CPU
 * busy, cycles per I/O, verify errors) sit in "stork" objects fio tooling
 * ignores. Pure: writes through a callback, no allocation.
 */
#ifndef BLOCK_BENCH_BENCH_OUTPUT_H
#define BLOCK_BENCH_BENCH_OUTPUT_H

#include "lib/types.h"
#include "lib/histogram.h"
#include "block/bench/bench_opts.h"

enum { BENCH_DIR_READ, BENCH_DIR_WRITE, BENCH_DIRS };

struct bench_job_result;

/* The kinds of kernel/arch/exit_count.h, in its order: doorbell, irq, eoi, mmio_read. */
#define BENCH_EXIT_KINDS 4
extern const char *const bench_exit_names[BENCH_EXIT_KINDS];
/* Exits per I/O in thousandths, all kinds (kind < 0) or one. */
u64 bench_exits_per_io_milli(const struct bench_job_result *r, int kind);

struct bench_dir_result {
	u64 ios;
	u64 bytes;
	struct histogram slat;		/* ns, prepared to handed to the device (fio's slat) */
	struct histogram clat;		/* ns, handed to the device to completion */
	struct histogram lat;		/* ns, prepared to completion */
};

struct bench_job_result {
	unsigned int job;
	/* the options of the job (name=) it ran; NULL: the cfg the report is given */
	const struct bench_config *cfg;
	int cpu;			/* -1 for the total */
	u64 runtime_ns;			/* the measured phase (after ramp_time) */
	u64 busy_ns;			/* the job's CPU, not idle, during it */
	u64 busy_cycles;		/* the same in TSC cycles */
	u64 verify_errors;
	u64 punted;			/* engine=uring: I/Os handed to io-wq after -EAGAIN */
	/* engine=uring: the pool's workers created, and punt -> start of the work (TSC) */
	u64 punt_workers;
	u64 punt_woken_n, punt_woken_cycles;	/* started by a woken idle worker */
	u64 punt_created_n, punt_created_cycles;	/* started by a worker made for it */
	int error;			/* first I/O error (negative errno), 0 */
	struct bench_dir_result dir[BENCH_DIRS];
	/*
	 * Exits (kernel/arch/exit_count.h) on the job's CPU while it ran, and
	 * the I/Os it issued meanwhile: exits/io = sum of exits / exit_ios.
	 */
	u64 exit_ios;
	u64 exits[BENCH_EXIT_KINDS];
};

struct bench_out {
	void (*write)(void *arg, const char *s, size_t n);
	void *arg;
};

/* fio's default percentile list, in parts per million. */
#define BENCH_NR_PERCENTILES 17
extern const u32 bench_percentiles_ppm[BENCH_NR_PERCENTILES];

/* Sum jobs into total: I/Os, bytes and histograms add, runtime is the longest. */
void bench_result_sum(const struct bench_job_result *jobs, unsigned int nr,
		      struct bench_job_result *total);

/* Rates from a result, in thousandths: I/Os per second, and cycles per I/O. */
u64 bench_iops_milli(u64 ios, u64 runtime_ns);
u64 bench_cycles_per_io_milli(const struct bench_job_result *r);

void bench_output_text(const struct bench_out *out, const struct bench_config *cfg,
		       const struct bench_job_result *jobs, unsigned int nr,
		       const struct bench_job_result *total);
/* Returns 0, or -EINVAL if the document came out malformed (a bug: see lib/json.h). */
int bench_output_json(const struct bench_out *out, const struct bench_config *cfg,
		      const struct bench_job_result *jobs, unsigned int nr,
		      const struct bench_job_result *total);
/* One progress line: "[r=12.3k w=0 IOPS][r=48.1 w=0 MiB/s][3s/7s]". */
void bench_output_progress(const struct bench_out *out, const u64 ios[BENCH_DIRS],
			   const u64 bytes[BENCH_DIRS], u64 interval_ns, u64 elapsed_ns,
			   u64 remaining_ns);

#endif
