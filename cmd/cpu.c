/* srebox cpu: where the CPU time goes, per CPU and per process, and who
 * holds the memory.  mpstat -P ALL's per-CPU shares (and the one hot CPU a
 * node-wide average hides), pidstat -u's and top's busiest processes with
 * their busiest thread, and ps aux --sort=-%mem's largest, with their
 * user, cgroup and pod.  Replaces `mpstat -P ALL 1`, `pidstat -u 1`,
 * `top -b -n1` and `ps aux --sort=-%mem`. */
#include "applet.h"
#include "top.h"
#include "cpu_share.h"
#include "judge_cpu.h"
#include "judge_sched.h"
#include "judge_throttle.h"
#include "node.h"
#include "owner.h"
#include "procuse.h"
#include "root.h"
#include "sample.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static unsigned o_top = 10;
static bool o_no_tasks, o_by_hand;
static bool read_tasks;	/* decided once per run: see cpu_run */

static const struct sbx_opt cpu_opts[] = {
	{ 0, "top", OPT_UINT, &o_top, "N",
	  "show the N busiest and N largest processes (default 10; 0: every process)", NULL, NULL },
	{ 0, "no-tasks", OPT_FLAG, &o_no_tasks, NULL,
	  "per-CPU figures only: skip reading every task (and naming the hot CPU's thread)", NULL,
	  NULL },
	{ 0, "by-hand", OPT_FLAG, &o_by_hand, NULL,
	  "read /proc for the task table without libproc2 (as under --root)", NULL, NULL },
	OPT_END,
};

static const enum sbx_check_id cpu_checks[] = {
	CHK_CPU, CHK_CPU_HOT, CHK_STEAL, CHK_TASKS, CHK_N,
};

/* The per-CPU table: mpstat -P ALL's columns and definitions. */
enum { C_CPU, C_USR, C_NICE, C_SYS, C_IOWAIT, C_IRQ, C_SOFT, C_STEAL, C_GUEST, C_GNICE, C_IDLE,
       C_BUSY, C_STATE, C_NCOLS };

/* On a narrow terminal the guest columns go first (mpstat's rarest), then nice. */
#define R(h, k, m, help) { h, k, CT_RATIO, 0, "cpu_" m "_ratio", help }
#define RP(h, k, m, help, p) { h, k, CT_RATIO, 0, "cpu_" m "_ratio", help, NULL, p }
static const struct sbx_col cpu_cols[] = {
	[C_CPU] = { "CPU", "cpu", CT_STR, COL_LABEL },
	[C_USR] = R("%USR", "user_ratio", "user", "Time in user mode, guest excluded (mpstat %usr)."),
	[C_NICE] = RP("%NICE", "nice_ratio", "nice",
		      "Time in user mode at a positive nice, guest_nice excluded (mpstat %nice).", 7),
	[C_SYS] = R("%SYS", "system_ratio", "system", "Time in kernel mode, interrupts excluded (mpstat %sys)."),
	[C_IOWAIT] = R("%IOWAIT", "iowait_ratio", "iowait",
		       "Idle time with a block I/O outstanding (mpstat %iowait)."),
	[C_IRQ] = R("%IRQ", "irq_ratio", "irq", "Time in hardware interrupts (mpstat %irq)."),
	[C_SOFT] = R("%SOFT", "softirq_ratio", "softirq", "Time in softirqs (mpstat %soft)."),
	[C_STEAL] = R("%STEAL", "steal_ratio", "steal",
		      "Time a virtual CPU waited while the hypervisor ran another (mpstat %steal)."),
	[C_GUEST] = RP("%GUEST", "guest_ratio", "guest", "Time running a virtual CPU (mpstat %guest).", 8),
	[C_GNICE] = RP("%GNICE", "guest_nice_ratio", "guest_nice",
		       "Time running a niced virtual CPU (mpstat %gnice).", 9),
	[C_IDLE] = R("%IDLE", "idle_ratio", "idle", "Idle time, no block I/O outstanding (mpstat %idle)."),
	[C_BUSY] = R("BUSY", "busy_ratio", "busy", "Time not idle and not iowait."),
	[C_STATE] = { "STATE", "state", CT_STR, COL_WIDE },
};
#undef R
#undef RP

/* Process rows: no Prometheus metrics (PIDs as labels are a new series for
 * every process that ever ran). */
enum { P_PID, P_USER, P_CPU, P_USR, P_SYS, P_THREADS, P_TOPTID, P_TOPPCT, P_LASTCPU, P_RSS, P_MEM,
       P_AGE, P_BORN, P_POD, P_CGROUP, P_COMM, P_NCOLS };

static const struct sbx_col by_cpu_cols[] = {
	[P_PID] = { "PID", "pid", CT_INT, COL_LABEL },
	[P_USER] = { "USER", "user", CT_STR },
	[P_CPU] = { "%CPU", "cpu_ratio", CT_RATIO },
	[P_USR] = { "%USR", "user_ratio", CT_RATIO },
	[P_SYS] = { "%SYS", "system_ratio", CT_RATIO },
	[P_THREADS] = { "THR", "threads", CT_INT },
	[P_TOPTID] = { "TOP-TID", "top_thread_tid", CT_INT },
	[P_TOPPCT] = { "TOP%", "top_thread_cpu_ratio", CT_RATIO },
	[P_LASTCPU] = { "ON", "top_thread_last_cpu", CT_INT },
	[P_RSS] = { "RSS", "rss_bytes", CT_BYTES, COL_WIDE },
	[P_MEM] = { "%MEM", "memory_ratio", CT_RATIO, COL_WIDE },
	[P_AGE] = { "AGE", "age_seconds", CT_SECONDS, COL_WIDE },
	[P_BORN] = { "BORN", "born", CT_BOOL, COL_WIDE },
	[P_POD] = { "POD", "pod", CT_STR },
	[P_CGROUP] = { "CGROUP", "cgroup", CT_STR, COL_WIDE },
	[P_COMM] = { "COMMAND", "command", CT_STR },
};

static const struct sbx_col by_mem_cols[] = {
	[P_PID] = { "PID", "pid", CT_INT, COL_LABEL },
	[P_USER] = { "USER", "user", CT_STR },
	[P_CPU] = { "%CPU", "cpu_ratio", CT_RATIO, COL_WIDE },
	[P_USR] = { "%USR", "user_ratio", CT_RATIO, COL_HIDE },
	[P_SYS] = { "%SYS", "system_ratio", CT_RATIO, COL_HIDE },
	[P_THREADS] = { "THR", "threads", CT_INT, COL_WIDE },
	[P_TOPTID] = { "TOP-TID", "top_thread_tid", CT_INT, COL_HIDE },
	[P_TOPPCT] = { "TOP%", "top_thread_cpu_ratio", CT_RATIO, COL_HIDE },
	[P_LASTCPU] = { "ON", "top_thread_last_cpu", CT_INT, COL_HIDE },
	[P_RSS] = { "RSS", "rss_bytes", CT_BYTES },
	[P_MEM] = { "%MEM", "memory_ratio", CT_RATIO },
	[P_AGE] = { "AGE", "age_seconds", CT_SECONDS, COL_WIDE },
	[P_BORN] = { "BORN", "born", CT_BOOL, COL_HIDE },
	[P_POD] = { "POD", "pod", CT_STR },
	[P_CGROUP] = { "CGROUP", "cgroup", CT_STR, COL_WIDE },
	[P_COMM] = { "COMMAND", "command", CT_STR },
};

static const char *const missing_why[SH_N] = {
	[SH_STEAL] = "no steal column in /proc/stat (kernel before 2.6.11)",
	[SH_GUEST] = "no guest column in /proc/stat (kernel before 2.6.24)",
	[SH_GNICE] = "no guest_nice column in /proc/stat (kernel before 2.6.33)",
	[SH_IOWAIT] = "no iowait column in /proc/stat (kernel 2.4)",
	[SH_IRQ] = "no irq column in /proc/stat (kernel 2.4)",
	[SH_SOFT] = "no softirq column in /proc/stat (kernel 2.4)",
};

static void share_cells(struct sbx_cell *c, const struct cpu_share *s)
{
	static const int col[SH_N] = {
		[SH_USR] = C_USR, [SH_NICE] = C_NICE, [SH_SYS] = C_SYS, [SH_IDLE] = C_IDLE,
		[SH_IOWAIT] = C_IOWAIT, [SH_IRQ] = C_IRQ, [SH_SOFT] = C_SOFT, [SH_STEAL] = C_STEAL,
		[SH_GUEST] = C_GUEST, [SH_GNICE] = C_GNICE,
	};

	for (int k = 0; k < SH_N; k++) {
		if (!s->ok)
			cell_unknown(&c[col[k]], s->why);
		else if (!s->has[k])
			cell_unknown(&c[col[k]], missing_why[k] ? missing_why[k] : "not in /proc/stat");
		else
			cell_num(&c[col[k]], s->pct[k] / 100);
	}
	if (s->ok)
		cell_num(&c[C_BUSY], s->busy / 100);
	else
		cell_unknown(&c[C_BUSY], s->why);
}

static bool online(const struct cpu_share *per, size_t n, unsigned id)
{
	for (size_t i = 0; i < n; i++)
		if (per[i].cpu == (int)id)
			return true;
	return false;
}

static void add_cpu_table(struct sbx_report *rep, const struct cpu_share *all,
			  const struct cpu_share *per, size_t nper, size_t *offline)
{
	struct sbx_table *t = report_table(rep, "cpus", cpu_cols, C_NCOLS);
	struct sbx_cell *c = table_row(t);
	static unsigned ids[8192];
	struct sbx_err err;
	long np = cpus_present(ids, ARRAY_SIZE(ids), &err);
	size_t shown = 0;

	t->compact = true;	/* -i 1 -n 10: mpstat's "all" line a second */
	cell_str(&c[C_CPU], "all");
	share_cells(c, all);
	/* in CPU order, the offline ones (absent from /proc/stat) among them */
	for (size_t i = 0; i < nper; i++) {
		while (np > 0 && shown < (size_t)np && shown < ARRAY_SIZE(ids) &&
		       ids[shown] < (unsigned)per[i].cpu) {
			if (!online(per, nper, ids[shown])) {
				c = table_row(t);
				cell_strf(&c[C_CPU], "%u", ids[shown]);
				for (int k = C_USR; k <= C_BUSY; k++)
					cell_unknown(&c[k], "offline: not in /proc/stat");
				cell_str(&c[C_STATE], "offline");
				(*offline)++;
			}
			shown++;
		}
		if (np > 0 && shown < (size_t)np && shown < ARRAY_SIZE(ids) &&
		    ids[shown] == (unsigned)per[i].cpu)
			shown++;
		c = table_row(t);
		cell_strf(&c[C_CPU], "%d", per[i].cpu);
		share_cells(c, &per[i]);
		cell_str(&c[C_STATE], per[i].ok ? "online" : "unknown");
	}
	for (; np > 0 && shown < (size_t)np && shown < ARRAY_SIZE(ids); shown++) {
		if (online(per, nper, ids[shown]))
			continue;
		c = table_row(t);
		cell_strf(&c[C_CPU], "%u", ids[shown]);
		for (int k = C_USR; k <= C_BUSY; k++)
			cell_unknown(&c[k], "offline: not in /proc/stat");
		cell_str(&c[C_STATE], "offline");
		(*offline)++;
	}
}

static void proc_row(struct sbx_table *t, const struct procs_use *u, const struct proc_use *p,
		     uint64_t memtotal)
{
	struct sbx_cell *c = table_row(t);
	struct proc_owner o;
	const struct task *k = p->leader;
	char why[400];

	proc_owner(p->pid, &o);
	cell_i64(&c[P_PID], p->pid);
	if (o.has_uid)
		cell_str(&c[P_USER], o.user);
	else
		cell_unknown(&c[P_USER], o.why[0] ? o.why : "uid unknown");
	if (p->ok) {
		cell_num(&c[P_CPU], p->pct / 100);
		cell_num(&c[P_USR], p->usr / 100);
		cell_num(&c[P_SYS], p->sys / 100);
	} else {
		proc_use_why(u, p, why, sizeof(why));
		cell_unknown(&c[P_CPU], why);
		cell_unknown(&c[P_USR], why);
		cell_unknown(&c[P_SYS], why);
	}
	cell_i64(&c[P_THREADS], (int64_t)p->threads);
	if (p->top) {
		cell_i64(&c[P_TOPTID], p->top->k->tid);
		cell_num(&c[P_TOPPCT], p->top->pct / 100);
		if (p->top->k->processor >= 0)
			cell_i64(&c[P_LASTCPU], p->top->k->processor);
		else
			cell_unknown(&c[P_LASTCPU], "no processor field in stat");
	}
	if (p->has_rss) {
		cell_num(&c[P_RSS], (double)p->rss);
		if (memtotal)
			cell_num(&c[P_MEM], (double)p->rss / (double)memtotal);
	} else {
		task_why(k, false, why, sizeof(why));
		cell_unknown(&c[P_RSS], why);
	}
	if (p->age >= 0)
		cell_num(&c[P_AGE], p->age);
	if (!u->since_boot)
		cell_i64(&c[P_BORN], p->born);
	if (o.has_pod)
		cell_str(&c[P_POD], o.pod);
	if (o.has_cgroup)
		cell_str(&c[P_CGROUP], o.cgroup);
	else
		cell_unknown(&c[P_CGROUP], o.why);
	if (k->has_name) {
		cell_str(&c[P_COMM], k->comm);
	} else {
		task_why(k, false, why, sizeof(why));
		cell_unknown(&c[P_COMM], why);
	}
}

static void add_proc_tables(struct sbx_report *rep, const struct procs_use *u, uint64_t memtotal,
			    const char *memwhy)
{
	struct sbx_table *t;
	size_t n, *idx;
	size_t lim;

	idx = procs_by_cpu(u, &n);
	lim = o_top && o_top < n ? o_top : n;
	t = report_table(rep, "by_cpu", by_cpu_cols, P_NCOLS);
	table_title(t, "Busiest processes (%% of one CPU, threads summed%s):",
		    u->since_boot ? ", since each started" : "");
	/* as pidstat: a process that used no CPU in the interval is not listed */
	for (size_t i = 0, shown = 0; i < n && shown < lim; i++) {
		const struct proc_use *p = &u->p[idx[i]];

		if (p->ok && p->pct <= 0)
			continue;
		proc_row(t, u, p, memtotal);
		shown++;
	}
	free(idx);
	idx = procs_by_rss(u, &n);
	lim = o_top && o_top < n ? o_top : n;
	t = report_table(rep, "by_memory", by_mem_cols, P_NCOLS);
	if (memtotal)
		table_title(t, "Largest processes by resident memory (%%MEM of MemTotal):");
	else
		table_title(t, "Largest processes by resident memory (MemTotal unknown: %s):", memwhy);
	for (size_t i = 0; i < lim; i++)
		proc_row(t, u, &u->p[idx[i]], memtotal);
	free(idx);
}

static void add_note(struct sbx_report *rep, const char *s)
{
	char *old = rep->note ? xstrdup(rep->note) : NULL;

	report_note(rep, "%s%s%s", old ? old : "", old ? "; " : "", s);
	free(old);
}

static struct sbx_report *cpu_build(struct sbx_ctx *ctx, const void *prev_, const void *cur_,
				    void *arg)
{
	const struct cpu_snap *prev = prev_, *cur = cur_;
	struct sbx_report *rep = report_new("cpu");
	struct cpu_share all, *per = NULL;
	size_t nper = 0, offline = 0;
	struct procs_use u;
	bool have_u = false;
	int hot = -1;
	struct mem_info m = { 0 };
	struct sbx_err merr = { 0 };
	double steal;
	char buf[600];

	(void)arg;
	rep->interval = prev ? cur->when - prev->when : 0;
	if (!cur->has_stat) {
		report_fail(rep, "%s", cur->stat_err.msg);
		return rep;
	}
	if (prev && !prev->has_stat) {
		report_fail(rep, "first reading: %s", prev->stat_err.msg);
		return rep;
	}
	cpu_shares(&cur->stat, prev ? &prev->stat : NULL, &all, &per, &nper);
	if (cur->has_tasks && (!prev || prev->has_tasks)) {
		procs_use(cur, prev, root_is_live() ? (int32_t)getpid() : 0, &u);
		have_u = true;
	}
	judge_cpu(rep, &all, !prev);
	judge_cpu_hot(rep, per, nper, &all, !prev, have_u ? &u : NULL, &hot);
	judge_steal(rep, &cur->stat, prev ? &prev->stat : NULL, NULL, &steal);
	if (read_tasks && !cur->has_tasks)
		check_unknown(rep, CHK_TASKS, NULL, "tasks: %s", cur->tasks_err.msg);
	else if (read_tasks && prev && !prev->has_tasks)
		check_unknown(rep, CHK_TASKS, NULL, "tasks, first reading: %s", prev->tasks_err.msg);
	if (all.ok)
		snprintf(buf, sizeof(buf), "CPU %.0f%% busy on %zu CPU%s", all.busy, nper, plural(nper, "s"));
	else
		snprintf(buf, sizeof(buf), "CPU busy unknown on %zu CPU%s", nper, plural(nper, "s"));
	if (have_u) {
		size_t n, *idx = procs_by_cpu(&u, &n);

		if (n && u.p[idx[0]].ok) {
			const struct proc_use *p = &u.p[idx[0]];
			size_t l = strlen(buf);

			snprintf(buf + l, sizeof(buf) - l, "; busiest %s (pid %d) %.0f%%",
				 p->leader->has_name ? p->leader->comm : "?", (int)p->pid, p->pct);
		}
		free(idx);
	}
	if (prev)
		report_summary(rep, "%s over %.2fs", buf, rep->interval);
	else
		report_summary(rep, "%s, averaged since boot", buf);
	if (sbx_wants_tables(ctx)) {
		add_cpu_table(rep, &all, per, nper, &offline);
		if (have_u) {
			if (node_meminfo(&m, &merr) < 0)
				m.total = 0;
			add_proc_tables(rep, &u, m.total, merr.msg);
		}
	}
	if (!prev)
		add_note(rep, "figures since boot; a process's CPU since it started (ps's %CPU), "
			 "none for one younger than 1s");
	if (offline)
		add_note(rep, "offline CPUs (in /sys/devices/system/cpu/present, not in "
			 "/proc/stat) have no figures");
	if (have_u && prev && (u.threads_exited || u.procs_exited || u.born)) {
		char *s = xasprintf("%zu process%s and %zu thread%s of others ended during the "
				    "interval (their time since the first reading is lost); %zu "
				    "process%s started in it (counted whole: all of its time is "
				    "inside the interval)",
				    u.procs_exited, u.procs_exited == 1 ? "" : "es", u.threads_exited,
				    u.threads_exited == 1 ? "" : "s", u.born, u.born == 1 ? "" : "es");

		add_note(rep, s);
		free(s);
	}
	if (have_u)
		procs_use_free(&u);
	free(per);
	return rep;
}

static int cpu_read(void *snap, struct sbx_err *err, void *arg)
{
	(void)err;
	(void)arg;
	cpu_snap_read(snap, CPU_SNAP_STAT | (read_tasks ? CPU_SNAP_TASKS : 0) |
				    (o_by_hand ? CPU_SNAP_BY_HAND : 0));
	return 0;
}

static void cpu_free(void *snap, void *arg)
{
	(void)arg;
	cpu_snap_free(snap);
}

/* srebox top's processes (cmd/top.h). */
const struct sbx_sampler *cpu_sampler(void)
{
	static const struct sbx_sampler s = { .name = "cpu", .size = sizeof(struct cpu_snap),
					      .read = cpu_read, .free = cpu_free, .build = cpu_build };

	read_tasks = !o_no_tasks;
	return &s;
}

static int cpu_run(struct sbx_ctx *ctx)
{
	struct sbx_sampler s = { .name = "cpu", .size = sizeof(struct cpu_snap), .read = cpu_read,
				 .free = cpu_free, .build = cpu_build };

	if (ctx->nargs) {
		warnx_("cpu: unexpected argument '%s'", ctx->args[0]);
		return 3;
	}
	/* Prometheus text (alone or in a --textfile) has no process rows and
	 * no finding text: it does not pay for reading every task */
	read_tasks = !o_no_tasks && ctx->format != FMT_PROM && !(ctx->textfile && !ctx->format_given);
	return sbx_sample(ctx, &s);
}

const struct sbx_applet applet_cpu = {
	.name = "cpu",
	.examples =
		"# a hot node: every CPU and the busiest processes over one second\n"
		"srebox cpu -i 1\n"
		"# the 30 largest processes by memory, with their cgroups\n"
		"srebox cpu -o wide --top 30\n",
	.summary = "per-CPU time shares (mpstat -P ALL), the hot CPU, and the processes using "
		   "the CPUs and memory, with their user, cgroup and pod",
	.usage = "[OPTIONS]",
	.description =
		"Reads /proc/stat, /sys/devices/system/cpu/present and every task's\n"
		"/proc/PID/task/TID/stat (through libproc2 on the live machine).  Per CPU: mpstat's\n"
		"%usr %nice %sys %iowait %irq %soft %steal %guest %gnice %idle.  Per process: utime+stime\n"
		"over the interval summed over its threads, in % of one CPU (pidstat -u, top), its\n"
		"busiest thread and the CPU that thread last ran on; and its resident memory (RSS).\n"
		"Without -i, over a " SBX_SAMPLE_DEFAULT_TEXT " s sample; -i 0 gives averages since boot\n"
		"(a process's since it started).",
	.flags = AP_PROBE | AP_OUTPUT,
	.opts = cpu_opts,
	.checks = cpu_checks,
	.run = cpu_run,
};
