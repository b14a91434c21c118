/*
 * The 16550 UART core, shared by the legacy COM ports (kernel/console/serial.c)
 * and 16550-compatible PCI UARTs (drivers/serial/serial_pci.c). A port is a
 * register block in I/O space or in memory; everything else (the divisor,
 * presence tests, byte transfer) is the same chip.
 */
#ifndef KERNEL_CONSOLE_UART_H
#define KERNEL_CONSOLE_UART_H

#include "lib/types.h"

#define UART_BASE_BAUD	115200		/* 1.8432 MHz / 16, as on the PC */

struct uart_port {
	u16 io;			/* I/O port base, or 0 when mmio is used */
	volatile u8 *mmio;	/* memory-mapped registers (one byte apart) */
	u32 baud;
	u8 lcr;			/* data bits, parity, stop bits as written to LCR */
};

/*
 * Is a 16550-compatible UART there? The scratch register must keep what is
 * written to it and the chip must return a byte sent in loopback mode. An
 * absent port reads 0xff everywhere and fails both. 0 or -ENODEV; the port's
 * previous line setup is not kept.
 */
int uart_probe(struct uart_port *port);
/* Program baud (port->baud) and line (port->lcr), FIFOs on, interrupts off. */
void uart_setup(struct uart_port *port);
void uart_putc(struct uart_port *port, char c);
/* Write n bytes, '\n' as "\r\n". */
void uart_write(struct uart_port *port, const char *s, size_t n);
/* next received byte, or -1 when none is waiting */
int uart_getc_nowait(struct uart_port *port);
void uart_enable_rx_irq(struct uart_port *port);
void uart_disable_rx_irq(struct uart_port *port);
/* The LCR value for 5-8 data bits, parity 'n', 'o' or 'e', one stop bit. */
u8 uart_lcr_of(unsigned int bits, char parity);

#endif
