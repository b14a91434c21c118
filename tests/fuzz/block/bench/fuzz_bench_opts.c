/*
 * Fuzz bench's option parser (block/bench/bench_opts.c) the way the shell
 * calls it: the input split at blanks into up to 63 words after "bench".
 * An accepted configuration must hold together: block sizes in order and
 * in range, a depth and a job count, a block size drawn inside the range.
 */
#include "tests/fuzz/fuzz.h"
#include "block/bench/bench_opts.c"

#define MAX_WORDS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct bench_config cfg;
	char *line = fuzz_string(data, size);
	char *argv[MAX_WORDS + 1], err[160], *p = line;
	cpumask_t online = { 0 };
	int argc = 0;

	argv[argc++] = "bench";
	while (*p && argc < MAX_WORDS) {
		while (*p == ' ')
			*p++ = 0;
		if (!*p)
			break;
		argv[argc++] = p;
		while (*p && *p != ' ')
			p++;
	}
	argv[argc] = NULL;
	if (bench_parse(argc, argv, &cfg, err, sizeof(err)) == 0) {
		FUZZ_CHECK(cfg.bs_min >= BENCH_MIN_BS && cfg.bs_min <= cfg.bs_max &&
			   cfg.bs_max <= BENCH_MAX_BS);
		FUZZ_CHECK(cfg.iodepth >= 1 && cfg.numjobs >= 1);
		FUZZ_CHECK(cfg.runtime_ns || cfg.size || cfg.number_ios);
		for (u64 r = 0; r < 8; r++) {
			u32 bs = bench_pick_bs(&cfg, r * 0x9e3779b97f4a7c15ULL);

			FUZZ_CHECK(bs >= BENCH_MIN_BS && bs <= BENCH_MAX_BS && bs % 512 == 0);
		}
		cpumask_set(&online, 0);
		cpumask_set(&online, 1);
		bench_check_cpus(&cfg, &online, err, sizeof(err));
	} else {
		FUZZ_CHECK(err[0] != 0);
	}
	free(line);
	return 0;
}
