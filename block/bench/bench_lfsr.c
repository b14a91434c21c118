/*
 * The memoryless random map of bench (bench_lfsr.h): a table of feedback
 * masks of maximal-length Galois registers, and the choice of register and
 * starting state for a region. The masks were found and checked with
 * tools/lfsr-taps (the register's transition matrix M has order 2^n - 1:
 * M^(2^n-1) = I and M^((2^n-1)/q) != I for each prime q dividing 2^n - 1);
 * the host unit test also walks every register up to 24 bits in full.
 */
#include "block/bench/bench_lfsr.h"
#include "lib/errno.h"

/* taps[n]: right-shifting Galois register of n bits, bit n-1 always set */
static const u64 bench_lfsr_tap_table[65] = {
	[1] = 0x1ULL,
	[2] = 0x3ULL,
	[3] = 0x5ULL,
	[4] = 0x9ULL,
	[5] = 0x12ULL,
	[6] = 0x21ULL,
	[7] = 0x41ULL,
	[8] = 0xc3ULL,
	[9] = 0x108ULL,
	[10] = 0x204ULL,
	[11] = 0x402ULL,
	[12] = 0x883ULL,
	[13] = 0x1013ULL,
	[14] = 0x2803ULL,
	[15] = 0x4001ULL,
	[16] = 0x8805ULL,
	[17] = 0x10004ULL,
	[18] = 0x20040ULL,
	[19] = 0x40013ULL,
	[20] = 0x80004ULL,
	[21] = 0x100002ULL,
	[22] = 0x200001ULL,
	[23] = 0x400010ULL,
	[24] = 0x800043ULL,
	[25] = 0x1000004ULL,
	[26] = 0x2000023ULL,
	[27] = 0x4000013ULL,
	[28] = 0x8000004ULL,
	[29] = 0x10000002ULL,
	[30] = 0x20400003ULL,
	[31] = 0x40000004ULL,
	[32] = 0x80200003ULL,
	[33] = 0x100001000ULL,
	[34] = 0x204000003ULL,
	[35] = 0x400000002ULL,
	[36] = 0x800000400ULL,
	[37] = 0x1000000103ULL,
	[38] = 0x2000001005ULL,
	[39] = 0x4000000008ULL,
	[40] = 0x8400000003ULL,
	[41] = 0x10000000004ULL,
	[42] = 0x20010000003ULL,
	[43] = 0x40000000803ULL,
	[44] = 0x82000000005ULL,
	[45] = 0x10000000000dULL,
	[46] = 0x200000000105ULL,
	[47] = 0x400000000010ULL,
	[48] = 0x800008000005ULL,
	[49] = 0x1000000000100ULL,
	[50] = 0x2000000008003ULL,
	[51] = 0x4000008000003ULL,
	[52] = 0x8000000000004ULL,
	[53] = 0x10000000000023ULL,
	[54] = 0x20000000010003ULL,
	[55] = 0x40000000800000ULL,
	[56] = 0x80020000000003ULL,
	[57] = 0x100000000000040ULL,
	[58] = 0x200000000040000ULL,
	[59] = 0x500000800800000ULL,
	[60] = 0x800000000000001ULL,
	[61] = 0x1000022002000000ULL,
	[62] = 0x2080000000048000ULL,
	[63] = 0x4000000000000001ULL,
	[64] = 0x8000000000009004ULL,
};

u64 bench_lfsr_taps(unsigned int bits)
{
	return bits >= 1 && bits <= 64 ? bench_lfsr_tap_table[bits] : 0;
}

/* splitmix64's finaliser: nearby seeds (job 0, job 1) start far apart */
static u64 bench_lfsr_mix(u64 x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

int bench_lfsr_init(struct bench_lfsr *l, u64 nr, u64 seed)
{
	unsigned int bits = 1;
	bool virt;
	u64 period;

	if (!nr)
		return -EINVAL;
	/* 2^k blocks (k >= 1): k bits and the virtual state; else the smallest
	 * register whose 2^bits - 1 states cover nr blocks */
	virt = nr >= 2 && !(nr & (nr - 1));
	while (bits < 64 && ((1ULL << bits) - 1) < nr - virt)
		bits++;
	period = bits == 64 ? ~0ULL : (1ULL << bits) - 1;
	l->bits = bits;
	l->taps = bench_lfsr_tap_table[bits];
	l->nr = nr;
	l->mask = period;
	/* any non-zero state lies on the one cycle: a pass is the next nr outputs */
	l->state = bench_lfsr_mix(seed) % period + 1;
	l->virt_before = virt ? l->state : 0;
	return 0;
}
