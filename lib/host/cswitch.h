/* The scheduler probe behind `cswitch` (and `health`'s CPU lines): the
 * system's context switch, interrupt and fork counters, its run queue and
 * blocked tasks against the online CPUs, its task count against the
 * kernel's limits, and each task's voluntary and involuntary switches.
 *
 * Rates come from two snapshots (matched task by task, by TID and start
 * time) or, from one, as averages since boot: system counters over the
 * uptime, each task's counts over its own age. */
#ifndef SREBOX_CSWITCH_H
#define SREBOX_CSWITCH_H

#include "procfs.h"
#include "tasks.h"

/* cs_snap_read flags */
#define CS_TASKS 0x1		/* also read the task table */
#define CS_SWITCHES 0x2		/* ... with each task's switch counts */

struct cs_snap {
	/* Monotonic time of the /proc/stat read; the task scan follows at
	 * once, and both rates use this one clock so they agree. */
	double when;
	struct proc_stat stat;	/* required: ctxt, intr, processes, procs_* */
	size_t ncpu;		/* online CPUs: cpuN lines of /proc/stat */
	double uptime;		/* seconds; <0 unknown (uptime_err) */
	struct sbx_err uptime_err;
	bool has_load;
	struct loadavg load;	/* tasks in use: the 4th field's total */
	struct sbx_err load_err;
	bool has_threads_max, has_pid_max;
	uint64_t threads_max, pid_max;	/* kernel.threads-max, kernel.pid_max */
	struct sbx_err threads_max_err, pid_max_err;
	bool has_tasks;		/* CS_TASKS asked and /proc listed */
	struct task_table tasks;
	struct sbx_err tasks_err;
};

/* /proc/stat is required (-1, err: the load and limits are still read,
 * and nothing is left to free); everything else is optional and carries
 * its own reason. */
int cs_snap_read(struct cs_snap *s, unsigned flags, struct sbx_err *err);
void cs_snap_free(struct cs_snap *s);

/* A rate, or why there is none. */
struct cs_rate {
	bool ok;
	double v;
	const char *why;
};

struct cs_system {
	double seconds;		/* the interval, or the uptime */
	struct cs_rate ctxt, intr, forks;	/* per second */
	char why[360];		/* storage for the reasons above */
};

/* System rates over [prev, cur], or since boot when prev is NULL. */
void cs_system_rates(const struct cs_snap *cur, const struct cs_snap *prev, struct cs_system *out);

/* Tasks in use (/proc/loadavg's total, as the kubelet's pid.available
 * counts them) against min(kernel.threads-max, kernel.pid_max). */
struct cs_limit {
	bool ok;
	uint64_t used, limit;
	double ratio;		/* used / limit; above 1 after pid_max was lowered */
	const char *limited_by;	/* "kernel.pid_max" or "kernel.threads-max" */
	char why[360];
};
void cs_task_limit(const struct cs_snap *s, struct cs_limit *out);

/* The run queue over an interval.
 *
 * Time-averaged when the kernel says how long tasks waited: the runnable
 * tasks averaged over the interval are the CPU time busy (/proc/stat's
 * user, nice, system, irq, softirq and steal) plus the time tasks waited
 * on a run queue, over the time elapsed.  The waits come from
 * /proc/schedstat's run_delay (CONFIG_SCHEDSTATS: every wait, even of a
 * task that has gone), else from each task's own (tasks_share_wait:
 * srebox top, which reads every task's schedstat anyway; a task that
 * ended in the interval takes its last waits with it, and the evidence
 * says how many did).  Readings at the interval's two ends are enough.
 * Each task's waits are not enough while tasks come and go: a task that
 * ended takes up to the whole interval's wait with it, so after an
 * interval in which one started or ended the readings inside the next are taken,
 * and when more ended than a tenth of the CPUs they stand instead.  A
 * table that lacks a tenth of the kernel's tasks (a PID namespace,
 * /proc mounted hidepid) cannot stand for them: the readings again.
 *
 * Without either, procs_running is read at several points and averaged,
 * since one reading is an instant the next scheduler tick changes (a
 * lone reading flaps): cs_runq_ticks says whether those readings inside
 * the interval are wanted.  procs_blocked is always the readings'
 * average: the kernel keeps no time of it.
 *
 * srebox itself is left out: its reading thread is running while it
 * reads /proc/stat (`self` tasks a reading, 0 under --root), and its CPU
 * and wait time are taken from the time-averaged one. */
struct cs_runq_point {
	bool ok;		/* /proc/stat's cpu line and processes read */
	double when;		/* root_clock() */
	uint64_t busy;		/* USER_HZ ticks of all CPUs, as above */
	uint64_t forks;		/* /proc/stat processes */
	size_t ncpu;		/* its cpuN lines */
	/* Without has_wait: the kernel's task count (/proc/loadavg), which
	 * each task's waits must be of nearly all, not of a PID namespace's
	 * or a hidepid /proc's few. */
	bool has_threads;
	uint64_t threads;
	bool has_wait;		/* /proc/schedstat read */
	size_t wait_ncpu;
	uint64_t wait_ns;
	double self_cpu, self_wait;	/* srebox's seconds so far (live; else 0) */
};

struct cs_runq {
	unsigned n;		/* readings */
	double running, blocked;	/* sums over the readings, self left out */
	uint64_t running_max, blocked_max;
	bool has_blocked;	/* every reading had procs_blocked */
	unsigned failed;	/* readings that could not be had */
	struct sbx_err err;	/* why, the last time */
	struct cs_runq_point first, last;	/* cs_runq_read's first and latest */
	/* The latest reading (self left out), for cs_runq_restart; point: it
	 * was cs_runq_read's, with its point in first or last. */
	struct {
		bool point;
		uint64_t running, blocked;
		bool has_blocked;
	} latest;
	bool carried;		/* first is the last interval's, carried over */
};
void cs_runq_reset(struct cs_runq *q);
void cs_runq_add(struct cs_runq *q, uint64_t running, bool has_blocked, uint64_t blocked,
		 unsigned self);
/* One reading of /proc/stat's procs_running and procs_blocked into q,
 * with what the time-averaged run queue is made of. */
int cs_runq_read(struct cs_runq *q, unsigned self);
/* The next interval's run queue, begun with this one's last reading:
 * the readings at an interval's end are the next one's start, so the
 * time-averaged intervals meet, and the tick after a report takes no
 * reading of its own.  Without such a reading (a report since boot, one
 * that failed), cs_runq_reset. */
void cs_runq_restart(struct cs_runq *q);
/* An applet's tick (sbx_sampler.tick): a reading, but for the first tick
 * after cs_runq_restart, whose reading is the one carried over. */
int cs_runq_tick(struct cs_runq *q, unsigned self);
/* Whether the readings inside the interval are wanted: false when its
 * first reading shows the run queue can be time-averaged. */
bool cs_runq_ticks(const struct cs_runq *q);
/* The averages; false (and nothing set) without any reading.  blocked
 * is -1 when a reading had no procs_blocked line. */
bool cs_runq_avg(const struct cs_runq *q, double *running, double *blocked);
/* How the running average was had, for the evidence: "time-averaged over
 * 2.00s from CPU busy time and /proc/schedstat's run delay", "averaged
 * over 6 readings in 2.00s" (seconds: the interval), "one reading". */
void cs_runq_how(const struct cs_runq *q, double seconds, char *out, size_t n);
/* The readings' part alone ("averaged over 6 readings in 2.00s", "one
 * reading"): how blocked was had, and the run queue when not timed. */
void cs_runq_readings(const struct cs_runq *q, double seconds, char *out, size_t n);
/* Whether running was time-averaged (then precise, not of readings). */
bool cs_runq_timed(const struct cs_runq *q);

/* Why a task's (or process's) rate is unknown. */
enum cs_why {
	CS_OK,
	CS_NO_STATUS,		/* status unreadable: task_why(k, true) */
	CS_NO_START,		/* stat unreadable: task_why(k, false) */
	CS_NO_UPTIME,		/* since boot without /proc/uptime */
	CS_FUTURE,		/* started after the uptime read: inconsistent tree */
	CS_BACKWARDS,		/* the counter went backwards */
	CS_MAIN_ONLY,		/* no task/ directory and several threads */
	CS_YOUNG,		/* since boot, younger than the sample: no rate since start */
};

struct cs_task_rate {
	const struct task *k;	/* in cur's table */
	enum cs_why why;
	const struct task *why_task;	/* k, or its first sample when that was unreadable */
	double vol, nonvol;	/* per second */
	double age;		/* seconds since the task started; <0 unknown */
	bool born;		/* started during the interval: counted whole */
};

struct cs_proc {
	int32_t tgid;
	const struct task *leader;	/* its main thread, or its first task */
	size_t first, ntasks;	/* its tasks: rates[first .. first + ntasks) */
	int32_t threads;	/* tasks seen (or stat's count without task/) */
	enum cs_why why;	/* CS_OK, or why the sum is unknown */
	const struct task *why_task;	/* the task that made it unknown */
	double vol, nonvol;	/* per second, summed over its threads */
	double age;		/* of the process (its main thread); <0 unknown */
	size_t born, exited;	/* threads started / ended during the interval */
};

struct cs_tasks {
	struct cs_task_rate *rates;	/* one per task of cur, in table order */
	size_t nrates;
	struct cs_proc *procs;	/* one per process, in table order */
	size_t nprocs;
	double seconds;		/* the interval; 0 since boot */
	size_t threads_exited;	/* of processes still there */
	size_t procs_exited;	/* whole processes gone during the interval */
	size_t vanished;	/* exited while being read */
};

/* Rates of every task of cur, and their sums per process.  Tasks of
 * process `skip` (srebox itself on the live machine; 0: none) are left
 * out.  Since boot, a task younger than min_age seconds has no rate
 * (CS_YOUNG): its count over a few ticks of age is noise, not a rank. */
void cs_tasks_rates(const struct cs_snap *cur, const struct cs_snap *prev, int32_t skip,
		    double min_age, struct cs_tasks *out);
void cs_tasks_free(struct cs_tasks *t);

/* "/proc/42/task/43/status: permission denied", for a table cell. */
void cs_why_text(enum cs_why why, const struct task *k, char *out, size_t n);

#endif
