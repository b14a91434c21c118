/*
 * The mirror's in-memory region log (dm_region_log.h): in sync -> out of
 * sync when a write misses a leg; out of sync -> recovering when no write
 * is in flight there; recovering -> in sync when the copy worked. Writers
 * and the recovering thread meet only through atomics on one region's
 * state byte and pending count (the Dekker pattern: each writes its own
 * variable, then reads the other's).
 */
#include "block/dm/dm_region_log.h"
#include "lib/errno.h"
#include "lib/string.h"

void dm_region_log_init(struct dm_region_log *log, u64 nr_regions, u8 *state, u32 *pending,
			bool in_sync)
{
	log->nr_regions = nr_regions;
	log->state = state;
	log->pending = pending;
	log->cursor = 0;
	log->nr_in_sync = in_sync ? nr_regions : 0;
	memset(state, in_sync ? DM_REGION_IN_SYNC : DM_REGION_NOSYNC, nr_regions);
	memset(pending, 0, nr_regions * sizeof(*pending));
}

int dm_region_write_begin(struct dm_region_log *log, u64 region)
{
	__atomic_fetch_add(&log->pending[region], 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&log->state[region], __ATOMIC_SEQ_CST) != DM_REGION_RECOVERING)
		return 0;
	__atomic_fetch_sub(&log->pending[region], 1, __ATOMIC_SEQ_CST);
	return -EBUSY;
}

void dm_region_mark_nosync(struct dm_region_log *log, u64 region)
{
	u8 expect = DM_REGION_IN_SYNC;

	if (__atomic_compare_exchange_n(&log->state[region], &expect, DM_REGION_NOSYNC, false,
					__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		__atomic_fetch_sub(&log->nr_in_sync, 1, __ATOMIC_RELAXED);
}

void dm_region_write_end(struct dm_region_log *log, u64 region, bool every_leg)
{
	/* marked before the count drops: recovery must then see it out of sync */
	if (!every_leg)
		dm_region_mark_nosync(log, region);
	__atomic_fetch_sub(&log->pending[region], 1, __ATOMIC_SEQ_CST);
}

bool dm_region_recovery_next(struct dm_region_log *log, u64 *region)
{
	for (u64 n = 0; n < log->nr_regions; n++) {
		u64 r = (log->cursor + n) % log->nr_regions;
		u8 expect = DM_REGION_NOSYNC;

		if (__atomic_load_n(&log->pending[r], __ATOMIC_RELAXED) ||
		    !__atomic_compare_exchange_n(&log->state[r], &expect, DM_REGION_RECOVERING,
						 false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			continue;
		if (__atomic_load_n(&log->pending[r], __ATOMIC_SEQ_CST)) {
			/* a writer got in first: it goes on, we come back later */
			__atomic_store_n(&log->state[r], DM_REGION_NOSYNC, __ATOMIC_SEQ_CST);
			continue;
		}
		log->cursor = r + 1;
		*region = r;
		return true;
	}
	return false;
}

void dm_region_recovery_end(struct dm_region_log *log, u64 region, bool ok)
{
	__atomic_store_n(&log->state[region], ok ? DM_REGION_IN_SYNC : DM_REGION_NOSYNC,
			 __ATOMIC_SEQ_CST);
	if (ok)
		__atomic_fetch_add(&log->nr_in_sync, 1, __ATOMIC_RELAXED);
}
