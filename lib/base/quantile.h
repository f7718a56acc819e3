/* Percentiles: exact, by R's type 7 (numpy's default, Hyndman & Fan's
 * definition 7: linear interpolation between the order statistics at
 * h = (n-1)p), and approximate in bounded memory with a relative error
 * bound (a DDSketch: logarithmic buckets, Masson et al., VLDB 2019).
 *
 * quantiles_r7() reorders the values (selection, not a full sort: O(n)
 * per percentile asked for) and is total: n = 0 gives NaN, p = 100 gives
 * the maximum (never a read past the end), p outside 0..100 is clamped. */
#ifndef SREBOX_QUANTILE_H
#define SREBOX_QUANTILE_H

#include <stddef.h>
#include <stdint.h>

/* out[i] = the R-7 percentile p[i] (0..100) of v[0..n). */
void quantiles_r7(double *v, size_t n, const double *p, size_t np, double *out);

/* The sketch: every estimate of an order statistic x is within
 * SKETCH_ALPHA * |x| of it, whatever the stream's length, for
 * SKETCH_MIN <= |x| <= SKETCH_MAX; nearer zero it reads as 0 (an absolute
 * error below SKETCH_MIN).  Memory is bounded (sketch_bytes() at most,
 * whatever the stream's length) and holds only the span of buckets the
 * values fell in: a few KiB for latencies over five decades. */
#define SKETCH_ALPHA 0.01
#define SKETCH_MIN 1e-12
#define SKETCH_MAX 1e300

struct sketch_store {
	uint64_t *c;		/* counts of buckets lo .. lo+n-1 */
	int lo, n;
};

struct sketch {
	struct sketch_store pos, neg;	/* by bucket index - idx_min, of |x| */
	uint64_t zero, n;
	int idx_min, nb;
	double min, max;	/* exact: estimates are clamped into [min, max] */
};

void sketch_init(struct sketch *s);
void sketch_free(struct sketch *s);
void sketch_add(struct sketch *s, double x);
/* The most a sketch can hold, and what this one holds now. */
size_t sketch_bytes(void);
size_t sketch_used(const struct sketch *s);
/* The estimate of the order statistic of rank r (0-based, r < n). */
double sketch_rank(const struct sketch *s, uint64_t r);
/* out[i] = R-7 percentile p[i] from the sketch (NaN when empty). */
void sketch_quantiles(const struct sketch *s, const double *p, size_t np, double *out);

#endif
