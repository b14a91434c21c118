/*
 * The remapping targets: linear (a range of one disk), striped (chunks
 * dealt round-robin over N disks, RAID-0), and the two without parents,
 * zero (reads return zeroes, writes vanish) and error (every I/O fails).
 *
 * dm.c has already cut the clone at the end of the target and, for
 * striped, of the chunk, so mapping is dm_target_map's arithmetic on the
 * clone's sector: nothing is allocated and nothing waits.
 */
#include "block/dm/dm.h"
#include "kernel/mm/mm.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

static void dm_remap_map(struct dm_target *ti, struct dm_clone *c)
{
	c->bio.disk = ti->devs[c->map_dev];
	c->bio.sector = c->map_sector;
	submit_bio(&c->bio);
}

static void dm_striped_status(struct dm_target *ti, char *buf, size_t len)
{
	size_t n = (size_t)snprintf(buf, len, "%u", ti->spec->nr_devs);

	for (u32 d = 0; d < ti->spec->nr_devs && n < len; d++)
		n += (size_t)snprintf(buf + n, len - n, " %s", ti->devs[d]->name);
	if (n < len)
		n += (size_t)snprintf(buf + n, len - n, " 1 ");
	for (u32 d = 0; d < ti->spec->nr_devs && n + 1 < len; d++)
		buf[n++] = 'A';
	buf[min(n, len - 1)] = '\0';
}

static void dm_zero_map(struct dm_target *ti, struct dm_clone *c)
{
	(void)ti;
	if (c->bio.op == REQ_OP_READ) {
		u32 left = c->bio.size, off = c->bio.vec_offset;

		for (u16 i = 0; left; i++) {
			u32 len = min(c->bio.vecs[i].len - off, left);

			memset(phys_to_virt(c->bio.vecs[i].phys + off), 0, len);
			left -= len;
			off = 0;
		}
	}
	dm_clone_end(c, 0);
}

static void dm_error_map(struct dm_target *ti, struct dm_clone *c)
{
	(void)ti;
	dm_clone_end(c, -EIO);
}

const struct dm_target_type dm_linear_target = {
	.kind = DM_TARGET_LINEAR,
	.map = dm_remap_map,
	.remaps = true,
};

const struct dm_target_type dm_striped_target = {
	.kind = DM_TARGET_STRIPED,
	.map = dm_remap_map,
	.remaps = true,
	.status = dm_striped_status,
};

const struct dm_target_type dm_zero_target = {
	.kind = DM_TARGET_ZERO,
	.map = dm_zero_map,
};

const struct dm_target_type dm_error_target = {
	.kind = DM_TARGET_ERROR,
	.map = dm_error_map,
};
