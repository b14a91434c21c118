/*
 * kmalloc: a size-class front end to the slab caches, and whole pages for
 * anything larger than the biggest class. kfree finds its way back through
 * the struct page of the address: a slab page names its cache, a large
 * allocation heads a page block marked PAGE_KMALLOC_LARGE with its order.
 */
#include "kernel/panic.h"
#include "kernel/mm/slab.h"
#include "kernel/mm/mm.h"
#include "kernel/mm/page_alloc.h"
#include "lib/printf.h"
#include "lib/string.h"

struct kmalloc_class {
	size_t size;
	size_t align;
};

/* 96 and 192 halve the waste between 64, 128 and 256 */
static const struct kmalloc_class kmalloc_classes[] = {
	{ 8, 8 }, { 16, 16 }, { 32, 32 }, { 64, 64 }, { 96, 32 }, { 128, 128 },
	{ 192, 64 }, { 256, 256 }, { 512, 512 }, { 1024, 1024 }, { 2048, 2048 },
	{ 4096, 4096 },
};

#define KMALLOC_MAX_CACHE_SIZE	4096

static struct kmem_cache *kmalloc_caches[ARRAY_SIZE(kmalloc_classes)];

void kmalloc_init(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(kmalloc_classes); i++) {
		char name[KMEM_CACHE_NAME_MAX];

		snprintf(name, sizeof(name), "kmalloc-%zu", kmalloc_classes[i].size);
		kmalloc_caches[i] = kmem_cache_create(name, kmalloc_classes[i].size,
						      kmalloc_classes[i].align);
		if (!kmalloc_caches[i])
			panic("kmalloc: cannot create cache %s", name);
	}
}

void *kmalloc(size_t size)
{
	unsigned int order = 0;
	struct page *page;
	void *p;

	if (size == 0)
		return NULL;
	if (size <= KMALLOC_MAX_CACHE_SIZE) {
		size_t i = 0;

		while (kmalloc_classes[i].size < size)
			i++;
		return kmem_cache_alloc(kmalloc_caches[i]);
	}
	while ((PAGE_SIZE << order) < size) {
		if (++order > PAGE_MAX_ORDER)
			return NULL;
	}
	p = page_alloc(order);
	if (!p)
		return NULL;
	page = virt_to_page(p);
	page->flags |= PAGE_KMALLOC_LARGE;
	return p;
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

void *kcalloc(size_t n, size_t size)
{
	size_t bytes;

	if (__builtin_mul_overflow(n, size, &bytes))
		return NULL;
	return kzalloc(bytes);
}

void kfree(const void *ptr)
{
	struct page *page;

	if (!ptr)
		return;
	page = virt_to_page(ptr);
	if (page && (page->flags & PAGE_SLAB)) {
		kmem_cache_free(page->slab_cache, (void *)ptr);
		return;
	}
	if (!page || !(page->flags & PAGE_KMALLOC_LARGE) || !IS_ALIGNED((uintptr_t)ptr, PAGE_SIZE))
		panic("kfree: %p was not allocated by kmalloc", ptr);
	page_free((void *)ptr, page->order);
}
