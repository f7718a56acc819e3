/* Small helpers every part of srebox uses: allocation that cannot return
 * NULL, a growable byte buffer, the error record that carries a reason all
 * the way to the report, and number parsing that never trusts its input. */
#ifndef SREBOX_UTIL_H
#define SREBOX_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define SBX_PRINTF(f, a) __attribute__((format(printf, f, a)))
/* A case that goes on into the next, for gcc and clang alike. */
#define SBX_FALLTHROUGH __attribute__((fallthrough))
#define SBX_NORETURN __attribute__((noreturn))

/* Why a value could not be had.  msg names the file (and line) and the
 * cause, e.g. "/proc/irq/5/smp_affinity_list: permission denied". */
struct sbx_err {
	int errnum;		/* errno, or 0 for a parse error */
	char msg[320];
};

void sbx_err_set(struct sbx_err *e, int errnum, const char *fmt, ...) SBX_PRINTF(3, 4);
void sbx_err_clear(struct sbx_err *e);
/* "permission denied", "missing", ...: short words for a table cell. */
const char *sbx_errno_word(int errnum);

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
void *xreallocarray(void *p, size_t n, size_t size);
/* For buffers of megabytes (a 256-CPU /proc/interrupts): asks for
 * transparent huge pages, which turns thousands of page faults into a few.
 * Free with free(); realloc works too. */
void *xmalloc_big(size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Copy s into dst[n], cut to fit and always terminated (n > 0). */
void str_copy(char *dst, size_t n, const char *s);
char *xasprintf(const char *fmt, ...) SBX_PRINTF(1, 2);

/* Grow an array held in (p, alloc) so that index `need - 1` fits. */
#define ALLOC_GROW(p, need, alloc)                                           \
	do {                                                                 \
		if ((size_t)(need) > (alloc)) {                              \
			size_t na_ = (alloc) ? (alloc) * 2 : 16;             \
			while (na_ < (size_t)(need))                         \
				na_ *= 2;                                    \
			(p) = xreallocarray((p), na_, sizeof(*(p)));         \
			(alloc) = na_;                                       \
		}                                                            \
	} while (0)

struct buf {
	char *s;		/* always NUL-terminated once anything is added */
	size_t len, alloc;
};
/* Make room for `extra` more bytes (plus the NUL) without adding any. */
void buf_grow(struct buf *b, size_t extra);
void buf_add(struct buf *b, const void *p, size_t n);
void buf_adds(struct buf *b, const char *s);
void buf_addc(struct buf *b, char c);
void buf_addf(struct buf *b, const char *fmt, ...) SBX_PRINTF(2, 3);
void buf_vaddf(struct buf *b, const char *fmt, va_list ap) SBX_PRINTF(2, 0);
void buf_reset(struct buf *b);
void buf_free(struct buf *b);
/* An empty buffer (s NULL) takes one that buf_free kept, if any: for a
 * file's text, read and freed again each sample. */
void buf_reuse(struct buf *b);

/* Text from the machine or the API (file names, condition messages, log
 * lines) made safe for every output: valid UTF-8 is kept, each byte that is
 * not part of a valid sequence (overlong, surrogate, truncated, stray)
 * becomes "\xE9", control characters become "\n", "\t", "\r" or "\x1B",
 * C1 controls and bidi overrides "\u202E", a backslash "\\", so that the
 * escape is never ambiguous and nothing is dropped.  Output past
 * TEXT_MAX bytes is cut at a character boundary and says how much is left. */
#define TEXT_MAX (64u << 10)
void buf_add_text(struct buf *b, const char *s, size_t n);
char *text_clean(const char *s);	/* NULL -> "" */
char *text_vcleanf(const char *fmt, va_list ap) SBX_PRINTF(1, 0);
/* Length of the valid UTF-8 sequence at s (at most n bytes) and its code
 * point, or 0 when the bytes there are not one. */
size_t utf8_seq(const char *s, size_t n, uint32_t *cp);
/* Terminal columns of n bytes of text: combining marks 0, East Asian wide
 * and emoji 2, everything else 1 (a byte that is not UTF-8 counts 1). */
size_t text_width(const char *s, size_t n);
/* Bytes of the longest start of s (n bytes) that fits in cols columns. */
size_t text_prefix(const char *s, size_t n, size_t cols);
/* Where to cut n bytes of s so as not to end inside a UTF-8 sequence. */
size_t utf8_boundary(const char *s, size_t n);

/* Strict parsers: whole string, no sign surprises, overflow is an error. */
bool parse_u64(const char *s, uint64_t *out);
/* Days from 1970-01-01 to year-month-day of the proleptic Gregorian
 * calendar (negative before), with no time zone: timegm's arithmetic. */
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);
/* An RFC 3339 time (2026-12-01T23:00:00.5Z, +01:00) at the start of the
 * n bytes of s: the seconds since the epoch in *epoch and the bytes it
 * took, or 0 when it is not one.  With zone_optional a time with no zone
 * is UTC (Go's klog writes one).  rfc3339_parse takes the whole string. */
size_t rfc3339_scan(const char *s, size_t n, bool zone_optional, double *epoch);
bool rfc3339_parse(const char *s, double *epoch);
bool parse_i64(const char *s, int64_t *out);
bool parse_double(const char *s, double *out);
/* "1.5", "500ms", "2s", "1m": seconds. */
bool parse_seconds(const char *s, double *out);

/* Scan one unsigned decimal at *p (no sign, no spaces); advances *p.
 * Returns false when there is no digit or the value overflows 64 bits. */
bool scan_u64(const char **p, const char *end, uint64_t *out);

static inline bool is_space(char c)
{
	return c == ' ' || c == '\t';
}
static inline bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

char *str_trim(char *s);
bool str_starts(const char *s, const char *prefix);
bool str_ends(const char *s, const char *suffix);

/* The ending that makes a noun agree with its count: "" for one, else
 * `many` ("s", "es"); zero takes the plural, as in English.
 *   printf("%zu CPU%s", n, plural(n, "s"));   ->  "1 CPU", "2 CPUs", "0 CPUs" */
static inline const char *plural(unsigned long long n, const char *many)
{
	return n == 1 ? "" : many;
}

/* Human-readable figures for tables: "1.2k", "3.4M"; "12.5GiB"; "3d4h". */
/* snprintf(out, n, "%.*f", d, v), as exact, faster for d <= 3; the length. */
size_t fmt_fixed(char *out, size_t n, double v, unsigned d);
void fmt_count(char *out, size_t n, double v);
void fmt_bytes(char *out, size_t n, double v);
void fmt_duration(char *out, size_t n, double seconds);
/* fmt_bytes() that returns out, for use inside a printf's arguments. */
const char *fmt_bytes_s(char *out, size_t n, double v);
/* A percentage as people read it: "7.5%" below 10 (when not whole), else "42%". */
const char *fmt_pct(char *out, size_t n, double v);
/* CPU ids, ascending, as a CPU list: "0-3,8". */
void fmt_cpulist(const unsigned *ids, size_t n, char *out, size_t size);

double now_monotonic(void);
double now_realtime(void);
/* The wall clock for ages shown to people (an alert's, a node's): the
 * environment's SREBOX_TEST_NOW (RFC 3339) when set -- the golden
 * outputs' fixed clock, so that ages of fixture objects do not grow --
 * else now_realtime(). */
double now_for_ages(void);
/* Sleep that resumes after signals; returns early only if *stop is set.
 * After sleep_wakeable(), a signal handler that sets *stop and calls
 * sleep_wake() (async-signal-safe) ends it at once, and it sleeps in one
 * wait; else it looks at *stop every 0.1 s. */
void sleep_seconds(double s, volatile int *stop);
void sleep_wakeable(void);
void sleep_wake(void);
/* Whether sleep_wake() has been called (a stop signal came), for other
 * waits to end on too; the pipe to poll for it (-1 without one). */
bool sleep_stopped(void);
int sleep_wake_fd(void);

SBX_NORETURN void die(int status, const char *fmt, ...) SBX_PRINTF(2, 3);
void warnx_(const char *fmt, ...) SBX_PRINTF(1, 2);
/* A rewrite of every warnx_ message (a new heap string, or NULL to keep
 * it): the CLI shows a replayed capture's paths as on its node. */
void warnx_filter(char *(*fn)(const char *msg));
extern const char *sbx_progname;
/* Edits (insert, delete, change, swap two neighbours) from a to b, for
 * "did you mean"; (size_t)-1 past 32 characters. */
size_t edit_distance(const char *a, const char *b);

/* What the run is doing now ("reading", "/host/proc/loadavg"), for the
 * watchdog's message when it never comes back (lib/cli/watchdog.c).  A
 * copy into a static buffer: cheap enough for every open. */
void sbx_doing(const char *verb, const char *what);
/* "reading /host/proc/loadavg", or "" before anything was said. */
void sbx_doing_get(char *out, size_t n);

#endif
