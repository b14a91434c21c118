/*
 * A reader of ext2, ext3 and ext4 filesystems, for direct-IO to files: it
 * finds a file by path and maps its blocks to disk blocks, nothing more.
 * No page cache and no data copies: block/dio.c moves the data itself.
 *
 * The core is pure: it reads the disk only through the callback in struct
 * ext4_dev, so the host unit tests run it on images made by the host's
 * mke2fs. Everything read from the disk is untrusted: a bad magic, a block
 * number past the filesystem, an extent tree that is too deep or whose
 * children do not descend in depth, a directory entry that overruns its
 * block, give -EUCLEAN (Linux's EFSCORRUPTED), never a crash or a loop.
 *
 * Not thread-safe: one struct ext4_fs has one scratch buffer. The kernel
 * side (block/dio_target.c) gives every opener its own struct ext4_fs and
 * struct ext4_file, so nothing is shared and no lock is needed.
 */
#ifndef BLOCK_FS_EXT4_H
#define BLOCK_FS_EXT4_H

#include "lib/types.h"
#include "block/fs/ext4_format.h"

struct ext4_dev {
	/*
	 * Read len bytes at byte offset off of the disk (both multiples of
	 * 1024; len at most the block size): 0 or a negative errno.
	 */
	int (*read)(void *ctx, u64 off, void *buf, u32 len);
	/* the same for writes; NULL when the filesystem is only read (block/fs/ext2_alloc.c) */
	int (*write)(void *ctx, u64 off, const void *buf, u32 len);
	void *ctx;
	u64 size;		/* bytes */
};

struct ext4_fs {
	struct ext4_dev dev;
	/*
	 * Scratch of 2 * block_size bytes, the caller's, set after probe: the
	 * first block for metadata (descriptors, inodes, tree nodes), the
	 * second for the directory block ext4_dir_iterate() is walking.
	 */
	u8 *buf;

	/* from the superblock, checked */
	u32 block_size;
	u8 block_bits;
	u64 blocks_count;
	u64 free_blocks;
	u32 inodes_count;
	u32 free_inodes;
	u32 first_data_block;
	u32 blocks_per_group;
	u32 inodes_per_group;
	u32 group_count;
	u32 inode_size;
	u32 desc_size;
	u32 compat, incompat, ro_compat;
	char volume_name[17];
	const char *type;	/* "ext2", "ext3" or "ext4", as blkid would say */
	/*
	 * Why data may not be written in place: NULL when it may, else the
	 * name of the feature (or state) that stops it. Reading is allowed
	 * whenever ext4_fs_probe() succeeded.
	 */
	const char *read_only_reason;
};

/* An inode, the fields the reader uses. */
struct ext4_inode {
	u32 ino;
	u16 mode;
	u16 links;
	u32 flags;
	u64 size;
	u64 blocks_512;		/* i_blocks in 512-byte units, whatever HUGE_FILE says */
	u32 mtime;
	u8 i_block[EXT4_N_BLOCKS * 4];	/* raw: block map or extent root */
};

enum ext4_map_state {
	EXT4_MAP_HOLE,		/* no block: reads as zeroes */
	EXT4_MAP_MAPPED,	/* written data at pblk */
	EXT4_MAP_UNWRITTEN,	/* allocated at pblk, reads as zeroes (ext4 preallocation) */
};

/* A run of file blocks lblk .. lblk + len - 1 in one state (contiguous on disk if mapped). */
struct ext4_map {
	u64 lblk;
	u64 pblk;		/* 0 for a hole */
	u32 len;
	u8 state;		/* enum ext4_map_state */
	/*
	 * Where the extent holding lblk begins (<= lblk; lblk itself for
	 * holes and block maps), so that a cache can keep the whole extent.
	 */
	u64 first;
};

#define EXT4_MAP_CACHE_SIZE 64	/* runs; at most 128 MiB each, plus breaks at group boundaries */

/*
 * The last runs one file handle mapped, so that random I/O inside a file
 * does not re-read its extent tree or indirect blocks: a lookup inside a
 * cached run costs a few compares. Replaced round-robin.
 */
struct ext4_map_cache {
	struct ext4_map runs[EXT4_MAP_CACHE_SIZE];
	u8 nr;
	u8 next;		/* slot the next miss replaces */
	u64 hits, misses;
};

struct ext4_file {
	struct ext4_inode inode;
	struct ext4_map_cache cache;
};

/*
 * Read and check the superblock of dev into fs (fs->buf is then still to
 * be set by the caller, 2 * block_size bytes). Returns 0; -EINVAL no ext2/3/4
 * magic or impossible geometry (block size, group counts, inode size,
 * descriptor size, a filesystem larger than the disk); -ENOTSUP an
 * incompatible feature stork does not understand (named in *why when why
 * is not NULL: "needs_recovery", "meta_bg", "encrypt", ...); a read error.
 */
int ext4_fs_probe(struct ext4_fs *fs, const struct ext4_dev *dev, const char **why);

/* Read fs block nr (checked against blocks_count: -EUCLEAN) into buf. */
int ext4_block_read(struct ext4_fs *fs, u64 nr, u8 *buf);

/* Where inode ino lives: its inode table block and byte offset there. Errors as ext4_inode_read. */
int ext4_inode_locate(struct ext4_fs *fs, u32 ino, u64 *block, u32 *offset);

/*
 * The ext2/ext3 block map path of file block lblk: the i_block slot, and
 * for 1-3 levels of indirection the index at each level. 0 or -EFBIG.
 */
int ext4_ind_path(const struct ext4_fs *fs, u64 lblk, u32 *slot, u32 offsets[3],
		  unsigned int *levels);

/* Read inode ino: 0, -EINVAL for a number out of range, -EUCLEAN, or a read error. */
int ext4_inode_read(struct ext4_fs *fs, u32 ino, struct ext4_inode *out);

static inline bool ext4_inode_is_dir(const struct ext4_inode *inode)
{
	return (inode->mode & EXT4_S_IFMT) == EXT4_S_IFDIR;
}

static inline bool ext4_inode_is_reg(const struct ext4_inode *inode)
{
	return (inode->mode & EXT4_S_IFMT) == EXT4_S_IFREG;
}

/*
 * Map file block lblk of inode: the run that starts there, in one state,
 * at most max_len blocks long (max_len >= 1). A hole runs to the next
 * mapped block (or max_len). Returns 0, -EFBIG for a block the format
 * cannot address, -ENOTSUP for inline data, -EUCLEAN, or a read error.
 */
int ext4_map_blocks(struct ext4_fs *fs, const struct ext4_inode *inode, u64 lblk,
		    u32 max_len, struct ext4_map *out);

/* ext4_map_blocks() through the handle's cache. */
int ext4_file_map(struct ext4_fs *fs, struct ext4_file *file, u64 lblk, u32 max_len,
		  struct ext4_map *out);

/*
 * Call fn for each live entry of directory dir (".", ".." included), in
 * on-disk order; htree directories are read linearly (their index blocks
 * look like empty entries). fn returns 0 to go on, anything else stops the
 * walk and is returned. Returns 0, -ENOTDIR, -EUCLEAN, or a read error.
 * fn may read inodes and map blocks, but not walk another directory.
 */
typedef int (*ext4_dir_fn)(void *arg, const char *name, u32 name_len, u32 ino, u8 file_type);
int ext4_dir_iterate(struct ext4_fs *fs, const struct ext4_inode *dir, ext4_dir_fn fn, void *arg);

/*
 * The inode of an absolute path ("/", "/data/f.bin"; repeated slashes are
 * one). Symbolic links are not followed. Returns 0, -ENOENT, -ENOTDIR (a
 * middle component is not a directory), -ELOOP (a component is a symbolic
 * link), -EINVAL (relative path, a name longer than 255), -EUCLEAN, or a
 * read error. out is left alone on failure.
 */
int ext4_path_lookup(struct ext4_fs *fs, const char *path, struct ext4_inode *out);

/* Open a regular file by path into file (an empty cache). -EISDIR for a directory. */
int ext4_file_open(struct ext4_fs *fs, const char *path, struct ext4_file *file);

#endif
