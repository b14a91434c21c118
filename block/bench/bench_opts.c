/*
 * bench's option parser (block/bench/bench_opts.h). One table entry per option,
 * each with a handler that parses the value into the config or explains in
 * one line why it cannot. Options may be written "key=value" or, as on
 * fio's command line, "--key=value"; switches are "--quiet", "--json",
 * "time_based".
 */
#include "block/bench/bench_opts.h"
#include "lib/cpulist.h"
#include "lib/errno.h"
#include "lib/parse.h"
#include "lib/printf.h"
#include "lib/string.h"

#define NS_PER_SEC 1000000000ULL

struct bench_opt {
	const char *name;
	/* val is NULL for a switch written without "=" */
	int (*parse)(struct bench_config *cfg, const char *val, char *err, size_t errlen);
};

#define opt_error(...) ({ snprintf(err, errlen, __VA_ARGS__); -EINVAL; })

/* A flag as fio takes it: "name" alone sets it, name=1 or name=0 says which. */
static int opt_flag(bool *flag, const char *name, const char *val, char *err, size_t errlen)
{
	if (!val) {
		*flag = true;
		return 0;
	}
	if (parse_bool(val, flag))
		return opt_error("%s=%s: expected 1 or 0", name, val);
	return 0;
}

static int need_value(const char *name, const char *val, char *err, size_t errlen)
{
	if (!val || !*val)
		return opt_error("%s: needs a value (%s=...)", name, name);
	return 0;
}

static int parse_ranged_u32(const char *name, const char *val, u32 lo, u32 hi, u32 *out,
			    char *err, size_t errlen)
{
	u32 v;
	int ret = need_value(name, val, err, errlen);

	if (ret)
		return ret;
	ret = parse_u32(val, &v);
	if (ret == -EINVAL)
		return opt_error("%s=%s: not a number", name, val);
	if (ret || v < lo || v > hi)
		return opt_error("%s=%s: must be %u to %u", name, val, lo, hi);
	*out = v;
	return 0;
}

/* A block size: a multiple of 512 from 512 to 1 MiB. */
static int parse_bs_value(const char *name, const char *val, u32 *out, char *err, size_t errlen)
{
	u64 v;
	int ret = parse_size(val, &v);

	if (ret == -EINVAL)
		return opt_error("%s: bad size \"%s\" (use 512, 4k, 1m)", name, val);
	if (ret || v < BENCH_MIN_BS || v > BENCH_MAX_BS)
		return opt_error("%s: %s is out of range (512 to 1m)", name, val);
	if (v % 512)
		return opt_error("%s: %s is not a multiple of 512", name, val);
	*out = (u32)v;
	return 0;
}

static int parse_bytes(const char *name, const char *val, u64 *out, char *err, size_t errlen)
{
	int ret = need_value(name, val, err, errlen);

	if (ret)
		return ret;
	ret = parse_size(val, out);
	if (ret == -EINVAL)
		return opt_error("%s=%s: bad size (use 4k, 64m, 2g)", name, val);
	if (ret)
		return opt_error("%s=%s: too large", name, val);
	return 0;
}

static int parse_duration(const char *name, const char *val, u64 *out, char *err, size_t errlen)
{
	int ret = need_value(name, val, err, errlen);

	if (ret)
		return ret;
	ret = bench_parse_time(val, NS_PER_SEC, out);
	if (ret == -EINVAL)
		return opt_error("%s=%s: bad time (use 10, 10s, 500ms, 2m)", name, val);
	if (ret)
		return opt_error("%s=%s: too long", name, val);
	return 0;
}

static int opt_rw(struct bench_config *cfg, const char *val, char *err, size_t errlen)
{
	static const struct {
		const char *name;
		bool random;
		u32 mixread;	/* 101: keep rwmixread (mixed) */
	} modes[] = {
		{ "read", false, 100 }, { "write", false, 0 },
		{ "randread", true, 100 }, { "randwrite", true, 0 },
		{ "rw", false, 101 }, { "readwrite", false, 101 }, { "randrw", true, 101 },
	};
	unsigned int i;
	int ret = need_value("rw", val, err, errlen);

	if (ret)
		return ret;
	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		if (strcmp(val, modes[i].name))
			continue;
		cfg->rw_name = modes[i].name;
		cfg->random = modes[i].random;
		/* a mixed mode is 50/50 unless rwmixread= says (bench_parse) */
		cfg->rwmixread = modes[i].mixread <= 100 ? modes[i].mixread : 50;
		return 0;
	}
	return opt_error("rw=%s: unknown (read, write, randread, randwrite, rw, randrw)", val);
}

static bool rw_is_mixed(const struct bench_config *cfg)
{
	return !strcmp(cfg->rw_name, "rw") || !strcmp(cfg->rw_name, "readwrite") ||
	       !strcmp(cfg->rw_name, "randrw");
}

/* rwmixread is kept apart until the end so that "rwmixread=70 rw=randrw" works too. */
static int opt_rwmixread(struct bench_config *cfg, const char *val, char *err, size_t errlen)
{
	u32 r;
	int ret = parse_ranged_u32("rwmixread", val, 0, 100, &r, err, errlen);

	if (!ret)
		cfg->rwmix_given = (int)r;
	return ret;
}

static int opt_rwmixwrite(struct bench_config *cfg, const char *val, char *err, size_t errlen)
{
	u32 w;
	int ret = parse_ranged_u32("rwmixwrite", val, 0, 100, &w, err, errlen);

	if (!ret)
		cfg->rwmix_given = 100 - (int)w;
	return ret;
}

static int opt_bs(struct bench_config *cfg, const char *val, char *err, size_t errlen)
{
	u32 bs;
	int ret = need_value("bs", val, err, errlen);

	if (!ret)
		ret = parse_bs_value("bs", val, &bs, err, errlen);
	if (ret)
		return ret;
	cfg->bs_min = cfg->bs_max = bs;
	return 0;
}

static int opt_bsrange(struct bench_config *cfg, const char *val, char *err, size_t errlen)
{
	char lo[32];
	const char *dash;
	u32 a, b;
	int ret = need_value("bsrange", val, err, errlen);

	if (ret)
		return ret;
	dash = strchr(val, '-');
	/* "-1", "4k-": a half is missing, which is not a bad size but a bad shape */
	if (!dash || dash == val || !dash[1] || (size_t)(dash - val) >= sizeof(lo))
		return opt_error("bsrange=%s: expected min-max (4k-64k)", val);
	memcpy(lo, val, (size_t)(dash - val));
	lo[dash - val] = 0;
	ret = parse_bs_value("bsrange", lo, &a, err, errlen);
	if (!ret)
		ret = parse_bs_value("bsrange", dash + 1, &b, err, errlen);
	if (ret)
		return ret;
	if (a > b)
		return opt_error("bsrange=%s: min is above max", val);
	cfg->bs_min = a;
	cfg->bs_max = b;
	return 0;
}

/*
 * bssplit=4k/50:64k/30:1m/ : sizes with percentages; entries without a
 * percentage share what is left equally, as in fio.
 */
static int opt_bssplit(struct bench_config *cfg, const char *val, char *err, size_t errlen)
{
	struct bench_bs_share shares[BENCH_MAX_BSSPLIT];
	unsigned int n = 0, blanks = 0, i;
	u32 total = 0;
	const char *p;
	int ret = need_value("bssplit", val, err, errlen);

	if (ret)
		return ret;
	p = val;
	for (;;) {
		char item[48], *slash;
		const char *end = strchr(p, ':');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (n == BENCH_MAX_BSSPLIT)
			return opt_error("bssplit: at most %d sizes", BENCH_MAX_BSSPLIT);
		if (len == 0 || len >= sizeof(item))
			return opt_error("bssplit=%s: expected bs/percent[:bs/percent...]", val);
		memcpy(item, p, len);
		item[len] = 0;
		slash = strchr(item, '/');
		if (slash)
			*slash = 0;
		ret = parse_bs_value("bssplit", item, &shares[n].bs, err, errlen);
		if (ret)
			return ret;
		if (slash && slash[1]) {
			if (parse_u32(slash + 1, &shares[n].percent) || shares[n].percent > 100)
				return opt_error("bssplit: bad percentage \"%s\"", slash + 1);
			total += shares[n].percent;
		} else {
			shares[n].percent = 101;	/* blank: filled below */
			blanks++;
		}
		n++;
		if (!end)
			break;
		p = end + 1;
	}
	if (total > 100 || (!blanks && total != 100))
		return opt_error("bssplit=%s: percentages add up to %u, not 100", val, total);
	for (i = 0; i < n; i++) {
		if (shares[i].percent != 101)
			continue;
		/* the first blanks take the remainder's rounding */
		shares[i].percent = (100 - total) / blanks + ((100 - total) % blanks ? 1 : 0);
		total += shares[i].percent;
		blanks--;
	}
	memcpy(cfg->bs_shares, shares, n * sizeof(shares[0]));
	cfg->nr_bs_shares = n;
	cfg->bs_min = cfg->bs_max = shares[0].bs;
	for (i = 1; i < n; i++) {
		cfg->bs_min = min(cfg->bs_min, shares[i].bs);
		cfg->bs_max = max(cfg->bs_max, shares[i].bs);
	}
	return 0;
}

static int opt_iodepth(struct bench_config *cfg, const char *val, char *err, size_t errlen)
{
	return parse_ranged_u32("iodepth", val, 1, BENCH_MAX_IODEPTH, &cfg->iodepth, err, errlen);
}

static int opt_numjobs(struct bench_config *cfg, const char *val, char *err, size_t errlen)
{
	return parse_ranged_u32("numjobs", val, 1, BENCH_MAX_JOBS, &cfg->numjobs, err, errlen);
}

static int opt_cpus_allowed(struct bench_config *cfg, const char *val, char *err, size_t errlen)
{
	int ret = need_value("cpus_allowed", val, err, errlen);

	if (ret)
		return ret;
	ret = cpulist_parse(val, cfg->cpus_allowed.bits, MAX_CPUS);
	if (ret == -ERANGE)
		return opt_error("cpus_allowed=%s: CPU number too large", val);
	if (ret || !cpumask_weight(&cfg->cpus_allowed))
		return opt_error("cpus_allowed=%s: expected a CPU list (0-3,6)", val);
	cfg->cpus_allowed_set = true;
	return 0;
}

static int opt_runtime(struct bench_config *cfg, const char *val, char *err, size_t errlen)
{
	int ret = parse_duration("runtime", val, &cfg->runtime_ns, err, errlen);

	if (!ret && !cfg->runtime_ns)
		return opt_error("runtime=%s: must be more than 0", val);
	/* shorter than the time to start a job: nothing would be measured */
	if (!ret && cfg->runtime_ns < BENCH_MIN_RUNTIME_NS)
		return opt_error("runtime=%s: at least 1ms", val);
	return ret;
}

static int opt_ramp_time(struct bench_config *cfg, const char *val, char *err, size_t errlen)
{
	return parse_duration("ramp_time", val, &cfg->ramp_time_ns, err, errlen);
}

static int opt_serialize(struct bench_config *cfg, const char *val, char *err, size_t errlen)
{
	u32 v;
	int ret = parse_ranged_u32("serialize", val ? val : "1", 0, 1, &v, err, errlen);

	if (ret)
		return ret;
	cfg->serialize = v;
	return 0;
}

static int opt_time_based(struct bench_config *cfg, const char *val, char *err, size_t errlen)
{
	return opt_flag(&cfg->time_based, "time_based", val, err, errlen);
}

static int opt_size(struct bench_config *cfg, const char *val, char *err, size_t errlen)
{
	int ret = parse_bytes("size", val, &cfg->size, err, errlen);

	if (!ret && (!cfg->size || cfg->size % 512))
		return opt_error("size=%s: must be a non-zero multiple of 512", val);
	return ret;
}

static int opt_offset(struct bench_config *cfg, const char *val, char *err, size_t errlen)
{
	int ret = parse_bytes("offset", val, &cfg->offset, err, errlen);

	if (!ret && cfg->offset % 512)
		return opt_error("offset=%s: not a multiple of 512", val);
	return ret;
}

static int opt_loops(struct bench_config *cfg, const char *val, char *err, size_t errlen)
{
	return parse_ranged_u32("loops", val, 1, 1000000, &cfg->loops, err, errlen);
}

static int opt_number_ios(struct bench_config *cfg, const char *val, char *err, size_t errlen)
{
	int ret = need_value("number_ios", val, err, errlen);

	if (ret)
		return ret;
	if (parse_u64(val, &cfg->number_ios) || !cfg->number_ios)
		return opt_error("number_ios=%s: expected a count above 0", val);
	return 0;
}

static int opt_rate_iops(struct bench_config *cfg, const char *val, char *err, size_t errlen)
{
	return parse_ranged_u32("rate_iops", val, 1, 100000000, &cfg->rate_iops, err, errlen);
}

static int opt_poll_delay(struct bench_config *cfg, const char *val, char *err, size_t errlen)
{
	int ret = need_value("poll_delay", val, err, errlen);
	u32 v;

	if (ret)
		return ret;
	if (!strcmp(val, "-1")) {
		cfg->poll_delay_us = -1;
		return 0;
	}
	if (parse_u32(val, &v) || v > 1000000)
		return opt_error("poll_delay=%s: -1 (classic), 0 (hybrid) or microseconds", val);
	cfg->poll_delay_us = (s32)v;
	return 0;
}

static int opt_engine(struct bench_config *cfg, const char *val, char *err, size_t errlen)
{
	static const char *const names[] = {
		[BENCH_ENGINE_SYNC] = "sync",
		[BENCH_ENGINE_ASYNC] = "async",
		[BENCH_ENGINE_POLL] = "poll",
		[BENCH_ENGINE_DIO] = "dio",
		[BENCH_ENGINE_URING] = "uring",
	};
	unsigned int i;
	int ret = need_value("engine", val, err, errlen);

	if (ret)
		return ret;
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (!strcmp(val, names[i])) {
			cfg->engine = (enum bench_engine)i;
			return 0;
		}
	}
	return opt_error("engine=%s: unknown (sync, async, poll, dio, uring)", val);
}

static int opt_ioprio(struct bench_config *cfg, const char *val, char *err, size_t errlen)
{
	u32 v;
	int ret = parse_ranged_u32("ioprio", val, 0, 7, &v, err, errlen);

	if (!ret)
		cfg->ioprio = (int)v;
	return ret;
}

static int opt_ioprio_class(struct bench_config *cfg, const char *val, char *err, size_t errlen)
{
	static const char *const names[] = { "rt", "be", "idle" };
	unsigned int i;
	u32 v;

	if (val) {
		for (i = 0; i < ARRAY_SIZE(names); i++) {
			if (!strcasecmp(val, names[i])) {
				cfg->ioprio_class = (int)i + 1;
				return 0;
			}
		}
	}
	if (parse_ranged_u32("ioprio_class", val, 1, 3, &v, err, errlen))
		return opt_error("ioprio_class=%s: expected 1 (rt), 2 (be) or 3 (idle)",
				 val ? val : "");
	cfg->ioprio_class = (int)v;
	return 0;
}

static int opt_verify(struct bench_config *cfg, const char *val, char *err, size_t errlen)
{
	int ret = need_value("verify", val, err, errlen);

	if (ret)
		return ret;
	if (!strcmp(val, "crc32c"))
		cfg->verify = true;
	else if (!strcmp(val, "0") || !strcmp(val, "none"))
		cfg->verify = false;
	else
		return opt_error("verify=%s: unknown (crc32c, none)", val);
	return 0;
}

static int opt_verify_gen(struct bench_config *cfg, const char *val, char *err, size_t errlen)
{
	return parse_ranged_u32("verify_gen", val, 0, 0xffffffffu, &cfg->verify_gen, err, errlen);
}

static int opt_randseed(struct bench_config *cfg, const char *val, char *err, size_t errlen)
{
	int ret = need_value("randseed", val, err, errlen);

	if (!ret && parse_u64(val, &cfg->randseed))
		return opt_error("randseed=%s: not a number", val);
	if (!ret)
		cfg->randseed_set = true;
	return ret;
}

static int opt_randrepeat(struct bench_config *cfg, const char *val, char *err, size_t errlen)
{
	return opt_flag(&cfg->randrepeat, "randrepeat", val, err, errlen);
}

/* fio's flag: random offsets drawn with repeats instead of the once-per-pass map */
static int opt_norandommap(struct bench_config *cfg, const char *val, char *err, size_t errlen)
{
	return opt_flag(&cfg->norandommap, "norandommap", val, err, errlen);
}

static int opt_hipri(struct bench_config *cfg, const char *val, char *err, size_t errlen)
{
	return opt_flag(&cfg->hipri, "hipri", val, err, errlen);
}

static int opt_name(struct bench_config *cfg, const char *val, char *err, size_t errlen)
{
	int ret = need_value("name", val, err, errlen);

	if (ret)
		return ret;
	if (strlen(val) >= sizeof(cfg->name))
		return opt_error("name=%s: longer than %zu characters", val, sizeof(cfg->name) - 1);
	strlcpy(cfg->name, val, sizeof(cfg->name));
	return 0;
}

/* stork's I/O is always direct: accept what fio users type, refuse the rest. */
static int opt_direct(struct bench_config *cfg, const char *val, char *err, size_t errlen)
{
	(void)cfg;
	if (val && strcmp(val, "1"))
		return opt_error("direct=%s: stork has no page cache, only direct=1", val);
	return 0;
}

static int opt_trace(struct bench_config *cfg, const char *val, char *err, size_t errlen)
{
	int ret = need_value("trace", val, err, errlen);

	if (ret)
		return ret;
	if (!strcmp(val, "1"))
		cfg->trace = true;
	else if (!strcmp(val, "0"))
		cfg->trace = false;
	else
		return opt_error("trace=%s: 0 or 1", val);
	return 0;
}

static int opt_quiet(struct bench_config *cfg, const char *val, char *err, size_t errlen)
{
	if (val)
		return opt_error("--quiet takes no value");
	cfg->quiet = true;
	return 0;
}

static int opt_json(struct bench_config *cfg, const char *val, char *err, size_t errlen)
{
	if (val)
		return opt_error("--json takes no value");
	cfg->json = true;
	return 0;
}

static int opt_output_format(struct bench_config *cfg, const char *val, char *err, size_t errlen)
{
	if (val && (!strcmp(val, "json") || !strcmp(val, "json+"))) {
		cfg->json = true;
		cfg->json_plus = val[4] == '+';
	} else if (val && !strcmp(val, "normal")) {
		cfg->json = false;
		cfg->json_plus = false;
	} else {
		return opt_error("output-format=%s: normal, json or json+", val ? val : "");
	}
	return 0;
}

/* fio's disable_slat= and disable_lat=: fewer stamps and histograms per I/O */
static int opt_disable_slat(struct bench_config *cfg, const char *val, char *err, size_t errlen)
{
	return opt_flag(&cfg->disable_slat, "disable_slat", val, err, errlen);
}

static int opt_disable_lat(struct bench_config *cfg, const char *val, char *err, size_t errlen)
{
	return opt_flag(&cfg->disable_lat, "disable_lat", val, err, errlen);
}

/* fio's: percentiles of slat and of lat as well as of clat (buckets per I/O) */
static int opt_slat_percentiles(struct bench_config *cfg, const char *val, char *err, size_t errlen)
{
	return opt_flag(&cfg->slat_percentiles, "slat_percentiles", val, err, errlen);
}

static int opt_lat_percentiles(struct bench_config *cfg, const char *val, char *err, size_t errlen)
{
	return opt_flag(&cfg->lat_percentiles, "lat_percentiles", val, err, errlen);
}

static const struct bench_opt bench_opts[] = {
	{ "rw", opt_rw },
	{ "readwrite", opt_rw },
	{ "rwmixread", opt_rwmixread },
	{ "rwmixwrite", opt_rwmixwrite },
	{ "bs", opt_bs },
	{ "blocksize", opt_bs },
	{ "bsrange", opt_bsrange },
	{ "bssplit", opt_bssplit },
	{ "iodepth", opt_iodepth },
	{ "numjobs", opt_numjobs },
	{ "cpus_allowed", opt_cpus_allowed },
	{ "runtime", opt_runtime },
	{ "time_based", opt_time_based },
	{ "serialize", opt_serialize },
	{ "ramp_time", opt_ramp_time },
	{ "size", opt_size },
	{ "offset", opt_offset },
	{ "number_ios", opt_number_ios },
	{ "loops", opt_loops },
	{ "rate_iops", opt_rate_iops },
	{ "engine", opt_engine },
	{ "ioengine", opt_engine },
	{ "ioprio", opt_ioprio },
	{ "prio", opt_ioprio },
	{ "ioprio_class", opt_ioprio_class },
	{ "prioclass", opt_ioprio_class },
	{ "verify", opt_verify },
	{ "verify_gen", opt_verify_gen },
	{ "randseed", opt_randseed },
	{ "randrepeat", opt_randrepeat },
	{ "norandommap", opt_norandommap },
	{ "disable_slat", opt_disable_slat },
	{ "disable_lat", opt_disable_lat },
	{ "slat_percentiles", opt_slat_percentiles },
	{ "lat_percentiles", opt_lat_percentiles },
	{ "trace", opt_trace },
	{ "poll_delay", opt_poll_delay },
	{ "hipri", opt_hipri },
	{ "name", opt_name },
	{ "direct", opt_direct },
	{ "quiet", opt_quiet },
	{ "json", opt_json },
	{ "output-format", opt_output_format },
};

int bench_parse_time(const char *s, u64 default_unit_ns, u64 *out_ns)
{
	static const struct {
		const char *suffix;
		u64 ns;
	} units[] = {
		{ "ns", 1 }, { "us", 1000 }, { "usec", 1000 }, { "ms", 1000000 },
		{ "msec", 1000000 }, { "s", NS_PER_SEC }, { "sec", NS_PER_SEC },
		{ "m", 60 * NS_PER_SEC }, { "min", 60 * NS_PER_SEC },
		{ "h", 3600 * NS_PER_SEC }, { "d", 86400 * NS_PER_SEC },
	};
	char num[24];
	size_t n = 0;
	u64 v, unit = default_unit_ns;
	unsigned int i;
	int ret;

	while (s[n] >= '0' && s[n] <= '9')
		n++;
	if (n == 0 || n >= sizeof(num))
		return n ? -ERANGE : -EINVAL;
	memcpy(num, s, n);
	num[n] = 0;
	ret = parse_u64(num, &v);
	if (ret)
		return ret;
	if (s[n]) {
		for (i = 0; i < ARRAY_SIZE(units); i++)
			if (!strcasecmp(s + n, units[i].suffix))
				break;
		if (i == ARRAY_SIZE(units))
			return -EINVAL;
		unit = units[i].ns;
	}
	if (v && unit > UINT64_MAX / v)
		return -ERANGE;
	*out_ns = v * unit;
	return 0;
}

static void bench_config_defaults(struct bench_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	strlcpy(cfg->name, "bench", sizeof(cfg->name));
	cfg->rw_name = "read";
	cfg->rwmixread = 100;
	cfg->bs_min = cfg->bs_max = 4096;
	cfg->iodepth = 1;
	cfg->numjobs = 1;
	cfg->loops = 1;
	cfg->engine = BENCH_ENGINE_ASYNC;
	cfg->ioprio_class = -1;
	cfg->ioprio = -1;
	cfg->randseed = 0x5eed;
	cfg->randrepeat = true;
	cfg->poll_delay_us = -1;
	cfg->rwmix_given = -1;
}

static int parse_devs(struct bench_config *cfg, const char *list, char *err, size_t errlen)
{
	const char *p = list;

	for (;;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == 0)
			return opt_error("\"%s\": empty device name", list);
		if (len >= BENCH_DEV_NAME_LEN)
			return opt_error("\"%.*s\": device name too long", (int)len, p);
		if (strchr(p, '=') && (!end || strchr(p, '=') < end))
			return opt_error("\"%s\": expected a device first (bench <dev> [options])",
					 list);
		if (cfg->nr_devs == BENCH_MAX_DEVS)
			return opt_error("at most %d devices", BENCH_MAX_DEVS);
		memcpy(cfg->devs[cfg->nr_devs], p, len);
		cfg->devs[cfg->nr_devs][len] = 0;
		cfg->nr_devs++;
		if (!end)
			return 0;
		p = end + 1;
	}
}

static int parse_one(struct bench_config *cfg, const char *arg, char *err, size_t errlen)
{
	const char *key = arg, *eq, *val = NULL;
	char name[32];
	size_t len;
	unsigned int i;

	while (*key == '-')
		key++;
	eq = strchr(key, '=');
	len = eq ? (size_t)(eq - key) : strlen(key);
	if (eq)
		val = eq + 1;
	if (len == 0 || len >= sizeof(name))
		return opt_error("\"%s\": unknown option", arg);
	memcpy(name, key, len);
	name[len] = 0;
	for (i = 0; i < ARRAY_SIZE(bench_opts); i++)
		if (!strcmp(name, bench_opts[i].name))
			return bench_opts[i].parse(cfg, val, err, errlen);
	return opt_error("\"%s\": unknown option", name);
}

/* Is argv[i] a name= option, the start of a job on fio's command line? */
static bool arg_starts_job(const char *arg)
{
	while (*arg == '-')
		arg++;
	return !strncmp(arg, "name=", 5);
}

/* The checks and defaults that need every option of one job. */
static int bench_finish(struct bench_config *cfg, char *err, size_t errlen)
{
	if (cfg->rwmix_given >= 0) {
		if (!rw_is_mixed(cfg))
			return opt_error("rwmixread/rwmixwrite: only with rw=rw or rw=randrw");
		cfg->rwmixread = (u32)cfg->rwmix_given;
	}
	if (cfg->engine == BENCH_ENGINE_SYNC && cfg->iodepth > 1)
		return opt_error("engine=sync: iodepth must be 1 (use engine=async)");
	if (cfg->serialize && cfg->engine != BENCH_ENGINE_URING)
		return opt_error("serialize: only with engine=uring (the other engines never punt)");
	/* hipri: async is engine=poll; dio polls its own bios; the others cannot */
	if (cfg->hipri && cfg->engine == BENCH_ENGINE_ASYNC)
		cfg->engine = BENCH_ENGINE_POLL;
	if (cfg->engine == BENCH_ENGINE_POLL)
		cfg->hipri = true;
	if (cfg->hipri && cfg->engine != BENCH_ENGINE_POLL && cfg->engine != BENCH_ENGINE_DIO)
		return opt_error("hipri: only with engine=async, poll or dio");
	if (cfg->poll_delay_us >= 0 && !cfg->hipri)
		return opt_error("poll_delay: only with polled completions (engine=poll, hipri)");
	if (cfg->size && cfg->size < cfg->bs_max)
		return opt_error("size: smaller than the largest block size (%u)", cfg->bs_max);
	/* a block is checked as it was written: one size, and reads apart from writes */
	if (cfg->verify && cfg->bs_min != cfg->bs_max)
		return opt_error("verify: needs one block size (bs=), not bsrange/bssplit");
	if (cfg->verify && cfg->rwmixread != 0 && cfg->rwmixread != 100)
		return opt_error("verify: write in one run (rw=write), check in another (rw=read)");
	if (cfg->time_based && !cfg->runtime_ns)
		return opt_error("time_based: needs runtime=");
	if (cfg->size && cfg->loops > ~(u64)0 / cfg->size)
		return opt_error("loops=%u: size x loops is more than 2^64 bytes", cfg->loops);
	cfg->io_size = cfg->size * cfg->loops;
	if (cfg->ioprio_class == 3 && cfg->ioprio > 0)
		return opt_error("ioprio: the idle class has no levels");
	if (!cfg->runtime_ns && !cfg->size && !cfg->number_ios) {
		/* a bare "bench null0" runs five seconds, not a pass over the disk */
		cfg->runtime_ns = BENCH_DEFAULT_RUNTIME_NS;
		cfg->time_based = true;
	}
	return 0;
}

/* The global options: the devices and what comes before the first name= (or all). */
static int bench_parse_global(int argc, char **argv, struct bench_config *cfg, bool stop_at_name,
			      int *next, char *err, size_t errlen)
{
	int i, ret;

	bench_config_defaults(cfg);
	if (argc < 2)
		return opt_error("usage: bench <dev>[,<dev>...] [rw= bs= iodepth= ...]");
	ret = parse_devs(cfg, argv[1], err, errlen);
	for (i = 2; !ret && i < argc && !(stop_at_name && arg_starts_job(argv[i])); i++)
		ret = parse_one(cfg, argv[i], err, errlen);
	*next = i;
	return ret;
}

int bench_parse(int argc, char **argv, struct bench_config *cfg, char *err, size_t errlen)
{
	int next, ret = bench_parse_global(argc, argv, cfg, false, &next, err, errlen);

	return ret ? ret : bench_finish(cfg, err, errlen);
}

int bench_parse_jobs(int argc, char **argv, struct bench_config *cfgs, unsigned int max,
		     unsigned int *nr, char *err, size_t errlen)
{
	struct bench_config global;
	unsigned int n = 0, jobs = 0;
	int i, ret;

	ret = bench_parse_global(argc, argv, &global, true, &i, err, errlen);
	if (ret)
		return ret;
	if (i == argc) {
		/* no name=: one job of the global options, as before */
		cfgs[0] = global;
		*nr = 1;
		return bench_finish(&cfgs[0], err, errlen);
	}
	while (i < argc) {
		struct bench_config *cfg = &cfgs[n];

		if (n == max)
			return opt_error("at most %u jobs (name=) on one line", max);
		*cfg = global;
		/* name= itself, then the job's options up to the next name= */
		ret = parse_one(cfg, argv[i++], err, errlen);
		for (; !ret && i < argc && !arg_starts_job(argv[i]); i++)
			ret = parse_one(cfg, argv[i], err, errlen);
		if (!ret)
			ret = bench_finish(cfg, err, errlen);
		if (ret)
			return ret;
		jobs += cfg->numjobs;
		n++;
	}
	if (jobs > BENCH_MAX_JOBS)
		return opt_error("numjobs: %u jobs in all, at most %d", jobs, BENCH_MAX_JOBS);
	/* the report's form is the run's, wherever on the line it was asked for */
	for (unsigned int k = 0; k < n; k++) {
		global.json |= cfgs[k].json;
		global.json_plus |= cfgs[k].json_plus;
		global.quiet |= cfgs[k].quiet;
	}
	for (unsigned int k = 0; k < n; k++) {
		cfgs[k].json = global.json;
		cfgs[k].json_plus = global.json_plus;
		cfgs[k].quiet = global.quiet;
	}
	*nr = n;
	return 0;
}

int bench_check_cpus(const struct bench_config *cfg, const cpumask_t *online, char *err,
		     size_t errlen)
{
	char list[64];
	unsigned int cpu;

	if (!cfg->cpus_allowed_set)
		return 0;
	for_each_cpu_in(cpu, &cfg->cpus_allowed) {
		if (cpumask_test(online, cpu))
			continue;
		cpulist_format(list, sizeof(list), online->bits, MAX_CPUS);
		return opt_error("cpus_allowed: CPU %u is not online (online: %s)", cpu, list);
	}
	return 0;
}

u32 bench_pick_bs(const struct bench_config *cfg, u64 random)
{
	unsigned int i;
	u32 pick, acc = 0, steps;

	if (cfg->nr_bs_shares) {
		pick = (u32)(random % 100);
		for (i = 0; i < cfg->nr_bs_shares; i++) {
			acc += cfg->bs_shares[i].percent;
			if (pick < acc)
				return cfg->bs_shares[i].bs;
		}
		return cfg->bs_shares[cfg->nr_bs_shares - 1].bs;
	}
	if (cfg->bs_min == cfg->bs_max)
		return cfg->bs_min;
	steps = (cfg->bs_max - cfg->bs_min) / 512 + 1;
	return cfg->bs_min + (u32)(random % steps) * 512;
}

const char *bench_engine_name(enum bench_engine e)
{
	switch (e) {
	case BENCH_ENGINE_SYNC:
		return "sync";
	case BENCH_ENGINE_ASYNC:
		return "async";
	case BENCH_ENGINE_POLL:
		return "poll";
	case BENCH_ENGINE_DIO:
		return "dio";
	case BENCH_ENGINE_URING:
		return "uring";
	}
	return "?";
}
