/*
 * Running admin commands on a controller's admin queue, and the commands the
 * driver needs built on top: Identify, Get Log Page, Set Features (Number of
 * Queues), Abort, and creating and deleting I/O queue pairs.
 *
 * The admin queue is polled: commands are rare, one runs at a time under
 * admin_lock, and polling keeps working when interrupts do not. A command
 * that does not complete within NVME_ADMIN_TIMEOUT_NS fails with -ETIMEDOUT
 * (its late completion, if any, is skipped by command id).
 */
#include "drivers/nvme/nvme.h"
#include "drivers/nvme/nvme_status.h"
#include "drivers/pci/pci.h"
#include "kernel/console/printk.h"
#include "kernel/mm/mm.h"
#include "kernel/sched/thread.h"
#include "kernel/time/time.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

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

	nvme_setup_identify(&cmd, nsid, cns);
	return nvme_admin_exec(c, &cmd, buf, 4096, NULL, status);
}

int nvme_get_log(struct nvme_ctrl *c, u32 nsid, u8 lid, void *buf, size_t len, u16 *status)
{
	struct nvme_command cmd;

	nvme_setup_get_log(&cmd, nsid, lid, len);
	return nvme_admin_exec(c, &cmd, buf, len, NULL, status);
}

int nvme_set_queue_count(struct nvme_ctrl *c, unsigned int wanted)
{
	struct nvme_command cmd;
	u32 result;
	int err;

	nvme_setup_set_queue_count(&cmd, wanted);
	err = nvme_admin_exec(c, &cmd, NULL, 0, &result, NULL);
	if (err)
		return err;
	return (int)nvme_id_queue_count(result, wanted);
}

int nvme_abort_cmd(struct nvme_ctrl *c, u16 sqid, u16 cid, u32 *result, u16 *status)
{
	struct nvme_command cmd;

	nvme_setup_abort(&cmd, sqid, cid);
	return nvme_admin_exec(c, &cmd, NULL, 0, result, status);
}

/* --- I/O queue pairs on the controller (1.4 5.3 - 5.6) --- */

int nvme_create_io_queue(struct nvme_queue *q, bool poll, int msix_entry, int cpu)
{
	struct nvme_ctrl *c = q->ctrl;
	struct nvme_command cmd;
	u16 status;
	int err;

	q->poll = poll;
	q->msix_entry = poll ? -1 : msix_entry;
	q->cpu = poll ? -1 : cpu;
	nvme_queue_reset(q);
	nvme_queue_dbbuf_init(q);
	if (!poll) {
		snprintf(q->irq_name, sizeof(q->irq_name), "%s-q%u", c->name, q->qid);
		err = pci_irq_set_vector(c->pdev, (unsigned int)msix_entry, (unsigned int)cpu,
					 nvme_queue_irq, q, q->irq_name);
		if (err) {
			pr_err("%s: queue %u: no vector on CPU %d: %s\n", c->name, q->qid, cpu,
			       errno_name(err));
			return err;
		}
	}
	nvme_setup_create_cq(&cmd, q, poll ? -1 : msix_entry);
	err = nvme_admin_exec(c, &cmd, NULL, 0, NULL, &status);
	if (err)
		return err;
	nvme_setup_create_sq(&cmd, q);
	err = nvme_admin_exec(c, &cmd, NULL, 0, NULL, &status);
	if (err) {
		nvme_setup_delete_queue(&cmd, nvme_admin_delete_cq, q->qid);
		nvme_admin_exec(c, &cmd, NULL, 0, NULL, NULL);
		return err;
	}
	q->live = true;
	return 0;
}

int nvme_delete_io_queue(struct nvme_queue *q)
{
	struct nvme_ctrl *c = q->ctrl;
	struct nvme_command cmd;
	int err, err2;

	nvme_setup_delete_queue(&cmd, nvme_admin_delete_sq, q->qid);
	err = nvme_admin_exec(c, &cmd, NULL, 0, NULL, NULL);
	/* entries posted before the SQ went (commands it aborted included) */
	nvme_queue_poll(q, true);
	q->live = false;
	nvme_setup_delete_queue(&cmd, nvme_admin_delete_cq, q->qid);
	err2 = nvme_admin_exec(c, &cmd, NULL, 0, NULL, NULL);
	return err ? err : err2;
}
