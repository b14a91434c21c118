/* Between the scheduler (kernel/sched/sched.c) and thread lifetimes (kernel/sched/thread.c). */
#ifndef KERNEL_SCHED_THREAD_INTERNAL_H
#define KERNEL_SCHED_THREAD_INTERNAL_H

#include "kernel/sched/thread.h"
#include "kernel/sched/sched_types.h"

/* A thread for the context running now, on its current stack (boot CPUs). */
struct thread *thread_adopt_boot(const char *name, unsigned int cpu);
/* CPU cpu's idle thread, bound to it, entered by the first switch to it. */
struct thread *thread_create_idle(int (*fn)(void *arg), unsigned int cpu);
/* last switched out for good: mark it exited, wake joiners, drop its ref. */
void thread_reap_later(struct thread *last);
/* Free threads that ended with nobody left to free them. */
void thread_reap(void);
void sched_start_thread(struct thread *t);
void runqueue_init(struct runqueue *rq);
/* An online CPU of t's set, else the first online CPU (never an offline one). */
unsigned int sched_fallback_cpu_of(struct thread *t);
struct thread *sched_finish_switch(struct thread *last);

#endif
