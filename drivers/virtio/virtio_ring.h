/*
 * Split virtqueues (virtio 1.2, 2.7): the driver side of one queue. The
 * driver puts descriptor chains in the available ring, the device returns
 * them through the used ring. This file knows nothing of PCI or of blocks:
 * the transport (virtio_pci.c) gives it zeroed, physically contiguous memory
 * and rings the doorbell when virtq_kick_prepare() says so; the device driver
 * (virtio_blk.c) builds the scatter-gather lists. The host unit tests
 * (tests/unit/drivers/virtio/test_virtio_ring.c) run it against a fake device.
 *
 *   virtq_add_buf()       a chain: readable descriptors, then writable ones;
 *                         as one INDIRECT descriptor when negotiated and the
 *                         caller's list lives in DMA-able memory
 *   virtq_kick_prepare()  whether the device must be notified now (event
 *                         index: only if it asked for the entries we added)
 *   virtq_get_used()      the next completed chain's token and length
 *   virtq_enable_cb()     ask for an interrupt at the next used entry;
 *                         false when one is already there (reap again)
 *   virtq_disable_cb()    no interrupts (POLL queues)
 *
 * Not thread-safe: the caller serialises all calls on one queue (the
 * virtio-blk queue's spinlock, taken with interrupts off).
 */
#ifndef DRIVERS_VIRTIO_VIRTIO_RING_H
#define DRIVERS_VIRTIO_VIRTIO_RING_H

#include "lib/types.h"
#include "drivers/virtio/virtio_regs.h"

struct virtq {
	/* the three areas, in the memory given to virtq_init() */
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;
	u16 num;		/* queue size, a power of two */
	u16 free_head;		/* first free descriptor, linked through .next */
	u16 num_free;
	u16 avail_idx;		/* our copy of avail->idx */
	u16 kicked_idx;		/* avail_idx when the device was last considered for a kick */
	u16 last_used;		/* the next used entry to read */
	bool event_idx;		/* VIRTIO_F_RING_EVENT_IDX negotiated */
	bool indirect;		/* VIRTIO_F_RING_INDIRECT_DESC negotiated */
	bool cb_enabled;	/* interrupts wanted (false for POLL queues) */
	bool broken;		/* the device returned a chain it did not own */
	u64 desc_phys, avail_phys, used_phys;
	/* statistics, for the `virtio` command */
	u64 nr_added;		/* chains */
	u64 nr_kicks;		/* notifications the device asked for */
	u64 nr_kicks_suppressed;	/* batches it did not need to hear about */
	u64 nr_used;		/* chains returned */
	void *token[];		/* per head descriptor: the caller's token, NULL when free */
};

/* Bytes of struct virtq (with its token array) for a queue of num entries. */
static inline size_t virtq_struct_size(u16 num)
{
	return sizeof(struct virtq) + (size_t)num * sizeof(void *);
}

/* Bytes of device-visible memory for num entries: descriptors, avail, used. */
size_t virtq_ring_bytes(u16 num);

/*
 * Lay a queue of num entries (a power of two, 1 .. 32768) over ring, which
 * is virtq_ring_bytes(num) bytes at physical address ring_phys, 16-byte
 * aligned. The areas are zeroed; interrupts start enabled. Returns 0 or
 * -EINVAL.
 */
int virtq_init(struct virtq *vq, u16 num, void *ring, u64 ring_phys, bool indirect,
	       bool event_idx);

/* Fill entry i of a scatter-gather list (device_writes: an "in" buffer). */
static inline void virtq_sg_set(struct virtq_desc *sg, unsigned int i, u64 phys, u32 len,
				bool device_writes)
{
	sg[i].addr = phys;
	sg[i].len = len;
	sg[i].flags = device_writes ? VIRTQ_DESC_F_WRITE : 0;
	sg[i].next = (u16)(i + 1);
}

/*
 * Make sg[0 .. n-1] (readable entries first, then writable) available to the
 * device, with token handed back by virtq_get_used(). When the indirect
 * feature is on, n > 1 and sg_phys is not 0 (sg is then a table the device
 * may read at sg_phys, and must stay untouched until the chain is used), the
 * chain takes one ring descriptor; else n of them, copied from sg. Publishes
 * the entry at once but does not notify. Returns 0, -ENOSPC when the ring
 * lacks descriptors (nothing was added), -EINVAL for n == 0 or no token.
 */
int virtq_add_buf(struct virtq *vq, struct virtq_desc *sg, unsigned int n, u64 sg_phys,
		  void *token);

/*
 * After a batch of virtq_add_buf(): whether the device must be notified of
 * it. With the event index, only if the entries added since the previous
 * call cross the avail_event the device published; else unless the device
 * set VIRTQ_USED_F_NO_NOTIFY. Full barrier first: the device must see the
 * new avail->idx before we read its wish.
 */
bool virtq_kick_prepare(struct virtq *vq);

/*
 * The next chain the device has finished: its token, with the bytes the
 * device wrote in *len; NULL when there is none (or the queue is broken).
 */
void *virtq_get_used(struct virtq *vq, u32 *len);

/*
 * Ask for an interrupt when the next chain is used. Returns true when the
 * used ring is empty, false when chains arrived meanwhile: reap them and
 * call again, or an interrupt may be lost.
 */
bool virtq_enable_cb(struct virtq *vq);
void virtq_disable_cb(struct virtq *vq);

/* Whether a used entry is waiting (no barrier: a hint for pollers). */
bool virtq_has_used(const struct virtq *vq);

/*
 * 2.7.10: whether moving an index from old to new_idx passes event, i.e.
 * event is in [old, new_idx) in 16-bit free-running arithmetic. Used for
 * both directions: the driver's kick (avail_event) and the device's
 * interrupt (used_event).
 */
static inline bool virtq_need_event(u16 event, u16 new_idx, u16 old)
{
	return (u16)(new_idx - event - 1) < (u16)(new_idx - old);
}

/* The event index fields after each ring. */
static inline u16 *virtq_used_event(struct virtq *vq)
{
	return &vq->avail->ring[vq->num];
}

static inline u16 *virtq_avail_event(struct virtq *vq)
{
	return (u16 *)&vq->used->ring[vq->num];
}

#endif
