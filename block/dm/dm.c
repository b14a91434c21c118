/*
 * Device-mapper core (dm.h): mapped disks, the path of a bio through them,
 * suspend / resume / reload, and the rules on parents (the tables
 * themselves are dm_table.c's).
 *
 * Submission (dm_submit_bio, from blk-core, in the submitter's context):
 * enter the device (this CPU's inflight count, a locked add that orders it
 * before the read of suspended, as blk-mq's queue enter does), cut the bio
 * at the table's boundaries into clones and hand each to its target. The
 * bio ends when its last clone does, and only then leaves the device.
 *
 * Suspend: set suspended under md->lock, then wait for the inflight sum to
 * reach 0. A bio that arrives while suspended is parked on md->deferred
 * (checked and queued under md->lock, so resume cannot miss it) and
 * resubmitted by resume, in order. Reload = suspend, swap the table,
 * resume: no bio is lost or runs on a half-swapped table.
 *
 * Parents: a table names disks; a mirror leg is claimed exclusively (its
 * resync writes behind the user's back), and no table may name its own
 * disk or a disk stacked on it.
 */
#include "block/dm/dm.h"
#include "block/blk_internal.h"
#include "kernel/mm/slab.h"
#include "kernel/sched/mutex.h"
#include "kernel/sched/thread.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

#define DM_NR_CLONES 1024
#define DM_NR_ORIGS 512

static struct mutex dm_lock = MUTEX_INIT(dm_lock);
static LIST_HEAD(dm_devices);		/* struct mapped_device, creation order; dm_lock */

void dm_lock_acquire(void)
{
	mutex_lock(&dm_lock);
}

void dm_lock_release(void)
{
	mutex_unlock(&dm_lock);
}

static void dm_submit_bio(struct bio *bio, u64 sector);

struct mapped_device *dm_disk_to_md(struct gendisk *disk)
{
	if (!disk || disk->whole->submit_bio != dm_submit_bio)
		return NULL;
	return disk->whole->private_data;
}

/* --- entering and leaving -------------------------------------------------------- */

/*
 * This CPU's counter. The array has MAX_CPUS of them (16 KiB), the bound
 * of every CPU id, so a CPU hot-added after the disk was made has its own
 * and the hot path needs no bounds check.
 */
static struct dm_inflight *dm_inflight_this(struct mapped_device *md)
{
	return &md->inflight[this_cpu_id()];
}

/* The counter md was entered on, or NULL (md is suspended). */
static __always_inline struct dm_inflight *dm_enter(struct mapped_device *md)
{
	struct dm_inflight *in = dm_inflight_this(md);

	__atomic_fetch_add(&in->n, 1, __ATOMIC_SEQ_CST);
	if (likely(!READ_ONCE(md->suspended)))
		return in;
	__atomic_fetch_sub(&in->n, 1, __ATOMIC_SEQ_CST);
	wake_up_all(&md->drain_wait);
	return NULL;
}

/* Leave md through counter in (any CPU's will do: only the sum means anything). */
static __always_inline void dm_exit_from(struct dm_inflight *in)
{
	__atomic_fetch_sub(&in->n, 1, __ATOMIC_SEQ_CST);
	if (unlikely(READ_ONCE(in->suspended)))
		wake_up_all(&in->md->drain_wait);
}

static __always_inline void dm_exit(struct mapped_device *md)
{
	dm_exit_from(dm_inflight_this(md));
}

static u64 dm_inflight_sum(struct mapped_device *md)
{
	u64 sum = 0;

	for (unsigned int i = 0; i < md->nr_inflight; i++)
		sum += __atomic_load_n(&md->inflight[i].n, __ATOMIC_SEQ_CST);
	return sum;
}

/* --- ending bios and clones ------------------------------------------------------ */

static void dm_bio_end(struct mapped_device *md, struct bio *bio, int status)
{
	bio->status = status;
	if (bio->end_io)
		bio->end_io(bio);
	dm_exit(md);
}

static void dm_orig_fail(struct dm_orig *o, int status)
{
	int none = 0;

	__atomic_compare_exchange_n(&o->status, &none, status, false, __ATOMIC_RELAXED,
				    __ATOMIC_RELAXED);
}

static void dm_orig_put(struct dm_orig *o, int status)
{
	struct mapped_device *md = o->md;
	struct bio *bio;

	if (status)
		dm_orig_fail(o, status);
	if (__atomic_sub_fetch(&o->remaining, 1, __ATOMIC_ACQ_REL))
		return;
	bio = o->bio;
	status = __atomic_load_n(&o->status, __ATOMIC_RELAXED);
	dm_pool_put(&md->origs, o);
	dm_bio_end(md, bio, status);
}

void dm_clone_end(struct dm_clone *c, int status)
{
	struct mapped_device *md = c->md;
	struct dm_orig *o = c->orig;
	struct bio *bio = c->orig_bio;

	if (unlikely(c->vec_alloc)) {
		kfree(c->vec_alloc);
		c->vec_alloc = NULL;
	}
	dm_pool_put(&md->clones, c);
	if (o)
		dm_orig_put(o, status);
	else
		dm_bio_end(md, bio, status);
}

void dm_clone_bio_end(struct bio *bio)
{
	dm_clone_end(bio->private, bio->status);
}

void dm_bio_done(struct dm_inflight *in, struct bio *bio, int status)
{
	bio->status = status;
	if (bio->end_io)
		bio->end_io(bio);
	dm_exit_from(in);
}

/* A bio remapped in place has ended on its parent: give it back as it came. */
static void dm_remap_bio_end(struct bio *bio)
{
	struct dm_inflight *in = bio->private;

	bio->disk = bio->remap.disk;
	bio->sector = bio->remap.sector;
	bio->end_io = bio->remap.end_io;
	bio->private = bio->remap.private;
	bio->remap.disk = NULL;
	if (bio->end_io)
		bio->end_io(bio);
	dm_exit_from(in);
}

/*
 * The bio goes to the parent itself, remapped (md raid0's way): no clone,
 * no pool. Its own fields are saved in bio->remap and put back on the way
 * up, so the submitter gets its bio back unchanged. in: the counter md
 * was entered on, left at the end.
 */
static void dm_remap_in_place(struct dm_inflight *in, struct bio *bio, struct gendisk *parent,
			      u64 parent_sector)
{
	bio->remap.disk = bio->disk;
	bio->remap.sector = bio->sector;
	bio->remap.end_io = bio->end_io;
	bio->remap.private = bio->private;
	bio->end_io = dm_remap_bio_end;
	bio->private = in;
	bio->disk = parent;
	bio->sector = parent_sector;
	submit_bio_remapped(bio);
}

/* --- cutting a bio into clones ---------------------------------------------------- */

static bool op_has_data(u8 op)
{
	return op == REQ_OP_READ || op == REQ_OP_WRITE;
}

/*
 * Make c the first bytes of it (a moving copy of the bio) and advance it
 * past them. A clone that ends on a vector boundary points at the bio's
 * vectors; one that ends inside a vector gets a trimmed copy of them.
 */
static int dm_clone_take(struct dm_clone *c, struct bio *it, u32 bytes)
{
	struct bio_vec *dst;
	u32 off, left;
	u16 i, n;

	c->bio.size = bytes;
	c->sector = it->sector;
	if (!op_has_data(it->op) || bytes == it->size) {
		c->bio.vecs = it->vecs;
		c->bio.vcnt = it->vcnt;
		c->bio.vec_offset = it->vec_offset;
		it->sector += bytes >> SECTOR_SHIFT;
		it->size -= bytes;
		return 0;
	}
	for (i = 0, off = it->vec_offset, left = bytes; left;) {
		u32 avail = it->vecs[i].len - off;

		if (avail > left) {
			off += left;
			break;
		}
		left -= avail;
		off = 0;
		i++;
	}
	if (!off) {
		c->bio.vecs = it->vecs;
		c->bio.vcnt = i;
		c->bio.vec_offset = it->vec_offset;
	} else {
		n = i + 1;
		dst = c->vecs;
		if (n > DM_CLONE_VECS) {
			dst = kmalloc(n * sizeof(*dst));
			if (!dst)
				return -ENOMEM;
			c->vec_alloc = dst;
		}
		memcpy(dst, it->vecs, n * sizeof(*dst));
		dst[0].phys += it->vec_offset;
		dst[0].len -= it->vec_offset;
		/* the last one holds only what is left of bytes */
		dst[n - 1].len = n == 1 ? bytes : off;
		c->bio.vecs = dst;
		c->bio.vcnt = n;
		c->bio.vec_offset = 0;
	}
	it->vecs += i;
	it->vcnt -= i;
	it->vec_offset = off;
	it->sector += bytes >> SECTOR_SHIFT;
	it->size -= bytes;
	return 0;
}

static struct dm_clone *dm_clone_get(struct mapped_device *md, const struct bio *bio)
{
	struct dm_clone *c = dm_pool_get(&md->clones);

	if (!c)
		return NULL;
	/* a clone carries what the bio carries (op, flags, ioprio, ...); the rest is set below */
	c->bio = *bio;
	c->bio.remap.disk = NULL;	/* the clone is ours: a dm disk below may remap it */
	c->bio.status = 0;
	c->bio.end_io = dm_clone_bio_end;
	c->bio.private = c;
	c->md = md;
	c->vec_alloc = NULL;
	c->orig = NULL;
	c->orig_bio = NULL;
	return c;
}

/* An empty flush: one to every parent. */
static void dm_flush(struct mapped_device *md, struct dm_table *t, struct dm_orig *o)
{
	for (u32 i = 0; i < t->nr_parents; i++) {
		struct dm_clone *c = dm_clone_get(md, o->bio);

		if (!c) {
			dm_orig_fail(o, -EAGAIN);
			break;
		}
		c->orig = o;
		c->sector = 0;
		c->bio.disk = t->parents[i];
		c->bio.sector = 0;
		__atomic_fetch_add(&o->remaining, 1, __ATOMIC_RELAXED);
		submit_bio(&c->bio);
	}
	dm_orig_put(o, 0);
}

/* A bio that spans targets or chunks (or a flush): cut into clones counted on an orig. */
static __attribute__((noinline)) void dm_map_bio_cut(struct mapped_device *md, struct dm_orig *o,
						     struct bio *bio, u64 sector)
{
	struct dm_table *t = md->map;
	struct bio it;
	int err = 0;

	if (o && bio->op == REQ_OP_FLUSH) {
		dm_flush(md, t, o);
		return;
	}
	it = *bio;
	it.sector = sector;
	while (it.size) {
		int idx = dm_table_find(&t->spec, it.sector);
		struct dm_target *ti;
		struct dm_clone *c;
		struct dm_map m;
		u64 bytes;

		if (idx < 0) {
			err = -EIO;	/* a table shrunk under a deferred bio */
			break;
		}
		ti = &t->targets[idx];
		dm_target_map(ti->spec, it.sector, op_is_write(it.op), &m);
		bytes = min((u64)it.size, m.max_sectors << SECTOR_SHIFT);
		if (!o && bytes < it.size) {
			/* more than one clone: count them on an orig */
			o = dm_pool_get(&md->origs);
			if (!o) {
				err = -EAGAIN;
				break;
			}
			*o = (struct dm_orig){ .bio = bio, .md = md, .remaining = 1 };
		}
		c = dm_clone_get(md, bio);
		if (!c) {
			err = -EAGAIN;
			break;
		}
		c->ti = ti;
		c->orig = o;
		c->orig_bio = bio;
		c->map_dev = m.dev;
		c->map_sector = m.sector;
		err = dm_clone_take(c, &it, (u32)bytes);
		if (err) {
			dm_pool_put(&md->clones, c);
			break;
		}
		if (o)
			__atomic_fetch_add(&o->remaining, 1, __ATOMIC_RELAXED);
		ti->type->map(ti, c);
	}
	if (o)
		dm_orig_put(o, err);
	else if (err)
		dm_bio_end(md, bio, err);
}

/* The common case: the bio fits one target (and chunk): in place, or one clone. */
static void dm_map_bio(struct mapped_device *md, struct bio *bio, u64 sector)
{
	struct dm_table *t = md->map;
	/* one target (the usual linear or striped table): no search */
	int idx = t->spec.nr_targets == 1 && sector < t->spec.sectors ? 0
								     : dm_table_find(&t->spec, sector);
	struct dm_target *ti;
	struct dm_clone *c;
	struct dm_map m;

	/*
	 * submit_bio checked bio against the limits before it entered md; a
	 * reload since may have raised the logical block size (a new parent):
	 * a bio that is no longer aligned would land on the wrong blocks
	 */
	if (unlikely((sector | bio->size >> SECTOR_SHIFT) & t->block_mask)) {
		dm_bio_end(md, bio, -EINVAL);
		return;
	}
	if (unlikely(idx < 0))
		goto cut;
	ti = &t->targets[idx];
	dm_target_map(ti->spec, sector, op_is_write(bio->op), &m);
	if (unlikely((u64)bio->size > m.max_sectors << SECTOR_SHIFT))
		goto cut;
	/* the target takes it whole (a mirror write): no clone; dm_submit_bio asked one line's already */
	if (ti->type->map_bio && !t->whole_target &&
	    ti->type->map_bio(ti, bio, sector, dm_inflight_this(md)))
		return;
	/* a bio already remapped by a dm disk above this one is cloned */
	if (likely(ti->type->remaps && !bio->remap.disk)) {
		dm_remap_in_place(dm_inflight_this(md), bio, ti->devs[m.dev], m.sector);
		return;
	}
	c = dm_clone_get(md, bio);
	if (unlikely(!c)) {
		dm_bio_end(md, bio, -EAGAIN);
		return;
	}
	c->ti = ti;
	c->orig = NULL;
	c->orig_bio = bio;
	c->sector = sector;
	c->map_dev = m.dev;
	c->map_sector = m.sector;
	ti->type->map(ti, c);
	return;
cut:
	dm_map_bio_cut(md, NULL, bio, sector);
}

/* Park bio until resume; false when the device was resumed meanwhile. */
static bool dm_defer(struct mapped_device *md, struct bio *bio, u64 sector)
{
	struct dm_orig *o = dm_pool_get(&md->origs);
	unsigned long flags;

	if (!o) {
		bio->status = -EAGAIN;
		if (bio->end_io)
			bio->end_io(bio);
		return true;
	}
	*o = (struct dm_orig){ .bio = bio, .md = md, .sector = sector, .remaining = 1 };
	flags = spin_lock_irqsave(&md->lock);
	if (md->suspended) {
		list_add_tail(&o->link, &md->deferred);
		spin_unlock_irqrestore(&md->lock, flags);
		return true;
	}
	spin_unlock_irqrestore(&md->lock, flags);
	dm_pool_put(&md->origs, o);
	return false;
}

/* Everything but a single linear line's fast path; md entered. */
static __attribute__((noinline)) void dm_submit_bio_mapped(struct mapped_device *md,
							   struct bio *bio, u64 sector)
{
	struct dm_orig *o;

	if (unlikely(bio->op == REQ_OP_FLUSH)) {
		o = dm_pool_get(&md->origs);
		if (!o) {
			dm_bio_end(md, bio, -EAGAIN);
			return;
		}
		*o = (struct dm_orig){ .bio = bio, .md = md, .remaining = 1 };
		dm_map_bio_cut(md, o, bio, sector);
		return;
	}
	dm_map_bio(md, bio, sector);
}

/* md is suspended: park bio, or, when resumed meanwhile, map it. */
static __attribute__((noinline)) void dm_submit_bio_suspended(struct mapped_device *md,
							      struct bio *bio, u64 sector)
{
	do {
		if (dm_defer(md, bio, sector))
			return;
	} while (!dm_enter(md));
	dm_submit_bio_mapped(md, bio, sector);
}

/*
 * The fast path is kept apart from dm_submit_bio_mapped (not inlined) so
 * that it has no locals in memory: no stack frame, no stack-protector
 * canary on the path of every linear bio.
 */
static void dm_submit_bio(struct bio *bio, u64 sector)
{
	struct mapped_device *md = bio->disk->private_data;
	struct dm_inflight *in = dm_inflight_this(md);
	struct dm_table *t;
	u64 sectors = bio->size >> SECTOR_SHIFT;

	/*
	 * dm_enter, open-coded: the suspended case goes its own way at once
	 * (a stale copy of the flag there only costs dm_defer's look under
	 * md->lock, which is what decides)
	 */
	__atomic_fetch_add(&in->n, 1, __ATOMIC_SEQ_CST);
	if (unlikely(READ_ONCE(in->suspended))) {
		dm_exit_from(in);
		dm_submit_bio_suspended(md, bio, sector);
		return;
	}
	/*
	 * A table of one linear line: the map is one addition (a flush, too,
	 * goes to the one parent). Checked again against the live table as
	 * dm_map_bio does (a reload since submit_bio's check may have shrunk it
	 * or raised its block size); a bio already remapped by a dm disk above
	 * takes dm_map_bio's clone.
	 */
	t = md->map;
	if (likely(t->linear_dev) && likely(!bio->remap.disk) &&
	    likely(!((sector | sectors) & t->block_mask)) &&
	    likely(sector + sectors <= t->spec.sectors)) {
		dm_remap_in_place(in, bio, t->linear_dev, sector + t->linear_delta);
		return;
	}
	/* a table of one mirror line: a write within a region goes to the target whole */
	if (t->whole_target && bio->op != REQ_OP_FLUSH && !((sector | sectors) & t->block_mask) &&
	    sector + sectors <= t->spec.sectors &&
	    t->whole_target->type->map_bio(t->whole_target, bio, sector, in))
		return;
	dm_submit_bio_mapped(md, bio, sector);
}

/* --- tables --------------------------------------------------------------------- */

struct mapped_device *dm_find_locked(const char *name)
{
	struct mapped_device *md;

	list_for_each_entry(md, &dm_devices, link)
		if (!strcmp(md->name, name) || !strcmp(md->disk.name, name))
			return md;
	return NULL;
}

/* Whether disk is md's own or stacked (through tables) on md. */
static bool dm_disk_depends_on(struct gendisk *disk, struct mapped_device *md, int depth)
{
	struct mapped_device *other = dm_disk_to_md(disk);

	if (!other || depth > DM_MAX_DISKS)
		return false;
	if (other == md)
		return true;
	for (u32 i = 0; other->map && i < other->map->nr_parents; i++)
		if (dm_disk_depends_on(other->map->parents[i], md, depth + 1))
			return true;
	return false;
}

static int dm_error(struct dm_table_error *err, u32 line, const char *field, const char *fmt,
		    const char *arg)
{
	err->line = line;
	strlcpy(err->field, field, sizeof(err->field));
	snprintf(err->msg, sizeof(err->msg), fmt, arg);
	return -EBUSY;
}

/* Parent rules against every other mapped device (not md itself). dm_lock held. */
static int dm_table_check_parents(struct dm_table *t, struct mapped_device *md,
				  struct dm_table_error *err)
{
	for (u32 i = 0; i < t->spec.nr_targets; i++) {
		struct dm_target *ti = &t->targets[i];

		for (u32 d = 0; d < ti->spec->nr_devs; d++) {
			struct gendisk *disk = ti->devs[d];
			struct mapped_device *other;

			if (dm_disk_depends_on(disk, md, 0))
				return dm_error(err, i + 1, "dev", "%s is this disk or stacked on it",
						disk->name);
			list_for_each_entry(other, &dm_devices, link) {
				if (other == md || !other->map)
					continue;
				if (dm_table_claims(other->map, disk))
					return dm_error(err, i + 1, "dev",
							"%s is a mirror leg of another dm disk",
							disk->name);
				if (ti->spec->kind == DM_TARGET_MIRROR &&
				    dm_table_uses(other->map, disk))
					return dm_error(err, i + 1, "dev",
							"%s is in use by another dm disk",
							disk->name);
			}
			if (ti->spec->kind == DM_TARGET_MIRROR) {
				for (u32 e = 0; e < d; e++)
					if (dm_disks_overlap(ti->devs[e], disk) &&
					    ti->spec->devs[e].offset + ti->spec->len >
						    ti->spec->devs[d].offset &&
					    ti->spec->devs[d].offset + ti->spec->len >
						    ti->spec->devs[e].offset)
						return dm_error(err, i + 1, "dev",
								"two legs overlap on %s",
								disk->name);
			}
		}
	}
	return 0;
}

/* A table for md from text, checked against the other dm disks and constructed; dm_lock held. */
static struct dm_table *dm_table_make(struct mapped_device *md, const char *text,
				      struct dm_table_error *err)
{
	struct dm_table *t = dm_table_alloc(md, text, err);
	int ret;

	if (IS_ERR(t))
		return t;
	ret = dm_table_check_parents(t, md, err);
	if (!ret)
		ret = dm_table_construct(t, err);
	if (ret) {
		dm_table_destroy(t);
		return ERR_PTR(ret);
	}
	return t;
}

/* --- suspend, resume, swap -------------------------------------------------------- */

/* The counters' copies of md->suspended; md->lock held. */
static void dm_inflight_set_suspended(struct mapped_device *md, bool suspended)
{
	for (unsigned int i = 0; i < md->nr_inflight; i++)
		WRITE_ONCE(md->inflight[i].suspended, suspended);
}

static void dm_suspend_locked(struct mapped_device *md)
{
	unsigned long flags = spin_lock_irqsave(&md->lock);

	md->suspended = true;
	dm_inflight_set_suspended(md, true);
	spin_unlock_irqrestore(&md->lock, flags);
	/* wait_event takes the queue's lock (a full barrier) before it sums */
	wait_event(md->drain_wait, dm_inflight_sum(md) == 0);
}

static void dm_resume_locked(struct mapped_device *md)
{
	unsigned long flags = spin_lock_irqsave(&md->lock);
	LIST_HEAD(list);

	md->suspended = false;
	dm_inflight_set_suspended(md, false);
	list_splice_tail_init(&md->deferred, &list);
	spin_unlock_irqrestore(&md->lock, flags);
	while (!list_empty(&list)) {
		struct dm_orig *o = list_first_entry(&list, struct dm_orig, link);
		struct bio *bio = o->bio;
		u64 sector = o->sector;

		list_del(&o->link);
		dm_pool_put(&md->origs, o);
		/* checked against the table it was sent to: check it against this one */
		if (unlikely(bio_check(bio, &md->queue.limits, ~0ULL))) {
			bio->status = -EINVAL;
			if (bio->end_io)
				bio->end_io(bio);
			continue;
		}
		dm_submit_bio(bio, sector);
	}
}

/* lsblk's: it holds the disk registry's lock, so this takes only md->lock */
static void dm_disk_parents(struct gendisk *disk, char *buf, size_t len)
{
	struct mapped_device *md = disk->private_data;
	unsigned long flags = spin_lock_irqsave(&md->lock);

	strlcpy(buf, md->parents_text, len);
	spin_unlock_irqrestore(&md->lock, flags);
}

static void dm_table_install(struct mapped_device *md, struct dm_table *t)
{
	struct queue_limits lim;
	unsigned long flags;
	char text[sizeof(md->parents_text)];
	size_t n = 0;

	text[0] = '\0';
	for (u32 i = 0; i < t->nr_parents && n < sizeof(text); i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s%s", i ? "," : "",
				      t->parents[i]->name);
	flags = spin_lock_irqsave(&md->lock);
	strlcpy(md->parents_text, text, sizeof(md->parents_text));
	spin_unlock_irqrestore(&md->lock, flags);
	dm_table_limits(t, &lim);
	md->map = t;
	/* submit_bio reads these without entering md: never let it see a torn field */
	queue_limits_publish(&md->queue.limits, &lim);
	WRITE_ONCE(md->disk.capacity, t->spec.sectors);
}

/* --- create and remove ----------------------------------------------------------- */

static void dm_md_free(struct mapped_device *md)
{
	dm_pool_destroy(&md->origs);
	dm_pool_destroy(&md->clones);
	kfree(md->inflight);
	kfree(md);
}

/*
 * The dm disk's last reference went (it was removed, so it is suspended and
 * nothing is in flight): its table lets go of its parents, bios deferred by
 * a user suspend fail (nobody will resume them), and md is freed.
 */
static void dm_free_disk(struct gendisk *disk)
{
	struct mapped_device *md = container_of(disk, struct mapped_device, disk);

	dm_table_destroy(md->map);
	while (!list_empty(&md->deferred)) {
		struct dm_orig *o = list_first_entry(&md->deferred, struct dm_orig, link);

		list_del(&o->link);
		o->bio->status = -ENODEV;
		if (o->bio->end_io)
			o->bio->end_io(o->bio);
	}
	dm_md_free(md);
}

static int dm_minor_alloc(void)
{
	for (unsigned int n = 0; n < DM_MAX_DISKS; n++) {
		struct mapped_device *md;
		bool used = false;

		list_for_each_entry(md, &dm_devices, link)
			used |= md->minor == n;
		if (!used)
			return (int)n;
	}
	return -ENOSPC;
}

static bool dm_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (!n || n >= DM_NAME_LEN || !strncmp(name, "dm-", 3))
		return false;
	for (size_t i = 0; i < n; i++)
		if (name[i] == ' ' || name[i] == ';' || name[i] == ':' || name[i] == ',')
			return false;
	return true;
}

int dm_create(const char *name, const char *text, struct dm_table_error *err)
{
	struct mapped_device *md;
	struct dm_table *t;
	int minor, ret;

	memset(err, 0, sizeof(*err));
	if (!dm_name_ok(name)) {
		snprintf(err->msg, sizeof(err->msg), "bad name '%s'", name);
		strlcpy(err->field, "name", sizeof(err->field));
		return -EINVAL;
	}
	mutex_lock(&dm_lock);
	ret = -EEXIST;
	if (dm_find_locked(name) || disk_name_used(name)) {
		snprintf(err->msg, sizeof(err->msg), "%s exists", name);
		strlcpy(err->field, "name", sizeof(err->field));
		goto unlock;
	}
	minor = dm_minor_alloc();
	ret = minor;
	if (minor < 0) {
		snprintf(err->msg, sizeof(err->msg), "too many dm disks");
		goto unlock;
	}
	ret = -ENOMEM;
	md = kzalloc(sizeof(*md));
	if (!md)
		goto unlock;
	md->minor = (unsigned int)minor;
	strlcpy(md->name, name, sizeof(md->name));
	snprintf(md->disk.name, sizeof(md->disk.name), "dm-%d", minor);
	md->nr_inflight = MAX_CPUS;
	md->inflight = kzalloc(md->nr_inflight * sizeof(*md->inflight) + 63);
	spin_init(&md->lock);
	INIT_LIST_HEAD(&md->deferred);
	wait_queue_init(&md->drain_wait);
	if (!md->inflight || dm_pool_init(&md->clones, DM_NR_CLONES, sizeof(struct dm_clone)) ||
	    dm_pool_init(&md->origs, DM_NR_ORIGS, sizeof(struct dm_orig))) {
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		goto free_md;
	}
	/* the counters are per CPU: align them to their lines */
	md->inflight = (struct dm_inflight *)ALIGN_UP((uintptr_t)md->inflight, 64);
	for (unsigned int i = 0; i < md->nr_inflight; i++)
		md->inflight[i].md = md;
	t = dm_table_make(md, text, err);
	if (IS_ERR(t)) {
		ret = (int)PTR_ERR(t);
		goto free_md;
	}
	dm_table_install(md, t);
	md->disk.driver = "dm";
	md->disk.queue = &md->queue;
	md->disk.private_data = md;
	md->disk.submit_bio = dm_submit_bio;
	md->disk.parents = dm_disk_parents;
	md->disk.free_disk = dm_free_disk;
	list_add_tail(&md->link, &dm_devices);
	ret = disk_add(&md->disk);
	if (ret) {
		list_del(&md->link);
		snprintf(err->msg, sizeof(err->msg), "cannot register %s (%d)", md->disk.name, ret);
		goto destroy_table;
	}
	mutex_unlock(&dm_lock);
	return 0;
destroy_table:
	dm_table_destroy(t);
free_md:
	dm_md_free(md);
unlock:
	mutex_unlock(&dm_lock);
	return ret;
}

static struct mapped_device *dm_find_or_error(const char *name, struct dm_table_error *err)
{
	struct mapped_device *md = dm_find_locked(name);

	if (!md) {
		strlcpy(err->field, "name", sizeof(err->field));
		snprintf(err->msg, sizeof(err->msg), "no dm disk %s", name);
	}
	return md;
}

int dm_remove(const char *name, struct dm_table_error *err)
{
	struct mapped_device *md;
	int open;

	memset(err, 0, sizeof(*err));
	mutex_lock(&dm_lock);
	md = dm_find_or_error(name, err);
	if (!md) {
		mutex_unlock(&dm_lock);
		return -ENODEV;
	}
	/*
	 * As Linux's DM_DEV_REMOVE: an open device (a bench, a dm table on
	 * top, a dio) is not removed, -EBUSY; dmsetup's --force (a table that
	 * errors every I/O first) is not offered.
	 */
	open = disk_open_count(&md->disk);
	if (open)
		goto busy;
	dm_suspend_locked(md);
	list_del(&md->link);
	/* the open check again, atomic with the removal: the last put frees md (dm_free_disk) */
	if (disk_del_unused(&md->disk)) {
		list_add_tail(&md->link, &dm_devices);
		if (!md->user_suspended)
			dm_resume_locked(md);
		open = disk_open_count(&md->disk);
		goto busy;
	}
	mutex_unlock(&dm_lock);
	return 0;
busy:
	snprintf(err->msg, sizeof(err->msg), "%s: Device or resource busy (EBUSY: open count %d)",
		 md->name, open);
	mutex_unlock(&dm_lock);
	return -EBUSY;
}

int dm_reload(const char *name, const char *text, struct dm_table_error *err)
{
	struct mapped_device *md;
	struct dm_table *t, *old;

	memset(err, 0, sizeof(*err));
	mutex_lock(&dm_lock);
	md = dm_find_or_error(name, err);
	if (!md) {
		mutex_unlock(&dm_lock);
		return -ENODEV;
	}
	t = dm_table_make(md, text, err);
	if (IS_ERR(t)) {
		mutex_unlock(&dm_lock);
		return (int)PTR_ERR(t);
	}
	dm_suspend_locked(md);
	old = md->map;
	dm_table_install(md, t);
	dm_table_destroy(old);
	if (!md->user_suspended)
		dm_resume_locked(md);
	mutex_unlock(&dm_lock);
	return 0;
}

int dm_suspend(const char *name, struct dm_table_error *err)
{
	struct mapped_device *md;

	memset(err, 0, sizeof(*err));
	mutex_lock(&dm_lock);
	md = dm_find_or_error(name, err);
	if (md) {
		md->user_suspended = true;
		dm_suspend_locked(md);
	}
	mutex_unlock(&dm_lock);
	return md ? 0 : -ENODEV;
}

int dm_resume(const char *name, struct dm_table_error *err)
{
	struct mapped_device *md;

	memset(err, 0, sizeof(*err));
	mutex_lock(&dm_lock);
	md = dm_find_or_error(name, err);
	if (md) {
		md->user_suspended = false;
		for (u32 i = 0; i < md->map->spec.nr_targets; i++) {
			struct dm_target *ti = &md->map->targets[i];

			if (ti->type->resume)
				ti->type->resume(ti);
		}
		dm_resume_locked(md);
	}
	mutex_unlock(&dm_lock);
	return md ? 0 : -ENODEV;
}

int dm_for_each(int (*fn)(struct mapped_device *md, void *arg), void *arg)
{
	struct mapped_device *md;
	int ret = 0;

	mutex_lock(&dm_lock);
	list_for_each_entry(md, &dm_devices, link) {
		ret = fn(md, arg);
		if (ret)
			break;
	}
	mutex_unlock(&dm_lock);
	return ret;
}
