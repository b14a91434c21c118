/*
 * Shell commands of direct-IO and of the ext2/ext3/ext4 reader:
 *
 *	dio read|write <target> <offset> <length> [buf=contig|scattered|stack]
 *	    [buf_offset=N] [async] [hipri] [pattern=<byte>|seq] [--json]
 *	ls <disk>:<dir>
 *	stat <disk>:<path>
 *
 * and the file side of `read` and `sum` (block/dio_shell.h).
 * A target is a disk ("vda") or a file on one ("vda1:/data/f.bin"). offset
 * and length are bytes (suffixes allowed) in any multiple the alignment
 * rules of block/dio.h allow. The buffer is physically contiguous pages
 * (contig), single pages mapped back to back in reverse physical order by
 * vmap() so that no two are adjacent (scattered), or this thread's stack
 * (stack, at most DIO_STACK_BUF bytes); buf_offset places the data that
 * many bytes into it, to try alignments. A read prints the zlib CRC-32 of
 * the bytes read, a write fills the buffer first: pattern=seq is the
 * `write` command's pattern of block/blk_pattern.h counted in 512-byte
 * sectors of the file (or disk) from its start, so the host can check a
 * file it dumps with debugfs. hipri (fio's name) sends the bios to the
 * disk's poll queues and polls for their completions instead of sleeping.
 */
#include "block/dio.h"
#include "block/dio_shell.h"
#include "block/blk_pattern.h"
#include "block/blk_disk_shell.h"
#include "block/blk_internal.h"
#include "block/blk_mq.h"
#include "kernel/console/console.h"
#include "kernel/mm/mm.h"
#include "kernel/mm/page_alloc.h"
#include "kernel/mm/slab.h"
#include "kernel/mm/vmap.h"
#include "kernel/shell/shell.h"
#include "lib/crc32.h"
#include "lib/errno.h"
#include "lib/json.h"
#include "lib/parse.h"
#include "lib/printf.h"
#include "lib/string.h"

#define DIO_STACK_BUF 4096
#define DIO_SHELL_MAX (64ULL << 20)	/* bytes one command moves at most */

enum dio_buf_kind { DIO_BUF_CONTIG, DIO_BUF_SCATTERED, DIO_BUF_STACK };

static const char *const dio_buf_names[] = { "contig", "scattered", "stack" };

struct dio_buf {
	u8 kind;
	u8 *base;		/* the allocation */
	size_t size;
	unsigned int order;	/* contig */
	void **pages;		/* scattered: every page allocated, for freeing */
	size_t nr_pages;
};

static int dio_buf_alloc(struct dio_buf *b, size_t size, u8 *stack)
{
	size_t n = DIV_ROUND_UP(size, PAGE_SIZE);
	void **use;

	b->size = size;
	switch (b->kind) {
	case DIO_BUF_STACK:
		b->base = stack;
		return size <= DIO_STACK_BUF ? 0 : -E2BIG;
	case DIO_BUF_CONTIG:
		b->order = page_order(size);
		if (b->order > PAGE_MAX_ORDER)
			return -E2BIG;
		b->base = page_alloc(b->order);
		return b->base ? 0 : -ENOMEM;
	default:
		/* twice the pages, every other one used, last first: never adjacent */
		b->nr_pages = 2 * n;
		b->pages = kcalloc(b->nr_pages, sizeof(void *));
		if (!b->pages)
			return -ENOMEM;
		for (size_t i = 0; i < b->nr_pages; i++)
			if (!(b->pages[i] = page_alloc(0)))
				return -ENOMEM;
		use = kcalloc(n, sizeof(void *));
		if (!use)
			return -ENOMEM;
		for (size_t i = 0; i < n; i++)
			use[i] = b->pages[2 * (n - 1 - i) + 1];
		b->base = vmap(use, n);
		kfree(use);
		return b->base ? 0 : -ENOMEM;
	}
}

static void dio_buf_free(struct dio_buf *b)
{
	if (b->kind == DIO_BUF_CONTIG && b->base)
		page_free(b->base, b->order);
	if (b->kind == DIO_BUF_SCATTERED) {
		if (b->base)
			vunmap(b->base);
		for (size_t i = 0; b->pages && i < b->nr_pages; i++)
			if (b->pages[i])
				page_free(b->pages[i], 0);
		kfree(b->pages);
	}
}

static const char *dio_misalign_name(enum dio_misalign what)
{
	switch (what) {
	case DIO_MISALIGNED_OFFSET:
		return "offset";
	case DIO_MISALIGNED_LENGTH:
		return "length";
	default:
		return "buffer address";
	}
}

/* Open a target, or print why not. */
static struct dio_target *dio_shell_open(const char *name, bool write)
{
	struct dio_target *t;
	const char *why;
	int err = dio_target_open(name, write, &t, &why);

	if (!err)
		return t;
	if (err == -ENODEV) {
		char disk[DISK_NAME_LEN];
		const char *colon = strchr(name, ':');
		size_t len = colon ? (size_t)(colon - name) : strlen(name);

		strlcpy(disk, name, min(len + 1, sizeof(disk)));
		blk_cmd_disk_error(disk);	/* with the disks there are */
	} else if (err == -ENOTSUP || err == -EROFS) {
		shell_error("%s: %s (%s)", name, err == -EROFS ? "read-only" : "unsupported feature",
			    why ? why : "?");
	} else if (err == -EINVAL && strchr(name, ':')) {
		shell_error("%s: no ext2/ext3/ext4 filesystem, or not a regular file (%s)", name,
			    errno_name(err));
	} else {
		shell_error("%s: cannot open: %s", name, errno_name(err));
	}
	return NULL;
}

struct dio_async_wait {
	struct completion done;
	s64 result;
	u32 completions;
};

static void dio_shell_end_io(struct dio *d, s64 result)
{
	struct dio_async_wait *w = d->private;

	w->result = result;
	__atomic_add_fetch(&w->completions, 1, __ATOMIC_RELEASE);
	complete(&w->done);
}

struct dio_cmd {
	bool write, async, hipri, json;
	u8 kind;
	u64 offset, length, buf_offset;
	bool seq;
	u8 byte;
};

static int dio_cmd_parse(struct dio_cmd *c, int argc, char **argv)
{
	if (argc < 5)
		return shell_usage_error(argv[0]);
	if (!strcmp(argv[1], "write"))
		c->write = true;
	else if (strcmp(argv[1], "read"))
		return shell_error("dio: '%s' is neither read nor write", argv[1]);
	if (parse_size(argv[3], &c->offset) || parse_size(argv[4], &c->length))
		return shell_error("dio: bad offset or length '%s' '%s'", argv[3], argv[4]);
	c->seq = true;
	for (int i = 5; i < argc; i++) {
		char *key, *value;

		if (!strcmp(argv[i], "async")) {
			c->async = true;
			continue;
		}
		if (!strcmp(argv[i], "hipri")) {
			c->hipri = true;
			continue;
		}
		if (parse_kv(argv[i], &key, &value))
			return shell_error("dio: bad option '%s'", argv[i]);
		if (!strcmp(key, "buf")) {
			unsigned int k;

			for (k = 0; k < ARRAY_SIZE(dio_buf_names); k++)
				if (!strcmp(value, dio_buf_names[k]))
					break;
			if (k == ARRAY_SIZE(dio_buf_names))
				return shell_error("dio: buf=%s: contig, scattered or stack", value);
			c->kind = (u8)k;
		} else if (!strcmp(key, "buf_offset")) {
			if (parse_size(value, &c->buf_offset) || c->buf_offset >= PAGE_SIZE * 16)
				return shell_error("dio: bad buf_offset '%s'", value);
		} else if (!strcmp(key, "pattern")) {
			u32 b;

			if (!strcmp(value, "seq")) {
				c->seq = true;
			} else if (!parse_u32(value, &b) && b <= 0xff) {
				c->seq = false;
				c->byte = (u8)b;
			} else {
				return shell_error("dio: pattern=%s: a byte or seq", value);
			}
		} else {
			return shell_error("dio: unknown option '%s'", key);
		}
	}
	if (c->length > DIO_SHELL_MAX)
		return shell_error("dio: at most %llu bytes per command",
				   (unsigned long long)DIO_SHELL_MAX);
	return 0;
}

static void dio_fill(const struct dio_cmd *c, u8 *data)
{
	if (!c->seq || c->length % SECTOR_SIZE) {
		/* a length seq cannot fill is refused by the alignment rules anyway */
		memset(data, c->byte, c->length);
		return;
	}
	/* whole sectors of the pattern, clipped to the (512-aligned) range */
	blk_pattern_seq_fill(data, c->length, c->offset >> SECTOR_SHIFT);
}

static void dio_cmd_print_json(const struct dio_cmd *c, const char *name, s64 bytes,
			       const struct dio *d, u32 completions, u32 crc)
{
	struct json_writer w;

	shell_json_begin(&w);
	json_object_begin(&w);
	json_field_str(&w, "op", c->write ? "write" : "read");
	json_field_str(&w, "target", name);
	json_field_u64(&w, "offset", c->offset);
	json_field_u64(&w, "length", c->length);
	json_field_u64(&w, "bytes", (u64)bytes);
	json_field_str(&w, "buf", dio_buf_names[c->kind]);
	json_field_bool(&w, "async", c->async);
	json_field_bool(&w, "hipri", c->hipri);
	json_field_u64(&w, "completions", completions);
	json_field_u64(&w, "bios", d->nr_bios);
	json_field_u64(&w, "vecs", d->nr_vecs);
	json_field_u64(&w, "get_block", d->get_block_calls);
	json_key(&w, "crc32");
	json_stringf(&w, "%08x", crc);
	json_object_end(&w);
	shell_json_end(&w);
}

/* The transfer itself: kept apart so that a stack buffer lives in this frame only. */
static int dio_cmd_run(struct dio_cmd *c, struct dio_target *t, const char *name)
{
	u8 stack[DIO_STACK_BUF] __aligned(4096);
	struct dio_buf b = { .kind = c->kind };
	struct dio_async_wait w = { .result = 0 };
	enum dio_misalign what;
	struct dio d;
	u8 *data;
	s64 ret;
	int err;

	err = dio_buf_alloc(&b, c->buf_offset + c->length, stack);
	if (err) {
		dio_buf_free(&b);
		return shell_error("dio: cannot allocate a %s buffer of %llu bytes: %s",
				   dio_buf_names[c->kind],
				   (unsigned long long)(c->buf_offset + c->length), errno_name(err));
	}
	data = b.base + c->buf_offset;
	err = dio_alloc(&d, c->length, SECTOR_SIZE);
	if (err) {
		dio_buf_free(&b);
		return shell_error("dio: %s", errno_name(err));
	}
	if (c->write)
		dio_fill(c, data);
	else
		memset(data, 0xa5, c->length);	/* so that bytes not read show */
	completion_init(&w.done);
	d.private = &w;
	d.bio_flags = c->hipri ? REQ_POLLED : 0;
	ret = dio_rw(&d, c->write ? REQ_OP_WRITE : REQ_OP_READ, t, data, c->length, c->offset,
		     c->async ? dio_shell_end_io : NULL, &what);
	if (c->async && ret == 0) {
		/* polled bios end only when their queue is polled: this waiter does it */
		if (c->hipri)
			blk_mq_poll_until(t->disk->queue, &w.done.done);
		wait_for_completion_io(&w.done);
		ret = w.result;
	}
	if (ret == -EINVAL && what != DIO_ALIGNED) {
		shell_error("dio: %s not aligned: offset, length and buffer must be multiples of "
			    "%u (the %s block) or %u (the disk's logical block)",
			    dio_misalign_name(what), t->block_size, t->file ? "filesystem" : "disk",
			    t->dev_block_size);
	} else if (ret == -ENOTSUP && c->write) {
		shell_error("dio: %s: write into a hole or unwritten extent: stork allocates "
			    "blocks on ext2 only (%s metadata is journalled)", name, t->fs->type);
	} else if (ret == -EFBIG) {
		shell_error("dio: %s: write past the end of the file (%llu bytes): only ext2 files grow",
			    name, (unsigned long long)t->size);
	} else if (ret < 0) {
		shell_error("dio: %s %s: %s", c->write ? "write" : "read", name, errno_name((int)ret));
	} else if (c->json) {
		dio_cmd_print_json(c, name, ret, &d, w.completions, crc32(0, data, (size_t)ret));
	} else {
		printf("%s %lld bytes at %llu: %u bios, %u vectors, crc32 %08x%s\n",
		       c->write ? "wrote" : "read", (long long)ret, (unsigned long long)c->offset,
		       d.nr_bios, d.nr_vecs, crc32(0, data, (size_t)ret),
		       (u64)ret < c->length ? " (short: end of file)" : "");
	}
	dio_free(&d);
	dio_buf_free(&b);
	return ret < 0 ? (int)ret : 0;
}

static int cmd_dio(int argc, char **argv)
{
	struct dio_cmd c = { 0 };
	struct dio_target *t;
	int err;

	err = shell_json_flag(&argc, argv, &c.json);
	if (err)
		return err;
	err = dio_cmd_parse(&c, argc, argv);
	if (err)
		return err;
	t = dio_shell_open(argv[2], c.write);
	if (!t)
		return -EINVAL;
	if (c.hipri && !t->disk->queue->poll_enabled) {
		shell_error("dio: %s: no poll queues for hipri (boot with nvme_poll_queues= or "
			    "virtio_blk.poll_queues=)", t->disk->name);
		dio_target_close(t);
		return -EINVAL;
	}
	err = dio_cmd_run(&c, t, argv[2]);
	dio_target_close(t);
	return err;
}
SHELL_COMMAND(dio, cmd_dio,
	      "dio read|write <target> <offset> <length> [buf=contig|scattered|stack] "
	      "[buf_offset=N] [async] [hipri] [pattern=<byte>|seq] [--json]",
	      "direct-IO from any buffer to a disk or a file <disk>:<path>");

/* --- ls and stat ---------------------------------------------------------- */

static const char *dio_inode_type(u16 mode)
{
	switch (mode & EXT4_S_IFMT) {
	case EXT4_S_IFREG:
		return "file";
	case EXT4_S_IFDIR:
		return "dir";
	case EXT4_S_IFLNK:
		return "link";
	default:
		return "other";
	}
}

static int dio_ls_entry(void *arg, const char *name, u32 name_len, u32 ino, u8 file_type)
{
	struct ext4_fs *fs = arg;
	struct ext4_inode inode;
	char buf[EXT4_NAME_MAX + 1];

	(void)file_type;
	memcpy(buf, name, name_len);
	buf[name_len] = '\0';
	if (ext4_inode_read(fs, ino, &inode)) {
		printf("%10u %-5s %12s %s\n", ino, "?", "?", buf);
		return 0;
	}
	printf("%10u %-5s %12llu %s\n", ino, dio_inode_type(inode.mode),
	       (unsigned long long)inode.size, buf);
	return 0;
}

/* Mount name's disk and look its path up: what ls and stat share. */
static struct dio_target *dio_shell_lookup(const char *name, struct ext4_inode *inode)
{
	char disk[DISK_NAME_LEN];
	const char *colon = strchr(name, ':');
	struct dio_target *t;
	const char *why;
	int err;

	if (!colon || (size_t)(colon - name) >= sizeof(disk)) {
		shell_error("'%s': name a file as <disk>:<path>", name);
		return NULL;
	}
	strlcpy(disk, name, (size_t)(colon - name) + 1);
	err = dio_target_open_fs(disk, &t, &why);
	if (err == -ENODEV) {
		blk_cmd_disk_error(disk);
		return NULL;
	}
	if (err) {
		shell_error("%s: %s%s%s", disk,
			    err == -ENOTSUP ? "unsupported feature " :
					      "no ext2/ext3/ext4 filesystem: ",
			    why ? why : errno_name(err), "");
		return NULL;
	}
	err = ext4_path_lookup(t->fs, colon + 1, inode);
	if (err) {
		shell_error("%s: %s", name, errno_name(err));
		dio_target_close(t);
		return NULL;
	}
	return t;
}

static int cmd_ls(int argc, char **argv)
{
	struct ext4_inode dir;
	struct dio_target *t;
	int err;

	if (argc != 2)
		return shell_usage_error(argv[0]);
	t = dio_shell_lookup(argv[1], &dir);
	if (!t)
		return -EINVAL;
	if (!ext4_inode_is_dir(&dir)) {
		dio_ls_entry(t->fs, argv[1], (u32)strlen(argv[1]), dir.ino, 0);
		dio_target_close(t);
		return 0;
	}
	err = ext4_dir_iterate(t->fs, &dir, dio_ls_entry, t->fs);
	if (err)
		shell_error("%s: %s", argv[1], errno_name(err));
	dio_target_close(t);
	return err;
}
SHELL_COMMAND(ls, cmd_ls, "ls <disk>:<dir>",
	      "files of a directory on ext2/ext3/ext4: inode, type, size, name");

/* The extents of a file as filefrag -v prints them. */
static int dio_stat_extents(struct ext4_fs *fs, struct ext4_file *file)
{
	u64 nr_blocks = DIV_ROUND_UP(file->inode.size, fs->block_size);
	u64 lblk = 0, expected = 0;
	unsigned int n = 0;
	int err;

	printf(" ext:     logical_offset:        physical_offset: length:   expected: flags:\n");
	while (lblk < nr_blocks) {
		struct ext4_map m;

		err = ext4_file_map(fs, file, lblk, (u32)min(nr_blocks - lblk, 0xFFFFFFFFULL), &m);
		if (err)
			return err;
		if (m.state != EXT4_MAP_HOLE) {
			bool last;
			char exp[16] = "";

			if (n && m.pblk != expected)
				snprintf(exp, sizeof(exp), "%llu", (unsigned long long)expected);
			last = lblk + m.len >= nr_blocks;
			printf("%4u: %10llu..%10llu: %10llu..%10llu: %6u: %10s %s%s%s\n", n,
			       (unsigned long long)m.lblk, (unsigned long long)(m.lblk + m.len - 1),
			       (unsigned long long)m.pblk, (unsigned long long)(m.pblk + m.len - 1),
			       m.len, exp, m.state == EXT4_MAP_UNWRITTEN ? "unwritten" : "",
			       last && m.state == EXT4_MAP_UNWRITTEN ? "," : "", last ? "last,eof" : "");
			expected = m.pblk + m.len;
			n++;
		}
		lblk += m.len;
	}
	printf("%u extent%s found\n", n, n == 1 ? "" : "s");
	return 0;
}

static int cmd_stat(int argc, char **argv)
{
	struct ext4_file file;
	struct dio_target *t;
	int err = 0;

	if (argc != 2)
		return shell_usage_error(argv[0]);
	t = dio_shell_lookup(argv[1], &file.inode);
	if (!t)
		return -EINVAL;
	memset(&file.cache, 0, sizeof(file.cache));
	printf("%s: inode %u, %s, %s filesystem, %u-byte blocks\n", argv[1], file.inode.ino,
	       dio_inode_type(file.inode.mode), t->fs->type, t->fs->block_size);
	printf("File size of %s is %llu (%llu blocks of %u bytes)\n", argv[1],
	       (unsigned long long)file.inode.size,
	       (unsigned long long)DIV_ROUND_UP(file.inode.size, t->fs->block_size),
	       t->fs->block_size);
	printf("blocks allocated: %llu (512-byte units, as stat's %%b)\n",
	       (unsigned long long)file.inode.blocks_512);
	if (ext4_inode_is_reg(&file.inode) || ext4_inode_is_dir(&file.inode))
		err = dio_stat_extents(t->fs, &file);
	if (err)
		shell_error("%s: %s", argv[1], errno_name(err));
	dio_target_close(t);
	return err;
}
SHELL_COMMAND(stat, cmd_stat, "stat <disk>:<path>",
	      "size, blocks and extents (as filefrag -v) of a file on ext2/ext3/ext4");

/* --- files for read and sum (block/dio_shell.h) --------------------------- */

/* A number of the file's blocks, or bytes with a suffix in multiples of 512. */
static int dio_shell_parse_blocks(const char *what, const char *s, u32 bs, u64 *out)
{
	u64 v;

	if (!parse_u64(s, &v)) {
		if (v > (~0ULL >> 17))
			return shell_error("%s '%s' is too large", what, s);
		*out = v * bs;
		return 0;
	}
	if (parse_size(s, &v) || v % SECTOR_SIZE)
		return shell_error("bad %s '%s' (blocks of the file, or bytes in multiples of 512 "
				   "with a suffix)", what, s);
	*out = v;
	return 0;
}

int dio_shell_file_read(const char *name, const char *lba_s, const char *count_s,
			u64 max_bytes, dio_shell_consume_fn consume, void *arg, u64 *first,
			u64 *bytes)
{
	const u64 chunk = 1ULL << 20;
	struct dio_target *t = dio_shell_open(name, false);
	u64 off, len, done = 0;
	unsigned int order = 8;	/* 1 MiB */
	struct dio d;
	u8 *buf;
	int err = 0;

	*bytes = 0;
	if (!t)
		return -EINVAL;
	if (!t->file) {
		dio_target_close(t);
		return shell_error("'%s' is not a file", name);
	}
	len = t->block_size;
	if (dio_shell_parse_blocks("lba", lba_s, t->block_size, &off) ||
	    (count_s && dio_shell_parse_blocks("count", count_s, t->block_size, &len))) {
		dio_target_close(t);
		return -EINVAL;
	}
	if (len > max_bytes) {
		dio_target_close(t);
		return shell_error("at most %llu bytes", (unsigned long long)max_bytes);
	}
	*first = off;
	buf = page_alloc(order);
	if (!buf || dio_alloc(&d, chunk, SECTOR_SIZE)) {
		if (buf)
			page_free(buf, order);
		dio_target_close(t);
		return shell_error("no memory for an I/O buffer");
	}
	while (done < len) {
		u64 n = min(len - done, chunk);
		s64 ret = dio_rw(&d, REQ_OP_READ, t, buf, n, off + done, NULL, NULL);

		if (ret < 0) {
			err = shell_error("read of %s failed at byte %llu: %s", name,
					  (unsigned long long)(off + done), errno_name((int)ret));
			break;
		}
		consume(arg, buf, (size_t)ret, off + done);
		done += (u64)ret;
		if ((u64)ret < n)
			break;	/* the end of the file */
	}
	*bytes = done;
	dio_free(&d);
	page_free(buf, order);
	dio_target_close(t);
	return err;
}
