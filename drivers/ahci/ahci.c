/*
 * AHCI host bus adapters (class 01:06:01): PCI probe, the BIOS/OS hand-off
 * (AHCI 1.3.1 10.6), AHCI mode on, one interrupt for the whole HBA (MSI; the
 * HBA's IS register says which ports to look at), and a disk per port with
 * an ATA device behind it. Ports with nothing attached, or with an ATAPI
 * drive or a port multiplier, are left alone. The ports are probed in the
 * background, all at once (ahci_ports_probe): an HBA's empty ports cost the
 * boot nothing, where one after the other they cost 10 ms each.
 *
 * The HBA is not reset (GHC.HR): that would also clear the capability bits
 * firmware wrote once (CAP.SSS, CAP.SMPS) and drop links the firmware
 * trained; each port is stopped and restarted instead (10.1.2 allows both).
 */
#include "drivers/ahci/ahci.h"
#include "kernel/console/printk.h"
#include "kernel/mm/page_alloc.h"
#include "kernel/mm/slab.h"
#include "kernel/sched/async.h"
#include "kernel/time/time.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

#define AHCI_BOHC_TIMEOUT_MS	25	/* 10.6.3: BIOS clears BOS within 25 ms ... */
#define AHCI_BOHC_BUSY_MS	2000	/* ... or sets BB and takes up to 2 s */
#define AHCI_TABLES_ORDER	5	/* 32 slot pages */
#define AHCI_LINK_UP_MS		10	/* DET = 3 after spin-up (10.1.2) */
#define AHCI_LINK_POLL_US	500	/* how often the links are looked at meanwhile */

LIST_HEAD(ahci_ports);

/* 10.6.3: take the HBA from the BIOS when it says it may own it. */
static void ahci_bios_handoff(struct ahci_host *host)
{
	u64 deadline;

	if (!(host->cap2 & AHCI_CAP2_BOH))
		return;
	ahci_writel(host->mmio, AHCI_REG_BOHC, ahci_readl(host->mmio, AHCI_REG_BOHC) | AHCI_BOHC_OOS);
	deadline = time_ns() + AHCI_BOHC_TIMEOUT_MS * 1000000ULL;
	while (ahci_readl(host->mmio, AHCI_REG_BOHC) & AHCI_BOHC_BOS) {
		if (ahci_readl(host->mmio, AHCI_REG_BOHC) & AHCI_BOHC_BB)
			deadline = time_ns() + AHCI_BOHC_BUSY_MS * 1000000ULL;
		if (time_ns() > deadline) {
			pr_warn("ahci%u: the BIOS did not release the HBA; taking it\n", host->index);
			return;
		}
		udelay(100);
	}
}

static void ahci_irq(void *arg)
{
	struct ahci_host *host = arg;
	u32 is = ahci_readl(host->mmio, AHCI_REG_IS);

	host->interrupts++;
	while (is) {
		unsigned int p = (unsigned int)__builtin_ctz(is);

		is &= is - 1;
		if (host->ports[p])
			ahci_port_irq(host->ports[p]);
		/* 10.7.2.1: the port's PxIS first, then its bit here */
		ahci_writel(host->mmio, AHCI_REG_IS, 1U << p);
	}
}

static void ahci_port_free(struct ahci_port *port)
{
	if (port->tables)
		page_free(port->tables, AHCI_TABLES_ORDER);
	if (port->cmd_list)
		page_free(port->cmd_list, 0);
	if (port->scratch)
		page_free(port->scratch, 0);
	kfree(port);
}

static struct ahci_port *ahci_port_alloc(struct ahci_host *host, unsigned int index)
{
	struct ahci_port *port = kzalloc(sizeof(*port));

	if (!port)
		return NULL;
	port->host = host;
	port->index = index;
	port->regs = host->mmio + AHCI_PORT_BASE(index);
	spin_init(&port->lock);
	wait_queue_init(&port->eh_wait);
	mutex_init(&port->eh_lock);
	port->state = AHCI_PORT_PROBING;
	/* the command list (1 KiB aligned) and the received FIS (256) share a page */
	port->cmd_list = page_zalloc(0);
	port->tables = page_zalloc(AHCI_TABLES_ORDER);
	port->scratch = page_zalloc(0);
	if (!port->cmd_list || !port->tables || !port->scratch)
		goto free_port;
	port->rx_fis = (u8 *)port->cmd_list + AHCI_CMD_LIST_SIZE;
	if (!host->addr64 && (virt_to_phys(port->tables) >> 32 ||
			      virt_to_phys(port->cmd_list) >> 32 ||
			      virt_to_phys(port->scratch) >> 32))
		goto free_port;	/* a 32-bit HBA and no memory below 4 GiB for it */
	return port;

free_port:
	ahci_port_free(port);
	return NULL;
}

/* The port must stop using its memory before it is freed. */
static void ahci_port_release(struct ahci_host *host, struct ahci_port *port)
{
	host->ports[port->index] = NULL;
	if (ahci_port_halt(port)) {
		pr_err("ahci%u: port %u will not stop: its memory stays allocated\n",
		       host->index, port->index);
		return;
	}
	ahci_port_free(port);
}

/* The second half of a port's bring-up (its link had its time) and its disk. */
static void ahci_port_probe(struct ahci_host *host, struct ahci_port *port)
{
	unsigned int index = port->index;
	int err;

	err = ahci_port_init(port);
	if (err) {
		if (port->sig == AHCI_SIG_ATAPI)
			pr_info("ahci%u: port %u: ATAPI device, not handled\n", host->index, index);
		else if (err != -ENODEV)
			pr_err("ahci%u: port %u: bring-up failed (%s)\n", host->index, index,
			       errno_name(err));
		goto release;
	}
	err = ahci_disk_create(port);
	if (err) {
		pr_err("ahci%u: port %u: no disk (%s)\n", host->index, index, errno_name(err));
		goto release;
	}
	list_add_tail(&port->link, &ahci_ports);
	pr_info("ahci: %s at ahci%u port %u: \"%s\", %llu sectors of %u bytes, %s, %s%s, queue"
		" depth %u%s\n", port->disk.name, host->index, index, port->id.model,
		(unsigned long long)port->id.sectors, port->id.logical_size,
		ata_sata_speed_name(AHCI_SSTS_SPD(port->ssts)),
		port->use_ncq ? "NCQ" : "no NCQ", port->id.trim ? ", TRIM" : "", port->depth,
		port->id.write_cache_enabled ? ", write cache" : "");
	return;

release:
	ahci_port_release(host, port);
}

/*
 * Every port of the HBA, in the background (kernel/sched/async.h): spin
 * them all up, give their links the 10 ms of 10.1.2 together (a port whose
 * link is up is not waited for; the wait sleeps, so the CPU goes on with
 * the boot), then finish them in port order. Disks are named (sda, sdb)
 * only once the HBAs probed before this one have named theirs, so names
 * follow PCI order and port order as they did when this ran in the boot
 * path.
 */
static int ahci_ports_probe(void *arg)
{
	struct ahci_host *host = arg;
	u32 started = 0, waiting;
	u64 deadline;

	for (unsigned int p = 0; p < AHCI_MAX_PORTS; p++) {
		struct ahci_port *port;

		if (!(host->pi & (1U << p)))
			continue;
		port = ahci_port_alloc(host, p);
		if (!port) {
			pr_err("ahci%u: port %u: out of memory\n", host->index, p);
			continue;
		}
		host->ports[p] = port;
		if (ahci_port_spin_up(port)) {
			pr_err("ahci%u: port %u: bring-up failed (%s)\n", host->index, p,
			       errno_name(-EBUSY));
			ahci_port_release(host, port);
			continue;
		}
		started |= 1U << p;
	}
	/* 10.1.2: a device present brings the link up within 10 ms of spin-up */
	deadline = time_ns() + AHCI_LINK_UP_MS * NSEC_PER_MSEC;
	for (waiting = started; waiting; ) {
		for (u32 w = waiting; w; w &= w - 1) {
			unsigned int p = (unsigned int)__builtin_ctz(w);

			if (ahci_port_link_up(host->ports[p]))
				waiting &= ~(1U << p);
		}
		if (!waiting || time_ns() >= deadline)
			break;
		thread_sleep_ns(AHCI_LINK_POLL_US * NSEC_PER_USEC);
	}
	async_synchronize_earlier();
	for (u32 w = started; w; w &= w - 1)
		ahci_port_probe(host, host->ports[__builtin_ctz(w)]);
	return 0;
}

static int ahci_probe(struct pci_device *pci, const struct pci_device_id *id)
{
	static unsigned int next_index;
	char pci_name[PCI_NAME_MAX], name[THREAD_NAME_MAX];
	struct ahci_host *host;
	int err, nvec;

	(void)id;
	pci_device_name(pci, pci_name, sizeof(pci_name));
	host = kzalloc(sizeof(*host));
	if (!host)
		return -ENOMEM;
	host->pci = pci;
	host->index = next_index++;
	err = pci_enable_device(pci);
	if (err)
		goto free_host;
	host->mmio = pci_map_bar(pci, AHCI_PCI_BAR);
	if (!host->mmio) {
		pr_err("ahci%u: %s: no memory BAR 5 (ABAR)\n", host->index, pci_name);
		err = -ENODEV;
		goto free_host;
	}
	host->cap2 = ahci_readl(host->mmio, AHCI_REG_CAP2);
	ahci_bios_handoff(host);
	ahci_writel(host->mmio, AHCI_REG_GHC, ahci_readl(host->mmio, AHCI_REG_GHC) | AHCI_GHC_AE);
	host->cap = ahci_readl(host->mmio, AHCI_REG_CAP);
	host->pi = ahci_readl(host->mmio, AHCI_REG_PI);
	host->version = ahci_readl(host->mmio, AHCI_REG_VS);
	host->nr_slots = AHCI_CAP_NCS(host->cap);
	host->addr64 = host->cap & AHCI_CAP_S64A;

	nvec = pci_irq_setup(pci, 1);
	if (nvec < 1) {
		pr_err("ahci%u: %s: no MSI (INTx is not routed here)\n", host->index, pci_name);
		err = nvec < 0 ? nvec : -ENOTSUP;
		goto unmap;
	}
	snprintf(host->irq_name, sizeof(host->irq_name), "ahci%u", host->index);
	err = pci_irq_set_vector(pci, 0, 0, ahci_irq, host, host->irq_name);
	if (err)
		goto irq_teardown;
	ahci_writel(host->mmio, AHCI_REG_IS, 0xffffffff);
	ahci_writel(host->mmio, AHCI_REG_GHC, ahci_readl(host->mmio, AHCI_REG_GHC) | AHCI_GHC_IE);
	pr_info("ahci%u: %s: AHCI %x.%x, %u ports (implemented %#x), %u slots%s%s\n",
		host->index, pci_name, host->version >> 16, (host->version >> 8) & 0xff,
		AHCI_CAP_NP(host->cap), host->pi, host->nr_slots,
		host->cap & AHCI_CAP_SNCQ ? ", NCQ" : "", host->addr64 ? ", 64-bit" : "");
	pci->driver_data = host;
	snprintf(name, sizeof(name), "ahci%u-probe", host->index);
	async_run(name, ahci_ports_probe, host);
	return 0;

irq_teardown:
	pci_irq_teardown(pci);
unmap:
	pci_unmap_bar(pci, AHCI_PCI_BAR, host->mmio);
free_host:
	kfree(host);
	return err;
}

/* any AHCI 1.0 function: class mass storage, SATA, AHCI programming interface */
static const struct pci_device_id ahci_ids[] = {
	{ PCI_ANY_ID, PCI_ANY_ID, 0x010601, 0xffffff, 0 },
	{ 0 }
};
PCI_DRIVER(ahci, ahci_ids, ahci_probe);
