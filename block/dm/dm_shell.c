/*
 * `dm`: dmsetup's verbs on the shell (create, remove, reload, suspend,
 * resume, table, status, ls) and `dm copy`, kcopyd from the command line.
 * A table is the rest of the line ("0 2048 linear vda 0; 2048 2048 zero"),
 * quoted or not.
 */
#include "block/dm/dm.h"
#include "block/dm/kcopyd.h"
#include "kernel/console/console.h"
#include "kernel/shell/shell.h"
#include "kernel/time/time.h"
#include "lib/errno.h"
#include "lib/json.h"
#include "lib/parse.h"
#include "lib/printf.h"
#include "lib/string.h"

#define DM_COPY_MAX_DESTS 8

static int dm_shell_error(const char *verb, const struct dm_table_error *err, int ret)
{
	if (err->line)
		return shell_error("dm %s: line %u field %s: %s", verb, err->line, err->field,
				   err->msg);
	if (err->msg[0])
		return shell_error("dm %s: %s", verb, err->msg);
	return shell_error("dm %s: failed (%d)", verb, ret);
}

/* argv[from ..] joined with blanks: the table. */
static int dm_join(int argc, char **argv, int from, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int i = from; i < argc; i++) {
		size_t w = strlen(argv[i]);

		if (n + w + 2 > len)
			return -E2BIG;
		if (n)
			buf[n++] = ' ';
		memcpy(buf + n, argv[i], w + 1);
		n += w;
	}
	return 0;
}

static int dm_cmd_table_verb(int argc, char **argv)
{
	static char text[DM_TABLE_TEXT_MAX];	/* the shell runs one command at a time */
	struct dm_table_error err;
	bool create = !strcmp(argv[1], "create");
	int ret;

	if (argc < 4)
		return shell_error("usage: dm %s <name> <table>", argv[1]);
	if (dm_join(argc, argv, 3, text, sizeof(text)))
		return shell_error("dm %s: table too long", argv[1]);
	ret = create ? dm_create(argv[2], text, &err) : dm_reload(argv[2], text, &err);
	if (ret)
		return dm_shell_error(argv[1], &err, ret);
	if (create) {
		struct mapped_device *md;

		dm_lock_acquire();
		md = dm_find_locked(argv[2]);
		if (md)
			printf("%s: %s\n", md->name, md->disk.name);
		dm_lock_release();
	}
	return 0;
}

static int dm_cmd_name_verb(int argc, char **argv)
{
	struct dm_table_error err;
	int ret;

	if (argc != 3)
		return shell_error("usage: dm %s <name>", argv[1]);
	if (!strcmp(argv[1], "remove"))
		ret = dm_remove(argv[2], &err);
	else if (!strcmp(argv[1], "suspend"))
		ret = dm_suspend(argv[2], &err);
	else
		ret = dm_resume(argv[2], &err);
	return ret ? dm_shell_error(argv[1], &err, ret) : 0;
}

static int dm_ls_one(struct mapped_device *md, void *arg)
{
	(void)arg;
	printf("%-16s %s\n", md->name, md->disk.name);
	return 0;
}

struct dm_show {
	const char *name;		/* NULL: every device */
	bool status, found;
	struct json_writer *w;		/* NULL: text */
};

/* dmsetup info's fields; Open count: opens of the dm disk and its partitions. */
static int dm_info_one(struct mapped_device *md, void *arg)
{
	struct dm_show *show = arg;

	if (show->name && strcmp(show->name, md->name) && strcmp(show->name, md->disk.name))
		return 0;
	if (show->found)
		puts("\n");
	show->found = true;
	printf("Name:              %s\n", md->name);
	printf("State:             %s\n", md->suspended ? "SUSPENDED" : "ACTIVE");
	printf("Tables present:    LIVE\n");
	printf("Open count:        %d\n", disk_open_count(&md->disk));
	printf("Disk:              %s\n", md->disk.name);
	printf("Number of targets: %u\n", md->map->spec.nr_targets);
	return 0;
}

static int dm_show_one(struct mapped_device *md, void *arg)
{
	struct dm_show *show = arg;
	struct dm_table *t = md->map;
	struct json_writer *w = show->w;
	char line[256], status[256];

	if (show->name && strcmp(show->name, md->name) && strcmp(show->name, md->disk.name))
		return 0;
	show->found = true;
	if (w) {
		json_object_begin(w);
		json_field_str(w, "name", md->name);
		json_field_str(w, "disk", md->disk.name);
		json_field_u64(w, "sectors", md->disk.capacity);
		json_field_bool(w, "suspended", md->suspended);
		json_field_u64(w, "open_count", (u64)disk_open_count(&md->disk));
		json_key(w, "targets");
		json_array_begin(w);
	}
	for (u32 i = 0; i < t->spec.nr_targets; i++) {
		const struct dm_target *ti = &t->targets[i];

		status[0] = '\0';
		if (show->status && ti->type->status)
			ti->type->status((struct dm_target *)ti, status, sizeof(status));
		dm_target_format(ti->spec, line, sizeof(line));
		if (w) {
			json_object_begin(w);
			json_field_u64(w, "start", ti->spec->start);
			json_field_u64(w, "length", ti->spec->len);
			json_field_str(w, "target", dm_target_kind_name(ti->spec->kind));
			json_field_str(w, "table", line);
			if (show->status)
				json_field_str(w, "status", status);
			json_object_end(w);
		} else if (show->status) {
			printf("%s: %llu %llu %s%s%s\n", md->name,
			       (unsigned long long)ti->spec->start,
			       (unsigned long long)ti->spec->len,
			       dm_target_kind_name(ti->spec->kind), status[0] ? " " : "", status);
		} else {
			printf("%s: %s\n", md->name, line);
		}
	}
	if (w) {
		json_array_end(w);
		json_object_end(w);
	}
	return 0;
}

/* dm table|status|ls [<name>] [--json] */
static int dm_cmd_show(int argc, char **argv)
{
	struct dm_show show = { .status = !strcmp(argv[1], "status") };
	bool ls = !strcmp(argv[1], "ls"), json = false;
	struct json_writer w;
	int err = shell_json_flag(&argc, argv, &json);

	if (err)
		return err;
	if (argc > 3 || (ls && argc > 2))
		return shell_error("usage: dm %s%s [--json]", argv[1], ls ? "" : " [<name>]");
	show.name = argc == 3 ? argv[2] : NULL;
	if (ls && !json) {
		dm_for_each(dm_ls_one, NULL);
		return 0;
	}
	if (json) {
		shell_json_begin(&w);
		json_object_begin(&w);
		json_key(&w, "devices");
		json_array_begin(&w);
		show.w = &w;
	}
	dm_for_each(dm_show_one, &show);
	if (json) {
		json_array_end(&w);
		json_object_end(&w);
		err = shell_json_end(&w);
	}
	if (show.name && !show.found)
		return shell_error("dm %s: no dm disk %s", argv[1], show.name);
	return err;
}

/* dm info [<name>]: as dmsetup info, for one device or every one */
static int dm_cmd_info(int argc, char **argv)
{
	struct dm_show show = { 0 };

	if (argc > 3)
		return shell_error("usage: dm info [<name>]");
	show.name = argc == 3 ? argv[2] : NULL;
	dm_for_each(dm_info_one, &show);
	if (show.name && !show.found)
		return shell_error("dm info: no dm disk %s", show.name);
	return 0;
}

/* The disks a copy holds open, let go on every return of the command. */
struct dm_copy_opens {
	struct gendisk *disks[1 + DM_COPY_MAX_DESTS];
	unsigned int nr;
};

static void dm_copy_opens_release(struct dm_copy_opens *o)
{
	while (o->nr)
		blkdev_put(o->disks[--o->nr]);
}

/* "<disk>:<start sector>:<sectors>"; the disk is opened into opens. */
static int dm_parse_region(char *text, struct dm_io_region *r, struct dm_copy_opens *opens)
{
	char *start = strchr(text, ':'), *count;

	if (!start)
		return -EINVAL;
	*start++ = '\0';
	count = strchr(start, ':');
	if (!count)
		return -EINVAL;
	*count++ = '\0';
	r->disk = blkdev_get_by_name(text);
	if (IS_ERR(r->disk))
		return -ENODEV;
	opens->disks[opens->nr++] = r->disk;
	if (parse_u64(start, &r->sector) || parse_u64(count, &r->count) || !r->count)
		return -EINVAL;
	return 0;
}

struct dm_copy_ui {
	u64 start_ns;
};

static void dm_copy_progress(void *ctx, u64 done, u64 total)
{
	struct dm_copy_ui *ui = ctx;
	u64 ms = (time_ns() - ui->start_ns) / 1000000;

	printf("dm copy: %llu/%llu MiB, %llu MiB/s\n", (unsigned long long)(done >> 20),
	       (unsigned long long)(total >> 20),
	       (unsigned long long)(ms ? (done >> 20) * 1000 / ms : 0));
}

static bool dm_copy_stop(void *ctx)
{
	(void)ctx;
	return console_interrupted();
}

static int dm_cmd_copy(int argc, char **argv)
{
	struct dm_copy_opens opens __attribute__((cleanup(dm_copy_opens_release))) = { 0 };
	struct dm_io_region from, to[DM_COPY_MAX_DESTS];
	u64 chunk = 512 * 1024, depth = 8, ns, kib_s;
	struct dm_copy_ui ui;
	struct kcopyd_hooks hooks = { dm_copy_progress, dm_copy_stop, &ui, 1000000000ULL };
	struct kcopyd_client *kc;
	struct kcopyd_result res;
	unsigned int nr = 0;
	char *dst, *next;
	int ret;

	if (argc < 4)
		return shell_error("usage: dm copy <disk>:<start>:<sectors> "
				   "<disk>:<start>:<sectors>[,...] [chunk=<size>] [depth=<n>]");
	for (int i = 4; i < argc; i++) {
		char *key, *value;

		if (parse_kv(argv[i], &key, &value))
			return shell_error("dm copy: bad option '%s'", argv[i]);
		if (!strcmp(key, "chunk")) {
			if (parse_size(value, &chunk) || !chunk || chunk % 4096 || chunk > (4 << 20))
				return shell_error("dm copy: chunk must be 4k .. 4m, in 4k steps");
		} else if (!strcmp(key, "depth")) {
			if (parse_u64(value, &depth) || !depth || depth > 64)
				return shell_error("dm copy: depth must be 1 .. 64");
		} else {
			return shell_error("dm copy: unknown option '%s'", key);
		}
	}
	ret = dm_parse_region(argv[2], &from, &opens);
	if (ret)
		return shell_error("dm copy: bad source region (%s)",
				   ret == -ENODEV ? "no such disk" : "<disk>:<start>:<sectors>");
	for (dst = argv[3]; dst; dst = next) {
		next = strchr(dst, ',');
		if (next)
			*next++ = '\0';
		if (nr == DM_COPY_MAX_DESTS)
			return shell_error("dm copy: at most %d destinations", DM_COPY_MAX_DESTS);
		ret = dm_parse_region(dst, &to[nr], &opens);
		if (ret)
			return shell_error("dm copy: bad destination %u (%s)", nr + 1,
					   ret == -ENODEV ? "no such disk"
							  : "<disk>:<start>:<sectors>");
		if (to[nr].count != from.count)
			return shell_error("dm copy: destination %u is not as long as the source",
					   nr + 1);
		nr++;
	}
	for (unsigned int i = 0; i <= nr; i++) {
		const struct dm_io_region *r = i ? &to[i - 1] : &from;

		if (r->sector > r->disk->capacity || r->count > r->disk->capacity - r->sector)
			return shell_error("dm copy: %s:%llu:%llu is past the end of %s",
					   r->disk->name, (unsigned long long)r->sector,
					   (unsigned long long)r->count, r->disk->name);
	}
	kc = kcopyd_client_create((u32)chunk, (u32)depth);
	if (IS_ERR(kc))
		return shell_error("dm copy: no memory for %llu chunks of %llu KiB",
				   (unsigned long long)depth, (unsigned long long)(chunk >> 10));
	ui.start_ns = time_ns();
	ret = kcopyd_copy(kc, &from, nr, to, &hooks, &res);
	ns = time_ns() - ui.start_ns;
	kcopyd_client_destroy(kc);
	kib_s = ns ? res.bytes / 1024 * 1000000000ULL / ns : 0;
	printf("dm copy: %llu bytes in %llu.%03llu s, %llu.%02llu MiB/s\n",
	       (unsigned long long)res.bytes, (unsigned long long)(ns / 1000000000ULL),
	       (unsigned long long)(ns / 1000000 % 1000), (unsigned long long)(kib_s / 1024),
	       (unsigned long long)(kib_s % 1024 * 100 / 1024));
	if (ret == -EINTR)
		return shell_error("dm copy: interrupted");
	if (res.read_error)
		return shell_error("dm copy: read error on %s", from.disk->name);
	if (res.write_error_bits)
		return shell_error("dm copy: write error (destinations 0x%llx)",
				   (unsigned long long)res.write_error_bits);
	return ret ? shell_error("dm copy: failed (%d)", ret) : 0;
}

static const struct {
	const char *verb;
	int (*run)(int argc, char **argv);
} dm_verbs[] = {
	{ "create", dm_cmd_table_verb },
	{ "reload", dm_cmd_table_verb },
	{ "remove", dm_cmd_name_verb },
	{ "suspend", dm_cmd_name_verb },
	{ "resume", dm_cmd_name_verb },
	{ "table", dm_cmd_show },
	{ "status", dm_cmd_show },
	{ "ls", dm_cmd_show },
	{ "info", dm_cmd_info },
	{ "copy", dm_cmd_copy },
};

static int cmd_dm(int argc, char **argv)
{
	if (argc < 2)
		return shell_usage_error(argv[0]);
	for (size_t i = 0; i < ARRAY_SIZE(dm_verbs); i++)
		if (!strcmp(argv[1], dm_verbs[i].verb))
			return dm_verbs[i].run(argc, argv);
	return shell_error("dm: unknown verb '%s' (create remove reload suspend resume table "
			   "status ls info copy)", argv[1]);
}
SHELL_COMMAND(dm, cmd_dm,
	      "dm create|reload <name> <table> | dm remove|suspend|resume <name> | "
	      "dm table|status [<name>] [--json] | dm ls [--json] | dm info [<name>] | "
	      "dm copy <disk>:<start>:<sectors> <disk>:<start>:<sectors>[,...] [chunk= depth=]",
	      "device-mapper: mapped disks dm-N from dmsetup tables; kcopyd copies");
