/* One JSON object per report (a stream of them with -n): the applet, its
 * state and exit status, the findings, and each table as an array of row
 * objects.  Units are in the key names; an unknown cell is null and its
 * reason is under the row's "unknown" object. */
#include "render.h"

#include <jansson.h>
#include <math.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>

#ifndef SREBOX_VERSION
#define SREBOX_VERSION "0"
#endif

static json_t *num(double d)
{
	return isfinite(d) ? json_real(d) : json_null();
}

static json_t *count_json(uint64_t v)
{
	return v <= (uint64_t)INT64_MAX ? json_integer((json_int_t)v) : json_real((double)v);
}

/* A per-CPU vector is an object keyed by CPU id: ids are not positions
 * when CPUs are offline. */
static json_t *cell_json(const struct sbx_table *t, const struct sbx_col *col,
			 const struct sbx_cell *c)
{
	json_t *a;

	if (c->kind != CELL_VAL)
		return json_null();
	switch (col->type) {
	case CT_STR:
		return json_string_nocheck(c->s);	/* text_clean made it UTF-8 */
	case CT_INT:
		return json_integer(c->i);
	case CT_COUNT:
		return count_json(c->u);
	case CT_STATE:
		return json_string_nocheck(state_name((enum sbx_state)c->i));
	case CT_BOOL:
		return json_boolean(c->i);
	case CT_LIST:
		if (t->nvec) {
			a = json_object();
			for (size_t i = 0; i < c->list.n && i < t->nvec; i++)
				json_object_set_new(a, t->vec_ids[i], count_json(c->list.v[i]));
			return a;
		}
		a = json_array();
		for (size_t i = 0; i < c->list.n; i++)
			json_array_append_new(a, count_json(c->list.v[i]));
		return a;
	case CT_NUM:
	case CT_RATE:
	case CT_RATIO:
	case CT_BYTES:
	case CT_SECONDS:
		if (c->d == floor(c->d) && fabs(c->d) < 9e15)
			return json_integer((json_int_t)c->d);
		return num(c->d);
	}
	return json_null();
}

static bool wanted(const struct json_pick *p, const char *key)
{
	if (!p || !p->keys)
		return true;
	for (size_t k = 0; k < p->nkeys; k++)
		if (!strcmp(p->keys[k], key))
			return true;
	return false;
}

static json_t *row_json(const struct sbx_table *t, size_t i)
{
	json_t *row = json_object(), *unknown = NULL;

	if (t->list_kind) {
		/* a List's item: kubectl's keys first (the name is column 0) */
		json_t *md = json_object();

		json_object_set_new_nocheck(row, "apiVersion", json_string("v1"));
		json_object_set_new_nocheck(row, "kind", json_string(t->list_kind));
		json_object_set_new_nocheck(md, "name", cell_json(t, &t->cols[0], table_cell(t, i, 0)));
		json_object_set_new_nocheck(row, "metadata", md);
	}
	for (size_t j = 0; j < t->ncols; j++) {
		const struct sbx_cell *c = table_cell(t, i, j);

		json_object_set_new_nocheck(row, t->cols[j].key, cell_json(t, &t->cols[j], c));
		if (c->kind == CELL_UNKNOWN) {
			if (!unknown)
				unknown = json_object();
			json_object_set_new_nocheck(unknown, t->cols[j].key, json_string(c->why));
		}
	}
	if (unknown)
		json_object_set_new_nocheck(row, "unknown", unknown);
	return row;
}

/* A pick's columns alone, in its order (col[k]: the column of keys[k],
 * or ncols when the table has none), without the reasons: the model of
 * srebox top keeps no more. */
static json_t *row_keys_json(const struct sbx_table *t, size_t i, const struct json_pick *p,
			     const size_t *col)
{
	json_t *row = json_object();

	for (size_t k = 0; k < p->nkeys; k++)
		if (col[k] < t->ncols)
			json_object_set_new_nocheck(row, p->keys[k],
					    cell_json(t, &t->cols[col[k]], table_cell(t, i, col[k])));
	return row;
}

/* The check, state and text alone: a pick's keys. */
static json_t *finding_keys_json(const struct sbx_finding *f, const struct json_pick *p)
{
	json_t *o = json_object();

	if (wanted(p, "check"))
		json_object_set_new_nocheck(o, "check", json_string_nocheck(f->check));
	if (wanted(p, "state"))
		json_object_set_new_nocheck(o, "state", json_string_nocheck(state_name(f->state)));
	if (wanted(p, "text"))
		json_object_set_new_nocheck(o, "text", json_string_nocheck(f->text));
	return o;
}

static json_t *finding_json(const struct sbx_finding *f)
{
	json_t *o = json_object();

	json_object_set_new_nocheck(o, "check", json_string(f->check));
	json_object_set_new_nocheck(o, "subject", f->subject ? json_string(f->subject) : json_null());
	json_object_set_new_nocheck(o, "state", json_string(state_name(f->state)));
	json_object_set_new_nocheck(o, "text", json_string(f->text));
	if (f->label) {
		json_object_set_new_nocheck(o, "value", f->has_value ? num(f->value) : json_null());
		json_object_set_new_nocheck(o, "uom", json_string(f->uom));
		json_object_set_new_nocheck(o, "warning", f->warn[0] ? json_string(f->warn) : json_null());
		json_object_set_new_nocheck(o, "critical", f->crit[0] ? json_string(f->crit) : json_null());
	}
	if (f->nwho) {
		json_t *wa = json_array();

		for (size_t i = 0; i < f->nwho; i++) {
			const struct sbx_culprit *c = &f->who[i];
			json_t *w = json_object();

			json_object_set_new_nocheck(w, "kind", json_string(c->kind));
			json_object_set_new_nocheck(w, "name", json_string(c->name));
			json_object_set_new_nocheck(w, "pid", c->pid > 0 ? json_integer(c->pid) : json_null());
			json_object_set_new_nocheck(w, "cgroup", c->cgroup ? json_string(c->cgroup) : json_null());
			json_object_set_new_nocheck(w, "pod", c->pod ? json_string(c->pod) : json_null());
			json_object_set_new_nocheck(w, "value", c->has_value ? num(c->value) : json_null());
			json_object_set_new_nocheck(w, "unit", c->unit ? json_string(c->unit) : json_null());
			json_array_append_new(wa, w);
		}
		json_object_set_new_nocheck(o, "who", wa);
	}
	return o;
}

/* The key of a table's rows: a List's are its "items". */
static const char *table_key(const struct sbx_table *t)
{
	return t->list_kind ? "items" : t->name;
}

static void head_keys(json_t *root, const struct sbx_report *r)
{
	char ts[32];
	time_t now = time(NULL);
	struct tm tm;

	for (size_t i = 0; i < r->ntables; i++)
		if (r->tables[i]->list_kind) {
			json_t *md = json_object();

			json_object_set_new_nocheck(md, "resourceVersion", json_string(""));
			json_object_set_new_nocheck(root, "apiVersion", json_string("v1"));
			json_object_set_new_nocheck(root, "kind", json_string("List"));
			json_object_set_new_nocheck(root, "metadata", md);
			break;
		}
	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_object_set_new_nocheck(root, "applet", json_string(r->applet));
	json_object_set_new_nocheck(root, "srebox_version", json_string(SREBOX_VERSION));
	json_object_set_new_nocheck(root, "time", json_string(ts));
}

static void state_keys(json_t *root, const struct sbx_report *r)
{
	enum sbx_state st = report_state(r);

	json_object_set_new_nocheck(root, "state", json_string(state_name(st)));
	json_object_set_new_nocheck(root, "exit_status", json_integer(st));
}

static void tail_keys(json_t *root, const struct sbx_report *r, bool findings,
		      const struct json_pick *fp)
{
	json_t *fa = json_array();
	size_t *order = findings ? findings_by_severity(r) : NULL;

	json_object_set_new_nocheck(root, "interval_seconds", r->interval > 0 ? num(r->interval) : json_null());
	json_object_set_new_nocheck(root, "since_boot", json_boolean(r->interval <= 0));
	json_object_set_new_nocheck(root, "summary", r->summary ? json_string(r->summary) : json_null());
	json_object_set_new_nocheck(root, "note", r->note ? json_string(r->note) : json_null());
	json_object_set_new_nocheck(root, "error", r->error ? json_string(r->error) : json_null());
	if (r->capture_host) {
		json_t *c = json_object();

		json_object_set_new_nocheck(c, "host", json_string(r->capture_host));
		json_object_set_new_nocheck(c, "taken", json_string(r->capture_taken ? r->capture_taken : ""));
		json_object_set_new_nocheck(root, "capture", c);
	}
	for (size_t i = 0; findings && i < r->nfind; i++)
		json_array_append_new(fa, fp && fp->keys ? finding_keys_json(&r->findings[order[i]], fp)
							 : finding_json(&r->findings[order[i]]));
	free(order);
	json_object_set_new_nocheck(root, "findings", fa);
}

static char *quoted(const char *s)
{
	json_t *j = json_string(s);
	char *q = json_dumps(j, JSON_ENCODE_ANY);

	json_decref(j);
	return q;
}

/* Members of a small object, without its braces: "\n  \"k\": v,..." */
static void members(FILE *f, json_t *o, bool *first)
{
	const char *k;
	json_t *v;

	json_object_foreach(o, k, v) {
		char *ks = quoted(k);

		fprintf(f, "%s\n  %s: ", *first ? "" : ",", ks);
		*first = false;
		free(ks);
		if (json_is_array(v) && json_array_size(v)) {
			/* findings: one per line */
			size_t i;
			json_t *e;

			fputc('[', f);
			json_array_foreach(v, i, e) {
				char *es = json_dumps(e, JSON_ENCODE_ANY | JSON_COMPACT |
							 JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));

				fprintf(f, "%s\n    %s", i ? "," : "", es);
				free(es);
			}
			fputs("\n  ]", f);
		} else {
			char *vs = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_PRESERVE_ORDER |
						 JSON_REAL_PRECISION(10));

			fputs(vs, f);
			free(vs);
		}
	}
}

void render_json_row(FILE *f, const struct sbx_table *t, size_t i)
{
	json_t *row = row_json(t, i);
	char *rs = json_dumps(row, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));

	fprintf(f, "%s\n", rs);
	free(rs);
	json_decref(row);
}

/* A table as an array of rows, one per line: a row at a time through
 * jansson, so a 256-CPU x 2000-IRQ table never exists as one tree. */
static void rows_out(FILE *f, const struct sbx_table *t, size_t from, bool more_before)
{
	for (size_t k = from; k < t->nrows; k++) {
		json_t *row = row_json(t, k);
		char *rs = json_dumps(row, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));

		fprintf(f, "%s\n    %s", more_before || k > from ? "," : "", rs);
		free(rs);
		json_decref(row);
	}
}

/* Streamed: the object's head, then each table as an array of rows, one
 * per line, and the state, summary and findings at the end (they are
 * only known then).  Key order differs from the one-piece object; the
 * members do not. */
void render_json_part(FILE *f, struct sbx_report *r, const struct render_opts *o, bool end)
{
	static bool first_member;
	(void)o;

	if (!r->json_open) {
		json_t *h = json_object();

		head_keys(h, r);
		fputc('{', f);
		first_member = true;
		members(f, h, &first_member);
		json_decref(h);
		r->json_open = true;
	}
	for (size_t i = 0; i < r->ntables; i++) {
		struct sbx_table *t = r->tables[i];
		struct table_stream *s = t->stream;

		if (!t->nrows && !(end && !s->json_open && !s->json_done && !r->error))
			continue;
		if (s->json_done)
			die(3, "internal error: rows added to table %s after a later table", t->name);
		/* a later table starts: close the open ones */
		for (size_t k = 0; k < i; k++) {
			struct table_stream *p = r->tables[k]->stream;

			if (p->json_open) {
				fputs("\n  ]", f);
				p->json_open = false;
			}
			p->json_done = true;
		}
		if (!s->json_open) {
			char *ks = quoted(table_key(t));

			fprintf(f, "%s\n  %s: [", first_member ? "" : ",", ks);
			free(ks);
			first_member = false;
			s->json_open = true;
		}
		rows_out(f, t, 0, s->flushed > 0);
	}
	if (!end)
		return;
	for (size_t i = 0; i < r->ntables; i++)
		if (r->tables[i]->stream->json_open) {
			fputs("\n  ]", f);
			r->tables[i]->stream->json_open = false;
			r->tables[i]->stream->json_done = true;
		}
	{
		json_t *t = json_object();

		tail_keys(t, r, true, NULL);
		state_keys(t, r);
		members(f, t, &first_member);
		json_decref(t);
	}
	fputs("\n}\n", f);
	r->json_open = false;
}

/* One object: the report's keys, then each table with a row per line. */
void render_json(FILE *f, const struct sbx_report *r, const struct render_opts *o)
{
	json_t *h = json_object();
	bool first = true;

	(void)o;
	head_keys(h, r);
	state_keys(h, r);
	tail_keys(h, r, true, NULL);
	fputc('{', f);
	members(f, h, &first);
	json_decref(h);
	if (!r->error)
		for (size_t i = 0; i < r->ntables; i++) {
			const struct sbx_table *t = r->tables[i];
			char *ks = quoted(table_key(t));

			fprintf(f, ",\n  %s: [", ks);
			free(ks);
			rows_out(f, t, 0, false);
			fputs(t->nrows ? "\n  ]" : "]", f);
		}
	fputs("\n}\n", f);
}

/* A cell as a number to rank rows by; NAN when it is none. */
static double cell_rank(const struct sbx_table *t, size_t i, size_t j)
{
	const struct sbx_cell *c = table_cell(t, i, j);

	if (c->kind != CELL_VAL)
		return NAN;
	switch (t->cols[j].type) {
	case CT_INT:
		return (double)c->i;
	case CT_COUNT:
		return (double)c->u;
	case CT_NUM:
	case CT_RATE:
	case CT_RATIO:
	case CT_BYTES:
	case CT_SECONDS:
		return c->d;
	default:
		return NAN;
	}
}

struct ranked_row {
	double v;
	size_t i;
};

/* Most first, NAN last, the table's order among equals. */
static int cmp_ranked_row(const void *a_, const void *b_)
{
	const struct ranked_row *a = a_, *b = b_;

	if (isnan(a->v) != isnan(b->v))
		return isnan(a->v) ? 1 : -1;
	if (!isnan(a->v) && a->v != b->v)
		return a->v > b->v ? -1 : 1;
	return (a->i > b->i) - (a->i < b->i);
}

static json_t *pick_row(const struct sbx_table *t, size_t i, const struct json_pick *p,
			const size_t *col)
{
	return p && p->keys ? row_keys_json(t, i, p, col) : row_json(t, i);
}

static json_t *rows_json(const struct sbx_table *t, const struct json_pick *p)
{
	json_t *rows = json_array();
	size_t col = t->ncols, n = t->nrows, *keycol = NULL;
	struct ranked_row *r;

	if (p && p->keys) {
		keycol = xcalloc(p->nkeys + 1, sizeof(*keycol));
		for (size_t k = 0; k < p->nkeys; k++)
			for (keycol[k] = 0; keycol[k] < t->ncols && strcmp(t->cols[keycol[k]].key, p->keys[k]);
			     keycol[k]++)
				;
	}
	if (p && p->sort)
		for (col = 0; col < t->ncols && strcmp(t->cols[col].key, p->sort); col++)
			;
	if (!p || col == t->ncols) {
		for (size_t k = 0; k < n; k++)
			json_array_append_new(rows, pick_row(t, k, p, keycol));
		free(keycol);
		return rows;
	}
	/* ranked by the sort column, however many rows are kept */
	r = xreallocarray(NULL, n + 1, sizeof(*r));
	for (size_t k = 0; k < n; k++)
		r[k] = (struct ranked_row){ cell_rank(t, k, col), k };
	if (n > 1)
		qsort(r, n, sizeof(*r), cmp_ranked_row);
	for (size_t k = 0; k < n && (!p->limit || k < p->limit); k++)
		json_array_append_new(rows, pick_row(t, r[k].i, p, keycol));
	free(r);
	free(keycol);
	return rows;
}

/* The same object as a tree, for a caller that reads it (top's model):
 * no text in between.  With picks (npick of them, NULL: every table
 * whole) only the tables named, their rows ranked by `sort` (most first,
 * unknown last, the table's order among equals) and limited to the first
 * `limit`. */
json_t *report_to_json(const struct sbx_report *r, const struct json_pick *picks, size_t npick)
{
	json_t *h = json_object();
	bool findings = !picks;
	const struct json_pick *fp = NULL;

	for (size_t k = 0; picks && k < npick; k++)
		if (!strcmp(picks[k].table, JSON_PICK_FINDINGS))
			findings = true, fp = &picks[k];
	head_keys(h, r);
	state_keys(h, r);
	tail_keys(h, r, findings, fp);
	if (!r->error)
		for (size_t i = 0; i < r->ntables; i++) {
			const struct sbx_table *t = r->tables[i];
			const struct json_pick *p = NULL;

			for (size_t k = 0; picks && k < npick && !p; k++)
				if (!strcmp(picks[k].table, t->name))
					p = &picks[k];
			if (picks && !p)
				continue;
			json_object_set_new_nocheck(h, table_key(t), rows_json(t, p));
		}
	return h;
}
