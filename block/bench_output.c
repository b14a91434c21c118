/*
 * bench's report (block/bench_output.h): text for people, fio-shaped JSON for
 * tools. Everything is integer arithmetic; fractional figures are carried
 * in thousandths and printed as "123.456".
 */
#include "block/bench_output.h"
#include "lib/math64.h"
#include "lib/printf.h"
#include "lib/string.h"

const u32 bench_percentiles_ppm[BENCH_NR_PERCENTILES] = {
	10000, 50000, 100000, 200000, 300000, 400000, 500000, 600000, 700000,
	800000, 900000, 950000, 990000, 995000, 999000, 999500, 999900,
};

static const char *const dir_names[BENCH_DIRS] = { "read", "write" };

static void __printf(2, 3) outf(const struct bench_out *out, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(buf))
		n = sizeof(buf) - 1;
	if (n > 0)
		out->write(out->arg, buf, (size_t)n);
}

void bench_result_sum(const struct bench_job_result *jobs, unsigned int nr,
		      struct bench_job_result *total)
{
	unsigned int i, d;

	memset(total, 0, sizeof(*total));
	total->cpu = -1;
	for (d = 0; d < BENCH_DIRS; d++)
		hist_init(&total->dir[d].lat);
	for (i = 0; i < nr; i++) {
		const struct bench_job_result *j = &jobs[i];

		total->runtime_ns = max(total->runtime_ns, j->runtime_ns);
		total->busy_ns += j->busy_ns;
		total->busy_cycles += j->busy_cycles;
		total->verify_errors += j->verify_errors;
		if (!total->error)
			total->error = j->error;
		for (d = 0; d < BENCH_DIRS; d++) {
			total->dir[d].ios += j->dir[d].ios;
			total->dir[d].bytes += j->dir[d].bytes;
			hist_merge(&total->dir[d].lat, &j->dir[d].lat);
		}
	}
}

u64 bench_iops_milli(u64 ios, u64 runtime_ns)
{
	return mul_u64_u64_div_u64(ios, 1000000000000ULL, runtime_ns);
}

u64 bench_cycles_per_io_milli(const struct bench_job_result *r)
{
	u64 ios = r->dir[BENCH_DIR_READ].ios + r->dir[BENCH_DIR_WRITE].ios;

	return mul_u64_u64_div_u64(r->busy_cycles, 1000, ios);
}

/* busy time as a percentage of wall time, thousandths; several CPUs for the total */
static u64 busy_pct_milli(const struct bench_job_result *r, unsigned int nr_cpus)
{
	if (!nr_cpus)
		return 0;
	return mul_u64_u64_div_u64(r->busy_ns, 100000, r->runtime_ns) / nr_cpus;
}

static u64 bw_bytes_per_sec(u64 bytes, u64 runtime_ns)
{
	return mul_u64_u64_div_u64(bytes, 1000000000ULL, runtime_ns);
}

#define MILLI(v) (unsigned long long)((v) / 1000), (unsigned long long)((v) % 1000)

/* 1234567 -> "1.23M", like fio's IOPS=... */
static void fmt_scaled(char *buf, size_t len, u64 v)
{
	static const char units[] = { 0, 'k', 'M', 'G' };
	unsigned int u = 0;
	u64 div = 1;

	while (u + 1 < sizeof(units) && v >= div * 10000) {
		div *= 1000;
		u++;
	}
	if (!u)
		snprintf(buf, len, "%llu", (unsigned long long)v);
	else
		snprintf(buf, len, "%llu.%01llu%c", (unsigned long long)(v / div),
			 (unsigned long long)(v % div * 10 / div), units[u]);
}

static void text_dir(const struct bench_out *out, const struct bench_dir_result *d,
		     const char *name, u64 runtime_ns)
{
	const struct histogram *h = &d->lat;
	u64 iops = bench_iops_milli(d->ios, runtime_ns) / 1000;
	u64 bw = bw_bytes_per_sec(d->bytes, runtime_ns);
	char s[32];
	unsigned int i;

	fmt_scaled(s, sizeof(s), iops);
	outf(out, "  %s: IOPS=%s, BW=%llu.%02lluMiB/s (%llu.%01lluMB/s), %llu I/Os in %llu ms\n",
	     name, s, (unsigned long long)(bw >> 20),
	     (unsigned long long)((bw & 0xfffff) * 100 >> 20),
	     (unsigned long long)(bw / 1000000), (unsigned long long)(bw % 1000000 / 100000),
	     (unsigned long long)d->ios, (unsigned long long)(runtime_ns / 1000000));
	if (!h->count)
		return;
	outf(out, "    lat (ns): min=%llu, max=%llu, avg=%llu.%03llu, stdev=%llu.%03llu\n",
	     (unsigned long long)h->min, (unsigned long long)h->max,
	     MILLI(hist_mean_milli(h)), MILLI(hist_stddev_milli(h)));
	outf(out, "    lat percentiles (ns):");
	for (i = 0; i < BENCH_NR_PERCENTILES; i++) {
		u32 ppm = bench_percentiles_ppm[i];

		if (i % 6 == 0)
			outf(out, "\n     |");
		/* fio's layout: " 1.00th=[value]" */
		outf(out, " %2u.%02uth=[%llu]", ppm / 10000, ppm % 10000 / 100,
		     (unsigned long long)hist_percentile(h, ppm));
		outf(out, i + 1 < BENCH_NR_PERCENTILES && i % 6 != 5 ? "," : "");
	}
	outf(out, "\n");
}

static void text_job(const struct bench_out *out, const struct bench_job_result *r,
		     const char *title, unsigned int nr_cpus)
{
	unsigned int d;

	outf(out, "%s\n", title);
	for (d = 0; d < BENCH_DIRS; d++)
		if (r->dir[d].ios)
			text_dir(out, &r->dir[d], dir_names[d], r->runtime_ns);
	outf(out, "  cpu: busy=%llu.%01llu%%, cycles/io=%llu",
	     (unsigned long long)(busy_pct_milli(r, nr_cpus) / 1000),
	     (unsigned long long)(busy_pct_milli(r, nr_cpus) % 1000 / 100),
	     (unsigned long long)(bench_cycles_per_io_milli(r) / 1000));
	if (r->verify_errors)
		outf(out, ", verify errors=%llu", (unsigned long long)r->verify_errors);
	outf(out, "\n");
	if (r->error)
		outf(out, "  error: first I/O error %d\n", r->error);
}

static void text_header(const struct bench_out *out, const struct bench_config *cfg)
{
	unsigned int i;

	outf(out, "%s: rw=%s", cfg->name, cfg->rw_name);
	if (cfg->rwmixread != 0 && cfg->rwmixread != 100)
		outf(out, " rwmixread=%u", cfg->rwmixread);
	if (cfg->bs_min == cfg->bs_max)
		outf(out, " bs=%u", cfg->bs_min);
	else
		outf(out, " bs=%u-%u", cfg->bs_min, cfg->bs_max);
	outf(out, " iodepth=%u numjobs=%u engine=%s%s dev=", cfg->iodepth, cfg->numjobs,
	     bench_engine_name(cfg->engine), cfg->verify ? " verify=crc32c" : "");
	for (i = 0; i < cfg->nr_devs; i++)
		outf(out, "%s%s", i ? "," : "", cfg->devs[i]);
	outf(out, "\n");
}

void bench_output_text(const struct bench_out *out, const struct bench_config *cfg,
		       const struct bench_job_result *jobs, unsigned int nr,
		       const struct bench_job_result *total)
{
	char title[64];
	unsigned int i;

	text_header(out, cfg);
	for (i = 0; i < nr; i++) {
		snprintf(title, sizeof(title), "job %u (cpu %d):", jobs[i].job, jobs[i].cpu);
		text_job(out, &jobs[i], title, 1);
	}
	if (nr > 1) {
		snprintf(title, sizeof(title), "total (%u jobs):", nr);
		text_job(out, total, title, nr);
	}
}

static void json_lat(const struct bench_out *out, const char *name,
		     const struct histogram *h, bool percentiles)
{
	unsigned int i;

	outf(out, "\"%s\":{\"min\":%llu,\"max\":%llu,\"mean\":%llu.%03llu,"
	     "\"stddev\":%llu.%03llu,\"N\":%llu", name,
	     (unsigned long long)(h->count ? h->min : 0), (unsigned long long)h->max,
	     MILLI(hist_mean_milli(h)), MILLI(hist_stddev_milli(h)),
	     (unsigned long long)h->count);
	if (percentiles && h->count) {
		outf(out, ",\"percentile\":{");
		for (i = 0; i < BENCH_NR_PERCENTILES; i++) {
			u32 ppm = bench_percentiles_ppm[i];

			outf(out, "%s\"%u.%06u\":%llu", i ? "," : "", ppm / 10000,
			     ppm % 10000 * 100, (unsigned long long)hist_percentile(h, ppm));
		}
		outf(out, "}");
	}
	outf(out, "}");
}

static void json_dir(const struct bench_out *out, const struct bench_dir_result *d,
		     const char *name, u64 runtime_ns)
{
	static const struct histogram empty_slat = { .min = 0 };
	u64 bw = bw_bytes_per_sec(d->bytes, runtime_ns);

	outf(out, "\"%s\":{\"io_bytes\":%llu,\"io_kbytes\":%llu,\"bw_bytes\":%llu,\"bw\":%llu,"
	     "\"iops\":%llu.%03llu,\"runtime\":%llu,\"total_ios\":%llu,\"short_ios\":0,"
	     "\"drop_ios\":0,", name, (unsigned long long)d->bytes,
	     (unsigned long long)(d->bytes >> 10), (unsigned long long)bw,
	     (unsigned long long)(bw >> 10), MILLI(bench_iops_milli(d->ios, runtime_ns)),
	     (unsigned long long)(runtime_ns / 1000000), (unsigned long long)d->ios);
	/* submission is a function call here: its time is inside clat, slat stays 0 */
	json_lat(out, "slat_ns", &empty_slat, false);
	outf(out, ",");
	json_lat(out, "clat_ns", &d->lat, true);
	outf(out, ",");
	json_lat(out, "lat_ns", &d->lat, false);
	outf(out, "}");
}

static void json_stork(const struct bench_out *out, const struct bench_job_result *r,
		       unsigned int nr_cpus)
{
	outf(out, "\"stork\":{\"cpu\":%d,\"busy_ns\":%llu,\"busy_cycles\":%llu,"
	     "\"busy_pct\":%llu.%03llu,\"cycles_per_io\":%llu.%03llu,\"verify_errors\":%llu,"
	     "\"error\":%d}", r->cpu, (unsigned long long)r->busy_ns,
	     (unsigned long long)r->busy_cycles, MILLI(busy_pct_milli(r, nr_cpus)),
	     MILLI(bench_cycles_per_io_milli(r)), (unsigned long long)r->verify_errors,
	     r->error);
}

static void json_job(const struct bench_out *out, const struct bench_config *cfg,
		     const struct bench_job_result *r, const char *name, unsigned int nr_cpus)
{
	u64 busy = busy_pct_milli(r, nr_cpus);
	unsigned int d;

	outf(out, "{\"jobname\":\"%s\",\"groupid\":0,\"error\":%d,\"job_runtime\":%llu,"
	     "\"job options\":{\"rw\":\"%s\",\"bs\":\"%u\",\"iodepth\":\"%u\","
	     "\"ioengine\":\"%s\"},", name, r->error < 0 ? -r->error : r->error,
	     (unsigned long long)(r->runtime_ns / 1000000), cfg->rw_name, cfg->bs_max,
	     cfg->iodepth, bench_engine_name(cfg->engine));
	for (d = 0; d < BENCH_DIRS; d++) {
		json_dir(out, &r->dir[d], dir_names[d], r->runtime_ns);
		outf(out, ",");
	}
	outf(out, "\"usr_cpu\":0.000,\"sys_cpu\":%llu.%03llu,", MILLI(busy));
	json_stork(out, r, nr_cpus);
	outf(out, "}");
}

void bench_output_json(const struct bench_out *out, const struct bench_config *cfg,
		       const struct bench_job_result *jobs, unsigned int nr,
		       const struct bench_job_result *total)
{
	unsigned int i;

	outf(out, "{\"fio version\":\"stork-bench\",\"global options\":{\"rw\":\"%s\","
	     "\"iodepth\":\"%u\",\"numjobs\":\"%u\",\"ioengine\":\"%s\"},\"jobs\":[",
	     cfg->rw_name, cfg->iodepth, cfg->numjobs, bench_engine_name(cfg->engine));
	for (i = 0; i < nr; i++) {
		if (i)
			outf(out, ",");
		json_job(out, cfg, &jobs[i], cfg->name, 1);
	}
	outf(out, "],\"stork\":{\"total\":");
	json_job(out, cfg, total, "total", nr);
	outf(out, "}}\n");
}

void bench_output_progress(const struct bench_out *out, const u64 ios[BENCH_DIRS],
			   const u64 bytes[BENCH_DIRS], u64 interval_ns, u64 elapsed_ns,
			   u64 remaining_ns)
{
	char r[32], w[32];
	u64 rb = bw_bytes_per_sec(bytes[BENCH_DIR_READ], interval_ns);
	u64 wb = bw_bytes_per_sec(bytes[BENCH_DIR_WRITE], interval_ns);

	fmt_scaled(r, sizeof(r), bench_iops_milli(ios[BENCH_DIR_READ], interval_ns) / 1000);
	fmt_scaled(w, sizeof(w), bench_iops_milli(ios[BENCH_DIR_WRITE], interval_ns) / 1000);
	outf(out, "[r=%s,w=%s IOPS][r=%llu.%01llu,w=%llu.%01llu MiB/s][%llus/%llus left]\n",
	     r, w, (unsigned long long)(rb >> 20), (unsigned long long)((rb & 0xfffff) * 10 >> 20),
	     (unsigned long long)(wb >> 20), (unsigned long long)((wb & 0xfffff) * 10 >> 20),
	     (unsigned long long)(elapsed_ns / 1000000000ULL),
	     (unsigned long long)((remaining_ns + 999999999ULL) / 1000000000ULL));
}
