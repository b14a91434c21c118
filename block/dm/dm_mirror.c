/*
 * mirror: N legs holding the same bytes (RAID-1, Linux's dm-raid1).
 *
 * Writes go to every leg that has not failed, in parallel: one write
 * object from the mirror's pool holds a bio per leg, each pointing at the
 * clone's own vectors (nothing copied, nothing walked), all submitted
 * before any is waited for; the last leg to end ends the clone. (dm-io,
 * which Linux's dm-raid1 writes through, costs a request and a bio from
 * its pools per leg, a check of every region and a walk of the vectors:
 * the mirror needs none of it, as its bio already fits every leg.) The
 * in-memory region log (dm_region_log.c) marks a region dirty while
 * writes are in flight there and out of sync when a write missed a leg;
 * reads are balanced round-robin (per CPU) over the legs of in-sync
 * regions and come from the default leg elsewhere. A leg that returns an
 * error is marked failed (`dm status` shows 'D') and I/O goes on with the
 * others; `dm resume` brings failed legs back.
 *
 * A thread per mirror resyncs out-of-sync regions with kcopyd, from the
 * default leg to the others, one region at a time: after create (unless the
 * table says nosync) and after failed legs return. Writes to the region
 * under copy wait on a list and are issued by the thread when the copy is
 * over; a region with writes in flight is not copied. A read that fails is
 * retried on another leg from the same thread (thread context: a submit
 * may sleep for a tag).
 */
#include "block/dm/dm.h"
#include "block/dm/dm_region_log.h"
#include "block/dm/kcopyd.h"
#include "kernel/console/printk.h"
#include "kernel/mm/slab.h"
#include "kernel/sched/thread.h"
#include "lib/errno.h"
#include "lib/printf.h"

#define DM_MIRROR_KCOPYD_CHUNK (256 * 1024)
#define DM_MIRROR_KCOPYD_CHUNKS 4
#define DM_MIRROR_NR_WRITES 512		/* writes in flight before a writer waits */

struct dm_mirror_cursor {
	u32 next;			/* read balancing; only its CPU writes it */
} __aligned(64);

struct dm_mirror_leg {
	u64 reads, writes, errors;	/* atomic */
};

/*
 * One write to the mirror in flight, from ms->writes: a clone's bio, or a
 * submitter's bio taken whole (c NULL; ended with dm_bio_done through in),
 * and a bio per leg pointing at its vectors.
 */
struct dm_mirror_write {
	struct dm_mirror *ms;
	struct dm_clone *c;
	struct bio *bio;		/* what is written: &c->bio or the submitter's */
	struct dm_inflight *in;		/* when c is NULL */
	u64 rel;			/* target-relative sector */
	u64 region;
	struct list_head link;		/* ms->delayed while its region is recovered */
	u32 issued;			/* legs written */
	u32 remaining;			/* leg bios not ended yet; atomic */
	u32 failed;			/* legs whose bio failed; atomic or */
	u32 unsupported;		/* legs that cannot do the op (-ENOTSUP); atomic or */
	struct bio legs[];		/* indexed by leg; only the issued ones are used */
};

struct dm_mirror {
	struct dm_target *ti;
	spinlock_t lock;		/* failed, stale, default_leg, delayed, retry, stop */
	struct dm_region_log log;	/* lock-free: see dm_region_log.h */
	u8 *region_state;
	u32 *region_pending;
	u32 nr_legs;
	u32 all_legs;			/* mask */
	u32 failed;			/* legs that returned an error */
	u32 stale;			/* legs back from failure, not yet resynced everywhere */
	u32 default_leg;		/* holds every region's latest data */
	struct dm_mirror_leg legs[DM_MAX_DEVS];
	struct dm_mirror_cursor *cursors;	/* per CPU */
	unsigned int nr_cursors;
	struct list_head delayed;	/* writes to the region under recovery */
	struct list_head retry;		/* reads to send to another leg */
	struct dm_pool writes;		/* struct dm_mirror_write with nr_legs bios */
	struct kcopyd_client *kc;
	struct thread *thread;
	struct wait_queue wait;
	u64 kicks;			/* atomic: work for the thread */
	bool stop;
	u64 resynced;			/* regions copied */
};

static u64 dm_mirror_rel(struct dm_target *ti, const struct dm_clone *c)
{
	return c->sector - ti->spec->start;
}

static void dm_mirror_kick(struct dm_mirror *ms)
{
	__atomic_fetch_add(&ms->kicks, 1, __ATOMIC_SEQ_CST);
	wake_up_all(&ms->wait);
}

/* The leg reads of out-of-sync regions and resyncs come from; lock held. */
static void dm_mirror_pick_default(struct dm_mirror *ms)
{
	u32 usable = ms->all_legs & ~ms->failed, fresh = usable & ~ms->stale;

	if (fresh)
		ms->default_leg = (u32)__builtin_ctz(fresh);
	else if (usable)
		ms->default_leg = (u32)__builtin_ctz(usable);
}

/* Mark legs failed (a bit per leg); lock held. */
static void dm_mirror_fail_legs(struct dm_mirror *ms, u32 legs)
{
	legs &= ~ms->failed;
	if (!legs)
		return;
	ms->failed |= legs;
	for (u32 l = 0; l < ms->nr_legs; l++)
		if (legs & (1U << l))
			pr_info("dm: %s: mirror leg %s failed\n", ms->ti->table->md->name,
				ms->ti->devs[l]->name);
	if (ms->failed & (1U << ms->default_leg))
		dm_mirror_pick_default(ms);
}

/* --- reads ---------------------------------------------------------------------- */

static void dm_mirror_read_end(struct bio *bio)
{
	struct dm_clone *c = bio->private;
	struct dm_mirror *ms = c->ti->private;
	unsigned long flags;

	if (!bio->status || bio->status == -ENOTSUP || bio->status == -EINVAL) {
		dm_clone_end(c, bio->status);
		return;
	}
	__atomic_fetch_add(&ms->legs[c->leg].errors, 1, __ATOMIC_RELAXED);
	flags = spin_lock_irqsave(&ms->lock);
	dm_mirror_fail_legs(ms, 1U << c->leg);
	list_add_tail(&c->link, &ms->retry);
	spin_unlock_irqrestore(&ms->lock, flags);
	dm_mirror_kick(ms);
}

static void dm_mirror_map_read(struct dm_target *ti, struct dm_clone *c)
{
	struct dm_mirror *ms = ti->private;
	u64 rel = dm_mirror_rel(ti, c);
	unsigned int cpu = this_cpu_id();
	struct dm_mirror_cursor *cur = &ms->cursors[likely(cpu < ms->nr_cursors) ? cpu : 0];
	bool in_sync = dm_region_in_sync(&ms->log, dm_mirror_region(ti->spec, rel));
	int leg = dm_mirror_read_leg(ms->nr_legs, ms->all_legs & ~READ_ONCE(ms->failed),
				     in_sync, READ_ONCE(ms->default_leg), &cur->next);

	if (leg < 0) {
		dm_clone_end(c, -EIO);
		return;
	}
	c->leg = (u32)leg;
	__atomic_fetch_add(&ms->legs[leg].reads, 1, __ATOMIC_RELAXED);
	c->bio.disk = ti->devs[leg];
	c->bio.sector = ti->spec->devs[leg].offset + rel;
	c->bio.end_io = dm_mirror_read_end;
	submit_bio(&c->bio);
}

/* --- writes --------------------------------------------------------------------- */

/* The last leg of w ended: account the legs, update the region, end what w wrote. */
static void dm_mirror_write_done(struct dm_mirror *ms, struct dm_mirror_write *w)
{
	struct dm_clone *c = w->c;
	struct bio *bio = w->bio;
	struct dm_inflight *in = w->in;
	u32 issued = w->issued, failed = __atomic_load_n(&w->failed, __ATOMIC_RELAXED);
	u32 unsupported = __atomic_load_n(&w->unsupported, __ATOMIC_RELAXED);
	u32 io_errors = failed & ~unsupported;
	u64 region = w->region;
	unsigned long flags;
	int status = 0;

	dm_pool_put(&ms->writes, w);
	if (unlikely(failed)) {
		for (u32 l = 0; l < ms->nr_legs; l++)
			if (io_errors & (1U << l))
				__atomic_fetch_add(&ms->legs[l].errors, 1, __ATOMIC_RELAXED);
		if (io_errors) {
			flags = spin_lock_irqsave(&ms->lock);
			dm_mirror_fail_legs(ms, io_errors);
			spin_unlock_irqrestore(&ms->lock, flags);
		}
		if (failed == issued)
			status = unsupported == issued ? -ENOTSUP : -EIO;	/* no leg has it */
	}
	dm_region_write_end(&ms->log, region, issued == ms->all_legs && !failed);
	if (c)
		dm_clone_end(c, status);
	else
		dm_bio_done(in, bio, status);
}

static void dm_mirror_leg_end(struct bio *bio)
{
	struct dm_mirror_write *w = bio->private;

	if (unlikely(bio->status)) {
		u32 leg = 1U << (bio - w->legs);

		__atomic_fetch_or(&w->failed, leg, __ATOMIC_RELAXED);
		if (bio->status == -ENOTSUP)
			__atomic_fetch_or(&w->unsupported, leg, __ATOMIC_RELAXED);
	}
	if (__atomic_sub_fetch(&w->remaining, 1, __ATOMIC_ACQ_REL))
		return;
	dm_mirror_write_done(w->ms, w);
}

/* End w before any leg was written (no usable leg): status for what it wrote. */
static void dm_mirror_write_end_early(struct dm_mirror *ms, struct dm_mirror_write *w, int status)
{
	struct dm_clone *c = w->c;
	struct bio *bio = w->bio;
	struct dm_inflight *in = w->in;

	dm_pool_put(&ms->writes, w);
	if (c)
		dm_clone_end(c, status);
	else
		dm_bio_done(in, bio, status);
}

/* w is set up (what to write, where): write it to every usable leg, or delay it. */
static void dm_mirror_write_start(struct dm_mirror *ms, struct dm_mirror_write *w)
{
	struct dm_target *ti = ms->ti;
	const struct bio *src = w->bio;
	u64 rel = w->rel, region = w->region;
	unsigned long flags;
	u32 usable, nr = 0;
	bool whole;

	while (unlikely(dm_region_write_begin(&ms->log, region))) {
		/*
		 * Under recovery: the resync thread issues it when the copy is
		 * done. Checked again under the lock the thread splices the list
		 * under, after it has ended the recovery.
		 */
		flags = spin_lock_irqsave(&ms->lock);
		if (dm_region_state(&ms->log, region) == DM_REGION_RECOVERING) {
			list_add_tail(&w->link, &ms->delayed);
			spin_unlock_irqrestore(&ms->lock, flags);
			dm_mirror_kick(ms);
			return;
		}
		spin_unlock_irqrestore(&ms->lock, flags);
	}
	usable = ms->all_legs & ~READ_ONCE(ms->failed);
	if (unlikely(!usable)) {
		/* nothing was written: the region is as it was */
		dm_region_write_end(&ms->log, region, true);
		dm_mirror_write_end_early(ms, w, -EIO);
		return;
	}
	w->issued = usable;
	w->failed = 0;
	w->unsupported = 0;
	/* every bio is built before the first is submitted: one may end at once and free w */
	for (u32 l = 0; l < ms->nr_legs; l++) {
		struct bio *b = &w->legs[l];

		if (!(usable & (1U << l)))
			continue;
		/*
		 * field by field: a whole-struct initializer clears all 200
		 * bytes (a rep stos, one step per word under TCG); of the
		 * trace stamps only t0 and flags matter to blk-trace (a stale
		 * t0 would claim stamps), and the rest of remap is unused
		 */
		b->disk = ti->devs[l];
		b->sector = ti->spec->devs[l].offset + rel;
		b->size = src->size;
		b->op = src->op;
		b->ioprio = src->ioprio;
		b->flags = src->flags;
		b->status = 0;
		b->vecs = src->vecs;
		b->vcnt = src->vcnt;
		b->vec_offset = src->vec_offset;
		b->end_io = dm_mirror_leg_end;
		b->private = w;
		b->remaining = 0;
		b->remap.disk = NULL;
		b->trace.t0 = 0;
		b->trace.flags = 0;
		__atomic_fetch_add(&ms->legs[l].writes, 1, __ATOMIC_RELAXED);
		nr++;
	}
	w->remaining = nr;
	/*
	 * A bio taken whole passed blk-core's checks on the dm disk, whose
	 * limits are the legs' combined: the legs' copies need only what can
	 * change under a table checked again (submit_bio_remapped), as an
	 * in-place remap. A clone's piece may be cut where a leg would refuse
	 * it (a region smaller than a block): fully checked.
	 */
	whole = !w->c;
	for (u32 l = 0; usable; l++) {
		if (!(usable & (1U << l)))
			continue;
		usable &= ~(1U << l);
		/* w is not read after the last one */
		if (whole)
			submit_bio_remapped(&w->legs[l]);
		else
			submit_bio(&w->legs[l]);
	}
}

/* A write cut into a clone (it spans regions or targets). */
static void dm_mirror_map_write(struct dm_target *ti, struct dm_clone *c)
{
	struct dm_mirror *ms = ti->private;
	struct dm_mirror_write *w = dm_pool_get(&ms->writes);

	if (unlikely(!w)) {
		dm_clone_end(c, -EAGAIN);
		return;
	}
	w->ms = ms;
	w->c = c;
	w->bio = &c->bio;
	w->in = NULL;
	w->rel = dm_mirror_rel(ti, c);
	w->region = dm_mirror_region(ti->spec, w->rel);
	dm_mirror_write_start(ms, w);
}

/*
 * A write (or discard, write-zeroes) within one region, taken whole: the
 * legs' bios point at its vectors and it is ended when they are, with no
 * clone in between (dm.h's map_bio). Reads are cloned: a failed read is
 * retried on another leg through the clone.
 */
static bool dm_mirror_map_bio(struct dm_target *ti, struct bio *bio, u64 sector,
			      struct dm_inflight *in)
{
	struct dm_mirror *ms = ti->private;
	u64 rel = sector - ti->spec->start, rs = ti->spec->mirror.region_sectors;
	struct dm_mirror_write *w;

	/* within one region (a power of two) and the target */
	if (bio->op == REQ_OP_READ || (rel & (rs - 1)) + (bio->size >> SECTOR_SHIFT) > rs ||
	    rel + (bio->size >> SECTOR_SHIFT) > ti->spec->len)
		return false;
	w = dm_pool_get(&ms->writes);
	if (unlikely(!w))
		return false;	/* the clone's path ends it with -EAGAIN */
	w->ms = ms;
	w->c = NULL;
	w->bio = bio;
	w->in = in;
	w->rel = rel;
	w->region = dm_mirror_region(ti->spec, rel);
	dm_mirror_write_start(ms, w);
	return true;
}

static void dm_mirror_map(struct dm_target *ti, struct dm_clone *c)
{
	if (c->bio.op == REQ_OP_READ)
		dm_mirror_map_read(ti, c);
	else
		dm_mirror_map_write(ti, c);
}

/* --- resync --------------------------------------------------------------------- */

/* Issue the writes that waited for a recovery (none is under way now). */
static void dm_mirror_issue_delayed(struct dm_mirror *ms)
{
	unsigned long flags = spin_lock_irqsave(&ms->lock);
	LIST_HEAD(delayed);

	list_splice_tail_init(&ms->delayed, &delayed);
	spin_unlock_irqrestore(&ms->lock, flags);
	while (!list_empty(&delayed)) {
		struct dm_mirror_write *w = list_first_entry(&delayed, struct dm_mirror_write, link);

		list_del(&w->link);
		dm_mirror_write_start(ms, w);
	}
}

/* Copy region from the default leg to every other; lock not held. */
static void dm_mirror_recover(struct dm_mirror *ms, u64 region, u32 src, u32 dests)
{
	struct dm_target *ti = ms->ti;
	u64 rs = ti->spec->mirror.region_sectors, rel = region * rs;
	u64 count = min(rs, ti->spec->len - rel);
	struct dm_io_region from = {
		.disk = ti->devs[src],
		.sector = ti->spec->devs[src].offset + rel,
		.count = count,
	};
	struct dm_io_region to[DM_MAX_DEVS];
	u32 leg_of[DM_MAX_DEVS], nr = 0, failed = 0;
	struct kcopyd_result res;
	unsigned long flags;
	int err;

	for (u32 l = 0; l < ms->nr_legs; l++) {
		if (!(dests & (1U << l)))
			continue;
		leg_of[nr] = l;
		to[nr++] = (struct dm_io_region){
			.disk = ti->devs[l],
			.sector = ti->spec->devs[l].offset + rel,
			.count = count,
		};
	}
	err = kcopyd_copy(ms->kc, &from, nr, to, NULL, &res);
	if (res.read_error)
		failed |= 1U << src;
	for (u32 i = 0; i < nr; i++)
		if (res.write_error_bits & (1ULL << i))
			failed |= 1U << leg_of[i];
	for (u32 l = 0; l < ms->nr_legs; l++)
		if (failed & (1U << l))
			__atomic_fetch_add(&ms->legs[l].errors, 1, __ATOMIC_RELAXED);
	dm_region_recovery_end(&ms->log, region, !err);
	flags = spin_lock_irqsave(&ms->lock);
	dm_mirror_fail_legs(ms, failed);
	if (!err)
		ms->resynced++;
	if (dm_region_nr_in_sync(&ms->log) == ms->log.nr_regions)
		ms->stale = 0;
	spin_unlock_irqrestore(&ms->lock, flags);
	dm_mirror_issue_delayed(ms);
}

static int dm_mirror_thread(void *arg)
{
	struct dm_mirror *ms = arg;

	for (;;) {
		u64 kicks = __atomic_load_n(&ms->kicks, __ATOMIC_SEQ_CST), region;
		unsigned long flags = spin_lock_irqsave(&ms->lock);
		u32 src = ms->default_leg, dests = ms->all_legs & ~(1U << src);
		/* a degraded mirror does not resync: its regions cannot all be in sync */
		bool resync = !ms->failed && !ms->stop, found = false;
		LIST_HEAD(retry);

		list_splice_tail_init(&ms->retry, &retry);
		if (ms->stop && list_empty(&retry)) {
			spin_unlock_irqrestore(&ms->lock, flags);
			return 0;
		}
		spin_unlock_irqrestore(&ms->lock, flags);
		if (resync)
			found = dm_region_recovery_next(&ms->log, &region);
		while (!list_empty(&retry)) {
			struct dm_clone *c = list_first_entry(&retry, struct dm_clone, link);

			list_del(&c->link);
			dm_mirror_map_read(ms->ti, c);
		}
		if (found) {
			dm_mirror_recover(ms, region, src, dests);
			continue;
		}
		/* a write may have seen a recovery that backed off (the region had writes) */
		dm_mirror_issue_delayed(ms);
		wait_event_timeout(ms->wait, __atomic_load_n(&ms->kicks, __ATOMIC_SEQ_CST) != kicks,
				   1000000000ULL);
	}
}

/* --- construction and status ---------------------------------------------------- */

static void dm_mirror_free(struct dm_mirror *ms)
{
	if (!IS_ERR_OR_NULL(ms->kc))
		kcopyd_client_destroy(ms->kc);
	dm_pool_destroy(&ms->writes);
	kfree(ms->cursors);
	kfree(ms->region_pending);
	kfree(ms->region_state);
	kfree(ms);
}

static int dm_mirror_ctr(struct dm_target *ti, struct dm_table_error *err)
{
	u64 nr_regions = dm_mirror_nr_regions(ti->spec);
	struct dm_mirror *ms = kzalloc(sizeof(*ms));

	if (!ms)
		goto nomem;
	ms->ti = ti;
	spin_init(&ms->lock);
	INIT_LIST_HEAD(&ms->delayed);
	INIT_LIST_HEAD(&ms->retry);
	wait_queue_init(&ms->wait);
	ms->nr_legs = ti->spec->nr_devs;
	ms->all_legs = (1U << ms->nr_legs) - 1;
	ms->nr_cursors = nr_cpus ? nr_cpus : 1;
	ms->cursors = kzalloc(ms->nr_cursors * sizeof(*ms->cursors));
	ms->region_state = kmalloc(nr_regions);
	ms->region_pending = kcalloc(nr_regions, sizeof(u32));
	if (!ms->cursors || !ms->region_state || !ms->region_pending)
		goto free_ms;
	if (dm_pool_init(&ms->writes, DM_MIRROR_NR_WRITES,
			 sizeof(struct dm_mirror_write) + ms->nr_legs * sizeof(struct bio)))
		goto free_ms;
	ms->kc = kcopyd_client_create(DM_MIRROR_KCOPYD_CHUNK, DM_MIRROR_KCOPYD_CHUNKS);
	if (IS_ERR(ms->kc))
		goto free_ms;
	dm_region_log_init(&ms->log, nr_regions, ms->region_state, ms->region_pending,
			   ti->spec->mirror.nosync);
	ti->private = ms;
	ms->thread = thread_run("dm-mirror", dm_mirror_thread, ms);
	if (!ms->thread) {
		snprintf(err->msg, sizeof(err->msg), "cannot start its thread");
		ti->private = NULL;
		dm_mirror_free(ms);
		return -ENOMEM;
	}
	return 0;
free_ms:
	dm_mirror_free(ms);
nomem:
	snprintf(err->msg, sizeof(err->msg), "out of memory");
	return -ENOMEM;
}

static void dm_mirror_dtr(struct dm_target *ti)
{
	struct dm_mirror *ms = ti->private;
	unsigned long flags = spin_lock_irqsave(&ms->lock);

	ms->stop = true;
	spin_unlock_irqrestore(&ms->lock, flags);
	dm_mirror_kick(ms);
	thread_join(ms->thread);
	dm_mirror_free(ms);
}

static void dm_mirror_resume(struct dm_target *ti)
{
	struct dm_mirror *ms = ti->private;
	unsigned long flags = spin_lock_irqsave(&ms->lock);

	/* failed legs come back stale: their out-of-sync regions are resynced */
	ms->stale |= ms->failed;
	ms->failed = 0;
	dm_mirror_pick_default(ms);
	spin_unlock_irqrestore(&ms->lock, flags);
	dm_mirror_kick(ms);
}

/*
 * Linux's mirror status: "<#legs> <legs> <in-sync>/<regions> 1 <health> 1 core"
 * (health: A alive, D failed), then stork's per-leg reads and writes.
 */
static void dm_mirror_status(struct dm_target *ti, char *buf, size_t len)
{
	struct dm_mirror *ms = ti->private;
	size_t n = (size_t)snprintf(buf, len, "%u", ms->nr_legs);

#define OUT(...) (n += (size_t)snprintf(buf + min(n, len), len - min(n, len), __VA_ARGS__))
	for (u32 l = 0; l < ms->nr_legs; l++)
		OUT(" %s", ti->devs[l]->name);
	OUT(" %llu/%llu 1 ", (unsigned long long)dm_region_nr_in_sync(&ms->log),
	    (unsigned long long)ms->log.nr_regions);
	for (u32 l = 0; l < ms->nr_legs; l++)
		OUT("%c", READ_ONCE(ms->failed) & (1U << l) ? 'D' : 'A');
	OUT(" 1 core reads=");
	for (u32 l = 0; l < ms->nr_legs; l++)
		OUT("%s%llu", l ? "," : "",
		    (unsigned long long)__atomic_load_n(&ms->legs[l].reads, __ATOMIC_RELAXED));
	OUT(" writes=");
	for (u32 l = 0; l < ms->nr_legs; l++)
		OUT("%s%llu", l ? "," : "",
		    (unsigned long long)__atomic_load_n(&ms->legs[l].writes, __ATOMIC_RELAXED));
	OUT(" errors=");
	for (u32 l = 0; l < ms->nr_legs; l++)
		OUT("%s%llu", l ? "," : "",
		    (unsigned long long)__atomic_load_n(&ms->legs[l].errors, __ATOMIC_RELAXED));
	OUT(" resynced=%llu", (unsigned long long)READ_ONCE(ms->resynced));
#undef OUT
}

const struct dm_target_type dm_mirror_target = {
	.kind = DM_TARGET_MIRROR,
	.ctr = dm_mirror_ctr,
	.dtr = dm_mirror_dtr,
	.map = dm_mirror_map,
	.map_bio = dm_mirror_map_bio,
	.status = dm_mirror_status,
	.resume = dm_mirror_resume,
};
