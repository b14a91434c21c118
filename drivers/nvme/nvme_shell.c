/*
 * The `nvme` shell command, after nvme-cli:
 *
 *	nvme list [--json]			controllers and namespaces
 *	nvme id-ctrl <dev> [--json]		Identify Controller, and how the driver uses it
 *	nvme id-ns <dev> [nsid=N] [--json]	Identify Namespace: size, LBA formats
 *	nvme smart-log <dev> [--json]		SMART / Health Information log page
 *	nvme stats <dev> [clear] [--json]	per queue: commands, doorbell writes, interrupts
 *	nvme reset <dev> [fail]			controller reset; fail: inject a reset that
 *						does not bring it back (it is declared dead
 *						and its namespaces are removed)
 *
 * <dev> is a controller ("nvme0") or one of its namespaces ("nvme0n1").
 * Identify data and logs are read from the controller each time.
 */
#include "drivers/nvme/nvme.h"
#include "drivers/nvme/nvme_status.h"
#include "kernel/console/console.h"
#include "kernel/shell/shell.h"
#include "kernel/mm/slab.h"
#include "lib/byteorder.h"
#include "lib/errno.h"
#include "lib/json.h"
#include "lib/parse.h"
#include "lib/printf.h"
#include "lib/string.h"

/* A 128-bit little-endian counter of the SMART log: its low 64 bits, and whether more are set. */
static u64 le128_low(const u8 *v)
{
	return get_le64(v);
}

static bool le128_high_set(const u8 *v)
{
	return get_le64(v + 8) != 0;
}

static struct nvme_ctrl *dev_arg(const char *name, u32 *nsid)
{
	struct nvme_ctrl *c = nvme_ctrl_find(name, nsid);

	if (!c)
		shell_error("no NVMe controller or namespace '%s' (see nvme list)", name);
	return c;
}

/* --- list ------------------------------------------------------------------- */
static int nvme_list_json(void)
{
	struct nvme_ctrl *c;
	struct json_writer w;
	char mn[41], sn[21], fr[9];

	shell_json_begin(&w);
	json_object_begin(&w);
	json_key(&w, "controllers");
	json_array_begin(&w);
	list_for_each_entry(c, &nvme_ctrls, link) {
		struct nvme_ns *ns;

		json_object_begin(&w);
		json_field_str(&w, "name", c->name);
		json_field_str(&w, "serial", nvme_id_string(c->id->sn, sizeof(c->id->sn), sn));
		json_field_str(&w, "model", nvme_id_string(c->id->mn, sizeof(c->id->mn), mn));
		json_field_str(&w, "firmware", nvme_id_string(c->id->fr, sizeof(c->id->fr), fr));
		json_field_str(&w, "state", nvme_ctrl_state_name(c->state));
		json_key(&w, "namespaces");
		json_array_begin(&w);
		/* a dead controller's namespaces leave the list under it */
		mutex_lock(&c->reset_lock);
		list_for_each_entry(ns, &c->namespaces, link) {
			json_object_begin(&w);
			json_field_str(&w, "name", ns->disk.name);
			json_field_u64(&w, "nsid", ns->nsid);
			json_field_u64(&w, "blocks", ns->blocks);
			json_field_u64(&w, "block_size", 1U << ns->lba_shift);
			json_field_u64(&w, "bytes", ns->blocks << ns->lba_shift);
			json_object_end(&w);
		}
		mutex_unlock(&c->reset_lock);
		json_array_end(&w);
		json_object_end(&w);
	}
	json_array_end(&w);
	json_object_end(&w);
	return shell_json_end(&w);
}

static int nvme_cmd_list(int argc, char **argv, bool json)
{
	struct nvme_ctrl *c;
	char mn[41], sn[21], fr[9];

	if (argc != 0)
		return shell_error("usage: nvme list [--json]");
	if (json)
		return nvme_list_json();
	printf("%-12s %-20s %-30s %-8s %5s %12s %6s\n", "NODE", "SERIAL", "MODEL", "FW", "NSID",
	       "SIZE", "LBA");
	list_for_each_entry(c, &nvme_ctrls, link) {
		struct nvme_ns *ns;

		nvme_id_string(c->id->mn, sizeof(c->id->mn), mn);
		nvme_id_string(c->id->sn, sizeof(c->id->sn), sn);
		nvme_id_string(c->id->fr, sizeof(c->id->fr), fr);
		/* a dead controller's namespaces leave the list under it */
		mutex_lock(&c->reset_lock);
		if (list_empty(&c->namespaces))
			printf("%-12s %-20s %-30s %-8s %5s %12s %6s\n", c->name, sn, mn, fr, "-",
			       "-", "-");
		list_for_each_entry(ns, &c->namespaces, link) {
			u64 bytes = ns->blocks << ns->lba_shift;

			printf("%-12s %-20s %-30s %-8s %5u %10llu M %6u\n", ns->disk.name, sn, mn, fr,
			       ns->nsid, (unsigned long long)(bytes >> 20), 1U << ns->lba_shift);
		}
		mutex_unlock(&c->reset_lock);
	}
	return 0;
}

/* --- id-ctrl ----------------------------------------------------------------- */
static int nvme_id_ctrl_json(struct nvme_ctrl *c, const struct nvme_id_ctrl *id,
			     unsigned int nr_default, unsigned int nr_poll)
{
	char text[257];
	struct json_writer w;

	shell_json_begin(&w);
	json_object_begin(&w);
	json_field_str(&w, "name", c->name);
	json_field_u64(&w, "vid", id->vid);
	json_field_u64(&w, "ssvid", id->ssvid);
	json_field_str(&w, "serial", nvme_id_string(id->sn, sizeof(id->sn), text));
	json_field_str(&w, "model", nvme_id_string(id->mn, sizeof(id->mn), text));
	json_field_str(&w, "firmware", nvme_id_string(id->fr, sizeof(id->fr), text));
	json_field_str(&w, "subnqn", nvme_id_string(id->subnqn, sizeof(id->subnqn), text));
	json_key(&w, "version");
	json_stringf(&w, "%u.%u.%u", NVME_VS_MAJOR(c->vs), NVME_VS_MINOR(c->vs),
		     NVME_VS_TERTIARY(c->vs));
	json_field_u64(&w, "cntlid", id->cntlid);
	json_field_u64(&w, "mdts", id->mdts);
	json_field_u64(&w, "mdts_bytes", id->mdts ? (u64)c->page_size << id->mdts : 0);
	json_field_u64(&w, "max_transfer", c->max_transfer);
	json_field_u64(&w, "nn", id->nn);
	json_field_u64(&w, "oacs", id->oacs);
	json_field_u64(&w, "oncs", id->oncs);
	json_field_u64(&w, "vwc", id->vwc);
	json_field_u64(&w, "sgls", id->sgls);
	json_field_u64(&w, "sqes", id->sqes);
	json_field_u64(&w, "cqes", id->cqes);
	json_field_u64(&w, "acl", id->acl);
	json_field_u64(&w, "page_size", c->page_size);
	json_field_u64(&w, "mqes", NVME_CAP_MQES(c->cap) + 1);
	json_field_u64(&w, "doorbell_stride", c->db_stride);
	json_field_u64(&w, "queues_granted", c->max_io_queues);
	json_field_u64(&w, "vectors", c->nr_vectors);
	json_field_u64(&w, "queues_default", nr_default);
	json_field_u64(&w, "queues_poll", nr_poll);
	json_field_u64(&w, "queue_depth", c->io_depth);
	json_key(&w, "features");
	json_object_begin(&w);
	json_field_bool(&w, "shadow_doorbells", c->dbbuf_db);
	json_field_bool(&w, "shadow_doorbells_supported", id->oacs & NVME_CTRL_OACS_DBBUF);
	json_field_bool(&w, "sgl", c->sgl);
	json_field_bool(&w, "write_zeroes", c->write_zeroes);
	json_field_bool(&w, "dsm", c->dsm);
	json_field_bool(&w, "volatile_write_cache", c->vwc);
	json_object_end(&w);
	json_field_str(&w, "state", nvme_ctrl_state_name(c->state));
	json_field_u64(&w, "resets", c->resets);
	json_object_end(&w);
	return shell_json_end(&w);
}

static int nvme_cmd_id_ctrl(struct nvme_ctrl *c, bool json)
{
	struct nvme_id_ctrl *id = kmalloc(sizeof(*id));
	char mn[41], sn[21], fr[9], nqn[257], text[96];
	unsigned int nr_default = 0, nr_poll = 0;
	u64 mdts_bytes;
	u16 status;
	int err;

	if (!id)
		return shell_error("out of memory");
	err = nvme_identify(c, 0, NVME_ID_CNS_CTRL, id, &status);
	if (err) {
		kfree(id);
		return shell_error("%s: Identify Controller failed: %s", c->name,
				   status ? nvme_status_format(status, text, sizeof(text)) :
				   errno_name(err));
	}
	if (c->tagset_ready) {
		nr_poll = c->tagset.nr_poll_queues;
		nr_default = c->tagset.nr_hw_queues - nr_poll;
	}
	nvme_id_string(id->mn, sizeof(id->mn), mn);
	nvme_id_string(id->sn, sizeof(id->sn), sn);
	nvme_id_string(id->fr, sizeof(id->fr), fr);
	nvme_id_string(id->subnqn, sizeof(id->subnqn), nqn);
	mdts_bytes = id->mdts ? (u64)c->page_size << id->mdts : 0;
	if (json) {
		err = nvme_id_ctrl_json(c, id, nr_default, nr_poll);
	} else {
		printf("%s: %s\n", c->name, mn);
		printf("  vid 0x%04x ssvid 0x%04x serial %s firmware %s\n", id->vid, id->ssvid, sn, fr);
		printf("  version %u.%u.%u, controller id %u, %u namespaces, subnqn %s\n",
		       NVME_VS_MAJOR(c->vs), NVME_VS_MINOR(c->vs), NVME_VS_TERTIARY(c->vs),
		       id->cntlid, id->nn, nqn);
		if (id->mdts)
			printf("  mdts %u (%llu KiB), driver transfers up to %u KiB\n", id->mdts,
			       (unsigned long long)(mdts_bytes >> 10), c->max_transfer >> 10);
		else
			printf("  mdts 0 (no limit), driver transfers up to %u KiB\n",
			       c->max_transfer >> 10);
		printf("  page size %u, max queue entries %u, doorbell stride %u, sqes 0x%02x cqes 0x%02x\n",
		       c->page_size, NVME_CAP_MQES(c->cap) + 1, c->db_stride, id->sqes, id->cqes);
		printf("  queues: %u granted, %u vectors, %u default + %u poll in use, depth %u\n",
		       c->max_io_queues, c->nr_vectors, nr_default, nr_poll, c->io_depth);
		printf("  oacs 0x%04x oncs 0x%04x vwc 0x%02x sgls 0x%08x acl %u\n", id->oacs,
		       id->oncs, id->vwc, id->sgls, id->acl + 1);
		printf("  features:%s%s%s%s%s%s\n",
		       c->dbbuf_db ? " shadow-doorbells" :
		       id->oacs & NVME_CTRL_OACS_DBBUF ? " shadow-doorbells(off)" : "",
		       c->sgl ? " sgl" : "", c->write_zeroes ? " write-zeroes" : "",
		       c->dsm ? " dsm" : "", c->vwc ? " volatile-write-cache" : "",
		       id->oacs & NVME_CTRL_OACS_FORMAT ? " format" : "");
		printf("  state %s, %llu resets, %llu timeouts, %llu aborts\n",
		       nvme_ctrl_state_name(c->state), (unsigned long long)c->resets,
		       (unsigned long long)c->timeouts, (unsigned long long)c->aborts);
	}
	kfree(id);
	return err;
}

/* --- id-ns ----------------------------------------------------------------- */
static int nvme_id_ns_json(struct nvme_ctrl *c, u32 nsid, const struct nvme_id_ns *id,
			   unsigned int nlbaf, unsigned int fmt)
{
	struct json_writer w;

	shell_json_begin(&w);
	json_object_begin(&w);
	json_field_str(&w, "controller", c->name);
	json_field_u64(&w, "nsid", nsid);
	json_field_u64(&w, "nsze", id->nsze);
	json_field_u64(&w, "ncap", id->ncap);
	json_field_u64(&w, "nuse", id->nuse);
	json_field_u64(&w, "nsfeat", id->nsfeat);
	json_field_u64(&w, "nlbaf", id->nlbaf);
	json_field_u64(&w, "flbas", id->flbas);
	json_field_u64(&w, "lbaf_in_use", fmt);
	json_field_u64(&w, "block_size", 1U << id->lbaf[fmt].ds);
	json_field_u64(&w, "bytes", id->nsze << id->lbaf[fmt].ds);
	json_field_u64(&w, "npwg", id->npwg);
	json_field_u64(&w, "nows", id->nows);
	json_field_u64(&w, "noiob", id->noiob);
	json_key(&w, "lbafs");
	json_array_begin(&w);
	for (unsigned int i = 0; i < nlbaf; i++) {
		json_object_begin(&w);
		json_field_u64(&w, "index", i);
		json_field_u64(&w, "ms", id->lbaf[i].ms);
		json_field_u64(&w, "ds", id->lbaf[i].ds);
		json_field_u64(&w, "block_size", id->lbaf[i].ds < 32 ? 1U << id->lbaf[i].ds : 0);
		json_field_u64(&w, "rp", id->lbaf[i].rp & 3);
		json_field_bool(&w, "in_use", i == fmt);
		json_object_end(&w);
	}
	json_array_end(&w);
	json_object_end(&w);
	return shell_json_end(&w);
}

static int nvme_cmd_id_ns(struct nvme_ctrl *c, u32 nsid, bool json)
{
	struct nvme_id_ns *id = kmalloc(sizeof(*id));
	unsigned int nlbaf, fmt;
	char text[96];
	u16 status;
	int err;

	if (!id)
		return shell_error("out of memory");
	err = nvme_identify(c, nsid, NVME_ID_CNS_NS, id, &status);
	if (err) {
		kfree(id);
		return shell_error("%s: Identify Namespace %u failed: %s", c->name, nsid,
				   status ? nvme_status_format(status, text, sizeof(text)) :
				   errno_name(err));
	}
	if (!id->nsze) {
		kfree(id);
		return shell_error("%s: namespace %u is not active", c->name, nsid);
	}
	nlbaf = min(id->nlbaf + 1U, 64U);
	fmt = id->flbas & NVME_NS_FLBAS_LBA_MASK;
	if (id->nlbaf >= 16)
		fmt |= (id->flbas >> 1) & 0x30;
	if (json) {
		err = nvme_id_ns_json(c, nsid, id, nlbaf, fmt);
	} else {
		printf("%s namespace %u: %llu blocks of %u bytes (%llu MiB), capacity %llu, used %llu\n",
		       c->name, nsid, (unsigned long long)id->nsze, 1U << id->lbaf[fmt].ds,
		       (unsigned long long)((id->nsze << id->lbaf[fmt].ds) >> 20),
		       (unsigned long long)id->ncap, (unsigned long long)id->nuse);
		printf("  nsfeat 0x%02x, npwg %u, nows %u, noiob %u, dlfeat 0x%02x\n", id->nsfeat,
		       id->npwg + 1U, id->nows + 1U, id->noiob, id->dlfeat);
		for (unsigned int i = 0; i < nlbaf; i++)
			printf("  lbaf %2u: ms %-3u lbads %-2u rp %u%s\n", i, id->lbaf[i].ms,
			       id->lbaf[i].ds, id->lbaf[i].rp & 3, i == fmt ? " (in use)" : "");
	}
	kfree(id);
	return err;
}

/* --- smart-log ---------------------------------------------------------------- */
/* The 128-bit counters of the SMART log, by the names nvme-cli gives them. */
static const struct {
	const char *name;
	size_t offset;
} smart_counters[] = {
	{ "data_units_read", __builtin_offsetof(struct nvme_smart_log, data_units_read) },
	{ "data_units_written", __builtin_offsetof(struct nvme_smart_log, data_units_written) },
	{ "host_read_commands", __builtin_offsetof(struct nvme_smart_log, host_reads) },
	{ "host_write_commands", __builtin_offsetof(struct nvme_smart_log, host_writes) },
	{ "controller_busy_time", __builtin_offsetof(struct nvme_smart_log, ctrl_busy_time) },
	{ "power_cycles", __builtin_offsetof(struct nvme_smart_log, power_cycles) },
	{ "power_on_hours", __builtin_offsetof(struct nvme_smart_log, power_on_hours) },
	{ "unsafe_shutdowns", __builtin_offsetof(struct nvme_smart_log, unsafe_shutdowns) },
	{ "media_errors", __builtin_offsetof(struct nvme_smart_log, media_errors) },
	{ "num_err_log_entries", __builtin_offsetof(struct nvme_smart_log, num_err_log_entries) },
};

static int nvme_smart_log_json(struct nvme_ctrl *c, const struct nvme_smart_log *log)
{
	unsigned int kelvin = get_le16(log->temperature);
	struct json_writer w;

	shell_json_begin(&w);
	json_object_begin(&w);
	json_field_str(&w, "controller", c->name);
	json_field_u64(&w, "critical_warning", log->critical_warning);
	json_field_u64(&w, "temperature_kelvin", kelvin);
	json_field_s64(&w, "temperature_celsius", (int)kelvin - 273);
	json_field_u64(&w, "avail_spare", log->avail_spare);
	json_field_u64(&w, "spare_thresh", log->spare_thresh);
	json_field_u64(&w, "percent_used", log->percent_used);
	for (size_t i = 0; i < ARRAY_SIZE(smart_counters); i++)
		json_field_u64(&w, smart_counters[i].name,
			       le128_low((const u8 *)log + smart_counters[i].offset));
	json_object_end(&w);
	return shell_json_end(&w);
}

static void nvme_smart_log_text(struct nvme_ctrl *c, const struct nvme_smart_log *log)
{
	unsigned int kelvin = get_le16(log->temperature);

	printf("%s smart log:\n  critical warning      0x%02x\n  temperature           %d C (%u K)\n"
	       "  available spare       %u%%\n  spare threshold       %u%%\n"
	       "  percentage used       %u%%\n", c->name, log->critical_warning,
	       (int)kelvin - 273, kelvin, log->avail_spare, log->spare_thresh,
	       log->percent_used);
	for (size_t i = 0; i < ARRAY_SIZE(smart_counters); i++) {
		const u8 *v = (const u8 *)log + smart_counters[i].offset;

		printf("  %-21s %llu%s\n", smart_counters[i].name, (unsigned long long)le128_low(v),
		       le128_high_set(v) ? " (+ 2^64 multiples)" : "");
	}
}

static int nvme_cmd_smart_log(struct nvme_ctrl *c, bool json)
{
	struct nvme_smart_log *log = kmalloc(sizeof(*log));
	char text[96];
	u16 status;
	int err;

	if (!log)
		return shell_error("out of memory");
	err = nvme_get_log(c, 0xffffffff, NVME_LOG_SMART, log, sizeof(*log), &status);
	if (err) {
		kfree(log);
		return shell_error("%s: SMART log failed: %s", c->name,
				   status ? nvme_status_format(status, text, sizeof(text)) :
				   errno_name(err));
	}
	if (json)
		err = nvme_smart_log_json(c, log);
	else
		nvme_smart_log_text(c, log);
	kfree(log);
	return err;
}

/* --- stats --------------------------------------------------------------------- */
static void queue_stats_clear(struct nvme_queue *q)
{
	q->submitted = q->sq_doorbells = q->sq_shadow_skips = 0;
	q->completed = q->cq_doorbells = q->cq_shadow_skips = 0;
	q->interrupts = q->spurious = 0;
}

static const char *nvme_queue_type(const struct nvme_queue *q, unsigned int qid)
{
	return qid == 0 ? "admin" : q->poll ? "poll" : "irq";
}

static int nvme_stats_json(struct nvme_ctrl *c)
{
	struct json_writer w;

	shell_json_begin(&w);
	json_object_begin(&w);
	json_field_str(&w, "controller", c->name);
	json_field_bool(&w, "shadow_doorbells", c->dbbuf_db);
	json_key(&w, "queues");
	json_array_begin(&w);
	for (unsigned int qid = 0; qid <= c->max_io_queues; qid++) {
		struct nvme_queue *q = qid ? &c->queues[qid] : &c->admin_q;

		if (qid && !q->live)
			continue;
		json_object_begin(&w);
		json_field_u64(&w, "qid", qid);
		json_field_str(&w, "type", nvme_queue_type(q, qid));
		json_field_s64(&w, "cpu", q->cpu);
		json_field_u64(&w, "submitted", q->submitted);
		json_field_u64(&w, "sq_doorbells", q->sq_doorbells);
		json_field_u64(&w, "sq_shadow_skips", q->sq_shadow_skips);
		json_field_u64(&w, "completed", q->completed);
		json_field_u64(&w, "cq_doorbells", q->cq_doorbells);
		json_field_u64(&w, "cq_shadow_skips", q->cq_shadow_skips);
		json_field_u64(&w, "interrupts", q->interrupts);
		json_field_u64(&w, "spurious", q->spurious);
		json_object_end(&w);
	}
	json_array_end(&w);
	json_object_end(&w);
	return shell_json_end(&w);
}

static int nvme_cmd_stats(struct nvme_ctrl *c, bool clear, bool json)
{
	if (clear) {
		for (unsigned int qid = 1; qid <= c->max_io_queues; qid++)
			queue_stats_clear(&c->queues[qid]);
		queue_stats_clear(&c->admin_q);
		return 0;
	}
	if (json)
		return nvme_stats_json(c);
	printf("%s: shadow doorbells %s\n%5s %-7s %4s %10s %10s %10s %10s %10s %10s %10s\n",
	       c->name, c->dbbuf_db ? "on" : "off", "QID", "TYPE", "CPU", "SUBMITTED", "SQ-DB",
	       "SQ-SKIP", "COMPLETED", "CQ-DB", "CQ-SKIP", "IRQS");
	for (unsigned int qid = 0; qid <= c->max_io_queues; qid++) {
		struct nvme_queue *q = qid ? &c->queues[qid] : &c->admin_q;

		if (qid && !q->live)
			continue;
		printf("%5u %-7s %4d %10llu %10llu %10llu %10llu %10llu %10llu %10llu\n", qid,
		       nvme_queue_type(q, qid), q->cpu, (unsigned long long)q->submitted,
		       (unsigned long long)q->sq_doorbells, (unsigned long long)q->sq_shadow_skips,
		       (unsigned long long)q->completed, (unsigned long long)q->cq_doorbells,
		       (unsigned long long)q->cq_shadow_skips, (unsigned long long)q->interrupts);
	}
	return 0;
}

static const char nvme_usage[] =
	"nvme list | id-ctrl <dev> | id-ns <dev> [nsid=N] | smart-log <dev> | stats <dev> [clear]"
	" | reset <dev> [fail] [--json]";

static int cmd_nvme(int argc, char **argv)
{
	struct nvme_ctrl *c;
	bool json = false;
	const char *sub;
	u32 nsid;
	int err;

	err = shell_json_flag(&argc, argv, &json);
	if (err)
		return err;
	argc--;
	argv++;
	if (argc < 1)
		return shell_usage_error("nvme");
	sub = argv[0];
	if (!strcmp(sub, "list"))
		return nvme_cmd_list(argc - 1, argv + 1, json);
	if (strcmp(sub, "id-ctrl") && strcmp(sub, "id-ns") && strcmp(sub, "smart-log") &&
	    strcmp(sub, "stats") && strcmp(sub, "reset"))
		return shell_error("unknown nvme command '%s' (list, id-ctrl, id-ns, smart-log, "
				   "stats, reset)", sub);
	if (argc < 2)
		return shell_error("usage: nvme %s <dev>", sub);
	c = dev_arg(argv[1], &nsid);
	if (!c)
		return -ENODEV;
	if (!strcmp(sub, "id-ns")) {
		/* nsid: the named namespace's, or the controller's first (0: none) */
		for (int i = 2; i < argc; i++) {
			char *key, *value;

			if (parse_kv(argv[i], &key, &value) || strcmp(key, "nsid") ||
			    parse_u32(value, &nsid) || !nsid || nsid == 0xffffffff)
				return shell_error("bad argument '%s' (nsid=N, N from 1)", argv[i]);
		}
		if (!nsid)
			return shell_error("%s has no namespace: give nsid=N", c->name);
		return nvme_cmd_id_ns(c, nsid, json);
	}
	if (!strcmp(sub, "stats")) {
		bool clear = argc == 3 && !strcmp(argv[2], "clear");

		if (argc > 3 || (argc == 3 && !clear))
			return shell_error("usage: nvme stats <dev> [clear] [--json]");
		return nvme_cmd_stats(c, clear, json);
	}
	if (!strcmp(sub, "reset") && argc == 3 && !strcmp(argv[2], "fail"))
		__atomic_store_n(&c->fail_next_reset, true, __ATOMIC_SEQ_CST);
	else if (argc != 2)
		return shell_error("usage: nvme %s <dev>%s", sub, strcmp(sub, "reset") ? "" : " [fail]");
	if (!strcmp(sub, "id-ctrl"))
		return nvme_cmd_id_ctrl(c, json);
	if (!strcmp(sub, "smart-log"))
		return nvme_cmd_smart_log(c, json);
	err = nvme_reset_ctrl(c);
	if (err)
		return shell_error("%s: reset failed: %s", c->name, errno_name(err));
	printf("%s: reset (%llu so far)\n", c->name, (unsigned long long)c->resets);
	return 0;
}
SHELL_COMMAND(nvme, cmd_nvme, nvme_usage, "NVMe controllers: identify, health, statistics, reset");
