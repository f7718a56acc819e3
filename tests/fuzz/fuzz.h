/* The fuzz targets' table (targets.c), shared by the libFuzzer entry
 * point (libfuzzer.c) and the replayer the test suite runs (replay.c). */
#ifndef SREBOX_FUZZ_H
#define SREBOX_FUZZ_H

#include <stddef.h>
#include <stdint.h>

struct fuzz_target {
	const char *name;
	const char *what;
	void (*fn)(const char *data, size_t n);
};

extern const struct fuzz_target fuzz_targets[];	/* NULL-name terminated */
const struct fuzz_target *fuzz_find(const char *name);
void fuzz_run(const struct fuzz_target *t, const uint8_t *data, size_t size);

#endif
