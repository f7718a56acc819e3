/* The fuzz corpora as a test: every file kept under tests/fuzz/corpus/TARGET
 * (seeds from the fixtures, and each input a fuzzer once crashed on) is
 * run through its target, in the normal build and under ASan+UBSan, so a
 * parser regression fails `make test` on machines without clang too.
 * TAP output, one line per target.
 *   replay CORPUS_DIR [TARGET...] */
#include "fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int read_all(const char *path, uint8_t **data, size_t *n)
{
	FILE *f = fopen(path, "rb");
	size_t a = 4096, len = 0;
	uint8_t *d;

	if (!f)
		return -1;
	d = malloc(a);
	for (;;) {
		size_t got;

		if (len == a) {
			a *= 2;
			d = realloc(d, a);
		}
		got = fread(d + len, 1, a - len, f);
		if (!got)
			break;
		len += got;
	}
	fclose(f);
	*data = d;
	*n = len;
	return 0;
}

int main(int argc, char **argv)
{
	unsigned tests = 0, failed = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: replay CORPUS_DIR [TARGET...]\n");
		return 3;
	}
	for (const struct fuzz_target *t = fuzz_targets; t->name; t++)
		tests++;
	printf("1..%u\n", tests);
	tests = 0;
	for (const struct fuzz_target *t = fuzz_targets; t->name; t++) {
		char dir[4096];
		DIR *d;
		struct dirent *e;
		unsigned files = 0;
		bool want = argc == 2;

		for (int i = 2; i < argc; i++)
			want |= !strcmp(argv[i], t->name);
		tests++;
		if (!want) {
			printf("ok %u - %s # SKIP not asked for\n", tests, t->name);
			continue;
		}
		snprintf(dir, sizeof(dir), "%s/%s", argv[1], t->name);
		d = opendir(dir);
		if (!d) {
			printf("not ok %u - %s: %s: %s\n", tests, t->name, dir, strerror(errno));
			failed++;
			continue;
		}
		while ((e = readdir(d))) {
			char path[8192];
			uint8_t *data;
			size_t n;

			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			if (read_all(path, &data, &n) < 0)
				continue;
			fuzz_run(t, data, n);	/* a crash ends the run: prove reports it */
			free(data);
			files++;
		}
		closedir(d);
		if (files)
			printf("ok %u - %s: %u inputs (%s)\n", tests, t->name, files, t->what);
		else {
			printf("not ok %u - %s: no inputs in %s\n", tests, t->name, dir);
			failed++;
		}
	}
	return failed ? 1 : 0;
}
