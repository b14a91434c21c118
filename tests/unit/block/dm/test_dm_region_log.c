/*
 * Unit tests for block/dm/dm_region_log.c: the region states of a mirror
 * against a model driven by random writes, leg failures and recoveries;
 * and writers racing a recovering thread, which must never both hold one
 * region.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include <pthread.h>

#include "block/dm/dm_region_log.c"

#define NR 16

static u8 st[NR];
static u32 pend[NR];

static void test_basic(void **state)
{
	struct dm_region_log log;
	u64 r;

	(void)state;
	dm_region_log_init(&log, NR, st, pend, true);
	assert_int_equal(log.nr_in_sync, NR);
	assert_false(dm_region_recovery_next(&log, &r));
	assert_int_equal(dm_region_write_begin(&log, 3), 0);
	assert_int_equal(dm_region_write_begin(&log, 3), 0);
	dm_region_write_end(&log, 3, true);
	dm_region_write_end(&log, 3, false);	/* a leg missed it */
	assert_false(dm_region_in_sync(&log, 3));
	assert_int_equal(log.nr_in_sync, NR - 1);
	assert_true(dm_region_recovery_next(&log, &r));
	assert_int_equal(r, 3);
	assert_int_equal(dm_region_write_begin(&log, 3), -EBUSY);
	assert_false(dm_region_recovery_next(&log, &r));
	dm_region_recovery_end(&log, 3, true);
	assert_true(dm_region_in_sync(&log, 3));
	assert_int_equal(log.nr_in_sync, NR);

	/* created out of sync: every region recovers once; a write in flight holds it back */
	dm_region_log_init(&log, NR, st, pend, false);
	assert_int_equal(log.nr_in_sync, 0);
	assert_int_equal(dm_region_write_begin(&log, 0), 0);
	for (int i = 1; i < NR; i++) {
		assert_true(dm_region_recovery_next(&log, &r));
		assert_int_equal(r, i);
		dm_region_recovery_end(&log, r, true);
	}
	assert_false(dm_region_recovery_next(&log, &r));
	dm_region_write_end(&log, 0, true);
	assert_false(dm_region_in_sync(&log, 0));	/* a write to every leg syncs only its part */
	assert_true(dm_region_recovery_next(&log, &r));
	assert_int_equal(r, 0);
	dm_region_recovery_end(&log, 0, false);	/* the copy failed: out of sync still */
	assert_false(dm_region_in_sync(&log, 0));
	assert_true(dm_region_recovery_next(&log, &r));
	dm_region_recovery_end(&log, 0, true);
	assert_int_equal(log.nr_in_sync, NR);
	dm_region_mark_nosync(&log, 5);
	dm_region_mark_nosync(&log, 5);
	assert_int_equal(log.nr_in_sync, NR - 1);
}

/* Random operations against a model of the same rules. */
static void test_random_model(void **state)
{
	struct dm_region_log log;
	int model[NR], pending[NR];	/* 0 in sync, 1 out of sync, 2 recovering */

	(void)state;
	srand(12);
	dm_region_log_init(&log, NR, st, pend, false);
	for (int i = 0; i < NR; i++)
		model[i] = 1, pending[i] = 0;
	for (int step = 0; step < 100000; step++) {
		int op = rand() % 4, r = rand() % NR;
		u64 got;

		switch (op) {
		case 0:
			assert_int_equal(dm_region_write_begin(&log, r), model[r] == 2 ? -EBUSY : 0);
			if (model[r] != 2)
				pending[r]++;
			break;
		case 1:
			if (!pending[r])
				break;
			pending[r]--;
			{
				bool every = rand() % 4 != 0;

				dm_region_write_end(&log, r, every);
				if (!every && model[r] == 0)
					model[r] = 1;
			}
			break;
		case 2:
			if (dm_region_recovery_next(&log, &got)) {
				assert_int_equal(model[got], 1);
				assert_int_equal(pending[got], 0);
				model[got] = 2;
			} else {
				for (int i = 0; i < NR; i++)
					assert_false(model[i] == 1 && !pending[i]);
			}
			break;
		case 3:
			if (model[r] == 2) {
				bool ok = rand() % 5 != 0;

				dm_region_recovery_end(&log, r, ok);
				model[r] = ok ? 0 : 1;
			}
			break;
		}
		u64 in_sync = 0;

		for (int i = 0; i < NR; i++) {
			assert_int_equal(log.state[i], model[i]);
			in_sync += model[i] == 0;
		}
		assert_int_equal(log.nr_in_sync, in_sync);
	}
}

/* --- writers against a recovering thread ----------------------------------- */

#define RACE_REGIONS 4

static struct dm_region_log race_log;
static u8 race_state[RACE_REGIONS];
static u32 race_pending[RACE_REGIONS];
static int race_writing[RACE_REGIONS];	/* writers inside begin..end, atomic */
static int race_copying[RACE_REGIONS];	/* 1 while recovering, atomic */
static volatile int race_stop;
static int race_violations;	/* atomic */

static void *race_writer(void *arg)
{
	unsigned int seed = (unsigned int)(uintptr_t)arg;

	while (!race_stop) {
		u64 r = (u64)rand_r(&seed) % RACE_REGIONS;

		if (dm_region_write_begin(&race_log, r))
			continue;
		__atomic_fetch_add(&race_writing[r], 1, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&race_copying[r], __ATOMIC_SEQ_CST))
			__atomic_fetch_add(&race_violations, 1, __ATOMIC_RELAXED);
		__atomic_fetch_sub(&race_writing[r], 1, __ATOMIC_SEQ_CST);
		dm_region_write_end(&race_log, r, rand_r(&seed) % 3 != 0);
	}
	return NULL;
}

static void test_writers_race_recovery(void **state)
{
	pthread_t writers[3];
	u64 recovered = 0;

	(void)state;
	dm_region_log_init(&race_log, RACE_REGIONS, race_state, race_pending, false);
	for (int i = 0; i < 3; i++)
		assert_int_equal(pthread_create(&writers[i], NULL, race_writer,
						(void *)(uintptr_t)(i + 1)), 0);
	while (recovered < 2000) {
		u64 r;

		if (!dm_region_recovery_next(&race_log, &r))
			continue;
		__atomic_store_n(&race_copying[r], 1, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&race_writing[r], __ATOMIC_SEQ_CST))
			__atomic_fetch_add(&race_violations, 1, __ATOMIC_RELAXED);
		for (volatile int spin = 0; spin < 100; spin++)
			;
		__atomic_store_n(&race_copying[r], 0, __ATOMIC_SEQ_CST);
		dm_region_recovery_end(&race_log, r, true);
		recovered++;
	}
	race_stop = 1;
	for (int i = 0; i < 3; i++)
		pthread_join(writers[i], NULL);
	assert_int_equal(race_violations, 0);
	for (int r = 0; r < RACE_REGIONS; r++)
		assert_int_equal(race_pending[r], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_random_model),
		cmocka_unit_test(test_writers_race_recovery),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
