/*
 * The blk-mq shell commands, Linux's /sys/block/X/mq/ and /sys/block/X/queue/
 * on the console:
 *
 *	mq <dev> [--json]		one line per hardware queue ("hctx N ..."):
 *					type, CPUs, tags, counters, dispatch batches
 *	queue <dev> [--json]		the queue's attributes
 *	queue <dev> key=value ...	change nr_hw_queues, poll_queues, scheduler,
 *					nr_requests, max_sectors_kb
 *
 * A partition names its whole disk's queue. The attributes are a table of
 * {name, show, store}, as in blk-sysfs.c. Every value of a `queue` line is
 * parsed and checked before anything changes; the changes then apply in
 * table order, and the first that fails ends the command with an error
 * line (those before it stay applied).
 */
#include "block/blk-cmd.h"
#include "block/blk-internal.h"
#include "kernel/mutex.h"
#include "kernel/console.h"
#include "kernel/percpu.h"
#include "kernel/shell.h"
#include "lib/cpulist.h"
#include "lib/errno.h"
#include "lib/parse.h"
#include "lib/printf.h"
#include "lib/string.h"

/* Bounds a `queue` change is checked against before the core sees it. */
#define QUEUE_MAX_HW_QUEUES 1024
#define QUEUE_SCHED_NAME_MAX 32

static const char *const hctx_type_names[HCTX_MAX_TYPES] = {
	[HCTX_TYPE_DEFAULT] = "default",
	[HCTX_TYPE_POLL] = "poll",
};

/* ---- mq ------------------------------------------------------------------- */

static void mq_print_hctx(const struct blk_mq_hw_ctx *hctx, bool json)
{
	const struct blk_mq_tags *tags = hctx->tags;
	char cpus[256];

	if (cpulist_format(cpus, sizeof(cpus), hctx->cpumask.bits, MAX_CPUS) == 0)
		strlcpy(cpus, json ? "" : "none", sizeof(cpus));
	if (json) {
		printf("{\"hctx\":%u,\"type\":\"%s\",\"cpus\":\"%s\",\"tags\":%u,\"reserved_tags\":%u,"
		       "\"busy\":%u,\"dispatched\":%llu,\"completed\":%llu,\"queued\":%llu,"
		       "\"dispatch_batches\":[", hctx->queue_num, hctx_type_names[hctx->type], cpus,
		       tags->bitmap.depth, tags->reserved, sbitmap_weight(&tags->bitmap),
		       (unsigned long long)hctx->dispatched, (unsigned long long)hctx->completed,
		       (unsigned long long)hctx->queued);
		for (int i = 0; i < BLK_MQ_MAX_DISPATCH_ORDER; i++)
			printf("%s%llu", i ? "," : "", (unsigned long long)hctx->dispatch_batch[i]);
		printf("]}");
		return;
	}
	printf("hctx %u type %s cpus %s tags %u reserved %u busy %u dispatched %llu completed %llu queued %llu batches",
	       hctx->queue_num, hctx_type_names[hctx->type], cpus, tags->bitmap.depth,
	       tags->reserved, sbitmap_weight(&tags->bitmap),
	       (unsigned long long)hctx->dispatched, (unsigned long long)hctx->completed,
	       (unsigned long long)hctx->queued);
	/* bucket i counts batches of 2^i .. 2^(i+1) - 1 requests; the last is open */
	for (int i = 0; i < BLK_MQ_MAX_DISPATCH_ORDER; i++)
		printf(" %u%s:%llu", 1U << i, i == BLK_MQ_MAX_DISPATCH_ORDER - 1 ? "+" : "",
		       (unsigned long long)hctx->dispatch_batch[i]);
	printf("\n");
}

static int cmd_mq(int argc, char **argv)
{
	bool json = blk_cmd_take_flag(&argc, argv, "--json");
	struct request_queue *q;
	struct gendisk *disk;

	if (argc != 2)
		return shell_usage_error(argv[0]);
	disk = blk_cmd_disk(argv[1]);
	if (!disk)
		return -ENODEV;
	disk = disk->whole;
	q = disk->queue;
	if (json)
		printf("{\"disk\":\"%s\",\"nr_hw_queues\":%u,\"poll_queues\":%u,\"hctxs\":[",
		       disk->name, q->nr_hw_queues, q->tag_set->nr_poll_queues);
	else
		printf("%s: %u hardware queues (%u poll), nr_requests %u, batches: requests per dispatch (2^i..)\n",
		       disk->name, q->nr_hw_queues, q->tag_set->nr_poll_queues, q->nr_requests);
	for (unsigned int i = 0; i < q->nr_hw_queues; i++) {
		if (json && i)
			printf(",");
		mq_print_hctx(q->hctxs[i], json);
	}
	if (json)
		printf("]}\n");
	return 0;
}
SHELL_COMMAND(mq, cmd_mq, "mq <dev> [--json]",
	      "per hardware queue: type, CPUs, tags, dispatched/completed, dispatch batches");

/* ---- queue ----------------------------------------------------------------- */

/* The changes of one `queue` line, parsed and checked, not yet applied. */
struct queue_change {
	struct request_queue *q;
	bool hw_queues, poll_queues, scheduler, nr_requests, max_sectors;
	u32 nr_hw, nr_poll, nr_req, max_sectors_kb;
	char sched[QUEUE_SCHED_NAME_MAX];
};

struct queue_attr {
	const char *name;
	/* the value: a number, or a string when show_str is set */
	u64 (*show)(struct request_queue *q);
	const char *(*show_str)(struct request_queue *q);
	/* parse value into c, or print an error line; NULL: read-only */
	int (*store)(struct queue_change *c, const char *value);
};

static u32 queue_max_hw_sectors(const struct request_queue *q)
{
	return q->limits.max_hw_sectors ? q->limits.max_hw_sectors : q->limits.max_sectors;
}

static u64 show_nr_hw_queues(struct request_queue *q) { return q->nr_hw_queues; }
static u64 show_poll_queues(struct request_queue *q) { return q->tag_set->nr_poll_queues; }
static u64 show_nr_requests(struct request_queue *q) { return q->nr_requests; }
static u64 show_max_sectors_kb(struct request_queue *q) { return q->limits.max_sectors / 2; }
static u64 show_max_hw_sectors_kb(struct request_queue *q) { return queue_max_hw_sectors(q) / 2; }
static u64 show_lbs(struct request_queue *q) { return q->limits.logical_block_size; }
static u64 show_pbs(struct request_queue *q) { return q->limits.physical_block_size; }
static u64 show_max_segments(struct request_queue *q) { return q->limits.max_segments; }
static u64 show_max_segment_size(struct request_queue *q) { return q->limits.max_segment_size; }
static u64 show_discard_max(struct request_queue *q)
{
	return (u64)q->limits.max_discard_sectors << SECTOR_SHIFT;
}
static u64 show_write_zeroes_max(struct request_queue *q)
{
	return (u64)q->limits.max_write_zeroes_sectors << SECTOR_SHIFT;
}
static u64 show_rotational(struct request_queue *q) { (void)q; return 0; }
static u64 show_read_only(struct request_queue *q) { return q->disk && q->disk->read_only; }

static const char *show_scheduler(struct request_queue *q)
{
	return elevator_name(q);
}

/* every scheduler `scheduler=` takes, none first */
static const char *show_schedulers(struct request_queue *q)
{
	static char buf[128];
	size_t used = strlcpy(buf, "none", sizeof(buf));

	(void)q;
	for (unsigned int i = 0; elevator_list[i] && used < sizeof(buf); i++)
		used += (size_t)snprintf(buf + used, sizeof(buf) - used, " %s",
					 elevator_list[i]->name);
	return buf;
}

static int queue_parse_u32(const char *key, const char *value, u32 lo, u32 hi, u32 *out)
{
	if (parse_u32(value, out) || *out < lo || *out > hi)
		return shell_error("%s must be %u .. %u, not '%s'", key, lo, hi, value);
	return 0;
}

static int store_nr_hw_queues(struct queue_change *c, const char *value)
{
	c->hw_queues = true;
	return queue_parse_u32("nr_hw_queues", value, 1, QUEUE_MAX_HW_QUEUES, &c->nr_hw);
}

static int store_poll_queues(struct queue_change *c, const char *value)
{
	c->poll_queues = true;
	return queue_parse_u32("poll_queues", value, 0, QUEUE_MAX_HW_QUEUES - 1, &c->nr_poll);
}

static int store_scheduler(struct queue_change *c, const char *value)
{
	if (!value[0] || strlen(value) >= sizeof(c->sched))
		return shell_error("bad scheduler name '%s'", value);
	strlcpy(c->sched, value, sizeof(c->sched));
	c->scheduler = true;
	return 0;
}

static int store_nr_requests(struct queue_change *c, const char *value)
{
	const struct blk_mq_tag_set *set = c->q->tag_set;

	c->nr_requests = true;
	/* the reserved tags are not requests a submitter can get */
	return queue_parse_u32("nr_requests", value, 1, set->queue_depth - set->reserved_tags,
			       &c->nr_req);
}

static int store_max_sectors_kb(struct queue_change *c, const char *value)
{
	const struct queue_limits *lim = &c->q->limits;
	u32 min_kb = max(lim->logical_block_size >> 10, 1U);

	c->max_sectors = true;
	if (queue_parse_u32("max_sectors_kb", value, min_kb, queue_max_hw_sectors(c->q) / 2,
			    &c->max_sectors_kb))
		return -EINVAL;
	if (((u64)c->max_sectors_kb << 10) % lim->logical_block_size)
		return shell_error("max_sectors_kb %u is not a whole number of %u-byte blocks",
				   c->max_sectors_kb, lim->logical_block_size);
	return 0;
}

static const struct queue_attr queue_attrs[] = {
	{ "nr_hw_queues", show_nr_hw_queues, NULL, store_nr_hw_queues },
	{ "poll_queues", show_poll_queues, NULL, store_poll_queues },
	{ "scheduler", NULL, show_scheduler, store_scheduler },
	{ "schedulers", NULL, show_schedulers, NULL },
	{ "nr_requests", show_nr_requests, NULL, store_nr_requests },
	{ "max_sectors_kb", show_max_sectors_kb, NULL, store_max_sectors_kb },
	{ "max_hw_sectors_kb", show_max_hw_sectors_kb, NULL, NULL },
	{ "logical_block_size", show_lbs, NULL, NULL },
	{ "physical_block_size", show_pbs, NULL, NULL },
	{ "max_segments", show_max_segments, NULL, NULL },
	{ "max_segment_size", show_max_segment_size, NULL, NULL },
	{ "discard_max_bytes", show_discard_max, NULL, NULL },
	{ "write_zeroes_max_bytes", show_write_zeroes_max, NULL, NULL },
	{ "rotational", show_rotational, NULL, NULL },
	{ "read_only", show_read_only, NULL, NULL },
};

static void queue_show(struct gendisk *disk, bool json)
{
	struct request_queue *q = disk->queue;

	if (json)
		printf("{\"disk\":\"%s\"", disk->name);
	else
		printf("%-24s %s\n", "disk", disk->name);
	for (size_t i = 0; i < ARRAY_SIZE(queue_attrs); i++) {
		const struct queue_attr *a = &queue_attrs[i];

		if (json && a->show_str)
			printf(",\"%s\":\"%s\"", a->name, a->show_str(q));
		else if (json)
			printf(",\"%s\":%llu", a->name, (unsigned long long)a->show(q));
		else if (a->show_str)
			printf("%-24s %s\n", a->name, a->show_str(q));
		else
			printf("%-24s %llu\n", a->name, (unsigned long long)a->show(q));
	}
	if (json)
		printf("}\n");
}

static int queue_parse(struct queue_change *c, int argc, char **argv)
{
	for (int i = 2; i < argc; i++) {
		const struct queue_attr *attr = NULL;
		char *key, *value;

		if (parse_kv(argv[i], &key, &value))
			return shell_error("expected key=value, not '%s'", argv[i]);
		for (size_t j = 0; j < ARRAY_SIZE(queue_attrs); j++)
			if (!strcmp(queue_attrs[j].name, key))
				attr = &queue_attrs[j];
		if (!attr)
			return shell_error("unknown attribute '%s' (nr_hw_queues, poll_queues, scheduler, nr_requests, max_sectors_kb)",
					   key);
		if (!attr->store)
			return shell_error("%s is read-only", key);
		if (attr->store(c, value))
			return -EINVAL;
	}
	return 0;
}

/* Lower or raise max_sectors within the hardware's limit; no bio is being split meanwhile. */
static void queue_set_max_sectors(struct request_queue *q, u32 kb)
{
	blk_mq_freeze_queue(q);
	mutex_lock(&q->sysfs_lock);
	if (!q->limits.max_hw_sectors)
		q->limits.max_hw_sectors = q->limits.max_sectors;
	q->limits.max_sectors = kb * 2;
	mutex_unlock(&q->sysfs_lock);
	blk_mq_unfreeze_queue(q);
}

static int queue_apply(struct queue_change *c)
{
	struct request_queue *q = c->q;
	int err;

	if (c->hw_queues || c->poll_queues) {
		u32 nr_hw = c->hw_queues ? c->nr_hw : q->nr_hw_queues;
		u32 nr_poll = c->poll_queues ? c->nr_poll : q->tag_set->nr_poll_queues;

		if (nr_poll && !q->tag_set->ops->poll)
			return shell_error("%s (%s) cannot have poll queues: its driver has no poll method",
					   q->disk ? q->disk->name : "the queue",
					   q->disk && q->disk->driver ? q->disk->driver : "?");
		if (nr_poll >= nr_hw)
			return shell_error("poll_queues (%u) must be fewer than nr_hw_queues (%u): one queue at least takes interrupts",
					   nr_poll, nr_hw);
		err = blk_mq_update_nr_hw_queues(q->tag_set, nr_hw, nr_poll);
		if (err) {
			shell_error("cannot change to %u hardware queues (%u poll): %s; still %u (%u poll)",
				    nr_hw, nr_poll, errno_name(err), q->nr_hw_queues,
				    q->tag_set->nr_poll_queues);
			return err;
		}
	}
	if (c->scheduler) {
		err = elevator_switch(q, c->sched);
		if (err) {
			shell_error("cannot switch to scheduler '%s': %s", c->sched, errno_name(err));
			return err;
		}
	}
	if (c->nr_requests) {
		err = blk_mq_set_nr_requests(q, c->nr_req);
		if (err) {
			shell_error("cannot set nr_requests to %u: %s", c->nr_req, errno_name(err));
			return err;
		}
	}
	if (c->max_sectors)
		queue_set_max_sectors(q, c->max_sectors_kb);
	return 0;
}

static int cmd_queue(int argc, char **argv)
{
	bool json = blk_cmd_take_flag(&argc, argv, "--json");
	struct queue_change c = { 0 };
	struct gendisk *disk;
	int err;

	if (argc < 2)
		return shell_usage_error(argv[0]);
	disk = blk_cmd_disk(argv[1]);
	if (!disk)
		return -ENODEV;
	disk = disk->whole;
	if (argc == 2) {
		queue_show(disk, json);
		return 0;
	}
	if (json)
		return shell_error("--json only shows the queue");
	c.q = disk->queue;
	err = queue_parse(&c, argc, argv);
	if (err)
		return err;
	err = queue_apply(&c);
	if (err)
		return err;
	queue_show(disk, false);
	return 0;
}
SHELL_COMMAND(queue, cmd_queue, "queue <dev> [--json] | queue <dev> key=value ...",
	      "show the queue, or set nr_hw_queues, poll_queues, scheduler, nr_requests, max_sectors_kb");
