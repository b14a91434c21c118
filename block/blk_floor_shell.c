/*
 * `floor <dev> [ios=N] [bs=N] [rw=read|write] [wait=spin|hybrid|irq] [--json]`: the device floor
 * (block/blk_floor.h): the driver sends ios commands one at a time with
 * nothing but the queue entry, the doorbell and a spin on the completion
 * (or its interrupt, wait=irq), and this prints their latency, the IOPS that makes at iodepth 1, and the
 * exits per I/O (kernel/arch/exit_count.h) it took.
 */
#include "block/blk_floor.h"
#include "block/blk_disk_shell.h"
#include "kernel/arch/exit_count.h"
#include "kernel/console/console.h"
#include "kernel/mm/slab.h"
#include "kernel/shell/shell.h"
#include "lib/errno.h"
#include "lib/json.h"
#include "lib/math64.h"
#include "lib/parse.h"
#include "lib/printf.h"
#include "lib/string.h"

#define FLOOR_DEFAULT_IOS 2000

static const char *const floor_wait_names[] = {
	[BLK_FLOOR_SPIN] = "spin",
	[BLK_FLOOR_HYBRID] = "hybrid",
	[BLK_FLOOR_IRQ] = "irq",
};

static const char *const floor_wait_phrases[] = {
	[BLK_FLOOR_SPIN] = "spinning",
	[BLK_FLOOR_HYBRID] = "hybrid wait",
	[BLK_FLOOR_IRQ] = "waiting for the interrupt",
};

static void floor_print_us(const char *name, u64 ns)
{
	printf(" %s=%llu.%01llu", name, (unsigned long long)(ns / 1000),
	       (unsigned long long)(ns % 1000 / 100));
}

static int cmd_floor(int argc, char **argv)
{
	/* held open for the run: a disk removal waits until it returns */
	struct gendisk *opened __blk_cmd_put = NULL;
	const struct blk_floor_ops *ops;
	struct exit_counts before, after;
	struct histogram *lat = NULL;
	struct gendisk *disk;
	const char *how = "";
	u32 ios = FLOOR_DEFAULT_IOS, bs = 4096;
	enum blk_floor_wait wait = BLK_FLOOR_SPIN;
	bool json = false, write = false, known;
	u64 iops_milli, exits_total = 0;
	int err;

	err = shell_json_flag(&argc, argv, &json);
	if (err)
		return err;
	if (argc < 2)
		return shell_usage_error(argv[0]);
	for (int i = 2; i < argc; i++) {
		char *key, *val;
		u64 v;

		if (parse_kv(argv[i], &key, &val) || !val)
			return shell_usage_error(argv[0]);
		if (!strcmp(key, "ios") && !parse_u32(val, &ios) && ios >= 1 && ios <= 10000000)
			continue;
		if (!strcmp(key, "bs") && !parse_size(val, &v) && v >= 512 && v <= 8192) {
			bs = (u32)v;
			continue;
		}
		if (!strcmp(key, "wait")) {
			known = false;
			for (unsigned int w = 0; w < ARRAY_SIZE(floor_wait_names); w++)
				if (!strcmp(val, floor_wait_names[w])) {
					wait = (enum blk_floor_wait)w;
					known = true;
				}
			if (known)
				continue;
		}
		if (!strcmp(key, "rw") && (!strcmp(val, "read") || !strcmp(val, "write"))) {
			write = !strcmp(val, "write");
			continue;
		}
		return shell_error("%s=%s: ios=1..10000000, bs=512..8k, rw=read|write, wait=spin|hybrid|irq", key, val);
	}
	opened = blk_cmd_disk(argv[1]);
	if (!opened)
		return -ENODEV;
	disk = opened;
	if (disk != disk->whole)
		return shell_error("%s: a partition; measure the whole disk", disk->name);
	ops = blk_floor_find(disk->driver);
	if (!ops)
		return shell_error("%s: its driver (%s) cannot measure a floor (nvme, virtio-blk can)",
				   disk->name, disk->driver ? disk->driver : "none");
	if (write && disk->read_only)
		return shell_error("%s: read-only", disk->name);
	lat = kmalloc(sizeof(*lat));
	if (!lat)
		return shell_error("out of memory");
	hist_init(lat);
	exit_counts_read(&before);
	err = ops->run(disk, ios, bs, write, wait, lat, &how);
	exit_counts_read(&after);
	if (err) {
		kfree(lat);
		return shell_error("%s: floor: %s", disk->name, errno_name(err));
	}
	for (unsigned int k = 0; k < EXIT_KINDS; k++) {
		after.n[k] -= before.n[k];
		exits_total += after.n[k];
	}
	iops_milli = hist_mean_milli(lat) ? mul_u64_u64_div_u64(1000000000ULL, 1000000,
								   hist_mean_milli(lat)) : 0;
	if (json) {
		struct json_writer w;

		shell_json_begin(&w);
		json_object_begin(&w);
		json_field_str(&w, "disk", disk->name);
		json_field_str(&w, "driver", disk->driver);
		json_field_str(&w, "how", how);
		json_field_str(&w, "rw", write ? "write" : "read");
		json_field_str(&w, "wait", floor_wait_names[wait]);
		json_field_u64(&w, "bs", bs);
		json_field_u64(&w, "ios", lat->count);
		json_field_fixed(&w, "lat_mean_ns", hist_mean_milli(lat), 3);
		json_field_u64(&w, "lat_min_ns", lat->min);
		json_field_u64(&w, "lat_p50_ns", hist_percentile(lat, 500000));
		json_field_u64(&w, "lat_p99_ns", hist_percentile(lat, 990000));
		json_field_u64(&w, "lat_max_ns", lat->max);
		json_field_fixed(&w, "iops", iops_milli, 3);
		json_field_fixed(&w, "exits_per_io", mul_u64_u64_div_u64(exits_total, 1000, lat->count), 3);
		json_key(&w, "exits");
		json_object_begin(&w);
		for (unsigned int k = 0; k < EXIT_KINDS; k++)
			json_field_u64(&w, exit_kind_name(k), after.n[k]);
		json_object_end(&w);
		json_object_end(&w);
		kfree(lat);
		return shell_json_end(&w);
	}
	printf("%s: floor at iodepth 1, %u %ss of %u B on %s, %s\n", disk->name,
	       (unsigned int)lat->count, write ? "write" : "read", bs, how,
	       floor_wait_phrases[wait]);
	printf("  lat (us):");
	floor_print_us("mean", hist_mean_milli(lat) / 1000);
	floor_print_us("min", lat->min);
	floor_print_us("p50", hist_percentile(lat, 500000));
	floor_print_us("p99", hist_percentile(lat, 990000));
	floor_print_us("max", lat->max);
	printf("\n  IOPS=%llu.%01llu\n", (unsigned long long)(iops_milli / 1000),
	       (unsigned long long)(iops_milli % 1000 / 100));
	printf("  exits/io=%llu.%02llu (", (unsigned long long)(exits_total / lat->count),
	       (unsigned long long)(exits_total * 100 / lat->count % 100));
	for (unsigned int k = 0; k < EXIT_KINDS; k++)
		printf("%s%s=%llu", k ? " " : "", exit_kind_name(k), (unsigned long long)after.n[k]);
	printf(" in all)\n");
	kfree(lat);
	return 0;
}

SHELL_COMMAND(floor, cmd_floor, "floor <dev> [ios=N] [bs=N] [rw=read|write] [wait=spin|hybrid|irq] [--json]",
	      "the device floor: iodepth-1 latency with only entry, doorbell and a spin (or the interrupt)");
