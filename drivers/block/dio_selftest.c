/*
 * Self tests of direct-IO (`selftest dio`) on a memory-backed null disk,
 * beside the block core's: data written through dio from each kind of
 * buffer (physically contiguous, vmap()ed pages in reverse physical order,
 * a thread's stack) reads back through blk_rw_sync() and through dio into
 * another kind, sync and async; the vectors follow the buffer's physical
 * layout; the end of the disk, misalignment and a too-small room give the
 * documented answers.
 */
#include "block/dio.h"
#include "drivers/block/null_blk.h"
#include "kernel/mm/mm.h"
#include "kernel/mm/page_alloc.h"
#include "kernel/mm/vmap.h"
#include "kernel/selftest/selftest.h"
#include "kernel/sched/wait.h"
#include "lib/errno.h"
#include "lib/string.h"

#define DIO_ST_PAGES 4

static u8 dio_st_byte(u64 off)
{
	return (u8)(off * 37 + (off >> 9) + 3);
}

static void dio_st_fill(u8 *buf, u64 off, size_t len)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = dio_st_byte(off + i);
}

static bool dio_st_check(const u8 *buf, u64 off, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (buf[i] != dio_st_byte(off + i))
			return false;
	return true;
}

struct dio_st_async {
	struct completion done;
	s64 result;
	unsigned int calls;
};

static void dio_st_end_io(struct dio *d, s64 result)
{
	struct dio_st_async *a = d->private;

	a->result = result;
	__atomic_add_fetch(&a->calls, 1, __ATOMIC_RELEASE);
	complete(&a->done);
}

/* How many physically contiguous runs the n pages make, in this order. */
static unsigned int dio_st_runs(void *const *pages, unsigned int n)
{
	unsigned int runs = 1;

	for (unsigned int i = 1; i < n; i++)
		if (virt_to_phys(pages[i]) != virt_to_phys(pages[i - 1]) + PAGE_SIZE)
			runs++;
	return runs;
}

static void test_buffers(struct selftest *t)
{
	struct nullb_config cfg;
	struct gendisk *disk;
	struct dio_target *target = NULL;
	void *pages[2 * DIO_ST_PAGES] = { 0 };
	void *use[DIO_ST_PAGES];
	u8 *contig = page_zalloc(2), *scattered = NULL;
	u8 stack[2048] __aligned(512);
	struct dio_st_async a;
	enum dio_misalign what;
	struct dio d = { 0 };
	const u64 off = 4096 + 512, len = DIO_ST_PAGES * PAGE_SIZE;

	nullb_config_default(&cfg);
	cfg.size = 16 << 20;
	cfg.memory_backed = true;
	disk = nullb_create(&cfg);
	ST_ASSERT(t, !IS_ERR(disk));
	/* pages in reverse order, every other one: no two physically adjacent */
	for (int i = 0; i < 2 * DIO_ST_PAGES; i++)
		pages[i] = page_alloc(0);
	for (int i = 0; i < DIO_ST_PAGES; i++)
		use[i] = pages[2 * (DIO_ST_PAGES - 1 - i) + 1];
	for (int i = 0; i < DIO_ST_PAGES; i++)
		if (!use[i])
			goto out;
	scattered = vmap(use, DIO_ST_PAGES);
	if (!contig || !scattered || dio_alloc(&d, len, SECTOR_SIZE) ||
	    dio_target_open(disk->name, true, &target, NULL)) {
		ST_EXPECT(t, false);
		goto out;
	}

	/* write from the scattered buffer: one vector per page, one bio */
	dio_st_fill(scattered, off, len);
	ST_EXPECT_EQ(t, dio_rw(&d, REQ_OP_WRITE, target, scattered, len, off, NULL, NULL), len);
	/*
	 * one vector per physically separate run of pages: the allocator, with
	 * other CPUs allocating meanwhile, may still have put two of them side by side
	 */
	ST_EXPECT_EQ(t, d.nr_vecs, dio_st_runs(use, DIO_ST_PAGES));
	ST_EXPECT_EQ(t, blk_rw_sync(disk, REQ_OP_READ, off >> SECTOR_SHIFT, contig, len, 0), 0);
	ST_EXPECT(t, dio_st_check(contig, off, len));

	/* read into a contiguous buffer, asynchronously: one vector, one completion */
	memset(contig, 0, len);
	completion_init(&a.done);
	a.calls = 0;
	d.private = &a;
	ST_EXPECT_EQ(t, dio_rw(&d, REQ_OP_READ, target, contig, len, off, dio_st_end_io, NULL), 0);
	wait_for_completion(&a.done);
	ST_EXPECT_EQ(t, a.result, len);
	ST_EXPECT_EQ(t, a.calls, 1);
	ST_EXPECT_EQ(t, d.nr_vecs, 1);
	ST_EXPECT(t, dio_st_check(contig, off, len));

	/* a stack buffer at a 512-byte offset, written and read back */
	dio_st_fill(stack, 512, sizeof(stack));
	ST_EXPECT_EQ(t, dio_rw(&d, REQ_OP_WRITE, target, stack, sizeof(stack), 512, NULL, NULL),
		     sizeof(stack));
	memset(stack, 0, sizeof(stack));
	ST_EXPECT_EQ(t, dio_rw(&d, REQ_OP_READ, target, stack, sizeof(stack), 512, NULL, NULL),
		     sizeof(stack));
	ST_EXPECT(t, dio_st_check(stack, 512, sizeof(stack)));

	/* the end of the disk: a read across it is short, a write at it -ENOSPC */
	ST_EXPECT_EQ(t, dio_rw(&d, REQ_OP_READ, target, contig, 4096, target->size - 1024, NULL,
			       NULL), 1024);
	ST_EXPECT_EQ(t, dio_rw(&d, REQ_OP_READ, target, contig, 4096, target->size, NULL, NULL), 0);
	ST_EXPECT_EQ(t, dio_rw(&d, REQ_OP_WRITE, target, contig, 512, target->size, NULL, NULL),
		     -ENOSPC);
	/* misaligned: refused, with what */
	ST_EXPECT_EQ(t, dio_rw(&d, REQ_OP_READ, target, contig, 512, 100, NULL, &what), -EINVAL);
	ST_EXPECT_EQ(t, what, DIO_MISALIGNED_OFFSET);
	ST_EXPECT_EQ(t, dio_rw(&d, REQ_OP_READ, target, contig + 8, 512, 0, NULL, &what), -EINVAL);
	ST_EXPECT_EQ(t, what, DIO_MISALIGNED_BUFFER);
	/* longer than the room dio_alloc made */
	ST_EXPECT_EQ(t, dio_rw(&d, REQ_OP_READ, target, contig, 2 * len, 0, NULL, NULL), -EINVAL);
out:
	dio_free(&d);
	dio_target_close(target);
	if (scattered)
		vunmap(scattered);
	for (int i = 0; i < 2 * DIO_ST_PAGES; i++)
		if (pages[i])
			page_free(pages[i], 0);
	if (contig)
		page_free(contig, 2);
	nullb_destroy(disk);
}
SELFTEST(dio, buffers, test_buffers);
