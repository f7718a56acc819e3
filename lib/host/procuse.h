/* What each process uses of the CPUs and of memory, from the task table
 * (tasks.h) read twice, or once since boot: the figures of `pidstat -u`,
 * `top` and `ps aux --sort=-%mem`, and the processes `health` names
 * behind a CPU or memory finding.
 *
 *   - CPU is utime+stime (stat fields 14, 15) over the interval, summed
 *     over the process's threads, in % of one CPU (top's Irix mode, and
 *     pidstat -u: a process on 4 CPUs shows 400%).  Threads are matched
 *     between the readings by TID and start time, so a reused TID is a
 *     new thread.
 *   - A thread (or process) started during the interval is counted whole:
 *     every tick it has was spent inside the interval.  One that ended
 *     during the interval is gone, and with it its time since the first
 *     reading: counted in threads_exited / procs_exited, for the note.
 *   - Since boot (one reading), a process's share is over its own life
 *     (utime+stime over its age, as ps's %CPU); one younger than
 *     PROCUSE_MIN_AGE seconds has none (a few ticks of age make noise, not
 *     a rank).
 *   - Memory is the resident set (stat field 24, pages of the whole
 *     process, the RSS of ps and pidstat -r), read once. */
#ifndef SREBOX_PROCUSE_H
#define SREBOX_PROCUSE_H

#include "procfs.h"
#include "tasks.h"

#define PROCUSE_MIN_AGE 1.0

/* One reading: /proc/stat (the per-CPU counters), the uptime and every
 * task, taken together so the per-CPU and per-process figures cover the
 * same interval. */
struct cpu_snap {
	double when;		/* monotonic */
	double uptime;		/* <0: unknown (uptime_err) */
	struct sbx_err uptime_err;
	bool has_stat;
	struct proc_stat stat;
	struct sbx_err stat_err;
	bool has_tasks;
	struct task_table tasks;
	struct sbx_err tasks_err;
};

/* The CPUs the machine has (/sys/devices/system/cpu/present): online or
 * not, for naming the offline ones that /proc/stat leaves out.  Returns
 * their count (at most max) or -1 with err. */
long cpus_present(unsigned *ids, size_t max, struct sbx_err *err);

/* cpu_snap_read flags */
#define CPU_SNAP_STAT 0x1	/* read /proc/stat */
#define CPU_SNAP_TASKS 0x2	/* read every task */
#define CPU_SNAP_BY_HAND 0x4	/* the task table without libproc2 */

/* Never fails: what could not be read carries its reason. */
void cpu_snap_read(struct cpu_snap *s, unsigned flags);
void cpu_snap_free(struct cpu_snap *s);
/* The task tables of the last two shared readings (tasks_share_pair),
 * without /proc/stat; false when there are not two. */
bool cpu_snap_shared(struct cpu_snap *prev, struct cpu_snap *cur);

struct thread_use {
	const struct task *k;	/* in the last reading's table */
	bool ok;
	double pct;		/* % of one CPU */
	bool born;		/* started during the interval */
};

struct proc_use {
	int32_t pid;
	const struct task *leader;	/* its main thread, or its first task */
	size_t threads;		/* tasks read */
	bool ok;		/* the CPU figures are known */
	enum proc_use_why {
		PU_OK,
		PU_NO_STAT,	/* its main thread's stat could not be read */
		PU_NO_UPTIME,	/* since boot without /proc/uptime */
		PU_YOUNG,	/* since boot, younger than PROCUSE_MIN_AGE */
		PU_THREAD,	/* since boot: a thread too young or unreadable */
		PU_MISSED,	/* a thread not in the first reading, or gone backwards */
		PU_SKIPPED,	/* never set on a listed process */
	} why;
	double pct, usr, sys;	/* % of one CPU */
	const struct thread_use *top;	/* its busiest thread; NULL unknown */
	bool born;		/* the process started during the interval */
	double age;		/* seconds; <0 unknown */
	bool has_rss;
	uint64_t rss;		/* bytes */
};

struct procs_use {
	double uptime;		/* of the last reading; <0 unknown */
	char uptime_why[160];
	struct thread_use *t;	/* one per task of the last reading, in table order */
	size_t nt;
	struct proc_use *p;	/* one per process */
	size_t np;
	bool since_boot;
	double seconds;		/* the interval (by /proc/uptime, else the clock); 0 since boot */
	size_t threads_exited, procs_exited;	/* during the interval (of those seen first) */
	size_t born;		/* processes started during the interval */
	size_t vanished;	/* tasks that exited while a table was read */
	uint64_t rss_total;	/* the sum of the processes' RSS (shared pages counted in each) */
};

/* Figures of cur's tasks over [prev, cur], or since boot when prev is
 * NULL (cur->uptime needed).  Process `skip` (srebox itself; 0 none) is
 * left out. */
void procs_use(const struct cpu_snap *cur, const struct cpu_snap *prev, int32_t skip,
	       struct procs_use *out);
void procs_use_free(struct procs_use *u);

/* Why p's CPU figures are unknown, for a table cell. */
void proc_use_why(const struct procs_use *u, const struct proc_use *p, char *out, size_t n);

/* The processes in order of CPU (known first, busiest first) or of RSS:
 * a malloc'ed array of *n indexes into u->p. */
size_t *procs_by_cpu(const struct procs_use *u, size_t *n);
size_t *procs_by_rss(const struct procs_use *u, size_t *n);

/* The busiest thread that last ran on CPU cpu (stat field 39), or NULL. */
const struct thread_use *procs_busiest_on(const struct procs_use *u, int cpu);

#endif
