/*
 * The `wq` command: the io-wq pools (kernel/io_wq/io_wq.h), their workers
 * per account (free, running, blocked), maximums, pending and hashed items,
 * items done and cancelled, workers created and exited, and the mean punt
 * latency (enqueue to start) by a woken and by a new worker; and
 * `wq <pool> max_bound=N max_unbound=N cpus=<list>` to set the limits.
 * `wq latency [rounds=N]` measures that latency on an idle pool of its
 * own: a punt that wakes the parked worker, and one that must create it.
 */
#include "kernel/io_wq/io_wq.h"
#include "kernel/arch/percpu.h"
#include "kernel/arch/x86.h"
#include "kernel/console/console.h"
#include "kernel/mm/slab.h"
#include "kernel/shell/shell.h"
#include "kernel/sched/thread.h"
#include "kernel/sched/wait.h"
#include "lib/cpulist.h"
#include "lib/errno.h"
#include "lib/json.h"
#include "lib/parse.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "kernel/time/time.h"

static const char *const io_wq_acct_names[IO_WQ_ACCT_NR] = { "bound", "unbound" };

static u64 io_wq_mean(u64 sum, u64 n)
{
	return n ? sum / n : 0;
}

static void io_wq_cpus_format(char *buf, size_t len, const cpumask_t *cpus)
{
	cpulist_format(buf, len, cpus->bits, MAX_CPUS);
}

struct io_wq_text {
	struct io_wq_stats st;
	const char *only;		/* NULL: every pool */
};

static int io_wq_is_named(struct io_wq *wq, void *name)
{
	return !strcmp(io_wq_name(wq), name);
}

static int io_wq_print_text(struct io_wq *wq, void *arg)
{
	struct io_wq_text *text = arg;
	struct io_wq_stats *st = &text->st;
	char cpus[64];

	if (text->only && strcmp(io_wq_name(wq), text->only))
		return 0;
	io_wq_get_stats(wq, st);
	io_wq_cpus_format(cpus, sizeof(cpus), &st->cpus);
	for (unsigned int i = 0; i < IO_WQ_ACCT_NR; i++) {
		const struct io_wq_acct_stats *s = &st->acct[i];

		printf("%-12s %-7s %4u %4u %4u %4u %4u %7u %6u %9llu %6llu %7llu %6llu %8llu %8llu %s\n",
		       st->name, io_wq_acct_names[i], s->max_workers, s->workers, s->free,
		       s->running, s->blocked, s->pending, s->hashed,
		       (unsigned long long)s->done, (unsigned long long)s->cancelled,
		       (unsigned long long)s->created, (unsigned long long)s->exited,
		       (unsigned long long)io_wq_mean(s->start_woken_cycles, s->start_woken_n),
		       (unsigned long long)io_wq_mean(s->start_created_cycles, s->start_created_n),
		       i == IO_WQ_ACCT_BOUND ? cpus : "all");
	}
	return 0;
}

static void io_wq_json_start(struct json_writer *w, const char *key, u64 n, u64 cycles)
{
	json_key(w, key);
	json_object_begin(w);
	json_field_u64(w, "n", n);
	json_field_u64(w, "mean_cycles", io_wq_mean(cycles, n));
	json_object_end(w);
}

static int io_wq_print_json(struct io_wq *wq, void *arg)
{
	struct json_writer *w = arg;
	struct io_wq_stats st;
	char cpus[64];

	io_wq_get_stats(wq, &st);
	io_wq_cpus_format(cpus, sizeof(cpus), &st.cpus);
	json_object_begin(w);
	json_field_str(w, "name", st.name);
	json_field_str(w, "cpus", cpus);
	json_field_u64(w, "idle_ms", st.idle_ns / 1000000);
	for (unsigned int i = 0; i < IO_WQ_ACCT_NR; i++) {
		const struct io_wq_acct_stats *s = &st.acct[i];

		json_key(w, io_wq_acct_names[i]);
		json_object_begin(w);
		json_field_u64(w, "max_workers", s->max_workers);
		json_field_u64(w, "workers", s->workers);
		json_field_u64(w, "free", s->free);
		json_field_u64(w, "running", s->running);
		json_field_u64(w, "blocked", s->blocked);
		json_field_u64(w, "pending", s->pending);
		json_field_u64(w, "hashed", s->hashed);
		json_field_bool(w, "stalled", s->stalled);
		json_field_u64(w, "done", s->done);
		json_field_u64(w, "cancelled", s->cancelled);
		json_field_u64(w, "cancel_running", s->cancel_running);
		json_field_u64(w, "created", s->created);
		json_field_u64(w, "exited", s->exited);
		io_wq_json_start(w, "start_woken", s->start_woken_n, s->start_woken_cycles);
		io_wq_json_start(w, "start_created", s->start_created_n, s->start_created_cycles);
		json_object_end(w);
	}
	json_object_end(w);
	return 0;
}

static int io_wq_list_pools(bool json, const char *only)
{
	struct io_wq_text text = { .only = only };

	if (json) {
		struct json_writer w;

		shell_json_begin(&w);
		json_object_begin(&w);
		json_key(&w, "pools");
		json_array_begin(&w);
		io_wq_for_each(io_wq_print_json, &w);
		json_array_end(&w);
		json_object_end(&w);
		return shell_json_end(&w);
	}
	if (only && !io_wq_for_each(io_wq_is_named, (void *)only))
		return shell_error("no pool '%s' (see wq)", only);
	printf("%-12s %-7s %4s %4s %4s %4s %4s %7s %6s %9s %6s %7s %6s %8s %8s %s\n", "POOL", "ACCT",
	       "MAX", "WRK", "FREE", "RUN", "BLK", "PENDING", "HASHED", "DONE", "CANCEL", "CREATED",
	       "EXITED", "WAKE-CYC", "NEW-CYC", "CPUS");
	io_wq_for_each(io_wq_print_text, &text);
	return 0;
}

/* What `wq <pool> key=value ...` asks for, checked before anything changes. */
struct io_wq_settings {
	const char *pool;
	unsigned int max[IO_WQ_ACCT_NR];	/* 0: unchanged */
	bool set_cpus;
	cpumask_t cpus;
	bool found;
	int err;
};

static int io_wq_apply(struct io_wq *wq, void *arg)
{
	struct io_wq_settings *s = arg;

	if (strcmp(io_wq_name(wq), s->pool))
		return 0;
	s->found = true;
	if (s->set_cpus) {
		s->err = io_wq_set_cpus(wq, &s->cpus);
		if (s->err)
			return 1;
	}
	s->err = io_wq_max_workers(wq, s->max);
	return 1;
}

static int io_wq_parse_max(const char *key, const char *value, unsigned int *out)
{
	u32 v;

	if (parse_u32(value, &v) || v < 1 || v > IO_WQ_MAX_WORKERS)
		return shell_error("%s=%s: expected 1..%u", key, value, IO_WQ_MAX_WORKERS);
	*out = v;
	return 0;
}

static int io_wq_configure(int argc, char **argv)
{
	struct io_wq_settings s = { .pool = argv[1] };

	for (int i = 2; i < argc; i++) {
		char *key, *value;
		int err;

		if (parse_kv(argv[i], &key, &value))
			return shell_error("expected key=value, got '%s'", argv[i]);
		if (!strcmp(key, "max_bound")) {
			err = io_wq_parse_max(key, value, &s.max[IO_WQ_ACCT_BOUND]);
		} else if (!strcmp(key, "max_unbound")) {
			err = io_wq_parse_max(key, value, &s.max[IO_WQ_ACCT_UNBOUND]);
		} else if (!strcmp(key, "cpus")) {
			cpumask_clear(&s.cpus);
			err = 0;
			if (cpulist_parse(value, s.cpus.bits, MAX_CPUS) ||
			    !cpumask_weight(&s.cpus))
				err = shell_error("cpus=%s: expected a CPU list (0-1,3)", value);
			s.set_cpus = true;
		} else {
			err = shell_error("unknown key '%s' (max_bound, max_unbound, cpus)", key);
		}
		if (err)
			return err;
	}
	io_wq_for_each(io_wq_apply, &s);
	if (!s.found)
		return shell_error("no pool '%s' (see wq)", s.pool);
	if (s.err == -EINVAL && s.set_cpus)
		return shell_error("cpus: none of them is online");
	if (s.err)
		return shell_error("cannot set: %s", errno_name(s.err));
	return 0;
}

/* --- wq latency ------------------------------------------------------------ */

struct io_wq_probe {
	struct io_wq_work work;
	u64 cycles;			/* enqueue -> start of fn */
	struct completion done;
};

static void io_wq_probe_fn(struct io_wq_work *work)
{
	struct io_wq_probe *p = container_of(work, struct io_wq_probe, work);

	p->cycles = io_wq_work_cancelled(work) ? 0 : rdtsc() - work->queued_tsc;
	complete(&p->done);
}

static bool io_wq_probe_match(struct io_wq_work *work, void *data)
{
	return work == data;
}

/* One punt on wq; its latency in cycles, or 0 if it did not run within a second. */
static u64 io_wq_probe_once(struct io_wq *wq)
{
	struct io_wq_probe p;

	/* the submitter sleeps, as a real one would: it does not keep a CPU busy */
	completion_init(&p.done);
	io_wq_work_init(&p.work, io_wq_probe_fn);
	io_wq_enqueue(wq, &p.work);
	if (wait_for_completion_timeout(&p.done, 1000 * 1000 * 1000ULL))
		return p.cycles;
	/* p is on our stack: it must be off the pool, or done, before we return */
	if (io_wq_cancel_cb(wq, io_wq_probe_match, &p.work, false) != IO_WQ_CANCEL_OK)
		wait_for_completion(&p.done);
	return 0;
}

/* Sort n samples (insertion sort: n <= 1000, once per command). */
static void io_wq_sort(u64 *v, u32 n)
{
	for (u32 i = 1; i < n; i++)
		for (u32 j = i; j > 0 && v[j - 1] > v[j]; j--) {
			u64 t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
}

static void io_wq_print_latency(const char *what, u64 *v, u32 n)
{
	io_wq_sort(v, n);
	printf("  %-18s min %llu, median %llu, max %llu (%u samples)\n", what,
	       (unsigned long long)v[0], (unsigned long long)v[n / 2],
	       (unsigned long long)v[n - 1], n);
}

static int io_wq_measure_latency(int argc, char **argv)
{
	u32 rounds = 20, n_woken = 0, n_created = 0;
	u64 *woken, *created;
	int ret = 0;

	for (int i = 2; i < argc; i++) {
		char *key, *value;

		if (parse_kv(argv[i], &key, &value) || strcmp(key, "rounds"))
			return shell_error("expected rounds=N, got '%s'", argv[i]);
		if (parse_u32(value, &rounds) || rounds < 1 || rounds > 1000)
			return shell_error("rounds=%s: expected 1..1000", value);
	}
	woken = kcalloc(rounds, sizeof(*woken));
	created = kcalloc(rounds, sizeof(*created));
	if (!woken || !created) {
		ret = shell_error("out of memory");
		goto free_samples;
	}
	for (u32 r = 0; r < rounds; r++) {
		/* a fresh pool: the first punt must create its worker */
		struct io_wq *wq = io_wq_create("latency", NULL);
		u64 c;

		if (IS_ERR(wq)) {
			ret = shell_error("cannot create a pool: %s", errno_name((int)PTR_ERR(wq)));
			goto free_samples;
		}
		c = io_wq_probe_once(wq);
		if (c)
			created[n_created++] = c;
		/* let the worker park, then wake it with the next punt */
		thread_sleep_ns(1000 * 1000);
		c = io_wq_probe_once(wq);
		if (c)
			woken[n_woken++] = c;
		io_wq_destroy(wq);
	}
	if (!n_woken || !n_created) {
		ret = shell_error("punts did not run within a second");
		goto free_samples;
	}
	printf("punt to start, TSC cycles (TSC %llu kHz):\n", (unsigned long long)tsc_khz);
	io_wq_print_latency("idle worker woken:", woken, n_woken);
	io_wq_print_latency("worker created:", created, n_created);
free_samples:
	kfree(woken);
	kfree(created);
	return ret;
}

static int cmd_wq(int argc, char **argv)
{
	bool json = false;
	int err = shell_json_flag(&argc, argv, &json);

	if (err)
		return err;
	if (json && argc != 1)
		return shell_usage_error(argv[0]);
	if (argc == 1)
		return io_wq_list_pools(json, NULL);
	if (!strcmp(argv[1], "latency"))
		return io_wq_measure_latency(argc, argv);
	if (argc == 2)
		return io_wq_list_pools(false, argv[1]);
	return io_wq_configure(argc, argv);
}
SHELL_COMMAND(wq, cmd_wq, "wq [--json] | wq <pool> [max_bound=N] [max_unbound=N] [cpus=<list>] | "
	      "wq latency [rounds=N]",
	      "io-wq worker pools: workers, limits, queued and cancelled work");
