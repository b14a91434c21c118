/*
 * Direct-IO: a transfer between any kernel virtual buffer (a thread's
 * stack, a vmap()ed scattered allocation, a physically contiguous one) and
 * a disk or a file on an ext2/ext3/ext4 disk, in the shape of Linux's
 * fs/direct-io.c. The buffer's pages are found by walking the page tables
 * and handed to the disk as they are (no copy); the transfer is split into
 * bios at the file's block boundaries where it is not contiguous on the
 * disk and at the queue's max_sectors, contiguous blocks merged. Alignment,
 * holes, unwritten extents and the end of file follow block/dio_plan.h.
 *
 * A target (struct dio_target) names what is read or written: a disk
 * ("vda", "vda1", "dm-0") maps to itself; "<disk>:<path>" opens a regular
 * file through block/fs/ext4.h. Writes to files overwrite their allocated
 * blocks in place. On ext2, a write into a hole or past the end of the
 * file allocates blocks (block/fs/ext2_alloc.h) and zeroes the parts of a
 * new block it does not cover, and grows i_size. Elsewhere (ext3, ext4:
 * journalled metadata) a write into a hole or an unwritten extent, or past
 * the end of the file, is refused (-ENOTSUP / -EFBIG) before any I/O is
 * issued, so a refused write changes nothing.
 *
 * Completion: synchronous (dio_rw() with no end_io: it sleeps and returns
 * the byte count or an error) or asynchronous (end_io(dio, result) runs
 * once, in interrupt or polling context, when the last bio ends). The dio
 * holds one reference per bio in flight plus one for the submitter; the
 * first error of any bio is the result, reported once.
 *
 * The buffer's pages must stay mapped until completion: kernel memory in
 * stork is never paged out or moved, so the caller's ownership is the hold
 * (Linux's kernel-vector iterators pin nothing either).
 */
#ifndef BLOCK_DIO_H
#define BLOCK_DIO_H

#include "lib/types.h"
#include "block/blkdev.h"
#include "block/dio_plan.h"
#include "block/fs/ext4.h"
#include "kernel/sched/wait.h"

struct dio_target {
	struct gendisk *disk;
	u64 size;		/* bytes: the disk's capacity or the file's i_size */
	u32 block_size;		/* of the mapping: the disk's logical block or the fs block */
	u32 dev_block_size;	/* the disk's logical block size */
	/* a file: NULL for a disk */
	struct ext4_fs *fs;
	struct ext4_file *file;
	bool allocate;		/* opened for writing on ext2: holes get blocks */
};

/*
 * Open target "<disk>" or "<disk>:<path>" (write: for writing). Returns 0
 * with *out set, or -ENODEV (no such disk), -EINVAL (no ext2/3/4 on it,
 * not a regular file, a bad path), -ENOTSUP (a feature stork does not
 * understand, named in *why), -EROFS (a write to a read-only disk or
 * filesystem: *why says which feature), -ENOENT, -ENOTDIR, -ELOOP,
 * -EUCLEAN, -ENOMEM, or a read error. why may be NULL.
 */
int dio_target_open(const char *name, bool write, struct dio_target **out, const char **why);
/*
 * The filesystem on disk, mounted for ls and stat: t->fs set, t->file
 * NULL; not a target for dio_rw(). Errors as dio_target_open().
 */
int dio_target_open_fs(const char *disk, struct dio_target **out, const char **why);
void dio_target_close(struct dio_target *t);

struct dio;
/* result: bytes transferred (short at the end of a file or disk) or a negative errno */
typedef void (*dio_end_io_fn)(struct dio *dio, s64 result);

struct dio {
	/* the caller's, before dio_rw() */
	void *private;
	u16 bio_flags;		/* or-ed into every bio: REQ_POLLED (fio's hipri) */
	/* storage for the bios and vectors of one transfer: dio_alloc() */
	struct bio *bios;
	u32 max_bios;
	struct bio_vec *vecs;
	u32 max_vecs;
	u64 max_length;
	/* per transfer; refs and error change atomically from completions */
	struct dio_target *target;
	dio_end_io_fn end_io;
	u32 refs;
	int error;
	u64 bytes;		/* reported on success */
	struct completion done;	/* synchronous transfers wait here */
	/* what the last transfer did */
	u32 nr_bios;
	u32 nr_vecs;
	u32 get_block_calls;
};

/*
 * Room in d for a transfer of up to max_length bytes whatever its alignment
 * and mapping (the worst case: every unit its own bio). Allocated once, so
 * that a benchmark issuing I/O after I/O allocates nothing per I/O.
 * 0 or -ENOMEM.
 */
int dio_alloc(struct dio *d, u64 max_length, u32 min_unit);
void dio_free(struct dio *d);

/*
 * Read (op REQ_OP_READ) or write (REQ_OP_WRITE) length bytes at byte offset
 * of target to/from buf. Without end_io: waits, returns the bytes
 * transferred or a negative errno. With end_io: returns 0 when the
 * transfer is under way (end_io will run exactly once, possibly before
 * dio_rw returns), or a negative errno when it was refused up front (no
 * end_io then). Refusals: -EINVAL misaligned (see dio_align_unit), too long
 * for dio_alloc's room, or a buffer address not mapped; -EROFS, -ENOTSUP
 * (write into a hole or unwritten extent), -EFBIG (write past the end of a
 * file). *misalign (may be NULL) says what was misaligned.
 *
 * With REQ_POLLED in d->bio_flags the bios go to the queue's poll queues
 * (when it has them): an asynchronous caller must poll the queue
 * (blk_mq_poll) for end_io to run; a synchronous one polls it here.
 */
s64 dio_rw(struct dio *d, u8 op, struct dio_target *target, void *buf, u64 length, u64 offset,
	   dio_end_io_fn end_io, enum dio_misalign *misalign);

#endif
