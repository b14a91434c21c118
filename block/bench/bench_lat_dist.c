/*
 * fio's latency distribution from a histogram (block/bench/bench_lat_dist.h).
 * The range edges are fio's: 2, 4, 10, 20, 50, 100, 250, 500, 750 and 1000
 * of each unit, then 2000 ms and above for the slowest.
 */
#include "block/bench/bench_lat_dist.h"
#include "lib/math64.h"
#include "lib/string.h"

static const char *const labels_ns_us[] = {
	"2", "4", "10", "20", "50", "100", "250", "500", "750", "1000",
};
static const char *const labels_ms[] = {
	"2", "4", "10", "20", "50", "100", "250", "500", "750", "1000", "2000", ">=2000",
};
/* upper edges of the ranges, in the range's unit; the last msec range has none */
static const u32 edges[] = { 2, 4, 10, 20, 50, 100, 250, 500, 750, 1000, 2000 };

const struct bench_lat_unit bench_lat_units[BENCH_LAT_UNITS] = {
	[BENCH_LAT_NSEC] = { "nsec", "latency_ns", 10, labels_ns_us },
	[BENCH_LAT_USEC] = { "usec", "latency_us", 10, labels_ns_us },
	[BENCH_LAT_MSEC] = { "msec", "latency_ms", 12, labels_ms },
};

u64 bench_lat_bucket_value(unsigned int bucket)
{
	u64 low = hist_bucket_low(bucket);

	/* the last bucket is open-ended: name it by its start */
	if (bucket + 1 >= HIST_BUCKETS)
		return low;
	return low + (hist_bucket_high(bucket) - low + 1) / 2;
}

void bench_lat_dist_init(struct bench_lat_dist *d)
{
	memset(d, 0, sizeof(*d));
}

/* fio's split: under 1 us in ns, under 1 ms in whole us, then whole ms */
static void lat_range(u64 ns, unsigned int *unit, unsigned int *range)
{
	u64 v;
	unsigned int i;

	if (ns < 1000) {
		*unit = BENCH_LAT_NSEC;
		v = ns;
	} else if (ns < 1000000) {
		*unit = BENCH_LAT_USEC;
		v = ns / 1000;
	} else {
		*unit = BENCH_LAT_MSEC;
		v = ns / 1000000;
	}
	for (i = 0; i < bench_lat_units[*unit].nr_ranges - 1; i++)
		if (v < edges[i])
			break;
	*range = i;
}

void bench_lat_dist_add(struct bench_lat_dist *d, const struct histogram *h)
{
	unsigned int b, unit, range;

	if (!h->count)
		return;
	for (b = 0; b < HIST_BUCKETS; b++) {
		if (!h->buckets[b])
			continue;
		lat_range(bench_lat_bucket_value(b), &unit, &range);
		d->count[unit][range] += h->buckets[b];
		d->total += h->buckets[b];
	}
}

u32 bench_lat_dist_centipct(const struct bench_lat_dist *d, unsigned int unit, unsigned int i)
{
	u64 n = d->count[unit][i], c;

	if (!n)
		return 0;
	c = mul_u64_u64_div_u64(n * 2, 10000, d->total);
	c = (c + 1) / 2;
	return c ? (u32)c : 1;
}
