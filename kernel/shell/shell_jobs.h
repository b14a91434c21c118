/*
 * Background commands (kernel/shell/shell_jobs.c), for the shell's own use:
 * shell_execute() hands a line that ends in '&' to shell_job_start(), and
 * the prompt loop calls shell_jobs_notify() before each prompt.
 */
#ifndef KERNEL_SHELL_SHELL_JOBS_H
#define KERNEL_SHELL_SHELL_JOBS_H

/* Run line (without its '&') in a job of its own; prints "[N] tid" or one error line. */
int shell_job_start(const char *line);
/* Show the output and status of every job that has ended, and forget them. */
void shell_jobs_notify(void);

#endif
