/*
 * `nullb add|del|list`: null block devices made and removed from the
 * console, as Linux's null_blk module parameters and configfs do
 * (drivers/block/null_blk.c).
 */
#include "drivers/block/null_blk.h"
#include "block/blk_mq.h"
#include "block/blkdev.h"
#include "kernel/console/console.h"
#include "kernel/shell/shell.h"
#include "lib/errno.h"
#include "lib/json.h"
#include "lib/parse.h"
#include "lib/string.h"

static int nullb_cmd_add(int argc, char **argv)
{
	struct nullb_config cfg;
	struct gendisk *disk;

	nullb_config_default(&cfg);
	for (int i = 2; i < argc; i++) {
		char *key, *value;
		int err;

		if (parse_kv(argv[i], &key, &value))
			return shell_error("expected key=value, got '%s'", argv[i]);
		err = nullb_config_set(&cfg, key, value);
		if (err == -ENOENT)
			return shell_error("unknown option '%s'", key);
		if (err)
			return shell_error("bad value for %s: '%s'", key, value);
	}
	if (nullb_config_check(&cfg))
		return shell_error("invalid configuration (bs 512..4096, size a multiple of bs, "
				   "depth 1..%u, max_sectors >= one block)", NULLB_MAX_DEPTH);
	disk = nullb_create(&cfg);
	if (IS_ERR(disk))
		return shell_error("cannot create the device (error %ld)", PTR_ERR(disk));
	printf("%s\n", disk->name);
	if (cfg.shared_tags && disk->queue->tag_set->nr_queues > 1)
		/* the set was made by an earlier device: its numbers, not ours, hold */
		printf("%s: on the shared tag set (%u queues, depth %u, shared by %u devices)\n",
		       disk->name, disk->queue->tag_set->nr_hw_queues, disk->queue->tag_set->queue_depth,
		       disk->queue->tag_set->nr_queues);
	return 0;
}

static int nullb_json_one(const struct nullb_info *nb, void *arg)
{
	struct json_writer *w = arg;
	const struct nullb_config *c = nb->cfg;

	json_object_begin(w);
	json_field_str(w, "name", nb->name);
	json_field_u64(w, "size", c->size);
	json_field_u64(w, "bs", c->bs);
	json_field_u64(w, "queues", nb->queues);
	json_field_u64(w, "poll_queues", nb->poll_queues);
	json_field_str(w, "irqmode", nullb_irqmode_name(c->irqmode));
	json_field_u64(w, "completion_ns", c->completion_ns);
	json_field_u64(w, "depth", c->depth);
	json_field_bool(w, "memory_backed", c->memory_backed);
	json_field_u64(w, "pages", nb->pages);
	json_field_bool(w, "shared_tags", c->shared_tags);
	json_object_end(w);
	return 0;
}

static int nullb_print_one(const struct nullb_info *nb, void *arg)
{
	const struct nullb_config *c = nb->cfg;

	printf("%-8s %12llu %5u %6u %5u %6s %10llu %5u %7s %8llu %6s\n", nb->name,
	       (unsigned long long)c->size, c->bs, nb->queues, nb->poll_queues,
	       nullb_irqmode_name(c->irqmode), (unsigned long long)c->completion_ns, c->depth,
	       c->memory_backed ? "yes" : "no", (unsigned long long)nb->pages,
	       c->shared_tags ? "yes" : "no");
	return 0;
}

static int nullb_cmd_list(bool json)
{
	struct json_writer w;

	if (!json) {
		printf("%-8s %12s %5s %6s %5s %6s %10s %5s %7s %8s %6s\n", "NAME", "SIZE", "BS",
		       "QUEUES", "POLL", "IRQ", "COMPL-NS", "DEPTH", "MEMORY", "PAGES", "SHARED");
		nullb_for_each(nullb_print_one, NULL);
		return 0;
	}
	shell_json_begin(&w);
	json_object_begin(&w);
	json_key(&w, "devices");
	json_array_begin(&w);
	nullb_for_each(nullb_json_one, &w);
	json_array_end(&w);
	json_object_end(&w);
	return shell_json_end(&w);
}

static int cmd_nullb(int argc, char **argv)
{
	bool json = false;
	int err;

	err = shell_json_flag(&argc, argv, &json);
	if (err)
		return err;
	if (argc >= 2 && !strcmp(argv[1], "list")) {
		if (argc != 2)
			return shell_usage_error(argv[0]);
		return nullb_cmd_list(json);
	}
	if (json)
		return shell_error("--json goes with nullb list");
	if (argc >= 2 && !strcmp(argv[1], "add"))
		return nullb_cmd_add(argc, argv);
	if (argc == 3 && !strcmp(argv[1], "del")) {
		struct gendisk *disk = blkdev_get_by_name(argv[2]);
		int users;

		if (IS_ERR(disk))
			return shell_error("no null device '%s'", argv[2]);
		users = disk_open_count(disk) - 1;	/* not this command's own open */
		if (disk->whole != disk || nullb_destroy(disk)) {
			blkdev_put(disk);
			return shell_error("no null device '%s'", argv[2]);
		}
		/* as del_gendisk: in use, it goes now and is freed when its users let go */
		if (users > 0)
			printf("%s: removed while open (%d user%s): their I/O fails; freed when the last lets go\n",
			       argv[2], users, users == 1 ? "" : "s");
		blkdev_put(disk);
		return 0;
	}
	return shell_usage_error(argv[0]);
}
SHELL_COMMAND(nullb, cmd_nullb,
	      "nullb add [size=] [bs=] [queues=] [poll_queues=] [irqmode=none|ipi|timer] "
	      "[completion_ns=] [memory_backed=1] [depth=|hw_queue_depth=] [max_sectors=] [max_segments=] "
	      "[timeout_ms=] [timeout_every=N] [shared_tags=1] | "
	      "nullb del <name> | nullb list [--json]",
	      "null block devices (the block layer alone)");
