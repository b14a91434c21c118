/*
 * Console input and output. Output is written synchronously to every enabled
 * console under one lock, so lines from different CPUs do not interleave
 * mid-line on any of them. Input is one ring fed by every enabled console
 * (UART receive interrupts, the keyboard, polls) and consumed by the shell.
 * Ctrl-C is counted as it arrives, so a command that runs long can notice it
 * without reading the ring, and it always gets in: a full ring holds the
 * senders back for a moment (flow control), then takes their bytes anyway,
 * dropping ordinary ones, so that a Ctrl-C behind a flood still arrives.
 *
 * Which consoles are enabled follows `console=`, as on Linux: each one given
 * is enabled, in the order given (several may be); with none given, every
 * console that exists is. Unlike Linux, which reads /dev/console from the
 * last one only, the shell reads from every enabled console: stork has one
 * shell and a person may sit at any of them.
 */
#include "kernel/console/console.h"
#include "kernel/cmdline.h"
#include "kernel/arch/percpu.h"
#include "kernel/console/printk.h"
#include "kernel/console/serial.h"
#include "kernel/sched/thread.h"
#include "kernel/sched/wait.h"
#include "kernel/time/time.h"
#include "kernel/time/timer.h"
#include "kernel/sched/spinlock.h"
#include "kernel/arch/x86.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "lib/errno.h"

#define INPUT_RING_SIZE 4096	/* a power of two */
#define CONSOLE_MAX 16
#define CONSOLE_OPT_MAX 8
#define CONSOLE_POLL_NS 5000000	/* how often a reader polls consoles without interrupts */

static spinlock_t out_lock = SPINLOCK_INIT;
static spinlock_t in_lock = SPINLOCK_INIT;
static u8 in_ring[INPUT_RING_SIZE];
static u32 in_head, in_tail;	/* protected by in_lock */
/*
 * Ctrl-C bytes in the ring not yet read by the shell: a command is
 * interrupted while there is one, even if it came in the same write as the
 * command's own line (the shell has read the line, not the Ctrl-C after it).
 */
static u32 in_interrupts;	/* written under in_lock, read without it */
static u64 in_dropped;		/* bytes dropped on a full ring, protected by in_lock */
static struct wait_queue in_wait = WAIT_QUEUE_INIT(in_wait);	/* readers of an empty ring */
static bool panic_mode;

/* the registered consoles, sorted by order; protected by out_lock */
static struct console *consoles[CONSOLE_MAX];
static unsigned int nconsoles;
static bool setup_done;

/* `console=` as given, in order; written while the command line is parsed */
static struct console_opt opts[CONSOLE_OPT_MAX];
static unsigned int nopts;

static int console_option(const char *value)
{
	struct console_opt opt;
	int err = console_opt_parse(value, &opt);

	if (err)
		return err;
	if (nopts == CONSOLE_OPT_MAX)
		return -ENOSPC;
	opts[nopts++] = opt;
	return 0;
}
CMDLINE_OPTION("console", console_option,
	       "a console: tty0 (screen and keyboard) or ttyS<n>[,<baud>[<parity><bits>]]; "
	       "may be repeated; default every console found");

/* The position of con in console= (-1 when not named there). */
static int console_opt_index(const struct console *con)
{
	for (unsigned int i = 0; i < nopts; i++)
		if (opts[i].kind == con->kind &&
		    (con->kind == CONSOLE_SCREEN || opts[i].index == con->index))
			return (int)i;
	return -1;
}

void console_init(void)
{
	serial_init_legacy();
}

static void console_write_locked(const char *s, size_t n)
{
	for (unsigned int i = 0; i < nconsoles; i++)
		if (consoles[i]->enabled && consoles[i]->write)
			consoles[i]->write(consoles[i], s, n);
}

/* Insert con by order (a stable insertion: equal orders keep arrival order). */
static void console_insert_locked(struct console *con)
{
	unsigned int i = nconsoles;

	while (i > 0 && consoles[i - 1]->order > con->order) {
		consoles[i] = consoles[i - 1];
		i--;
	}
	consoles[i] = con;
	nconsoles++;
}

static void console_replay_out(void *arg, const char *s, size_t n)
{
	struct console *con = arg;

	con->write(con, s, n);
}

void console_register(struct console *con)
{
	unsigned long flags;
	bool replay = false;
	int idx;

	flags = spin_lock_irqsave(&out_lock);
	if (nconsoles == CONSOLE_MAX) {
		spin_unlock_irqrestore(&out_lock, flags);
		pr_warn("console: no room for %s (%s)\n", con->name, con->desc);
		return;
	}
	idx = console_opt_index(con);
	if (!setup_done || !nopts) {
		con->enabled = true;
		con->order = nopts ? idx : CONSOLE_OPT_MAX + (int)nconsoles;
	} else {
		con->enabled = idx >= 0;
		con->order = idx >= 0 ? idx : CONSOLE_OPT_MAX + (int)nconsoles;
	}
	if (con->enabled && idx >= 0 && con->configure)
		con->configure(con, &opts[idx]);
	console_insert_locked(con);
	replay = setup_done && con->enabled && con->write;
	if (replay)	/* under the lock: nothing new lands between log and live output */
		printk_dump_to(console_replay_out, con);
	spin_unlock_irqrestore(&out_lock, flags);
	pr_info("console: %s: %s%s\n", con->name, con->desc, con->enabled ? "" : " (not enabled)");
}

void console_setup(void)
{
	unsigned long flags = spin_lock_irqsave(&out_lock);
	struct console *sorted[CONSOLE_MAX];
	unsigned int n = nconsoles;

	setup_done = true;
	if (nopts) {
		memcpy(sorted, consoles, n * sizeof(*sorted));
		nconsoles = 0;
		for (unsigned int i = 0; i < n; i++) {
			struct console *con = sorted[i];
			int idx = console_opt_index(con);

			con->enabled = idx >= 0;
			con->order = idx >= 0 ? idx : CONSOLE_OPT_MAX + (int)i;
			if (idx >= 0 && con->configure)
				con->configure(con, &opts[idx]);
			console_insert_locked(con);
		}
	}
	spin_unlock_irqrestore(&out_lock, flags);
}

void console_report_missing(void)
{
	for (unsigned int i = 0; i < nopts; i++) {
		bool found = false;
		char name[CONSOLE_NAME_MAX];

		for (unsigned int j = 0; j < nconsoles; j++)
			if (console_opt_index(consoles[j]) == (int)i)
				found = true;
		if (!found) {
			console_opt_name(&opts[i], name, sizeof(name));
			pr_warn("console: console=%s: no such device\n", name);
		}
	}
}

unsigned int console_count(void)
{
	return READ_ONCE(nconsoles);
}

struct console *console_get(unsigned int i)
{
	return i < READ_ONCE(nconsoles) ? consoles[i] : NULL;
}

void console_write(const char *s, size_t n)
{
	unsigned long flags;

	if (READ_ONCE(panic_mode)) {
		console_write_locked(s, n);
		return;
	}
	flags = spin_lock_irqsave(&out_lock);
	console_write_locked(s, n);
	spin_unlock_irqrestore(&out_lock, flags);
}

bool console_trywrite(const char *s, size_t n)
{
	unsigned long flags;

	if (READ_ONCE(panic_mode)) {
		console_write_locked(s, n);
		return true;
	}
	flags = irq_save();
	if (!spin_trylock(&out_lock)) {
		irq_restore(flags);
		return false;
	}
	console_write_locked(s, n);
	spin_unlock_irqrestore(&out_lock, flags);
	return true;
}

void console_panic_mode(void)
{
	WRITE_ONCE(panic_mode, true);
}

/*
 * Set when the first redirect is installed: until then (and at early boot,
 * before %gs points at a struct cpu) output never looks at the thread.
 */
static bool redirects_used;

static struct console_redirect *console_redirect_current(void)
{
	struct thread *t;

	if (!READ_ONCE(redirects_used) || READ_ONCE(panic_mode))
		return NULL;
	t = current_thread();
	return t ? READ_ONCE(t->console_redirect) : NULL;
}

void console_redirect_set(struct console_redirect *r)
{
	if (r)
		WRITE_ONCE(redirects_used, true);
	WRITE_ONCE(current_thread()->console_redirect, r);
}

void console_redirect_interrupt(struct console_redirect *r)
{
	WRITE_ONCE(r->interrupted, true);
}

void console_out(const char *s, size_t n)
{
	struct console_redirect *r = console_redirect_current();

	if (r)
		r->write(r, s, n);
	else
		console_write(s, n);
}

void puts(const char *s)
{
	console_out(s, strlen(s));
}

static void console_putc_cb(char c, void *arg)
{
	console_out(&c, 1);
}

int vprintf(const char *fmt, va_list ap)
{
	char buf[512];
	va_list copy;
	int n;

	va_copy(copy, ap);
	n = vsnprintf(buf, sizeof(buf), fmt, copy);
	va_end(copy);
	if (n < (int)sizeof(buf)) {
		console_out(buf, n);
		return n;
	}
	/* rare: longer than the stack buffer; emit it through the slow path */
	return vcbprintf(console_putc_cb, NULL, fmt, ap);
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

bool console_input_full(void)
{
	return READ_ONCE(in_head) - READ_ONCE(in_tail) >= INPUT_RING_SIZE;
}

/*
 * A full ring drops a new ordinary byte (a flood must not overwrite a line);
 * a Ctrl-C discards the type-ahead before it, which it would stop anyway,
 * and takes the room.
 */
void console_input(u8 c)
{
	unsigned long flags = spin_lock_irqsave(&in_lock);

	if (in_head - in_tail >= INPUT_RING_SIZE) {
		if (c != CTRL('C')) {
			in_dropped++;
			goto unlock;
		}
		in_dropped += in_head - in_tail;
		in_tail = in_head;
		WRITE_ONCE(in_interrupts, 0);
	}
	in_ring[in_head++ % INPUT_RING_SIZE] = c;
	if (c == CTRL('C'))
		WRITE_ONCE(in_interrupts, in_interrupts + 1);
unlock:
	spin_unlock_irqrestore(&in_lock, flags);
}

/*
 * Flow control: while the ring is full, a UART leaves bytes in its FIFO and
 * turns its receive interrupt off, so that the sender is held back (QEMU
 * waits while the receive FIFO is full; a real line overruns in the UART, not
 * here) and nothing typed after a flood is lost while the shell catches up.
 * The reader lets input flow again once the ring has room
 * (console_getc_nowait). But the ring stays full while a command runs, and a
 * Ctrl-C behind the held bytes must still arrive: after RX_HOLD_NS of a full
 * ring every console is drained anyway, ordinary bytes are dropped (counted;
 * the shell says how many) and a Ctrl-C takes the ring's place.
 */
#define RX_HOLD_NS (200 * NSEC_PER_MSEC)

static u64 rx_full_since;	/* time_ns() when the ring filled; 0: it has room. in_lock */
static bool rx_dropping;	/* the hold is over: take and drop. in_lock */
static struct timer rx_hold_timer;
static bool rx_hold_ready;	/* rx_hold_timer set up (timers work) */

/* Whether a full ring should take con's byte anyway: the hold is over. */
static bool console_rx_hold_over(void)
{
	unsigned long flags = spin_lock_irqsave(&in_lock);
	u64 now = time_ns();
	bool over;

	if (!rx_full_since)
		rx_full_since = now;
	if (!rx_dropping && now - rx_full_since >= RX_HOLD_NS)
		rx_dropping = true;
	over = rx_dropping;
	spin_unlock_irqrestore(&in_lock, flags);
	return over;
}

bool console_input_room(void)
{
	return !console_input_full() || console_rx_hold_over();
}

bool console_input_from(struct console *con, u8 c)
{
	if (!READ_ONCE(con->enabled))
		return true;	/* taken, and dropped: not a console in use */
	if (console_input_full() && !console_rx_hold_over())
		return false;
	console_input(c);
	return true;
}

/* Let every throttled console's input flow again; in_lock held. */
static void console_unthrottle_all_locked(void)
{
	for (unsigned int i = 0; i < READ_ONCE(nconsoles); i++) {
		struct console *con = consoles[i];

		if (con->throttled) {
			con->throttled = false;
			if (con->unthrottle)
				con->unthrottle(con);
		}
	}
}

/* The hold is over and the ring may still be full: take (and drop) what waits. */
static void console_rx_hold_expired(struct timer *t)
{
	unsigned long flags = spin_lock_irqsave(&in_lock);

	if (rx_full_since)
		rx_dropping = true;
	console_unthrottle_all_locked();
	spin_unlock_irqrestore(&in_lock, flags);
}

void console_throttle(struct console *con)
{
	unsigned long flags = spin_lock_irqsave(&in_lock);

	con->throttled = true;
	if (!rx_full_since)
		rx_full_since = time_ns();
	if (rx_hold_ready)
		timer_arm(&rx_hold_timer, rx_full_since + RX_HOLD_NS);
	spin_unlock_irqrestore(&in_lock, flags);
}

void console_input_wake(void)
{
	wake_up_all(&in_wait);
}

/* Poll the enabled consoles that have no input interrupt; true if any. */
static bool console_poll_all(void)
{
	bool polled = false;

	for (unsigned int i = 0; i < READ_ONCE(nconsoles); i++) {
		struct console *con = consoles[i];

		if (con->enabled && con->poll && !con->has_irq) {
			con->poll(con);
			polled = true;
		}
	}
	return polled;
}

int console_getc_nowait(void)
{
	unsigned long flags;
	int c = -1;

	console_poll_all();
	flags = spin_lock_irqsave(&in_lock);
	if (in_head != in_tail) {
		c = in_ring[in_tail++ % INPUT_RING_SIZE];
		if (c == CTRL('C') && in_interrupts)
			WRITE_ONCE(in_interrupts, in_interrupts - 1);
	}
	if (in_head - in_tail <= INPUT_RING_SIZE / 2) {
		rx_full_since = 0;
		rx_dropping = false;
		console_unthrottle_all_locked();
	}
	spin_unlock_irqrestore(&in_lock, flags);
	return c;
}

int console_getc(void)
{
	int c;

	while ((c = console_getc_nowait()) < 0) {
		/* with a polled console, look again every few milliseconds */
		if (console_poll_all())
			wait_event_timeout(in_wait, READ_ONCE(in_head) != READ_ONCE(in_tail),
					   CONSOLE_POLL_NS);
		else
			wait_event(in_wait, READ_ONCE(in_head) != READ_ONCE(in_tail));
	}
	return c;
}

bool console_interrupted(void)
{
	struct console_redirect *r = console_redirect_current();

	if (r)
		return READ_ONCE(r->interrupted);
	console_poll_all();
	return READ_ONCE(in_interrupts) != 0;
}

void console_discard_through_interrupt(void)
{
	unsigned long flags = spin_lock_irqsave(&in_lock);

	/* the Ctrl-C that stopped a command, and what was typed before it */
	for (u32 i = in_tail; i != in_head; i++)
		if (in_ring[i % INPUT_RING_SIZE] == CTRL('C'))
			in_tail = i + 1;
	WRITE_ONCE(in_interrupts, 0);
	spin_unlock_irqrestore(&in_lock, flags);
}

u64 console_take_dropped(void)
{
	unsigned long flags = spin_lock_irqsave(&in_lock);
	u64 n = in_dropped;

	in_dropped = 0;
	spin_unlock_irqrestore(&in_lock, flags);
	return n;
}

int console_irq_init(void)
{
	timer_setup(&rx_hold_timer, console_rx_hold_expired);
	WRITE_ONCE(rx_hold_ready, true);
	return serial_irq_init();
}
