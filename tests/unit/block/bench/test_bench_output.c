/*
 * Unit tests for block/bench/bench_output.c: the JSON has fio's field names and
 * values computed from known results (IOPS, bandwidth, percentiles), is
 * balanced and escapes the job name (and Python's json module parses it:
 * the documents go to UNIT_JSON_SAMPLES, see tests/unit/unit.mk), and the
 * text report and progress line carry the same figures.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <fcntl.h>
#include <unistd.h>
#include <cmocka.h>

#include "block/bench/bench_opts.c"
#include "block/bench/bench_lat_dist.c"
#include "block/bench/bench_output.c"

static char text[65536];
static size_t text_len;
static struct bench_job_result jobs[2], total;
static struct bench_config cfg;

static void collect(void *arg, const char *s, size_t n)
{
	(void)arg;
	assert_true(text_len + n < sizeof(text));
	memcpy(text + text_len, s, n);
	text_len += n;
	text[text_len] = 0;
}

static const struct bench_out out = { collect, NULL };

static void has(const char *what)
{
	if (!strstr(text, what))
		fail_msg("output lacks %s:\n%s", what, text);
}

/* Hand the JSON document in text to make unit's Python check, when it asks. */
static void python_check_later(void)
{
	const char *path = getenv("UNIT_JSON_SAMPLES");
	int fd;

	if (!path)
		return;
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "doc - ", 6), 6);
	assert_int_equal(write(fd, text, text_len), (ssize_t)text_len);
	close(fd);
}

static void setup_results(void)
{
	char err[128];
	char *argv[] = { "bench", "null0", "rw=randread", "iodepth=32", "numjobs=2" };

	assert_int_equal(bench_parse(5, argv, &cfg, err, sizeof(err)), 0);
	memset(jobs, 0, sizeof(jobs));
	for (unsigned int j = 0; j < 2; j++) {
		jobs[j].job = j;
		jobs[j].cpu = (int)j;
		jobs[j].runtime_ns = 2000000000ULL;		/* 2 s */
		jobs[j].busy_ns = 1000000000ULL;		/* 50 % */
		jobs[j].busy_cycles = 2000000000ULL;
		for (unsigned int d = 0; d < BENCH_DIRS; d++) {
			hist_init(&jobs[j].dir[d].slat);
			hist_init(&jobs[j].dir[d].clat);
			hist_init(&jobs[j].dir[d].lat);
		}
		/* 10000 reads of 4 KiB: submitted in 100 ns, completed 1..10000 us later */
		for (u64 i = 1; i <= 10000; i++) {
			hist_add(&jobs[j].dir[0].slat, 100);
			hist_add(&jobs[j].dir[0].clat, i * 1000);
			hist_add(&jobs[j].dir[0].lat, 100 + i * 1000);
		}
		jobs[j].dir[0].ios = 10000;
		jobs[j].dir[0].bytes = 10000 * 4096;
	}
	bench_result_sum(jobs, 2, &total);
	text_len = 0;
	text[0] = 0;
}

static void test_sum(void **state)
{
	(void)state;
	setup_results();
	assert_int_equal(total.dir[0].ios, 20000);
	assert_int_equal(total.dir[0].lat.count, 20000);
	assert_int_equal(total.dir[0].clat.count, 20000);
	assert_int_equal(total.dir[0].slat.count, 20000);
	assert_int_equal(total.dir[0].slat.sum, 20000 * 100);
	assert_int_equal(total.runtime_ns, 2000000000ULL);
	assert_int_equal(total.busy_cycles, 4000000000ULL);
	assert_int_equal(bench_iops_milli(20000, 2000000000ULL), 10000000);
	/* 4e9 cycles over 20000 I/Os */
	assert_int_equal(bench_cycles_per_io_milli(&total), 200000000);
}

static void test_json(void **state)
{
	int depth = 0;

	(void)state;
	setup_results();
	assert_int_equal(bench_output_json(&out, &cfg, jobs, 2, &total), 0);
	python_check_later();
	for (size_t i = 0; i < text_len; i++) {
		depth += text[i] == '{' || text[i] == '[';
		depth -= text[i] == '}' || text[i] == ']';
		assert_true(depth >= 0);
	}
	assert_int_equal(depth, 0);
	assert_int_equal(text[text_len - 1], '\n');
	has("\"jobs\":[{\"jobname\":\"bench\"");
	/* 10000 I/Os in 2 s */
	has("\"read\":{\"io_bytes\":40960000,\"io_kbytes\":40000,\"bw_bytes\":20480000,"
	    "\"bw\":20000,\"iops\":5000.000,\"runtime\":2000,\"total_ios\":10000");
	has("\"clat_ns\":{\"min\":1000,\"max\":10000000,\"mean\":5000500.000,");
	has("\"percentile\":{\"1.000000\":");
	has("\"99.990000\":");
	has("\"lat_ns\":{\"min\":1100,\"max\":10000100,\"mean\":5000600.000,");
	has("\"slat_ns\":{\"min\":100,\"max\":100,\"mean\":100.000,\"stddev\":0.000,"
	    "\"N\":10000}");
	has("\"write\":{\"io_bytes\":0");
	has("\"sys_cpu\":50.000");
	has("\"stork\":{\"cpu\":1,\"busy_ns\":1000000000,\"busy_cycles\":2000000000,"
	    "\"busy_pct\":50.000,\"cycles_per_io\":200000.000");
	has("\"stork\":{\"total\":{\"jobname\":\"total\"");
	has("\"iops\":10000.000,\"runtime\":2000,\"total_ios\":20000");
	/* no percentile object for an empty direction */
	has("\"clat_ns\":{\"min\":0,\"max\":0,\"mean\":0.000,\"stddev\":0.000,\"N\":0}");
}

/* The decimal number at *p; moves *p past it (libc's parsers clash with lib's names). */
static u64 number(const char **p)
{
	u64 v = 0;

	assert_true(**p >= '0' && **p <= '9');
	while (**p >= '0' && **p <= '9')
		v = v * 10 + (u64)(*(*p)++ - '0');
	return v;
}

/* The sum of the counts in the first "bins" object at or after from. */
static u64 bins_sum(const char *from, const char **next)
{
	const char *p = strstr(from, "\"bins\":{");
	u64 sum = 0, count;

	assert_non_null(p);
	p += strlen("\"bins\":{");
	while (*p != '}') {
		assert_int_equal(*p++, '"');
		number(&p);
		assert_int_equal(*p++, '"');
		assert_int_equal(*p++, ':');
		count = number(&p);
		assert_true(count > 0);
		sum += count;
		if (*p == ',')
			p++;
	}
	*next = p;
	return sum;
}

/* json+: clat_ns.bins, keyed by latency in ns, add up to each direction's total_ios */
static void test_json_plus(void **state)
{
	char err[128];
	char *argv[] = { "bench", "null0", "rw=randread", "numjobs=2", "--output-format=json+" };
	const char *p;

	(void)state;
	setup_results();
	assert_int_equal(bench_parse(5, argv, &cfg, err, sizeof(err)), 0);
	assert_true(cfg.json && cfg.json_plus);
	assert_int_equal(bench_output_json(&out, &cfg, jobs, 2, &total), 0);
	python_check_later();
	p = strstr(text, "\"clat_ns\"");
	assert_int_equal(bins_sum(p, &p), 10000);
	assert_int_equal(bins_sum(p, &p), 10000);
	/* the total's */
	assert_int_equal(bins_sum(p, &p), 20000);
	assert_null(strstr(p, "\"bins\""));
	/* the empty write direction has none; 1 us is a bucket of its own */
	has("\"bins\":{\"1004\":1,");
	/* plain json has no bins */
	cfg.json_plus = false;
	text_len = 0;
	bench_output_json(&out, &cfg, jobs, 2, &total);
	assert_null(strstr(text, "\"bins\""));
}

/* fio's latency_us / latency_ms percentages in the JSON, fio's lines in the text */
static void test_lat_dist(void **state)
{
	const char *p;
	u32 sum = 0;

	(void)state;
	setup_results();
	bench_output_json(&out, &cfg, jobs, 2, &total);
	/*
	 * 1..10000 us: about 1000 of 10000 in [1 ms, 2 ms), 2000 in [2 ms, 4 ms);
	 * the buckets that straddle 1 ms and 2 ms count whole above the edge
	 */
	has("\"latency_ns\":{\"2\":0.00,");
	has("\"latency_us\":{\"2\":0.01,\"4\":0.02,");
	has("\"latency_ms\":{\"2\":9.99,\"4\":19.99,\"10\":59.64,\"20\":0.39,\"50\":0.00,");
	has(",\">=2000\":0.00}");
	text_len = 0;
	bench_output_text(&out, &cfg, jobs, 2, &total);
	has("  lat (usec)   : 2=0.01%, 4=0.02%, ");
	has("  lat (usec)   : 2=0.01%, 4=0.02%, 10=0.06%, 20=0.10%, 50=0.31%\n"
	    "  lat (usec)   : 100=0.50%, 250=1.49%, 500=2.50%, 750=2.54%, 1000=2.46%\n"
	    "  lat (msec)   : 2=9.99%, 4=19.99%, 10=59.64%, 20=0.39%\n  cpu:");
	assert_null(strstr(text, "lat (nsec)"));
	/* job 0's lines: five ranges a line, shares adding up to 100 % */
	p = strstr(text, "  lat (usec)");
	while (p && !strncmp(p, "  lat (", 7)) {
		p = strchr(p, ':') + 2;
		for (;;) {
			p = strchr(p, '=') + 1;
			sum += (u32)number(&p) * 100;
			assert_int_equal(*p++, '.');
			sum += (u32)number(&p);
			assert_int_equal(*p++, '%');
			if (*p != ',')
				break;
			p += 2;
		}
		assert_int_equal(*p, '\n');
		p++;
	}
	assert_true(sum >= 10000 - 20 && sum <= 10000 + 20);
	assert_true(!strncmp(p, "  cpu:", 6));
}

/* A job name is the user's text: quotes and backslashes come out escaped. */
static void test_json_name_escaped(void **state)
{
	char err[128];
	char *argv[] = { "bench", "null0", "name=a\"b\\c" };

	(void)state;
	setup_results();
	assert_int_equal(bench_parse(3, argv, &cfg, err, sizeof(err)), 0);
	assert_int_equal(bench_output_json(&out, &cfg, jobs, 2, &total), 0);
	python_check_later();
	has("\"jobs\":[{\"jobname\":\"a\\\"b\\\\c\",");
}

static void test_percentile_values(void **state)
{
	char want[64];

	(void)state;
	setup_results();
	bench_output_json(&out, &cfg, jobs, 2, &total);
	/* 50th of 1..10000 us: within a bucket of 5 ms */
	snprintf(want, sizeof(want), "\"50.000000\":%llu",
		 (unsigned long long)hist_percentile(&jobs[0].dir[0].clat, 500000));
	has(want);
	assert_true(hist_percentile(&jobs[0].dir[0].clat, 500000) / 1000 >= 4950);
	assert_true(hist_percentile(&jobs[0].dir[0].clat, 500000) / 1000 <= 5050);
}

static void test_text(void **state)
{
	(void)state;
	setup_results();
	bench_output_text(&out, &cfg, jobs, 2, &total);
	has("bench: rw=randread bs=4096 iodepth=32 numjobs=2 engine=async dev=null0\n");
	has("job 0 (cpu 0):\n  read: IOPS=5000, BW=19.53MiB/s (20.4MB/s), 10000 I/Os in 2000 ms\n");
	has("    slat (ns): min=100, max=100, avg=100.000, stdev=0.000\n"
	    "    clat (ns): min=1000, max=10000000, avg=5000500.000, stdev=");
	has("     lat (ns): min=1100, max=10000100, avg=5000600.000, stdev=");
	has("    clat percentiles (ns):");
	has("99.99th=");
	has("  cpu: busy=50.0%, cycles/io=200000\n");
	has("total (2 jobs):\n  read: IOPS=10.0k,");
	assert_null(strstr(text, "write:"));
}

/* Whether the first "lat_ns" object of the JSON in text has a percentile object. */
static bool lat_ns_has_percentiles(void)
{
	const char *lat = strstr(text, "\"lat_ns\":{");
	const char *pct, *end;

	assert_non_null(lat);
	end = strchr(lat, '}');
	pct = strstr(lat, "\"percentile\":{");
	return pct && pct < end;
}

/*
 * fio's defaults: percentiles of clat only; slat_percentiles and
 * lat_percentiles add theirs, in text and JSON.
 */
static void test_slat_lat_percentiles(void **state)
{
	char err[128];
	char *argv[] = { "bench", "null0", "rw=randread", "iodepth=32", "numjobs=2",
			 "slat_percentiles", "lat_percentiles=1" };

	(void)state;
	setup_results();
	bench_output_text(&out, &cfg, jobs, 2, &total);
	assert_null(strstr(text, "slat percentiles"));
	assert_null(strstr(text, " lat percentiles"));
	text_len = 0;
	text[0] = 0;
	bench_output_json(&out, &cfg, jobs, 2, &total);
	has("\"slat_ns\":{\"min\":100,\"max\":100,\"mean\":100.000,\"stddev\":0.000,"
	    "\"N\":10000},");
	has("\"lat_ns\":{\"min\":1100,\"max\":10000100,\"mean\":5000600.000,\"stddev\":");
	assert_false(lat_ns_has_percentiles());

	assert_int_equal(bench_parse(7, argv, &cfg, err, sizeof(err)), 0);
	assert_true(cfg.slat_percentiles);
	assert_true(cfg.lat_percentiles);
	text_len = 0;
	text[0] = 0;
	bench_output_text(&out, &cfg, jobs, 2, &total);
	has("    slat percentiles (ns):\n     |  1.00th=[100],");
	has("    clat percentiles (ns):");
	has("     lat percentiles (ns):\n     |  1.00th=[");
	text_len = 0;
	text[0] = 0;
	assert_int_equal(bench_output_json(&out, &cfg, jobs, 2, &total), 0);
	python_check_later();
	has("\"slat_ns\":{\"min\":100,\"max\":100,\"mean\":100.000,\"stddev\":0.000,"
	    "\"N\":10000,\"percentile\":{\"1.000000\":100,");
	has("\"lat_ns\":{\"min\":1100,\"max\":10000100,\"mean\":5000600.000,");
	assert_true(lat_ns_has_percentiles());
}

/* engine=sync records no slat (fio's sync engines): no slat line, N 0 in JSON. */
static void test_no_slat(void **state)
{
	(void)state;
	setup_results();
	for (unsigned int j = 0; j < 2; j++)
		hist_init(&jobs[j].dir[0].slat);
	bench_result_sum(jobs, 2, &total);
	bench_output_text(&out, &cfg, jobs, 2, &total);
	assert_null(strstr(text, "slat"));
	has("    clat (ns): min=1000,");
	text_len = 0;
	text[0] = 0;
	assert_int_equal(bench_output_json(&out, &cfg, jobs, 2, &total), 0);
	has("\"slat_ns\":{\"min\":0,\"max\":0,\"mean\":0.000,\"stddev\":0.000,\"N\":0}");
}

/* Two name= jobs: each result names its own job and options, text and JSON. */
static void test_named_jobs(void **state)
{
	static struct bench_config cfgs[BENCH_MAX_GROUPS];
	char err[128];
	char *argv[] = { "bench", "null0", "rw=randread", "name=lat", "prioclass=rt", "iodepth=1",
			 "name=bulk", "prioclass=be", "iodepth=32" };
	unsigned int nr;

	(void)state;
	setup_results();
	assert_int_equal(bench_parse_jobs(9, argv, cfgs, BENCH_MAX_GROUPS, &nr, err, sizeof(err)), 0);
	assert_int_equal(nr, 2);
	jobs[0].cfg = &cfgs[0];
	jobs[1].cfg = &cfgs[1];
	assert_int_equal(bench_output_json(&out, &cfgs[0], jobs, 2, &total), 0);
	python_check_later();
	has("\"jobs\":[{\"jobname\":\"lat\",");
	has("\"iodepth\":\"1\",\"ioengine\":\"async\",\"prioclass\":\"1\"}");
	has("{\"jobname\":\"bulk\",");
	has("\"iodepth\":\"32\",\"ioengine\":\"async\",\"prioclass\":\"2\"}");
	has("\"stork\":{\"total\":{\"jobname\":\"total\"");
	text_len = 0;
	bench_output_text(&out, &cfgs[0], jobs, 2, &total);
	has("lat: rw=randread bs=4096 iodepth=1 numjobs=1 engine=async prioclass=1 prio=4 dev=null0\n"
	    "job 0 (cpu 0):\n");
	has("bulk: rw=randread bs=4096 iodepth=32 numjobs=1 engine=async prioclass=2 prio=4 "
	    "dev=null0\njob 1 (cpu 1):\n");
	jobs[0].cfg = NULL;
	jobs[1].cfg = NULL;
}

static void test_uring_punts(void **state)
{
	(void)state;
	setup_results();
	cfg.engine = BENCH_ENGINE_URING;
	jobs[0].punted = 30;
	jobs[0].punt_workers = 2;
	jobs[0].punt_woken_n = 4;
	jobs[0].punt_woken_cycles = 4000;
	jobs[0].punt_created_n = 2;
	jobs[0].punt_created_cycles = 50000;
	bench_result_sum(jobs, 2, &total);
	bench_output_text(&out, &cfg, jobs, 2, &total);
	has("job 0 (cpu 0):");
	has("  cpu: busy=50.0%, cycles/io=200000, punted=30\n"
	    "  io-wq: workers=2, punt to start (cycles): woken=1000 (4), new worker=25000 (2)\n");
	/* job 1 punted nothing: the count, and no pool line */
	has("  cpu: busy=50.0%, cycles/io=200000, punted=0\ntotal");
	has("punted=30\n  io-wq: workers=2,");
	text_len = 0;
	bench_output_json(&out, &cfg, jobs, 2, &total);
	has("\"punted\":30,\"punt_workers\":2,\"punt_start_woken_cycles\":1000,"
	    "\"punt_start_new_worker_cycles\":25000,");
	has("\"ioengine\":\"uring\"");
}

static void test_progress(void **state)
{
	u64 ios[2] = { 123456, 0 }, bytes[2] = { 123456ULL * 4096, 0 };

	(void)state;
	text_len = 0;
	bench_output_progress(&out, ios, bytes, 1000000000ULL, 3000000000ULL, 6500000000ULL);
	assert_string_equal(text, "[r=123.4k,w=0 IOPS][r=482.2,w=0.0 MiB/s][3s/7s left]\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sum),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_json_name_escaped),
		cmocka_unit_test(test_json_plus),
		cmocka_unit_test(test_lat_dist),
		cmocka_unit_test(test_percentile_values),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_no_slat),
		cmocka_unit_test(test_slat_lat_percentiles),
		cmocka_unit_test(test_named_jobs),
		cmocka_unit_test(test_uring_punts),
		cmocka_unit_test(test_progress),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
