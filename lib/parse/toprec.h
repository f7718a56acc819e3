/* srebox top's recordings: one sample a line, a JSON object (srebox-top(1)
 * says what it holds), and the times -t takes.  Bytes in, a checked
 * sample or a time out: a recording may come from another machine, be
 * cut by a crash or be something else altogether. */
#ifndef SREBOX_TOPREC_H
#define SREBOX_TOPREC_H

#include "util.h"

#include <jansson.h>

/* Lines longer than this are not samples (a sample is some 20 KiB). */
#define TOPREC_MAX_LINE (16u << 20)

/* One line (without or with its newline): the sample, or NULL with err
 * saying why it is none.  A sample has a finite number "t" (seconds since
 * the epoch), a "state" of OK, WARNING, CRITICAL or UNKNOWN, and, when
 * present, "findings" an array, "panes" and "node" objects. */
json_t *toprec_line(const char *d, size_t n, struct sbx_err *err);

/* "10m ago" (s, m/min, h, d), "2026-12-02T05:17:57Z" (UTC), "2026-12-02
 * 05:17[:57]" (local), "05:17[:57]" (today, local): seconds since the
 * epoch; false when s is none of them.  now: the present, for "ago" and
 * "today". */
bool toprec_when(const char *s, double now, double *out);

#endif
