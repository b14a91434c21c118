/*
 * Unit tests for block/fs/ext4.c on real filesystem images made at test time
 * by the host's mke2fs (-d populates them from a directory this test
 * writes): ext2, ext3 and ext4 with 1 KiB and 4 KiB blocks, 32 and 64-byte
 * group descriptors. Every file is read back through path lookup and the
 * block mapping and compared byte for byte with what was written, holes
 * and unwritten extents (debugfs fallocate) included; an htree directory
 * (e2fsck -D) is searched. Corrupt images (bad magic, unknown features, an
 * extent tree that loops or is too deep, blocks past the disk, a bad
 * directory entry, random byte flips) must give errors, never a crash.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "block/fs/ext4.c"
#include "lib/printf.h"

#define KIB 1024ULL
#define MIB (1024 * KIB)
#define NR_DIR_FILES 300
#define FRAG_REGIONS 500

static char workdir[256];

/* The byte at offset off of file id: deterministic, so the test knows every file's content. */
static u8 content_byte(u32 id, u64 off)
{
	return (u8)(((off * 2654435761ULL) >> 13) ^ id ^ (off >> 9));
}

/* A data region of a test file: bytes [off, off + len) hold content_byte(id, .). */
struct region {
	u64 off, len;
};

struct test_file {
	const char *path;	/* in the image */
	u32 id;
	u64 size;
	const struct region *regions;
	unsigned int nr;
};

static const struct region small_regions[] = { { 0, 100 } };
static const struct region seq_regions[] = { { 0, 600 * KIB + 123 } };
static const struct region sparse_regions[] = {
	{ 100 * KIB, 5000 }, { 1 * MIB, 10 }, { 70 * MIB, 3 * KIB + 7 },
};
static struct region frag_regions[FRAG_REGIONS];

static const struct test_file test_files[] = {
	{ "/small.txt", 1, 100, small_regions, 1 },
	{ "/seq.bin", 2, 600 * KIB + 123, seq_regions, 1 },
	{ "/sparse.bin", 3, 70 * MIB + 3 * KIB + 7, sparse_regions, 3 },
	{ "/sub/dir/frag.bin", 4, 0, frag_regions, FRAG_REGIONS },	/* size set at setup */
};

static u64 frag_size(void)
{
	return frag_regions[FRAG_REGIONS - 1].off + frag_regions[FRAG_REGIONS - 1].len;
}

static bool in_region(const struct test_file *f, u64 off)
{
	if (f->regions == frag_regions)
		return off < frag_size() && off % (12 * KIB) < 4 * KIB;
	for (unsigned int i = 0; i < f->nr; i++)
		if (off >= f->regions[i].off && off - f->regions[i].off < f->regions[i].len)
			return true;
	return false;
}

static void run(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (system(cmd) != 0)
		fail_msg("command failed: %s", cmd);
}

static void write_file(const char *path, const struct test_file *f, u64 size)
{
	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
	static u8 buf[64 * 1024];

	assert_true(fd >= 0);
	for (unsigned int i = 0; i < f->nr; i++) {
		u64 off = f->regions[i].off, left = f->regions[i].len;

		while (left) {
			u64 n = left < sizeof(buf) ? left : sizeof(buf);

			for (u64 j = 0; j < n; j++)
				buf[j] = content_byte(f->id, off + j);
			assert_int_equal(pwrite(fd, buf, n, (off_t)off), (ssize_t)n);
			off += n;
			left -= n;
		}
	}
	assert_int_equal(ftruncate(fd, (off_t)size), 0);
	close(fd);
}

/* --- images --------------------------------------------------------------- */

struct image {
	u8 *data;
	u64 size;
	u64 fail_off;	/* a read covering this byte fails; ~0 for none */
	unsigned int reads;
};

static int image_read(void *ctx, u64 off, void *buf, u32 len)
{
	struct image *img = ctx;

	assert_true(off % 1024 == 0 && len % 1024 == 0);
	img->reads++;
	if (off > img->size || len > img->size - off)
		return -EIO;
	if (img->fail_off >= off && img->fail_off - off < len)
		return -EIO;
	memcpy(buf, img->data + off, len);
	return 0;
}

static struct image *image_load(const char *path)
{
	struct image *img = calloc(1, sizeof(*img));
	struct stat st;
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	img->size = (u64)st.st_size;
	img->data = malloc(img->size);
	assert_int_equal(pread(fd, img->data, img->size, 0), (ssize_t)img->size);
	close(fd);
	img->fail_off = ~0ULL;
	return img;
}

static void image_free(struct image *img)
{
	free(img->data);
	free(img);
}

/* probe + scratch: the way the kernel side mounts */
static int image_mount(struct image *img, struct ext4_fs *fs, const char **why)
{
	struct ext4_dev dev = { .read = image_read, .ctx = img, .size = img->size };
	int err = ext4_fs_probe(fs, &dev, why);

	if (!err)
		fs->buf = calloc(2, fs->block_size);
	return err;
}

static void image_unmount(struct ext4_fs *fs)
{
	free(fs->buf);
	fs->buf = NULL;
}

struct image_kind {
	const char *name;
	const char *mkfs;	/* mke2fs options */
	u32 block_size;
	const char *type;
	u32 desc_size;
	bool extents;
};

static const struct image_kind kinds[] = {
	{ "ext2-1k", "-t ext2 -b 1024", 1024, "ext2", 32, false },
	{ "ext2-4k", "-t ext2 -b 4096", 4096, "ext2", 32, false },
	{ "ext3-1k", "-t ext3 -b 1024", 1024, "ext3", 32, false },
	{ "ext4-1k", "-t ext4 -b 1024 -O 64bit", 1024, "ext4", 64, true },
	{ "ext4-4k", "-t ext4 -b 4096 -O 64bit", 4096, "ext4", 64, true },
	{ "ext4-4k-32", "-t ext4 -b 4096 -O ^64bit", 4096, "ext4", 32, true },
};

static char *image_path(const struct image_kind *k)
{
	static char path[320];

	snprintf(path, sizeof(path), "%s/%s.img", workdir, k->name);
	return path;
}

/* The unwritten range of sparse.bin debugfs fallocates: blocks of [200 KiB, 300 KiB). */
static u64 prealloc_first(u32 bs) { return 200 * KIB / bs; }
static u64 prealloc_last(u32 bs) { return 300 * KIB / bs - 1; }

static int setup_images(void **state)
{
	char src[300];

	(void)state;
	snprintf(workdir, sizeof(workdir), "/tmp/stork-ext4-XXXXXX");
	assert_non_null(mkdtemp(workdir));
	snprintf(src, sizeof(src), "%s/src", workdir);
	run("mkdir -p %s/sub/dir %s/d", src, src);
	for (unsigned int i = 0; i < FRAG_REGIONS; i++)
		frag_regions[i] = (struct region){ i * 12 * KIB, 4 * KIB };
	for (unsigned int i = 0; i < ARRAY_SIZE(test_files); i++) {
		char path[400];
		const struct test_file *f = &test_files[i];

		snprintf(path, sizeof(path), "%s%s", src, f->path);
		write_file(path, f, f->size ? f->size : frag_size());
	}
	for (unsigned int i = 0; i < NR_DIR_FILES; i++) {
		char path[400], text[8];
		int fd, n;

		snprintf(path, sizeof(path), "%s/d/file-%03u", src, i);
		n = snprintf(text, sizeof(text), "%u\n", i);
		fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
		assert_true(fd >= 0);
		assert_int_equal(write(fd, text, (size_t)n), n);
		close(fd);
	}
	run("ln -s small.txt %s/lnk", src);
	for (unsigned int i = 0; i < ARRAY_SIZE(kinds); i++) {
		const struct image_kind *k = &kinds[i];
		const char *img = image_path(k);

		run("truncate -s 16M %s && mke2fs -q -F %s -d %s %s 2>/dev/null", img, k->mkfs, src,
		    img);
		/* index the big directory (htree), then preallocate a range of sparse.bin */
		run("e2fsck -fyD %s >/dev/null 2>&1; e2fsck -fn %s >/dev/null 2>&1", img, img);
		if (k->extents)
			run("debugfs -w -R 'fallocate /sparse.bin %llu %llu' %s >/dev/null 2>&1",
			    (unsigned long long)prealloc_first(k->block_size),
			    (unsigned long long)prealloc_last(k->block_size), img);
		run("e2fsck -fn %s >/dev/null 2>&1", img);
	}
	return 0;
}

static int teardown_images(void **state)
{
	(void)state;
	run("rm -rf %s", workdir);
	return 0;
}

/* --- reading a file through the map --------------------------------------- */

/* Read all of file through ext4_file_map and compare with what the test wrote. */
static void check_file_content(struct image *img, struct ext4_fs *fs, const struct test_file *f,
			       bool with_prealloc)
{
	struct ext4_file file;
	u64 size = f->size ? f->size : frag_size();
	u64 nr_blocks, lblk = 0, unwritten = 0;

	assert_int_equal(ext4_file_open(fs, f->path, &file), 0);
	assert_int_equal(file.inode.size, size);
	nr_blocks = DIV_ROUND_UP(size, fs->block_size);
	while (lblk < nr_blocks) {
		struct ext4_map map;

		assert_int_equal(ext4_file_map(fs, &file, lblk, (u32)(nr_blocks - lblk), &map), 0);
		assert_int_equal(map.lblk, lblk);
		assert_true(map.len >= 1 && map.len <= nr_blocks - lblk);
		for (u32 b = 0; b < map.len; b++) {
			u64 base = (lblk + b) * fs->block_size;

			for (u32 i = 0; i < fs->block_size && base + i < size; i++) {
				u64 off = base + i;
				u8 want = in_region(f, off) ? content_byte(f->id, off) : 0;
				u8 got = 0;

				if (map.state == EXT4_MAP_MAPPED)
					got = img->data[(map.pblk + b) * fs->block_size + i];
				if (got != want)
					fail_msg("%s: byte %llu is %#x, wrote %#x (state %u)", f->path,
						 (unsigned long long)off, got, want, map.state);
			}
			/* a block with data is never reported as a hole */
			if (map.state != EXT4_MAP_MAPPED)
				assert_false(in_region(f, base));
		}
		if (map.state == EXT4_MAP_UNWRITTEN)
			unwritten += map.len;
		lblk += map.len;
	}
	if (with_prealloc)
		assert_int_equal(unwritten,
				 prealloc_last(fs->block_size) - prealloc_first(fs->block_size) + 1);
	else
		assert_int_equal(unwritten, 0);
}

static void test_images_read(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(kinds); i++) {
		const struct image_kind *k = &kinds[i];
		struct image *img = image_load(image_path(k));
		struct ext4_fs fs;
		const char *why;

		assert_int_equal(image_mount(img, &fs, &why), 0);
		assert_int_equal(fs.block_size, k->block_size);
		assert_string_equal(fs.type, k->type);
		assert_int_equal(fs.desc_size, k->desc_size);
		assert_null(fs.read_only_reason);
		for (unsigned int j = 0; j < ARRAY_SIZE(test_files); j++)
			check_file_content(img, &fs, &test_files[j],
					   k->extents && test_files[j].id == 3);
		image_unmount(&fs);
		image_free(img);
	}
}

/* The frag.bin of the 1 KiB ext4 image needs a two-level extent tree. */
static void test_extent_tree_depth(void **state)
{
	struct image *img = image_load(image_path(&kinds[3]));
	struct ext4_fs fs;
	struct ext4_file file;

	(void)state;
	assert_int_equal(image_mount(img, &fs, NULL), 0);
	assert_int_equal(ext4_file_open(&fs, "/sub/dir/frag.bin", &file), 0);
	assert_true(file.inode.flags & EXT4_EXTENTS_FL);
	assert_int_equal(ext4_le16(file.inode.i_block + EXT4_EH_DEPTH), 2);
	image_unmount(&fs);
	image_free(img);
}

struct dir_count {
	unsigned int files, dots;
	bool seen[NR_DIR_FILES];
};

static int count_entry(void *arg, const char *name, u32 name_len, u32 ino, u8 type)
{
	struct dir_count *c = arg;
	char buf[EXT4_NAME_MAX + 1];
	unsigned int n;

	assert_true(ino != 0);
	memcpy(buf, name, name_len);
	buf[name_len] = '\0';
	if (!strcmp(buf, ".") || !strcmp(buf, "..")) {
		c->dots++;
		return 0;
	}
	assert_int_equal(strncmp(buf, "file-", 5), 0);
	n = (unsigned int)((buf[5] - '0') * 100 + (buf[6] - '0') * 10 + (buf[7] - '0'));
	assert_true(n < NR_DIR_FILES && !c->seen[n]);
	c->seen[n] = true;
	assert_int_equal(type, EXT4_FT_REG_FILE);
	c->files++;
	return 0;
}

static int count_entry_lenient(void *arg, const char *name, u32 name_len, u32 ino, u8 type)
{
	struct dir_count *c = arg;

	(void)type;
	assert_true(ino != 0 && name_len >= 1 && name_len <= EXT4_NAME_MAX);
	c->files += (u8)name[name_len - 1] & 1;
	return 0;
}

static void test_directories(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(kinds); i++) {
		struct image *img = image_load(image_path(&kinds[i]));
		struct ext4_inode dir, file;
		struct dir_count count = { 0 };
		struct ext4_fs fs;

		assert_int_equal(image_mount(img, &fs, NULL), 0);
		assert_int_equal(ext4_path_lookup(&fs, "/d", &dir), 0);
		assert_true(dir.flags & EXT4_INDEX_FL);	/* e2fsck -D made it an htree */
		assert_int_equal(ext4_dir_iterate(&fs, &dir, count_entry, &count), 0);
		assert_int_equal(count.files, NR_DIR_FILES);
		assert_int_equal(count.dots, 2);
		assert_int_equal(ext4_path_lookup(&fs, "//d///file-123", &file), 0);
		assert_int_equal(file.size, 4);	/* "123\n" */
		assert_int_equal(ext4_path_lookup(&fs, "/d/../sub/./dir/frag.bin", &file), 0);
		assert_int_equal(ext4_path_lookup(&fs, "/", &file), 0);
		assert_int_equal(file.ino, EXT4_ROOT_INO);

		assert_int_equal(ext4_path_lookup(&fs, "/d/file-300", &file), -ENOENT);
		assert_int_equal(ext4_path_lookup(&fs, "/small.txt/x", &file), -ENOTDIR);
		assert_int_equal(ext4_path_lookup(&fs, "/lnk", &file), -ELOOP);
		assert_int_equal(ext4_path_lookup(&fs, "small.txt", &file), -EINVAL);
		assert_int_equal(ext4_file_open(&fs, "/d", &(struct ext4_file){ 0 }), -EISDIR);
		/* failed lookups left file alone: it is still the root */
		assert_int_equal(file.ino, EXT4_ROOT_INO);
		assert_int_equal(ext4_dir_iterate(&fs, &file, count_entry_lenient, &count), 0);
		assert_int_equal(ext4_path_lookup(&fs, "/small.txt", &file), 0);
		assert_int_equal(ext4_dir_iterate(&fs, &file, count_entry, &count), -ENOTDIR);
		image_unmount(&fs);
		image_free(img);
	}
}

/* Random lookups inside a file hit the per-file cache once its runs are known. */
static void test_map_cache(void **state)
{
	struct image *img = image_load(image_path(&kinds[4]));
	struct ext4_fs fs;
	struct ext4_file file;
	struct ext4_map direct, cached;
	unsigned int reads;

	(void)state;
	assert_int_equal(image_mount(img, &fs, NULL), 0);
	assert_int_equal(ext4_file_open(&fs, "/seq.bin", &file), 0);
	/* a miss in the middle of the extent caches all of it */
	assert_int_equal(ext4_file_map(&fs, &file, 100, 1, &cached), 0);
	assert_int_equal(cached.first, 0);
	assert_int_equal(file.cache.misses, 1);
	assert_int_equal(ext4_file_map(&fs, &file, 0, 1, &cached), 0);
	assert_int_equal(file.cache.misses, 1);
	file.cache.hits = 0;
	reads = img->reads;
	for (u64 i = 0; i < 1000; i++) {
		u64 lblk = (i * 7919) % 150;

		assert_int_equal(ext4_file_map(&fs, &file, lblk, 4, &cached), 0);
		assert_int_equal(ext4_map_blocks(&fs, &file.inode, lblk, 4, &direct), 0);
		assert_int_equal(cached.pblk, direct.pblk);
		assert_int_equal(cached.len, direct.len);
		assert_int_equal(cached.state, direct.state);
	}
	assert_int_equal(file.cache.hits, 1000);
	assert_int_equal(img->reads, reads);	/* the extent root is in the inode: no reads */
	image_unmount(&fs);
	image_free(img);
}

/* --- corrupt images ------------------------------------------------------- */

static void sb_put32(struct image *img, u32 field, u32 v)
{
	ext4_put_le32(img->data + EXT4_SUPER_OFFSET + field, v);
}

static void test_bad_superblocks(void **state)
{
	struct image *img = image_load(image_path(&kinds[4]));
	u8 *sb = img->data + EXT4_SUPER_OFFSET;
	u8 saved[EXT4_SUPER_SIZE];
	struct ext4_fs fs;
	const char *why;
	u64 size = img->size;

	(void)state;
	memcpy(saved, sb, sizeof(saved));
	ext4_put_le16(sb + EXT4_SB_MAGIC, 0x1234);
	assert_int_equal(image_mount(img, &fs, &why), -EINVAL);
	memcpy(sb, saved, sizeof(saved));

	sb_put32(img, EXT4_SB_FEATURE_INCOMPAT, ext4_le32(saved + EXT4_SB_FEATURE_INCOMPAT) |
						    EXT4_INCOMPAT_RECOVER);
	assert_int_equal(image_mount(img, &fs, &why), -ENOTSUP);
	assert_string_equal(why, "needs_recovery");
	sb_put32(img, EXT4_SB_FEATURE_INCOMPAT, ext4_le32(saved + EXT4_SB_FEATURE_INCOMPAT) |
						    EXT4_INCOMPAT_ENCRYPT);
	assert_int_equal(image_mount(img, &fs, &why), -ENOTSUP);
	assert_string_equal(why, "encrypt");
	sb_put32(img, EXT4_SB_FEATURE_INCOMPAT, ext4_le32(saved + EXT4_SB_FEATURE_INCOMPAT) |
						    0x80000000U);
	assert_int_equal(image_mount(img, &fs, &why), -ENOTSUP);
	assert_string_equal(why, "unknown incompat feature");
	memcpy(sb, saved, sizeof(saved));

	/* an unknown ro_compat feature: readable, not writable */
	sb_put32(img, EXT4_SB_FEATURE_RO_COMPAT, ext4_le32(saved + EXT4_SB_FEATURE_RO_COMPAT) |
						     0x80000000U);
	assert_int_equal(image_mount(img, &fs, &why), 0);
	assert_string_equal(fs.read_only_reason, "unknown ro_compat feature");
	image_unmount(&fs);
	memcpy(sb, saved, sizeof(saved));

	sb_put32(img, EXT4_SB_LOG_BLOCK_SIZE, 7);
	assert_int_equal(image_mount(img, &fs, &why), -EINVAL);
	memcpy(sb, saved, sizeof(saved));
	sb_put32(img, EXT4_SB_BLOCKS_PER_GROUP, 0);
	assert_int_equal(image_mount(img, &fs, &why), -EINVAL);
	memcpy(sb, saved, sizeof(saved));
	sb_put32(img, EXT4_SB_INODES_COUNT, 0xFFFFFFFFU);
	assert_int_equal(image_mount(img, &fs, &why), -EINVAL);
	memcpy(sb, saved, sizeof(saved));
	ext4_put_le16(sb + EXT4_SB_INODE_SIZE, 100);
	assert_int_equal(image_mount(img, &fs, &why), -EINVAL);
	memcpy(sb, saved, sizeof(saved));
	ext4_put_le16(sb + EXT4_SB_DESC_SIZE, 48);
	assert_int_equal(image_mount(img, &fs, &why), -EINVAL);
	memcpy(sb, saved, sizeof(saved));

	/* the disk is shorter than the filesystem (a truncated image) */
	img->size = size / 2;
	assert_int_equal(image_mount(img, &fs, &why), -EINVAL);
	img->size = 1000;
	assert_int_equal(image_mount(img, &fs, &why), -EINVAL);
	img->size = size;
	/* read errors come back as they are */
	img->fail_off = EXT4_SUPER_OFFSET;
	assert_int_equal(image_mount(img, &fs, &why), -EIO);
	image_free(img);
}

/* The byte offset of an inode in its image, as debugfs imap reports it. */
static u64 inode_offset(const char *img_path, const char *path, u32 block_size)
{
	char cmd[600], out[400];
	unsigned long long block;
	unsigned int off;
	char *p;
	int fd, n;

	snprintf(cmd, sizeof(cmd), "debugfs -R 'imap %s' %s 2>/dev/null > %s/imap.txt", path,
		 img_path, workdir);
	run("%s", cmd);
	snprintf(cmd, sizeof(cmd), "%s/imap.txt", workdir);
	fd = open(cmd, O_RDONLY);
	assert_true(fd >= 0);
	n = (int)read(fd, out, sizeof(out) - 1);
	close(fd);
	assert_true(n > 0);
	out[n] = '\0';
	p = strstr(out, "located at block ");
	assert_non_null(p);
	block = strtoull(p + 17, &p, 10);
	p = strstr(p, "offset 0x");
	assert_non_null(p);
	off = (unsigned int)strtoul(p + 9, NULL, 16);
	return block * block_size + off;
}

static void test_bad_extent_trees(void **state)
{
	const struct image_kind *k = &kinds[3];	/* ext4, 1 KiB: frag.bin has depth 2 */
	struct image *img = image_load(image_path(k));
	u64 ioff = inode_offset(image_path(k), "/sub/dir/frag.bin", k->block_size);
	u8 *root = img->data + ioff + EXT4_I_BLOCK;
	u8 saved_root[60], saved_node[1024];
	u64 child;
	u8 *node;
	struct ext4_fs fs;
	struct ext4_file file;
	struct ext4_map map;

	(void)state;
	assert_int_equal(ext4_le16(root + EXT4_EH_DEPTH), 2);
	memcpy(saved_root, root, sizeof(saved_root));
	child = ext4_le32(root + 12 + EXT4_EI_LEAF_LO);
	node = img->data + child * k->block_size;
	memcpy(saved_node, node, sizeof(saved_node));
	assert_int_equal(image_mount(img, &fs, NULL), 0);

	/* a depth-1 node whose index points back at itself: a loop */
	ext4_put_le32(node + 12 + EXT4_EI_LEAF_LO, (u32)child);
	assert_int_equal(ext4_file_open(&fs, "/sub/dir/frag.bin", &file), 0);
	assert_int_equal(ext4_map_blocks(&fs, &file.inode, 0, 1, &map), -EUCLEAN);
	memcpy(node, saved_node, sizeof(saved_node));

	/* an index past the end of the disk */
	ext4_put_le32(node + 12 + EXT4_EI_LEAF_LO, (u32)fs.blocks_count + 10);
	assert_int_equal(ext4_map_blocks(&fs, &file.inode, 0, 1, &map), -EUCLEAN);
	memcpy(node, saved_node, sizeof(saved_node));

	/* the root claims a depth beyond Linux's limit */
	ext4_put_le16(root + EXT4_EH_DEPTH, 6);
	assert_int_equal(ext4_file_open(&fs, "/sub/dir/frag.bin", &file), 0);
	assert_int_equal(ext4_map_blocks(&fs, &file.inode, 0, 1, &map), -EUCLEAN);
	/* more entries than fit */
	memcpy(root, saved_root, sizeof(saved_root));
	ext4_put_le16(root + EXT4_EH_MAX, 5);
	ext4_put_le16(root + EXT4_EH_ENTRIES, 5);
	assert_int_equal(ext4_file_open(&fs, "/sub/dir/frag.bin", &file), 0);
	assert_int_equal(ext4_map_blocks(&fs, &file.inode, 0, 1, &map), -EUCLEAN);
	/* bad magic */
	memcpy(root, saved_root, sizeof(saved_root));
	ext4_put_le16(root + EXT4_EH_MAGIC, 0xF30B);
	assert_int_equal(ext4_file_open(&fs, "/sub/dir/frag.bin", &file), 0);
	assert_int_equal(ext4_map_blocks(&fs, &file.inode, 0, 1, &map), -EUCLEAN);
	memcpy(root, saved_root, sizeof(saved_root));
	image_unmount(&fs);

	/* a depth-0 file whose extent starts past the disk */
	ioff = inode_offset(image_path(k), "/seq.bin", k->block_size);
	root = img->data + ioff + EXT4_I_BLOCK;
	assert_int_equal(ext4_le16(root + EXT4_EH_DEPTH), 0);
	ext4_put_le32(root + 12 + EXT4_EE_START_LO, 0xFFFFFF00U);
	assert_int_equal(image_mount(img, &fs, NULL), 0);
	assert_int_equal(ext4_file_open(&fs, "/seq.bin", &file), 0);
	assert_int_equal(ext4_map_blocks(&fs, &file.inode, 0, 1, &map), -EUCLEAN);
	/* the mapping reaches a read error: it comes back as it is */
	image_unmount(&fs);
	image_free(img);
}

static void test_bad_block_maps_and_dirs(void **state)
{
	const struct image_kind *k = &kinds[0];	/* ext2, 1 KiB */
	struct image *img = image_load(image_path(k));
	u64 ioff = inode_offset(image_path(k), "/seq.bin", k->block_size);
	u8 *iblock = img->data + ioff + EXT4_I_BLOCK;
	struct ext4_fs fs;
	struct ext4_file file;
	struct ext4_map map;
	struct ext4_inode dir;
	struct dir_count count = { 0 };
	u32 ind, dind;

	(void)state;
	assert_int_equal(image_mount(img, &fs, NULL), 0);
	/* a direct pointer past the disk */
	ext4_put_le32(iblock + 4 * 3, (u32)fs.blocks_count);
	assert_int_equal(ext4_file_open(&fs, "/seq.bin", &file), 0);
	assert_int_equal(ext4_map_blocks(&fs, &file.inode, 3, 1, &map), -EUCLEAN);
	/* a pointer inside an indirect block past the disk */
	dind = ext4_le32(iblock + 4 * EXT4_DIND_BLOCK);
	assert_true(dind != 0);
	ind = ext4_le32(img->data + (u64)dind * k->block_size);
	ext4_put_le32(img->data + (u64)ind * k->block_size + 8, 0xFFFFFFF0U);
	assert_int_equal(ext4_map_blocks(&fs, &file.inode, 12 + 256 + 2, 1, &map), -EUCLEAN);
	/* and a read error there */
	img->fail_off = (u64)ind * k->block_size;
	assert_int_equal(ext4_map_blocks(&fs, &file.inode, 12 + 256 + 2, 1, &map), -EIO);
	img->fail_off = ~0ULL;
	/* blocks beyond the triple-indirect range do not exist */
	assert_int_equal(ext4_map_blocks(&fs, &file.inode, 0x100000000ULL, 1, &map), -EFBIG);

	/* a directory entry with rec_len 0 would loop forever: refused */
	assert_int_equal(ext4_path_lookup(&fs, "/sub", &dir), 0);
	assert_int_equal(ext4_map_blocks(&fs, &dir, 0, 1, &map), 0);
	ext4_put_le16(img->data + map.pblk * k->block_size + EXT4_DE_REC_LEN, 0);
	assert_int_equal(ext4_dir_iterate(&fs, &dir, count_entry, &count), -EUCLEAN);
	assert_int_equal(ext4_path_lookup(&fs, "/sub/dir/frag.bin", &dir), -EUCLEAN);
	/* a name longer than its record */
	ext4_put_le16(img->data + map.pblk * k->block_size + EXT4_DE_REC_LEN, 12);
	img->data[map.pblk * k->block_size + EXT4_DE_NAME_LEN] = 9;
	assert_int_equal(ext4_path_lookup(&fs, "/sub/dir/frag.bin", &dir), -EUCLEAN);
	image_unmount(&fs);
	image_free(img);
}

/* Random byte flips in the metadata: errors are fine, crashes and hangs are not. */
static void walk_everything(struct ext4_fs *fs)
{
	static const char *const paths[] = {
		"/small.txt", "/seq.bin", "/sparse.bin", "/sub/dir/frag.bin", "/d/file-007", "/d",
	};
	struct dir_count count;

	for (unsigned int i = 0; i < ARRAY_SIZE(paths); i++) {
		struct ext4_file file;
		u64 lblk = 0;

		if (ext4_path_lookup(fs, paths[i], &file.inode))
			continue;
		memset(&file.cache, 0, sizeof(file.cache));
		memset(&count, 0, sizeof(count));
		if (ext4_inode_is_dir(&file.inode)) {
			ext4_dir_iterate(fs, &file.inode, count_entry_lenient, &count);
			continue;
		}
		for (unsigned int n = 0; n < 10000 && lblk < DIV_ROUND_UP(file.inode.size, fs->block_size);
		     n++) {
			struct ext4_map map;

			if (ext4_file_map(fs, &file, lblk, 0xFFFFFFFFU, &map))
				break;
			assert_true(map.len >= 1);
			if (map.state != EXT4_MAP_HOLE)
				assert_true(map.pblk + map.len <= fs->blocks_count);
			lblk += map.len;
		}
	}
}

static void test_fuzz(void **state)
{
	(void)state;
	for (unsigned int kind = 0; kind < ARRAY_SIZE(kinds); kind++) {
		struct image *img = image_load(image_path(&kinds[kind]));
		u64 where[40];
		u8 was[40];
		/* metadata lives in the first groups' tables: flip bytes there */
		u64 span = img->size < 2 * MIB ? img->size : 2 * MIB;
		u64 seed = 0x9E3779B97F4A7C15ULL * (kind + 1);

		for (unsigned int round = 0; round < 300; round++) {
			struct ext4_fs fs;

			for (unsigned int flip = 0; flip < 40; flip++) {
				seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
				where[flip] = 1024 + (seed >> 20) % (span - 1024);
				was[flip] = img->data[where[flip]];
				img->data[where[flip]] ^= (u8)(seed >> 8) | 1;
			}
			if (image_mount(img, &fs, NULL) == 0) {
				walk_everything(&fs);
				image_unmount(&fs);
			}
			for (int flip = 39; flip >= 0; flip--)
				img->data[where[flip]] = was[flip];
		}
		image_free(img);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_images_read),
		cmocka_unit_test(test_extent_tree_depth),
		cmocka_unit_test(test_directories),
		cmocka_unit_test(test_map_cache),
		cmocka_unit_test(test_bad_superblocks),
		cmocka_unit_test(test_bad_extent_trees),
		cmocka_unit_test(test_bad_block_maps_and_dirs),
		cmocka_unit_test(test_fuzz),
	};

	return cmocka_run_group_tests(tests, setup_images, teardown_images);
}
