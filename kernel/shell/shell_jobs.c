/*
 * Background commands: `<command> &`, `jobs`, `wait [%N]`, `kill %N`, so
 * that a person can read `mq`, reset a controller or remove a disk while a
 * bench runs.
 *
 * A job is a thread of its own that runs one command with a console
 * redirect (kernel/console/console.h): what the command prints goes to the
 * job's buffer, never to the console while the foreground is there, so a
 * background line is never cut into the middle of a foreground one. The
 * buffer is shown, followed by bash's status line ("[1]+  Done    bench
 * ..."), by `wait`, or else before the next prompt once the job has ended:
 * bash's default (`set +b`) notification, which never writes over a line
 * being typed. Kernel messages (printk) a job causes go to the console at
 * once, as on Linux.
 *
 * `kill %N` is a Ctrl-C for that job only: console_interrupted() in the
 * job's thread answers the job's flag, and the console's Ctrl-C belongs to
 * the foreground command alone. Commands that stop on Ctrl-C (bench, sum,
 * selftest, ...) stop on kill the same way; a command that never looks
 * runs to its end.
 *
 * Locking: the job table is the shell thread's alone (only it starts,
 * reports and frees jobs). A job's thread writes its output under out_lock
 * (irq-safe: an interrupt on its CPU may print) and sets done last, with a
 * release store, then wakes jobs_wait.
 */
#include "kernel/shell/shell.h"
#include "kernel/shell/shell_jobs.h"
#include "kernel/shell/shell_split.h"
#include "kernel/console/console.h"
#include "kernel/mm/slab.h"
#include "kernel/sched/spinlock.h"
#include "kernel/sched/thread.h"
#include "kernel/sched/wait.h"
#include "lib/errno.h"
#include "lib/parse.h"
#include "lib/printf.h"
#include "lib/string.h"

#define SHELL_JOBS_MAX 8
#define SHELL_JOB_OUTPUT_MAX (64 * 1024)	/* bytes kept; the rest are counted */
#define SHELL_JOB_POLL_NS 20000000		/* `wait` looks for a Ctrl-C this often */

struct shell_job {
	struct console_redirect redirect;	/* first: the job is found from it */
	unsigned int number;			/* %N */
	struct thread *thread;
	const struct shell_cmd *cmd;
	int argc;
	char *argv[SHELL_ARGS_MAX + 1];		/* point into words */
	char words[SHELL_LINE_MAX];
	char line[SHELL_LINE_MAX];		/* as typed, without the '&' */
	spinlock_t out_lock;
	char *out;				/* SHELL_JOB_OUTPUT_MAX bytes; under out_lock */
	size_t out_len;
	u64 out_dropped;
	int result;				/* the command's, valid once done */
	bool done;				/* release-stored by the job's thread */
};

static struct shell_job *jobs[SHELL_JOBS_MAX];	/* the shell thread's */
static struct wait_queue jobs_wait = WAIT_QUEUE_INIT(jobs_wait);

static void shell_job_write(struct console_redirect *r, const char *s, size_t n)
{
	struct shell_job *job = (struct shell_job *)r;
	unsigned long flags = spin_lock_irqsave(&job->out_lock);
	size_t room = SHELL_JOB_OUTPUT_MAX - job->out_len;
	size_t take = min(n, room);

	memcpy(job->out + job->out_len, s, take);
	job->out_len += take;
	job->out_dropped += n - take;
	spin_unlock_irqrestore(&job->out_lock, flags);
}

static int shell_job_main(void *arg)
{
	struct shell_job *job = arg;
	int result;

	console_redirect_set(&job->redirect);
	result = job->cmd->run(job->argc, job->argv);
	console_redirect_set(NULL);
	job->result = result;
	__atomic_store_n(&job->done, true, __ATOMIC_RELEASE);
	wake_up_all(&jobs_wait);
	return 0;
}

static bool shell_job_done(const struct shell_job *job)
{
	return __atomic_load_n(&job->done, __ATOMIC_ACQUIRE);
}

static int cmd_jobs(int argc, char **argv);
static int cmd_wait(int argc, char **argv);
static int cmd_kill(int argc, char **argv);

static void shell_job_free(struct shell_job *job)
{
	kfree(job->out);
	kfree(job);
}

/* The current job (bash's '+') is the newest, the previous ('-') the one before. */
static struct shell_job *shell_job_newest(const struct shell_job *below)
{
	struct shell_job *best = NULL;

	for (int i = 0; i < SHELL_JOBS_MAX; i++)
		if (jobs[i] && (!below || jobs[i]->number < below->number) &&
		    (!best || jobs[i]->number > best->number))
			best = jobs[i];
	return best;
}

static char shell_job_mark(const struct shell_job *job)
{
	struct shell_job *current = shell_job_newest(NULL);

	if (job == current)
		return '+';
	return job == shell_job_newest(current) ? '-' : ' ';
}

static const char *shell_job_state(const struct shell_job *job, char *buf, size_t len)
{
	if (!shell_job_done(job))
		return "Running";
	if (READ_ONCE(job->redirect.interrupted))
		return "Interrupt";
	if (job->result == 0)
		return "Done";
	snprintf(buf, len, "Exit %d", -job->result);
	return buf;
}

static void shell_job_status_print(const struct shell_job *job)
{
	char buf[16];

	printf("[%u]%c  %-24s%s%s\n", job->number, shell_job_mark(job),
	       shell_job_state(job, buf, sizeof(buf)), job->line,
	       shell_job_done(job) ? "" : " &");
}

/* An ended job: its output, its status line; then it is forgotten. */
static void shell_job_report(struct shell_job *job)
{
	console_out(job->out, job->out_len);
	if (job->out_len && job->out[job->out_len - 1] != '\n')
		puts("\n");
	if (job->out_dropped)
		printf("[%u]   (%llu bytes of output dropped: at most %u are kept)\n", job->number,
		       (unsigned long long)job->out_dropped, SHELL_JOB_OUTPUT_MAX);
	shell_job_status_print(job);
	thread_join(job->thread);
	for (int i = 0; i < SHELL_JOBS_MAX; i++)
		if (jobs[i] == job)
			jobs[i] = NULL;
	shell_job_free(job);
}

int shell_job_start(const char *line)
{
	struct shell_job *job, *newest = shell_job_newest(NULL);
	int slot = -1, err;

	for (int i = SHELL_JOBS_MAX - 1; i >= 0; i--)
		if (!jobs[i])
			slot = i;
	if (slot < 0)
		return shell_error("too many jobs (at most %d): wait for one first", SHELL_JOBS_MAX);
	job = kzalloc(sizeof(*job));
	if (!job)
		return shell_error("out of memory for a job");
	job->out = kmalloc(SHELL_JOB_OUTPUT_MAX);
	if (!job->out) {
		err = shell_error("out of memory for a job's output");
		goto free_job;
	}
	strlcpy(job->line, line, sizeof(job->line));
	strlcpy(job->words, line, sizeof(job->words));
	job->argc = shell_split(job->words, job->argv, SHELL_ARGS_MAX);
	if (job->argc == -E2BIG) {
		err = shell_error("too many words (at most %d)", SHELL_ARGS_MAX);
		goto free_job;
	}
	if (job->argc < 0) {
		err = shell_error("unterminated quote");
		goto free_job;
	}
	if (job->argc == 0) {
		err = shell_error("syntax error near unexpected token '&'");
		goto free_job;
	}
	job->cmd = shell_find(job->argv[0]);
	if (!job->cmd) {
		err = shell_error("unknown command '%s' (try 'help')", job->argv[0]);
		goto free_job;
	}
	/* the job table is the shell thread's: job control stays in the foreground */
	if (job->cmd->run == cmd_jobs || job->cmd->run == cmd_wait || job->cmd->run == cmd_kill) {
		err = shell_error("%s: job control runs in the foreground only", job->argv[0]);
		goto free_job;
	}
	job->number = newest ? newest->number + 1 : 1;
	job->redirect.write = shell_job_write;
	spin_init(&job->out_lock);
	job->thread = thread_create("job", shell_job_main, job);
	if (IS_ERR(job->thread)) {
		err = shell_error("cannot start a job: %s", errno_name((int)PTR_ERR(job->thread)));
		goto free_job;
	}
	snprintf(job->thread->name, sizeof(job->thread->name), "job%u", job->number);
	jobs[slot] = job;
	printf("[%u] %u\n", job->number, job->thread->tid);
	thread_start(job->thread);
	return 0;

free_job:
	shell_job_free(job);
	return err;
}

void shell_jobs_notify(void)
{
	/* in job-number order, as bash reports them */
	for (;;) {
		struct shell_job *oldest_done = NULL;

		for (int i = 0; i < SHELL_JOBS_MAX; i++)
			if (jobs[i] && shell_job_done(jobs[i]) &&
			    (!oldest_done || jobs[i]->number < oldest_done->number))
				oldest_done = jobs[i];
		if (!oldest_done)
			return;
		shell_job_report(oldest_done);
	}
}

/* "%N", "%%", "%+", "%-": the job, or NULL after an error line. */
static struct shell_job *shell_job_parse(const char *cmd, const char *spec)
{
	struct shell_job *job = NULL;

	if (spec[0] != '%')
		return shell_error("%s: '%s': not a job (jobs are %%N)", cmd, spec), NULL;
	if (!strcmp(spec, "%%") || !strcmp(spec, "%+")) {
		job = shell_job_newest(NULL);
	} else if (!strcmp(spec, "%-")) {
		job = shell_job_newest(NULL);
		job = job ? shell_job_newest(job) : NULL;
	} else {
		u64 n;

		if (spec[1] >= '0' && spec[1] <= '9' && !parse_u64(spec + 1, &n))
			for (int i = 0; i < SHELL_JOBS_MAX; i++)
				if (jobs[i] && jobs[i]->number == n)
					job = jobs[i];
	}
	if (!job)
		shell_error("%s: %s: no such job", cmd, spec);
	return job;
}

static int cmd_jobs(int argc, char **argv)
{
	if (argc != 1)
		return shell_usage_error(argv[0]);
	for (unsigned int n = 1, seen = 0; seen < SHELL_JOBS_MAX && n < 1000000; n++)
		for (int i = 0; i < SHELL_JOBS_MAX; i++)
			if (jobs[i] && jobs[i]->number == n) {
				shell_job_status_print(jobs[i]);
				seen++;
			}
	return 0;
}
SHELL_COMMAND(jobs, cmd_jobs, "jobs", "list the background commands (started with a trailing '&')");

/* Wait for job to end and report it; -EINTR when a Ctrl-C stops the wait. */
static int shell_job_wait(struct shell_job *job)
{
	while (!shell_job_done(job)) {
		if (console_interrupted())
			return -EINTR;
		wait_event_timeout(jobs_wait, shell_job_done(job), SHELL_JOB_POLL_NS);
	}
	shell_job_report(job);
	return 0;
}

static int cmd_wait(int argc, char **argv)
{
	struct shell_job *job;
	int err;

	if (argc > 2)
		return shell_usage_error(argv[0]);
	if (argc == 2) {
		job = shell_job_parse(argv[0], argv[1]);
		return job ? shell_job_wait(job) : -EINVAL;
	}
	while ((job = shell_job_newest(NULL))) {
		struct shell_job *oldest = job;

		for (int i = 0; i < SHELL_JOBS_MAX; i++)
			if (jobs[i] && jobs[i]->number < oldest->number)
				oldest = jobs[i];
		err = shell_job_wait(oldest);
		if (err)
			return err;
	}
	return 0;
}
SHELL_COMMAND(wait, cmd_wait, "wait [%N]",
	      "wait for a background command (all without %N) and show its output");

static int cmd_kill(int argc, char **argv)
{
	struct shell_job *job;

	if (argc != 2)
		return shell_usage_error(argv[0]);
	job = shell_job_parse(argv[0], argv[1]);
	if (!job)
		return -EINVAL;
	console_redirect_interrupt(&job->redirect);
	return 0;
}
SHELL_COMMAND(kill, cmd_kill, "kill %N",
	      "stop a background command as Ctrl-C stops one in the foreground");
