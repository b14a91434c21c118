/*
 * The ext2/ext3/ext4 reader of block/fs/ext4.h: superblock checks, group
 * descriptors (32 and 64 bytes), inodes, the two ways a file's blocks are
 * found (ext4 extent trees; the ext2/ext3 block map of direct and 1-3 times
 * indirect pointers), linear directory walks and path lookup.
 *
 * Safety against a corrupt or hostile image rests on three rules: every
 * block number read from the disk is checked against blocks_count before it
 * is read, every walk is bounded by a count fixed before it starts (extent
 * depth at most 5 and strictly descending, indirect levels at most 3,
 * directory blocks at most i_size / block_size, entries at least 12 bytes),
 * and every on-disk length is checked against the buffer it indexes.
 */
#include "block/fs/ext4.h"
#include "lib/errno.h"
#include "lib/string.h"

#define EXT4_MAX_LBLK 0xFFFFFFFFULL	/* logical block numbers are 32-bit */

struct ext4_feature_name {
	u32 bit;
	const char *name;	/* as mke2fs -O and dumpe2fs print it */
};

/* Incompatible features: reading a filesystem with any of these is wrong. */
static const struct ext4_feature_name ext4_incompat_refused[] = {
	{ EXT4_INCOMPAT_RECOVER, "needs_recovery" },
	{ EXT4_INCOMPAT_COMPRESSION, "compression" },
	{ EXT4_INCOMPAT_JOURNAL_DEV, "journal_dev" },
	{ EXT4_INCOMPAT_META_BG, "meta_bg" },
	{ EXT4_INCOMPAT_DIRDATA, "dirdata" },
	{ EXT4_INCOMPAT_ENCRYPT, "encrypt" },
	{ EXT4_INCOMPAT_CASEFOLD, "casefold" },
};

/*
 * Understood for reading: none changes where data blocks are. INLINE_DATA
 * is refused per inode (ext4_map_blocks), MMP guards against a second
 * writer of metadata, which stork never is.
 */
#define EXT4_INCOMPAT_READ (EXT4_INCOMPAT_FILETYPE | EXT4_INCOMPAT_EXTENTS | \
			    EXT4_INCOMPAT_64BIT | EXT4_INCOMPAT_MMP | EXT4_INCOMPAT_FLEX_BG | \
			    EXT4_INCOMPAT_EA_INODE | EXT4_INCOMPAT_CSUM_SEED | \
			    EXT4_INCOMPAT_LARGEDIR | EXT4_INCOMPAT_INLINE_DATA)

/* Read-only-compatible features under which overwriting data in place is wrong. */
static const struct ext4_feature_name ext4_ro_compat_no_write[] = {
	{ EXT4_RO_COMPAT_READONLY, "read-only" },
	{ EXT4_RO_COMPAT_SHARED_BLOCKS, "shared_blocks" },
	{ EXT4_RO_COMPAT_HAS_SNAPSHOT, "snapshot" },
	{ EXT4_RO_COMPAT_VERITY, "verity" },
	{ EXT4_RO_COMPAT_REPLICA, "replica" },
};

#define EXT4_RO_COMPAT_KNOWN (EXT4_RO_COMPAT_SPARSE_SUPER | EXT4_RO_COMPAT_LARGE_FILE | \
			      EXT4_RO_COMPAT_BTREE_DIR | EXT4_RO_COMPAT_HUGE_FILE | \
			      EXT4_RO_COMPAT_GDT_CSUM | EXT4_RO_COMPAT_DIR_NLINK | \
			      EXT4_RO_COMPAT_EXTRA_ISIZE | EXT4_RO_COMPAT_HAS_SNAPSHOT | \
			      EXT4_RO_COMPAT_QUOTA | EXT4_RO_COMPAT_BIGALLOC | \
			      EXT4_RO_COMPAT_METADATA_CSUM | EXT4_RO_COMPAT_REPLICA | \
			      EXT4_RO_COMPAT_READONLY | EXT4_RO_COMPAT_PROJECT | \
			      EXT4_RO_COMPAT_SHARED_BLOCKS | EXT4_RO_COMPAT_VERITY | \
			      EXT4_RO_COMPAT_ORPHAN_PRESENT)

static bool is_power_of_2(u32 x)
{
	return x && !(x & (x - 1));
}

/* blkid's rule: ext4 when any feature beyond ext3's is set, ext3 with a journal. */
static const char *ext4_fs_type(const struct ext4_fs *fs)
{
	u32 ext3_incompat = EXT4_INCOMPAT_FILETYPE | EXT4_INCOMPAT_RECOVER | EXT4_INCOMPAT_META_BG;
	u32 ext3_ro = EXT4_RO_COMPAT_SPARSE_SUPER | EXT4_RO_COMPAT_LARGE_FILE |
		      EXT4_RO_COMPAT_BTREE_DIR;

	if ((fs->incompat & ~ext3_incompat) || (fs->ro_compat & ~ext3_ro))
		return "ext4";
	return (fs->compat & EXT4_COMPAT_HAS_JOURNAL) ? "ext3" : "ext2";
}

static const char *ext4_read_only_reason(const struct ext4_fs *fs, u16 state)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(ext4_ro_compat_no_write); i++)
		if (fs->ro_compat & ext4_ro_compat_no_write[i].bit)
			return ext4_ro_compat_no_write[i].name;
	if (fs->ro_compat & ~EXT4_RO_COMPAT_KNOWN)
		return "unknown ro_compat feature";
	if (state & EXT4_STATE_ERROR)
		return "errors (run e2fsck)";
	return NULL;
}

/* The geometry fields of a superblock, checked against each other and the disk. */
static int ext4_fs_geometry(struct ext4_fs *fs, const u8 *sb)
{
	u32 log = ext4_le32(sb + EXT4_SB_LOG_BLOCK_SIZE);
	u64 data_blocks, gdt_blocks;

	if (log > EXT4_MAX_BLOCK_BITS - EXT4_MIN_BLOCK_BITS)
		return -EINVAL;
	fs->block_bits = (u8)(EXT4_MIN_BLOCK_BITS + log);
	fs->block_size = 1U << fs->block_bits;
	fs->blocks_count = ext4_le32(sb + EXT4_SB_BLOCKS_COUNT_LO);
	fs->free_blocks = ext4_le32(sb + EXT4_SB_FREE_BLOCKS_LO);
	if (fs->incompat & EXT4_INCOMPAT_64BIT) {
		fs->blocks_count |= (u64)ext4_le32(sb + EXT4_SB_BLOCKS_COUNT_HI) << 32;
		fs->free_blocks |= (u64)ext4_le32(sb + EXT4_SB_FREE_BLOCKS_HI) << 32;
	}
	fs->inodes_count = ext4_le32(sb + EXT4_SB_INODES_COUNT);
	fs->free_inodes = ext4_le32(sb + EXT4_SB_FREE_INODES);
	fs->first_data_block = ext4_le32(sb + EXT4_SB_FIRST_DATA_BLOCK);
	fs->blocks_per_group = ext4_le32(sb + EXT4_SB_BLOCKS_PER_GROUP);
	fs->inodes_per_group = ext4_le32(sb + EXT4_SB_INODES_PER_GROUP);

	if (fs->first_data_block >= fs->blocks_count || fs->blocks_count >> (64 - fs->block_bits))
		return -EINVAL;
	/* one bitmap block describes a group */
	if (!fs->blocks_per_group || fs->blocks_per_group > 8 * fs->block_size ||
	    !fs->inodes_per_group || fs->inodes_per_group > 8 * fs->block_size)
		return -EINVAL;
	data_blocks = fs->blocks_count - fs->first_data_block;
	if (DIV_ROUND_UP(data_blocks, fs->blocks_per_group) > 0xFFFFFFFFULL)
		return -EINVAL;
	fs->group_count = (u32)DIV_ROUND_UP(data_blocks, fs->blocks_per_group);
	if (!fs->inodes_count || fs->inodes_count > (u64)fs->group_count * fs->inodes_per_group)
		return -EINVAL;

	if (ext4_le32(sb + EXT4_SB_REV_LEVEL) == 0) {
		fs->inode_size = EXT4_GOOD_OLD_INODE_SIZE;
	} else {
		fs->inode_size = ext4_le16(sb + EXT4_SB_INODE_SIZE);
		if (fs->inode_size < EXT4_GOOD_OLD_INODE_SIZE || fs->inode_size > fs->block_size ||
		    !is_power_of_2(fs->inode_size))
			return -EINVAL;
	}
	fs->desc_size = EXT4_DESC_SIZE_32;
	if (fs->incompat & EXT4_INCOMPAT_64BIT) {
		fs->desc_size = ext4_le16(sb + EXT4_SB_DESC_SIZE);
		if (fs->desc_size < EXT4_DESC_SIZE_64_MIN || fs->desc_size > fs->block_size ||
		    !is_power_of_2(fs->desc_size))
			return -EINVAL;
	}
	gdt_blocks = DIV_ROUND_UP((u64)fs->group_count, fs->block_size / fs->desc_size);
	if (fs->first_data_block + 1 + gdt_blocks > fs->blocks_count)
		return -EINVAL;
	/* a filesystem larger than its disk: a truncated image or the wrong partition */
	if (fs->blocks_count > fs->dev.size >> fs->block_bits)
		return -EINVAL;
	return 0;
}

int ext4_fs_probe(struct ext4_fs *fs, const struct ext4_dev *dev, const char **why)
{
	u8 sb[EXT4_SUPER_SIZE];
	u32 unknown;
	int err;

	memset(fs, 0, sizeof(*fs));
	fs->dev = *dev;
	if (why)
		*why = NULL;
	if (dev->size < EXT4_SUPER_OFFSET + EXT4_SUPER_SIZE)
		return -EINVAL;
	err = dev->read(dev->ctx, EXT4_SUPER_OFFSET, sb, EXT4_SUPER_SIZE);
	if (err)
		return err;
	if (ext4_le16(sb + EXT4_SB_MAGIC) != EXT4_SUPER_MAGIC)
		return -EINVAL;
	fs->compat = ext4_le32(sb + EXT4_SB_FEATURE_COMPAT);
	fs->incompat = ext4_le32(sb + EXT4_SB_FEATURE_INCOMPAT);
	fs->ro_compat = ext4_le32(sb + EXT4_SB_FEATURE_RO_COMPAT);
	for (unsigned int i = 0; i < ARRAY_SIZE(ext4_incompat_refused); i++) {
		if (fs->incompat & ext4_incompat_refused[i].bit) {
			if (why)
				*why = ext4_incompat_refused[i].name;
			return -ENOTSUP;
		}
	}
	unknown = fs->incompat & ~EXT4_INCOMPAT_READ;
	if (unknown) {
		if (why)
			*why = "unknown incompat feature";
		return -ENOTSUP;
	}
	err = ext4_fs_geometry(fs, sb);
	if (err)
		return err;
	memcpy(fs->volume_name, sb + EXT4_SB_VOLUME_NAME, 16);
	fs->volume_name[16] = '\0';
	fs->type = ext4_fs_type(fs);
	fs->read_only_reason = ext4_read_only_reason(fs, ext4_le16(sb + EXT4_SB_STATE));
	return 0;
}

/* Read fs block nr into buf, after checking that it exists. */
int ext4_block_read(struct ext4_fs *fs, u64 nr, u8 *buf)
{
	if (nr >= fs->blocks_count)
		return -EUCLEAN;
	return fs->dev.read(fs->dev.ctx, nr << fs->block_bits, buf, fs->block_size);
}

/* The inode table's first block of group g. */
static int ext4_group_inode_table(struct ext4_fs *fs, u32 g, u64 *table)
{
	u32 per_block = fs->block_size / fs->desc_size;
	u64 block = (u64)fs->first_data_block + 1 + g / per_block;
	const u8 *d;
	int err;

	err = ext4_block_read(fs, block, fs->buf);
	if (err)
		return err;
	d = fs->buf + (g % per_block) * fs->desc_size;
	*table = ext4_le32(d + EXT4_BG_INODE_TABLE_LO);
	if (fs->desc_size >= EXT4_DESC_SIZE_64_MIN)
		*table |= (u64)ext4_le32(d + EXT4_BG_INODE_TABLE_HI) << 32;
	return 0;
}

int ext4_inode_locate(struct ext4_fs *fs, u32 ino, u64 *block, u32 *offset)
{
	u32 g, index;
	u64 table, byte;
	int err;

	if (ino < 1 || ino > fs->inodes_count)
		return -EINVAL;
	g = (ino - 1) / fs->inodes_per_group;
	index = (ino - 1) % fs->inodes_per_group;
	if (g >= fs->group_count)
		return -EINVAL;
	err = ext4_group_inode_table(fs, g, &table);
	if (err)
		return err;
	byte = (u64)index * fs->inode_size;
	*block = table + (byte >> fs->block_bits);
	*offset = (u32)(byte & (fs->block_size - 1));
	if (!table || *block < table || *block >= fs->blocks_count)
		return -EUCLEAN;
	return 0;
}

int ext4_inode_read(struct ext4_fs *fs, u32 ino, struct ext4_inode *out)
{
	const u8 *raw;
	u64 block;
	u32 offset;
	int err;

	err = ext4_inode_locate(fs, ino, &block, &offset);
	if (err)
		return err;
	err = ext4_block_read(fs, block, fs->buf);
	if (err)
		return err;
	raw = fs->buf + offset;

	memset(out, 0, sizeof(*out));
	out->ino = ino;
	out->mode = ext4_le16(raw + EXT4_I_MODE);
	out->links = ext4_le16(raw + EXT4_I_LINKS_COUNT);
	out->flags = ext4_le32(raw + EXT4_I_FLAGS);
	out->mtime = ext4_le32(raw + EXT4_I_MTIME);
	out->size = ext4_le32(raw + EXT4_I_SIZE_LO) | (u64)ext4_le32(raw + EXT4_I_SIZE_HIGH) << 32;
	out->blocks_512 = ext4_le32(raw + EXT4_I_BLOCKS_LO);
	if (fs->ro_compat & EXT4_RO_COMPAT_HUGE_FILE) {
		out->blocks_512 |= (u64)ext4_le16(raw + EXT4_I_BLOCKS_HIGH) << 32;
		if (out->flags & EXT4_HUGE_FILE_FL)
			out->blocks_512 <<= fs->block_bits - 9;
	}
	memcpy(out->i_block, raw + EXT4_I_BLOCK, sizeof(out->i_block));
	return 0;
}

/* --- extent trees ------------------------------------------------------- */

/* Check an extent node header: entries fit in the node, depth in range. */
static int ext4_ext_header_check(const u8 *node, u32 node_size, u16 *entries, u16 *depth)
{
	u16 max = ext4_le16(node + EXT4_EH_MAX);

	*entries = ext4_le16(node + EXT4_EH_ENTRIES);
	*depth = ext4_le16(node + EXT4_EH_DEPTH);
	if (ext4_le16(node + EXT4_EH_MAGIC) != EXT4_EXT_MAGIC || *entries > max ||
	    max > (node_size - EXT4_EXT_ENTRY_SIZE) / EXT4_EXT_ENTRY_SIZE ||
	    *depth > EXT4_EXT_MAX_DEPTH)
		return -EUCLEAN;
	return 0;
}

static void ext4_map_hole(struct ext4_map *out, u64 lblk, u64 end, u32 max_len)
{
	out->lblk = lblk;
	out->first = lblk;
	out->pblk = 0;
	out->len = (u32)min(end - lblk, (u64)max_len);
	out->state = EXT4_MAP_HOLE;
}

/* A leaf: the extent holding lblk, or the hole up to the next extent or bound. */
static int ext4_ext_leaf_map(struct ext4_fs *fs, const u8 *node, u16 entries, u64 lblk,
			     u64 bound, u32 max_len, struct ext4_map *out)
{
	u64 prev_end = 0;

	for (u16 i = 0; i < entries; i++) {
		const u8 *e = node + EXT4_EXT_ENTRY_SIZE * (i + 1);
		u64 first = ext4_le32(e + EXT4_EE_BLOCK);
		u32 len = ext4_le16(e + EXT4_EE_LEN);
		bool unwritten = len > EXT4_EXT_INIT_MAX_LEN;
		u64 start;

		if (unwritten)
			len -= EXT4_EXT_INIT_MAX_LEN;
		start = ext4_le32(e + EXT4_EE_START_LO) | (u64)ext4_le16(e + EXT4_EE_START_HI) << 32;
		/* sorted, not overlapping, on the disk */
		if (!len || first < prev_end || first + len > EXT4_MAX_LBLK + 1 || !start ||
		    start + len > fs->blocks_count)
			return -EUCLEAN;
		prev_end = first + len;
		if (lblk < first) {
			ext4_map_hole(out, lblk, first, max_len);
			return 0;
		}
		if (lblk < first + len) {
			out->lblk = lblk;
			out->first = first;
			out->pblk = start + (lblk - first);
			out->len = (u32)min(first + len - lblk, (u64)max_len);
			out->state = unwritten ? EXT4_MAP_UNWRITTEN : EXT4_MAP_MAPPED;
			return 0;
		}
	}
	ext4_map_hole(out, lblk, bound, max_len);
	return 0;
}

/*
 * Walk the extent tree from the root in i_block down to the leaf covering
 * lblk. bound is where the current subtree's coverage ends (the next
 * index's first block), so that a hole after a leaf's last extent stops
 * where the next subtree starts.
 */
static int ext4_ext_map(struct ext4_fs *fs, const struct ext4_inode *inode, u64 lblk,
			u32 max_len, struct ext4_map *out)
{
	const u8 *node = inode->i_block;
	u32 node_size = sizeof(inode->i_block);
	u64 bound = EXT4_MAX_LBLK + 1;
	u16 entries, depth;
	int err;

	err = ext4_ext_header_check(node, node_size, &entries, &depth);
	if (err)
		return err;
	while (depth > 0) {
		u64 child = 0, prev = 0;
		u16 i, child_entries, child_depth;

		for (i = 0; i < entries; i++) {
			const u8 *ix = node + EXT4_EXT_ENTRY_SIZE * (i + 1);
			u64 first = ext4_le32(ix + EXT4_EI_BLOCK);

			if (i && first <= prev)
				return -EUCLEAN;	/* indices strictly ascending */
			prev = first;
			if (first > lblk) {
				bound = min(bound, first);
				break;
			}
			child = ext4_le32(ix + EXT4_EI_LEAF_LO) |
				(u64)ext4_le16(ix + EXT4_EI_LEAF_HI) << 32;
		}
		if (i == 0) {
			/* lblk lies before the first subtree (or there is none) */
			ext4_map_hole(out, lblk, entries ? bound : EXT4_MAX_LBLK + 1, max_len);
			return 0;
		}
		if (!child || child < fs->first_data_block)
			return -EUCLEAN;
		err = ext4_block_read(fs, child, fs->buf);
		if (err)
			return err;
		node = fs->buf;
		node_size = fs->block_size;
		err = ext4_ext_header_check(node, node_size, &child_entries, &child_depth);
		if (err)
			return err;
		/* each level exactly one lower: no loop can pass this */
		if (child_depth != depth - 1)
			return -EUCLEAN;
		entries = child_entries;
		depth = child_depth;
	}
	return ext4_ext_leaf_map(fs, node, entries, lblk, bound, max_len, out);
}

/* --- block maps (ext2/ext3) -------------------------------------------- */

/*
 * The run starting at slot idx of a pointer array of n slots (i_block's
 * direct part, or an indirect block): consecutive pointers, or zeroes.
 */
static int ext4_ind_run(struct ext4_fs *fs, const u8 *array, u32 n, u32 idx, u64 lblk,
			u32 max_len, struct ext4_map *out)
{
	u32 first = ext4_le32(array + 4 * idx);
	u32 len = 1;

	while (idx + len < n && len < max_len) {
		u32 p = ext4_le32(array + 4 * (idx + len));

		if (first ? p != first + len : p != 0)
			break;
		len++;
	}
	out->lblk = lblk;
	out->first = lblk;
	out->len = len;
	if (!first) {
		out->pblk = 0;
		out->state = EXT4_MAP_HOLE;
		return 0;
	}
	if (first < fs->first_data_block || (u64)first + len > fs->blocks_count)
		return -EUCLEAN;
	out->pblk = first;
	out->state = EXT4_MAP_MAPPED;
	return 0;
}

int ext4_ind_path(const struct ext4_fs *fs, u64 lblk, u32 *slot, u32 offsets[3],
		  unsigned int *levels)
{
	u32 bits = fs->block_bits - 2;		/* log2 pointers per block */
	u64 rel = lblk, span;
	unsigned int l;

	if (lblk < EXT4_NDIR_BLOCKS) {
		*slot = (u32)lblk;
		*levels = 0;
		return 0;
	}
	rel -= EXT4_NDIR_BLOCKS;
	for (l = 1; l <= 3; l++) {
		span = 1ULL << (bits * l);
		if (rel < span)
			break;
		rel -= span;
	}
	if (l > 3)
		return -EFBIG;
	*slot = EXT4_IND_BLOCK + l - 1;
	*levels = l;
	for (unsigned int i = 0; i < l; i++)
		offsets[i] = (u32)(rel >> (bits * (l - 1 - i))) & ((1U << bits) - 1);
	return 0;
}

static int ext4_ind_map(struct ext4_fs *fs, const struct ext4_inode *inode, u64 lblk,
			u32 max_len, struct ext4_map *out)
{
	u32 bits = fs->block_bits - 2;
	u64 per = 1ULL << bits;
	u32 offsets[3], slot;
	unsigned int levels;
	u64 rel;
	u32 ptr;
	int err;

	err = ext4_ind_path(fs, lblk, &slot, offsets, &levels);
	if (err)
		return err;
	if (!levels)
		return ext4_ind_run(fs, inode->i_block, EXT4_NDIR_BLOCKS, (u32)lblk, lblk, max_len,
				    out);
	/* the position inside the subtree under i_block[slot] */
	rel = 0;
	for (unsigned int l = 0; l < levels; l++)
		rel = (rel << bits) | offsets[l];
	ptr = ext4_le32(inode->i_block + 4 * slot);
	for (unsigned int l = 0; l < levels; l++) {
		if (!ptr) {
			/* a missing indirect block: its whole subtree is a hole */
			u64 subtree = 1ULL << (bits * (levels - l));
			u64 within = rel & (subtree - 1);

			ext4_map_hole(out, lblk, lblk + (subtree - within), max_len);
			return 0;
		}
		err = ext4_block_read(fs, ptr, fs->buf);
		if (err)
			return err;
		if (l == levels - 1)
			return ext4_ind_run(fs, fs->buf, (u32)per, offsets[l], lblk, max_len, out);
		ptr = ext4_le32(fs->buf + 4 * offsets[l]);
	}
	return -EUCLEAN;	/* not reached: the last level returns above */
}

int ext4_map_blocks(struct ext4_fs *fs, const struct ext4_inode *inode, u64 lblk,
		    u32 max_len, struct ext4_map *out)
{
	if (!max_len)
		return -EINVAL;
	if (lblk > EXT4_MAX_LBLK)
		return -EFBIG;
	max_len = (u32)min((u64)max_len, EXT4_MAX_LBLK + 1 - lblk);
	if (inode->flags & EXT4_INLINE_DATA_FL)
		return -ENOTSUP;
	if (inode->flags & EXT4_EXTENTS_FL)
		return ext4_ext_map(fs, inode, lblk, max_len, out);
	return ext4_ind_map(fs, inode, lblk, max_len, out);
}

int ext4_file_map(struct ext4_fs *fs, struct ext4_file *file, u64 lblk, u32 max_len,
		  struct ext4_map *out)
{
	struct ext4_map_cache *c = &file->cache;
	int err;

	for (u8 i = 0; i < c->nr; i++) {
		const struct ext4_map *r = &c->runs[i];

		if (lblk >= r->lblk && lblk - r->lblk < r->len) {
			u64 skip = lblk - r->lblk;

			c->hits++;
			out->lblk = lblk;
			out->first = r->lblk;
			out->pblk = r->state == EXT4_MAP_HOLE ? 0 : r->pblk + skip;
			out->len = (u32)min((u64)r->len - skip, (u64)max_len);
			out->state = r->state;
			return 0;
		}
	}
	c->misses++;
	/* cache the whole extent, not just what this caller wants */
	err = ext4_map_blocks(fs, &file->inode, lblk, 0xFFFFFFFFU, out);
	if (err)
		return err;
	c->runs[c->next] = *out;
	if (out->first < lblk) {
		struct ext4_map *r = &c->runs[c->next];
		u64 before = lblk - out->first;

		r->lblk = out->first;
		r->pblk -= before;
		r->len = (u32)min((u64)r->len + before, 0xFFFFFFFFULL);
	}
	c->next = (u8)((c->next + 1) % EXT4_MAP_CACHE_SIZE);
	if (c->nr < EXT4_MAP_CACHE_SIZE)
		c->nr++;
	out->len = min(out->len, max_len);
	return 0;
}

/* --- directories -------------------------------------------------------- */

static int ext4_dir_block_walk(struct ext4_fs *fs, const u8 *block, ext4_dir_fn fn, void *arg)
{
	u32 off = 0;

	while (off < fs->block_size) {
		const u8 *de = block + off;
		u32 ino, rec_len, name_len;
		u8 type = 0;
		int ret;

		if (fs->block_size - off < EXT4_DE_MIN_SIZE)
			return -EUCLEAN;
		ino = ext4_le32(de + EXT4_DE_INODE);
		rec_len = ext4_le16(de + EXT4_DE_REC_LEN);
		/* 64 KiB blocks store 65536 as 0 (Linux's ext4_rec_len_from_disk) */
		if (rec_len == 0 && fs->block_size == 65536 && off == 0)
			rec_len = 65536;
		if (fs->incompat & EXT4_INCOMPAT_FILETYPE) {
			name_len = de[EXT4_DE_NAME_LEN];
			type = de[EXT4_DE_FILE_TYPE];
		} else {
			name_len = ext4_le16(de + EXT4_DE_NAME_LEN);
		}
		if (rec_len < EXT4_DE_MIN_SIZE || rec_len % 4 || rec_len > fs->block_size - off ||
		    name_len + EXT4_DE_NAME > rec_len || ino > fs->inodes_count)
			return -EUCLEAN;
		if (ino && name_len) {
			ret = fn(arg, (const char *)de + EXT4_DE_NAME, name_len, ino, type);
			if (ret)
				return ret;
		}
		off += rec_len;
	}
	return 0;
}

int ext4_dir_iterate(struct ext4_fs *fs, const struct ext4_inode *dir, ext4_dir_fn fn, void *arg)
{
	u64 nr_blocks = DIV_ROUND_UP(dir->size, fs->block_size);
	u8 *block = fs->buf + fs->block_size;
	u64 lblk = 0;
	int err;

	if (!ext4_inode_is_dir(dir))
		return -ENOTDIR;
	if (dir->flags & EXT4_INLINE_DATA_FL)
		return -ENOTSUP;
	while (lblk < nr_blocks) {
		struct ext4_map map;

		err = ext4_map_blocks(fs, dir, lblk, (u32)min(nr_blocks - lblk, 0xFFFFFFFFULL),
				      &map);
		if (err)
			return err;
		if (map.state != EXT4_MAP_MAPPED)
			return -EUCLEAN;	/* directories have no holes */
		for (u32 i = 0; i < map.len; i++) {
			err = ext4_block_read(fs, map.pblk + i, block);
			if (err)
				return err;
			err = ext4_dir_block_walk(fs, block, fn, arg);
			if (err)
				return err;
		}
		lblk += map.len;
	}
	return 0;
}

struct ext4_lookup {
	const char *name;
	u32 len;
	u32 ino;
};

static int ext4_lookup_match(void *arg, const char *name, u32 name_len, u32 ino, u8 type)
{
	struct ext4_lookup *l = arg;

	(void)type;
	if (name_len != l->len || memcmp(name, l->name, name_len))
		return 0;
	l->ino = ino;
	return 1;
}

/* The lookup itself: out holds whatever it reached when it fails. */
static int ext4_path_walk(struct ext4_fs *fs, const char *path, struct ext4_inode *out)
{
	const char *p = path;
	int err;

	err = ext4_inode_read(fs, EXT4_ROOT_INO, out);
	if (err)
		return err;
	for (;;) {
		struct ext4_lookup l;

		while (*p == '/')
			p++;
		if (!*p)
			return 0;
		l.name = p;
		while (*p && *p != '/')
			p++;
		l.len = (u32)(p - l.name);
		l.ino = 0;
		if (l.len > EXT4_NAME_MAX)
			return -EINVAL;
		if (!ext4_inode_is_dir(out))
			return -ENOTDIR;
		err = ext4_dir_iterate(fs, out, ext4_lookup_match, &l);
		if (err < 0)
			return err;
		if (!l.ino)
			return -ENOENT;
		err = ext4_inode_read(fs, l.ino, out);
		if (err)
			return err == -EINVAL ? -EUCLEAN : err;
		if ((out->mode & EXT4_S_IFMT) == EXT4_S_IFLNK)
			return -ELOOP;
	}
}

int ext4_path_lookup(struct ext4_fs *fs, const char *path, struct ext4_inode *out)
{
	struct ext4_inode inode;
	int err;

	if (!path || *path != '/')
		return -EINVAL;
	err = ext4_path_walk(fs, path, &inode);
	if (!err)
		*out = inode;
	return err;
}

int ext4_file_open(struct ext4_fs *fs, const char *path, struct ext4_file *file)
{
	int err = ext4_path_lookup(fs, path, &file->inode);

	if (err)
		return err;
	if (ext4_inode_is_dir(&file->inode))
		return -EISDIR;
	if (!ext4_inode_is_reg(&file->inode))
		return -EINVAL;
	memset(&file->cache, 0, sizeof(file->cache));
	return 0;
}
