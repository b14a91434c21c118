/*
 * `trace <dev> [on|off|show|clear|dump [N]] [--json]`: per-stage I/O
 * tracing of a disk (block/blk_trace.c, docs/blk-trace.md). show prints
 * the per-stage cycle histograms, dump the stamps of the last N I/Os as
 * one line per event, like blkparse: time, CPU, stage, sector + size,
 * tag, hardware queue.
 */
#include "block/blk_trace.h"
#include "block/blk_mq.h"
#include "block/blk_disk_shell.h"
#include "kernel/arch/percpu.h"
#include "kernel/console/console.h"
#include "kernel/mm/slab.h"
#include "kernel/shell/shell.h"
#include "kernel/time/time.h"
#include "lib/errno.h"
#include "lib/json.h"
#include "lib/parse.h"
#include "lib/printf.h"
#include "lib/string.h"

#define TRACE_DUMP_DEFAULT 16

static const char *const trace_op_names[] = { "R", "W", "F", "D", "WZ" };

static const char *trace_op_name(u8 op)
{
	return op < sizeof(trace_op_names) / sizeof(trace_op_names[0]) ? trace_op_names[op] : "?";
}

static void trace_line(void *arg, const char *s)
{
	printf("%s\n", s);
}

static void trace_hist_json(struct json_writer *w, const char *stage, const struct histogram *h)
{
	char key[16];

	json_object_begin(w);
	json_field_str(w, "stage", stage);
	json_field_u64(w, "count", h->count);
	json_field_u64(w, "min", h->count ? h->min : 0);
	json_field_u64(w, "max", h->max);
	json_field_fixed(w, "mean", hist_mean_milli(h), 3);
	json_field_fixed(w, "stddev", hist_stddev_milli(h), 3);
	json_key(w, "percentile");
	json_object_begin(w);
	for (unsigned int i = 0; i < BLK_TRACE_NR_PERCENTILES; i++) {
		u32 ppm = blk_trace_percentiles_ppm[i];

		/* fio's keys: "99.900000" */
		snprintf(key, sizeof(key), "%u.%06u", ppm / 10000, ppm % 10000 * 100);
		json_field_u64(w, key, hist_percentile(h, ppm));
	}
	json_object_end(w);
	json_object_end(w);
}

static int trace_show(struct gendisk *disk, bool json)
{
	struct request_queue *q = disk->queue;
	struct blk_trace_stats *st = kmalloc(sizeof(*st));
	struct json_writer w;
	bool traced;

	if (!st)
		return shell_error("out of memory");
	traced = blk_trace_stats_read(q, st);
	if (!json) {
		printf("%s: tracing %s, TSC %llu kHz\n", disk->name,
		       blk_trace_is_on(q) ? "on" : "off", (unsigned long long)tsc_khz);
		if (traced)
			blk_trace_stats_format(st, tsc_khz, trace_line, NULL);
		kfree(st);
		return 0;
	}
	shell_json_begin(&w);
	json_object_begin(&w);
	json_field_str(&w, "disk", disk->name);
	json_field_bool(&w, "on", blk_trace_is_on(q));
	json_field_u64(&w, "tsc_khz", tsc_khz);
	json_field_u64(&w, "records", st->records);
	json_field_u64(&w, "rejected", st->rejected);
	json_field_u64(&w, "dropped", st->dropped);
	json_key(&w, "stages");
	json_array_begin(&w);
	for (unsigned int i = BLK_TRACE_SUBMIT + 1; i < BLK_TRACE_NR_STAGES; i++)
		trace_hist_json(&w, blk_trace_stage_name(i), &st->stage[i]);
	json_array_end(&w);
	json_key(&w, "total");
	trace_hist_json(&w, "total", &st->stage[0]);
	json_object_end(&w);
	kfree(st);
	return shell_json_end(&w);
}

static int trace_dump(struct gendisk *disk, unsigned int n, bool json)
{
	unsigned int max = nr_cpus * BLK_TRACE_RING_SIZE, nr, ne, first;
	struct blk_trace_rec *recs = kmalloc(max * sizeof(*recs));
	struct blk_trace_event *ev = kmalloc(max * BLK_TRACE_NR_STAGES * sizeof(*ev));
	struct json_writer w;
	u64 t0;
	int ret = 0;

	if (!recs || !ev) {
		ret = shell_error("out of memory");
		goto free_bufs;
	}
	nr = blk_trace_recs_read(disk->queue, recs, max);
	first = nr > n ? nr - n : 0;
	ne = blk_trace_events(recs + first, nr - first, ev, max * BLK_TRACE_NR_STAGES);
	t0 = ne ? ev[0].tsc : 0;
	if (json) {
		shell_json_begin(&w);
		json_object_begin(&w);
		json_field_str(&w, "disk", disk->name);
		json_field_u64(&w, "ios", nr - first);
		json_key(&w, "events");
		json_array_begin(&w);
	}
	for (unsigned int i = 0; i < ne; i++) {
		const struct blk_trace_stamps *s = &ev[i].rec->s;
		u64 ns = tsc_to_ns(ev[i].tsc - t0);

		if (json) {
			json_object_begin(&w);
			json_field_u64(&w, "time_ns", ns);
			json_field_u64(&w, "tsc", ev[i].tsc);
			json_field_u64(&w, "cpu", s->cpu[ev[i].stage]);
			json_field_str(&w, "stage", blk_trace_stage_name(ev[i].stage));
			json_field_str(&w, "op", trace_op_name(s->op));
			json_field_u64(&w, "sector", s->sector);
			json_field_u64(&w, "bytes", s->bytes);
			json_field_u64(&w, "tag", s->tag);
			json_field_u64(&w, "hctx", s->hctx);
			json_field_u64(&w, "io", (u64)(ev[i].rec - recs - first));
			json_object_end(&w);
			continue;
		}
		printf("%5llu.%09llu %3u %-9s %-2s %llu + %u tag=%u hctx=%u io=%u\n",
		       (unsigned long long)(ns / 1000000000ULL),
		       (unsigned long long)(ns % 1000000000ULL), s->cpu[ev[i].stage],
		       blk_trace_stage_name(ev[i].stage), trace_op_name(s->op),
		       (unsigned long long)s->sector, s->bytes >> 9, s->tag, s->hctx,
		       (unsigned int)(ev[i].rec - recs - first));
	}
	if (json) {
		json_array_end(&w);
		json_object_end(&w);
		ret = shell_json_end(&w);
	}
free_bufs:
	kfree(ev);
	kfree(recs);
	return ret;
}

static int cmd_trace(int argc, char **argv)
{
	/* held open for the command: a disk removal waits until it returns */
	struct gendisk *opened __blk_cmd_put = NULL;
	struct gendisk *disk;
	const char *sub;
	bool json = false;
	int err;

	err = shell_json_flag(&argc, argv, &json);
	if (err)
		return err;
	if (argc < 2 || argc > 4)
		return shell_usage_error(argv[0]);
	opened = blk_cmd_disk(argv[1]);
	if (!opened)
		return -ENODEV;
	disk = opened->whole;
	if (!disk->queue || !disk->queue->tag_set)
		return shell_error("%s: bio-based, trace the disks it is built on", disk->name);
	sub = argc > 2 ? argv[2] : "show";
	if (!strcmp(sub, "dump")) {
		u64 n = TRACE_DUMP_DEFAULT;

		if (argc == 4 && (parse_u64(argv[3], &n) || !n || n > 1u << 20))
			return shell_error("dump %s: a number of I/Os, 1 or more", argv[3]);
		return trace_dump(disk, (unsigned int)n, json);
	}
	if (argc != 3 && strcmp(sub, "show"))
		return shell_usage_error(argv[0]);
	if (argc == 4)
		return shell_usage_error(argv[0]);
	if (!strcmp(sub, "show"))
		return trace_show(disk, json);
	if (json)
		return shell_error("--json goes with show and dump");
	if (!strcmp(sub, "on")) {
		err = blk_trace_enable(disk->queue);
		if (err)
			return shell_error("%s: %s", disk->name, errno_name(err));
		printf("%s: tracing on%s\n", disk->name,
		       disk->queue->tag_set->plain_ops->queue_rq_traced ? ""
		       : " (no doorbell stage: the driver has no traced queue_rq)");
		return 0;
	}
	if (!strcmp(sub, "off")) {
		blk_trace_disable(disk->queue);
		printf("%s: tracing off\n", disk->name);
		return 0;
	}
	if (!strcmp(sub, "clear")) {
		blk_trace_clear(disk->queue);
		return 0;
	}
	return shell_usage_error(argv[0]);
}

SHELL_COMMAND(trace, cmd_trace, "trace <dev> [on|off|show|clear|dump [N]] [--json]",
	      "per-stage I/O tracing: TSC stamps from submit to the job's reap");
