/*
 * NVMe namespaces as disks: every active namespace (Identify, active
 * namespace list) with a usable LBA format becomes the disk
 * nvme<controller>n<nsid>, on a queue of the controller's shared tag set
 * (nvme_mq.c). The geometry and queue limits come from Identify Namespace
 * and Identify Controller.
 */
#include "drivers/nvme/nvme.h"
#include "drivers/nvme/nvme_status.h"
#include "drivers/pci/pci.h"
#include "block/blkdev.h"
#include "kernel/cmdline.h"
#include "kernel/mm/page_alloc.h"
#include "kernel/arch/percpu.h"
#include "kernel/console/printk.h"
#include "kernel/mm/slab.h"
#include "lib/errno.h"
#include "lib/parse.h"
#include "lib/printf.h"
#include "lib/string.h"

/* --- namespaces ---------------------------------------------------------------- */

/* Refuse what the driver cannot carry; fill the namespace's geometry. */
static int nvme_ns_geometry(struct nvme_ctrl *c, struct nvme_ns *ns, const struct nvme_id_ns *id)
{
	struct nvme_ns_geom g;
	char why[128];
	int err = nvme_id_ns_decode(id, c->max_transfer, &g, why, sizeof(why));

	if (err) {
		pr_err("%s: namespace %u: %s: skipped\n", c->name, ns->nsid, why);
		return err;
	}
	ns->lbaf = g.lbaf;
	ns->lba_shift = g.lba_shift;
	ns->blocks = g.blocks;
	ns->phys_block = g.phys_block;
	ns->opt_io = g.opt_io;
	ns->io_boundary = g.io_boundary;
	return 0;
}

static void nvme_ns_limits(struct nvme_ctrl *c, struct nvme_ns *ns, struct queue_limits *lim)
{
	u32 block_sectors = 1U << (ns->lba_shift - SECTOR_SHIFT);

	memset(lim, 0, sizeof(*lim));
	lim->logical_block_size = 1U << ns->lba_shift;
	lim->physical_block_size = ns->phys_block;
	lim->max_sectors = c->max_transfer >> SECTOR_SHIFT;
	/* the PRP rule: whole pages between the first and last segment */
	lim->virt_boundary_mask = c->page_size - 1;
	lim->max_segments = c->max_transfer / c->page_size + 1;
	lim->max_segment_size = c->max_transfer;
	lim->seg_boundary_mask = 0xffffffff;
	lim->dma_alignment = 3;			/* PRP entries are dword aligned */
	/* the driver issues PREFLUSH's flush itself; FUA is a bit in Write */
	if (c->vwc)
		lim->features = BLK_FEAT_WRITE_CACHE | BLK_FEAT_FUA | BLK_FEAT_PREFLUSH;
	if (c->dsm)
		lim->max_discard_sectors = ALIGN_DOWN(1U << 22, block_sectors);
	if (c->write_zeroes)
		lim->max_write_zeroes_sectors = min(0x10000U * block_sectors, 1U << 22);
}

/* The last put of a namespace's disk (docs/blk_lifetime.md). */
static void nvme_ns_free_disk(struct gendisk *disk)
{
	kfree(disk->private_data);
}

void nvme_ns_remove_list(struct list_head *gone)
{
	struct nvme_ns *ns, *next;

	list_for_each_entry_safe(ns, next, gone, link) {
		list_del_init(&ns->link);
		pr_info("%s: removed: its controller is dead\n", ns->disk.name);
		/* ns is freed by the disk's last put, maybe in here */
		blk_mq_destroy_disk(&ns->disk);
	}
}

static int nvme_ns_add(struct nvme_ctrl *c, u32 nsid, struct nvme_id_ns *id)
{
	struct nvme_ns *ns = kzalloc(sizeof(*ns));
	struct queue_limits lim;
	u16 status;
	int err;

	if (!ns)
		return -ENOMEM;
	ns->ctrl = c;
	ns->nsid = nsid;
	err = nvme_identify(c, nsid, NVME_ID_CNS_NS, id, &status);
	if (err) {
		char text[96];

		pr_err("%s: Identify Namespace %u: %s\n", c->name, nsid,
		       nvme_status_format(status, text, sizeof(text)));
		goto free_ns;
	}
	err = nvme_ns_geometry(c, ns, id);
	if (err)
		goto free_ns;
	nvme_ns_limits(c, ns, &lim);
	snprintf(ns->disk.name, sizeof(ns->disk.name), "%sn%u", c->name, nsid);
	ns->disk.driver = "nvme";
	ns->disk.capacity = ns->blocks << (ns->lba_shift - SECTOR_SHIFT);
	ns->disk.private_data = ns;
	ns->disk.free_disk = nvme_ns_free_disk;
	/* listed before the disk is added: reading the partition table already does I/O */
	list_add_tail(&ns->link, &c->namespaces);
	err = blk_mq_create_disk(&ns->disk, &c->tagset, &lim, ns, 0);
	if (err) {
		list_del(&ns->link);
		goto free_ns;
	}
	ns->queue = ns->disk.queue;
	pr_info("%s: namespace %u: %llu blocks of %u bytes (%llu MiB)\n", ns->disk.name, nsid,
		(unsigned long long)ns->blocks, 1U << ns->lba_shift,
		(unsigned long long)((ns->blocks << ns->lba_shift) >> 20));
	return 0;

free_ns:
	pr_err("%s: namespace %u not added: %s\n", c->name, nsid, errno_name(err));
	kfree(ns);
	return err;
}

int nvme_ns_scan(struct nvme_ctrl *c)
{
	u32 *list = kmalloc(4096);
	struct nvme_id_ns *id = kmalloc(sizeof(*id));
	unsigned int added = 0;
	int err = -ENOMEM;

	if (!list || !id)
		goto out;
	if (c->vs >= NVME_VS(1, 1)) {
		err = nvme_identify(c, 0, NVME_ID_CNS_NS_ACTIVE_LIST, list, NULL);
		if (err) {
			pr_err("%s: active namespace list: %s\n", c->name, errno_name(err));
			goto out;
		}
	} else {
		/* 1.0: every id up to NN, inactive ones have size 0 */
		for (u32 i = 0; i < 1024; i++)
			list[i] = i < c->id->nn ? i + 1 : 0;
	}
	if (!list[0]) {
		pr_info("%s: no active namespaces\n", c->name);
		err = 0;
		goto out;
	}
	err = nvme_mq_tagset_init(c);
	if (err) {
		pr_err("%s: tag set: %s\n", c->name, errno_name(err));
		goto out;
	}
	for (u32 i = 0; i < 1024 && list[i]; i++)
		if (nvme_ns_add(c, list[i], id) == 0)
			added++;
	err = 0;
out:
	kfree(list);
	kfree(id);
	return err;
}
