/*
 * AHCI (Serial ATA AHCI 1.3.1) host adapters and the SATA disks on their
 * ports, as blk-mq disks named sda, sdb, ... in probe order, as Linux names
 * them. One hardware queue per disk whose tags are the port's command slots;
 * with NCQ (32 tags, READ/WRITE FPDMA QUEUED) the whole queue is in flight at
 * once, without it one command at a time. docs/ahci.md has the reasoning.
 *
 *   ahci.c       PCI probe, BIOS hand-off, the HBA, its one interrupt
 *   ahci_port.c  a port: start, stop, COMRESET, polled commands, IDENTIFY,
 *                error recovery and its thread
 *   ahci_mq.c    the blk-mq operations and the disk
 *   ahci_fis.c   FIS, PRD and TRIM building (pure, host tested)
 *   ata_id.c     IDENTIFY decoding (pure, host tested)
 *   ahci_shell.c the `sata` command
 */
#ifndef DRIVERS_AHCI_AHCI_H
#define DRIVERS_AHCI_AHCI_H

#include "block/blk_mq.h"
#include "drivers/ahci/ahci_regs.h"
#include "drivers/ahci/ata_id.h"
#include "drivers/pci/pci.h"
#include "kernel/sched/mutex.h"
#include "kernel/sched/spinlock.h"
#include "kernel/sched/thread.h"
#include "kernel/sched/wait.h"
#include "lib/list.h"

/*
 * Each command slot has a page: the command table (FIS, then AHCI_SLOT_PRDS
 * PRD entries) and, after it, the 512-byte TRIM range block of a DSM command.
 */
#define AHCI_SLOT_BYTES		4096
#define AHCI_SLOT_DSM		0xe00
#define AHCI_SLOT_PRDS		((AHCI_SLOT_DSM - AHCI_CT_PRDT) / sizeof(struct ahci_prd))
#define AHCI_MAX_RETRIES	3	/* a failed or timed-out command is retried this often */

enum ahci_port_state {
	AHCI_PORT_PROBING,	/* polled commands only; interrupts ignored */
	AHCI_PORT_LIVE,
	AHCI_PORT_RECOVERING,	/* the error handler owns the port */
	AHCI_PORT_DEAD,		/* the link is gone: every request fails */
};

/* error handler requests (ahci_port->eh_flags bits) */
#define AHCI_EH_ERROR		0	/* the interrupt handler saw an error */
#define AHCI_EH_TIMEOUT		1	/* a request passed its deadline */
#define AHCI_EH_RESET		2	/* a COMRESET was asked for (`sata <dev> reset`) */
#define AHCI_EH_EXIT		3	/* the thread ends (the disk could not be made) */

struct ahci_host;

struct ahci_port {
	struct ahci_host *host;
	unsigned int index;		/* port number on the HBA */
	u8 *regs;			/* this port's registers */

	/* the issue state; protected by lock (taken with interrupts off) */
	spinlock_t lock;
	enum ahci_port_state state;
	u32 issued;			/* slots handed to the HBA (or pending), not reaped */
	u32 pending;			/* issued slots whose CI bit waits for the batch's end */
	u32 pending_ncq;		/* of those, queued commands (SACT bits) */
	bool ncq_issued;		/* the issued commands are FPDMA QUEUED ones */
	bool drain;			/* a non-queued command waits for the queue to empty */
	u32 eh_is;			/* PxIS error bits seen since the last recovery */
	u32 polled_is;			/* PxIS bits the handler took while a command was polled */
	struct request *rqs[AHCI_MAX_SLOTS];	/* slot -> request in flight */

	/* memory the HBA reads and writes */
	struct ahci_cmd_header *cmd_list;	/* 32 headers; rx FIS follows in the page */
	u8 *rx_fis;
	u8 *tables;			/* AHCI_MAX_SLOTS pages of AHCI_SLOT_BYTES */
	u8 *scratch;			/* a page for IDENTIFY and log reads */

	/* the device */
	u16 identify[ATA_ID_WORDS];
	struct ata_id id;
	bool use_ncq;
	unsigned int depth;		/* tags: 1 .. 32 */
	unsigned int lba_shift;		/* log2(logical block / 512) */
	u32 sig, ssts;

	struct gendisk disk;
	struct blk_mq_tag_set tag_set;
	struct blk_mq_hw_ctx *hctx;

	/* the error handler thread */
	struct thread *eh_thread;
	struct wait_queue eh_wait;
	unsigned long eh_flags;		/* AHCI_EH_* bits, set atomically */
	struct mutex eh_lock;		/* one recovery at a time */

	/* statistics: interrupts and completions under lock; the rest by the handler */
	u64 interrupts, completions, max_in_flight;
	u64 errors, timeouts, resets, retries, failed, requeued;
	u32 last_tfd, last_serr, last_is;	/* what the last error looked like */

	struct list_head link;		/* in ahci_ports */
};

struct ahci_host {
	struct pci_device *pci;
	u8 *mmio;			/* ABAR */
	u32 cap, cap2, pi, version;
	unsigned int nr_slots;
	bool addr64;			/* CAP.S64A: DMA above 4 GiB */
	struct ahci_port *ports[AHCI_MAX_PORTS];
	u64 interrupts;
	unsigned int index;		/* ahci0, ahci1, ... */
	char irq_name[16];
};

/* per request: blk-mq's driver data */
struct ahci_cmd {
	int status;			/* 0, or the errno the request ends with */
	u8 retries;
};

/*
 * every port with a disk, in probe order; written only by the HBAs' probe
 * jobs, one at a time (ahci_ports_probe): readers async_synchronize() first
 */
extern struct list_head ahci_ports;

/* How many slots a mask holds (the kernel is built without the popcount helper). */
static inline unsigned int ahci_slot_count(u32 mask)
{
	unsigned int n = 0;

	for (; mask; mask &= mask - 1)
		n++;
	return n;
}

static inline u32 ahci_readl(const void *base, unsigned int off)
{
	return *(const volatile u32 *)((const u8 *)base + off);
}

static inline void ahci_writel(void *base, unsigned int off, u32 v)
{
	*(volatile u32 *)((u8 *)base + off) = v;
}

/* ahci_port.c */
/* Bring-up in two halves, the link's time to come up between them (ahci.c). */
int ahci_port_spin_up(struct ahci_port *port);
bool ahci_port_link_up(struct ahci_port *port);
int ahci_port_init(struct ahci_port *port);
/* Interrupts off, list and FIS receive stopped: the port no longer touches its memory. */
int ahci_port_halt(struct ahci_port *port);
void ahci_port_irq(struct ahci_port *port);
/* Reap what the HBA finished; returns how many. Called with interrupts off. */
unsigned int ahci_port_reap(struct ahci_port *port);
void ahci_port_schedule_eh(struct ahci_port *port, unsigned int why);
/*
 * Recover the port now, in this thread (which may sleep): why is a mask of
 * AHCI_EH_* bits; AHCI_EH_RESET forces a COMRESET. The error handler thread
 * runs this; `sata <disk> reset` and the self tests call it directly.
 */
void ahci_port_recover(struct ahci_port *port, unsigned long why);
/* Start the error handler thread (eh_wait and eh_lock are initialised by then). */
int ahci_port_start_eh(struct ahci_port *port);
/* Stop it and wait for it to exit. */
void ahci_port_stop_eh(struct ahci_port *port);
const char *ahci_port_state_name(enum ahci_port_state state);

/* ahci_mq.c */
int ahci_disk_create(struct ahci_port *port);

#endif
