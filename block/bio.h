/*
 * The bio: one I/O on a disk as its submitter sees it, a range of sectors
 * and the physical segments holding the data. blk-mq turns bios into
 * requests after splitting them to the queue's limits (bio_split_point),
 * so a driver never sees an I/O its hardware cannot take in one command.
 *
 * The pure checks and split arithmetic live in bio_split.c; they allocate
 * nothing: a piece of a split bio refers to the original vectors.
 */
#ifndef BLOCK_BIO_H
#define BLOCK_BIO_H

#include "lib/types.h"
#include "block/blk_trace_stat.h"

struct gendisk;

#define SECTOR_SHIFT 9
#define SECTOR_SIZE 512

enum req_op {
	REQ_OP_READ,
	REQ_OP_WRITE,
	REQ_OP_FLUSH,		/* no data, no sector: write back the cache */
	REQ_OP_DISCARD,		/* no data: deallocate sector .. + size */
	REQ_OP_WRITE_ZEROES,	/* no data: make the range read as zeroes */
	REQ_OP_COUNT,
};

enum req_flag {
	REQ_FUA = 1 << 0,	/* write through the cache (writes only) */
	REQ_PREFLUSH = 1 << 1,	/* flush the cache before this write */
	REQ_POLLED = 1 << 2,	/* completed by polling, not an interrupt */
	REQ_SYNC = 1 << 3,	/* someone waits for it */
	/*
	 * The submitter must not sleep: no tag, a frozen queue, a split or a
	 * flush sequence end the bio at once with -EAGAIN (io_uring's first,
	 * non-blocking try; the caller then punts it to an io-wq worker).
	 */
	REQ_NOWAIT = 1 << 4,
};

/* One physically contiguous piece of memory. */
struct bio_vec {
	u64 phys;
	u32 len;
};

struct bio {
	struct gendisk *disk;
	u64 sector;		/* 512-byte units, whatever the block size */
	u32 size;		/* bytes still to transfer */
	u8 op;			/* enum req_op */
	u8 ioprio;
	u16 flags;		/* enum req_flag */
	int status;		/* 0 or a negative errno, set before end_io */
	struct bio_vec *vecs;
	u16 vcnt;		/* vectors from vecs on */
	u32 vec_offset;		/* bytes of vecs[0] already done (a split remainder) */
	void (*end_io)(struct bio *bio);
	void *private;		/* the submitter's */
	/*
	 * blk-core's: pieces of this bio not ended yet (a split bio becomes
	 * several requests that share it), changed atomically; end_io runs
	 * when it reaches 0. The submitter need not set it.
	 */
	u32 remaining;
	/*
	 * A stacking driver's (device-mapper's) save of what it changed when
	 * it remapped this bio in place to a parent disk; restored before the
	 * submitter's end_io runs. disk is NULL when unused: submitters leave
	 * the whole of it zeroed (a bio built with an initializer does).
	 */
	struct bio_remap {
		struct gendisk *disk;
		u64 sector;
		void (*end_io)(struct bio *bio);
		void *private;
	} remap;
	/*
	 * Per-stage tracing (block/blk_trace.h), last so that copies of a
	 * bio's working fields (submit_bio's iterator) leave it out: written
	 * only while a device is traced.
	 */
	struct blk_trace_stamps trace;
};

/* The bytes of a bio without its trace stamps: what a submitter clears or copies. */
#define BIO_COPY_BYTES __builtin_offsetof(struct bio, trace)

/*
 * What a queue's hardware can take in one request. Masks follow Linux: a
 * boundary mask of 0xffff means no segment may cross a 64 KiB line.
 */
struct queue_limits {
	u32 logical_block_size;	/* power of two, 512 .. 65536 */
	u32 physical_block_size;
	u32 max_sectors;	/* per request, 512-byte units */
	u32 max_segments;
	u32 max_segment_size;	/* bytes */
	u32 seg_boundary_mask;	/* a segment stays within one (mask + 1) line */
	u32 dma_alignment;	/* mask: vector addresses and lengths */
	u32 max_discard_sectors;	/* 0: discard unsupported */
	u32 max_write_zeroes_sectors;	/* 0: write-zeroes unsupported */
	/*
	 * 0, or a mask (NVMe PRP: 4095): between two segments of a request
	 * there may be no gap, i.e. every segment but the first starts on a
	 * (mask + 1) boundary and every one but the last ends on one.
	 */
	u32 virt_boundary_mask;
	/*
	 * What the hardware takes per request, 512-byte units; max_sectors
	 * may be lowered below it (`queue <dev> max_sectors_kb=`) and raised
	 * back up to it. 0 until max_sectors is first changed: it then is
	 * max_sectors, as the driver set it.
	 */
	u32 max_hw_sectors;
	u32 features;		/* BLK_FEAT_*: what the device does with a volatile cache */
};

/*
 * Copy limits that live I/O may be reading (a dm reload): field by field,
 * each one a single store, so a reader sees every field old or new, never a
 * zero or half of one (a struct assignment may clear first, or go by bytes).
 */
static inline void queue_limits_publish(struct queue_limits *dst, const struct queue_limits *src)
{
	u32 *d = (u32 *)dst;
	const u32 *s = (const u32 *)src;

	_Static_assert(sizeof(*dst) % sizeof(u32) == 0, "queue_limits: u32 fields only");
	for (size_t i = 0; i < sizeof(*dst) / sizeof(u32); i++)
		WRITE_ONCE(d[i], s[i]);
}

/*
 * Cache features. Without BLK_FEAT_WRITE_CACHE, writes are durable when they
 * complete and FUA/PREFLUSH are dropped. With it, blk-core turns PREFLUSH
 * into a flush before the write unless the driver does it itself
 * (BLK_FEAT_PREFLUSH), and FUA into a flush after it unless the device takes
 * FUA (BLK_FEAT_FUA).
 */
#define BLK_FEAT_WRITE_CACHE	(1U << 0)
#define BLK_FEAT_FUA		(1U << 1)
#define BLK_FEAT_PREFLUSH	(1U << 2)

/*
 * Where the first piece of a bio ends: its length, how many hardware
 * segments it takes, and the position of the next piece in the bio's
 * vectors (index relative to bio->vecs, and byte offset into that vector;
 * index == vcnt when the piece is the whole bio).
 */
struct bio_split {
	u32 bytes;
	u32 nr_segs;
	u16 next_vec;
	u32 next_offset;
};

/*
 * Limits a driver may hand to blk-mq: returns 0, or -EINVAL when a field is
 * out of range (block sizes, masks that are not 2^n - 1, a request that
 * cannot hold one logical block, no segments).
 */
int queue_limits_check(const struct queue_limits *lim);

/*
 * Whether bio may be submitted to a disk with these (checked) limits and
 * capacity_sectors 512-byte sectors. Returns
 *   0         it may;
 *   -EINVAL   unknown op, a flag the op does not take (FUA/PREFLUSH other
 *             than on a write), sector or size not a multiple of the
 *             logical block size, a read/write of 0 bytes or without
 *             vectors, vectors whose lengths (less vec_offset) do not add up
 *             to size, a vector off dma_alignment, a flush with data or a
 *             discard/write-zeroes with vectors;
 *   -ENOTSUP  discard or write-zeroes on a queue that does not do them;
 *   -EIO      the range runs past capacity (Linux's answer to an access
 *             beyond the end of the device).
 */
int bio_check(const struct bio *bio, const struct queue_limits *lim, u64 capacity_sectors);

/*
 * The first piece of a checked bio that one request can carry: the longest
 * prefix, a multiple of the logical block size, that respects max_sectors,
 * max_segments (a vector longer than max_segment_size, or crossing a
 * seg_boundary_mask line, counts as several), and virt_boundary_mask (a gap
 * ends the piece before the vector that opens it). Vectors are not merged
 * with physically adjacent neighbours: each begins a segment.
 *
 * Discard and write-zeroes pieces only respect their max_*_sectors; a flush
 * is never split (bytes 0). out->bytes == bio->size when no split is
 * needed, and is never 0 for a data bio on success. Returns 0 (the length
 * is in out, as a piece may pass INT_MAX), or -EINVAL when not even one
 * logical block fits (vectors shorter than a block with max_segments too
 * small to gather one, or a virt-boundary gap inside the first block).
 */
int bio_split_point(const struct bio *bio, const struct queue_limits *lim,
		    struct bio_split *out);

/* Make bio the remainder after its first split->bytes (from bio_split_point). */
void bio_advance(struct bio *bio, const struct bio_split *split);

#endif
