/*
 * bench's results and how they are printed: a text report for people and a
 * JSON object whose field names are fio's (jobs[].read.iops,
 * jobs[].read.clat_ns.percentile["99.000000"], ...) so that tools written
 * for fio --output-format=json read it unchanged. stork's own figures (CPU
 * busy, cycles per I/O, verify errors) sit in "stork" objects fio tooling
 * ignores. Pure: writes through a callback, no allocation.
 */
#ifndef BLOCK_BENCH_OUTPUT_H
#define BLOCK_BENCH_OUTPUT_H

#include "lib/types.h"
#include "lib/histogram.h"
#include "block/bench_opts.h"

enum { BENCH_DIR_READ, BENCH_DIR_WRITE, BENCH_DIRS };

struct bench_dir_result {
	u64 ios;
	u64 bytes;
	struct histogram lat;		/* ns, submission to completion */
};

struct bench_job_result {
	unsigned int job;
	int cpu;			/* -1 for the total */
	u64 runtime_ns;			/* the measured phase (after ramp_time) */
	u64 busy_ns;			/* the job's CPU, not idle, during it */
	u64 busy_cycles;		/* the same in TSC cycles */
	u64 verify_errors;
	int error;			/* first I/O error (negative errno), 0 */
	struct bench_dir_result dir[BENCH_DIRS];
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
void bench_output_json(const struct bench_out *out, const struct bench_config *cfg,
		       const struct bench_job_result *jobs, unsigned int nr,
		       const struct bench_job_result *total);
/* One progress line: "[r=12.3k w=0 IOPS][r=48.1 w=0 MiB/s][3s/7s]". */
void bench_output_progress(const struct bench_out *out, const u64 ios[BENCH_DIRS],
			   const u64 bytes[BENCH_DIRS], u64 interval_ns, u64 elapsed_ns,
			   u64 remaining_ns);

#endif
