/* Numbers in text, as runbooks feed them to `srebox stats`: one field of a
 * line, a decimal number (what strtod reads, faster), or a duration
 * ("250ms", "1.2s", Go's "1m30.5s", "3us", "2h").  Pure and total: any
 * bytes, no NUL needed, never a read past n. */
#ifndef SREBOX_NUMTEXT_H
#define SREBOX_NUMTEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Field k (1-based) of line s[0..n): split at every `delim`, or at runs of
 * blanks (spaces, tabs) when delim is 0, leading blanks ignored.  False
 * when the line has fewer fields. */
bool field_get(const char *s, size_t n, char delim, unsigned k, const char **f, size_t *fn);

/* A finite decimal number: optional sign, digits, a point, an exponent;
 * blanks around it ignored.  "nan", "inf", hex, "1,5" and "" are refused.
 * The value is the correctly rounded one (as strtod gives). */
bool num_parse(const char *s, size_t n, double *out);

/* A duration in seconds: one or more NUMBER UNIT parts (ns, us, µs, ms, s,
 * m, h, d; Go's time.Duration strings), or a bare number of seconds. */
bool dur_parse(const char *s, size_t n, double *out);

#endif
