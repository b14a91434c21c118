/*
 * Fuzz the ext2/ext3/ext4 reader (block/fs/ext4.c) with a filesystem image:
 * the first four bytes are the disk's size in KiB, the rest a sparse image
 * (tests/fuzz/fuzz.h) in 1 KiB units, so a mke2fs image is a few KiB of
 * input. The harness probes the superblock, then walks the tree from the
 * root (two levels, a bounded number of entries), reads every inode it
 * meets, maps blocks of every file and directory, and looks up paths.
 *
 * Invariants: every read the reader asks for is 1 KiB aligned, at most a
 * block, and on the disk; the geometry probe accepts fits the disk; an
 * inode lies inside its table block; a mapped run is 1 .. max_len blocks
 * long, starts where asked, lies below blocks_count, and the cached map of
 * a file handle gives the same answer as the uncached one; a directory
 * entry's name is 1 .. 255 bytes and its inode number in range.
 */
#include "tests/fuzz/fuzz.h"
#include "block/fs/ext4.c"
#include "lib/printf.h"

#define FUZZ_EXT4_DIR_ENTRIES 24	/* per directory walked */
#define FUZZ_EXT4_MAPS 6		/* map calls per inode */

struct fuzz_ext4 {
	struct fuzz_image image;
	u64 size;
	struct ext4_fs fs;
	const uint8_t *data;		/* the whole input: lblks to map come from it */
	size_t len;
};

static int fuzz_ext4_read(void *ctx, u64 off, void *buf, u32 len)
{
	struct fuzz_ext4 *f = ctx;

	FUZZ_CHECK(off % 1024 == 0 && len % 1024 == 0 && len && len <= 65536);
	FUZZ_CHECK(off <= f->size && len <= f->size - off);
	if (f->fs.block_size)
		FUZZ_CHECK(len <= f->fs.block_size);
	fuzz_image_read(&f->image, off, buf, len);
	return 0;
}

static void fuzz_ext4_check_map(struct fuzz_ext4 *f, const struct ext4_map *m, u64 lblk,
				u32 max_len)
{
	FUZZ_CHECK(m->lblk == lblk && m->len >= 1 && m->len <= max_len);
	FUZZ_CHECK(m->first <= lblk);
	FUZZ_CHECK(lblk + m->len - 1 <= EXT4_MAX_LBLK);
	switch (m->state) {
	case EXT4_MAP_HOLE:
		FUZZ_CHECK(m->pblk == 0);
		break;
	case EXT4_MAP_MAPPED:
	case EXT4_MAP_UNWRITTEN:
		FUZZ_CHECK(m->pblk < f->fs.blocks_count && m->len <= f->fs.blocks_count - m->pblk);
		break;
	default:
		FUZZ_CHECK(0);
	}
}

/* Map a few blocks of inode: 0, one past its size, and some from the input. */
static void fuzz_ext4_map_inode(struct fuzz_ext4 *f, const struct ext4_inode *inode)
{
	u64 lblks[FUZZ_EXT4_MAPS] = { 0, inode->size >> f->fs.block_bits, 1, 12, 12 + 256 };

	lblks[5] = f->len >= 4 ? (u64)f->data[0] << 24 | (u64)f->data[1] << 16 |
				(u64)f->data[f->len - 1] << 8 | f->data[f->len - 2] : 7;
	for (int i = 0; i < FUZZ_EXT4_MAPS; i++) {
		u32 max_len = i & 1 ? 1 : 0xFFFFFFFFU;
		struct ext4_map m;
		int err = ext4_map_blocks(&f->fs, inode, lblks[i], max_len, &m);

		FUZZ_CHECK(err <= 0);
		if (!err)
			fuzz_ext4_check_map(f, &m, lblks[i], max_len);
	}
}

struct fuzz_ext4_dir {
	u32 n;
	u32 inos[FUZZ_EXT4_DIR_ENTRIES];
	char names[FUZZ_EXT4_DIR_ENTRIES][EXT4_NAME_MAX + 1];
	u32 inodes_count;
};

static int fuzz_ext4_dir_entry(void *arg, const char *name, u32 name_len, u32 ino, u8 type)
{
	struct fuzz_ext4_dir *d = arg;

	(void)type;
	FUZZ_CHECK(name_len >= 1 && name_len <= EXT4_NAME_MAX);
	FUZZ_CHECK(ino >= 1 && ino <= d->inodes_count);
	memcpy(d->names[d->n], name, name_len);
	d->names[d->n][name_len] = '\0';
	d->inos[d->n] = ino;
	return ++d->n == FUZZ_EXT4_DIR_ENTRIES;
}

static void fuzz_ext4_walk(struct fuzz_ext4 *f, const struct ext4_inode *dir, const char *path,
			   int depth)
{
	struct fuzz_ext4_dir *d = calloc(1, sizeof(*d));
	int err;

	d->inodes_count = f->fs.inodes_count;
	err = ext4_dir_iterate(&f->fs, dir, fuzz_ext4_dir_entry, d);
	FUZZ_CHECK(err <= 1);
	for (u32 i = 0; i < d->n; i++) {
		struct ext4_inode inode;
		struct ext4_file file;
		char sub[600];
		u64 block;
		u32 offset;

		if (!strcmp(d->names[i], ".") || !strcmp(d->names[i], ".."))
			continue;
		if (ext4_inode_locate(&f->fs, d->inos[i], &block, &offset) == 0)
			FUZZ_CHECK(block < f->fs.blocks_count &&
				   offset + f->fs.inode_size <= f->fs.block_size);
		if (ext4_inode_read(&f->fs, d->inos[i], &inode))
			continue;
		FUZZ_CHECK(inode.ino == d->inos[i]);
		fuzz_ext4_map_inode(f, &inode);
		snprintf(sub, sizeof(sub), "%s/%s", path, d->names[i]);
		if (ext4_inode_is_dir(&inode) && depth < 2) {
			fuzz_ext4_walk(f, &inode, sub, depth + 1);
		} else if (ext4_inode_is_reg(&inode) && ext4_file_open(&f->fs, sub, &file) == 0) {
			/* the handle's cache answers as the tree does, hit or miss */
			for (int k = 0; k < 3; k++) {
				u64 lblk = (u64)k * 5;
				struct ext4_map a, b;
				int ea = ext4_file_map(&f->fs, &file, lblk, 16, &a);
				int eb = ext4_map_blocks(&f->fs, &file.inode, lblk, 16, &b);

				FUZZ_CHECK(ea == eb);
				if (!ea) {
					fuzz_ext4_check_map(f, &a, lblk, 16);
					FUZZ_CHECK(a.state == b.state && a.len == b.len && a.pblk == b.pblk);
				}
			}
		}
	}
	free(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_ext4 *f;
	struct ext4_dev dev;
	struct ext4_inode root, found;
	const char *why;
	int err;

	if (size < 4)
		return 0;
	f = calloc(1, sizeof(*f));
	f->data = data;
	f->len = size;
	f->size = ((u64)data[0] | (u64)data[1] << 8 | (u64)data[2] << 16 | (u64)data[3] << 24) << 10;
	f->image = (struct fuzz_image){ data + 4, size - 4, 1024 };
	dev = (struct ext4_dev){ fuzz_ext4_read, NULL, f, f->size };
	err = ext4_fs_probe(&f->fs, &dev, &why);
	if (err) {
		FUZZ_CHECK(err < 0);
		goto out;
	}
	FUZZ_CHECK(f->fs.block_size >= 1024 && f->fs.block_size <= 65536 &&
		   f->fs.block_size == 1U << f->fs.block_bits);
	FUZZ_CHECK(f->fs.blocks_count && f->fs.blocks_count <= f->size >> f->fs.block_bits);
	FUZZ_CHECK(f->fs.group_count >= 1 && f->fs.inodes_count >= 1);
	FUZZ_CHECK(f->fs.inode_size >= 128 && f->fs.inode_size <= f->fs.block_size);
	FUZZ_CHECK(f->fs.desc_size >= 32 && f->fs.desc_size <= f->fs.block_size);
	FUZZ_CHECK(f->fs.type && strnlen(f->fs.volume_name, 17) <= 16);
	f->fs.buf = malloc(2 * (size_t)f->fs.block_size);
	if (ext4_inode_read(&f->fs, EXT4_ROOT_INO, &root) == 0) {
		fuzz_ext4_map_inode(f, &root);
		if (ext4_inode_is_dir(&root))
			fuzz_ext4_walk(f, &root, "", 0);
	}
	err = ext4_path_lookup(&f->fs, "//a/../b/./c", &found);
	FUZZ_CHECK(err <= 0);
	err = ext4_path_lookup(&f->fs, "/", &found);
	if (!err)
		FUZZ_CHECK(found.ino == EXT4_ROOT_INO);
	free(f->fs.buf);
out:
	free(f);
	return 0;
}
