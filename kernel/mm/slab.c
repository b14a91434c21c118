/*
 * The slab allocator. A slab is a block of 2^order pages from the page
 * allocator, cut into objects of one cache; its state lives in the struct
 * page of its first page (free list, objects in use), so objects keep their
 * natural alignment and no slab space goes to headers. Each cache keeps its
 * slabs on three lists, full, partial and empty, and gives an empty slab
 * back to the page allocator as soon as it has another one cached.
 * A free object holds the next free object in its first word and, when it
 * has room, a tag in its second word that catches a double free.
 *
 * `make DEBUG=1` (CONFIG_SLAB_DEBUG) adds, as Linux's slub_debug=ZP does: a
 * red zone of at least SLAB_REDZONE bytes after every object, filled with
 * SLAB_REDZONE_BYTE and checked when the object is freed (a write past its
 * end), and poisoning: a free object's bytes after the free-list words are
 * SLAB_POISON_BYTE, checked when it is allocated again (a write after
 * free). A finding is one "slab:" line; the bytes are repaired and the
 * kernel goes on.
 */
#include "kernel/mm/slab.h"
#include "kernel/mm/mm.h"
#include "kernel/mm/page_alloc.h"
#include "kernel/panic.h"
#include "kernel/console/printk.h"
#include "kernel/sched/spinlock.h"
#include "lib/list.h"
#include "lib/string.h"

#define SLAB_MAX_ORDER	3
#define SLAB_FREE_TAG	0x5ab1f4eeUL

#ifdef CONFIG_SLAB_DEBUG
#define SLAB_REDZONE		16
#define SLAB_REDZONE_BYTE	0xbb
#define SLAB_POISON_BYTE	0x6b
#define SLAB_POISON_FROM	16	/* the free-list word and the double-free tag stay */
#else
#define SLAB_REDZONE		0
#endif

struct kmem_cache {
	char name[KMEM_CACHE_NAME_MAX];
	size_t object_size;		/* as asked for */
	size_t size;			/* object stride: object_size rounded up to align */
	unsigned int order;		/* a slab is 2^order pages */
	unsigned int per_slab;		/* objects in a slab */
	spinlock_t lock;		/* protects everything below */
	struct list_head full, partial, empty;	/* slab head pages */
	unsigned long nr_slabs, nr_empty, in_use;
	struct list_head link;		/* on cache_list, under cache_list_lock */
};

static struct kmem_cache cache_cache;	/* the caches' own descriptors */
static LIST_HEAD(cache_list);
static spinlock_t cache_list_lock = SPINLOCK_INIT;

static void cache_setup(struct kmem_cache *c, const char *name, size_t size, size_t align)
{
	unsigned long flags;

	strlcpy(c->name, name, sizeof(c->name));
	c->object_size = size;
	c->size = ALIGN_UP(max(size, (size_t)8) + SLAB_REDZONE, align);
	/* the smallest slab that wastes at most an eighth of itself */
	for (c->order = 0; c->order < SLAB_MAX_ORDER; c->order++) {
		size_t bytes = PAGE_SIZE << c->order;

		if (bytes >= c->size && bytes % c->size <= bytes / 8)
			break;
	}
	c->per_slab = (PAGE_SIZE << c->order) / c->size;
	spin_init(&c->lock);
	INIT_LIST_HEAD(&c->full);
	INIT_LIST_HEAD(&c->partial);
	INIT_LIST_HEAD(&c->empty);
	c->nr_slabs = c->nr_empty = c->in_use = 0;
	flags = spin_lock_irqsave(&cache_list_lock);
	list_add_tail(&c->link, &cache_list);
	spin_unlock_irqrestore(&cache_list_lock, flags);
}

/*
 * The double-free tag needs a second word inside the object proper: with
 * red zones, inside the bytes the caller asked for, else inside the stride.
 */
static bool obj_has_tag_room(const struct kmem_cache *c)
{
	return SLAB_REDZONE ? c->object_size >= 16 : c->size >= 16;
}

#ifdef CONFIG_SLAB_DEBUG
static unsigned long slab_debug_findings;

/* The red zone starts past the object, and past the free-list word of a tiny one. */
static size_t slab_redzone_from(const struct kmem_cache *c)
{
	return max(c->object_size, (size_t)8);
}

/* Check [from, to) of obj holds byte; report the first difference and repair. */
static void slab_debug_check(struct kmem_cache *c, u8 *obj, size_t from, size_t to, u8 byte,
			     const char *what)
{
	for (size_t i = from; i < to; i++) {
		if (obj[i] == byte)
			continue;
		__atomic_fetch_add(&slab_debug_findings, 1, __ATOMIC_RELAXED);
		pr_err("slab: %s: %p in %s (%zu-byte objects), byte +%zu is %#x, not %#x\n",
		       what, obj, c->name, c->object_size, i, obj[i], byte);
		memset(obj + from, byte, to - from);
		return;
	}
}

static void slab_debug_on_alloc(struct kmem_cache *c, u8 *obj)
{
	slab_debug_check(c, obj, SLAB_POISON_FROM, c->object_size, SLAB_POISON_BYTE,
			 "use after free (written while free)");
	slab_debug_check(c, obj, slab_redzone_from(c), c->size, SLAB_REDZONE_BYTE,
			 "red zone overwritten while free");
}

static void slab_debug_on_free(struct kmem_cache *c, u8 *obj)
{
	slab_debug_check(c, obj, slab_redzone_from(c), c->size, SLAB_REDZONE_BYTE,
			 "write past the end (red zone overwritten)");
	if (c->object_size > SLAB_POISON_FROM)
		memset(obj + SLAB_POISON_FROM, SLAB_POISON_BYTE,
		       c->object_size - SLAB_POISON_FROM);
}

static void slab_debug_on_new(struct kmem_cache *c, u8 *obj)
{
	if (c->object_size > SLAB_POISON_FROM)
		memset(obj + SLAB_POISON_FROM, SLAB_POISON_BYTE,
		       c->object_size - SLAB_POISON_FROM);
	memset(obj + slab_redzone_from(c), SLAB_REDZONE_BYTE, c->size - slab_redzone_from(c));
}

unsigned long slab_debug_finding_count(void)
{
	return __atomic_load_n(&slab_debug_findings, __ATOMIC_RELAXED);
}
#else
static inline void slab_debug_on_alloc(struct kmem_cache *c, u8 *obj) { }
static inline void slab_debug_on_free(struct kmem_cache *c, u8 *obj) { }
static inline void slab_debug_on_new(struct kmem_cache *c, u8 *obj) { }

unsigned long slab_debug_finding_count(void)
{
	return 0;
}
#endif

static void obj_mark_free(struct kmem_cache *c, void *obj, void *next)
{
	((void **)obj)[0] = next;
	if (obj_has_tag_room(c))
		((uintptr_t *)obj)[1] = (uintptr_t)obj ^ SLAB_FREE_TAG;
}

static bool obj_is_marked_free(struct kmem_cache *c, void *obj)
{
	return obj_has_tag_room(c) && ((uintptr_t *)obj)[1] == ((uintptr_t)obj ^ SLAB_FREE_TAG);
}

/* A new slab, every object free; NULL when out of pages. Called unlocked. */
static struct page *slab_grow(struct kmem_cache *c)
{
	char *base = page_alloc(c->order);
	struct page *head;
	void *next = NULL;

	if (!base)
		return NULL;
	head = virt_to_page(base);
	for (unsigned int i = 0; i < (1U << c->order); i++) {
		head[i].flags |= PAGE_SLAB;
		head[i].slab_cache = c;
		if (i)
			head[i].slab_head = head;
	}
	/* thread the free list in address order */
	for (unsigned int i = c->per_slab; i-- > 0;) {
		slab_debug_on_new(c, (u8 *)base + i * c->size);
		obj_mark_free(c, base + i * c->size, next);
		next = base + i * c->size;
	}
	head->slab_freelist = next;
	head->slab_inuse = 0;
	return head;
}

static void slab_release(struct kmem_cache *c, struct page *head)
{
	for (unsigned int i = 0; i < (1U << c->order); i++) {
		head[i].flags &= ~PAGE_SLAB;
		head[i].slab_cache = NULL;
		head[i].slab_head = NULL;
	}
	page_free(page_to_virt(head), c->order);
}

struct kmem_cache *kmem_cache_create(const char *name, size_t size, size_t align)
{
	struct kmem_cache *c;

	if (align == 0)
		align = 8;
	if (size == 0 || size > (PAGE_SIZE << SLAB_MAX_ORDER) || align > PAGE_SIZE ||
	    (align & (align - 1)))
		return NULL;
	c = kmem_cache_zalloc(&cache_cache);
	if (c)
		cache_setup(c, name, size, align);
	return c;
}

/* Give every cache's cached empty slabs back to the page allocator. */
void kmem_cache_shrink_all(void)
{
	unsigned long list_flags = spin_lock_irqsave(&cache_list_lock);
	struct kmem_cache *c;

	list_for_each_entry(c, &cache_list, link) {
		for (;;) {
			unsigned long flags = spin_lock_irqsave(&c->lock);
			struct page *head = list_first_entry_or_null(&c->empty, struct page, list);

			if (head) {
				list_del(&head->list);
				c->nr_empty--;
				c->nr_slabs--;
			}
			spin_unlock_irqrestore(&c->lock, flags);
			if (!head)
				break;
			slab_release(c, head);
		}
	}
	spin_unlock_irqrestore(&cache_list_lock, list_flags);
}

void kmem_cache_destroy(struct kmem_cache *c)
{
	unsigned long flags;
	struct page *head, *tmp;

	if (!c)
		return;
	flags = spin_lock_irqsave(&c->lock);
	if (c->in_use) {
		spin_unlock_irqrestore(&c->lock, flags);
		pr_err("slab: not destroying cache %s: %lu objects still in use\n",
		       c->name, c->in_use);
		return;
	}
	spin_unlock_irqrestore(&c->lock, flags);
	flags = spin_lock_irqsave(&cache_list_lock);
	list_del(&c->link);
	spin_unlock_irqrestore(&cache_list_lock, flags);
	list_for_each_entry_safe(head, tmp, &c->empty, list) {
		list_del(&head->list);
		slab_release(c, head);
	}
	kmem_cache_free(&cache_cache, c);
}

void *kmem_cache_alloc(struct kmem_cache *c)
{
	unsigned long flags = spin_lock_irqsave(&c->lock);
	struct page *head;
	void **obj;

	if (!list_empty(&c->partial)) {
		head = list_first_entry(&c->partial, struct page, list);
	} else if (!list_empty(&c->empty)) {
		head = list_first_entry(&c->empty, struct page, list);
		c->nr_empty--;
	} else {
		spin_unlock_irqrestore(&c->lock, flags);
		head = slab_grow(c);
		if (!head)
			return NULL;
		flags = spin_lock_irqsave(&c->lock);
		c->nr_slabs++;
		list_add(&head->list, &c->partial);
	}
	obj = head->slab_freelist;
	head->slab_freelist = obj[0];
	head->slab_inuse++;
	c->in_use++;
	if (head->slab_inuse == c->per_slab)
		list_move(&head->list, &c->full);
	else
		list_move(&head->list, &c->partial);
	spin_unlock_irqrestore(&c->lock, flags);
	slab_debug_on_alloc(c, (u8 *)obj);
	obj[0] = NULL;
	if (obj_has_tag_room(c))
		obj[1] = NULL;
	return obj;
}

void *kmem_cache_zalloc(struct kmem_cache *c)
{
	void *obj = kmem_cache_alloc(c);

	if (obj)
		memset(obj, 0, c->object_size);
	return obj;
}

void kmem_cache_free(struct kmem_cache *c, void *obj)
{
	struct page *page = virt_to_page(obj), *head, *release = NULL;
	unsigned long flags, offset;

	if (!page || !(page->flags & PAGE_SLAB))
		panic("slab: freeing %p to %s: not a slab object", obj, c->name);
	if (page->slab_cache != c)
		panic("slab: freeing %p to %s: it belongs to %s", obj, c->name,
		       page->slab_cache->name);
	head = (page->flags & BUDDY_PAGE_ALLOCATED) ? page : page->slab_head;
	offset = (uintptr_t)obj - (uintptr_t)page_to_virt(head);
	if (offset % c->size || offset / c->size >= c->per_slab)
		panic("slab: freeing %p to %s: not the start of an object", obj, c->name);
	flags = spin_lock_irqsave(&c->lock);
	if (obj_is_marked_free(c, obj) || head->slab_inuse == 0)
		panic("slab: double free of %p in %s", obj, c->name);
	slab_debug_on_free(c, obj);
	obj_mark_free(c, obj, head->slab_freelist);
	head->slab_freelist = obj;
	head->slab_inuse--;
	c->in_use--;
	if (head->slab_inuse == 0) {
		if (c->nr_empty) {
			/* one empty slab is cached already: give this one back */
			list_del(&head->list);
			c->nr_slabs--;
			release = head;
		} else {
			list_move(&head->list, &c->empty);
			c->nr_empty++;
		}
	} else if (head->slab_inuse == c->per_slab - 1) {
		list_move(&head->list, &c->partial);
	}
	spin_unlock_irqrestore(&c->lock, flags);
	if (release)
		slab_release(c, release);
}

unsigned int kmem_cache_info_get(struct kmem_cache_info *out, unsigned int max)
{
	unsigned long flags = spin_lock_irqsave(&cache_list_lock);
	struct kmem_cache *c;
	unsigned int n = 0;

	list_for_each_entry(c, &cache_list, link) {
		if (n < max) {
			struct kmem_cache_info *i = &out[n];
			unsigned long cflags = spin_lock_irqsave(&c->lock);

			strlcpy(i->name, c->name, sizeof(i->name));
			i->object_size = c->object_size;
			i->in_use = c->in_use;
			i->slabs = c->nr_slabs;
			i->total = c->nr_slabs * c->per_slab;
			i->bytes = c->nr_slabs * (PAGE_SIZE << c->order);
			spin_unlock_irqrestore(&c->lock, cflags);
		}
		n++;
	}
	spin_unlock_irqrestore(&cache_list_lock, flags);
	return n;
}

/* The descriptor cache describes itself. */
void slab_init(void)
{
	cache_setup(&cache_cache, "kmem_cache", sizeof(struct kmem_cache), 8);
}
