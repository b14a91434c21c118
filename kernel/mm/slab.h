/*
 * Object caches (slab allocation, after Bonwick's 1994 Solaris allocator)
 * and kmalloc on top of them. Every call is SMP-safe and may be made with
 * interrupts disabled; none sleeps.
 */
#ifndef KERNEL_MM_SLAB_H
#define KERNEL_MM_SLAB_H

#include "lib/types.h"

struct kmem_cache;

#define KMEM_CACHE_NAME_MAX	24

/*
 * A cache of objects of size bytes, each aligned to align (0: 8; a power of
 * two up to 4096). NULL for a size beyond 32 KiB or a bad alignment.
 */
struct kmem_cache *kmem_cache_create(const char *name, size_t size, size_t align);
/* Frees the cache; refused (with a message) while objects are in use. */
void kmem_cache_destroy(struct kmem_cache *cache);
/* Free every cache's empty slabs: makes page counts comparable in leak checks. */
void kmem_cache_shrink_all(void);
/* NULL when out of memory. */
void *kmem_cache_alloc(struct kmem_cache *cache);
void *kmem_cache_zalloc(struct kmem_cache *cache);
/* An object from another cache, or not from a slab, is a bug: panic(). */
void kmem_cache_free(struct kmem_cache *cache, void *obj);

/* One cache's usage, for `mem`. */
struct kmem_cache_info {
	char name[KMEM_CACHE_NAME_MAX];
	size_t object_size;
	unsigned long in_use;		/* objects handed out */
	unsigned long total;		/* objects in all slabs */
	unsigned long slabs;
	unsigned long bytes;		/* pages held by the slabs */
};

/* Fill at most max entries, in creation order; returns how many caches exist. */
unsigned int kmem_cache_info_get(struct kmem_cache_info *out, unsigned int max);

/*
 * General-purpose allocation: sizes up to 4096 from the kmalloc-<size>
 * caches (powers of two, and 96 and 192), naturally aligned for the powers
 * of two and at least 8-aligned; larger sizes as whole pages. kmalloc(0)
 * returns NULL. kfree(NULL) does nothing.
 */
void *kmalloc(size_t size);
void *kzalloc(size_t size);
/* n * size bytes, zeroed; NULL when the product overflows. */
void *kcalloc(size_t n, size_t size);
void kfree(const void *ptr);

/* Only mm_init(), in this order. */
void slab_init(void);
void kmalloc_init(void);

/* `make DEBUG=1`: red-zone and poison findings since boot; 0 in other builds. */
unsigned long slab_debug_finding_count(void);

#endif
