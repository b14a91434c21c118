/*
 * Wait queues and completions. A thread that must wait for a condition puts
 * itself on a wait queue and sleeps; whoever makes the condition true wakes
 * the queue. The wait_event() macros do the dance that loses no wake-up: the
 * thread is marked blocked and queued under the queue's lock before it tests
 * the condition, and the waker changes the condition before taking that lock.
 */
#ifndef KERNEL_SCHED_WAIT_H
#define KERNEL_SCHED_WAIT_H

#include "lib/types.h"
#include "lib/list.h"
#include "kernel/sched/spinlock.h"
#include "kernel/time/timer.h"
#include "kernel/sched/lockdebug.h"

struct thread;

struct wait_queue {
	spinlock_t lock;
	struct list_head waiters;	/* struct waiter, protected by lock */
};

struct waiter {
	struct list_head link;
	struct thread *thread;
};

#define WAIT_QUEUE_INIT(name) { SPINLOCK_INIT, LIST_HEAD_INIT((name).waiters) }

void wait_queue_init(struct wait_queue *wq);
/* Queue the current thread and mark it blocked; then test, then schedule(). */
void wait_prepare(struct wait_queue *wq, struct waiter *w);
/* Mark it running again and dequeue it. */
void wait_finish(struct wait_queue *wq, struct waiter *w);
void wake_up_one(struct wait_queue *wq);
void wake_up_all(struct wait_queue *wq);
/* wake_up_all() for a caller that holds wq->lock */
void wake_up_all_locked(struct wait_queue *wq);
void schedule(void);

#define wait_event(wq, cond)							\
	do {									\
		struct waiter __w;						\
		might_sleep_what("wait_event");					\
		for (;;) {							\
			wait_prepare(&(wq), &__w);				\
			if (cond)						\
				break;						\
			schedule();						\
			/* dequeue before the next prepare queues __w again */	\
			wait_finish(&(wq), &__w);				\
		}								\
		wait_finish(&(wq), &__w);					\
	} while (0)

/*
 * wait_event() for an I/O the thread waits on: while it sleeps its CPU may
 * poll a while before halting, to take the completion sooner
 * (kernel/sched/idle_poll.c). io_wait_begin() returns what to hand back to
 * io_wait_end(), so that the two nest.
 */
bool io_wait_begin(void);
void io_wait_end(bool was);
#define io_wait_event(wq, cond)							\
	do {									\
		bool __was_io = io_wait_begin();				\
		wait_event(wq, cond);						\
		io_wait_end(__was_io);						\
	} while (0)

/* A timer that wakes the waiting thread when the time is up. */
struct wait_timeout {
	struct timer timer;
	struct thread *thread;
	volatile bool expired;
};

void wait_timeout_start(struct wait_timeout *to, u64 timeout_ns);
void wait_timeout_stop(struct wait_timeout *to);

/* Wait for cond at most timeout_ns; evaluates to whether cond became true. */
#define wait_event_timeout(wq, cond, timeout_ns)				\
	({									\
		struct wait_timeout __to;					\
		bool __ok;							\
		might_sleep_what("wait_event_timeout");				\
		wait_timeout_start(&__to, timeout_ns);				\
		for (;;) {							\
			struct waiter __w;					\
			wait_prepare(&(wq), &__w);				\
			__ok = (cond);						\
			if (__ok || __to.expired) {				\
				wait_finish(&(wq), &__w);			\
				break;						\
			}							\
			schedule();						\
			wait_finish(&(wq), &__w);				\
		}								\
		wait_timeout_stop(&__to);					\
		__ok;								\
	})

struct completion {
	unsigned int done;		/* protected by wait.lock */
	struct wait_queue wait;
};

void completion_init(struct completion *c);
void complete(struct completion *c);		/* wake one waiter; any context */
void complete_all(struct completion *c);	/* wake all, now and later */
void wait_for_completion(struct completion *c);
/* wait_for_completion() for I/O (io_wait_event()) */
void wait_for_completion_io(struct completion *c);
/* false on timeout */
bool wait_for_completion_timeout(struct completion *c, u64 timeout_ns);
void reinit_completion(struct completion *c);

#endif
