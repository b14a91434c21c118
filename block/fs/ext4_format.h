/*
 * The ext2/ext3/ext4 on-disk format: byte offsets of the fields stork reads
 * in the superblock, group descriptors, inodes, extent tree nodes and
 * directory entries, and the feature bits. From the kernel.org "ext4 Data
 * Structures and Algorithms" document (sections Super Block, Block Group
 * Descriptors, Index Nodes, The Contents of Inode.i_block, Directory
 * Entries). Everything is little-endian; read it with ext4_le16/32().
 */
#ifndef BLOCK_FS_EXT4_FORMAT_H
#define BLOCK_FS_EXT4_FORMAT_H

#include "lib/types.h"

#define EXT4_SUPER_OFFSET	1024	/* bytes from the start of the disk */
#define EXT4_SUPER_SIZE		1024
#define EXT4_SUPER_MAGIC	0xEF53
#define EXT4_ROOT_INO		2
#define EXT4_GOOD_OLD_INODE_SIZE 128
#define EXT4_GOOD_OLD_FIRST_INO	11
#define EXT4_MIN_BLOCK_BITS	10	/* 1 KiB */
#define EXT4_MAX_BLOCK_BITS	16	/* 64 KiB */

/* superblock (struct ext4_super_block) */
#define EXT4_SB_INODES_COUNT		0x00
#define EXT4_SB_BLOCKS_COUNT_LO		0x04
#define EXT4_SB_FREE_BLOCKS_LO		0x0C
#define EXT4_SB_FREE_INODES		0x10
#define EXT4_SB_FIRST_DATA_BLOCK	0x14
#define EXT4_SB_LOG_BLOCK_SIZE		0x18
#define EXT4_SB_LOG_CLUSTER_SIZE	0x1C
#define EXT4_SB_BLOCKS_PER_GROUP	0x20
#define EXT4_SB_CLUSTERS_PER_GROUP	0x24
#define EXT4_SB_INODES_PER_GROUP	0x28
#define EXT4_SB_MAGIC			0x38	/* u16 */
#define EXT4_SB_STATE			0x3A	/* u16 */
#define EXT4_SB_REV_LEVEL		0x4C
#define EXT4_SB_FIRST_INO		0x54
#define EXT4_SB_INODE_SIZE		0x58	/* u16 */
#define EXT4_SB_FEATURE_COMPAT		0x5C
#define EXT4_SB_FEATURE_INCOMPAT	0x60
#define EXT4_SB_FEATURE_RO_COMPAT	0x64
#define EXT4_SB_VOLUME_NAME		0x78	/* 16 bytes */
#define EXT4_SB_DESC_SIZE		0xFE	/* u16, with INCOMPAT_64BIT */
#define EXT4_SB_BLOCKS_COUNT_HI		0x150
#define EXT4_SB_FREE_BLOCKS_HI		0x158

/* s_state */
#define EXT4_STATE_VALID	0x0001	/* unmounted cleanly */
#define EXT4_STATE_ERROR	0x0002

/* feature bits, s_feature_compat */
#define EXT4_COMPAT_HAS_JOURNAL		0x0004
/* s_feature_incompat */
#define EXT4_INCOMPAT_COMPRESSION	0x0001
#define EXT4_INCOMPAT_FILETYPE		0x0002
#define EXT4_INCOMPAT_RECOVER		0x0004
#define EXT4_INCOMPAT_JOURNAL_DEV	0x0008
#define EXT4_INCOMPAT_META_BG		0x0010
#define EXT4_INCOMPAT_EXTENTS		0x0040
#define EXT4_INCOMPAT_64BIT		0x0080
#define EXT4_INCOMPAT_MMP		0x0100
#define EXT4_INCOMPAT_FLEX_BG		0x0200
#define EXT4_INCOMPAT_EA_INODE		0x0400
#define EXT4_INCOMPAT_DIRDATA		0x1000
#define EXT4_INCOMPAT_CSUM_SEED		0x2000
#define EXT4_INCOMPAT_LARGEDIR		0x4000
#define EXT4_INCOMPAT_INLINE_DATA	0x8000
#define EXT4_INCOMPAT_ENCRYPT		0x10000
#define EXT4_INCOMPAT_CASEFOLD		0x20000
/* s_feature_ro_compat */
#define EXT4_RO_COMPAT_SPARSE_SUPER	0x0001
#define EXT4_RO_COMPAT_LARGE_FILE	0x0002
#define EXT4_RO_COMPAT_BTREE_DIR	0x0004
#define EXT4_RO_COMPAT_HUGE_FILE	0x0008
#define EXT4_RO_COMPAT_GDT_CSUM		0x0010
#define EXT4_RO_COMPAT_DIR_NLINK	0x0020
#define EXT4_RO_COMPAT_EXTRA_ISIZE	0x0040
#define EXT4_RO_COMPAT_HAS_SNAPSHOT	0x0080
#define EXT4_RO_COMPAT_QUOTA		0x0100
#define EXT4_RO_COMPAT_BIGALLOC		0x0200
#define EXT4_RO_COMPAT_METADATA_CSUM	0x0400
#define EXT4_RO_COMPAT_REPLICA		0x0800
#define EXT4_RO_COMPAT_READONLY		0x1000
#define EXT4_RO_COMPAT_PROJECT		0x2000
#define EXT4_RO_COMPAT_SHARED_BLOCKS	0x4000
#define EXT4_RO_COMPAT_VERITY		0x8000
#define EXT4_RO_COMPAT_ORPHAN_PRESENT	0x10000

/* group descriptor (struct ext4_group_desc): 32 bytes, or s_desc_size with 64BIT */
#define EXT4_DESC_SIZE_32		32
#define EXT4_DESC_SIZE_64_MIN		64
#define EXT4_BG_BLOCK_BITMAP_LO		0x00
#define EXT4_BG_INODE_BITMAP_LO		0x04
#define EXT4_BG_INODE_TABLE_LO		0x08
#define EXT4_BG_FREE_BLOCKS_LO		0x0C	/* u16 */
#define EXT4_BG_FLAGS			0x12	/* u16 */
#define EXT4_BG_CHECKSUM		0x1E	/* u16 */
#define EXT4_BG_BLOCK_BITMAP_HI		0x20
#define EXT4_BG_INODE_BITMAP_HI		0x24
#define EXT4_BG_INODE_TABLE_HI		0x28
#define EXT4_BG_FREE_BLOCKS_HI		0x2C	/* u16 */

/* bg_flags */
#define EXT4_BG_BLOCK_UNINIT	0x0002	/* block bitmap not initialised */

/* inode (struct ext4_inode) */
#define EXT4_I_MODE		0x00	/* u16 */
#define EXT4_I_SIZE_LO		0x04
#define EXT4_I_MTIME		0x10
#define EXT4_I_LINKS_COUNT	0x1A	/* u16 */
#define EXT4_I_BLOCKS_LO	0x1C
#define EXT4_I_FLAGS		0x20
#define EXT4_I_BLOCK		0x28	/* 15 x u32: block map, or the extent tree root */
#define EXT4_I_SIZE_HIGH	0x6C
#define EXT4_I_BLOCKS_HIGH	0x74	/* u16 */

#define EXT4_N_BLOCKS		15
#define EXT4_NDIR_BLOCKS	12	/* i_block[0..11] direct */
#define EXT4_IND_BLOCK		12	/* single indirect */
#define EXT4_DIND_BLOCK		13	/* double */
#define EXT4_TIND_BLOCK		14	/* triple */

/* i_mode file types */
#define EXT4_S_IFMT	0xF000
#define EXT4_S_IFREG	0x8000
#define EXT4_S_IFDIR	0x4000
#define EXT4_S_IFLNK	0xA000

/* i_flags */
#define EXT4_INDEX_FL		0x00001000	/* htree directory */
#define EXT4_HUGE_FILE_FL	0x00040000	/* i_blocks in fs blocks, not sectors */
#define EXT4_EXTENTS_FL		0x00080000
#define EXT4_INLINE_DATA_FL	0x10000000

/* extent tree (struct ext4_extent_header, _idx, ext4_extent): 12 bytes each */
#define EXT4_EXT_MAGIC		0xF30A
#define EXT4_EXT_ENTRY_SIZE	12
#define EXT4_EXT_MAX_DEPTH	5	/* Linux's limit */
#define EXT4_EH_MAGIC		0x00	/* u16 */
#define EXT4_EH_ENTRIES		0x02	/* u16 */
#define EXT4_EH_MAX		0x04	/* u16 */
#define EXT4_EH_DEPTH		0x06	/* u16 */
#define EXT4_EI_BLOCK		0x00	/* first logical block the subtree covers */
#define EXT4_EI_LEAF_LO		0x04
#define EXT4_EI_LEAF_HI		0x08	/* u16 */
#define EXT4_EE_BLOCK		0x00
#define EXT4_EE_LEN		0x04	/* u16; above 32768: unwritten, len - 32768 */
#define EXT4_EE_START_HI	0x06	/* u16 */
#define EXT4_EE_START_LO	0x08
#define EXT4_EXT_INIT_MAX_LEN	32768

/* directory entry (struct ext4_dir_entry_2) */
#define EXT4_DE_INODE		0x00
#define EXT4_DE_REC_LEN		0x04	/* u16 */
#define EXT4_DE_NAME_LEN	0x06	/* u8 with FILETYPE, else u16 */
#define EXT4_DE_FILE_TYPE	0x07
#define EXT4_DE_NAME		0x08
#define EXT4_DE_MIN_SIZE	12
#define EXT4_NAME_MAX		255

/* dirent file_type */
#define EXT4_FT_REG_FILE	1
#define EXT4_FT_DIR		2
#define EXT4_FT_SYMLINK		7

static inline u16 ext4_le16(const void *p)
{
	const u8 *b = p;

	return (u16)(b[0] | b[1] << 8);
}

static inline u32 ext4_le32(const void *p)
{
	const u8 *b = p;

	return (u32)b[0] | (u32)b[1] << 8 | (u32)b[2] << 16 | (u32)b[3] << 24;
}

static inline void ext4_put_le16(void *p, u16 v)
{
	u8 *b = p;

	b[0] = (u8)v;
	b[1] = (u8)(v >> 8);
}

static inline void ext4_put_le32(void *p, u32 v)
{
	u8 *b = p;

	for (int i = 0; i < 4; i++)
		b[i] = (u8)(v >> (8 * i));
}

#endif
