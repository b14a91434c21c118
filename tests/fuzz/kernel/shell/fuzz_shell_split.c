/*
 * Fuzz the shell's word splitter (kernel/shell/shell_split.c) with any
 * line: the words it returns lie inside the line, are at most 64, and the
 * list ends with NULL.
 */
#include "tests/fuzz/fuzz.h"
#include "kernel/shell/shell_split.c"

#define MAX_WORDS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = fuzz_string(data, size);
	char *argv[MAX_WORDS + 1];
	int argc = shell_split(line, argv, MAX_WORDS);

	FUZZ_CHECK(argc == -E2BIG || argc == -EINVAL || (argc >= 0 && argc <= MAX_WORDS));
	for (int i = 0; i < argc; i++)
		FUZZ_CHECK(argv[i] >= line && argv[i] <= line + size);
	if (argc >= 0)
		FUZZ_CHECK(argv[argc] == NULL);
	free(line);
	return 0;
}
