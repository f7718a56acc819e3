/* The two line-oriented formats for machines: Prometheus text exposition
 * (for the node_exporter textfile collector) and the monitoring-plugins
 * line "SREBOX IRQ WARNING: text | perfdata". */
#include "render.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void prom_escape(FILE *f, const char *s, bool label)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else if (label && *s == '"')
			fputs("\\\"", f);
		else
			fputc(*s, f);
	}
}

static void prom_value(FILE *f, double v)
{
	if (isnan(v))
		fputs("NaN", f);
	else if (isinf(v))
		fputs(v > 0 ? "+Inf" : "-Inf", f);
	else if (v == floor(v) && fabs(v) < 1e15)
		fprintf(f, "%.0f", v);
	else
		fprintf(f, "%.10g", v);
}

static bool cell_double(const struct sbx_col *col, const struct sbx_cell *c, double *v)
{
	if (c->kind != CELL_VAL)
		return false;
	switch (col->type) {
	case CT_INT:
	case CT_STATE:
	case CT_BOOL:
		*v = (double)c->i;
		return true;
	case CT_COUNT:
		*v = (double)c->u;
		return true;
	case CT_NUM:
	case CT_RATE:
	case CT_RATIO:
	case CT_BYTES:
	case CT_SECONDS:
		*v = c->d;
		return true;
	case CT_STR:
	case CT_LIST:
		return false;
	}
	return false;
}

static void labels_open(FILE *f, const struct sbx_table *t, size_t row, bool *any)
{
	*any = false;
	for (size_t j = 0; j < t->ncols; j++) {
		const struct sbx_cell *c = table_cell(t, row, j);
		const struct sbx_col *col = &t->cols[j];
		char tmp[32];

		if (!(col->flags & COL_LABEL) || c->kind != CELL_VAL)
			continue;
		fputs(*any ? "," : "{", f);
		*any = true;
		fprintf(f, "%s=\"", col->key);
		if (col->type == CT_STR) {
			prom_escape(f, c->s, true);
		} else {
			double v = 0;

			cell_double(col, c, &v);
			snprintf(tmp, sizeof(tmp), "%.0f", v);
			fputs(tmp, f);
		}
		fputc('"', f);
	}
}

static void family_head(FILE *f, const char *name, const char *help, bool counter)
{
	fprintf(f, "# HELP srebox_%s ", name);
	prom_escape(f, help ? help : name, false);
	fprintf(f, "\n# TYPE srebox_%s %s\n", name, counter ? "counter" : "gauge");
}

/* Samples of metric column j of the rows held. */
static void prom_samples(FILE *f, const struct sbx_table *t, size_t j)
{
	const struct sbx_col *col = &t->cols[j];

	for (size_t i = 0; i < t->nrows; i++) {
		const struct sbx_cell *c = table_cell(t, i, j);
		double v;
		bool any;

		if (col->type == CT_LIST && c->kind == CELL_VAL) {
			for (size_t k = 0; k < c->list.n && k < t->nvec; k++) {
				fprintf(f, "srebox_%s", col->metric);
				labels_open(f, t, i, &any);
				fprintf(f, "%s%s=\"", any ? "," : "{", col->vlabel);
				prom_escape(f, t->vec_ids[k], true);
				fputs("\"} ", f);
				prom_value(f, (double)c->list.v[k]);
				fputc('\n', f);
			}
			continue;
		}
		if (!cell_double(col, c, &v))
			continue;
		fprintf(f, "srebox_%s", col->metric);
		labels_open(f, t, i, &any);
		fputs(any ? "} " : " ", f);
		prom_value(f, col->flags & COL_MILLI ? v / 1000 : v);
		fputc('\n', f);
	}
}

static void prom_table(FILE *f, const struct sbx_table *t)
{
	char *mem = NULL;
	size_t len = 0;

	for (size_t j = 0; j < t->ncols; j++) {
		const struct sbx_col *col = &t->cols[j];
		FILE *tmp, *kept = t->stream && t->stream->prom ? t->stream->prom[j] : NULL;

		if (!col->metric)
			continue;
		/* a family's samples must be contiguous: gather, then print */
		tmp = open_memstream(&mem, &len);
		if (!tmp)
			continue;
		prom_samples(tmp, t, j);
		fclose(tmp);
		if (len || (kept && ftell(kept) > 0)) {
			family_head(f, col->metric, col->help, col->flags & COL_COUNTER);
			if (kept) {
				char buf[8192];
				size_t n;
				long end = ftell(kept);

				rewind(kept);
				while ((n = fread(buf, 1, sizeof(buf), kept)) > 0)
					fwrite(buf, 1, n, f);
				fseek(kept, end, SEEK_SET);
			}
			fwrite(mem, 1, len, f);
		}
		free(mem);
		mem = NULL;
	}
}

void render_prom_part(struct sbx_report *r)
{
	for (size_t i = 0; i < r->ntables; i++) {
		struct sbx_table *t = r->tables[i];

		if (!t->stream->prom)
			t->stream->prom = xcalloc(t->ncols, sizeof(FILE *));
		for (size_t j = 0; j < t->ncols; j++) {
			if (!t->cols[j].metric || !t->nrows)
				continue;
			if (!t->stream->prom[j] && !(t->stream->prom[j] = tmpfile()))
				die(3, "cannot create a temporary file for Prometheus samples: %s",
				    strerror(errno));
			prom_samples(t->stream->prom[j], t, j);
		}
	}
}

/* Each check's judged value, one family per catalogue metric, samples of
 * one family together whatever order the findings came in. */
static void prom_checks(FILE *f, const struct sbx_report *r)
{
	for (size_t i = 0; i < r->nfind; i++) {
		const struct sbx_finding *fd = &r->findings[i];
		bool seen = false;

		if (!fd->metric || !fd->has_value)
			continue;
		for (size_t k = 0; k < i && !seen; k++)
			seen = r->findings[k].metric && r->findings[k].has_value &&
			       !strcmp(r->findings[k].metric, fd->metric);
		if (seen)
			continue;
		fprintf(f, "# HELP srebox_check_%s ", fd->metric);
		prom_escape(f, fd->metric_help ? fd->metric_help : fd->check, false);
		fprintf(f, "\n# TYPE srebox_check_%s gauge\n", fd->metric);
		for (size_t k = i; k < r->nfind; k++) {
			const struct sbx_finding *g = &r->findings[k];

			if (!g->metric || !g->has_value || strcmp(g->metric, fd->metric))
				continue;
			fprintf(f, "srebox_check_%s{applet=\"%s\",subject=\"", g->metric, r->applet);
			prom_escape(f, g->subject ? g->subject : "", true);
			fputs("\"} ", f);
			prom_value(f, g->value * g->metric_scale);
			fputc('\n', f);
		}
	}
}

void render_prom(FILE *f, const struct sbx_report *r, const struct render_opts *o)
{
	(void)o;
	fputs("# HELP srebox_up Whether the applet could read its source (1) or not (0).\n"
	      "# TYPE srebox_up gauge\n",
	      f);
	fprintf(f, "srebox_up{applet=\"%s\"} %d\n", r->applet, r->error ? 0 : 1);
	fputs("# HELP srebox_state Worst state of the applet's checks: 0 OK, 1 WARNING, 2 CRITICAL, "
	      "3 UNKNOWN.\n# TYPE srebox_state gauge\n",
	      f);
	fprintf(f, "srebox_state{applet=\"%s\"} %d\n", r->applet, report_state(r));
	if (r->nfind) {
		fputs("# HELP srebox_check_state State of one check: 0 OK, 1 WARNING, 2 CRITICAL, "
		      "3 UNKNOWN.\n# TYPE srebox_check_state gauge\n",
		      f);
		for (size_t i = 0; i < r->nfind; i++) {
			const struct sbx_finding *fd = &r->findings[i];

			fprintf(f, "srebox_check_state{applet=\"%s\",check=\"", r->applet);
			prom_escape(f, fd->check, true);
			fputs("\",subject=\"", f);
			prom_escape(f, fd->subject ? fd->subject : "", true);
			fprintf(f, "\"} %d\n", fd->state);
		}
	}
	prom_checks(f, r);
	if (r->error)
		return;
	for (size_t i = 0; i < r->ntables; i++)
		prom_table(f, r->tables[i]);
}

static void perf_num(FILE *f, double v)
{
	char tmp[64], *e;

	if (v == floor(v) && fabs(v) < 1e15) {
		fprintf(f, "%.0f", v);
		return;
	}
	snprintf(tmp, sizeof(tmp), "%.4f", v);
	e = tmp + strlen(tmp);
	while (e[-1] == '0')
		*--e = '\0';
	if (e[-1] == '.')
		e[-1] = '\0';
	fputs(tmp, f);
}

static void perf_label(FILE *f, const char *s)
{
	bool quote = strpbrk(s, " '=") != NULL;

	if (!quote) {
		fputs(s, f);
		return;
	}
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputc('\'', f);
		fputc(*s, f);
	}
	fputc('\'', f);
}

static void upper(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc(toupper((unsigned char)*s), f);
}

static void one_line(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc(*s == '\n' || *s == '|' ? ' ' : *s, f);
}

void render_check(FILE *f, const struct sbx_report *r, const struct render_opts *o)
{
	enum sbx_state st = report_state(r);
	size_t *order = findings_by_severity(r);
	bool any = false;

	(void)o;
	fputs("SREBOX ", f);
	upper(f, r->applet);
	fprintf(f, " %s: ", state_name(st));
	if (r->error) {
		one_line(f, r->error);
	} else {
		for (size_t i = 0; i < r->nfind; i++) {
			const struct sbx_finding *fd = &r->findings[order[i]];

			if (fd->state == ST_OK)
				continue;
			fputs(any ? "; " : "", f);
			one_line(f, fd->text);
			any = true;
		}
		if (!any)
			one_line(f, r->summary ? r->summary : "no problem found");
	}
	any = false;
	for (size_t i = 0; !r->error && i < r->nfind; i++) {
		const struct sbx_finding *fd = &r->findings[order[i]];

		if (!fd->label)
			continue;
		fputs(any ? " " : " | ", f);
		any = true;
		perf_label(f, fd->label);
		fputc('=', f);
		if (fd->has_value)
			perf_num(f, fd->value);
		else
			fputc('U', f);
		fprintf(f, "%s;%s;%s;", fd->has_value ? fd->uom : "", fd->warn, fd->crit);
		if (fd->has_min)
			perf_num(f, fd->min);
		fputc(';', f);
		if (fd->has_max)
			perf_num(f, fd->max);
	}
	fputc('\n', f);
	free(order);
}

int render_textfile(const char *dir, const struct sbx_report *r, struct sbx_err *err)
{
	char tmp[4096], dst[4096];
	struct render_opts o = { .format = FMT_PROM };
	FILE *f;
	int fd;

	snprintf(dst, sizeof(dst), "%s/srebox_%s.prom", dir, r->applet);
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/.srebox_%s.prom.XXXXXX", dir, r->applet) >=
	    sizeof(tmp)) {
		sbx_err_set(err, ENAMETOOLONG, "%s: path too long", dir);
		return -1;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		sbx_err_set(err, errno, "%s: cannot create a temporary file: %s", dir, strerror(errno));
		return -1;
	}
	f = fdopen(fd, "w");
	if (!f) {
		sbx_err_set(err, errno, "%s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	render_prom(f, r, &o);
	if (fflush(f) != 0 || ferror(f) || fchmod(fd, 0644) != 0 || fsync(fd) != 0) {
		sbx_err_set(err, errno, "%s: write failed: %s", tmp, strerror(errno));
		fclose(f);
		unlink(tmp);
		return -1;
	}
	if (fclose(f) != 0) {
		sbx_err_set(err, errno, "%s: write failed: %s", tmp, strerror(errno));
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, dst) != 0) {
		sbx_err_set(err, errno, "%s: rename failed: %s", dst, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}
