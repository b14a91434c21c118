/*
 * Serial consoles: ttyS0-ttyS3 are COM1-COM4 at their standard I/O ports
 * (when a UART answers there), ttyS4 and up the 16550-compatible PCI UARTs in
 * the order the PCI scan finds them, as Linux numbers them.
 */
#ifndef KERNEL_CONSOLE_SERIAL_H
#define KERNEL_CONSOLE_SERIAL_H

#include "kernel/console/uart.h"
#include "kernel/console/console.h"

#define SERIAL_LEGACY_PORTS 4

struct serial_port {
	struct uart_port uart;
	struct console con;
	int irq;		/* ISA IRQ, or -1 when the port is only polled */
};

/* Probe COM1-COM4 and register those present (from console_init). */
void serial_init_legacy(void);
/*
 * Register a PCI UART (probed already) as the next ttyS<n>, n >= 4; desc
 * says where it is. Returns its index, or a negative errno.
 */
int serial_register_pci(struct serial_port *port, const char *desc);
/* Route the legacy ports' IRQs (after the I/O APIC is up). */
int serial_irq_init(void);

#endif
