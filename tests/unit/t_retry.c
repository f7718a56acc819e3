/* retry_delay and retry_next: growth, cap, jitter bounds, deadline, attempt
 * limits, and the odd inputs (zero, negative, NaN, huge attempt counts). */
#include "unit.h"
#include "retry.h"

#include <math.h>

static void near(double got, double want)
{
	if (fabs(got - want) > 1e-9)
		fail_msg("got %.12g, want %.12g", got, want);
}

static void doubling_then_cap(void **state)
{
	struct retry_policy p = { .initial = 1, .factor = 2, .max_delay = 30 };

	(void)state;
	near(retry_delay(&p, 1, 0), 1);
	near(retry_delay(&p, 2, 0), 2);
	near(retry_delay(&p, 3, 0), 4);
	near(retry_delay(&p, 5, 0), 16);
	near(retry_delay(&p, 6, 0), 30);	/* 32 capped */
	near(retry_delay(&p, 7, 0), 30);
	near(retry_delay(&p, 0, 0), 1);		/* attempt 0 reads as the first */
	near(retry_delay(&p, 4000000000u, 0), 30);	/* no overflow, no long loop */
}

static void no_cap_no_growth(void **state)
{
	struct retry_policy fixed = { .initial = 5, .factor = 1 };
	struct retry_policy shrink = { .initial = 5, .factor = 0.5 };
	struct retry_policy nocap = { .initial = 1, .factor = 10 };

	(void)state;
	near(retry_delay(&fixed, 1, 0), 5);	/* kubectl's fixed 5 s */
	near(retry_delay(&fixed, 100, 0), 5);
	near(retry_delay(&shrink, 3, 0), 5);	/* a factor below 1 does not shrink */
	near(retry_delay(&nocap, 4, 0), 1000);
	assert_true(isfinite(retry_delay(&nocap, 4000000000u, 0)) && retry_delay(&nocap, 4000000000u, 0) > 1e300);
}

static void jitter_bounds(void **state)
{
	struct retry_policy p = { .initial = 8, .factor = 2, .max_delay = 60, .jitter = 0.25 };
	struct retry_policy full = { .initial = 8, .factor = 2, .max_delay = 60, .jitter = 1 };
	struct retry_policy wild = { .initial = 8, .jitter = 7 };

	(void)state;
	near(retry_delay(&p, 1, 0), 8);
	near(retry_delay(&p, 1, 0.5), 7);
	assert_true(retry_delay(&p, 1, 0.999999) > 6);
	near(retry_delay(&p, 1, 1), 6 + 8 * 0.25 * (1 - nextafter(1.0, 0.0)));
	near(retry_delay(&p, 1, -3), 8);	/* clamped draws */
	near(retry_delay(&p, 1, NAN), 8);
	for (double u = 0; u < 1; u += 0.01) {
		double d = retry_delay(&p, 10, u);

		assert_true(d <= 60 && d > 45 - 1e-9);	/* never above the cap */
		d = retry_delay(&full, 2, u);
		assert_true(d >= 0 && d <= 16);
	}
	near(retry_delay(&wild, 1, 0.5), 4);	/* jitter above 1 is 1 */
}

static void zero_and_negative(void **state)
{
	struct retry_policy z = { 0 };
	struct retry_policy neg = { .initial = -1, .factor = 2, .max_delay = -5 };

	(void)state;
	near(retry_delay(&z, 1, 0.3), 0);
	near(retry_delay(&neg, 3, 0.3), 0);
}

/* A scripted random source: the test decides every draw. */
static double draws[] = { 0, 0.5, 0.9, 0.1 };
static double scripted(void *arg)
{
	unsigned *i = arg;

	return draws[(*i)++ % ARRAY_SIZE(draws)];
}

static void sequence_with_injected_random(void **state)
{
	struct retry_policy p = { .initial = 1, .factor = 2, .max_delay = 10, .jitter = 0.5 };
	unsigned i = 0;
	struct retry r = { .rnd = scripted, .rnd_arg = &i };
	double d, want[] = { 1, 2 * 0.75, 4 * 0.55, 8 * 0.95, 10, 10 * 0.75 };

	(void)state;
	retry_init(&r, &p, 100);
	for (size_t k = 0; k < ARRAY_SIZE(want); k++) {
		assert_true(retry_next(&r, 100 + (double)k, &d));
		near(d, want[k]);
	}
	assert_int_equal(r.failures, ARRAY_SIZE(want));
	assert_int_equal(i, ARRAY_SIZE(want));
}

static void deadline_cuts_the_last_delay(void **state)
{
	struct retry_policy p = { .initial = 4, .factor = 2, .deadline = 10 };
	struct retry r = { 0 };
	double d;

	(void)state;
	retry_init(&r, &p, 1000);
	assert_true(retry_next(&r, 1000, &d));
	near(d, 4);
	assert_true(retry_next(&r, 1004, &d));
	near(d, 6);	/* 8, cut to the 6 s left: the last try starts at the deadline */
	near(retry_left(&r, 1004), 6);
	assert_false(retry_next(&r, 1010, &d));	/* at the deadline: no more */
	assert_false(retry_next(&r, 1050, &d));
	assert_true(retry_left(&r, 1050) < 0);
}

static void no_deadline(void **state)
{
	struct retry_policy p = { .initial = 1, .factor = 2, .max_delay = 2 };
	struct retry r = { 0 };
	double d = -1;

	(void)state;
	retry_init(&r, &p, 0);
	assert_true(isinf(retry_left(&r, 1e12)));
	for (int k = 0; k < 1000; k++)
		assert_true(retry_next(&r, 1e9, &d));
	assert_true(d >= 0 && d <= 2);	/* the default random source stays in range */
}

static void attempt_limit(void **state)
{
	struct retry_policy p = { .initial = 1, .max_attempts = 3 };
	struct retry r = { 0 };
	double d;

	(void)state;
	retry_init(&r, &p, 0);
	assert_true(retry_next(&r, 0, &d));	/* try 1 failed: try 2 */
	assert_true(retry_next(&r, 1, &d));	/* try 2 failed: try 3 */
	assert_false(retry_next(&r, 2, &d));	/* try 3 failed: that was all */
}

static void default_random(void **state)
{
	(void)state;
	for (int k = 0; k < 10000; k++) {
		double u = retry_rand(NULL);

		assert_true(u >= 0 && u < 1);
	}
}

/* The jitter modes of the retry applet: each draw within its band, the
 * cap over the jitter (band's 1.5x never exceeds max_delay), bounds that
 * say the same, names that round-trip. */
static void jitter_modes(void **state)
{
	struct retry_policy p = { .initial = 2, .factor = 2, .max_delay = 10 };
	static const struct {
		enum retry_jitter m;
		double lo, hi;
	} want[] = { { RETRY_JITTER_NONE, 1, 1 }, { RETRY_JITTER_FULL, 0, 1 },
		     { RETRY_JITTER_EQUAL, 0.5, 1 }, { RETRY_JITTER_BAND, 0.5, 1.5 } };
	enum retry_jitter m;
	double lo, hi;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		p.mode = want[i].m;
		for (unsigned a = 1; a <= 6; a++) {
			double b = retry_backoff(&p, a);

			near(b, fmin(2 * pow(2, a - 1), 10));
			retry_bounds(&p, a, &lo, &hi);
			near(lo, fmin(b * want[i].lo, 10));
			near(hi, fmin(b * want[i].hi, 10));
			for (double u = 0; u < 1; u += 0.125) {
				double d = retry_delay(&p, a, u);

				assert_true(d >= lo - 1e-12 && d <= hi + 1e-12);
				assert_true(d <= 10);
			}
		}
		assert_true(retry_jitter_parse(retry_jitter_name(want[i].m), &m) && m == want[i].m);
	}
	p.mode = RETRY_JITTER_BAND;
	near(retry_delay(&p, 1, 0.5), 2);	/* the middle of the band is the backoff */
	near(retry_delay(&p, 3, 0.99), 10);	/* 8 x 1.49 capped */
	p.mode = RETRY_JITTER_FULL;
	near(retry_delay(&p, 2, 0.25), 1);
	p.mode = RETRY_JITTER_EQUAL;
	near(retry_delay(&p, 2, 0.5), 3);
	assert_false(retry_jitter_parse("bogus", &m));
	assert_false(retry_jitter_parse(NULL, &m));
	assert_true(retry_jitter_parse("shrink", &m) && m == RETRY_JITTER_SHRINK);
	/* the zero policy is drain's: shrink by .jitter */
	{
		struct retry_policy d = { .initial = 10, .jitter = 0.5 };

		near(retry_delay(&d, 1, 0.5), 7.5);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(doubling_then_cap),
		cmocka_unit_test(no_cap_no_growth),
		cmocka_unit_test(jitter_bounds),
		cmocka_unit_test(zero_and_negative),
		cmocka_unit_test(sequence_with_injected_random),
		cmocka_unit_test(deadline_cuts_the_last_delay),
		cmocka_unit_test(no_deadline),
		cmocka_unit_test(attempt_limit),
		cmocka_unit_test(default_random),
		cmocka_unit_test(jitter_modes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
