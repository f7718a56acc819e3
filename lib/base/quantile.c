#include "quantile.h"

#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void swap(double *a, double *b)
{
	double t = *a;

	*a = *b;
	*b = t;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void insertion(double *v, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		double x = v[i];
		size_t j = i;

		for (; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

/* Put the k-th smallest of v[0..n) at v[k], smaller ones before, larger
 * after (Hoare partition around a median of three; after 2 log2 n rounds
 * that do not shrink enough, a sort of what is left, so that adversarial
 * input costs n log n, never n^2). */
static void select_k(double *v, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1;	/* inclusive */
	unsigned budget = 2;

	for (size_t m = n; m > 1; m >>= 1)
		budget += 2;
	while (hi > lo) {
		size_t i, j, mid;
		double pivot;

		if (hi - lo < 16) {
			insertion(v + lo, hi - lo + 1);
			return;
		}
		if (budget-- == 0) {
			qsort(v + lo, hi - lo + 1, sizeof(*v), cmp_double);
			return;
		}
		mid = lo + (hi - lo) / 2;
		if (v[mid] < v[lo])
			swap(&v[mid], &v[lo]);
		if (v[hi] < v[lo])
			swap(&v[hi], &v[lo]);
		if (v[hi] < v[mid])
			swap(&v[hi], &v[mid]);
		pivot = v[mid];
		i = lo;
		j = hi;
		for (;;) {
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i >= j)
				break;
			swap(&v[i], &v[j]);
			i++;
			j--;
		}
		/* v[lo..j] <= pivot <= v[j+1..hi] */
		if (k <= j)
			hi = j;
		else
			lo = j + 1;
	}
}

static double min_of(const double *v, size_t n)
{
	double m = v[0];

	for (size_t i = 1; i < n; i++)
		if (v[i] < m)
			m = v[i];
	return m;
}

struct want {
	size_t lo;
	double frac;
};

static void r7_pos(size_t n, double p, struct want *w)
{
	double h;

	if (!(p >= 0))		/* also NaN */
		p = 0;
	if (p > 100)
		p = 100;
	h = (double)(n - 1) * (p / 100);
	w->lo = (size_t)floor(h);
	if (w->lo >= n - 1) {	/* p100: the maximum; x[n] does not exist */
		w->lo = n - 1;
		w->frac = 0;
	} else {
		w->frac = h - (double)w->lo;
	}
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return (x > y) - (x < y);
}

void quantiles_r7(double *v, size_t n, const double *p, size_t np, double *out)
{
	struct want *w;
	size_t *ranks, nr = 0, done = 0;

	if (!n) {
		for (size_t i = 0; i < np; i++)
			out[i] = NAN;
		return;
	}
	w = xcalloc(np ? np : 1, sizeof(*w));
	ranks = xcalloc(np ? np : 1, sizeof(*ranks));
	for (size_t i = 0; i < np; i++) {
		r7_pos(n, p[i], &w[i]);
		ranks[nr++] = w[i].lo;
	}
	if (np > 32) {
		qsort(v, n, sizeof(*v), cmp_double);
	} else {
		/* ascending ranks, each selected in what lies right of the last */
		qsort(ranks, nr, sizeof(*ranks), cmp_size);
		for (size_t i = 0; i < nr; i++) {
			if (i && ranks[i] == ranks[i - 1])
				continue;
			select_k(v + done, n - done, ranks[i] - done);
			done = ranks[i];
		}
	}
	for (size_t i = 0; i < np; i++) {
		double x = v[w[i].lo];

		if (w[i].frac > 0) {
			/* the next order statistic: v[lo+1] when sorted, else the
			 * least of what lies right of lo, which selection left there */
			double y = np > 32 ? v[w[i].lo + 1] : min_of(v + w[i].lo + 1, n - w[i].lo - 1);

			x = x + w[i].frac * (y - x);
		}
		out[i] = x;
	}
	free(w);
	free(ranks);
}

/* --- the sketch ---------------------------------------------------------- */

static double sk_gamma(void)
{
	return (1 + SKETCH_ALPHA) / (1 - SKETCH_ALPHA);
}

static int sk_index(double x)
{
	return (int)ceil(log(x) / log(sk_gamma()));
}

void sketch_init(struct sketch *s)
{
	memset(s, 0, sizeof(*s));
	s->idx_min = sk_index(SKETCH_MIN);
	s->nb = sk_index(SKETCH_MAX) - s->idx_min + 1;
	s->min = INFINITY;
	s->max = -INFINITY;
}

void sketch_free(struct sketch *s)
{
	free(s->pos.c);
	free(s->neg.c);
	memset(&s->pos, 0, sizeof(s->pos));
	memset(&s->neg, 0, sizeof(s->neg));
}

size_t sketch_bytes(void)
{
	return (size_t)(sk_index(SKETCH_MAX) - sk_index(SKETCH_MIN) + 1) * 2 * sizeof(uint64_t) +
	       sizeof(struct sketch);
}

size_t sketch_used(const struct sketch *s)
{
	return ((size_t)s->pos.n + (size_t)s->neg.n) * sizeof(uint64_t) + sizeof(*s);
}

/* Count bucket i (0 <= i < nb), growing the span held to take it, by
 * half again at least so that a drifting stream grows it rarely. */
static void store_add(struct sketch_store *st, int i, int nb)
{
	if (!st->n || i < st->lo || i >= st->lo + st->n) {
		int lo = st->n ? (i < st->lo ? i : st->lo) : i;
		int hi = st->n ? (i >= st->lo + st->n ? i + 1 : st->lo + st->n) : i + 1;
		int want = hi - lo, slack = want / 2 > 32 ? want / 2 : 32;
		uint64_t *c;

		if (st->n && i < st->lo)
			lo = lo - slack / 2;
		else if (st->n)
			hi = hi + slack / 2;
		else
			lo -= 16, hi += 16;
		if (lo < 0)
			lo = 0;
		if (hi > nb)
			hi = nb;
		c = xcalloc((size_t)(hi - lo), sizeof(*c));
		if (st->n)
			memcpy(c + (st->lo - lo), st->c, (size_t)st->n * sizeof(*c));
		free(st->c);
		st->c = c;
		st->lo = lo;
		st->n = hi - lo;
	}
	st->c[i - st->lo]++;
}

void sketch_add(struct sketch *s, double x)
{
	double a = fabs(x);
	int i;

	if (!isfinite(x))
		return;
	s->n++;
	if (x < s->min)
		s->min = x;
	if (x > s->max)
		s->max = x;
	if (a < SKETCH_MIN) {
		s->zero++;
		return;
	}
	if (a > SKETCH_MAX)
		a = SKETCH_MAX;
	i = sk_index(a) - s->idx_min;
	if (i < 0)
		i = 0;
	if (i >= s->nb)
		i = s->nb - 1;
	store_add(x < 0 ? &s->neg : &s->pos, i, s->nb);
}

static double sk_value(const struct sketch *s, int i)
{
	double g = sk_gamma();

	/* the midpoint (in relative terms) of (g^(k-1), g^k] */
	return 2 * pow(g, i + s->idx_min) / (g + 1);
}

double sketch_rank(const struct sketch *s, uint64_t r)
{
	uint64_t seen = 0;
	double x = 0;
	bool found = false;

	for (int k = s->neg.n - 1; k >= 0 && !found; k--) {
		seen += s->neg.c[k];
		if (seen > r) {
			x = -sk_value(s, s->neg.lo + k);
			found = true;
		}
	}
	if (!found) {
		seen += s->zero;
		if (seen > r)
			found = true, x = 0;
	}
	for (int k = 0; k < s->pos.n && !found; k++) {
		seen += s->pos.c[k];
		if (seen > r) {
			x = sk_value(s, s->pos.lo + k);
			found = true;
		}
	}
	if (!found || x > s->max)
		x = s->max;
	if (x < s->min)
		x = s->min;
	return x;
}

void sketch_quantiles(const struct sketch *s, const double *p, size_t np, double *out)
{
	for (size_t i = 0; i < np; i++) {
		struct want w;
		double x;

		if (!s->n) {
			out[i] = NAN;
			continue;
		}
		r7_pos((size_t)s->n, p[i], &w);
		x = sketch_rank(s, w.lo);
		if (w.frac > 0)
			x += w.frac * (sketch_rank(s, w.lo + 1) - x);
		out[i] = x;
	}
}
