/*
 * Bitmaps stored in arrays of unsigned long, bit 0 being the lowest bit of
 * word 0, as in Linux. Used for allocating tags, queue slots and block
 * ranges. None of these operations is atomic: the caller serialises access
 * (for example under the lock of the object owning the bitmap).
 *
 * The search functions return size when no bit qualifies.
 */
#ifndef LIB_BITMAP_H
#define LIB_BITMAP_H

#include "lib/types.h"

#define BITS_PER_LONG (8 * sizeof(unsigned long))
#define BITS_TO_LONGS(nbits) DIV_ROUND_UP(nbits, BITS_PER_LONG)

/* Declares a bitmap able to hold nbits bits, e.g. DECLARE_BITMAP(tags, 64). */
#define DECLARE_BITMAP(name, nbits) unsigned long name[BITS_TO_LONGS(nbits)]

static inline unsigned long bitmap_word_mask(size_t nr)
{
	return 1UL << (nr % BITS_PER_LONG);
}

static inline void bitmap_set_bit(unsigned long *map, size_t nr)
{
	map[nr / BITS_PER_LONG] |= bitmap_word_mask(nr);
}

static inline void bitmap_clear_bit(unsigned long *map, size_t nr)
{
	map[nr / BITS_PER_LONG] &= ~bitmap_word_mask(nr);
}

static inline bool bitmap_test_bit(const unsigned long *map, size_t nr)
{
	return map[nr / BITS_PER_LONG] & bitmap_word_mask(nr);
}

/* Both clear or set every bit of the words spanning nbits. */
void bitmap_zero(unsigned long *map, size_t nbits);
void bitmap_fill(unsigned long *map, size_t nbits);

/* Set or clear bits start .. start + n - 1. */
void bitmap_set(unsigned long *map, size_t start, size_t n);
void bitmap_clear(unsigned long *map, size_t start, size_t n);

/* Number of set bits among the first nbits. */
size_t bitmap_weight(const unsigned long *map, size_t nbits);

/* Searches among bits 0 .. size - 1, from bit offset for the _next_ forms. */
size_t find_first_bit(const unsigned long *map, size_t size);
size_t find_next_bit(const unsigned long *map, size_t size, size_t offset);
size_t find_first_zero_bit(const unsigned long *map, size_t size);
size_t find_next_zero_bit(const unsigned long *map, size_t size, size_t offset);

#endif
