/*
 * NVMe controllers: PCI probe, bring-up (1.4 7.6.1), admin commands, reset,
 * error handling and shutdown (1.4 7.6.2).
 *
 * Bring-up: read CAP (doorbell stride, queue size, ready timeout, page sizes,
 * command sets), clear CC.EN and wait for CSTS.RDY to drop (bounded by
 * CAP.TO), program the admin queue, set CC and enable, wait for RDY. Then
 * Identify Controller, Set Features (Number of Queues), MSI-X vectors,
 * Doorbell Buffer Config when OACS says so, and the namespaces (nvme_ns.c).
 *
 * The admin queue is polled: commands are rare, one runs at a time under
 * admin_lock, and polling keeps working when interrupts do not.
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
#include "drivers/nvme.h"
#include "drivers/nvme_status.h"
#include "drivers/pci.h"
#include "kernel/cmdline.h"
#include "kernel/ioremap.h"
#include "kernel/page_alloc.h"
#include "kernel/percpu.h"
#include "kernel/power.h"
#include "kernel/printk.h"
#include "kernel/slab.h"
#include "kernel/thread.h"
#include "kernel/time.h"
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

const char *nvme_id_string(const char *src, size_t len, char *buf)
{
	size_t n = len;

	while (n && (src[n - 1] == ' ' || src[n - 1] == '\0'))
		n--;
	for (size_t i = 0; i < n; i++)
		buf[i] = src[i] >= ' ' && src[i] <= '~' ? src[i] : '?';
	buf[n] = '\0';
	return buf;
}

bool nvme_ctrl_gone(struct nvme_ctrl *c)
{
	return nvme_readl(c, NVME_REG_CSTS) == 0xffffffff;
}

struct nvme_ctrl *nvme_ctrl_find(const char *name, struct nvme_ns **nsp)
{
	struct nvme_ctrl *c, *found = NULL;
	unsigned long flags = spin_lock_irqsave(&nvme_ctrls_lock);

	if (nsp)
		*nsp = NULL;
	list_for_each_entry(c, &nvme_ctrls, link) {
		struct nvme_ns *ns;

		if (!strcmp(c->name, name)) {
			found = c;
			break;
		}
		list_for_each_entry(ns, &c->namespaces, link) {
			if (!strcmp(ns->disk.name, name)) {
				found = c;
				if (nsp)
					*nsp = ns;
				break;
			}
		}
		if (found)
			break;
	}
	spin_unlock_irqrestore(&nvme_ctrls_lock, flags);
	return found;
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

/* --- admin commands ---------------------------------------------------------- */
int nvme_admin_exec(struct nvme_ctrl *c, struct nvme_command *cmd, void *buf, size_t len,
		    u32 *result, u16 *status)
{
	struct nvme_queue *aq = &c->admin_q;
	struct nvme_completion cqe;
	u64 deadline, next_check;
	bool found = false;
	int err = 0;

	if (status)
		*status = 0;
	if (buf) {
		u64 phys = virt_to_phys(buf);

		if ((phys & (c->page_size - 1)) + len > c->page_size)
			return -EINVAL;
		cmd->prp1 = phys;
	}
	mutex_lock(&c->admin_lock);
	if (c->state == NVME_CTRL_DEAD || !aq->live) {
		mutex_unlock(&c->admin_lock);
		return -ENODEV;
	}
	cmd->command_id = ++c->admin_cid;
	nvme_queue_submit(aq, cmd, true);
	deadline = time_ns() + NVME_ADMIN_TIMEOUT_NS;
	next_check = time_ns() + 1000000;
	while (!found) {
		unsigned long flags = spin_lock_irqsave(&aq->cq_lock);
		u16 old = aq->cq_head;

		while (nvme_queue_pop(aq, &cqe)) {
			aq->completed++;
			/* an older command that timed out may answer late: skip it */
			if (cqe.command_id == cmd->command_id) {
				found = true;
				break;
			}
		}
		if (aq->cq_head != old)
			nvme_queue_ring_cq(aq, old);
		spin_unlock_irqrestore(&aq->cq_lock, flags);
		if (found)
			break;
		if (time_ns() > next_check) {
			if (nvme_ctrl_gone(c)) {
				err = -ENODEV;
				break;
			}
			if (time_ns() > deadline) {
				pr_err("%s: admin command 0x%02x timed out\n", c->name, cmd->opcode);
				err = -ETIMEDOUT;
				break;
			}
			next_check = time_ns() + 1000000;
		}
		thread_yield();
	}
	mutex_unlock(&c->admin_lock);
	if (err)
		return err;
	if (result)
		*result = cqe.result;
	if (status)
		*status = cqe.status >> 1;
	return nvme_status_to_errno(cqe.status >> 1);
}

int nvme_identify(struct nvme_ctrl *c, u32 nsid, u8 cns, void *buf, u16 *status)
{
	struct nvme_command cmd;

	memset(&cmd, 0, sizeof(cmd));
	cmd.opcode = nvme_admin_identify;
	cmd.nsid = nsid;
	cmd.cdw10 = cns;
	return nvme_admin_exec(c, &cmd, buf, 4096, NULL, status);
}

int nvme_get_log(struct nvme_ctrl *c, u32 nsid, u8 lid, void *buf, size_t len, u16 *status)
{
	struct nvme_command cmd;
	u32 dwords = (u32)(len / 4) - 1;

	memset(&cmd, 0, sizeof(cmd));
	cmd.opcode = nvme_admin_get_log_page;
	cmd.nsid = nsid;
	cmd.cdw10 = lid | ((dwords & 0xffff) << 16);
	cmd.cdw11 = dwords >> 16;
	return nvme_admin_exec(c, &cmd, buf, len, NULL, status);
}

/* Set Features, Number of Queues (1.4 5.21.1.7): returns the pairs granted, or an errno. */
static int nvme_set_queue_count(struct nvme_ctrl *c, unsigned int wanted)
{
	struct nvme_command cmd;
	u32 result;
	int err;

	memset(&cmd, 0, sizeof(cmd));
	cmd.opcode = nvme_admin_set_features;
	cmd.cdw10 = NVME_FEAT_NUM_QUEUES;
	cmd.cdw11 = ((wanted - 1) << 16) | (wanted - 1);
	err = nvme_admin_exec(c, &cmd, NULL, 0, &result, NULL);
	if (err)
		return err;
	return (int)min(min((result & 0xffff) + 1, (result >> 16) + 1), wanted);
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
	memset(&cmd, 0, sizeof(cmd));
	cmd.opcode = nvme_admin_dbbuf_config;
	cmd.prp1 = virt_to_phys(c->dbbuf_db);
	cmd.prp2 = virt_to_phys(c->dbbuf_ei);
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
		/* as many I/O pairs as CPUs, and as many again for poll queues */
		n = nvme_set_queue_count(c, min(2 * nr_cpus, 1024U));
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
	nvme_ns_quiesce(c);
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
		nvme_ns_cancel_requests(c, true);
		err = nvme_ctrl_bringup(c, false);
		if (!err)
			err = nvme_ns_restore_queues(c);
		if (err)
			nvme_mark_dead(c, "did not come back after reset");
		else
			c->state = NVME_CTRL_LIVE;
	}
	if (c->state == NVME_CTRL_DEAD)
		nvme_ns_cancel_requests(c, false);
	nvme_ns_unquiesce(c);
	mutex_unlock(&c->reset_lock);
	if (!err)
		pr_info("%s: reset done\n", c->name);
	return err;
}

static void nvme_eh_kick(struct nvme_ctrl *c, int bit)
{
	__atomic_fetch_or(&c->eh_flags, 1UL << bit, __ATOMIC_SEQ_CST);
	wake_up_all(&c->eh_wait);
}

void nvme_schedule_reset(struct nvme_ctrl *c)
{
	nvme_eh_kick(c, NVME_EH_RESET);
}

void nvme_schedule_abort(struct nvme_ctrl *c, u16 qid, u16 cid)
{
	unsigned long flags = spin_lock_irqsave(&c->abort_lock);
	bool queued = false;

	if (c->nr_aborts_pending < ARRAY_SIZE(c->abort_list)) {
		c->abort_list[c->nr_aborts_pending++] = ((u32)qid << 16) | cid;
		queued = true;
	}
	spin_unlock_irqrestore(&c->abort_lock, flags);
	/* too many at once: the controller is in trouble, reset it */
	nvme_eh_kick(c, queued ? NVME_EH_ABORT : NVME_EH_RESET);
}

static void nvme_send_aborts(struct nvme_ctrl *c)
{
	for (;;) {
		unsigned long flags = spin_lock_irqsave(&c->abort_lock);
		struct nvme_command cmd;
		u32 entry, result = 1;
		u16 status;
		int err;

		if (!c->nr_aborts_pending) {
			spin_unlock_irqrestore(&c->abort_lock, flags);
			return;
		}
		entry = c->abort_list[--c->nr_aborts_pending];
		spin_unlock_irqrestore(&c->abort_lock, flags);
		memset(&cmd, 0, sizeof(cmd));
		cmd.opcode = nvme_admin_abort;
		cmd.cdw10 = ((entry & 0xffff) << 16) | (entry >> 16);
		err = nvme_admin_exec(c, &cmd, NULL, 0, &result, &status);
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
					nvme_ns_quiesce(c);
					nvme_mark_dead(c, "is gone (registers read all ones)");
					nvme_ns_cancel_requests(c, false);
					nvme_ns_unquiesce(c);
				}
				mutex_unlock(&c->reset_lock);
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
	u32 mps = PAGE_SHIFT - 12;

	c->cap = nvme_readl(c, NVME_REG_CAP) | ((u64)nvme_readl(c, NVME_REG_CAP + 4) << 32);
	c->vs = nvme_readl(c, NVME_REG_VS);
	if (c->cap == ~0ULL) {
		pr_err("%s: registers read all ones\n", c->name);
		return -ENODEV;
	}
	if (!(NVME_CAP_CSS(c->cap) & NVME_CAP_CSS_NVM)) {
		pr_err("%s: no NVM command set (CAP.CSS 0x%x)\n", c->name, NVME_CAP_CSS(c->cap));
		return -ENODEV;
	}
	if (mps < NVME_CAP_MPSMIN(c->cap) || mps > NVME_CAP_MPSMAX(c->cap)) {
		pr_err("%s: page sizes %u-%u KiB exclude the kernel's 4 KiB\n", c->name,
		       4U << NVME_CAP_MPSMIN(c->cap), 4U << NVME_CAP_MPSMAX(c->cap));
		return -ENODEV;
	}
	c->page_size = 1U << (12 + mps);
	c->db_stride = 4U << NVME_CAP_DSTRD(c->cap);
	c->ready_timeout_ns = (u64)max(NVME_CAP_TO(c->cap), 1U) * 500 * 1000000;
	c->io_depth = min(NVME_CAP_MQES(c->cap) + 1, (u32)NVME_IO_DEPTH_MAX);
	if (c->io_depth < 2) {
		pr_err("%s: CAP.MQES allows no usable queue\n", c->name);
		return -ENODEV;
	}
	return 0;
}

/* What Identify Controller says about transfers and optional commands. */
static void nvme_read_id_ctrl(struct nvme_ctrl *c)
{
	const struct nvme_id_ctrl *id = c->id;
	u64 max = NVME_MAX_TRANSFER;

	if (id->mdts && ((u64)c->page_size << id->mdts) < max)
		max = (u64)c->page_size << id->mdts;
	c->max_transfer = (u32)max;
	c->sgl = (id->sgls & NVME_CTRL_SGLS_MASK) != 0;
	c->write_zeroes = id->oncs & NVME_CTRL_ONCS_WRITE_ZEROES;
	c->dsm = id->oncs & NVME_CTRL_ONCS_DSM;
	c->vwc = id->vwc & NVME_CTRL_VWC_PRESENT;
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
		goto out_free;
	c->bar = pci_map_bar(pdev, 0);
	if (!c->bar) {
		pr_err("%s: BAR0 is not a memory BAR\n", c->name);
		err = -ENODEV;
		goto out_free;
	}
	c->bar_len = pdev->bar[0].size;
	err = nvme_read_cap(c);
	if (err)
		goto out_unmap;
	c->id = kmalloc(sizeof(*c->id));
	if (!c->id) {
		err = -ENOMEM;
		goto out_unmap;
	}
	err = nvme_queue_alloc(c, &c->admin_q, 0, NVME_ADMIN_DEPTH);
	if (err)
		goto out_id;
	err = nvme_ctrl_bringup(c, true);
	if (err)
		goto out_disable;
	nvme_read_id_ctrl(c);
	c->queues = kcalloc(c->max_io_queues + 1, sizeof(*c->queues));
	if (!c->queues) {
		err = -ENOMEM;
		goto out_disable;
	}
	err = nvme_setup_irqs(c);
	if (err)
		goto out_queues;
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
		goto out_irqs;
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

out_irqs:
	pci_irq_teardown(pdev);
out_queues:
	kfree(c->queues);
out_disable:
	nvme_disable(c);
	nvme_queue_free(&c->admin_q);
out_id:
	kfree(c->id);
out_unmap:
	pci_unmap_bar(pdev, 0, c->bar);
out_free:
	pr_err("%s: probe failed: %s\n", c->name, errno_name(err));
	kfree(c);
	return err;
}

static const struct pci_device_id nvme_ids[] = {
	{ PCI_ANY_ID, PCI_ANY_ID, 0x010802, 0xffffff, 0 },
	{ 0, 0, 0, 0, 0 }
};
PCI_DRIVER(nvme, nvme_ids, nvme_probe);
