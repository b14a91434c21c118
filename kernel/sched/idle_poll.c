/*
 * Idle polling, as Linux's cpuidle haltpoll governor does for guests: when
 * the thread that left a CPU went to sleep waiting for I/O (io_wait_event(),
 * wait_for_completion_io()), the idle thread spins on the CPU's need_resched
 * and run queue, with interrupts on, for up to the CPU's window before it
 * halts. The I/O's completion interrupt then finds the CPU running: no
 * wake-up from HLT, which under a hypervisor (and QEMU's TCG) is a host
 * thread sleeping and being woken, tens of microseconds. Idle stretches that
 * do not follow an I/O wait halt at once, as before: an idle CPU polls only
 * for I/O it has in flight.
 *
 * The window follows idle_poll_next_window() after each polled stretch,
 * and idle_poll_choose() stops polling where it does not pay: every 16th
 * stretch goes the other way, and the way after which the next I/O wait
 * comes sooner wins (idle_account_period()).
 * The poll and the halt after it run with preemption off, so that the time
 * measured is the idle stretch's own: the interrupt's exit does not switch
 * to the woken thread, the idle loop does, right after.
 */
#include "kernel/sched/idle_poll.h"
#include "kernel/arch/percpu.h"
#include "kernel/arch/x86.h"
#include "kernel/cmdline.h"
#include "kernel/sched/preempt.h"
#include "kernel/time/time.h"
#include "lib/errno.h"
#include "lib/parse.h"

static u32 idle_poll_max_ns = IDLE_POLL_MAX_NS_DEFAULT;

u32 idle_poll_max(void)
{
	return READ_ONCE(idle_poll_max_ns);
}

int idle_poll_set_max(u64 ns)
{
	if (ns > IDLE_POLL_MAX_NS_LIMIT)
		return -EINVAL;
	WRITE_ONCE(idle_poll_max_ns, (u32)ns);
	return 0;
}

static int idle_poll_option(const char *value)
{
	u64 ns;

	if (parse_u64(value, &ns))
		return -EINVAL;
	return idle_poll_set_max(ns);
}
CMDLINE_OPTION("idle_poll_ns", idle_poll_option,
	       "idle_poll_ns=N: a CPU waiting for I/O polls up to N ns before it halts (0: halt at once; default 200000)");

void idle_poll_clear(void)
{
	for (unsigned int id = 0; id < MAX_CPUS; id++) {
		struct cpu *c = cpu_get(id);

		if (!c)
			continue;
		/* counters written by their CPU: a stretch in progress may add one */
		WRITE_ONCE(c->idle_poll.caught, 0);
		WRITE_ONCE(c->idle_poll.timed_out, 0);
		WRITE_ONCE(c->idle_poll.halts, 0);
		WRITE_ONCE(c->idle_poll.polled_ns, 0);
	}
}

static bool idle_has_work(struct cpu *c)
{
	return READ_ONCE(c->need_resched) || READ_ONCE(c->rq.nr_queued);
}

enum { IDLE_WAY_NONE, IDLE_WAY_POLL, IDLE_WAY_HALT };

/*
 * The period that ends now, from the last I/O-wait stretch's start to this
 * one's (its wait and the work that followed it), goes to the mean of the
 * way that stretch went. The whole period, not the wait alone: a spinning
 * vCPU may shorten its own wait and slow what comes after (the exits of its
 * next submission, on a host with no CPU to spare for the device model).
 */
static void idle_account_period(struct idle_poll *ip, u64 now)
{
	u64 period = now - ip->last_entry_ns;

	if (ip->last_way == IDLE_WAY_POLL)
		ip->ewma_poll_ns = idle_poll_ewma(ip->ewma_poll_ns, period);
	else if (ip->last_way == IDLE_WAY_HALT)
		ip->ewma_halt_ns = idle_poll_ewma(ip->ewma_halt_ns, period);
	ip->last_entry_ns = now;
}

void idle_enter(struct cpu *c)
{
	struct idle_poll *ip = &c->idle_poll;
	u32 max = idle_poll_max(), window = 0;
	bool poll;
	u64 start, now;

	if (!ip->after_io || !max) {
		ip->last_way = IDLE_WAY_NONE;	/* no period runs across other idle */
		ip->halts++;
		irq_enable_and_halt();
		return;
	}
	poll = idle_poll_choose(++ip->stretches, ip->ewma_poll_ns, ip->ewma_halt_ns);
	if (poll)
		window = ip->window_ns < max ? ip->window_ns : max;
	preempt_disable();
	start = time_ns();
	idle_account_period(ip, start);
	ip->last_way = poll ? IDLE_WAY_POLL : IDLE_WAY_HALT;
	if (window) {
		bool caught;

		irq_enable();
		do {
			cpu_relax();
			caught = idle_has_work(c);
			now = time_ns();
		} while (!caught && now - start < window);
		irq_disable();
		ip->polled_ns += now - start;
		if (caught || idle_has_work(c)) {
			ip->caught++;
			ip->window_ns = idle_poll_next_window(window, now - start, true, max);
			irq_enable();
			preempt_enable_no_resched();
			return;
		}
		ip->timed_out++;
	} else {
		ip->halts++;
	}
	irq_enable_and_halt();
	now = time_ns();
	/* a window of 0 counts as polling: it is where the rule left it */
	if (poll)
		ip->window_ns = idle_poll_next_window(window, now - start, false, max);
	preempt_enable_no_resched();
}
