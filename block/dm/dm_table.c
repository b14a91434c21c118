/*
 * Device-mapper tables as the kernel holds them (dm.h): the text parsed and
 * checked (dm_table_parse.c), parents resolved to disks, targets
 * constructed and destroyed, the limits combined from the parents, the
 * overlap questions the parent rules ask, and a line printed back the way
 * dmsetup prints it. dm.c decides when a table is made, swapped and freed.
 */
#include "block/dm/dm.h"
#include "kernel/mm/slab.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

static const struct dm_target_type *const dm_target_types[DM_TARGET_KIND_COUNT] = {
	[DM_TARGET_LINEAR] = &dm_linear_target,
	[DM_TARGET_STRIPED] = &dm_striped_target,
	[DM_TARGET_MIRROR] = &dm_mirror_target,
	[DM_TARGET_ERROR] = &dm_error_target,
	[DM_TARGET_ZERO] = &dm_zero_target,
	[DM_TARGET_FLAKEY] = &dm_flakey_target,
	[DM_TARGET_DELAY] = &dm_delay_target,
};

const struct dm_target_type *dm_target_type_find(enum dm_target_kind kind)
{
	return (unsigned int)kind < DM_TARGET_KIND_COUNT ? dm_target_types[kind] : NULL;
}

static int dm_lookup_disk(void *ctx, const char *name, struct dm_disk_info *out)
{
	struct gendisk *disk = blkdev_get_by_name(name);

	(void)ctx;
	if (IS_ERR(disk))
		return -ENODEV;
	out->sectors = disk->capacity;
	out->logical_block_size = disk->queue->limits.logical_block_size;
	blkdev_put(disk);
	return 0;
}

/* The table's opens of its parents (one each, as Linux's table device list). */
static void dm_table_put_parents(struct dm_table *t)
{
	for (u32 p = 0; p < t->nr_parents; p++)
		blkdev_put(t->parents[p]);
	t->nr_parents = 0;
}

void dm_table_destroy(struct dm_table *t)
{
	for (u32 i = t->nr_constructed; i-- > 0;)
		if (t->targets[i].type->dtr)
			t->targets[i].type->dtr(&t->targets[i]);
	dm_table_put_parents(t);
	kfree(t);
}

struct dm_table *dm_table_alloc(struct mapped_device *md, const char *text,
			       struct dm_table_error *err)
{
	struct dm_table *t = kzalloc(sizeof(*t));
	int ret;

	if (!t) {
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		return ERR_PTR(-ENOMEM);
	}
	t->md = md;
	ret = dm_table_parse(text, &t->spec, err);
	if (!ret)
		ret = dm_table_check(&t->spec, dm_lookup_disk, NULL, err);
	if (ret) {
		kfree(t);
		return ERR_PTR(ret);
	}
	for (u32 i = 0; i < t->spec.nr_targets; i++) {
		struct dm_target *ti = &t->targets[i];

		ti->spec = &t->spec.targets[i];
		ti->table = t;
		ti->type = dm_target_type_find(ti->spec->kind);
		for (u32 d = 0; d < ti->spec->nr_devs; d++) {
			u32 p;

			/* held open while the table lives: removing a parent fails its I/O only */
			ti->devs[d] = blkdev_get_by_name(ti->spec->devs[d].name);
			if (IS_ERR(ti->devs[d])) {
				snprintf(err->msg, sizeof(err->msg), "%s went away",
					 ti->spec->devs[d].name);
				err->line = i + 1;
				dm_table_put_parents(t);
				kfree(t);
				return ERR_PTR(-ENODEV);
			}
			for (p = 0; p < t->nr_parents; p++)
				if (t->parents[p] == ti->devs[d])
					break;
			if (p == t->nr_parents)
				t->parents[t->nr_parents++] = ti->devs[d];
			else
				blkdev_put(ti->devs[d]);	/* opened once per table */
		}
	}
	if (t->spec.nr_targets == 1 && t->targets[0].type->map_bio)
		t->whole_target = &t->targets[0];
	if (t->spec.nr_targets == 1 && t->spec.targets[0].kind == DM_TARGET_LINEAR) {
		/* unsigned wrap-around: start is 0 for one line, offset any */
		t->linear_dev = t->targets[0].devs[0];
		t->linear_delta = t->spec.targets[0].devs[0].offset - t->spec.targets[0].start;
	}
	return t;
}

int dm_table_construct(struct dm_table *t, struct dm_table_error *err)
{
	for (; t->nr_constructed < t->spec.nr_targets; t->nr_constructed++) {
		struct dm_target *ti = &t->targets[t->nr_constructed];
		int ret = ti->type->ctr ? ti->type->ctr(ti, err) : 0;

		if (ret) {
			if (!err->line)
				err->line = t->nr_constructed + 1;
			return ret;
		}
	}
	return 0;
}

/* Combine the parents' limits as Linux's blk_stack_limits does. */
void dm_table_limits(struct dm_table *t, struct queue_limits *lim)
{
	bool discard = true;

	*lim = (struct queue_limits){
		.logical_block_size = SECTOR_SIZE,
		.physical_block_size = SECTOR_SIZE,
		.max_sectors = 2048,
		.max_segments = 256,
		.max_segment_size = 1U << 20,
		.seg_boundary_mask = 0xffffffff,
		.dma_alignment = 511,
		.max_discard_sectors = 0xffffffffU >> SECTOR_SHIFT,
		.max_write_zeroes_sectors = 0xffffffffU >> SECTOR_SHIFT,
		/* pass-through: each parent does FUA and PREFLUSH its own way */
		.features = BLK_FEAT_WRITE_CACHE | BLK_FEAT_FUA | BLK_FEAT_PREFLUSH,
	};
	for (u32 i = 0; i < t->spec.nr_targets; i++)
		if (t->targets[i].type->no_discard)
			discard = false;
	for (u32 i = 0; i < t->nr_parents; i++) {
		const struct queue_limits *p = &t->parents[i]->queue->limits;

		lim->logical_block_size = max(lim->logical_block_size, p->logical_block_size);
		lim->physical_block_size = max(lim->physical_block_size, p->physical_block_size);
		lim->max_sectors = min(lim->max_sectors, p->max_sectors);
		lim->max_segments = min(lim->max_segments, p->max_segments);
		lim->max_segment_size = min(lim->max_segment_size, p->max_segment_size);
		lim->seg_boundary_mask = min(lim->seg_boundary_mask, p->seg_boundary_mask);
		lim->dma_alignment = max(lim->dma_alignment, p->dma_alignment);
		lim->virt_boundary_mask = max(lim->virt_boundary_mask, p->virt_boundary_mask);
		lim->max_discard_sectors = min(lim->max_discard_sectors, p->max_discard_sectors);
		lim->max_write_zeroes_sectors = min(lim->max_write_zeroes_sectors,
						    p->max_write_zeroes_sectors);
	}
	if (!discard) {
		lim->max_discard_sectors = 0;
		lim->max_write_zeroes_sectors = 0;
	}
	lim->max_sectors = max(lim->max_sectors, lim->logical_block_size >> SECTOR_SHIFT);
	lim->max_hw_sectors = lim->max_sectors;
	t->block_mask = (lim->logical_block_size >> SECTOR_SHIFT) - 1;
}

bool dm_disks_overlap(struct gendisk *a, struct gendisk *b)
{
	return a == b || a->whole == b || b->whole == a ||
	       (a->whole == b->whole && a != a->whole && b != b->whole &&
		a->part_offset < b->part_offset + b->capacity &&
		b->part_offset < a->part_offset + a->capacity);
}

/* Whether table t (of md) uses disk as a mirror leg. */
bool dm_table_claims(const struct dm_table *t, struct gendisk *disk)
{
	for (u32 i = 0; i < t->spec.nr_targets; i++) {
		const struct dm_target *ti = &t->targets[i];

		if (ti->spec->kind != DM_TARGET_MIRROR)
			continue;
		for (u32 d = 0; d < ti->spec->nr_devs; d++)
			if (dm_disks_overlap(ti->devs[d], disk))
				return true;
	}
	return false;
}

bool dm_table_uses(const struct dm_table *t, struct gendisk *disk)
{
	for (u32 i = 0; i < t->nr_parents; i++)
		if (dm_disks_overlap(t->parents[i], disk))
			return true;
	return false;
}

void dm_target_format(const struct dm_target_spec *ts, char *buf, size_t len)
{
	size_t n = (size_t)snprintf(buf, len, "%llu %llu %s", (unsigned long long)ts->start,
				    (unsigned long long)ts->len, dm_target_kind_name(ts->kind));

#define OUT(...) (n += (size_t)snprintf(buf + min(n, len), len - min(n, len), __VA_ARGS__))
	switch (ts->kind) {
	case DM_TARGET_STRIPED:
		OUT(" %u %u", ts->nr_devs, ts->striped.chunk_sectors);
		break;
	case DM_TARGET_MIRROR:
		OUT(" core %u %u%s %u", ts->mirror.nosync ? 2 : 1, ts->mirror.region_sectors,
		    ts->mirror.nosync ? " nosync" : "", ts->nr_devs);
		break;
	default:
		break;
	}
	for (u32 d = 0; d < ts->nr_devs; d++) {
		OUT(" %s %llu", ts->devs[d].name, (unsigned long long)ts->devs[d].offset);
		if (ts->kind == DM_TARGET_DELAY)
			OUT(" %u", d ? ts->delay.write_ms : ts->delay.read_ms);
	}
	if (ts->kind == DM_TARGET_MIRROR && ts->mirror.handle_errors)
		OUT(" 1 handle_errors");
	if (ts->kind == DM_TARGET_FLAKEY) {
		OUT(" %u %u", ts->flakey.up_seconds, ts->flakey.down_seconds);
		if (ts->flakey.mode == DM_FLAKEY_DROP_WRITES)
			OUT(" 1 drop_writes");
		else if (ts->flakey.mode == DM_FLAKEY_ERROR_WRITES)
			OUT(" 1 error_writes");
	}
#undef OUT
}
