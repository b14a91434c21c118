/*
 * Block allocation for direct-IO writes into holes of ext2 files: the one
 * place stork changes filesystem metadata. ext2 only (no journal, no
 * checksums): the block bitmap, the group descriptor's and the superblock's
 * free block counts, the inode's block map (allocating indirect blocks as
 * needed, zeroed), i_blocks and i_size, written in place so that the host's
 * `e2fsck -fn` finds the filesystem clean after every call. Filesystems with
 * a journal (ext3, ext4), extents or metadata checksums are refused: their
 * metadata cannot be changed correctly without the journal.
 *
 * Pure like block/fs/ext4.c: it reads and writes through struct ext4_dev.
 * Not thread-safe, and not safe against another ext4_fs on the same disk:
 * the kernel side serialises every allocation on a disk with one mutex and
 * re-reads the inode under it.
 */
#ifndef BLOCK_FS_EXT2_ALLOC_H
#define BLOCK_FS_EXT2_ALLOC_H

#include "block/fs/ext4.h"

/*
 * Whether blocks may be allocated on fs: 0, or -EROFS with the reason in
 * *why ("has_journal", "metadata_csum", ...; no write callback: "read-only").
 */
int ext2_alloc_check(const struct ext4_fs *fs, const char **why);

/*
 * Allocate a block for file block lblk of inode (a hole), near the block
 * before it, and link it into the block map; inode (in memory and on
 * disk) gets the new map and i_blocks. The data block's content is left as
 * it was: the caller writes or zeroes all of it. Returns 0 with the block
 * in *pblk, -EEXIST when lblk is mapped already, -ENOSPC, -EFBIG, -EUCLEAN,
 * or an I/O error.
 */
int ext2_alloc_block(struct ext4_fs *fs, struct ext4_inode *inode, u64 lblk, u64 *pblk);

/* Set inode's i_size (in memory and on disk). */
int ext2_inode_set_size(struct ext4_fs *fs, struct ext4_inode *inode, u64 size);

#endif
