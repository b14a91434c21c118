/*
 * NVMe controllers: PCI probe, bring-up (1.4 7.6.1), reset, error handling
 * and shutdown (1.4 7.6.2). Admin commands run through nvme_admin.c.
 *
 * Bring-up: read CAP (doorbell stride, queue size, ready timeout, page sizes,
 * command sets), clear CC.EN and wait for CSTS.RDY to drop (bounded by
 * CAP.TO), program the admin queue, set CC and enable, wait for RDY. Then
 * Identify Controller, Set Features (Number of Queues), MSI-X vectors,
 * Doorbell Buffer Config when OACS says so, and the namespaces (nvme_ns.c).
 *
 * Errors: a command that times out is aborted (Abort, 1.4 5.1); if it times
 * out again, or the controller reports a fatal status (CSTS.CFS), the
 * controller is reset: queues quiesced, controller disabled, completions
 * already posted reaped, every request still in flight requeued (or failed
 * after NVME_MAX_RETRIES resets), controller and queues brought up again,
 * queues unquiesced. A request is ended exactly once: either its completion
 * was reaped before the disable, or it is requeued after it. Registers
 * reading all ones mean the device is gone: the controller is marked dead
 * and its I/O fails with -ENODEV. Resets and aborts run in the
 * controller's own thread because the timeout path must not sleep.
 */
#include "drivers/nvme/nvme.h"
#include "drivers/nvme/nvme_status.h"
#include "drivers/pci/pci.h"
#include "kernel/cmdline.h"
#include "kernel/mm/ioremap.h"
#include "kernel/mm/page_alloc.h"
#include "kernel/arch/percpu.h"
#include "kernel/acpi/power.h"
#include "kernel/console/printk.h"
#include "kernel/mm/slab.h"
#include "kernel/sched/thread.h"
#include "kernel/time/time.h"
#include "lib/errno.h"
#include "lib/parse.h"
#include "lib/printf.h"
#include "lib/string.h"

LIST_HEAD(nvme_ctrls);
spinlock_t nvme_ctrls_lock = SPINLOCK_INIT;
static int nvme_next_instance;

/* `nvme_dbbuf=off` on the command line: no shadow doorbells even when offered */
static bool nvme_use_dbbuf = true;

static int nvme_dbbuf_option(const char *value)
{
	return parse_bool(value, &nvme_use_dbbuf);
}
CMDLINE_OPTION("nvme_dbbuf", nvme_dbbuf_option,
	       "nvme_dbbuf=off: ring every doorbell by MMIO even when the controller offers shadow doorbells");

const char *nvme_ctrl_state_name(enum nvme_ctrl_state s)
{
	static const char *const names[] = {
		[NVME_CTRL_NEW] = "new", [NVME_CTRL_LIVE] = "live",
		[NVME_CTRL_RESETTING] = "resetting", [NVME_CTRL_DEAD] = "dead",
	};

	return (unsigned int)s < ARRAY_SIZE(names) ? names[s] : "?";
}

struct nvme_ctrl *nvme_ctrl_find(const char *name, u32 *nsidp)
{
	struct nvme_ctrl *c, *found = NULL;
	unsigned long flags = spin_lock_irqsave(&nvme_ctrls_lock);
	u32 nsid = 0;

	list_for_each_entry(c, &nvme_ctrls, link) {
		struct nvme_ns *ns;

		if (!strcmp(c->name, name)) {
			found = c;
			if (!list_empty(&c->namespaces))
				nsid = list_first_entry(&c->namespaces, struct nvme_ns, link)->nsid;
			break;
		}
		list_for_each_entry(ns, &c->namespaces, link) {
			if (!strcmp(ns->disk.name, name)) {
				found = c;
				nsid = ns->nsid;
				break;
			}
		}
		if (found)
			break;
	}
	spin_unlock_irqrestore(&nvme_ctrls_lock, flags);
	if (nsidp)
		*nsidp = nsid;
	return found;
}

/*
 * A dead controller's namespaces go: off its list under the locks their
 * walkers take (reset_lock for quiesce's walk, nvme_ctrls_lock for
 * nvme_ctrl_find's), then deleted (nvme_ns.c). Takes reset_lock: call
 * without it.
 */
static void nvme_ctrl_remove_namespaces(struct nvme_ctrl *c)
{
	unsigned long flags;
	LIST_HEAD(gone);

	mutex_lock(&c->reset_lock);
	flags = spin_lock_irqsave(&nvme_ctrls_lock);
	list_splice_tail_init(&c->namespaces, &gone);
	spin_unlock_irqrestore(&nvme_ctrls_lock, flags);
	mutex_unlock(&c->reset_lock);
	nvme_ns_remove_list(&gone);
}

/* --- enable and disable (1.4 7.6.1, 3.1.5, 3.1.6) -------------------------- */

/* Wait for CSTS.RDY to equal ready, at most CAP.TO. */
static int nvme_wait_ready(struct nvme_ctrl *c, bool ready)
{
	u64 deadline = time_ns() + c->ready_timeout_ns;

	for (;;) {
		u32 csts = nvme_readl(c, NVME_REG_CSTS);

		if (csts == 0xffffffff)
			return -ENODEV;
		if (!!(csts & NVME_CSTS_RDY) == ready)
			return 0;
		if (ready && (csts & NVME_CSTS_CFS)) {
			pr_err("%s: controller fatal status while enabling\n", c->name);
			return -EIO;
		}
		if (time_ns() > deadline) {
			pr_err("%s: CSTS.RDY did not become %d within %llu ms (CAP.TO)\n", c->name,
			       ready, (unsigned long long)(c->ready_timeout_ns / 1000000));
			return -ETIMEDOUT;
		}
		thread_sleep_ns(1000000);
	}
}

static int nvme_disable(struct nvme_ctrl *c)
{
	u32 cc = nvme_readl(c, NVME_REG_CC);

	if (cc == 0xffffffff)
		return -ENODEV;
	nvme_writel(c, NVME_REG_CC, cc & ~(NVME_CC_EN | NVME_CC_SHN_MASK));
	return nvme_wait_ready(c, false);
}

static int nvme_enable(struct nvme_ctrl *c)
{
	struct nvme_queue *aq = &c->admin_q;
	u32 cc;

	nvme_queue_reset(aq);
	aq->shadow_sq_db = aq->shadow_sq_ei = aq->shadow_cq_db = aq->shadow_cq_ei = NULL;
	nvme_writel(c, NVME_REG_AQA, ((u32)(aq->depth - 1) << 16) | (aq->depth - 1));
	nvme_writeq(c, NVME_REG_ASQ, aq->sq_phys);
	nvme_writeq(c, NVME_REG_ACQ, aq->cq_phys);
	cc = NVME_CC_CSS_NVM | ((__builtin_ctz(c->page_size) - 12) << NVME_CC_MPS_SHIFT) |
	     NVME_CC_AMS_RR | NVME_CC_IOSQES | NVME_CC_IOCQES;
	nvme_writel(c, NVME_REG_CC, cc);
	nvme_writel(c, NVME_REG_CC, cc | NVME_CC_EN);
	aq->live = true;
	return nvme_wait_ready(c, true);
}

/* Doorbell Buffer Config (1.4 5.7): shadow doorbells and event indexes. */
static void nvme_dbbuf_setup(struct nvme_ctrl *c)
{
	struct nvme_command cmd;
	int err;

	if (!c->dbbuf_db)
		return;
	memset(c->dbbuf_db, 0, PAGE_SIZE);
	memset(c->dbbuf_ei, 0, PAGE_SIZE);
	nvme_setup_dbbuf_config(&cmd, virt_to_phys(c->dbbuf_db), virt_to_phys(c->dbbuf_ei));
	err = nvme_admin_exec(c, &cmd, NULL, 0, NULL, NULL);
	if (err) {
		pr_warn("%s: Doorbell Buffer Config failed (%s): no shadow doorbells\n", c->name,
			errno_name(err));
		page_free(c->dbbuf_db, 0);
		page_free(c->dbbuf_ei, 0);
		c->dbbuf_db = c->dbbuf_ei = NULL;
		return;
	}
	nvme_queue_dbbuf_init(&c->admin_q);
}

/*
 * Everything from a disabled controller to a live admin queue with the
 * queue count set and shadow doorbells configured. first: at probe (read
 * Identify, size the queues), else after a reset (the same again).
 */
static int nvme_ctrl_bringup(struct nvme_ctrl *c, bool first)
{
	int err, n;

	err = nvme_disable(c);
	if (err)
		return err;
	err = nvme_enable(c);
	if (err)
		return err;
	if (first) {
		err = nvme_identify(c, 0, NVME_ID_CNS_CTRL, c->id, NULL);
		if (err) {
			pr_err("%s: Identify Controller failed: %s\n", c->name, errno_name(err));
			return err;
		}
		/*
		 * as many I/O pairs as CPUs, as many again for poll queues, and
		 * as many again for the floor's streams (`floor ... jobs=N`,
		 * nvme_floor.c): a pair costs nothing until it is created
		 */
		n = nvme_set_queue_count(c, min(3 * nr_cpus, 1024U));
		if (n < 0) {
			pr_warn("%s: Set Features (Number of Queues) failed (%s): one queue\n",
				c->name, errno_name(n));
			n = 1;
		}
		c->max_io_queues = (unsigned int)n;
	} else {
		n = nvme_set_queue_count(c, c->max_io_queues);
		if (n < 0)
			return n;
		if ((unsigned int)n < c->max_io_queues) {
			pr_err("%s: controller now grants %d queues, had %u\n", c->name, n,
			       c->max_io_queues);
			return -EIO;
		}
	}
	nvme_dbbuf_setup(c);
	return 0;
}

/* --- reset and error handling ---------------------------------------------- */
struct nvme_cancel {
	bool requeue;
	unsigned int requeued, failed;
};

static bool nvme_cancel_one(struct request *rq, void *arg)
{
	struct nvme_cancel *cancel = arg;
	struct nvme_iod *iod = blk_mq_rq_to_pdu(rq);

	if (cancel->requeue && iod->retries < NVME_MAX_RETRIES) {
		iod->retries++;
		cancel->requeued++;
		blk_mq_requeue_request(rq);
	} else {
		cancel->failed++;
		iod->retries = 0;
		blk_mq_end_request(rq, cancel->requeue ? -EIO : -ENODEV);
	}
	return true;
}

static void nvme_ctrl_cancel_requests(struct nvme_ctrl *c, bool requeue)
{
	struct nvme_cancel cancel = { requeue, 0, 0 };

	if (!c->tagset_ready)
		return;
	blk_mq_tagset_busy_iter(&c->tagset, nvme_cancel_one, &cancel);
	if (cancel.requeued || cancel.failed)
		pr_info("%s: %u requests requeued, %u failed\n", c->name, cancel.requeued,
			cancel.failed);
}

static void nvme_ctrl_quiesce(struct nvme_ctrl *c)
{
	struct nvme_ns *ns;

	list_for_each_entry(ns, &c->namespaces, link)
		blk_mq_quiesce_queue(ns->queue);
}

static void nvme_ctrl_unquiesce(struct nvme_ctrl *c)
{
	struct nvme_ns *ns;

	list_for_each_entry(ns, &c->namespaces, link)
		blk_mq_unquiesce_queue(ns->queue);
}

static int nvme_ctrl_restore_queues(struct nvme_ctrl *c)
{
	for (unsigned int qid = 1; qid <= c->max_io_queues; qid++) {
		struct nvme_queue *q = &c->queues[qid];
		int err;

		if (!q->sq || !q->users)
			continue;
		err = nvme_create_io_queue(q, q->poll, q->msix_entry, q->cpu);
		if (err)
			return err;
	}
	return 0;
}

static void nvme_mark_dead(struct nvme_ctrl *c, const char *why)
{
	pr_err("%s: controller %s: failing its I/O\n", c->name, why);
	c->state = NVME_CTRL_DEAD;
	c->admin_q.live = false;
}

int nvme_reset_ctrl(struct nvme_ctrl *c)
{
	int err;

	mutex_lock(&c->reset_lock);
	if (c->state == NVME_CTRL_DEAD) {
		mutex_unlock(&c->reset_lock);
		return -ENODEV;
	}
	c->state = NVME_CTRL_RESETTING;
	c->resets++;
	pr_info("%s: resetting controller\n", c->name);
	nvme_ctrl_quiesce(c);
	err = nvme_disable(c);
	/*
	 * Disabled, the controller posts nothing more: reap what it posted
	 * before, then nothing is in flight but what we give back to blk-mq.
	 */
	for (unsigned int qid = 1; qid <= c->max_io_queues; qid++) {
		struct nvme_queue *q = &c->queues[qid];
		unsigned long flags;

		if (!q->live)
			continue;
		flags = spin_lock_irqsave(&q->cq_lock);
		nvme_queue_process_cq(q);
		q->live = false;
		spin_unlock_irqrestore(&q->cq_lock, flags);
	}
	c->admin_q.live = false;
	if (err == -ENODEV) {
		nvme_mark_dead(c, "is gone");
	} else {
		nvme_ctrl_cancel_requests(c, true);
		/* injected: as if the controller never became ready again */
		err = __atomic_exchange_n(&c->fail_next_reset, false, __ATOMIC_SEQ_CST) ? -ETIMEDOUT :
		      nvme_ctrl_bringup(c, false);
		if (!err)
			err = nvme_ctrl_restore_queues(c);
		if (err)
			nvme_mark_dead(c, "did not come back after reset");
		else
			c->state = NVME_CTRL_LIVE;
	}
	if (c->state == NVME_CTRL_DEAD)
		nvme_ctrl_cancel_requests(c, false);
	nvme_ctrl_unquiesce(c);
	mutex_unlock(&c->reset_lock);
	if (!err)
		pr_info("%s: reset done\n", c->name);
	else if (c->state == NVME_CTRL_DEAD)
		nvme_ctrl_remove_namespaces(c);
	return err;
}

static void nvme_send_aborts(struct nvme_ctrl *c)
{
	for (;;) {
		unsigned long flags = spin_lock_irqsave(&c->abort_lock);
		u32 entry, result = 1;
		u16 status;
		int err;

		if (!c->nr_aborts_pending) {
			spin_unlock_irqrestore(&c->abort_lock, flags);
			return;
		}
		entry = c->abort_list[--c->nr_aborts_pending];
		spin_unlock_irqrestore(&c->abort_lock, flags);
		err = nvme_abort_cmd(c, (u16)(entry >> 16), (u16)entry, &result, &status);
		c->aborts++;
		if (err || (result & NVME_ABORT_NOT_ABORTED)) {
			char text[96];

			pr_warn("%s: abort of queue %u command %u %s\n", c->name, entry >> 16,
				entry & 0xffff,
				err == -ETIMEDOUT ? "timed out" :
				err ? nvme_status_format(status, text, sizeof(text)) :
				"refused: the command was not aborted");
			if (err == -ETIMEDOUT)
				nvme_schedule_reset(c);
		}
	}
}

/* The controller's error handler thread: aborts, then resets, as asked. */
static int nvme_eh_thread(void *arg)
{
	struct nvme_ctrl *c = arg;

	for (;;) {
		unsigned long flags;

		wait_event(c->eh_wait, c->eh_flags != 0);
		flags = __atomic_exchange_n(&c->eh_flags, 0, __ATOMIC_SEQ_CST);
		if (flags & (1UL << NVME_EH_ABORT))
			nvme_send_aborts(c);
		if (flags & (1UL << NVME_EH_RESET)) {
			if (nvme_ctrl_gone(c)) {
				mutex_lock(&c->reset_lock);
				if (c->state != NVME_CTRL_DEAD) {
					nvme_ctrl_quiesce(c);
					nvme_mark_dead(c, "is gone (registers read all ones)");
					nvme_ctrl_cancel_requests(c, false);
					nvme_ctrl_unquiesce(c);
				}
				mutex_unlock(&c->reset_lock);
				nvme_ctrl_remove_namespaces(c);
			} else {
				nvme_reset_ctrl(c);
			}
		}
	}
	return 0;
}

/* --- shutdown (1.4 7.6.2) ------------------------------------------------- */
static void nvme_shutdown_ctrl(struct nvme_ctrl *c)
{
	u64 timeout_ms = c->id->rtd3e ? DIV_ROUND_UP(c->id->rtd3e, 1000) : 0;
	u64 deadline;
	u32 cc = nvme_readl(c, NVME_REG_CC);

	if (cc == 0xffffffff || !(cc & NVME_CC_EN))
		return;
	if (timeout_ms < NVME_SHUTDOWN_TIMEOUT_MS)
		timeout_ms = NVME_SHUTDOWN_TIMEOUT_MS;
	nvme_writel(c, NVME_REG_CC, (cc & ~NVME_CC_SHN_MASK) | NVME_CC_SHN_NORMAL);
	deadline = time_ns() + timeout_ms * 1000000;
	while ((nvme_readl(c, NVME_REG_CSTS) & NVME_CSTS_SHST_MASK) != NVME_CSTS_SHST_CMPLT) {
		if (time_ns() > deadline) {
			pr_err("%s: shutdown did not complete within %llu ms\n", c->name,
			       (unsigned long long)timeout_ms);
			return;
		}
		udelay(100);
	}
	pr_info("%s: shutdown complete\n", c->name);
}

/* Before poweroff and reboot: every controller told to shut down cleanly. */
static void nvme_power_hook_fn(void)
{
	struct nvme_ctrl *c;

	list_for_each_entry(c, &nvme_ctrls, link)
		if (c->state != NVME_CTRL_DEAD)
			nvme_shutdown_ctrl(c);
}

static struct power_hook nvme_power_hook = { .name = "nvme", .fn = nvme_power_hook_fn };

/* --- probe --------------------------------------------------------------- */

/* CAP: the page size, queue size, doorbell stride and ready timeout. */
static int nvme_read_cap(struct nvme_ctrl *c)
{
	struct nvme_cap_info info;
	const char *why;
	int err;

	c->cap = nvme_readl(c, NVME_REG_CAP) | ((u64)nvme_readl(c, NVME_REG_CAP + 4) << 32);
	c->vs = nvme_readl(c, NVME_REG_VS);
	err = nvme_cap_decode(c->cap, PAGE_SHIFT, &info, &why);
	if (err) {
		pr_err("%s: %s (CAP %#llx)\n", c->name, why, (unsigned long long)c->cap);
		return err;
	}
	c->page_size = info.page_size;
	c->db_stride = info.db_stride;
	c->ready_timeout_ns = info.ready_timeout_ns;
	c->io_depth = info.io_depth;
	return 0;
}

/* What Identify Controller says about transfers and optional commands. */
static void nvme_read_id_ctrl(struct nvme_ctrl *c)
{
	struct nvme_id_ctrl_info info;

	nvme_id_ctrl_decode(c->id, c->page_size, &info);
	c->max_transfer = info.max_transfer;
	c->sgl = info.sgl;
	c->write_zeroes = info.write_zeroes;
	c->dsm = info.dsm;
	c->vwc = info.vwc;
}

/* MSI-X: entry 0 for the admin queue (which we poll) and one per I/O queue. */
static int nvme_setup_irqs(struct nvme_ctrl *c)
{
	int n = pci_irq_setup(c->pdev, c->max_io_queues + 1);

	if (n < 0)
		return n;
	if (n == 0) {
		pr_err("%s: no MSI-X or MSI: I/O queues need interrupts\n", c->name);
		return -ENOTSUP;
	}
	c->nr_vectors = (unsigned int)n;
	/* with one vector (MSI), I/O queue 1 takes entry 0 */
	c->max_irq_queues = n == 1 ? 1 : min((unsigned int)n - 1, c->max_io_queues);
	return 0;
}

static int nvme_probe(struct pci_device *pdev, const struct pci_device_id *id)
{
	static bool hook_registered;
	struct nvme_ctrl *c;
	unsigned long flags;
	char slot[PCI_NAME_MAX], mn[41], sn[21], fr[9];
	int err;

	nvme_floor_register();
	c = kzalloc(sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->pdev = pdev;
	c->instance = nvme_next_instance;
	snprintf(c->name, sizeof(c->name), "nvme%d", c->instance);
	c->state = NVME_CTRL_NEW;
	mutex_init(&c->admin_lock);
	mutex_init(&c->reset_lock);
	wait_queue_init(&c->eh_wait);
	spin_init(&c->abort_lock);
	INIT_LIST_HEAD(&c->namespaces);

	err = pci_enable_device(pdev);
	if (err)
		goto free_ctrl;
	c->bar = pci_map_bar(pdev, 0);
	if (!c->bar) {
		pr_err("%s: BAR0 is not a memory BAR\n", c->name);
		err = -ENODEV;
		goto free_ctrl;
	}
	c->bar_len = pdev->bar[0].size;
	err = nvme_read_cap(c);
	if (err)
		goto unmap_bar;
	c->id = kmalloc(sizeof(*c->id));
	if (!c->id) {
		err = -ENOMEM;
		goto unmap_bar;
	}
	err = nvme_queue_alloc(c, &c->admin_q, 0, NVME_ADMIN_DEPTH, NULL);
	if (err)
		goto free_id;
	err = nvme_ctrl_bringup(c, true);
	if (err)
		goto disable;
	nvme_read_id_ctrl(c);
	c->queues = kcalloc(c->max_io_queues + 1, sizeof(*c->queues));
	if (!c->queues) {
		err = -ENOMEM;
		goto disable;
	}
	err = nvme_setup_irqs(c);
	if (err)
		goto free_queues;
	/* shadow doorbells: the buffers are set up now, re-sent after each reset */
	if (nvme_use_dbbuf && (c->id->oacs & NVME_CTRL_OACS_DBBUF) &&
	    (c->max_io_queues + 1) * 2 * c->db_stride <= PAGE_SIZE) {
		c->dbbuf_db = page_zalloc(0);
		c->dbbuf_ei = page_zalloc(0);
		if (!c->dbbuf_db || !c->dbbuf_ei) {
			if (c->dbbuf_db)
				page_free(c->dbbuf_db, 0);
			c->dbbuf_db = c->dbbuf_ei = NULL;
		}
		nvme_dbbuf_setup(c);
	}
	c->eh_thread = thread_create(c->name, nvme_eh_thread, c);
	if (IS_ERR(c->eh_thread)) {
		err = (int)PTR_ERR(c->eh_thread);
		goto teardown_irqs;
	}
	thread_start(c->eh_thread);
	pdev->driver_data = c;
	nvme_next_instance++;
	flags = spin_lock_irqsave(&nvme_ctrls_lock);
	list_add_tail(&c->link, &nvme_ctrls);
	spin_unlock_irqrestore(&nvme_ctrls_lock, flags);
	if (!hook_registered) {
		power_register_hook(&nvme_power_hook);
		hook_registered = true;
	}
	c->state = NVME_CTRL_LIVE;
	pr_info("%s: %s: %s, serial %s, firmware %s, NVMe %u.%u, %u I/O queue pairs "
		"granted, %u vectors, max transfer %u KiB%s%s\n", c->name,
		pci_device_name(pdev, slot, sizeof(slot)),
		nvme_id_string(c->id->mn, sizeof(c->id->mn), mn),
		nvme_id_string(c->id->sn, sizeof(c->id->sn), sn),
		nvme_id_string(c->id->fr, sizeof(c->id->fr), fr),
		NVME_VS_MAJOR(c->vs), NVME_VS_MINOR(c->vs), c->max_io_queues, c->nr_vectors,
		c->max_transfer >> 10, c->dbbuf_db ? ", shadow doorbells" : "",
		c->sgl ? ", SGL" : "");
	/* a controller without usable namespaces stays, for `nvme id-ctrl` */
	nvme_ns_scan(c);
	return 0;

teardown_irqs:
	pci_irq_teardown(pdev);
free_queues:
	kfree(c->queues);
disable:
	nvme_disable(c);
	nvme_queue_free(&c->admin_q);
free_id:
	kfree(c->id);
unmap_bar:
	pci_unmap_bar(pdev, 0, c->bar);
free_ctrl:
	pr_err("%s: probe failed: %s\n", c->name, errno_name(err));
	kfree(c);
	return err;
}

static const struct pci_device_id nvme_ids[] = {
	{ PCI_ANY_ID, PCI_ANY_ID, 0x010802, 0xffffff, 0 },
	{ 0, 0, 0, 0, 0 }
};
PCI_DRIVER(nvme, nvme_ids, nvme_probe);
