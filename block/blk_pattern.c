/*
 * The `seq` pattern of block/blk_pattern.h. Pure: built into the kernel and
 * into the host unit test.
 */
#include "block/blk_pattern.h"
#include "lib/byteorder.h"

#define PATTERN_SECTOR 512

void blk_pattern_seq_fill(void *buf, size_t len, u64 sector)
{
	u8 *p = buf;

	for (size_t done = 0; done + PATTERN_SECTOR <= len; done += PATTERN_SECTOR, sector++) {
		put_le64(p + done, sector);
		for (unsigned int i = 8; i < PATTERN_SECTOR; i++)
			p[done + i] = (u8)(sector + i);
	}
}
