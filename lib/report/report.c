#include "report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct sbx_report *report_new(const char *applet)
{
	struct sbx_report *r = xcalloc(1, sizeof(*r));

	r->applet = applet;
	return r;
}

static void cell_clear(const struct sbx_col *col, struct sbx_cell *c)
{
	if (c->kind == CELL_VAL && col->type == CT_STR)
		free(c->s);
	if (c->kind == CELL_VAL && col->type == CT_LIST)
		free(c->list.v);
	free(c->why);
	memset(c, 0, sizeof(*c));
}

void table_drop_rows(struct sbx_table *t)
{
	for (size_t i = 0; i < t->nrows; i++)
		for (size_t j = 0; j < t->ncols; j++)
			cell_clear(&t->cols[j], &t->cells[i * t->ncols + j]);
	if (t->stream)
		t->stream->flushed += t->nrows;
	t->nrows = 0;
}

size_t table_total_rows(const struct sbx_table *t)
{
	return t->nrows + (t->stream ? t->stream->flushed : 0);
}

static void stream_free(struct sbx_table *t)
{
	struct table_stream *s = t->stream;

	if (!s)
		return;
	free(s->width);
	free(s->hide);
	for (size_t j = 0; s->prom && j < t->ncols; j++)
		if (s->prom[j])
			fclose(s->prom[j]);
	free(s->prom);
	for (size_t i = 0; i < s->nwhy; i++)
		free(s->why[i]);
	free(s);
}

static void table_free(struct sbx_table *t)
{
	for (size_t i = 0; i < t->nrows; i++)
		for (size_t j = 0; j < t->ncols; j++)
			cell_clear(&t->cols[j], &t->cells[i * t->ncols + j]);
	stream_free(t);
	for (size_t i = 0; i < t->nvec; i++)
		free(t->vec_ids[i]);
	free(t->vec_ids);
	free(t->cells);
	free(t->name);
	free(t->title);
	free(t);
}

void report_free(struct sbx_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->ntables; i++)
		table_free(r->tables[i]);
	for (size_t i = 0; i < r->nfind; i++) {
		free(r->findings[i].check);
		free(r->findings[i].subject);
		free(r->findings[i].text);
		free(r->findings[i].label);
		for (size_t j = 0; j < r->findings[i].nwho; j++) {
			struct sbx_culprit *c = &r->findings[i].who[j];

			free(c->kind);
			free(c->name);
			free(c->cgroup);
			free(c->pod);
			free(c->unit);
		}
		free(r->findings[i].who);
	}
	free(r->tables);
	free(r->findings);
	free(r->summary);
	free(r->note);
	free(r->error);
	free(r);
}

/* Every string enters the model here or through text_clean(): the
 * renderers (a terminal, jansson, Prometheus text) then trust it to be
 * valid UTF-8 without control characters. */
static void set_text(char **dst, const char *fmt, va_list ap)
{
	char *s = text_vcleanf(fmt, ap);	/* the old text may be an argument */

	free(*dst);
	*dst = s;
}

void report_summary(struct sbx_report *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_text(&r->summary, fmt, ap);
	va_end(ap);
}

void report_note(struct sbx_report *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_text(&r->note, fmt, ap);
	va_end(ap);
}

void report_fail(struct sbx_report *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_text(&r->error, fmt, ap);
	va_end(ap);
}

enum sbx_state report_state(const struct sbx_report *r)
{
	enum sbx_state s = ST_OK;

	if (r->error)
		return ST_UNKNOWN;
	for (size_t i = 0; i < r->nfind; i++)
		s = state_worst(s, r->findings[i].state);
	return s;
}

struct sbx_table *report_table(struct sbx_report *r, const char *name, const struct sbx_col *cols,
			       size_t ncols)
{
	struct sbx_table *t = xcalloc(1, sizeof(*t));

	t->name = xstrdup(name);
	t->cols = cols;
	t->ncols = ncols;
	ALLOC_GROW(r->tables, r->ntables + 1, r->atables);
	r->tables[r->ntables++] = t;
	return t;
}

void table_title(struct sbx_table *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_text(&t->title, fmt, ap);
	va_end(ap);
}

struct sbx_cell *table_row(struct sbx_table *t)
{
	size_t need = (t->nrows + 1) * t->ncols;
	struct sbx_cell *row;

	if (need > t->alloc) {
		size_t na = t->alloc ? t->alloc * 2 : t->ncols * 16;

		while (na < need)
			na *= 2;
		t->cells = xreallocarray(t->cells, na, sizeof(*t->cells));
		t->alloc = na;
	}
	row = &t->cells[t->nrows * t->ncols];
	memset(row, 0, t->ncols * sizeof(*row));
	t->nrows++;
	return row;
}

struct sbx_cell *table_cell(const struct sbx_table *t, size_t row, size_t col)
{
	return &t->cells[row * t->ncols + col];
}

void table_vec_ids(struct sbx_table *t, char **ids, size_t n)
{
	t->vec_ids = xcalloc(n, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		t->vec_ids[i] = text_clean(ids[i]);
	t->nvec = n;
}

void cell_str(struct sbx_cell *c, const char *s)
{
	c->kind = CELL_VAL;
	c->s = text_clean(s);
}

void cell_strf(struct sbx_cell *c, const char *fmt, ...)
{
	va_list ap;

	c->kind = CELL_VAL;
	c->s = NULL;
	va_start(ap, fmt);
	set_text(&c->s, fmt, ap);
	va_end(ap);
}

void cell_u64(struct sbx_cell *c, uint64_t v)
{
	c->kind = CELL_VAL;
	c->u = v;
}

void cell_i64(struct sbx_cell *c, int64_t v)
{
	c->kind = CELL_VAL;
	c->i = v;
}

void cell_num(struct sbx_cell *c, double v)
{
	c->kind = CELL_VAL;
	c->d = v;
}

void cell_list(struct sbx_cell *c, const uint64_t *v, size_t n)
{
	c->kind = CELL_VAL;
	c->list.v = xcalloc(n ? n : 1, sizeof(uint64_t));
	if (n)
		memcpy(c->list.v, v, n * sizeof(uint64_t));
	c->list.n = n;
}

void cell_unknown(struct sbx_cell *c, const char *why)
{
	c->kind = CELL_UNKNOWN;
	c->why = text_clean(why ? why : "unknown");
}

static struct sbx_finding *new_finding(struct sbx_report *r, enum sbx_state st, const char *check,
				       const char *subject)
{
	struct sbx_finding *f;

	ALLOC_GROW(r->findings, r->nfind + 1, r->afind);
	f = &r->findings[r->nfind++];
	memset(f, 0, sizeof(*f));
	f->state = st;
	f->check = text_clean(check);
	f->subject = subject ? text_clean(subject) : NULL;
	return f;
}

struct sbx_finding *report_finding_bare(struct sbx_report *r, enum sbx_state st, const char *check,
					const char *subject)
{
	struct sbx_finding *f = new_finding(r, st, check, subject);

	f->text = xstrdup("");
	return f;
}

struct sbx_finding *report_vfinding(struct sbx_report *r, enum sbx_state st, const char *check,
				    const char *subject, const char *fmt, va_list ap)
{
	struct sbx_finding *f = new_finding(r, st, check, subject);

	set_text(&f->text, fmt, ap);
	return f;
}

struct sbx_finding *report_finding(struct sbx_report *r, enum sbx_state st, const char *check,
				   const char *subject, const char *fmt, ...)
{
	struct sbx_finding *f;
	va_list ap;

	va_start(ap, fmt);
	f = report_vfinding(r, st, check, subject, fmt, ap);
	va_end(ap);
	return f;
}

void finding_perf(struct sbx_finding *f, const char *label, double value, const char *uom,
		  const struct sbx_range *warn, const struct sbx_range *crit)
{
	free(f->label);
	f->label = text_clean(label);
	f->has_value = true;
	f->value = value;
	f->uom = uom ? uom : "";
	str_copy(f->warn, sizeof(f->warn), warn && warn->set ? warn->text : "");
	str_copy(f->crit, sizeof(f->crit), crit && crit->set ? crit->text : "");
}

static void who_value(char *buf, size_t n, double v, const char *unit)
{
	if (unit && !strcmp(unit, "B/s")) {
		char b[32];

		fmt_bytes(b, sizeof(b), v);
		snprintf(buf, n, "%s/s", b);
	} else if (unit && !strcmp(unit, "B"))
		fmt_bytes(buf, n, v);
	else if (v != 0 && fabs(v) < 10 && v != floor(v))
		snprintf(buf, n, "%.1f%s", v, unit ? unit : "");
	else
		snprintf(buf, n, "%.0f%s", v, unit ? unit : "");
}

void finding_who(struct sbx_finding *f, const char *kind, const char *name, long pid,
		 const char *cgroup, const char *pod, bool has_value, double value, const char *unit)
{
	struct sbx_culprit *c;
	char val[48] = "", pidbuf[32] = "", podbuf[300] = "";
	char *text;

	ALLOC_GROW(f->who, f->nwho + 1, f->awho);
	c = &f->who[f->nwho++];
	memset(c, 0, sizeof(*c));
	c->kind = text_clean(kind ? kind : "process");
	c->name = text_clean(name ? name : "?");
	c->pid = pid;
	c->cgroup = cgroup ? text_clean(cgroup) : NULL;
	c->pod = pod ? text_clean(pod) : NULL;
	c->has_value = has_value;
	c->value = value;
	c->unit = has_value && unit ? text_clean(unit) : NULL;
	if (pid > 0)
		snprintf(pidbuf, sizeof(pidbuf), " (pid %ld)", pid);
	if (has_value) {
		val[0] = ' ';
		who_value(val + 1, sizeof(val) - 1, value, c->unit);
	}
	if (c->pod)
		snprintf(podbuf, sizeof(podbuf), " [pod %s]", c->pod);
	text = xasprintf("%s%s%s%s%s%s", f->text ? f->text : "", f->nwho == 1 ? "; who: " : ", ",
			 c->name, pidbuf, val, podbuf);
	free(f->text);
	f->text = text;
}

void finding_perf_unknown(struct sbx_finding *f, const char *label, const char *uom)
{
	finding_perf(f, label, 0, uom, NULL, NULL);
	f->has_value = false;
}

void finding_bounds(struct sbx_finding *f, double min, double max)
{
	f->has_min = f->has_max = true;
	f->min = min;
	f->max = max;
}

bool format_parse(const char *s, enum sbx_format *out)
{
	static const char *const names[] = { "table", "wide", "json", "prom", "check", "name" };

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (strcmp(s, names[i]) == 0) {
			*out = (enum sbx_format)i;
			return true;
		}
	return false;
}

static const struct sbx_report *sort_rep;

static int cmp_severity(const void *a, const void *b)
{
	static const int rank[] = { 3, 1, 0, 2 };	/* CRIT, WARN, UNKNOWN, OK */
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int rx = rank[sort_rep->findings[x].state], ry = rank[sort_rep->findings[y].state];

	if (rx != ry)
		return rx - ry;
	return x < y ? -1 : x > y;
}

size_t *findings_by_severity(const struct sbx_report *r)
{
	size_t *idx = xcalloc(r->nfind + 1, sizeof(size_t));

	for (size_t i = 0; i < r->nfind; i++)
		idx[i] = i;
	sort_rep = r;
	qsort(idx, r->nfind, sizeof(size_t), cmp_severity);
	return idx;
}

/* Replace each string of the report that fn rewrites (fn returns a new
 * string, or NULL to keep it).  Rows already rendered in parts are gone;
 * the ones still held are rewritten. */
static void rewrite_one(char **s, char *(*fn)(const char *, void *), void *arg)
{
	char *n;

	if (!*s || !(n = fn(*s, arg)))
		return;
	free(*s);
	*s = n;
}

void report_rewrite(struct sbx_report *r, char *(*fn)(const char *s, void *arg), void *arg)
{
	rewrite_one(&r->summary, fn, arg);
	rewrite_one(&r->note, fn, arg);
	rewrite_one(&r->error, fn, arg);
	for (size_t i = 0; i < r->ntables; i++) {
		struct sbx_table *t = r->tables[i];

		rewrite_one(&t->title, fn, arg);
		for (size_t k = 0; k < t->nrows; k++)
			for (size_t j = 0; j < t->ncols; j++) {
				struct sbx_cell *c = &t->cells[k * t->ncols + j];

				if (c->kind == CELL_VAL && t->cols[j].type == CT_STR)
					rewrite_one(&c->s, fn, arg);
				rewrite_one(&c->why, fn, arg);
			}
	}
	for (size_t i = 0; i < r->nfind; i++) {
		struct sbx_finding *f = &r->findings[i];

		rewrite_one(&f->subject, fn, arg);
		rewrite_one(&f->text, fn, arg);
		for (size_t k = 0; k < f->nwho; k++) {
			rewrite_one(&f->who[k].name, fn, arg);
			rewrite_one(&f->who[k].cgroup, fn, arg);
		}
	}
}
