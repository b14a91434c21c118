/*
 * bench's report (block/bench/bench_output.h): text for people, fio-shaped
 * JSON for tools (written with lib/json). Everything is integer arithmetic;
 * fractional figures are carried in thousandths and printed as "123.456".
 */
#include "block/bench/bench_output.h"
#include "block/bench/bench_lat_dist.h"
#include "lib/json.h"
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
	for (d = 0; d < BENCH_DIRS; d++) {
		hist_init(&total->dir[d].slat);
		hist_init(&total->dir[d].clat);
		hist_init(&total->dir[d].lat);
	}
	for (i = 0; i < nr; i++) {
		const struct bench_job_result *j = &jobs[i];

		total->runtime_ns = max(total->runtime_ns, j->runtime_ns);
		total->busy_ns += j->busy_ns;
		total->busy_cycles += j->busy_cycles;
		total->exit_ios += j->exit_ios;
		for (d = 0; d < BENCH_EXIT_KINDS; d++)
			total->exits[d] += j->exits[d];
		total->verify_errors += j->verify_errors;
		total->punted += j->punted;
		total->punt_workers += j->punt_workers;
		total->punt_woken_n += j->punt_woken_n;
		total->punt_woken_cycles += j->punt_woken_cycles;
		total->punt_created_n += j->punt_created_n;
		total->punt_created_cycles += j->punt_created_cycles;
		if (!total->error)
			total->error = j->error;
		for (d = 0; d < BENCH_DIRS; d++) {
			total->dir[d].ios += j->dir[d].ios;
			total->dir[d].bytes += j->dir[d].bytes;
			hist_merge(&total->dir[d].slat, &j->dir[d].slat);
			hist_merge(&total->dir[d].clat, &j->dir[d].clat);
			hist_merge(&total->dir[d].lat, &j->dir[d].lat);
		}
	}
}

u64 bench_iops_milli(u64 ios, u64 runtime_ns)
{
	return mul_u64_u64_div_u64(ios, 1000000000000ULL, runtime_ns);
}

const char *const bench_exit_names[BENCH_EXIT_KINDS] = {
	"doorbell", "irq", "eoi", "mmio_read",
};

u64 bench_exits_per_io_milli(const struct bench_job_result *r, int kind)
{
	u64 n = 0;

	if (!r->exit_ios)
		return 0;
	for (int k = 0; k < BENCH_EXIT_KINDS; k++)
		if (kind < 0 || k == kind)
			n += r->exits[k];
	return mul_u64_u64_div_u64(n, 1000, r->exit_ios);
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

/* fio's "    clat (nsec): min=..., max=..., avg=..., stdev=..." with stork's unit name */
static void text_lat(const struct bench_out *out, const char *name, const struct histogram *h)
{
	if (!h->count)
		return;	/* engine=sync has no slat, as fio's sync engines */
	outf(out, "    %s (ns): min=%llu, max=%llu, avg=%llu.%03llu, stdev=%llu.%03llu\n", name,
	     (unsigned long long)h->min, (unsigned long long)h->max,
	     MILLI(hist_mean_milli(h)), MILLI(hist_stddev_milli(h)));
}

/* fio's "    clat percentiles (nsec):" block, six a line */
static void text_percentiles(const struct bench_out *out, const char *name,
			     const struct histogram *h)
{
	if (!h->count)
		return;
	outf(out, "    %s percentiles (ns):", name);
	for (unsigned int i = 0; i < BENCH_NR_PERCENTILES; i++) {
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

/*
 * Which latencies have percentiles (buckets filled per I/O): clat always,
 * slat and lat with fio's slat_percentiles and lat_percentiles.
 */
struct bench_pct {
	bool slat, lat;
};

static void text_dir(const struct bench_out *out, const struct bench_dir_result *d,
		     const char *name, u64 runtime_ns, struct bench_pct pct)
{
	const struct histogram *h = &d->clat;
	u64 iops = bench_iops_milli(d->ios, runtime_ns) / 1000;
	u64 bw = bw_bytes_per_sec(d->bytes, runtime_ns);
	char s[32];

	fmt_scaled(s, sizeof(s), iops);
	outf(out, "  %s: IOPS=%s, BW=%llu.%02lluMiB/s (%llu.%01lluMB/s), %llu I/Os in %llu ms\n",
	     name, s, (unsigned long long)(bw >> 20),
	     (unsigned long long)((bw & 0xfffff) * 100 >> 20),
	     (unsigned long long)(bw / 1000000), (unsigned long long)(bw % 1000000 / 100000),
	     (unsigned long long)d->ios, (unsigned long long)(runtime_ns / 1000000));
	if (!h->count)
		return;
	text_lat(out, "slat", &d->slat);
	text_lat(out, "clat", &d->clat);
	text_lat(out, " lat", &d->lat);
	if (pct.slat)
		text_percentiles(out, "slat", &d->slat);
	text_percentiles(out, "clat", &d->clat);
	if (pct.lat)
		text_percentiles(out, " lat", &d->lat);
}

/* a job's reads and writes together, as fio counts its distribution (of clat) */
static void job_lat_dist(const struct bench_job_result *r, struct bench_lat_dist *dist)
{
	bench_lat_dist_init(dist);
	for (unsigned int d = 0; d < BENCH_DIRS; d++)
		bench_lat_dist_add(dist, &r->dir[d].clat);
}

/* fio's lines: "  lat (usec)   : 2=0.01%, 4=12.50%, ...", five ranges a line */
static void text_lat_dist(const struct bench_out *out, const struct bench_job_result *r)
{
	struct bench_lat_dist dist;

	job_lat_dist(r, &dist);
	if (!dist.total)
		return;
	for (unsigned int u = 0; u < BENCH_LAT_UNITS; u++) {
		const struct bench_lat_unit *unit = &bench_lat_units[u];
		unsigned int on_line = 0;

		for (unsigned int i = 0; i < unit->nr_ranges; i++) {
			u32 c = bench_lat_dist_centipct(&dist, u, i);

			if (!c)
				continue;
			if (on_line == 5) {
				outf(out, "\n");
				on_line = 0;
			}
			if (!on_line)
				outf(out, "  lat (%s)   : ", unit->text);
			outf(out, "%s%s=%u.%02u%%", on_line ? ", " : "", unit->labels[i],
			     c / 100, c % 100);
			on_line++;
		}
		if (on_line)
			outf(out, "\n");
	}
}

static u64 mean_or_zero(u64 sum, u64 n)
{
	return n ? sum / n : 0;
}

static void text_job(const struct bench_out *out, const struct bench_config *cfg,
		     const struct bench_job_result *r, const char *title, unsigned int nr_cpus,
		     struct bench_pct pct)
{
	unsigned int d;

	outf(out, "%s\n", title);
	for (d = 0; d < BENCH_DIRS; d++)
		if (r->dir[d].ios)
			text_dir(out, &r->dir[d], dir_names[d], r->runtime_ns, pct);
	text_lat_dist(out, r);
	outf(out, "  cpu: busy=%llu.%01llu%%, cycles/io=%llu",
	     (unsigned long long)(busy_pct_milli(r, nr_cpus) / 1000),
	     (unsigned long long)(busy_pct_milli(r, nr_cpus) % 1000 / 100),
	     (unsigned long long)(bench_cycles_per_io_milli(r) / 1000));
	if (cfg->engine == BENCH_ENGINE_URING)
		outf(out, ", punted=%llu", (unsigned long long)r->punted);
	if (r->verify_errors)
		outf(out, ", verify errors=%llu", (unsigned long long)r->verify_errors);
	outf(out, "\n");
	if (r->exit_ios) {
		u64 all = bench_exits_per_io_milli(r, -1);

		outf(out, "  exits/io=%llu.%02llu (", (unsigned long long)(all / 1000),
		     (unsigned long long)(all % 1000 / 10));
		for (int k = 0; k < BENCH_EXIT_KINDS; k++) {
			u64 v = bench_exits_per_io_milli(r, k);

			outf(out, "%s%s=%llu.%02llu", k ? " " : "", bench_exit_names[k],
			     (unsigned long long)(v / 1000), (unsigned long long)(v % 1000 / 10));
		}
		outf(out, ")\n");
	}
	if (cfg->engine == BENCH_ENGINE_URING && r->punted)
		outf(out, "  io-wq: workers=%llu, punt to start (cycles): woken=%llu (%llu), "
		     "new worker=%llu (%llu)\n", (unsigned long long)r->punt_workers,
		     (unsigned long long)mean_or_zero(r->punt_woken_cycles, r->punt_woken_n),
		     (unsigned long long)r->punt_woken_n,
		     (unsigned long long)mean_or_zero(r->punt_created_cycles, r->punt_created_n),
		     (unsigned long long)r->punt_created_n);
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
	outf(out, " iodepth=%u numjobs=%u engine=%s%s%s", cfg->iodepth, cfg->numjobs,
	     bench_engine_name(cfg->engine),
	     cfg->hipri && cfg->engine != BENCH_ENGINE_POLL ? " hipri" : "",
	     cfg->verify ? " verify=crc32c" : "");
	if (cfg->ioprio_class >= 0 || cfg->ioprio >= 0)
		outf(out, " prioclass=%d prio=%d", cfg->ioprio_class >= 0 ? cfg->ioprio_class : 2,
		     cfg->ioprio >= 0 ? cfg->ioprio : 4);
	outf(out, " dev=");
	for (i = 0; i < cfg->nr_devs; i++)
		outf(out, "%s%s", i ? "," : "", cfg->devs[i]);
	outf(out, "\n");
}

/* Percentiles of the sum of jobs: only where every job filled the buckets. */
static struct bench_pct bench_pct_of(const struct bench_config *cfg,
				     const struct bench_job_result *jobs, unsigned int nr)
{
	struct bench_pct pct = { true, true };

	for (unsigned int i = 0; i < nr; i++) {
		const struct bench_config *jc = jobs[i].cfg ? jobs[i].cfg : cfg;

		pct.slat = pct.slat && jc->slat_percentiles;
		pct.lat = pct.lat && jc->lat_percentiles;
	}
	return pct;
}

void bench_output_text(const struct bench_out *out, const struct bench_config *cfg,
		       const struct bench_job_result *jobs, unsigned int nr,
		       const struct bench_job_result *total)
{
	char title[64];
	unsigned int i;

	const struct bench_config *shown = NULL;

	for (i = 0; i < nr; i++) {
		const struct bench_config *jc = jobs[i].cfg ? jobs[i].cfg : cfg;

		/* one header per name= job, before its first clone */
		if (jc != shown)
			text_header(out, jc);
		shown = jc;
		snprintf(title, sizeof(title), "job %u (cpu %d):", jobs[i].job, jobs[i].cpu);
		text_job(out, cfg, &jobs[i], title, 1, bench_pct_of(cfg, &jobs[i], 1));
	}
	if (nr > 1) {
		snprintf(title, sizeof(title), "total (%u jobs):", nr);
		text_job(out, cfg, total, title, nr, bench_pct_of(cfg, jobs, nr));
	}
}

/* json+: every non-empty bucket as "<latency in ns>": count, fio's clat_ns.bins */
static void json_bins(struct json_writer *w, const struct histogram *h)
{
	char key[24];

	json_key(w, "bins");
	json_object_begin(w);
	for (unsigned int b = 0; b < HIST_BUCKETS; b++) {
		if (!h->buckets[b])
			continue;
		snprintf(key, sizeof(key), "%llu", (unsigned long long)bench_lat_bucket_value(b));
		json_field_u64(w, key, h->buckets[b]);
	}
	json_object_end(w);
}

static void json_lat(struct json_writer *w, const char *name, const struct histogram *h,
		     bool percentiles, bool bins)
{
	char key[16];

	json_key(w, name);
	json_object_begin(w);
	json_field_u64(w, "min", h->count ? h->min : 0);
	json_field_u64(w, "max", h->max);
	json_field_fixed(w, "mean", hist_mean_milli(h), 3);
	json_field_fixed(w, "stddev", hist_stddev_milli(h), 3);
	json_field_u64(w, "N", h->count);
	if (percentiles && h->count) {
		json_key(w, "percentile");
		json_object_begin(w);
		for (unsigned int i = 0; i < BENCH_NR_PERCENTILES; i++) {
			u32 ppm = bench_percentiles_ppm[i];

			/* fio's keys: "99.900000" */
			snprintf(key, sizeof(key), "%u.%06u", ppm / 10000, ppm % 10000 * 100);
			json_field_u64(w, key, hist_percentile(h, ppm));
		}
		json_object_end(w);
	}
	if (bins && h->count)
		json_bins(w, h);
	json_object_end(w);
}

static void json_dir(struct json_writer *w, const struct bench_dir_result *d, const char *name,
		     u64 runtime_ns, bool bins, struct bench_pct pct)
{
	u64 bw = bw_bytes_per_sec(d->bytes, runtime_ns);

	json_key(w, name);
	json_object_begin(w);
	json_field_u64(w, "io_bytes", d->bytes);
	json_field_u64(w, "io_kbytes", d->bytes >> 10);
	json_field_u64(w, "bw_bytes", bw);
	json_field_u64(w, "bw", bw >> 10);
	json_field_fixed(w, "iops", bench_iops_milli(d->ios, runtime_ns), 3);
	json_field_u64(w, "runtime", runtime_ns / 1000000);
	json_field_u64(w, "total_ios", d->ios);
	json_field_u64(w, "short_ios", 0);
	json_field_u64(w, "drop_ios", 0);
	json_lat(w, "slat_ns", &d->slat, pct.slat, false);
	json_lat(w, "clat_ns", &d->clat, true, bins);
	json_lat(w, "lat_ns", &d->lat, pct.lat, false);
	json_object_end(w);
}

static void json_stork(struct json_writer *w, const struct bench_job_result *r,
		       unsigned int nr_cpus)
{
	json_key(w, "stork");
	json_object_begin(w);
	json_field_s64(w, "cpu", r->cpu);
	json_field_u64(w, "busy_ns", r->busy_ns);
	json_field_u64(w, "busy_cycles", r->busy_cycles);
	json_field_fixed(w, "busy_pct", busy_pct_milli(r, nr_cpus), 3);
	json_field_fixed(w, "cycles_per_io", bench_cycles_per_io_milli(r), 3);
	json_field_u64(w, "verify_errors", r->verify_errors);
	json_field_u64(w, "punted", r->punted);
	json_field_u64(w, "punt_workers", r->punt_workers);
	json_field_u64(w, "punt_start_woken_cycles",
		       mean_or_zero(r->punt_woken_cycles, r->punt_woken_n));
	json_field_u64(w, "punt_start_new_worker_cycles",
		       mean_or_zero(r->punt_created_cycles, r->punt_created_n));
	json_field_s64(w, "error", r->error);
	json_field_fixed(w, "exits_per_io", bench_exits_per_io_milli(r, -1), 3);
	json_key(w, "exits");
	json_object_begin(w);
	json_field_u64(w, "ios", r->exit_ios);
	for (int k = 0; k < BENCH_EXIT_KINDS; k++)
		json_field_u64(w, bench_exit_names[k], r->exits[k]);
	json_object_end(w);
	json_object_end(w);
}

/* fio's latency_ns, latency_us, latency_ms: { "2": 0.00, "4": 12.50, ... } percentages */
static void json_lat_dist(struct json_writer *w, const struct bench_job_result *r)
{
	struct bench_lat_dist dist;

	job_lat_dist(r, &dist);
	for (unsigned int u = 0; u < BENCH_LAT_UNITS; u++) {
		const struct bench_lat_unit *unit = &bench_lat_units[u];

		json_key(w, unit->json);
		json_object_begin(w);
		for (unsigned int i = 0; i < unit->nr_ranges; i++)
			json_field_fixed(w, unit->labels[i], bench_lat_dist_centipct(&dist, u, i), 2);
		json_object_end(w);
	}
}

/* fio's job options are strings, numbers included: "bs":"4096" */
static void json_job(struct json_writer *w, const struct bench_config *cfg,
		     const struct bench_job_result *r, const char *name, unsigned int nr_cpus,
		     struct bench_pct pct)
{
	/* a name= job's own options and name */
	if (r->cfg) {
		cfg = r->cfg;
		name = cfg->name;
	}
	json_object_begin(w);
	json_field_str(w, "jobname", name);
	json_field_u64(w, "groupid", 0);
	json_field_s64(w, "error", r->error < 0 ? -r->error : r->error);
	json_field_u64(w, "job_runtime", r->runtime_ns / 1000000);
	json_key(w, "job options");
	json_object_begin(w);
	json_field_str(w, "rw", cfg->rw_name);
	json_key(w, "bs");
	json_stringf(w, "%u", cfg->bs_max);
	json_key(w, "iodepth");
	json_stringf(w, "%u", cfg->iodepth);
	json_field_str(w, "ioengine", bench_engine_name(cfg->engine));
	if (cfg->hipri) {
		json_key(w, "hipri");
		json_stringf(w, "1");
	}
	if (cfg->ioprio_class >= 0) {
		json_key(w, "prioclass");
		json_stringf(w, "%d", cfg->ioprio_class);
	}
	if (cfg->ioprio >= 0) {
		json_key(w, "prio");
		json_stringf(w, "%d", cfg->ioprio);
	}
	json_object_end(w);
	for (unsigned int d = 0; d < BENCH_DIRS; d++)
		json_dir(w, &r->dir[d], dir_names[d], r->runtime_ns, cfg->json_plus, pct);
	json_field_fixed(w, "usr_cpu", 0, 3);
	json_field_fixed(w, "sys_cpu", busy_pct_milli(r, nr_cpus), 3);
	json_lat_dist(w, r);
	json_stork(w, r, nr_cpus);
	json_object_end(w);
}

int bench_output_json(const struct bench_out *out, const struct bench_config *cfg,
		      const struct bench_job_result *jobs, unsigned int nr,
		      const struct bench_job_result *total)
{
	struct json_writer w;

	json_init(&w, out->write, out->arg);
	json_object_begin(&w);
	json_field_str(&w, "fio version", "stork-bench");
	json_key(&w, "global options");
	json_object_begin(&w);
	json_field_str(&w, "rw", cfg->rw_name);
	json_key(&w, "iodepth");
	json_stringf(&w, "%u", cfg->iodepth);
	json_key(&w, "numjobs");
	json_stringf(&w, "%u", cfg->numjobs);
	json_field_str(&w, "ioengine", bench_engine_name(cfg->engine));
	json_object_end(&w);
	json_key(&w, "jobs");
	json_array_begin(&w);
	for (unsigned int i = 0; i < nr; i++)
		json_job(&w, cfg, &jobs[i], cfg->name, 1, bench_pct_of(cfg, &jobs[i], 1));
	json_array_end(&w);
	json_key(&w, "stork");
	json_object_begin(&w);
	json_key(&w, "total");
	json_job(&w, cfg, total, "total", nr, bench_pct_of(cfg, jobs, nr));
	json_object_end(&w);
	json_object_end(&w);
	return json_finish(&w);
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
