/*
 * Self tests of dm-io, the dm targets and kcopyd (block/dm/) on memory-
 * backed null disks (`selftest dm`): dm-io with all four kinds of memory,
 * many regions, sync and async, regions that fail and regions whose disk
 * cannot do the operation; striped data where the stripe math puts it; a
 * mirror's legs equal; reload under writes losing nothing; kcopyd's copies.
 * It lives beside null_blk, as the block layer's own self tests do,
 * because the disks it needs come from this driver (block/ may not
 * include drivers/).
 */
#include "block/dm/dm.h"
#include "block/dm/dm_io.h"
#include "block/dm/kcopyd.h"
#include "drivers/block/null_blk.h"
#include "kernel/mm/kstack.h"
#include "kernel/mm/page_alloc.h"
#include "kernel/mm/slab.h"
#include "kernel/sched/thread.h"
#include "kernel/selftest/selftest.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

#define DM_ST_BYTES (40 * 1024)		/* per dm-io in the memory tests: 10 pages */

static struct gendisk *dm_st_disk(struct selftest *t, u64 size, u32 max_sectors)
{
	struct nullb_config cfg;
	struct gendisk *disk;

	nullb_config_default(&cfg);
	cfg.size = size;
	cfg.memory_backed = true;
	cfg.max_sectors = max_sectors;
	disk = nullb_create(&cfg);
	if (IS_ERR(disk)) {
		selftest_fail(t, __FILE__, __LINE__, "nullb_create: %ld", PTR_ERR(disk));
		return NULL;
	}
	return disk;
}

static u8 dm_st_byte(u64 pos, u8 seed)
{
	return (u8)(pos * 7 + (pos >> 9) * 13 + seed);
}

/* Memory of one kind holding DM_ST_BYTES, and a flat view of it to fill and check. */
struct dm_st_mem {
	struct dm_io_memory mem;
	u8 *pages[16];			/* the bytes, a page (or less) at a time */
	u32 lens[16], nr;
	struct dm_page_list pl[16];
	struct bio_vec bv[16];
	void *kstack_top, *kmem;
};

static void dm_st_mem_free(struct dm_st_mem *m)
{
	if (m->mem.type == DM_IO_PAGE_LIST || m->mem.type == DM_IO_BIO_VEC)
		for (u32 i = 0; i < m->nr; i++)
			if (m->pl[i].page)
				page_free(m->pl[i].page, 0);
	if (m->kstack_top)
		kstack_free(m->kstack_top);
	kfree(m->kmem);
}

/*
 * Page list and vectors start 512 bytes into their first page (an offset
 * to honour); the vectors have uneven lengths; the VMA buffer is a
 * kernel-stack area (pages mapped one by one); KMEM is kmalloc'ed.
 */
static int dm_st_mem_make(struct dm_st_mem *m, enum dm_io_mem_type type)
{
	u32 left = DM_ST_BYTES;

	memset(m, 0, sizeof(*m));
	m->mem.type = type;
	switch (type) {
	case DM_IO_PAGE_LIST:
	case DM_IO_BIO_VEC:
		for (u32 i = 0; left; i++) {
			u32 off = i == 0 ? 512 : 0;
			u32 len = type == DM_IO_BIO_VEC && i % 2 ? 2048 : PAGE_SIZE - off;

			len = min(len, left);
			m->pl[i].page = page_alloc(0);
			if (!m->pl[i].page)
				return -ENOMEM;
			m->pl[i].next = NULL;
			if (i)
				m->pl[i - 1].next = &m->pl[i];
			m->bv[i] = (struct bio_vec){ virt_to_phys(m->pl[i].page), len + off };
			m->pages[i] = (u8 *)m->pl[i].page + off;
			m->lens[i] = len;
			m->nr = i + 1;
			left -= len;
			if (type == DM_IO_PAGE_LIST && len < PAGE_SIZE - off)
				break;
		}
		m->mem.offset = 512;
		if (type == DM_IO_PAGE_LIST)
			m->mem.ptr.pl = m->pl;
		else
			m->mem.ptr.bvec = m->bv;
		return 0;
	case DM_IO_VMA:
		m->kstack_top = kstack_alloc(DM_ST_BYTES + 2 * PAGE_SIZE);
		if (!m->kstack_top)
			return -ENOMEM;
		m->mem.ptr.vma = (u8 *)m->kstack_top - DM_ST_BYTES - PAGE_SIZE;
		break;
	case DM_IO_KMEM:
		m->kmem = kmalloc(DM_ST_BYTES);
		if (!m->kmem)
			return -ENOMEM;
		m->mem.ptr.addr = m->kmem;
		break;
	}
	m->pages[0] = type == DM_IO_VMA ? m->mem.ptr.vma : m->mem.ptr.addr;
	m->lens[0] = DM_ST_BYTES;
	m->nr = 1;
	return 0;
}

static void dm_st_mem_fill(struct dm_st_mem *m, u8 seed)
{
	u64 pos = 0;

	for (u32 i = 0; i < m->nr; i++)
		for (u32 b = 0; b < m->lens[i]; b++, pos++)
			m->pages[i][b] = dm_st_byte(pos, seed);
}

static bool dm_st_mem_check(struct dm_st_mem *m, u8 seed)
{
	u64 pos = 0;

	for (u32 i = 0; i < m->nr; i++)
		for (u32 b = 0; b < m->lens[i]; b++, pos++)
			if (m->pages[i][b] != dm_st_byte(pos, seed))
				return false;
	return true;
}

static void dm_st_mem_clear(struct dm_st_mem *m)
{
	for (u32 i = 0; i < m->nr; i++)
		memset(m->pages[i], 0, m->lens[i]);
}

/* What the disk holds at sector is seed's pattern, checked with a plain read. */
static bool dm_st_disk_check(struct gendisk *disk, u64 sector, u32 bytes, u8 seed)
{
	u8 *buf = kmalloc(bytes);
	bool ok;

	if (!buf)
		return false;
	ok = blk_rw_sync(disk, REQ_OP_READ, sector, buf, bytes, 0) == 0;
	for (u32 i = 0; ok && i < bytes; i++)
		ok = buf[i] == dm_st_byte(i, seed);
	kfree(buf);
	return ok;
}

/*
 * Every memory kind written to three regions on three disks (one with
 * 4 KiB requests, so regions are cut into many bios), then read back from
 * each region into every other kind of memory.
 */
static void test_dm_io_memory_kinds(struct selftest *t)
{
	struct gendisk *disks[3] = { dm_st_disk(t, 8 << 20, 0), dm_st_disk(t, 8 << 20, 8),
				     dm_st_disk(t, 8 << 20, 0) };
	struct dm_io_client *client = dm_io_client_create(4, 16);
	struct dm_st_mem *w = kzalloc(sizeof(*w)), *r = kzalloc(sizeof(*r));
	u64 bits;

	if (!disks[0] || !disks[1] || !disks[2] || IS_ERR(client) || !w || !r) {
		ST_EXPECT(t, false);
		goto out;
	}
	for (int kind = DM_IO_PAGE_LIST; kind <= DM_IO_KMEM; kind++) {
		u8 seed = (u8)(kind * 41 + 1);
		struct dm_io_region where[3] = {
			{ disks[0], 8 + kind * 128, DM_ST_BYTES / 512 },
			{ disks[1], 4096 + kind * 128, DM_ST_BYTES / 512 },
			{ disks[2], 1, DM_ST_BYTES / 512 },
		};
		struct dm_io_request req = { .op = REQ_OP_WRITE, .client = client };

		ST_ASSERT(t, dm_st_mem_make(w, kind) == 0);
		dm_st_mem_fill(w, seed);
		req.mem = w->mem;
		bits = ~0ULL;
		ST_EXPECT_EQ(t, dm_io(&req, 3, where, &bits), 0);
		ST_EXPECT_EQ(t, bits, 0);
		for (int i = 0; i < 3; i++)
			ST_EXPECT(t, dm_st_disk_check(where[i].disk, where[i].sector, DM_ST_BYTES,
						      seed));
		for (int rk = DM_IO_PAGE_LIST; rk <= DM_IO_KMEM; rk++) {
			struct dm_io_request rd = { .op = REQ_OP_READ, .client = client };

			ST_ASSERT(t, dm_st_mem_make(r, rk) == 0);
			dm_st_mem_clear(r);
			rd.mem = r->mem;
			ST_EXPECT_EQ(t, dm_io(&rd, 1, &where[rk % 3], &bits), 0);
			if (!dm_st_mem_check(r, seed))
				selftest_fail(t, __FILE__, __LINE__, "write kind %d read kind %d differ",
					      kind, rk);
			dm_st_mem_free(r);
		}
		dm_st_mem_free(w);
	}
out:
	kfree(w);
	kfree(r);
	if (!IS_ERR(client))
		dm_io_client_destroy(client);
	for (int i = 0; i < 3; i++)
		if (disks[i])
			nullb_destroy(disks[i]);
}
SELFTEST(dm, io_memory_kinds, test_dm_io_memory_kinds);

struct dm_st_async {
	struct completion done;
	u64 bits;
};

static void dm_st_notify(u64 error_bits, void *context)
{
	struct dm_st_async *a = context;

	a->bits = error_bits;
	complete(&a->done);
}

/*
 * 64 regions on two disks and a dm error disk, sync and async: the bits
 * name exactly the failed regions (error disk, past the end); a region on
 * a disk without write-zeroes is told apart as unsupported.
 */
static void test_dm_io_regions_errors(struct selftest *t)
{
	struct gendisk *a = dm_st_disk(t, 4 << 20, 0), *b = dm_st_disk(t, 4 << 20, 16), *err_disk;
	struct dm_io_client *client = dm_io_client_create(2, 8);	/* a small reserve: it waits */
	struct dm_io_region where[DM_IO_MAX_REGIONS];
	struct dm_table_error terr;
	u8 *buf = kmalloc(8192);
	u64 bits, unsupported, expect = 0;
	struct dm_st_async async;
	struct dm_io_request req = {
		.op = REQ_OP_WRITE,
		.mem = { .type = DM_IO_KMEM },
		.client = client,
	};

	if (!a || !b || IS_ERR(client) || !buf ||
	    dm_create("st-err", "0 1024 error", &terr)) {
		ST_EXPECT(t, false);
		goto out;
	}
	dm_lock_acquire();
	err_disk = &dm_find_locked("st-err")->disk;
	dm_lock_release();
	for (u32 i = 0; i < 8192; i++)
		buf[i] = dm_st_byte(i, 9);
	req.mem.ptr.addr = buf;
	for (u32 i = 0; i < DM_IO_MAX_REGIONS; i++) {
		where[i] = (struct dm_io_region){ i % 2 ? a : b, i * 64, 16 };
		if (i % 9 == 4) {
			where[i].disk = err_disk;
			expect |= 1ULL << i;
		}
	}
	where[63] = (struct dm_io_region){ a, a->capacity - 8, 16 };	/* past the end */
	expect |= 1ULL << 63;
	ST_EXPECT_EQ(t, dm_io(&req, DM_IO_MAX_REGIONS, where, &bits), -EIO);
	ST_EXPECT_EQ(t, bits, expect);
	for (u32 i = 0; i < 63; i++)
		if (!(expect & (1ULL << i)))
			ST_EXPECT(t, dm_st_disk_check(where[i].disk, where[i].sector, 8192, 9));
	/* the same asynchronously */
	completion_init(&async.done);
	req.notify = (struct dm_io_notify){ dm_st_notify, &async };
	ST_EXPECT_EQ(t, dm_io(&req, DM_IO_MAX_REGIONS, where, NULL), 0);
	wait_for_completion(&async.done);
	ST_EXPECT_EQ(t, async.bits, expect);
	/* unsupported: b without write-zeroes, a with */
	b->queue->limits.max_write_zeroes_sectors = 0;
	req = (struct dm_io_request){ .op = REQ_OP_WRITE_ZEROES, .client = client,
				      .unsupported_bits = &unsupported };
	where[0] = (struct dm_io_region){ a, 0, 8 };
	where[1] = (struct dm_io_region){ b, 0, 8 };
	where[2] = (struct dm_io_region){ err_disk, 0, 8 };
	ST_EXPECT_EQ(t, dm_io(&req, 3, where, &bits), -EIO);
	ST_EXPECT_EQ(t, bits, 6);
	ST_EXPECT_EQ(t, unsupported, 2);
	ST_EXPECT_EQ(t, dm_io(&req, 1, &where[1], &bits), -ENOTSUP);
	ST_EXPECT(t, dm_st_disk_check(b, 0, 8192, 9));	/* untouched */
	b->queue->limits.max_write_zeroes_sectors = 1U << 30;
	/* malformed: nothing happens */
	req.op = REQ_OP_READ;
	req.mem = (struct dm_io_memory){ .type = DM_IO_KMEM, .ptr.addr = buf };
	ST_EXPECT_EQ(t, dm_io(&req, 2, where, &bits), -EINVAL);
	ST_EXPECT_EQ(t, dm_io(&req, DM_IO_MAX_REGIONS + 1, where, &bits), -EINVAL);
	where[0].count = 0;
	ST_EXPECT_EQ(t, dm_io(&req, 1, where, &bits), -EINVAL);
out:
	dm_remove("st-err", &terr);
	kfree(buf);
	if (!IS_ERR(client))
		dm_io_client_destroy(client);
	if (a)
		nullb_destroy(a);
	if (b)
		nullb_destroy(b);
}
SELFTEST(dm, io_regions_errors, test_dm_io_regions_errors);

static struct gendisk *dm_st_md_disk(const char *name)
{
	struct mapped_device *md;

	dm_lock_acquire();
	md = dm_find_locked(name);
	dm_lock_release();
	return md ? &md->disk : NULL;
}

/*
 * A striped disk over three null disks (chunk 8 sectors) written through
 * with one large write: every chunk is where the stripe math says, a
 * 2-leg mirror's legs hold what was written, and kcopyd copies a region
 * to two places.
 */
static void test_dm_stripe_mirror_copy(struct selftest *t)
{
	struct gendisk *d[3] = { dm_st_disk(t, 4 << 20, 0), dm_st_disk(t, 4 << 20, 0),
				 dm_st_disk(t, 4 << 20, 0) };
	u32 bytes = 3 * 8 * 512 * 20;	/* 20 stripes of 3 chunks, plus a cut in the middle */
	u8 *buf = kmalloc(bytes), *back = kmalloc(4096);
	struct dm_table_error err;
	struct gendisk *st, *mi;
	char table[160];
	int ret;

	if (!d[0] || !d[1] || !d[2] || !buf || !back) {
		ST_EXPECT(t, false);
		goto out;
	}
	snprintf(table, sizeof(table), "0 3072 striped 3 8 %s 64 %s 0 %s 8", d[0]->name,
		 d[1]->name, d[2]->name);
	ret = dm_create("st-stripe", table, &err);
	ST_ASSERT(t, ret == 0);
	st = dm_st_md_disk("st-stripe");
	for (u32 i = 0; i < bytes; i++)
		buf[i] = dm_st_byte(i + 512 * 4, 3);
	/* starts 4 sectors into a chunk: the first clone is cut inside a vector */
	ST_EXPECT_EQ(t, blk_rw_sync(st, REQ_OP_WRITE, 4, buf, bytes, 0), 0);
	for (u64 s = 4; s < 4 + bytes / 512; s++) {
		u64 chunk = s / 8, dev = chunk % 3, on = (chunk / 3) * 8 + s % 8;
		u64 base = dev == 0 ? 64 : dev == 1 ? 0 : 8;

		ST_ASSERT(t, blk_rw_sync(d[dev], REQ_OP_READ, base + on, back, 512, 0) == 0);
		if (memcmp(back, buf + (s - 4) * 512, 512)) {
			selftest_fail(t, __FILE__, __LINE__, "sector %llu not on %s:%llu",
				      (unsigned long long)s, d[dev]->name,
				      (unsigned long long)(base + on));
			break;
		}
	}
	ST_EXPECT_EQ(t, dm_remove("st-stripe", &err), 0);

	/* a mirror over d[0] and d[1], in sync from the start */
	snprintf(table, sizeof(table), "0 2048 mirror core 2 256 nosync 2 %s 0 %s 1024",
		 d[0]->name, d[1]->name);
	ST_ASSERT(t, dm_create("st-mirror", table, &err) == 0);
	mi = dm_st_md_disk("st-mirror");
	ST_EXPECT_EQ(t, blk_rw_sync(mi, REQ_OP_WRITE, 100, buf, 64 * 1024, 0), 0);
	for (u32 i = 0; i < 64 * 1024; i++)
		buf[i] = dm_st_byte(i, 3);
	ST_EXPECT_EQ(t, blk_rw_sync(mi, REQ_OP_WRITE, 100, buf, 64 * 1024, 0), 0);
	ST_EXPECT(t, dm_st_disk_check(d[0], 100, 64 * 1024, 3));
	ST_EXPECT(t, dm_st_disk_check(d[1], 1124, 64 * 1024, 3));
	ST_EXPECT(t, dm_st_disk_check(mi, 100, 64 * 1024, 3));
	ST_EXPECT_EQ(t, dm_remove("st-mirror", &err), 0);

	/* kcopyd: d[0]:100 (what the mirror wrote) to d[2]:2000 and d[1]:5000 */
	{
		struct kcopyd_client *kc = kcopyd_client_create(8192, 3);
		struct dm_io_region from = { d[0], 100, 128 };
		struct dm_io_region to[2] = { { d[2], 2000, 128 }, { d[1], 5000, 128 } };
		struct kcopyd_result res;

		ST_ASSERT(t, !IS_ERR(kc));
		ST_EXPECT_EQ(t, kcopyd_copy(kc, &from, 2, to, NULL, &res), 0);
		ST_EXPECT_EQ(t, res.bytes, 64 * 1024);
		ST_EXPECT(t, dm_st_disk_check(d[2], 2000, 64 * 1024, 3));
		ST_EXPECT(t, dm_st_disk_check(d[1], 5000, 64 * 1024, 3));
		to[1].count = 64;
		ST_EXPECT_EQ(t, kcopyd_copy(kc, &from, 2, to, NULL, &res), -EINVAL);
		kcopyd_client_destroy(kc);
	}
out:
	kfree(buf);
	kfree(back);
	for (int i = 0; i < 3; i++)
		if (d[i])
			nullb_destroy(d[i]);
}
SELFTEST(dm, stripe_mirror_copy, test_dm_stripe_mirror_copy);

struct dm_st_writer {
	struct gendisk *disk;
	u32 sectors;			/* per write: 1 when 0, else 8 at odd sectors */
	volatile bool stop;
	u32 writes, failures;
};

/*
 * Write sector s (of 256) with s's pattern plus a round number, over and
 * over; with sectors = 8, 4 KiB at s*8+1 (512-byte aligned, not 4 KiB).
 */
static int dm_st_writer_run(void *arg)
{
	struct dm_st_writer *w = arg;
	u32 bytes = w->sectors ? 4096 : 512;
	u8 *buf = kmalloc(4096);

	if (!buf)
		return -ENOMEM;
	for (u32 round = 0; !w->stop; round++) {
		u64 s = w->sectors ? (round % 30) * 8 + 1 : round % 256;

		for (u32 i = 0; i < bytes; i++)
			buf[i] = dm_st_byte(s * 512 + i, 5);
		if (blk_rw_sync(w->disk, REQ_OP_WRITE, s, buf, bytes, 0))
			w->failures++;
		w->writes++;
	}
	kfree(buf);
	return 0;
}

/*
 * Reload under writes: a thread writes while the table is swapped between
 * linear and a 1-stripe striped map of the same disk (the same bytes), many
 * times. No write fails and every sector holds what was written last.
 */
static void test_dm_reload_under_io(struct selftest *t)
{
	struct gendisk *d = dm_st_disk(t, 4 << 20, 0);
	struct dm_st_writer w = { 0 };
	struct dm_table_error err;
	char lin[96], str[96];
	struct thread *th;

	ST_ASSERT(t, d);
	snprintf(lin, sizeof(lin), "0 256 linear %s 16", d->name);
	snprintf(str, sizeof(str), "0 128 linear %s 16; 128 128 striped 1 8 %s 144", d->name,
		 d->name);
	if (dm_create("st-reload", lin, &err)) {
		ST_EXPECT(t, false);
		goto out;
	}
	w.disk = dm_st_md_disk("st-reload");
	th = thread_run("dm-st-writer", dm_st_writer_run, &w);
	ST_ASSERT(t, th);
	for (int i = 0; i < 20; i++) {
		ST_EXPECT_EQ(t, dm_reload("st-reload", i % 2 ? lin : str, &err), 0);
		if (i == 10) {
			ST_EXPECT_EQ(t, dm_suspend("st-reload", &err), 0);
			thread_sleep_ns(2000000);
			ST_EXPECT_EQ(t, dm_resume("st-reload", &err), 0);
		}
		thread_sleep_ns(500000);
	}
	w.stop = true;
	thread_join(th);
	ST_EXPECT(t, w.writes > 256);
	ST_EXPECT_EQ(t, w.failures, 0);
	for (u64 s = 0; s < 256; s++) {
		u8 buf[512] __aligned(512);
		bool ok = blk_rw_sync(d, REQ_OP_READ, 16 + s, buf, 512, 0) == 0;

		for (u32 i = 0; ok && i < 512; i++)
			ok = buf[i] == dm_st_byte(s * 512 + i, 5);
		if (!ok) {
			selftest_fail(t, __FILE__, __LINE__, "sector %llu lost", (unsigned long long)s);
			break;
		}
	}
	ST_EXPECT_EQ(t, dm_remove("st-reload", &err), 0);
out:
	nullb_destroy(d);
}
SELFTEST(dm, reload_under_io, test_dm_reload_under_io);

/*
 * Reload onto a parent with a larger logical block size under 4 KiB writes
 * at 512-byte aligned sectors: a write checked against the old table but
 * mapped by the new one (parked while suspended, then resumed) must fail
 * (-EINVAL), never land on the 4 KiB disk in the wrong place. The 4 KiB disk is never written, so it
 * must still read all zeroes.
 */
static void test_dm_reload_block_size(struct selftest *t)
{
	struct gendisk *small = dm_st_disk(t, 4 << 20, 0);
	struct gendisk *big = NULL;
	struct dm_st_writer w = { .sectors = 8 };
	struct dm_table_error err;
	struct nullb_config cfg;
	char lin[96], lin4k[96];
	struct thread *th;
	u8 *buf = NULL;

	nullb_config_default(&cfg);
	cfg.size = 4 << 20;
	cfg.bs = 4096;
	cfg.memory_backed = true;
	big = nullb_create(&cfg);
	if (!small || IS_ERR(big)) {
		ST_EXPECT(t, false);
		big = IS_ERR(big) ? NULL : big;
		goto out;
	}
	snprintf(lin, sizeof(lin), "0 256 linear %s 16", small->name);
	snprintf(lin4k, sizeof(lin4k), "0 256 linear %s 0", big->name);
	if (dm_create("st-bs", lin, &err)) {
		ST_EXPECT(t, false);
		goto out;
	}
	w.disk = dm_st_md_disk("st-bs");
	th = thread_run("dm-st-writer", dm_st_writer_run, &w);
	ST_ASSERT(t, th);
	/* some writes reach the 512-byte disk first (a loaded host may not run the writer for a while) */
	for (int i = 0; i < 1000 && !READ_ONCE(w.writes); i++)
		thread_sleep_ns(1000000);
	/* park a write on the suspended device, reload under it, resume it */
	ST_EXPECT_EQ(t, dm_suspend("st-bs", &err), 0);
	thread_sleep_ns(2000000);
	ST_EXPECT_EQ(t, dm_reload("st-bs", lin4k, &err), 0);
	ST_EXPECT_EQ(t, w.disk->queue->limits.logical_block_size, 4096u);
	ST_EXPECT_EQ(t, dm_resume("st-bs", &err), 0);
	thread_sleep_ns(2000000);
	w.stop = true;
	thread_join(th);
	ST_EXPECT(t, w.writes > w.failures);	/* some went to the 512-byte disk */
	ST_EXPECT(t, w.failures > 0);		/* and every later one failed */
	ST_EXPECT_EQ(t, dm_remove("st-bs", &err), 0);
	buf = kzalloc(256 * 512);
	ST_ASSERT(t, buf);
	ST_EXPECT_EQ(t, blk_rw_sync(big, REQ_OP_READ, 0, buf, 256 * 512, 0), 0);
	for (u32 i = 0; i < 256 * 512; i++)
		if (buf[i]) {
			ST_EXPECT_EQ(t, i, 256u * 512);	/* names the first byte written */
			break;
		}
	kfree(buf);
out:
	if (big)
		nullb_destroy(big);
	if (small)
		nullb_destroy(small);
}
SELFTEST(dm, reload_block_size, test_dm_reload_block_size);
