/*
 * 16550 UART core. Output busy-waits on the transmit-holding-register-empty
 * bit: it is used by printk from any context, including a panic with
 * interrupts off. Input is read one byte at a time by the console layer, from
 * polling or from the receive interrupt. Presence is tested before a port is
 * used: a missing UART reads 0xff, which looks like "data ready" forever.
 * Register layout: the PC16550D datasheet.
 */
#include "kernel/console/uart.h"
#include "kernel/arch/x86.h"
#include "lib/errno.h"

#define UART_DATA	0	/* RBR/THR, DLL when DLAB */
#define UART_IER	1	/* DLM when DLAB */
#define UART_FCR	2
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define UART_MSR	6
#define UART_SCR	7

#define LCR_DLAB	0x80
#define FCR_ENABLE	0x01
#define FCR_CLEAR	0x06
#define FCR_TRIG14	0xc0
#define MCR_DTR		0x01
#define MCR_RTS		0x02
#define MCR_OUT2	0x08
#define MCR_LOOP	0x10
#define MSR_STATUS	0xf0	/* CTS, DSR, RI, DCD */
#define LSR_DR		0x01
#define LSR_THRE	0x20
#define IER_RDA		0x01

static u8 uart_in(struct uart_port *port, unsigned int reg)
{
	if (port->mmio)
		return port->mmio[reg];
	return inb(port->io + reg);
}

static void uart_out(struct uart_port *port, unsigned int reg, u8 v)
{
	if (port->mmio)
		port->mmio[reg] = v;
	else
		outb(port->io + reg, v);
}

u8 uart_lcr_of(unsigned int bits, char parity)
{
	u8 lcr = (u8)((bits < 5 ? 5 : bits > 8 ? 8 : bits) - 5);

	if (parity == 'o')
		lcr |= 0x08;
	else if (parity == 'e')
		lcr |= 0x18;
	return lcr;
}

int uart_probe(struct uart_port *port)
{
	bool echoed = false;
	u8 msr;

	/* the scratch register keeps what it is given; nothing else does */
	uart_out(port, UART_SCR, 0x5a);
	if (uart_in(port, UART_SCR) != 0x5a)
		return -ENODEV;
	uart_out(port, UART_SCR, 0xa5);
	if (uart_in(port, UART_SCR) != 0xa5)
		return -ENODEV;

	/*
	 * Loopback: the modem outputs come back as inputs (RTS -> CTS,
	 * OUT2 -> DCD) and a sent byte is received, without touching the line.
	 */
	uart_out(port, UART_IER, 0);
	uart_out(port, UART_LCR, LCR_DLAB);
	uart_out(port, UART_DATA, 1);	/* 115200: the loop is quick */
	uart_out(port, UART_IER, 0);
	uart_out(port, UART_LCR, 0x03);
	uart_out(port, UART_FCR, FCR_ENABLE | FCR_CLEAR);
	uart_out(port, UART_MCR, MCR_LOOP | MCR_RTS | MCR_OUT2);
	msr = uart_in(port, UART_MSR) & MSR_STATUS;
	if (msr != 0x90)	/* CTS and DCD only */
		goto restore;
	while (uart_in(port, UART_LSR) & LSR_DR)	/* stale input */
		uart_in(port, UART_DATA);
	uart_out(port, UART_DATA, 0xae);
	for (int i = 0; i < 100000; i++) {
		if (uart_in(port, UART_LSR) & LSR_DR) {
			echoed = uart_in(port, UART_DATA) == 0xae;
			break;
		}
		__asm__ volatile("pause");
	}
restore:
	uart_out(port, UART_MCR, MCR_DTR | MCR_RTS | MCR_OUT2);
	return echoed ? 0 : -ENODEV;
}

void uart_setup(struct uart_port *port)
{
	u32 baud = port->baud ? port->baud : UART_BASE_BAUD;
	u16 divisor = (u16)(UART_BASE_BAUD / baud);

	if (!divisor)
		divisor = 1;
	uart_out(port, UART_IER, 0);
	uart_out(port, UART_LCR, LCR_DLAB);
	uart_out(port, UART_DATA, divisor & 0xff);
	uart_out(port, UART_IER, divisor >> 8);
	uart_out(port, UART_LCR, port->lcr & 0x3f);
	uart_out(port, UART_FCR, FCR_ENABLE | FCR_CLEAR | FCR_TRIG14);
	uart_out(port, UART_MCR, MCR_DTR | MCR_RTS | MCR_OUT2);
}

void uart_enable_rx_irq(struct uart_port *port)
{
	uart_out(port, UART_IER, IER_RDA);
}

void uart_disable_rx_irq(struct uart_port *port)
{
	uart_out(port, UART_IER, 0);
}

void uart_putc(struct uart_port *port, char c)
{
	/*
	 * Bounded wait: a UART that stops draining (a real line with flow
	 * control, a card gone away) must not hang printk forever.
	 */
	for (int i = 0; i < 100000 && !(uart_in(port, UART_LSR) & LSR_THRE); i++)
		__asm__ volatile("pause");
	uart_out(port, UART_DATA, (u8)c);
}

void uart_write(struct uart_port *port, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			uart_putc(port, '\r');
		uart_putc(port, s[i]);
	}
}

int uart_getc_nowait(struct uart_port *port)
{
	u8 lsr = uart_in(port, UART_LSR);

	/* all ones: the port went away (or never was); it feeds nothing */
	if (lsr == 0xff || !(lsr & LSR_DR))
		return -1;
	return uart_in(port, UART_DATA);
}
