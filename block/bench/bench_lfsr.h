/*
 * bench's random map without memory: fio's default for random I/O touches
 * every block of the region exactly once per pass (its random map), and
 * random_generator=lfsr gets that without a bitmap. A maximal-length Galois
 * LFSR of n bits visits every state 1 .. 2^n - 1 once per period; with the
 * smallest n for which 2^n - 1 covers the region's blocks, state s names
 * block s - 1 and states past the last block are skipped (fewer than half of
 * them, so at most two steps per block on average). A region of exactly 2^n
 * blocks (the common case: 8 MiB of 4 KiB blocks) takes the n-bit register
 * with no skips, and the one block it cannot name, 2^n - 1, is a virtual
 * state 0 placed just before the start state in the cycle. Each pass starts where
 * the seed put the generator, so jobs seeded differently visit the blocks in
 * different orders. Pure: host unit tests cover it.
 */
#ifndef BLOCK_BENCH_BENCH_LFSR_H
#define BLOCK_BENCH_BENCH_LFSR_H

#include "lib/types.h"

struct bench_lfsr {
	u64 state;		/* 1 .. 2^bits - 1; 0: the virtual state */
	u64 taps;		/* feedback mask of a maximal-length register */
	u64 nr;			/* blocks in the region: outputs are 0 .. nr - 1 */
	u64 mask;		/* 2^bits - 1 */
	u64 virt_before;	/* nr == 2^bits: the state the virtual one precedes; else 0 */
	unsigned int bits;
};

/* A register for nr blocks (nr >= 1), started at a state derived from seed. */
int bench_lfsr_init(struct bench_lfsr *l, u64 nr, u64 seed);

/* The feedback mask of the maximal-length register of bits bits (1-64). */
u64 bench_lfsr_taps(unsigned int bits);

/* The next block, 0 .. nr - 1: each exactly once in every nr calls. */
static inline u64 bench_lfsr_next(struct bench_lfsr *l)
{
	u64 s = l->state;

	if (s == 0) {
		s = l->virt_before;
	} else {
		do {
			/* Galois step: shift right, fold the taps in when a one fell out */
			s = (s >> 1) ^ (-(s & 1) & l->taps);
		} while (s > l->nr);
		/* never true without a virtual state: real states are not 0 */
		if (s == l->virt_before)
			s = 0;
	}
	l->state = s;
	/* the virtual state 0 names the last block, 2^bits - 1 */
	return (s - 1) & l->mask;
}

#endif
