#include "retry.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

double retry_backoff(const struct retry_policy *p, unsigned attempt)
{
	double factor = p->factor > 1 ? p->factor : 1;
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
	return d;
}

static double draw(const struct retry_policy *p, double d, double u)
{
	double jitter = p->jitter < 0 ? 0 : p->jitter > 1 ? 1 : p->jitter;

	switch (p->mode) {
	case RETRY_JITTER_NONE:
		break;
	case RETRY_JITTER_FULL:
		d *= u;
		break;
	case RETRY_JITTER_EQUAL:
		d = d / 2 + d / 2 * u;
		break;
	case RETRY_JITTER_BAND:
		d *= 0.5 + u;
		break;
	case RETRY_JITTER_SHRINK:
	default:
		d *= 1 - jitter * u;
		break;
	}
	if (p->max_delay > 0 && d > p->max_delay)
		d = p->max_delay;
	if (!isfinite(d))
		d = DBL_MAX;
	return d;
}

double retry_delay(const struct retry_policy *p, unsigned attempt, double u)
{
	if (!(u >= 0))		/* also NaN */
		u = 0;
	if (u >= 1)
		u = nextafter(1.0, 0.0);
	return draw(p, retry_backoff(p, attempt), u);
}

void retry_bounds(const struct retry_policy *p, unsigned attempt, double *lo, double *hi)
{
	double b = retry_backoff(p, attempt);
	double a = draw(p, b, 0), z = draw(p, b, 1);

	*lo = a < z ? a : z;
	*hi = a < z ? z : a;
}

static const char *const jitter_names[] = {
	[RETRY_JITTER_SHRINK] = "shrink", [RETRY_JITTER_NONE] = "none", [RETRY_JITTER_FULL] = "full",
	[RETRY_JITTER_EQUAL] = "equal", [RETRY_JITTER_BAND] = "band",
};

bool retry_jitter_parse(const char *s, enum retry_jitter *out)
{
	for (size_t i = 0; i < sizeof(jitter_names) / sizeof(jitter_names[0]); i++)
		if (s && !strcmp(s, jitter_names[i])) {
			*out = (enum retry_jitter)i;
			return true;
		}
	return false;
}

const char *retry_jitter_name(enum retry_jitter m)
{
	return (unsigned)m < sizeof(jitter_names) / sizeof(jitter_names[0]) ? jitter_names[m] : "?";
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
