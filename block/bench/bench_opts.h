/*
 * The command line of `bench`, parsed into a struct bench_config without
 * touching a device (pure: host unit tests cover it). Names follow fio where
 * fio has one, so "rw=randread bs=4k iodepth=32 numjobs=2 runtime=10" means
 * what a fio user expects. Devices are checked later, by the engine.
 */
#ifndef BLOCK_BENCH_BENCH_OPTS_H
#define BLOCK_BENCH_BENCH_OPTS_H

#include "lib/types.h"
#include "kernel/sched/cpumask.h"

#define BENCH_MAX_DEVS 8
#define BENCH_DEV_NAME_LEN 64	/* a disk, or a file as <disk>:<path> */
#define BENCH_MAX_JOBS 64
#define BENCH_MAX_IODEPTH 1024
#define BENCH_MAX_BSSPLIT 16
#define BENCH_MIN_BS 512u
#define BENCH_MIN_RUNTIME_NS 1000000ULL	/* 1 ms: runtime= below it would measure nothing */
#define BENCH_MAX_BS (1024u * 1024u)
#define BENCH_DEFAULT_RUNTIME_NS (5ULL * 1000000000ULL)

enum bench_engine {
	BENCH_ENGINE_SYNC,	/* one I/O at a time, submit_bio_wait */
	BENCH_ENGINE_ASYNC,	/* iodepth in flight, interrupt completion */
	BENCH_ENGINE_POLL,	/* iodepth in flight on a poll queue, no interrupt */
	BENCH_ENGINE_DIO,	/* as async, through direct-IO (block/dio.h): disks and files */
	BENCH_ENGINE_URING,	/* io_uring-shaped rings, REQ_NOWAIT, io-wq punts */
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
	u32 loops;			/* fio's loops: passes over size (1 default) */
	u64 io_size;			/* per job: size x loops (bench_finish), as fio's io_size */
	u64 ramp_time_ns;		/* run but do not count */
	u32 rate_iops;			/* per job; 0: unlimited */
	/*
	 * engine=poll, as Linux's queue/io_poll_delay: -1 classic (spin at
	 * once), 0 hybrid (sleep half the mean completion time, then spin),
	 * N > 0 sleep N us first.
	 */
	s32 poll_delay_us;
	enum bench_engine engine;
	/*
	 * fio's hipri: polled completions (REQ_POLLED bios on the poll
	 * queues, the job spins on them). engine=poll is async with hipri;
	 * engine=dio takes it too.
	 */
	bool hipri;
	int ioprio_class;		/* -1: not set; 1 RT, 2 BE, 3 IDLE */
	int ioprio;			/* -1: not set; level 0-7 */
	bool serialize;			/* engine=uring: punted writes of a disk stay in order */
	bool verify;			/* verify=crc32c */
	bool trace;			/* trace=1: per-stage tracing of the devices, table at the end */
	u32 verify_gen;			/* written into headers; on read, 0 accepts any */
	u64 randseed;
	bool randseed_set;		/* randseed= given: it wins over randrepeat */
	bool randrepeat;		/* fio's: the same random sequence every run (default) */
	bool norandommap;		/* fio's: random offsets with repeats, no full coverage */
	bool disable_slat;		/* fio's: no slat; clat runs from the prepared I/O */
	bool disable_lat;		/* fio's: no total latency histogram */
	/* fio's: percentiles of slat and lat too (else only min, max, mean, stdev) */
	bool slat_percentiles;
	bool lat_percentiles;
	bool quiet;
	bool json;
	bool json_plus;			/* --output-format=json+: clat_ns.bins too */
	int rwmix_given;		/* parser state: -1 unless rwmixread= was given */
};

/*
 * Parse argv[1..argc-1] (argv[1]: "dev[,dev...]"). On error returns -EINVAL
 * (or -ERANGE) with a message in err ("bs=3000: not a multiple of 512").
 */
int bench_parse(int argc, char **argv, struct bench_config *cfg, char *err, size_t errlen);

/*
 * fio's command line with several jobs: the options before the first name=
 * are global, each name= starts a job that takes them and overrides them
 * with its own, up to the next name=. Fills cfgs[0..*nr) (at most max);
 * without any name=, one job as bench_parse() gives it.
 */
#define BENCH_MAX_GROUPS 8
int bench_parse_jobs(int argc, char **argv, struct bench_config *cfgs, unsigned int max,
		     unsigned int *nr, char *err, size_t errlen);

/*
 * cfg's cpus_allowed against the CPUs online: like fio, a CPU that is not
 * there is an error, not a CPU silently left out. 0, or -EINVAL and err.
 */
int bench_check_cpus(const struct bench_config *cfg, const cpumask_t *online, char *err,
		     size_t errlen);

/*
 * A duration as fio writes it: a number with an optional unit, ns, us, ms,
 * s, m, h, d; default_unit_ns when bare (seconds for runtime=).
 */
int bench_parse_time(const char *s, u64 default_unit_ns, u64 *out_ns);

/* The block size of the I/O whose random draw (0..99 for bssplit) is pick. */
u32 bench_pick_bs(const struct bench_config *cfg, u64 random);

const char *bench_engine_name(enum bench_engine e);

#endif
