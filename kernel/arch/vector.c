/*
 * The per-CPU dynamic vector map (see vector.h). Lowest free first: a
 * vector's upper nibble is its priority class, and device vectors all share
 * one importance, so nothing is gained by spreading them.
 */
#include "kernel/arch/vector.h"
#include "lib/errno.h"

void vector_map_init(struct vector_map *m)
{
	bitmap_zero(m->used, VECTOR_DYNAMIC_COUNT);
	m->nr_used = 0;
}

int vector_map_alloc(struct vector_map *m)
{
	size_t n = find_first_zero_bit(m->used, VECTOR_DYNAMIC_COUNT);

	if (n >= VECTOR_DYNAMIC_COUNT)
		return -ENOSPC;
	bitmap_set_bit(m->used, n);
	m->nr_used++;
	return VECTOR_DYNAMIC_FIRST + (int)n;
}

bool vector_map_is_used(const struct vector_map *m, unsigned int vector)
{
	return vector_is_dynamic(vector) && bitmap_test_bit(m->used, vector - VECTOR_DYNAMIC_FIRST);
}

int vector_map_free(struct vector_map *m, unsigned int vector)
{
	if (!vector_map_is_used(m, vector))
		return -EINVAL;
	bitmap_clear_bit(m->used, vector - VECTOR_DYNAMIC_FIRST);
	m->nr_used--;
	return 0;
}
