/*
 * Worker threads for the SMP self tests (see kernel/selftest/selftest_workers.h).
 */
#include "kernel/selftest/selftest_workers.h"
#include "kernel/arch/percpu.h"
#include "kernel/mm/slab.h"
#include "kernel/sched/thread.h"
#include "lib/errno.h"

static int worker_noop(struct selftest_worker *w)
{
	return 0;
}

static int worker_entry(void *arg)
{
	struct selftest_worker *w = arg;

	return w->fn(w);
}

int selftest_workers_start(struct selftest_workers *ws, const char *name, unsigned int per_cpu,
			   int prio, int (*fn)(struct selftest_worker *w), void *ctx)
{
	unsigned int cpu, i = 0;
	int err = 0;

	ws->n = cpumask_weight(&cpu_online_mask) * per_cpu;
	ws->w = kcalloc(ws->n, sizeof(*ws->w));
	if (!ws->w)
		return -ENOMEM;
	for_each_online_cpu(cpu) {
		for (unsigned int k = 0; k < per_cpu && i < ws->n; k++, i++) {
			struct selftest_worker *w = &ws->w[i];

			w->cpu = cpu;
			w->index = i;
			w->ctx = ctx;
			w->fn = fn;
			w->thread = thread_create(name, worker_entry, w);
			if (IS_ERR(w->thread)) {
				err = (int)PTR_ERR(w->thread);
				w->thread = NULL;
				goto unwind;
			}
			if (thread_bind(w->thread, cpu) || thread_set_priority(w->thread, prio)) {
				err = -EINVAL;
				goto unwind;
			}
		}
	}
	ws->n = i;
	for (i = 0; i < ws->n; i++)
		thread_start(ws->w[i].thread);
	return 0;

unwind:
	/* a thread that never ran cannot be freed: let each run empty, then join it */
	for (unsigned int k = 0; k <= i && k < ws->n; k++) {
		if (!ws->w[k].thread)
			continue;
		ws->w[k].fn = worker_noop;
		thread_start(ws->w[k].thread);
		thread_join(ws->w[k].thread);
	}
	kfree(ws->w);
	ws->w = NULL;
	return err;
}

unsigned int selftest_workers_join(struct selftest_workers *ws)
{
	unsigned int bad = 0;

	for (unsigned int i = 0; i < ws->n; i++)
		if (thread_join(ws->w[i].thread))
			bad++;
	return bad;
}

void selftest_workers_free(struct selftest_workers *ws)
{
	kfree(ws->w);
	ws->w = NULL;
	ws->n = 0;
}
