/*
 * Register access through an ACPI Generic Address Structure (ACPI 6.4
 * 5.2.3.2): the FADT describes the PM1 control blocks and the reset register
 * this way, in system I/O space, system memory, or (for the reset register)
 * the configuration space of a PCI device on segment 0, bus 0, reached
 * through the legacy 0xCF8/0xCFC mechanism. The caller picks the access
 * width; bit_offset is not applied, as the registers used here start at bit 0.
 */
#include "kernel/acpi/acpi.h"
#include "kernel/arch/x86.h"
#include "lib/errno.h"

#define PCI_CONFIG_ADDRESS	0xcf8
#define PCI_CONFIG_DATA		0xcfc

static bool gas_width_ok(unsigned int width)
{
	return width == 8 || width == 16 || width == 32;
}

/*
 * Select a PCI config register of bus 0: the GAS holds the device in bits
 * 32-47, the function in bits 16-31 and the register offset in bits 0-15.
 * Returns the data port for that offset, which reaches the byte lanes.
 */
static int gas_pci_select(const struct acpi_gas *gas, unsigned int width, u16 *port)
{
	u64 dev = (gas->address >> 32) & 0xffff, fn = (gas->address >> 16) & 0xffff;
	u64 off = gas->address & 0xffff;

	if (dev > 31 || fn > 7 || off > 0xff || (off & (width / 8 - 1)))
		return -EINVAL;
	outl(PCI_CONFIG_ADDRESS, BIT(31) | dev << 11 | fn << 8 | (off & 0xfc));
	*port = PCI_CONFIG_DATA + (off & 3);
	return 0;
}

/*
 * Where a GAS access goes: an I/O port (*mem left NULL) or mapped memory.
 * PCI config accesses select their register here and go to a data port.
 */
static int gas_resolve(const struct acpi_gas *gas, unsigned int width, u16 *port,
		       volatile void **mem)
{
	*mem = NULL;
	if (!gas_width_ok(width))
		return -EINVAL;
	switch (gas->space_id) {
	case ACPI_GAS_IO:
		if (gas->address > 0xffff)
			return -EINVAL;
		*port = gas->address;
		return 0;
	case ACPI_GAS_PCI_CONFIG:
		return gas_pci_select(gas, width, port);
	case ACPI_GAS_MEMORY:
		*mem = acpi_map(gas->address, width / 8);
		return *mem ? 0 : -EFAULT;
	default:
		return -EINVAL;
	}
}

int acpi_gas_read(const struct acpi_gas *gas, unsigned int width, u32 *value)
{
	volatile void *mem;
	u16 port;
	int err;

	err = gas_resolve(gas, width, &port, &mem);
	if (err)
		return err;
	if (width == 8)
		*value = mem ? *(volatile u8 *)mem : inb(port);
	else if (width == 16)
		*value = mem ? *(volatile u16 *)mem : inw(port);
	else
		*value = mem ? *(volatile u32 *)mem : inl(port);
	return 0;
}

int acpi_gas_write(const struct acpi_gas *gas, unsigned int width, u32 value)
{
	volatile void *mem;
	u16 port;
	int err;

	err = gas_resolve(gas, width, &port, &mem);
	if (err)
		return err;
	if (width == 8) {
		if (mem)
			*(volatile u8 *)mem = value;
		else
			outb(port, value);
	} else if (width == 16) {
		if (mem)
			*(volatile u16 *)mem = value;
		else
			outw(port, value);
	} else {
		if (mem)
			*(volatile u32 *)mem = value;
		else
			outl(port, value);
	}
	return 0;
}
