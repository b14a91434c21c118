/*
 * Self tests of memory management (suite `mem`): the page allocator's counts
 * and merging, kmalloc under a random load with patterns checked, a cache's
 * life cycle, ioremap against the direct map, guarded stacks, and W^X over
 * every page-table entry.
 */
#include "kernel/console/console.h"
#include "kernel/mm/ioremap.h"
#include "kernel/mm/kstack.h"
#include "kernel/mm/page_alloc.h"
#include "kernel/mm/paging.h"
#include "kernel/selftest/selftest.h"
#include "kernel/mm/slab.h"
#include "lib/errno.h"
#include "lib/printf.h"
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

struct wx_scan {
	u64 leaves, writable_exec, text_alias_writable, text_exec_pages;
	u64 first_bad_va, first_bad_entry;
	u64 text_pa_start, text_pa_end;	/* [text, rodata end) of the image */
};

static void wx_check_leaf(u64 va, u64 e, unsigned int level, void *arg)
{
	struct wx_scan *s = arg;
	u64 size = 1ULL << PT_LEVEL_SHIFT(level);
	u64 pa = e & PTE_ADDR_MASK & ~(size - 1);

	s->leaves++;
	if ((e & PTE_W) && !(e & PTE_NX) && pte_nx) {
		if (!s->writable_exec++) {
			s->first_bad_va = va;
			s->first_bad_entry = e;
		}
	}
	if (!(e & PTE_NX))
		s->text_exec_pages++;
	/* a writable mapping of any page of the image's code or constants */
	if ((e & PTE_W) && pa < s->text_pa_end && pa + size > s->text_pa_start)
		s->text_alias_writable++;
}

/*
 * Every mapping W^X, and the image's text and rodata writable nowhere: a
 * walk of the whole of the kernel's page tables (issue 17).
 */
static void test_wx(struct selftest *t)
{
	extern char __text_start[], __text_end[], __rodata_end[];
	struct wx_scan s = { 0 };
	u64 text_pages = ((uintptr_t)__text_end - (uintptr_t)__text_start) / PAGE_SIZE;

	/* without NX nothing can be W^X: then the check is that text is read-only */
	s.text_pa_start = virt_to_phys(__text_start);
	s.text_pa_end = virt_to_phys(__rodata_end);
	paging_for_each_leaf(wx_check_leaf, &s);
	if (s.writable_exec)
		selftest_fail(t, __FILE__, __LINE__, "%llu writable and executable mappings, the first at %#llx (entry %#llx)",
			      (unsigned long long)s.writable_exec,
			      (unsigned long long)s.first_bad_va,
			      (unsigned long long)s.first_bad_entry);
	ST_EXPECT_EQ(t, s.text_alias_writable, 0);
	/* executable: the kernel text and nothing else */
	if (pte_nx)
		ST_EXPECT_EQ(t, s.text_exec_pages, text_pages);
	ST_EXPECT(t, s.leaves > text_pages);
	printf("    %llu leaf entries, %llu executable (the kernel text), %llu writable and executable\n",
	       (unsigned long long)s.leaves, (unsigned long long)s.text_exec_pages,
	       (unsigned long long)s.writable_exec);
}
SELFTEST(mem, wx, test_wx);
