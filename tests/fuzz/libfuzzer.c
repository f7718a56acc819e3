/* libFuzzer's entry point: SREBOX_FUZZ_TARGET names the parser (see
 * `make fuzz` and tests/fuzz/run). */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct fuzz_target *target;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *name = getenv("SREBOX_FUZZ_TARGET");

	(void)argc;
	(void)argv;
	target = name ? fuzz_find(name) : NULL;
	if (!target) {
		fprintf(stderr, "SREBOX_FUZZ_TARGET=%s: not a target; one of:", name ? name : "");
		for (const struct fuzz_target *t = fuzz_targets; t->name; t++)
			fprintf(stderr, " %s", t->name);
		fputc('\n', stderr);
		exit(3);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_run(target, data, size);
	return 0;
}
