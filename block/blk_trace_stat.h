/*
 * Per-stage I/O tracing, the pure part (no kernel includes; host-tested in
 * tests/unit/block/test_blk_trace_stat.c): the stages an I/O passes, the
 * stamps it carries, per-stage cycle histograms, the ring of the last
 * records and their expansion into a time-ordered event list (the dump).
 * The kernel half, which takes the stamps, is block/blk_trace.c;
 * docs/blk-trace.md describes both.
 */
#ifndef BLOCK_BLK_TRACE_STAT_H
#define BLOCK_BLK_TRACE_STAT_H

#include "lib/types.h"
#include "lib/histogram.h"

#define BLK_TRACE_NR_STAGES 8

enum blk_trace_stage {
	BLK_TRACE_SUBMIT,	/* submit_bio entered */
	BLK_TRACE_TAG,		/* blk-mq has a request (tag) for it */
	BLK_TRACE_DISPATCH,	/* ops->queue_rq called */
	BLK_TRACE_DOORBELL,	/* the driver is about to write the doorbell */
	BLK_TRACE_REAP,		/* interrupt or poll found the completion */
	BLK_TRACE_COMPLETE,	/* blk_mq_end_request: the request ends */
	BLK_TRACE_END_IO,	/* bio->end_io is called */
	BLK_TRACE_JOB_REAP,	/* the submitting job (bench) accounted it */
};

/*
 * What an I/O carries while traced (in its struct bio), and the record
 * its ring keeps: 64 bytes. t0 is SUBMIT's TSC (0: the bio is not
 * traced); every later stage n keeps its TSC as d[n - 1], the low 32 bits
 * of its distance from t0, and 0 while not stamped (a stage cannot be
 * stamped at t0's own cycle: the submit stamp comes first, on the CPU
 * that submits). cpu[n] is the CPU that stamped stage n (from rdtscp's
 * TSC_AUX), meaningful only where stage n is stamped.
 */
struct blk_trace_stamps {
	u64 t0;
	u32 d[BLK_TRACE_NR_STAGES - 1];
	u32 bytes;
	u8 cpu[BLK_TRACE_NR_STAGES];
	u64 sector;		/* at submit, on the disk submitted to */
	u16 tag;		/* tag and hardware queue index (of the last piece) */
	u16 hctx;
	u8 op;
	u8 flags;		/* BLK_TRACE_F_* */
};

/* The submitter stamps JOB_REAP itself: end_io does not end the record. */
#define BLK_TRACE_F_JOB_REAPS	(1u << 0)
/*
 * Set when the record is committed if its last stamp is 2^31 cycles or
 * more after t0 (or before it): the fold tells a stage that goes back by
 * bit 31 of its 32-bit distance from the one before, which needs every
 * stamp within 2^31 cycles of t0 (0.7 s at 3 GHz). Such a record is
 * rejected, not folded with wrapped values.
 */
#define BLK_TRACE_F_LONG	(1u << 1)

/* One finished I/O. */
struct blk_trace_rec {
	struct blk_trace_stamps s;
};

_Static_assert(sizeof(struct blk_trace_rec) == 64, "a trace record is one cache line");

static inline bool blk_trace_stamped(const struct blk_trace_stamps *s, unsigned int stage)
{
	return stage == 0 ? s->t0 != 0 : s->d[stage - 1] != 0;
}

/* The TSC of a stamped stage. */
static inline u64 blk_trace_stamp_tsc(const struct blk_trace_stamps *s, unsigned int stage)
{
	return s->t0 + (stage == 0 ? 0 : s->d[stage - 1]);
}

/*
 * Stamp stage at tsc as the I/O path does (SUBMIT first: a later stage
 * keeps the low 32 bits of its distance from t0), or unstamp it: for
 * tests and tools that build records.
 */
static inline void blk_trace_stamp_set(struct blk_trace_stamps *s, unsigned int stage, u64 tsc)
{
	if (stage == 0)
		s->t0 = tsc;
	else
		s->d[stage - 1] = (u32)(tsc - s->t0);
}

static inline void blk_trace_stamp_clear(struct blk_trace_stamps *s, unsigned int stage)
{
	if (stage == 0)
		s->t0 = 0;
	else
		s->d[stage - 1] = 0;
}

/*
 * Histograms in TSC cycles. stage[0] is the whole I/O (submit to its last
 * stamped stage); stage[n], n > 0, is the time from the previous stamped
 * stage to stage n (a stage not stamped, such as a doorbell rung for a
 * batch by commit_rqs, folds its time into the next one).
 */
struct blk_trace_stats {
	struct histogram stage[BLK_TRACE_NR_STAGES];
	u64 records;		/* added to the histograms */
	u64 rejected;		/* no submit stamp, or stamps going back in time */
	u64 dropped;		/* overwritten in their ring before they were folded */
};

const char *blk_trace_stage_name(unsigned int stage);

/*
 * 0: usable; -EINVAL: no submit stamp; -ERANGE: a stamp earlier than the
 * one before, or the record too long for the fold's check (F_LONG).
 */
int blk_trace_rec_check(const struct blk_trace_rec *r);

void blk_trace_stats_init(struct blk_trace_stats *st);
/* Add r (rejected and counted as such when blk_trace_rec_check fails). */
void blk_trace_stats_add(struct blk_trace_stats *st, const struct blk_trace_rec *r);
void blk_trace_stats_merge(struct blk_trace_stats *to, const struct blk_trace_stats *from);

/*
 * The last records, oldest overwritten; size a power of two, one writer
 * (the CPU that owns it), which never waits. The I/O path only pushes:
 * readers fold what was pushed into histograms later (blk_trace_ring_fold),
 * off the path. head is published with release order after the record, so
 * a reader that sees head sees the records before it.
 */
struct blk_trace_ring {
	struct blk_trace_rec *recs;
	u32 mask;		/* size - 1 */
	u64 head;		/* records ever pushed */
};

void blk_trace_ring_init(struct blk_trace_ring *ring, struct blk_trace_rec *recs, u32 size);

static inline void blk_trace_ring_push(struct blk_trace_ring *ring, const struct blk_trace_rec *r)
{
	u64 head = ring->head;

	/*
	 * The slot's old record must look overwritten (head past it) before
	 * its bytes change: order the last push's head store before these
	 * stores (free on x86, a compiler barrier), as a seqlock's writer.
	 */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	/* inline, not a call to lib memcpy: this is on the traced hot path */
	__builtin_memcpy(&ring->recs[head & ring->mask], r, sizeof(*r));
	__atomic_store_n(&ring->head, head + 1, __ATOMIC_RELEASE);
}

/* Copy up to max of the newest records, oldest first; returns how many. */
unsigned int blk_trace_ring_copy(const struct blk_trace_ring *ring, struct blk_trace_rec *out,
				 unsigned int max);
/*
 * Add the records pushed since *folded (a cursor the reader keeps, 0 for
 * a new ring) to st and move *folded to the ring's head; may run while the
 * writer pushes. Records the writer overwrote before they were read (or
 * while they were being read) are counted in st->dropped, not added.
 * Returns how many records were added or rejected.
 */
u64 blk_trace_ring_fold(const struct blk_trace_ring *ring, u64 *folded,
			struct blk_trace_stats *st);

/* One stamp of one record, for the dump. */
struct blk_trace_event {
	u64 tsc;
	const struct blk_trace_rec *rec;
	u8 stage;
};

/*
 * Expand the stamps of recs into events ordered by time (stages of one
 * record in stage order on equal stamps); returns how many (at most max).
 */
unsigned int blk_trace_events(const struct blk_trace_rec *recs, unsigned int n,
			      struct blk_trace_event *out, unsigned int max);

/* fio's (and bench's) default percentiles, in parts per million. */
#define BLK_TRACE_NR_PERCENTILES 17
extern const u32 blk_trace_percentiles_ppm[BLK_TRACE_NR_PERCENTILES];

/*
 * The per-stage table, one line per call of line (no newline): a header,
 * then each stage with samples and the whole I/O ("total"): count, mean,
 * min, p50, p90, p99, p99.9, max in cycles, and the mean in ns at
 * tsc_khz.
 */
void blk_trace_stats_format(const struct blk_trace_stats *st, u64 tsc_khz,
			    void (*line)(void *arg, const char *s), void *arg);

/* Sort records by their submit stamp (the rings of several CPUs merged). */
void blk_trace_recs_sort(struct blk_trace_rec *recs, unsigned int n);

#endif
