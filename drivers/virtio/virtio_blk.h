/*
 * virtio-blk's private state, shared by the driver (virtio_blk.c) and its
 * shell command and self tests (virtio_shell.c).
 */
#ifndef DRIVERS_VIRTIO_VIRTIO_BLK_H
#define DRIVERS_VIRTIO_VIRTIO_BLK_H

#include "lib/list.h"
#include "lib/types.h"
#include "block/blk_mq.h"
#include "block/blkdev.h"
#include "drivers/virtio/virtio_blk_config.h"
#include "drivers/virtio/virtio_blk_regs.h"
#include "drivers/virtio/virtio_pci.h"
#include "kernel/sched/spinlock.h"
#include "kernel/sched/wait.h"

#define VIRTIO_BLK_QUEUE_SIZE_MAX 256

/*
 * One request in flight, the token of its chain: blk-mq's per-request data
 * (pdu), or a kzalloc'd command for raw requests (GET_ID, self tests). Lives
 * in the direct map, so sg is also the indirect table the device reads.
 */
struct virtio_blk_cmd {
	struct virtio_blk_outhdr hdr;			/* device reads */
	struct virtio_blk_discard_write_zeroes range;	/* device reads (discard, zeroes) */
	u8 status;					/* device writes */
	bool raw;			/* not a blk-mq request: set done instead */
	bool done;			/* raw: the device returned it */
	bool requeued;			/* sent again after a reset: a second one fails it */
	u32 len;			/* bytes the device wrote */
	struct virtq_desc sg[VIRTIO_BLK_MAX_SEGMENTS + 2];	/* header, data, status */
};

/* One virtqueue and what uses it; owned by the CPUs of its hctx. */
struct virtio_blk_queue {
	spinlock_t lock;		/* the ring: submission, reaping (irqsave) */
	struct virtq *vq;
	struct virtio_pci_queue *pq;
	struct virtio_blk *vblk;
	struct blk_mq_hw_ctx *hctx;	/* NULL when no hctx uses the queue */
	bool polled;			/* a POLL hctx: interrupts off */
	bool resetting;			/* the device is being reset: leave the ring alone */
	int irq_cpu;			/* where its MSI-X entry points, -1 none */
	u64 interrupts;			/* handler runs */
	u64 completions;
	char irq_name[16];
} __aligned(64);

struct virtio_blk {
	struct virtio_pci vp;
	struct list_head link;		/* in virtio_blk_devices */
	struct gendisk disk;
	struct blk_mq_tag_set tag_set;
	char serial[VIRTIO_BLK_ID_BYTES + 1];
	u64 capacity;			/* 512-byte sectors */
	u32 blk_size;
	u32 seg_max, size_max;
	struct virtio_blk_config_info cfg;	/* the device configuration, decoded at probe */
	unsigned int nr_vqs;		/* virtqueues set up (all the device offers, capped) */
	struct virtio_blk_queue *queues;
	/*
	 * Timeout recovery: the timeout handler (kblockd) asks, the thread
	 * resets the device and requeues or fails what was in flight.
	 */
	struct thread *eh_thread;
	struct wait_queue eh_wait;
	u32 eh_wanted;			/* atomic: a reset is asked for */
	u64 resets;			/* done, for the `virtio` command */
};

/* Every device bound, in probe order; set up at boot and never changed after. */
extern struct list_head virtio_blk_devices;

/*
 * A raw request on queue qidx, outside blk-mq, waited for by polling (with
 * the queue's interrupt taking it away as well): type and sector, then
 * nbufs data buffers (direct-map or kernel-image memory) that the device
 * writes when in is true. Returns the status byte as an errno: 0, -EIO,
 * -ENOTSUP, -ETIMEDOUT, -EBUSY (ring full), -ENOMEM.
 */
int virtio_blk_raw(struct virtio_blk *vblk, unsigned int qidx, u32 type, u64 sector,
		   void *const *bufs, const u32 *lens, unsigned int nbufs, bool in);

/* virtio_blk_floor.c: the device floor (`floor vda`), registered at probe. */
void virtio_blk_floor_register(void);

#endif
