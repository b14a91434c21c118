/*
 * Unit tests for block/dm/dm_table_parse.c: every target parsed, every
 * kind of bad table refused with the line and field named, the check
 * against parent disks, target lookup, and the striping and mirror region
 * math against an independent model (a stripe set laid out chunk by chunk).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "block/dm/dm_table_parse.c"

static struct dm_table_spec spec;
static struct dm_table_error err;

static void test_parse_every_target(void **state)
{
	(void)state;
	assert_int_equal(dm_table_parse("0 2048 linear vda 100", &spec, &err), 0);
	assert_int_equal(spec.nr_targets, 1);
	assert_int_equal(spec.sectors, 2048);
	assert_int_equal(spec.targets[0].kind, DM_TARGET_LINEAR);
	assert_string_equal(spec.targets[0].devs[0].name, "vda");
	assert_int_equal(spec.targets[0].devs[0].offset, 100);

	assert_int_equal(dm_table_parse("0 4096 striped 2 64 vda 0 vdb 8", &spec, &err), 0);
	assert_int_equal(spec.targets[0].kind, DM_TARGET_STRIPED);
	assert_int_equal(spec.targets[0].nr_devs, 2);
	assert_int_equal(spec.targets[0].striped.chunk_sectors, 64);
	assert_int_equal(spec.targets[0].striped.chunk_shift, 6);
	assert_string_equal(spec.targets[0].devs[1].name, "vdb");
	assert_int_equal(spec.targets[0].devs[1].offset, 8);

	assert_int_equal(dm_table_parse("0 8192 mirror core 1 1024 2 vda 0 vdb 0", &spec, &err), 0);
	assert_int_equal(spec.targets[0].kind, DM_TARGET_MIRROR);
	assert_int_equal(spec.targets[0].mirror.region_sectors, 1024);
	assert_false(spec.targets[0].mirror.nosync);
	assert_int_equal(dm_mirror_nr_regions(&spec.targets[0]), 8);
	assert_int_equal(dm_table_parse("0 8000 mirror core 2 1024 nosync 3 a 0 b 0 c 0 "
					"1 handle_errors", &spec, &err), 0);
	assert_true(spec.targets[0].mirror.nosync);
	assert_true(spec.targets[0].mirror.handle_errors);
	assert_int_equal(spec.targets[0].nr_devs, 3);
	assert_int_equal(dm_mirror_nr_regions(&spec.targets[0]), 8);

	assert_int_equal(dm_table_parse("0 100 error; 100 50 zero", &spec, &err), 0);
	assert_int_equal(spec.nr_targets, 2);
	assert_int_equal(spec.targets[0].kind, DM_TARGET_ERROR);
	assert_int_equal(spec.targets[1].kind, DM_TARGET_ZERO);
	assert_int_equal(spec.targets[1].start, 100);
	assert_int_equal(spec.sectors, 150);

	assert_int_equal(dm_table_parse("0 64 flakey vda 0 5 2", &spec, &err), 0);
	assert_int_equal(spec.targets[0].flakey.up_seconds, 5);
	assert_int_equal(spec.targets[0].flakey.down_seconds, 2);
	assert_int_equal(spec.targets[0].flakey.mode, DM_FLAKEY_ERROR_ALL);
	assert_int_equal(dm_table_parse("0 64 flakey vda 0 5 2 1 drop_writes", &spec, &err), 0);
	assert_int_equal(spec.targets[0].flakey.mode, DM_FLAKEY_DROP_WRITES);
	assert_int_equal(dm_table_parse("0 64 flakey vda 0 5 2 1 error_writes", &spec, &err), 0);
	assert_int_equal(spec.targets[0].flakey.mode, DM_FLAKEY_ERROR_WRITES);

	assert_int_equal(dm_table_parse("0 64 delay vda 0 50", &spec, &err), 0);
	assert_int_equal(spec.targets[0].nr_devs, 1);
	assert_int_equal(spec.targets[0].delay.read_ms, 50);
	assert_int_equal(spec.targets[0].delay.write_ms, 50);
	assert_int_equal(dm_table_parse("0 64 delay vda 0 50 vdb 16 200", &spec, &err), 0);
	assert_int_equal(spec.targets[0].nr_devs, 2);
	assert_int_equal(spec.targets[0].delay.write_ms, 200);
	assert_int_equal(spec.targets[0].devs[1].offset, 16);

	/* several lines, newlines and a trailing separator, extra blanks */
	assert_int_equal(dm_table_parse("  0 10 linear a 0 ;\n10 20\tlinear b 5;", &spec, &err), 0);
	assert_int_equal(spec.nr_targets, 2);
	assert_int_equal(spec.sectors, 30);
	assert_string_equal(spec.targets[1].devs[0].name, "b");
	assert_string_equal(dm_target_kind_name(DM_TARGET_DELAY), "delay");
	assert_null(dm_target_kind_name(DM_TARGET_KIND_COUNT));
}

struct bad_case {
	const char *table;
	u32 line;
	const char *field;
};

static void test_parse_bad_tables(void **state)
{
	static const struct bad_case cases[] = {
		{ "", 0, "table" },
		{ " ; ;", 0, "table" },
		{ "0 100 raid5 vda 0", 1, "target" },
		{ "0 100", 1, "target" },
		{ "0 100 linear vda", 1, "offset" },
		{ "0 100 linear", 1, "dev" },
		{ "0 100 linear vda x", 1, "offset" },
		{ "0 100 linear vda 0 7", 1, "args" },
		{ "x 100 linear vda 0", 1, "start" },
		{ "0 -1 linear vda 0", 1, "length" },
		{ "0 0 linear vda 0", 1, "length" },
		{ "5 100 linear vda 0", 1, "start" },
		{ "0 100 linear vda 0; 50 100 linear vdb 0", 2, "start" },	/* overlap */
		{ "0 100 linear vda 0; 150 100 linear vdb 0", 2, "start" },	/* gap */
		{ "0 100 linear vda 0; 100 100 linear vdb 0; 100 1 zero", 3, "start" },
		{ "0 4096 striped 2 48 vda 0 vdb 0", 1, "chunk_size" },
		{ "0 4096 striped 2 0 vda 0 vdb 0", 1, "chunk_size" },
		{ "0 4096 striped 0 64 vda 0 vdb 0", 1, "stripes" },
		{ "0 4096 striped 9 64 a 0 b 0 c 0 d 0 e 0 f 0 g 0 h 0 i 0", 1, "stripes" },
		{ "0 4096 striped 3 64 vda 0 vdb 0", 1, "dev" },
		{ "0 4000 striped 2 64 vda 0 vdb 0", 1, "length" },
		{ "0 192 striped 2 64 vda 0 vdb 0", 1, "length" },
		{ "0 1024 mirror disk 1 64 2 vda 0 vdb 0", 1, "log_type" },
		{ "0 1024 mirror core 1 100 2 vda 0 vdb 0", 1, "region_size" },
		{ "0 1024 mirror core 2 64 maybe 2 vda 0 vdb 0", 1, "log_args" },
		{ "0 1024 mirror core 3 64 2 vda 0 vdb 0", 1, "log_args" },
		{ "0 1024 mirror core 1 64 1 vda 0", 1, "legs" },
		{ "0 1024 mirror core 1 64 2 vda 0", 1, "dev" },
		{ "0 1024 mirror core 1 64 2 vda 0 vdb 0 1 keep_log", 1, "features" },
		{ "0 1024 mirror core 1 64 2 vda 0 vdb 0 1", 1, "features" },
		{ "0 1 error x", 1, "args" },
		{ "0 1 zero 0", 1, "args" },
		{ "0 64 flakey vda 0 5", 1, "down" },
		{ "0 64 flakey vda 0 0 0", 1, "down" },
		{ "0 64 flakey vda 0 5 2 1 corrupt", 1, "features" },
		{ "0 64 delay vda 0", 1, "delay" },
		{ "0 64 delay vda 0 10 vdb 0", 1, "write_delay" },
		{ "0 64 delay vda 0 100000", 1, "delay" },
		{ "0 64 linear a_name_that_is_far_too_long_for_a_disk 0", 1, "dev" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int ret = dm_table_parse(cases[i].table, &spec, &err);

		if (ret != -EINVAL || err.line != cases[i].line ||
		    strcmp(err.field, cases[i].field))
			fail_msg("table '%s': ret %d line %u field '%s' (%s); expected line %u "
				 "field '%s'", cases[i].table, ret, err.line, err.field, err.msg,
				 cases[i].line, cases[i].field);
		assert_true(err.msg[0] != '\0');
	}
}

static void test_parse_limits(void **state)
{
	char text[DM_TABLE_TEXT_MAX + 16];
	size_t n = 0;

	(void)state;
	/* 17 lines: one too many */
	for (int i = 0; i < 17; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%d 1 zero;", i);
	assert_int_equal(dm_table_parse(text, &spec, &err), -EINVAL);
	assert_int_equal(err.line, 17);
	assert_string_equal(err.field, "table");
	memset(text, ' ', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	assert_int_equal(dm_table_parse(text, &spec, &err), -EINVAL);
	assert_int_equal(err.line, 0);
}

/* Parents for the check: vda 1000 sectors of 512, vdb 4096 of 4096-byte blocks. */
static int lookup(void *ctx, const char *name, struct dm_disk_info *out)
{
	(void)ctx;
	if (!strcmp(name, "vda")) {
		*out = (struct dm_disk_info){ .sectors = 1000, .logical_block_size = 512 };
		return 0;
	}
	if (!strcmp(name, "vdb")) {
		*out = (struct dm_disk_info){ .sectors = 4096, .logical_block_size = 4096 };
		return 0;
	}
	return -ENODEV;
}

static int check(const char *table)
{
	assert_int_equal(dm_table_parse(table, &spec, &err), 0);
	return dm_table_check(&spec, lookup, NULL, &err);
}

static void test_check(void **state)
{
	(void)state;
	assert_int_equal(check("0 1000 linear vda 0"), 0);
	assert_int_equal(check("0 999 linear vda 1"), 0);
	assert_int_equal(check("0 1000 linear vda 1"), -EINVAL);
	assert_string_equal(err.field, "offset");
	assert_int_equal(err.line, 1);
	assert_int_equal(check("0 10 zero; 10 10 linear vda 1000"), -EINVAL);
	assert_int_equal(err.line, 2);
	assert_int_equal(check("0 1 linear vda 5000"), -EINVAL);
	assert_int_equal(check("0 8 linear vdc 0"), -ENODEV);
	assert_string_equal(err.field, "dev");
	assert_non_null(strstr(err.msg, "vdc"));
	/* striped: each stripe takes len / stripes */
	assert_int_equal(check("0 1024 striped 2 8 vda 488 vda 0"), 0);
	assert_int_equal(check("0 1024 striped 2 8 vda 489 vda 0"), -EINVAL);
	/* 4 KiB parents: offsets, lengths and chunks in whole blocks */
	assert_int_equal(check("0 4096 linear vdb 0"), 0);
	assert_int_equal(check("0 4096 linear vdb 4"), -EINVAL);
	assert_string_equal(err.field, "offset");
	assert_int_equal(check("0 4092 linear vdb 0"), -EINVAL);
	assert_string_equal(err.field, "length");
	assert_int_equal(check("0 1024 striped 2 4 vdb 0 vdb 512"), -EINVAL);
	assert_string_equal(err.field, "chunk_size");
	assert_int_equal(check("0 1024 striped 2 8 vdb 0 vdb 512"), 0);
	/* mirror: every leg holds len */
	assert_int_equal(check("0 1000 mirror core 1 64 2 vda 0 vda 0"), 0);
	assert_int_equal(check("0 1000 mirror core 1 64 2 vda 0 vdb 4000"), -EINVAL);
	assert_int_equal(check("0 50 error; 50 50 zero"), 0);
}

static void test_find(void **state)
{
	(void)state;
	assert_int_equal(dm_table_parse("0 10 zero; 10 5 error; 15 100 zero; 115 1 zero",
					&spec, &err), 0);
	assert_int_equal(dm_table_find(&spec, 0), 0);
	assert_int_equal(dm_table_find(&spec, 9), 0);
	assert_int_equal(dm_table_find(&spec, 10), 1);
	assert_int_equal(dm_table_find(&spec, 14), 1);
	assert_int_equal(dm_table_find(&spec, 15), 2);
	assert_int_equal(dm_table_find(&spec, 114), 2);
	assert_int_equal(dm_table_find(&spec, 115), 3);
	assert_int_equal(dm_table_find(&spec, 116), -1);
	for (u64 s = 0; s < 116; s++) {
		int i = dm_table_find(&spec, s);

		assert_true(spec.targets[i].start <= s &&
			    s < spec.targets[i].start + spec.targets[i].len);
	}
}

/*
 * The model: lay the striped target out chunk by chunk, chunk c of the
 * target on stripe c % n at that stripe's next free chunk, and record for
 * every target sector its (stripe, sector).
 */
static void test_striped_against_model(void **state)
{
	static const u32 stripes[] = { 1, 2, 3, 4, 8 };
	static const u32 chunks[] = { 1, 8, 128 };

	(void)state;
	for (size_t a = 0; a < ARRAY_SIZE(stripes); a++) {
		for (size_t b = 0; b < ARRAY_SIZE(chunks); b++) {
			u32 n = stripes[a], chunk = chunks[b];
			u64 len = (u64)n * chunk * 5, next[DM_MAX_DEVS] = { 0 };
			char text[256];
			size_t off;
			u64 start = 64;

			off = (size_t)snprintf(text, sizeof(text), "0 64 zero; 64 %llu striped %u %u",
					       (unsigned long long)len, n, chunk);
			for (u32 d = 0; d < n; d++)
				off += (size_t)snprintf(text + off, sizeof(text) - off, " d%u %u", d,
							1000 * d);
			assert_int_equal(dm_table_parse(text, &spec, &err), 0);
			const struct dm_target_spec *ts = &spec.targets[1];

			for (u64 c = 0; c < len / chunk; c++) {
				u32 dev = (u32)(c % n);

				for (u32 i = 0; i < chunk; i++) {
					struct dm_map m;
					u64 s = start + c * chunk + i;

					dm_target_map(ts, s, false, &m);
					assert_int_equal(m.dev, dev);
					assert_int_equal(m.sector, 1000 * dev + next[dev] + i);
					assert_int_equal(m.max_sectors, chunk - i);
				}
				next[dev] += chunk;
			}
			for (u32 d = 0; d < n; d++)
				assert_int_equal(next[d], dm_target_dev_sectors(ts, d));
		}
	}
}

static void test_linear_mirror_delay_map(void **state)
{
	struct dm_map m;

	(void)state;
	assert_int_equal(dm_table_parse("0 100 zero; 100 300 linear vda 7", &spec, &err), 0);
	dm_target_map(&spec.targets[1], 150, true, &m);
	assert_int_equal(m.dev, 0);
	assert_int_equal(m.sector, 57);
	assert_int_equal(m.max_sectors, 250);

	/* mirror pieces end at region boundaries and at the end of the target */
	assert_int_equal(dm_table_parse("0 1000 mirror core 1 256 2 vda 10 vdb 20", &spec, &err), 0);
	for (u64 s = 0; s < 1000; s++) {
		dm_target_map(&spec.targets[0], s, true, &m);
		assert_int_equal(m.sector, 10 + s);
		assert_int_equal(m.max_sectors, min((s / 256 + 1) * 256, (u64)1000) - s);
		assert_int_equal(dm_mirror_region(&spec.targets[0], s), s / 256);
	}
	assert_int_equal(dm_mirror_nr_regions(&spec.targets[0]), 4);

	assert_int_equal(dm_table_parse("0 64 delay vda 0 50 vdb 16 200", &spec, &err), 0);
	dm_target_map(&spec.targets[0], 3, false, &m);
	assert_int_equal(m.dev, 0);
	assert_int_equal(m.sector, 3);
	dm_target_map(&spec.targets[0], 3, true, &m);
	assert_int_equal(m.dev, 1);
	assert_int_equal(m.sector, 19);
}

static void test_mirror_read_leg(void **state)
{
	u32 cursor = 0, count[3] = { 0 };

	(void)state;
	/* in sync, every leg usable: round robin */
	for (int i = 0; i < 300; i++)
		count[dm_mirror_read_leg(3, 7, true, 0, &cursor)]++;
	assert_int_equal(count[0], 100);
	assert_int_equal(count[1], 100);
	assert_int_equal(count[2], 100);
	/* a failed leg is skipped */
	for (int i = 0; i < 50; i++)
		assert_int_not_equal(dm_mirror_read_leg(3, 5, true, 0, &cursor), 1);
	/* out of sync: only the default leg, or nothing */
	assert_int_equal(dm_mirror_read_leg(3, 7, false, 2, &cursor), 2);
	assert_int_equal(dm_mirror_read_leg(3, 3, false, 2, &cursor), -1);
	assert_int_equal(dm_mirror_read_leg(3, 0, true, 0, &cursor), -1);
	cursor = 1000;	/* any cursor value is safe */
	assert_true(dm_mirror_read_leg(3, 4, true, 0, &cursor) == 2);
}

static void test_flakey_intervals(void **state)
{
	(void)state;
	assert_int_equal(dm_table_parse("0 64 flakey vda 0 3 1", &spec, &err), 0);
	assert_true(dm_flakey_is_up(&spec.targets[0], 0));
	assert_true(dm_flakey_is_up(&spec.targets[0], 2999));
	assert_false(dm_flakey_is_up(&spec.targets[0], 3000));
	assert_false(dm_flakey_is_up(&spec.targets[0], 3999));
	assert_true(dm_flakey_is_up(&spec.targets[0], 4000));
	assert_int_equal(dm_table_parse("0 64 flakey vda 0 0 1", &spec, &err), 0);
	assert_false(dm_flakey_is_up(&spec.targets[0], 500));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_every_target),
		cmocka_unit_test(test_parse_bad_tables),
		cmocka_unit_test(test_parse_limits),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_striped_against_model),
		cmocka_unit_test(test_linear_mirror_delay_map),
		cmocka_unit_test(test_mirror_read_leg),
		cmocka_unit_test(test_flakey_intervals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
