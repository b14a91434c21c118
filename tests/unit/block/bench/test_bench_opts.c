/*
 * Unit tests for block/bench/bench_opts.c: every option's accepted forms and
 * defaults, and that bad values are refused with a message naming the
 * option.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "block/bench/bench_opts.c"

static struct bench_config cfg;
static char err[160];

/* Parse a space-separated command line ("bench null0 bs=4k"). */
static int parse(const char *line)
{
	static char buf[512];
	char *argv[32];
	int argc = 0;
	char *p = buf;

	strlcpy(buf, line, sizeof(buf));
	err[0] = 0;
	while (*p) {
		while (*p == ' ')
			*p++ = 0;
		if (!*p)
			break;
		argv[argc++] = p;
		while (*p && *p != ' ')
			p++;
	}
	return bench_parse(argc, argv, &cfg, err, sizeof(err));
}

static void ok(const char *line)
{
	int ret = parse(line);

	if (ret)
		fail_msg("\"%s\": %d (%s)", line, ret, err);
}

/* Refused, and the message contains what. */
static void bad(const char *line, const char *what)
{
	int ret = parse(line);

	if (ret != -EINVAL)
		fail_msg("\"%s\": accepted (%d)", line, ret);
	if (!strstr(err, what))
		fail_msg("\"%s\": message \"%s\" lacks \"%s\"", line, err, what);
}

static void test_defaults(void **state)
{
	(void)state;
	ok("bench null0");
	assert_int_equal(cfg.nr_devs, 1);
	assert_string_equal(cfg.devs[0], "null0");
	assert_string_equal(cfg.rw_name, "read");
	assert_int_equal(cfg.rwmixread, 100);
	assert_false(cfg.random);
	assert_int_equal(cfg.bs_min, 4096);
	assert_int_equal(cfg.bs_max, 4096);
	assert_int_equal(cfg.iodepth, 1);
	assert_int_equal(cfg.numjobs, 1);
	assert_int_equal(cfg.engine, BENCH_ENGINE_ASYNC);
	assert_int_equal(cfg.runtime_ns, BENCH_DEFAULT_RUNTIME_NS);
	assert_true(cfg.time_based);
	assert_false(cfg.verify);
	assert_false(cfg.json);
	assert_false(cfg.quiet);
	assert_false(cfg.cpus_allowed_set);
	assert_int_equal(cfg.ioprio, -1);
	assert_string_equal(cfg.name, "bench");
	/* size= alone: one pass, no default runtime */
	ok("bench vda size=1m");
	assert_int_equal(cfg.runtime_ns, 0);
	assert_int_equal(cfg.size, 1 << 20);
}

static void test_devices(void **state)
{
	(void)state;
	ok("bench nvme0n1,vda,null0");
	assert_int_equal(cfg.nr_devs, 3);
	assert_string_equal(cfg.devs[1], "vda");
	assert_string_equal(cfg.devs[2], "null0");
	bad("bench", "usage");
	bad("bench vda,", "empty device");
	bad("bench ,vda", "empty device");
	bad("bench bs=4k", "expected a device");
	bad("bench a,b,c,d,e,f,g,h,i", "at most 8");
	bad("bench a0123456789012345678901234567890123456789012345678901234567890123456789", "too long");
	/* a file as <disk>:<path> fits */
	ok("bench vda1:/data/some/directory/file.bin engine=dio");
}

static void test_rw(void **state)
{
	(void)state;
	ok("bench vda rw=randwrite");
	assert_true(cfg.random);
	assert_int_equal(cfg.rwmixread, 0);
	ok("bench vda rw=write");
	assert_false(cfg.random);
	assert_int_equal(cfg.rwmixread, 0);
	ok("bench vda rw=randread");
	assert_true(cfg.random);
	assert_int_equal(cfg.rwmixread, 100);
	ok("bench vda rw=randrw");
	assert_int_equal(cfg.rwmixread, 50);
	ok("bench vda rw=rw rwmixread=70");
	assert_false(cfg.random);
	assert_int_equal(cfg.rwmixread, 70);
	ok("bench vda rwmixread=30 rw=randrw");
	assert_int_equal(cfg.rwmixread, 30);
	ok("bench vda --rw=readwrite --rwmixwrite=25");
	assert_int_equal(cfg.rwmixread, 75);
	assert_string_equal(cfg.rw_name, "readwrite");
	bad("bench vda rw=randomread", "rw=randomread: unknown");
	bad("bench vda rw=", "rw: needs a value");
	bad("bench vda rw", "rw: needs a value");
	bad("bench vda rw=randrw rwmixread=101", "rwmixread=101: must be 0 to 100");
	bad("bench vda rw=read rwmixread=50", "only with rw=rw");
}

static void test_bs(void **state)
{
	(void)state;
	ok("bench vda bs=512");
	assert_int_equal(cfg.bs_min, 512);
	ok("bench vda bs=1m");
	assert_int_equal(cfg.bs_max, 1 << 20);
	ok("bench vda bs=64KiB");
	assert_int_equal(cfg.bs_max, 65536);
	ok("bench vda blocksize=8k");
	assert_int_equal(cfg.bs_max, 8192);
	ok("bench vda bs=1536");
	bad("bench vda bs=256", "out of range");
	bad("bench vda bs=2m", "out of range");
	bad("bench vda bs=3000", "not a multiple of 512");
	bad("bench vda bs=4q", "bad size");
	bad("bench vda bs=", "bs: needs a value");

	ok("bench vda bsrange=4k-64k");
	assert_int_equal(cfg.bs_min, 4096);
	assert_int_equal(cfg.bs_max, 65536);
	bad("bench vda bsrange=64k-4k", "min is above max");
	bad("bench vda bsrange=4k", "expected min-max");
	bad("bench vda bsrange=4k-2m", "out of range");
	bad("bench vda bsrange=-1", "bsrange=-1: expected min-max");
	bad("bench vda bsrange=4k-", "expected min-max");

	ok("bench vda bssplit=4k/50:64k/30:1m/20");
	assert_int_equal(cfg.nr_bs_shares, 3);
	assert_int_equal(cfg.bs_shares[1].bs, 65536);
	assert_int_equal(cfg.bs_shares[1].percent, 30);
	assert_int_equal(cfg.bs_min, 4096);
	assert_int_equal(cfg.bs_max, 1 << 20);
	ok("bench vda bssplit=4k/10:8k:16k");
	assert_int_equal(cfg.bs_shares[0].percent, 10);
	assert_int_equal(cfg.bs_shares[1].percent + cfg.bs_shares[2].percent, 90);
	ok("bench vda bssplit=4k/40:8k/:16k/");
	assert_int_equal(cfg.bs_shares[1].percent, 30);
	assert_int_equal(cfg.bs_shares[2].percent, 30);
	ok("bench vda bssplit=4k:8k:16k");
	assert_int_equal(cfg.bs_shares[0].percent + cfg.bs_shares[1].percent +
			 cfg.bs_shares[2].percent, 100);
	bad("bench vda bssplit=4k/50:8k/40", "add up to 90");
	bad("bench vda bssplit=4k/60:8k/60", "add up to 120");
	bad("bench vda bssplit=4k/x", "bad percentage");
	bad("bench vda bssplit=4k/50::8k/50", "expected bs/percent");
	bad("bench vda bssplit=3000/100", "not a multiple of 512");
}

static void test_pick_bs(void **state)
{
	unsigned int counts[3] = { 0 };

	(void)state;
	ok("bench vda bssplit=4k/50:64k/30:1m/20");
	for (u64 r = 0; r < 1000; r++) {
		u32 bs = bench_pick_bs(&cfg, r);

		counts[bs == 4096 ? 0 : bs == 65536 ? 1 : 2]++;
	}
	assert_int_equal(counts[0], 500);
	assert_int_equal(counts[1], 300);
	assert_int_equal(counts[2], 200);
	ok("bench vda bsrange=512-2k");
	for (u64 r = 0; r < 100; r++) {
		u32 bs = bench_pick_bs(&cfg, r);

		assert_true(bs >= 512 && bs <= 2048 && bs % 512 == 0);
	}
	assert_int_equal(bench_pick_bs(&cfg, 3), 2048);
	ok("bench vda bs=8k");
	assert_int_equal(bench_pick_bs(&cfg, 12345), 8192);
}

static void test_counts(void **state)
{
	(void)state;
	ok("bench vda iodepth=32 numjobs=4");
	assert_int_equal(cfg.iodepth, 32);
	assert_int_equal(cfg.numjobs, 4);
	ok("bench vda iodepth=1024 numjobs=64");
	bad("bench vda iodepth=0", "iodepth=0: must be 1 to 1024");
	bad("bench vda iodepth=1025", "must be 1 to 1024");
	bad("bench vda iodepth=x", "iodepth=x: not a number");
	bad("bench vda numjobs=0", "numjobs=0: must be 1 to 64");
	bad("bench vda numjobs=65", "must be 1 to 64");
	bad("bench vda engine=sync iodepth=4", "iodepth must be 1");
	ok("bench vda number_ios=1000");
	assert_int_equal(cfg.number_ios, 1000);
	assert_int_equal(cfg.runtime_ns, 0);
	bad("bench vda number_ios=0", "number_ios=0");
	ok("bench vda size=1m");
	assert_int_equal(cfg.loops, 1);
	ok("bench vda size=1m loops=3");
	assert_int_equal(cfg.loops, 3);
	assert_int_equal(cfg.io_size, 3 << 20);
	bad("bench vda loops=0", "loops=0");
	bad("bench vda size=64t loops=1000000", "more than 2^64 bytes");
	ok("bench vda size=16t loops=1000000");
	ok("bench vda rate_iops=500");
	assert_int_equal(cfg.rate_iops, 500);
	bad("bench vda rate_iops=0", "rate_iops=0");
}

static void test_cpus(void **state)
{
	(void)state;
	ok("bench vda cpus_allowed=0-1,3");
	assert_true(cfg.cpus_allowed_set);
	assert_int_equal(cpumask_weight(&cfg.cpus_allowed), 3);
	assert_true(cpumask_test(&cfg.cpus_allowed, 3));
	assert_false(cpumask_test(&cfg.cpus_allowed, 2));
	bad("bench vda cpus_allowed=3-1", "expected a CPU list");
	bad("bench vda cpus_allowed=9999", "too large");
	bad("bench vda cpus_allowed=", "needs a value");
}

static void test_cpus_online(void **state)
{
	cpumask_t online = { 0 };

	(void)state;
	cpumask_set(&online, 0);
	cpumask_set(&online, 1);
	ok("bench vda cpus_allowed=1");
	assert_int_equal(bench_check_cpus(&cfg, &online, err, sizeof(err)), 0);
	ok("bench vda");
	assert_int_equal(bench_check_cpus(&cfg, &online, err, sizeof(err)), 0);
	ok("bench vda cpus_allowed=0,5");
	assert_int_equal(bench_check_cpus(&cfg, &online, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "cpus_allowed: CPU 5 is not online (online: 0-1)");
}

static void test_times(void **state)
{
	u64 ns;

	(void)state;
	ok("bench vda runtime=10");
	assert_int_equal(cfg.runtime_ns, 10000000000ULL);
	assert_false(cfg.time_based);
	ok("bench vda runtime=500ms time_based");
	assert_int_equal(cfg.runtime_ns, 500000000ULL);
	assert_true(cfg.time_based);
	ok("bench vda runtime=2m ramp_time=1s time_based=1");
	assert_int_equal(cfg.runtime_ns, 120000000000ULL);
	assert_int_equal(cfg.ramp_time_ns, 1000000000ULL);
	ok("bench vda runtime=1h");
	assert_int_equal(cfg.runtime_ns, 3600000000000ULL);
	bad("bench vda runtime=0", "more than 0");
	bad("bench vda runtime=1ns", "at least 1ms");
	bad("bench vda runtime=999us", "at least 1ms");
	ok("bench vda runtime=1ms");
	bad("bench vda runtime=10x", "bad time");
	bad("bench vda runtime=s", "bad time");
	bad("bench vda runtime=99999999999999999999", "too long");
	bad("bench vda ramp_time=-1", "bad time");
	bad("bench vda time_based size=1m", "needs runtime");
	bad("bench vda time_based=maybe", "expected 1 or 0");
	assert_int_equal(bench_parse_time("250us", 1000000000ULL, &ns), 0);
	assert_int_equal(ns, 250000);
	assert_int_equal(bench_parse_time("7", 1000, &ns), 0);
	assert_int_equal(ns, 7000);
	assert_int_equal(bench_parse_time("300000d", 1, &ns), -ERANGE);
}

static void test_region(void **state)
{
	(void)state;
	ok("bench vda offset=1m size=16m");
	assert_int_equal(cfg.offset, 1 << 20);
	assert_int_equal(cfg.size, 16 << 20);
	bad("bench vda offset=100", "not a multiple of 512");
	bad("bench vda size=0", "non-zero multiple");
	bad("bench vda size=1000", "non-zero multiple");
	bad("bench vda size=4k bs=8k", "smaller than the largest block size");
	bad("bench vda size=lots", "bad size");
	bad("bench vda offset=99999999999999999999", "too large");
}

static void test_misc(void **state)
{
	(void)state;
	ok("bench vda engine=poll iodepth=8");
	assert_int_equal(cfg.engine, BENCH_ENGINE_POLL);
	assert_true(cfg.hipri);
	/* fio's hipri: async becomes poll, dio polls its bios, others refuse */
	ok("bench vda hipri");
	assert_int_equal(cfg.engine, BENCH_ENGINE_POLL);
	ok("bench vda engine=dio hipri=1");
	assert_int_equal(cfg.engine, BENCH_ENGINE_DIO);
	assert_true(cfg.hipri);
	ok("bench vda engine=dio hipri=0");
	assert_false(cfg.hipri);
	ok("bench vda engine=dio");
	assert_false(cfg.hipri);
	bad("bench vda engine=sync hipri", "hipri: only with engine=async, poll or dio");
	bad("bench vda engine=uring hipri", "hipri: only with");
	bad("bench vda hipri=2", "hipri=2");
	ok("bench vda engine=dio hipri poll_delay=0");
	assert_int_equal(cfg.poll_delay_us, 0);
	bad("bench vda engine=dio poll_delay=0", "poll_delay: only with polled");
	ok("bench vda ioengine=sync");
	assert_int_equal(cfg.engine, BENCH_ENGINE_SYNC);
	bad("bench vda engine=libaio", "engine=libaio: unknown");
	ok("bench vda engine=uring iodepth=64 rw=write serialize=1");
	assert_int_equal(cfg.engine, BENCH_ENGINE_URING);
	assert_true(cfg.serialize);
	ok("bench vda engine=uring serialize");
	assert_true(cfg.serialize);
	ok("bench vda engine=uring");
	assert_false(cfg.serialize);
	bad("bench vda engine=async serialize=1", "serialize: only with engine=uring");
	bad("bench vda engine=uring serialize=2", "serialize");
	ok("bench vda ioprio=3 ioprio_class=be");
	assert_int_equal(cfg.ioprio, 3);
	assert_int_equal(cfg.ioprio_class, 2);
	ok("bench vda prioclass=1");
	assert_int_equal(cfg.ioprio_class, 1);
	bad("bench vda ioprio=8", "ioprio=8: must be 0 to 7");
	bad("bench vda ioprio_class=4", "ioprio_class=4");
	bad("bench vda ioprio_class=idle ioprio=2", "idle class");
	ok("bench vda verify=crc32c verify_gen=7");
	assert_true(cfg.verify);
	assert_int_equal(cfg.verify_gen, 7);
	ok("bench vda verify=none");
	assert_false(cfg.verify);
	bad("bench vda verify=md5", "verify=md5: unknown");
	bad("bench vda verify=crc32c bsrange=4k-8k", "needs one block size");
	bad("bench vda verify=crc32c rw=randrw", "write in one run");
	ok("bench vda verify=crc32c rw=randwrite bs=8k");
	ok("bench vda --quiet --json name=job1 direct=1 randseed=42");
	assert_true(cfg.quiet);
	assert_true(cfg.json);
	assert_string_equal(cfg.name, "job1");
	assert_int_equal(cfg.randseed, 42);
	assert_true(cfg.randseed_set);
	/* fio's defaults: the random map on, the same sequence every run */
	ok("bench vda rw=randread");
	assert_false(cfg.norandommap);
	assert_true(cfg.randrepeat);
	assert_false(cfg.randseed_set);
	ok("bench vda rw=randread norandommap randrepeat=0");
	assert_true(cfg.norandommap);
	assert_false(cfg.randrepeat);
	ok("bench vda rw=randread norandommap=0 randrepeat");
	assert_false(cfg.norandommap);
	assert_true(cfg.randrepeat);
	bad("bench vda norandommap=maybe", "norandommap=maybe: expected 1 or 0");
	bad("bench vda randrepeat=2", "randrepeat=2: expected 1 or 0");
	ok("bench vda disable_slat disable_lat=1");
	assert_true(cfg.disable_slat);
	assert_true(cfg.disable_lat);
	ok("bench vda");
	assert_false(cfg.disable_slat);
	assert_false(cfg.disable_lat);
	bad("bench vda disable_lat=x", "disable_lat=x: expected 1 or 0");
	ok("bench vda --output-format=json");
	assert_true(cfg.json);
	bad("bench vda direct=0", "only direct=1");
	bad("bench vda --json=yes", "takes no value");
	bad("bench vda --quiet=1", "takes no value");
	bad("bench vda bogus=1", "\"bogus\": unknown option");
	bad("bench vda =1", "unknown option");
	bad("bench vda name=0123456789012345678901234567890123456789012345678901234567890123456789", "longer than 63");
}

static struct bench_config jobs[BENCH_MAX_GROUPS];
static unsigned int nr_jobs;

/* Parse a line of several jobs into jobs[], like parse(). */
static int parse_jobs(const char *line)
{
	static char buf[512];
	char *argv[48];
	int argc = 0;
	char *p = buf;

	strlcpy(buf, line, sizeof(buf));
	err[0] = 0;
	while (*p) {
		while (*p == ' ')
			*p++ = 0;
		if (!*p)
			break;
		argv[argc++] = p;
		while (*p && *p != ' ')
			p++;
	}
	return bench_parse_jobs(argc, argv, jobs, BENCH_MAX_GROUPS, &nr_jobs, err, sizeof(err));
}

/* fio's command line: global options first, each name= a job overriding them. */
static void test_jobs(void **state)
{
	(void)state;
	assert_int_equal(parse_jobs("bench vda rw=randread name=lat prioclass=rt iodepth=1 "
				    "name=bulk prioclass=be iodepth=32 numjobs=2"), 0);
	assert_int_equal(nr_jobs, 2);
	assert_string_equal(jobs[0].name, "lat");
	assert_string_equal(jobs[0].rw_name, "randread");
	assert_int_equal(jobs[0].ioprio_class, 1);
	assert_int_equal(jobs[0].iodepth, 1);
	assert_int_equal(jobs[0].numjobs, 1);
	assert_string_equal(jobs[1].name, "bulk");
	assert_string_equal(jobs[1].rw_name, "randread");
	assert_int_equal(jobs[1].ioprio_class, 2);
	assert_int_equal(jobs[1].iodepth, 32);
	assert_int_equal(jobs[1].numjobs, 2);
	assert_string_equal(jobs[1].devs[0], "vda");
	/* a job's option does not leak into the next one */
	assert_int_equal(parse_jobs("bench null0 iodepth=4 name=a rw=write name=b"), 0);
	assert_int_equal(nr_jobs, 2);
	assert_string_equal(jobs[0].rw_name, "write");
	assert_string_equal(jobs[1].rw_name, "read");
	assert_int_equal(jobs[1].iodepth, 4);
	/* --json and --quiet are the run's, wherever they are */
	assert_int_equal(parse_jobs("bench null0 name=a name=b --json"), 0);
	assert_true(jobs[0].json && jobs[1].json);
	/* without name=: one job, as bench_parse */
	assert_int_equal(parse_jobs("bench null0 iodepth=8 prio=3"), 0);
	assert_int_equal(nr_jobs, 1);
	assert_int_equal(jobs[0].iodepth, 8);
	assert_int_equal(jobs[0].ioprio, 3);
	assert_string_equal(jobs[0].name, "bench");
	/* each job is checked on its own */
	assert_int_equal(parse_jobs("bench null0 name=a engine=sync name=b engine=sync iodepth=2"),
			 -EINVAL);
	assert_non_null(strstr(err, "engine=sync"));
	assert_int_equal(parse_jobs("bench null0 name=a prioclass=idle prio=3"), -EINVAL);
	assert_non_null(strstr(err, "idle"));
	assert_int_equal(parse_jobs("bench null0 name=a numjobs=40 name=b numjobs=40"), -EINVAL);
	assert_non_null(strstr(err, "numjobs"));
	assert_int_equal(parse_jobs("bench null0 name=1 name=2 name=3 name=4 name=5 name=6 "
				    "name=7 name=8 name=9"), -EINVAL);
	assert_non_null(strstr(err, "at most"));
	assert_int_equal(parse_jobs("bench null0 name="), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_devices),
		cmocka_unit_test(test_rw),
		cmocka_unit_test(test_bs),
		cmocka_unit_test(test_pick_bs),
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_cpus),
		cmocka_unit_test(test_cpus_online),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_region),
		cmocka_unit_test(test_misc),
		cmocka_unit_test(test_jobs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
