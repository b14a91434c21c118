/*
 * NVMe queue pairs: ring memory, submission with one doorbell per batch,
 * completion by phase tag into the callback the pair was allocated with (as
 * OpenBSD's ccb_done and SPDK's cb_fn), and shadow doorbells. Creating and
 * deleting a pair on the controller is an admin command (nvme_admin.c); the
 * pair knows neither requests nor namespaces.
 *
 * Phase tag (1.4 4.6): the controller writes each completion entry with the
 * phase bit inverted relative to the previous lap, so an entry is new when
 * its phase equals the one we expect; we flip the expectation each time the
 * head wraps. No entry is ever cleared.
 *
 * Shadow doorbells (1.4 5.7, Doorbell Buffer Config): under virtualization
 * every MMIO doorbell write is a VM exit. With a shadow buffer, the driver
 * writes the new tail/head to memory and reads the controller's event index
 * for that doorbell; it rings the real doorbell only when the new value has
 * passed the event index since the last update (the virtio event-index
 * rule): (u16)(new - event - 1) < (u16)(new - old). The controller keeps
 * polling the shadow while it is busy and moves the event index to ask for
 * a doorbell when it wants one.
 */
#include "drivers/nvme/nvme.h"
#include "kernel/arch/exit_count.h"
#include "kernel/mm/page_alloc.h"
#include "kernel/console/printk.h"
#include "kernel/cmdline.h"
#include "lib/errno.h"
#include "lib/parse.h"
#include "lib/printf.h"
#include "lib/string.h"

static volatile u32 *nvme_doorbell(struct nvme_ctrl *c, unsigned int index)
{
	return (volatile u32 *)((u8 *)c->bar + NVME_REG_DBS + index * c->db_stride);
}

int nvme_queue_alloc(struct nvme_ctrl *c, struct nvme_queue *q, u16 qid, u16 depth,
		     nvme_complete_fn complete)
{
	memset(q, 0, sizeof(*q));
	q->complete = complete;
	spin_init(&q->sq_lock);
	spin_init(&q->cq_lock);
	q->ctrl = c;
	q->qid = qid;
	q->depth = depth;
	q->cpu = -1;
	q->msix_entry = -1;
	q->sq_order = page_order((size_t)depth * sizeof(struct nvme_command));
	q->cq_order = page_order((size_t)depth * sizeof(struct nvme_completion));
	q->sq = page_zalloc(q->sq_order);
	q->cq = page_zalloc(q->cq_order);
	if (!q->sq || !q->cq) {
		nvme_queue_free(q);
		return -ENOMEM;
	}
	q->sq_phys = virt_to_phys(q->sq);
	q->cq_phys = virt_to_phys(q->cq);
	q->sq_db = nvme_doorbell(c, 2 * qid);
	q->cq_db = nvme_doorbell(c, 2 * qid + 1);
	q->cq_phase = 1;
	return 0;
}

void nvme_queue_free(struct nvme_queue *q)
{
	if (q->sq)
		page_free(q->sq, q->sq_order);
	if (q->cq)
		page_free(q->cq, q->cq_order);
	q->sq = NULL;
	q->cq = NULL;
}

void nvme_queue_reset(struct nvme_queue *q)
{
	unsigned long flags;

	flags = spin_lock_irqsave(&q->sq_lock);
	q->sq_tail = q->sq_db_value = 0;
	spin_unlock_irqrestore(&q->sq_lock, flags);
	flags = spin_lock_irqsave(&q->cq_lock);
	q->cq_head = q->cq_db_value = 0;
	q->cq_phase = 1;
	memset(q->cq, 0, (size_t)q->depth * sizeof(struct nvme_completion));
	spin_unlock_irqrestore(&q->cq_lock, flags);
}

void nvme_queue_dbbuf_init(struct nvme_queue *q)
{
	struct nvme_ctrl *c = q->ctrl;
	unsigned int sq = 2 * q->qid * (c->db_stride / 4), cq = sq + c->db_stride / 4;

	if (!c->dbbuf_db) {
		q->shadow_sq_db = q->shadow_sq_ei = q->shadow_cq_db = q->shadow_cq_ei = NULL;
		return;
	}
	q->shadow_sq_db = &c->dbbuf_db[sq];
	q->shadow_sq_ei = &c->dbbuf_ei[sq];
	q->shadow_cq_db = &c->dbbuf_db[cq];
	q->shadow_cq_ei = &c->dbbuf_ei[cq];
	/*
	 * The shadow starts where the real doorbells are. Linux uses shadow
	 * doorbells for I/O queues only; QEMU 7.2 also reads the admin
	 * queue's shadow once it is configured, so the admin queue keeps its
	 * shadow current and still writes every doorbell.
	 */
	*q->shadow_sq_db = q->sq_db_value;
	*q->shadow_cq_db = q->cq_head;
	/*
	 * An I/O queue is (re)created empty, before the controller looks at its
	 * slots: an event index left by a deleted queue with the same id would
	 * make the first doorbells look unneeded.
	 */
	if (q->qid) {
		*q->shadow_sq_ei = 0;
		*q->shadow_cq_ei = 0;
	}
}

/*
 * Publish value in the shadow doorbell; true when the controller asked, through
 * its event index, for a real doorbell write as well.
 */
static bool nvme_shadow_update(volatile u32 *db, volatile u32 *ei, u16 value, u16 old)
{
	u16 event;

	*db = value;
	/* the shadow store must be visible before the event index is read */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	event = (u16)*ei;
	return (u16)(value - event - 1) < (u16)(value - old);
}

/* Tell the controller about new entries up to sq_tail. Caller holds sq_lock. */
static void nvme_sq_ring(struct nvme_queue *q)
{
	u16 tail = q->sq_tail;

	if (tail == q->sq_db_value)
		return;
	/* the admin queue keeps its shadow current but always rings (see nvme_queue_dbbuf_init) */
	if (q->shadow_sq_db &&
	    !nvme_shadow_update(q->shadow_sq_db, q->shadow_sq_ei, tail, q->sq_db_value) &&
	    q->qid) {
		q->sq_shadow_skips++;
	} else {
		*q->sq_db = tail;
		exit_count(EXIT_DOORBELL);
		q->sq_doorbells++;
	}
	q->sq_db_value = tail;
}

void nvme_queue_submit(struct nvme_queue *q, const struct nvme_command *cmd, bool ring)
{
	unsigned long flags = spin_lock_irqsave(&q->sq_lock);

	memcpy(&q->sq[q->sq_tail], cmd, sizeof(*cmd));
	if (++q->sq_tail == q->depth)
		q->sq_tail = 0;
	q->submitted++;
	if (ring)
		nvme_sq_ring(q);
	spin_unlock_irqrestore(&q->sq_lock, flags);
}

void nvme_queue_commit(struct nvme_queue *q)
{
	unsigned long flags = spin_lock_irqsave(&q->sq_lock);

	nvme_sq_ring(q);
	spin_unlock_irqrestore(&q->sq_lock, flags);
}

void nvme_queue_ring_cq(struct nvme_queue *q, u16 old)
{
	q->cq_db_value = q->cq_head;
	if (q->shadow_cq_db &&
	    !nvme_shadow_update(q->shadow_cq_db, q->shadow_cq_ei, q->cq_head, old) && q->qid) {
		q->cq_shadow_skips++;
		return;
	}
	*q->cq_db = q->cq_head;
	exit_count(EXIT_DOORBELL);
	q->cq_doorbells++;
}

u32 nvme_cq_defer;
/*
 * A polled pair has no interrupt a late head could hold back on any
 * controller (with MSI-X, some re-signal only after the head moves), so it
 * defers by default: at iodepth 1 half of its doorbells are head updates.
 */
u32 nvme_cq_defer_poll = 32;

static int nvme_cq_defer_option(const char *value)
{
	return parse_u32(value, &nvme_cq_defer);
}
CMDLINE_OPTION("nvme.cq_defer", nvme_cq_defer_option,
	       "consumed CQ entries an interrupt-driven I/O queue may leave unacknowledged before the head doorbell (default 0)");

static int nvme_cq_defer_poll_option(const char *value)
{
	return parse_u32(value, &nvme_cq_defer_poll);
}
CMDLINE_OPTION("nvme.cq_defer_poll", nvme_cq_defer_poll_option,
	       "the same for a polled I/O queue (default 32)");

/*
 * The host may tell the controller about consumed entries late (1.4
 * 4.1): the CQ head doorbell only frees room. It waits while fewer than
 * nvme_cq_defer (polled pairs: nvme_cq_defer_poll) entries are
 * unacknowledged and the room the controller sees, depth minus those and
 * the commands in flight, stays over half the ring, so a busy queue can
 * never find its CQ full. The admin queue always rings.
 */
void nvme_queue_cq_done(struct nvme_queue *q)
{
	u32 unacked = (u32)(q->cq_head - q->cq_db_value + q->depth) % q->depth;
	u64 in_flight = READ_ONCE(q->submitted) - q->completed;
	u32 defer = q->poll ? nvme_cq_defer_poll : nvme_cq_defer;

	if (q->qid && unacked < defer && in_flight + unacked < q->depth / 2u) {
		q->cq_deferred++;
		return;
	}
	nvme_queue_ring_cq(q, q->cq_db_value);
}

bool nvme_queue_pop(struct nvme_queue *q, struct nvme_completion *out)
{
	volatile struct nvme_completion *cqe = &q->cq[q->cq_head];

	if ((cqe->status & 1) != q->cq_phase)
		return false;
	/* the rest of the entry is read after its phase (x86 keeps loads in order) */
	barrier();
	out->result = cqe->result;
	out->sq_head = cqe->sq_head;
	out->sq_id = cqe->sq_id;
	out->command_id = cqe->command_id;
	out->status = cqe->status;
	if (++q->cq_head == q->depth) {
		q->cq_head = 0;
		q->cq_phase ^= 1;
	}
	return true;
}

int nvme_queue_process_cq(struct nvme_queue *q)
{
	struct nvme_completion cqe;
	int n = 0;

	while (nvme_queue_pop(q, &cqe)) {
		n++;
		q->complete(q, &cqe);
	}
	if (n) {
		q->completed += n;
		nvme_queue_cq_done(q);
	}
	return n;
}

int nvme_queue_poll(struct nvme_queue *q, bool wait_for_lock)
{
	unsigned long flags;
	int n = 0;

	if (wait_for_lock) {
		flags = spin_lock_irqsave(&q->cq_lock);
	} else {
		flags = irq_save();
		if (!spin_trylock(&q->cq_lock)) {
			irq_restore(flags);
			return 0;
		}
	}
	if (q->live)
		n = nvme_queue_process_cq(q);
	spin_unlock_irqrestore(&q->cq_lock, flags);
	return n;
}

void nvme_queue_irq(void *arg)
{
	struct nvme_queue *q = arg;

	q->interrupts++;
	spin_lock(&q->cq_lock);
	if (q->live)
		nvme_queue_process_cq(q);
	spin_unlock(&q->cq_lock);
}
