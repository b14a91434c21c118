/*
 * flakey: a linear mapping that is up for up_seconds, then down for
 * down_seconds, over and over from the moment the table was loaded (Linux's
 * dm-flakey). While down it fails every I/O, or with a feature drops
 * writes (they complete as if written) or fails only writes.
 */
#include "block/dm/dm.h"
#include "kernel/mm/slab.h"
#include "kernel/time/time.h"
#include "lib/errno.h"
#include "lib/printf.h"

struct dm_flakey {
	u64 start_ns;
	u64 dropped, failed;		/* writes dropped, I/Os failed; atomic */
};

static int dm_flakey_ctr(struct dm_target *ti, struct dm_table_error *err)
{
	struct dm_flakey *fc = kzalloc(sizeof(*fc));

	if (!fc) {
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		return -ENOMEM;
	}
	fc->start_ns = time_ns();
	ti->private = fc;
	return 0;
}

static void dm_flakey_dtr(struct dm_target *ti)
{
	kfree(ti->private);
}

static void dm_flakey_map(struct dm_target *ti, struct dm_clone *c)
{
	struct dm_flakey *fc = ti->private;
	bool write = op_is_write(c->bio.op);

	if (!dm_flakey_is_up(ti->spec, (time_ns() - fc->start_ns) / 1000000)) {
		switch (ti->spec->flakey.mode) {
		case DM_FLAKEY_DROP_WRITES:
			if (write) {
				__atomic_fetch_add(&fc->dropped, 1, __ATOMIC_RELAXED);
				dm_clone_end(c, 0);
				return;
			}
			break;
		case DM_FLAKEY_ERROR_WRITES:
			if (!write)
				break;
			/* fall through */
		case DM_FLAKEY_ERROR_ALL:
			__atomic_fetch_add(&fc->failed, 1, __ATOMIC_RELAXED);
			dm_clone_end(c, -EIO);
			return;
		}
	}
	c->bio.disk = ti->devs[0];
	c->bio.sector = c->map_sector;
	submit_bio(&c->bio);
}

static void dm_flakey_status(struct dm_target *ti, char *buf, size_t len)
{
	struct dm_flakey *fc = ti->private;
	bool up = dm_flakey_is_up(ti->spec, (time_ns() - fc->start_ns) / 1000000);

	snprintf(buf, len, "%s dropped=%llu failed=%llu", up ? "up" : "down",
		 (unsigned long long)__atomic_load_n(&fc->dropped, __ATOMIC_RELAXED),
		 (unsigned long long)__atomic_load_n(&fc->failed, __ATOMIC_RELAXED));
}

const struct dm_target_type dm_flakey_target = {
	.kind = DM_TARGET_FLAKEY,
	.ctr = dm_flakey_ctr,
	.dtr = dm_flakey_dtr,
	.map = dm_flakey_map,
	.status = dm_flakey_status,
};
