/*
 * Console input and output. Output is written synchronously to the UART
 * under a lock, so lines from different CPUs do not interleave mid-line.
 * Input is a single-producer ring: bytes come from the UART (polled by the
 * reader, or pushed by the receive interrupt) and are consumed by the shell.
 * Ctrl-C is noted as it arrives, so a command that runs long can notice it
 * without reading the ring.
 */
#include "kernel/console.h"
#include "kernel/cmdline.h"
#include "kernel/ioapic.h"
#include "kernel/irq.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "kernel/vectors.h"
#include "kernel/wait.h"
#include "kernel/spinlock.h"
#include "kernel/x86.h"
#include "drivers/uart.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "lib/errno.h"

#define INPUT_RING_SIZE 4096	/* a power of two */

static spinlock_t out_lock = SPINLOCK_INIT;
static spinlock_t in_lock = SPINLOCK_INIT;
static u8 in_ring[INPUT_RING_SIZE];
static u32 in_head, in_tail;	/* protected by in_lock */
static volatile bool interrupted;
static bool irq_driven;
static struct wait_queue in_wait = WAIT_QUEUE_INIT(in_wait);	/* readers of an empty ring */
static bool panic_mode;

/* Only the serial console exists so far; say so rather than accept anything. */
static int console_option(const char *value)
{
	return strcmp(value, "ttyS0") && strncmp(value, "ttyS0,", 6) ? -ENODEV : 0;
}
CMDLINE_OPTION("console", console_option, "the console: ttyS0 (COM1, 115200 8N1)");

void console_init(void)
{
	uart_init();
}

void console_write(const char *s, size_t n)
{
	unsigned long flags;

	if (READ_ONCE(panic_mode)) {
		uart_write(s, n);
		return;
	}
	flags = spin_lock_irqsave(&out_lock);
	uart_write(s, n);
	spin_unlock_irqrestore(&out_lock, flags);
}

bool console_trywrite(const char *s, size_t n)
{
	unsigned long flags;

	if (READ_ONCE(panic_mode)) {
		uart_write(s, n);
		return true;
	}
	flags = irq_save();
	if (!spin_trylock(&out_lock)) {
		irq_restore(flags);
		return false;
	}
	uart_write(s, n);
	spin_unlock_irqrestore(&out_lock, flags);
	return true;
}

void console_panic_mode(void)
{
	WRITE_ONCE(panic_mode, true);
}

void puts(const char *s)
{
	console_write(s, strlen(s));
}

static void console_putc_cb(char c, void *arg)
{
	console_write(&c, 1);
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
		console_write(buf, n);
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

void console_input(u8 c)
{
	unsigned long flags;

	if (c == CTRL('C'))
		interrupted = true;
	flags = spin_lock_irqsave(&in_lock);
	/* a full ring drops the new byte: a flood must not overwrite a line */
	if (in_head - in_tail < INPUT_RING_SIZE)
		in_ring[in_head++ % INPUT_RING_SIZE] = c;
	spin_unlock_irqrestore(&in_lock, flags);
}

static bool console_ring_full(void)
{
	return READ_ONCE(in_head) - READ_ONCE(in_tail) >= INPUT_RING_SIZE;
}

/*
 * Flow control: while the ring is full, leave bytes in the UART and turn its
 * receive interrupt off, so that the sender is held back (QEMU waits while
 * the receive FIFO is full; a real line overruns in the UART, not here) and
 * nothing typed after a flood is lost. The reader turns it back on once the
 * ring has room (console_getc_nowait).
 */
static bool rx_throttled;	/* protected by in_lock */

void console_rx_interrupt(void)
{
	bool got = false;
	int c;

	/* drain the whole FIFO: the UART raises its line again only for new data */
	while (!console_ring_full() && (c = uart_getc_nowait()) >= 0) {
		console_input((u8)c);
		got = true;
	}
	if (irq_driven && console_ring_full()) {
		unsigned long flags = spin_lock_irqsave(&in_lock);

		rx_throttled = true;
		uart_disable_rx_irq();
		spin_unlock_irqrestore(&in_lock, flags);
	}
	if (got && irq_driven)
		wake_up_all(&in_wait);
}

static void console_irq_handler(void *unused)
{
	console_rx_interrupt();
}

int console_irq_init(void)
{
	u8 vector = VECTOR_LEGACY_BASE + UART_COM1_IRQ;
	int err;

	err = irq_request(vector, console_irq_handler, NULL, "COM1");
	if (err)
		goto fail;
	err = ioapic_route_isa_irq(UART_COM1_IRQ, this_cpu_id(), vector);
	if (err) {
		irq_release(vector);
		goto fail;
	}
	console_set_irq_driven(true);
	uart_enable_rx_irq();
	/* bytes that came before the interrupt was on */
	console_rx_interrupt();
	return 0;
fail:
	pr_warn("console: no receive interrupt (%d); polling COM1\n", err);
	return err;
}

int console_getc_nowait(void)
{
	unsigned long flags;
	int c = -1;

	if (!irq_driven)
		console_rx_interrupt();
	flags = spin_lock_irqsave(&in_lock);
	if (in_head != in_tail)
		c = in_ring[in_tail++ % INPUT_RING_SIZE];
	if (rx_throttled && in_head - in_tail <= INPUT_RING_SIZE / 2) {
		rx_throttled = false;
		/* data already waiting raises the line again: an edge, an interrupt */
		uart_enable_rx_irq();
	}
	spin_unlock_irqrestore(&in_lock, flags);
	return c;
}

int console_getc(void)
{
	int c;

	while ((c = console_getc_nowait()) < 0) {
		if (irq_driven)
			wait_event(in_wait, READ_ONCE(in_head) != READ_ONCE(in_tail));
		else
			cpu_relax();
	}
	return c;
}

bool console_interrupted(void)
{
	if (!irq_driven)
		console_rx_interrupt();
	return interrupted;
}

void console_clear_interrupt(void)
{
	interrupted = false;
}

void console_discard_through_interrupt(void)
{
	unsigned long flags = spin_lock_irqsave(&in_lock);

	/* the Ctrl-C that stopped a command, and what was typed before it */
	for (u32 i = in_tail; i != in_head; i++)
		if (in_ring[i % INPUT_RING_SIZE] == CTRL('C'))
			in_tail = i + 1;
	spin_unlock_irqrestore(&in_lock, flags);
}

void console_set_irq_driven(bool on)
{
	irq_driven = on;
}
