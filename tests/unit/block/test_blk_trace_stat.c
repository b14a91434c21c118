/*
 * Unit tests for block/blk_trace_stat.c: record checks (submit missing,
 * stamps going back), per-stage deltas with all and with missing stages
 * (a missing stage folds into the next), the whole-I/O histogram,
 * percentiles of a known distribution, merging, the ring's wrap, folding
 * a ring into histograms (equal to adding each record; lapped records
 * dropped; a writer racing the folder) and the dump's event order.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "block/blk_trace_stat.c"

static struct blk_trace_stats st, st2;

static struct blk_trace_rec rec_steps(u64 start, u64 step)
{
	struct blk_trace_rec r;

	memset(&r, 0, sizeof(r));
	for (unsigned int i = 0; i < BLK_TRACE_NR_STAGES; i++)
		blk_trace_stamp_set(&r.s, i, start + i * step);
	return r;
}

static void rec_unstamp(struct blk_trace_rec *r, unsigned int stage)
{
	blk_trace_stamp_clear(&r->s, stage);
}

static void test_check(void **state)
{
	struct blk_trace_rec r = rec_steps(100, 10);

	(void)state;
	assert_int_equal(blk_trace_rec_check(&r), 0);
	rec_unstamp(&r, BLK_TRACE_SUBMIT);
	assert_int_equal(blk_trace_rec_check(&r), -EINVAL);
	r = rec_steps(100, 10);
	blk_trace_stamp_set(&r.s, BLK_TRACE_REAP, 105);		/* before dispatch */
	assert_int_equal(blk_trace_rec_check(&r), -ERANGE);
	/* a wrong stamp of a stage not present is ignored */
	rec_unstamp(&r, BLK_TRACE_REAP);
	assert_int_equal(blk_trace_rec_check(&r), 0);
	/* too long for 32-bit distances (marked at commit) */
	r.s.flags |= BLK_TRACE_F_LONG;
	assert_int_equal(blk_trace_rec_check(&r), -ERANGE);
	/* a stamp before t0 wraps to a distance past the next stage's */
	r = rec_steps(100, 10);
	blk_trace_stamp_set(&r.s, BLK_TRACE_TAG, 99);
	assert_int_equal(blk_trace_rec_check(&r), -ERANGE);
	assert_string_equal(blk_trace_stage_name(BLK_TRACE_DOORBELL), "doorbell");
	assert_string_equal(blk_trace_stage_name(BLK_TRACE_JOB_REAP), "job_reap");
	assert_string_equal(blk_trace_stage_name(99), "?");
}

static void test_deltas(void **state)
{
	struct blk_trace_rec r = rec_steps(1000, 7);

	(void)state;
	blk_trace_stats_init(&st);
	blk_trace_stats_add(&st, &r);
	assert_int_equal(st.records, 1);
	for (unsigned int i = 1; i < BLK_TRACE_NR_STAGES; i++) {
		assert_int_equal(st.stage[i].count, 1);
		assert_int_equal(st.stage[i].min, 7);
	}
	assert_int_equal(st.stage[0].min, 7 * (BLK_TRACE_NR_STAGES - 1));

	/* no doorbell and no job reap: doorbell's time goes to reap, total ends at end_io */
	rec_unstamp(&r, BLK_TRACE_DOORBELL);
	rec_unstamp(&r, BLK_TRACE_JOB_REAP);
	blk_trace_stats_add(&st, &r);
	assert_int_equal(st.records, 2);
	assert_int_equal(st.stage[BLK_TRACE_DOORBELL].count, 1);
	assert_int_equal(st.stage[BLK_TRACE_REAP].count, 2);
	assert_int_equal(st.stage[BLK_TRACE_REAP].max, 14);
	assert_int_equal(st.stage[BLK_TRACE_JOB_REAP].count, 1);
	assert_int_equal(st.stage[0].min, 7 * BLK_TRACE_END_IO);

	/* rejected records touch no histogram */
	rec_unstamp(&r, BLK_TRACE_SUBMIT);
	blk_trace_stats_add(&st, &r);
	r = rec_steps(1000, 7);
	blk_trace_stamp_set(&r.s, BLK_TRACE_COMPLETE, 0);
	blk_trace_stats_add(&st, &r);
	r = rec_steps(1000, 7);
	r.s.flags |= BLK_TRACE_F_LONG;
	blk_trace_stats_add(&st, &r);
	assert_int_equal(st.records, 2);
	assert_int_equal(st.rejected, 3);
	assert_int_equal(st.stage[0].count, 2);
}

static void test_percentiles_merge(void **state)
{
	(void)state;
	blk_trace_stats_init(&st);
	blk_trace_stats_init(&st2);
	/* dispatch->doorbell takes 1..100 cycles, uniform; half of the records in each */
	for (u64 v = 1; v <= 100; v++) {
		struct blk_trace_rec r = rec_steps(v * 1000, 5);

		for (unsigned int i = BLK_TRACE_DOORBELL; i < BLK_TRACE_NR_STAGES; i++)
			blk_trace_stamp_set(&r.s, i, blk_trace_stamp_tsc(&r.s, i) + v - 5);
		blk_trace_stats_add(v % 2 ? &st : &st2, &r);
	}
	blk_trace_stats_merge(&st, &st2);
	assert_int_equal(st.records, 100);
	assert_int_equal(st.stage[BLK_TRACE_DOORBELL].count, 100);
	assert_int_equal(st.stage[BLK_TRACE_DOORBELL].min, 1);
	assert_int_equal(st.stage[BLK_TRACE_DOORBELL].max, 100);
	assert_int_equal(hist_percentile(&st.stage[BLK_TRACE_DOORBELL], 500000), 50);
	assert_int_equal(hist_percentile(&st.stage[BLK_TRACE_DOORBELL], 990000), 99);
	/* the stage after it is constant */
	assert_int_equal(st.stage[BLK_TRACE_REAP].min, 5);
	assert_int_equal(st.stage[BLK_TRACE_REAP].max, 5);
}

static void test_ring(void **state)
{
	struct blk_trace_rec recs[8], out[16];
	struct blk_trace_ring ring;
	unsigned int n;

	(void)state;
	blk_trace_ring_init(&ring, recs, 8);
	assert_int_equal(blk_trace_ring_copy(&ring, out, 16), 0);
	for (u64 i = 0; i < 5; i++) {
		struct blk_trace_rec r = rec_steps(i + 1, 1);

		r.s.sector = i;
		blk_trace_ring_push(&ring, &r);
	}
	n = blk_trace_ring_copy(&ring, out, 16);
	assert_int_equal(n, 5);
	assert_int_equal(out[0].s.sector, 0);
	assert_int_equal(out[4].s.sector, 4);
	for (u64 i = 5; i < 21; i++) {
		struct blk_trace_rec r = rec_steps(i + 1, 1);

		r.s.sector = i;
		blk_trace_ring_push(&ring, &r);
	}
	n = blk_trace_ring_copy(&ring, out, 16);
	assert_int_equal(n, 8);
	for (unsigned int i = 0; i < 8; i++)
		assert_int_equal(out[i].s.sector, 13 + i);
	/* a smaller max gives the newest */
	n = blk_trace_ring_copy(&ring, out, 3);
	assert_int_equal(n, 3);
	assert_int_equal(out[0].s.sector, 18);
	assert_int_equal(out[2].s.sector, 20);
}

/* Histograms equal in every field the table and JSON print, and in every bucket. */
static void assert_stats_equal(const struct blk_trace_stats *a, const struct blk_trace_stats *b)
{
	assert_int_equal(a->records, b->records);
	assert_int_equal(a->rejected, b->rejected);
	for (unsigned int i = 0; i < BLK_TRACE_NR_STAGES; i++) {
		assert_int_equal(a->stage[i].count, b->stage[i].count);
		assert_int_equal(a->stage[i].sum, b->stage[i].sum);
		assert_true(a->stage[i].sum_sq == b->stage[i].sum_sq);
		assert_int_equal(a->stage[i].min, b->stage[i].min);
		assert_int_equal(a->stage[i].max, b->stage[i].max);
		assert_memory_equal(a->stage[i].buckets, b->stage[i].buckets,
				    sizeof(a->stage[i].buckets));
	}
}

/* Records of varied shapes: steps that grow, a missing doorbell, one going back in time. */
static struct blk_trace_rec rec_varied(u64 i)
{
	struct blk_trace_rec r = rec_steps(i * 1000, 3 + i % 97 * 11);

	if (i % 5 == 0)
		rec_unstamp(&r, BLK_TRACE_DOORBELL);
	if (i % 13 == 0)	/* rejected */
		blk_trace_stamp_set(&r.s, BLK_TRACE_COMPLETE,
				    blk_trace_stamp_tsc(&r.s, BLK_TRACE_REAP) - 1);
	return r;
}

static void test_fold(void **state)
{
	static struct blk_trace_rec recs[64];
	struct blk_trace_ring ring;
	u64 folded = 0, i;

	(void)state;
	blk_trace_stats_init(&st);
	blk_trace_stats_init(&st2);
	blk_trace_ring_init(&ring, recs, 64);
	assert_int_equal(blk_trace_ring_fold(&ring, &folded, &st), 0);
	/* folds in several passes, some records pushed between them, equal to adding each */
	for (i = 0; i < 1000; i++) {
		struct blk_trace_rec r = rec_varied(i);

		blk_trace_ring_push(&ring, &r);
		blk_trace_stats_add(&st2, &r);
		if (i % 50 == 49)
			assert_int_equal(blk_trace_ring_fold(&ring, &folded, &st), 50);
	}
	assert_int_equal(folded, 1000);
	assert_int_equal(blk_trace_ring_fold(&ring, &folded, &st), 0);
	assert_int_equal(st.dropped, 0);
	assert_true(st.rejected > 0);
	assert_stats_equal(&st, &st2);
	/* the fold's histograms give the percentiles adding would have */
	assert_int_equal(hist_percentile(&st.stage[BLK_TRACE_REAP], 990000),
			 hist_percentile(&st2.stage[BLK_TRACE_REAP], 990000));

	/*
	 * lapped: 200 pushed into 64 slots, the newest 63 can be folded (the
	 * oldest slot may be the one a writer is filling)
	 */
	blk_trace_stats_init(&st);
	blk_trace_stats_init(&st2);
	for (i = 1000; i < 1200; i++) {
		struct blk_trace_rec r = rec_varied(i);

		blk_trace_ring_push(&ring, &r);
		if (i >= 1200 - 63)
			blk_trace_stats_add(&st2, &r);
	}
	assert_int_equal(blk_trace_ring_fold(&ring, &folded, &st), 63);
	assert_int_equal(st.dropped, 200 - 63);
	assert_int_equal(folded, 1200);
	assert_stats_equal(&st, &st2);
}

/*
 * A writer pushing while the folder folds (as the I/O path and the folder
 * thread): every record is folded or dropped, none twice, and no torn
 * record reaches the histograms (each record's stamps are one arithmetic
 * series, so a torn one would show as rejected or as a wrong delta).
 */
#define RACE_RECS 200000

static struct blk_trace_rec race_slots[256];
static struct blk_trace_ring race_ring;

static void *race_writer(void *arg)
{
	(void)arg;
	for (u64 i = 0; i < RACE_RECS; i++) {
		struct blk_trace_rec r = rec_steps((i + 1) * 100, 1 + i % 7);

		blk_trace_ring_push(&race_ring, &r);
	}
	return NULL;
}

static void test_fold_race(void **state)
{
	pthread_t t;
	u64 folded = 0;

	(void)state;
	blk_trace_stats_init(&st);
	blk_trace_ring_init(&race_ring, race_slots, 256);
	assert_int_equal(pthread_create(&t, NULL, race_writer, NULL), 0);
	while (__atomic_load_n(&race_ring.head, __ATOMIC_ACQUIRE) < RACE_RECS)
		blk_trace_ring_fold(&race_ring, &folded, &st);
	pthread_join(t, NULL);
	blk_trace_ring_fold(&race_ring, &folded, &st);
	assert_int_equal(folded, RACE_RECS);
	assert_int_equal(st.records + st.dropped, RACE_RECS);
	assert_int_equal(st.rejected, 0);
	assert_true(st.records > 0);
	/* every step was 1..7 cycles: a torn record would put another value in */
	for (unsigned int i = 1; i < BLK_TRACE_NR_STAGES; i++) {
		assert_true(st.stage[i].min >= 1);
		assert_true(st.stage[i].max <= 7);
	}
	assert_int_equal(st.stage[0].sum, 0 + st.stage[1].sum + st.stage[2].sum + st.stage[3].sum +
			 st.stage[4].sum + st.stage[5].sum + st.stage[6].sum + st.stage[7].sum);
}

static void test_events(void **state)
{
	static struct blk_trace_rec recs[64];
	static struct blk_trace_event ev[64 * BLK_TRACE_NR_STAGES];
	unsigned int n;

	(void)state;
	/* overlapping I/Os, submitted every 3 cycles, each stage 10 cycles apart */
	for (unsigned int i = 0; i < 64; i++) {
		recs[i] = rec_steps(1000 + 3 * (63 - i), 10);
		rec_unstamp(&recs[i], BLK_TRACE_TAG);
	}
	blk_trace_recs_sort(recs, 64);
	for (unsigned int i = 1; i < 64; i++)
		assert_true(recs[i - 1].s.t0 <= recs[i].s.t0);
	n = blk_trace_events(recs, 64, ev, 64 * BLK_TRACE_NR_STAGES);
	assert_int_equal(n, 64 * (BLK_TRACE_NR_STAGES - 1));
	for (unsigned int i = 1; i < n; i++) {
		assert_true(ev[i - 1].tsc <= ev[i].tsc);
		assert_true(ev[i].stage != BLK_TRACE_TAG);
	}
	/* equal stamps within a record keep stage order (none can equal submit's) */
	recs[0] = rec_steps(5, 0);
	for (unsigned int i = 1; i < BLK_TRACE_NR_STAGES; i++)
		blk_trace_stamp_set(&recs[0].s, i, 6);
	n = blk_trace_events(recs, 1, ev, 64);
	assert_int_equal(n, BLK_TRACE_NR_STAGES);
	for (unsigned int i = 0; i < n; i++)
		assert_int_equal(ev[i].stage, i);
	/* max bounds the output */
	assert_int_equal(blk_trace_events(recs, 64, ev, 10), 10);
}

static char table[16][200];
static unsigned int table_lines;

static void table_line(void *arg, const char *s)
{
	(void)arg;
	assert_true(table_lines < 16);
	snprintf(table[table_lines++], sizeof(table[0]), "%s", s);
}

static void test_format(void **state)
{
	struct blk_trace_rec r = rec_steps(1000, 2000);

	(void)state;
	blk_trace_stats_init(&st);
	rec_unstamp(&r, BLK_TRACE_JOB_REAP);
	blk_trace_stats_add(&st, &r);
	table_lines = 0;
	blk_trace_stats_format(&st, 2000000, table_line, NULL);
	/* header, tag .. end_io (6 stages), total, summary */
	assert_int_equal(table_lines, 9);
	assert_non_null(strstr(table[0], "p99.9"));
	assert_true(strncmp(table[1], "tag ", 4) == 0);
	assert_true(strncmp(table[6], "end_io ", 7) == 0);
	/* 2000 cycles at 2 GHz: 1000 ns mean */
	assert_non_null(strstr(table[1], " 1000"));
	assert_true(strncmp(table[7], "total ", 6) == 0);
	assert_non_null(strstr(table[7], "12000"));
	assert_non_null(strstr(table[8], "1 I/Os, 0 rejected"));
	assert_int_equal(blk_trace_percentiles_ppm[BLK_TRACE_NR_PERCENTILES - 1], 999900);
}

/*
 * The fold adds 32-bit values with its own histogram add (its square fits
 * 64 bits, its bucket needs no clamp): it must put every value where
 * hist_add_inline does, up to the largest distance a record can hold.
 */
static void test_hist_add_u32(void **state)
{
	static struct histogram a, b;
	u32 v = 1;

	(void)state;
	hist_init(&a);
	hist_init(&b);
	for (unsigned int i = 0; i < 200000; i++) {
		blk_trace_hist_add(&a, v);
		hist_add_inline(&b, v);
		/* every small value, then steps that cross each power of two */
		v = v < 4096 ? v + 1 : v + 1 + (v >> 7) + i % 13;
		if (v < 4096)
			continue;
		if (v > UINT32_MAX - (UINT32_MAX >> 6))
			v = UINT32_MAX - i % 3;
	}
	blk_trace_hist_add(&a, UINT32_MAX);
	hist_add_inline(&b, UINT32_MAX);
	assert_int_equal(a.count, b.count);
	assert_int_equal(a.sum, b.sum);
	assert_true(a.sum_sq == b.sum_sq);
	assert_int_equal(a.min, b.min);
	assert_int_equal(a.max, UINT32_MAX);
	assert_memory_equal(a.buckets, b.buckets, sizeof(a.buckets));

	/* a record at the limit: its last stage 2^31 - 1 cycles after submit */
	struct blk_trace_rec r = rec_steps(1ULL << 40, 1);

	blk_trace_stamp_set(&r.s, BLK_TRACE_JOB_REAP, (1ULL << 40) + INT32_MAX);
	blk_trace_stats_init(&st);
	blk_trace_stats_add(&st, &r);
	assert_int_equal(st.records, 1);
	assert_int_equal(st.stage[0].max, INT32_MAX);
	assert_int_equal(st.stage[BLK_TRACE_JOB_REAP].max, INT32_MAX - BLK_TRACE_END_IO);
	/* a stage going back by a little, all stamped: rejected (bit 31 of its distance) */
	r = rec_steps(1ULL << 40, 100);
	blk_trace_stamp_set(&r.s, BLK_TRACE_REAP, blk_trace_stamp_tsc(&r.s, BLK_TRACE_DOORBELL) - 1);
	blk_trace_stats_add(&st, &r);
	/* the same with TAG missing (the general check) */
	rec_unstamp(&r, BLK_TRACE_TAG);
	blk_trace_stats_add(&st, &r);
	assert_int_equal(st.records, 1);
	assert_int_equal(st.rejected, 2);
	/* stamped stages equal to the one before: kept, 0 cycles */
	r = rec_steps(1ULL << 40, 100);
	blk_trace_stamp_set(&r.s, BLK_TRACE_REAP, blk_trace_stamp_tsc(&r.s, BLK_TRACE_DOORBELL));
	blk_trace_stamp_set(&r.s, BLK_TRACE_COMPLETE, blk_trace_stamp_tsc(&r.s, BLK_TRACE_DOORBELL));
	blk_trace_stats_add(&st, &r);
	assert_int_equal(st.records, 2);
	assert_int_equal(st.stage[BLK_TRACE_REAP].min, 0);
	assert_int_equal(st.stage[BLK_TRACE_END_IO].max, 300);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_deltas),
		cmocka_unit_test(test_percentiles_merge),
		cmocka_unit_test(test_ring),
		cmocka_unit_test(test_fold),
		cmocka_unit_test(test_fold_race),
		cmocka_unit_test(test_events),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_hist_add_u32),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
