/*
 * Per-stage I/O tracing, the pure part: stage names, record checks, the
 * per-stage histograms, the record ring and the dump's event order
 * (blk_trace_stat.h).
 */
#include "block/blk_trace_stat.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "lib/printf.h"

const u32 blk_trace_percentiles_ppm[BLK_TRACE_NR_PERCENTILES] = {
	10000, 50000, 100000, 200000, 300000, 400000, 500000, 600000, 700000,
	800000, 900000, 950000, 990000, 995000, 999000, 999500, 999900,
};

static void blk_trace_format_row(const struct histogram *h, const char *name, u64 tsc_khz,
				 void (*line)(void *arg, const char *s), void *arg)
{
	char buf[160];
	u64 mean = hist_mean_milli(h) / 1000;

	snprintf(buf, sizeof(buf), "%-9s %9llu %9llu %9llu %9llu %9llu %9llu %9llu %9llu %9llu",
		 name, (unsigned long long)h->count, (unsigned long long)mean,
		 (unsigned long long)h->min, (unsigned long long)hist_percentile(h, 500000),
		 (unsigned long long)hist_percentile(h, 900000),
		 (unsigned long long)hist_percentile(h, 990000),
		 (unsigned long long)hist_percentile(h, 999000), (unsigned long long)h->max,
		 (unsigned long long)(tsc_khz ? mean * 1000000 / tsc_khz : 0));
	line(arg, buf);
}

void blk_trace_stats_format(const struct blk_trace_stats *st, u64 tsc_khz,
			    void (*line)(void *arg, const char *s), void *arg)
{
	char buf[160];

	snprintf(buf, sizeof(buf), "%-9s %9s %9s %9s %9s %9s %9s %9s %9s %9s", "stage",
		 "count", "mean", "min", "p50", "p90", "p99", "p99.9", "max", "mean_ns");
	line(arg, buf);
	for (unsigned int i = BLK_TRACE_SUBMIT + 1; i < BLK_TRACE_NR_STAGES; i++)
		if (st->stage[i].count)
			blk_trace_format_row(&st->stage[i], blk_trace_stage_name(i), tsc_khz,
					     line, arg);
	blk_trace_format_row(&st->stage[0], "total", tsc_khz, line, arg);
	if (st->dropped)
		snprintf(buf, sizeof(buf),
			 "(cycles from the previous stage; %llu I/Os, %llu rejected, %llu dropped)",
			 (unsigned long long)st->records, (unsigned long long)st->rejected,
			 (unsigned long long)st->dropped);
	else
		snprintf(buf, sizeof(buf),
			 "(cycles from the previous stage; %llu I/Os, %llu rejected)",
			 (unsigned long long)st->records, (unsigned long long)st->rejected);
	line(arg, buf);
}

static const char *const blk_trace_stage_names[BLK_TRACE_NR_STAGES] = {
	[BLK_TRACE_SUBMIT] = "submit",
	[BLK_TRACE_TAG] = "tag",
	[BLK_TRACE_DISPATCH] = "dispatch",
	[BLK_TRACE_DOORBELL] = "doorbell",
	[BLK_TRACE_REAP] = "reap",
	[BLK_TRACE_COMPLETE] = "complete",
	[BLK_TRACE_END_IO] = "end_io",
	[BLK_TRACE_JOB_REAP] = "job_reap",
};

const char *blk_trace_stage_name(unsigned int stage)
{
	return stage < BLK_TRACE_NR_STAGES ? blk_trace_stage_names[stage] : "?";
}

/*
 * hist_add_inline for a value below 2^32 (all the fold adds): its square
 * fits 64 bits, and its bucket needs no clamp.
 */
static inline __attribute__((always_inline)) void blk_trace_hist_add_uncounted(struct histogram *h,
										u32 v)
{
	u64 x = v;
	unsigned int bucket = v;

	h->sum += x;
	/*
	 * the 128-bit sum of squares as two 64-bit adds: GCC builds the
	 * 128-bit addend on the stack first (three more instructions a stage)
	 */
	__asm__("addq %2, %0\n\tadcq $0, %1"
		: "+m"(((u64 *)&h->sum_sq)[0]), "+m"(((u64 *)&h->sum_sq)[1])
		: "r"(x * x) : "cc");
	if (x < h->min)
		h->min = x;
	if (x > h->max)
		h->max = x;
	if (v >= 2 * HIST_SUB) {
		unsigned int shift = 31 - (unsigned int)__builtin_clz(v) - HIST_SUB_BITS;

		/* v >> shift is HIST_SUB plus the bits below the top one */
		bucket = (shift << HIST_SUB_BITS) + (v >> shift);
	}
	h->buckets[bucket]++;
}

static inline __attribute__((always_inline)) void blk_trace_hist_add(struct histogram *h, u32 v)
{
	h->count++;
	blk_trace_hist_add_uncounted(h, v);
}

/*
 * A record's stamps, read once (the fold reads a ring slot in place, then
 * checks that the writer has not reached it again before it uses them).
 * all: every stage after submit is stamped and none goes back, the common
 * case, added without a test per stage; else ok: usable, with stages
 * missing.
 */
struct blk_trace_snap {
	u32 d[BLK_TRACE_NR_STAGES - 1];
	bool all, ok;
};

static inline __attribute__((always_inline)) void
blk_trace_snap_read(const struct blk_trace_stamps *s, struct blk_trace_snap *sn)
{
	u32 prev = 0, back = 0;
	bool ok = s->t0 && !(s->flags & BLK_TRACE_F_LONG);

	/*
	 * A record not F_LONG has its stamps within 2^31 cycles of t0 (before
	 * it only by the TSCs' skew between CPUs), so one stage's distance from
	 * the one before has bit 31 set exactly when it goes back. With TAG
	 * stamped and none going back, none is 0: every stage is stamped.
	 */
#pragma GCC unroll 8
	for (unsigned int k = 0; k < BLK_TRACE_NR_STAGES - 1; k++) {
		u32 d = s->d[k];

		sn->d[k] = d;
		back |= d - prev;
		prev = d;
	}
	sn->all = ok && sn->d[0] && !(back & (1u << 31));
	if (sn->all)
		return;
	/* stages missing (0), or going back: the stamped ones must not */
	prev = 0;
#pragma GCC unroll 8
	for (unsigned int k = 0; k < BLK_TRACE_NR_STAGES - 1; k++) {
		u32 d = sn->d[k];

		if (d) {
			ok &= d >= prev;
			prev = d;
		}
	}
	sn->ok = ok;
}

/*
 * Add a usable record: each stamped stage from the one before it, and the
 * whole. A record with every stage stamped (sn->all) leaves the counts,
 * its stages' and st->records, to the caller (blk_trace_stats_count_all):
 * one add per stage for a whole pass of the fold, not one per record.
 */
static inline __attribute__((always_inline)) void
blk_trace_snap_add(struct blk_trace_stats *st, const struct blk_trace_snap *sn)
{
	u32 prev = 0;

	if (sn->all) {
#pragma GCC unroll 8
		for (unsigned int k = 0; k < BLK_TRACE_NR_STAGES - 1; k++) {
			blk_trace_hist_add_uncounted(&st->stage[k + 1], sn->d[k] - prev);
			prev = sn->d[k];
		}
		blk_trace_hist_add_uncounted(&st->stage[0], prev);
		return;
	}
#pragma GCC unroll 8
	for (unsigned int k = 0; k < BLK_TRACE_NR_STAGES - 1; k++) {
		u32 d = sn->d[k];

		if (d) {
			blk_trace_hist_add(&st->stage[k + 1], d - prev);
			prev = d;
		}
	}
	blk_trace_hist_add(&st->stage[0], prev);
	st->records++;
}

/* Count n records added with every stage stamped. */
static void blk_trace_stats_count_all(struct blk_trace_stats *st, u64 n)
{
	for (unsigned int i = 0; i < BLK_TRACE_NR_STAGES; i++)
		st->stage[i].count += n;
	st->records += n;
}

int blk_trace_rec_check(const struct blk_trace_rec *r)
{
	struct blk_trace_snap sn;

	if (!r->s.t0)
		return -EINVAL;
	blk_trace_snap_read(&r->s, &sn);
	return sn.all || sn.ok ? 0 : -ERANGE;
}

void blk_trace_stats_init(struct blk_trace_stats *st)
{
	for (unsigned int i = 0; i < BLK_TRACE_NR_STAGES; i++)
		hist_init(&st->stage[i]);
	st->records = 0;
	st->rejected = 0;
	st->dropped = 0;
}

void blk_trace_stats_add(struct blk_trace_stats *st, const struct blk_trace_rec *r)
{
	struct blk_trace_snap sn;

	/* checked whole first: a rejected record touches nothing */
	blk_trace_snap_read(&r->s, &sn);
	if (!sn.all && !sn.ok) {
		st->rejected++;
		return;
	}
	blk_trace_snap_add(st, &sn);
	if (sn.all)
		blk_trace_stats_count_all(st, 1);
}

void blk_trace_stats_merge(struct blk_trace_stats *to, const struct blk_trace_stats *from)
{
	for (unsigned int i = 0; i < BLK_TRACE_NR_STAGES; i++)
		hist_merge(&to->stage[i], &from->stage[i]);
	to->records += from->records;
	to->rejected += from->rejected;
	to->dropped += from->dropped;
}

void blk_trace_ring_init(struct blk_trace_ring *ring, struct blk_trace_rec *recs, u32 size)
{
	ring->recs = recs;
	ring->mask = size - 1;
	ring->head = 0;
}

u64 blk_trace_ring_fold(const struct blk_trace_ring *ring, u64 *folded,
			struct blk_trace_stats *st)
{
	u64 size = (u64)ring->mask + 1;
	u64 head = __atomic_load_n(&ring->head, __ATOMIC_ACQUIRE);
	u64 from = *folded, done = 0, all = 0;

	if (head - from >= size) {
		/*
		 * lapped: the oldest are gone, and the oldest slot left may be
		 * the one the writer is filling (below), so size - 1 remain
		 */
		st->dropped += head - (size - 1) - from;
		from = head - (size - 1);
	}
	for (u64 i = from; i < head; i++) {
		struct blk_trace_snap sn;

		blk_trace_snap_read(&ring->recs[i & ring->mask].s, &sn);
		/*
		 * The writer overwrites slot i while it pushes record i + size,
		 * before head passes i + size: if head has reached it, what was
		 * read may be torn (a seqlock's check, the slot read before head).
		 */
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&ring->head, __ATOMIC_RELAXED) - i >= size) {
			st->dropped++;
			continue;
		}
		if (sn.all || sn.ok)
			blk_trace_snap_add(st, &sn);
		else
			st->rejected++;
		all += sn.all;
		done++;
	}
	blk_trace_stats_count_all(st, all);
	*folded = head;
	return done;
}

unsigned int blk_trace_ring_copy(const struct blk_trace_ring *ring, struct blk_trace_rec *out,
				 unsigned int max)
{
	u64 size = (u64)ring->mask + 1;
	u64 head = __atomic_load_n(&ring->head, __ATOMIC_ACQUIRE);
	u64 n = head < size ? head : size;

	if (n > max)
		n = max;
	for (u64 i = 0; i < n; i++)
		out[i] = ring->recs[(head - n + i) & ring->mask];
	return (unsigned int)n;
}

static bool blk_trace_event_before(const struct blk_trace_event *a,
				   const struct blk_trace_event *b)
{
	if (a->tsc != b->tsc)
		return a->tsc < b->tsc;
	if (a->rec != b->rec)
		return a->rec < b->rec;
	return a->stage < b->stage;
}

/* Shell sort: the dump sorts a few thousand events, no allocation wanted. */
static void blk_trace_events_sort(struct blk_trace_event *ev, unsigned int n)
{
	static const unsigned int gaps[] = { 701, 301, 132, 57, 23, 10, 4, 1 };

	for (unsigned int g = 0; g < sizeof(gaps) / sizeof(gaps[0]); g++) {
		unsigned int gap = gaps[g];

		for (unsigned int i = gap; i < n; i++) {
			struct blk_trace_event t = ev[i];
			unsigned int j = i;

			for (; j >= gap && blk_trace_event_before(&t, &ev[j - gap]); j -= gap)
				ev[j] = ev[j - gap];
			ev[j] = t;
		}
	}
}

unsigned int blk_trace_events(const struct blk_trace_rec *recs, unsigned int n,
			      struct blk_trace_event *out, unsigned int max)
{
	unsigned int k = 0;

	for (unsigned int r = 0; r < n; r++)
		for (unsigned int i = 0; i < BLK_TRACE_NR_STAGES && k < max; i++) {
			if (!blk_trace_stamped(&recs[r].s, i))
				continue;
			out[k].tsc = blk_trace_stamp_tsc(&recs[r].s, i);
			out[k].rec = &recs[r];
			out[k].stage = (u8)i;
			k++;
		}
	blk_trace_events_sort(out, k);
	return k;
}

void blk_trace_recs_sort(struct blk_trace_rec *recs, unsigned int n)
{
	/* insertion sort: the input is a few sorted runs (one per CPU) */
	for (unsigned int i = 1; i < n; i++) {
		struct blk_trace_rec t = recs[i];
		unsigned int j = i;

		for (; j > 0 && recs[j - 1].s.t0 > t.s.t0; j--)
			recs[j] = recs[j - 1];
		recs[j] = t;
	}
}
