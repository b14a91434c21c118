/*
 * Self tests of memory allocation across CPUs (suite `memsmp`): kmalloc and
 * kfree from a thread on every CPU at once, with patterns checked, objects
 * freed on other CPUs than the one that allocated them, pages and guarded
 * stacks too, and the free page count back to its start.
 */
#include "kernel/mm/kstack.h"
#include "kernel/mm/page_alloc.h"
#include "kernel/arch/percpu.h"
#include "kernel/selftest/selftest.h"
#include "kernel/selftest/selftest_workers.h"
#include "kernel/mm/slab.h"
#include "kernel/sched/thread.h"
#include "lib/string.h"

#define SLOTS 128
#define ROUNDS 6000
#define HANDOFF 64			/* objects each worker leaves for the next to free */

struct memsmp {
	int rounds;
	void *handoff[MAX_CPUS][HANDOFF];	/* by worker index */
	u32 handoff_len[MAX_CPUS][HANDOFF];
};

static u32 rand_next(u32 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void fill(u8 *p, u32 len, u32 tag)
{
	for (u32 k = 0; k < len; k++)
		p[k] = (u8)(tag + k * 7);
}

/* The first corrupt byte's offset, or -1. */
static long check(const u8 *p, u32 len, u32 tag)
{
	for (u32 k = 0; k < len; k++)
		if (p[k] != (u8)(tag + k * 7))
			return k;
	return -1;
}

static u32 random_size(u32 *seed)
{
	u32 r = rand_next(seed);

	/* mostly small objects, some up to a few pages */
	return r % 8 ? 1 + (r >> 8) % 512 : 1 + (r >> 8) % (3 * 4096);
}

static int memsmp_body(struct selftest_worker *w)
{
	struct memsmp *m = w->ctx;
	u8 *ptr[SLOTS] = { NULL };
	u32 len[SLOTS], seed = 0x9e3779b9u * (w->index + 1), bad = 0;

	for (int r = 0; r < m->rounds && !bad; r++) {
		unsigned int i = rand_next(&seed) % SLOTS;

		if (ptr[i]) {
			if (check(ptr[i], len[i], (u32)(uintptr_t)ptr[i]) >= 0)
				bad++;
			kfree(ptr[i]);
			ptr[i] = NULL;
		} else {
			len[i] = random_size(&seed);
			ptr[i] = kmalloc(len[i]);
			if (!ptr[i])
				return 10;
			fill(ptr[i], len[i], (u32)(uintptr_t)ptr[i]);
		}
		if (r % 512 == 0) {
			void *stack = kstack_alloc(THREAD_STACK_SIZE);

			if (!stack)
				return 11;
			((u8 *)stack)[-1] = 1;
			kstack_free(stack);
		}
	}
	for (unsigned int i = 0; i < SLOTS; i++) {
		if (ptr[i] && check(ptr[i], len[i], (u32)(uintptr_t)ptr[i]) >= 0)
			bad++;
		kfree(ptr[i]);
	}
	/* leave objects for the test to check and free, on its own CPU */
	for (unsigned int i = 0; i < HANDOFF; i++) {
		m->handoff_len[w->index][i] = random_size(&seed);
		m->handoff[w->index][i] = kmalloc(m->handoff_len[w->index][i]);
		if (m->handoff[w->index][i])
			fill(m->handoff[w->index][i], m->handoff_len[w->index][i], w->index);
	}
	w->result = bad;
	return 0;
}

/* One run: workers on every CPU, then their leftovers freed here. */
static void memsmp_run(struct selftest *t, struct memsmp *m, int rounds)
{
	struct selftest_workers ws;
	unsigned int bad = 0, missing = 0;

	memset(m, 0, sizeof(*m));
	m->rounds = rounds;
	ST_ASSERT_EQ(t, selftest_workers_start(&ws, "st-memsmp", 1, THREAD_PRIO_DEFAULT,
					       memsmp_body, m), 0);
	for (unsigned int i = 0; i < ws.n; i++) {
		int err = thread_join(ws.w[i].thread);

		if (err == 10 || err == 11)
			selftest_fail(t, __FILE__, __LINE__, "CPU %u: out of memory (%s)",
				      ws.w[i].cpu, err == 10 ? "kmalloc" : "kstack_alloc");
		if (ws.w[i].result)
			selftest_fail(t, __FILE__, __LINE__, "CPU %u: %llu objects corrupted",
				      ws.w[i].cpu, (unsigned long long)ws.w[i].result);
	}
	/* free what each left, here: mostly on another CPU than the one that allocated it */
	for (unsigned int i = 0; i < ws.n; i++) {
		for (unsigned int k = 0; k < HANDOFF; k++) {
			if (!m->handoff[i][k]) {
				missing++;
				continue;
			}
			if (check(m->handoff[i][k], m->handoff_len[i][k], i) >= 0)
				bad++;
			kfree(m->handoff[i][k]);
		}
	}
	ST_EXPECT_EQ(t, missing, 0);
	ST_EXPECT_EQ(t, bad, 0);
	selftest_workers_free(&ws);
}

static void test_kmalloc_all_cpus(struct selftest *t)
{
	static struct memsmp m;
	u64 free_start;

	/*
	 * A short first run brings every kmalloc cache to its steady state (one
	 * cached empty slab each) and maps the stack area's page tables.
	 */
	memsmp_run(t, &m, selftest_scaled(ROUNDS, 750) / 8);
	/* cached empty slabs depend on the interleaving: release them both times */
	kmem_cache_shrink_all();
	free_start = mm_pages_free();
	memsmp_run(t, &m, selftest_scaled(ROUNDS, 750));
	kmem_cache_shrink_all();
	if (mm_pages_free() != free_start)
		selftest_fail(t, __FILE__, __LINE__, "free pages %llu after, %llu before (%lld)",
			      (unsigned long long)mm_pages_free(), (unsigned long long)free_start,
			      (long long)(mm_pages_free() - free_start));
}
SELFTEST(memsmp, kmalloc_all_cpus, test_kmalloc_all_cpus);
