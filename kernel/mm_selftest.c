/*
 * Self tests of memory management (suite `mem`): the page allocator's counts
 * and merging, kmalloc under a random load with patterns checked, a cache's
 * life cycle, ioremap against the direct map, and guarded stacks.
 */
#include "kernel/ioremap.h"
#include "kernel/kstack.h"
#include "kernel/page_alloc.h"
#include "kernel/paging.h"
#include "kernel/selftest.h"
#include "kernel/slab.h"
#include "lib/errno.h"
#include "lib/string.h"

static void test_page_orders(struct selftest *t)
{
	u64 start = mm_pages_free();

	for (unsigned int o = 0; o <= PAGE_MAX_ORDER; o++) {
		u8 *p = page_zalloc(o);

		ST_ASSERT(t, p != NULL);
		ST_EXPECT(t, IS_ALIGNED(virt_to_phys(p), PAGE_SIZE << o));
		ST_EXPECT_EQ(t, mm_pages_free(), start - (1ULL << o));
		ST_EXPECT_EQ(t, p[(PAGE_SIZE << o) - 1], 0);
		page_free(p, o);
		ST_EXPECT_EQ(t, mm_pages_free(), start);
	}
}
SELFTEST(mem, page_orders, test_page_orders);

/* True when the page at phys lies in a free block of order 1 or more. */
static bool in_merged_free_block(u64 phys)
{
	struct page *page = virt_to_page(phys_to_virt(phys));
	u64 pfn = phys >> PAGE_SHIFT;

	for (unsigned int o = 1; o <= PAGE_MAX_ORDER; o++) {
		struct page *head = page - (pfn & ((1ULL << o) - 1));

		if ((head->flags & BUDDY_PAGE_FREE) && head->order >= o)
			return true;
	}
	return false;
}

static void test_page_merge(struct selftest *t)
{
	void *got[64];
	unsigned int n, a = 0, b = 0;
	bool found = false;

	/* once the free order-0 pages run out, allocations split pairs of buddies */
	for (n = 0; n < ARRAY_SIZE(got) && !found; n++) {
		got[n] = page_alloc(0);
		ST_ASSERT(t, got[n] != NULL);
		for (unsigned int k = 0; k < n && !found; k++) {
			if ((virt_to_phys(got[k]) ^ virt_to_phys(got[n])) == PAGE_SIZE) {
				a = k;
				b = n;
				found = true;
			}
		}
	}
	ST_ASSERT(t, found);
	for (unsigned int k = 0; k < n; k++)
		if (k != a && k != b)
			page_free(got[k], 0);
	page_free(got[a], 0);
	ST_EXPECT(t, !in_merged_free_block(virt_to_phys(got[a])));
	page_free(got[b], 0);
	ST_EXPECT(t, in_merged_free_block(virt_to_phys(got[a])));
}
SELFTEST(mem, page_merge, test_page_merge);

#define KMALLOC_SLOTS 512

static u32 rand_next(u32 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void test_kmalloc_random(struct selftest *t)
{
	static u8 *ptr[KMALLOC_SLOTS];
	static u32 len[KMALLOC_SLOTS];
	u64 free_start = mm_pages_free();
	u32 seed = 12345;

	for (int round = 0; round < 8000; round++) {
		unsigned int i = rand_next(&seed) % KMALLOC_SLOTS;

		if (ptr[i]) {
			for (u32 k = 0; k < len[i]; k++) {
				if (ptr[i][k] != (u8)(i + k)) {
					ST_EXPECT(t, ptr[i][k] == (u8)(i + k));
					break;
				}
			}
			kfree(ptr[i]);
			ptr[i] = NULL;
			continue;
		}
		len[i] = 1 + rand_next(&seed) % (rand_next(&seed) % 8 ? 512 : 20000);
		ptr[i] = kmalloc(len[i]);
		ST_ASSERT(t, ptr[i] != NULL);
		ST_EXPECT(t, IS_ALIGNED((uintptr_t)ptr[i], 8));
		for (u32 k = 0; k < len[i]; k++)
			ptr[i][k] = (u8)(i + k);
	}
	for (unsigned int i = 0; i < KMALLOC_SLOTS; i++) {
		if (ptr[i]) {
			for (u32 k = 0; k < len[i]; k++) {
				if (ptr[i][k] != (u8)(i + k)) {
					ST_EXPECT(t, ptr[i][k] == (u8)(i + k));
					break;
				}
			}
			kfree(ptr[i]);
			ptr[i] = NULL;
		}
	}
	/* each cache may keep one empty slab */
	ST_EXPECT(t, mm_pages_free() + 13 * 8 >= free_start);
	ST_EXPECT(t, kcalloc((size_t)1 << 40, (size_t)1 << 40) == NULL);
	ST_EXPECT(t, kmalloc(0) == NULL);
	kfree(NULL);
}
SELFTEST(mem, kmalloc_random, test_kmalloc_random);

static void test_cache_lifecycle(struct selftest *t)
{
	struct kmem_cache_info info[64];
	struct kmem_cache *c = kmem_cache_create("selftest-200", 200, 64);
	void *obj[100];
	unsigned int n, i;
	u64 free_start = mm_pages_free();

	ST_ASSERT(t, c != NULL);
	for (i = 0; i < ARRAY_SIZE(obj); i++) {
		obj[i] = kmem_cache_zalloc(c);
		ST_ASSERT(t, obj[i] != NULL);
		ST_EXPECT(t, IS_ALIGNED((uintptr_t)obj[i], 64));
		memset(obj[i], (int)i, 200);
	}
	n = min(kmem_cache_info_get(info, ARRAY_SIZE(info)), (unsigned int)ARRAY_SIZE(info));
	for (unsigned int k = 0; k < n; k++) {
		if (!strcmp(info[k].name, "selftest-200")) {
			ST_EXPECT_EQ(t, info[k].in_use, 100);
			ST_EXPECT(t, info[k].total >= 100);
		}
	}
	for (i = 0; i < ARRAY_SIZE(obj); i++) {
		ST_EXPECT_EQ(t, ((u8 *)obj[i])[199], (u8)i);
		kmem_cache_free(c, obj[i]);
	}
	kmem_cache_destroy(c);
	ST_EXPECT_EQ(t, mm_pages_free(), free_start);
	ST_EXPECT(t, kmem_cache_create("too-big", 1 << 20, 8) == NULL);
	ST_EXPECT(t, kmem_cache_create("bad-align", 64, 24) == NULL);
}
SELFTEST(mem, cache_lifecycle, test_cache_lifecycle);

static void test_ioremap_ram(struct selftest *t)
{
	u32 *direct = page_zalloc(0), *io, *mem;
	u64 phys;

	ST_ASSERT(t, direct != NULL);
	phys = virt_to_phys(direct);
	io = ioremap(phys + 16, 64);
	ST_ASSERT(t, io != NULL);
	ST_EXPECT_EQ(t, (uintptr_t)io & (PAGE_SIZE - 1), 16);
	direct[4] = 0xfeedf00d;
	ST_EXPECT_EQ(t, io[0], 0xfeedf00d);
	io[1] = 0x12345678;
	ST_EXPECT_EQ(t, direct[5], 0x12345678);
	ST_EXPECT_EQ(t, vm_translate((uintptr_t)io, &phys), 0);
	ST_EXPECT_EQ(t, phys, virt_to_phys(direct) + 16);
	iounmap(io, 64);
	ST_EXPECT_EQ(t, vm_translate((uintptr_t)io, &phys), -ENOENT);
	mem = memremap(virt_to_phys(direct), PAGE_SIZE);
	ST_EXPECT(t, mem == direct);	/* RAM: the direct map itself */
	memunmap(mem, PAGE_SIZE);
	page_free(direct, 0);
}
SELFTEST(mem, ioremap_ram, test_ioremap_ram);

static void test_kstack(struct selftest *t)
{
	u64 free_start = mm_pages_free(), pa;
	u8 *top = kstack_alloc(16 * 1024), *top2;

	ST_ASSERT(t, top != NULL);
	ST_EXPECT(t, IS_ALIGNED((uintptr_t)top, 16));
	top[-1] = 1;
	top[-16 * 1024] = 2;
	ST_EXPECT_EQ(t, vm_translate((uintptr_t)top - 16 * 1024, &pa), 0);
	/* the guard page below is not mapped */
	ST_EXPECT_EQ(t, vm_translate((uintptr_t)top - 16 * 1024 - 1, &pa), -ENOENT);
	top2 = kstack_alloc(8 * 1024);
	ST_ASSERT(t, top2 != NULL);
	ST_EXPECT(t, top2 != top);
	kstack_free(top2);
	kstack_free(top);
	ST_EXPECT_EQ(t, vm_translate((uintptr_t)top - 1, &pa), -ENOENT);
	/* page tables made on the way may stay */
	ST_EXPECT(t, mm_pages_free() + 4 >= free_start);
}
SELFTEST(mem, kstack, test_kstack);
