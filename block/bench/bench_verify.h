/*
 * verify=crc32c: the header every block written by bench carries, and its
 * check on read. A "block" is one I/O of bs bytes; its first bytes are
 *
 *	magic "stkbench" | offset | seq | gen | job | len | crc32c
 *
 * then a filler derived from (offset, seq) so that two writes of the same
 * block differ everywhere. The crc32c covers the whole block with the crc
 * field taken as zero. A read finds:
 *   - no magic: never written by bench, or overwritten by something else;
 *   - another offset: misdirected (the device wrote or read the wrong LBA);
 *   - a bad checksum: torn or corrupted data;
 *   - another generation than expected: stale (an older run's data).
 * Pure: no allocation, usable on the host.
 */
#ifndef BLOCK_BENCH_BENCH_VERIFY_H
#define BLOCK_BENCH_BENCH_VERIFY_H

#include "lib/types.h"

#define BENCH_VERIFY_MAGIC 0x68636e65626b7473ULL	/* "stkbench" little-endian */

struct bench_verify_header {
	u64 magic;
	u64 offset;		/* bytes from the start of the disk */
	u64 seq;		/* the writing job's I/O number */
	u32 gen;		/* verify_gen= of the writing run */
	u16 job;
	u16 reserved;
	u32 len;		/* bytes of the block */
	u32 crc;		/* crc32c of the block, this field zero */
} __packed;

STATIC_ASSERT(sizeof(struct bench_verify_header) == 40);

enum bench_verify_result {
	BENCH_VERIFY_OK,
	BENCH_VERIFY_NO_HEADER,
	BENCH_VERIFY_MISDIRECTED,
	BENCH_VERIFY_BAD_LENGTH,
	BENCH_VERIFY_BAD_CRC,
	BENCH_VERIFY_STALE,
};

/* Fill buf (len >= header size, a multiple of 8) as the block at offset. */
void bench_verify_fill(void *buf, u32 len, u64 offset, u64 seq, u32 gen, u16 job);

/*
 * Check a block read from offset. gen 0 accepts any generation. When hdr_out
 * is not NULL it receives the header as found (for the report).
 */
enum bench_verify_result bench_verify_check(const void *buf, u32 len, u64 offset, u32 gen,
					    struct bench_verify_header *hdr_out);

/* "misdirected", "bad checksum", ... */
const char *bench_verify_result_name(enum bench_verify_result r);

#endif
