/*
 * Shell commands that move data to and from a disk, for people checking a
 * driver by hand and for the QEMU tests, which compare what they see with
 * the disk image on the host:
 *
 *	read <dev> <lba> [count]		hexdump -C of the blocks
 *	write <dev> <lba> <count> pattern=<byte>|seq [fua]
 *	sum <dev> <lba> <count> [--json]	zlib's CRC-32 of the range
 *	flush <dev>
 *	discard <dev> <lba> <count>
 *	write-zeroes <dev> <lba> <count>
 *
 * lba and count are in the disk's logical blocks; a number with a size
 * suffix ("4k", "1m") is bytes instead and must be a whole number of blocks.
 * Data goes through blk_rw_sync() one chunk (1 MiB of physically contiguous
 * pages, allocated per command) at a time, so any range works, progress is
 * shown on long runs, and Ctrl-C stops between two chunks. The seq pattern
 * is defined in block/blk_pattern.h.
 */
#include "block/bio.h"
#include "block/blk-cmd.h"
#include "block/blk-mq.h"
#include "block/blk_pattern.h"
#include "kernel/console.h"
#include "kernel/page_alloc.h"
#include "kernel/shell.h"
#include "kernel/time.h"
#include "lib/crc32.h"
#include "lib/errno.h"
#include "lib/hexdump.h"
#include "lib/parse.h"
#include "lib/printf.h"
#include "lib/string.h"

#define BLK_CMD_CHUNK_ORDER 8			/* 1 MiB */
#define BLK_CMD_READ_MAX (1U << 20)		/* bytes `read` prints at most */
#define BLK_CMD_PROGRESS_NS (2 * NSEC_PER_SEC)
/* discard and write-zeroes: pieces that fit a bio's u32 size */
#define BLK_CMD_NODATA_MAX (1ULL << 30)

struct disk_list {
	char *buf;
	size_t len, used;
};

static int disk_list_add(struct gendisk *disk, void *arg)
{
	struct disk_list *l = arg;
	int n = snprintf(l->buf + l->used, l->len - l->used, "%s%s", l->used ? " " : "",
			 disk->name);

	if (n < 0 || (size_t)n >= l->len - l->used) {
		l->buf[l->used] = '\0';
		return 1;
	}
	l->used += (size_t)n;
	return 0;
}

struct gendisk *blk_cmd_disk(const char *name)
{
	struct gendisk *disk = disk_find(name);
	char names[200];
	struct disk_list l = { names, sizeof(names), 0 };

	if (disk)
		return disk;
	names[0] = '\0';
	disk_for_each(disk_list_add, &l);
	shell_error("no disk '%s' (%s%s)", name, l.used ? "disks: " : "there are no disks",
		    names);
	return NULL;
}

bool blk_cmd_take_flag(int *argc, char **argv, const char *flag)
{
	bool found = false;
	int out = 1;

	for (int i = 1; i < *argc; i++) {
		if (!strcmp(argv[i], flag))
			found = true;
		else
			argv[out++] = argv[i];
	}
	argv[out] = NULL;
	*argc = out;
	return found;
}

/* A range of logical blocks of one disk, checked against its size. */
struct blk_range {
	struct gendisk *disk;
	u32 lbs;		/* logical block size, bytes */
	u64 nr_blocks;		/* the disk's size in logical blocks */
	u64 lba, count;
};

static u64 blk_range_sector(const struct blk_range *r, u64 lba)
{
	return lba * (r->lbs >> SECTOR_SHIFT);
}

/* A bare number counts blocks; with a size suffix it is bytes, a whole number of blocks. */
static int blk_cmd_parse_blocks(const char *what, const char *s, u32 lbs, u64 *out)
{
	u64 v;
	int err = parse_u64(s, &v);

	if (!err) {
		*out = v;
		return 0;
	}
	if (err == -ERANGE)
		return shell_error("%s '%s' is too large", what, s);
	if (parse_size(s, &v))
		return shell_error("bad %s '%s' (a number of blocks, or bytes with a suffix: 4k, 1m)",
				   what, s);
	if (v % lbs)
		return shell_error("%s %s is not a multiple of the logical block size (%u bytes)",
				   what, s, lbs);
	*out = v / lbs;
	return 0;
}

/* Fill r from "<dev> <lba> [count]"; count_s NULL means one block. */
static int blk_range_parse(struct blk_range *r, const char *dev, const char *lba_s,
			   const char *count_s)
{
	r->disk = blk_cmd_disk(dev);
	if (!r->disk)
		return -ENODEV;
	r->lbs = r->disk->queue->limits.logical_block_size;
	r->nr_blocks = (r->disk->capacity << SECTOR_SHIFT) / r->lbs;
	r->count = 1;
	if (blk_cmd_parse_blocks("lba", lba_s, r->lbs, &r->lba))
		return -EINVAL;
	if (count_s && blk_cmd_parse_blocks("count", count_s, r->lbs, &r->count))
		return -EINVAL;
	if (r->count == 0)
		return shell_error("count must be at least 1 block");
	if (r->lba >= r->nr_blocks || r->count > r->nr_blocks - r->lba)
		return shell_error("lba %llu + count %llu is past the end of %s (%llu blocks of %u bytes, %llu bytes)",
				   (unsigned long long)r->lba, (unsigned long long)r->count,
				   r->disk->name, (unsigned long long)r->nr_blocks, r->lbs,
				   (unsigned long long)r->nr_blocks * r->lbs);
	return 0;
}

static int blk_cmd_writable(const struct gendisk *disk)
{
	if (disk->read_only || disk->whole->read_only)
		return shell_error("%s is read-only", disk->name);
	return 0;
}

static const char *const blk_op_names[REQ_OP_COUNT] = {
	[REQ_OP_READ] = "read",
	[REQ_OP_WRITE] = "write",
	[REQ_OP_FLUSH] = "flush",
	[REQ_OP_DISCARD] = "discard",
	[REQ_OP_WRITE_ZEROES] = "write-zeroes",
};

/* One error line for a failed blk_rw_sync of count blocks at lba. */
static int blk_cmd_io_error(const struct blk_range *r, u8 op, u64 lba, u64 count, int err)
{
	if (err == -EROFS)
		return shell_error("%s is read-only (EROFS)", r->disk->name);
	if (err == -ENOTSUP)
		shell_error("%s cannot %s (ENOTSUP)", r->disk->name, blk_op_names[op]);
	else if (op == REQ_OP_FLUSH)
		shell_error("flush of %s failed: %s", r->disk->name, errno_name(err));
	else
		shell_error("%s of %s failed at lba %llu (%llu blocks): %s", blk_op_names[op],
			    r->disk->name, (unsigned long long)lba, (unsigned long long)count,
			    errno_name(err));
	return err;
}

/* The chunk buffer: physically contiguous, up to 1 MiB, at least one block. */
struct blk_chunk {
	void *data;
	unsigned int order;
	size_t len;
};

static int blk_chunk_alloc(struct blk_chunk *c, u32 lbs)
{
	*c = (struct blk_chunk){ 0 };
	for (int order = BLK_CMD_CHUNK_ORDER; order >= 0; order--) {
		if ((PAGE_SIZE << order) < lbs)
			break;
		c->data = page_alloc((unsigned int)order);
		if (c->data) {
			c->order = (unsigned int)order;
			c->len = PAGE_SIZE << order;
			return 0;
		}
	}
	shell_error("no memory for an I/O buffer");
	return -ENOMEM;
}

static void blk_chunk_free(struct blk_chunk *c)
{
	page_free(c->data, c->order);
}

/* Progress of a long loop over a range, one line every BLK_CMD_PROGRESS_NS. */
struct blk_progress {
	u64 start_ns, next_ns;
	bool quiet;
};

static void blk_progress_start(struct blk_progress *p, bool quiet)
{
	p->start_ns = time_ns();
	p->next_ns = p->start_ns + BLK_CMD_PROGRESS_NS;
	p->quiet = quiet;
}

static void blk_progress_show(struct blk_progress *p, const struct blk_range *r, u64 done)
{
	u64 now = time_ns();
	u64 bytes = done * r->lbs;

	if (p->quiet || now < p->next_ns)
		return;
	p->next_ns = now + BLK_CMD_PROGRESS_NS;
	printf("  %llu of %llu MiB, %llu MiB/s\n", (unsigned long long)(bytes >> 20),
	       (unsigned long long)((r->count * r->lbs) >> 20),
	       (unsigned long long)((bytes >> 20) * NSEC_PER_SEC / (now - p->start_ns)));
}

static int blk_cmd_stopped(const struct blk_range *r, u64 done)
{
	printf("stopped after %llu of %llu blocks\n", (unsigned long long)done,
	       (unsigned long long)r->count);
	return -EINTR;
}

/* ---- read ---------------------------------------------------------------- */

static void blk_hexdump(const u8 *data, size_t len, u64 offset)
{
	char line[HEXDUMP_LINE_MAX];
	bool squeezing = false;

	for (size_t i = 0; i < len; i += HEXDUMP_LINE_BYTES) {
		size_t n = min(len - i, (size_t)HEXDUMP_LINE_BYTES);

		/* like hexdump -C: a line equal to the one before is one "*" */
		if (i && n == HEXDUMP_LINE_BYTES && !memcmp(data + i, data + i - n, n)) {
			if (!squeezing)
				puts("*\n");
			squeezing = true;
			continue;
		}
		squeezing = false;
		hexdump_line(line, sizeof(line), offset + i, data + i, n);
		printf("%s\n", line);
		if (console_interrupted())
			return;
	}
	printf("%08llx\n", (unsigned long long)(offset + len));
}

static int cmd_read(int argc, char **argv)
{
	struct blk_range r;
	struct blk_chunk c;
	size_t len;
	int err;

	if (argc < 3 || argc > 4)
		return shell_usage_error(argv[0]);
	err = blk_range_parse(&r, argv[1], argv[2], argc == 4 ? argv[3] : NULL);
	if (err)
		return err;
	if (r.count > BLK_CMD_READ_MAX / r.lbs)
		return shell_error("read prints at most %u KiB (%u blocks of %u bytes); sum checks larger ranges",
				   BLK_CMD_READ_MAX >> 10, BLK_CMD_READ_MAX / r.lbs, r.lbs);
	len = r.count * r.lbs;
	if (blk_chunk_alloc(&c, (u32)len))
		return -ENOMEM;
	err = blk_rw_sync(r.disk, REQ_OP_READ, blk_range_sector(&r, r.lba), c.data, len, 0);
	if (err)
		blk_cmd_io_error(&r, REQ_OP_READ, r.lba, r.count, err);
	else
		blk_hexdump(c.data, len, r.lba * r.lbs);
	blk_chunk_free(&c);
	return err;
}
SHELL_COMMAND(read, cmd_read, "read <dev> <lba> [count]",
	      "hexdump of count (default 1) logical blocks, at most 1 MiB");

/* ---- write ----------------------------------------------------------------- */

static int cmd_write(int argc, char **argv)
{
	struct blk_progress progress;
	struct blk_range r;
	struct blk_chunk c;
	const char *pattern = NULL;
	u16 flags = 0;
	u32 byte = 0;
	u64 done = 0, start;
	int err = 0;

	if (argc < 5 || argc > 6)
		return shell_usage_error(argv[0]);
	for (int i = 4; i < argc; i++) {
		if (!strcmp(argv[i], "fua"))
			flags |= REQ_FUA;
		else if (!strncmp(argv[i], "pattern=", 8))
			pattern = argv[i] + 8;
		else
			return shell_error("unknown option '%s' (pattern=<byte>|seq, fua)", argv[i]);
	}
	if (!pattern)
		return shell_error("pattern=<byte>|seq is missing");
	if (strcmp(pattern, "seq") && (parse_u32(pattern, &byte) || byte > 0xff))
		return shell_error("bad pattern '%s' (a byte, 0 .. 255 or 0x00 .. 0xff, or seq)",
				   pattern);
	err = blk_range_parse(&r, argv[1], argv[2], argv[3]);
	if (err)
		return err;
	if (blk_cmd_writable(r.disk))
		return -EROFS;
	if (blk_chunk_alloc(&c, r.lbs))
		return -ENOMEM;
	if (strcmp(pattern, "seq"))
		memset(c.data, (int)byte, c.len);
	blk_progress_start(&progress, false);
	start = progress.start_ns;
	while (done < r.count) {
		u64 lba = r.lba + done;
		u64 n = min(r.count - done, (u64)(c.len / r.lbs));
		u64 sector = blk_range_sector(&r, lba);

		if (console_interrupted()) {
			err = blk_cmd_stopped(&r, done);
			break;
		}
		if (!strcmp(pattern, "seq"))
			blk_pattern_seq_fill(c.data, n * r.lbs, sector);
		err = blk_rw_sync(r.disk, REQ_OP_WRITE, sector, c.data, n * r.lbs, flags);
		if (err) {
			blk_cmd_io_error(&r, REQ_OP_WRITE, lba, n, err);
			break;
		}
		done += n;
		blk_progress_show(&progress, &r, done);
	}
	if (!err) {
		u64 us = (time_ns() - start) / NSEC_PER_USEC;

		printf("wrote %llu blocks (%llu bytes) at lba %llu of %s in %llu us\n",
		       (unsigned long long)done, (unsigned long long)(done * r.lbs),
		       (unsigned long long)r.lba, r.disk->name, (unsigned long long)us);
	}
	blk_chunk_free(&c);
	return err;
}
SHELL_COMMAND(write, cmd_write, "write <dev> <lba> <count> pattern=<byte>|seq [fua]",
	      "write a byte (0x5a or 90) or seq: each 512-byte sector s holds s (u64 LE), then bytes (s + i) & 0xff");

/* ---- sum ------------------------------------------------------------------ */

static int cmd_sum(int argc, char **argv)
{
	bool json = blk_cmd_take_flag(&argc, argv, "--json");
	struct blk_progress progress;
	struct blk_range r;
	struct blk_chunk c;
	u64 done = 0;
	u32 crc = 0;
	int err = 0;

	if (argc != 4)
		return shell_usage_error(argv[0]);
	err = blk_range_parse(&r, argv[1], argv[2], argv[3]);
	if (err)
		return err;
	if (blk_chunk_alloc(&c, r.lbs))
		return -ENOMEM;
	blk_progress_start(&progress, json);
	while (done < r.count) {
		u64 lba = r.lba + done;
		u64 n = min(r.count - done, (u64)(c.len / r.lbs));

		if (console_interrupted()) {
			err = blk_cmd_stopped(&r, done);
			break;
		}
		err = blk_rw_sync(r.disk, REQ_OP_READ, blk_range_sector(&r, lba), c.data,
				  n * r.lbs, 0);
		if (err) {
			blk_cmd_io_error(&r, REQ_OP_READ, lba, n, err);
			break;
		}
		crc = crc32(crc, c.data, n * r.lbs);
		done += n;
		blk_progress_show(&progress, &r, done);
	}
	if (!err && json)
		printf("{\"disk\":\"%s\",\"lba\":%llu,\"count\":%llu,\"bytes\":%llu,\"crc32\":\"%08x\"}\n",
		       r.disk->name, (unsigned long long)r.lba, (unsigned long long)r.count,
		       (unsigned long long)(r.count * r.lbs), crc);
	else if (!err)
		printf("%08x\n", crc);
	blk_chunk_free(&c);
	return err;
}
SHELL_COMMAND(sum, cmd_sum, "sum <dev> <lba> <count> [--json]",
	      "CRC-32 (zlib's crc32) of count logical blocks, as 8 hex digits");

/* ---- flush, discard, write-zeroes ------------------------------------------ */

static int cmd_flush(int argc, char **argv)
{
	struct blk_range r = { 0 };
	int err;

	if (argc != 2)
		return shell_usage_error(argv[0]);
	r.disk = blk_cmd_disk(argv[1]);
	if (!r.disk)
		return -ENODEV;
	err = blk_rw_sync(r.disk, REQ_OP_FLUSH, 0, NULL, 0, 0);
	if (err)
		return blk_cmd_io_error(&r, REQ_OP_FLUSH, 0, 0, err);
	printf("flushed %s\n", r.disk->name);
	return 0;
}
SHELL_COMMAND(flush, cmd_flush, "flush <dev>", "write the disk's volatile cache back");

/* discard and write-zeroes: no data, in pieces a bio's size can hold */
static int blk_cmd_nodata(int argc, char **argv, u8 op, const char *did)
{
	struct blk_range r;
	u64 done = 0;
	int err;

	if (argc != 4)
		return shell_usage_error(argv[0]);
	err = blk_range_parse(&r, argv[1], argv[2], argv[3]);
	if (err)
		return err;
	if (blk_cmd_writable(r.disk))
		return -EROFS;
	while (done < r.count) {
		u64 lba = r.lba + done;
		u64 n = min(r.count - done, BLK_CMD_NODATA_MAX / r.lbs);

		if (console_interrupted())
			return blk_cmd_stopped(&r, done);
		err = blk_rw_sync(r.disk, op, blk_range_sector(&r, lba), NULL, n * r.lbs, 0);
		if (err)
			return blk_cmd_io_error(&r, op, lba, n, err);
		done += n;
	}
	printf("%s %llu blocks (%llu bytes) at lba %llu of %s\n", did, (unsigned long long)done,
	       (unsigned long long)(done * r.lbs), (unsigned long long)r.lba, r.disk->name);
	return 0;
}

static int cmd_discard(int argc, char **argv)
{
	return blk_cmd_nodata(argc, argv, REQ_OP_DISCARD, "discarded");
}
SHELL_COMMAND(discard, cmd_discard, "discard <dev> <lba> <count>",
	      "deallocate blocks (ENOTSUP when the disk cannot)");

static int cmd_write_zeroes(int argc, char **argv)
{
	return blk_cmd_nodata(argc, argv, REQ_OP_WRITE_ZEROES, "zeroed");
}
SHELL_COMMAND_NAMED(write_zeroes, "write-zeroes", cmd_write_zeroes, "write-zeroes <dev> <lba> <count>",
	      "make blocks read as zeroes without sending data");
