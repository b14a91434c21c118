/*
 * The device floor (docs/blk-trace.md): what an emulated device allows at
 * iodepth 1 with nothing of stork's I/O path in the way. A driver that
 * can measure it registers a run function; `floor <dev>` (blk_floor_shell.c)
 * finds it by the disk's driver name and prints the latency, IOPS and
 * exits per I/O, the yardstick for bench's iodepth-1 figures.
 */
#ifndef BLOCK_BLK_FLOOR_H
#define BLOCK_BLK_FLOOR_H

#include "lib/types.h"
#include "lib/histogram.h"
#include "kernel/time/time.h"

struct gendisk;

/* How the floor waits for each completion (`floor ... wait=`). */
enum blk_floor_wait {
	BLK_FLOOR_SPIN,		/* spin on the completion entry, the interrupt off */
	BLK_FLOOR_HYBRID,	/* sleep half the running mean, then spin */
	/*
	 * The completion's own interrupt, aimed at this CPU, which halts
	 * until it comes: what an interrupt-driven I/O cannot do without
	 * (the device model's MSI-X write, the wake-up, the handler, the
	 * EOI), with nothing else of a kernel's I/O path.
	 */
	BLK_FLOOR_IRQ,
};

/* BLK_FLOOR_MAX_STREAMS streams at most (`floor ... jobs=`). */
#define BLK_FLOOR_MAX_STREAMS 16

struct blk_floor_params {
	unsigned int ios;		/* commands per stream, one at a time */
	u32 bs;
	bool write;
	enum blk_floor_wait wait;
	/*
	 * Streams at once, stream i on a thread bound to cpus[i] (its own
	 * queue, aimed at that CPU). One stream runs in the caller's thread,
	 * on the CPU it is on, as before streams existed.
	 */
	unsigned int streams;
	unsigned int cpus[BLK_FLOOR_MAX_STREAMS];
};

struct blk_floor_ops {
	const char *driver;		/* gendisk->driver it serves ("nvme", "virtio-blk") */
	/*
	 * Per stream, issue p->ios commands of p->bs bytes one at a time
	 * (reads, or writes), each: fill the queue entry, ring the doorbell,
	 * wait for the completion as p->wait says, and add its latency in ns
	 * (doorbell to completion consumed, the entry's fill included) to
	 * lat[stream]. how: a phrase saying which queue(s) it used.
	 * BLK_FLOOR_HYBRID sleeps for half the running mean latency after the
	 * doorbell, then spins (blk_floor_hybrid_sleep), so that under
	 * emulation the vCPU leaves the host CPU to the device model;
	 * BLK_FLOOR_IRQ waits in blk_floor_irq_wait. The streams run through
	 * blk_floor_run_streams. Thread context; 0 or a negative errno.
	 */
	int (*run)(struct gendisk *disk, const struct blk_floor_params *p,
		   struct histogram *lat, const char **how);
};

/*
 * fn(arg, i) for each stream i of p at once: with one stream in the
 * caller's thread, else each on a thread bound to p->cpus[i], all waited
 * for. 0, or the first stream's error (-ENOMEM if a thread cannot start).
 */
int blk_floor_run_streams(const struct blk_floor_params *p, int (*fn)(void *arg, unsigned int i),
			  void *arg);

/*
 * wait=irq, with preemption off from before the doorbell: until *done
 * (set by the completion's interrupt handler) or deadline (time_ns),
 * halting between interrupts when the interrupt is aimed at this CPU
 * (irq_cpu), spinning on *done when it is not. 0 or -ETIMEDOUT.
 */
int blk_floor_irq_wait(const bool *done, int irq_cpu, u64 deadline);
/*
 * The block (of span, in bs units) command n of stream i reads or writes:
 * scattered over the disk, and apart between streams.
 */
static inline u64 blk_floor_block(const struct blk_floor_params *p, unsigned int i, unsigned int n,
				  u64 span)
{
	return ((n + (u64)i * p->ios) * 2654435761ULL) % span;
}

/* hybrid: sleep half of mean_ns (0 at first: no sleep). */
void blk_floor_hybrid_sleep(u64 mean_ns);
/* Fold the latency ns of one I/O into the running mean *mean_ns. */
void blk_floor_mean_update(u64 *mean_ns, u64 ns);

/*
 * In a floor's spin loop, once per turn: true once deadline (time_ns)
 * has passed. The clock is read every 1024 turns and no PAUSE is issued:
 * under TCG a PAUSE leaves the vCPU's translated code each time, and the
 * floor spinning with one per turn measured slower than bench's own poll
 * loop (which has none): NVMe 16.1k against 19.9k IOPS.
 */
static inline bool blk_floor_spin_expired(unsigned int *turns, u64 deadline)
{
	return (++*turns & 1023) == 0 && time_ns() > deadline;
}

/* At driver init; at most a few drivers. 0 or -ENOSPC. */
int blk_floor_register(const struct blk_floor_ops *ops);
const struct blk_floor_ops *blk_floor_find(const char *driver);

#endif
