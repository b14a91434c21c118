/*
 * The console: where the shell reads its input and where printk and printf
 * write. Output goes to every registered sink (the UART always; a framebuffer
 * when there is one). Input bytes arrive from the UART, by polling or from its
 * interrupt, into a ring that the shell drains.
 */
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H

#include "lib/types.h"

#define CTRL(c) ((c) & 0x1f)

void console_init(void);
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

/* Block until an input byte arrives; returns it. */
int console_getc(void);
/* An input byte if one is waiting, else -1. */
int console_getc_nowait(void);
/* Feed a received byte (from the UART interrupt or a poll). */
void console_input(u8 c);
/* Called from the UART interrupt: drain the UART into the ring. */
void console_rx_interrupt(void);
/*
 * True once Ctrl-C has been typed since the last console_clear_interrupt():
 * long-running commands check it and stop.
 */
bool console_interrupted(void);
void console_clear_interrupt(void);
/* Drop pending input up to and including the last Ctrl-C: it was handled. */
void console_discard_through_interrupt(void);
/*
 * After the I/O APIC is up: route COM1's IRQ to this CPU and read input from
 * its interrupt. Returns 0, or a negative errno when the console stays polled.
 */
int console_irq_init(void);
/* The receive interrupt works: console_getc() may sleep instead of polling. */
void console_set_irq_driven(bool on);

#endif
