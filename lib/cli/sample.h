/* The sampling loop every probe applet shares (health, cswitch, irq,
 * throttle, disk): one default, one meaning of -i and -n.
 *
 *   no -i    a short live sample of SBX_SAMPLE_DEFAULT seconds: the present
 *   -i 0     one reading: figures since boot, and the output says so
 *   -i S     readings S seconds apart, a report per interval, -n of them
 *            (0: until SIGINT/SIGTERM, ctx->stop)
 *
 * A --root tree that did not change during the interval (a saved copy:
 * /proc/uptime and /proc/stat byte for byte the same, and the applet's own
 * readings alike) has no rates over the interval: the report is built
 * since boot from the one reading, with a note saying why, never "0/s". */
#ifndef SREBOX_SAMPLE_H
#define SREBOX_SAMPLE_H

#include "applet.h"

/* Seconds a run without -i samples: long enough that 2 CPUs at 100 Hz give
 * CPU shares in 1% steps, short enough for an on-call screen. */
#define SBX_SAMPLE_DEFAULT 0.5
#define SBX_SAMPLE_DEFAULT_TEXT "0.5"

struct sbx_sampler {
	const char *name;	/* the applet, for failures */
	size_t size;		/* of one reading */
	/* Take a reading into snap (zeroed); <0 with err: the report fails. */
	int (*read)(void *snap, struct sbx_err *err, void *arg);
	void (*free)(void *snap, void *arg);
	/* Optional: whether two readings show nothing moved (with the
	 * loop's own test of uptime and /proc/stat, a saved tree). */
	bool (*same)(const void *a, const void *b, void *arg);
	/* Optional: a light reading taken at the first reading and at the
	 * end of the wait (a run queue over the interval).  Its answer at
	 * the first reading says whether SBX_SAMPLE_TICKS - 1 more are
	 * wanted inside the wait (cswitch.h's cs_runq_ticks).  The tick
	 * just after a report begins the next interval: the applet may
	 * carry the last reading over instead (cs_runq_restart). */
	bool (*tick)(void *arg);
	/* The report of one interval; prev NULL: since boot. */
	struct sbx_report *(*build)(struct sbx_ctx *ctx, const void *prev, const void *cur,
				    void *arg);
	void *arg;
	/* Without -i, one reading (disk: space is the present already, and a
	 * fill rate over half a second would be noise). */
	bool once_by_default;
};

#define SBX_SAMPLE_TICKS 5

/* The interval in force: -i, else SBX_SAMPLE_DEFAULT; 0 for -i 0. */
double sbx_interval(const struct sbx_ctx *ctx);

/* Run the loop and emit its reports.  Returns the applet's exit status
 * (0: sbx_emit folded the states into ctx->worst). */
int sbx_sample(struct sbx_ctx *ctx, const struct sbx_sampler *s);

#endif
