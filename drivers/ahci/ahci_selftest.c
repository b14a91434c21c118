/*
 * The `ahci` self tests, read-only on every SATA disk so that they are safe
 * on a real machine: a queue of reads with a flush in the middle (the
 * non-queued FLUSH CACHE EXT waits for the NCQ reads to drain and holds
 * the later ones back), and a COMRESET by the error handler while 64 reads
 * are in flight: every read completes once, without error, with the bytes a
 * quiet read of the same range gives.
 */
#include "drivers/ahci/ahci.h"
#include "kernel/mm/mm.h"
#include "kernel/mm/page_alloc.h"
#include "kernel/mm/slab.h"
#include "kernel/sched/async.h"
#include "kernel/selftest/selftest.h"
#include "kernel/sched/wait.h"
#include "lib/errno.h"
#include "lib/string.h"

#define ST_READS	64	/* of ST_BYTES each: 4 MiB, order 10 */
#define ST_BYTES	65536	/* large enough that the HBA is still busy when the reset comes */
#define ST_ORDER	10
#define ST_TRIES	40	/* each catches commands in flight about one time in four under TCG */
#define ST_TIMEOUT_NS	60000000000ULL

struct st_batch {
	struct bio bios[ST_READS + 1];
	struct bio_vec vecs[ST_READS];
	struct completion done;
	unsigned int left, errors, ended[ST_READS + 1];
};

static void st_end_io(struct bio *bio)
{
	struct st_batch *b = bio->private;

	__atomic_fetch_add(&b->ended[bio - b->bios], 1, __ATOMIC_RELAXED);
	if (bio->status)
		__atomic_fetch_add(&b->errors, 1, __ATOMIC_RELAXED);
	if (__atomic_sub_fetch(&b->left, 1, __ATOMIC_ACQ_REL) == 0)
		complete(&b->done);
}

/*
 * ST_READS reads of ST_BYTES into buf, one plug; with_flush puts a flush after
 * the first half; between_fn runs once they are submitted. 0 when all end
 * once without error.
 */
static int st_read_batch(struct ahci_port *port, u8 *buf, bool with_flush,
			 void (*between_fn)(struct ahci_port *port))
{
	struct st_batch *b = kzalloc(sizeof(*b));
	struct blk_plug plug;
	unsigned int n = 0;
	int err = 0;

	if (!b)
		return -ENOMEM;
	completion_init(&b->done);
	b->left = ST_READS + (with_flush ? 1 : 0);
	blk_start_plug(&plug);
	for (unsigned int i = 0; i < ST_READS; i++) {
		if (with_flush && i == ST_READS / 2) {
			b->bios[n] = (struct bio){ .disk = &port->disk, .op = REQ_OP_FLUSH,
						   .end_io = st_end_io, .private = b };
			submit_bio(&b->bios[n++]);
		}
		b->vecs[i] = (struct bio_vec){ virt_to_phys(buf + i * ST_BYTES), ST_BYTES };
		b->bios[n] = (struct bio){ .disk = &port->disk, .sector = (u64)i * (ST_BYTES / 512),
					   .size = ST_BYTES,
					   .op = REQ_OP_READ, .vecs = &b->vecs[i], .vcnt = 1,
					   .end_io = st_end_io, .private = b };
		submit_bio(&b->bios[n++]);
	}
	blk_finish_plug(&plug);
	if (between_fn)
		between_fn(port);
	if (!wait_for_completion_timeout(&b->done, ST_TIMEOUT_NS))
		return -ETIMEDOUT;	/* the bios still belong to the block layer: leak b */
	for (unsigned int i = 0; i < n; i++)
		if (b->ended[i] != 1)
			err = -EIO;
	if (b->errors)
		err = -EIO;
	kfree(b);
	return err;
}

static void st_reset_port(struct ahci_port *port)
{
	ahci_port_recover(port, 1UL << AHCI_EH_RESET);
}

/*
 * Each live disk: a quiet read for reference, then batches until one had
 * commands in flight when between_fn ran (up to ST_TRIES; with NCQ the first
 * nearly always does), each batch checked against the reference.
 */
static void st_run(struct selftest *t, bool with_flush, void (*between_fn)(struct ahci_port *))
{
	u8 *ref = page_alloc(ST_ORDER), *buf = page_alloc(ST_ORDER);
	struct ahci_port *port;

	ST_ASSERT(t, ref && buf);
	async_synchronize();
	list_for_each_entry(port, &ahci_ports, link) {
		u64 requeued = port->requeued;

		if (port->state != AHCI_PORT_LIVE || port->disk.capacity < ST_READS * (ST_BYTES / 512))
			continue;
		ST_EXPECT_EQ(t, blk_rw_sync(&port->disk, REQ_OP_READ, 0, ref, ST_READS * ST_BYTES, 0), 0);
		for (int tries = 0; tries < ST_TRIES; tries++) {
			memset(buf, 0xa5, ST_READS * ST_BYTES);
			ST_EXPECT_EQ(t, st_read_batch(port, buf, with_flush, between_fn), 0);
			ST_EXPECT(t, !memcmp(ref, buf, ST_READS * ST_BYTES));
			ST_EXPECT(t, port->state == AHCI_PORT_LIVE);
			if (!between_fn || port->requeued > requeued)
				break;
		}
		if (between_fn)
			ST_EXPECT(t, port->requeued > requeued);
	}
	page_free(ref, ST_ORDER);
	page_free(buf, ST_ORDER);
}

static void test_flush_among_reads(struct selftest *t)
{
	st_run(t, true, NULL);
}

static void test_reset_under_reads(struct selftest *t)
{
	st_run(t, false, st_reset_port);
}

SELFTEST(ahci, flush_among_reads, test_flush_among_reads);
SELFTEST(ahci, reset_under_reads, test_reset_under_reads);
