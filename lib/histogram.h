/*
 * Latency histograms with fixed log-linear buckets, the scheme fio uses for
 * its completion latencies: values below 2 * HIST_SUB are counted exactly;
 * above, every power-of-two range [2^k, 2^(k+1)) is cut into HIST_SUB equal
 * buckets, so a bucket is never wider than 1/HIST_SUB of its values (under
 * 1.6 % for HIST_SUB = 64). Recording is a few shifts and one increment: no
 * allocation, no lock; each job owns its histograms and they are merged at
 * the end. Values past the last group (2^41 ns, about 36 minutes) land in the
 * last bucket.
 *
 * Besides the buckets, min, max, the sum and the sum of squares are exact,
 * so the mean and the standard deviation do not carry the bucket error.
 */
#ifndef LIB_HISTOGRAM_H
#define LIB_HISTOGRAM_H

#include "lib/types.h"

#define HIST_SUB_BITS 6
#define HIST_SUB (1u << HIST_SUB_BITS)		/* buckets per power of two */
#define HIST_GROUPS 35				/* up to 2^41 ns: about 36 minutes */
#define HIST_BUCKETS ((HIST_GROUPS + 1) * HIST_SUB)

struct histogram {
	u64 count;
	u64 min, max;			/* min is U64_MAX while empty */
	u64 sum;
	unsigned __int128 sum_sq;	/* 128 bits: a u64 overflows at 4 s squared */
	u64 buckets[HIST_BUCKETS];
};

void hist_init(struct histogram *h);
/* to += from */
void hist_merge(struct histogram *to, const struct histogram *from);

/*
 * The bucket of a value: v itself below 2 * HIST_SUB; above, with highest
 * set bit m, (m - SUB_BITS + 1) * SUB plus the SUB_BITS bits below the top
 * one.
 */
static inline unsigned int hist_bucket(u64 value)
{
	unsigned int shift, bucket;

	if (value < 2 * HIST_SUB)
		return (unsigned int)value;
	shift = 63 - (unsigned int)__builtin_clzll(value) - HIST_SUB_BITS;
	bucket = (shift + 1) * HIST_SUB + (unsigned int)((value >> shift) & (HIST_SUB - 1));
	return bucket < HIST_BUCKETS ? bucket : HIST_BUCKETS - 1;
}

/*
 * Record one value. hist_add is the call (fewest instructions where a
 * caller records a few values per I/O, as bench); hist_add_inline is the
 * same for a caller that records many in a row (tracing: eight per I/O).
 */
void hist_add(struct histogram *h, u64 value);

/*
 * Record one value in count, sum, sum of squares, min and max only, not in
 * the buckets: for a latency whose mean and deviation are printed but not
 * its percentiles (fio's slat and lat unless slat_percentiles or
 * lat_percentiles). hist_percentile() of such a histogram means nothing.
 * Inline: a handful of instructions, no bucket and no call.
 */
static inline void hist_add_stat(struct histogram *h, u64 value)
{
	h->count++;
	h->sum += value;
	h->sum_sq += (unsigned __int128)value * value;
	if (value < h->min)
		h->min = value;
	if (value > h->max)
		h->max = value;
}

static inline void hist_add_inline(struct histogram *h, u64 value)
{
	hist_add_stat(h, value);
	h->buckets[hist_bucket(value)]++;
}

/* The smallest and largest value a bucket holds. */
u64 hist_bucket_low(unsigned int bucket);
u64 hist_bucket_high(unsigned int bucket);

/* Mean and standard deviation (population), in thousandths of the unit. */
u64 hist_mean_milli(const struct histogram *h);
u64 hist_stddev_milli(const struct histogram *h);

/*
 * The value under which ppm parts per million of the samples fall (1% is
 * 10000, 99.99% is 999900): the middle of the first bucket where the
 * running count reaches ceil(count * ppm / 10^6), clamped to [min, max];
 * the 100th percentile is max. 0 for an empty histogram.
 */
u64 hist_percentile(const struct histogram *h, u32 ppm);

#endif
