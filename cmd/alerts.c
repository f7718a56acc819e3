/* srebox alerts: the alerts firing and pending in Prometheus
 * (/api/v1/alerts) or active, silenced and inhibited in Alertmanager
 * (/api/v2/alerts), with labels, age, summary and state, filtered by
 * label matchers as amtool takes them; the exit status is the worst
 * severity among those that are firing and neither silenced nor
 * inhibited (the catalogue's `alerts` check). */
#include "applet.h"
#include "promapi.h"

#include <regex.h>
#include <stdlib.h>
#include <string.h>

static const char *o_am;

static const struct sbx_opt alerts_opts[] = {
	PROM_URL_OPT("Prometheus"),
	{ 0, "alertmanager", OPT_STRING, &o_am, "URL",
	  "ask this Alertmanager instead (/api/v2/alerts: silences and inhibitions known)", NULL,
	  NULL },
	PROM_CONN_OPTS,
	OPT_END,
};

static const enum sbx_check_id alerts_checks[] = { CHK_ALERTS, CHK_PROMETHEUS, CHK_N };

enum { A_NAME, A_STATE, A_SEVERITY, A_AGE, A_SUMMARY, A_LABELS, A_SILENCED, A_INHIBITED, A_JUDGED,
       A_NCOLS };

static const struct sbx_col alert_cols[] = {
	[A_NAME] = { "ALERT", "alertname", CT_STR, COL_LABEL },
	[A_STATE] = { "STATE", "state", CT_STR },
	[A_SEVERITY] = { "SEVERITY", "severity", CT_STR, COL_LABEL },
	[A_AGE] = { "AGE", "age_seconds", CT_SECONDS, 0, "alerts_age_seconds",
		    "Seconds since the alert became active." },
	[A_SUMMARY] = { "SUMMARY", "summary", CT_STR },
	[A_LABELS] = { "LABELS", "labels", CT_STR, COL_LABEL },
	[A_SILENCED] = { "SILENCED-BY", "silenced_by", CT_STR, COL_WIDE },
	[A_INHIBITED] = { "INHIBITED-BY", "inhibited_by", CT_STR, COL_WIDE },
	[A_JUDGED] = { "JUDGED", "judged", CT_BOOL, COL_HIDE },
};

struct matcher {
	char *name, *value;
	bool neg, re;
	regex_t rx;
};

/* name=value, name!=value, name=~regex, name!~regex; the value may be
 * quoted ("..."), as amtool and PromQL write it. */
static int parse_matcher(const char *s, struct matcher *m)
{
	size_t n = 0, vl;
	const char *v;

	memset(m, 0, sizeof(*m));
	while ((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z') || s[n] == '_' ||
	       (n && is_digit(s[n])))
		n++;
	if (!n)
		goto bad;
	v = s + n;
	if (str_starts(v, "!=")) {
		m->neg = true;
		v += 2;
	} else if (str_starts(v, "=~")) {
		m->re = true;
		v += 2;
	} else if (str_starts(v, "!~")) {
		m->re = m->neg = true;
		v += 2;
	} else if (*v == '=') {
		v++;
	} else {
		goto bad;
	}
	vl = strlen(v);
	if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"')
		m->value = xstrndup(v + 1, vl - 2);
	else
		m->value = xstrdup(v);
	m->name = xstrndup(s, n);
	if (m->re) {
		char *anch = xasprintf("^(%s)$", m->value);
		int rc = regcomp(&m->rx, anch, REG_EXTENDED | REG_NOSUB);

		free(anch);
		if (rc) {
			char e[128];

			regerror(rc, &m->rx, e, sizeof(e));
			warnx_("matcher '%s': bad regular expression: %s", s, e);
			free(m->name);
			free(m->value);
			return -1;
		}
	}
	return 0;
bad:
	warnx_("'%s' is not a label matcher: give name=value, name!=value, name=~regex or "
	       "name!~regex", s);
	return -1;
}

static bool matches(const struct matcher *m, const struct prom_labels *l)
{
	const char *v = prom_label(l, m->name);
	bool hit;

	if (!v)
		v = "";	/* a missing label matches the empty string, as in PromQL */
	hit = m->re ? regexec(&m->rx, v, 0, NULL, 0) == 0 : !strcmp(v, m->value);
	return m->neg ? !hit : hit;
}

static enum sbx_state severity_state(const char *sev)
{
	if (sev && (!strcasecmp(sev, "critical") || !strcasecmp(sev, "page")))
		return ST_CRITICAL;
	if (sev && (!strcasecmp(sev, "info") || !strcasecmp(sev, "none")))
		return ST_OK;
	return ST_WARNING;
}

static void join(struct buf *b, char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		buf_addf(b, "%s%s", i ? "," : "", v[i]);
}

struct row {
	const struct prom_alert *a;
	bool judged;
	enum sbx_state st;
};

static int cmp_row(const void *x, const void *y)
{
	const struct row *a = x, *b = y;

	if (a->judged != b->judged)
		return a->judged ? -1 : 1;
	if (a->st != b->st)
		return a->st > b->st ? -1 : 1;
	if (a->a->since != b->a->since)
		return (a->a->since > b->a->since) - (a->a->since < b->a->since);
	{
		const char *na = prom_label(&a->a->l, "alertname"), *nb = prom_label(&b->a->l, "alertname");

		return strcmp(na ? na : "", nb ? nb : "");
	}
}

static int alerts_run(struct sbx_ctx *ctx)
{
	struct matcher *m = xcalloc((size_t)ctx->nargs + 1, sizeof(*m));
	const char *url = o_am ? o_am : prom_url() ? prom_url() : getenv("PROMETHEUS_URL");
	struct prom_client *cl;
	struct prom_alerts al = { 0 };
	struct sbx_report *rep;
	struct sbx_table *t;
	struct sbx_err err;
	struct buf body = { 0 };
	struct row *rows;
	size_t nrows = 0, pending = 0, silenced = 0, inhibited = 0, judged = 0;
	long code = 0;
	int nm = 0, rc = 0;
	double now = now_for_ages();

	if (o_am && prom_url()) {
		warnx_("give --url (Prometheus) or --alertmanager, not both");
		free(m);
		return 3;
	}
	for (; nm < ctx->nargs; nm++)
		if (parse_matcher(ctx->args[nm], &m[nm]) < 0) {
			rc = 3;
			goto out;
		}
	if (!url || !*url)
		url = "http://127.0.0.1:9090";
	cl = prom_open(url, &err);
	if (!cl) {
		warnx_("%s", err.msg);
		rc = 3;
		goto out;
	}
	rep = report_new("alerts");
	t = report_table(rep, "alerts", alert_cols, A_NCOLS);
	if (prom_get(cl, o_am ? "/api/v2/alerts" : "/api/v1/alerts", NULL, &body, &code, &err) < 0) {
		report_fail(rep, "%s", err.msg);
		goto emit;
	}
	if (prom_parse_alerts(body.s ? body.s : "", body.len, o_am != NULL, &al, &err) < 0) {
		char line[200];

		prom_body_line(cl, &body, line, sizeof(line));
		prom_scrub(cl, err.msg);
		if (code != 200)
			report_fail(rep, "%s: HTTP %ld: %s", url, code, line);
		else
			report_fail(rep, "%s: %s", url, err.msg);
		goto emit;
	}
	rows = xcalloc(al.n + 1, sizeof(*rows));
	for (size_t i = 0; i < al.n; i++) {
		const struct prom_alert *a = &al.a[i];
		bool keep = true;

		for (int k = 0; k < nm && keep; k++)
			keep = matches(&m[k], &a->l);
		if (!keep)
			continue;
		rows[nrows].a = a;
		rows[nrows].judged = o_am ? (strcmp(a->state, "suppressed") && !a->nsilenced &&
					     !a->ninhibited)
					  : !strcmp(a->state, "firing");
		rows[nrows].st = severity_state(prom_label(&a->l, "severity"));
		if (!strcmp(a->state, "pending"))
			pending++;
		if (a->nsilenced)
			silenced++;
		if (a->ninhibited)
			inhibited++;
		nrows++;
	}
	qsort(rows, nrows, sizeof(*rows), cmp_row);
	for (size_t i = 0; i < nrows; i++) {
		const struct prom_alert *a = rows[i].a;
		const char *name = prom_label(&a->l, "alertname");
		const char *sev = prom_label(&a->l, "severity");
		struct sbx_cell *c = table_row(t);
		struct prom_labels rest = { 0 };
		struct buf lb = { 0 }, sb = { 0 }, ib = { 0 };
		char age[32];

		/* the labels the other columns do not show */
		rest.k = xcalloc(a->l.n + 1, sizeof(char *));
		rest.v = xcalloc(a->l.n + 1, sizeof(char *));
		for (size_t k = 0; k < a->l.n; k++)
			if (strcmp(a->l.k[k], "alertname") && strcmp(a->l.k[k], "severity")) {
				rest.k[rest.n] = a->l.k[k];
				rest.v[rest.n++] = a->l.v[k];
			}
		prom_labels_fmt(&rest, false, &lb);
		free(rest.k);
		free(rest.v);
		cell_str(&c[A_NAME], name ? name : "(no alertname)");
		cell_str(&c[A_STATE], a->state);
		cell_str(&c[A_SEVERITY], sev ? sev : "");
		if (a->since > 0)
			cell_num(&c[A_AGE], now - a->since > 0 ? now - a->since : 0);
		else
			cell_unknown(&c[A_AGE], "no start time");
		if (a->summary)
			cell_str(&c[A_SUMMARY], a->summary);
		cell_str(&c[A_LABELS], lb.s);
		join(&sb, a->silenced_by, a->nsilenced);
		join(&ib, a->inhibited_by, a->ninhibited);
		if (sb.len)
			cell_str(&c[A_SILENCED], sb.s);
		if (ib.len)
			cell_str(&c[A_INHIBITED], ib.s);
		cell_i64(&c[A_JUDGED], rows[i].judged);
		if (rows[i].judged) {
			fmt_duration(age, sizeof(age), a->since > 0 ? now - a->since : 0);
			check_rule(rep, CHK_ALERTS, rows[i].st, name, "%s %s%s%s%s %s (severity %s)%s%s",
				   name ? name : "(no alertname)", lb.s, a->since > 0 ? "" : "",
				   " ", a->state, a->since > 0 ? age : "", sev ? sev : "none",
				   a->summary ? ": " : "", a->summary ? a->summary : "");
			judged++;
		}
		buf_free(&lb);
		buf_free(&sb);
		buf_free(&ib);
	}
	if (!judged)
		check_rule(rep, CHK_ALERTS, ST_OK, NULL, "no alerts firing%s", nm ? " that match" : "");
	report_summary(rep, "%zu %s: %zu firing, %zu pending, %zu silenced, %zu inhibited%s", nrows,
		       nrows == 1 ? "alert" : "alerts", judged, pending, silenced, inhibited,
		       o_am ? " (Alertmanager)" : "");
	free(rows);
emit:
	buf_free(&body);
	prom_alerts_free(&al);
	prom_close(cl);
	sbx_emit(ctx, rep);
out:
	for (int k = 0; k < nm; k++) {
		free(m[k].name);
		free(m[k].value);
		if (m[k].re)
			regfree(&m[k].rx);
	}
	free(m);
	return rc;
}

const struct sbx_applet applet_alerts = {
	.name = "alerts",
	.examples =
		"# what pages right now, silenced ones left out\n"
		"srebox alerts --url http://prometheus:9090 severity=critical\n"
		"# the alerts Alertmanager holds, with their silences\n"
		"srebox alerts --alertmanager http://alertmanager:9093\n",
	.summary = "firing and pending alerts from Prometheus or Alertmanager, with age, summary and "
		   "silences, as a check",
	.usage = "[OPTIONS] [MATCHER...]",
	.description =
		"Lists the alerts of Prometheus (--url: firing and pending) or of Alertmanager\n"
		"(--alertmanager: active, silenced and inhibited), those whose labels match every\n"
		"MATCHER (severity=critical, alertname=~\"High.*\", job!=batch).  Each firing\n"
		"alert that is neither silenced nor inhibited is judged by its severity label:\n"
		"critical or page 2, info 0, warning and any other 1.  Exit 0 when none fires,\n"
		"3 when the server did not answer.",
	.flags = AP_OUTPUT,
	.opts = alerts_opts,
	.checks = alerts_checks,
	.run = alerts_run,
};
