/*
 * The null block device (drivers/block/null_blk.h). Each device is one tag set,
 * one queue and one gendisk (or, with shared_tags=1, one queue on the tag
 * set all such devices share, docs/shared_tags.md); queue_rq moves the data (memory backed) or
 * does nothing, then completes the request the configured way:
 *
 *   none   blk_mq_complete_request() inside queue_rq, on the submitter;
 *   ipi    smp_call_function_single_async() to the submitting CPU, with the
 *          call storage in the request's pdu (nothing allocated per I/O);
 *   timer  a timer per request (in its pdu, as Linux's null_blk has one
 *          hrtimer per command), armed on the submitting CPU for
 *          completion_ns later, completing there in interrupt context;
 *
 * and requests of POLL queues wait on their queue's list for ops->poll.
 *
 * Memory backing: a two-level table, a top array of leaves each holding
 * 512 page pointers (2 MiB of the disk); leaves and pages appear on the
 * first write to them (installed with a compare-and-swap, so racing writers
 * need no lock), reads of what was never written return zeroes. Discard
 * and write-zeroes zero the pages they cover and free nothing, so a racing
 * read or write never touches a freed page; memory goes back at `nullb del`.
 */
#include "drivers/block/null_blk.h"
#include "block/blk_mq.h"
#include "kernel/cmdline.h"
#include "kernel/console/console.h"
#include "kernel/mm/mm.h"
#include "kernel/sched/mutex.h"
#include "kernel/mm/page_alloc.h"
#include "kernel/arch/percpu.h"
#include "kernel/console/printk.h"
#include "kernel/mm/slab.h"
#include "kernel/arch/smp.h"
#include "kernel/time/time.h"
#include "lib/errno.h"
#include "lib/parse.h"
#include "lib/printf.h"
#include "lib/string.h"

#define NULLB_LEAF_SHIFT 21			/* bytes of the disk one leaf maps */
#define NULLB_LEAF_PAGES (1U << (NULLB_LEAF_SHIFT - PAGE_SHIFT))

struct nullb {
	struct gendisk disk;
	struct blk_mq_tag_set own_set;		/* the device's own, unless shared_tags */
	struct blk_mq_tag_set *set;		/* own_set or nullb_shared.set */
	struct request_queue *q;
	struct nullb_config cfg;
	void ***leaves;				/* memory backed: nr_leaves of them */
	u64 nr_leaves;
	u64 pages;				/* pages allocated, for `nullb list` */
	struct list_head link;			/* in nullb_devices */
	u64 issued;				/* requests seen, for timeout_every */
	u64 timed_out;				/* requests ended by the timeout handler */
};

/* per request, after struct request */
struct nullb_cmd {
	struct call_single_data csd;		/* irqmode ipi */
	struct timer timer;			/* irqmode timer */
	struct list_head poll_link;		/* on its POLL queue's list */
	int status;
	bool dropped;				/* timeout_every chose it: only the timeout ends it */
};

/* per hardware queue */
struct nullb_queue {
	spinlock_t lock;
	struct list_head poll_list;		/* struct nullb_cmd, protected by lock */
};

static struct mutex nullb_lock = MUTEX_INIT(nullb_lock);
static LIST_HEAD(nullb_devices);		/* protected by nullb_lock */

/*
 * The tag set of the devices made with shared_tags=1, as Linux's null_blk
 * has one global tag_set for them: made by the first, freed when the last
 * one's queue is gone (nullb_free_disk). Protected by nullb_lock.
 */
static struct {
	struct blk_mq_tag_set set;
	unsigned int users;			/* devices on it, live or not yet freed */
} nullb_shared;

/* --- memory backing ------------------------------------------------------------ */

/* The page holding byte pos of the disk; allocated when create is set. */
static u8 *nullb_page(struct nullb *nb, u64 pos, bool create)
{
	void ***slot = &nb->leaves[pos >> NULLB_LEAF_SHIFT];
	void **leaf = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
	void *page, *expected = NULL;

	if (!leaf) {
		void **fresh;

		if (!create)
			return NULL;
		fresh = kzalloc(NULLB_LEAF_PAGES * sizeof(void *));
		if (!fresh)
			return NULL;
		if (__atomic_compare_exchange_n(slot, &leaf, fresh, false, __ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE))
			leaf = fresh;
		else
			kfree(fresh);	/* another writer won; leaf is theirs */
	}
	page = __atomic_load_n(&leaf[(pos >> PAGE_SHIFT) % NULLB_LEAF_PAGES], __ATOMIC_ACQUIRE);
	if (page || !create)
		return page;
	page = page_zalloc(0);
	if (!page)
		return NULL;
	if (!__atomic_compare_exchange_n(&leaf[(pos >> PAGE_SHIFT) % NULLB_LEAF_PAGES], &expected,
					 page, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		page_free(page, 0);
		return expected;
	}
	__atomic_fetch_add(&nb->pages, 1, __ATOMIC_RELAXED);
	return page;
}

/* Copy len bytes between buf and the disk at pos, page by page. */
static int nullb_copy(struct nullb *nb, u64 pos, u8 *buf, u32 len, bool write)
{
	while (len) {
		u32 off = pos & (PAGE_SIZE - 1);
		u32 chunk = min((u32)(PAGE_SIZE - off), len);
		u8 *page = nullb_page(nb, pos, write);

		if (write) {
			if (!page)
				return -ENOMEM;
			memcpy(page + off, buf, chunk);
		} else if (page) {
			memcpy(buf, page + off, chunk);
		} else {
			memset(buf, 0, chunk);
		}
		pos += chunk;
		buf += chunk;
		len -= chunk;
	}
	return 0;
}

static void nullb_zero(struct nullb *nb, u64 pos, u64 len)
{
	while (len) {
		u32 off = pos & (PAGE_SIZE - 1);
		u32 chunk = (u32)min((u64)(PAGE_SIZE - off), len);
		u8 *page = nullb_page(nb, pos, false);

		if (page)
			memset(page + off, 0, chunk);
		pos += chunk;
		len -= chunk;
	}
}

static int nullb_transfer(struct nullb *nb, struct request *rq)
{
	u64 pos = rq->sector << SECTOR_SHIFT;
	u32 left = rq->nr_bytes, off = rq->vec_offset;

	switch (rq->op) {
	case REQ_OP_READ:
	case REQ_OP_WRITE:
		for (u16 i = 0; i < rq->vcnt && left; i++) {
			u32 len = min(rq->vecs[i].len - off, left);
			int err = nullb_copy(nb, pos, phys_to_virt(rq->vecs[i].phys + off), len,
					     rq->op == REQ_OP_WRITE);

			if (err)
				return err;
			pos += len;
			left -= len;
			off = 0;
		}
		return 0;
	case REQ_OP_DISCARD:
	case REQ_OP_WRITE_ZEROES:
		nullb_zero(nb, pos, rq->nr_bytes);
		return 0;
	default:
		return 0;	/* flush: nothing is cached */
	}
}

static void nullb_free_memory(struct nullb *nb)
{
	if (!nb->leaves)
		return;
	for (u64 l = 0; l < nb->nr_leaves; l++) {
		if (!nb->leaves[l])
			continue;
		for (unsigned int p = 0; p < NULLB_LEAF_PAGES; p++)
			if (nb->leaves[l][p])
				page_free(nb->leaves[l][p], 0);
		kfree(nb->leaves[l]);
	}
	kfree(nb->leaves);
}

/* --- blk-mq operations ------------------------------------------------------------ */

static void nullb_ipi_complete(void *arg)
{
	blk_mq_complete_request(arg);
}

static void nullb_timer_complete(struct timer *t)
{
	blk_mq_complete_request(blk_mq_rq_from_pdu(container_of(t, struct nullb_cmd, timer)));
}

static __always_inline int __nullb_queue_rq(struct blk_mq_hw_ctx *hctx, struct request *rq,
					    bool last)
{
	struct nullb *nb = hctx->queue->queuedata;
	struct nullb_cmd *cmd = blk_mq_rq_to_pdu(rq);

	cmd->status = nb->leaves ? nullb_transfer(nb, rq) : 0;
	cmd->dropped = false;
	if (nb->cfg.timeout_every &&
	    __atomic_add_fetch(&nb->issued, 1, __ATOMIC_RELAXED) % nb->cfg.timeout_every == 0) {
		/* lost by the "device": blk-mq's timeout must find it (nullb_timeout) */
		WRITE_ONCE(cmd->dropped, true);
		return 0;
	}
	if (hctx->type == HCTX_TYPE_POLL) {
		struct nullb_queue *nq = hctx->driver_data;
		unsigned long flags = spin_lock_irqsave(&nq->lock);

		list_add_tail(&cmd->poll_link, &nq->poll_list);
		spin_unlock_irqrestore(&nq->lock, flags);
		return 0;
	}
	switch (nb->cfg.irqmode) {
	case NULLB_IRQ_IPI:
		if (smp_call_function_single_async(rq->ctx->cpu, &cmd->csd) == 0)
			break;
		blk_mq_complete_request(rq);
		break;
	case NULLB_IRQ_TIMER:
		timer_arm(&cmd->timer, time_ns() + nb->cfg.completion_ns);
		break;
	default:
		blk_mq_complete_request(rq);
	}
	return 0;
}

static int nullb_queue_rq(struct blk_mq_hw_ctx *hctx, struct request *rq, bool last)
{
	return __nullb_queue_rq(hctx, rq, last);
}

/*
 * Traced (docs/blk-trace.md): no doorbell, DOORBELL marks where the
 * "device" starts on rq, which is where queue_rq starts.
 */
static int nullb_queue_rq_traced(struct blk_mq_hw_ctx *hctx, struct request *rq, bool last)
{
	blk_trace_rq_two(rq, BLK_TRACE_DISPATCH, BLK_TRACE_DOORBELL);
	return __nullb_queue_rq(hctx, rq, last);
}

static void nullb_complete(struct request *rq)
{
	blk_mq_end_request(rq, ((struct nullb_cmd *)blk_mq_rq_to_pdu(rq))->status);
}

/*
 * A request past its deadline: one that timeout_every dropped ends with
 * -ETIMEDOUT; any other is merely slow (timer mode, a busy host): wait more.
 */
static enum blk_eh_timer_return nullb_timeout(struct request *rq)
{
	struct nullb *nb = rq->q->queuedata;
	struct nullb_cmd *cmd = blk_mq_rq_to_pdu(rq);

	if (!READ_ONCE(cmd->dropped))
		return BLK_EH_RESET_TIMER;
	WRITE_ONCE(cmd->dropped, false);
	cmd->status = -ETIMEDOUT;
	__atomic_add_fetch(&nb->timed_out, 1, __ATOMIC_RELAXED);
	pr_warn("%s: request %d (sector %llu) timed out\n", nb->disk.name, rq->tag,
		(unsigned long long)rq->sector);
	blk_mq_complete_request(rq);
	return BLK_EH_DONE;
}

static int nullb_poll(struct blk_mq_hw_ctx *hctx)
{
	struct nullb_queue *nq = hctx->driver_data;
	struct nullb_cmd *cmd, *next;
	LIST_HEAD(done);
	unsigned long flags;
	int found = 0;

	if (list_empty(&nq->poll_list))
		return 0;
	flags = spin_lock_irqsave(&nq->lock);
	list_splice_tail_init(&nq->poll_list, &done);
	spin_unlock_irqrestore(&nq->lock, flags);
	list_for_each_entry_safe(cmd, next, &done, poll_link) {
		blk_mq_complete_request(blk_mq_rq_from_pdu(cmd));
		found++;
	}
	return found;
}

static int nullb_init_hctx(struct blk_mq_hw_ctx *hctx, void *driver_data, unsigned int index)
{
	struct nullb_queue *nq = kzalloc(sizeof(*nq));

	if (!nq)
		return -ENOMEM;
	spin_init(&nq->lock);
	INIT_LIST_HEAD(&nq->poll_list);
	hctx->driver_data = nq;
	return 0;
}

static void nullb_exit_hctx(struct blk_mq_hw_ctx *hctx, unsigned int index)
{
	kfree(hctx->driver_data);
	hctx->driver_data = NULL;
}

static int nullb_init_request(struct blk_mq_tag_set *set, struct request *rq,
			      unsigned int hctx_index)
{
	struct nullb_cmd *cmd = blk_mq_rq_to_pdu(rq);

	cmd->csd.fn = nullb_ipi_complete;
	cmd->csd.arg = rq;
	timer_setup(&cmd->timer, nullb_timer_complete);
	INIT_LIST_HEAD(&cmd->poll_link);
	return 0;
}

static const struct blk_mq_ops nullb_mq_ops = {
	.queue_rq = nullb_queue_rq,
	.queue_rq_traced = nullb_queue_rq_traced,
	.complete = nullb_complete,
	.poll = nullb_poll,
	.timeout = nullb_timeout,
	.init_hctx = nullb_init_hctx,
	.exit_hctx = nullb_exit_hctx,
	.init_request = nullb_init_request,
};

/* --- devices ------------------------------------------------------------------------ */

static const char *const irqmode_names[] = { "none", "ipi", "timer" };

static struct nullb_config boot_config;
static bool boot_config_set;
static u32 boot_nr_devices = 1;

void nullb_config_default(struct nullb_config *cfg)
{
	*cfg = (struct nullb_config){
		.size = 512ULL << 20,
		.bs = 512,
		.irqmode = NULLB_IRQ_NONE,
		.completion_ns = 10000,
		.depth = 64,
	};
}

int nullb_config_check(const struct nullb_config *cfg)
{
	if (cfg->bs < 512 || cfg->bs > 4096 || (cfg->bs & (cfg->bs - 1)))
		return -EINVAL;
	if (!cfg->size || cfg->size % cfg->bs || cfg->size > (1ULL << 50))
		return -EINVAL;
	if (cfg->queues > MAX_CPUS || cfg->poll_queues > MAX_CPUS || cfg->irqmode > NULLB_IRQ_TIMER)
		return -EINVAL;
	if (!cfg->depth || cfg->depth > NULLB_MAX_DEPTH)
		return -EINVAL;
	if (cfg->max_sectors && cfg->max_sectors < cfg->bs / SECTOR_SIZE)
		return -EINVAL;
	return 0;
}

static void nullb_set_fill(struct blk_mq_tag_set *set, const struct nullb_config *cfg,
			   void *driver_data)
{
	set->ops = &nullb_mq_ops;
	set->nr_hw_queues = cfg->queues + cfg->poll_queues;
	set->nr_poll_queues = cfg->poll_queues;
	set->queue_depth = cfg->depth;
	set->cmd_size = sizeof(struct nullb_cmd);
	set->timeout_ns = (u64)cfg->timeout_ms * 1000000;
	set->driver_data = driver_data;
}

/*
 * nullb_lock held: a reference to the shared set, made from cfg by the first
 * user; a later one takes the set's queues, depth and timeout into cfg.
 */
static int nullb_shared_get(struct nullb_config *cfg)
{
	struct blk_mq_tag_set *set = &nullb_shared.set;
	int err;

	if (nullb_shared.users) {
		cfg->poll_queues = set->nr_poll_queues;
		cfg->queues = set->nr_hw_queues - set->nr_poll_queues;
		cfg->depth = set->queue_depth;
		cfg->timeout_ms = (u32)(set->timeout_ns / 1000000);
		nullb_shared.users++;
		return 0;
	}
	memset(set, 0, sizeof(*set));
	nullb_set_fill(set, cfg, NULL);
	err = blk_mq_alloc_tag_set(set);
	if (err)
		return err;
	nullb_shared.users = 1;
	return 0;
}

/* A device of the shared set is gone, its queue destroyed: the last frees the set. */
static void nullb_shared_put(void)
{
	mutex_lock(&nullb_lock);
	if (--nullb_shared.users == 0)
		blk_mq_free_tag_set(&nullb_shared.set);
	mutex_unlock(&nullb_lock);
}

/* The disk's last reference went: its queue is gone, the backing memory may go. */
static void nullb_free_disk(struct gendisk *disk)
{
	struct nullb *nb = container_of(disk, struct nullb, disk);

	nullb_free_memory(nb);
	if (nb->set == &nullb_shared.set)
		nullb_shared_put();
	kfree(nb);
}

struct gendisk *nullb_create(const struct nullb_config *cfg)
{
	struct nullb *nb;
	struct queue_limits lim;
	int err = nullb_config_check(cfg);

	if (err)
		return ERR_PTR(err);
	nb = kzalloc(sizeof(*nb));
	if (!nb)
		return ERR_PTR(-ENOMEM);
	nb->cfg = *cfg;
	if (!nb->cfg.queues)
		nb->cfg.queues = nr_cpus;
	if (cfg->memory_backed) {
		nb->nr_leaves = DIV_ROUND_UP(cfg->size, 1ULL << NULLB_LEAF_SHIFT);
		nb->leaves = kcalloc(nb->nr_leaves, sizeof(*nb->leaves));
		if (!nb->leaves) {
			err = -ENOMEM;
			goto free_nb;
		}
	}
	blk_queue_limits_default(&lim);
	lim.logical_block_size = cfg->bs;
	lim.physical_block_size = cfg->bs;
	lim.max_sectors = cfg->max_sectors ? cfg->max_sectors : 2048;
	if (cfg->max_segments)
		lim.max_segments = cfg->max_segments;
	lim.max_discard_sectors = 1U << 30;
	lim.max_write_zeroes_sectors = 1U << 30;

	mutex_lock(&nullb_lock);
	if (cfg->shared_tags) {
		err = nullb_shared_get(&nb->cfg);
		if (err)
			goto unlock;
		nb->set = &nullb_shared.set;
	} else {
		nb->set = &nb->own_set;
		nullb_set_fill(nb->set, &nb->cfg, nb);
	}
	err = disk_name_alloc(nb->disk.name, sizeof(nb->disk.name), "null");
	if (err)
		goto put_shared;
	nb->disk.driver = "null";
	nb->disk.capacity = cfg->size >> SECTOR_SHIFT;
	nb->disk.private_data = nb;
	nb->disk.free_disk = nullb_free_disk;
	/* on the shared set, a second queue: blk-mq makes the set's queues share fairly */
	err = blk_mq_create_disk(&nb->disk, nb->set, &lim, nb,
				 cfg->shared_tags ? 0 : BLK_DISK_OWN_TAG_SET);
	if (err)
		goto put_shared;
	nb->q = nb->disk.queue;
	list_add_tail(&nb->link, &nullb_devices);
	mutex_unlock(&nullb_lock);
	return &nb->disk;

put_shared:
	if (cfg->shared_tags && --nullb_shared.users == 0)
		blk_mq_free_tag_set(&nullb_shared.set);
unlock:
	mutex_unlock(&nullb_lock);
free_nb:
	nullb_free_memory(nb);
	kfree(nb);
	return ERR_PTR(err);
}

int nullb_destroy(struct gendisk *disk)
{
	struct nullb *nb, *found = NULL;

	mutex_lock(&nullb_lock);
	list_for_each_entry(nb, &nullb_devices, link)
		if (&nb->disk == disk)
			found = nb;
	if (found)
		list_del(&found->link);
	mutex_unlock(&nullb_lock);
	if (!found)
		return -ENODEV;
	/* its memory goes when the last user (a bench, a dm table) lets go */
	blk_mq_destroy_disk(&found->disk);
	return 0;
}

void nullb_init(void)
{
	struct nullb_config cfg;

	if (boot_config_set)
		cfg = boot_config;
	else
		nullb_config_default(&cfg);
	for (u32 i = 0; i < boot_nr_devices; i++) {
		struct gendisk *disk = nullb_create(&cfg);

		if (IS_ERR(disk)) {
			pr_err("null_blk: cannot create a device: error %ld\n", PTR_ERR(disk));
			return;
		}
	}
}

/* --- options: boot command line and `nullb add` ---------------------------------- */

enum nullb_opt_kind { OPT_SIZE, OPT_U32, OPT_U64, OPT_BOOL, OPT_IRQMODE };

struct nullb_opt {
	const char *name;
	enum nullb_opt_kind kind;
	size_t offset;			/* in struct nullb_config */
};

static const struct nullb_opt nullb_opts[] = {
	{ "size", OPT_SIZE, offsetof(struct nullb_config, size) },
	{ "bs", OPT_SIZE, offsetof(struct nullb_config, bs) },
	{ "queues", OPT_U32, offsetof(struct nullb_config, queues) },
	{ "poll_queues", OPT_U32, offsetof(struct nullb_config, poll_queues) },
	{ "irqmode", OPT_IRQMODE, offsetof(struct nullb_config, irqmode) },
	{ "completion_ns", OPT_U64, offsetof(struct nullb_config, completion_ns) },
	{ "depth", OPT_U32, offsetof(struct nullb_config, depth) },
	/* Linux null_blk's name for it */
	{ "hw_queue_depth", OPT_U32, offsetof(struct nullb_config, depth) },
	{ "max_sectors", OPT_U32, offsetof(struct nullb_config, max_sectors) },
	{ "max_segments", OPT_U32, offsetof(struct nullb_config, max_segments) },
	{ "memory_backed", OPT_BOOL, offsetof(struct nullb_config, memory_backed) },
	{ "timeout_every", OPT_U32, offsetof(struct nullb_config, timeout_every) },
	{ "timeout_ms", OPT_U32, offsetof(struct nullb_config, timeout_ms) },
	{ "shared_tags", OPT_BOOL, offsetof(struct nullb_config, shared_tags) },
};

int nullb_config_set(struct nullb_config *cfg, const char *key, const char *value)
{
	for (size_t i = 0; i < ARRAY_SIZE(nullb_opts); i++) {
		const struct nullb_opt *o = &nullb_opts[i];
		void *field = (u8 *)cfg + o->offset;
		u64 v;
		int err;

		if (strcmp(o->name, key))
			continue;
		switch (o->kind) {
		case OPT_SIZE:
		case OPT_U64:
			err = o->kind == OPT_SIZE ? parse_size(value, &v) : parse_u64(value, &v);
			if (err)
				return err;
			if (!strcmp(key, "bs")) {
				if (v > 0xffffffffULL)
					return -ERANGE;
				*(u32 *)field = (u32)v;
			} else {
				*(u64 *)field = v;
			}
			return 0;
		case OPT_U32:
			return parse_u32(value, field);
		case OPT_BOOL:
			return parse_bool(value, field);
		case OPT_IRQMODE:
			for (u32 m = 0; m < ARRAY_SIZE(irqmode_names); m++) {
				if (!strcmp(value, irqmode_names[m])) {
					*(u32 *)field = m;
					return 0;
				}
			}
			return parse_u32(value, field);	/* Linux's 0/1/2 */
		}
	}
	return -ENOENT;
}

static int nullb_boot_opt(const char *key, const char *value)
{
	if (!boot_config_set) {
		nullb_config_default(&boot_config);
		boot_config_set = true;
	}
	return nullb_config_set(&boot_config, key, value);
}

#define NULLB_BOOT_OPTION(_key, _help)						\
	static int nullb_boot_##_key(const char *value)				\
	{									\
		return nullb_boot_opt(#_key, value);				\
	}									\
	CMDLINE_OPTION("null_blk." #_key, nullb_boot_##_key, _help)

NULLB_BOOT_OPTION(size, "null0's size (512m)");
NULLB_BOOT_OPTION(bs, "null devices' block size (512)");
NULLB_BOOT_OPTION(queues, "null devices' hardware queues (0: one per CPU)");
NULLB_BOOT_OPTION(poll_queues, "null devices' POLL queues (0)");
NULLB_BOOT_OPTION(irqmode, "null completion: none, ipi or timer");
NULLB_BOOT_OPTION(completion_ns, "null timer completion delay (10000)");
NULLB_BOOT_OPTION(memory_backed, "null devices keep written data (0)");
NULLB_BOOT_OPTION(depth, "null devices' tags per hardware queue (64)");
NULLB_BOOT_OPTION(timeout_ms, "null request timeout in ms (0: 30 s)");
NULLB_BOOT_OPTION(timeout_every, "null fault injection: never complete every Nth request (0: off)");
NULLB_BOOT_OPTION(shared_tags, "null devices share one tag set (0)");

static int nullb_boot_nr_devices(const char *value)
{
	return parse_u32(value, &boot_nr_devices);
}
CMDLINE_OPTION("null_blk.nr_devices", nullb_boot_nr_devices, "null devices made at boot (1)");

const char *nullb_irqmode_name(u32 irqmode)
{
	return irqmode < ARRAY_SIZE(irqmode_names) ? irqmode_names[irqmode] : "?";
}

int nullb_for_each(int (*fn)(const struct nullb_info *info, void *arg), void *arg)
{
	struct nullb *nb;
	int ret = 0;

	mutex_lock(&nullb_lock);
	list_for_each_entry(nb, &nullb_devices, link) {
		/* the live counts: `queue <dev> nr_hw_queues=` may have changed them */
		struct nullb_info info = {
			.name = nb->disk.name,
			.cfg = &nb->cfg,
			.poll_queues = nb->set->nr_poll_queues,
			.queues = nb->set->nr_hw_queues - nb->set->nr_poll_queues,
			.pages = nb->pages,
		};

		ret = fn(&info, arg);
		if (ret)
			break;
	}
	mutex_unlock(&nullb_lock);
	return ret;
}
