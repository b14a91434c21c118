/*
 * `selftest pci`: the scan found the host bridge, and the MSI-X rung
 * programs a real device's table the way the spec wants. The test borrows
 * the first function with MSI-X and no driver, and gives it back as found
 * (command register included); with none, the MSI-X tests pass vacuously.
 */
#include "drivers/pci/pci_internal.h"
#include "drivers/pci/pci_regs.h"
#include "kernel/arch/percpu.h"
#include "kernel/selftest/selftest.h"
#include "lib/errno.h"

static void test_scan_host_bridge(struct selftest *t)
{
	struct pci_device *dev;
	bool found = false;

	pci_for_each_device(dev) {
		if (dev->bus == 0 && dev->dev == 0 && dev->fn == 0 &&
		    dev->class_base == 0x06 && dev->class_sub == 0x00)
			found = true;
		ST_EXPECT(t, dev->vendor != 0xffff);
	}
	ST_EXPECT(t, found);
}
SELFTEST(pci, scan_host_bridge, test_scan_host_bridge);

static struct pci_device *msix_victim(void)
{
	struct pci_device *dev;

	pci_for_each_device(dev)
		if (dev->cap_msix && !dev->driver && dev->irq_mode == PCI_IRQ_NONE)
			return dev;
	return NULL;
}

static void msix_test_handler(void *arg)
{
	(*(unsigned int *)arg)++;
}

static u32 msix_read(struct pci_device *dev, unsigned int entry, unsigned int off)
{
	return *(volatile u32 *)((u8 *)dev->msix_table + entry * PCI_MSIX_ENTRY_SIZE + off);
}

static void test_msix_program(struct selftest *t)
{
	struct pci_device *dev = msix_victim();
	static unsigned int fired;
	u16 cmd, ctrl, table_size;
	u32 address, data;
	int n, err;

	if (!dev)
		return;
	cmd = pci_config_read16(dev, PCI_COMMAND);
	table_size = (pci_config_read16(dev, dev->cap_msix + PCI_MSIX_FLAGS) &
		      PCI_MSIX_FLAGS_QSIZE) + 1;
	ST_EXPECT_EQ(t, pci_msix_enable(dev, 0), -EINVAL);
	n = pci_msix_enable(dev, table_size + 5);	/* more than the table: clamped */
	ST_ASSERT_EQ(t, n, table_size);
	ST_EXPECT_EQ(t, dev->irq_mode, PCI_IRQ_MSIX);
	ST_EXPECT_EQ(t, pci_msix_enable(dev, 1), -EBUSY);
	ctrl = pci_config_read16(dev, dev->cap_msix + PCI_MSIX_FLAGS);
	ST_EXPECT(t, ctrl & PCI_MSIX_FLAGS_ENABLE);
	ST_EXPECT(t, !(ctrl & PCI_MSIX_FLAGS_MASKALL));
	ST_EXPECT(t, pci_config_read16(dev, PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE);
	for (unsigned int i = 0; i < table_size; i++)
		ST_EXPECT(t, msix_read(dev, i, PCI_MSIX_ENTRY_VECTOR_CTRL) &
			  PCI_MSIX_ENTRY_CTRL_MASKBIT);

	err = pci_msix_set_vector(dev, 0, 0, msix_test_handler, &fired, "selftest");
	ST_EXPECT_EQ(t, err, 0);
	if (!err) {
		ST_EXPECT_EQ(t, pci_msi_compose(cpu_get(0)->apic_id,
						(u8)msix_read(dev, 0, PCI_MSIX_ENTRY_DATA),
						&address, &data), 0);
		ST_EXPECT_EQ(t, msix_read(dev, 0, PCI_MSIX_ENTRY_ADDR_LO), address);
		ST_EXPECT_EQ(t, msix_read(dev, 0, PCI_MSIX_ENTRY_ADDR_HI), 0);
		ST_EXPECT(t, data >= 0x30 && data <= 0xdf);
		ST_EXPECT(t, !(msix_read(dev, 0, PCI_MSIX_ENTRY_VECTOR_CTRL) &
			       PCI_MSIX_ENTRY_CTRL_MASKBIT));
		/* aiming it again frees the old vector first */
		ST_EXPECT_EQ(t, pci_msix_set_vector(dev, 0, 0, msix_test_handler, &fired,
						    "selftest"), 0);
	}
	ST_EXPECT_EQ(t, pci_msix_set_vector(dev, table_size, 0, msix_test_handler, &fired,
					    "selftest"), -EINVAL);
	ST_EXPECT_EQ(t, pci_msix_set_vector(dev, 0, MAX_CPUS, msix_test_handler, &fired,
					    "selftest"), -ENXIO);
	pci_msix_disable(dev);
	ST_EXPECT_EQ(t, dev->irq_mode, PCI_IRQ_NONE);
	ST_EXPECT(t, !(pci_config_read16(dev, dev->cap_msix + PCI_MSIX_FLAGS) &
		       PCI_MSIX_FLAGS_ENABLE));
	pci_config_write16(dev, PCI_COMMAND, cmd);
}
SELFTEST(pci, msix_program, test_msix_program);

/* The ladder takes the top rung when there is one, and gives it back. */
static void test_irq_ladder(struct selftest *t)
{
	struct pci_device *dev = msix_victim();
	u16 cmd;

	if (!dev)
		return;
	cmd = pci_config_read16(dev, PCI_COMMAND);
	ST_EXPECT_EQ(t, pci_irq_setup(dev, 0), -EINVAL);
	ST_EXPECT_EQ(t, pci_irq_setup(dev, 1), 1);
	ST_EXPECT_EQ(t, dev->irq_mode, PCI_IRQ_MSIX);
	ST_EXPECT_EQ(t, pci_irq_setup(dev, 1), -EBUSY);
	ST_EXPECT_EQ(t, pci_irq_set_vector(dev, 1, 0, msix_test_handler, NULL, "x"), -EINVAL);
	pci_irq_teardown(dev);
	ST_EXPECT_EQ(t, dev->irq_mode, PCI_IRQ_NONE);
	pci_config_write16(dev, PCI_COMMAND, cmd);
}
SELFTEST(pci, irq_ladder, test_irq_ladder);
