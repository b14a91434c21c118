/*
 * 16550 UART driver for COM1, the serial console: 115200 8N1, FIFOs on.
 * Output busy-waits on the transmit-holding-register-empty bit: it is used by
 * printk from any context, including a panic with interrupts off. Input is
 * read one byte at a time by the console layer (kernel/console.c), from
 * polling or from the receive interrupt.
 * Register layout: the PC16550D datasheet.
 */
#include "drivers/uart.h"
#include "kernel/x86.h"

#define COM1		0x3f8
#define UART_DATA	0	/* RBR/THR, DLL when DLAB */
#define UART_IER	1	/* DLM when DLAB */
#define UART_FCR	2
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5

#define LCR_8N1		0x03
#define LCR_DLAB	0x80
#define FCR_ENABLE	0x01
#define FCR_CLEAR	0x06
#define FCR_TRIG14	0xc0
#define MCR_DTR_RTS_OUT2 0x0b
#define LSR_DR		0x01
#define LSR_THRE	0x20
#define IER_RDA		0x01

#define UART_CLOCK	115200
#define UART_BAUD	115200

void uart_init(void)
{
	u16 divisor = UART_CLOCK / UART_BAUD;

	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, LCR_DLAB);
	outb(COM1 + UART_DATA, divisor & 0xff);
	outb(COM1 + UART_IER, divisor >> 8);
	outb(COM1 + UART_LCR, LCR_8N1);
	outb(COM1 + UART_FCR, FCR_ENABLE | FCR_CLEAR | FCR_TRIG14);
	outb(COM1 + UART_MCR, MCR_DTR_RTS_OUT2);
}

void uart_enable_rx_irq(void)
{
	outb(COM1 + UART_IER, IER_RDA);
}

void uart_disable_rx_irq(void)
{
	outb(COM1 + UART_IER, 0);
}

void uart_putc(char c)
{
	/*
	 * Bounded wait: a UART that never drains (absent on a real machine)
	 * must not hang printk forever.
	 */
	for (int i = 0; i < 100000 && !(inb(COM1 + UART_LSR) & LSR_THRE); i++)
		__asm__ volatile("pause");
	outb(COM1 + UART_DATA, (u8)c);
}

void uart_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			uart_putc('\r');
		uart_putc(s[i]);
	}
}

int uart_getc_nowait(void)
{
	if (!(inb(COM1 + UART_LSR) & LSR_DR))
		return -1;
	return inb(COM1 + UART_DATA);
}
