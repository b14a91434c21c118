/*
 * Bookkeeping of the dynamic vectors (VECTOR_DYNAMIC_FIRST ..
 * VECTOR_DYNAMIC_LAST) of one CPU: which are handed out. Pure logic with no
 * locking, so that the host unit test (tests/unit/kernel/arch/test_vector.c) can
 * run it; kernel/arch/irq.c keeps one map per CPU under its lock.
 */
#ifndef KERNEL_ARCH_VECTOR_H
#define KERNEL_ARCH_VECTOR_H

#include "lib/types.h"
#include "lib/bitmap.h"
#include "kernel/arch/vectors.h"

#define VECTOR_DYNAMIC_COUNT (VECTOR_DYNAMIC_LAST - VECTOR_DYNAMIC_FIRST + 1)

struct vector_map {
	DECLARE_BITMAP(used, VECTOR_DYNAMIC_COUNT);	/* bit n: vector FIRST + n */
	unsigned int nr_used;
};

void vector_map_init(struct vector_map *m);
/* The lowest free vector, now marked used; -ENOSPC when all are taken. */
int vector_map_alloc(struct vector_map *m);
/* Give vector back: 0, or -EINVAL when it is not a handed-out dynamic vector. */
int vector_map_free(struct vector_map *m, unsigned int vector);
bool vector_map_is_used(const struct vector_map *m, unsigned int vector);

#endif
