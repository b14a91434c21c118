/*
 * Split virtqueues: descriptor table, available ring, used ring (virtio 1.2,
 * 2.7), the free-descriptor list and the two notification suppressions. See
 * drivers/virtio/virtio_ring.h for the interface and docs/virtio.md for the why.
 *
 * Memory order, as the spec asks (2.7.13): descriptors and the ring entry are
 * written before avail->idx (a store-release), the kick decision reads
 * avail_event only after a full barrier (else the device could go to sleep
 * on an old idx while we read an old avail_event and both wait), and used
 * entries are read after an acquire load of used->idx. On x86 only the full
 * barrier costs anything.
 */
#include "drivers/virtio/virtio_ring.h"
#include "lib/errno.h"
#include "lib/string.h"

/* the used area starts on its own cache line: the device writes it */
#define VIRTQ_USED_OFFSET_ALIGN 64

static size_t virtq_avail_offset(u16 num)
{
	return (size_t)num * sizeof(struct virtq_desc);
}

static size_t virtq_used_offset(u16 num)
{
	/* flags, idx, ring[num], used_event */
	size_t avail_bytes = sizeof(u16) * (3 + (size_t)num);

	return ALIGN_UP(virtq_avail_offset(num) + avail_bytes, VIRTQ_USED_OFFSET_ALIGN);
}

size_t virtq_ring_bytes(u16 num)
{
	/* flags, idx, ring[num], avail_event */
	return virtq_used_offset(num) + sizeof(u16) * 3 + sizeof(struct virtq_used_elem) * num;
}

int virtq_init(struct virtq *vq, u16 num, void *ring, u64 ring_phys, bool indirect,
	       bool event_idx)
{
	if (!num || (num & (num - 1)) || !ring || !IS_ALIGNED(ring_phys, VIRTQ_DESC_ALIGN))
		return -EINVAL;
	memset(vq, 0, virtq_struct_size(num));
	memset(ring, 0, virtq_ring_bytes(num));
	vq->num = num;
	vq->desc = ring;
	vq->avail = (struct virtq_avail *)((u8 *)ring + virtq_avail_offset(num));
	vq->used = (struct virtq_used *)((u8 *)ring + virtq_used_offset(num));
	vq->desc_phys = ring_phys;
	vq->avail_phys = ring_phys + virtq_avail_offset(num);
	vq->used_phys = ring_phys + virtq_used_offset(num);
	vq->indirect = indirect;
	vq->event_idx = event_idx;
	vq->cb_enabled = true;
	vq->num_free = num;
	for (unsigned int i = 0; i + 1 < num; i++)
		vq->desc[i].next = (u16)(i + 1);
	return 0;
}

static void virtq_publish(struct virtq *vq, u16 head, void *token)
{
	vq->token[head] = token;
	vq->avail->ring[vq->avail_idx & (vq->num - 1)] = head;
	vq->avail_idx++;
	/* the descriptors and the ring entry before the index that shows them */
	__atomic_store_n(&vq->avail->idx, vq->avail_idx, __ATOMIC_RELEASE);
	vq->nr_added++;
}

int virtq_add_buf(struct virtq *vq, struct virtq_desc *sg, unsigned int n, u64 sg_phys,
		  void *token)
{
	u16 head, i, last;

	if (!n || !token)
		return -EINVAL;
	if (vq->indirect && n > 1 && sg_phys) {
		if (!vq->num_free)
			return -ENOSPC;
		for (unsigned int k = 0; k + 1 < n; k++) {
			sg[k].flags |= VIRTQ_DESC_F_NEXT;
			sg[k].next = (u16)(k + 1);
		}
		sg[n - 1].flags &= (u16)~VIRTQ_DESC_F_NEXT;
		head = vq->free_head;
		vq->desc[head].addr = sg_phys;
		vq->desc[head].len = (u32)(n * sizeof(struct virtq_desc));
		vq->desc[head].flags = VIRTQ_DESC_F_INDIRECT;
		vq->free_head = vq->desc[head].next;
		vq->num_free--;
		virtq_publish(vq, head, token);
		return 0;
	}
	if (n > vq->num_free)
		return -ENOSPC;
	/* free descriptors are linked through .next, which then links the chain */
	head = i = last = vq->free_head;
	for (unsigned int k = 0; k < n; k++) {
		last = i;
		vq->desc[i].addr = sg[k].addr;
		vq->desc[i].len = sg[k].len;
		vq->desc[i].flags = (u16)((sg[k].flags & VIRTQ_DESC_F_WRITE) | VIRTQ_DESC_F_NEXT);
		i = vq->desc[i].next;
	}
	vq->desc[last].flags &= (u16)~VIRTQ_DESC_F_NEXT;
	vq->free_head = i;
	vq->num_free = (u16)(vq->num_free - n);
	virtq_publish(vq, head, token);
	return 0;
}

bool virtq_kick_prepare(struct virtq *vq)
{
	u16 old = vq->kicked_idx, new_idx = vq->avail_idx;
	bool kick;

	if (old == new_idx)
		return false;
	vq->kicked_idx = new_idx;
	/* our avail->idx store before the load of the device's wish */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (vq->event_idx)
		kick = virtq_need_event(READ_ONCE(*virtq_avail_event(vq)), new_idx, old);
	else
		kick = !(READ_ONCE(vq->used->flags) & VIRTQ_USED_F_NO_NOTIFY);
	if (kick)
		vq->nr_kicks++;
	else
		vq->nr_kicks_suppressed++;
	return kick;
}

/* Put the chain at head back on the free list. */
static void virtq_free_chain(struct virtq *vq, u16 head)
{
	u16 i = head, n = 1;

	while (vq->desc[i].flags & VIRTQ_DESC_F_NEXT) {
		i = vq->desc[i].next;
		n++;
	}
	vq->desc[i].next = vq->free_head;
	vq->free_head = head;
	vq->num_free = (u16)(vq->num_free + n);
	vq->token[head] = NULL;
}

bool virtq_has_used(const struct virtq *vq)
{
	return READ_ONCE(vq->used->idx) != vq->last_used;
}

void *virtq_get_used(struct virtq *vq, u32 *len)
{
	struct virtq_used_elem *e;
	void *token;
	u32 id;

	if (vq->broken)
		return NULL;
	/* the entry is read only after the index that shows it */
	if (__atomic_load_n(&vq->used->idx, __ATOMIC_ACQUIRE) == vq->last_used)
		return NULL;
	e = &vq->used->ring[vq->last_used & (vq->num - 1)];
	id = READ_ONCE(e->id);
	if (id >= vq->num || !vq->token[id]) {
		vq->broken = true;
		return NULL;
	}
	token = vq->token[id];
	if (len)
		*len = READ_ONCE(e->len);
	virtq_free_chain(vq, (u16)id);
	vq->last_used++;
	vq->nr_used++;
	/* a POLL queue keeps used_event behind us so the device never signals */
	if (!vq->cb_enabled && vq->event_idx)
		WRITE_ONCE(*virtq_used_event(vq), (u16)(vq->last_used - 1));
	return token;
}

bool virtq_enable_cb(struct virtq *vq)
{
	vq->cb_enabled = true;
	if (vq->event_idx)
		WRITE_ONCE(*virtq_used_event(vq), vq->last_used);
	else
		WRITE_ONCE(vq->avail->flags, 0);
	/* our wish before the check of what the device did meanwhile */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return READ_ONCE(vq->used->idx) == vq->last_used;
}

void virtq_disable_cb(struct virtq *vq)
{
	vq->cb_enabled = false;
	if (vq->event_idx)
		WRITE_ONCE(*virtq_used_event(vq), (u16)(vq->last_used - 1));
	else
		WRITE_ONCE(vq->avail->flags, VIRTQ_AVAIL_F_NO_INTERRUPT);
}
