/*
 * Kernel threads. Every thread has its own stack with a guard page below it,
 * a name, a priority (0 most urgent .. SCHED_NR_PRIO - 1, default
 * THREAD_PRIO_DEFAULT) and a set of CPUs it may run on. A thread is created
 * stopped, configured, then started; it ends by returning from its function
 * or calling thread_exit(); someone joins it (gets its result, frees it) or
 * it was detached and frees itself.
 */
#ifndef KERNEL_SCHED_THREAD_H
#define KERNEL_SCHED_THREAD_H

#include "lib/types.h"
#include "lib/list.h"
#include "kernel/sched/cpumask.h"
#include "kernel/sched/wait.h"

struct blk_plug;
struct io_wq_worker;

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
	bool in_iowait;			/* asleep for I/O: its CPU may poll (idle_poll.c) */
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
	void *io_context;		/* per-thread I/O context (block/blk_ioc.h), created on first I/O */
	struct blk_plug *plug;		/* block/blk_core.c: requests held back for one batch */
	struct io_wq_worker *io_worker;	/* kernel/io_wq: set while it is a pool's worker */
	/* kernel/console: where its printf goes (a background shell job's buffer), or NULL */
	struct console_redirect *console_redirect;
};

/* A new, stopped thread; ERR_PTR(-ENOMEM) when out of memory. */
struct thread *thread_create(const char *name, int (*fn)(void *arg), void *arg);
/*
 * thread_create with flags: THREAD_CLONE_IO shares the creator's io_context
 * (Linux's CLONE_IO: one I/O priority and one scheduler state for both);
 * without it the new thread gets an io_context of its own, with the
 * creator's I/O priority if one was set (block/blk_ioc.h).
 */
#define THREAD_CLONE_IO (1U << 0)
struct thread *thread_create_flags(const char *name, int (*fn)(void *arg), void *arg,
				   unsigned int flags);

/*
 * Per-thread state a layer above keeps (the block layer's io_context),
 * registered once at boot: fork gives child its share of parent's (parent
 * NULL at early boot), exit lets go of t's (idempotent: at exit, and when
 * a thread that never ran is freed).
 */
struct thread_io_ops {
	int (*fork)(struct thread *parent, struct thread *child, bool share);
	void (*exit)(struct thread *t);
};
void thread_io_ops_register(const struct thread_io_ops *ops);
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
/* The thread with id tid, with a reference the caller drops with thread_put_ref; or NULL. */
struct thread *thread_get_by_tid(unsigned int tid);
void thread_put_ref(struct thread *t);

/*
 * CPU hotplug: every thread whose set of CPUs has none of usable left
 * (bound to a CPU going offline) may from now on run on any CPU, as
 * Linux's select_fallback_rq() does. Up to max of them are described in
 * out for the caller's message; returns how many there were.
 */
struct thread_moved {
	unsigned int tid;
	unsigned int cpu;		/* the first CPU of its old set */
	char name[THREAD_NAME_MAX];
};
unsigned int thread_affinity_break(const cpumask_t *usable, struct thread_moved *out,
				   unsigned int max);

/*
 * After CPU from parked: sleeping threads that last ran there name an
 * online CPU instead (they would be woken elsewhere anyway; `threads`
 * then shows no thread but its idle one on an offline CPU).
 */
void thread_rehome_from(unsigned int from);

/* "new", "running" (on its CPU now), "ready", "blocked" or "exited". */
const char *thread_state_name(const struct thread *t);

/* One thread as `threads` shows it: a copy, taken under the thread list's lock. */
struct thread_info {
	unsigned int tid;
	char name[THREAD_NAME_MAX];	/* "idle" for a CPU's idle thread */
	const char *state;		/* thread_state_name() */
	unsigned int cpu;
	int prio;
	cpumask_t allowed;
	u64 run_ns;
};

/* Copy up to max threads, in creation order, into out; how many were copied. */
unsigned int thread_snapshot(struct thread_info *out, unsigned int max);

#endif
