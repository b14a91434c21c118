/*
 * Unit tests for block/fs/ext2_alloc.c on ext2 images made by the host's
 * mke2fs: blocks allocated into holes of a sparse file (direct, single,
 * double and triple indirect ranges, indirect blocks created on the way)
 * and into an empty file grown past its size, data written into them the
 * way direct-IO would, the image saved, and then the host's `e2fsck -fn`
 * must find it clean and `debugfs dump` must return exactly the bytes
 * written. ext3/ext4 and full filesystems are refused.
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
#include "block/fs/ext2_alloc.c"
#include "lib/printf.h"

#define KIB 1024ULL
#define MIB (1024 * KIB)

static char workdir[128];

static int run(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

struct image {
	u8 *data;
	u64 size;
	unsigned int writes;
};

static int image_read(void *ctx, u64 off, void *buf, u32 len)
{
	struct image *img = ctx;

	if (off > img->size || len > img->size - off)
		return -EIO;
	memcpy(buf, img->data + off, len);
	return 0;
}

static int image_write(void *ctx, u64 off, const void *buf, u32 len)
{
	struct image *img = ctx;

	assert_true(off % 1024 == 0 && len % 1024 == 0);
	if (off > img->size || len > img->size - off)
		return -EIO;
	memcpy(img->data + off, buf, len);
	img->writes++;
	return 0;
}

static void image_load(struct image *img, const char *path)
{
	struct stat st;
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	img->size = (u64)st.st_size;
	img->data = malloc(img->size);
	assert_int_equal(pread(fd, img->data, img->size, 0), (ssize_t)img->size);
	close(fd);
}

static void image_save(struct image *img, const char *path)
{
	int fd = open(path, O_WRONLY | O_TRUNC);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, img->data, img->size, 0), (ssize_t)img->size);
	close(fd);
}

static void mount(struct image *img, struct ext4_fs *fs, bool writable)
{
	struct ext4_dev dev = { .read = image_read, .write = writable ? image_write : NULL,
				.ctx = img, .size = img->size };

	assert_int_equal(ext4_fs_probe(fs, &dev, NULL), 0);
	fs->buf = calloc(2, fs->block_size);
}

static u8 data_byte(u64 off)
{
	return (u8)(off * 31 + (off >> 11) + 7);
}

/* Write file bytes [off, off + len) through the map into the image, as dio would. */
static void write_through_map(struct image *img, struct ext4_fs *fs, struct ext4_inode *inode,
			      u64 off, u64 len)
{
	for (u64 pos = off; pos < off + len; pos++) {
		struct ext4_map map;

		assert_int_equal(ext4_map_blocks(fs, inode, pos / fs->block_size, 1, &map), 0);
		assert_int_equal(map.state, EXT4_MAP_MAPPED);
		img->data[map.pblk * fs->block_size + pos % fs->block_size] = data_byte(pos);
	}
}

static int setup(void **state)
{
	(void)state;
	snprintf(workdir, sizeof(workdir), "/tmp/stork-ext2a-XXXXXX");
	assert_non_null(mkdtemp(workdir));
	assert_int_equal(run("mkdir -p %s/src && truncate -s 80M %s/src/sparse.bin && "
			     "printf 'abc' > %s/src/small.txt && : > %s/src/empty.bin",
			     workdir, workdir, workdir, workdir), 0);
	/* a little data in the sparse file so it is not all hole */
	assert_int_equal(run("printf 'head' | dd of=%s/src/sparse.bin conv=notrunc status=none",
			     workdir), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	run("rm -rf %s", workdir);
	return 0;
}

/*
 * Allocate the blocks of ranges of one file, fill them, grow the file to
 * new_size when it is larger, then let e2fsck and debugfs judge.
 */
static void alloc_and_check(u32 bs, const char *file, const u64 (*ranges)[2], unsigned int nr,
			    u64 new_size)
{
	char img_path[256], dump_path[256];
	struct image img = { 0 };
	struct ext4_fs fs;
	struct ext4_inode inode;
	u64 free_before, allocated = 0, size;
	u8 *dumped;
	int fd;

	snprintf(img_path, sizeof(img_path), "%s/ext2-%u.img", workdir, bs);
	snprintf(dump_path, sizeof(dump_path), "%s/dump.bin", workdir);
	assert_int_equal(run("rm -f %s && truncate -s 64M %s && mke2fs -q -F -t ext2 -b %u -d "
			     "%s/src %s 2>/dev/null", img_path, img_path, bs, workdir, img_path), 0);
	image_load(&img, img_path);
	mount(&img, &fs, true);
	assert_int_equal(ext2_alloc_check(&fs, NULL), 0);
	free_before = fs.free_blocks;
	assert_int_equal(ext4_path_lookup(&fs, file, &inode), 0);
	size = inode.size;
	for (unsigned int r = 0; r < nr; r++) {
		u64 first = ranges[r][0] / bs, last = (ranges[r][0] + ranges[r][1] - 1) / bs;

		for (u64 b = first; b <= last; b++) {
			u64 pblk;
			int err = ext2_alloc_block(&fs, &inode, b, &pblk);

			if (err == -EEXIST)
				continue;
			assert_int_equal(err, 0);
			allocated++;
			/* the whole new block: data where written, zeroes around (dio_zero_block) */
			memset(img.data + pblk * bs, 0, bs);
		}
		write_through_map(&img, &fs, &inode, ranges[r][0], ranges[r][1]);
	}
	assert_true(allocated > 0);
	assert_true(free_before - fs.free_blocks >= allocated);	/* plus indirect blocks */
	if (new_size > size) {
		assert_int_equal(ext2_inode_set_size(&fs, &inode, new_size), 0);
		size = new_size;
	}
	/* mapped blocks are refused */
	{
		u64 pblk;

		assert_int_equal(ext2_alloc_block(&fs, &inode, ranges[0][0] / bs, &pblk), -EEXIST);
	}
	image_save(&img, img_path);
	assert_int_equal(run("e2fsck -fn %s > %s/fsck.txt 2>&1 || (cat %s/fsck.txt; exit 1)",
			     img_path, workdir, workdir), 0);
	assert_int_equal(run("debugfs -R 'dump %s %s' %s 2>/dev/null", file, dump_path, img_path),
			 0);
	dumped = malloc(size + 1);
	fd = open(dump_path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, dumped, size + 1), (ssize_t)size);
	close(fd);
	for (unsigned int r = 0; r < nr; r++)
		for (u64 pos = ranges[r][0]; pos < ranges[r][0] + ranges[r][1] && pos < size; pos++)
			if (dumped[pos] != data_byte(pos))
				fail_msg("%s byte %llu: %#x, wrote %#x", file, (unsigned long long)pos,
					 dumped[pos], data_byte(pos));
	free(dumped);
	free(fs.buf);
	free(img.data);
}

static void test_sparse_file(void **state)
{
	/* direct, single, double and (1 KiB) triple indirect ranges, sub-block offsets */
	static const u64 ranges[][2] = {
		{ 512, 3000 },			/* blocks 0-3: block 0 holds "head" */
		{ 40 * KIB + 512, 20 * KIB },	/* into the single indirect range */
		{ 2 * MIB, 9 * KIB },		/* double indirect (1 KiB blocks) */
		{ 70 * MIB - 1024, 5000 },	/* triple indirect with 1 KiB blocks */
	};

	(void)state;
	alloc_and_check(1024, "/sparse.bin", ranges, ARRAY_SIZE(ranges), 0);
	alloc_and_check(4096, "/sparse.bin", ranges, ARRAY_SIZE(ranges), 0);
}

static void test_grow_empty_file(void **state)
{
	static const u64 ranges[][2] = { { 0, 5 * KIB }, { 300 * KIB, 2 * KIB + 512 } };

	(void)state;
	alloc_and_check(1024, "/empty.bin", ranges, ARRAY_SIZE(ranges), 300 * KIB + 2 * KIB + 512);
	alloc_and_check(4096, "/empty.bin", ranges, ARRAY_SIZE(ranges), 300 * KIB + 2 * KIB + 512);
}

static void test_refused(void **state)
{
	static const char *const kinds[][2] = {
		{ "ext3", "has_journal" }, { "ext4", "has_journal" },
	};
	char img_path[256];

	(void)state;
	for (unsigned int k = 0; k < ARRAY_SIZE(kinds); k++) {
		struct image img = { 0 };
		struct ext4_fs fs;
		struct ext4_inode inode;
		const char *why;
		u64 pblk;

		snprintf(img_path, sizeof(img_path), "%s/%s.img", workdir, kinds[k][0]);
		assert_int_equal(run("rm -f %s && truncate -s 16M %s && mke2fs -q -F -t %s -d %s/src "
				     "%s 2>/dev/null", img_path, img_path, kinds[k][0], workdir,
				     img_path), 0);
		image_load(&img, img_path);
		mount(&img, &fs, true);
		assert_int_equal(ext2_alloc_check(&fs, &why), -EROFS);
		assert_string_equal(why, kinds[k][1]);
		assert_int_equal(ext4_path_lookup(&fs, "/sparse.bin", &inode), 0);
		assert_int_equal(ext2_alloc_block(&fs, &inode, 100, &pblk), -EROFS);
		free(fs.buf);
		free(img.data);
	}
	/* no write callback: read-only */
	{
		struct image img = { 0 };
		struct ext4_fs fs;
		const char *why;

		snprintf(img_path, sizeof(img_path), "%s/ext2-1024.img", workdir);
		image_load(&img, img_path);
		mount(&img, &fs, false);
		assert_int_equal(ext2_alloc_check(&fs, &why), -EROFS);
		assert_string_equal(why, "read-only");
		free(fs.buf);
		free(img.data);
	}
}

/* A full filesystem: -ENOSPC, and what was allocated before stays consistent. */
static void test_full(void **state)
{
	char img_path[256];
	struct image img = { 0 };
	struct ext4_fs fs;
	struct ext4_inode inode;
	u64 pblk, b = 100;
	int err;

	(void)state;
	snprintf(img_path, sizeof(img_path), "%s/small.img", workdir);
	assert_int_equal(run("rm -f %s && truncate -s 2M %s && mke2fs -q -F -t ext2 -b 1024 -d "
			     "%s/src %s 2>/dev/null", img_path, img_path, workdir, img_path), 0);
	image_load(&img, img_path);
	mount(&img, &fs, true);
	assert_int_equal(ext4_path_lookup(&fs, "/sparse.bin", &inode), 0);
	while ((err = ext2_alloc_block(&fs, &inode, b, &pblk)) == 0)
		b++;
	assert_int_equal(err, -ENOSPC);
	assert_int_equal(fs.free_blocks, 0);
	image_save(&img, img_path);
	assert_int_equal(run("e2fsck -fn %s > /dev/null 2>&1", img_path), 0);
	free(fs.buf);
	free(img.data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sparse_file),
		cmocka_unit_test(test_grow_empty_file),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_full),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
