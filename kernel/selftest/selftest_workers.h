/*
 * Worker threads for the SMP self tests: per_cpu threads bound to every
 * online CPU, each handed a struct selftest_worker that says which CPU it
 * is for and carries the test's shared context.
 */
#ifndef KERNEL_SELFTEST_SELFTEST_WORKERS_H
#define KERNEL_SELFTEST_SELFTEST_WORKERS_H

#include "lib/types.h"

struct thread;

struct selftest_worker {
	struct thread *thread;
	unsigned int cpu;		/* the CPU it is bound to */
	unsigned int index;		/* 0 .. n - 1 */
	void *ctx;			/* the test's shared state */
	int (*fn)(struct selftest_worker *w);
	u64 result;			/* for the test's own use */
};

struct selftest_workers {
	unsigned int n;
	struct selftest_worker *w;	/* n of them */
};

/*
 * Create and start per_cpu workers on every online CPU (at priority prio),
 * running fn. 0, or a negative errno with nothing left running.
 */
int selftest_workers_start(struct selftest_workers *ws, const char *name, unsigned int per_cpu,
			   int prio, int (*fn)(struct selftest_worker *w), void *ctx);
/* Join them all; returns how many returned non-zero. Their results stay. */
unsigned int selftest_workers_join(struct selftest_workers *ws);
void selftest_workers_free(struct selftest_workers *ws);

#endif
