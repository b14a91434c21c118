/*
 * dm-io: one request to read or write several regions of several disks at
 * once (Linux's drivers/md/dm-io.c), the engine under the mirror target and
 * kcopyd.
 *
 * A write (or discard, write-zeroes) fans out to every region in parallel,
 * each region getting the same memory from its start; a read takes exactly
 * one region. Each region is cut into bios at its disk's limits and at the
 * vectors a bio holds. Each region that fails sets its bit in error_bits
 * (bit i: where[i], up to 64 regions); a region whose disk cannot do the
 * operation (a discard on a disk without discard) sets its bit in
 * unsupported_bits too, so that the caller tells "not supported" from an
 * I/O error.
 *
 * Memory comes in four kinds: a list of pages, an array of bio vectors,
 * a virtually contiguous buffer whose pages are not physically contiguous
 * (found by walking the page tables, a page at a time), and a kernel buffer
 * in the direct map (physically contiguous).
 *
 * Synchronous (notify.fn NULL): dm_io sleeps until every bio is done and
 * returns 0, -EIO (an I/O error on some region) or -ENOTSUP (every failed
 * region was unsupported). Asynchronous: dm_io returns 0 once everything is
 * submitted and notify.fn(error_bits, context) runs when the last bio ends,
 * in interrupt context (it may not sleep); *unsupported_bits is written
 * before it runs.
 *
 * A client owns the reserve: a pool of its bookkeeping objects and bios, so
 * a request makes progress without allocating. dm_io itself may sleep for
 * the pool (thread context only); I/O in flight gives objects back.
 */
#ifndef BLOCK_DM_DM_IO_H
#define BLOCK_DM_DM_IO_H

#include "lib/types.h"
#include "block/bio.h"

struct gendisk;
struct dm_io_client;

#define DM_IO_MAX_REGIONS 64

enum dm_io_mem_type {
	DM_IO_PAGE_LIST,	/* struct dm_page_list chain */
	DM_IO_BIO_VEC,		/* array of struct bio_vec */
	DM_IO_VMA,		/* virtually contiguous, mapped page by page */
	DM_IO_KMEM,		/* a direct-mapped kernel buffer */
};

/* One page (a direct-mapped kernel address of a whole page) and the next. */
struct dm_page_list {
	struct dm_page_list *next;
	void *page;
};

struct dm_io_memory {
	enum dm_io_mem_type type;
	u32 offset;		/* bytes into the first page / vector / buffer */
	union {
		struct dm_page_list *pl;
		struct bio_vec *bvec;
		void *vma;
		void *addr;
	} ptr;
};

typedef void (*dm_io_notify_fn)(u64 error_bits, void *context);

struct dm_io_notify {
	dm_io_notify_fn fn;	/* NULL: synchronous */
	void *context;
};

struct dm_io_request {
	u8 op;				/* REQ_OP_READ, WRITE, DISCARD, WRITE_ZEROES, FLUSH */
	u16 flags;			/* REQ_FUA, REQ_PREFLUSH on writes */
	struct dm_io_memory mem;	/* reads and writes */
	struct dm_io_notify notify;
	struct dm_io_client *client;
	u64 *unsupported_bits;		/* optional: regions whose disk cannot do op */
};

struct dm_io_region {
	struct gendisk *disk;
	u64 sector;			/* 512-byte units */
	u64 count;			/* sectors; 0 only for a flush */
};

/* A client with a reserve of nr_ios requests and nr_bios bios; ERR_PTR on failure. */
struct dm_io_client *dm_io_client_create(unsigned int nr_ios, unsigned int nr_bios);
/* Every request of the client must be over. */
void dm_io_client_destroy(struct dm_io_client *client);

/*
 * Run req over where[0 .. nr_regions). Returns -EINVAL for a malformed
 * request (a read of other than one region, more than 64 regions, a region
 * that is not whole logical blocks, memory that cannot be walked); then
 * nothing was submitted and notify does not run. See above for the rest.
 */
int dm_io(struct dm_io_request *req, unsigned int nr_regions, const struct dm_io_region *where,
	  u64 *error_bits);

#endif
