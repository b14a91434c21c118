/*
 * Unit tests for kernel/sched/idle_poll_rule.h: how the idle-polling window
 * moves after a stretch (kept when the poll caught the work, grown after a
 * short halt, halved after a long one, never above the ceiling), the moving
 * means, the probe every 16th stretch, and a model of a CPU on which
 * polling pays (or does not) settling on the cheaper way.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "kernel/sched/idle_poll_rule.h"

#define MAX IDLE_POLL_MAX_NS_DEFAULT
#define START IDLE_POLL_GROW_START_NS

static void test_window_caught_keeps(void **state)
{
	(void)state;
	assert_int_equal(idle_poll_next_window(80000, 30000, true, MAX), 80000);
	assert_int_equal(idle_poll_next_window(0, 30000, true, MAX), 0);
	/* the ceiling was lowered since: the window follows it down */
	assert_int_equal(idle_poll_next_window(200000, 30000, true, 100000), 100000);
}

static void test_window_grows_after_short_halt(void **state)
{
	(void)state;
	assert_int_equal(idle_poll_next_window(0, 70000, false, MAX), START);
	assert_int_equal(idle_poll_next_window(START, 70000, false, MAX), 2 * START);
	assert_int_equal(idle_poll_next_window(2 * START, 150000, false, MAX), MAX);
	assert_int_equal(idle_poll_next_window(MAX, MAX, false, MAX), MAX);
	/* a window below the start jumps to it; a ceiling below the start caps it */
	assert_int_equal(idle_poll_next_window(1000, 5000, false, MAX), START);
	assert_int_equal(idle_poll_next_window(0, 5000, false, 20000), 20000);
}

static void test_window_halves_after_long_halt(void **state)
{
	u32 w = MAX;
	int n = 0;

	(void)state;
	assert_int_equal(idle_poll_next_window(MAX, MAX + 1, false, MAX), MAX / 2);
	/* a CPU whose waits are all long stops polling */
	while (w) {
		w = idle_poll_next_window(w, 4000000, false, MAX);
		n++;
	}
	assert_true(n <= 18);
	assert_int_equal(idle_poll_next_window(0, 4000000, false, MAX), 0);
}

static void test_ewma(void **state)
{
	u32 m = 0;

	(void)state;
	assert_int_equal(idle_poll_ewma(0, 40000), 40000);
	assert_int_equal(idle_poll_ewma(0, 0), 1);		/* a sample, not "none" */
	assert_int_equal(idle_poll_ewma(40000, 48000), 41000);
	assert_int_equal(idle_poll_ewma(40000, 32000), 39000);
	for (int i = 0; i < 200; i++)
		m = idle_poll_ewma(m, 25000);
	assert_true(m >= 24990 && m <= 25000);
	/* a stretch of hours does not wrap */
	assert_int_equal(idle_poll_ewma(0, 1ULL << 40), 0xffffffffU);
	assert_true(idle_poll_ewma(0xffffffffU, 1ULL << 40) == 0xffffffffU);
}

static void test_choose_probes(void **state)
{
	unsigned int polls = 0;

	(void)state;
	/* no means yet: poll, but every 16th stretch halts to measure halting */
	for (u32 s = 1; s <= 64; s++)
		polls += idle_poll_choose(s, 0, 0);
	assert_int_equal(polls, 60);
	assert_false(idle_poll_choose(16, 0, 0));
	assert_true(idle_poll_choose(17, 0, 0));
	/* halting ends sooner: halt, polling every 16th */
	assert_false(idle_poll_choose(17, 50000, 40000));
	assert_true(idle_poll_choose(32, 50000, 40000));
	/* equal means: polling */
	assert_true(idle_poll_choose(17, 40000, 40000));
}

/*
 * A model CPU: each stretch costs poll_ns when it polls and halt_ns when it
 * halts at once; it must end up doing the cheaper one but on its probes.
 */
static unsigned int model_polls(u32 poll_ns, u32 halt_ns, unsigned int stretches)
{
	u32 mean_poll = 0, mean_halt = 0;
	unsigned int polls = 0;

	for (u32 s = 1; s <= stretches + 64; s++) {
		bool poll = idle_poll_choose(s, mean_poll, mean_halt);

		if (poll)
			mean_poll = idle_poll_ewma(mean_poll, poll_ns);
		else
			mean_halt = idle_poll_ewma(mean_halt, halt_ns);
		if (s > 64)		/* past the warm-up */
			polls += poll;
	}
	return polls;
}

static void test_model_settles(void **state)
{
	(void)state;
	/* polling pays (a halted CPU's wake-up is slow): polls but on probes */
	assert_int_equal(model_polls(30000, 60000, 1600), 1500);
	/* polling costs (the spinning vCPU starves the device model): halts */
	assert_int_equal(model_polls(55000, 30000, 1600), 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_window_caught_keeps),
		cmocka_unit_test(test_window_grows_after_short_halt),
		cmocka_unit_test(test_window_halves_after_long_halt),
		cmocka_unit_test(test_ewma),
		cmocka_unit_test(test_choose_probes),
		cmocka_unit_test(test_model_settles),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
