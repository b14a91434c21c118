/*
 * dm-io (dm_io.h): a request over many regions becomes bios, each from the
 * client's pool with its vectors inside, all counted by one bookkeeping
 * object (struct dm_io_op) that ends the request when its count drops to
 * zero. The submitter holds one count while it submits, so a request whose
 * first bios complete before the last is submitted does not end early.
 *
 * The memory is walked with a cursor that yields physically contiguous
 * pieces (a page of a page list or of a virtually mapped buffer, a vector,
 * all of a direct-mapped buffer); a bio takes pieces up to its disk's
 * max_sectors or DM_IO_BIO_VECS vectors, then is cut back to whole logical
 * blocks, and the next bio starts where it stopped.
 */
#include "block/dm/dm_io.h"
#include "block/dm/dm_pool.h"
#include "block/blk_internal.h"
#include "kernel/mm/mm.h"
#include "kernel/mm/paging.h"
#include "kernel/mm/slab.h"
#include "kernel/sched/thread.h"
#include "kernel/sched/wait.h"
#include "lib/errno.h"

#define DM_IO_BIO_VECS 64	/* vectors a bio carries: a 256 KiB bio of single pages */
/* a data-less bio (discard, write-zeroes) covers at most this much: bio->size is u32 */
#define DM_IO_MAX_NODATA_BYTES (1U << 30)

struct dm_io_client {
	struct dm_pool ios;		/* struct dm_io_op */
	struct dm_pool bios;		/* struct dm_io_bio */
};

/* One dm_io call in flight. */
struct dm_io_op {
	struct dm_io_client *client;
	u32 count;			/* bios in flight + the submitter's; atomic */
	u64 error_bits;			/* atomic or */
	u64 unsupported_bits;		/* atomic or */
	struct dm_io_notify notify;
	u64 *unsupported_out;
	struct completion *wait;	/* synchronous: the caller sleeps here */
};

struct dm_io_bio {
	struct bio bio;
	struct dm_io_op *op;
	u32 region;
	struct bio_vec vecs[DM_IO_BIO_VECS];
};

/* A position in the memory of a request. */
struct dm_io_cursor {
	enum dm_io_mem_type type;
	u32 off;			/* into the current page / vector */
	union {
		struct dm_page_list *pl;
		struct bio_vec *bv;
		uintptr_t va;		/* VMA and KMEM: the current address (off unused) */
	};
};

struct dm_io_client *dm_io_client_create(unsigned int nr_ios, unsigned int nr_bios)
{
	struct dm_io_client *client = kzalloc(sizeof(*client));

	if (!client)
		return ERR_PTR(-ENOMEM);
	if (dm_pool_init(&client->ios, nr_ios ? nr_ios : 1, sizeof(struct dm_io_op)))
		goto free_client;
	if (dm_pool_init(&client->bios, nr_bios ? nr_bios : 1, sizeof(struct dm_io_bio)))
		goto destroy_ios;
	return client;
destroy_ios:
	dm_pool_destroy(&client->ios);
free_client:
	kfree(client);
	return ERR_PTR(-ENOMEM);
}

void dm_io_client_destroy(struct dm_io_client *client)
{
	if (!client)
		return;
	dm_pool_destroy(&client->bios);
	dm_pool_destroy(&client->ios);
	kfree(client);
}

/* --- walking memory --------------------------------------------------------------- */

static void dm_io_cursor_init(struct dm_io_cursor *c, const struct dm_io_memory *mem)
{
	c->type = mem->type;
	c->off = 0;
	switch (mem->type) {
	case DM_IO_PAGE_LIST:
		c->pl = mem->ptr.pl;
		c->off = mem->offset;
		break;
	case DM_IO_BIO_VEC:
		c->bv = mem->ptr.bvec;
		c->off = mem->offset;
		break;
	case DM_IO_VMA:
		c->va = (uintptr_t)mem->ptr.vma + mem->offset;
		break;
	case DM_IO_KMEM:
		c->va = (uintptr_t)mem->ptr.addr + mem->offset;
		break;
	}
}

/* The physically contiguous piece at the cursor: 0, or -EFAULT. */
static int dm_io_cursor_peek(const struct dm_io_cursor *c, u64 *phys, u32 *len)
{
	switch (c->type) {
	case DM_IO_PAGE_LIST:
		if (!c->pl || !c->pl->page || c->off >= PAGE_SIZE)
			return -EFAULT;
		*phys = virt_to_phys(c->pl->page) + c->off;
		*len = PAGE_SIZE - c->off;
		return 0;
	case DM_IO_BIO_VEC:
		if (c->off >= c->bv->len)
			return -EFAULT;
		*phys = c->bv->phys + c->off;
		*len = c->bv->len - c->off;
		return 0;
	case DM_IO_VMA: {
		u64 pa;

		/* not physically contiguous: one page at a time, through the page tables */
		if (vm_translate(c->va, &pa))
			return -EFAULT;
		*phys = pa;
		*len = PAGE_SIZE - (u32)(c->va & (PAGE_SIZE - 1));
		return 0;
	}
	case DM_IO_KMEM:
		*phys = virt_to_phys((const void *)c->va);
		*len = 1U << 30;	/* contiguous: the caller's limit cuts it */
		return 0;
	}
	return -EFAULT;
}

static void dm_io_cursor_advance(struct dm_io_cursor *c, u32 n)
{
	switch (c->type) {
	case DM_IO_PAGE_LIST:
		c->off += n;
		if (c->off == PAGE_SIZE) {
			c->pl = c->pl->next;
			c->off = 0;
		}
		break;
	case DM_IO_BIO_VEC:
		c->off += n;
		if (c->off == c->bv->len) {
			c->bv++;
			c->off = 0;
		}
		break;
	default:
		c->va += n;
	}
}

/*
 * Fill b's vectors from the cursor with at most max_bytes, cut back to a
 * multiple of lbs, and move the cursor past them. Returns the bytes, or
 * -EFAULT (memory that cannot be walked), -EINVAL (not one block fits).
 */
static int dm_io_fill(struct dm_io_bio *b, struct dm_io_cursor *c, u32 max_bytes, u32 lbs)
{
	struct dm_io_cursor walk = *c;
	u32 total = 0, keep, drop;
	u16 n = 0;

	while (total < max_bytes && n < DM_IO_BIO_VECS) {
		u64 phys;
		u32 len;

		if (dm_io_cursor_peek(&walk, &phys, &len))
			return -EFAULT;
		len = min(len, max_bytes - total);
		if (n && b->vecs[n - 1].phys + b->vecs[n - 1].len == phys)
			b->vecs[n - 1].len += len;
		else
			b->vecs[n++] = (struct bio_vec){ phys, len };
		dm_io_cursor_advance(&walk, len);
		total += len;
	}
	keep = ALIGN_DOWN(total, lbs);
	if (!keep)
		return -EINVAL;
	for (drop = total - keep; drop;) {
		struct bio_vec *last = &b->vecs[n - 1];

		if (last->len <= drop) {
			drop -= last->len;
			n--;
		} else {
			last->len -= drop;
			drop = 0;
		}
	}
	b->bio.vecs = b->vecs;
	b->bio.vcnt = n;
	b->bio.vec_offset = 0;
	for (u32 done = 0; done < keep;) {
		u64 phys;
		u32 len;

		dm_io_cursor_peek(c, &phys, &len);
		len = min(len, keep - done);
		dm_io_cursor_advance(c, len);
		done += len;
	}
	return (int)keep;
}

/* --- completion ------------------------------------------------------------------- */

static void dm_io_op_put(struct dm_io_op *op)
{
	struct dm_io_client *client = op->client;
	struct dm_io_notify notify;
	u64 bits;

	if (__atomic_sub_fetch(&op->count, 1, __ATOMIC_ACQ_REL))
		return;
	if (op->unsupported_out)
		*op->unsupported_out = __atomic_load_n(&op->unsupported_bits, __ATOMIC_RELAXED);
	if (op->wait) {
		complete(op->wait);	/* the caller reads the bits and frees op */
		return;
	}
	notify = op->notify;
	bits = __atomic_load_n(&op->error_bits, __ATOMIC_RELAXED);
	dm_pool_put(&client->ios, op);
	notify.fn(bits, notify.context);
}

static void dm_io_region_failed(struct dm_io_op *op, u32 region, int status)
{
	__atomic_fetch_or(&op->error_bits, 1ULL << region, __ATOMIC_RELAXED);
	if (status == -ENOTSUP)
		__atomic_fetch_or(&op->unsupported_bits, 1ULL << region, __ATOMIC_RELAXED);
}

static void dm_io_bio_end(struct bio *bio)
{
	struct dm_io_bio *b = bio->private;
	struct dm_io_op *op = b->op;

	if (bio->status)
		dm_io_region_failed(op, b->region, bio->status);
	dm_pool_put(&op->client->bios, b);
	dm_io_op_put(op);
}

/* --- submission ------------------------------------------------------------------- */

static bool op_has_data(u8 op)
{
	return op == REQ_OP_READ || op == REQ_OP_WRITE;
}

static int dm_io_check(const struct dm_io_request *req, unsigned int nr,
		       const struct dm_io_region *where)
{
	if (!req->client || nr == 0 || nr > DM_IO_MAX_REGIONS || req->op >= REQ_OP_COUNT)
		return -EINVAL;
	if (req->op == REQ_OP_READ && nr != 1)
		return -EINVAL;
	if ((req->flags & (REQ_FUA | REQ_PREFLUSH)) && req->op != REQ_OP_WRITE)
		return -EINVAL;
	for (unsigned int i = 0; i < nr; i++) {
		u32 block;

		if (!where[i].disk || !where[i].disk->queue)
			return -EINVAL;
		block = where[i].disk->queue->limits.logical_block_size >> SECTOR_SHIFT;
		if (req->op == REQ_OP_FLUSH)
			continue;
		if (!where[i].count || where[i].sector % block || where[i].count % block)
			return -EINVAL;
	}
	if (op_has_data(req->op) && req->mem.type > DM_IO_KMEM)
		return -EINVAL;
	return 0;
}

/* Submit the bios of region r; failures to build one mark the region failed. */
static void dm_io_submit_region(struct dm_io_op *op, const struct dm_io_request *req, u32 r,
				const struct dm_io_region *where)
{
	struct gendisk *disk = where->disk;
	const struct queue_limits *lim = &disk->queue->limits;
	u32 max_bytes = (u32)min((u64)lim->max_sectors << SECTOR_SHIFT, (u64)(1U << 30));
	u64 sector = where->sector, left = where->count << SECTOR_SHIFT;
	struct dm_io_cursor cursor;

	dm_io_cursor_init(&cursor, &req->mem);
	do {
		struct dm_io_bio *b = dm_pool_get(&op->client->bios);
		int bytes;

		if (!b) {
			dm_io_region_failed(op, r, -EAGAIN);
			return;
		}
		b->bio = (struct bio){
			.disk = disk,
			.sector = sector,
			.op = req->op,
			.flags = req->flags,
			.end_io = dm_io_bio_end,
			.private = b,
		};
		b->op = op;
		b->region = r;
		if (op_has_data(req->op)) {
			bytes = dm_io_fill(b, &cursor, (u32)min(left, (u64)max_bytes),
					   lim->logical_block_size);
		} else if (req->op == REQ_OP_FLUSH) {
			bytes = 0;
		} else {
			bytes = (int)min(left, (u64)DM_IO_MAX_NODATA_BYTES);
		}
		if (bytes < 0) {
			dm_pool_put(&op->client->bios, b);
			dm_io_region_failed(op, r, bytes);
			return;
		}
		b->bio.size = (u32)bytes;
		__atomic_fetch_add(&op->count, 1, __ATOMIC_RELAXED);
		submit_bio(&b->bio);
		sector += (u64)bytes >> SECTOR_SHIFT;
		left -= (u64)bytes;
	} while (left);
}

int dm_io(struct dm_io_request *req, unsigned int nr_regions, const struct dm_io_region *where,
	  u64 *error_bits)
{
	struct completion done;
	struct dm_io_op *op;
	u64 bits, unsupported;
	int err = dm_io_check(req, nr_regions, where);

	if (err)
		return err;
	op = dm_pool_get(&req->client->ios);
	if (!op)
		return -EAGAIN;
	*op = (struct dm_io_op){
		.client = req->client,
		.count = 1,
		.notify = req->notify,
		.unsupported_out = req->unsupported_bits,
	};
	if (!req->notify.fn) {
		completion_init(&done);
		op->wait = &done;
	}
	for (u32 r = 0; r < nr_regions; r++)
		dm_io_submit_region(op, req, r, &where[r]);
	if (req->notify.fn) {
		dm_io_op_put(op);
		return 0;
	}
	dm_io_op_put(op);
	if (current_thread()->plug)
		blk_flush_plug(current_thread()->plug);	/* our bios may sit there */
	wait_for_completion_io(&done);
	bits = op->error_bits;
	unsupported = op->unsupported_bits;
	dm_pool_put(&req->client->ios, op);
	if (error_bits)
		*error_bits = bits;
	if (!bits)
		return 0;
	return bits == unsupported ? -ENOTSUP : -EIO;
}
