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


/* The first finding of check id in r (a test failure when there is none).
 * A macro, so that files without report.h need not include it. */
#define find_check(rep_, id_)                                                      \
	({                                                                         \
		const struct sbx_report *r_ = (rep_);                              \
		const struct sbx_finding *f_ = NULL;                               \
		for (size_t i_ = 0; i_ < r_->nfind && !f_; i_++)                   \
			if (!strcmp(r_->findings[i_].check, (id_)))                \
				f_ = &r_->findings[i_];                            \
		if (!f_)                                                           \
			fail_msg("no finding %s", (id_));                          \
		f_;                                                                \
	})

#endif
