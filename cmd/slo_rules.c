/* srebox slo rules SPEC.yaml: the SLI recording rules and the SRE
 * workbook's multi-window, multi-burn-rate page and ticket alerts for
 * each SLO of a sloth prometheus/v1 spec, as a Prometheus rule file on
 * stdout.  The record names are sloth's (slo:sli_error:ratio_rate5m, ...),
 * so that dashboards made for sloth's rules work with these. */
#include "applet.h"
#include "promapi.h"
#include "root.h"
#include "yaml_json.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const sli_windows[] = { "5m", "30m", "1h", "2h", "6h", "1d", "3d" };

/* A YAML scalar that is never misread: a JSON string (YAML 1.2's double
 * quoted style is JSON's). */
static void yq(struct buf *b, const char *s)
{
	json_t *j = json_string(s ? s : "");
	char *t;

	if (!j) {	/* not UTF-8: cleaned first */
		char *c = text_clean(s);

		j = json_string(c);
		free(c);
	}
	t = json_dumps(j, JSON_ENCODE_ANY);
	buf_adds(b, t);
	free(t);
	json_decref(j);
}

/* A label name as a bare key; anything else quoted. */
static void ykey(struct buf *b, const char *k)
{
	bool bare = *k && !is_digit(*k);

	for (const char *p = k; *p && bare; p++)
		bare = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || is_digit(*p) || *p == '_';
	if (bare)
		buf_adds(b, k);
	else
		yq(b, k);
}

/* A multi-line PromQL expression as a literal block, as people write
 * rules; quoted when a block could not carry it exactly. */
static void yexpr(struct buf *b, const char *indent, const char *e)
{
	bool block = strchr(e, '\n') && *e != ' ' && !strpbrk(e, "\t\r") && e[strlen(e) - 1] != '\n' &&
		     !strstr(e, " \n");

	if (!block) {
		yq(b, e);
		return;
	}
	buf_adds(b, "|-\n");
	for (const char *p = e; *p;) {
		size_t l = strcspn(p, "\n");

		buf_addf(b, "%s  %.*s\n", indent, (int)l, p);
		p += l;
		if (*p)
			p++;
	}
	b->len--;	/* the caller ends the line */
	b->s[b->len] = '\0';
}

static void yq2(struct buf *b, const char *prefix, const char *id)
{
	char *s = xasprintf("%s%s", prefix, id);

	yq(b, s);
	free(s);
}

static char *subst(const char *q, const char *w)
{
	struct buf b = { 0 };

	for (const char *p = q; *p;) {
		if (str_starts(p, "{{.window}}")) {
			buf_adds(&b, w);
			p += 11;
		} else if (str_starts(p, "{{ .window }}")) {
			buf_adds(&b, w);
			p += 13;
		} else {
			buf_addc(&b, *p++);
		}
	}
	/* a YAML block's last newline is not part of the query */
	while (b.len && (b.s[b.len - 1] == '\n' || b.s[b.len - 1] == ' ' || b.s[b.len - 1] == '\t'))
		b.s[--b.len] = '\0';
	return b.s ? b.s : xstrdup("");
}

static const char *sget(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Labels (a map of strings) into out, later ones replacing earlier ones. */
static int merge_labels(json_t *out, json_t *in, const char *where, struct sbx_err *err)
{
	const char *k;
	json_t *v;

	if (!in || json_is_null(in))
		return 0;
	if (!json_is_object(in)) {
		sbx_err_set(err, 0, "%s: not a map of labels", where);
		return -1;
	}
	json_object_foreach(in, k, v) {
		if (!json_is_string(v)) {
			sbx_err_set(err, 0, "%s.%s: not a string", where, k);
			return -1;
		}
		json_object_set(out, k, v);
	}
	return 0;
}

static void put_map(struct buf *b, const char *indent, const char *name, json_t *m)
{
	const char *k;
	json_t *v;

	if (!json_object_size(m))
		return;
	buf_addf(b, "%s%s:\n", indent, name);
	json_object_foreach(m, k, v) {
		buf_addf(b, "%s  ", indent);
		ykey(b, k);
		buf_adds(b, ": ");
		yq(b, json_string_value(v));
		buf_addc(b, '\n');
	}
}

static void record(struct buf *b, const char *name, const char *expr, json_t *labels)
{
	buf_adds(b, "      - record: ");
	yq(b, name);
	buf_adds(b, "\n        expr: ");
	yexpr(b, "        ", expr);
	buf_addc(b, '\n');
	put_map(b, "        ", "labels", labels);
}

struct alert_spec {
	bool disabled;
	json_t *labels, *annotations;
};

static int alert_part(json_t *a, const char *where, struct alert_spec *s, struct sbx_err *err)
{
	json_t *d;

	memset(s, 0, sizeof(*s));
	if (!a || json_is_null(a))
		return 0;
	if (!json_is_object(a)) {
		sbx_err_set(err, 0, "%s: not a map", where);
		return -1;
	}
	d = json_object_get(a, "disable");
	s->disabled = json_is_true(d);
	if (d && !json_is_boolean(d) && !json_is_null(d)) {
		sbx_err_set(err, 0, "%s.disable: give true or false", where);
		return -1;
	}
	s->labels = json_object_get(a, "labels");
	s->annotations = json_object_get(a, "annotations");
	return 0;
}

/* One SLO's three groups; -1 with err on a bad spec. */
static int one_slo(struct buf *b, const char *service, json_t *svc_labels, json_t *slo, size_t idx,
		   double period_days, struct sbx_err *err)
{
	const char *name = sget(slo, "name"), *obj_s = sget(slo, "objective");
	json_t *sli = json_object_get(slo, "sli"), *ev, *raw, *alerting;
	json_t *labels = json_object(), *rl;
	const char *errq = NULL, *totq = NULL, *ratioq = NULL;
	char id[512], where[64], period[32], sel[700], num[64];
	double obj, budget;
	struct alert_spec page, ticket;
	int rc = -1;

	snprintf(where, sizeof(where), "slos[%zu]", idx);
	if (!json_is_object(slo) || !name || !*name) {
		sbx_err_set(err, 0, "%s: no name", where);
		goto out;
	}
	if (!obj_s || !parse_double(obj_s, &obj) || !(obj > 0 && obj < 100)) {
		sbx_err_set(err, 0, "%s (%s): objective must be a percentage above 0 and below 100",
			    where, name);
		goto out;
	}
	{
		/* 1 - 0.999 is 0.0010000000000000009 in binary: the budget as
		 * the decimal people wrote */
		char tmp[40];

		snprintf(tmp, sizeof(tmp), "%.12g", (100 - obj) / 100);
		budget = strtod(tmp, NULL);
	}
	if (!json_is_object(sli)) {
		sbx_err_set(err, 0, "%s (%s): no sli", where, name);
		goto out;
	}
	ev = json_object_get(sli, "events");
	raw = json_object_get(sli, "raw");
	if (json_object_get(sli, "plugin")) {
		sbx_err_set(err, 0, "%s (%s): sli.plugin is sloth's own (Go plugins): give sli.events "
			    "or sli.raw", where, name);
		goto out;
	}
	if (json_is_object(ev)) {
		errq = sget(ev, "error_query");
		totq = sget(ev, "total_query");
		if (!errq || !totq) {
			sbx_err_set(err, 0, "%s (%s): sli.events needs error_query and total_query", where,
				    name);
			goto out;
		}
	} else if (json_is_object(raw)) {
		ratioq = sget(raw, "error_ratio_query");
		if (!ratioq) {
			sbx_err_set(err, 0, "%s (%s): sli.raw needs error_ratio_query", where, name);
			goto out;
		}
	} else {
		sbx_err_set(err, 0, "%s (%s): sli needs events or raw", where, name);
		goto out;
	}
	if (merge_labels(labels, svc_labels, "labels", err) < 0)
		goto out;
	snprintf(where, sizeof(where), "slos[%zu].labels", idx);
	if (merge_labels(labels, json_object_get(slo, "labels"), where, err) < 0)
		goto out;
	alerting = json_object_get(slo, "alerting");
	if (alert_part(json_object_get(alerting, "page_alert"), "alerting.page_alert", &page, err) < 0 ||
	    alert_part(json_object_get(alerting, "ticket_alert"), "alerting.ticket_alert", &ticket, err) < 0)
		goto out;
	if ((!page.disabled || !ticket.disabled) && !sget(alerting, "name")) {
		sbx_err_set(err, 0, "%s (%s): alerting.name is needed for the page and ticket alerts "
			    "(or disable both)", where, name);
		goto out;
	}
	snprintf(id, sizeof(id), "%s-%s", service, name);
	json_object_set_new(labels, "sloth_id", json_string(id));
	json_object_set_new(labels, "sloth_service", json_string(service));
	json_object_set_new(labels, "sloth_slo", json_string(name));
	snprintf(period, sizeof(period), "%gd", period_days);
	{
		/* the selector of this SLO's series, with PromQL's string escapes */
		struct buf s = { 0 };

		buf_adds(&s, "{sloth_id=");
		yq(&s, id);
		buf_adds(&s, "}");
		snprintf(sel, sizeof(sel), "%s", s.s);
		buf_free(&s);
	}

	buf_adds(b, "  - name: ");
	yq2(b, "sloth-slo-sli-recordings-", id);
	buf_adds(b, "\n    rules:\n");
	for (size_t i = 0; i < ARRAY_SIZE(sli_windows); i++) {
		char *rn = xasprintf("slo:sli_error:ratio_rate%s", sli_windows[i]);
		char *expr;

		if (ratioq) {
			char *r = subst(ratioq, sli_windows[i]);

			expr = xasprintf("(%s)", r);
			free(r);
		} else {
			char *e = subst(errq, sli_windows[i]), *t = subst(totq, sli_windows[i]);

			expr = xasprintf("(%s)\n/\n(%s)", e, t);
			free(e);
			free(t);
		}
		rl = json_deep_copy(labels);
		json_object_set_new(rl, "sloth_window", json_string(sli_windows[i]));
		record(b, rn, expr, rl);
		json_decref(rl);
		free(rn);
		free(expr);
	}
	{
		char *rn = xasprintf("slo:sli_error:ratio_rate%s", period);
		char *expr = xasprintf("sum_over_time(slo:sli_error:ratio_rate5m%s[%s])\n/ ignoring (sloth_window)\n"
				       "count_over_time(slo:sli_error:ratio_rate5m%s[%s])",
				       sel, period, sel, period);

		rl = json_deep_copy(labels);
		json_object_set_new(rl, "sloth_window", json_string(period));
		record(b, rn, expr, rl);
		json_decref(rl);
		free(rn);
		free(expr);
	}

	buf_adds(b, "  - name: ");
	yq2(b, "sloth-slo-meta-recordings-", id);
	buf_adds(b, "\n    rules:\n");
	snprintf(num, sizeof(num), "vector(%.12g)", obj / 100);
	record(b, "slo:objective:ratio", num, labels);
	snprintf(num, sizeof(num), "vector(%.12g)", budget);
	record(b, "slo:error_budget:ratio", num, labels);
	snprintf(num, sizeof(num), "vector(%g)", period_days);
	record(b, "slo:time_period:days", num, labels);
	{
		char *e1 = xasprintf("slo:sli_error:ratio_rate5m%s\n/ on(sloth_id, sloth_slo, sloth_service) "
				     "group_left\nslo:error_budget:ratio%s", sel, sel);
		char *e2 = xasprintf("slo:sli_error:ratio_rate%s%s\n/ on(sloth_id, sloth_slo, sloth_service) "
				     "group_left\nslo:error_budget:ratio%s", period, sel, sel);
		char *e3 = xasprintf("1 - slo:period_burn_rate:ratio%s", sel);

		record(b, "slo:current_burn_rate:ratio", e1, labels);
		record(b, "slo:period_burn_rate:ratio", e2, labels);
		record(b, "slo:period_error_budget_remaining:ratio", e3, labels);
		free(e1);
		free(e2);
		free(e3);
	}
	rl = json_deep_copy(labels);
	snprintf(num, sizeof(num), "%.12g", obj);
	json_object_set_new(rl, "sloth_objective", json_string(num));
	json_object_set_new(rl, "sloth_mode", json_string("cli-gen-srebox"));
	record(b, "sloth_slo_info", "vector(1)", rl);
	json_decref(rl);

	if (!page.disabled || !ticket.disabled) {
		const char *aname = sget(alerting, "name");
		static const struct {
			const char *sev;
			double r1;
			const char *l1, *s1;
			double r2;
			const char *l2, *s2;
		} kinds[] = { { "page", 14.4, "1h", "5m", 6, "6h", "30m" },
			      { "ticket", 3, "1d", "2h", 1, "3d", "6h" } };

		buf_adds(b, "  - name: ");
		yq2(b, "sloth-slo-alerts-", id);
		buf_adds(b, "\n    rules:\n");
		for (size_t k = 0; k < 2; k++) {
			const struct alert_spec *as = k ? &ticket : &page;
			json_t *al = json_object(), *an = json_object();
			char *expr, *summary, *title;

			if (as->disabled) {
				json_decref(al);
				json_decref(an);
				continue;
			}
			if (merge_labels(al, json_object_get(alerting, "labels"), "alerting.labels", err) < 0 ||
			    merge_labels(al, as->labels, k ? "ticket_alert.labels" : "page_alert.labels", err) < 0 ||
			    merge_labels(an, json_object_get(alerting, "annotations"), "alerting.annotations", err) < 0 ||
			    merge_labels(an, as->annotations, "annotations", err) < 0) {
				json_decref(al);
				json_decref(an);
				goto out;
			}
			json_object_set_new(al, "sloth_severity", json_string(kinds[k].sev));
			title = xasprintf("(%s) {{$labels.sloth_service}} {{$labels.sloth_slo}} SLO error budget "
					  "burn rate is too fast.", kinds[k].sev);
			summary = xasprintf("{{$labels.sloth_service}} {{$labels.sloth_slo}} SLO error budget "
					    "burn rate is over expected.");
			if (!json_object_get(an, "title"))
				json_object_set_new(an, "title", json_string(title));
			if (!json_object_get(an, "summary"))
				json_object_set_new(an, "summary", json_string(summary));
			/* >=, and 1e-9 below, so that a burn of exactly 14.4
			 * pages, as the workbook's table reads, even when the
			 * ratio of two rates rounds a unit below it */
			{
				double t[4] = { kinds[k].r1, kinds[k].r1, kinds[k].r2, kinds[k].r2 };
				char th[4][40];

				for (int q = 0; q < 4; q++)
					snprintf(th[q], sizeof(th[q]), "%.12g", t[q] * budget * (1 - 1e-9));
				expr = xasprintf("(\n    max(slo:sli_error:ratio_rate%s%s >= %s) without (sloth_window)\n"
						 "    and\n    max(slo:sli_error:ratio_rate%s%s >= %s) without (sloth_window)\n"
						 ")\nor\n(\n"
						 "    max(slo:sli_error:ratio_rate%s%s >= %s) without (sloth_window)\n"
						 "    and\n    max(slo:sli_error:ratio_rate%s%s >= %s) without (sloth_window)\n)",
						 kinds[k].s1, sel, th[0], kinds[k].l1, sel, th[1],
						 kinds[k].s2, sel, th[2], kinds[k].l2, sel, th[3]);
			}
			buf_adds(b, "      - alert: ");
			yq(b, aname);
			buf_adds(b, "\n        expr: ");
			yexpr(b, "        ", expr);
			buf_addc(b, '\n');
			put_map(b, "        ", "labels", al);
			put_map(b, "        ", "annotations", an);
			free(expr);
			free(summary);
			free(title);
			json_decref(al);
			json_decref(an);
		}
	}
	rc = 0;
out:
	json_decref(labels);
	return rc;
}

int slo_rules_main(struct sbx_ctx *ctx, double period_days)
{
	struct buf text = { 0 }, out = { 0 };
	struct sbx_err err;
	json_t *spec, *slos;
	const char *path, *version, *service;
	int rc = 3;

	if (ctx->nargs != 2) {
		warnx_("usage: srebox slo rules SPEC.yaml (a sloth prometheus/v1 spec; - for stdin)");
		return 3;
	}
	if (period_days != floor(period_days) || period_days < 1) {
		warnx_("--window: the SLO period of rules is whole days (30d, 4w, 28d)");
		return 3;
	}
	path = ctx->args[1];
	if (read_file(strcmp(path, "-") ? path : "/dev/stdin", &text, 16u << 20, &err) < 0) {
		warnx_("%s", err.msg);
		return 3;
	}
	spec = yaml_to_json(text.s ? text.s : "", text.len, path, &err);
	buf_free(&text);
	if (!spec) {
		warnx_("%s", err.msg);
		return 3;
	}
	version = sget(spec, "version");
	service = sget(spec, "service");
	slos = json_object_get(spec, "slos");
	if (!json_is_object(spec) || !version || strcmp(version, "prometheus/v1")) {
		warnx_("%s: version must be \"prometheus/v1\" (a sloth spec; the Kubernetes "
		       "PrometheusServiceLevel and OpenSLO forms are not read)", path);
		goto out;
	}
	if (!service || !*service) {
		warnx_("%s: no service", path);
		goto out;
	}
	if (!json_is_array(slos) || !json_array_size(slos)) {
		warnx_("%s: no slos", path);
		goto out;
	}
	buf_addf(&out, "# Generated by srebox slo rules from %s (sloth prometheus/v1 spec): do not edit.\n"
		       "groups:\n", path);
	for (size_t i = 0; i < json_array_size(slos); i++)
		if (one_slo(&out, service, json_object_get(spec, "labels"), json_array_get(slos, i), i,
			    period_days, &err) < 0) {
			warnx_("%s: %s", path, err.msg);
			goto out;
		}
	fwrite(out.s, 1, out.len, stdout);
	rc = 0;
out:
	buf_free(&out);
	json_decref(spec);
	return rc;
}
