/* Retrying with exponential backoff, jitter, a capped delay and an overall
 * deadline: drain's refused evictions (HTTP 429 from a disruption budget)
 * and the runbook `retry` applet share it.
 *
 *   struct retry r;
 *   retry_init(&r, &policy, now_monotonic());
 *   while (try() fails)
 *           if (!retry_next(&r, now_monotonic(), &d)) give up;
 *           else sleep d;
 *
 * retry_delay() is the pure part: the delay before the next try after
 * `attempt` failures, given a random draw u in [0, 1). */
#ifndef SREBOX_RETRY_H
#define SREBOX_RETRY_H

#include <stdbool.h>

/* How a delay is drawn from the backoff b (u uniform in [0, 1)):
 *   SHRINK  b * (1 - jitter * u): up to `jitter` of it taken off (drain's)
 *   NONE    b
 *   FULL    b * u            (AWS's "full jitter")
 *   EQUAL   b/2 + b/2 * u    (AWS's "equal jitter")
 *   BAND    b * (0.5 + u)    (the SRE guide's 0.5-1.5 band)
 * then capped at max_delay, so that no delay exceeds the cap. */
enum retry_jitter { RETRY_JITTER_SHRINK, RETRY_JITTER_NONE, RETRY_JITTER_FULL, RETRY_JITTER_EQUAL,
		    RETRY_JITTER_BAND };

struct retry_policy {
	double initial;		/* delay after the first failure, seconds (> 0) */
	double factor;		/* growth per failure (2: doubling); below 1 counts as 1 */
	double max_delay;	/* cap on one delay; 0: none */
	double jitter;		/* SHRINK: 0..1, up to this share of each delay is taken off */
	enum retry_jitter mode;	/* 0: SHRINK */
	unsigned max_attempts;	/* tries in all; 0: no limit */
	double deadline;	/* seconds after retry_init when no try starts any more; 0: none */
};

/* The delay after `attempt` failures (1 for the first): initial *
 * factor^(attempt-1), capped at max_delay, then shortened by jitter * u of
 * itself, so that clients refused together do not come back together and
 * no delay exceeds the cap.  u outside [0, 1) is clamped. */
double retry_delay(const struct retry_policy *p, unsigned attempt, double u);
/* The backoff before jitter (initial * factor^(attempt-1), capped), and the
 * least and greatest delay the jitter mode can draw from it. */
double retry_backoff(const struct retry_policy *p, unsigned attempt);
void retry_bounds(const struct retry_policy *p, unsigned attempt, double *lo, double *hi);
/* "none", "full", "equal", "band", "shrink" <-> the mode; false when unknown. */
bool retry_jitter_parse(const char *s, enum retry_jitter *out);
const char *retry_jitter_name(enum retry_jitter m);

/* A random draw in [0, 1). */
typedef double (*retry_rand_fn)(void *arg);

struct retry {
	const struct retry_policy *p;
	double start;		/* the clock at retry_init */
	unsigned failures;	/* failed tries so far */
	retry_rand_fn rnd;	/* NULL: retry_rand */
	void *rnd_arg;
};

void retry_init(struct retry *r, const struct retry_policy *p, double now);
/* Record a failed try at `now`.  True with *delay when another try is
 * allowed: the delay is cut so that the next try starts at the deadline at
 * the latest.  False when max_attempts are used up or the deadline has
 * passed. */
bool retry_next(struct retry *r, double now, double *delay);
/* Seconds left before the deadline (a huge number without one). */
double retry_left(const struct retry *r, double now);

/* The default random source (seeded once from the clock and pid). */
double retry_rand(void *arg);

#endif
