/* The scheduler's checks, judged once for `health` and `cswitch`: load,
 * run queue, tasks blocked on I/O, tasks in D state, context switches,
 * forks, tasks against the kernel's limit, zombies, CPU busy.  The same
 * reading gives the same state, text and perfdata in both. */
#ifndef SREBOX_JUDGE_SCHED_H
#define SREBOX_JUDGE_SCHED_H

#include "check.h"
#include "cpu_share.h"
#include "cswitch.h"

/* Tasks in D state (uninterruptible sleep: block I/O, but also NFS, FUSE,
 * locks), the first few named with the kernel function they wait in. */
#define SCHED_DNAMED 3
struct sched_dstate {
	bool ok;		/* the task table was read */
	char why[320];		/* !ok */
	bool threads;		/* counted per thread (else per process, main threads) */
	size_t n;
	size_t nnamed;
	struct {
		int32_t pid, tid;
		char comm[64];
		char wchan[96];	/* the wait channel, or why it is not known */
		bool has_wchan;
	} t[SCHED_DNAMED];
};
void sched_dstate(const struct task_table *t, bool threads, struct sched_dstate *d);
void sched_dstate_unknown(struct sched_dstate *d, const char *why);
/* "nfsd (pid 5, in rpc_wait_bit_killable), ... and 4 more" */
void sched_dstate_names(const struct sched_dstate *d, char *out, size_t n);

/* What the scheduler checks read. */
struct sched_in {
	size_t ncpu;		/* online CPUs; 0: unknown, ncpu_why says why */
	const char *ncpu_why;
	bool since_boot;
	double seconds;		/* the interval (0 since boot) */
	const struct loadavg *load;	/* NULL: unknown, load_why */
	const char *load_why;
	const struct cs_runq *rq;	/* readings over the interval (one since boot) */
	bool self_excluded;	/* srebox's own reading thread left out of each */
	const struct cs_system *sys;	/* switches and forks */
	const struct cs_limit *lim;	/* tasks against the kernel's limit */
	const struct sched_dstate *d;	/* NULL: not read */
};

void judge_load(struct sbx_report *r, const struct sched_in *in);
void judge_runqueue(struct sbx_report *r, const struct sched_in *in);
void judge_blocked(struct sbx_report *r, const struct sched_in *in);
void judge_dstate(struct sbx_report *r, const struct sched_in *in);
void judge_switches(struct sbx_report *r, const struct sched_in *in);
void judge_forks(struct sbx_report *r, const struct sched_in *in);
void judge_pids(struct sbx_report *r, const struct sched_in *in);
/* All of the above, in that order. */
void judge_sched(struct sbx_report *r, const struct sched_in *in);

/* Zombie processes; names: "a (pid 1), b (pid 2) and 3 more" or "". */
void judge_zombies(struct sbx_report *r, bool ok, size_t n, const char *names, const char *why);

/* CPU time busy over the interval (or since boot), from cpu_shares().  A
 * share of a short interval on few CPUs moves in steps of 100/ticks %:
 * the text says so rather than feign precision. */
void judge_cpu(struct sbx_report *r, const struct cpu_share *all, bool since_boot);

#endif
