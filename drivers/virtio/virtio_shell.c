/*
 * The `virtio` shell command: what each
 * virtio-blk device negotiated and, per virtqueue, how many chains were
 * added, how many doorbells were rung or skipped (event index), how many
 * interrupts came and how many chains they completed. Raw requests go
 * straight to a virtqueue, bypassing blk-mq, so the transport and the ring
 * can be checked on their own (`virtio <dev> rawsum`, and the self tests in
 * virtio_blk_selftest.c).
 */
#include "drivers/virtio/virtio_blk.h"
#include "kernel/console/console.h"
#include "kernel/mm/mm.h"
#include "kernel/mm/page_alloc.h"
#include "kernel/arch/percpu.h"
#include "kernel/shell/shell.h"
#include "kernel/mm/slab.h"
#include "kernel/sched/wait.h"
#include "lib/crc32.h"
#include "lib/errno.h"
#include "lib/json.h"
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

static int virtio_print_json(void)
{
	struct virtio_blk *vblk;
	char pci_name[PCI_NAME_MAX];
	struct json_writer w;

	shell_json_begin(&w);
	json_array_begin(&w);
	list_for_each_entry(vblk, &virtio_blk_devices, link) {
		json_object_begin(&w);
		json_field_str(&w, "name", vblk->disk.name);
		json_field_str(&w, "pci", pci_device_name(vblk->vp.pci, pci_name, sizeof(pci_name)));
		json_field_u64(&w, "features", vblk->vp.features);
		/* the device's bytes, whatever they are: the writer escapes them */
		json_field_str(&w, "serial", vblk->serial);
		json_field_bool(&w, "indirect",
				virtio_has_feature(&vblk->vp, VIRTIO_F_RING_INDIRECT_DESC));
		json_field_bool(&w, "event_idx", virtio_has_feature(&vblk->vp, VIRTIO_F_RING_EVENT_IDX));
		json_field_u64(&w, "nr_vqs", vblk->nr_vqs);
		json_field_u64(&w, "nr_hw_queues", vblk->tag_set.nr_hw_queues);
		json_field_u64(&w, "nr_poll_queues", vblk->tag_set.nr_poll_queues);
		json_key(&w, "queues");
		json_array_begin(&w);
		for (unsigned int i = 0; i < vblk->nr_vqs; i++) {
			const struct virtio_blk_queue *q = &vblk->queues[i];

			json_object_begin(&w);
			json_field_u64(&w, "index", i);
			json_field_u64(&w, "size", q->vq->num);
			json_field_str(&w, "kind", virtio_queue_kind(q));
			json_field_s64(&w, "cpu", q->irq_cpu);
			json_field_u64(&w, "added", q->vq->nr_added);
			json_field_u64(&w, "kicks", q->vq->nr_kicks);
			json_field_u64(&w, "kicks_suppressed", q->vq->nr_kicks_suppressed);
			json_field_u64(&w, "interrupts", q->interrupts);
			json_field_u64(&w, "completions", q->completions);
			json_object_end(&w);
		}
		json_array_end(&w);
		json_object_end(&w);
	}
	json_array_end(&w);
	return shell_json_end(&w);
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
	struct json_writer w;
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
	if (b.error) {
		err = shell_error("read failed: %s", errno_name(b.error));
		goto out;
	}
	shell_json_begin(&w);
	json_object_begin(&w);
	json_field_u64(&w, "reads", n);
	json_field_u64(&w, "cpu", cpu);
	json_field_u64(&w, "kicks", kicks);
	json_field_u64(&w, "interrupts", interrupts);
	json_field_u64(&w, "completions", completions);
	json_object_end(&w);
	err = shell_json_end(&w);
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
	bool json = false;
	u64 lba, count;
	int err;

	err = shell_json_flag(&argc, argv, &json);
	if (err)
		return err;
	if (argc == 1 && json)
		return virtio_print_json();
	if (argc == 1) {
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
	if (json || argc != 5 || (strcmp(argv[2], "rawsum") && strcmp(argv[2], "zeroout")))
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
