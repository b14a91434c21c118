/*
 * Device-mapper tables as text and as arithmetic (block/dm/dm_table_parse.c).
 *
 * A table is dmsetup's: lines "<start> <length> <target> <args...>" in
 * 512-byte sectors, separated by ';' (or newlines). The lines must cover
 * 0 .. size without gap or overlap, in order. Targets and their arguments
 * follow Linux's dm targets:
 *
 *   linear  <dev> <offset>
 *   striped <#stripes> <chunk sectors> <dev> <offset> [<dev> <offset>...]
 *   mirror  core <#log args> <region sectors> [sync|nosync]
 *           <#legs> <dev> <offset> [<dev> <offset>...] [<#features> handle_errors]
 *   error
 *   zero
 *   flakey  <dev> <offset> <up seconds> <down seconds>
 *           [<#features> drop_writes|error_writes]
 *   delay   <dev> <offset> <ms> [<write dev> <write offset> <write ms>]
 *
 * This file is pure: it parses, checks a table against the disks it names
 * (through a lookup callback), and answers "where does sector S of the
 * mapped disk go, and how far may an I/O starting there run before it
 * must be cut". The kernel side (dm.c and the targets) does the I/O.
 */
#ifndef BLOCK_DM_DM_TABLE_PARSE_H
#define BLOCK_DM_DM_TABLE_PARSE_H

#include "lib/types.h"

#define DM_MAX_TARGETS 16	/* lines in one table */
#define DM_MAX_DEVS 8		/* stripes or mirror legs of one target */
#define DM_DEV_NAME_LEN 32
#define DM_TABLE_TEXT_MAX 1024	/* a shell line */

enum dm_target_kind {
	DM_TARGET_LINEAR,
	DM_TARGET_STRIPED,
	DM_TARGET_MIRROR,
	DM_TARGET_ERROR,
	DM_TARGET_ZERO,
	DM_TARGET_FLAKEY,
	DM_TARGET_DELAY,
	DM_TARGET_KIND_COUNT,
};

enum dm_flakey_mode {
	DM_FLAKEY_ERROR_ALL,	/* no feature: every I/O fails while down (Linux's default) */
	DM_FLAKEY_DROP_WRITES,	/* writes succeed without reaching the disk; reads pass */
	DM_FLAKEY_ERROR_WRITES,	/* writes fail with -EIO; reads pass */
};

/* A parent disk and where on it the target's data starts. */
struct dm_dev_spec {
	char name[DM_DEV_NAME_LEN];
	u64 offset;		/* 512-byte sectors */
};

/* One parsed table line. */
struct dm_target_spec {
	u64 start, len;		/* on the mapped disk, 512-byte sectors */
	enum dm_target_kind kind;
	u32 nr_devs;		/* parents: stripes, legs; delay: 1 or 2 (read, write) */
	struct dm_dev_spec devs[DM_MAX_DEVS];
	union {
		struct {
			u32 chunk_sectors;	/* a power of two */
			u32 chunk_shift;
		} striped;
		struct {
			u32 region_sectors;	/* a power of two */
			bool nosync;		/* the legs are declared in sync already */
			bool handle_errors;
		} mirror;
		struct {
			u32 up_seconds, down_seconds;
			enum dm_flakey_mode mode;
		} flakey;
		struct {
			u32 read_ms, write_ms;	/* write_ms == read_ms without a write device */
		} delay;
	};
};

struct dm_table_spec {
	u32 nr_targets;
	u64 sectors;		/* the mapped disk's size: end of the last line */
	struct dm_target_spec targets[DM_MAX_TARGETS];
};

/* Where a table went wrong: "line 2 field chunk_size: not a power of two". */
struct dm_table_error {
	u32 line;		/* 1-based; 0: the table as a whole */
	char field[24];
	char msg[96];
};

/* What the checker needs to know of a parent disk. */
struct dm_disk_info {
	u64 sectors;
	u32 logical_block_size;
};

/* name -> info; returns 0, or -ENODEV when there is no such disk. */
typedef int (*dm_disk_lookup_fn)(void *ctx, const char *name, struct dm_disk_info *out);

/* The name of a target kind ("striped"), or NULL. */
const char *dm_target_kind_name(enum dm_target_kind kind);

/*
 * Parse text into out. Returns 0, or -EINVAL with err filled: an unknown
 * target, a missing/extra/non-numeric argument, a zero length, a line not
 * starting where the previous one ended (gap or overlap), a chunk or region
 * size that is not a power of two, a striped length not divisible into
 * whole chunks per stripe, too many lines or parents.
 */
int dm_table_parse(const char *text, struct dm_table_spec *out, struct dm_table_error *err);

/*
 * Check a parsed table against its parents: every parent exists, the range
 * each target uses on it lies inside it, and start, length and offsets are
 * multiples of the parent's logical block size. Returns 0, -ENODEV or
 * -EINVAL with err filled.
 */
int dm_table_check(const struct dm_table_spec *t, dm_disk_lookup_fn lookup, void *ctx,
		   struct dm_table_error *err);

/* Sectors a target uses on its parent number dev (per stripe, per leg). */
u64 dm_target_dev_sectors(const struct dm_target_spec *ts, u32 dev);

/* The line holding sector, or -1 past the end. Binary search over starts. */
int dm_table_find(const struct dm_table_spec *t, u64 sector);

/*
 * Where sector of the mapped disk goes within target ts (it must hold it):
 * the parent (index into devs; for a mirror, relative to every leg's offset,
 * dev 0 given), the sector on it, and how many sectors from there stay in
 * one piece (to the end of the target, of a stripe chunk, or of a mirror
 * region). A delay target with a write device maps writes to dev 1.
 */
struct dm_map {
	u32 dev;
	u64 sector;
	u64 max_sectors;
};
void dm_target_map(const struct dm_target_spec *ts, u64 sector, bool write, struct dm_map *out);

/* Mirror: the region of target-relative sector rel; the number of regions. */
static inline u64 dm_mirror_region(const struct dm_target_spec *ts, u64 rel)
{
	/* a power of two (checked when parsed): a shift, not a division, per write */
	return rel >> __builtin_ctz(ts->mirror.region_sectors);
}

static inline u64 dm_mirror_nr_regions(const struct dm_target_spec *ts)
{
	return (ts->len + ts->mirror.region_sectors - 1) / ts->mirror.region_sectors;
}

/*
 * Mirror read balancing: the leg to read next. usable has a bit per leg
 * that is not failed; a region that is not in sync is read only from
 * default_leg (the one the resync copies from). *cursor (per CPU, the
 * caller's) rotates the choice among in-sync legs. Returns a leg, or -1
 * when none may serve the read.
 */
int dm_mirror_read_leg(u32 nr_legs, u32 usable, bool in_sync, u32 default_leg, u32 *cursor);

/* Flakey: whether the target is up at ms milliseconds after it was created. */
bool dm_flakey_is_up(const struct dm_target_spec *ts, u64 ms);

#endif
