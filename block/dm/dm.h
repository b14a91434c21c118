/*
 * Device-mapper: mapped disks dm-N built from tables (block/dm/dm.c, the
 * tables in dm_table.c), and what the targets (dm_linear.c, dm_flakey.c,
 * dm_delay.c, dm_mirror.c) share with them.
 *
 * A mapped disk is a bio-based gendisk: blk-core hands it every bio whole
 * (gendisk->submit_bio), and dm.c cuts the bio where the table says (at
 * target ends, stripe chunks, mirror regions) into clones that the targets
 * send on to the parent disks. A clone of a bio that needs no cut points at
 * the bio's own vectors, and clones come from a per-disk pool: the hot path
 * allocates nothing.
 *
 * Lifetime and locking: the mapped-device list, names and tables change
 * under dm_lock (a mutex: create, remove, reload, suspend, resume, and the
 * shell's readers). The live table (md->map) is read without a lock by
 * submitters, which is safe because it is only swapped while the device is
 * suspended and drained: no submitter is between dm_enter and its last
 * clone's end.
 */
#ifndef BLOCK_DM_DM_H
#define BLOCK_DM_DM_H

#include "lib/types.h"
#include "lib/list.h"
#include "block/blkdev.h"
#include "block/blk_internal.h"
#include "block/dm/dm_pool.h"
#include "block/dm/dm_table_parse.h"
#include "kernel/sched/spinlock.h"
#include "kernel/sched/wait.h"

#define DM_NAME_LEN 32
#define DM_MAX_DISKS 64		/* dm-0 .. dm-63 */
#define DM_CLONE_VECS 8		/* vectors a cut-out clone carries inline */
#define DM_MAX_PARENTS (DM_MAX_TARGETS * DM_MAX_DEVS)

struct mapped_device;
struct dm_table;
struct dm_target;
struct dm_inflight;

/* Per bio that is cut into several clones: the count of those in flight. */
struct dm_orig {
	struct bio *bio;
	struct mapped_device *md;
	u64 sector;			/* on the mapped disk (a partition's already added) */
	u32 remaining;			/* clones in flight + the cutter's; atomic */
	int status;			/* first error; atomic */
	struct list_head link;		/* md->deferred while suspended */
};

/* One piece of a bio, within one target (and one chunk or region). */
struct dm_clone {
	struct bio bio;			/* to a parent; bio.private is this clone */
	struct mapped_device *md;
	struct dm_target *ti;
	struct dm_orig *orig;		/* NULL when the clone is the whole bio */
	struct bio *orig_bio;		/* when orig is NULL */
	u64 sector;			/* on the mapped disk */
	u64 map_sector;			/* where dm_target_map sent it: on devs[map_dev] */
	u32 map_dev;
	struct bio_vec *vec_alloc;	/* vectors allocated for a long cut (rare) */
	struct list_head link;		/* a target's own lists (delay, mirror) */
	u64 due_ns;			/* delay: when to submit */
	u32 leg;			/* mirror: the leg a read went to */
	struct bio_vec vecs[DM_CLONE_VECS];
};

struct dm_target_type {
	enum dm_target_kind kind;
	/* Set ti up (ti->devs are resolved); 0 or a negative errno with err filled. */
	int (*ctr)(struct dm_target *ti, struct dm_table_error *err);
	/* Undo ctr; the device is drained. */
	void (*dtr)(struct dm_target *ti);
	/*
	 * Take a clone (c->map_dev and map_sector hold dm_target_map's answer):
	 * set c->bio.disk and sector and submit it (its end_io ends the clone),
	 * or end it with dm_clone_end. Thread context.
	 */
	void (*map)(struct dm_target *ti, struct dm_clone *c);
	/*
	 * map is dm_target_map's arithmetic and a submit, nothing else
	 * (linear, striped): a bio that fits the target (and chunk) whole is
	 * remapped in place instead of cloned.
	 */
	bool remaps;
	/*
	 * Optional: take a bio within the target whole, without a clone (in
	 * the submitter's context; sector on the mapped disk). The target
	 * checks the bio fits its own units (a mirror region), must not
	 * change it, and ends it with dm_bio_done(in, ...). False: not
	 * taken, it is cut and cloned as usual.
	 */
	bool (*map_bio)(struct dm_target *ti, struct bio *bio, u64 sector, struct dm_inflight *in);
	/* `dm status`: what follows "<start> <len> <target> " */
	void (*status)(struct dm_target *ti, char *buf, size_t len);
	/* `dm resume`: bring failed parts back (mirror legs). */
	void (*resume)(struct dm_target *ti);
	/* whether it takes discard / write-zeroes at all */
	bool no_discard;
};

struct dm_target {
	const struct dm_target_spec *spec;	/* in table->spec */
	const struct dm_target_type *type;
	struct dm_table *table;
	struct gendisk *devs[DM_MAX_DEVS];	/* parents by spec->devs index */
	void *private;				/* the target's */
};

struct dm_table {
	struct dm_table_spec spec;
	struct dm_target targets[DM_MAX_TARGETS];
	struct gendisk *parents[DM_MAX_PARENTS];	/* distinct, in table order */
	u32 nr_parents;
	u32 nr_constructed;		/* targets whose ctr ran, from the first */
	u32 block_mask;			/* logical block size in sectors, less 1 */
	/*
	 * A table of one linear line: the whole map is parent sector = sector +
	 * linear_delta on linear_dev (dm_submit_bio's fast path, no search, no
	 * dm_target_map call). NULL for any other table.
	 */
	struct gendisk *linear_dev;
	u64 linear_delta;
	/* a table of one line whose target has map_bio (mirror): it is called at once */
	struct dm_target *whole_target;
	struct mapped_device *md;
};

struct dm_inflight {
	u64 n;				/* bios entered on this CPU less bios ended here */
	struct mapped_device *md;
	/*
	 * md->suspended, copied (under md->lock) into every counter: the
	 * fast path and the end read it on the line they change anyway
	 */
	bool suspended;
} __aligned(64);

struct mapped_device {
	struct gendisk disk;		/* "dm-N"; private_data is this */
	struct request_queue queue;	/* limits only: no blk-mq below a bio-based disk */
	char name[DM_NAME_LEN];		/* the user's */
	unsigned int minor;		/* N of dm-N */
	struct dm_table *map;		/* live; swapped only while suspended and drained */
	struct dm_pool clones;		/* struct dm_clone */
	struct dm_pool origs;		/* struct dm_orig */
	struct dm_inflight *inflight;	/* per CPU */
	unsigned int nr_inflight;
	spinlock_t lock;		/* suspended, deferred, parents_text */
	char parents_text[128];		/* "vda,vdb", for lsblk */
	bool suspended;			/* new bios wait on deferred */
	bool user_suspended;		/* `dm suspend`: stays so across a reload */
	struct list_head deferred;	/* struct dm_orig, arrived while suspended */
	struct wait_queue drain_wait;	/* a suspender waits for inflight to reach 0 */
	struct list_head link;		/* in the list of mapped devices; dm_lock */
};

/* End a bio a target took whole (map_bio) with status and leave md through in. Any context. */
void dm_bio_done(struct dm_inflight *in, struct bio *bio, int status);
/* End clone c with status: its bio (or its share of it) is done. Any context. */
void dm_clone_end(struct dm_clone *c, int status);
/* The end_io of a clone submitted as is. */
void dm_clone_bio_end(struct bio *bio);
/* Whether disk is a mapped device's (and which). */
struct mapped_device *dm_disk_to_md(struct gendisk *disk);

/* The targets, by kind; NULL for a kind without one. */
const struct dm_target_type *dm_target_type_find(enum dm_target_kind kind);
extern const struct dm_target_type dm_linear_target, dm_striped_target, dm_zero_target,
	dm_error_target, dm_flakey_target, dm_delay_target, dm_mirror_target;

/* --- tables (dm_table.c); dm_lock held --- */

/*
 * Parse text, check it against the disks and resolve its parents; no
 * target constructed yet. ERR_PTR with err filled on failure.
 */
struct dm_table *dm_table_alloc(struct mapped_device *md, const char *text,
				struct dm_table_error *err);
/* Construct the targets in order; on failure those built stay for dm_table_destroy. */
int dm_table_construct(struct dm_table *t, struct dm_table_error *err);
/* Destroy the constructed targets (in reverse) and free t; nothing in flight on it. */
void dm_table_destroy(struct dm_table *t);
/* The limits of a disk mapped by t, combined from its parents as Linux stacks them. */
void dm_table_limits(struct dm_table *t, struct queue_limits *lim);
/* Whether two disks share sectors (the same disk, a disk and its partition, two overlapping partitions). */
bool dm_disks_overlap(struct gendisk *a, struct gendisk *b);
/* Whether t uses disk as a mirror leg / at all. */
bool dm_table_claims(const struct dm_table *t, struct gendisk *disk);
bool dm_table_uses(const struct dm_table *t, struct gendisk *disk);

/* --- management, for the shell and the self tests (dm_lock inside) --- */

/* Create name from table text: 0 or a negative errno with err filled. */
int dm_create(const char *name, const char *table, struct dm_table_error *err);
int dm_remove(const char *name, struct dm_table_error *err);
/* Swap in a new table under I/O: suspend, drain, swap, resume. */
int dm_reload(const char *name, const char *table, struct dm_table_error *err);
int dm_suspend(const char *name, struct dm_table_error *err);
int dm_resume(const char *name, struct dm_table_error *err);
/*
 * Visit every mapped device in creation order, dm_lock held (so md and its
 * table stay); stop when fn returns non-zero.
 */
int dm_for_each(int (*fn)(struct mapped_device *md, void *arg), void *arg);
/* The mapped device called name (its user name or dm-N), dm_lock held by the caller. */
struct mapped_device *dm_find_locked(const char *name);
void dm_lock_acquire(void);
void dm_lock_release(void);
/* One table line as dmsetup prints it, and its status. */
void dm_target_format(const struct dm_target_spec *ts, char *buf, size_t len);

#endif
