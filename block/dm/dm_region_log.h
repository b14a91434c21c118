/*
 * The mirror's region log, kept in memory (Linux's "core" log): the target
 * is cut into regions of region_sectors, and each region is in sync (every
 * leg holds the same bytes), out of sync (a leg may differ: never written to
 * every leg since create, or written while a leg was failed), or being
 * recovered (kcopyd copies it from the default leg to the others).
 *
 * A region with writes in flight is dirty (pending > 0): a crash there
 * would leave it out of sync, which is why Linux logs it on disk first; in
 * memory the mark only serves to keep recovery off a region with writes in
 * flight and to keep writes off a region under recovery (they wait).
 *
 * Concurrency: writers (begin/end, any CPU, interrupt context for end) take
 * no lock. A writer raises pending and then reads the state; recovery moves
 * the state to RECOVERING and then reads pending (all sequentially
 * consistent), so one of the two always sees the other and backs off: a
 * write and a copy never overlap on a region. One recovery runs at a time
 * (the caller's thread). The arrays are the caller's.
 */
#ifndef BLOCK_DM_DM_REGION_LOG_H
#define BLOCK_DM_DM_REGION_LOG_H

#include "lib/types.h"

enum dm_region_state {
	DM_REGION_IN_SYNC,
	DM_REGION_NOSYNC,
	DM_REGION_RECOVERING,
};

struct dm_region_log {
	u64 nr_regions;
	u64 nr_in_sync;		/* atomic */
	u64 cursor;		/* where the next recovery search starts; the recovering thread's */
	u8 *state;		/* enum dm_region_state, nr_regions of them; atomic */
	u32 *pending;		/* writes in flight per region; atomic */
};

/* Every region starts in sync (nosync: the user says so) or out of sync. */
void dm_region_log_init(struct dm_region_log *log, u64 nr_regions, u8 *state, u32 *pending,
			bool in_sync);

/* A write to region starts: -EBUSY when it is being recovered (wait), else 0. */
int dm_region_write_begin(struct dm_region_log *log, u64 region);

/*
 * A write to region ended; every_leg: it reached every leg of the mirror
 * (none failed, none skipped). A write that missed a leg leaves the region
 * out of sync.
 */
void dm_region_write_end(struct dm_region_log *log, u64 region, bool every_leg);

/* Mark region out of sync (a leg failed under it); no-op unless it is in sync. */
void dm_region_mark_nosync(struct dm_region_log *log, u64 region);

/*
 * The next region to recover: out of sync and without writes in flight.
 * It becomes RECOVERING. Returns true with *region set, false when none.
 */
bool dm_region_recovery_next(struct dm_region_log *log, u64 *region);

/* Recovery of region ended: in sync when ok, else out of sync again. */
void dm_region_recovery_end(struct dm_region_log *log, u64 region, bool ok);

static inline enum dm_region_state dm_region_state(const struct dm_region_log *log, u64 region)
{
	return (enum dm_region_state)__atomic_load_n(&log->state[region], __ATOMIC_SEQ_CST);
}

static inline bool dm_region_in_sync(const struct dm_region_log *log, u64 region)
{
	return dm_region_state(log, region) == DM_REGION_IN_SYNC;
}

static inline u64 dm_region_nr_in_sync(const struct dm_region_log *log)
{
	return __atomic_load_n(&log->nr_in_sync, __ATOMIC_RELAXED);
}

#endif
