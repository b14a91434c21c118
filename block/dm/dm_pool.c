/*
 * Object pools for device-mapper (dm_pool.h): an sbitmap over an array, with
 * a per-CPU search hint on its own cache line, as blk-mq's tags.
 */
#include "block/dm/dm_pool.h"
#include "block/blk_internal.h"
#include "kernel/arch/x86.h"
#include "kernel/mm/slab.h"
#include "kernel/sched/preempt.h"
#include "kernel/sched/thread.h"
#include "lib/errno.h"

int dm_pool_init(struct dm_pool *pool, unsigned int nr, size_t size)
{
	size_t map_size = sbitmap_map_size(nr, -1);

	pool->obj_size = ALIGN_UP(size, 64);
	if ((u64)pool->obj_size * nr >= 1ULL << 32)
		return -ENOMEM;		/* index_magic's bound */
	pool->index_magic = ((1ULL << 32) + pool->obj_size - 1) / pool->obj_size;
	pool->nr = nr;
	pool->nr_hints = nr_cpus ? nr_cpus : 1;
	wait_queue_init(&pool->wait);
	pool->map_mem = kzalloc(map_size);
	pool->hints = kzalloc(pool->nr_hints * sizeof(*pool->hints) + 63);
	/* + 63: kmalloc aligns large blocks to pages, small ones to their class */
	pool->objs = kzalloc(pool->obj_size * nr + 63);
	if (!pool->map_mem || !pool->hints || !pool->objs)
		goto free_all;
	if (sbitmap_init(&pool->map, nr, -1, 0, pool->map_mem, map_size))
		goto free_all;
	return 0;
free_all:
	dm_pool_destroy(pool);
	return -ENOMEM;
}

void dm_pool_destroy(struct dm_pool *pool)
{
	kfree(pool->objs);
	kfree(pool->hints);
	kfree(pool->map_mem);
	pool->objs = NULL;
	pool->hints = NULL;
	pool->map_mem = NULL;
}

static u8 *dm_pool_base(struct dm_pool *pool)
{
	return (u8 *)ALIGN_UP((uintptr_t)pool->objs, 64);
}

static struct dm_pool_hint *dm_pool_hint(struct dm_pool *pool)
{
	unsigned int cpu = this_cpu_id();

	return &pool->hints[likely(cpu < pool->nr_hints) ? cpu : 0];
}

static void *dm_pool_try_get(struct dm_pool *pool)
{
	struct dm_pool_hint *h = dm_pool_hint(pool);
	void *obj = __atomic_exchange_n(&h->cache, NULL, __ATOMIC_ACQUIRE);
	int bit;

	if (likely(obj))
		return obj;
	bit = sbitmap_get(&pool->map, &h->hint);
	if (likely(bit >= 0))
		return dm_pool_base(pool) + (size_t)bit * pool->obj_size;
	/* the bitmap is full: other CPUs' cached objects are free too */
	for (unsigned int cpu = 0; cpu < pool->nr_hints; cpu++) {
		obj = __atomic_exchange_n(&pool->hints[cpu].cache, NULL, __ATOMIC_ACQUIRE);
		if (obj)
			return obj;
	}
	return NULL;
}

void *dm_pool_get(struct dm_pool *pool)
{
	struct blk_plug *plug;
	void *obj = dm_pool_try_get(pool);

	if (likely(obj))
		return obj;
	if (preempt_count() || !irqs_enabled())
		return NULL;
	plug = current_thread()->plug;
	if (plug)
		blk_flush_plug(plug);
	wait_event(pool->wait, (obj = dm_pool_try_get(pool)) != NULL);
	return obj;
}

void dm_pool_put(struct dm_pool *pool, void *obj)
{
	u64 off = (u64)((u8 *)obj - dm_pool_base(pool));
	void *none = NULL;

	/*
	 * Into this CPU's cache when it is empty. A locked op either way, so
	 * a waiter queued before it is seen below; its wait condition
	 * (dm_pool_try_get) looks in every CPU's cache.
	 */
	if (__atomic_compare_exchange_n(&dm_pool_hint(pool)->cache, &none, obj, false,
					__ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) {
		if (unlikely(!list_empty(&pool->wait.waiters)))
			wake_up_one(&pool->wait);
		return;
	}
	sbitmap_put(&pool->map, (unsigned int)((off * pool->index_magic) >> 32), NULL);
	/* the put is a locked op: a waiter queued before it is seen here */
	if (!list_empty(&pool->wait.waiters))
		wake_up_one(&pool->wait);
}

unsigned int dm_pool_in_use(struct dm_pool *pool)
{
	return sbitmap_weight(&pool->map);
}
