/* The CPU-throttling checks, judged once: see judge_throttle.h. */
#include "judge_throttle.h"
#include "cpu_share.h"
#include "root.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Severity rank of a listed finding, as the renderers order them. */
static int rank(enum sbx_state st)
{
	switch (st) {
	case ST_CRITICAL:
		return 0;
	case ST_WARNING:
		return 1;
	case ST_UNKNOWN:
		return 2;
	default:
		return 3;
	}
}

/* "80%" for a whole number, "24.9%" otherwise: a share just under a
 * threshold is not printed as the threshold. */
static const char *pct_text(double v, char *buf, size_t n)
{
	if (fabs(v - round(v)) < 1e-9)
		snprintf(buf, n, "%.0f%%", v);
	else
		snprintf(buf, n, "%.1f%%", v);
	return buf;
}

/* One subject a check lists: its state, its place in the order of worst
 * first (lower first), and what the judge needs to write it. */
struct cand {
	enum sbx_state st;
	double key;
	size_t idx;
};

static int cmp_cand(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (rank(x->st) != rank(y->st))
		return rank(x->st) - rank(y->st);
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Of n candidates, how many to list; the state of those left out. */
static size_t listed(const struct cand *c, size_t n, size_t max, enum sbx_state *rest)
{
	size_t k = max && n > max ? max : n;

	*rest = ST_OK;
	for (size_t i = k; i < n; i++)
		*rest = state_worst(*rest, c[i].st);
	return k;
}

/* --- cfs ------------------------------------------------------------------ */

static bool limited(const struct thr_cgroup *cg)
{
	return cg->has_limit && cg->limit.quota_us >= 0;
}

static void cfs_finding(struct sbx_report *r, const struct thr_cg_row *row, enum sbx_state st,
			double seconds)
{
	char name[300], secs[48], p[16];
	double v = row->ratio * 100;

	throttle_cg_name(row->cg->path, &row->cg->k8s, name, sizeof(name));
	if (st == ST_UNKNOWN) {
		check_unknown(r, CHK_CFS, row->cg->path, "%s: %s", name, row->why);
		return;
	}
	snprintf(secs, sizeof(secs), ", %.1fs throttled", row->throttled_s);
	check_value(r, CHK_CFS, row->cg->path, v, "%s: throttled in %s of %llu periods%s%s%s%s", name,
		    pct_text(v, p, sizeof(p)), (unsigned long long)row->periods,
		    seconds > 0 ? "" : " since creation",
		    row->created ? " (created during the interval)" : "",
		    row->has_time ? secs : "", limited(row->cg) ? "" : "; no limit now");
}

/* The all-clear of the cfs check, and its value (NAN: none to give). */
static const char *cfs_summary(const struct thr_cg_row *worst, size_t judged, size_t few,
			       size_t nlimited, size_t seen, uint64_t min_periods, double seconds,
			       const char *fewtext, double *v)
{
	static char out[600];
	char name[300], p[16];

	*v = NAN;
	if (worst && worst->throttled) {
		throttle_cg_name(worst->cg->path, &worst->cg->k8s, name, sizeof(name));
		*v = worst->ratio * 100;
		snprintf(out, sizeof(out), "most throttled %s at %s of %llu periods%s%s", name,
			 pct_text(*v, p, sizeof(p)), (unsigned long long)worst->periods,
			 seconds > 0 ? "" : " since creation", fewtext);
	} else if (few && !judged) {
		/* a short interval: throttled or not, the counts are no evidence */
		snprintf(out, sizeof(out),
			 "%zu cgroup%s ran fewer than %llu periods in %.2fs, too few to judge; a "
			 "longer -i judges them",
			 few, few == 1 ? "" : "s", (unsigned long long)min_periods, seconds);
	} else {
		*v = 0;
		snprintf(out, sizeof(out),
			 "no throttling in %zu cgroup%s with a CPU limit (%zu cgroup%s walked)%s",
			 nlimited, nlimited == 1 ? "" : "s", seen, seen == 1 ? "" : "s", fewtext);
	}
	return out;
}

void judge_cfs(struct sbx_report *r, const struct thr_snap *cur, const struct thr_snap *prev,
	       uint64_t min_periods, size_t max)
{
	double seconds = prev ? cur->when - prev->when : 0;
	const struct thr_cg_row *worst = NULL;
	size_t n, ncand = 0, nlimited = 0, judged = 0, few = 0, k;
	struct thr_cg_row *rows;
	struct cand *cand;
	enum sbx_state rest;
	bool flagged = false;
	char fewtext[160] = "", *summary = NULL;
	double v;

	if (!cur->nhier) {
		/* no hierarchy with CFS bandwidth: said, not judged */
		if (cur->cg_error)
			check_unknown(r, CHK_CFS, NULL, "CFS quota: %s", cur->cg_error);
		else
			check_rule(r, CHK_CFS, ST_OK, NULL, "CFS quota: %s", cur->cg_note);
		return;
	}
	/* ratio order: the first judged row is the most throttled */
	rows = throttle_cg_rows(cur, prev, THR_SORT_RATIO, &n);
	cand = xcalloc(n + 1, sizeof(*cand));
	for (size_t i = 0; i < n; i++) {
		enum sbx_state st;

		nlimited += limited(rows[i].cg);
		if (!rows[i].ok) {
			cand[ncand++] = (struct cand){ ST_UNKNOWN, 0, i };
			continue;
		}
		if (isnan(rows[i].ratio))
			continue;	/* no period ran: not throttled */
		if (rows[i].periods < min_periods) {
			few++;
			continue;
		}
		judged++;
		if (!worst)
			worst = &rows[i];
		st = check_judge(CHK_CFS, rows[i].ratio * 100);
		if (st != ST_OK) {
			cand[ncand++] = (struct cand){ st, -rows[i].ratio, i };
			flagged = true;
		}
	}
	qsort(cand, ncand, sizeof(*cand), cmp_cand);
	k = listed(cand, ncand, max, &rest);
	for (size_t i = 0; i < k; i++)
		cfs_finding(r, &rows[cand[i].idx], cand[i].st, seconds);
	if (k < ncand)
		check_rule(r, CHK_CFS, rest, "others",
			   "%zu more cgroup%s over the threshold or unknown (srebox throttle -o json "
			   "lists every cgroup)",
			   ncand - k, ncand - k > 1 ? "s" : "");
	if (few)
		snprintf(fewtext, sizeof(fewtext), "; %zu with fewer than %llu periods not judged", few,
			 (unsigned long long)min_periods);
	if (cur->cg_error) {
		/* part of the tree could not be read: what was read is no all-clear */
		if (!flagged)
			summary = xasprintf("; of the cgroups read, %s", cfs_summary(worst, judged, few,
				nlimited, cur->cg_seen, min_periods, seconds, fewtext, &v));
		check_unknown(r, CHK_CFS, NULL, "CFS quota: %s%s", cur->cg_error,
			      summary ? summary : "");
		free(summary);
	} else if (!flagged) {
		const char *text = cfs_summary(worst, judged, few, nlimited, cur->cg_seen, min_periods,
					       seconds, fewtext, &v);

		if (isnan(v))
			check_rule(r, CHK_CFS, ST_OK, NULL, "CFS quota: %s", text);
		else
			check_value(r, CHK_CFS, NULL, v, "CFS quota: %s", text);
	}
	free(cand);
	free(rows);
}

/* --- thermal -------------------------------------------------------------- */

static void thermal_events(struct sbx_report *r, const struct thr_snap *cur,
			   const struct thr_snap *prev)
{
	double seconds = prev ? cur->when - prev->when : 0;
	const char *cpu_why = NULL, *why = NULL;
	uint64_t core = 0, pkg = 0, ev;
	size_t n, unknown = 0;
	struct thr_thermal_row *rows;
	char up[32];

	for (size_t i = 0; i < cur->ncpus && !cpu_why; i++)
		cpu_why = cur->cpus[i].thermal_why;
	if (cur->cpu_error) {
		check_unknown(r, CHK_THERMAL, NULL, "thermal throttle counters: %s", cur->cpu_error);
		return;
	}
	if (!cur->any_thermal) {
		if (cpu_why)
			check_unknown(r, CHK_THERMAL, NULL, "thermal throttle counters: %s", cpu_why);
		else
			check_rule(r, CHK_THERMAL, ST_OK, NULL,
				   "no thermal_throttle counters (%s): not x86, a virtual machine, or "
				   "the kernel lacks them",
				   rooted("/sys/devices/system/cpu"));
		return;
	}
	rows = throttle_thermal_rows(cur, prev, &n);
	for (size_t i = 0; i < n; i++) {
		if (!rows[i].ok) {
			if (!unknown++)
				why = rows[i].why;
			continue;
		}
		if (rows[i].level == THR_CORE)
			core += rows[i].events;
		else
			pkg += rows[i].events;
	}
	if (cpu_why && !unknown++)
		why = cpu_why;	/* a counter there that would not be read */
	ev = core + pkg;
	if (seconds > 0 || (unknown && cpu_why)) {
		enum sbx_state st = check_judge(CHK_THERMAL, (double)ev);

		if (unknown && (st == ST_OK || seconds <= 0))
			/* no event seen is not "no event" when a counter is unknown */
			check_unknown(r, CHK_THERMAL, NULL,
				      "thermal: %llu throttle events %s on the counters known, %zu "
				      "unknown: %s",
				      (unsigned long long)ev, seconds > 0 ? "in the interval" : "since boot",
				      unknown, why);
		else
			check_value(r, CHK_THERMAL, NULL, (double)ev,
				    "%s%llu thermal throttle events in %.1fs (%llu core, %llu "
				    "package)%s%s",
				    st == ST_OK ? "thermal: " : "CPU clock throttled for heat: ",
				    (unsigned long long)ev, seconds, (unsigned long long)core,
				    (unsigned long long)pkg, unknown ? "; unknown for some: " : "",
				    unknown ? why : "");
	} else {
		/* since boot, events are history: shown, not judged */
		snprintf(up, sizeof(up), "up ");
		fmt_duration(up + 3, sizeof(up) - 3, cur->uptime);
		check_rule(r, CHK_THERMAL, ST_OK, NULL,
			   "thermal: %llu core and %llu package throttle events since boot (%s); -i "
			   "SECONDS shows whether it happens now",
			   (unsigned long long)core, (unsigned long long)pkg,
			   cur->uptime >= 0 ? up : "uptime unknown");
	}
	free(rows);
}

/* A sensor at its own trip point: the kernel (passive), the platform (hot)
 * or the chip (max) acts there; at critical the machine shuts down. */
static enum sbx_state trip_state(const struct thr_sensor *x)
{
	if (!x->has_temp)
		return ST_OK;
	if (x->crit_alarm || (x->has_crit_trip && x->temp_c >= x->crit_trip_c))
		return ST_CRITICAL;
	if (x->has_warn_trip && x->temp_c >= x->warn_trip_c)
		return ST_WARNING;
	return ST_OK;
}

static void trip_points(struct sbx_report *r, const struct thr_snap *s, size_t max)
{
	const struct thr_sensor *hot = NULL;
	struct cand *cand = xcalloc(s->nsensors + 1, sizeof(*cand));
	size_t ncand = 0, known = 0, k;
	enum sbx_state rest;

	for (size_t i = 0; i < s->nsensors; i++) {
		const struct thr_sensor *x = &s->sensors[i];
		enum sbx_state st = trip_state(x);

		if (!x->has_temp)
			continue;
		known++;
		if (!hot || x->temp_c > hot->temp_c)
			hot = x;
		if (st != ST_OK)
			cand[ncand++] = (struct cand){ st, -x->temp_c, i };
	}
	qsort(cand, ncand, sizeof(*cand), cmp_cand);
	k = listed(cand, ncand, max, &rest);
	for (size_t i = 0; i < k; i++) {
		const struct thr_sensor *x = &s->sensors[cand[i].idx];
		const char *name = *x->type ? x->type : x->name;

		if (cand[i].st == ST_CRITICAL)
			check_rule(r, CHK_TRIP, ST_CRITICAL, x->name,
				   "%s (%s) at %.1f°C: %s critical %.0f°C", x->name, name, x->temp_c,
				   x->crit_alarm ? "crit_alarm raised," : "at or over its",
				   x->has_crit_trip ? x->crit_trip_c : NAN);
		else
			check_rule(r, CHK_TRIP, ST_WARNING, x->name,
				   "%s (%s) at %.1f°C: at or over its %s trip point %.0f°C", x->name,
				   name, x->temp_c, x->warn_trip_kind, x->warn_trip_c);
	}
	if (k < ncand)
		check_rule(r, CHK_TRIP, rest, "others",
			   "%zu more sensor%s at or over a trip point (srebox throttle lists them)",
			   ncand - k, ncand - k > 1 ? "s" : "");
	free(cand);
	if (s->temp_error) {
		/* a class directory we may not read: what was read is no all-clear */
		if (hot)
			check_unknown(r, CHK_TRIP, NULL, "temperatures: %s; hottest of the rest %s %.1f°C",
				      s->temp_error, hot->name, hot->temp_c);
		else
			check_unknown(r, CHK_TRIP, NULL, "temperatures: %s", s->temp_error);
		return;
	}
	if (ncand)
		return;
	if (hot)
		check_rule(r, CHK_TRIP, ST_OK, NULL,
			   "temperatures: hottest %s (%s) %.1f°C; %zu sensors below their trip points",
			   hot->name, *hot->type ? hot->type : "?", hot->temp_c, known);
	else if (s->nsensors)
		check_unknown(r, CHK_TRIP, NULL, "temperatures: no sensor readable: %s",
			      s->sensors[0].why);
	else
		check_rule(r, CHK_TRIP, ST_OK, NULL,
			   "temperatures: no thermal zones or hwmon sensors (a virtual machine?)");
}

void judge_thermal(struct sbx_report *r, const struct thr_snap *cur, const struct thr_snap *prev,
		   size_t max)
{
	thermal_events(r, cur, prev);
	trip_points(r, cur, max);
}

/* --- freq ----------------------------------------------------------------- */

/* CPUs with the same ceiling from the same source over the same maximum. */
struct freq_group {
	const struct thr_cpu *first;
	double ratio;
	uint64_t khz;
	const char *src;
	unsigned *ids;
	size_t nids;
};

static void no_cpufreq(struct sbx_report *r, const struct thr_snap *s)
{
	double lo = 0, hi = 0;
	size_t nmhz = 0;
	char range[64];

	for (size_t i = 0; i < s->ncpus; i++) {
		if (!s->cpus[i].has_mhz)
			continue;
		if (!nmhz || s->cpus[i].mhz < lo)
			lo = s->cpus[i].mhz;
		if (!nmhz || s->cpus[i].mhz > hi)
			hi = s->cpus[i].mhz;
		nmhz++;
	}
	if (!nmhz) {
		check_rule(r, CHK_FREQ, ST_OK, NULL,
			   "no cpufreq and no 'cpu MHz' in /proc/cpuinfo: frequency caps cannot be "
			   "seen");
		return;
	}
	if (lo == hi)
		snprintf(range, sizeof(range), "%.0f", lo);
	else
		snprintf(range, sizeof(range), "%.0f-%.0f", lo, hi);
	check_rule(r, CHK_FREQ, ST_OK, NULL,
		   "no cpufreq (a virtual machine, or firmware controls the clock): /proc/cpuinfo "
		   "says %s MHz on %zu CPU%s",
		   range, nmhz, plural(nmhz, "s"));
}

/* "; now at 1200-3400 MHz of 3500" */
static void freq_now(const struct thr_snap *s, char *out, size_t n)
{
	uint64_t lo = 0, hi = 0, hw = 0;
	size_t ncur = 0;

	*out = '\0';
	for (size_t i = 0; i < s->ncpus; i++) {
		const struct thr_cpu *c = &s->cpus[i];

		if (!c->has_cur)
			continue;
		lo = !ncur || c->cur_khz < lo ? c->cur_khz : lo;
		hi = !ncur || c->cur_khz > hi ? c->cur_khz : hi;
		hw = c->has_hw_max && c->hw_max_khz > hw ? c->hw_max_khz : hw;
		ncur++;
	}
	if (!ncur || !hw)
		return;
	if (lo == hi)
		snprintf(out, n, "; now at %.0f MHz of %.0f", (double)lo / 1000, (double)hw / 1000);
	else
		snprintf(out, n, "; now at %.0f-%.0f MHz of %.0f", (double)lo / 1000, (double)hi / 1000,
			 (double)hw / 1000);
}

void judge_freq(struct sbx_report *r, const struct thr_snap *s, size_t max)
{
	struct freq_group *g = xcalloc(s->ncpus + 1, sizeof(*g));
	struct cand *cand = xcalloc(s->ncpus + 2, sizeof(*cand));
	unsigned *bad = xcalloc(s->ncpus + 1, sizeof(unsigned));
	size_t ng = 0, ncand = 0, nbad = 0, checked = 0, k;
	const char *why = NULL, *bad_why = NULL;
	double lowest = 0;
	enum sbx_state rest;
	char list[256], nowhy[160], now[96], p[16];

	if (s->cpu_error) {
		check_unknown(r, CHK_FREQ, NULL, "frequency ceiling: %s", s->cpu_error);
		goto out;
	}
	for (size_t i = 0; i < s->ncpus; i++) {
		const struct thr_cpu *c = &s->cpus[i];
		double ratio;
		uint64_t khz;
		const char *src;
		size_t j;

		if (!throttle_freq_cap(c, &ratio, &khz, &src)) {
			if (c->freq_why) {
				/* a file there that would not be read: unknown */
				if (!nbad++)
					bad_why = c->freq_why;
				bad[nbad - 1] = c->cpu;
			} else if (c->has_cpufreq && !why) {
				snprintf(nowhy, sizeof(nowhy), "CPU%u has no %s in its cpufreq directory",
					 c->cpu,
					 c->has_hw_max ? "scaling_max_freq or bios_limit"
						       : "cpuinfo_max_freq (the hardware maximum)");
				why = nowhy;
			}
			continue;
		}
		lowest = !checked || ratio < lowest ? ratio : lowest;
		checked++;
		for (j = 0; j < ng; j++)
			if (g[j].khz == khz && !strcmp(g[j].src, src) &&
			    g[j].first->hw_max_khz == c->hw_max_khz)
				break;
		if (j == ng) {
			g[ng] = (struct freq_group){ c, ratio, khz, src,
						     xcalloc(s->ncpus + 1, sizeof(unsigned)), 0 };
			ng++;
		}
		g[j].ids[g[j].nids++] = c->cpu;
	}
	if (!s->any_cpufreq && !nbad) {
		no_cpufreq(r, s);
		goto out;
	}
	for (size_t j = 0; j < ng; j++) {
		enum sbx_state st = check_judge(CHK_FREQ, g[j].ratio * 100);

		if (st != ST_OK)
			cand[ncand++] = (struct cand){ st, g[j].ratio, j };
	}
	if (nbad)
		cand[ncand++] = (struct cand){ ST_UNKNOWN, 0, ng };
	qsort(cand, ncand, sizeof(*cand), cmp_cand);
	k = listed(cand, ncand, max, &rest);
	for (size_t i = 0; i < k; i++) {
		const struct freq_group *x = &g[cand[i].idx];
		double v;

		if (cand[i].idx == ng) {
			fmt_cpulist(bad, nbad, list, sizeof(list));
			check_unknown(r, CHK_FREQ, list, "CPU%s %s: frequency ceiling: %s",
				      nbad > 1 ? "s" : "", list, bad_why);
			continue;
		}
		v = x->ratio * 100;
		fmt_cpulist(x->ids, x->nids, list, sizeof(list));
		check_value(r, CHK_FREQ, list, v,
			    "CPU%s %s: %s %.0f MHz caps %s at %s of the hardware's %.0f MHz "
			    "(%sgovernor %s, driver %s)",
			    x->nids > 1 ? "s" : "", list, x->src, (double)x->khz / 1000,
			    x->nids > 1 ? "them" : "it", pct_text(v, p, sizeof(p)),
			    (double)x->first->hw_max_khz / 1000,
			    !strcmp(x->src, "bios_limit") ? "firmware or BMC power capping; " : "",
			    *x->first->governor ? x->first->governor : "?",
			    *x->first->driver ? x->first->driver : "?");
	}
	if (k < ncand)
		check_rule(r, CHK_FREQ, rest, "others",
			   "%zu more group%s of CPUs under the threshold or unknown (srebox "
			   "throttle lists them)",
			   ncand - k, ncand - k > 1 ? "s" : "");
	if (ncand > (nbad ? 1u : 0u))
		goto out;	/* a ceiling was flagged: its finding carries the value */
	if (!checked) {
		/* the kernel shows no ceiling or no maximum: absent, said so */
		if (!nbad)
			check_rule(r, CHK_FREQ, ST_OK, NULL,
				   "frequency ceiling cannot be seen: %s", why);
		goto out;
	}
	freq_now(s, now, sizeof(now));
	check_value(r, CHK_FREQ, NULL, lowest * 100,
		    "frequency: lowest ceiling %s of the hardware maximum on %zu CPU%s%s%s%s",
		    pct_text(lowest * 100, p, sizeof(p)), checked, plural(checked, "s"), now,
		    why ? "; unknown for some: " : "", why ? why : "");
out:
	for (size_t j = 0; j < ng; j++)
		free(g[j].ids);
	free(g);
	free(cand);
	free(bad);
}

/* --- steal ---------------------------------------------------------------- */

bool judge_steal(struct sbx_report *r, const struct proc_stat *cur, const struct proc_stat *prev,
		 const char *why, double *pct)
{
	struct cpu_share all, *per = NULL;
	const struct cpu_share *worst = NULL;
	size_t nper = 0;
	enum sbx_state st;
	char most[64] = "";

	if (!cur) {
		check_unknown(r, CHK_STEAL, NULL, "steal: %s", why);
		return false;
	}
	cpu_shares(cur, prev, &all, &per, &nper);
	if (!all.ok) {
		check_unknown(r, CHK_STEAL, NULL, "steal: %s", all.why);
		free(per);
		return false;
	}
	if (!all.has[SH_STEAL]) {
		/* an old kernel has no steal column: nothing to judge */
		check_rule(r, CHK_STEAL, ST_OK, NULL,
			   "steal: no steal column in /proc/stat (kernel before 2.6.11)");
		free(per);
		return false;
	}
	for (size_t i = 0; i < nper; i++)
		if (per[i].ok && (!worst || per[i].pct[SH_STEAL] > worst->pct[SH_STEAL]))
			worst = &per[i];
	if (worst && nper > 1 && worst->pct[SH_STEAL] > 0)
		snprintf(most, sizeof(most), "; most on CPU%d (%.1f%%)", worst->cpu,
			 worst->pct[SH_STEAL]);
	*pct = all.pct[SH_STEAL];
	st = check_judge(CHK_STEAL, *pct);
	check_value(r, CHK_STEAL, NULL, *pct, "%s%.1f%% of CPU time stolen by the hypervisor%s%s%s%s",
		    st == ST_OK ? "steal: " : "noisy neighbour: ", *pct,
		    prev ? "" : " (average since boot)", most, all.why[0] ? "; " : "", all.why);
	free(per);
	return true;
}
