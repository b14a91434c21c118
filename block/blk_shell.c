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
 *	lsblk [--json]				disks and their partitions
 *
 * lba and count are in the disk's logical blocks; a number with a size
 * suffix ("4k", "1m") is bytes instead and must be a whole number of blocks.
 * read and sum also take a file "<disk>:<path>" on ext2/ext3/ext4, in the
 * file's blocks, through direct-IO (block/dio_shell.h), stopping at its end.
 * Data goes through blk_rw_wait() one chunk (1 MiB of physically contiguous
 * pages, allocated per command) at a time, so any range works, progress is
 * shown on long runs, and Ctrl-C stops between two chunks, or during one:
 * an I/O the device does not end is left in flight with its buffer
 * (block/blk_rw_detach.h) and `inflight` lists it. The seq pattern
 * is defined in block/blk_pattern.h.
 */
#include "block/bio.h"
#include "block/blk_disk_shell.h"
#include "block/blk_internal.h"
#include "block/blk_mq.h"
#include "block/blk_pattern.h"
#include "block/dio_shell.h"
#include "block/blk_rw_detach.h"
#include "kernel/console/console.h"
#include "kernel/mm/page_alloc.h"
#include "kernel/shell/shell.h"
#include "kernel/time/time.h"
#include "lib/crc32.h"
#include "lib/errno.h"
#include "lib/hexdump.h"
#include "lib/json.h"
#include "lib/parse.h"
#include "lib/printf.h"
#include "lib/string.h"

#define BLK_CMD_CHUNK_ORDER 8			/* 1 MiB */
#define BLK_CMD_READ_MAX (1U << 20)		/* bytes `read` prints at most */
#define BLK_CMD_PROGRESS_NS (2 * NSEC_PER_SEC)
/* discard and write-zeroes: pieces that fit a bio's u32 size */
#define BLK_CMD_NODATA_MAX (1ULL << 30)

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

/* A command's range lets go of its disk on every return (see __blk_cmd_put). */
static void blk_range_release(struct blk_range *r)
{
	if (r->disk)
		blkdev_put(r->disk);
}
#define BLK_RANGE(r) struct blk_range r __attribute__((cleanup(blk_range_release))) = { 0 }

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

/* One error line for a failed I/O of count blocks at lba. */
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
	if (c->data)		/* NULL once a left I/O took it */
		page_free(c->data, c->order);
}

static void blk_chunk_release(void *data, unsigned long order)
{
	page_free(data, (unsigned int)order);
}

/*
 * One I/O of count blocks at lba, with c's buffer (NULL: no data). Ctrl-C
 * while the device holds it returns -EINTR at once and leaves the I/O in
 * flight; the buffer goes with it (c->data becomes NULL) and is freed when
 * the device ends the I/O or the block layer's timeout does.
 */
static int blk_cmd_io(const struct blk_range *r, u8 op, u64 lba, u64 count,
		      struct blk_chunk *c, u16 flags)
{
	struct blk_rw_buf buf = { c ? c->data : NULL, blk_chunk_release, c ? c->order : 0 };
	u64 sector = op == REQ_OP_FLUSH ? 0 : blk_range_sector(r, lba);
	int err;

	err = blk_rw_wait(r->disk, op, sector, c ? &buf : NULL, count * r->lbs, flags,
			  console_interrupted);
	if (err != -EINTR)
		return err;
	if (c)
		c->data = NULL;
	printf("%s of %s at lba %llu (%llu blocks) is still in flight: the device has not ended it; it keeps its request%s until it ends or times out ('inflight' lists it)\n",
	       blk_op_names[op], r->disk->name, (unsigned long long)lba,
	       (unsigned long long)count, c ? " and buffer" : "");
	return err;
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

static void blk_file_hexdump(void *arg, const u8 *data, size_t len, u64 off)
{
	(void)arg;
	blk_hexdump(data, len, off);
}

static int cmd_read(int argc, char **argv)
{
	BLK_RANGE(r);
	struct blk_chunk c;
	size_t len;
	int err;

	if (argc < 3 || argc > 4)
		return shell_usage_error(argv[0]);
	if (strchr(argv[1], ':')) {
		u64 first, bytes;

		return dio_shell_file_read(argv[1], argv[2], argc == 4 ? argv[3] : NULL,
					   BLK_CMD_READ_MAX, blk_file_hexdump, NULL, &first, &bytes);
	}
	err = blk_range_parse(&r, argv[1], argv[2], argc == 4 ? argv[3] : NULL);
	if (err)
		return err;
	if (r.count > BLK_CMD_READ_MAX / r.lbs)
		return shell_error("read prints at most %u KiB (%u blocks of %u bytes); sum checks larger ranges",
				   BLK_CMD_READ_MAX >> 10, BLK_CMD_READ_MAX / r.lbs, r.lbs);
	len = r.count * r.lbs;
	if (blk_chunk_alloc(&c, (u32)len))
		return -ENOMEM;
	err = blk_cmd_io(&r, REQ_OP_READ, r.lba, r.count, &c, 0);
	if (err && err != -EINTR)
		blk_cmd_io_error(&r, REQ_OP_READ, r.lba, r.count, err);
	else if (!err)
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
	BLK_RANGE(r);
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
		err = blk_cmd_io(&r, REQ_OP_WRITE, lba, n, &c, flags);
		if (err == -EINTR) {
			blk_cmd_stopped(&r, done);
			break;
		}
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

static int sum_print_json(const struct blk_range *r, u32 crc)
{
	struct json_writer w;

	shell_json_begin(&w);
	json_object_begin(&w);
	json_field_str(&w, "disk", r->disk->name);
	json_field_u64(&w, "lba", r->lba);
	json_field_u64(&w, "count", r->count);
	json_field_u64(&w, "bytes", r->count * r->lbs);
	/* a string, as zlib users print it: 8 lowercase hex digits */
	json_key(&w, "crc32");
	json_stringf(&w, "%08x", crc);
	json_object_end(&w);
	return shell_json_end(&w);
}

static void blk_file_crc(void *arg, const u8 *data, size_t len, u64 off)
{
	(void)off;
	*(u32 *)arg = crc32(*(u32 *)arg, data, len);
}

/* sum of a file: the bytes up to its end, so that the host's zlib.crc32 of the file agrees */
static int blk_file_sum(char **argv, bool json)
{
	u64 first, bytes;
	u32 crc = 0;
	int err = dio_shell_file_read(argv[1], argv[2], argv[3], ~0ULL, blk_file_crc, &crc, &first,
				      &bytes);

	if (err)
		return err;
	if (json) {
		struct json_writer w;

		shell_json_begin(&w);
		json_object_begin(&w);
		json_field_str(&w, "file", argv[1]);
		json_field_u64(&w, "offset", first);
		json_field_u64(&w, "bytes", bytes);
		json_key(&w, "crc32");
		json_stringf(&w, "%08x", crc);
		json_object_end(&w);
		return shell_json_end(&w);
	}
	printf("%08x\n", crc);
	return 0;
}

static int cmd_sum(int argc, char **argv)
{
	struct blk_progress progress;
	BLK_RANGE(r);
	struct blk_chunk c;
	bool json = false;
	u64 done = 0;
	u32 crc = 0;
	int err;

	err = shell_json_flag(&argc, argv, &json);
	if (err)
		return err;
	if (argc != 4)
		return shell_usage_error(argv[0]);
	if (strchr(argv[1], ':'))
		return blk_file_sum(argv, json);
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
		err = blk_cmd_io(&r, REQ_OP_READ, lba, n, &c, 0);
		if (err == -EINTR) {
			blk_cmd_stopped(&r, done);
			break;
		}
		if (err) {
			blk_cmd_io_error(&r, REQ_OP_READ, lba, n, err);
			break;
		}
		crc = crc32(crc, c.data, n * r.lbs);
		done += n;
		blk_progress_show(&progress, &r, done);
	}
	if (!err && json)
		err = sum_print_json(&r, crc);
	else if (!err)
		printf("%08x\n", crc);
	blk_chunk_free(&c);
	return err;
}
SHELL_COMMAND(sum, cmd_sum, "sum <dev>|<disk>:<path> <lba> <count> [--json]",
	      "CRC-32 (zlib's crc32) of count logical blocks, as 8 hex digits");

/* ---- flush, discard, write-zeroes ------------------------------------------ */

static int cmd_flush(int argc, char **argv)
{
	BLK_RANGE(r);
	int err;

	if (argc != 2)
		return shell_usage_error(argv[0]);
	r.disk = blk_cmd_disk(argv[1]);
	if (!r.disk)
		return -ENODEV;
	err = blk_cmd_io(&r, REQ_OP_FLUSH, 0, 0, NULL, 0);
	if (err == -EINTR)
		return err;
	if (err)
		return blk_cmd_io_error(&r, REQ_OP_FLUSH, 0, 0, err);
	printf("flushed %s\n", r.disk->name);
	return 0;
}
SHELL_COMMAND(flush, cmd_flush, "flush <dev>", "write the disk's volatile cache back");

/* discard and write-zeroes: no data, in pieces a bio's size can hold */
static int blk_cmd_nodata(int argc, char **argv, u8 op, const char *did)
{
	BLK_RANGE(r);
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
		err = blk_cmd_io(&r, op, lba, n, NULL, 0);
		if (err == -EINTR)
			return blk_cmd_stopped(&r, done);
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

/* --- inflight --- */

static void inflight_print(const struct blk_rw_detached_info *i, void *arg)
{
	printf("  %-10s %-12s sector %-12llu %8u bytes  for %llu ms\n", i->disk,
	       blk_op_names[i->op], (unsigned long long)i->sector, i->bytes,
	       (unsigned long long)(i->age_ns / NSEC_PER_MSEC));
}

static int cmd_inflight(int argc, char **argv)
{
	unsigned int n;

	if (argc != 1)
		return shell_usage_error(argv[0]);
	n = blk_rw_detached_for_each(NULL, NULL);
	printf("%u I/O%s left in flight by interrupted commands\n", n, n == 1 ? "" : "s");
	if (n)
		blk_rw_detached_for_each(inflight_print, NULL);
	return 0;
}
SHELL_COMMAND(inflight, cmd_inflight, "inflight",
	      "I/Os whose command was stopped by Ctrl-C and that the device has not ended");

/* --- lsblk --- */

/* "512M", "1.5G", "931.5K": one decimal when it is not whole, as lsblk does */
static const char *size_human(u64 bytes, char *buf, size_t len)
{
	static const char units[] = "BKMGTP";
	u64 unit = 1, tenths;
	int u = 0;

	while (u < 5 && bytes >= unit * 1024) {
		unit *= 1024;
		u++;
	}
	tenths = (bytes / unit) * 10 + ((bytes % unit) * 10 + unit / 2) / unit;

	if (u == 0 || tenths % 10 == 0)
		snprintf(buf, len, "%llu%c", (unsigned long long)(tenths / 10), units[u]);
	else
		snprintf(buf, len, "%llu.%llu%c", (unsigned long long)(tenths / 10),
			 (unsigned long long)(tenths % 10), units[u]);
	return buf;
}

static unsigned int disk_poll_queues(const struct request_queue *q)
{
	return q->tag_set ? q->tag_set->nr_poll_queues : 0;	/* bio-based: no tag set */
}

static void hwq_text(const struct request_queue *q, char *buf, size_t len)
{
	unsigned int poll = disk_poll_queues(q);

	if (!q->tag_set)
		snprintf(buf, len, "-");
	else if (poll)
		snprintf(buf, len, "%u+%up", q->nr_hw_queues - poll, poll);
	else
		snprintf(buf, len, "%u", q->nr_hw_queues);
}

static void lsblk_print_line(const struct gendisk *disk)
{
	const struct request_queue *q = disk->queue;
	char size[16], hwq[16], name[DISK_NAME_LEN + 2], parents[128] = "";

	snprintf(name, sizeof(name), "%s%s", disk->partno ? "`-" : "", disk->name);
	hwq_text(q, hwq, sizeof(hwq));
	if (!disk->partno && disk->parents)
		disk->parents((struct gendisk *)disk, parents, sizeof(parents));
	printf("%-12s %-10s %7s %7u %7u %5s %-6s %2d%s%s\n", name, disk->driver ? disk->driver : "-",
	       size_human(disk->capacity << SECTOR_SHIFT, size, sizeof(size)),
	       q->limits.logical_block_size, q->limits.physical_block_size, hwq,
	       elevator_name(q), disk->read_only ? 1 : 0, parents[0] ? " parents=" : "", parents);
}

/* The fields of one disk or partition; the caller closes the object. */
static void lsblk_json_fields(struct json_writer *w, const struct gendisk *disk)
{
	const struct request_queue *q = disk->queue;
	char size[16];

	json_field_str(w, "name", disk->name);
	json_field_str(w, "driver", disk->driver ? disk->driver : "");
	json_field_u64(w, "size", disk->capacity << SECTOR_SHIFT);
	json_field_str(w, "size_human", size_human(disk->capacity << SECTOR_SHIFT, size,
						   sizeof(size)));
	json_field_u64(w, "log_sec", q->limits.logical_block_size);
	json_field_u64(w, "phy_sec", q->limits.physical_block_size);
	json_field_u64(w, "hw_queues", q->nr_hw_queues - disk_poll_queues(q));
	json_field_u64(w, "poll_queues", disk_poll_queues(q));
	json_field_str(w, "sched", elevator_name(q));
	json_field_bool(w, "ro", disk->read_only);
	json_field_u64(w, "start", disk->part_offset);
	if (!disk->partno && disk->parents) {
		char parents[128] = "";

		disk->parents((struct gendisk *)disk, parents, sizeof(parents));
		json_field_str(w, "parents", parents);
	}
}

/*
 * One whole disk and its partitions, as a line each or (arg: a JSON
 * writer) as an object with its partitions as children; called with the
 * disk registry locked.
 */
static int lsblk_one(struct gendisk *disk, void *arg)
{
	struct json_writer *w = arg;
	struct gendisk *part;

	if (disk->whole != disk)
		return 0;	/* printed under their disk */
	if (!w) {
		lsblk_print_line(disk);
		list_for_each_entry(part, &disk->parts, part_link)
			lsblk_print_line(part);
		return 0;
	}
	json_object_begin(w);
	lsblk_json_fields(w, disk);
	json_key(w, "children");
	json_array_begin(w);
	list_for_each_entry(part, &disk->parts, part_link) {
		json_object_begin(w);
		lsblk_json_fields(w, part);
		json_field_s64(w, "partno", part->partno);
		json_object_end(w);
	}
	json_array_end(w);
	json_object_end(w);
	return 0;
}

static int cmd_lsblk(int argc, char **argv)
{
	struct json_writer w;
	bool json = false;
	int err;

	err = shell_json_flag(&argc, argv, &json);
	if (err)
		return err;
	if (argc != 1)
		return shell_usage_error(argv[0]);
	if (!json) {
		printf("%-12s %-10s %7s %7s %7s %5s %-6s %2s\n", "NAME", "DRIVER", "SIZE",
		       "LOG-SEC", "PHY-SEC", "HWQ", "SCHED", "RO");
		disk_for_each(lsblk_one, NULL);
		return 0;
	}
	shell_json_begin(&w);
	json_object_begin(&w);
	json_key(&w, "blockdevices");
	json_array_begin(&w);
	disk_for_each(lsblk_one, &w);
	json_array_end(&w);
	json_object_end(&w);
	return shell_json_end(&w);
}
SHELL_COMMAND(lsblk, cmd_lsblk, "lsblk [--json]",
	      "block devices: size, block sizes, hardware queues, scheduler");
