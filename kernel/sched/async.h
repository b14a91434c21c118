/*
 * Boot work off the path to the prompt, as Linux's async probing does: a
 * slow device probe (AHCI ports waiting for their links) runs in a thread
 * of its own while the boot goes on, and whoever needs what it makes (a
 * command naming a disk, a listing of disks) first waits for every job
 * started so far with async_synchronize(). docs/boot.md.
 */
#ifndef KERNEL_SCHED_ASYNC_H
#define KERNEL_SCHED_ASYNC_H

#include "lib/types.h"

/*
 * Run fn(arg) in a new thread named name; the job counts as pending until
 * fn returns (a nonzero return is logged). Without memory for a thread,
 * fn runs here and now: slower, never lost.
 */
void async_run(const char *name, int (*fn)(void *arg), void *arg);
/*
 * Wait until every job started so far has ended. From inside a job it
 * waits only for the jobs started before it (a job waiting for all jobs
 * would wait for itself).
 */
void async_synchronize(void);
/*
 * Inside a job: wait until every job started before this one has ended,
 * so that what jobs name (sda, sdb) follows the order they were started in,
 * as Linux's async_synchronize_cookie. Elsewhere: async_synchronize().
 */
void async_synchronize_earlier(void);
/* Jobs started and not yet ended. */
unsigned int async_pending(void);
/*
 * At the prompt: how many jobs are still running; when that is not 0, the
 * last of them to end prints "boot: background probes done after N ms".
 */
unsigned int async_boot_report_arm(void);

#endif
