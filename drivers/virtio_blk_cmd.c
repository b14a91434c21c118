/*
 * The `virtio` shell command and the `virtio` self tests: what each
 * virtio-blk device negotiated and, per virtqueue, how many chains were
 * added, how many doorbells were rung or skipped (event index), how many
 * interrupts came and how many chains they completed. Raw requests go
 * straight to a virtqueue, bypassing blk-mq, so the transport and the ring
 * can be checked on their own (`virtio <dev> rawsum`, the self tests).
 */
#include "drivers/virtio_blk_internal.h"
#include "kernel/console.h"
#include "kernel/mm.h"
#include "kernel/page_alloc.h"
#include "kernel/percpu.h"
#include "kernel/selftest.h"
#include "kernel/shell.h"
#include "kernel/slab.h"
#include "kernel/wait.h"
#include "lib/crc32.h"
#include "lib/errno.h"
#include "lib/parse.h"
#include "lib/printf.h"
#include "lib/string.h"

#define RAW_CHUNK_ORDER 3	/* 32 KiB per raw read */
#define BATCH_MAX 128
#define BATCH_TIMEOUT_NS 10000000000ULL

static struct virtio_blk *virtio_blk_find(const char *name)
{
	struct virtio_blk *vblk;

	list_for_each_entry(vblk, &virtio_blk_devices, link)
		if (!strcmp(vblk->disk.name, name))
			return vblk;
	return NULL;
}

static const char *virtio_queue_kind(const struct virtio_blk_queue *q)
{
	if (!q->hctx)
		return "idle";
	return q->polled ? "poll" : "irq";
}

static void virtio_print_text(void)
{
	struct virtio_blk *vblk;
	char pci_name[PCI_NAME_MAX];

	list_for_each_entry(vblk, &virtio_blk_devices, link) {
		printf("%s: pci %s, features %#llx, serial \"%s\", %u virtqueues, %u hw queues"
		       " (%u poll)\n", vblk->disk.name,
		       pci_device_name(vblk->vp.pci, pci_name, sizeof(pci_name)),
		       (unsigned long long)vblk->vp.features, vblk->serial, vblk->nr_vqs,
		       vblk->tag_set.nr_hw_queues, vblk->tag_set.nr_poll_queues);
		printf("  queue size kind cpu   added   kicks  no-kick  interrupts  completed\n");
		for (unsigned int i = 0; i < vblk->nr_vqs; i++) {
			const struct virtio_blk_queue *q = &vblk->queues[i];

			printf("  %5u %4u %-4s %3d %7llu %7llu %8llu %11llu %10llu\n", i, q->vq->num,
			       virtio_queue_kind(q), q->irq_cpu,
			       (unsigned long long)q->vq->nr_added,
			       (unsigned long long)q->vq->nr_kicks,
			       (unsigned long long)q->vq->nr_kicks_suppressed,
			       (unsigned long long)q->interrupts,
			       (unsigned long long)q->completions);
		}
	}
}

static void virtio_print_json(void)
{
	struct virtio_blk *vblk;
	char pci_name[PCI_NAME_MAX];
	bool first = true;

	printf("[");
	list_for_each_entry(vblk, &virtio_blk_devices, link) {
		printf("%s{\"name\":\"%s\",\"pci\":\"%s\",\"features\":%llu,\"serial\":\"%s\","
		       "\"indirect\":%s,\"event_idx\":%s,\"nr_vqs\":%u,\"nr_hw_queues\":%u,"
		       "\"nr_poll_queues\":%u,\"queues\":[", first ? "" : ",", vblk->disk.name,
		       pci_device_name(vblk->vp.pci, pci_name, sizeof(pci_name)),
		       (unsigned long long)vblk->vp.features, vblk->serial,
		       virtio_has_feature(&vblk->vp, VIRTIO_F_RING_INDIRECT_DESC) ? "true" : "false",
		       virtio_has_feature(&vblk->vp, VIRTIO_F_RING_EVENT_IDX) ? "true" : "false",
		       vblk->nr_vqs, vblk->tag_set.nr_hw_queues, vblk->tag_set.nr_poll_queues);
		first = false;
		for (unsigned int i = 0; i < vblk->nr_vqs; i++) {
			const struct virtio_blk_queue *q = &vblk->queues[i];

			printf("%s{\"index\":%u,\"size\":%u,\"kind\":\"%s\",\"cpu\":%d,"
			       "\"added\":%llu,\"kicks\":%llu,\"kicks_suppressed\":%llu,"
			       "\"interrupts\":%llu,\"completions\":%llu}", i ? "," : "", i,
			       q->vq->num, virtio_queue_kind(q), q->irq_cpu,
			       (unsigned long long)q->vq->nr_added,
			       (unsigned long long)q->vq->nr_kicks,
			       (unsigned long long)q->vq->nr_kicks_suppressed,
			       (unsigned long long)q->interrupts,
			       (unsigned long long)q->completions);
		}
		printf("]}");
	}
	printf("]\n");
}

/* CRC-32 of count sectors from lba, read raw through queue 0. */
static int virtio_rawsum(struct virtio_blk *vblk, u64 lba, u64 count)
{
	u64 chunk = (PAGE_SIZE << RAW_CHUNK_ORDER) >> SECTOR_SHIFT;
	void *buf = page_alloc(RAW_CHUNK_ORDER);
	u32 crc = 0;
	int err = 0;

	if (!buf)
		return shell_error("out of memory");
	while (count) {
		u64 n = min(count, chunk);
		void *bufs[1] = { buf };
		u32 lens[1] = { (u32)(n << SECTOR_SHIFT) };

		err = virtio_blk_raw(vblk, 0, VIRTIO_BLK_T_IN, lba, bufs, lens, 1, true);
		if (err) {
			shell_error("raw read at sector %llu: %s", (unsigned long long)lba,
				    errno_name(err));
			break;
		}
		crc = crc32(crc, buf, lens[0]);
		lba += n;
		count -= n;
		if (console_interrupted()) {
			err = shell_error("interrupted");
			break;
		}
	}
	page_free(buf, RAW_CHUNK_ORDER);
	if (!err)
		printf("%08x\n", crc);
	return err;
}

struct virtio_batch {
	struct completion done;
	u32 remaining;
	int error;
};

static void virtio_batch_end_io(struct bio *bio)
{
	struct virtio_batch *b = bio->private;

	if (bio->status)
		__atomic_store_n(&b->error, bio->status, __ATOMIC_RELAXED);
	if (__atomic_sub_fetch(&b->remaining, 1, __ATOMIC_ACQ_REL) == 0)
		complete(&b->done);
}

/*
 * n 4 KiB reads (sectors 0, 8, 16, ...) submitted under one plug from this
 * CPU, so blk-mq hands them to the driver as one batch; prints what they
 * cost in doorbells and interrupts on the virtqueues.
 */
static int virtio_batch_read(struct virtio_blk *vblk, u32 n)
{
	u64 kicks = 0, interrupts = 0, completions = 0;
	struct virtio_batch b = { .remaining = n };
	struct bio_vec *vecs = kcalloc(n, sizeof(*vecs));
	struct bio *bios = kcalloc(n, sizeof(*bios));
	u8 *buf = page_alloc(7);	/* 512 KiB: BATCH_MAX pages */
	struct blk_plug plug;
	unsigned int cpu;
	int err = 0;

	if (!vecs || !bios || !buf) {
		err = shell_error("out of memory");
		goto out;
	}
	completion_init(&b.done);
	for (unsigned int i = 0; i < vblk->nr_vqs; i++) {
		kicks -= vblk->queues[i].vq->nr_kicks;
		interrupts -= vblk->queues[i].interrupts;
		completions -= vblk->queues[i].completions;
	}
	cpu = this_cpu_id();	/* where the batch starts; the thread may move */
	blk_start_plug(&plug);
	for (u32 i = 0; i < n; i++) {
		vecs[i] = (struct bio_vec){ virt_to_phys(buf + i * PAGE_SIZE), PAGE_SIZE };
		bios[i] = (struct bio){ .disk = &vblk->disk, .sector = (u64)i * 8, .size = PAGE_SIZE,
					.op = REQ_OP_READ, .vecs = &vecs[i], .vcnt = 1,
					.end_io = virtio_batch_end_io, .private = &b };
		submit_bio(&bios[i]);
	}
	blk_finish_plug(&plug);
	if (!wait_for_completion_timeout(&b.done, BATCH_TIMEOUT_NS)) {
		/* the bios still belong to the block layer: leak rather than free */
		return shell_error("batch did not complete");
	}
	for (unsigned int i = 0; i < vblk->nr_vqs; i++) {
		kicks += vblk->queues[i].vq->nr_kicks;
		interrupts += vblk->queues[i].interrupts;
		completions += vblk->queues[i].completions;
	}
	if (b.error)
		err = shell_error("read failed: %s", errno_name(b.error));
	else
		printf("{\"reads\":%u,\"cpu\":%u,\"kicks\":%llu,\"interrupts\":%llu,"
		       "\"completions\":%llu}\n", n, cpu, (unsigned long long)kicks,
		       (unsigned long long)interrupts, (unsigned long long)completions);
out:
	if (buf)
		page_free(buf, 7);
	kfree(bios);
	kfree(vecs);
	return err;
}

/* Write-zeroes through the block layer, which checks the range and read-only. */
static int virtio_zeroout(struct virtio_blk *vblk, u64 lba, u64 count)
{
	int err = blk_rw_sync(&vblk->disk, REQ_OP_WRITE_ZEROES, lba, NULL,
			      count << SECTOR_SHIFT, 0);

	return err ? shell_error("write-zeroes: %s", errno_name(err)) : 0;
}

static int cmd_virtio(int argc, char **argv)
{
	struct virtio_blk *vblk;
	u64 lba, count;

	if (argc == 1 || (argc == 2 && !strcmp(argv[1], "--json"))) {
		if (argc == 2)
			virtio_print_json();
		else
			virtio_print_text();
		return 0;
	}
	if (argc < 3)
		return shell_usage_error(argv[0]);
	vblk = virtio_blk_find(argv[1]);
	if (!vblk)
		return shell_error("no virtio-blk disk %s", argv[1]);
	if (argc == 4 && !strcmp(argv[2], "batch")) {
		u32 n;

		if (parse_u32(argv[3], &n) || !n || n > BATCH_MAX ||
		    (u64)n * 8 > vblk->capacity)
			return shell_error("batch: 1 to %d reads within the disk", BATCH_MAX);
		return virtio_batch_read(vblk, n);
	}
	if (argc != 5 || (strcmp(argv[2], "rawsum") && strcmp(argv[2], "zeroout")))
		return shell_usage_error(argv[0]);
	if (parse_u64(argv[3], &lba) || parse_u64(argv[4], &count) || !count)
		return shell_error("bad range: %s %s", argv[3], argv[4]);
	/* 512-byte sectors, as the device counts them */
	if (lba > vblk->capacity || count > vblk->capacity - lba)
		return shell_error("range beyond the end of %s (%llu sectors)", argv[1],
				   (unsigned long long)vblk->capacity);
	if (!strcmp(argv[2], "rawsum"))
		return virtio_rawsum(vblk, lba, count);
	return virtio_zeroout(vblk, lba, count);
}
SHELL_COMMAND(virtio, cmd_virtio,
	      "virtio [--json] | virtio <dev> rawsum|zeroout <sector> <count> | virtio <dev> batch <n>",
	      "virtio-blk queues, kicks and interrupts; raw CRC-32; write-zeroes; a batch of reads");

/* --- self tests -------------------------------------------------------------------- */
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
