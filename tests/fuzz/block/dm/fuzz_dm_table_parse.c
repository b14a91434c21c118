/*
 * Fuzz device-mapper's table parser (block/dm/dm_table_parse.c): the input
 * is a dmsetup table as typed after `dm create <name>`. A table that parses
 * must cover 0 .. sectors without gap, overlap or wrap, with sane targets;
 * checked against three made-up parent disks (a: 1 GiB of 512-byte blocks,
 * b: 2^40 sectors of 4 KiB blocks, c: 8 sectors), every sector the harness
 * then maps (each target's first and last, and a few from the input) must
 * land inside the range dm_table_check accepted on its parent.
 */
#include "tests/fuzz/fuzz.h"
#include "block/dm/dm_table_parse.c"

static int fuzz_dm_lookup(void *ctx, const char *name, struct dm_disk_info *out)
{
	(void)ctx;
	if (!strcmp(name, "a"))
		*out = (struct dm_disk_info){ 1ULL << 21, 512 };
	else if (!strcmp(name, "b"))
		*out = (struct dm_disk_info){ 1ULL << 40, 4096 };
	else if (!strcmp(name, "c"))
		*out = (struct dm_disk_info){ 8, 512 };
	else
		return -ENODEV;
	return 0;
}

static void fuzz_dm_check_spec(const struct dm_table_spec *t)
{
	u64 end = 0;

	FUZZ_CHECK(t->nr_targets >= 1 && t->nr_targets <= DM_MAX_TARGETS);
	for (u32 i = 0; i < t->nr_targets; i++) {
		const struct dm_target_spec *ts = &t->targets[i];

		FUZZ_CHECK(ts->start == end && ts->len && ts->start + ts->len > ts->start);
		end = ts->start + ts->len;
		FUZZ_CHECK(dm_target_kind_name(ts->kind) != NULL);
		FUZZ_CHECK(ts->nr_devs <= DM_MAX_DEVS);
		for (u32 d = 0; d < ts->nr_devs; d++)
			FUZZ_CHECK(strnlen(ts->devs[d].name, DM_DEV_NAME_LEN) < DM_DEV_NAME_LEN);
		switch (ts->kind) {
		case DM_TARGET_STRIPED:
			FUZZ_CHECK(ts->nr_devs >= 1 && is_pow2(ts->striped.chunk_sectors));
			FUZZ_CHECK(1ULL << ts->striped.chunk_shift == ts->striped.chunk_sectors);
			FUZZ_CHECK(ts->len % ((u64)ts->striped.chunk_sectors * ts->nr_devs) == 0);
			break;
		case DM_TARGET_MIRROR:
			FUZZ_CHECK(ts->nr_devs >= 1 && is_pow2(ts->mirror.region_sectors));
			FUZZ_CHECK(dm_mirror_nr_regions(ts) >= 1);
			break;
		case DM_TARGET_LINEAR:
		case DM_TARGET_FLAKEY:
			FUZZ_CHECK(ts->nr_devs == 1);
			break;
		case DM_TARGET_DELAY:
			FUZZ_CHECK(ts->nr_devs == 1 || ts->nr_devs == 2);
			break;
		default:
			FUZZ_CHECK(ts->nr_devs == 0);
		}
	}
	FUZZ_CHECK(t->sectors == end);
}

/* Map sector and check the piece lies in the target and in what the check allowed. */
static void fuzz_dm_map_one(const struct dm_table_spec *t, u64 sector, bool write)
{
	const struct dm_target_spec *ts;
	struct dm_map m;
	int i = dm_table_find(t, sector);
	u64 rel;

	if (sector >= t->sectors) {
		FUZZ_CHECK(i == -1);
		return;
	}
	FUZZ_CHECK(i >= 0 && (u32)i < t->nr_targets);
	ts = &t->targets[i];
	FUZZ_CHECK(ts->start <= sector && sector - ts->start < ts->len);
	rel = sector - ts->start;
	dm_target_map(ts, sector, write, &m);
	FUZZ_CHECK(m.max_sectors >= 1 && m.max_sectors <= ts->len - rel);
	if (ts->kind == DM_TARGET_FLAKEY)
		(void)dm_flakey_is_up(ts, sector);
	if (!ts->nr_devs)
		return;
	FUZZ_CHECK(m.dev < ts->nr_devs);
	/* the piece, relative to its parent's offset, inside the sectors checked there */
	FUZZ_CHECK(m.sector >= ts->devs[m.dev].offset);
	FUZZ_CHECK(m.sector - ts->devs[m.dev].offset + m.max_sectors <=
		   dm_target_dev_sectors(ts, m.dev));
	if (ts->kind == DM_TARGET_MIRROR) {
		u32 cursor = (u32)sector, usable = (u32)(sector >> 8);
		int leg = dm_mirror_read_leg(ts->nr_devs, usable, sector & 1, 0, &cursor);

		FUZZ_CHECK(leg == -1 || ((u32)leg < ts->nr_devs && (usable >> leg & 1)));
		FUZZ_CHECK(dm_mirror_region(ts, rel) < dm_mirror_nr_regions(ts));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dm_table_spec t;
	struct dm_table_error err;
	char *text;

	if (size > 4 * DM_TABLE_TEXT_MAX)
		return 0;
	text = fuzz_string(data, size);
	if (dm_table_parse(text, &t, &err)) {
		FUZZ_CHECK(strnlen(err.msg, sizeof(err.msg)) < sizeof(err.msg));
		FUZZ_CHECK(strnlen(err.field, sizeof(err.field)) < sizeof(err.field));
		goto out;
	}
	fuzz_dm_check_spec(&t);
	if (dm_table_check(&t, fuzz_dm_lookup, NULL, &err))
		goto out;
	for (u32 i = 0; i < t.nr_targets; i++) {
		fuzz_dm_map_one(&t, t.targets[i].start, i & 1);
		fuzz_dm_map_one(&t, t.targets[i].start + t.targets[i].len - 1, !(i & 1));
	}
	for (size_t i = 0; i + 8 <= size && i < 64; i += 8) {
		u64 s = 0;

		for (int b = 0; b < 8; b++)
			s |= (u64)data[i + b] << (8 * b);
		fuzz_dm_map_one(&t, t.sectors ? s % (t.sectors + 1) : s, data[i] & 1);
	}
out:
	free(text);
	return 0;
}
