/* numtext: fields, numbers (bit for bit what strtod gives, on random
 * strings of every length), durations, and empty, truncated, huge and
 * garbage input. */
#include "unit.h"
#include "numtext.h"

#include <math.h>

static bool num(const char *s, double *out)
{
	return num_parse(s, strlen(s), out);
}

static void fields(void **state)
{
	const char *f;
	size_t n;
	const char *line = "  a\t b  c ";

	(void)state;
	assert_true(field_get(line, strlen(line), 0, 1, &f, &n) && n == 1 && *f == 'a');
	assert_true(field_get(line, strlen(line), 0, 3, &f, &n) && n == 1 && *f == 'c');
	assert_false(field_get(line, strlen(line), 0, 4, &f, &n));
	assert_false(field_get(line, strlen(line), 0, 0, &f, &n));
	assert_true(field_get("x,,y", 4, ',', 2, &f, &n) && n == 0);
	assert_true(field_get("x,,y", 4, ',', 3, &f, &n) && n == 1 && *f == 'y');
	assert_false(field_get("x,,y", 4, ',', 4, &f, &n));
	assert_true(field_get("", 0, ',', 1, &f, &n) && n == 0);
	assert_false(field_get("", 0, 0, 1, &f, &n));
	assert_false(field_get("   ", 3, 0, 1, &f, &n));
	/* n bounds the line: the bytes after it are never read */
	assert_true(field_get("12 34", 2, 0, 1, &f, &n) && n == 2);
	assert_false(field_get("12 34", 2, 0, 2, &f, &n));
}

static void numbers(void **state)
{
	double d;

	(void)state;
	assert_true(num("42", &d) && d == 42);
	assert_true(num(" -1.5 ", &d) && d == -1.5);
	assert_true(num("+.5", &d) && d == 0.5);
	assert_true(num("5.", &d) && d == 5);
	assert_true(num("1e3", &d) && d == 1000);
	assert_true(num("1E-3\r", &d) && d == 0.001);
	assert_true(num("-0", &d) && d == 0 && signbit(d));
	assert_true(num("0.1", &d) && d == 0.1);
	assert_true(num("123456789012345678901234567890", &d) && d == 1.2345678901234568e29);
	assert_true(num("1e308", &d) && d == 1e308);
	assert_true(num("4.9e-324", &d) && d == 4.9e-324);
	assert_false(num("1e309", &d));		/* overflow: not finite */
	assert_false(num("", &d));
	assert_false(num("  ", &d));
	assert_false(num(".", &d));
	assert_false(num("-", &d));
	assert_false(num("e5", &d));
	assert_false(num("nan", &d));
	assert_false(num("inf", &d));
	assert_false(num("0x10", &d));
	assert_false(num("1,5", &d));
	assert_false(num("12abc", &d));
	assert_false(num("1 2", &d));
	assert_false(num("--1", &d));
	assert_true(num("1e", &d) == false);
	assert_false(num_parse("1\0002", 3, &d));	/* a NUL inside is garbage */
	assert_true(num_parse("12345", 2, &d) && d == 12);	/* only n bytes */
}

static void numbers_match_strtod(void **state)
{
	char s[64];
	double a, b;

	(void)state;
	srand(3);
	for (int i = 0; i < 300000; i++) {
		int nd = 1 + rand() % 20, pt = rand() % (nd + 1), k = 0;

		if (rand() % 3 == 0)
			s[k++] = '-';
		for (int j = 0; j < nd; j++) {
			if (j == pt && j)
				s[k++] = '.';
			s[k++] = (char)('0' + rand() % 10);
		}
		if (rand() % 4 == 0)
			k += sprintf(s + k, "e%d", rand() % 60 - 30);
		s[k] = '\0';
		b = strtod(s, NULL);
		if (!num(s, &a) || memcmp(&a, &b, sizeof(a)) != 0)
			fail_msg("'%s': got %.17g, strtod %.17g", s, a, b);
	}
	/* halfway cases that must go to strtod */
	assert_true(num("9007199254740993", &a) && a == 9007199254740992.0);
	assert_true(num("9007199254740995", &a) && a == 9007199254740996.0);
	assert_true(num("2.2250738585072011e-308", &a) && a == strtod("2.2250738585072011e-308", NULL));
}

/* fmt_fixed is printf's %.Nf: every digit, the same rounding of ties
 * (exact binary halves go to even; a decimal that only looks like a half,
 * 0.35 or 2.675, goes where its binary value lies), signs and -0. */
static void fixed_is_printf(void **state)
{
	static const double some[] = {
		0, -0.0, 0.5, 1.5, 2.5, -2.5, 0.25, 0.125, 0.375, 0.35, 2.675, 1.005, 0.045,
		1e-9, -1e-9, 9.995, 99.95, 0.05, 0.15, 0.95, 123456789.125, 4503599627370495.5,
		3.9e15, 4.1e15, 1e300, -1e300, 5e-324, INFINITY, -INFINITY, NAN,
	};
	char a[64], b[64];
	uint64_t x = 88172645463325252ull;

	(void)state;
	for (unsigned d = 0; d <= 4; d++) {
		for (size_t i = 0; i < ARRAY_SIZE(some); i++) {
			snprintf(b, sizeof(b), "%.*f", (int)d, some[i]);
			assert_int_equal(fmt_fixed(a, sizeof(a), some[i], d), strlen(b));
			assert_string_equal(a, b);
		}
		for (int i = 0; i < 200000; i++) {
			double v;

			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			switch (i % 4) {
			case 0:	/* k / 2^m: exact halves and quarters */
				v = (double)(int64_t)(x % 2000001 - 1000000) / (double)(1u << (x >> 60) % 12);
				break;
			case 1:	/* short decimals, as rates and shares are */
				v = (double)(int64_t)(x % 20000001 - 10000000) / 1000.0;
				break;
			case 2:	/* any magnitude */
				v = ldexp((double)(x >> 11) / 9007199254740992.0, (int)(x % 80) - 30);
				break;
			default:
				v = (double)(x % 100000) / 100.0 - 0.005;
			}
			snprintf(b, sizeof(b), "%.*f", (int)d, v);
			fmt_fixed(a, sizeof(a), v, d);
			if (strcmp(a, b))
				fail_msg("%.17g with %u decimals: %s, printf %s", v, d, a, b);
		}
	}
	/* cut to the room, as snprintf */
	assert_int_equal(fmt_fixed(a, 4, 123.456, 2), 3);
	assert_string_equal(a, "123");
	assert_int_equal(fmt_fixed(a, 1, 1.5, 1), 0);
	assert_string_equal(a, "");
}

static void huge_input(void **state)
{
	size_t n = 1u << 20;
	char *s = xmalloc(n);
	double d;

	(void)state;
	memset(s, '9', n);
	assert_false(num_parse(s, n, &d));	/* 1e1048576: not finite */
	s[0] = '0';
	s[1] = '.';
	assert_true(num_parse(s, n, &d) && d == 1);	/* 0.999...: rounds to 1 */
	memset(s, '7', n);
	assert_false(dur_parse(s, n, &d));
	free(s);
}

static void durations(void **state)
{
	double d;

	(void)state;
	assert_true(dur_parse("250ms", 5, &d) && fabs(d - 0.25) < 1e-15);
	assert_true(dur_parse("1.2s", 4, &d) && d == 1.2);
	assert_true(dur_parse("1m30.5s", 7, &d) && d == 90.5);
	assert_true(dur_parse("3us", 3, &d) && fabs(d - 3e-6) < 1e-18);
	assert_true(dur_parse("3\xc2\xb5s", 4, &d) && fabs(d - 3e-6) < 1e-18);
	assert_true(dur_parse("15ns", 4, &d) && fabs(d - 15e-9) < 1e-20);
	assert_true(dur_parse("2h", 2, &d) && d == 7200);
	assert_true(dur_parse("1d", 2, &d) && d == 86400);
	assert_true(dur_parse("1h2m3s", 6, &d) && d == 3723);
	assert_true(dur_parse("0.5", 3, &d) && d == 0.5);	/* bare: seconds */
	assert_true(dur_parse("-1.5s", 5, &d) && d == -1.5);
	assert_true(dur_parse(" 7ms\r", 5, &d) && fabs(d - 0.007) < 1e-15);
	assert_false(dur_parse("1m30", 4, &d));	/* the last part needs a unit */
	assert_false(dur_parse("ms", 2, &d));
	assert_false(dur_parse("5x", 2, &d));
	assert_false(dur_parse("5 s", 3, &d));
	assert_false(dur_parse("1m-5s", 5, &d));
	assert_false(dur_parse("", 0, &d));
	assert_false(dur_parse("-", 1, &d));
	assert_true(dur_parse("250msX", 5, &d));	/* n bounds it */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fields),
		cmocka_unit_test(numbers),
		cmocka_unit_test(numbers_match_strtod),
		cmocka_unit_test(fixed_is_printf),
		cmocka_unit_test(huge_input),
		cmocka_unit_test(durations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
