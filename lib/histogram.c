/*
 * Log-linear latency histogram (lib/histogram.h): what is not on the
 * recording path (hist_bucket and hist_add_inline are in the header).
 */
#include "lib/histogram.h"
#include "lib/math64.h"
#include "lib/string.h"

void hist_init(struct histogram *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

u64 hist_bucket_low(unsigned int bucket)
{
	unsigned int shift;

	if (bucket < 2 * HIST_SUB)
		return bucket;
	shift = bucket / HIST_SUB - 1;
	return ((u64)HIST_SUB + bucket % HIST_SUB) << shift;
}

u64 hist_bucket_high(unsigned int bucket)
{
	if (bucket + 1 >= HIST_BUCKETS)
		return UINT64_MAX;
	return hist_bucket_low(bucket + 1) - 1;
}

void hist_add(struct histogram *h, u64 value)
{
	hist_add_inline(h, value);
}

void hist_merge(struct histogram *to, const struct histogram *from)
{
	unsigned int i;

	if (!from->count)
		return;
	to->count += from->count;
	to->sum += from->sum;
	to->sum_sq += from->sum_sq;
	if (from->min < to->min)
		to->min = from->min;
	if (from->max > to->max)
		to->max = from->max;
	for (i = 0; i < HIST_BUCKETS; i++)
		to->buckets[i] += from->buckets[i];
}

u64 hist_mean_milli(const struct histogram *h)
{
	if (!h->count)
		return 0;
	return mul_u64_u64_div_u64(h->sum, 1000, h->count);
}

/* floor(sqrt(x)) for a 128-bit x, by bits. */
static u64 isqrt128(unsigned __int128 x)
{
	unsigned __int128 bit = (unsigned __int128)1 << 126, res = 0;

	while (bit > x)
		bit >>= 2;
	while (bit) {
		if (x >= res + bit) {
			x -= res + bit;
			res = (res >> 1) + bit;
		} else {
			res >>= 1;
		}
		bit >>= 2;
	}
	return (u64)res;
}

/*
 * Variance * n^2 = n * sum_sq - sum^2, exact in integers; scaled by 10^6 so
 * the root comes out in thousandths. n * sum_sq can pass 2^128 only for
 * latencies of seconds over billions of samples; then fall back to the
 * unscaled form.
 */
u64 hist_stddev_milli(const struct histogram *h)
{
	u128 n = h->count, s = h->sum, var_n2, mean_sq;

	if (h->count < 2)
		return 0;
	if (h->sum_sq > div128_u64((u128)-1, h->count, NULL)) {
		mean_sq = div128_u64(s, h->count, NULL);
		mean_sq *= mean_sq;
		return isqrt128(div128_u64(h->sum_sq, h->count, NULL) - mean_sq) * 1000;
	}
	var_n2 = n * h->sum_sq - s * s;
	if (var_n2 <= ((unsigned __int128)-1) / 1000000)
		return isqrt128(var_n2 * 1000000) / h->count;
	return isqrt128(var_n2) * 1000 / h->count;
}

u64 hist_percentile(const struct histogram *h, u32 ppm)
{
	u64 want, seen = 0, low, high, mid;
	unsigned int i;

	if (!h->count)
		return 0;
	if (ppm >= 1000000)
		return h->max;
	want = (u64)div128_u64((u128)h->count * ppm + 999999, 1000000, NULL);
	if (want == 0)
		want = 1;
	for (i = 0; i < HIST_BUCKETS; i++) {
		seen += h->buckets[i];
		if (seen >= want)
			break;
	}
	if (i == HIST_BUCKETS)
		return h->max;
	low = hist_bucket_low(i);
	high = hist_bucket_high(i);
	mid = low + (high - low) / 2;
	if (mid < h->min)
		mid = h->min;
	if (mid > h->max)
		mid = h->max;
	return mid;
}
