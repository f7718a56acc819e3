/* Shares of CPU time over an interval, with mpstat's definitions, from two
 * /proc/stat readings (or since boot from one).  Pure arithmetic on parsed
 * counters: the traps of procfs.md are handled once here.
 *   - %usr excludes guest and %nice excludes guest_nice (both are counted
 *     inside user and nice); guest and gnice are their own shares.
 *   - A CPU present in only one reading (hot-plugged, or offline) has no
 *     share: it is not credited with its since-boot count.
 *   - A counter that went backwards makes that CPU's share unknown, with
 *     the reason; it is left out of the aggregate, never read as 0 or 100%.
 *   - The aggregate is the sum over the CPUs known in both readings (the
 *     "cpu" line when the readings have no per-CPU lines), so a CPU that
 *     comes online mid-interval does not distort it. */
#ifndef SREBOX_CPU_SHARE_H
#define SREBOX_CPU_SHARE_H

#include "procfs.h"

enum { SH_USR, SH_NICE, SH_SYS, SH_IDLE, SH_IOWAIT, SH_IRQ, SH_SOFT, SH_STEAL, SH_GUEST,
       SH_GNICE, SH_N };

struct cpu_share {
	int cpu;		/* -1: the aggregate */
	bool ok;
	char why[192];		/* !ok: why there is no share; ok: CPUs left out, if any */
	bool has[SH_N];		/* the kernel has the field (old kernels: no steal, guest) */
	double pct[SH_N];	/* % of the CPU's time over the interval */
	double busy;		/* 100 - idle - iowait */
	double ticks;		/* USER_HZ ticks the shares are of */
};

/* Fills *all and, when per is not NULL, a malloc'ed array of one share per
 * CPU of cur (in cur's order) into *per / *nper.  prev NULL: since boot. */
void cpu_shares(const struct proc_stat *cur, const struct proc_stat *prev, struct cpu_share *all,
		struct cpu_share **per, size_t *nper);

#endif
