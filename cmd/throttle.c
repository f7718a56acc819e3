/* srebox throttle: is this node's CPU being held back, and by what?  CFS
 * quota throttling of cgroups (what Kubernetes users mean), thermal
 * throttling, frequency caps, temperatures at trip points, and steal.
 * Replaces `cat .../cpu.stat` over the cgroup tree, `grep -i mhz
 * /proc/cpuinfo`, `cpupower frequency-info`, `sensors` and `mpstat`. */
#include "applet.h"
#include "top.h"
#include "root.h"
#include "judge_throttle.h"
#include "throttle.h"
#include "owner.h"
#include "sample.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* findings listed per check before a count of the rest */
#define MAX_FINDINGS 10

static bool o_all;
static const char *o_sort = "ratio";
static unsigned o_min_periods = JUDGE_CFS_MIN_PERIODS;

static const struct sbx_opt throttle_opts[] = {
	{ 'a', "all", OPT_FLAG, &o_all, NULL,
	  "list every cgroup with a CPU limit, not only the 20 most throttled", NULL, NULL },
	{ 's', "sort", OPT_CHOICE, &o_sort, "KEY",
	  "order cgroups by throttled ratio (default) or throttled time", "ratio time", NULL },
	{ 0, "min-periods", OPT_UINT, &o_min_periods, "N",
	  "judge cgroups with at least N enforcement periods (default 5)", NULL, NULL },
	OPT_END,
};

static const enum sbx_check_id throttle_checks[] = {
	CHK_CFS, CHK_THERMAL, CHK_TRIP, CHK_FREQ, CHK_STEAL, CHK_N,
};

enum { G_RATIO, G_THR, G_PERIODS, G_TIME, G_LIMIT, G_USAGE, G_QOS, G_PODNAME, G_POD, G_CONT, G_CGROUP,
       G_CID, G_RUNTIME, G_CREATED, G_TOT_PERIODS, G_TOT_THR, G_TOT_TIME, G_NCOLS };

static const struct sbx_col cg_cols[] = {
	[G_RATIO] = { "RATIO", "throttled_ratio", CT_RATIO, 0, "throttle_cgroup_throttled_ratio",
		      "Share of CFS periods in which the cgroup was throttled, over the interval "
		      "(or since creation)." },
	[G_THR] = { "THROTTLED", "throttled_periods", CT_COUNT },
	[G_PERIODS] = { "PERIODS", "periods", CT_COUNT },
	[G_TIME] = { "THR-TIME", "throttled_seconds", CT_SECONDS },
	[G_LIMIT] = { "LIMIT", "limit_cpus", CT_NUM, 0, "throttle_cgroup_limit_cpus",
		      "CPU limit: quota / period." },
	[G_USAGE] = { "USAGE", "usage_cpus", CT_NUM, 0, "throttle_cgroup_usage_cpus",
		      "CPUs used over the interval." },
	[G_QOS] = { "QOS", "qos", CT_STR },
	[G_PODNAME] = { "POD", "pod", CT_STR },
	[G_POD] = { "POD-UID", "pod_uid", CT_STR, COL_LABEL | COL_WIDE },
	[G_CONT] = { "CONTAINER", "container", CT_STR },
	[G_CGROUP] = { "CGROUP", "cgroup", CT_STR, COL_LABEL },
	[G_CID] = { "CONTAINER-ID", "container_id", CT_STR, COL_WIDE },
	[G_RUNTIME] = { "RUNTIME", "runtime", CT_STR, COL_WIDE },
	[G_CREATED] = { "NEW", "created_in_interval", CT_BOOL, COL_HIDE },
	[G_TOT_PERIODS] = { "NR-PERIODS", "nr_periods", CT_COUNT, COL_HIDE | COL_COUNTER,
			    "throttle_cgroup_periods_total",
			    "CFS enforcement periods since the cgroup was created." },
	[G_TOT_THR] = { "NR-THROTTLED", "nr_throttled", CT_COUNT, COL_HIDE | COL_COUNTER,
			"throttle_cgroup_throttled_periods_total",
			"CFS periods in which the cgroup was throttled." },
	[G_TOT_TIME] = { "THROTTLED-TIME", "throttled_seconds_total", CT_SECONDS,
			 COL_HIDE | COL_COUNTER, "throttle_cgroup_throttled_seconds_total",
			 "Time the cgroup's tasks were throttled." },
};

enum { T_LEVEL, T_PKG, T_CORE, T_CPU, T_EVENTS, T_RATE, T_TOTAL, T_MAX, T_TIME, T_NCOLS };

static const struct sbx_col thermal_cols[] = {
	[T_LEVEL] = { "LEVEL", "level", CT_STR, COL_LABEL },
	[T_PKG] = { "PACKAGE", "package", CT_INT, COL_LABEL },
	[T_CORE] = { "CORE", "core", CT_INT, COL_LABEL },
	[T_CPU] = { "CPU", "cpu", CT_INT },
	[T_EVENTS] = { "EVENTS", "events", CT_COUNT },
	[T_RATE] = { "RATE/s", "events_per_second", CT_RATE },
	[T_TOTAL] = { "TOTAL", "total", CT_COUNT, COL_COUNTER, "throttle_thermal_events_total",
		      "Thermal throttle events since boot (thermal_throttle/*_throttle_count)." },
	[T_MAX] = { "LONGEST", "max_seconds", CT_SECONDS, 0, NULL, NULL },
	[T_TIME] = { "THR-TIME", "throttled_seconds", CT_SECONDS },
};

enum { C_CPU, C_CUR, C_MAX, C_HWMAX, C_BIOS, C_CAP, C_GOV, C_DRV, C_BUSY, C_STEAL, C_HWCUR,
       C_MIN, C_HWMIN, C_NCOLS };

static const struct sbx_col cpu_cols[] = {
	[C_CPU] = { "CPU", "cpu", CT_STR, COL_LABEL },
	[C_CUR] = { "MHZ", "cur_mhz", CT_NUM },
	[C_MAX] = { "MAX-MHZ", "scaling_max_mhz", CT_NUM },
	[C_HWMAX] = { "HW-MAX", "hw_max_mhz", CT_NUM },
	[C_BIOS] = { "BIOS-LIMIT", "bios_limit_mhz", CT_NUM },
	[C_CAP] = { "CAP", "cap_ratio", CT_RATIO, 0, "throttle_cpu_frequency_cap_ratio",
		    "Lowest frequency ceiling (scaling_max_freq or bios_limit) / cpuinfo_max_freq." },
	[C_GOV] = { "GOVERNOR", "governor", CT_STR },
	[C_DRV] = { "DRIVER", "driver", CT_STR },
	[C_BUSY] = { "BUSY", "busy_ratio", CT_RATIO, 0, "throttle_cpu_busy_ratio",
		     "Share of CPU time not idle, iowait or stolen." },
	[C_STEAL] = { "STEAL", "steal_ratio", CT_RATIO, 0, "throttle_cpu_steal_ratio",
		      "Share of CPU time stolen by the hypervisor." },
	[C_HWCUR] = { "HW-MHZ", "hw_cur_mhz", CT_NUM, COL_WIDE },
	[C_MIN] = { "MIN-MHZ", "scaling_min_mhz", CT_NUM, COL_WIDE },
	[C_HWMIN] = { "HW-MIN", "hw_min_mhz", CT_NUM, COL_WIDE },
};

enum { S_NAME, S_TYPE, S_TEMP, S_TRIP, S_KIND, S_CRIT, S_ALARM, S_NCOLS };

static const struct sbx_col sensor_cols[] = {
	[S_NAME] = { "SENSOR", "sensor", CT_STR, COL_LABEL },
	[S_TYPE] = { "TYPE", "type", CT_STR, COL_LABEL },
	[S_TEMP] = { "TEMP-C", "temp_celsius", CT_NUM, 0, "throttle_temperature_celsius",
		     "Temperature of a thermal zone or hwmon sensor." },
	[S_TRIP] = { "TRIP-C", "trip_celsius", CT_NUM },
	[S_KIND] = { "TRIP", "trip_type", CT_STR },
	[S_CRIT] = { "CRIT-C", "critical_celsius", CT_NUM },
	[S_ALARM] = { "ALARM", "crit_alarm", CT_BOOL, COL_WIDE },
};

static void add_cg_table(struct sbx_report *rep, const struct thr_cg_row *r, size_t n,
			 double seconds)
{
	struct sbx_table *t = report_table(rep, "cgroups", cg_cols, G_NCOLS);

	table_title(t, "cgroups with a CPU limit, most throttled first:");
	t->limit = o_all ? 0 : 20;
	for (size_t i = 0; i < n; i++) {
		const struct thr_cgroup *cg = r[i].cg;
		const struct k8s_cgroup *k = &cg->k8s;
		struct sbx_cell *c = table_row(t);

		if (r[i].ok) {
			if (!isnan(r[i].ratio))
				cell_num(&c[G_RATIO], r[i].ratio);
			cell_u64(&c[G_THR], r[i].throttled);
			cell_u64(&c[G_PERIODS], r[i].periods);
			if (r[i].has_time)
				cell_num(&c[G_TIME], r[i].throttled_s);
			if (r[i].has_usage && seconds > 0)
				cell_num(&c[G_USAGE], r[i].usage_s / seconds);
		} else {
			cell_unknown(&c[G_RATIO], r[i].why);
			cell_unknown(&c[G_THR], r[i].why);
			cell_unknown(&c[G_PERIODS], r[i].why);
		}
		if (cg->has_limit && cg->limit.quota_us >= 0)
			cell_num(&c[G_LIMIT], (double)cg->limit.quota_us / (double)cg->limit.period_us);
		if (k->qos != QOS_NONE)
			cell_str(&c[G_QOS], k8s_qos_name(k->qos));
		if (k->level >= K8S_POD) {
			char pod[160];

			owner_pod_name(k->pod_uid, pod, sizeof(pod));
			cell_str(&c[G_PODNAME], pod);
			cell_str(&c[G_POD], k->pod_uid);
		}
		if (k->level == K8S_CONTAINER) {
			cell_strf(&c[G_CONT], "%.12s", k->container_id);
			cell_str(&c[G_CID], k->container_id);
			if (*k->runtime)
				cell_str(&c[G_RUNTIME], k->runtime);
		}
		cell_str(&c[G_CGROUP], cg->path);
		if (seconds > 0)
			cell_i64(&c[G_CREATED], r[i].created);
		if (cg->st.has_periods) {
			cell_u64(&c[G_TOT_PERIODS], cg->st.nr_periods);
			cell_u64(&c[G_TOT_THR], cg->st.nr_throttled);
		}
		if (cg->st.has_throttled_time)
			cell_num(&c[G_TOT_TIME], cg->st.throttled_s);
	}
}

static void add_thermal_table(struct sbx_report *rep, const struct thr_thermal_row *r, size_t n,
			      double seconds)
{
	struct sbx_table *t = report_table(rep, "thermal", thermal_cols, T_NCOLS);

	table_title(t, "Thermal throttling (thermal_throttle, once per core and per package):");
	for (size_t i = 0; i < n; i++) {
		struct sbx_cell *c = table_row(t);

		cell_str(&c[T_LEVEL], r[i].level == THR_CORE ? "core" : "package");
		cell_i64(&c[T_PKG], r[i].package);
		if (r[i].level == THR_CORE)
			cell_i64(&c[T_CORE], r[i].core);
		cell_i64(&c[T_CPU], r[i].cpu);
		if (r[i].ok) {
			cell_u64(&c[T_EVENTS], r[i].events);
			if (seconds > 0)
				cell_num(&c[T_RATE], (double)r[i].events / seconds);
			if (r[i].has_total_ms)
				cell_num(&c[T_TIME], (double)r[i].total_ms / 1000);
		} else {
			cell_unknown(&c[T_EVENTS], r[i].why);
			if (seconds > 0)
				cell_unknown(&c[T_RATE], r[i].why);
		}
		cell_u64(&c[T_TOTAL], r[i].total);
		if (r[i].has_max_ms)
			cell_num(&c[T_MAX], (double)r[i].max_ms / 1000);
	}
}

static const struct thr_steal *steal_for(const struct thr_steal *r, size_t n, int cpu)
{
	for (size_t i = 0; i < n; i++)
		if (r[i].cpu == cpu)
			return &r[i];
	return NULL;
}

static void ratio_cell(struct sbx_cell *c, const struct thr_steal *st, bool busy)
{
	if (!st)
		return;
	if (busy ? st->ok : st->has_steal)
		cell_num(c, busy ? st->busy : st->steal);
	else
		cell_unknown(c, busy ? st->why : st->steal_why);
}

static void khz_cell(struct sbx_cell *c, bool has, uint64_t khz)
{
	if (has)
		cell_num(c, (double)khz / 1000);
}

static void add_cpu_table(struct sbx_report *rep, const struct thr_snap *s,
			  const struct thr_steal *st, size_t nst)
{
	struct sbx_table *t = report_table(rep, "cpus", cpu_cols, C_NCOLS);
	struct sbx_cell *c;

	table_title(t, "Per CPU (frequencies in MHz; steal and busy from /proc/stat):");
	if (nst) {
		t->compact = true;	/* -i 1 -n 10: the "all" row a second */
		c = table_row(t);
		cell_str(&c[C_CPU], "all");
		ratio_cell(&c[C_BUSY], steal_for(st, nst, -1), true);
		ratio_cell(&c[C_STEAL], steal_for(st, nst, -1), false);
	}
	for (size_t i = 0; i < s->ncpus; i++) {
		const struct thr_cpu *p = &s->cpus[i];
		const struct thr_steal *x = steal_for(st, nst, (int)p->cpu);
		double ratio;
		uint64_t khz;
		const char *src;

		c = table_row(t);
		cell_strf(&c[C_CPU], "%u", p->cpu);
		if (p->has_cpufreq) {
			khz_cell(&c[C_CUR], p->has_cur, p->cur_khz);
			khz_cell(&c[C_MAX], p->has_max, p->max_khz);
			khz_cell(&c[C_HWMAX], p->has_hw_max, p->hw_max_khz);
			khz_cell(&c[C_BIOS], p->has_bios, p->bios_khz);
			khz_cell(&c[C_MIN], p->has_min, p->min_khz);
			khz_cell(&c[C_HWMIN], p->has_hw_min, p->hw_min_khz);
			if (p->has_hw_cur)
				cell_num(&c[C_HWCUR], (double)p->hw_cur_khz / 1000);
			else if (p->hw_cur_why)
				cell_unknown(&c[C_HWCUR], p->hw_cur_why);
			if (throttle_freq_cap(p, &ratio, &khz, &src))
				cell_num(&c[C_CAP], ratio);
			if (*p->governor)
				cell_str(&c[C_GOV], p->governor);
			if (*p->driver)
				cell_str(&c[C_DRV], p->driver);
		} else if (p->has_mhz) {
			cell_num(&c[C_CUR], p->mhz);
		}
		ratio_cell(&c[C_BUSY], x, true);
		ratio_cell(&c[C_STEAL], x, false);
	}
	/* CPUs in /proc/stat that sysfs did not show (a tree without /sys) */
	for (size_t i = 0; i < nst; i++) {
		bool seen = st[i].cpu < 0;

		for (size_t j = 0; j < s->ncpus && !seen; j++)
			seen = (int)s->cpus[j].cpu == st[i].cpu;
		if (seen)
			continue;
		c = table_row(t);
		cell_strf(&c[C_CPU], "%d", st[i].cpu);
		ratio_cell(&c[C_BUSY], &st[i], true);
		ratio_cell(&c[C_STEAL], &st[i], false);
	}
}

static void add_sensor_table(struct sbx_report *rep, const struct thr_snap *s)
{
	struct sbx_table *t = report_table(rep, "sensors", sensor_cols, S_NCOLS);

	table_title(t, "Temperatures (thermal zones and hwmon), degrees Celsius:");
	for (size_t i = 0; i < s->nsensors; i++) {
		const struct thr_sensor *x = &s->sensors[i];
		struct sbx_cell *c = table_row(t);

		cell_str(&c[S_NAME], x->name);
		if (*x->type)
			cell_str(&c[S_TYPE], x->type);
		if (x->has_temp)
			cell_num(&c[S_TEMP], x->temp_c);
		else
			cell_unknown(&c[S_TEMP], x->why);
		if (x->has_warn_trip) {
			cell_num(&c[S_TRIP], x->warn_trip_c);
			cell_str(&c[S_KIND], x->warn_trip_kind);
		}
		if (x->has_crit_trip)
			cell_num(&c[S_CRIT], x->crit_trip_c);
		cell_i64(&c[S_ALARM], x->crit_alarm);
	}
}

/* Offline CPUs read empty thermal counters: said in the note. */
static void note_offline(struct sbx_report *rep, const struct thr_snap *s)
{
	unsigned *ids = xcalloc(s->ncpus + 1, sizeof(unsigned));
	size_t n = 0;
	char list[256];

	for (size_t i = 0; i < s->ncpus; i++)
		if (s->cpus[i].offline)
			ids[n++] = s->cpus[i].cpu;
	if (n) {
		fmt_cpulist(ids, n, list, sizeof(list));
		report_note(rep, "%s%soffline CPU %s: thermal counters read empty, not counted",
			    rep->note ? rep->note : "", rep->note ? "; " : "", list);
	}
	free(ids);
}

/* The summary: the first finding of each check that is not OK, or that
 * nothing holds the CPUs back. */
static void summarise(struct sbx_report *rep)
{
	struct buf b = { 0 };

	for (const enum sbx_check_id *id = throttle_checks; *id != CHK_N; id++) {
		for (size_t i = 0; i < rep->nfind; i++) {
			const struct sbx_finding *f = &rep->findings[i];

			if (f->state == ST_OK || strcmp(f->check, sbx_checks[*id].id))
				continue;
			buf_addf(&b, "%s%s", b.len ? "; " : "", f->text);
			break;
		}
	}
	report_summary(rep, "%s", b.len ? b.s : "nothing holds the CPUs back");
	buf_free(&b);
}

static struct sbx_report *build(const struct sbx_ctx *ctx, const struct thr_snap *prev,
				const struct thr_snap *cur)
{
	struct sbx_report *rep = report_new("throttle");
	double seconds = prev ? cur->when - prev->when : 0;
	enum thr_sort sort = !strcmp(o_sort, "time") ? THR_SORT_TIME : THR_SORT_RATIO;
	struct thr_cg_row *cg;
	struct thr_thermal_row *th;
	struct thr_steal *st;
	size_t ncg, nth, nst;
	char up[32];
	double steal;

	rep->interval = seconds;
	if (!prev) {
		snprintf(up, sizeof(up), " (up ");
		fmt_duration(up + 5, sizeof(up) - 6, cur->uptime);
		strcat(up, ")");
		report_note(rep, "cgroups since creation, the rest since boot%s; -i SECONDS gives "
				 "the figures now", cur->uptime >= 0 ? up : "");
	}
	judge_cfs(rep, cur, prev, o_min_periods, MAX_FINDINGS);
	judge_thermal(rep, cur, prev, MAX_FINDINGS);
	judge_freq(rep, cur, MAX_FINDINGS);
	judge_steal(rep, cur->has_stat ? &cur->stat : NULL,
		    prev && prev->has_stat ? &prev->stat : NULL, cur->stat_err.msg, &steal);
	note_offline(rep, cur);
	summarise(rep);
	if (sbx_wants_tables(ctx)) {
		cg = throttle_cg_rows(cur, prev, sort, &ncg);
		th = throttle_thermal_rows(cur, prev, &nth);
		st = throttle_steal_rows(cur, prev, &nst);
		if (cur->nhier)
			add_cg_table(rep, cg, ncg, seconds);
		if (nth)
			add_thermal_table(rep, th, nth, seconds);
		if (cur->ncpus || nst)
			add_cpu_table(rep, cur, st, nst);
		if (cur->nsensors)
			add_sensor_table(rep, cur);
		free(cg);
		free(th);
		free(st);
	}
	return rep;
}

/* The shared sampling loop (lib/cli/sample.c) drives the readings. */
struct thr_args {
	const char *const *paths;
	size_t npaths;
};

static int thr_read(void *snap, struct sbx_err *err, void *arg)
{
	const struct thr_args *a = arg;

	(void)err;
	throttle_read(snap, THR_ALL, a->paths, a->npaths);
	return 0;
}

static void thr_free(void *snap, void *arg)
{
	(void)arg;
	throttle_snap_free(snap);
}

/* Nothing counted moved: no cgroup's periods or usage, no thermal event
 * (a saved tree). */
static bool thr_same(const void *a_, const void *b_, void *arg)
{
	const struct thr_snap *a = a_, *b = b_;

	(void)arg;
	if (a->ncg != b->ncg || a->ncpus != b->ncpus)
		return false;
	for (size_t i = 0; i < a->ncg; i++)
		if (a->cg[i].ino != b->cg[i].ino ||
		    a->cg[i].st.nr_periods != b->cg[i].st.nr_periods ||
		    a->cg[i].st.nr_throttled != b->cg[i].st.nr_throttled ||
		    a->cg[i].st.usage_s != b->cg[i].st.usage_s ||
		    a->cg[i].st.throttled_s != b->cg[i].st.throttled_s)
			return false;
	for (size_t i = 0; i < a->ncpus; i++)
		if (a->cpus[i].core_count != b->cpus[i].core_count ||
		    a->cpus[i].pkg_count != b->cpus[i].pkg_count)
			return false;
	return true;
}

static struct sbx_report *thr_build(struct sbx_ctx *ctx, const void *prev, const void *cur,
				    void *arg)
{
	(void)arg;
	return build(ctx, prev, cur);
}

/* srebox top's throttled cgroups (cmd/top.h): the whole tree. */
const struct sbx_sampler *throttle_sampler(void)
{
	static struct thr_args args;
	static const struct sbx_sampler s = { .name = "throttle", .size = sizeof(struct thr_snap),
					      .read = thr_read, .free = thr_free, .same = thr_same,
					      .build = thr_build, .arg = &args };

	return &s;
}

static int throttle_run(struct sbx_ctx *ctx)
{
	struct thr_args args = { (const char *const *)ctx->args, (size_t)ctx->nargs };
	struct sbx_sampler s = { .name = "throttle", .size = sizeof(struct thr_snap),
				 .read = thr_read, .free = thr_free, .same = thr_same,
				 .build = thr_build, .arg = &args };
	struct thr_snap first;

	/* a bad CGROUP argument is a usage error, before any sampling */
	throttle_read(&first, THR_CGROUPS, args.paths, args.npaths);
	if (first.cg_missing) {
		warnx_("cgroup '%s': in no cgroup hierarchy with the cpu controller (%s%s)",
		       first.cg_missing, rooted(first.hier[0].dir), first.nhier > 1 ? ", ..." : "");
		throttle_snap_free(&first);
		return 3;
	}
	throttle_snap_free(&first);
	return sbx_sample(ctx, &s);
}

const struct sbx_applet applet_throttle = {
	.name = "throttle",
	.examples =
		"# pods slow under their CPU limit\n"
		"srebox throttle -i 5\n"
		"# warn at 50% throttled periods, critical at 80%\n"
		"srebox throttle -i 10 -o check -w cfs=50 -c cfs=80\n",
	.summary = "what holds the CPUs back: CFS quota, heat, frequency caps, steal",
	.usage = "[OPTIONS] [CGROUP...]",
	.description =
		"Ranks the cgroups with a CPU limit (cgroup v1 and v2) by the share of CFS\n"
		"periods in which they were throttled, naming Kubernetes pods and containers;\n"
		"counts thermal throttle events per core and package; shows frequency ceilings\n"
		"(scaling_max_freq, bios_limit) against the hardware maximum, temperatures\n"
		"against their trip points, and steal per CPU.  Without -i, over a " SBX_SAMPLE_DEFAULT_TEXT " s\n"
		"sample; -i 0: cgroups since creation, the rest since boot.  CGROUP arguments\n"
		"restrict the walk to those "
		"subtrees of the hierarchy (\"kubepods.slice\").",
	.flags = AP_PROBE | AP_OUTPUT,
	.opts = throttle_opts,
	.checks = throttle_checks,
	.run = throttle_run,
};
