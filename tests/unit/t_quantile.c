/* quantiles_r7 against a sort and the definition (R type 7 / numpy's
 * linear), its edges (p0, p100, n = 1, n = 0, ties, adversarial orders),
 * and the sketch's error bound over skewed, negative and huge streams. */
#include "unit.h"
#include "quantile.h"

#include <math.h>

static int cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The definition, on a sorted copy: h = (n-1)p, x[floor h] + frac * (x[floor h + 1] - x[floor h]). */
static double r7_ref(const double *v, size_t n, double p)
{
	double *s = xmalloc(n * sizeof(*s)), h, r;
	size_t lo;

	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmpd);
	h = (double)(n - 1) * (p / 100);
	lo = (size_t)floor(h);
	r = lo + 1 < n ? s[lo] + (h - (double)lo) * (s[lo + 1] - s[lo]) : s[n - 1];
	free(s);
	return r;
}

static void check_against_ref(double *v, size_t n)
{
	static const double p[] = { 0, 1, 25, 50, 75, 90, 99, 99.9, 100 };
	double out[ARRAY_SIZE(p)], *copy = xmalloc(n * sizeof(*copy));

	memcpy(copy, v, n * sizeof(*copy));
	quantiles_r7(copy, n, p, ARRAY_SIZE(p), out);
	for (size_t i = 0; i < ARRAY_SIZE(p); i++) {
		double want = r7_ref(v, n, p[i]);

		if (out[i] != want)
			fail_msg("n=%zu p%g: got %.17g, want %.17g", n, p[i], out[i], want);
	}
	free(copy);
}

static void known_values(void **state)
{
	double v[] = { 4, 1, 3, 2 };
	double p[] = { 25, 99, 50, 0, 100 }, out[5];

	(void)state;
	quantiles_r7(v, 4, p, 5, out);
	/* datamash perc:25 = 1.75, perc:99 = 3.97 on 1..4; numpy the same */
	assert_true(out[0] == 1.75);
	assert_true(fabs(out[1] - 3.97) < 1e-12);
	assert_true(out[2] == 2.5);
	assert_true(out[3] == 1);
	assert_true(out[4] == 4);	/* p100: the maximum, no read past the end */
}

static void edges(void **state)
{
	double one[] = { 7 }, p[] = { 0, 50, 100, -5, 250, NAN }, out[6];
	double none[1];

	(void)state;
	quantiles_r7(one, 1, p, 6, out);
	for (int i = 0; i < 6; i++)
		assert_true(out[i] == 7);
	quantiles_r7(none, 0, p, 3, out);
	assert_true(isnan(out[0]) && isnan(out[2]));
	quantiles_r7(none, 0, p, 0, out);	/* nothing asked: nothing done */
}

static void random_and_adversarial(void **state)
{
	size_t n = 50001;
	double *v = xmalloc(n * sizeof(*v));

	(void)state;
	srand(7);
	for (size_t k = 1; k < 40; k++) {	/* small sizes, every path */
		for (size_t i = 0; i < k; i++)
			v[i] = (double)(rand() % 10);
		check_against_ref(v, k);
	}
	for (size_t i = 0; i < n; i++)
		v[i] = (double)rand() / RAND_MAX * 1000 - 500;
	check_against_ref(v, n);
	for (size_t i = 0; i < n; i++)	/* sorted */
		v[i] = (double)i;
	check_against_ref(v, n);
	for (size_t i = 0; i < n; i++)	/* reversed */
		v[i] = (double)(n - i);
	check_against_ref(v, n);
	for (size_t i = 0; i < n; i++)	/* all equal */
		v[i] = 3;
	check_against_ref(v, n);
	for (size_t i = 0; i < n; i++)	/* organ pipe, median-of-3 killer shapes */
		v[i] = (double)(i < n / 2 ? i : n - i);
	check_against_ref(v, n);
	for (size_t i = 0; i < n; i++)	/* few distinct */
		v[i] = (double)(i % 3);
	check_against_ref(v, n);
	free(v);
}

static void many_percentiles_sort_path(void **state)
{
	double v[200], p[40], out[40], *c = xmalloc(sizeof(v));

	(void)state;
	for (int i = 0; i < 200; i++)
		v[i] = (double)((i * 7919) % 200);
	for (int i = 0; i < 40; i++)
		p[i] = i * 2.5;
	memcpy(c, v, sizeof(v));
	quantiles_r7(c, 200, p, 40, out);
	for (int i = 0; i < 40; i++)
		assert_true(out[i] == r7_ref(v, 200, p[i]));
	free(c);
}

/* The stated bound: |estimate - exact| <= alpha * max(|x_lo|, |x_hi|). */
static void sketch_bound(void **state)
{
	size_t n = 200000;
	double *v = xmalloc(n * sizeof(*v)), p[] = { 0, 1, 10, 50, 90, 99, 99.9, 100 };
	double ex[ARRAY_SIZE(p)], ap[ARRAY_SIZE(p)];
	struct sketch s;

	(void)state;
	for (int shape = 0; shape < 4; shape++) {
		sketch_init(&s);
		srand(11 + shape);
		for (size_t i = 0; i < n; i++) {
			double u = ((double)rand() + 1) / ((double)RAND_MAX + 2);

			switch (shape) {
			case 0: v[i] = -log(u) * 0.2; break;		/* exponential latencies */
			case 1: v[i] = exp(20 * u - 10); break;		/* 9 decades */
			case 2: v[i] = (u - 0.5) * 1e6; break;		/* both signs */
			default: v[i] = i % 5 == 0 ? 0 : 1e250 * u; break; /* zeros and huge */
			}
			sketch_add(&s, v[i]);
		}
		sketch_quantiles(&s, p, ARRAY_SIZE(p), ap);
		quantiles_r7(v, n, p, ARRAY_SIZE(p), ex);
		qsort(v, n, sizeof(*v), cmpd);
		for (size_t i = 0; i < ARRAY_SIZE(p); i++) {
			double h = (double)(n - 1) * (p[i] / 100);
			size_t lo = (size_t)floor(h), hi = lo + 1 < n ? lo + 1 : lo;
			double mag = fmax(fabs(v[lo]), fabs(v[hi]));

			if (fabs(ap[i] - ex[i]) > SKETCH_ALPHA * mag + SKETCH_MIN)
				fail_msg("shape %d p%g: sketch %.17g, exact %.17g", shape, p[i], ap[i], ex[i]);
		}
		assert_true(s.n == n);
		/* only the span of buckets the values fell in is held */
		if (shape == 0)
			assert_true(sketch_used(&s) < (16u << 10));
		assert_true(sketch_used(&s) <= sketch_bytes() + 2 * 64 * sizeof(uint64_t));
		sketch_free(&s);
	}
	free(v);
	assert_true(sketch_bytes() < (1u << 20));
}

/* Values that drift down and up the scale grow the span both ways and
 * keep every count (the total is the stream's length). */
static void sketch_drift(void **state)
{
	struct sketch s;
	double p[] = { 0, 100 }, out[2];

	(void)state;
	sketch_init(&s);
	for (int e = 0; e < 40; e++) {
		sketch_add(&s, pow(10, e - 20));
		sketch_add(&s, -pow(10, 20 - e));
	}
	sketch_quantiles(&s, p, 2, out);
	assert_true(fabs(out[0] + 1e20) <= 0.01 * 1e20 && fabs(out[1] - 1e19) <= 0.01 * 1e19);
	assert_true(out[0] >= -1e20 && out[1] <= 1e19);	/* never outside the exact min and max */
	/* 33 negatives down to -1e-12, 15 values nearer zero than 1e-12 (read
	 * as 0), 32 positives from 1e-12 */
	assert_true(fabs(sketch_rank(&s, 32) + 1e-12) <= 0.01 * 1e-12);
	assert_true(sketch_rank(&s, 33) == 0 && sketch_rank(&s, 47) == 0);
	assert_true(fabs(sketch_rank(&s, 48) - 1e-12) <= 0.01 * 1e-12);
	assert_true(fabs(sketch_rank(&s, 79) - 1e19) <= 0.01 * 1e19);
	sketch_free(&s);
}

static void sketch_empty_and_odd(void **state)
{
	struct sketch s;
	double p[] = { 50, 100 }, out[2];

	(void)state;
	sketch_init(&s);
	sketch_quantiles(&s, p, 2, out);
	assert_true(isnan(out[0]));
	sketch_add(&s, NAN);	/* ignored */
	sketch_add(&s, INFINITY);
	assert_true(s.n == 0);
	sketch_add(&s, 5);
	sketch_quantiles(&s, p, 2, out);
	assert_true(out[0] == 5 && out[1] == 5);	/* clamped to the exact min and max */
	sketch_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(known_values),
		cmocka_unit_test(edges),
		cmocka_unit_test(random_and_adversarial),
		cmocka_unit_test(many_percentiles_sort_path),
		cmocka_unit_test(sketch_bound),
		cmocka_unit_test(sketch_drift),
		cmocka_unit_test(sketch_empty_and_odd),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
