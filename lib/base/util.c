#include "util.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

const char *sbx_progname = "srebox";

void sbx_err_set(struct sbx_err *e, int errnum, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return;
	e->errnum = errnum;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}

void sbx_err_clear(struct sbx_err *e)
{
	if (e) {
		e->errnum = 0;
		e->msg[0] = '\0';
	}
}

const char *sbx_errno_word(int errnum)
{
	switch (errnum) {
	case 0:
		return "parse error";
	case EACCES:
	case EPERM:
		return "permission denied";
	case ENOENT:
	case ENOTDIR:
		return "missing";
	case EOPNOTSUPP:
		return "not supported";
	case ETIMEDOUT:
		return "timed out";
	case EFBIG:
		return "too large";
	default:
		return strerror(errnum);
	}
}

static SBX_NORETURN void oom(void)
{
	fputs("srebox: out of memory\n", stderr);
	exit(3);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *xreallocarray(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		oom();
	return xrealloc(p, n * size);
}

void *xmalloc_big(size_t n)
{
	const size_t huge = 2u << 20;
	void *p;

	if (n < 2 * huge)
		return xmalloc(n);
	if (posix_memalign(&p, huge, n) != 0)
		oom();
	madvise(p, n, MADV_HUGEPAGE);
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	struct buf b = { 0 };
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	if (!b.s)
		return xstrdup("");
	return b.s;
}

void buf_grow(struct buf *b, size_t extra)
{
	if (b->len + extra + 1 > b->alloc) {
		size_t na = b->alloc ? b->alloc : 64;

		while (na < b->len + extra + 1)
			na *= 2;
		b->s = xrealloc(b->s, na);
		b->alloc = na;
	}
}

void buf_add(struct buf *b, const void *p, size_t n)
{
	buf_grow(b, n);
	if (n)
		memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void buf_addc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

void buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return;
	buf_grow(b, (size_t)n);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(b, fmt, ap);
	va_end(ap);
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->s)
		b->s[0] = '\0';
}

void buf_free(struct buf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->alloc = 0;
}

bool scan_u64(const char **pp, const char *end, uint64_t *out)
{
	const char *p = *pp;
	uint64_t v = 0;

	if (p >= end || !is_digit(*p))
		return false;
	for (; p < end && is_digit(*p); p++) {
		unsigned d = (unsigned)(*p - '0');

		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*pp = p;
	*out = v;
	return true;
}

bool parse_u64(const char *s, uint64_t *out)
{
	const char *p = s;

	if (!s || !scan_u64(&p, s + strlen(s), out))
		return false;
	return *p == '\0';
}

bool parse_i64(const char *s, int64_t *out)
{
	uint64_t v;
	bool neg = false;

	if (!s)
		return false;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (!parse_u64(s, &v))
		return false;
	if (neg) {
		if (v > (uint64_t)INT64_MAX + 1)
			return false;
		*out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
	} else {
		if (v > INT64_MAX)
			return false;
		*out = (int64_t)v;
	}
	return true;
}

bool parse_double(const char *s, double *out)
{
	char *end;
	double v;

	if (!s || !*s || is_space(*s))
		return false;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v))
		return false;
	*out = v;
	return true;
}

bool parse_seconds(const char *s, double *out)
{
	static const struct {
		const char *suffix;
		double mult;
	} units[] = { { "ms", 1e-3 }, { "s", 1 }, { "m", 60 }, { "h", 3600 } };
	size_t n;
	char tmp[64];

	if (!s || (n = strlen(s)) == 0 || n >= sizeof(tmp))
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
		size_t sl = strlen(units[i].suffix);

		if (n > sl && strcmp(s + n - sl, units[i].suffix) == 0 &&
		    is_digit(s[n - sl - 1])) {
			memcpy(tmp, s, n - sl);
			tmp[n - sl] = '\0';
			if (!parse_double(tmp, out) || *out < 0)
				return false;
			*out *= units[i].mult;
			return true;
		}
	}
	return parse_double(s, out) && *out >= 0;
}

char *str_trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n'))
		*--e = '\0';
	return s;
}

bool str_starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool str_ends(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static void fmt_scaled(char *out, size_t n, double v, double base, const char *const *units,
		       size_t nunits)
{
	size_t u = 0;
	double a = fabs(v);

	while (a >= base && u + 1 < nunits) {
		a /= base;
		v /= base;
		u++;
	}
	if (u == 0)
		snprintf(out, n, v == floor(v) ? "%.0f%s" : "%.1f%s", v, units[0]);
	else
		snprintf(out, n, a >= 100 ? "%.0f%s" : "%.1f%s", v, units[u]);
}

void fmt_count(char *out, size_t n, double v)
{
	static const char *const u[] = { "", "k", "M", "G", "T", "P", "E" };

	fmt_scaled(out, n, v, 1000, u, ARRAY_SIZE(u));
}

void fmt_bytes(char *out, size_t n, double v)
{
	static const char *const u[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };

	fmt_scaled(out, n, v, 1024, u, ARRAY_SIZE(u));
}

void fmt_duration(char *out, size_t n, double s)
{
	uint64_t t;

	if (!isfinite(s) || s < 0) {
		snprintf(out, n, "-");
		return;
	}
	if (s < 10) {
		snprintf(out, n, "%.1fs", s);
		return;
	}
	t = (uint64_t)s;
	if (t < 120)
		snprintf(out, n, "%us", (unsigned)t);
	else if (t < 3600)
		snprintf(out, n, "%um%us", (unsigned)(t / 60), (unsigned)(t % 60));
	else if (t < 86400 * 2)
		snprintf(out, n, "%uh%um", (unsigned)(t / 3600), (unsigned)(t % 3600 / 60));
	else
		snprintf(out, n, "%ud%uh", (unsigned)(t / 86400), (unsigned)(t % 86400 / 3600));
}

double now_monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double now_realtime(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void sleep_seconds(double s, volatile int *stop)
{
	double end = now_monotonic() + s;

	for (;;) {
		double left = end - now_monotonic();
		struct timespec ts;

		if (left <= 0 || (stop && *stop))
			return;
		ts.tv_sec = (time_t)left;
		ts.tv_nsec = (long)((left - (double)ts.tv_sec) * 1e9);
		nanosleep(&ts, NULL);
	}
}

void die(int status, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s: ", sbx_progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}

void warnx_(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", sbx_progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
