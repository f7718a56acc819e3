/* CPU and memory by process; see procuse.h. */
#include "procuse.h"

#include "node.h"
#include "root.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

long cpus_present(unsigned *ids, size_t max, struct sbx_err *err)
{
	char line[4096];
	long n;

	if (root_read_line("/sys/devices/system/cpu/present", line, sizeof(line), err) < 0)
		return -1;
	n = parse_cpulist(line, ids, max);
	if (n < 0)
		sbx_err_set(err, 0, "%s: not a CPU list: '%.60s'",
			    rooted("/sys/devices/system/cpu/present"), line);
	return n;
}

void cpu_snap_read(struct cpu_snap *s, unsigned flags)
{
	memset(s, 0, sizeof(*s));
	s->when = root_clock();	/* a capture: its own clock */
	if (node_uptime(&s->uptime, &s->uptime_err) < 0)
		s->uptime = -1;
	if (flags & CPU_SNAP_STAT)
		s->has_stat = node_stat(&s->stat, &s->stat_err) == 0;
	else
		sbx_err_set(&s->stat_err, 0, "not read");
	if (flags & CPU_SNAP_TASKS)
		s->has_tasks = tasks_read(&s->tasks, flags & CPU_SNAP_BY_HAND ? TASKS_NO_LIBPROC2 : 0,
					  &s->tasks_err) == 0;
	else
		sbx_err_set(&s->tasks_err, 0, "not read");
}

bool cpu_snap_shared(struct cpu_snap *prev, struct cpu_snap *cur)
{
	struct cpu_snap *s[2] = { prev, cur };

	memset(prev, 0, sizeof(*prev));
	memset(cur, 0, sizeof(*cur));
	if (!tasks_share_pair(&prev->tasks, &prev->when, &prev->uptime, &cur->tasks, &cur->when,
			      &cur->uptime))
		return false;
	for (size_t i = 0; i < 2; i++) {
		s[i]->has_tasks = true;
		sbx_err_set(&s[i]->stat_err, 0, "not read");
		if (s[i]->uptime < 0)
			sbx_err_set(&s[i]->uptime_err, 0, "%s: not readable", rooted("/proc/uptime"));
	}
	return true;
}

void cpu_snap_free(struct cpu_snap *s)
{
	if (s->has_stat)
		proc_stat_free(&s->stat);
	if (s->has_tasks)
		tasks_free(&s->tasks);
	s->has_stat = s->has_tasks = false;
}

static double task_age(const struct cpu_snap *s, const struct task *k, double hz)
{
	if (!k->has_start || s->uptime < 0)
		return -1;
	return s->uptime - (double)k->start / hz;
}

/* The thread's ticks over the interval: false when they cannot be had. */
static bool thread_ticks(const struct cpu_snap *prev,
			 const struct task *k, double hz, uint64_t *usr, uint64_t *sys, bool *born)
{
	const struct task *p;

	*born = false;
	if (!k->has_times)
		return false;
	if (!prev) {
		*usr = k->utime;
		*sys = k->stime;
		return true;
	}
	p = tasks_find(&prev->tasks, k->tgid, k->tid);
	if (p && p->has_times && p->has_start && k->has_start && p->start == k->start) {
		if (k->utime < p->utime || k->stime < p->stime)
			return false;
		*usr = k->utime - p->utime;
		*sys = k->stime - p->stime;
		return true;
	}
	/* Not in the first reading: born since (all its time is inside the
	 * interval) when it started after that reading; else it was missed
	 * (it could not be read then), and its share is unknown. */
	if (k->has_start && prev->uptime >= 0 && (double)k->start / hz >= prev->uptime - 1.0 / hz) {
		*born = true;
		*usr = k->utime;
		*sys = k->stime;
		return true;
	}
	return false;
}

void procs_use(const struct cpu_snap *cur, const struct cpu_snap *prev, int32_t skip,
	       struct procs_use *u)
{
	const struct task_table *t = &cur->tasks;
	double hz = t->hz ? (double)t->hz : 100;
	long page = sysconf(_SC_PAGESIZE);

	memset(u, 0, sizeof(*u));
	u->since_boot = !prev;
	u->uptime = cur->uptime;
	snprintf(u->uptime_why, sizeof(u->uptime_why), "%.150s", cur->uptime_err.msg);
	/* the interval by /proc/uptime, as pidstat takes it (the readings of
	 * a tree swapped under --root are apart by its uptimes, not by when
	 * srebox read them); by the clock when uptime is unknown */
	if (prev && prev->uptime >= 0 && cur->uptime > prev->uptime)
		u->seconds = cur->uptime - prev->uptime;
	else
		u->seconds = prev ? cur->when - prev->when : 0;
	if (!cur->has_tasks)
		return;
	u->vanished = t->vanished + (prev ? prev->tasks.vanished : 0);
	u->t = xcalloc(t->n + 1, sizeof(*u->t));
	u->p = xcalloc(t->n + 1, sizeof(*u->p));
	u->nt = t->n;
	for (size_t i = 0; i < t->n;) {
		struct proc_use *p = &u->p[u->np];
		size_t j = i;
		uint64_t su = 0, ss = 0;
		bool all = true;

		memset(p, 0, sizeof(*p));
		p->pid = t->v[i].tgid;
		p->leader = &t->v[i];
		for (; j < t->n && t->v[j].tgid == p->pid; j++) {
			const struct task *k = &t->v[j];
			struct thread_use *x = &u->t[j];
			uint64_t us = 0, sy = 0;
			double secs;

			x->k = k;
			if (k->tid == k->tgid)
				p->leader = k;
			x->ok = thread_ticks(prev, k, hz, &us, &sy, &x->born);
			secs = prev ? u->seconds : task_age(cur, k, hz);
			if (x->ok && secs < (prev ? 1e-3 : PROCUSE_MIN_AGE))
				x->ok = false;
			if (!x->ok) {
				all = false;
				continue;
			}
			x->pct = (double)(us + sy) / hz / secs * 100;
			su += us;
			ss += sy;
			if (!p->top || x->pct > p->top->pct)
				p->top = x;
		}
		if (p->pid == skip) {
			for (size_t m = i; m < j; m++)
				u->t[m].ok = false;
			i = j;
			continue;
		}
		p->threads = j - i;
		p->age = task_age(cur, p->leader, hz);
		p->born = prev && u->t[p->leader - t->v].born;
		u->born += p->born;
		if (p->leader->has_rss && page > 0) {
			p->has_rss = true;
			p->rss = p->leader->rss_pages * (uint64_t)page;
			u->rss_total += p->rss;
		}
		if (!all) {
			const struct task *k = p->leader;
			double age = task_age(cur, k, hz);

			if (!k->has_times)
				p->why = PU_NO_STAT;
			else if (!prev && cur->uptime < 0)
				p->why = PU_NO_UPTIME;
			else if (!prev && age >= 0 && age < PROCUSE_MIN_AGE)
				p->why = PU_YOUNG;
			else
				p->why = prev ? PU_MISSED : PU_THREAD;
		} else if (!prev && p->age < PROCUSE_MIN_AGE) {
			p->why = PU_YOUNG;
		} else {
			double secs = prev ? u->seconds : p->age;

			p->ok = true;
			p->usr = (double)su / hz / secs * 100;
			p->sys = (double)ss / hz / secs * 100;
			p->pct = p->usr + p->sys;
		}
		u->np++;
		i = j;
	}
	if (!prev || !prev->has_tasks)
		return;
	for (size_t i = 0; i < prev->tasks.n; i++) {
		const struct task *k = &prev->tasks.v[i];
		const struct task *c = tasks_find(t, k->tgid, k->tid);

		if (c && c->start == k->start)
			continue;
		if (k->tgid == skip)
			continue;
		if (tasks_find(t, k->tgid, k->tgid))
			u->threads_exited++;
		else if (k->tid == k->tgid || k->whole_process)
			u->procs_exited++;
	}
}

void proc_use_why(const struct procs_use *u, const struct proc_use *p, char *out, size_t n)
{
	switch (p->why) {
	case PU_OK:
	case PU_SKIPPED:
		snprintf(out, n, "known");
		break;
	case PU_NO_STAT:
		task_why(p->leader, false, out, n);
		break;
	case PU_NO_UPTIME:
		snprintf(out, n, "no uptime: %s", u->uptime_why);
		break;
	case PU_YOUNG:
		snprintf(out, n, "started %.2fs ago: too young for a share since its start",
			 p->age >= 0 ? p->age : 0);
		break;
	case PU_THREAD:
		snprintf(out, n, "a thread started less than %.0fs ago, or its stat could not be read",
			 PROCUSE_MIN_AGE);
		break;
	case PU_MISSED:
		snprintf(out, n, "a thread was not in the first reading, or its counters went backwards");
		break;
	}
}

void procs_use_free(struct procs_use *u)
{
	free(u->t);
	free(u->p);
	memset(u, 0, sizeof(*u));
}

static const struct procs_use *sort_u;

static int cmp_cpu(const void *a, const void *b)
{
	const struct proc_use *x = &sort_u->p[*(const size_t *)a], *y = &sort_u->p[*(const size_t *)b];
	double kx = x->ok ? x->pct : -1, ky = y->ok ? y->pct : -1;

	if (kx != ky)
		return kx < ky ? 1 : -1;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

static int cmp_rss(const void *a, const void *b)
{
	const struct proc_use *x = &sort_u->p[*(const size_t *)a], *y = &sort_u->p[*(const size_t *)b];
	double kx = x->has_rss ? (double)x->rss : -1, ky = y->has_rss ? (double)y->rss : -1;

	if (kx != ky)
		return kx < ky ? 1 : -1;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

static size_t *order(const struct procs_use *u, size_t *n, int (*cmp)(const void *, const void *))
{
	size_t *idx = xcalloc(u->np + 1, sizeof(size_t));

	for (size_t i = 0; i < u->np; i++)
		idx[i] = i;
	sort_u = u;
	if (u->np)
		qsort(idx, u->np, sizeof(size_t), cmp);
	*n = u->np;
	return idx;
}

size_t *procs_by_cpu(const struct procs_use *u, size_t *n)
{
	return order(u, n, cmp_cpu);
}

size_t *procs_by_rss(const struct procs_use *u, size_t *n)
{
	return order(u, n, cmp_rss);
}

const struct thread_use *procs_busiest_on(const struct procs_use *u, int cpu)
{
	const struct thread_use *best = NULL;

	for (size_t i = 0; i < u->nt; i++) {
		const struct thread_use *x = &u->t[i];

		if (x->ok && x->k && x->k->processor == cpu && (!best || x->pct > best->pct))
			best = x;
	}
	return best;
}
