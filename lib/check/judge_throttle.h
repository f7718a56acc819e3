/* The CPU-throttling checks (cfs, thermal, freq, steal), judged once for
 * `srebox throttle` and `srebox health`: the same snapshots give the same
 * findings (state, text, perfdata label, metric) in both.  Findings of a
 * check are made worst first; `max` bounds how many of its per-subject
 * findings are listed before one finding counts the rest (0: all), so health
 * can show the worst cgroup alone and throttle each of them, and the worst
 * one's finding is the same in both. */
#ifndef SREBOX_JUDGE_THROTTLE_H
#define SREBOX_JUDGE_THROTTLE_H

#include "check.h"
#include "throttle.h"

/* A cgroup with fewer enforcement periods is not judged: one throttled
 * period out of one is no evidence.  throttle's --min-periods default. */
#define JUDGE_CFS_MIN_PERIODS 5

/* cfs: each cgroup's share of throttled CFS periods over the interval (prev
 * given; a cgroup created in it over its own life) or since creation. */
void judge_cfs(struct sbx_report *r, const struct thr_snap *cur, const struct thr_snap *prev,
	       uint64_t min_periods, size_t max);

/* thermal: throttle events during the interval (since boot: shown, not
 * judged), then each sensor at or over its own trip point. */
void judge_thermal(struct sbx_report *r, const struct thr_snap *cur, const struct thr_snap *prev,
		   size_t max);

/* freq: the CPUs' frequency ceilings as a share of the hardware maximum,
 * one finding per group of CPUs with the same ceiling from the same source. */
void judge_freq(struct sbx_report *r, const struct thr_snap *cur, size_t max);

/* steal: the share of all CPUs' time stolen, from cpu_shares().  cur NULL:
 * /proc/stat could not be read (why).  Returns whether the share is known,
 * and it (%) in *pct. */
bool judge_steal(struct sbx_report *r, const struct proc_stat *cur, const struct proc_stat *prev,
		 const char *why, double *pct);

#endif
