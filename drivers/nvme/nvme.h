/*
 * The NVMe driver's state, shared by its files (docs/nvme.md), from the
 * top down; each calls only the files below it:
 *
 *   nvme_ctrl.c     controller: PCI probe, bring-up, reset, error handling, shutdown
 *   nvme_ns.c       namespaces: Identify Namespace, geometry, limits, gendisks
 *   nvme_mq.c       the blk-mq operations and the shared tag set
 *   nvme_admin.c    running admin commands; creating and deleting I/O queue pairs
 *   nvme_queue.c    queue pairs: rings, submission, completion into a callback, doorbells
 *   nvme_cmd.c      building commands: I/O from a request, admin commands
 *   nvme_prp.c      PRP lists and SGLs (pure, host-tested)
 *   nvme_id.c       CAP and Identify decoded (pure, host-tested, fuzzed)
 *   nvme_status.c   status codes to text and errno (pure, host-tested)
 *   nvme_regs.h     the hardware: registers, command and completion layouts
 *   nvme_shell.c    the `nvme` shell command; nvme_selftest.c its self tests
 *
 * One struct nvme_ctrl per PCI function; its namespaces share one blk-mq
 * tag set, whose hardware queue i is the I/O queue pair with id i + 1.
 */
#ifndef DRIVERS_NVME_NVME_H
#define DRIVERS_NVME_NVME_H

#include "lib/types.h"
#include "lib/list.h"
#include "block/blk_mq.h"
#include "drivers/nvme/nvme_id.h"
#include "drivers/nvme/nvme_prp.h"
#include "drivers/nvme/nvme_regs.h"
#include "kernel/sched/mutex.h"
#include "kernel/acpi/power.h"
#include "kernel/sched/spinlock.h"
#include "kernel/sched/wait.h"

struct pci_device;
struct nvme_ctrl;
struct nvme_queue;

/*
 * What a queue pair does with each completion entry it reaps, given when
 * the pair is allocated: nvme_mq.c ends the request the entry names. Called
 * with the pair's cq_lock held, in interrupt or polling context.
 */
typedef void (*nvme_complete_fn)(struct nvme_queue *q, const struct nvme_completion *cqe);

#define NVME_ADMIN_DEPTH	32
#define NVME_ADMIN_TIMEOUT_NS	(5ULL * 1000000000)
#define NVME_MAX_RETRIES	5	/* requeues after resets before -EIO */

/*
 * A submission/completion queue pair. The submission side is used by the
 * CPUs mapped to the pair's hardware queue (blk-mq runs queue_rq for one
 * hctx on one CPU at a time, but submissions from the admin path and resets
 * also come here), so it has its own lock; the completion side is reaped
 * by the pair's interrupt, by pollers and by the reset path under cq_lock.
 * Both locks are taken with interrupts off: a completion may submit.
 */
struct nvme_queue {
	/* submission side, protected by sq_lock */
	spinlock_t sq_lock;
	u16 sq_tail;			/* next free entry */
	u16 sq_db_value;		/* tail last told to the controller */
	struct nvme_command *sq;
	volatile u32 *sq_db;
	volatile u32 *shadow_sq_db;	/* shadow doorbell and event index, or NULL */
	volatile u32 *shadow_sq_ei;
	u64 submitted;
	u64 sq_doorbells;		/* MMIO writes of the SQ tail doorbell */
	u64 sq_shadow_skips;		/* tail updates the event index let us skip */

	/* completion side, protected by cq_lock */
	spinlock_t cq_lock __aligned(64);
	nvme_complete_fn complete;	/* set at allocation; NULL for the admin queue */
	u16 cq_head;
	u8 cq_phase;			/* the phase tag of entries not yet consumed */
	struct nvme_completion *cq;
	volatile u32 *cq_db;
	volatile u32 *shadow_cq_db;
	volatile u32 *shadow_cq_ei;
	u64 completed;
	u16 cq_db_value;		/* head last told to the controller */
	u64 cq_doorbells;
	u64 cq_shadow_skips;
	u64 cq_deferred;		/* head updates left for a later doorbell (nvme.cq_defer) */
	u64 interrupts;
	u64 spurious;			/* completions naming no request in flight */

	/* set at creation; changed only by the controller's reset and setup paths */
	struct nvme_ctrl *ctrl __aligned(64);
	struct blk_mq_tags *tags;	/* the hctx's tags: command id -> request */
	u64 sq_phys, cq_phys;
	unsigned int sq_order, cq_order;	/* page_alloc orders */
	u16 qid;
	u16 depth;			/* entries of each ring */
	bool poll;			/* created without interrupts */
	volatile bool live;		/* exists on the controller */
	int cpu;			/* the CPU its vector is aimed at; -1 polled */
	int msix_entry;			/* -1 none */
	unsigned int users;		/* hctxs using it (one per namespace) */
	char irq_name[24];		/* "nvme0-q3", for `irqs` */
	struct nvme_prp_pages *prp;	/* per tag; kept for the life of the controller */
};

struct nvme_ns {
	struct list_head link;		/* in ctrl->namespaces */
	struct nvme_ctrl *ctrl;
	u32 nsid;
	u8 lba_shift;			/* log2 of the logical block size */
	u8 lbaf;			/* format in use */
	u64 blocks;			/* NSZE */
	u32 phys_block;			/* bytes: preferred write granularity */
	u32 opt_io;			/* bytes: optimal write size (NOWS), 0 unknown */
	u32 io_boundary;		/* bytes: NOIOB, 0 none */
	struct request_queue *queue;
	struct gendisk disk;
};

enum nvme_ctrl_state {
	NVME_CTRL_NEW,			/* being brought up */
	NVME_CTRL_LIVE,
	NVME_CTRL_RESETTING,		/* queues quiesced, controller disabled */
	NVME_CTRL_DEAD,			/* gone or failed: I/O fails with -ENODEV */
};

/* Driver data of each request (tag_set cmd_size). */
struct nvme_iod {
	struct nvme_command cmd;
	struct nvme_prp_pages *prp;	/* this tag's list pages (init_request) */
	u16 status;			/* from the completion entry */
	u8 retries;			/* requeues after resets */
	bool aborted;			/* the timeout handler asked for an abort */
	bool preflush;			/* a Flush runs first; cmd is sent when it completes */
};

struct nvme_ctrl {
	struct list_head link;		/* in nvme_ctrls, protected by nvme_ctrls_lock */
	struct pci_device *pdev;
	int instance;
	char name[16];			/* "nvme0" */
	void *bar;
	size_t bar_len;
	enum nvme_ctrl_state state;

	/* from the registers */
	u64 cap;
	u32 vs;
	u32 db_stride;			/* bytes between doorbells */
	u32 page_size;			/* CC.MPS */
	u64 ready_timeout_ns;		/* CAP.TO */
	u32 io_depth;			/* entries per I/O queue */

	/* from Identify Controller */
	struct nvme_id_ctrl *id;
	u32 max_transfer;		/* bytes per command */
	bool sgl;			/* SGLs for data */
	bool write_zeroes, dsm, vwc;

	/* admin queue: one command at a time, polled */
	struct mutex admin_lock;
	struct nvme_queue admin_q;
	u16 admin_cid;

	/* I/O queues: queues[1 .. max_io_queues]; [0] unused (the admin queue is apart) */
	struct nvme_queue *queues;
	unsigned int max_io_queues;	/* granted by Set Features (Number of Queues) */
	unsigned int max_irq_queues;	/* of those, how many can have a vector */
	unsigned int nr_vectors;	/* usable MSI-X/MSI entries */
	unsigned int nr_poll_queues;	/* current */

	/* shadow doorbells (Doorbell Buffer Config), NULL when off */
	u32 *dbbuf_db, *dbbuf_ei;

	/*
	 * namespaces and their shared tag set; the list changes under
	 * reset_lock (a dead controller's namespaces are taken off it)
	 */
	struct list_head namespaces;
	struct blk_mq_tag_set tagset;
	bool tagset_ready;

	/* error handling: resets and aborts run in the controller's thread */
	struct mutex reset_lock;
	struct wait_queue eh_wait;
	volatile unsigned long eh_flags;	/* NVME_EH_*, atomic */
	struct thread *eh_thread;
	spinlock_t abort_lock;		/* protects abort_list */
	u32 abort_list[8];		/* (qid << 16 | cid) to abort */
	unsigned int nr_aborts_pending;
	u64 resets, aborts, timeouts;
	/* fault injection (`nvme reset <dev> fail`): the next reset does not bring it back */
	bool fail_next_reset;		/* exchanged atomically */
};

#define NVME_EH_RESET	0		/* reset the controller */
#define NVME_EH_ABORT	1		/* send the queued aborts */

extern struct list_head nvme_ctrls;
extern spinlock_t nvme_ctrls_lock;

/* --- registers --------------------------------------------------------------- */
static inline u32 nvme_readl(struct nvme_ctrl *c, unsigned int off)
{
	return *(volatile u32 *)((u8 *)c->bar + off);
}

static inline void nvme_writel(struct nvme_ctrl *c, unsigned int off, u32 v)
{
	*(volatile u32 *)((u8 *)c->bar + off) = v;
}

static inline void nvme_writeq(struct nvme_ctrl *c, unsigned int off, u64 v)
{
	nvme_writel(c, off, (u32)v);
	nvme_writel(c, off + 4, (u32)(v >> 32));
}

/* --- nvme_ctrl.c: the controller--------------------------------------------- */
/* Reset now (from thread context). */
int nvme_reset_ctrl(struct nvme_ctrl *c);
/*
 * The controller called name ("nvme0"), or the controller of namespace disk
 * name. *nsid (if given): that namespace's ID, or for a controller's name
 * its first namespace's, 0 when it has none; read under the lock that
 * namespace removal takes, as the namespace itself may go right after.
 */
struct nvme_ctrl *nvme_ctrl_find(const char *name, u32 *nsid);
const char *nvme_ctrl_state_name(enum nvme_ctrl_state s);
/* An Identify string (ASCII, space padded, not terminated) trimmed into buf (len + 1 bytes). */

/* Every controller register read that returns all ones means the device is gone. */
static inline bool nvme_ctrl_gone(struct nvme_ctrl *c)
{
	return nvme_readl(c, NVME_REG_CSTS) == 0xffffffff;
}

/*
 * Requests to the controller's error-handler thread (nvme_ctrl.c), from contexts
 * that must not sleep (the timeout path): set a flag and wake it.
 */
static inline void nvme_eh_kick(struct nvme_ctrl *c, int bit)
{
	__atomic_fetch_or(&c->eh_flags, 1UL << bit, __ATOMIC_SEQ_CST);
	wake_up_all(&c->eh_wait);
}

static inline void nvme_schedule_reset(struct nvme_ctrl *c)
{
	nvme_eh_kick(c, NVME_EH_RESET);
}

/* Abort command cid of queue qid; too many at once resets the controller instead. */
static inline void nvme_schedule_abort(struct nvme_ctrl *c, u16 qid, u16 cid)
{
	unsigned long flags = spin_lock_irqsave(&c->abort_lock);
	bool queued = false;

	if (c->nr_aborts_pending < ARRAY_SIZE(c->abort_list)) {
		c->abort_list[c->nr_aborts_pending++] = ((u32)qid << 16) | cid;
		queued = true;
	}
	spin_unlock_irqrestore(&c->abort_lock, flags);
	nvme_eh_kick(c, queued ? NVME_EH_ABORT : NVME_EH_RESET);
}

/* --- nvme_ns.c: namespaces ---------------------------------------------------- */
/* Identify the active namespaces and register a disk for each usable one. */
int nvme_ns_scan(struct nvme_ctrl *c);
/*
 * Delete the namespaces on gone (taken off their dead controller's list by
 * nvme_ctrl.c, under the locks their walkers take) as `nullb del` does
 * (docs/blk_lifetime.md): new I/O fails with ENODEV, I/O in flight ends,
 * each disk leaves `lsblk` and is freed at its last put.
 */
void nvme_ns_remove_list(struct list_head *gone);

/* --- nvme_mq.c: blk-mq ---------------------------------------------------------- */
/* The tag set the controller's namespaces share (once, before the first disk). */
int nvme_mq_tagset_init(struct nvme_ctrl *c);

/* --- nvme_admin.c: admin commands ---------------------------------------------- */
/*
 * Run one admin command and wait for it (thread context). buf (len bytes,
 * within one page, from kmalloc or the direct map) is its data, or NULL.
 * Returns 0, -ETIMEDOUT, -ENODEV (controller gone or dead), or the errno
 * of a failed command's status, which *status (when not NULL) receives.
 */
int nvme_admin_exec(struct nvme_ctrl *c, struct nvme_command *cmd, void *buf, size_t len,
		    u32 *result, u16 *status);
int nvme_identify(struct nvme_ctrl *c, u32 nsid, u8 cns, void *buf, u16 *status);
int nvme_get_log(struct nvme_ctrl *c, u32 nsid, u8 lid, void *buf, size_t len, u16 *status);
/* Set Features, Number of Queues (1.4 5.21.1.7): the pairs granted, or an errno. */
int nvme_set_queue_count(struct nvme_ctrl *c, unsigned int wanted);
/* Abort (1.4 5.1) command cid of submission queue sqid; *result's bit 0 set: not aborted. */
int nvme_abort_cmd(struct nvme_ctrl *c, u16 sqid, u16 cid, u32 *result, u16 *status);
/* Create the pair on the controller: interrupts on msix_entry aimed at cpu, or polled. */
int nvme_create_io_queue(struct nvme_queue *q, bool poll, int msix_entry, int cpu);
int nvme_delete_io_queue(struct nvme_queue *q);

/*
 * Consumed completions may stay unacknowledged (no CQ head doorbell) up
 * to this many on an interrupt-driven I/O queue (nvme.cq_defer=N, default
 * 0: rings every time) and on a polled one (nvme.cq_defer_poll=N, 32).
 */
extern u32 nvme_cq_defer;
extern u32 nvme_cq_defer_poll;
/* After reaping: ring the CQ head doorbell, unless nvme_cq_defer lets it wait. */
void nvme_queue_cq_done(struct nvme_queue *q);

/* --- nvme_floor.c: the device floor (`floor <ns>`) -------------------------- */
void nvme_floor_register(void);

/* --- nvme_queue.c: queue pairs ---------------------------------------------- */
/* Ring memory for a pair that completes into complete (NULL: the admin queue, reaped by pop). */
int nvme_queue_alloc(struct nvme_ctrl *c, struct nvme_queue *q, u16 qid, u16 depth,
		     nvme_complete_fn complete);
void nvme_queue_free(struct nvme_queue *q);
/* Back to empty rings (after a controller disable). */
void nvme_queue_reset(struct nvme_queue *q);
/* Copy cmd into the SQ; ring the doorbell when ring (else a later commit does). */
void nvme_queue_submit(struct nvme_queue *q, const struct nvme_command *cmd, bool ring);
void nvme_queue_commit(struct nvme_queue *q);
/* Reap completions into q->complete (caller holds cq_lock); returns how many. */
int nvme_queue_process_cq(struct nvme_queue *q);
/* The next new entry of the (admin) queue, consumed; false when none. */
bool nvme_queue_pop(struct nvme_queue *q, struct nvme_completion *out);
/* Write the CQ head doorbell for entries popped since old. */
void nvme_queue_ring_cq(struct nvme_queue *q, u16 old);
/* cq_lock taken here: from pollers (trylock) and the timeout path. */
int nvme_queue_poll(struct nvme_queue *q, bool wait_for_lock);
void nvme_queue_irq(void *arg);
/* Shadow doorbells: point the queue at its slots, or NULL them. */
void nvme_queue_dbbuf_init(struct nvme_queue *q);

/* --- nvme_cmd.c: building commands -------------------------------------------- */
/* The command for rq in iod->cmd (data pointer included); 0, -EINVAL or -ENOTSUP. */
int nvme_setup_rq(struct nvme_ns *ns, struct request *rq, struct nvme_iod *iod);
void nvme_setup_flush(struct nvme_command *cmd, u32 nsid);
void nvme_setup_identify(struct nvme_command *cmd, u32 nsid, u8 cns);
void nvme_setup_get_log(struct nvme_command *cmd, u32 nsid, u8 lid, size_t len);
void nvme_setup_set_queue_count(struct nvme_command *cmd, unsigned int wanted);
void nvme_setup_dbbuf_config(struct nvme_command *cmd, u64 db_phys, u64 ei_phys);
/* msix_entry -1: a polled completion queue. */
void nvme_setup_create_cq(struct nvme_command *cmd, const struct nvme_queue *q, int msix_entry);
void nvme_setup_create_sq(struct nvme_command *cmd, const struct nvme_queue *q);
/* opcode: nvme_admin_delete_sq or nvme_admin_delete_cq. */
void nvme_setup_delete_queue(struct nvme_command *cmd, u8 opcode, u16 qid);
void nvme_setup_abort(struct nvme_command *cmd, u16 sqid, u16 cid);

#endif
