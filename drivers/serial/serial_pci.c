/*
 * 16550-compatible UARTs on PCI (class 0x07, subclass 0x00, programming
 * interface 0x02-0x06: 16550 and its FIFO-compatible successors), as BMCs
 * and Intel AMT expose for serial-over-LAN and QEMU's pci-serial is. The
 * first BAR holds the registers, in I/O space (most) or memory, one byte
 * apart; the chip is the 16550 that kernel/console/uart.c drives, checked by
 * the same scratch and loopback tests before it becomes ttyS4 and up. INTx is
 * not routed (no _PRT parsing), so its input is polled.
 */
#include "drivers/pci/pci.h"
#include "kernel/console/printk.h"
#include "kernel/console/serial.h"
#include "kernel/mm/slab.h"
#include "lib/errno.h"
#include "lib/printf.h"

#define SERIAL_PCI_UART_REGS 8

static const struct pci_device_id serial_pci_ids[] = {
	{ PCI_ANY_ID, PCI_ANY_ID, 0x070000, 0xffff00, 0 },
	{ 0 }
};

static int serial_pci_probe(struct pci_device *dev, const struct pci_device_id *id)
{
	char name[PCI_NAME_MAX], desc[CONSOLE_DESC_MAX];
	struct serial_port *port;
	struct pci_bar *bar = &dev->bar[0];
	int err, index;

	/* 8250 and 16450 (0x00, 0x01) have no FIFO; past 0x06 is not a 16550 */
	if (dev->prog_if < 0x02 || dev->prog_if > 0x06 || bar->size < SERIAL_PCI_UART_REGS)
		return -ENODEV;
	port = kzalloc(sizeof(*port));
	if (!port)
		return -ENOMEM;
	err = pci_enable_device(dev);
	if (err)
		goto free_port;
	if (bar->flags & PCI_BAR_IO) {
		port->uart.io = (u16)bar->base;
	} else {
		port->uart.mmio = pci_map_bar(dev, 0);
		if (!port->uart.mmio) {
			err = -ENOMEM;
			goto free_port;
		}
	}
	port->uart.baud = UART_BASE_BAUD;
	port->uart.lcr = uart_lcr_of(8, 'n');
	err = uart_probe(&port->uart);
	if (err) {
		pr_warn("serial: PCI %s: no 16550 answers at BAR 0\n",
			pci_device_name(dev, name, sizeof(name)));
		goto unmap;
	}
	uart_setup(&port->uart);
	if (port->uart.mmio)
		snprintf(desc, sizeof(desc), "PCI %s %04x:%04x, MMIO 0x%llx, 16550",
			 pci_device_name(dev, name, sizeof(name)), dev->vendor, dev->device,
			 (unsigned long long)bar->base);
	else
		snprintf(desc, sizeof(desc), "PCI %s %04x:%04x, I/O 0x%x, 16550",
			 pci_device_name(dev, name, sizeof(name)), dev->vendor, dev->device,
			 port->uart.io);
	index = serial_register_pci(port, desc);
	if (index < 0) {
		err = index;
		goto unmap;
	}
	dev->driver_data = port;
	return 0;
unmap:
	if (port->uart.mmio)
		pci_unmap_bar(dev, 0, (void *)port->uart.mmio);
free_port:
	kfree(port);
	return err;
}
PCI_DRIVER(serial, serial_pci_ids, serial_pci_probe);
