/*
 * Unit tests for drivers/virtio/virtio_ring.c against a fake device that does what
 * the spec says a device does: consume the available ring from where it left
 * off, walk each chain (direct or indirect), write the used ring, and decide
 * on notifications with the event index. Physical addresses are host
 * pointers here.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "drivers/virtio/virtio_ring.c"

struct fake_dev {
	struct virtq *vq;
	u16 last_avail;		/* next avail entry to consume */
	u16 used_idx;
	unsigned int interrupts;
	/* what the last consumed chain looked like */
	unsigned int chain_out, chain_in, chain_len;
	u64 chain_addr[64];
};

static struct virtq *vq_new(u16 num, bool indirect, bool event_idx, void **ring)
{
	struct virtq *vq = calloc(1, virtq_struct_size(num));

	*ring = aligned_alloc(4096, ALIGN_UP(virtq_ring_bytes(num), 4096));
	assert_non_null(vq);
	assert_non_null(*ring);
	assert_int_equal(virtq_init(vq, num, *ring, (u64)(uintptr_t)*ring, indirect, event_idx), 0);
	return vq;
}

/* Walk one chain from head like a device; returns the bytes it "wrote". */
static u32 fake_walk(struct fake_dev *d, u16 head)
{
	struct virtq_desc *table = d->vq->desc;
	u16 i = head, limit = d->vq->num;
	u32 written = 0;

	d->chain_out = d->chain_in = d->chain_len = 0;
	if (table[head].flags & VIRTQ_DESC_F_INDIRECT) {
		assert_int_equal(table[head].len % sizeof(struct virtq_desc), 0);
		limit = (u16)(table[head].len / sizeof(struct virtq_desc));
		table = (struct virtq_desc *)(uintptr_t)table[head].addr;
		i = 0;
	}
	for (;;) {
		assert_true(d->chain_len < limit);
		assert_false(table[i].flags & VIRTQ_DESC_F_INDIRECT);
		if (table[i].flags & VIRTQ_DESC_F_WRITE) {
			d->chain_in++;
			written += table[i].len;
		} else {
			assert_int_equal(d->chain_in, 0);	/* out before in */
			d->chain_out++;
		}
		d->chain_addr[d->chain_len++] = table[i].addr;
		if (!(table[i].flags & VIRTQ_DESC_F_NEXT))
			break;
		i = table[i].next;
	}
	return written;
}

/* Consume up to max available chains; used entries appear; maybe interrupt. */
static unsigned int fake_process(struct fake_dev *d, unsigned int max)
{
	struct virtq *vq = d->vq;
	u16 old = d->used_idx;
	unsigned int n = 0;

	while (n < max && d->last_avail != __atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE)) {
		u16 head = vq->avail->ring[d->last_avail & (vq->num - 1)];
		u32 len = fake_walk(d, head);

		vq->used->ring[d->used_idx & (vq->num - 1)] = (struct virtq_used_elem){ head, len };
		d->used_idx++;
		d->last_avail++;
		n++;
	}
	__atomic_store_n(&vq->used->idx, d->used_idx, __ATOMIC_RELEASE);
	/* ask for a kick when the next entry arrives */
	*virtq_avail_event(vq) = d->last_avail;
	if (n) {
		bool irq = vq->event_idx ? virtq_need_event(*virtq_used_event(vq), d->used_idx, old)
					 : !(vq->avail->flags & VIRTQ_AVAIL_F_NO_INTERRUPT);
		d->interrupts += irq;
	}
	return n;
}

static void test_need_event(void **state)
{
	(void)state;
	assert_true(virtq_need_event(0, 1, 0));
	assert_false(virtq_need_event(1, 1, 0));
	assert_true(virtq_need_event(5, 10, 3));
	assert_false(virtq_need_event(2, 10, 3));
	assert_false(virtq_need_event(10, 10, 3));
	/* across the 16-bit wrap */
	assert_true(virtq_need_event(0xffff, 2, 0xfffe));
	assert_true(virtq_need_event(1, 2, 0xfffe));
	assert_false(virtq_need_event(2, 2, 0xfffe));
	assert_false(virtq_need_event(0xfffd, 2, 0xfffe));
	/* nothing added: never */
	assert_false(virtq_need_event(7, 7, 7));
}

static void test_layout(void **state)
{
	void *ring;
	struct virtq *vq = vq_new(256, false, false, &ring);

	(void)state;
	assert_int_equal(vq->avail_phys - vq->desc_phys, 256 * 16);
	assert_true(vq->used_phys % 64 == 0);
	assert_true(vq->used_phys >= vq->avail_phys + 6 + 2 * 256);
	assert_int_equal((u8 *)virtq_avail_event(vq) + 2 - (u8 *)ring, virtq_ring_bytes(256));
	assert_int_equal(virtq_init(vq, 3, ring, (u64)(uintptr_t)ring, false, false), -EINVAL);
	assert_int_equal(virtq_init(vq, 0, ring, (u64)(uintptr_t)ring, false, false), -EINVAL);
	free(ring);
	free(vq);
}

/* Direct chains: header out, data in, status in; token and length back. */
static void test_direct_chain(void **state)
{
	void *ring;
	struct virtq *vq = vq_new(8, false, false, &ring);
	struct fake_dev d = { .vq = vq };
	struct virtq_desc sg[3];
	int tok[3];
	u32 len;

	(void)state;
	virtq_sg_set(sg, 0, 0x1000, 16, false);
	virtq_sg_set(sg, 1, 0x2000, 4096, true);
	virtq_sg_set(sg, 2, 0x3000, 1, true);
	assert_int_equal(virtq_add_buf(vq, sg, 3, 0, &tok[0]), 0);
	assert_int_equal(vq->num_free, 5);
	assert_int_equal(virtq_add_buf(vq, sg, 3, 0, &tok[1]), 0);
	assert_int_equal(virtq_add_buf(vq, sg, 3, 0, &tok[2]), -ENOSPC);
	assert_int_equal(vq->num_free, 2);
	assert_int_equal(virtq_add_buf(vq, sg, 0, 0, &tok[2]), -EINVAL);
	assert_true(virtq_kick_prepare(vq));
	assert_false(virtq_kick_prepare(vq));	/* nothing new */
	assert_null(virtq_get_used(vq, &len));
	assert_int_equal(fake_process(&d, 1), 1);
	assert_int_equal(d.chain_out, 1);
	assert_int_equal(d.chain_in, 2);
	assert_int_equal(d.chain_addr[1], 0x2000);
	assert_ptr_equal(virtq_get_used(vq, &len), &tok[0]);
	assert_int_equal(len, 4097);
	assert_int_equal(vq->num_free, 5);
	assert_null(virtq_get_used(vq, &len));
	assert_int_equal(fake_process(&d, 8), 1);
	assert_ptr_equal(virtq_get_used(vq, &len), &tok[1]);
	assert_int_equal(vq->num_free, 8);
	free(ring);
	free(vq);
}

/* Indirect: one ring descriptor per chain whatever its length. */
static void test_indirect_chain(void **state)
{
	void *ring;
	struct virtq *vq = vq_new(4, true, false, &ring);
	struct fake_dev d = { .vq = vq };
	struct virtq_desc tables[4][40];
	int tok[5];
	u32 len;

	(void)state;
	for (int t = 0; t < 4; t++) {
		virtq_sg_set(tables[t], 0, 0x1000, 16, false);
		for (int i = 1; i < 39; i++)
			virtq_sg_set(tables[t], (unsigned int)i, 0x10000u * (unsigned int)i, 512, true);
		virtq_sg_set(tables[t], 39, 0x3000, 1, true);
		assert_int_equal(virtq_add_buf(vq, tables[t], 40, (u64)(uintptr_t)tables[t],
					       &tok[t]), 0);
	}
	assert_int_equal(vq->num_free, 0);
	assert_int_equal(virtq_add_buf(vq, tables[0], 40, (u64)(uintptr_t)tables[0], &tok[4]),
			 -ENOSPC);
	/* a single entry needs no table */
	assert_int_equal(fake_process(&d, 4), 4);
	assert_int_equal(d.chain_len, 40);
	assert_int_equal(d.chain_in, 39);
	for (int t = 0; t < 4; t++) {
		assert_ptr_equal(virtq_get_used(vq, &len), &tok[t]);
		assert_int_equal(len, 38 * 512 + 1);
	}
	assert_int_equal(vq->num_free, 4);
	virtq_sg_set(tables[0], 0, 0x1000, 16, false);
	assert_int_equal(virtq_add_buf(vq, tables[0], 1, (u64)(uintptr_t)tables[0], &tok[0]), 0);
	assert_int_equal(fake_process(&d, 4), 1);
	assert_int_equal(d.chain_len, 1);
	assert_false(vq->desc[vq->avail->ring[0]].flags & VIRTQ_DESC_F_INDIRECT);
	free(ring);
	free(vq);
}

/* Many laps of a small ring: 16-bit indices wrap, chains of mixed length. */
static void test_wrap(void **state)
{
	void *ring;
	struct virtq *vq = vq_new(16, false, true, &ring);
	struct fake_dev d = { .vq = vq };
	struct virtq_desc sg[4];
	static int tok[16];
	unsigned int added = 0, used = 0, inflight = 0, slot = 0;

	(void)state;
	for (int i = 0; i < 4; i++)
		virtq_sg_set(sg, (unsigned int)i, 0x1000u * (unsigned int)i, 8, i >= 2);
	while (used < 200000) {
		unsigned int n = 1 + added % 4;

		while (virtq_add_buf(vq, sg, n, 0, &tok[slot % 16]) == 0) {
			added++;
			inflight++;
			slot++;
			n = 1 + added % 4;
		}
		assert_true(vq->num_free < n);
		virtq_kick_prepare(vq);
		fake_process(&d, 3);
		for (void *t; (t = virtq_get_used(vq, NULL)); used++, inflight--)
			assert_ptr_equal(t, &tok[used % 16]);
	}
	assert_false(vq->broken);
	assert_int_equal(vq->avail_idx, (u16)added);
	assert_int_equal(vq->last_used, (u16)used);
	free(ring);
	free(vq);
}

/* Event index, driver side: kick only when the device asked. */
static void test_kick_suppression(void **state)
{
	void *ring;
	struct virtq *vq = vq_new(64, true, true, &ring);
	struct fake_dev d = { .vq = vq };
	struct virtq_desc sg[1];
	int tok;

	(void)state;
	virtq_sg_set(sg, 0, 0x1000, 8, false);
	/* a batch of 32: one kick */
	for (int i = 0; i < 32; i++)
		assert_int_equal(virtq_add_buf(vq, sg, 1, 0, &tok), 0);
	assert_true(virtq_kick_prepare(vq));
	assert_int_equal(vq->nr_kicks, 1);
	/* the device took 10 and says "tell me from 10 on": it is still busy */
	fake_process(&d, 10);
	*virtq_avail_event(vq) = 40;	/* a device that still has 32..39 to see */
	for (int i = 0; i < 4; i++)
		assert_int_equal(virtq_add_buf(vq, sg, 1, 0, &tok), 0);
	assert_false(virtq_kick_prepare(vq));	/* 32..35 do not reach 40 */
	for (int i = 0; i < 8; i++)
		assert_int_equal(virtq_add_buf(vq, sg, 1, 0, &tok), 0);
	assert_true(virtq_kick_prepare(vq));	/* 36..43 pass 40 */
	assert_int_equal(vq->nr_kicks, 2);
	assert_int_equal(vq->nr_kicks_suppressed, 1);
	/* without the event index, the NO_NOTIFY flag rules */
	free(ring);
	free(vq);
	vq = vq_new(8, false, false, &ring);
	assert_int_equal(virtq_add_buf(vq, sg, 1, 0, &tok), 0);
	vq->used->flags = VIRTQ_USED_F_NO_NOTIFY;
	assert_false(virtq_kick_prepare(vq));
	vq->used->flags = 0;
	assert_int_equal(virtq_add_buf(vq, sg, 1, 0, &tok), 0);
	assert_true(virtq_kick_prepare(vq));
	free(ring);
	free(vq);
}

/* Event index, device side: one interrupt per reaped batch, none when polled. */
static void test_interrupt_suppression(void **state)
{
	void *ring;
	struct virtq *vq = vq_new(64, true, true, &ring);
	struct fake_dev d = { .vq = vq };
	struct virtq_desc sg[1];
	int tok;
	unsigned int reaped = 0;

	(void)state;
	virtq_sg_set(sg, 0, 0x1000, 8, false);
	for (int i = 0; i < 32; i++)
		assert_int_equal(virtq_add_buf(vq, sg, 1, 0, &tok), 0);
	/* the device completes in four bursts before the driver gets to run */
	for (int b = 0; b < 4; b++)
		fake_process(&d, 8);
	assert_int_equal(d.interrupts, 1);
	/* the handler: reap all, re-enable; nothing arrived meanwhile */
	do {
		while (virtq_get_used(vq, NULL))
			reaped++;
	} while (!virtq_enable_cb(vq));
	assert_int_equal(reaped, 32);
	/* the next completion interrupts again */
	assert_int_equal(virtq_add_buf(vq, sg, 1, 0, &tok), 0);
	fake_process(&d, 8);
	assert_int_equal(d.interrupts, 2);
	/* enable_cb sees entries that raced with it */
	assert_int_equal(virtq_add_buf(vq, sg, 1, 0, &tok), 0);
	fake_process(&d, 8);
	assert_false(virtq_enable_cb(vq));
	while (virtq_get_used(vq, NULL))
		;
	assert_true(virtq_enable_cb(vq));
	/* polled: no interrupt at all, across many laps */
	virtq_disable_cb(vq);
	d.interrupts = 0;
	for (int i = 0; i < 70000; i++) {
		assert_int_equal(virtq_add_buf(vq, sg, 1, 0, &tok), 0);
		fake_process(&d, 1);
		assert_non_null(virtq_get_used(vq, NULL));
	}
	assert_int_equal(d.interrupts, 0);
	free(ring);
	free(vq);
	/* without the event index: the NO_INTERRUPT flag */
	vq = vq_new(8, false, false, &ring);
	d = (struct fake_dev){ .vq = vq };
	virtq_disable_cb(vq);
	assert_int_equal(virtq_add_buf(vq, sg, 1, 0, &tok), 0);
	fake_process(&d, 8);
	assert_int_equal(d.interrupts, 0);
	assert_false(virtq_enable_cb(vq));
	free(ring);
	free(vq);
}

/* A device returning a head it does not own marks the queue broken. */
static void test_bad_used_id(void **state)
{
	void *ring;
	struct virtq *vq = vq_new(8, false, false, &ring);

	(void)state;
	vq->used->ring[0] = (struct virtq_used_elem){ 3, 0 };
	vq->used->idx = 1;
	assert_null(virtq_get_used(vq, NULL));
	assert_true(vq->broken);
	free(ring);
	free(vq);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_need_event),
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_direct_chain),
		cmocka_unit_test(test_indirect_chain),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_kick_suppression),
		cmocka_unit_test(test_interrupt_suppression),
		cmocka_unit_test(test_bad_used_id),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
