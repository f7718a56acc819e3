#include "numtext.h"

#include "util.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

bool field_get(const char *s, size_t n, char delim, unsigned k, const char **f, size_t *fn)
{
	size_t i = 0;

	if (k < 1)
		return false;
	if (!delim) {
		for (unsigned c = 1;; c++) {
			size_t st;

			while (i < n && is_space(s[i]))
				i++;
			if (i >= n)
				return false;
			st = i;
			while (i < n && !is_space(s[i]))
				i++;
			if (c == k) {
				*f = s + st;
				*fn = i - st;
				return true;
			}
		}
	}
	for (unsigned c = 1;; c++) {
		const char *e = memchr(s + i, delim, n - i);
		size_t end = e ? (size_t)(e - s) : n;

		if (c == k) {
			*f = s + i;
			*fn = end - i;
			return true;
		}
		if (!e)
			return false;
		i = end + 1;
	}
}

static const double pow10_exact[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
				      1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22 };

#if LDBL_MANT_DIG == 64
/* 16 to 19 significant digits with x87's 64-bit mantissa: m and 10^|e|
 * (|e| <= 27) are exact there, one operation is off by at most half a unit
 * of its last place, so rounding that to double is the correctly rounded
 * result unless the 11 bits below the double's last one are within a unit
 * of a half: then strtod decides. */
static bool ld_fast(uint64_t m, int e10, double *out)
{
	static const long double p10[] = { 1e0L, 1e1L, 1e2L, 1e3L, 1e4L, 1e5L, 1e6L, 1e7L, 1e8L,
					   1e9L, 1e10L, 1e11L, 1e12L, 1e13L, 1e14L, 1e15L, 1e16L,
					   1e17L, 1e18L, 1e19L, 1e20L, 1e21L, 1e22L, 1e23L, 1e24L,
					   1e25L, 1e26L, 1e27L };
	long double x = (long double)m, fr;
	uint64_t bits;
	unsigned low;
	int ex;

	if (e10 < -27 || e10 > 27 || m == 0)
		return false;
	x = e10 < 0 ? x / p10[-e10] : x * p10[e10];
	fr = frexpl(x, &ex);
	if (ex < DBL_MIN_EXP || ex > DBL_MAX_EXP)
		return false;	/* subnormal or overflow: strtod */
	bits = (uint64_t)ldexpl(fr, 64);
	low = (unsigned)(bits & 0x7ff);
	if (low >= 0x3ff && low <= 0x401)
		return false;
	*out = (double)x;
	return true;
}
#else
static bool ld_fast(uint64_t m, int e10, double *out)
{
	(void)m, (void)e10, (void)out;
	return false;
}
#endif

/* The length of the number at s (sign, digits, point, exponent), 0 if none;
 * the value by Clinger's fast path when exact (at most 15 significant
 * digits, a power of ten up to 22: one correctly rounded operation),
 * else by strtod on a copy. */
static size_t scan_num(const char *s, size_t n, double *out)
{
	size_t i = 0, digits = 0, sig = 0;
	uint64_t m = 0;
	int exp10 = 0;
	bool neg = false, exact = true;

	if (i < n && (s[i] == '+' || s[i] == '-'))
		neg = s[i++] == '-';
	for (; i < n && is_digit(s[i]); i++, digits++) {
		if (m == 0 && s[i] == '0')
			continue;
		if (sig < 19)
			m = m * 10 + (uint64_t)(s[i] - '0');
		else
			exp10++;
		sig++;
	}
	if (i < n && s[i] == '.') {
		i++;
		for (; i < n && is_digit(s[i]); i++, digits++) {
			if (m == 0 && s[i] == '0') {
				exp10--;
				continue;
			}
			if (sig < 19) {
				m = m * 10 + (uint64_t)(s[i] - '0');
				exp10--;
			}
			sig++;
		}
	}
	if (!digits)
		return 0;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		size_t j = i + 1;
		bool eneg = false;
		int e = 0;

		if (j < n && (s[j] == '+' || s[j] == '-'))
			eneg = s[j++] == '-';
		if (j < n && is_digit(s[j])) {
			for (; j < n && is_digit(s[j]); j++)
				if (e < 100000)
					e = e * 10 + (s[j] - '0');
			exp10 += eneg ? -e : e;
			i = j;
		}
	}
	if (sig > 15 || m >= (1ull << 53) || exp10 < -22 || exp10 > 22)
		exact = false;
	if (!exact && sig <= 19 && ld_fast(m, exp10, out)) {
		if (neg)
			*out = -*out;
	} else if (exact) {
		double d = (double)m;

		d = exp10 < 0 ? d / pow10_exact[-exp10] : d * pow10_exact[exp10];
		*out = neg ? -d : d;
	} else {
		char tmp[128], *end;

		if (i >= sizeof(tmp)) {
			char *big = xstrndup(s, i);

			*out = strtod(big, &end);
			free(big);
		} else {
			memcpy(tmp, s, i);
			tmp[i] = '\0';
			*out = strtod(tmp, &end);
		}
	}
	return i;
}

bool num_parse(const char *s, size_t n, double *out)
{
	size_t i;

	while (n && is_space(*s))
		s++, n--;
	while (n && (is_space(s[n - 1]) || s[n - 1] == '\r'))
		n--;
	if (!n)
		return false;
	i = scan_num(s, n, out);
	return i == n && isfinite(*out);
}

bool dur_parse(const char *s, size_t n, double *out)
{
	static const struct {
		const char *u;
		double mult;
	} units[] = { { "ns", 1e-9 }, { "us", 1e-6 }, { "\xc2\xb5s", 1e-6 }, { "\xce\xbcs", 1e-6 },
		      { "ms", 1e-3 }, { "s", 1 }, { "m", 60 }, { "h", 3600 }, { "d", 86400 } };
	double total = 0;
	bool neg = false;
	size_t i = 0, parts = 0;

	while (n && is_space(*s))
		s++, n--;
	while (n && (is_space(s[n - 1]) || s[n - 1] == '\r'))
		n--;
	if (!n)
		return false;
	if (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-';
		i++;
	}
	while (i < n) {
		double v;
		size_t l, best = 0, bi = 0;

		if (s[i] == '-' || s[i] == '+')
			return false;	/* a sign only in front */
		l = scan_num(s + i, n - i, &v);
		if (!l)
			return false;
		i += l;
		if (i == n) {
			if (parts)
				return false;	/* "1m30": the last part needs its unit */
			total = v;	/* a bare number: seconds */
			parts++;
			break;
		}
		/* the longest unit that matches ("ms" before "m") */
		for (size_t u = 0; u < ARRAY_SIZE(units); u++) {
			size_t ul = strlen(units[u].u);

			if (ul <= n - i && !memcmp(s + i, units[u].u, ul) && ul > best) {
				best = ul;
				bi = u;
			}
		}
		if (!best)
			return false;
		i += best;
		total += v * units[bi].mult;
		parts++;
	}
	if (!parts || !isfinite(total))
		return false;
	*out = neg ? -total : total;
	return true;
}
