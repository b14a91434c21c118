/*
 * Per-stage I/O tracing (docs/blk-trace.md): TSC stamps of each I/O at
 * submit, tag, dispatch, doorbell, reap, complete, end_io and the job's
 * reap, kept in the bio and committed, when the I/O ends, to the ending
 * CPU's ring of records (no lock: per CPU, with interrupts off for the
 * copy); the per-stage histograms are folded from the rings off the I/O
 * path (blk_trace.c).
 *
 * Every stamp site is a static key (kernel/arch/static_key.h): while no
 * device is traced, a site is one 5-byte NOP. `trace <dev> on` enables
 * the key and the device; stamps of other devices are then a call and a
 * test of the queue's flag.
 */
#ifndef BLOCK_BLK_TRACE_H
#define BLOCK_BLK_TRACE_H

#include "block/bio.h"
#include "block/blk_trace_stat.h"
#include "kernel/arch/static_key.h"
#include "kernel/arch/percpu.h"
#include "kernel/arch/x86.h"

struct request;
struct request_queue;

extern struct static_key blk_trace_key;

/* The slow halves of the sites below: only called while the key is on. */
/* Commit bio's record (END_IO stamped) and call its end_io. */
void __blk_trace_bio_end_io(struct bio *bio);
/* The submitter accounted bio: stamps JOB_REAP and commits. */
void __blk_trace_bio_job_reap(struct bio *bio);

#ifdef CONFIG_NO_BLK_TRACE
/*
 * `make NO_BLK_TRACE=1`: no site at all, only to measure what the sites
 * cost while tracing is off (blk_trace_enable then fails with -ENOTSUP).
 */
#define blk_trace_site_on() false
#else
#define blk_trace_site_on() static_key_false(&blk_trace_key)
#endif

/*
 * submit_bio: the I/O enters the block layer. True when the key is on:
 * the caller then hands bio to its traced twin, which stamps it
 * (blk_trace_bio_submit_stamp) and runs the same path, and returns.
 */
static inline __attribute__((always_inline)) bool blk_trace_bio_submit(struct bio *bio)
{
	return blk_trace_site_on();
}

/*
 * The submit stamp, inline in the twins. A bio of a device not traced
 * gets t0 = 0: the stages stamp it anyway (no test there), nothing
 * commits it. A macro, as struct request_queue is blk_mq.h's.
 */
#define blk_trace_bio_submit_stamp(bio)						\
	do {									\
		struct bio *__sb = (bio);					\
										\
		if (__sb->disk && __sb->disk->queue && __sb->disk->queue->trace_on) \
			__blk_trace_bio_stamp_submit(__sb,			\
				__sb->sector + __sb->disk->part_offset);	\
		else								\
			__sb->trace.t0 = 0;					\
	} while (0)

static inline __attribute__((always_inline)) void __blk_trace_bio_stamp_submit(struct bio *bio,
									       u64 sector)
{
	struct blk_trace_stamps *s = &bio->trace;
	u32 cpu;

	/* a stage is stamped while its distance from t0 is not 0 */
	for (unsigned int i = 0; i < BLK_TRACE_NR_STAGES - 1; i++)
		s->d[i] = 0;
	s->sector = sector;
	s->bytes = bio->size;
	s->op = bio->op;
	s->flags &= BLK_TRACE_F_JOB_REAPS;
	s->tag = 0;
	s->hctx = 0;
	s->t0 = rdtscp(&cpu);
	s->cpu[BLK_TRACE_SUBMIT] = (u8)cpu;
}

/*
 * The stamp itself, inline at the site's jump target (a call would cost
 * more than the stamp): one rdtscp (TSC and CPU), the distance from t0
 * and the CPU stored. Any bio is stamped, traced or not: only a traced
 * one (t0 set by submit) is ever committed, so no test is needed here.
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
 * hctx), inline at the jump target: a call would make the compiler keep
 * values in saved registers on the straight line too. A request without
 * a bio (a driver's own command) has nothing to stamp. A macro, as
 * struct request is blk_mq.h's.
 */
#define blk_trace_rq(rq, stage)							\
	do {									\
		if (blk_trace_site_on()) {					\
			struct bio *__tb = (rq)->bio;				\
										\
			if (__tb) {						\
				if ((stage) == BLK_TRACE_TAG) {			\
					__tb->trace.tag = (u16)(rq)->tag;	\
					__tb->trace.hctx = (u16)(rq)->hctx->queue_num; \
				}						\
				__blk_trace_bio_stage(__tb, (stage));		\
			}							\
		}								\
	} while (0)

/* A driver about to hand rq to the device: stamps DOORBELL when ring (the batch's last). */
#define blk_trace_rq_doorbell(rq, ring)						\
	do {									\
		if (blk_trace_site_on() && (ring) && (rq)->bio)			\
			__blk_trace_bio_stage((rq)->bio, BLK_TRACE_DOORBELL);	\
	} while (0)

/*
 * Before bio->end_io: stamps END_IO inline. True when the key is on and
 * the record is to be committed here (no job reaps it): the caller then
 * calls __blk_trace_bio_end_io, which commits and calls end_io, and
 * returns (a call in a tail, so the straight line saves nothing for it).
 */
static inline __attribute__((always_inline)) bool blk_trace_bio_end_io(struct bio *bio)
{
	if (blk_trace_site_on()) {
		__blk_trace_bio_stage(bio, BLK_TRACE_END_IO);
		return !(bio->trace.flags & BLK_TRACE_F_JOB_REAPS);
	}
	return false;
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
