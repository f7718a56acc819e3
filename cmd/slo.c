/* srebox slo: error budgets as the SRE guide and workbook define them.
 * The arithmetic (allowed downtime and failures of a target over a
 * window), the budget consumed, left and burning from observed counts
 * (--good/--total, --bad-minutes, or a Prometheus server), and the
 * guide's budget policy as a verdict with an exit status: the budget_left
 * and launch_cost checks of the catalogue, so that -w/-c move the policy's
 * lines.  `srebox slo rules SPEC.yaml` writes Prometheus rules from a sloth
 * spec (slo_rules.c). */
#include "applet.h"
#include "promapi.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *o_window = "30d", *o_elapsed, *o_good_q, *o_total_q;
/* NAN: not given (a negative count is an error, not "not given") */
static double o_requests = NAN, o_good = NAN, o_total = NAN, o_bad_minutes = NAN, o_launch = NAN;

static const struct sbx_opt slo_opts[] = {
	{ 0, "window", OPT_STRING, &o_window, "WINDOW",
	  "the SLO window: 30d, 4w, 28d, month (365.25/12 days), quarter, year (default 30d)", NULL,
	  NULL },
	{ 0, "requests", OPT_DOUBLE, &o_requests, "N",
	  "requests expected over the window: also give the failures the budget allows", NULL, NULL },
	{ 0, "good", OPT_DOUBLE, &o_good, "N", "good events observed (with --total)", NULL, NULL },
	{ 0, "total", OPT_DOUBLE, &o_total, "N", "all events observed (with --good)", NULL, NULL },
	{ 0, "bad-minutes", OPT_DOUBLE, &o_bad_minutes, "M",
	  "minutes of the window that were bad (a time-based SLI)", NULL, NULL },
	{ 0, "elapsed", OPT_STRING, &o_elapsed, "DURATION",
	  "how much of the window the observed counts cover (default: all of it)", NULL, NULL },
	{ 0, "launch-cost", OPT_DOUBLE, &o_launch, "PERCENT",
	  "a launch's expected share of the window's budget, judged by launch_cost", NULL, NULL },
	PROM_OPTS,
	{ 0, "good-query", OPT_STRING, &o_good_q, "PROMQL",
	  "with --prometheus: the rate of good events, $window for the range (default: the guide's "
	  "http_requests_total{code!~\"5..\"})", NULL, NULL },
	{ 0, "total-query", OPT_STRING, &o_total_q, "PROMQL",
	  "with --prometheus: the rate of all events, $window for the range", NULL, NULL },
	OPT_END,
};

static const enum sbx_check_id slo_checks[] = { CHK_BUDGET_LEFT, CHK_LAUNCH_COST, CHK_BURN_RATE,
						CHK_PROMETHEUS, CHK_N };

#define DEFAULT_GOOD "sum(rate(http_requests_total{code!~\"5..\"}[$window]))"
#define DEFAULT_TOTAL "sum(rate(http_requests_total[$window]))"

/* "30d", "4w", "90m", "month" (365.25/12 days), "quarter", "year", into
 * seconds and Prometheus' spelling of the same range. */
static bool parse_window(const char *s, double *secs, char *prom, size_t n)
{
	static const struct {
		char unit;
		double mult;
	} units[] = { { 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 }, { 'w', 604800 },
		      { 'y', 365 * 86400.0 } };
	size_t l = s ? strlen(s) : 0;
	uint64_t v;
	char num[32];

	if (!l)
		return false;
	if (!strcmp(s, "month") || !strcmp(s, "quarter") || !strcmp(s, "year")) {
		double days = !strcmp(s, "month") ? 365.25 / 12 : !strcmp(s, "quarter") ? 365.25 / 4 : 365.25;

		*secs = days * 86400;
		snprintf(prom, n, "%.0fm", *secs / 60);	/* 43830m: whole minutes */
		return true;
	}
	if (l >= sizeof(num) || l < 2)
		return false;
	memcpy(num, s, l - 1);
	num[l - 1] = '\0';
	if (!parse_u64(num, &v) || v == 0 || v > 100000)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(units); i++)
		if (s[l - 1] == units[i].unit) {
			*secs = (double)v * units[i].mult;
			snprintf(prom, n, "%s", s);
			return true;
		}
	return false;
}

static bool parse_target(const char *s, double *t)
{
	char tmp[32];
	size_t l = strlen(s);

	if (!l || l >= sizeof(tmp))
		return false;
	memcpy(tmp, s, l + 1);
	if (tmp[l - 1] == '%')
		tmp[l - 1] = '\0';
	return parse_double(tmp, t) && *t > 0 && *t < 100;
}

enum { S_TARGET, S_WINDOW, S_WINDOW_S, S_BUDGET, S_FAILURES, S_SLI, S_CONSUMED, S_LEFT, S_BURN,
       S_EXHAUSTED, S_NCOLS };

static const struct sbx_col slo_cols[] = {
	[S_TARGET] = { "TARGET%", "target_percent", CT_NUM, COL_EXACT, "slo_target_ratio",
		       "The SLO target, %." },
	[S_WINDOW] = { "WINDOW", "window", CT_STR, COL_LABEL },
	[S_WINDOW_S] = { "SECONDS", "window_seconds", CT_NUM, COL_WIDE | COL_EXACT,
			 "slo_window_seconds", "The window's length." },
	[S_BUDGET] = { "DOWNTIME", "allowed_downtime_seconds", CT_SECONDS, 0,
		       "slo_allowed_downtime_seconds", "Downtime the target allows over the window." },
	[S_FAILURES] = { "FAILURES", "allowed_failures", CT_NUM, COL_EXACT, "slo_allowed_failures",
			 "Failed requests the target allows over the window (--requests)." },
	[S_SLI] = { "SLI%", "sli_percent", CT_NUM, COL_EXACT, "slo_sli_ratio",
		    "The observed SLI, %." },
	[S_CONSUMED] = { "SPENT%", "budget_consumed_percent", CT_NUM, COL_EXACT,
			 "slo_error_budget_consumed_ratio", "Share of the window's budget spent, %." },
	[S_LEFT] = { "LEFT%", "budget_left_percent", CT_NUM, COL_EXACT, NULL, NULL },
	[S_BURN] = { "BURN", "burn_rate", CT_NUM, COL_EXACT, "slo_burn_rate",
		     "Budget spent per window length at the observed error rate." },
	[S_EXHAUSTED] = { "GONE-IN", "exhausted_in_seconds", CT_SECONDS, 0,
			  "slo_budget_exhausted_in_seconds",
			  "Seconds until the budget is gone at the observed burn rate." },
};

static double round_sig(double v)
{
	/* 99.95000000000000284 -> 99.95: a ratio of counts printed as people wrote it */
	char tmp[64];

	if (v == 0 || !isfinite(v))
		return v;
	snprintf(tmp, sizeof(tmp), "%.12g", v);
	return strtod(tmp, NULL);
}

struct observed {
	bool have;
	double sli;		/* 0..1 */
	double burn;		/* error rate / (1 - target) */
	double consumed;	/* of the window's budget, 0..1 (can exceed 1) */
	double current;		/* Prometheus: the last hour's burn, for GONE-IN; NAN: none */
	char how[160];
};

static void policy(struct sbx_report *rep, const struct observed *ob)
{
	double left = (1 - ob->consumed) * 100;
	enum sbx_state st = check_judge(CHK_BUDGET_LEFT, left);
	const char *verdict = st == ST_OK ? "feature work is fine" :
			      st == ST_WARNING ? "slow down: weigh each launch against the budget" :
						 "reliability work first, launches wait";
	struct sbx_finding *f;
	char pct[32];

	if (left <= 0)
		verdict = "the budget is spent: reliability work first, launches wait";
	snprintf(pct, sizeof(pct), "%.4g%%", left);
	f = check_value(rep, CHK_BUDGET_LEFT, NULL, left, "%s of the error budget left (%s): %s", pct,
			ob->how, verdict);
	(void)f;
	if (!isnan(o_launch)) {
		if (o_launch > left)
			check_value(rep, CHK_LAUNCH_COST, NULL, o_launch,
				    "a launch costing %g%% of the budget is more than the %s left",
				    o_launch, pct);
		else
			check_value(rep, CHK_LAUNCH_COST, NULL, o_launch,
				    "a launch costing %g%% of the budget (%s left)", o_launch, pct);
	}
}

static bool bad_count(double v)
{
	return !isnan(v) && !(v >= 0 && isfinite(v));
}

static int slo_run(struct sbx_ctx *ctx)
{
	double target, win, elapsed, budget_frac;
	char wprom[32], eprom[32];
	struct observed ob = { .current = NAN };
	struct sbx_report *rep;
	struct sbx_table *t;
	struct sbx_cell *c;
	int given = (!isnan(o_good) || !isnan(o_total)) + !isnan(o_bad_minutes) + (prom_url() != NULL);

	if (ctx->nargs >= 1 && !strcmp(ctx->args[0], "rules")) {
		if (!parse_window(o_window, &win, wprom, sizeof(wprom))) {
			warnx_("--window %s: give 30d, 4w or 28d", o_window);
			return 3;
		}
		return slo_rules_main(ctx, win / 86400);
	}
	if (ctx->nargs != 1) {
		warnx_(ctx->nargs ? "one target, not %d arguments: srebox slo 99.9 [OPTIONS]" :
				    "no target: srebox slo 99.9 [--window 30d] (or srebox slo rules SPEC)",
		       ctx->nargs);
		return 3;
	}
	if (!parse_target(ctx->args[0], &target)) {
		warnx_("'%s' is not an SLO target: give a percentage above 0 and below 100 (99.9)",
		       ctx->args[0]);
		return 3;
	}
	if (!parse_window(o_window, &win, wprom, sizeof(wprom))) {
		warnx_("--window %s: give 30d, 4w, 28d, 12h, month, quarter or year", o_window);
		return 3;
	}
	elapsed = win;
	if (o_elapsed && (!parse_window(o_elapsed, &elapsed, eprom, sizeof(eprom)) || elapsed > win)) {
		warnx_("--elapsed %s: give a duration (7d, 36h) no longer than the window", o_elapsed);
		return 3;
	}
	if (given > 1) {
		warnx_("give one of --good/--total, --bad-minutes and --prometheus");
		return 3;
	}
	if (bad_count(o_good) || bad_count(o_total) || bad_count(o_bad_minutes) || bad_count(o_requests)) {
		warnx_("--good, --total, --bad-minutes and --requests are counts: 0 or more");
		return 3;
	}
	if (isnan(o_good) != isnan(o_total) || (!isnan(o_total) && (o_total <= 0 || o_good > o_total))) {
		warnx_(!isnan(o_total) && o_good > o_total ? "--good %g is more than --total %g" :
			       "--good and --total go together, with --total above 0",
		       o_good, o_total);
		return 3;
	}
	if (!isnan(o_bad_minutes) && o_bad_minutes * 60 > elapsed) {
		warnx_("--bad-minutes %g is more than the %g minutes observed", o_bad_minutes,
		       elapsed / 60);
		return 3;
	}
	if (!isnan(o_launch) && !(o_launch >= 0 && o_launch <= 100)) {
		warnx_("--launch-cost %g: give a percentage of the budget, 0 to 100", o_launch);
		return 3;
	}
	if ((o_good_q || o_total_q || prom_o.time) && !prom_url()) {
		warnx_("--good-query, --total-query and --time need --prometheus URL");
		return 3;
	}
	{
		double at;

		if (!prom_time_opt(&at))
			return 3;
	}
	budget_frac = 1 - target / 100;

	rep = report_new("slo");
	t = report_table(rep, "slo", slo_cols, S_NCOLS);
	c = table_row(t);
	cell_num(&c[S_TARGET], target);
	cell_str(&c[S_WINDOW], o_window);
	cell_num(&c[S_WINDOW_S], win);
	cell_num(&c[S_BUDGET], budget_frac * win);
	if (!isnan(o_requests))
		cell_num(&c[S_FAILURES], round_sig(budget_frac * o_requests));

	if (!isnan(o_total)) {
		ob.have = true;
		ob.sli = o_good / o_total;
		snprintf(ob.how, sizeof(ob.how), "%.17g good of %.17g", o_good, o_total);
	} else if (!isnan(o_bad_minutes)) {
		ob.have = true;
		ob.sli = 1 - o_bad_minutes * 60 / elapsed;
		snprintf(ob.how, sizeof(ob.how), "%g bad minutes in %s", o_bad_minutes,
			 o_elapsed ? o_elapsed : o_window);
	} else if (prom_url()) {
		if (slo_prometheus(ctx, rep, target, wprom, o_good_q ? o_good_q : DEFAULT_GOOD,
				   o_total_q ? o_total_q : DEFAULT_TOTAL, &ob.sli, &ob.current, ob.how,
				   sizeof(ob.how)) == 0)
			ob.have = true;
	}
	if (ob.have) {
		ob.burn = (1 - ob.sli) / budget_frac;
		ob.consumed = ob.burn * elapsed / win;
		cell_num(&c[S_SLI], round_sig(ob.sli * 100));
		cell_num(&c[S_CONSUMED], round_sig(ob.consumed * 100));
		cell_num(&c[S_LEFT], round_sig((1 - ob.consumed) * 100));
		cell_num(&c[S_BURN], round_sig(ob.burn));
		{
			/* at the current burn: the last hour's when Prometheus has
			 * it, else the one observed */
			double now_burn = isnan(ob.current) ? ob.burn : ob.current;

			if (ob.consumed >= 1)
				cell_num(&c[S_EXHAUSTED], 0);
			else if (now_burn <= 0)
				cell_unknown(&c[S_EXHAUSTED], isnan(ob.current) ? "never: no errors" :
						      "never: no errors in the last hour");
			else
				cell_num(&c[S_EXHAUSTED], (1 - ob.consumed) * win / now_burn);
			if (!isnan(ob.current))
				report_note(rep, "GONE-IN at the last hour's burn (%.3gx)", ob.current);
		}
		policy(rep, &ob);
	}
	{
		char dt[32];

		fmt_duration(dt, sizeof(dt), budget_frac * win);
		if (!isnan(o_requests))
			report_summary(rep, "%g%% over %s: %s of downtime, %.12g failed of %.12g requests",
				       target, o_window, dt, round_sig(budget_frac * o_requests), o_requests);
		else
			report_summary(rep, "%g%% over %s: %s of downtime (%.6g s)", target, o_window, dt,
				       budget_frac * win);
	}
	if (!strcmp(o_window, "month") || !strcmp(o_window, "quarter") || !strcmp(o_window, "year"))
		report_note(rep, "a %s is %s days", o_window,
			    !strcmp(o_window, "month") ? "365.25/12 = 30.4375" :
			    !strcmp(o_window, "quarter") ? "365.25/4 = 91.3125" : "365.25");
	sbx_emit(ctx, rep);
	return 0;
}

const struct sbx_applet applet_slo = {
	.name = "slo",
	.examples =
		"# how much downtime does 99.9% allow over 30 days?\n"
		"srebox slo 99.9 --window 30d\n"
		"# the budget left after this month's outage of 25 minutes\n"
		"srebox slo 99.9 --window 30d --bad-minutes 25 --elapsed 12d\n",
	.summary = "error budgets: allowed downtime, budget spent and left, burn rates, the budget "
		   "policy's verdict, and Prometheus rules from a sloth spec",
	.usage = "TARGET [OPTIONS] | rules SPEC.yaml",
	.description =
		"srebox slo 99.9 --window 30d prints the downtime (and with --requests the failed\n"
		"requests) a target allows over a window.  With observed counts (--good and\n"
		"--total, --bad-minutes, or --prometheus URL) it adds the SLI, the budget spent\n"
		"and left, the burn rate, the time until the budget is gone at that rate, and the\n"
		"guide's policy as the budget_left check: over 50% left feature work is fine\n"
		"(OK), under 50% WARNING, under 10% reliability work first (CRITICAL).\n"
		"srebox slo rules SPEC.yaml prints the SLI recording rules and the SRE\n"
		"workbook's page and ticket alerts of a sloth prometheus/v1 spec.",
	.flags = AP_OUTPUT,
	.opts = slo_opts,
	.checks = slo_checks,
	.args_complete = "rules",
	.run = slo_run,
};

/* --- observed in Prometheus ---------------------------------------------- */

static char *subst_window(const char *q, const char *w)
{
	struct buf b = { 0 };

	for (const char *p = q; *p;) {
		if (str_starts(p, "$window")) {
			buf_adds(&b, w);
			p += 7;
		} else {
			buf_addc(&b, *p++);
		}
	}
	return b.s ? b.s : xstrdup("");
}

/* One number from an instant query: a scalar or a one-series vector. */
static double g_at;

static int one_value(struct prom_client *cl, const char *q, double *v, struct sbx_err *err)
{
	struct prom_result r;

	if (prom_query(cl, q, g_at, 0, 0, &r, err) < 0)
		return -1;
	if (!r.ok)
		sbx_err_set(err, 0, "%s: %s (query: %s)", r.error_type, r.error, q);
	else if (r.type == PROM_SCALAR || (r.type == PROM_VECTOR && r.ns == 1)) {
		*v = r.s[0].v[0];
		prom_result_free(&r);
		return 0;
	} else if (r.type == PROM_VECTOR)
		sbx_err_set(err, 0, "%s returned %zu series where one was expected (aggregate it with sum)",
			    q, r.ns);
	else
		sbx_err_set(err, 0, "%s returned a %s where one value was expected", q,
			    prom_rtype_name(r.type));
	prom_result_free(&r);
	return -1;
}

/* good/total over window w; -1 with err when unknown. */
static int ratio(struct prom_client *cl, const char *good_q, const char *total_q, const char *w,
		 double *sli, struct sbx_err *err)
{
	char *g = subst_window(good_q, w), *t = subst_window(total_q, w);
	double gv = 0, tv = 0;
	int rc = -1;

	if (one_value(cl, g, &gv, err) == 0 && one_value(cl, t, &tv, err) == 0) {
		if (!(tv > 0))
			sbx_err_set(err, 0, "no events over %s (the total is %g)", w, tv);
		else if (gv > tv * (1 + 1e-9) || gv < 0)
			sbx_err_set(err, 0, "good %g is more than total %g over %s", gv, tv, w);
		else {
			*sli = gv > tv ? 1 : gv / tv;
			rc = 0;
		}
	}
	free(g);
	free(t);
	return rc;
}

enum { B_WINDOW, B_SLI, B_BURN, B_NCOLS };

static const struct sbx_col burn_cols[] = {
	[B_WINDOW] = { "WINDOW", "window", CT_STR, COL_LABEL },
	[B_SLI] = { "SLI%", "sli_percent", CT_NUM, COL_EXACT, "slo_window_sli_ratio",
		    "The SLI over the burn-rate window, %." },
	[B_BURN] = { "BURN", "burn_rate", CT_NUM, COL_EXACT, "slo_window_burn_rate",
		     "Error rate over the window divided by the error budget (1 - target)." },
};

/* The SRE workbook's windows, and its multi-window multi-burn-rate alerts. */
static const char *const burn_windows[] = { "5m", "30m", "1h", "2h", "6h", "1d", "3d" };
enum { W5M, W30M, W1H, W2H, W6H, W1D, W3D, WN };

int slo_prometheus(struct sbx_ctx *ctx, struct sbx_report *rep, double target, const char *window,
		   const char *good_q, const char *total_q, double *sli, double *burn1h, char *how,
		   size_t hown)
{
	struct prom_client *cl;
	struct sbx_err err;
	struct sbx_table *t;
	double burn[WN];
	bool known[WN] = { false };
	double budget = 1 - target / 100;

	(void)ctx;
	if (!prom_time_opt(&g_at)) {
		report_fail(rep, "--time %s: not a time", prom_o.time);
		return -1;
	}
	cl = prom_open(prom_url(), &err);
	if (!cl) {
		report_fail(rep, "%s", err.msg);
		return -1;
	}
	if (ratio(cl, good_q, total_q, window, sli, &err) < 0) {
		report_fail(rep, "%s", err.msg);
		prom_close(cl);
		return -1;
	}
	snprintf(how, hown, "Prometheus, over %s%s%s", window, prom_o.time ? " at " : "",
		 prom_o.time ? prom_o.time : "");
	t = report_table(rep, "burn", burn_cols, B_NCOLS);
	table_title(t, "burn rates over the SRE workbook's windows");
	for (int i = 0; i < WN; i++) {
		struct sbx_cell *c = table_row(t);
		double s;

		cell_str(&c[B_WINDOW], burn_windows[i]);
		if (ratio(cl, good_q, total_q, burn_windows[i], &s, &err) < 0) {
			cell_unknown(&c[B_SLI], err.msg);
			cell_unknown(&c[B_BURN], err.msg);
			continue;
		}
		cell_num(&c[B_SLI], round_sig(s * 100));
		burn[i] = (1 - s) / budget;
		known[i] = true;
		cell_num(&c[B_BURN], round_sig(burn[i]));
	}
	prom_close(cl);
	*burn1h = known[W1H] ? burn[W1H] : NAN;
	{
		/* page: 2% of the budget in 1h (14.4x) or 5% in 6h (6x); ticket:
		 * 10% in 3d (1x) or 1d at 3x; each with its short window so that
		 * the alert stops soon after the burn does */
		static const struct {
			int lo, sh;
			double rate;
			enum sbx_state st;
		} rules[] = { { W1H, W5M, 14.4, ST_CRITICAL }, { W6H, W30M, 6, ST_CRITICAL },
			      { W1D, W2H, 3, ST_WARNING }, { W3D, W6H, 1, ST_WARNING } };
		bool any = false, unknown = false;

		for (size_t i = 0; i < ARRAY_SIZE(rules); i++) {
			int lo = rules[i].lo, sh = rules[i].sh;

			if (!known[lo] || !known[sh]) {
				unknown = true;
				continue;
			}
			if (burn[lo] > rules[i].rate && burn[sh] > rules[i].rate) {
				check_rule(rep, CHK_BURN_RATE, rules[i].st, burn_windows[lo],
					   "%s: burning %.3gx over %s and %.3gx over %s (above %gx)",
					   rules[i].st == ST_CRITICAL ? "page" : "ticket", burn[lo],
					   burn_windows[lo], burn[sh], burn_windows[sh], rules[i].rate);
				any = true;
			}
		}
		if (!any && unknown)
			check_unknown(rep, CHK_BURN_RATE, NULL,
				      "some burn rates are unknown (see the burn table): no verdict");
		else if (!any)
			check_rule(rep, CHK_BURN_RATE, ST_OK, NULL,
				   "no window burns fast enough to page or ticket (1h %.3gx, 6h %.3gx, 3d %.3gx)",
				   burn[W1H], burn[W6H], burn[W3D]);
	}
	return 0;
}
