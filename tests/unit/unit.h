/* Shared by the cmocka unit tests: fixture files and cmocka itself. */
#ifndef SREBOX_UNIT_H
#define SREBOX_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "root.h"
#include "util.h"

/* Contents of tests/fixtures/REL (SREBOX_TESTS points at tests/). */
static inline char *fixture(const char *rel, size_t *len)
{
	const char *top = getenv("SREBOX_TESTS");
	char path[4096];
	struct buf b = { 0 };
	struct sbx_err err;

	snprintf(path, sizeof(path), "%s/fixtures/%s", top ? top : "tests", rel);
	if (read_file(path, &b, 64u << 20, &err) < 0)
		fail_msg("%s", err.msg);
	*len = b.len;
	return b.s;
}

#endif
