/*
 * The blk-mq shell commands, Linux's /sys/block/X/mq/ and /sys/block/X/queue/
 * on the console:
 *
 *	mq <dev> [--json]		one line per hardware queue ("hctx N ..."):
 *					type, CPUs, tags, counters, dispatch batches;
 *					for a shared tag set the active queues and
 *					this queue's share (docs/shared_tags.md)
 *	queue <dev> [--json]		the queue's attributes
 *	queue <dev> key=value ...	change nr_hw_queues, poll_queues, scheduler,
 *					nr_requests, max_sectors_kb, io_timeout (ms),
 *					fail_io_timeout (completions to lose, to
 *					test a driver's timeout recovery),
 *					rq_affinity (where completions run)
 *
 * A partition names its whole disk's queue. The attributes are a table of
 * {name, show, store}, as in blk-sysfs.c. Every value of a `queue` line is
 * parsed and checked before anything changes; the changes then apply in
 * table order, and the first that fails ends the command with an error
 * line (those before it stay applied).
 */
#include "block/blk_disk_shell.h"
#include "block/blk_internal.h"
#include "block/blk_ioc.h"
#include "block/blk_mq_tag_share.h"
#include "kernel/sched/mutex.h"
#include "kernel/console/console.h"
#include "kernel/arch/percpu.h"
#include "kernel/shell/shell.h"
#include "kernel/time/time.h"
#include "lib/cpulist.h"
#include "lib/errno.h"
#include "lib/json.h"
#include "lib/parse.h"
#include "lib/printf.h"
#include "lib/string.h"

/* Bounds a `queue` change is checked against before the core sees it. */
#define QUEUE_MAX_HW_QUEUES 1024
#define QUEUE_SCHED_NAME_MAX 32

static bool hctx_tag_is_active(const struct blk_mq_hw_ctx *hctx)
{
	return __atomic_load_n(&hctx->state, __ATOMIC_RELAXED) & (1UL << BLK_MQ_S_TAG_ACTIVE);
}

static const char *const hctx_type_names[HCTX_MAX_TYPES] = {
	[HCTX_TYPE_DEFAULT] = "default",
	[HCTX_TYPE_POLL] = "poll",
};

/* ---- mq ------------------------------------------------------------------- */

static void mq_json_hctx(struct json_writer *w, const struct blk_mq_hw_ctx *hctx)
{
	const struct blk_mq_tags *tags = hctx->tags;
	char cpus[256];

	cpulist_format(cpus, sizeof(cpus), hctx->cpumask.bits, MAX_CPUS);
	json_object_begin(w);
	json_field_u64(w, "hctx", hctx->queue_num);
	json_field_str(w, "type", hctx_type_names[hctx->type]);
	json_field_str(w, "cpus", cpus);
	json_field_u64(w, "tags", tags->bitmap.depth);
	json_field_u64(w, "reserved_tags", tags->reserved);
	json_field_u64(w, "busy", sbitmap_weight(&tags->bitmap));
	json_field_u64(w, "dispatched", hctx->dispatched);
	json_field_u64(w, "completed", hctx->completed);
	json_field_u64(w, "queued", hctx->queued);
	/* shared tag set: active users of these tags, and what this queue may hold */
	json_field_u64(w, "active_queues", __atomic_load_n(&tags->active_queues, __ATOMIC_RELAXED));
	json_field_bool(w, "active", hctx_tag_is_active(hctx));
	json_field_u64(w, "share", blk_mq_tag_share(hctx));
	json_field_u64(w, "held", hctx->tag_shared ? __atomic_load_n(&hctx->nr_active, __ATOMIC_RELAXED) :
						   sbitmap_weight(&tags->bitmap));
	json_key(w, "dispatch_batches");
	json_array_begin(w);
	for (int i = 0; i < BLK_MQ_MAX_DISPATCH_ORDER; i++)
		json_u64(w, hctx->dispatch_batch[i]);
	json_array_end(w);
	json_object_end(w);
}

static int mq_print_json(struct gendisk *disk)
{
	struct request_queue *q = disk->queue;
	struct json_writer w;

	shell_json_begin(&w);
	json_object_begin(&w);
	json_field_str(&w, "disk", disk->name);
	json_field_u64(&w, "nr_hw_queues", q->nr_hw_queues);
	json_field_u64(&w, "poll_queues", q->tag_set->nr_poll_queues);
	json_field_bool(&w, "tag_set_shared", q->tag_shared);
	json_field_u64(&w, "tag_set_queues", READ_ONCE(q->tag_set->nr_queues));
	json_key(&w, "hctxs");
	json_array_begin(&w);
	for (unsigned int i = 0; i < q->nr_hw_queues; i++)
		mq_json_hctx(&w, q->hctxs[i]);
	json_array_end(&w);
	json_object_end(&w);
	return shell_json_end(&w);
}

static void mq_print_hctx(const struct blk_mq_hw_ctx *hctx)
{
	const struct blk_mq_tags *tags = hctx->tags;
	char cpus[256];

	if (cpulist_format(cpus, sizeof(cpus), hctx->cpumask.bits, MAX_CPUS) == 0)
		strlcpy(cpus, "none", sizeof(cpus));
	printf("hctx %u type %s cpus %s tags %u reserved %u busy %u dispatched %llu completed %llu queued %llu",
	       hctx->queue_num, hctx_type_names[hctx->type], cpus, tags->bitmap.depth,
	       tags->reserved, sbitmap_weight(&tags->bitmap),
	       (unsigned long long)hctx->dispatched, (unsigned long long)hctx->completed,
	       (unsigned long long)hctx->queued);
	/* busy counts every queue's tags of a shared map; held is this queue's */
	if (hctx->tag_shared)
		printf(" shared active_queues %u %s share %u held %u",
		       __atomic_load_n(&tags->active_queues, __ATOMIC_RELAXED),
		       hctx_tag_is_active(hctx) ? "active" : "idle", blk_mq_tag_share(hctx),
		       __atomic_load_n(&hctx->nr_active, __ATOMIC_RELAXED));
	printf(" batches");
	/* bucket i counts batches of 2^i .. 2^(i+1) - 1 requests; the last is open */
	for (int i = 0; i < BLK_MQ_MAX_DISPATCH_ORDER; i++)
		printf(" %u%s:%llu", 1U << i, i == BLK_MQ_MAX_DISPATCH_ORDER - 1 ? "+" : "",
		       (unsigned long long)hctx->dispatch_batch[i]);
	printf("\n");
}

static int cmd_mq(int argc, char **argv)
{
	struct request_queue *q;
	struct gendisk *disk, *opened __blk_cmd_put = NULL;
	bool json = false;
	int err;

	err = shell_json_flag(&argc, argv, &json);
	if (err)
		return err;
	if (argc != 2)
		return shell_usage_error(argv[0]);
	opened = blk_cmd_disk(argv[1]);
	if (!opened)
		return -ENODEV;
	disk = opened->whole;
	q = disk->queue;
	if (!q->tag_set)
		return shell_error("%s: bio-based, no blk-mq queues", disk->name);
	/*
	 * The hctxs are replaced under config_lock (nr_hw_queues, a CPU going
	 * offline or coming back): hold it, and never see a half-built map or
	 * a freed hctx. The rebuild takes it only after its freeze, and
	 * nothing here waits for a request, so this cannot deadlock with it.
	 */
	mutex_lock(&q->config_lock);
	if (json) {
		err = mq_print_json(disk);
		goto unlock;
	}
	printf("%s: %u hardware queues (%u poll), nr_requests %u, batches: requests per dispatch (2^i..)\n",
	       disk->name, q->nr_hw_queues, q->tag_set->nr_poll_queues, q->nr_requests);
	if (q->tag_shared)
		printf("%s: tag set shared by %u queues: each active queue may hold max(%u, depth / active queues) tags\n",
		       disk->name, READ_ONCE(q->tag_set->nr_queues), BLK_MQ_TAG_SHARE_MIN);
	for (unsigned int i = 0; i < q->nr_hw_queues; i++)
		mq_print_hctx(q->hctxs[i]);
	err = 0;
unlock:
	mutex_unlock(&q->config_lock);
	return err;
}
SHELL_COMMAND(mq, cmd_mq, "mq <dev> [--json]",
	      "per hardware queue: type, CPUs, tags, dispatched/completed, dispatch batches, "
	      "shared tag set share");

/* ---- queue ----------------------------------------------------------------- */

/* The changes of one `queue` line, parsed and checked, not yet applied. */
#define QUEUE_MAX_ELV_SETTINGS 8

struct queue_change {
	struct request_queue *q;
	bool hw_queues, poll_queues, scheduler, nr_requests, max_sectors, io_timeout, fail_timeouts;
	bool affinity;
	u32 nr_hw, nr_poll, nr_req, max_sectors_kb, io_timeout_ms, fail_io_timeout, rq_affinity;
	char sched[QUEUE_SCHED_NAME_MAX];
	/* tunables of the scheduler (the one scheduler= switches to, else the current) */
	const struct elevator_type *elv;
	const struct elv_attr *elv_attrs[QUEUE_MAX_ELV_SETTINGS];
	u64 elv_values[QUEUE_MAX_ELV_SETTINGS];
	unsigned int nr_elv;
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
static u64 show_poll_queues(struct request_queue *q)
{
	return q->tag_set ? q->tag_set->nr_poll_queues : 0;	/* bio-based: none */
}
static u64 show_nr_requests(struct request_queue *q) { return q->nr_requests; }
static u64 show_max_sectors_kb(struct request_queue *q) { return q->limits.max_sectors / 2; }
static u64 show_io_timeout(struct request_queue *q)
{
	u64 ns = q->tag_set->timeout_ns ? q->tag_set->timeout_ns : BLK_DEFAULT_TIMEOUT_NS;

	return ns / NSEC_PER_MSEC;
}
static u64 show_fail_io_timeout(struct request_queue *q) { return READ_ONCE(q->fail_io_timeout); }
static u64 show_rq_affinity(struct request_queue *q) { return READ_ONCE(q->rq_affinity); }
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

/* Linux's io_timeout, in ms; it belongs to the tag set (every namespace of an NVMe controller) */
static int store_io_timeout(struct queue_change *c, const char *value)
{
	c->io_timeout = true;
	return queue_parse_u32("io_timeout", value, 100, 3600 * 1000, &c->io_timeout_ms);
}

static int store_fail_io_timeout(struct queue_change *c, const char *value)
{
	c->fail_timeouts = true;
	return queue_parse_u32("fail_io_timeout", value, 0, 1000, &c->fail_io_timeout);
}

/* Linux's rq_affinity: 0 complete where the interrupt is, 1 near the submitter, 2 on it */
static int store_rq_affinity(struct queue_change *c, const char *value)
{
	c->affinity = true;
	return queue_parse_u32("rq_affinity", value, 0, BLK_RQ_AFFINITY_MAX, &c->rq_affinity);
}

static const struct queue_attr queue_attrs[] = {
	{ "nr_hw_queues", show_nr_hw_queues, NULL, store_nr_hw_queues },
	{ "poll_queues", show_poll_queues, NULL, store_poll_queues },
	{ "scheduler", NULL, show_scheduler, store_scheduler },
	{ "schedulers", NULL, show_schedulers, NULL },
	{ "nr_requests", show_nr_requests, NULL, store_nr_requests },
	{ "max_sectors_kb", show_max_sectors_kb, NULL, store_max_sectors_kb },
	{ "max_hw_sectors_kb", show_max_hw_sectors_kb, NULL, NULL },
	{ "io_timeout", show_io_timeout, NULL, store_io_timeout },
	{ "fail_io_timeout", show_fail_io_timeout, NULL, store_fail_io_timeout },
	{ "rq_affinity", show_rq_affinity, NULL, store_rq_affinity },
	{ "logical_block_size", show_lbs, NULL, NULL },
	{ "physical_block_size", show_pbs, NULL, NULL },
	{ "max_segments", show_max_segments, NULL, NULL },
	{ "max_segment_size", show_max_segment_size, NULL, NULL },
	{ "discard_max_bytes", show_discard_max, NULL, NULL },
	{ "write_zeroes_max_bytes", show_write_zeroes_max, NULL, NULL },
	{ "rotational", show_rotational, NULL, NULL },
	{ "read_only", show_read_only, NULL, NULL },
};

/* A snapshot of the scheduler's tunables and per-class counters, under config_lock. */
struct queue_elv_view {
	const struct elevator_type *e;
	u64 values[16];
	struct elv_class_stats st[4];
	unsigned int nr_attrs, nr_classes, nr_icqs;
};

static bool queue_elv_view(struct request_queue *q, struct queue_elv_view *v)
{
	mutex_lock(&q->config_lock);
	v->e = q->elevator;
	if (v->e) {
		v->nr_attrs = min(v->e->nr_attrs, (unsigned int)ARRAY_SIZE(v->values));
		for (unsigned int i = 0; i < v->nr_attrs; i++)
			v->values[i] = v->e->attrs[i].show(q);
		v->nr_classes = v->e->class_stats ? v->e->class_stats(q, v->st, ARRAY_SIZE(v->st)) : 0;
		v->nr_classes = min(v->nr_classes, (unsigned int)ARRAY_SIZE(v->st));
		v->nr_icqs = ioc_queue_icq_count(q);
	}
	mutex_unlock(&q->config_lock);
	return v->e != NULL;
}

/* The scheduler's tunables and per-class counters (Linux: queue/iosched/). */
static void queue_show_elevator(struct request_queue *q)
{
	struct queue_elv_view v;

	if (!queue_elv_view(q, &v))
		return;
	for (unsigned int i = 0; i < v.nr_attrs; i++)
		printf("%-24s %llu\n", v.e->attrs[i].name, (unsigned long long)v.values[i]);
	if (v.nr_classes)
		printf("%-8s %10s %10s %12s %10s %12s %12s\n", "class", "queued", "in_driver",
		       "inserted", "merged", "dispatched", "completed");
	for (unsigned int i = 0; i < v.nr_classes; i++)
		printf("%-8s %10llu %10llu %12llu %10llu %12llu %12llu\n", v.st[i].name,
		       (unsigned long long)v.st[i].queued, (unsigned long long)v.st[i].in_driver,
		       (unsigned long long)v.st[i].inserted, (unsigned long long)v.st[i].merged,
		       (unsigned long long)v.st[i].dispatched, (unsigned long long)v.st[i].completed);
	printf("%-24s %u\n", "io_contexts", v.nr_icqs);
}

static void queue_json_elevator(struct json_writer *w, struct request_queue *q)
{
	struct queue_elv_view v;

	if (!queue_elv_view(q, &v))
		return;
	json_key(w, "iosched");
	json_object_begin(w);
	for (unsigned int i = 0; i < v.nr_attrs; i++)
		json_field_u64(w, v.e->attrs[i].name, v.values[i]);
	json_key(w, "classes");
	json_object_begin(w);
	for (unsigned int i = 0; i < v.nr_classes; i++) {
		json_key(w, v.st[i].name);
		json_object_begin(w);
		json_field_u64(w, "queued", v.st[i].queued);
		json_field_u64(w, "in_driver", v.st[i].in_driver);
		json_field_u64(w, "inserted", v.st[i].inserted);
		json_field_u64(w, "merged", v.st[i].merged);
		json_field_u64(w, "dispatched", v.st[i].dispatched);
		json_field_u64(w, "completed", v.st[i].completed);
		json_object_end(w);
	}
	json_object_end(w);
	json_field_u64(w, "io_contexts", v.nr_icqs);
	json_object_end(w);
}

/* key=value for a tunable of the scheduler the line leaves the queue with. */
static int queue_parse_elv(struct queue_change *c, const char *key, const char *value)
{
	const struct elevator_type *e = c->q->elevator;
	const struct elv_attr *a;
	u64 v;

	if (c->scheduler)
		e = strcmp(c->sched, "none") ? elevator_find(c->sched) : NULL;
	a = elevator_attr_find(e, key);
	if (!a) {
		char names[160];
		size_t used = 0;

		names[0] = 0;
		for (unsigned int i = 0; e && i < e->nr_attrs && used < sizeof(names); i++)
			used += (size_t)snprintf(names + used, sizeof(names) - used, ", %s",
						 e->attrs[i].name);
		return shell_error("unknown attribute '%s' (nr_hw_queues, poll_queues, scheduler, nr_requests, max_sectors_kb, io_timeout, fail_io_timeout, rq_affinity%s)",
				   key, names);
	}
	if (parse_u64(value, &v) || v < a->min || v > a->max)
		return shell_error("%s must be %llu .. %llu (%s), not '%s'", key,
				   (unsigned long long)a->min, (unsigned long long)a->max, a->unit,
				   value);
	if (c->nr_elv == QUEUE_MAX_ELV_SETTINGS)
		return shell_error("at most %d scheduler tunables at once", QUEUE_MAX_ELV_SETTINGS);
	c->elv = e;
	c->elv_attrs[c->nr_elv] = a;
	c->elv_values[c->nr_elv++] = v;
	return 0;
}

static int queue_show_json(struct gendisk *disk)
{
	struct request_queue *q = disk->queue;
	struct json_writer w;

	shell_json_begin(&w);
	json_object_begin(&w);
	json_field_str(&w, "disk", disk->name);
	for (size_t i = 0; i < ARRAY_SIZE(queue_attrs); i++) {
		const struct queue_attr *a = &queue_attrs[i];

		if (a->show_str)
			json_field_str(&w, a->name, a->show_str(q));
		else
			json_field_u64(&w, a->name, a->show(q));
	}
	queue_json_elevator(&w, q);
	json_object_end(&w);
	return shell_json_end(&w);
}

static void queue_show(struct gendisk *disk)
{
	struct request_queue *q = disk->queue;

	printf("%-24s %s\n", "disk", disk->name);
	for (size_t i = 0; i < ARRAY_SIZE(queue_attrs); i++) {
		const struct queue_attr *a = &queue_attrs[i];

		if (a->show_str)
			printf("%-24s %s\n", a->name, a->show_str(q));
		else
			printf("%-24s %llu\n", a->name, (unsigned long long)a->show(q));
	}
	queue_show_elevator(q);
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
		if (!attr) {
			if (queue_parse_elv(c, key, value))
				return -EINVAL;
			continue;
		}
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
	mutex_lock(&q->config_lock);
	if (!q->limits.max_hw_sectors)
		q->limits.max_hw_sectors = q->limits.max_sectors;
	q->limits.max_sectors = kb * 2;
	mutex_unlock(&q->config_lock);
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
	for (unsigned int i = 0; i < c->nr_elv; i++) {
		err = elevator_attr_set(q, c->elv, c->elv_attrs[i], c->elv_values[i]);
		if (err) {
			shell_error("cannot set %s: %s", c->elv_attrs[i]->name,
				    err == -EBUSY ? "the scheduler changed meanwhile" : errno_name(err));
			return err;
		}
	}
	if (c->io_timeout)
		WRITE_ONCE(q->tag_set->timeout_ns, (u64)c->io_timeout_ms * NSEC_PER_MSEC);
	if (c->fail_timeouts) {
		__atomic_store_n(&q->fail_io_timeout, c->fail_io_timeout, __ATOMIC_SEQ_CST);
		/* after the count: a completion that clears the hook looks at the count again */
		if (c->fail_io_timeout)
			__atomic_fetch_or(&q->hooks, BLK_HOOK_FAIL_IO, __ATOMIC_SEQ_CST);
	}
	/* takes effect from the next completion: one in flight may go either way */
	if (c->affinity)
		WRITE_ONCE(q->rq_affinity, (u8)c->rq_affinity);
	return 0;
}

static int cmd_queue(int argc, char **argv)
{
	struct queue_change c = { 0 };
	struct gendisk *disk, *opened __blk_cmd_put = NULL;
	bool json = false;
	int err;

	err = shell_json_flag(&argc, argv, &json);
	if (err)
		return err;
	if (argc < 2)
		return shell_usage_error(argv[0]);
	opened = blk_cmd_disk(argv[1]);
	if (!opened)
		return -ENODEV;
	disk = opened->whole;
	if (argc == 2 && json)
		return queue_show_json(disk);
	if (argc == 2) {
		queue_show(disk);
		return 0;
	}
	if (json)
		return shell_error("--json only shows the queue");
	if (!disk->queue->tag_set)
		return shell_error("%s: bio-based, its limits come from its parents", disk->name);
	c.q = disk->queue;
	err = queue_parse(&c, argc, argv);
	if (err)
		return err;
	err = queue_apply(&c);
	if (err)
		return err;
	queue_show(disk);
	return 0;
}
SHELL_COMMAND(queue, cmd_queue, "queue <dev> [--json] | queue <dev> key=value ...",
	      "show the queue, or set nr_hw_queues, poll_queues, scheduler, nr_requests, max_sectors_kb, io_timeout (ms), fail_io_timeout (completions to lose), rq_affinity (0 irq CPU, 1 same cache, 2 submitter)");
