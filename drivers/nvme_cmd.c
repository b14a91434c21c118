/*
 * The `nvme` shell command, after nvme-cli:
 *
 *	nvme list [--json]			controllers and namespaces
 *	nvme id-ctrl <dev> [--json]		Identify Controller, and how the driver uses it
 *	nvme id-ns <dev> [nsid=N] [--json]	Identify Namespace: size, LBA formats
 *	nvme smart-log <dev> [--json]		SMART / Health Information log page
 *	nvme stats <dev> [clear] [--json]	per queue: commands, doorbell writes, interrupts
 *	nvme reset <dev>			controller reset
 *
 * <dev> is a controller ("nvme0") or one of its namespaces ("nvme0n1").
 * Identify data and logs are read from the controller each time.
 */
#include "drivers/nvme.h"
#include "drivers/nvme_status.h"
#include "kernel/console.h"
#include "kernel/shell.h"
#include "kernel/slab.h"
#include "lib/errno.h"
#include "lib/parse.h"
#include "lib/printf.h"
#include "lib/string.h"

/* A JSON string value: quotes, backslashes and controls escaped. */
static void json_string(const char *s)
{
	printf("\"");
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < ' ')
			printf("\\u%04x", (unsigned char)*s);
		else
			printf("%c", *s);
	}
	printf("\"");
}

/* A 128-bit little-endian counter of the SMART log; the low 64 bits (the rest is 0 in practice). */
static u64 le128_low(const u8 *v)
{
	u64 x = 0;

	for (int i = 7; i >= 0; i--)
		x = (x << 8) | v[i];
	return x;
}

static bool le128_high_set(const u8 *v)
{
	for (int i = 8; i < 16; i++)
		if (v[i])
			return true;
	return false;
}

static bool has_json(int *argc, char **argv)
{
	bool json = false;
	int out = 0;

	for (int i = 0; i < *argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = true;
		else
			argv[out++] = argv[i];
	}
	*argc = out;
	return json;
}

static struct nvme_ctrl *dev_arg(const char *name, struct nvme_ns **ns)
{
	struct nvme_ctrl *c = nvme_ctrl_find(name, ns);

	if (!c)
		shell_error("no NVMe controller or namespace '%s' (see nvme list)", name);
	return c;
}

/* --- list ------------------------------------------------------------------- */
static int nvme_cmd_list(int argc, char **argv, bool json)
{
	struct nvme_ctrl *c;
	bool first_ctrl = true;
	char mn[41], sn[21], fr[9];

	if (argc != 0)
		return shell_error("usage: nvme list [--json]");
	if (json)
		printf("{\"controllers\":[");
	else
		printf("%-12s %-20s %-30s %-8s %5s %12s %6s\n", "NODE", "SERIAL", "MODEL", "FW",
		       "NSID", "SIZE", "LBA");
	list_for_each_entry(c, &nvme_ctrls, link) {
		struct nvme_ns *ns;
		bool first_ns = true;

		nvme_id_string(c->id->mn, sizeof(c->id->mn), mn);
		nvme_id_string(c->id->sn, sizeof(c->id->sn), sn);
		nvme_id_string(c->id->fr, sizeof(c->id->fr), fr);
		if (json) {
			printf("%s{\"name\":\"%s\",\"serial\":", first_ctrl ? "" : ",", c->name);
			json_string(sn);
			printf(",\"model\":");
			json_string(mn);
			printf(",\"firmware\":");
			json_string(fr);
			printf(",\"state\":\"%s\",\"namespaces\":[", nvme_ctrl_state_name(c->state));
		} else if (list_empty(&c->namespaces)) {
			printf("%-12s %-20s %-30s %-8s %5s %12s %6s\n", c->name, sn, mn, fr, "-",
			       "-", "-");
		}
		first_ctrl = false;
		list_for_each_entry(ns, &c->namespaces, link) {
			u64 bytes = ns->blocks << ns->lba_shift;

			if (json)
				printf("%s{\"name\":\"%s\",\"nsid\":%u,\"blocks\":%llu,"
				       "\"block_size\":%u,\"bytes\":%llu}", first_ns ? "" : ",",
				       ns->disk.name, ns->nsid, (unsigned long long)ns->blocks,
				       1U << ns->lba_shift, (unsigned long long)bytes);
			else
				printf("%-12s %-20s %-30s %-8s %5u %10llu M %6u\n", ns->disk.name,
				       sn, mn, fr, ns->nsid, (unsigned long long)(bytes >> 20),
				       1U << ns->lba_shift);
			first_ns = false;
		}
		if (json)
			printf("]}");
	}
	if (json)
		printf("]}\n");
	return 0;
}

/* --- id-ctrl ----------------------------------------------------------------- */
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
		printf("{\"name\":\"%s\",\"vid\":%u,\"ssvid\":%u,\"serial\":", c->name, id->vid,
		       id->ssvid);
		json_string(sn);
		printf(",\"model\":");
		json_string(mn);
		printf(",\"firmware\":");
		json_string(fr);
		printf(",\"subnqn\":");
		json_string(nqn);
		printf(",\"version\":\"%u.%u.%u\",\"cntlid\":%u,\"mdts\":%u,\"mdts_bytes\":%llu,"
		       "\"max_transfer\":%u,\"nn\":%u,\"oacs\":%u,\"oncs\":%u,\"vwc\":%u,\"sgls\":%u,"
		       "\"sqes\":%u,\"cqes\":%u,\"acl\":%u,\"page_size\":%u,\"mqes\":%u,"
		       "\"doorbell_stride\":%u,\"queues_granted\":%u,\"vectors\":%u,"
		       "\"queues_default\":%u,\"queues_poll\":%u,\"queue_depth\":%u,"
		       "\"features\":{\"shadow_doorbells\":%s,\"shadow_doorbells_supported\":%s,"
		       "\"sgl\":%s,\"write_zeroes\":%s,\"dsm\":%s,\"volatile_write_cache\":%s},"
		       "\"state\":\"%s\",\"resets\":%llu}\n",
		       NVME_VS_MAJOR(c->vs), NVME_VS_MINOR(c->vs), NVME_VS_TERTIARY(c->vs), id->cntlid,
		       id->mdts, (unsigned long long)mdts_bytes, c->max_transfer, id->nn, id->oacs,
		       id->oncs, id->vwc, id->sgls, id->sqes, id->cqes, id->acl, c->page_size,
		       NVME_CAP_MQES(c->cap) + 1, c->db_stride, c->max_io_queues, c->nr_vectors,
		       nr_default, nr_poll, c->io_depth,
		       c->dbbuf_db ? "true" : "false",
		       id->oacs & NVME_CTRL_OACS_DBBUF ? "true" : "false",
		       c->sgl ? "true" : "false", c->write_zeroes ? "true" : "false",
		       c->dsm ? "true" : "false", c->vwc ? "true" : "false",
		       nvme_ctrl_state_name(c->state), (unsigned long long)c->resets);
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
	return 0;
}

/* --- id-ns ----------------------------------------------------------------- */
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
		printf("{\"controller\":\"%s\",\"nsid\":%u,\"nsze\":%llu,\"ncap\":%llu,\"nuse\":%llu,"
		       "\"nsfeat\":%u,\"nlbaf\":%u,\"flbas\":%u,\"lbaf_in_use\":%u,\"block_size\":%u,"
		       "\"bytes\":%llu,\"npwg\":%u,\"nows\":%u,\"noiob\":%u,\"lbafs\":[",
		       c->name, nsid, (unsigned long long)id->nsze, (unsigned long long)id->ncap,
		       (unsigned long long)id->nuse, id->nsfeat, id->nlbaf, id->flbas, fmt,
		       1U << id->lbaf[fmt].ds,
		       (unsigned long long)(id->nsze << id->lbaf[fmt].ds), id->npwg, id->nows,
		       id->noiob);
		for (unsigned int i = 0; i < nlbaf; i++)
			printf("%s{\"index\":%u,\"ms\":%u,\"ds\":%u,\"block_size\":%u,\"rp\":%u,"
			       "\"in_use\":%s}", i ? "," : "", i, id->lbaf[i].ms, id->lbaf[i].ds,
			       id->lbaf[i].ds < 32 ? 1U << id->lbaf[i].ds : 0, id->lbaf[i].rp & 3,
			       i == fmt ? "true" : "false");
		printf("]}\n");
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
	return 0;
}

/* --- smart-log ---------------------------------------------------------------- */
static int nvme_cmd_smart_log(struct nvme_ctrl *c, bool json)
{
	struct nvme_smart_log *log = kmalloc(sizeof(*log));
	static const struct {
		const char *name;
		size_t offset;
	} counters[] = {
		{ "data_units_read", __builtin_offsetof(struct nvme_smart_log, data_units_read) },
		{ "data_units_written", __builtin_offsetof(struct nvme_smart_log, data_units_written) },
		{ "host_read_commands", __builtin_offsetof(struct nvme_smart_log, host_reads) },
		{ "host_write_commands", __builtin_offsetof(struct nvme_smart_log, host_writes) },
		{ "controller_busy_time", __builtin_offsetof(struct nvme_smart_log, ctrl_busy_time) },
		{ "power_cycles", __builtin_offsetof(struct nvme_smart_log, power_cycles) },
		{ "power_on_hours", __builtin_offsetof(struct nvme_smart_log, power_on_hours) },
		{ "unsafe_shutdowns", __builtin_offsetof(struct nvme_smart_log, unsafe_shutdowns) },
		{ "media_errors", __builtin_offsetof(struct nvme_smart_log, media_errors) },
		{ "num_err_log_entries",
		  __builtin_offsetof(struct nvme_smart_log, num_err_log_entries) },
	};
	char text[96];
	unsigned int kelvin;
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
	kelvin = log->temperature[0] | (log->temperature[1] << 8);
	if (json)
		printf("{\"controller\":\"%s\",\"critical_warning\":%u,\"temperature_kelvin\":%u,"
		       "\"temperature_celsius\":%d,\"avail_spare\":%u,\"spare_thresh\":%u,"
		       "\"percent_used\":%u", c->name, log->critical_warning, kelvin,
		       (int)kelvin - 273, log->avail_spare, log->spare_thresh, log->percent_used);
	else
		printf("%s smart log:\n  critical warning      0x%02x\n  temperature           %d C (%u K)\n"
		       "  available spare       %u%%\n  spare threshold       %u%%\n"
		       "  percentage used       %u%%\n", c->name, log->critical_warning,
		       (int)kelvin - 273, kelvin, log->avail_spare, log->spare_thresh,
		       log->percent_used);
	for (size_t i = 0; i < ARRAY_SIZE(counters); i++) {
		const u8 *v = (const u8 *)log + counters[i].offset;

		if (json)
			printf(",\"%s\":%llu", counters[i].name, (unsigned long long)le128_low(v));
		else
			printf("  %-21s %llu%s\n", counters[i].name, (unsigned long long)le128_low(v),
			       le128_high_set(v) ? " (+ 2^64 multiples)" : "");
	}
	if (json)
		printf("}\n");
	kfree(log);
	return 0;
}

/* --- stats --------------------------------------------------------------------- */
static void queue_stats_clear(struct nvme_queue *q)
{
	q->submitted = q->sq_doorbells = q->sq_shadow_skips = 0;
	q->completed = q->cq_doorbells = q->cq_shadow_skips = 0;
	q->interrupts = q->spurious = 0;
}

static int nvme_cmd_stats(struct nvme_ctrl *c, bool clear, bool json)
{
	bool first = true;

	if (clear) {
		for (unsigned int qid = 1; qid <= c->max_io_queues; qid++)
			queue_stats_clear(&c->queues[qid]);
		queue_stats_clear(&c->admin_q);
		return 0;
	}
	if (json)
		printf("{\"controller\":\"%s\",\"shadow_doorbells\":%s,\"queues\":[", c->name,
		       c->dbbuf_db ? "true" : "false");
	else
		printf("%s: shadow doorbells %s\n%5s %-7s %4s %10s %10s %10s %10s %10s %10s %10s\n",
		       c->name, c->dbbuf_db ? "on" : "off", "QID", "TYPE", "CPU", "SUBMITTED",
		       "SQ-DB", "SQ-SKIP", "COMPLETED", "CQ-DB", "CQ-SKIP", "IRQS");
	for (unsigned int qid = 0; qid <= c->max_io_queues; qid++) {
		struct nvme_queue *q = qid ? &c->queues[qid] : &c->admin_q;
		const char *type = qid == 0 ? "admin" : q->poll ? "poll" : "irq";

		if (qid && !q->live)
			continue;
		if (json)
			printf("%s{\"qid\":%u,\"type\":\"%s\",\"cpu\":%d,\"submitted\":%llu,"
			       "\"sq_doorbells\":%llu,\"sq_shadow_skips\":%llu,\"completed\":%llu,"
			       "\"cq_doorbells\":%llu,\"cq_shadow_skips\":%llu,\"interrupts\":%llu,"
			       "\"spurious\":%llu}", first ? "" : ",", qid, type, q->cpu,
			       (unsigned long long)q->submitted, (unsigned long long)q->sq_doorbells,
			       (unsigned long long)q->sq_shadow_skips,
			       (unsigned long long)q->completed, (unsigned long long)q->cq_doorbells,
			       (unsigned long long)q->cq_shadow_skips,
			       (unsigned long long)q->interrupts, (unsigned long long)q->spurious);
		else
			printf("%5u %-7s %4d %10llu %10llu %10llu %10llu %10llu %10llu %10llu\n", qid,
			       type, q->cpu, (unsigned long long)q->submitted,
			       (unsigned long long)q->sq_doorbells,
			       (unsigned long long)q->sq_shadow_skips,
			       (unsigned long long)q->completed, (unsigned long long)q->cq_doorbells,
			       (unsigned long long)q->cq_shadow_skips,
			       (unsigned long long)q->interrupts);
		first = false;
	}
	if (json)
		printf("]}\n");
	return 0;
}

static const char nvme_usage[] =
	"nvme list | id-ctrl <dev> | id-ns <dev> [nsid=N] | smart-log <dev> | stats <dev> [clear]"
	" | reset <dev> [--json]";

static int cmd_nvme(int argc, char **argv)
{
	bool json;
	struct nvme_ctrl *c;
	struct nvme_ns *ns;
	const char *sub;
	int err;

	argc--;
	argv++;
	json = has_json(&argc, argv);
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
	c = dev_arg(argv[1], &ns);
	if (!c)
		return -ENODEV;
	if (!strcmp(sub, "id-ns")) {
		u32 nsid = ns ? ns->nsid : 0;

		for (int i = 2; i < argc; i++) {
			char *key, *value;

			if (parse_kv(argv[i], &key, &value) || strcmp(key, "nsid") ||
			    parse_u32(value, &nsid) || !nsid || nsid == 0xffffffff)
				return shell_error("bad argument '%s' (nsid=N, N from 1)", argv[i]);
		}
		if (!nsid) {
			if (list_empty(&c->namespaces))
				return shell_error("%s has no namespace: give nsid=N", c->name);
			nsid = list_first_entry(&c->namespaces, struct nvme_ns, link)->nsid;
		}
		return nvme_cmd_id_ns(c, nsid, json);
	}
	if (!strcmp(sub, "stats")) {
		bool clear = argc == 3 && !strcmp(argv[2], "clear");

		if (argc > 3 || (argc == 3 && !clear))
			return shell_error("usage: nvme stats <dev> [clear] [--json]");
		return nvme_cmd_stats(c, clear, json);
	}
	if (argc != 2)
		return shell_error("usage: nvme %s <dev>", sub);
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
