/*
 * The pure half of direct-IO (block/dio.c is the other): the alignment
 * rules, and the plan that turns a transfer at a byte offset of a file or
 * disk into steps, each one bio's worth of disk I/O or a range of the
 * buffer to zero, with no memory touched and no disk read. Host-tested
 * against a byte-by-byte model (tests/unit/block/test_dio_plan.c).
 *
 * Alignment follows Linux's fs/direct-io.c: offset, length and buffer
 * address must be multiples of the file's block size; failing that, of the
 * disk's logical block size (the "blkfactor" case: one filesystem block
 * holds several device blocks, and I/O starts or ends inside one);
 * anything less aligned is -EINVAL. The chosen size is the plan's unit.
 *
 * Mapping comes from a get_block callback in filesystem blocks (a disk is
 * its own identity map in logical blocks). Mapped runs become disk I/O,
 * merged across runs that are contiguous on the disk, cut at max_bytes;
 * holes and unwritten extents read as zeroes; a write into a hole needs a
 * get_block that allocates (it returns DIO_RUN_NEW) or ends the plan with
 * DIO_STEP_HOLE for the caller to refuse. A transfer ends at i_size rounded
 * up to the unit, and reports only the bytes below i_size: reads past the
 * end of a file are short, not errors.
 */
#ifndef BLOCK_DIO_PLAN_H
#define BLOCK_DIO_PLAN_H

#include "lib/types.h"

enum dio_run_state {
	DIO_RUN_HOLE,		/* no block: reads as zeroes */
	DIO_RUN_MAPPED,		/* data at pblk */
	DIO_RUN_UNWRITTEN,	/* allocated, reads as zeroes; a write would need conversion */
	DIO_RUN_NEW,		/* allocated just now for this write: old contents undefined */
};

/* File blocks lblk .. lblk + len - 1, one state, contiguous on disk from pblk. */
struct dio_run {
	u64 lblk;
	u64 pblk;
	u32 len;
	u8 state;	/* enum dio_run_state */
};

/*
 * Map the run that starts at file block lblk, at most max_len blocks; for a
 * write, a get_block that can allocate turns a hole into DIO_RUN_NEW.
 * Returns 0 or a negative errno (which ends the plan).
 */
typedef int (*dio_get_block_fn)(void *ctx, u64 lblk, u32 max_len, bool write,
				struct dio_run *out);

enum dio_misalign {
	DIO_ALIGNED,
	DIO_MISALIGNED_OFFSET,
	DIO_MISALIGNED_LENGTH,
	DIO_MISALIGNED_BUFFER,
};

/*
 * The unit a transfer is aligned to: block_size when offset, length and
 * buffer are all multiples of it, else dev_block_size when they are
 * multiples of that, else -EINVAL with *what saying which one is not (the
 * first of offset, length, buffer). Both sizes are powers of two, with
 * dev_block_size <= block_size. A length of 0 is aligned (and does nothing).
 */
int dio_align_unit(u64 offset, u64 length, uintptr_t buffer, u32 block_size,
		   u32 dev_block_size, enum dio_misalign *what);

enum dio_step_kind {
	DIO_STEP_IO,		/* transfer len bytes at buf_off to/from disk byte disk_off */
	DIO_STEP_ZERO,		/* read: clear len bytes of the buffer at buf_off */
	DIO_STEP_ZERO_DISK,	/* write: zero len bytes of a new block at disk_off */
	DIO_STEP_HOLE,		/* write into a hole or unwritten run with no allocation: refuse */
	DIO_STEP_END,		/* nothing left */
};

struct dio_step {
	u8 kind;
	u64 buf_off;		/* bytes from the transfer's start */
	u64 disk_off;		/* bytes from the disk's start */
	u64 len;
};

struct dio_plan {
	/* set by dio_plan_init */
	u64 offset;		/* file byte where the transfer starts */
	u64 end;		/* where it stops: offset + length, clipped at EOF */
	u64 bytes;		/* what a complete transfer reports: bytes below i_size */
	u32 block_size;		/* of the mapping */
	u8 block_bits;
	bool write;
	u64 max_bytes;		/* per DIO_STEP_IO, a multiple of the unit */
	dio_get_block_fn get_block;
	void *ctx;
	/* progress */
	u64 pos;		/* next file byte to plan */
	struct dio_run run;	/* the run covering pos, when have_run */
	bool have_run;
	struct dio_step pending;	/* a step computed but not yet returned */
	bool have_pending;
	u32 get_block_calls;	/* for the tests and the cache statistics */
};

/*
 * Start a plan of length bytes at offset of a file of i_size bytes (a
 * disk: its capacity) with unit from dio_align_unit(). max_bytes caps one
 * I/O step (the disk's limits; at least one unit). Returns 0, or -EINVAL
 * for bad sizes.
 */
int dio_plan_init(struct dio_plan *p, u64 offset, u64 length, u64 i_size, u32 block_size,
		  u32 unit, bool write, u64 max_bytes, dio_get_block_fn get_block, void *ctx);

/*
 * The next step. I/O steps are as long as the disk is contiguous (across
 * runs) and max_bytes allows; zero steps cover a hole's share of the
 * transfer. For a DIO_RUN_NEW run the parts of its first and last block
 * that the write does not cover come first, as DIO_STEP_ZERO_DISK steps
 * (Linux's dio_zero_block). Returns 0, or get_block's error.
 */
int dio_plan_next(struct dio_plan *p, struct dio_step *s);

#endif
