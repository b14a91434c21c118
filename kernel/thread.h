/*
 * Kernel threads. Every thread has its own stack with a guard page below it,
 * a name, a priority (0 most urgent .. SCHED_NR_PRIO - 1, default
 * THREAD_PRIO_DEFAULT) and a set of CPUs it may run on. A thread is created
 * stopped, configured, then started; it ends by returning from its function
 * or calling thread_exit(); someone joins it (gets its result, frees it) or
 * it was detached and frees itself.
 */
#ifndef KERNEL_THREAD_H
#define KERNEL_THREAD_H

#include "lib/types.h"
#include "lib/list.h"
#include "kernel/cpumask.h"
#include "kernel/wait.h"

struct blk_plug;

#define THREAD_PRIO_DEFAULT 4
#define THREAD_STACK_SIZE (16 * 1024)
#define THREAD_NAME_MAX 24

enum thread_state {
	THREAD_NEW,		/* created, not started */
	THREAD_RUNNING,		/* wants the CPU: running or queued */
	THREAD_BLOCKED,		/* waiting for a wake-up */
	THREAD_EXITING,		/* called thread_exit, still on its stack */
	THREAD_EXITED,		/* off every CPU; only the struct remains */
};

struct thread {
	u64 rsp;			/* saved stack pointer; offset 0, used by switch.S */
	enum thread_state state;	/* written by the thread, or by wakers under the rq lock */
	bool on_rq;			/* queued or running; protected by the rq lock of cpu */
	bool idle;			/* a CPU's idle thread */
	unsigned int cpu;		/* CPU it runs or is queued on; changes under rq locks */
	int prio;
	u64 slice_end_ns;		/* round-robin: yield to peers after this */
	cpumask_t allowed;		/* CPUs it may run on */
	struct list_head rq_link;	/* in its run queue */
	struct list_head all_link;	/* in the list of every thread */
	void *stack_top;
	int (*fn)(void *arg);
	void *arg;
	int exit_code;
	int refs;			/* the thread's own, and its creator's until join/detach */
	struct wait_queue exit_wait;	/* joiners wait here for THREAD_EXITED */
	u64 run_ns;			/* CPU time used */
	unsigned int tid;
	char name[THREAD_NAME_MAX];
	void *io_context;		/* per-thread I/O context (block/ioc), created on first I/O */
	struct blk_plug *plug;		/* block/blk-core.c: requests held back for one batch */
};

/* A new, stopped thread; ERR_PTR(-ENOMEM) when out of memory. */
struct thread *thread_create(const char *name, int (*fn)(void *arg), void *arg);
/* Before thread_start(): run only on these CPUs (-EINVAL if none is online). */
int thread_set_affinity(struct thread *t, const cpumask_t *cpus);
int thread_bind(struct thread *t, unsigned int cpu);
int thread_set_priority(struct thread *t, int prio);
void thread_start(struct thread *t);
/* create + start, for the common case */
struct thread *thread_run(const char *name, int (*fn)(void *arg), void *arg);
/* Wait for t to end, return its exit code and free it. */
int thread_join(struct thread *t);
/* Nobody will join t: it frees itself when it ends. */
void thread_detach(struct thread *t);
void __noreturn thread_exit(int code);
void thread_yield(void);
void thread_sleep_ns(u64 ns);
/* Make a blocked thread runnable; false if it was not blocked. Any context. */
bool thread_wake(struct thread *t);
/* Threads ever created and not yet freed (for leak checks). */
unsigned int thread_count(void);

#endif
