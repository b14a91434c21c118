/*
 * The command line of `bench`, parsed into a struct bench_config without
 * touching a device (pure: host unit tests cover it). Names follow fio where
 * fio has one, so "rw=randread bs=4k iodepth=32 numjobs=2 runtime=10" means
 * what a fio user expects. Devices are checked later, by the engine.
 */
#ifndef BLOCK_BENCH_OPTS_H
#define BLOCK_BENCH_OPTS_H

#include "lib/types.h"
#include "kernel/cpumask.h"

#define BENCH_MAX_DEVS 8
#define BENCH_DEV_NAME_LEN 32
#define BENCH_MAX_JOBS 64
#define BENCH_MAX_IODEPTH 1024
#define BENCH_MAX_BSSPLIT 16
#define BENCH_MIN_BS 512u
#define BENCH_MAX_BS (1024u * 1024u)
#define BENCH_DEFAULT_RUNTIME_NS (5ULL * 1000000000ULL)

enum bench_engine {
	BENCH_ENGINE_SYNC,	/* one I/O at a time, submit_bio_wait */
	BENCH_ENGINE_ASYNC,	/* iodepth in flight, interrupt completion */
	BENCH_ENGINE_POLL,	/* iodepth in flight on a poll queue, no interrupt */
};

struct bench_bs_share {
	u32 bs;
	u32 percent;
};

struct bench_config {
	char devs[BENCH_MAX_DEVS][BENCH_DEV_NAME_LEN];
	unsigned int nr_devs;
	char name[BENCH_DEV_NAME_LEN];	/* fio's jobname; "bench" */
	const char *rw_name;		/* as fio spells it: "randread", ... */
	bool random;			/* rand*: random offsets, else sequential */
	u32 rwmixread;			/* percent of reads: 100 read, 0 write */
	/* block sizes: bssplit when nr_bs_shares, else uniform in [bs_min, bs_max] */
	u32 bs_min, bs_max;
	struct bench_bs_share bs_shares[BENCH_MAX_BSSPLIT];
	unsigned int nr_bs_shares;
	u32 iodepth;
	u32 numjobs;
	cpumask_t cpus_allowed;
	bool cpus_allowed_set;		/* else job j runs on the j-th online CPU */
	u64 runtime_ns;			/* 0: none */
	bool time_based;		/* run for runtime even when size is done */
	u64 size;			/* bytes of the region, and of I/O per job; 0: to the end */
	u64 offset;			/* bytes: start of the region */
	u64 number_ios;			/* per job; 0: none */
	u64 ramp_time_ns;		/* run but do not count */
	u32 rate_iops;			/* per job; 0: unlimited */
	enum bench_engine engine;
	int ioprio_class;		/* -1: not set; 1 RT, 2 BE, 3 IDLE */
	int ioprio;			/* -1: not set; level 0-7 */
	bool verify;			/* verify=crc32c */
	u32 verify_gen;			/* written into headers; on read, 0 accepts any */
	u64 randseed;
	bool quiet;
	bool json;
	int rwmix_given;		/* parser state: -1 unless rwmixread= was given */
};

/*
 * Parse argv[1..argc-1] (argv[1]: "dev[,dev...]"). On error returns -EINVAL
 * (or -ERANGE) with a message in err ("bs=3000: not a multiple of 512").
 */
int bench_parse(int argc, char **argv, struct bench_config *cfg, char *err, size_t errlen);

/*
 * A duration as fio writes it: a number with an optional unit, ns, us, ms,
 * s, m, h, d; default_unit_ns when bare (seconds for runtime=).
 */
int bench_parse_time(const char *s, u64 default_unit_ns, u64 *out_ns);

/* The block size of the I/O whose random draw (0..99 for bssplit) is pick. */
u32 bench_pick_bs(const struct bench_config *cfg, u64 random);

const char *bench_engine_name(enum bench_engine e);

#endif
