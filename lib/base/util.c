#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <pthread.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

const char *sbx_progname = "srebox";

void sbx_err_set(struct sbx_err *e, int errnum, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!e)
		return;
	e->errnum = errnum;
	va_start(ap, fmt);
	n = vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	/* A long path cut short must not end in half a character. */
	if (n >= (int)sizeof(e->msg))
		e->msg[utf8_boundary(e->msg, strlen(e->msg))] = '\0';
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

void str_copy(char *dst, size_t n, const char *s)
{
	size_t len = strnlen(s, n - 1);

	memcpy(dst, s, len);
	dst[len] = '\0';
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
	size_t room;
	int n;

	/* into the room there is (most texts fit in 200 bytes), formatting
	 * a second time only when it did not fit */
	buf_grow(b, 200);
	room = b->alloc - b->len;
	va_copy(cp, ap);
	n = vsnprintf(b->s + b->len, room, fmt, cp);
	va_end(cp);
	if (n < 0) {
		b->s[b->len] = '\0';
		return;
	}
	if ((size_t)n >= room) {
		buf_grow(b, (size_t)n);
		vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	}
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

/* Freed buffers of a file's size, kept for the next file read
 * (buf_reuse).  srebox top reads some 80 files a sample, each into a
 * buffer of 8 KiB or more that is freed once parsed; a chunk that size
 * is beyond malloc's per-thread cache, so each malloc and free walked
 * its bins (a twentieth of a sample's CPU was malloc's), and each new
 * chunk was memory the cache had not seen.  A few are kept, the last
 * freed given first; the lock is for root.c's reader thread. */
#define KEPT_MAX 8
#define KEPT_MIN 4096
#define KEPT_BIGGEST (16 * 1024)	/* a kept one may become a string kept long */
static struct {
	char *s;
	size_t alloc;
} kept[KEPT_MAX];
static unsigned nkept;
static pthread_mutex_t kept_mu = PTHREAD_MUTEX_INITIALIZER;

void buf_reuse(struct buf *b)
{
	if (b->s)
		return;
	pthread_mutex_lock(&kept_mu);
	if (nkept) {
		nkept--;
		b->s = kept[nkept].s;
		b->alloc = kept[nkept].alloc;
		b->len = 0;
		b->s[0] = '\0';
	}
	pthread_mutex_unlock(&kept_mu);
}

void buf_free(struct buf *b)
{
	if (b->s && b->alloc >= KEPT_MIN && b->alloc <= KEPT_BIGGEST) {
		pthread_mutex_lock(&kept_mu);
		if (nkept < KEPT_MAX) {
			kept[nkept].s = b->s;
			kept[nkept].alloc = b->alloc;
			nkept++;
			b->s = NULL;
		}
		pthread_mutex_unlock(&kept_mu);
	}
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

		/* no division a digit: this reads every number of /proc */
		if (v >= UINT64_MAX / 10 && (v > UINT64_MAX / 10 || d > UINT64_MAX % 10))
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

/* printf's "%.*f" for 0 to 3 decimals, rounded as printf rounds (the
 * exact value, ties to even), without its cost: the numbers on a screen
 * of top are a few hundred a sample.  s = a * 10^d is the product
 * rounded; a half-way point k + 0.5 is a double below 2^52, so s lands on
 * it only when the exact product does or is within its rounding, and
 * fma() gives the product's error to tell which side. */
size_t fmt_fixed(char *out, size_t n, double v, unsigned d)
{
	static const double p10[] = { 1, 10, 100, 1000 };
	static const uint64_t u10[] = { 1, 10, 100, 1000 };
	char tmp[32], *p = tmp + sizeof(tmp);
	double a = fabs(v), s, r, frac;
	uint64_t q, ip, fp;
	size_t len;

	if (d >= ARRAY_SIZE(p10) || !isfinite(v) || (s = a * p10[d]) >= 4e15) {
		int k = snprintf(out, n, "%.*f", (int)d, v);

		return k < 0 ? 0 : (size_t)k < n ? (size_t)k : n ? n - 1 : 0;
	}
	r = floor(s);
	frac = s - r;
	if (frac > 0.5) {
		r += 1;
	} else if (frac == 0.5) {
		double e = fma(a, p10[d], -s);

		if (e > 0 || (e == 0 && fmod(r, 2) != 0))
			r += 1;
	}
	q = (uint64_t)r;
	ip = q / u10[d];
	fp = q % u10[d];
	for (unsigned i = 0; i < d; i++, fp /= 10)
		*--p = (char)('0' + fp % 10);
	if (d)
		*--p = '.';
	do
		*--p = (char)('0' + ip % 10);
	while (ip /= 10);
	if (signbit(v))
		*--p = '-';
	len = (size_t)(tmp + sizeof(tmp) - p);
	if (!n)
		return 0;
	if (len >= n)
		len = n - 1;
	memcpy(out, p, len);
	out[len] = '\0';
	return len;
}

/* fmt_fixed(), then a unit */
static void fixed_unit(char *out, size_t n, double v, unsigned d, const char *unit)
{
	size_t len = fmt_fixed(out, n, v, d);

	if (len + 1 < n)
		str_copy(out + len, n - len, unit);
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
		fixed_unit(out, n, v, v == floor(v) ? 0 : 1, units[0]);
	else
		fixed_unit(out, n, v, a >= 100 ? 0 : 1, units[u]);
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

double now_for_ages(void)
{
	const char *test_now = getenv("SREBOX_TEST_NOW");
	double t;

	if (test_now && rfc3339_parse(test_now, &t))
		return t;
	return now_realtime();
}

/* A pipe a stop signal's handler writes a byte to (sleep_wake), so that a
 * sleep can wait for the whole interval and still end at once. */
static int wake_fd[2] = { -1, -1 };

void sleep_wakeable(void)
{
	if (wake_fd[0] < 0 && pipe2(wake_fd, O_CLOEXEC | O_NONBLOCK) < 0)
		wake_fd[0] = wake_fd[1] = -1;
}

void sleep_wake(void)
{
	int e = errno;

	if (wake_fd[1] >= 0)
		(void)!write(wake_fd[1], "", 1);
	errno = e;
}

bool sleep_stopped(void)
{
	struct pollfd p = { wake_fd[0], POLLIN, 0 };

	return wake_fd[0] >= 0 && poll(&p, 1, 0) > 0 && (p.revents & POLLIN);
}

int sleep_wake_fd(void)
{
	return wake_fd[0];
}

void sleep_seconds(double s, volatile int *stop)
{
	double end = now_monotonic() + s;

	for (;;) {
		double left = end - now_monotonic();
		struct timespec ts;

		if (left <= 0 || (stop && *stop))
			return;
		if (stop && wake_fd[0] >= 0) {
			/* the byte stays: every later sleep ends at once too */
			struct pollfd p = { wake_fd[0], POLLIN, 0 };

			poll(&p, 1, left > 3600 ? 3600 * 1000 : (int)(left * 1000) + 1);
			continue;
		}
		/* no pipe: a signal between the test and nanosleep would go
		 * unseen for the whole interval, so sleep in slices */
		if (stop && left > 0.1)
			left = 0.1;
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

static char *(*warn_filter)(const char *msg);

void warnx_filter(char *(*fn)(const char *msg))
{
	warn_filter = fn;
}

void warnx_(const char *fmt, ...)
{
	va_list ap;
	struct buf b = { 0 };
	char *n;

	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	n = warn_filter && b.s ? warn_filter(b.s) : NULL;
	fprintf(stderr, "%s: %s\n", sbx_progname, n ? n : b.s ? b.s : "");
	free(n);
	buf_free(&b);
}

size_t utf8_seq(const char *str, size_t n, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len;
	uint32_t v;

	if (n == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	/* RFC 3629 table 3-7: the second byte's range rules out overlong
	 * forms, surrogates and code points past U+10FFFF. */
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		v = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		v = s[0] & 0x0f;
		if (s[0] == 0xe0)
			lo = 0xa0;
		else if (s[0] == 0xed)
			hi = 0x9f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		v = s[0] & 0x07;
		if (s[0] == 0xf0)
			lo = 0x90;
		else if (s[0] == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if (i > 1 && (s[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3f);
	}
	*cp = v;
	return len;
}

/* Valid code points that still must not reach a terminal raw: C1
 * controls (0x9B is CSI) and the bidi controls that reorder what is shown. */
static bool cp_hidden(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029;
}

/* The bytes at s as they enter the output: how many bytes of input they
 * take (*in) and their escaped form (esc, or NULL when copied as is). */
static size_t text_piece(const char *s, size_t n, char esc[12], size_t *in)
{
	unsigned char c = (unsigned char)*s;
	uint32_t cp;
	size_t len;

	if (c >= 0x20 && c < 0x7f && c != '\\') {
		*in = 1;
		return 0;
	}
	*in = 1;
	switch (c) {
	case '\\':
		memcpy(esc, "\\\\", 3);
		return 2;
	case '\n':
		memcpy(esc, "\\n", 3);
		return 2;
	case '\t':
		memcpy(esc, "\\t", 3);
		return 2;
	case '\r':
		memcpy(esc, "\\r", 3);
		return 2;
	}
	if (c < 0x80)
		return (size_t)snprintf(esc, 12, "\\x%02X", c);
	len = utf8_seq(s, n, &cp);
	if (!len)
		return (size_t)snprintf(esc, 12, "\\x%02X", c);
	*in = len;
	if (cp_hidden(cp))
		return (size_t)snprintf(esc, 12, "\\u%04X", (unsigned)cp);
	return 0;
}

void buf_add_text(struct buf *b, const char *s, size_t n)
{
	size_t start = b->len, i = 0;

	buf_grow(b, n);
	while (i < n) {
		char esc[12];
		size_t in, out = text_piece(s + i, n - i, esc, &in);

		if (b->len - start + (out ? out : in) > TEXT_MAX) {
			buf_addf(b, "... (%zu more bytes)", n - i);
			return;
		}
		if (out)
			buf_add(b, esc, out);
		else
			buf_add(b, s + i, in);
		i += in;
	}
	buf_add(b, NULL, 0);
}

/* Whether the n bytes of s need no escape (and fit). */
static bool text_plain(const char *s, size_t n)
{
	size_t i = 0;

	if (n > TEXT_MAX)
		return false;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		char esc[12];
		size_t in;

		if (c >= 0x20 && c < 0x7f && c != '\\') {
			i++;
			continue;
		}
		if (text_piece(s + i, n - i, esc, &in))
			return false;
		i += in;
	}
	return true;
}

char *text_clean(const char *s)
{
	struct buf b = { 0 };
	size_t n = s ? strlen(s) : 0;

	/* Nearly every string is plain: one pass to see, one copy. */
	if (text_plain(s, n))
		return xstrndup(n ? s : "", n);
	buf_add_text(&b, s, n);
	return b.s;
}

char *text_vcleanf(const char *fmt, va_list ap)
{
	struct buf b = { 0 };
	char *clean;

	buf_vaddf(&b, fmt, ap);
	if (!b.s)
		return xstrdup("");
	if (text_plain(b.s, b.len))
		return b.s;	/* the formatted text itself: nothing to escape */
	clean = text_clean(b.s);
	buf_free(&b);
	return clean;
}

static bool cp_in(uint32_t cp, const uint32_t (*r)[2], size_t n)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (cp < r[mid][0])
			hi = mid;
		else if (cp > r[mid][1])
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

static unsigned cp_width(uint32_t cp)
{
	/* Unicode's East Asian Wide/Fullwidth blocks and the emoji ranges
	 * terminals draw two columns wide; marks that combine draw none.
	 * Block-level, not the full tables: what matters is that a table of
	 * node names or file names in CJK stays aligned. */
	static const uint32_t zero[][2] = {
		{ 0x0300, 0x036f }, { 0x0483, 0x0489 }, { 0x0591, 0x05bd }, { 0x0610, 0x061a },
		{ 0x064b, 0x065f }, { 0x0e31, 0x0e31 }, { 0x0e34, 0x0e3a }, { 0x1ab0, 0x1aff },
		{ 0x1dc0, 0x1dff }, { 0x200b, 0x200f }, { 0x20d0, 0x20ff }, { 0xfe00, 0xfe0f },
		{ 0xfe20, 0xfe2f }, { 0xfeff, 0xfeff }, { 0xe0100, 0xe01ef },
	};
	static const uint32_t wide[][2] = {
		{ 0x1100, 0x115f }, { 0x231a, 0x231b }, { 0x2329, 0x232a }, { 0x23e9, 0x23ec },
		{ 0x25fd, 0x25fe }, { 0x2614, 0x2615 }, { 0x2648, 0x2653 }, { 0x26a1, 0x26a1 },
		{ 0x26aa, 0x26ab }, { 0x26bd, 0x26be }, { 0x26c4, 0x26c5 }, { 0x26d4, 0x26d4 },
		{ 0x26ea, 0x26ea }, { 0x26f2, 0x26f5 }, { 0x26fa, 0x26fd }, { 0x2705, 0x2705 },
		{ 0x270a, 0x270b }, { 0x274c, 0x274c }, { 0x2753, 0x2755 }, { 0x2757, 0x2757 },
		{ 0x2795, 0x2797 }, { 0x2b1b, 0x2b1c }, { 0x2b50, 0x2b50 }, { 0x2b55, 0x2b55 },
		{ 0x2e80, 0x303e }, { 0x3041, 0x33ff }, { 0x3400, 0x4dbf }, { 0x4e00, 0x9fff },
		{ 0xa000, 0xa4cf }, { 0xa960, 0xa97f }, { 0xac00, 0xd7a3 }, { 0xf900, 0xfaff },
		{ 0xfe10, 0xfe19 }, { 0xfe30, 0xfe6f }, { 0xff00, 0xff60 }, { 0xffe0, 0xffe6 },
		{ 0x1f004, 0x1f004 }, { 0x1f0cf, 0x1f0cf }, { 0x1f18e, 0x1f18e }, { 0x1f191, 0x1f19a },
		{ 0x1f200, 0x1f251 }, { 0x1f300, 0x1f64f }, { 0x1f680, 0x1f6ff }, { 0x1f900, 0x1f9ff },
		{ 0x1fa70, 0x1faff }, { 0x20000, 0x2fffd }, { 0x30000, 0x3fffd },
	};

	if (cp < 0x300)
		return 1;
	if (cp_in(cp, zero, ARRAY_SIZE(zero)))
		return 0;
	return cp_in(cp, wide, ARRAY_SIZE(wide)) ? 2 : 1;
}

/* Columns of the character at s and its length in bytes. */
static unsigned char_width(const char *s, size_t n, size_t *len)
{
	uint32_t cp;

	if ((unsigned char)*s < 0x80) {
		*len = 1;
		return 1;
	}
	*len = utf8_seq(s, n, &cp);
	if (!*len) {
		*len = 1;
		return 1;
	}
	return cp_width(cp);
}

size_t text_width(const char *s, size_t n)
{
	size_t w = 0;

	for (size_t i = 0, len; i < n; i += len)
		w += char_width(s + i, n - i, &len);
	return w;
}

size_t text_prefix(const char *s, size_t n, size_t cols)
{
	size_t i = 0, w = 0, len;

	while (i < n) {
		unsigned cw = char_width(s + i, n - i, &len);

		if (w + cw > cols)
			break;
		w += cw;
		i += len;
	}
	/* combining marks that follow stay with their base character */
	while (i < n && char_width(s + i, n - i, &len) == 0)
		i += len;
	return i;
}

size_t utf8_boundary(const char *s, size_t n)
{
	size_t start = n, want;
	unsigned char lead;

	/* back to the lead byte of the last character (at most 3 back) */
	while (start > 0 && n - start < 3 && ((unsigned char)s[start - 1] & 0xc0) == 0x80)
		start--;
	if (start == 0)
		return n;
	lead = (unsigned char)s[--start];
	want = lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 :
	       lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
	/* a sequence that the cut left short goes; anything else stays for
	 * text_clean to judge */
	return want && n - start < want ? start : n;
}

const char *fmt_bytes_s(char *out, size_t n, double v)
{
	fmt_bytes(out, n, v);
	return out;
}

const char *fmt_pct(char *out, size_t n, double v)
{
	fixed_unit(out, n, v, v < 10 && v != floor(v) ? 1 : 0, "%");
	return out;
}

void fmt_cpulist(const unsigned *ids, size_t n, char *out, size_t size)
{
	struct buf b = { 0 };

	for (size_t i = 0; i < n;) {
		size_t j = i;

		while (j + 1 < n && ids[j + 1] == ids[j] + 1)
			j++;
		if (j > i)
			buf_addf(&b, "%s%u-%u", b.len ? "," : "", ids[i], ids[j]);
		else
			buf_addf(&b, "%s%u", b.len ? "," : "", ids[i]);
		i = j + 1;
	}
	snprintf(out, size, "%s", b.len ? b.s : "");
	buf_free(&b);
}

/* Two slots: the writer fills the one the reader is not told about, then
 * publishes it, so the watchdog thread reads a whole string (it may be a
 * step behind, which is fine for a message). */
static char doing_buf[2][320];
static volatile int doing_cur = -1;

void sbx_doing(const char *verb, const char *what)
{
	int next = doing_cur == 0;

	/* said before every read: no printf */
	char *o = doing_buf[next];
	size_t n = sizeof(doing_buf[next]) - 1, lv = strlen(verb), lw = strlen(what);

	if (lv > n)
		lv = n;
	memcpy(o, verb, lv);
	if (lv < n)
		o[lv++] = ' ';
	if (lw > n - lv)
		lw = n - lv;
	memcpy(o + lv, what, lw);
	o[lv + lw] = '\0';
	__atomic_store_n(&doing_cur, next, __ATOMIC_RELEASE);
}

void sbx_doing_get(char *out, size_t n)
{
	int cur = __atomic_load_n(&doing_cur, __ATOMIC_ACQUIRE);

	snprintf(out, n, "%s", cur < 0 ? "" : doing_buf[cur]);
}

/* Optimal string alignment distance (Damerau-Levenshtein with adjacent
 * transpositions), as git's help.c uses to suggest a command. */
size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), d[33][33];

	if (la > 32 || lb > 32)
		return (size_t)-1;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1], v = d[i - 1][j - 1] + cost;

			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	return d[la][lb];
}

int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static bool digits(const char *s, size_t n, unsigned *out)
{
	unsigned v = 0;

	for (size_t i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return true;
}

size_t rfc3339_scan(const char *s, size_t n, bool zone_optional, double *epoch)
{
	unsigned y, mo, d, h, mi, se, oh, om;
	double frac = 0, scale = 0.1;
	long off = 0;
	size_t i = 19;

	if (!s || n < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':' ||
	    s[16] != ':' || !digits(s, 4, &y) || !digits(s + 5, 2, &mo) || !digits(s + 8, 2, &d) ||
	    !digits(s + 11, 2, &h) || !digits(s + 14, 2, &mi) || !digits(s + 17, 2, &se))
		return 0;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
		return 0;
	if (i < n && s[i] == '.') {
		if (++i >= n || !is_digit(s[i]))
			return 0;
		for (; i < n && is_digit(s[i]); i++, scale /= 10)
			frac += (s[i] - '0') * scale;
	}
	if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
		i++;
	} else if (i + 6 <= n && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':' && digits(s + i + 1, 2, &oh) &&
		   digits(s + i + 4, 2, &om) && oh <= 23 && om <= 59) {
		off = (s[i] == '+' ? 1 : -1) * (long)(oh * 3600 + om * 60);
		i += 6;
	} else if (!zone_optional) {
		return 0;
	}
	*epoch = (double)days_from_civil(y, mo, d) * 86400 + h * 3600.0 + mi * 60.0 + se - (double)off + frac;
	return i;
}

bool rfc3339_parse(const char *s, double *epoch)
{
	size_t n = s ? strlen(s) : 0;
	double t;

	if (!n || rfc3339_scan(s, n, false, &t) != n)
		return false;
	*epoch = t;
	return true;
}
