#include "prom_json.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *prom_rtype_name(enum prom_rtype t)
{
	static const char *const names[] = { "none", "vector", "matrix", "scalar", "string" };

	return (unsigned)t < ARRAY_SIZE(names) ? names[t] : "?";
}

static int cmp_label(const void *a, const void *b, void *arg)
{
	const size_t *x = a, *y = b;
	char **k = arg;

	if (!strcmp(k[*x], "__name__"))
		return -1;
	if (!strcmp(k[*y], "__name__"))
		return 1;
	return strcmp(k[*x], k[*y]);
}

/* Labels from a JSON object of strings; false when it is not one. */
static bool labels_from(json_t *o, struct prom_labels *l)
{
	const char *key;
	json_t *v;
	size_t n = json_object_size(o), i = 0, *idx;
	char **k, **vv;

	memset(l, 0, sizeof(*l));
	if (!json_is_object(o))
		return false;
	k = xcalloc(n + 1, sizeof(*k));
	vv = xcalloc(n + 1, sizeof(*vv));
	json_object_foreach(o, key, v) {
		if (!json_is_string(v)) {
			for (size_t j = 0; j < i; j++)
				free(k[j]), free(vv[j]);
			free(k);
			free(vv);
			return false;
		}
		k[i] = text_clean(key);
		vv[i] = text_clean(json_string_value(v));
		i++;
	}
	idx = xcalloc(n + 1, sizeof(*idx));
	for (size_t j = 0; j < n; j++)
		idx[j] = j;
	qsort_r(idx, n, sizeof(*idx), cmp_label, k);
	l->k = xcalloc(n + 1, sizeof(*l->k));
	l->v = xcalloc(n + 1, sizeof(*l->v));
	for (size_t j = 0; j < n; j++) {
		l->k[j] = k[idx[j]];
		l->v[j] = vv[idx[j]];
	}
	l->n = n;
	free(idx);
	free(k);
	free(vv);
	return true;
}

static void labels_free(struct prom_labels *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->k[i]), free(l->v[i]);
	free(l->k);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

const char *prom_label(const struct prom_labels *l, const char *k)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->k[i], k))
			return l->v[i];
	return NULL;
}

void prom_labels_fmt(const struct prom_labels *l, bool with_name, struct buf *out)
{
	const char *name = prom_label(l, "__name__");
	bool any = false;

	if (with_name && name)
		buf_adds(out, name);
	for (size_t i = 0; i < l->n; i++) {
		if (!strcmp(l->k[i], "__name__"))
			continue;
		buf_adds(out, any ? ", " : "{");
		any = true;
		buf_addf(out, "%s=\"", l->k[i]);
		for (const char *p = l->v[i]; *p; p++) {
			if (*p == '"' || *p == '\\')
				buf_addc(out, '\\');
			buf_addc(out, *p);
		}
		buf_addc(out, '"');
	}
	if (any)
		buf_addc(out, '}');
	else if (!(with_name && name))
		buf_adds(out, "{}");
}

/* [ <unix time>, "<value>" ]: Prometheus sends the value as a string so
 * that NaN and +Inf survive. */
static bool sample_from(json_t *a, double *t, double *v)
{
	json_t *jt, *jv;
	const char *s;

	if (!json_is_array(a) || json_array_size(a) != 2)
		return false;
	jt = json_array_get(a, 0);
	jv = json_array_get(a, 1);
	if (!json_is_number(jt) || !json_is_string(jv))
		return false;
	*t = json_number_value(jt);
	s = json_string_value(jv);
	if (!strcmp(s, "NaN"))
		*v = NAN;
	else if (!strcmp(s, "+Inf") || !strcmp(s, "Inf"))
		*v = INFINITY;
	else if (!strcmp(s, "-Inf"))
		*v = -INFINITY;
	else if (!parse_double(s, v))
		return false;
	return true;
}

void prom_result_free(struct prom_result *r)
{
	free(r->error_type);
	free(r->error);
	for (size_t i = 0; i < r->nwarnings; i++)
		free(r->warnings[i]);
	free(r->warnings);
	for (size_t i = 0; i < r->ns; i++) {
		labels_free(&r->s[i].l);
		free(r->s[i].t);
		free(r->s[i].v);
		free(r->s[i].str);
	}
	free(r->s);
	memset(r, 0, sizeof(*r));
}

static json_t *load(const char *body, size_t n, struct sbx_err *err)
{
	json_error_t je;
	json_t *root;

	if (!n) {
		sbx_err_set(err, 0, "an empty answer, not JSON");
		return NULL;
	}
	root = json_loadb(body, n, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		char *start = xstrndup(body, n < 60 ? n : 60);
		char *clean = text_clean(start);

		sbx_err_set(err, 0, "not JSON (%s at byte %d): '%s%s'", je.text, je.position, clean,
			    n > 60 ? "..." : "");
		free(start);
		free(clean);
	}
	return root;
}

static int bad(struct sbx_err *err, json_t *root, const char *what)
{
	sbx_err_set(err, 0, "not a Prometheus API answer: %s", what);
	json_decref(root);
	return -1;
}

int prom_parse_query(const char *body, size_t n, struct prom_result *r, struct sbx_err *err)
{
	json_t *root = load(body, n, err), *status, *data, *res, *w;
	const char *st, *rt;

	memset(r, 0, sizeof(*r));
	if (!root)
		return -1;
	if (!json_is_object(root))
		return bad(err, root, "not an object");
	status = json_object_get(root, "status");
	if (!json_is_string(status))
		return bad(err, root, "no \"status\"");
	st = json_string_value(status);
	w = json_object_get(root, "warnings");
	if (json_is_array(w)) {
		size_t i;
		json_t *x;

		r->warnings = xcalloc(json_array_size(w) + 1, sizeof(*r->warnings));
		json_array_foreach(w, i, x)
			if (json_is_string(x))
				r->warnings[r->nwarnings++] = text_clean(json_string_value(x));
	}
	if (!strcmp(st, "error")) {
		json_t *et = json_object_get(root, "errorType"), *e = json_object_get(root, "error");

		r->error_type = text_clean(json_is_string(et) ? json_string_value(et) : "error");
		r->error = text_clean(json_is_string(e) ? json_string_value(e) : "(no message)");
		json_decref(root);
		return 0;
	}
	if (strcmp(st, "success")) {
		prom_result_free(r);
		return bad(err, root, "\"status\" is neither success nor error");
	}
	data = json_object_get(root, "data");
	if (!json_is_object(data) || !json_is_string(json_object_get(data, "resultType"))) {
		prom_result_free(r);
		return bad(err, root, "no data.resultType");
	}
	rt = json_string_value(json_object_get(data, "resultType"));
	res = json_object_get(data, "result");
	r->ok = true;
	if (!strcmp(rt, "scalar") || !strcmp(rt, "string")) {
		double t, v = 0;
		json_t *sv = json_array_get(res, 1);

		r->type = !strcmp(rt, "scalar") ? PROM_SCALAR : PROM_STRING;
		r->s = xcalloc(1, sizeof(*r->s));
		r->ns = 1;
		r->s[0].t = xcalloc(1, sizeof(double));
		r->s[0].v = xcalloc(1, sizeof(double));
		if (r->type == PROM_STRING) {
			if (!json_is_array(res) || json_array_size(res) != 2 || !json_is_string(sv) ||
			    !json_is_number(json_array_get(res, 0))) {
				prom_result_free(r);
				return bad(err, root, "a string result that is not [time, \"text\"]");
			}
			r->s[0].str = text_clean(json_string_value(sv));
			r->s[0].t[0] = json_number_value(json_array_get(res, 0));
			r->s[0].n = 1;
		} else {
			if (!sample_from(res, &t, &v)) {
				prom_result_free(r);
				return bad(err, root, "a scalar result that is not [time, \"value\"]");
			}
			r->s[0].t[0] = t;
			r->s[0].v[0] = v;
			r->s[0].n = 1;
		}
		json_decref(root);
		return 0;
	}
	if (strcmp(rt, "vector") && strcmp(rt, "matrix")) {
		prom_result_free(r);
		return bad(err, root, "an unknown resultType");
	}
	r->type = !strcmp(rt, "vector") ? PROM_VECTOR : PROM_MATRIX;
	if (!json_is_array(res)) {
		prom_result_free(r);
		return bad(err, root, "data.result is not an array");
	}
	r->s = xcalloc(json_array_size(res) + 1, sizeof(*r->s));
	for (size_t i = 0; i < json_array_size(res); i++) {
		json_t *e = json_array_get(res, i), *vals;
		struct prom_series *s = &r->s[r->ns];

		if (!json_is_object(e) || !labels_from(json_object_get(e, "metric"), &s->l)) {
			prom_result_free(r);
			return bad(err, root, "a series without a metric object of strings");
		}
		r->ns++;
		if (r->type == PROM_VECTOR) {
			s->t = xcalloc(1, sizeof(double));
			s->v = xcalloc(1, sizeof(double));
			if (!sample_from(json_object_get(e, "value"), &s->t[0], &s->v[0])) {
				prom_result_free(r);
				return bad(err, root, "a vector sample that is not [time, \"value\"]");
			}
			s->n = 1;
			continue;
		}
		vals = json_object_get(e, "values");
		if (!json_is_array(vals)) {
			prom_result_free(r);
			return bad(err, root, "a matrix series without \"values\"");
		}
		s->t = xcalloc(json_array_size(vals) + 1, sizeof(double));
		s->v = xcalloc(json_array_size(vals) + 1, sizeof(double));
		for (size_t j = 0; j < json_array_size(vals); j++) {
			if (!sample_from(json_array_get(vals, j), &s->t[s->n], &s->v[s->n])) {
				prom_result_free(r);
				return bad(err, root, "a matrix sample that is not [time, \"value\"]");
			}
			s->n++;
		}
	}
	json_decref(root);
	return 0;
}

bool prom_time_parse(const char *s, double *out)
{
	double t;

	/* before 1970 is a typo, not a time anyone means to query */
	if (!rfc3339_parse(s, &t) || t < 0)
		return false;
	*out = t;
	return true;
}

static char *str_member(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_string(v) && *json_string_value(v) ? text_clean(json_string_value(v)) : NULL;
}

static char **str_array(json_t *a, size_t *n)
{
	char **out;
	size_t i;
	json_t *x;

	*n = 0;
	if (!json_is_array(a))
		return NULL;
	out = xcalloc(json_array_size(a) + 1, sizeof(*out));
	json_array_foreach(a, i, x)
		if (json_is_string(x))
			out[(*n)++] = text_clean(json_string_value(x));
	return out;
}

void prom_alerts_free(struct prom_alerts *al)
{
	for (size_t i = 0; i < al->n; i++) {
		struct prom_alert *a = &al->a[i];

		labels_free(&a->l);
		free(a->summary);
		free(a->state);
		for (size_t j = 0; j < a->nsilenced; j++)
			free(a->silenced_by[j]);
		for (size_t j = 0; j < a->ninhibited; j++)
			free(a->inhibited_by[j]);
		free(a->silenced_by);
		free(a->inhibited_by);
	}
	free(al->a);
	memset(al, 0, sizeof(*al));
}

int prom_parse_alerts(const char *body, size_t n, bool am, struct prom_alerts *out,
		      struct sbx_err *err)
{
	json_t *root = load(body, n, err), *list;

	memset(out, 0, sizeof(*out));
	if (!root)
		return -1;
	if (am) {
		list = root;
		if (!json_is_array(list))
			return bad(err, root, "Alertmanager's /api/v2/alerts answers an array");
	} else {
		json_t *st = json_object_get(root, "status");

		if (!json_is_object(root) || !json_is_string(st))
			return bad(err, root, "no \"status\"");
		if (!strcmp(json_string_value(st), "error")) {
			char *e = str_member(root, "error");

			sbx_err_set(err, 0, "the server answered an error: %s", e ? e : "(no message)");
			free(e);
			json_decref(root);
			return -1;
		}
		list = json_object_get(json_object_get(root, "data"), "alerts");
		if (!json_is_array(list))
			return bad(err, root, "no data.alerts array");
	}
	out->a = xcalloc(json_array_size(list) + 1, sizeof(*out->a));
	for (size_t i = 0; i < json_array_size(list); i++) {
		json_t *e = json_array_get(list, i), *ann, *status;
		struct prom_alert *a = &out->a[out->n];
		char *since;

		if (!json_is_object(e) || !labels_from(json_object_get(e, "labels"), &a->l)) {
			prom_alerts_free(out);
			return bad(err, root, "an alert without a labels object of strings");
		}
		out->n++;
		ann = json_object_get(e, "annotations");
		a->summary = str_member(ann, "summary");
		if (!a->summary)
			a->summary = str_member(ann, "description");
		if (am) {
			status = json_object_get(e, "status");
			a->state = str_member(status, "state");
			a->silenced_by = str_array(json_object_get(status, "silencedBy"), &a->nsilenced);
			a->inhibited_by = str_array(json_object_get(status, "inhibitedBy"), &a->ninhibited);
			since = str_member(e, "startsAt");
		} else {
			a->state = str_member(e, "state");
			since = str_member(e, "activeAt");
		}
		if (!a->state) {
			free(since);
			prom_alerts_free(out);
			return bad(err, root, "an alert without a state");
		}
		if (!since || !prom_time_parse(since, &a->since))
			a->since = 0;
		free(since);
	}
	json_decref(root);
	return 0;
}
