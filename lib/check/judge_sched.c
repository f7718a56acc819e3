/* The scheduler's checks; see judge_sched.h. */
#include "judge_sched.h"

#include <stdio.h>
#include <string.h>

void sched_dstate(const struct task_table *t, bool threads, struct sched_dstate *d)
{
	memset(d, 0, sizeof(*d));
	d->ok = true;
	d->threads = threads;
	for (size_t i = 0; i < t->n; i++) {
		const struct task *k = &t->v[i];

		if (k->state != 'D')
			continue;
		if (d->nnamed < SCHED_DNAMED) {
			typeof(d->t[0]) *x = &d->t[d->nnamed++];

			x->pid = k->tgid;
			x->tid = k->tid;
			snprintf(x->comm, sizeof(x->comm), "%s", k->has_name ? k->comm : "?");
			x->has_wchan = task_wchan(k, x->wchan, sizeof(x->wchan));
		}
		d->n++;
	}
}

void sched_dstate_unknown(struct sched_dstate *d, const char *why)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->why, sizeof(d->why), "%s", why);
}

void sched_dstate_names(const struct sched_dstate *d, char *out, size_t n)
{
	struct buf b = { 0 };

	for (size_t i = 0; i < d->nnamed; i++) {
		buf_addf(&b, "%s%s (pid %d", i ? ", " : "", d->t[i].comm, (int)d->t[i].pid);
		if (d->t[i].tid != d->t[i].pid)
			buf_addf(&b, " thread %d", (int)d->t[i].tid);
		buf_addf(&b, ", %s%s)", d->t[i].has_wchan ? "in " : "", d->t[i].wchan);
	}
	if (d->n > d->nnamed)
		buf_addf(&b, " and %zu more", d->n - d->nnamed);
	snprintf(out, n, "%s", b.len ? b.s : "");
	buf_free(&b);
}

/* ", averaged over 6 readings in 0.50s" or ", one reading"; with timed,
 * how the run queue was time-averaged when it was (cs_runq_how) */
static void readings(const struct sched_in *in, bool timed, char *out, size_t n)
{
	out[0] = ',';
	out[1] = ' ';
	(timed ? cs_runq_how : cs_runq_readings)(in->rq, in->seconds, out + 2, n - 2);
}

/* The decimals of an average: none for one reading's whole tasks. */
static int decimals(const struct cs_runq *q)
{
	return q->n > 1 ? 1 : 0;
}

void judge_load(struct sbx_report *r, const struct sched_in *in)
{
	const struct loadavg *la = in->load;
	struct buf b = { 0 };
	double run, blk;
	char names[400];

	if (!la) {
		check_unknown(r, CHK_LOAD, NULL, "load: %s", in->load_why);
		return;
	}
	if (!in->ncpu) {
		check_unknown(r, CHK_LOAD, NULL, "load %.2f, per CPU unknown: %s", la->load1,
			      in->ncpu_why);
		return;
	}
	/* What the load is made of now: Linux counts runnable and
	 * uninterruptible tasks, so a high load with idle CPUs is D state. */
	if (in->rq && cs_runq_avg(in->rq, &run, &blk)) {
		int dec = decimals(in->rq);

		buf_addf(&b, "; the load counts runnable and uninterruptible tasks: now %.*f runnable",
			 dec, run);
		if (blk >= 0)
			buf_addf(&b, ", %.*f blocked on block I/O", dec, blk);
		/* none in D state: nothing to explain (the dstate line says 0) */
		if (in->d && in->d->ok && in->d->n) {
			buf_addf(&b, ", %zu %s in D state", in->d->n,
				 in->d->threads ? (in->d->n == 1 ? "thread" : "threads")
						: (in->d->n == 1 ? "process" : "processes"));
			sched_dstate_names(in->d, names, sizeof(names));
			buf_addf(&b, ": %s", names);
		}
	}
	check_value(r, CHK_LOAD, NULL, la->load1 / (double)in->ncpu,
		    "load %.2f on %zu CPU%s: %.2f per CPU (5m %.2f, 15m %.2f)%s", la->load1, in->ncpu,
		    plural(in->ncpu, "s"),
		    la->load1 / (double)in->ncpu, la->load5, la->load15, b.len ? b.s : "");
	buf_free(&b);
}

void judge_runqueue(struct sbx_report *r, const struct sched_in *in)
{
	double run, blk;
	char how[200];

	if (!in->ncpu) {
		check_unknown(r, CHK_RUNQUEUE, NULL, "run queue: per CPU unknown: %s", in->ncpu_why);
		return;
	}
	if (!in->rq || !cs_runq_avg(in->rq, &run, &blk)) {
		check_unknown(r, CHK_RUNQUEUE, NULL, "run queue: %s",
			      in->rq && in->rq->failed ? in->rq->err.msg : "no reading of procs_running");
		return;
	}
	readings(in, true, how, sizeof(how));
	check_value(r, CHK_RUNQUEUE, NULL, run / (double)in->ncpu,
		    "%.*f runnable on %zu CPU%s: %.2f per CPU (run queue at most %llu%s%s%s)",
		    decimals(in->rq), run, in->ncpu, plural(in->ncpu, "s"), run / (double)in->ncpu,
		    (unsigned long long)in->rq->running_max,
		    cs_runq_timed(in->rq) ? (in->rq->n == 2 ? " at the interval's ends" : " in its readings") : "",
		    how, in->self_excluded ? "; srebox itself not counted" : "");
}

void judge_blocked(struct sbx_report *r, const struct sched_in *in)
{
	double run, blk;
	char how[200];

	if (!in->rq || !cs_runq_avg(in->rq, &run, &blk)) {
		check_unknown(r, CHK_BLOCKED, NULL, "blocked: %s",
			      in->rq && in->rq->failed ? in->rq->err.msg : "no reading of procs_blocked");
		return;
	}
	if (blk < 0) {
		check_unknown(r, CHK_BLOCKED, NULL,
			      "blocked: no procs_blocked line in /proc/stat (kernel before 2.5.45)");
		return;
	}
	if (!in->ncpu) {
		check_unknown(r, CHK_BLOCKED, NULL, "blocked: per CPU unknown: %s", in->ncpu_why);
		return;
	}
	readings(in, false, how, sizeof(how));	/* blocked has no time of its own */
	check_value(r, CHK_BLOCKED, NULL, blk / (double)in->ncpu,
		    "%.*f task%s blocked on block I/O on %zu CPU%s: %.2f per CPU (vmstat b, at most "
		    "%llu%s)", decimals(in->rq), blk, in->rq->n == 1 && blk == 1 ? "" : "s",
		    in->ncpu, plural(in->ncpu, "s"), blk / (double)in->ncpu,
		    (unsigned long long)in->rq->blocked_max, how);
}

void judge_dstate(struct sbx_report *r, const struct sched_in *in)
{
	char names[400];
	const char *unit;

	if (!in->d)
		return;
	if (!in->d->ok) {
		check_unknown(r, CHK_DSTATE, NULL, "D state: %s", in->d->why);
		return;
	}
	unit = in->d->threads ? (in->d->n == 1 ? "thread" : "threads")
			      : (in->d->n == 1 ? "process" : "processes");
	sched_dstate_names(in->d, names, sizeof(names));
	check_value(r, CHK_DSTATE, NULL, (double)in->d->n,
		    "%zu %s in D state (uninterruptible: block I/O, NFS, FUSE, locks)%s%s", in->d->n,
		    unit, in->d->n ? ": " : "", names);
}

void judge_switches(struct sbx_report *r, const struct sched_in *in)
{
	const struct cs_rate *cs = &in->sys->ctxt;

	if (!cs->ok)
		check_unknown(r, CHK_SWITCHES, NULL, "switches: %s", cs->why);
	else if (!in->ncpu)
		check_unknown(r, CHK_SWITCHES, NULL, "switches %.0f/s, per CPU unknown: %s", cs->v,
			      in->ncpu_why);
	else
		check_value(r, CHK_SWITCHES, NULL, cs->v / (double)in->ncpu,
			    "%.0f context switches/s per CPU (%.0f/s on %zu CPU%s%s)",
			    cs->v / (double)in->ncpu, cs->v, in->ncpu, plural(in->ncpu, "s"),
			    in->since_boot ? ", averaged since boot" : "");
}

void judge_forks(struct sbx_report *r, const struct sched_in *in)
{
	const struct cs_rate *f = &in->sys->forks;

	if (!f->ok)
		check_unknown(r, CHK_FORKS, NULL, "forks: %s", f->why);
	else
		check_value(r, CHK_FORKS, NULL, f->v, "%.1f forks/s%s", f->v,
			    in->since_boot ? ", averaged since boot" : "");
}

void judge_pids(struct sbx_report *r, const struct sched_in *in)
{
	const struct cs_limit *l = in->lim;

	if (!l->ok)
		check_unknown(r, CHK_PIDS, NULL, "pids: %s", l->why);
	else
		check_value(r, CHK_PIDS, NULL, l->ratio * 100,
			    "tasks %llu of %llu (%.1f%%, the limit of %s; kubelet pid.available %lld)",
			    (unsigned long long)l->used, (unsigned long long)l->limit, l->ratio * 100,
			    l->limited_by,
			    (long long)l->limit - (long long)l->used);
}

void judge_sched(struct sbx_report *r, const struct sched_in *in)
{
	judge_load(r, in);
	judge_runqueue(r, in);
	judge_blocked(r, in);
	judge_dstate(r, in);
	judge_switches(r, in);
	judge_forks(r, in);
	judge_pids(r, in);
}

void judge_zombies(struct sbx_report *r, bool ok, size_t n, const char *names, const char *why)
{
	if (!ok)
		check_unknown(r, CHK_ZOMBIES, NULL, "zombies: %s", why);
	else
		check_value(r, CHK_ZOMBIES, NULL, (double)n, "%zu zombie process%s%s%s", n,
			    n == 1 ? "" : "es", names && names[0] ? ": " : "", names ? names : "");
}

void judge_cpu(struct sbx_report *r, const struct cpu_share *all, bool since_boot)
{
	double step;

	if (!all->ok) {
		check_unknown(r, CHK_CPU, NULL, "CPU busy: %s", all->why);
		return;
	}
	if (since_boot) {
		check_value(r, CHK_CPU, NULL, all->busy, "CPU %.0f%% busy (average since boot)",
			    all->busy);
		return;
	}
	/* 0.5 s on 2 CPUs at 100 Hz is 100 ticks: 1% steps */
	step = all->ticks > 0 ? 100.0 / all->ticks : 100;
	if (step >= 0.5)
		check_value(r, CHK_CPU, NULL, all->busy,
			    "CPU %.0f%% busy (to within %.0f%%: %.0f ticks sampled)%s%s", all->busy,
			    step < 1 ? 1 : step, all->ticks, all->why[0] ? "; " : "", all->why);
	else
		check_value(r, CHK_CPU, NULL, all->busy, "CPU %.1f%% busy%s%s", all->busy,
			    all->why[0] ? "; " : "", all->why);
}
