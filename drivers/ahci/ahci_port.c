/*
 * One AHCI port: bring-up (AHCI 1.3.1 10.1.2 and 10.3.1), COMRESET (10.4.2),
 * commands issued by polling (IDENTIFY at probe, READ LOG EXT in recovery),
 * the interrupt's reaping, and error recovery (6.2.2, 10.4).
 *
 * Completion: a queued (NCQ) command's SACT bit is cleared by the device's
 * Set Device Bits FIS, a non-queued command's CI bit by the HBA; what was
 * issued and reads neither bit any more is done. The port lock makes issue
 * (setting the bits) and reaping (reading them) see one state.
 *
 * Errors: on an error interrupt the HBA has stopped processing the list
 * (PxCI/PxSACT freeze). The interrupt handler only records it and wakes the
 * port's error-handler thread, which may sleep: it quiesces the queue,
 * completes what had finished, stops the port (a COMRESET when the device
 * stays busy, after a timeout, or when asked), restarts it, and for an NCQ
 * error reads the NCQ Command Error log (ACS-3 A.13) to learn which tag
 * failed. That command is retried up to AHCI_MAX_RETRIES times and then
 * fails with -EIO; every other command in flight is requeued, not counted
 * as a retry. A link that does not come back makes the disk fail with
 * -ENODEV.
 */
#include "drivers/ahci/ahci.h"
#include "drivers/ahci/ahci_fis.h"
#include "kernel/console/printk.h"
#include "kernel/mm/mm.h"
#include "kernel/time/time.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

#define AHCI_STOP_TIMEOUT_MS	500	/* 10.3.2: CR/FR clear within 500 ms */
#define AHCI_LINK_TIMEOUT_MS	1000	/* DET = 3 after COMRESET */
#define AHCI_BUSY_TIMEOUT_MS	10000	/* BSY/DRQ clear after reset; spin-up may be slow */
#define AHCI_EXEC_TIMEOUT_MS	5000	/* a polled command */

static u32 port_readl(struct ahci_port *port, unsigned int off)
{
	return ahci_readl(port->regs, off);
}

static void port_writel(struct ahci_port *port, unsigned int off, u32 v)
{
	ahci_writel(port->regs, off, v);
}

/* Wait until (reg & mask) == want; 0, or -ETIMEDOUT. */
static int port_wait(struct ahci_port *port, unsigned int off, u32 mask, u32 want,
		     unsigned int timeout_ms)
{
	u64 deadline = time_ns() + (u64)timeout_ms * 1000000;

	for (;;) {
		if ((port_readl(port, off) & mask) == want)
			return 0;
		if (time_ns() > deadline)
			return -ETIMEDOUT;
		udelay(10);
	}
}

const char *ahci_port_state_name(enum ahci_port_state state)
{
	switch (state) {
	case AHCI_PORT_PROBING:
		return "probing";
	case AHCI_PORT_LIVE:
		return "live";
	case AHCI_PORT_RECOVERING:
		return "recovering";
	case AHCI_PORT_DEAD:
		return "dead";
	}
	return "?";
}

/* --- start, stop, reset ------------------------------------------------------------ */
/* 10.3.2: clear ST and wait for CR; the command list is then idle and PxCI/PxSACT clear. */
static int ahci_port_stop(struct ahci_port *port)
{
	u32 cmd = port_readl(port, AHCI_PxCMD);

	if (cmd & AHCI_PxCMD_ST)
		port_writel(port, AHCI_PxCMD, cmd & ~AHCI_PxCMD_ST);
	return port_wait(port, AHCI_PxCMD, AHCI_PxCMD_CR, 0, AHCI_STOP_TIMEOUT_MS);
}

static int ahci_port_stop_fis(struct ahci_port *port)
{
	u32 cmd = port_readl(port, AHCI_PxCMD);

	if (cmd & AHCI_PxCMD_FRE)
		port_writel(port, AHCI_PxCMD, cmd & ~AHCI_PxCMD_FRE);
	return port_wait(port, AHCI_PxCMD, AHCI_PxCMD_FR, 0, AHCI_STOP_TIMEOUT_MS);
}

static int ahci_port_wait_idle(struct ahci_port *port)
{
	return port_wait(port, AHCI_PxTFD, ATA_STS_BSY | ATA_STS_DRQ, 0, AHCI_BUSY_TIMEOUT_MS);
}

/*
 * 10.4.2: with ST clear, hold SControl.DET at 1 for at least 1 ms, release
 * it, wait for the link (DET = 3), clear SError and wait for the device's
 * first D2H FIS to clear BSY.
 */
static int ahci_port_comreset(struct ahci_port *port)
{
	u32 sctl = port_readl(port, AHCI_PxSCTL) & ~(AHCI_SCTL_DET_MASK | (0xfU << 8));
	int err;

	port->resets++;
	port_writel(port, AHCI_PxSCTL, sctl | AHCI_SCTL_IPM_NO_PM | AHCI_SCTL_DET_COMRESET);
	udelay(1000);
	port_writel(port, AHCI_PxSCTL, sctl | AHCI_SCTL_IPM_NO_PM);
	err = port_wait(port, AHCI_PxSSTS, 0xf, AHCI_SSTS_DET_PRESENT, AHCI_LINK_TIMEOUT_MS);
	if (err)
		return -ENODEV;
	port_writel(port, AHCI_PxSERR, 0xffffffff);
	return ahci_port_wait_idle(port);
}

int ahci_port_halt(struct ahci_port *port)
{
	port_writel(port, AHCI_PxIE, 0);
	if (ahci_port_stop(port))
		return -ETIMEDOUT;
	return ahci_port_stop_fis(port);
}

/* With FRE set and the device idle: clear stale status and set ST (10.3.1). */
static void ahci_port_run(struct ahci_port *port)
{
	port_writel(port, AHCI_PxSERR, 0xffffffff);
	port_writel(port, AHCI_PxIS, 0xffffffff);
	port_writel(port, AHCI_PxIE, AHCI_PxIE_DEFAULT);
	port_writel(port, AHCI_PxCMD, port_readl(port, AHCI_PxCMD) | AHCI_PxCMD_ST);
}

/* --- polled commands ---------------------------------------------------------------- */
/*
 * Run one non-queued command in slot 0 by polling, with len bytes of data
 * at buf (a direct-map address; len 0: none). The port must have nothing
 * else in flight. Returns 0, -EIO when the device reports an error (the port
 * then needs stopping), or -ETIMEDOUT.
 */
static int ahci_port_exec(struct ahci_port *port, const struct fis_reg_h2d *fis, void *buf,
			  u32 len, bool write)
{
	struct ahci_prd *prdt = (struct ahci_prd *)(port->tables + AHCI_CT_PRDT);
	struct bio_vec vec = { virt_to_phys(buf), len };
	u64 deadline = time_ns() + (u64)AHCI_EXEC_TIMEOUT_MS * 1000000;
	int n = 0;

	memcpy(port->tables + AHCI_CT_CFIS, fis, sizeof(*fis));
	if (len) {
		n = ahci_prd_fill(prdt, AHCI_SLOT_PRDS, &vec, 1, 0, len, port->host->addr64);
		if (n < 0)
			return n;
	}
	ahci_cmd_header_fill(&port->cmd_list[0], virt_to_phys(port->tables), (unsigned int)n,
			     write);
	__atomic_store_n(&port->polled_is, 0, __ATOMIC_SEQ_CST);
	port_writel(port, AHCI_PxCI, 1);
	for (;;) {
		/* the interrupt handler may have taken the bits first */
		u32 is = port_readl(port, AHCI_PxIS) |
			 __atomic_load_n(&port->polled_is, __ATOMIC_SEQ_CST);

		if (is & AHCI_PxIS_TFES)
			return -EIO;
		if (!(port_readl(port, AHCI_PxCI) & 1))
			break;
		if (time_ns() > deadline)
			return -ETIMEDOUT;
		udelay(10);
	}
	return (AHCI_PxTFD_STS(port_readl(port, AHCI_PxTFD)) & (ATA_STS_ERR | ATA_STS_DF)) ?
	       -EIO : 0;
}

static int ahci_port_identify(struct ahci_port *port)
{
	struct fis_reg_h2d fis;
	int err;

	ahci_fis_command(&fis, ATA_CMD_IDENTIFY, 0, 0, 0);
	fis.device = 0;
	err = ahci_port_exec(port, &fis, port->scratch, 512, false);
	if (err)
		return err;
	memcpy(port->identify, port->scratch, sizeof(port->identify));
	ata_id_parse(port->identify, &port->id);
	return 0;
}

/* ACS-3 A.13: which queued command failed; -1 when the log says none did (NQ). */
static int ahci_port_read_ncq_log(struct ahci_port *port, int *tag)
{
	struct fis_reg_h2d fis;
	int err;

	ahci_fis_command(&fis, ATA_CMD_READ_LOG_EXT, 0, ATA_LOG_NCQ_ERROR, 1);
	err = ahci_port_exec(port, &fis, port->scratch, 512, false);
	if (err)
		return err;
	*tag = (port->scratch[0] & ATA_LOG_NCQ_NQ) ? -1 : (int)(port->scratch[0] & 0x1f);
	return 0;
}

/* --- bring-up ------------------------------------------------------------------------ */
/*
 * 10.1.2 and 10.3.1, first half: make the port idle, give it its command
 * list and received-FIS area and spin the device up. The host then waits
 * for the links of all its ports at once (ahci.c) before ahci_port_init().
 */
int ahci_port_spin_up(struct ahci_port *port)
{
	u64 list = virt_to_phys(port->cmd_list), fis = virt_to_phys(port->rx_fis);
	u32 cmd;

	if (ahci_port_stop(port) || ahci_port_stop_fis(port))
		return -EBUSY;	/* 10.4.2 says a port that will not stop needs an HBA reset */
	port_writel(port, AHCI_PxCLB, (u32)list);
	port_writel(port, AHCI_PxCLBU, (u32)(list >> 32));
	port_writel(port, AHCI_PxFB, (u32)fis);
	port_writel(port, AHCI_PxFBU, (u32)(fis >> 32));
	cmd = port_readl(port, AHCI_PxCMD) | AHCI_PxCMD_FRE;
	if (port->host->cap & AHCI_CAP_SSS)
		cmd |= AHCI_PxCMD_SUD;
	cmd |= AHCI_PxCMD_POD;
	port_writel(port, AHCI_PxCMD, cmd);
	return 0;
}

bool ahci_port_link_up(struct ahci_port *port)
{
	return AHCI_SSTS_DET(port_readl(port, AHCI_PxSSTS)) == AHCI_SSTS_DET_PRESENT;
}

/*
 * Second half, once the link had its 10 ms after spin-up (10.1.2): a
 * phy that sees a device but does not talk gets one COMRESET; then wait
 * for the device to be ready and start the list. -ENODEV when nothing (or
 * not an ATA disk) is attached.
 */
int ahci_port_init(struct ahci_port *port)
{
	int err;

	port->ssts = port_readl(port, AHCI_PxSSTS);
	if (AHCI_SSTS_DET(port->ssts) != AHCI_SSTS_DET_PRESENT) {
		/* DET 1: a device is there but the phy is not talking; one COMRESET */
		if (AHCI_SSTS_DET(port->ssts) != 1 || ahci_port_comreset(port))
			return -ENODEV;
		port->ssts = port_readl(port, AHCI_PxSSTS);
	}
	port_writel(port, AHCI_PxSERR, 0xffffffff);
	if (ahci_port_wait_idle(port) && ahci_port_comreset(port))
		return -ENODEV;
	port->sig = port_readl(port, AHCI_PxSIG);
	if (port->sig != AHCI_SIG_ATA)
		return -ENODEV;
	ahci_port_run(port);
	err = ahci_port_identify(port);
	if (err)
		return err;
	port->ssts = port_readl(port, AHCI_PxSSTS);
	return port->id.ata ? 0 : -ENODEV;
}

/* --- completions ----------------------------------------------------------------------- */
unsigned int ahci_port_reap(struct ahci_port *port)
{
	struct request *done_rqs[AHCI_MAX_SLOTS];
	unsigned int n = 0;
	bool rerun = false;
	unsigned long flags;
	u32 busy, done;

	flags = spin_lock_irqsave(&port->lock);
	busy = port_readl(port, AHCI_PxCI) | port_readl(port, AHCI_PxSACT);
	done = port->issued & ~port->pending & ~busy;
	port->issued &= ~done;
	while (done) {
		unsigned int slot = (unsigned int)__builtin_ctz(done);

		done &= done - 1;
		done_rqs[n++] = port->rqs[slot];
		port->rqs[slot] = NULL;
	}
	port->completions += n;
	if (!port->issued && port->drain) {
		port->drain = false;
		rerun = true;
	}
	spin_unlock_irqrestore(&port->lock, flags);
	for (unsigned int i = 0; i < n; i++) {
		struct ahci_cmd *cmd = blk_mq_rq_to_pdu(done_rqs[i]);

		cmd->status = 0;
		cmd->retries = 0;
		blk_mq_complete_request(done_rqs[i]);
	}
	/* a non-queued command waited for the queue to drain: issue it now */
	if (rerun && port->hctx)
		blk_mq_run_hw_queue(port->hctx);
	return n;
}

void ahci_port_schedule_eh(struct ahci_port *port, unsigned int why)
{
	__atomic_or_fetch(&port->eh_flags, 1UL << why, __ATOMIC_SEQ_CST);
	wake_up_all(&port->eh_wait);
}

/*
 * The port's share of the interrupt: acknowledge PxIS first (the HBA's IS
 * bit is cleared by the caller after this, 10.7.2.1), then reap. An error
 * freezes the port until the error handler has run; while it runs, or while
 * the port is probed, the polled commands look at the registers themselves.
 */
void ahci_port_irq(struct ahci_port *port)
{
	u32 is = port_readl(port, AHCI_PxIS);
	unsigned long flags;
	bool error;

	port_writel(port, AHCI_PxIS, is);
	flags = spin_lock_irqsave(&port->lock);
	port->interrupts++;
	error = (is & AHCI_PxIS_ERRORS) && port->state == AHCI_PORT_LIVE;
	if (port->state != AHCI_PORT_LIVE)
		port->polled_is |= is;
	if (error) {
		port->eh_is |= is;
		port->state = AHCI_PORT_RECOVERING;
	}
	spin_unlock_irqrestore(&port->lock, flags);
	if (error) {
		ahci_port_schedule_eh(port, AHCI_EH_ERROR);
		return;
	}
	if (port->state == AHCI_PORT_LIVE)
		ahci_port_reap(port);
}

/* --- recovery ----------------------------------------------------------------------------- */
/* Give back or fail every request still held after the port was stopped. */
static void ahci_port_finish_held(struct ahci_port *port, u32 held, int failed_tag,
				  bool count_all, int final_status)
{
	while (held) {
		unsigned int slot = (unsigned int)__builtin_ctz(held);
		struct request *rq = port->rqs[slot];
		struct ahci_cmd *cmd = blk_mq_rq_to_pdu(rq);
		bool counts = count_all || (int)slot == failed_tag;

		held &= held - 1;
		port->rqs[slot] = NULL;
		if (final_status == -ENODEV || (counts && cmd->retries >= AHCI_MAX_RETRIES)) {
			cmd->status = final_status == -ENODEV ? -ENODEV : -EIO;
			cmd->retries = 0;
			port->failed++;
			pr_err("%s: %s at sector %llu failed: %s\n", port->disk.name,
			       rq->op == REQ_OP_READ ? "read" : rq->op == REQ_OP_WRITE ? "write" :
			       rq->op == REQ_OP_FLUSH ? "flush" : "trim",
			       (unsigned long long)rq->sector, errno_name(cmd->status));
			blk_mq_complete_request(rq);
			continue;
		}
		if (counts) {
			cmd->retries++;
			port->retries++;
		}
		port->requeued++;
		blk_mq_requeue_request(rq);
	}
}

void ahci_port_recover(struct ahci_port *port, unsigned long why)
{
	struct request_queue *q = port->disk.queue;
	bool hard = why & (1UL << AHCI_EH_TIMEOUT | 1UL << AHCI_EH_RESET);
	bool ncq, tfes, again;
	int failed_tag = -1, status = -EIO;
	unsigned long flags;
	u32 held, tfd;

	mutex_lock(&port->eh_lock);
	blk_mq_quiesce_queue(q);
	flags = spin_lock_irqsave(&port->lock);
	if (port->state == AHCI_PORT_DEAD) {
		spin_unlock_irqrestore(&port->lock, flags);
		goto unquiesce;
	}
	port->state = AHCI_PORT_RECOVERING;
	port->last_is = port->eh_is;
	tfes = port->eh_is & AHCI_PxIS_TFES;
	port->eh_is = 0;
	spin_unlock_irqrestore(&port->lock, flags);

	tfd = port_readl(port, AHCI_PxTFD);
	port->last_tfd = tfd;
	port->last_serr = port_readl(port, AHCI_PxSERR);
	if (why & (1UL << AHCI_EH_ERROR)) {
		port->errors++;
		pr_warn("%s: error: PxIS %#x, status %#x, error %#x, SError %#x\n",
			port->disk.name, port->last_is, AHCI_PxTFD_STS(tfd), AHCI_PxTFD_ERR(tfd),
			port->last_serr);
	}
	/* what finished before the error is done; the rest is held until the port restarts */
	ahci_port_reap(port);
	flags = spin_lock_irqsave(&port->lock);
	held = port->issued;
	ncq = port->ncq_issued;
	port->issued = 0;
	port->pending = 0;
	port->pending_ncq = 0;
	port->drain = false;
	spin_unlock_irqrestore(&port->lock, flags);

	if (ahci_port_stop(port))
		hard = true;
	port_writel(port, AHCI_PxSERR, 0xffffffff);
	port_writel(port, AHCI_PxIS, 0xffffffff);
	if (AHCI_PxTFD_STS(port_readl(port, AHCI_PxTFD)) & (ATA_STS_BSY | ATA_STS_DRQ))
		hard = true;
	if (hard) {
		int err = ahci_port_comreset(port);

		if (err) {
			pr_err("%s: the link did not come back after COMRESET (%s)\n",
			       port->disk.name, errno_name(err));
			status = -ENODEV;
			goto finish;
		}
	}
	ahci_port_run(port);
	__atomic_store_n(&port->polled_is, 0, __ATOMIC_SEQ_CST);
	if (!hard && tfes) {
		if (!ncq && held) {
			failed_tag = __builtin_ctz(held);	/* one non-queued command at a time */
		} else if (ncq && ahci_port_read_ncq_log(port, &failed_tag)) {
			/* the log read failed too: start over from a COMRESET, blame everyone */
			failed_tag = -1;
			ahci_port_stop(port);
			if (ahci_port_comreset(port)) {
				status = -ENODEV;
				goto finish;
			}
			ahci_port_run(port);
			__atomic_store_n(&port->polled_is, 0, __ATOMIC_SEQ_CST);
			hard = true;
		}
	}
finish:
	flags = spin_lock_irqsave(&port->lock);
	port->state = status == -ENODEV ? AHCI_PORT_DEAD : AHCI_PORT_LIVE;
	/*
	 * An error that stops the list, seen by the handler while we held the
	 * port (state RECOVERING makes it only note the bits), would otherwise
	 * leave the list stopped with no one to notice: go round again. Link
	 * changes are not counted: the COMRESET itself makes them.
	 */
	again = port->state == AHCI_PORT_LIVE &&
		((port->polled_is | port_readl(port, AHCI_PxIS)) & AHCI_PxIS_FATAL);
	if (again) {
		port->eh_is |= port->polled_is | port_readl(port, AHCI_PxIS);
		port->state = AHCI_PORT_RECOVERING;
	}
	spin_unlock_irqrestore(&port->lock, flags);
	if (again)
		ahci_port_schedule_eh(port, AHCI_EH_ERROR);
	/* a timeout or an unidentified error counts against every command held */
	ahci_port_finish_held(port, held, failed_tag,
			      failed_tag < 0 && (why & ~(1UL << AHCI_EH_RESET)), status);
	if (status == -ENODEV)
		pr_err("%s: port %u is dead: its I/O fails\n", port->disk.name, port->index);
	else if (why & ~(1UL << AHCI_EH_ERROR) || failed_tag >= 0)
		pr_info("%s: recovered%s, %u command%s held%s\n", port->disk.name,
			hard ? " after COMRESET" : "", ahci_slot_count(held),
			ahci_slot_count(held) == 1 ? "" : "s",
			failed_tag >= 0 ? ", one failed" : "");
unquiesce:
	blk_mq_unquiesce_queue(q);
	mutex_unlock(&port->eh_lock);
}

static int ahci_port_eh_thread(void *arg)
{
	struct ahci_port *port = arg;

	for (;;) {
		unsigned long why;

		wait_event(port->eh_wait, __atomic_load_n(&port->eh_flags, __ATOMIC_ACQUIRE) != 0);
		why = __atomic_exchange_n(&port->eh_flags, 0, __ATOMIC_SEQ_CST);
		if (why & (1UL << AHCI_EH_EXIT))
			return 0;
		ahci_port_recover(port, why);
	}
	return 0;
}

int ahci_port_start_eh(struct ahci_port *port)
{
	char name[24];

	snprintf(name, sizeof(name), "%s-eh", port->disk.name);
	port->eh_thread = thread_create(name, ahci_port_eh_thread, port);
	if (IS_ERR(port->eh_thread))
		return (int)PTR_ERR(port->eh_thread);
	thread_start(port->eh_thread);
	return 0;
}

void ahci_port_stop_eh(struct ahci_port *port)
{
	ahci_port_schedule_eh(port, AHCI_EH_EXIT);
	thread_join(port->eh_thread);
	port->eh_thread = NULL;
}
