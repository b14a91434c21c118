/*
 * 128-bit arithmetic without libgcc: the kernel does not link __udivti3, so
 * a 128-by-64 division is done as two x86-64 "div" instructions (long
 * division: the high half first, its remainder carried into the low half,
 * which then cannot overflow). Used for rates and statistics, where a
 * product of two u64 must be divided without losing bits.
 */
#ifndef LIB_MATH64_H
#define LIB_MATH64_H

#include "lib/types.h"

typedef unsigned __int128 u128;

/* x / d (d != 0); *rem gets x % d when rem is not NULL. */
static inline u128 div128_u64(u128 x, u64 d, u64 *rem)
{
	u64 hi = (u64)(x >> 64), lo = (u64)x, q_hi, q_lo, r;

	q_hi = hi / d;
	r = hi % d;
	__asm__("divq %[d]" : "=a"(q_lo), "=d"(r) : [d] "rm"(d), "a"(lo), "d"(r));
	if (rem)
		*rem = r;
	return ((u128)q_hi << 64) | q_lo;
}

/* a * b / c, saturated to U64_MAX; 0 when c is 0. */
static inline u64 mul_u64_u64_div_u64(u64 a, u64 b, u64 c)
{
	u128 q;

	if (!c)
		return 0;
	q = div128_u64((u128)a * b, c, NULL);
	return q >> 64 ? UINT64_MAX : (u64)q;
}

#endif
