/*
 * The `virtio` self tests: raw requests straight to each virtqueue,
 * bypassing blk-mq, so the transport and the ring are checked on their own
 * (GET_ID on every queue, a scattered read through an indirect table, a
 * read past the end).
 */
#include "drivers/virtio/virtio_blk.h"
#include "kernel/mm/page_alloc.h"
#include "kernel/selftest/selftest.h"
#include "lib/errno.h"
#include "lib/string.h"

/* GET_ID answers on every virtqueue, each one's doorbell and ring. */
static void test_get_id_every_queue(struct selftest *t)
{
	struct virtio_blk *vblk;
	char *id = page_zalloc(0);

	ST_ASSERT(t, id);
	list_for_each_entry(vblk, &virtio_blk_devices, link) {
		for (unsigned int i = 0; i < vblk->nr_vqs; i++) {
			void *bufs[1] = { id };
			u32 lens[1] = { VIRTIO_BLK_ID_BYTES };

			memset(id, 0x5a, VIRTIO_BLK_ID_BYTES + 1);
			ST_EXPECT_EQ(t, virtio_blk_raw(vblk, i, VIRTIO_BLK_T_GET_ID, 0, bufs, lens,
						       1, true), 0);
			id[VIRTIO_BLK_ID_BYTES] = 0;
			ST_EXPECT(t, !strncmp(id, vblk->serial, VIRTIO_BLK_ID_BYTES));
		}
	}
	page_free(id, 0);
}

/*
 * The first 8 sectors read as one buffer and as eight scattered ones (an
 * indirect table of ten entries) are the same bytes.
 */
static void test_read_scattered(struct selftest *t)
{
	struct virtio_blk *vblk;
	u8 *whole = page_zalloc(0), *pieces = page_zalloc(3);

	ST_ASSERT(t, whole && pieces);
	list_for_each_entry(vblk, &virtio_blk_devices, link) {
		void *bufs[8];
		u32 lens[8];
		void *one[1] = { whole };
		u32 one_len[1] = { 4096 };

		if (vblk->capacity < 8)
			continue;
		for (int i = 0; i < 8; i++) {
			/* each piece in its own page, at an odd offset */
			bufs[i] = pieces + i * 4096 + 8 * i;
			lens[i] = 512;
		}
		ST_EXPECT_EQ(t, virtio_blk_raw(vblk, vblk->nr_vqs - 1, VIRTIO_BLK_T_IN, 0, one,
					       one_len, 1, true), 0);
		ST_EXPECT_EQ(t, virtio_blk_raw(vblk, 0, VIRTIO_BLK_T_IN, 0, bufs, lens, 8, true), 0);
		for (int i = 0; i < 8; i++)
			ST_EXPECT(t, !memcmp(bufs[i], whole + 512 * i, 512));
	}
	page_free(whole, 0);
	page_free(pieces, 3);
}

/* A read past the end is the device's IOERR, seen as -EIO. */
static void test_read_past_end(struct selftest *t)
{
	struct virtio_blk *vblk;
	u8 *buf = page_zalloc(0);

	ST_ASSERT(t, buf);
	list_for_each_entry(vblk, &virtio_blk_devices, link) {
		void *bufs[1] = { buf };
		u32 lens[1] = { 512 };

		ST_EXPECT_EQ(t, virtio_blk_raw(vblk, 0, VIRTIO_BLK_T_IN, vblk->capacity, bufs,
					       lens, 1, true), -EIO);
		ST_EXPECT_EQ(t, virtio_blk_raw(vblk, 0, VIRTIO_BLK_T_IN, vblk->capacity - 1, bufs,
					       lens, 1, true), 0);
	}
	page_free(buf, 0);
}

SELFTEST(virtio, get_id_every_queue, test_get_id_every_queue);
SELFTEST(virtio, read_scattered, test_read_scattered);
SELFTEST(virtio, read_past_end, test_read_past_end);
