/*
 * Bitmap range operations and searches. The searches look at a whole word
 * at a time and use count-trailing-zeros to locate the bit; the zero-bit
 * searches are the same walk over inverted words.
 */
#include "lib/bitmap.h"
#include "lib/string.h"

void bitmap_zero(unsigned long *map, size_t nbits)
{
	memset(map, 0, BITS_TO_LONGS(nbits) * sizeof(unsigned long));
}

void bitmap_fill(unsigned long *map, size_t nbits)
{
	memset(map, 0xff, BITS_TO_LONGS(nbits) * sizeof(unsigned long));
}

/* Mask of the bits from start to the end of its word, limited to n bits. */
static unsigned long range_mask(size_t start, size_t n)
{
	size_t first = start % BITS_PER_LONG;
	unsigned long mask = ~0UL << first;

	if (first + n < BITS_PER_LONG)
		mask &= ~(~0UL << (first + n));
	return mask;
}

void bitmap_set(unsigned long *map, size_t start, size_t n)
{
	while (n) {
		size_t in_word = min(n, BITS_PER_LONG - start % BITS_PER_LONG);

		map[start / BITS_PER_LONG] |= range_mask(start, in_word);
		start += in_word;
		n -= in_word;
	}
}

void bitmap_clear(unsigned long *map, size_t start, size_t n)
{
	while (n) {
		size_t in_word = min(n, BITS_PER_LONG - start % BITS_PER_LONG);

		map[start / BITS_PER_LONG] &= ~range_mask(start, in_word);
		start += in_word;
		n -= in_word;
	}
}

/*
 * Bit-parallel population count: __builtin_popcountl would need the
 * popcnt instruction or a libgcc helper, neither of which the kernel has.
 */
static unsigned int word_weight(unsigned long w)
{
	w = w - ((w >> 1) & 0x5555555555555555UL);
	w = (w & 0x3333333333333333UL) + ((w >> 2) & 0x3333333333333333UL);
	w = (w + (w >> 4)) & 0x0f0f0f0f0f0f0f0fUL;
	return (w * 0x0101010101010101UL) >> 56;
}

size_t bitmap_weight(const unsigned long *map, size_t nbits)
{
	size_t i, full = nbits / BITS_PER_LONG;
	size_t weight = 0;

	for (i = 0; i < full; i++)
		weight += word_weight(map[i]);
	if (nbits % BITS_PER_LONG)
		weight += word_weight(map[full] & range_mask(0, nbits % BITS_PER_LONG));
	return weight;
}

/* invert is 0 to look for a set bit or ~0UL to look for a clear one. */
static size_t find_next(const unsigned long *map, size_t size, size_t offset,
			unsigned long invert)
{
	unsigned long word;

	if (offset >= size)
		return size;
	word = map[offset / BITS_PER_LONG] ^ invert;
	word &= ~0UL << (offset % BITS_PER_LONG);
	offset -= offset % BITS_PER_LONG;
	while (!word) {
		offset += BITS_PER_LONG;
		if (offset >= size)
			return size;
		word = map[offset / BITS_PER_LONG] ^ invert;
	}
	/* The word may hold bits past size: clamp to size. */
	return min(offset + __builtin_ctzl(word), size);
}

size_t find_next_bit(const unsigned long *map, size_t size, size_t offset)
{
	return find_next(map, size, offset, 0);
}

size_t find_first_bit(const unsigned long *map, size_t size)
{
	return find_next(map, size, 0, 0);
}

size_t find_next_zero_bit(const unsigned long *map, size_t size, size_t offset)
{
	return find_next(map, size, offset, ~0UL);
}

size_t find_first_zero_bit(const unsigned long *map, size_t size)
{
	return find_next(map, size, 0, ~0UL);
}
