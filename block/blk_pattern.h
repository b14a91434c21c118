/*
 * The data patterns of the `write` shell command, which a host can
 * regenerate to check a disk image byte for byte (docs/blk-mq.md, "Shell").
 *
 * seq: every 512-byte sector s (counted from the start of the disk or
 * partition written to, in 512-byte units whatever the logical block size)
 * holds s as a little-endian u64 in bytes 0-7, and byte (s + i) & 0xff at
 * each offset i = 8 .. 511. In Python:
 *
 *	s.to_bytes(8, "little") + bytes((s + i) & 0xff for i in range(8, 512))
 *
 * The header makes every sector of a disk unique, so data landing at the
 * wrong place is caught; the rest changes with s so that it is not one
 * repeated block.
 */
#ifndef BLOCK_BLK_PATTERN_H
#define BLOCK_BLK_PATTERN_H

#include "lib/types.h"

/* Fill buf (len a multiple of 512) with the seq pattern of sectors sector .. */
void blk_pattern_seq_fill(void *buf, size_t len, u64 sector);

#endif
