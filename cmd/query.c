/* srebox query: an instant or range PromQL query as a table, JSON, or a
 * check with -w/-c (promtool query instant/range, with thresholds).  The
 * server's errors (bad PromQL, timeouts) and warnings (partial answers)
 * are shown as it said them.  Each series is a finding of the catalogue's
 * `query` check: not a reading of this node, but the same report model,
 * so -o check is a Nagios plugin and -o prom re-exports the value. */
#include "applet.h"
#include "promapi.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static double o_range, o_step;

static const struct sbx_opt query_opts[] = {
	PROM_URL_OPT("Prometheus"),
	{ 0, "range", OPT_SECONDS, &o_range, "DURATION",
	  "a range query over the last DURATION (1h, 30m) instead of an instant one", NULL, NULL },
	{ 0, "step", OPT_SECONDS, &o_step, "SECONDS",
	  "with --range, a sample every SECONDS (default: the range / 100, at least 1s)", NULL, NULL },
	PROM_TIME_OPT,
	PROM_CONN_OPTS,
	OPT_END,
};

static const enum sbx_check_id query_checks[] = { CHK_QUERY, CHK_PROMETHEUS, CHK_N };

enum { Q_SERIES, Q_VALUE, Q_MIN, Q_MAX, Q_SAMPLES, Q_TIME, Q_NCOLS };

static const struct sbx_col inst_cols[] = {
	[Q_SERIES] = { "SERIES", "series", CT_STR, COL_LABEL },
	[Q_VALUE] = { "VALUE", "value", CT_NUM, COL_EXACT },
	[Q_MIN] = { "MIN", "min", CT_NUM, COL_EXACT | COL_HIDE },
	[Q_MAX] = { "MAX", "max", CT_NUM, COL_EXACT | COL_HIDE },
	[Q_SAMPLES] = { "SAMPLES", "samples", CT_COUNT, COL_HIDE },
	[Q_TIME] = { "TIME", "time", CT_NUM, COL_EXACT | COL_HIDE },
};

static const struct sbx_col range_cols[] = {
	[Q_SERIES] = { "SERIES", "series", CT_STR, COL_LABEL },
	[Q_VALUE] = { "LAST", "last", CT_NUM, COL_EXACT },
	[Q_MIN] = { "MIN", "min", CT_NUM, COL_EXACT },
	[Q_MAX] = { "MAX", "max", CT_NUM, COL_EXACT },
	[Q_SAMPLES] = { "SAMPLES", "samples", CT_COUNT },
	[Q_TIME] = { "TIME", "time", CT_NUM, COL_EXACT | COL_HIDE },
};

static void judge(struct sbx_report *rep, const char *subject, double v, const char *what)
{
	if (isnan(v))
		check_unknown(rep, CHK_QUERY, subject, "%s is NaN (no data, or 0/0)", subject);
	else
		check_value(rep, CHK_QUERY, subject, v, "%s%s = %.15g", subject, what, v);
}

static void add_series(struct sbx_report *rep, struct sbx_table *t, const struct prom_series *s,
		       bool range)
{
	struct sbx_cell *c = table_row(t);
	struct buf name = { 0 };
	double mn = INFINITY, mx = -INFINITY;

	prom_labels_fmt(&s->l, true, &name);
	cell_str(&c[Q_SERIES], name.s);
	cell_u64(&c[Q_SAMPLES], s->n);
	if (!s->n) {
		cell_unknown(&c[Q_VALUE], "no samples");
		buf_free(&name);
		return;
	}
	for (size_t i = 0; i < s->n; i++) {
		if (s->v[i] < mn)
			mn = s->v[i];
		if (s->v[i] > mx)
			mx = s->v[i];
	}
	cell_num(&c[Q_VALUE], s->v[s->n - 1]);
	cell_num(&c[Q_MIN], mn);
	cell_num(&c[Q_MAX], mx);
	cell_num(&c[Q_TIME], s->t[s->n - 1]);
	judge(rep, name.s, s->v[s->n - 1], range ? " (last)" : "");
	buf_free(&name);
}

static int query_run(struct sbx_ctx *ctx)
{
	struct sbx_report *rep;
	struct prom_client *cl;
	struct prom_result r;
	struct sbx_err err;
	struct sbx_table *t;
	const char *url = prom_url() ? prom_url() : getenv("PROMETHEUS_URL");
	double step = o_step, at;

	if (ctx->nargs != 1) {
		warnx_(ctx->nargs ? "one query, quoted: srebox query 'up == 0'" :
				    "no query: srebox query [OPTIONS] 'PROMQL'");
		return 3;
	}
	if (!*ctx->args[0]) {
		warnx_("the query is empty");
		return 3;
	}
	if (!prom_time_opt(&at))
		return 3;
	if (o_step && !o_range) {
		warnx_("--step needs --range");
		return 3;
	}
	if (o_range && !step)
		step = o_range / 100 < 1 ? 1 : o_range / 100;
	if (o_range && o_range / step > 11000) {
		warnx_("--range %gs / --step %gs is more than the 11000 points Prometheus answers",
		       o_range, step);
		return 3;
	}
	if (!url || !*url)
		url = "http://127.0.0.1:9090";
	cl = prom_open(url, &err);
	if (!cl) {
		warnx_("%s", err.msg);
		return 3;
	}
	rep = report_new("query");
	t = report_table(rep, "series", o_range ? range_cols : inst_cols, Q_NCOLS);
	if (prom_query(cl, ctx->args[0], at, o_range, step, &r, &err) < 0) {
		report_fail(rep, "%s", err.msg);
		prom_close(cl);
		sbx_emit(ctx, rep);
		return 0;
	}
	for (size_t i = 0; i < r.nwarnings; i++)
		check_rule(rep, CHK_PROMETHEUS, ST_WARNING, NULL,
			   "the server warned (the answer may be partial): %s", r.warnings[i]);
	if (!r.ok) {
		check_unknown(rep, CHK_PROMETHEUS, NULL, "the server refused the query: %s: %s",
			      r.error_type, r.error);
		report_summary(rep, "%s: %s", r.error_type, r.error);
	} else if (!o_range && r.type == PROM_MATRIX) {
		check_unknown(rep, CHK_QUERY, NULL,
			      "the query returned a matrix (a range vector, %zu series) where an instant "
			      "value was expected: drop its [range] or give --range", r.ns);
		report_summary(rep, "a matrix, not a vector");
	} else if (r.type == PROM_STRING) {
		struct sbx_cell *c = table_row(t);

		cell_str(&c[Q_SERIES], r.s[0].str);
		cell_unknown(&c[Q_VALUE], "a string");
		check_rule(rep, CHK_QUERY, ST_OK, NULL, "a string: %s", r.s[0].str);
		report_summary(rep, "a string");
	} else if (r.type == PROM_SCALAR) {
		struct sbx_cell *c = table_row(t);

		cell_str(&c[Q_SERIES], "scalar");
		cell_num(&c[Q_VALUE], r.s[0].v[0]);
		cell_num(&c[Q_TIME], r.s[0].t[0]);
		cell_u64(&c[Q_SAMPLES], 1);
		judge(rep, "scalar", r.s[0].v[0], "");
		report_summary(rep, "a scalar");
	} else {
		for (size_t i = 0; i < r.ns; i++)
			add_series(rep, t, &r.s[i], o_range > 0);
		if (!r.ns)
			check_rule(rep, CHK_QUERY, ST_OK, NULL, "no series: the query matched nothing");
		report_summary(rep, "%zu %s (%s%s)", r.ns, r.ns == 1 ? "series" : "series",
			       prom_rtype_name(r.type), o_range ? ", range" : "");
	}
	prom_result_free(&r);
	prom_close(cl);
	sbx_emit(ctx, rep);
	return 0;
}

const struct sbx_applet applet_query = {
	.name = "query",
	.examples =
		"# how many targets are down, as a check for a runbook\n"
		"srebox query -c 0 -o check 'count(up == 0)'\n"
		"# the load of the last hour: last, min and max per node\n"
		"srebox query --range 1h 'max by (instance) (node_load1)'\n",
	.formats = "table json prom check name",	/* no wide column */
	.summary = "a PromQL query, instant or over a range, as a table, JSON or a check with "
		   "thresholds",
	.usage = "[OPTIONS] 'PROMQL'",
	.description =
		"Asks Prometheus (--url, $PROMETHEUS_URL, else http://127.0.0.1:9090) one query\n"
		"and prints each series with its value (with --range: last, min, max and the\n"
		"number of samples).  Each value is judged by the query check: -w/-c RANGE make\n"
		"it a Nagios-style check (-o check).  The server's errors and warnings are\n"
		"shown as it gave them.  Exit 0 OK, 1 WARNING, 2 CRITICAL, 3 when the server\n"
		"did not answer, refused the query or answered something else than asked.",
	.flags = AP_OUTPUT,
	.opts = query_opts,
	.checks = query_checks,
	.run = query_run,
};
