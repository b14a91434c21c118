/*
 * fio's latency distribution, computed from bench's histograms at report
 * time: the share of I/Os whose latency falls in each of fio's fixed ranges,
 * printed as fio prints it ("lat (usec)   : 2=0.01%, 4=12.50%, ...") and put
 * in the JSON under fio's keys (latency_ns, latency_us, latency_ms). A
 * range is named by its upper edge: "4" in usec is [2 us, 4 us), ">=2000" in
 * msec is 2 s and above. Also the value fio's json+ names a histogram bucket
 * by (its clat_ns.bins keys). Pure: no allocation, no locking.
 *
 * The histogram's buckets are finer than fio's ranges but do not all end on
 * their edges (750 ns falls inside the bucket [744, 751]); a bucket is
 * counted whole in the range of its json+ value, so the distribution is
 * exactly the one a reader computes from the json+ bins.
 */
#ifndef BLOCK_BENCH_BENCH_LAT_DIST_H
#define BLOCK_BENCH_BENCH_LAT_DIST_H

#include "lib/types.h"
#include "lib/histogram.h"

enum { BENCH_LAT_NSEC, BENCH_LAT_USEC, BENCH_LAT_MSEC, BENCH_LAT_UNITS };
#define BENCH_LAT_RANGES_MAX 12		/* msec has 12 ranges; nsec and usec 10 */

struct bench_lat_dist {
	u64 total;
	u64 count[BENCH_LAT_UNITS][BENCH_LAT_RANGES_MAX];
};

struct bench_lat_unit {
	const char *text;		/* "usec", for "lat (usec)" */
	const char *json;		/* "latency_us" */
	unsigned int nr_ranges;
	const char *const *labels;	/* "2", "4", ..., ">=2000" */
};

extern const struct bench_lat_unit bench_lat_units[BENCH_LAT_UNITS];

/* The latency (ns) fio's json+ gives a bucket: its lowest value plus half its width. */
u64 bench_lat_bucket_value(unsigned int bucket);

void bench_lat_dist_init(struct bench_lat_dist *d);
/* Count every sample of h (a job's reads, then its writes, ...). */
void bench_lat_dist_add(struct bench_lat_dist *d, const struct histogram *h);
/*
 * The share of range i of unit in hundredths of a percent, rounded to the
 * nearest; like fio, a range that holds any I/O shows at least 0.01 %.
 */
u32 bench_lat_dist_centipct(const struct bench_lat_dist *d, unsigned int unit, unsigned int i);

#endif
