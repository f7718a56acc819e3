/* The scheduler probe; see cswitch.h. */
#include "cswitch.h"

#include "hung.h"
#include "root.h"

#include <errno.h>
#include <time.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void read_limits(struct cs_snap *s, struct buf *b)
{
	s->has_load = root_read("/proc/loadavg", b, &s->load_err) == 0 &&
		      parse_loadavg(b->s, b->len, rooted("/proc/loadavg"), &s->load, &s->load_err) == 0;
	s->has_threads_max = root_read_u64("/proc/sys/kernel/threads-max", &s->threads_max,
					   &s->threads_max_err) == 0;
	s->has_pid_max = root_read_u64("/proc/sys/kernel/pid_max", &s->pid_max, &s->pid_max_err) == 0;
}

int cs_snap_read(struct cs_snap *s, unsigned flags, struct sbx_err *err)
{
	struct buf b = { 0 };
	int rc = -1;

	memset(s, 0, sizeof(*s));
	s->uptime = -1;
	s->when = root_clock();	/* a capture: its own clock */
	if (root_read("/proc/stat", &b, err) < 0 ||
	    parse_stat(b.s, b.len, rooted("/proc/stat"), &s->stat, err) < 0) {
		/* The limits do not need it (health's pids check): read
		 * them all the same, nothing allocated. */
		memset(&s->stat, 0, sizeof(s->stat));
		read_limits(s, &b);
		goto out;
	}
	/* Offline CPUs have no cpuN line: the count is of online CPUs,
	 * and the per-CPU times are not needed. */
	s->ncpu = s->stat.ncpus;
	proc_stat_free(&s->stat);
	if (root_read("/proc/uptime", &b, &s->uptime_err) < 0 ||
	    parse_uptime(b.s, b.len, rooted("/proc/uptime"), &s->uptime, &s->uptime_err) < 0)
		s->uptime = -1;
	read_limits(s, &b);
	if (flags & CS_TASKS) {
		s->has_tasks = tasks_read(&s->tasks, flags & CS_SWITCHES ? TASKS_SWITCHES : 0,
					  &s->tasks_err) == 0;
	}
	rc = 0;
out:
	buf_free(&b);
	return rc;
}

void cs_snap_free(struct cs_snap *s)
{
	proc_stat_free(&s->stat);
	if (s->has_tasks)
		tasks_free(&s->tasks);
}

static void counter_rate(struct cs_rate *r, bool has_cur, uint64_t cur, const struct cs_snap *prev,
			 bool has_prev, uint64_t before, double seconds, const char *name,
			 const char *backwards)
{
	memset(r, 0, sizeof(*r));
	if (!has_cur || (prev && !has_prev)) {
		r->why = name;	/* "no 'processes' line in /proc/stat" */
		return;
	}
	if (prev && cur < before) {
		/* A new boot under the same --root, or a rewritten tree:
		 * no rate, never a negative one or 0. */
		r->why = backwards;
		return;
	}
	r->ok = true;
	r->v = (double)(cur - (prev ? before : 0)) / seconds;
}

void cs_system_rates(const struct cs_snap *cur, const struct cs_snap *prev, struct cs_system *out)
{
	const struct proc_stat *c = &cur->stat, *p = prev ? &prev->stat : NULL;

	memset(out, 0, sizeof(*out));
	out->seconds = prev ? cur->when - prev->when : cur->uptime;
	if (out->seconds <= 0) {
		/* Since boot without an uptime: no rate can be had. */
		snprintf(out->why, sizeof(out->why), "%s; use -i SECONDS",
			 prev ? "no time passed between samples" : cur->uptime_err.msg);
		out->ctxt.why = out->intr.why = out->forks.why = out->why;
		return;
	}
	counter_rate(&out->ctxt, c->has_ctxt, c->ctxt, prev, p && p->has_ctxt, p ? p->ctxt : 0,
		     out->seconds, "no 'ctxt' line in /proc/stat",
		     "/proc/stat ctxt went backwards between the readings (a reboot, or another tree?)");
	counter_rate(&out->intr, c->has_intr, c->intr, prev, p && p->has_intr, p ? p->intr : 0,
		     out->seconds, "no 'intr' line in /proc/stat",
		     "/proc/stat intr went backwards between the readings (a reboot, or another tree?)");
	counter_rate(&out->forks, c->has_processes, c->processes, prev, p && p->has_processes,
		     p ? p->processes : 0, out->seconds, "no 'processes' line in /proc/stat",
		     "/proc/stat processes went backwards between the readings (a reboot, or another "
		     "tree?)");
}

void cs_task_limit(const struct cs_snap *s, struct cs_limit *out)
{
	memset(out, 0, sizeof(*out));
	if (!s->has_load) {
		snprintf(out->why, sizeof(out->why), "%s", s->load_err.msg);
		return;
	}
	if (!s->has_threads_max || !s->has_pid_max) {
		/* With one limit unreadable the other is only an upper bound of
		 * the real one: a percentage of it would understate. */
		snprintf(out->why, sizeof(out->why), "%s",
			 !s->has_pid_max ? s->pid_max_err.msg : s->threads_max_err.msg);
		return;
	}
	out->used = s->load.tasks;
	if (s->pid_max <= s->threads_max) {
		out->limit = s->pid_max;
		out->limited_by = "kernel.pid_max";
	} else {
		out->limit = s->threads_max;
		out->limited_by = "kernel.threads-max";
	}
	if (out->limit == 0) {
		snprintf(out->why, sizeof(out->why), "%s is 0", out->limited_by);
		return;
	}
	out->ok = true;
	out->ratio = (double)out->used / (double)out->limit;
}

/* Seconds since task k started, from the uptime of the snapshot;
 * <0 when it cannot be known. */
static double task_age(const struct cs_snap *s, const struct task *k, enum cs_why *why)
{
	double start, tick = 1.0 / (double)s->tasks.hz;

	if (!k->has_start) {
		*why = CS_NO_START;
		return -1;
	}
	if (s->uptime < 0) {
		*why = CS_NO_UPTIME;
		return -1;
	}
	start = (double)k->start / (double)s->tasks.hz;
	/* A task that started in the tick of the uptime read is a tick old;
	 * one that starts a second after it belongs to another boot. */
	if (start > s->uptime + 1) {
		*why = CS_FUTURE;
		return -1;
	}
	return s->uptime - start > tick ? s->uptime - start : tick;
}

static void rate_since_boot(const struct cs_snap *cur, struct cs_task_rate *r, double min_age)
{
	const struct task *k = r->k;
	enum cs_why why = CS_OK;

	r->age = task_age(cur, k, &why);
	if (!k->has_switches) {
		r->why = CS_NO_STATUS;
		return;
	}
	if (r->age < 0) {
		r->why = why;
		return;
	}
	if (r->age < min_age) {
		r->why = CS_YOUNG;
		return;
	}
	r->vol = (double)k->vol / r->age;
	r->nonvol = (double)k->nonvol / r->age;
}

static void rate_over(const struct cs_snap *cur, const struct cs_snap *prev, double seconds,
		      struct cs_task_rate *r)
{
	const struct task *k = r->k, *was = tasks_find(&prev->tasks, k->tgid, k->tid);
	enum cs_why ignore;

	r->age = task_age(cur, k, &ignore);
	if (!k->has_switches) {
		r->why = CS_NO_STATUS;
		return;
	}
	/* The same TID with another start time is a new task that reused
	 * the number: everything it did, it did during the interval. */
	if (!was || (was->has_start && k->has_start && was->start != k->start)) {
		r->born = true;
		r->vol = (double)k->vol / seconds;
		r->nonvol = (double)k->nonvol / seconds;
		return;
	}
	if (!was->has_switches) {
		r->why = CS_NO_STATUS;
		r->why_task = was;	/* unreadable in the first sample */
		return;
	}
	/* exec() from a thread gives it the leader's TID and start time,
	 * and its own (smaller) counts. */
	if (k->vol < was->vol || k->nonvol < was->nonvol) {
		r->why = CS_BACKWARDS;
		return;
	}
	r->vol = (double)(k->vol - was->vol) / seconds;
	r->nonvol = (double)(k->nonvol - was->nonvol) / seconds;
}

/* Threads of prev that are not in cur (or were replaced by a new task
 * under the same TID): their switches after the first sample are lost
 * with them.  Counted per process of cur; whole processes separately. */
static void count_exited(const struct cs_snap *cur, const struct cs_snap *prev, int32_t skip,
			 struct cs_tasks *out)
{
	size_t p = 0;

	for (size_t i = 0; i < prev->tasks.n; i++) {
		const struct task *was = &prev->tasks.v[i];
		const struct task *now = tasks_find(&cur->tasks, was->tgid, was->tid);

		if (was->tgid == skip)
			continue;
		if (now && !(was->has_start && now->has_start && was->start != now->start))
			continue;
		while (p < out->nprocs && out->procs[p].tgid < was->tgid)
			p++;
		if (p < out->nprocs && out->procs[p].tgid == was->tgid) {
			out->procs[p].exited++;
			out->threads_exited++;
		} else if (i == 0 || prev->tasks.v[i - 1].tgid != was->tgid) {
			out->procs_exited++;
		}
	}
}

void cs_tasks_rates(const struct cs_snap *cur, const struct cs_snap *prev, int32_t skip,
		    double min_age, struct cs_tasks *out)
{
	const struct task_table *t = &cur->tasks;
	size_t aprocs = 0;

	memset(out, 0, sizeof(*out));
	if (!cur->has_tasks)
		return;
	if (prev && !prev->has_tasks)
		prev = NULL;
	out->seconds = prev ? cur->when - prev->when : 0;
	if (prev && out->seconds <= 0)
		prev = NULL, out->seconds = 0;
	out->rates = xcalloc(t->n + 1, sizeof(*out->rates));
	out->vanished = t->vanished;
	for (size_t i = 0; i < t->n; i++) {
		const struct task *k = &t->v[i];
		struct cs_task_rate *r;
		struct cs_proc *pr;

		if (k->tgid == skip)
			continue;
		r = &out->rates[out->nrates];
		r->k = r->why_task = k;
		if (prev)
			rate_over(cur, prev, out->seconds, r);
		else
			rate_since_boot(cur, r, min_age);
		/* A new process, or the next task of the current one. */
		if (!out->nprocs || out->procs[out->nprocs - 1].tgid != k->tgid) {
			ALLOC_GROW(out->procs, out->nprocs + 1, aprocs);
			pr = &out->procs[out->nprocs++];
			memset(pr, 0, sizeof(*pr));
			pr->tgid = k->tgid;
			pr->first = out->nrates;
			pr->leader = k;
			pr->age = -1;
		}
		pr = &out->procs[out->nprocs - 1];
		pr->ntasks++;
		if (k->tid == k->tgid) {
			pr->leader = k;
			pr->age = r->age;
		}
		if (r->born)
			pr->born++;
		if (pr->why == CS_OK && r->why != CS_OK) {
			pr->why = r->why;
			pr->why_task = r->why_task;
		}
		pr->vol += r->vol;
		pr->nonvol += r->nonvol;
		out->nrates++;
	}
	for (size_t p = 0; p < out->nprocs; p++) {
		struct cs_proc *pr = &out->procs[p];

		pr->threads = (int32_t)pr->ntasks;
		if (pr->leader->whole_process) {
			pr->threads = pr->leader->nlwp;
			/* Its own status counts its main thread only
			 * (opentelemetry-collector-contrib#36804). */
			if (pr->leader->nlwp != 1 && pr->leader->has_switches) {
				pr->why = CS_MAIN_ONLY;
				pr->why_task = pr->leader;
			}
		}
	}
	if (prev)
		count_exited(cur, prev, skip, out);
}

void cs_tasks_free(struct cs_tasks *t)
{
	free(t->rates);
	free(t->procs);
	memset(t, 0, sizeof(*t));
}

void cs_why_text(enum cs_why why, const struct task *k, char *out, size_t n)
{
	switch (why) {
	case CS_OK:
		snprintf(out, n, "known");
		return;
	case CS_NO_STATUS:
		task_why(k, true, out, n);
		return;
	case CS_NO_START:
		task_why(k, false, out, n);
		return;
	case CS_NO_UPTIME:
		snprintf(out, n, "%s unreadable: no age, no rate since start; use -i SECONDS",
			 rooted("/proc/uptime"));
		return;
	case CS_FUTURE:
		snprintf(out, n, "%s: starts after %s (snapshots from different times?)",
			 rootedf("/proc/%d/task/%d/stat", (int)k->tgid, (int)k->tid),
			 rooted("/proc/uptime"));
		return;
	case CS_BACKWARDS:
		snprintf(out, n, "switch counts went backwards (exec from a thread?)");
		return;
	case CS_YOUNG:
		snprintf(out, n, "started less than a sample ago: no rate since start; -i SECONDS "
			 "measures it");
		return;
	case CS_MAIN_ONLY:
		if (k->nlwp < 0)
			snprintf(out, n, "%s missing and thread count unknown: its status counts "
				 "the main thread only", rootedf("/proc/%d/task", (int)k->tgid));
		else
			snprintf(out, n, "%s missing: its status counts the main thread only, of %d",
				 rootedf("/proc/%d/task", (int)k->tgid), (int)k->nlwp);
		return;
	}
	snprintf(out, n, "unknown");
}

void cs_runq_reset(struct cs_runq *q)
{
	memset(q, 0, sizeof(*q));
	q->has_blocked = true;
}

void cs_runq_add(struct cs_runq *q, uint64_t running, bool has_blocked, uint64_t blocked,
		 unsigned self)
{
	running = running > self ? running - self : 0;
	q->latest.point = false;
	q->latest.running = running;
	q->latest.blocked = blocked;
	q->latest.has_blocked = has_blocked;
	q->n++;
	q->running += (double)running;
	if (running > q->running_max)
		q->running_max = running;
	if (!has_blocked) {
		q->has_blocked = false;
		return;
	}
	q->blocked += (double)blocked;
	if (blocked > q->blocked_max)
		q->blocked_max = blocked;
}

/* srebox's own CPU seconds, all threads, and the reading thread's
 * seconds waiting for a CPU: left out of the time-averaged run queue. */
static void self_times(struct cs_runq_point *p)
{
	struct timespec ts;
	struct task_schedstat ss;
	struct sbx_err e;
	struct buf b = { 0 };

	if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) == 0)
		p->self_cpu = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	if (read_file("/proc/thread-self/schedstat", &b, 4096, &e) == 0 &&
	    parse_task_schedstat(b.s, b.len, "/proc/thread-self/schedstat", &ss, &e) == 0)
		p->self_wait = (double)ss.wait_ns / 1e9;
	buf_free(&b);
}

/* The live kernel built without CONFIG_SCHEDSTATS has no /proc/schedstat,
 * and will not have one later: looked for once, not at each reading.  A
 * tree (--root) is looked at each time: a capture's next may have it. */
static bool live_no_schedstat(void)
{
	static int none = -1;
	struct stat st;

	if (!root_is_live())
		return false;
	if (none < 0)
		none = root_stat("/proc/schedstat", &st) < 0 && errno == ENOENT;
	return none;
}

static void read_point(struct cs_runq_point *p, const struct proc_stat *st, struct buf *b)
{
	struct sched_cpus sc;
	struct sbx_err e;

	memset(p, 0, sizeof(*p));
	p->when = root_clock();
	p->ok = st->all.nfields >= 3 && st->has_processes;
	for (unsigned i = 0; p->ok && i < st->all.nfields; i++)
		if (i != CPU_IDLE && i != CPU_IOWAIT && i != CPU_GUEST && i != CPU_GUEST_NICE)
			p->busy += st->all.t[i];	/* guest time is in user's already */
	p->forks = st->processes;
	p->ncpu = st->ncpus;
	if (!live_no_schedstat() && root_read("/proc/schedstat", b, &e) == 0 &&
	    parse_schedstat(b->s, b->len, "/proc/schedstat", &sc, &e) == 0) {
		p->has_wait = true;
		p->wait_ncpu = sc.ncpu;
		p->wait_ns = sc.wait_ns;
	} else {
		struct loadavg la;

		p->has_threads = root_read("/proc/loadavg", b, &e) == 0 &&
				 parse_loadavg(b->s, b->len, "/proc/loadavg", &la, &e) == 0;
		p->threads = p->has_threads ? la.tasks : 0;
	}
	if (root_is_live())
		self_times(p);
}

int cs_runq_read(struct cs_runq *q, unsigned self)
{
	struct buf b = { 0 };
	struct proc_stat st;

	q->carried = false;
	q->latest.point = false;

	if (root_read("/proc/stat", &b, &q->err) < 0 ||
	    parse_stat_head(b.s, b.len, rooted("/proc/stat"), &st, &q->err) < 0) {
		q->failed++;
		buf_free(&b);
		return -1;
	}
	if (!st.has_running) {
		sbx_err_set(&q->err, 0, "%s: no procs_running line (kernel before 2.5.45)",
			    rooted("/proc/stat"));
		q->failed++;
		proc_stat_free(&st);
		buf_free(&b);
		return -1;
	}
	cs_runq_add(q, st.procs_running, st.has_blocked, st.procs_blocked, self);
	read_point(q->n == 1 ? &q->first : &q->last, &st, &b);
	q->latest.point = true;
	proc_stat_free(&st);
	buf_free(&b);
	return 0;
}

void cs_runq_restart(struct cs_runq *q)
{
	struct cs_runq_point p = q->n == 1 ? q->first : q->last;
	bool keep = q->latest.point;	/* cs_runq_read's, which counted it */
	uint64_t running = q->latest.running, blocked = q->latest.blocked;
	bool has_blocked = q->latest.has_blocked;

	cs_runq_reset(q);
	if (!keep)
		return;
	cs_runq_add(q, running, has_blocked, blocked, 0);	/* self left out already */
	q->first = p;
	q->latest.point = true;
	q->carried = true;
}

int cs_runq_tick(struct cs_runq *q, unsigned self)
{
	if (q->carried) {
		q->carried = false;
		return 0;
	}
	return cs_runq_read(q, self);
}

/* The table has nearly every task the kernel has (cswitch.h). */
static bool all_tasks(const struct cs_runq_point *p, const struct task_waits *w)
{
	return p->has_threads && (double)w->tasks >= 0.9 * (double)p->threads;
}

bool cs_runq_ticks(const struct cs_runq *q)
{
	struct task_waits w;

	if (!q->n || !q->first.ok)
		return true;
	if (q->first.has_wait)
		return false;
	/* each task's: the last interval's comings and goings foretell this one's */
	return !tasks_share_waits_known() || !tasks_share_wait(&w) || w.ended || w.born ||
	       !all_tasks(&q->first, &w);
}

/* The time-averaged run queue over q's first and last readings; false
 * when it cannot be had (then the readings' average stands). */
static bool timed(const struct cs_runq *q, double *running, char *how, size_t n)
{
	const struct cs_runq_point *a = &q->first, *b = &q->last;
	long hz = sysconf(_SC_CLK_TCK);
	double dt = b->when - a->when, wait, self, r;
	struct task_waits w;

	if (q->n < 2 || !a->ok || !b->ok || !(dt > 0) || b->busy < a->busy || hz <= 0)
		return false;
	self = (b->self_cpu - a->self_cpu);
	if (a->has_wait && b->has_wait && a->wait_ncpu == b->wait_ncpu && b->wait_ns >= a->wait_ns) {
		wait = (double)(b->wait_ns - a->wait_ns) / 1e9;
		self += b->self_wait - a->self_wait;
		snprintf(how, n, "time-averaged over %.2fs from CPU busy time and /proc/schedstat's "
			 "run delay", dt);
	} else if (tasks_share_wait(&w) && all_tasks(b, &w)) {
		uint64_t forks = b->forks >= a->forks ? b->forks - a->forks : 0;
		size_t gone = w.ended + (forks > w.born ? (size_t)forks - w.born : 0);
		int k;

		/* each gone task may take up to 1 from the average: more than
		 * 0.1 a CPU in all, and the readings inside it stand */
		if (q->n > 2 && gone * 10 > b->ncpu)
			return false;
		k = snprintf(how, n, "time-averaged over %.2fs from CPU busy time and each "
				 "task's run delay", dt);

		/* a task that ended in it, or came and went, took its waits */
		if (gone && k > 0 && (size_t)k < n)
			snprintf(how + k, n - (size_t)k, "; %zu task%s ended in it, %s last waits "
				 "not counted", gone, plural(gone, "s"), gone == 1 ? "its" : "their");
		wait = w.seconds;	/* srebox's own tasks left out */
	} else {
		return false;
	}
	r = ((double)(b->busy - a->busy) / (double)hz + wait - self) / dt;
	*running = r > 0 ? r : 0;
	return true;
}

bool cs_runq_timed(const struct cs_runq *q)
{
	double r;
	char how[160];

	return timed(q, &r, how, sizeof(how));
}

void cs_runq_readings(const struct cs_runq *q, double seconds, char *out, size_t n)
{
	if (q->n > 1)
		snprintf(out, n, "averaged over %u readings in %.2fs", q->n, seconds);
	else
		snprintf(out, n, "one reading");
}

void cs_runq_how(const struct cs_runq *q, double seconds, char *out, size_t n)
{
	double r;

	if (!timed(q, &r, out, n))
		cs_runq_readings(q, seconds, out, n);
}

bool cs_runq_avg(const struct cs_runq *q, double *running, double *blocked)
{
	char how[160];

	if (!q->n)
		return false;
	if (!timed(q, running, how, sizeof(how)))
		*running = q->running / q->n;
	*blocked = q->has_blocked ? q->blocked / q->n : -1;
	return true;
}
