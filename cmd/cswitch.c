/* srebox cswitch: how often the node switches tasks, takes interrupts and
 * forks; whether more tasks want a CPU than there are CPUs; which
 * processes (or threads) switch the most; and how close the node is to
 * the kernel's limit on tasks.  Replaces `vmstat 1`, `pidstat -w` and
 * `ps -eLf | wc -l`. */
#include "applet.h"
#include "top.h"
#include "cswitch.h"
#include "judge_sched.h"
#include "root.h"
#include "sample.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool o_threads, o_all, o_no_tasks;
static const char *o_sort = "total";
static struct opt_list o_pids;

static const struct sbx_opt cs_opts[] = {
	/* -t is --timeout in the other node-local applets */
	{ 'T', "threads", OPT_FLAG, &o_threads, NULL,
	  "one row per thread instead of per process", NULL, NULL, NULL, 't' },
	{ 'a', "all", OPT_FLAG, &o_all, NULL,
	  "list every task, not only the busiest 20 (and 10 by threads)", NULL, NULL },
	{ 's', "sort", OPT_CHOICE, &o_sort, "KEY",
	  "order tasks by total, voluntary or involuntary switches/s", "total voluntary involuntary",
	  NULL },
	{ 'p', "pid", OPT_LIST, &o_pids, "PID[,PID...]",
	  "show only these processes in the task tables (repeatable)", NULL, NULL },
	{ 0, "no-tasks", OPT_FLAG, &o_no_tasks, NULL,
	  "system figures only: skip reading every task (fast on a node with 100k threads)", NULL,
	  NULL },
	OPT_END,
};

static const enum sbx_check_id cs_checks[] = {
	CHK_SWITCHES, CHK_RUNQUEUE, CHK_BLOCKED, CHK_PIDS, CHK_FORKS, CHK_LOAD, CHK_DSTATE,
	CHK_TASKS, CHK_N,
};

enum { Y_CS, Y_CSCPU, Y_INTR, Y_FORKS, Y_RUN, Y_BLOCKED, Y_CPUS, Y_LOAD1, Y_TASKS, Y_LIMIT,
       Y_USED, Y_CTXT, Y_INTRT, Y_FORKST, Y_TMAX, Y_PMAX, Y_NCOLS };

static const struct sbx_col sys_cols[] = {
	[Y_CS] = { "CS/s", "context_switches_per_second", CT_RATE, 0,
		   "cswitch_context_switches_per_second",
		   "Context switches per second over the interval (or since boot)." },
	[Y_CSCPU] = { "CS/s/CPU", "context_switches_per_second_per_cpu", CT_RATE },
	[Y_INTR] = { "INTR/s", "interrupts_per_second", CT_RATE, 0, "cswitch_interrupts_per_second",
		     "Interrupts per second over the interval (or since boot)." },
	[Y_FORKS] = { "FORKS/s", "forks_per_second", CT_RATE, 0, "cswitch_forks_per_second",
		      "New tasks (forks and clones) per second over the interval (or since boot)." },
	[Y_RUN] = { "RUNNING", "procs_running", CT_COUNT, 0, "cswitch_procs_running",
		    "Runnable tasks (running or waiting for a CPU) at the sample." },
	[Y_BLOCKED] = { "BLOCKED", "procs_blocked", CT_COUNT, 0, "cswitch_procs_blocked",
			"Tasks blocked waiting for I/O at the sample." },
	[Y_CPUS] = { "CPUS", "cpus_online", CT_COUNT, 0, "cswitch_cpus_online",
		     "Online CPUs (the cpuN lines of /proc/stat)." },
	[Y_LOAD1] = { "LOAD1", "load1", CT_NUM, COL_WIDE },
	[Y_TASKS] = { "TASKS", "tasks", CT_COUNT, 0, "cswitch_tasks",
		      "Tasks (threads) on the node: the total of /proc/loadavg's 4th field." },
	[Y_LIMIT] = { "LIMIT", "tasks_limit", CT_COUNT, 0, "cswitch_tasks_limit",
		      "The most tasks the kernel allows: min(kernel.threads-max, kernel.pid_max)." },
	[Y_USED] = { "USED", "tasks_used_ratio", CT_RATIO, 0, "cswitch_tasks_used_ratio",
		     "Tasks in use as a share of the limit." },
	[Y_CTXT] = { "CTXT", "context_switches_total", CT_COUNT, COL_WIDE | COL_COUNTER,
		     "cswitch_context_switches_total", "Context switches since boot." },
	[Y_INTRT] = { "INTR", "interrupts_total", CT_COUNT, COL_WIDE | COL_COUNTER,
		      "cswitch_interrupts_total", "Interrupts since boot." },
	[Y_FORKST] = { "FORKS", "forks_total", CT_COUNT, COL_WIDE | COL_COUNTER,
		       "cswitch_forks_total", "Forks since boot." },
	[Y_TMAX] = { "THREADS-MAX", "threads_max", CT_COUNT, COL_WIDE, "cswitch_threads_max",
		     "kernel.threads-max." },
	[Y_PMAX] = { "PID-MAX", "pid_max", CT_COUNT, COL_WIDE, "cswitch_pid_max",
		     "kernel.pid_max." },
};

/* Task rows: no Prometheus metrics, since PIDs as labels would make a new
 * series for every process that ever ran. */
enum { T_PID, T_TID, T_COMM, T_VOL, T_NONVOL, T_TOTAL, T_THREADS, T_AGE, T_STATE, T_VOLT,
       T_NONVOLT, T_BORN, T_EXITED, T_NCOLS };

static const struct sbx_col proc_cols[] = {
	[T_PID] = { "PID", "pid", CT_INT, COL_LABEL },
	[T_TID] = { "TID", "tid", CT_INT, COL_HIDE },
	[T_COMM] = { "COMMAND", "command", CT_STR },
	[T_VOL] = { "VOL/s", "voluntary_per_second", CT_RATE },
	[T_NONVOL] = { "INVOL/s", "involuntary_per_second", CT_RATE },
	[T_TOTAL] = { "TOTAL/s", "switches_per_second", CT_RATE },
	[T_THREADS] = { "THREADS", "threads", CT_INT },
	[T_AGE] = { "AGE", "age_seconds", CT_SECONDS },
	[T_STATE] = { "STATE", "state", CT_STR, COL_WIDE },
	[T_VOLT] = { "VOLUNTARY", "voluntary_total", CT_COUNT, COL_WIDE },
	[T_NONVOLT] = { "INVOLUNTARY", "involuntary_total", CT_COUNT, COL_WIDE },
	[T_BORN] = { "BORN", "threads_born", CT_INT, COL_WIDE },
	[T_EXITED] = { "EXITED", "threads_exited", CT_INT, COL_WIDE },
};

static const struct sbx_col thread_cols[] = {
	[T_PID] = { "PID", "pid", CT_INT, COL_LABEL },
	[T_TID] = { "TID", "tid", CT_INT, COL_LABEL },
	[T_COMM] = { "COMMAND", "command", CT_STR },
	[T_VOL] = { "VOL/s", "voluntary_per_second", CT_RATE },
	[T_NONVOL] = { "INVOL/s", "involuntary_per_second", CT_RATE },
	[T_TOTAL] = { "TOTAL/s", "switches_per_second", CT_RATE },
	[T_THREADS] = { "THREADS", "threads", CT_INT, COL_HIDE },
	[T_AGE] = { "AGE", "age_seconds", CT_SECONDS },
	[T_STATE] = { "STATE", "state", CT_STR, COL_WIDE },
	[T_VOLT] = { "VOLUNTARY", "voluntary_total", CT_COUNT, COL_WIDE },
	[T_NONVOLT] = { "INVOLUNTARY", "involuntary_total", CT_COUNT, COL_WIDE },
	[T_BORN] = { "BORN", "born", CT_BOOL, COL_WIDE },
	[T_EXITED] = { "EXITED", "exited", CT_INT, COL_HIDE },
};

enum { N_PID, N_COMM, N_THREADS, N_SHARE, N_NCOLS };

static const struct sbx_col nthreads_cols[] = {
	[N_PID] = { "PID", "pid", CT_INT, COL_LABEL },
	[N_COMM] = { "COMMAND", "command", CT_STR },
	[N_THREADS] = { "THREADS", "threads", CT_INT },
	[N_SHARE] = { "SHARE", "share_of_tasks_ratio", CT_RATIO },
};

/* -p: the selected processes, parsed once. */
static int32_t *sel_pids;
static size_t nsel;

static int parse_pids(void)
{
	for (size_t i = 0; i < o_pids.n; i++) {
		char *copy = xstrdup(o_pids.v[i]), *save = NULL;

		for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			uint64_t v;

			if (!parse_u64(tok, &v) || v == 0 || v > INT32_MAX) {
				warnx_("cswitch: --pid: '%s' is not a process id", tok);
				free(copy);
				return -1;
			}
			sel_pids = xreallocarray(sel_pids, nsel + 1, sizeof(*sel_pids));
			sel_pids[nsel++] = (int32_t)v;
		}
		free(copy);
	}
	return 0;
}

static bool in_pipeline(int32_t tgid);

/* srebox's pipeline on the live machine (`srebox cswitch | head`): the
 * processes the same shell forked with it and joined to it by pipes,
 * directly or through each other (`a | srebox | b | c`).  They are there
 * because srebox runs, not because the node is busy.  A sibling that only
 * started at the same moment is not hidden (a start time alone took a
 * ping-pong pair the test had started a few milliseconds earlier); one
 * whose fds cannot be read is not hidden either. */
static int32_t *pipe_pids;
static size_t npipe;

#define MAX_PIPES 64

/* The pipe inode behind fd FD of PID (0: self), or 0. */
static unsigned long fd_pipe(int32_t pid, int fd)
{
	char path[64], link[64];
	unsigned long ino;
	ssize_t n;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, fd);
	else
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return 0;
	link[n] = '\0';
	if (sscanf(link, "pipe:[%lu]", &ino) != 1)
		return 0;
	return ino;
}

static bool known_pipe(const unsigned long *v, size_t n, unsigned long ino)
{
	for (size_t i = 0; ino && i < n; i++)
		if (v[i] == ino)
			return true;
	return false;
}

static void add_pipe(unsigned long *v, size_t *n, unsigned long ino)
{
	if (ino && *n < MAX_PIPES && !known_pipe(v, *n, ino))
		v[(*n)++] = ino;
}

static void find_pipeline(const struct cs_snap *s)
{
	/* the pipes the pipeline's members read (their stdin) and write
	 * (their stdout): a sibling joins when it writes one a member reads,
	 * or reads one a member writes; one that shares the shell's stdin
	 * with srebox does not */
	unsigned long reads[MAX_PIPES], writes[MAX_PIPES];
	size_t nreads = 0, nwrites = 0;
	const struct task *me;
	bool grew;
	/* a shell forks a pipeline's members together: a second apart at most,
	 * on a loaded node */
	uint64_t window = s->tasks.hz;

	free(pipe_pids);
	pipe_pids = NULL;
	npipe = 0;
	if (!root_is_live() || !s->has_tasks)
		return;
	me = tasks_find(&s->tasks, (int32_t)getpid(), (int32_t)getpid());
	if (!me || !me->has_start || me->ppid <= 1)
		return;
	add_pipe(reads, &nreads, fd_pipe(0, STDIN_FILENO));
	add_pipe(writes, &nwrites, fd_pipe(0, STDOUT_FILENO));
	if (!nreads && !nwrites)
		return;
	do {
		grew = false;
		for (size_t i = 0; i < s->tasks.n; i++) {
			const struct task *k = &s->tasks.v[i];
			unsigned long in, out;

			if (k->tid != k->tgid || k->tgid == me->tgid || k->ppid != me->ppid ||
			    !k->has_start || k->start + window < me->start ||
			    k->start > me->start + window || in_pipeline(k->tgid))
				continue;
			in = fd_pipe(k->tgid, STDIN_FILENO);
			out = fd_pipe(k->tgid, STDOUT_FILENO);
			if (!known_pipe(writes, nwrites, in) && !known_pipe(reads, nreads, out))
				continue;
			add_pipe(reads, &nreads, in);
			add_pipe(writes, &nwrites, out);
			pipe_pids = xreallocarray(pipe_pids, npipe + 1, sizeof(*pipe_pids));
			pipe_pids[npipe++] = k->tgid;
			grew = true;
		}
	} while (grew);
}

static bool in_pipeline(int32_t tgid)
{
	for (size_t i = 0; i < npipe; i++)
		if (pipe_pids[i] == tgid)
			return true;
	return false;
}

static bool selected(int32_t tgid)
{
	if (in_pipeline(tgid))
		return false;
	if (!nsel)
		return true;
	for (size_t i = 0; i < nsel; i++)
		if (sel_pids[i] == tgid)
			return true;
	return false;
}

static void rate_cell(struct sbx_cell *c, const struct cs_rate *r)
{
	if (r->ok)
		cell_num(c, r->v);
	else
		cell_unknown(c, r->why);
}

static void count_cell(struct sbx_cell *c, bool known, uint64_t v, const char *why)
{
	if (known)
		cell_u64(c, v);
	else
		cell_unknown(c, why);
}

static void add_sys_table(struct sbx_report *rep, const struct cs_snap *s,
			  const struct cs_system *sys, const struct cs_limit *lim)
{
	struct sbx_table *t = report_table(rep, "system", sys_cols, Y_NCOLS);
	struct sbx_cell *c = table_row(t);

	t->compact = true;	/* -i 1 -n 10: vmstat's line a second */
	const struct proc_stat *st = &s->stat;

	rate_cell(&c[Y_CS], &sys->ctxt);
	if (sys->ctxt.ok && s->ncpu)
		cell_num(&c[Y_CSCPU], sys->ctxt.v / (double)s->ncpu);
	else
		cell_unknown(&c[Y_CSCPU], sys->ctxt.ok ? "no cpuN lines in /proc/stat" : sys->ctxt.why);
	rate_cell(&c[Y_INTR], &sys->intr);
	rate_cell(&c[Y_FORKS], &sys->forks);
	count_cell(&c[Y_RUN], st->has_running, st->procs_running, "no procs_running line in /proc/stat");
	count_cell(&c[Y_BLOCKED], st->has_blocked, st->procs_blocked,
		   "no procs_blocked line in /proc/stat");
	cell_u64(&c[Y_CPUS], s->ncpu);
	if (s->has_load)
		cell_num(&c[Y_LOAD1], s->load.load1);
	else
		cell_unknown(&c[Y_LOAD1], s->load_err.msg);
	count_cell(&c[Y_TASKS], s->has_load, s->load.tasks, s->load_err.msg);
	count_cell(&c[Y_LIMIT], lim->ok, lim->limit, lim->why);
	if (lim->ok)
		cell_num(&c[Y_USED], lim->ratio);
	else
		cell_unknown(&c[Y_USED], lim->why);
	cell_u64(&c[Y_CTXT], st->ctxt);
	cell_u64(&c[Y_INTRT], st->intr);
	count_cell(&c[Y_FORKST], st->has_processes, st->processes, "no processes line in /proc/stat");
	count_cell(&c[Y_TMAX], s->has_threads_max, s->threads_max, s->threads_max_err.msg);
	count_cell(&c[Y_PMAX], s->has_pid_max, s->pid_max, s->pid_max_err.msg);
}

/* What the loop keeps between readings: the run queue read during the
 * interval (sample.h's tick). */
struct cs_state {
	struct cs_runq rq;
	unsigned flags;
};

static unsigned self_tasks(void)
{
	/* srebox's reading thread is running while it reads /proc/stat */
	return root_is_live() ? 1 : 0;
}

static void checks(struct sbx_report *rep, const struct cs_snap *s, const struct cs_system *sys,
		   const struct cs_limit *lim, const struct cs_runq *rq,
		   const struct sched_dstate *d, bool since_boot)
{
	struct sched_in in = {
		.ncpu = s->ncpu, .ncpu_why = "no cpuN lines in /proc/stat",
		.since_boot = since_boot, .seconds = since_boot ? 0 : sys->seconds,
		.load = s->has_load ? &s->load : NULL, .load_why = s->load_err.msg,
		.rq = rq, .self_excluded = root_is_live(), .sys = sys, .lim = lim, .d = d,
	};

	judge_sched(rep, &in);
}

static const struct cs_tasks *sort_tasks;

static double sort_key(double vol, double nonvol, bool ok)
{
	if (!ok)
		return -1;
	if (!strcmp(o_sort, "voluntary"))
		return vol;
	if (!strcmp(o_sort, "involuntary"))
		return nonvol;
	return vol + nonvol;
}

static int cmp_procs(const void *a, const void *b)
{
	const struct cs_proc *x = &sort_tasks->procs[*(const size_t *)a];
	const struct cs_proc *y = &sort_tasks->procs[*(const size_t *)b];
	double kx = sort_key(x->vol, x->nonvol, x->why == CS_OK);
	double ky = sort_key(y->vol, y->nonvol, y->why == CS_OK);

	if (kx != ky)
		return kx < ky ? 1 : -1;
	return (x->tgid > y->tgid) - (x->tgid < y->tgid);
}

static int cmp_rates(const void *a, const void *b)
{
	const struct cs_task_rate *x = &sort_tasks->rates[*(const size_t *)a];
	const struct cs_task_rate *y = &sort_tasks->rates[*(const size_t *)b];
	double kx = sort_key(x->vol, x->nonvol, x->why == CS_OK);
	double ky = sort_key(y->vol, y->nonvol, y->why == CS_OK);

	if (kx != ky)
		return kx < ky ? 1 : -1;
	return (x->k->tid > y->k->tid) - (x->k->tid < y->k->tid);
}

static int cmp_nthreads(const void *a, const void *b)
{
	const struct cs_proc *x = &sort_tasks->procs[*(const size_t *)a];
	const struct cs_proc *y = &sort_tasks->procs[*(const size_t *)b];

	if (x->threads != y->threads)
		return x->threads < y->threads ? 1 : -1;
	return (x->tgid > y->tgid) - (x->tgid < y->tgid);
}

static size_t *order(const struct cs_tasks *ts, size_t n, int (*cmp)(const void *, const void *),
		     bool procs, size_t *nout)
{
	size_t *idx = xcalloc(n + 1, sizeof(size_t)), m = 0;

	for (size_t i = 0; i < n; i++)
		if (selected(procs ? ts->procs[i].tgid : ts->rates[i].k->tgid))
			idx[m++] = i;
	sort_tasks = ts;
	qsort(idx, m, sizeof(size_t), cmp);
	*nout = m;
	return idx;
}

static void rates_cells(struct sbx_cell *c, enum cs_why why, const struct task *k, double vol,
			double nonvol)
{
	char buf[400];

	if (why != CS_OK) {
		cs_why_text(why, k, buf, sizeof(buf));
		cell_unknown(&c[T_VOL], buf);
		cell_unknown(&c[T_NONVOL], buf);
		cell_unknown(&c[T_TOTAL], buf);
		return;
	}
	cell_num(&c[T_VOL], vol);
	cell_num(&c[T_NONVOL], nonvol);
	cell_num(&c[T_TOTAL], vol + nonvol);
}

static void totals_cells(struct sbx_cell *c, uint64_t vol, uint64_t nonvol)
{
	cell_u64(&c[T_VOLT], vol);
	cell_u64(&c[T_NONVOLT], nonvol);
}

static void totals_unknown(struct sbx_cell *c, enum cs_why why, const struct task *k)
{
	char buf[400];

	cs_why_text(why, k, buf, sizeof(buf));
	cell_unknown(&c[T_VOLT], buf);
	cell_unknown(&c[T_NONVOLT], buf);
}

static void comm_cell(struct sbx_cell *c, const struct task *k)
{
	char buf[400];

	if (k->has_name) {
		cell_str(c, k->comm);
		return;
	}
	task_why(k, false, buf, sizeof(buf));
	cell_unknown(c, buf);
}

static void threads_cell(struct sbx_cell *c, const struct cs_proc *p)
{
	char buf[400];

	if (p->threads >= 0) {
		cell_i64(c, p->threads);
		return;
	}
	task_why(p->leader, false, buf, sizeof(buf));
	cell_unknown(c, buf);
}

static void state_cell(struct sbx_cell *c, const struct task *k)
{
	char buf[400];

	if (k->state)
		cell_strf(c, "%c", k->state);
	else {
		task_why(k, false, buf, sizeof(buf));
		cell_unknown(c, buf);
	}
}

static void age_cell(struct sbx_cell *c, const struct cs_snap *s, const struct task *k, double age)
{
	char buf[400];

	if (age >= 0) {
		cell_num(c, age);
		return;
	}
	cs_why_text(!k->has_start ? CS_NO_START : s->uptime < 0 ? CS_NO_UPTIME : CS_FUTURE, k, buf,
		    sizeof(buf));
	cell_unknown(c, buf);
}

static void add_proc_rows(struct sbx_table *t, const struct cs_snap *s, const struct cs_tasks *ts,
			  bool interval, size_t keep)
{
	size_t n, *idx = order(ts, ts->nprocs, cmp_procs, true, &n);

	if (keep && keep < n)
		n = keep;

	for (size_t i = 0; i < n; i++) {
		const struct cs_proc *p = &ts->procs[idx[i]];
		struct sbx_cell *c = table_row(t);
		const struct task *missing = NULL;
		uint64_t vol = 0, nonvol = 0;

		cell_i64(&c[T_PID], p->tgid);
		comm_cell(&c[T_COMM], p->leader);
		rates_cells(c, p->why, p->why_task, p->vol, p->nonvol);
		threads_cell(&c[T_THREADS], p);
		age_cell(&c[T_AGE], s, p->leader, p->age);
		state_cell(&c[T_STATE], p->leader);
		for (size_t j = p->first; j < p->first + p->ntasks; j++) {
			const struct task *k = ts->rates[j].k;

			if (!k->has_switches && !missing)
				missing = k;
			vol += k->vol;
			nonvol += k->nonvol;
		}
		if (p->why == CS_MAIN_ONLY || missing)
			totals_unknown(c, p->why == CS_MAIN_ONLY ? CS_MAIN_ONLY : CS_NO_STATUS,
				       missing ? missing : p->leader);
		else
			totals_cells(c, vol, nonvol);
		if (interval) {
			cell_i64(&c[T_BORN], (int64_t)p->born);
			cell_i64(&c[T_EXITED], (int64_t)p->exited);
		}
	}
	free(idx);
}

static void add_thread_rows(struct sbx_table *t, const struct cs_snap *s,
			    const struct cs_tasks *ts, bool interval, size_t keep)
{
	size_t n, *idx = order(ts, ts->nrates, cmp_rates, false, &n);

	if (keep && keep < n)
		n = keep;

	for (size_t i = 0; i < n; i++) {
		const struct cs_task_rate *r = &ts->rates[idx[i]];
		struct sbx_cell *c = table_row(t);

		cell_i64(&c[T_PID], r->k->tgid);
		cell_i64(&c[T_TID], r->k->tid);
		comm_cell(&c[T_COMM], r->k);
		rates_cells(c, r->why, r->why_task, r->vol, r->nonvol);
		age_cell(&c[T_AGE], s, r->k, r->age);
		state_cell(&c[T_STATE], r->k);
		if (r->k->has_switches)
			totals_cells(c, r->k->vol, r->k->nonvol);
		else
			totals_unknown(c, CS_NO_STATUS, r->k);
		if (interval)
			cell_i64(&c[T_BORN], r->born);
	}
	free(idx);
}

static void add_nthreads_table(struct sbx_report *rep, const struct cs_tasks *ts)
{
	struct sbx_table *t = report_table(rep, "most_threads", nthreads_cols, N_NCOLS);
	size_t n, *idx = order(ts, ts->nprocs, cmp_nthreads, true, &n);
	size_t total = 0;

	for (size_t i = 0; i < ts->nprocs; i++)
		total += ts->procs[i].threads > 0 ? (size_t)ts->procs[i].threads : 0;
	table_title(t, "Most threads (%zu task%s in %zu process%s read):", total, plural(total, "s"),
		    ts->nprocs, plural(ts->nprocs, "es"));
	if (!o_all && n > 10)
		n = 10;
	for (size_t i = 0; i < n; i++) {
		const struct cs_proc *p = &ts->procs[idx[i]];
		struct sbx_cell *c = table_row(t);

		cell_i64(&c[N_PID], p->tgid);
		comm_cell(&c[N_COMM], p->leader);
		threads_cell(&c[N_THREADS], p);
		if (p->threads >= 0)
			cell_num(&c[N_SHARE], total ? (double)p->threads / (double)total : 0);
	}
	free(idx);
}

static void add_task_tables(struct sbx_report *rep, const struct sbx_ctx *ctx,
			    const struct cs_snap *cur, const struct cs_snap *prev)
{
	struct cs_tasks ts;
	struct sbx_table *t;
	bool interval = prev != NULL;
	size_t keep;

	if (!cur->has_tasks) {
		check_unknown(rep, CHK_TASKS, NULL, "tasks: %s", cur->tasks_err.msg);
		return;
	}
	cs_tasks_rates(cur, prev, root_is_live() ? (int32_t)getpid() : 0, SBX_SAMPLE_DEFAULT, &ts);
	find_pipeline(cur);
	t = report_table(rep, o_threads ? "threads" : "processes", o_threads ? thread_cols : proc_cols,
			 T_NCOLS);
	table_title(t, "%s by context switches/s%s:", o_threads ? "Busiest threads" : "Busiest processes",
		    o_threads ? "" : " (summed over their threads)");
	t->limit = o_all ? 0 : 20;
	/* srebox top keeps the first rows_kept by total switches, this
	 * table's order (its ties by pid, as the pane keeps them) */
	keep = !strcmp(o_sort, "total") ? ctx->rows_kept : 0;
	if (o_threads)
		add_thread_rows(t, cur, &ts, interval, keep);
	else
		add_proc_rows(t, cur, &ts, interval, keep);
	add_nthreads_table(rep, &ts);
	/* Since boot, a task that ended is simply not in the table. */
	if (!interval)
		ts.vanished = 0;
	if (ts.threads_exited || ts.procs_exited || ts.vanished) {
		report_note(rep, "%s%s%zu thread%s of running processes and %zu whole process%s "
			    "ended during the interval; the kernel keeps no count for a task that is "
			    "gone, so their switches after the first sample are missing (EXITED in "
			    "-o wide: the processes that lost threads)",
			    rep->note ? rep->note : "", rep->note ? "; " : "",
			    ts.threads_exited + ts.vanished, ts.threads_exited + ts.vanished == 1 ? "" : "s",
			    ts.procs_exited, ts.procs_exited == 1 ? "" : "es");
	}
	cs_tasks_free(&ts);
}

/* Only tables and JSON show tasks: a check line or Prometheus text (which
 * has no per-process series), alone or in a --textfile, does not pay for
 * reading them. */
static bool wants_tasks(const struct sbx_ctx *ctx)
{
	if (o_no_tasks || (ctx->textfile && !ctx->format_given))
		return false;
	return ctx->format == FMT_TABLE || ctx->format == FMT_WIDE || ctx->format == FMT_JSON;
}

static void rate_text(char *out, size_t n, const struct cs_rate *r, int decimals)
{
	if (r->ok)
		snprintf(out, n, "%.*f", decimals, r->v);
	else
		snprintf(out, n, "?");
}

static struct sbx_report *build(struct sbx_ctx *ctx, const void *prev_, const void *cur_,
				void *arg)
{
	const struct cs_snap *prev = prev_, *cur = cur_;
	struct cs_state *st = arg;
	struct sbx_report *rep = report_new("cswitch");
	struct cs_system sys;
	struct cs_limit lim;
	struct sched_dstate d;
	char up[32], cs[32], in[32], fk[32], when[32];

	cs_system_rates(cur, prev, &sys);
	cs_task_limit(cur, &lim);
	rep->interval = prev ? sys.seconds : 0;
	rate_text(cs, sizeof(cs), &sys.ctxt, 0);
	rate_text(in, sizeof(in), &sys.intr, 0);
	rate_text(fk, sizeof(fk), &sys.forks, 1);
	if (prev)
		snprintf(when, sizeof(when), " over %.1fs", sys.seconds);
	else
		snprintf(when, sizeof(when), ", averaged since boot");
	report_summary(rep, "%s context switches/s, %s interrupts/s, %s forks/s on %zu CPU%s%s", cs,
		       in, fk, cur->ncpu, plural(cur->ncpu, "s"), when);
	if (!prev && cur->uptime >= 0) {
		fmt_duration(up, sizeof(up), cur->uptime);
		report_note(rep, "values since boot (up %s), a task's since it started; without -i, "
			    "or with -i SECONDS, rates are current", up);
	}
	/* Since boot there is one reading: the snapshot's. */
	if (!prev) {
		cs_runq_reset(&st->rq);
		if (cur->stat.has_running)
			cs_runq_add(&st->rq, cur->stat.procs_running, cur->stat.has_blocked,
				    cur->stat.procs_blocked, self_tasks());
		else
			sbx_err_set(&st->rq.err, 0, "%s: no procs_running line (kernel before 2.5.45)",
				    rooted("/proc/stat")), st->rq.failed++;
	}
	if (cur->has_tasks)
		sched_dstate(&cur->tasks, true, &d);
	checks(rep, cur, &sys, &lim, &st->rq, cur->has_tasks ? &d : NULL, !prev);
	cs_runq_restart(&st->rq);	/* this interval's end, the next one's start */
	if (sbx_wants_tables(ctx)) {
		add_sys_table(rep, cur, &sys, &lim);
		if (wants_tasks(ctx))
			add_task_tables(rep, ctx, cur, prev);
	}
	return rep;
}

static int cs_read(void *snap, struct sbx_err *err, void *arg)
{
	return cs_snap_read(snap, ((struct cs_state *)arg)->flags, err);
}

static void cs_free(void *snap, void *arg)
{
	(void)arg;
	cs_snap_free(snap);
}

/* Nothing moved in the task table either (a saved tree, with or without
 * a changed copy swapped in). */
static bool cs_same(const void *a_, const void *b_, void *arg)
{
	const struct cs_snap *a = a_, *b = b_;

	(void)arg;
	if (a->has_tasks != b->has_tasks)
		return false;
	if (!a->has_tasks)
		return true;
	if (a->tasks.n != b->tasks.n)
		return false;
	for (size_t i = 0; i < a->tasks.n; i++) {
		const struct task *x = &a->tasks.v[i], *y = &b->tasks.v[i];

		if (x->tid != y->tid || x->start != y->start || x->vol != y->vol ||
		    x->nonvol != y->nonvol || x->state != y->state)
			return false;
	}
	return true;
}

static bool cs_tick(void *arg)
{
	struct cs_runq *q = &((struct cs_state *)arg)->rq;

	cs_runq_tick(q, self_tasks());
	return cs_runq_ticks(q);
}

/* srebox top's context switchers (cmd/top.h). */
const struct sbx_sampler *cswitch_sampler(void)
{
	static struct cs_state st;
	static const struct sbx_sampler s = { .name = "cswitch", .size = sizeof(struct cs_snap),
					      .read = cs_read, .free = cs_free, .same = cs_same,
					      .tick = cs_tick, .build = build, .arg = &st };

	st.flags = CS_TASKS | CS_SWITCHES;
	cs_runq_reset(&st.rq);
	return &s;
}

static int cs_run(struct sbx_ctx *ctx)
{
	struct cs_state st = { 0 };
	struct sbx_sampler s = { .name = "cswitch", .size = sizeof(struct cs_snap), .read = cs_read,
				 .free = cs_free, .same = cs_same, .tick = cs_tick, .build = build, .arg = &st };

	if (ctx->nargs) {
		warnx_("cswitch: unexpected argument '%s'", ctx->args[0]);
		return 3;
	}
	if (parse_pids() < 0)
		return 3;
	if (wants_tasks(ctx))
		st.flags = CS_TASKS | CS_SWITCHES;
	cs_runq_reset(&st.rq);
	return sbx_sample(ctx, &s);
}

const struct sbx_applet applet_cswitch = {
	.name = "cswitch",
	.examples =
		"# a node slow for no visible reason: switch rates per thread\n"
		"srebox cswitch -i 1 -T\n"
		"# one process's threads, by preemption\n"
		"srebox cswitch -i 1 -T -p 1234 -s involuntary\n",
	.summary = "context switches, interrupts and forks per second, the busiest tasks, and "
		   "thread counts against the kernel's limits",
	.usage = "[OPTIONS]",
	.description =
		"Reads /proc/stat, /proc/loadavg, kernel.threads-max and kernel.pid_max, and every\n"
		"task's /proc/PID/task/TID/{stat,status}.  A process's switches are the sum over its\n"
		"threads (its own status file counts only its main thread).  Without -i, rates are\n"
		"over a " SBX_SAMPLE_DEFAULT_TEXT " s sample; -i 0 gives averages since boot (a task's since it\n"
		"started); -i SECONDS, rates over that interval.",
	.flags = AP_PROBE | AP_OUTPUT,
	.opts = cs_opts,
	.checks = cs_checks,
	.run = cs_run,
};
