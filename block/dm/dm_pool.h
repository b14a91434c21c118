/*
 * A pool of preallocated objects of one size for the device-mapper I/O
 * paths (per-bio clones, dm-io bookkeeping and bios): getting an object is
 * taking a bit of an sbitmap, as getting a request is taking a tag, so the
 * hot path allocates nothing and takes no global lock (and most gets take
 * the object the same CPU gave back last, without a search: see
 * struct dm_pool_hint). The pool is the
 * reserve that lets I/O make progress when memory is short: when it is
 * empty a thread sleeps until an I/O in flight gives an object back.
 */
#ifndef BLOCK_DM_DM_POOL_H
#define BLOCK_DM_DM_POOL_H

#include "lib/types.h"
#include "lib/sbitmap.h"
#include "kernel/sched/wait.h"

struct dm_pool_hint {
	unsigned int hint;	/* where this CPU searches first; only it writes */
	/*
	 * The object last given back on this CPU, or NULL: taken by the next
	 * get here with one exchange, so an I/O that starts and ends on one
	 * CPU (the common case) costs no bitmap search. Its bit stays set.
	 * Atomic: a get may race a put from an interrupt, or a migrated one.
	 */
	void *cache;
} __aligned(64);

struct dm_pool {
	struct sbitmap map;		/* bit n set: object n in use */
	void *map_mem;
	u8 *objs;			/* nr objects of obj_size bytes, zeroed at create */
	size_t obj_size;
	/*
	 * ceil(2^32 / obj_size): an object's index is its offset times this,
	 * shifted down by 32, exact for offsets that are multiples of obj_size
	 * below 2^32 (the error stays under 1), so a put divides nothing
	 */
	u64 index_magic;
	unsigned int nr;
	struct dm_pool_hint *hints;	/* per CPU */
	unsigned int nr_hints;
	struct wait_queue wait;		/* threads waiting for an object */
};

/* Preallocate nr objects of size bytes (64-byte aligned each). 0 or -ENOMEM. */
int dm_pool_init(struct dm_pool *pool, unsigned int nr, size_t size);
void dm_pool_destroy(struct dm_pool *pool);

/*
 * An object (its contents as the last user left them), or NULL when the
 * pool is empty and the caller cannot sleep. A thread sleeps for one, after
 * dispatching its plug (the I/O that would give one back may sit there).
 */
void *dm_pool_get(struct dm_pool *pool);
/* Give obj back; any context. */
void dm_pool_put(struct dm_pool *pool, void *obj);
/* Objects in use now (cached ones, at most one per CPU, count as in use). */
unsigned int dm_pool_in_use(struct dm_pool *pool);

#endif
