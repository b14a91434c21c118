/*
 * Scalable bitmap (see sbitmap.h). A search takes one word at a time: it
 * picks the lowest clear bit allowed in that word and claims it with an
 * atomic fetch-or; if another CPU set the bit first, the returned old
 * value shows the word as it is now and the search goes on in it.
 */
#include "lib/sbitmap.h"
#include "lib/bitmap.h"
#include "lib/errno.h"

unsigned int sbitmap_default_shift(unsigned int depth)
{
	unsigned int shift = SBITMAP_MAX_SHIFT;

	while (shift > 0 && depth >= 4 && (4U << shift) > depth)
		shift--;
	return shift;
}

static unsigned int resolve_shift(unsigned int depth, int shift)
{
	return shift < 0 ? sbitmap_default_shift(depth) : (unsigned int)shift;
}

size_t sbitmap_map_size(unsigned int depth, int shift)
{
	unsigned int s = resolve_shift(depth, shift);
	size_t words = ((size_t)depth + (1U << s) - 1) >> s;

	return words * sizeof(struct sbitmap_word) + SBITMAP_CACHELINE - 1;
}

int sbitmap_init(struct sbitmap *sb, unsigned int depth, int shift,
		 unsigned int nr_reserved, void *mem, size_t map_size)
{
	if (depth == 0 || shift > SBITMAP_MAX_SHIFT || nr_reserved >= depth || !mem)
		return -EINVAL;
	if (map_size < sbitmap_map_size(depth, shift))
		return -EINVAL;
	sb->shift = resolve_shift(depth, shift);
	sb->depth = depth;
	sb->capacity = depth;
	sb->map_nr = (depth + (1U << sb->shift) - 1) >> sb->shift;
	sb->nr_reserved = nr_reserved;
	sb->map = (struct sbitmap_word *)ALIGN_UP((uintptr_t)mem, SBITMAP_CACHELINE);
	return 0;
}

/* Mask of the bits of word index that lie in [lo, hi). */
static unsigned long word_range_mask(const struct sbitmap *sb, unsigned int index,
				     unsigned int lo, unsigned int hi)
{
	unsigned int base = index << sb->shift;
	unsigned int end = base + (1U << sb->shift);
	unsigned long mask = ~0UL;

	if (hi <= base || lo >= end)
		return 0;
	if (hi < end)
		mask &= (1UL << (hi - base)) - 1;
	else if (sb->shift < SBITMAP_MAX_SHIFT)
		mask &= (1UL << (1U << sb->shift)) - 1;
	if (lo > base)
		mask &= ~((1UL << (lo - base)) - 1);
	return mask;
}

/* Claim the lowest clear bit of word index among allowed; -1 if none. */
static int word_get(struct sbitmap *sb, unsigned int index, unsigned long allowed)
{
	unsigned long *word = &sb->map[index].word;
	unsigned long cur = __atomic_load_n(word, __ATOMIC_RELAXED);

	for (;;) {
		unsigned long free = ~cur & allowed;
		unsigned long bit;

		if (!free)
			return -1;
		bit = 1UL << __builtin_ctzl(free);
		cur = __atomic_fetch_or(word, bit, __ATOMIC_ACQUIRE);
		if (!(cur & bit))
			return (int)((index << sb->shift) + __builtin_ctzl(free));
		/* lost the race for this bit; cur now shows who else holds what */
	}
}

/* Search [lo, hi) starting at bit start, wrapping around once. */
static int range_get(struct sbitmap *sb, unsigned int lo, unsigned int hi,
		     unsigned int start)
{
	unsigned int index = start >> sb->shift;
	unsigned int last = (hi - 1) >> sb->shift;
	unsigned int first = lo >> sb->shift;
	unsigned int words = last - first + 1;
	int bit;

	/* the start word from the hint up, then every word whole, ending
	 * with the start word's bits below the hint */
	bit = word_get(sb, index, word_range_mask(sb, index, start, hi));
	if (bit >= 0)
		return bit;
	for (unsigned int i = 0; i < words; i++) {
		index = index == last ? first : index + 1;
		bit = word_get(sb, index, word_range_mask(sb, index, lo, hi));
		if (bit >= 0)
			return bit;
	}
	return -1;
}

int sbitmap_get(struct sbitmap *sb, unsigned int *hint)
{
	unsigned int depth = sb->depth;
	unsigned int start = *hint;
	int bit;

	if (start < sb->nr_reserved || start >= depth)
		start = sb->nr_reserved;
	bit = range_get(sb, sb->nr_reserved, depth, start);
	if (bit >= 0)
		*hint = (unsigned int)bit + 1 < depth ? (unsigned int)bit + 1 : 0;
	return bit;
}

int sbitmap_get_reserved(struct sbitmap *sb)
{
	if (!sb->nr_reserved)
		return -1;
	return range_get(sb, 0, sb->nr_reserved, 0);
}

void sbitmap_put(struct sbitmap *sb, unsigned int bit, unsigned int *hint)
{
	unsigned long mask = 1UL << (bit & ((1U << sb->shift) - 1));

	__atomic_fetch_and(&sb->map[bit >> sb->shift].word, ~mask, __ATOMIC_RELEASE);
	if (hint && bit >= sb->nr_reserved && bit < sb->depth)
		*hint = bit;
}

bool sbitmap_test_bit(const struct sbitmap *sb, unsigned int bit)
{
	unsigned long word = __atomic_load_n(&sb->map[bit >> sb->shift].word,
					     __ATOMIC_RELAXED);

	return word & (1UL << (bit & ((1U << sb->shift) - 1)));
}

unsigned int sbitmap_weight(const struct sbitmap *sb)
{
	unsigned int weight = 0;

	for (unsigned int i = 0; i < sb->map_nr; i++) {
		unsigned long word = __atomic_load_n(&sb->map[i].word, __ATOMIC_RELAXED);

		weight += bitmap_weight(&word, BITS_PER_LONG);
	}
	return weight;
}

int sbitmap_resize(struct sbitmap *sb, unsigned int depth)
{
	if (depth == 0 || depth > sb->capacity || depth <= sb->nr_reserved)
		return -EINVAL;
	sb->depth = depth;
	return 0;
}

void sbitmap_for_each_set(const struct sbitmap *sb,
			  bool (*fn)(unsigned int bit, void *data), void *data)
{
	for (unsigned int i = 0; i < sb->map_nr; i++) {
		unsigned long word = __atomic_load_n(&sb->map[i].word, __ATOMIC_RELAXED);

		while (word) {
			unsigned int bit = (i << sb->shift) + __builtin_ctzl(word);

			if (!fn(bit, data))
				return;
			word &= word - 1;
		}
	}
}
