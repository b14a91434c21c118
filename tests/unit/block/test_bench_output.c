/*
 * Unit tests for block/bench_output.c: the JSON has fio's field names and
 * values computed from known results (IOPS, bandwidth, percentiles), is
 * balanced, and the text report and progress line carry the same figures.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "block/bench_opts.c"
#include "block/bench_output.c"

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
		hist_init(&jobs[j].dir[0].lat);
		hist_init(&jobs[j].dir[1].lat);
		/* 10000 reads of 4 KiB, latencies 1..10000 us in ns */
		for (u64 i = 1; i <= 10000; i++)
			hist_add(&jobs[j].dir[0].lat, i * 1000);
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
	bench_output_json(&out, &cfg, jobs, 2, &total);
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
	has("\"lat_ns\":{\"min\":1000");
	has("\"slat_ns\":{\"min\":0");
	has("\"write\":{\"io_bytes\":0");
	has("\"sys_cpu\":50.000");
	has("\"stork\":{\"cpu\":1,\"busy_ns\":1000000000,\"busy_cycles\":2000000000,"
	    "\"busy_pct\":50.000,\"cycles_per_io\":200000.000");
	has("\"stork\":{\"total\":{\"jobname\":\"total\"");
	has("\"iops\":10000.000,\"runtime\":2000,\"total_ios\":20000");
	/* no percentile object for an empty direction */
	has("\"clat_ns\":{\"min\":0,\"max\":0,\"mean\":0.000,\"stddev\":0.000,\"N\":0}");
}

static void test_percentile_values(void **state)
{
	char want[64];

	(void)state;
	setup_results();
	bench_output_json(&out, &cfg, jobs, 2, &total);
	/* 50th of 1..10000 us: within a bucket of 5 ms */
	snprintf(want, sizeof(want), "\"50.000000\":%llu",
		 (unsigned long long)hist_percentile(&jobs[0].dir[0].lat, 500000));
	has(want);
	assert_true(hist_percentile(&jobs[0].dir[0].lat, 500000) / 1000 >= 4950);
	assert_true(hist_percentile(&jobs[0].dir[0].lat, 500000) / 1000 <= 5050);
}

static void test_text(void **state)
{
	(void)state;
	setup_results();
	bench_output_text(&out, &cfg, jobs, 2, &total);
	has("bench: rw=randread bs=4096 iodepth=32 numjobs=2 engine=async dev=null0\n");
	has("job 0 (cpu 0):\n  read: IOPS=5000, BW=19.53MiB/s (20.4MB/s), 10000 I/Os in 2000 ms\n");
	has("    lat (ns): min=1000, max=10000000, avg=5000500.000, stdev=");
	has("99.99th=");
	has("  cpu: busy=50.0%, cycles/io=200000\n");
	has("total (2 jobs):\n  read: IOPS=10.0k,");
	assert_null(strstr(text, "write:"));
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
		cmocka_unit_test(test_percentile_values),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_progress),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
