/*
 * Serial ports as consoles. COM1-COM4 sit at fixed I/O ports on PCs, but
 * most laptops and desktops have none and many servers have only COM2 (often
 * serial-over-LAN), so each port is tested before use (uart_probe: scratch
 * register and loopback): an absent port reads 0xff, which looks like an
 * endless stream of received bytes. ttyS<n> numbering is Linux's: the four
 * legacy ports keep 0-3 whether present or not, PCI UARTs follow from 4.
 */
#include "kernel/console/serial.h"
#include "kernel/arch/ioapic.h"
#include "kernel/arch/irq.h"
#include "kernel/arch/percpu.h"
#include "kernel/arch/vectors.h"
#include "kernel/console/printk.h"
#include "lib/errno.h"
#include "lib/printf.h"

#define SERIAL_MAX_PCI 8

static const struct {
	u16 io;
	u8 irq;
} legacy[SERIAL_LEGACY_PORTS] = {
	{ 0x3f8, 4 }, { 0x2f8, 3 }, { 0x3e8, 4 }, { 0x2e8, 3 },
};

static struct serial_port legacy_ports[SERIAL_LEGACY_PORTS];
static unsigned int pci_count;

static struct serial_port *serial_of(struct console *con)
{
	return con->priv;
}

static void serial_con_write(struct console *con, const char *s, size_t n)
{
	uart_write(&serial_of(con)->uart, s, n);
}

/* Drain the FIFO into the ring; hold the rest back when the ring is full. */
static void serial_con_poll(struct console *con)
{
	struct serial_port *port = serial_of(con);
	bool got = false;
	int c;

	if (con->throttled)
		return;
	while (console_input_room() && (c = uart_getc_nowait(&port->uart)) >= 0) {
		console_input_from(con, (u8)c);
		got = true;
	}
	if (!console_input_room()) {
		if (con->has_irq)
			uart_disable_rx_irq(&port->uart);
		console_throttle(con);
	}
	if (got && con->has_irq)
		console_input_wake();
}

static void serial_con_unthrottle(struct console *con)
{
	/* data already waiting raises the line again: an edge, an interrupt */
	if (con->has_irq)
		uart_enable_rx_irq(&serial_of(con)->uart);
}

static void serial_con_configure(struct console *con, const struct console_opt *opt)
{
	struct serial_port *port = serial_of(con);

	if (opt->baud)
		port->uart.baud = opt->baud;
	port->uart.lcr = uart_lcr_of(opt->bits, opt->parity);
	uart_setup(&port->uart);
	if (con->has_irq)
		uart_enable_rx_irq(&port->uart);
}

static void serial_port_init(struct serial_port *port, unsigned int index, const char *desc)
{
	struct console *con = &port->con;

	snprintf(con->name, sizeof(con->name), "ttyS%u", index);
	snprintf(con->desc, sizeof(con->desc), "%s", desc);
	con->kind = CONSOLE_SERIAL;
	con->index = index;
	con->write = serial_con_write;
	con->poll = serial_con_poll;
	con->unthrottle = serial_con_unthrottle;
	con->configure = serial_con_configure;
	con->priv = port;
}

void serial_init_legacy(void)
{
	for (unsigned int i = 0; i < SERIAL_LEGACY_PORTS; i++) {
		struct serial_port *port = &legacy_ports[i];
		char desc[CONSOLE_DESC_MAX];

		port->uart = (struct uart_port){ .io = legacy[i].io, .baud = UART_BASE_BAUD,
						 .lcr = uart_lcr_of(8, 'n') };
		port->irq = -1;
		if (uart_probe(&port->uart))
			continue;
		uart_setup(&port->uart);
		snprintf(desc, sizeof(desc), "COM%u at I/O 0x%x, IRQ %u, 16550", i + 1,
			 legacy[i].io, legacy[i].irq);
		serial_port_init(port, i, desc);
		console_register(&port->con);
	}
}

int serial_register_pci(struct serial_port *port, const char *desc)
{
	unsigned int index;

	if (pci_count == SERIAL_MAX_PCI)
		return -ENOSPC;
	index = SERIAL_LEGACY_PORTS + pci_count++;
	port->irq = -1;
	serial_port_init(port, index, desc);
	console_register(&port->con);
	return (int)index;
}

/* One ISA line may carry two ports (COM1 and COM3 share IRQ 4). */
static void serial_irq_handler(void *arg)
{
	unsigned int irq = (unsigned int)(uintptr_t)arg;

	for (unsigned int i = 0; i < SERIAL_LEGACY_PORTS; i++)
		if (legacy_ports[i].irq == (int)irq && legacy_ports[i].con.enabled)
			serial_con_poll(&legacy_ports[i].con);
}

static int serial_irq_route(unsigned int irq)
{
	u8 vector = VECTOR_LEGACY_BASE + irq;
	int err;

	err = irq_request(vector, serial_irq_handler, (void *)(uintptr_t)irq,
			  irq == 4 ? "COM1/3" : "COM2/4");
	if (err)
		return err;
	err = ioapic_route_isa_irq(irq, this_cpu_id(), vector);
	if (err) {
		irq_release(vector);
		return err;
	}
	return 0;
}

int serial_irq_init(void)
{
	static const unsigned int irqs[] = { 4, 3 };
	int ret = 0;

	for (unsigned int k = 0; k < ARRAY_SIZE(irqs); k++) {
		bool used = false;
		int err;

		for (unsigned int i = 0; i < SERIAL_LEGACY_PORTS; i++)
			if (legacy[i].irq == irqs[k] && legacy_ports[i].con.enabled)
				used = true;
		if (!used)
			continue;
		err = serial_irq_route(irqs[k]);
		if (err) {
			pr_warn("serial: no receive interrupt on IRQ %u (%d); polling\n", irqs[k], err);
			ret = err;
			continue;
		}
		for (unsigned int i = 0; i < SERIAL_LEGACY_PORTS; i++) {
			struct serial_port *port = &legacy_ports[i];

			if (legacy[i].irq != irqs[k] || !port->con.enabled)
				continue;
			port->irq = (int)irqs[k];
			port->con.has_irq = true;
			uart_enable_rx_irq(&port->uart);
			/* bytes that came before the interrupt was on */
			serial_con_poll(&port->con);
		}
	}
	return ret;
}
