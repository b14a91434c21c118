/*
 * Partition tables read from a disk through a callback that reads one
 * logical block: MBR (four primary entries and a chain of EBRs for logical
 * partitions) and GPT (primary header at LBA 1, backup at the last LBA).
 * Everything on the disk is treated as untrusted input: entries that run
 * past the disk or the usable area, or overlap an entry already accepted,
 * are dropped and counted in `rejected`, never passed on.
 */
#ifndef BLOCK_PARTITION_H
#define BLOCK_PARTITION_H

#include "lib/types.h"

#define PARTITION_MAX 128	/* partitions kept; more are counted as rejected */
#define GPT_MAX_ENTRIES 1024	/* a header claiming more is corrupt */

struct partition {
	u32 number;		/* Linux's: GPT slot + 1; MBR 1-4, logical from 5 */
	u64 start_lba;		/* logical blocks */
	u64 nr_lbas;
	u8 mbr_type;		/* MBR system id; 0 for GPT */
	u8 type_guid[16];	/* GPT, as stored on disk; zero for MBR */
	u8 uuid[16];
	char name[37];		/* GPT name, non-ASCII as '?'; "" for MBR */
};

struct partition_table {
	const char *scheme;	/* "gpt", "mbr" or "none" */
	int count;
	unsigned int rejected;	/* entries (or EBR links) found unusable */
	bool gpt_backup;	/* the primary GPT was bad: the backup was used */
	struct partition parts[PARTITION_MAX];
};

struct partition_disk {
	u32 block_size;		/* 512 .. 4096, a power of two */
	u64 nr_blocks;
	/* read block lba into buf (block_size bytes): 0 or a negative errno */
	int (*read)(void *ctx, u64 lba, void *buf);
	void *ctx;
	void *buf;		/* scratch of block_size bytes, the caller's */
};

/*
 * Read the partition table of disk into pt. Returns 0 with scheme "none"
 * and no partitions when there is no MBR signature; -EINVAL for bad disk
 * parameters, or a protective MBR (type 0xEE) whose GPT has no valid header
 * and entry array (both copies bad); a read error as the callback gave it.
 * A GPT copy is valid when its signature, revision 1.x, header size, header
 * CRC-32, own LBA, usable range, entry size (128 * 2^n, at most one block),
 * entry count (1 .. GPT_MAX_ENTRIES), entry array position and entry array
 * CRC-32 all check out. The extended partition itself is not listed.
 */
int partition_scan(const struct partition_disk *disk, struct partition_table *pt);

#endif
