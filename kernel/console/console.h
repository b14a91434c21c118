/*
 * The console: where the shell reads its input and where printk and printf
 * write. Output goes to every enabled console in the order `console=` lists
 * them (all that exist when it is not given): serial ports (ttyS<n>) and the
 * screen (tty0). Input bytes from any enabled console (a UART, the keyboard)
 * go into one ring that the shell drains.
 */
#ifndef KERNEL_CONSOLE_CONSOLE_H
#define KERNEL_CONSOLE_CONSOLE_H

#include "lib/types.h"
#include "kernel/console/console_opt.h"

#define CTRL(c) ((c) & 0x1f)
#define CONSOLE_NAME_MAX 16
#define CONSOLE_DESC_MAX 96

struct console {
	char name[CONSOLE_NAME_MAX];	/* "ttyS0", "tty0" */
	char desc[CONSOLE_DESC_MAX];	/* what it is: "COM1 at 0x3f8", ... */
	enum console_kind kind;
	unsigned int index;		/* n of ttyS<n> */
	/* write n bytes; called with the output lock held and interrupts off */
	void (*write)(struct console *con, const char *s, size_t n);
	/*
	 * Move received bytes into the ring (console_input_from); called from
	 * the console's interrupt or, while has_irq is false, from readers.
	 */
	void (*poll)(struct console *con);
	/* the ring has room again: let input flow (turn the interrupt back on) */
	void (*unthrottle)(struct console *con);
	/* apply a `console=` line setting (baud, parity, bits); may be NULL */
	void (*configure)(struct console *con, const struct console_opt *opt);
	void *priv;

	/* owned by kernel/console/console.c, under its output lock */
	bool enabled;
	bool has_irq;			/* input arrives by interrupt: no polling */
	bool throttled;			/* input held back while the ring is full */
	int order;			/* position in console= (or registration) */
};

void console_init(void);
/*
 * Add a console. Before console_setup() it is enabled at once; after, it is
 * enabled when `console=` names it (or names nothing), and then the kernel
 * log so far is replayed onto it, so a late console (a PCI UART, the screen
 * once memory is mapped) shows the whole boot.
 */
void console_register(struct console *con);
/* After the command line is parsed: apply `console=`. */
void console_setup(void);
/* Every registered console, enabled or not, in output order. */
unsigned int console_count(void);
struct console *console_get(unsigned int i);
/* After the PCI scan: report `console=` entries that named nothing. */
void console_report_missing(void);

void console_write(const char *s, size_t n);
/* Write only if the output lock is free at once (from NMI context); false if not. */
bool console_trywrite(const char *s, size_t n);
/*
 * From now on write without the output lock: the panicking CPU must be heard
 * even if another CPU (or this one, interrupted) holds it. Lines may then mix
 * with another CPU's output; that is the price of never deadlocking.
 */
void console_panic_mode(void);
int printf(const char *fmt, ...) __printf(1, 2);
int vprintf(const char *fmt, va_list ap);
void puts(const char *s);

/*
 * A command's output (printf, puts, console_out) from a thread that has a
 * redirect goes to that redirect instead of the consoles: a background
 * shell job keeps its output apart until it is shown. Kernel messages
 * (printk) and the line editor's echo always go to the consoles. The
 * redirect also stands in for Ctrl-C: console_interrupted() in such a
 * thread answers its own flag (`kill %N`), never the console's Ctrl-C,
 * which belongs to the foreground command.
 */
struct console_redirect {
	/* take n bytes; any context (an interrupt may print on the thread's CPU) */
	void (*write)(struct console_redirect *r, const char *s, size_t n);
	bool interrupted;		/* set once, read with READ_ONCE */
};
/* Give the calling thread a redirect (NULL: write to the consoles again). */
void console_redirect_set(struct console_redirect *r);
/* Stop the thread that has r as a Ctrl-C would stop a foreground command. */
void console_redirect_interrupt(struct console_redirect *r);
/* A command's output: to the calling thread's redirect if it has one, else console_write. */
void console_out(const char *s, size_t n);

/* Block until an input byte arrives; returns it. */
int console_getc(void);
/* An input byte if one is waiting, else -1. */
int console_getc_nowait(void);
/* Feed a received byte (from any source, whichever console it belongs to). */
void console_input(u8 c);
/*
 * Feed a byte that con received: dropped when con is not enabled. Returns
 * false when the ring is full and the byte was not taken: the caller keeps
 * it in the device and calls console_throttle().
 */
bool console_input_from(struct console *con, u8 c);
/* The ring is full: con holds its input until its unthrottle is called. */
void console_throttle(struct console *con);
bool console_input_full(void);
/*
 * Whether a console should take its next byte: the ring has room, or it has
 * been full so long (200 ms) that held bytes are taken and dropped, so that
 * a Ctrl-C behind them gets in. Otherwise hold input and console_throttle().
 */
bool console_input_room(void);
/* Readers waiting for input: call after feeding bytes from an interrupt. */
void console_input_wake(void);
/*
 * True while a Ctrl-C waits in the input (typed after the line being run, or
 * while it runs): long-running commands check it and stop.
 */
bool console_interrupted(void);
/* Drop pending input up to and including the last Ctrl-C: it was handled. */
void console_discard_through_interrupt(void);
/* Bytes dropped because the input ring was full, since the last call. */
u64 console_take_dropped(void);
/*
 * After the I/O APIC is up: route the serial ports' IRQs to this CPU and
 * read their input by interrupt. Returns 0, or a negative errno when they
 * stay polled.
 */
int console_irq_init(void);

#endif
