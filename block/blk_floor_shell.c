/*
 * `floor <dev> [ios=N] [bs=N] [rw=read|write] [wait=spin|hybrid|irq] [jobs=N] [--json]`: the device floor
 * (block/blk_floor.h): the driver sends ios commands one at a time with
 * nothing but the queue entry, the doorbell and a spin on the completion
 * (or its interrupt, wait=irq), and this prints their latency, the IOPS
 * that makes at iodepth 1, and the exits per I/O
 * (kernel/arch/exit_count.h) it took. jobs=N runs N such streams at once,
 * one on each of the first N online CPUs, each on a queue of its own;
 * IOPS is then their sum.
 */
#include "block/blk_floor.h"
#include "block/blk_disk_shell.h"
#include "kernel/arch/exit_count.h"
#include "kernel/arch/percpu.h"
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

/* IOPS x 1000 of one stream at iodepth 1: one second over its mean latency. */
static u64 floor_iops_milli(const struct histogram *lat)
{
	u64 mean = hist_mean_milli(lat);

	return mean ? mul_u64_u64_div_u64(1000000000ULL, 1000000, mean) : 0;
}

static int cmd_floor(int argc, char **argv)
{
	/* held open for the run: a disk removal waits until it returns */
	struct gendisk *opened __blk_cmd_put = NULL;
	struct blk_floor_params p = { .ios = FLOOR_DEFAULT_IOS, .bs = 4096,
				      .wait = BLK_FLOOR_SPIN, .streams = 1 };
	const struct blk_floor_ops *ops;
	struct exit_counts before, after;
	struct histogram *lat = NULL, *all;
	struct gendisk *disk;
	const char *how = "";
	unsigned int online = 0, cpu;
	bool json = false, known;
	u64 iops_milli = 0, exits_total = 0, ios;
	int err;

	err = shell_json_flag(&argc, argv, &json);
	if (err)
		return err;
	if (argc < 2)
		return shell_usage_error(argv[0]);
	for_each_online_cpu(cpu)
		if (online < BLK_FLOOR_MAX_STREAMS)
			p.cpus[online++] = cpu;
	for (int i = 2; i < argc; i++) {
		char *key, *val;
		u64 v;

		if (parse_kv(argv[i], &key, &val) || !val)
			return shell_usage_error(argv[0]);
		if (!strcmp(key, "ios") && !parse_u32(val, &p.ios) && p.ios >= 1 && p.ios <= 10000000)
			continue;
		if (!strcmp(key, "bs") && !parse_size(val, &v) && v >= 512 && v <= 8192) {
			p.bs = (u32)v;
			continue;
		}
		if (!strcmp(key, "jobs") && !parse_u32(val, &p.streams) && p.streams >= 1 &&
		    p.streams <= online)
			continue;
		if (!strcmp(key, "wait")) {
			known = false;
			for (unsigned int w = 0; w < ARRAY_SIZE(floor_wait_names); w++)
				if (!strcmp(val, floor_wait_names[w])) {
					p.wait = (enum blk_floor_wait)w;
					known = true;
				}
			if (known)
				continue;
		}
		if (!strcmp(key, "rw") && (!strcmp(val, "read") || !strcmp(val, "write"))) {
			p.write = !strcmp(val, "write");
			continue;
		}
		return shell_error("%s=%s: ios=1..10000000, bs=512..8k, rw=read|write, "
				   "wait=spin|hybrid|irq, jobs=1..%u (the online CPUs)", key, val, online);
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
	if (p.write && disk->read_only)
		return shell_error("%s: read-only", disk->name);
	/* one per stream, and the merge of them all */
	lat = kcalloc(p.streams + 1, sizeof(*lat));
	if (!lat)
		return shell_error("out of memory");
	for (unsigned int i = 0; i <= p.streams; i++)
		hist_init(&lat[i]);
	all = &lat[p.streams];
	exit_counts_read(&before);
	err = ops->run(disk, &p, lat, &how);
	exit_counts_read(&after);
	if (err) {
		kfree(lat);
		if (err == -EBUSY && p.streams > 1)
			return shell_error("%s: floor: %s (jobs=%u: each stream needs a queue of its own)",
					   disk->name, errno_name(err), p.streams);
		return shell_error("%s: floor: %s", disk->name, errno_name(err));
	}
	for (unsigned int i = 0; i < p.streams; i++) {
		hist_merge(all, &lat[i]);
		iops_milli += floor_iops_milli(&lat[i]);
	}
	ios = all->count;
	for (unsigned int k = 0; k < EXIT_KINDS; k++) {
		after.n[k] -= before.n[k];
		exits_total += after.n[k];
	}
	if (json) {
		struct json_writer w;

		shell_json_begin(&w);
		json_object_begin(&w);
		json_field_str(&w, "disk", disk->name);
		json_field_str(&w, "driver", disk->driver);
		json_field_str(&w, "how", how);
		json_field_str(&w, "rw", p.write ? "write" : "read");
		json_field_str(&w, "wait", floor_wait_names[p.wait]);
		json_field_u64(&w, "bs", p.bs);
		json_field_u64(&w, "jobs", p.streams);
		json_field_u64(&w, "ios", ios);
		json_field_fixed(&w, "lat_mean_ns", hist_mean_milli(all), 3);
		json_field_u64(&w, "lat_min_ns", all->min);
		json_field_u64(&w, "lat_p50_ns", hist_percentile(all, 500000));
		json_field_u64(&w, "lat_p99_ns", hist_percentile(all, 990000));
		json_field_u64(&w, "lat_max_ns", all->max);
		json_field_fixed(&w, "iops", iops_milli, 3);
		json_key(&w, "iops_per_job");
		json_array_begin(&w);
		for (unsigned int i = 0; i < p.streams; i++)
			json_fixed(&w, floor_iops_milli(&lat[i]), 3);
		json_array_end(&w);
		json_field_fixed(&w, "exits_per_io", mul_u64_u64_div_u64(exits_total, 1000, ios), 3);
		json_key(&w, "exits");
		json_object_begin(&w);
		for (unsigned int k = 0; k < EXIT_KINDS; k++)
			json_field_u64(&w, exit_kind_name(k), after.n[k]);
		json_object_end(&w);
		json_object_end(&w);
		kfree(lat);
		return shell_json_end(&w);
	}
	printf("%s: floor at iodepth 1, %llu %ss of %u B on %s, %s", disk->name,
	       (unsigned long long)ios, p.write ? "write" : "read", p.bs, how,
	       floor_wait_phrases[p.wait]);
	if (p.streams > 1) {
		printf(", %u streams at once (CPUs", p.streams);
		for (unsigned int i = 0; i < p.streams; i++)
			printf("%s%u", i ? "," : " ", p.cpus[i]);
		printf(")");
	}
	printf("\n  lat (us):");
	floor_print_us("mean", hist_mean_milli(all) / 1000);
	floor_print_us("min", all->min);
	floor_print_us("p50", hist_percentile(all, 500000));
	floor_print_us("p99", hist_percentile(all, 990000));
	floor_print_us("max", all->max);
	printf("\n  IOPS=%llu.%01llu", (unsigned long long)(iops_milli / 1000),
	       (unsigned long long)(iops_milli % 1000 / 100));
	if (p.streams > 1) {
		printf(" (");
		for (unsigned int i = 0; i < p.streams; i++) {
			u64 one = floor_iops_milli(&lat[i]);

			printf("%s%llu.%01llu", i ? " + " : "", (unsigned long long)(one / 1000),
			       (unsigned long long)(one % 1000 / 100));
		}
		printf(")");
	}
	printf("\n  exits/io=%llu.%02llu (", (unsigned long long)(exits_total / ios),
	       (unsigned long long)(exits_total * 100 / ios % 100));
	for (unsigned int k = 0; k < EXIT_KINDS; k++)
		printf("%s%s=%llu", k ? " " : "", exit_kind_name(k), (unsigned long long)after.n[k]);
	printf(" in all)\n");
	kfree(lat);
	return 0;
}

SHELL_COMMAND(floor, cmd_floor, "floor <dev> [ios=N] [bs=N] [rw=read|write] [wait=spin|hybrid|irq] [jobs=N] [--json]",
	      "the device floor: iodepth-1 latency with only entry, doorbell and a spin (or the interrupt)");
