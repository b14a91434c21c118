/*
 * Per-stage I/O tracing (docs/blk-trace.md): TSC stamps of each I/O at
 * submit, tag, dispatch, doorbell, reap, complete, end_io and the job's
 * reap, kept in the bio and committed, when the I/O ends, to the ending
 * CPU's ring of records (no lock: per CPU, with interrupts off for the
 * copy); the per-stage histograms are folded from the rings off the I/O
 * path (blk_trace.c).
 *
 * No test on the straight line of an untraced I/O: every stamp sits in
 * code only a traced queue's I/O runs, reached through a pointer or a
 * test blk-mq has anyway (docs/blk-trace.md, "Off costs nothing"):
 *
 * - submit and tag: a traced disk's gendisk->submit_bio is
 *   blk_trace_submit_bio, the traced twin of the blk-mq part of
 *   submission (blk_core.c), which blk_submit_checked runs inline when
 *   the pointer it tests for bio-based disks anyway names it;
 * - dispatch and doorbell: while a queue of a tag set is traced, the set's
 *   ops are a copy whose queue_rq is the driver's queue_rq_traced (or
 *   blk_trace_queue_rq, which stamps dispatch only);
 * - reap, complete and end_io: blk_mq_complete_request and
 *   blk_mq_end_request test q->hooks for their other slow paths (lost
 *   completions injected, the scheduler's completed_request) already;
 *   BLK_HOOK_TRACE there takes the traced branches.
 * - job_reap: bench's per-I/O test for its slow work (verify=), which
 *   calls __blk_trace_bio_job_reap.
 */
#ifndef BLOCK_BLK_TRACE_H
#define BLOCK_BLK_TRACE_H

#include "block/bio.h"
#include "block/blk_trace_stat.h"
#include "kernel/arch/percpu.h"
#include "kernel/arch/x86.h"

struct blk_mq_hw_ctx;
struct request;
struct request_queue;

/* Commit bio's record (END_IO stamped) and call its end_io. */
void __blk_trace_bio_end_io(struct bio *bio);
/* The submitter accounted bio: stamps JOB_REAP and commits. A thread, interrupts on. */
void __blk_trace_bio_job_reap(struct bio *bio);

/*
 * A traced whole disk's gendisk->submit_bio (blk_core.c): stamps SUBMIT
 * (sector on the whole disk) and runs the traced twin of the blk-mq path.
 */
void blk_trace_submit_bio(struct bio *bio, u64 sector);
/*
 * The traced ops' queue_rq for a driver without queue_rq_traced: stamps
 * DISPATCH and calls the driver's own queue_rq (no DOORBELL stamp).
 */
int blk_trace_queue_rq(struct blk_mq_hw_ctx *hctx, struct request *rq, bool last);

/* The submit stamp, first thing in blk_trace_submit_bio. */
static inline __attribute__((always_inline)) void blk_trace_bio_stamp_submit(struct bio *bio,
									      u64 sector)
{
	struct blk_trace_stamps *s = &bio->trace;
	u32 cpu;

	/* a stage is stamped while its distance from t0 is not 0 */
	for (unsigned int i = 0; i < BLK_TRACE_NR_STAGES - 1; i++)
		s->d[i] = 0;
	s->sector = sector;
	s->bytes = bio->size;
	/*
	 * one store each: GCC's store merging made op and flags one 16-bit
	 * store built in a register from a load of an unrelated word (6
	 * instructions where these are 4)
	 */
	WRITE_ONCE(s->op, bio->op);
	WRITE_ONCE(s->flags, s->flags & BLK_TRACE_F_JOB_REAPS);
	s->tag = 0;
	s->hctx = 0;
	s->t0 = rdtscp(&cpu);
	s->cpu[BLK_TRACE_SUBMIT] = (u8)cpu;
}

/*
 * A stamp: one rdtscp (TSC and CPU), the distance from t0 and the CPU
 * stored. Any bio may be stamped: only one with t0 set (by the submit
 * stamp) is ever committed, and the commit clears t0.
 */
static inline __attribute__((always_inline)) void __blk_trace_bio_stage(struct bio *bio,
									 unsigned int stage)
{
	u32 cpu, lo = rdtscp_lo(&cpu);

	bio->trace.d[stage - 1] = lo - (u32)bio->trace.t0;
	bio->trace.cpu[stage] = (u8)cpu;
}

/*
 * A stage of the request rq (TAG .. COMPLETE; TAG also records tag and
 * hctx). A request without a bio (a driver's own command) has nothing to
 * stamp. A macro, as struct request is blk_mq.h's.
 */
#define blk_trace_rq(rq, stage)							\
	do {									\
		struct bio *__tb = (rq)->bio;					\
										\
		if (__tb) {							\
			if ((stage) == BLK_TRACE_TAG) {				\
				__tb->trace.tag = (u16)(rq)->tag;		\
				__tb->trace.hctx = (u16)(rq)->hctx->queue_num;	\
			}							\
			__blk_trace_bio_stage(__tb, (stage));			\
		}								\
	} while (0)

/*
 * Two stages of rq at one instant (one rdtscp): null_blk's DISPATCH and
 * DOORBELL, as its "device" starts where queue_rq does.
 */
#define blk_trace_rq_two(rq, stage1, stage2)					\
	do {									\
		struct bio *__tb = (rq)->bio;					\
										\
		if (__tb) {							\
			u32 __cpu, __d = rdtscp_lo(&__cpu) - (u32)__tb->trace.t0; \
										\
			__tb->trace.d[(stage1) - 1] = __d;			\
			__tb->trace.d[(stage2) - 1] = __d;			\
			/* two byte stores: merged, they took four instructions */ \
			WRITE_ONCE(__tb->trace.cpu[stage1], (u8)__cpu);		\
			WRITE_ONCE(__tb->trace.cpu[stage2], (u8)__cpu);		\
		}								\
	} while (0)

/*
 * In a driver's queue_rq body, instantiated twice (traced a constant):
 * stamps DOORBELL when ring (the batch's last) in the traced twin only.
 */
#define blk_trace_rq_doorbell(rq, ring, traced)					\
	do {									\
		if ((traced) && (ring) && (rq)->bio)				\
			__blk_trace_bio_stage((rq)->bio, BLK_TRACE_DOORBELL);	\
	} while (0)

/*
 * Before bio->end_io in the traced end path: stamps END_IO. True when the
 * record is to be committed here (no job reaps it): the caller then calls
 * __blk_trace_bio_end_io, which commits and calls end_io.
 */
static inline __attribute__((always_inline)) bool blk_trace_bio_end_io(struct bio *bio)
{
	__blk_trace_bio_stage(bio, BLK_TRACE_END_IO);
	return !(bio->trace.flags & BLK_TRACE_F_JOB_REAPS);
}

/*
 * Once per bio, not per I/O, from a submitter that will call
 * __blk_trace_bio_job_reap for it (bench, at a job's start, when its disk
 * is traced): end_io then leaves the record to it. The flag outlives the
 * clearing of the bio's working fields (BIO_COPY_BYTES) and submit's stamps.
 */
static inline void blk_trace_bio_job_reaps(struct bio *bio, bool reaps)
{
	if (reaps)
		bio->trace.flags |= BLK_TRACE_F_JOB_REAPS;
	else
		bio->trace.flags &= (u8)~BLK_TRACE_F_JOB_REAPS;
}

/* Records per CPU the dump looks at (the newest of each CPU's ring). */
#define BLK_TRACE_RING_SIZE 256

/*
 * Turn tracing of q on (allocating its per-CPU state on first use) or
 * off. Thread context; 0 or -ENOMEM.
 */
int blk_trace_enable(struct request_queue *q);
void blk_trace_disable(struct request_queue *q);
bool blk_trace_is_on(const struct request_queue *q);
/*
 * Forget the histograms and skip what the rings hold (tracing may be on:
 * a racing record may survive).
 */
void blk_trace_clear(struct request_queue *q);
/* Fold what the rings hold, then q's histograms into out; false if q was never traced. */
bool blk_trace_stats_read(struct request_queue *q, struct blk_trace_stats *out);
/* The newest records of every CPU, sorted by submit time; how many (at most max). */
unsigned int blk_trace_recs_read(struct request_queue *q, struct blk_trace_rec *out,
				 unsigned int max);
/* q's per-CPU state, at queue destruction. */
void blk_trace_free(struct request_queue *q);

#endif
