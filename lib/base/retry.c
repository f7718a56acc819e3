#include "retry.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

double retry_delay(const struct retry_policy *p, unsigned attempt, double u)
{
	double factor = p->factor > 1 ? p->factor : 1;
	double jitter = p->jitter < 0 ? 0 : p->jitter > 1 ? 1 : p->jitter;
	double d = p->initial > 0 ? p->initial : 0;

	if (attempt < 1)
		attempt = 1;
	/* grow step by step so that a long run of failures stops at the cap
	 * instead of overflowing to inf */
	for (unsigned i = 1; i < attempt; i++) {
		d *= factor;
		if ((p->max_delay > 0 && d >= p->max_delay) || !isfinite(d) || factor == 1)
			break;
	}
	if (p->max_delay > 0 && d > p->max_delay)
		d = p->max_delay;
	if (!isfinite(d))
		d = DBL_MAX;	/* no cap and a long run: "very long", not 0 */
	if (!(u >= 0))		/* also NaN */
		u = 0;
	if (u >= 1)
		u = nextafter(1.0, 0.0);
	return d * (1 - jitter * u);
}

void retry_init(struct retry *r, const struct retry_policy *p, double now)
{
	r->p = p;
	r->start = now;
	r->failures = 0;
	if (!r->rnd)
		r->rnd = retry_rand;
}

double retry_left(const struct retry *r, double now)
{
	if (r->p->deadline <= 0)
		return HUGE_VAL;
	return r->start + r->p->deadline - now;
}

bool retry_next(struct retry *r, double now, double *delay)
{
	double d, left;

	r->failures++;
	if (r->p->max_attempts && r->failures >= r->p->max_attempts)
		return false;
	left = retry_left(r, now);
	if (left <= 0)
		return false;
	d = retry_delay(r->p, r->failures, (r->rnd ? r->rnd : retry_rand)(r->rnd_arg));
	*delay = d < left ? d : left;
	return true;
}

double retry_rand(void *arg)
{
	static unsigned short seed[3];
	static bool seeded;

	(void)arg;
	if (!seeded) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		seed[0] = (unsigned short)ts.tv_nsec;
		seed[1] = (unsigned short)(ts.tv_nsec >> 16);
		seed[2] = (unsigned short)getpid();
		seeded = true;
	}
	return erand48(seed);
}
