/*
 * Scalable bitmap: the tag allocator of blk-mq. A set bit is an allocated
 * tag. The depth is split into words of 2^shift bits, each word alone on a
 * 64-byte cache line, so CPUs that start their search from different
 * per-CPU hints touch different lines and do not bounce one line between
 * them. Allocation and release are lock-free (atomic fetch-or/fetch-and on
 * one word); no memory is allocated after sbitmap_init.
 *
 * Reserved tags are the range 0 .. nr_reserved - 1 of the same map:
 * sbitmap_get never returns them, sbitmap_get_reserved only returns them.
 * A driver keeps them for commands that must not wait behind normal I/O
 * (an NVMe abort, a flush issued from an error handler).
 *
 * The words live in memory the caller provides (sbitmap_map_size bytes,
 * zeroed, any alignment: the size includes the slack needed to align it),
 * so the kernel passes kzalloc'ed memory and the host tests malloc'ed.
 *
 * Concurrency: get, get_reserved, put, test and weight may run at the same
 * time on any CPU. init and resize may not run while any other call is in
 * flight (blk-mq freezes the queue around a resize).
 */
#ifndef LIB_SBITMAP_H
#define LIB_SBITMAP_H

#include "lib/types.h"

#define SBITMAP_CACHELINE 64
#define SBITMAP_MAX_SHIFT 6	/* 64 bits per word, an unsigned long */

struct sbitmap_word {
	unsigned long word;	/* set bits are allocated; atomics only */
} __aligned(SBITMAP_CACHELINE);

struct sbitmap {
	unsigned int depth;	/* bits usable now, <= capacity */
	unsigned int capacity;	/* bits the words were sized for at init */
	unsigned int shift;	/* log2 of the bits per word */
	unsigned int map_nr;	/* words covering capacity */
	unsigned int nr_reserved;	/* bits 0 .. nr_reserved - 1 */
	struct sbitmap_word *map;
};

/*
 * Bits per word for a depth when the caller has no opinion (shift < 0):
 * spread the depth over at least four words when it has four bits or more,
 * at most 64 bits a word, so that four CPUs with different hints start on
 * different cache lines.
 */
unsigned int sbitmap_default_shift(unsigned int depth);

/* Bytes of memory sbitmap_init needs for depth bits at shift (< 0: default). */
size_t sbitmap_map_size(unsigned int depth, int shift);

/*
 * Set up sb over mem (map_size bytes, zeroed, at least sbitmap_map_size).
 * nr_reserved < depth. Returns 0, or -EINVAL for depth 0, a shift above
 * SBITMAP_MAX_SHIFT, too many reserved bits or too little memory.
 */
int sbitmap_init(struct sbitmap *sb, unsigned int depth, int shift,
		 unsigned int nr_reserved, void *mem, size_t map_size);

/*
 * Allocate a clear bit at or above nr_reserved, searching from *hint (a
 * per-CPU value the caller keeps; any value is accepted) through every
 * word, wrapping around. Returns the bit, or -1 when all are taken. On
 * success *hint moves past the bit so the next search starts after it.
 */
int sbitmap_get(struct sbitmap *sb, unsigned int *hint);

/* Allocate a reserved bit (below nr_reserved); -1 when none is free. */
int sbitmap_get_reserved(struct sbitmap *sb);

/*
 * Release bit. hint (may be NULL) is set to it: the CPU that frees a tag
 * reuses it next, while its request's cache lines are still warm. A bit
 * at or above a shrunk depth may still be put.
 */
void sbitmap_put(struct sbitmap *sb, unsigned int bit, unsigned int *hint);

bool sbitmap_test_bit(const struct sbitmap *sb, unsigned int bit);

/* Allocated bits, counted over the whole capacity (tags in flight past a
 * shrunk depth are still counted until they are put). */
unsigned int sbitmap_weight(const struct sbitmap *sb);

/*
 * Change the depth to 1 .. capacity (nr_requests). Bits at or above the new
 * depth that are allocated stay so until put; no new ones are handed out.
 * Returns 0, or -EINVAL for a depth of 0, above capacity or below
 * nr_reserved + 1 (a map must keep at least one normal bit).
 */
int sbitmap_resize(struct sbitmap *sb, unsigned int depth);

/*
 * Call fn(bit, data) for every allocated bit below capacity, in order,
 * stopping early when fn returns false (for timeout scans and `mq`).
 */
void sbitmap_for_each_set(const struct sbitmap *sb,
			  bool (*fn)(unsigned int bit, void *data), void *data);

#endif
