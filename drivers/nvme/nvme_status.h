/*
 * NVMe completion status (1.4 4.6.1.2) to words and to an errno. Pure code,
 * tested on the host (tests/unit/drivers/nvme/test_nvme_status.c).
 *
 * A status here is the 15-bit status field of a completion entry: the CQE's
 * status word shifted right by one (nvme_regs.h NVME_STATUS_*).
 */
#ifndef DRIVERS_NVME_NVME_STATUS_H
#define DRIVERS_NVME_NVME_STATUS_H

#include "lib/types.h"

/* "Invalid Field in Command"; "Unknown Status Code" when not in the tables. */
const char *nvme_status_text(u16 status);
/* "Generic Command Status", "Command Specific Status", "Media and Data Integrity Errors", ... */
const char *nvme_status_type_text(u16 status);
/*
 * One line for a log: "LBA Out of Range (sct 0x0 sc 0x80, dnr)" into buf;
 * returns buf.
 */
char *nvme_status_format(u16 status, char *buf, size_t len);
/*
 * The errno a block layer user sees: 0 for success, -EIO for media and
 * most errors, -EINVAL for a malformed command, -ENOTSUP for an opcode or
 * option the controller lacks, -EROFS for a write-protected namespace,
 * -ENOSPC when the namespace is full, -EAGAIN for a transient state,
 * -EBUSY for a reservation conflict, -ECANCELED for aborted commands.
 */
int nvme_status_to_errno(u16 status);
/*
 * Whether a failed command may be sent again: DNR clear and a status that
 * can change (path errors, aborts, not ready, interrupted, transient).
 */
bool nvme_status_retryable(u16 status);

#endif
