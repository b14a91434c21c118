/*
 * ext2 block allocation (block/fs/ext2_alloc.h). One block at a time: the
 * first free bit of the block bitmap at or after the goal (the block after
 * the file's previous one, so that a file written in order stays
 * contiguous), group after group, wrapping. Every change is written at
 * once: bitmap, then the group descriptor's count, then the superblock's,
 * then the block map and inode. fs->buf holds the block being changed, its
 * second half the bitmap or a block of zeroes.
 */
#include "block/fs/ext2_alloc.h"
#include "lib/errno.h"
#include "lib/string.h"

#define EXT2_RO_COMPAT_OK (EXT4_RO_COMPAT_SPARSE_SUPER | EXT4_RO_COMPAT_LARGE_FILE | \
			   EXT4_RO_COMPAT_BTREE_DIR)

int ext2_alloc_check(const struct ext4_fs *fs, const char **why)
{
	const char *reason = NULL;

	if (!fs->dev.write)
		reason = "read-only";
	else if (fs->read_only_reason)
		reason = fs->read_only_reason;
	else if (fs->compat & EXT4_COMPAT_HAS_JOURNAL)
		reason = "has_journal";
	else if (fs->incompat & EXT4_INCOMPAT_EXTENTS)
		reason = "extent";
	else if (fs->incompat & ~EXT4_INCOMPAT_FILETYPE)
		reason = "incompat feature beyond filetype";
	else if (fs->ro_compat & EXT4_RO_COMPAT_METADATA_CSUM)
		reason = "metadata_csum";
	else if (fs->ro_compat & EXT4_RO_COMPAT_GDT_CSUM)
		reason = "uninit_bg";
	else if (fs->ro_compat & ~EXT2_RO_COMPAT_OK)
		reason = "ro_compat feature";
	if (why)
		*why = reason;
	return reason ? -EROFS : 0;
}

static int ext2_block_write(struct ext4_fs *fs, u64 nr, const u8 *buf)
{
	if (nr >= fs->blocks_count)
		return -EUCLEAN;
	return fs->dev.write(fs->dev.ctx, nr << fs->block_bits, buf, fs->block_size);
}

/* The superblock's free block count, less one. */
static int ext2_super_take_block(struct ext4_fs *fs)
{
	u8 sb[EXT4_SUPER_SIZE];
	u32 free;
	int err;

	err = fs->dev.read(fs->dev.ctx, EXT4_SUPER_OFFSET, sb, sizeof(sb));
	if (err)
		return err;
	free = ext4_le32(sb + EXT4_SB_FREE_BLOCKS_LO);
	if (!free)
		return -EUCLEAN;
	ext4_put_le32(sb + EXT4_SB_FREE_BLOCKS_LO, free - 1);
	fs->free_blocks = free - 1;
	return fs->dev.write(fs->dev.ctx, EXT4_SUPER_OFFSET, sb, sizeof(sb));
}

/* Take the first free block of group g in bits [start, end): -ENOSPC when there is none. */
static int ext2_group_take(struct ext4_fs *fs, u32 g, u32 start, u32 end, u64 *out)
{
	u32 per_block = fs->block_size / fs->desc_size;
	u64 desc_block = (u64)fs->first_data_block + 1 + g / per_block;
	u8 *gd = fs->buf, *bitmap = fs->buf + fs->block_size;
	u8 *desc;
	u64 bitmap_block;
	u16 free;
	int err;

	err = ext4_block_read(fs, desc_block, gd);
	if (err)
		return err;
	desc = gd + (g % per_block) * fs->desc_size;
	free = ext4_le16(desc + EXT4_BG_FREE_BLOCKS_LO);
	if (!free)
		return -ENOSPC;
	bitmap_block = ext4_le32(desc + EXT4_BG_BLOCK_BITMAP_LO);
	if (bitmap_block < fs->first_data_block)
		return -EUCLEAN;
	err = ext4_block_read(fs, bitmap_block, bitmap);
	if (err)
		return err;
	for (u32 bit = start; bit < end; bit++) {
		if (bitmap[bit >> 3] & (1U << (bit & 7)))
			continue;
		bitmap[bit >> 3] |= (u8)(1U << (bit & 7));
		err = ext2_block_write(fs, bitmap_block, bitmap);
		if (err)
			return err;
		ext4_put_le16(desc + EXT4_BG_FREE_BLOCKS_LO, (u16)(free - 1));
		err = ext2_block_write(fs, desc_block, gd);
		if (err)
			return err;
		err = ext2_super_take_block(fs);
		if (err)
			return err;
		*out = fs->first_data_block + (u64)g * fs->blocks_per_group + bit;
		return 0;
	}
	return -ENOSPC;	/* the count said free, the bitmap did not: look elsewhere */
}

/* One free block, the first at or after goal (wrapping around the groups). */
static int ext2_block_take(struct ext4_fs *fs, u64 goal, u64 *out)
{
	u32 g0, goal_bit;

	if (goal < fs->first_data_block || goal >= fs->blocks_count)
		goal = fs->first_data_block;
	g0 = (u32)((goal - fs->first_data_block) / fs->blocks_per_group);
	goal_bit = (u32)((goal - fs->first_data_block) % fs->blocks_per_group);
	/* the goal's group from the goal, the others whole, the goal's group before the goal */
	for (u32 i = 0; i <= fs->group_count; i++) {
		u32 g = (g0 + i) % fs->group_count;
		u64 first = fs->first_data_block + (u64)g * fs->blocks_per_group;
		u32 nbits = (u32)min((u64)fs->blocks_per_group, fs->blocks_count - first);
		u32 start = i == 0 ? goal_bit : 0;
		u32 end = i == fs->group_count ? min(goal_bit, nbits) : nbits;
		int err;

		if (start >= end)
			continue;
		err = ext2_group_take(fs, g, start, end, out);
		if (err != -ENOSPC)
			return err;
	}
	return -ENOSPC;
}

/* Write the fields allocation changes back into the on-disk inode. */
static int ext2_inode_write(struct ext4_fs *fs, const struct ext4_inode *inode)
{
	u64 block;
	u32 offset;
	u8 *raw;
	int err;

	err = ext4_inode_locate(fs, inode->ino, &block, &offset);
	if (err)
		return err;
	err = ext4_block_read(fs, block, fs->buf);
	if (err)
		return err;
	raw = fs->buf + offset;
	memcpy(raw + EXT4_I_BLOCK, inode->i_block, sizeof(inode->i_block));
	ext4_put_le32(raw + EXT4_I_BLOCKS_LO, (u32)inode->blocks_512);
	ext4_put_le32(raw + EXT4_I_SIZE_LO, (u32)inode->size);
	ext4_put_le32(raw + EXT4_I_SIZE_HIGH, (u32)(inode->size >> 32));
	return ext2_block_write(fs, block, fs->buf);
}

/* A new indirect block: taken near goal and zeroed on the disk before anything points at it. */
static int ext2_indirect_new(struct ext4_fs *fs, struct ext4_inode *inode, u64 goal, u32 *out)
{
	u8 *zero = fs->buf + fs->block_size;
	u64 nr;
	int err;

	err = ext2_block_take(fs, goal, &nr);
	if (err)
		return err;
	memset(zero, 0, fs->block_size);
	err = ext2_block_write(fs, nr, zero);
	if (err)
		return err;
	inode->blocks_512 += fs->block_size >> 9;
	*out = (u32)nr;
	return 0;
}

/* Set pointer index of block map block ptr to value (read, change, write). */
static int ext2_pointer_set(struct ext4_fs *fs, u32 ptr, u32 index, u32 value)
{
	int err = ext4_block_read(fs, ptr, fs->buf);

	if (err)
		return err;
	ext4_put_le32(fs->buf + 4 * index, value);
	return ext2_block_write(fs, ptr, fs->buf);
}

int ext2_alloc_block(struct ext4_fs *fs, struct ext4_inode *inode, u64 lblk, u64 *pblk)
{
	u32 offsets[3], slot, ptr;
	unsigned int levels;
	struct ext4_map map;
	u64 goal, data;
	int err;

	err = ext2_alloc_check(fs, NULL);
	if (err)
		return err;
	if (inode->flags & (EXT4_EXTENTS_FL | EXT4_INLINE_DATA_FL))
		return -EINVAL;
	err = ext4_ind_path(fs, lblk, &slot, offsets, &levels);
	if (err)
		return err;
	err = ext4_map_blocks(fs, inode, lblk, 1, &map);
	if (err)
		return err;
	if (map.state != EXT4_MAP_HOLE)
		return -EEXIST;
	/* next to the previous block, else at the start of the inode's group */
	goal = fs->first_data_block +
	       (u64)((inode->ino - 1) / fs->inodes_per_group) * fs->blocks_per_group;
	if (lblk && !ext4_map_blocks(fs, inode, lblk - 1, 1, &map) &&
	    map.state == EXT4_MAP_MAPPED)
		goal = map.pblk + 1;

	ptr = ext4_le32(inode->i_block + 4 * slot);
	if (levels && !ptr) {
		err = ext2_indirect_new(fs, inode, goal, &ptr);
		if (err)
			return err;
		ext4_put_le32(inode->i_block + 4 * slot, ptr);
		goal = ptr + 1;
	}
	/* down the indirect levels, creating what is missing, to the leaf's parent */
	for (unsigned int l = 0; levels && l + 1 < levels; l++) {
		u32 child;

		err = ext4_block_read(fs, ptr, fs->buf);
		if (err)
			return err;
		child = ext4_le32(fs->buf + 4 * offsets[l]);
		if (!child) {
			err = ext2_indirect_new(fs, inode, goal, &child);
			if (!err)
				err = ext2_pointer_set(fs, ptr, offsets[l], child);
			if (err)
				return err;
			goal = child + 1;
		}
		if (child < fs->first_data_block || child >= fs->blocks_count)
			return -EUCLEAN;
		ptr = child;
	}
	err = ext2_block_take(fs, goal, &data);
	if (err)
		return err;
	if (levels)
		err = ext2_pointer_set(fs, ptr, offsets[levels - 1], (u32)data);
	else
		ext4_put_le32(inode->i_block + 4 * slot, (u32)data);
	if (err)
		return err;
	inode->blocks_512 += fs->block_size >> 9;
	*pblk = data;
	return ext2_inode_write(fs, inode);
}

int ext2_inode_set_size(struct ext4_fs *fs, struct ext4_inode *inode, u64 size)
{
	int err = ext2_alloc_check(fs, NULL);

	if (err)
		return err;
	inode->size = size;
	return ext2_inode_write(fs, inode);
}
