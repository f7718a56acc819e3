/* Aligned columns for people: findings worst first, then each table.
 * Unknown cells print "?" and the reasons follow the table once each. */
#include "render.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void put_folded(FILE *f, const char *s, size_t indent, int width);

static const char *state_color(enum sbx_state s)
{
	switch (s) {
	case ST_OK:
		return "\033[32m";
	case ST_WARNING:
		return "\033[33m";
	case ST_CRITICAL:
		return "\033[1;31m";
	case ST_UNKNOWN:
		return "\033[35m";
	}
	return "";
}

static void fmt_num(char *out, size_t n, double v)
{
	double a = fabs(v);

	if (a != 0 && a < 0.01)
		snprintf(out, n, "%.3g", v);
	else if (a < 10 && v != floor(v))
		snprintf(out, n, "%.2f", v);
	else if (a < 100 && v != floor(v))
		snprintf(out, n, "%.1f", v);
	else
		snprintf(out, n, "%.0f", v);
}

/* Text of one cell as the table shows it.  Strings come from the model
 * already made safe (text_clean): valid UTF-8, control characters escaped. */
static void cell_text(const struct sbx_table *t, const struct sbx_col *col,
		      const struct sbx_cell *c, struct buf *out)
{
	char tmp[64];

	buf_reset(out);
	if (c->kind == CELL_EMPTY) {
		buf_adds(out, col->none ? col->none : "-");
		return;
	}
	if (c->kind == CELL_UNKNOWN) {
		buf_adds(out, "?");
		return;
	}
	switch (col->type) {
	case CT_STR:
		buf_adds(out, c->s);
		return;
	case CT_INT:
		snprintf(tmp, sizeof(tmp), "%lld", (long long)c->i);
		break;
	case CT_COUNT:
		snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)c->u);
		break;
	case CT_RATE:
		if (c->d > 0 && c->d < 0.01) {
			snprintf(tmp, sizeof(tmp), "<0.01");
			break;
		}
		SBX_FALLTHROUGH;
	case CT_NUM:
		if (col->flags & COL_EXACT)
			snprintf(tmp, sizeof(tmp), "%.15g", c->d);
		else
			fmt_num(tmp, sizeof(tmp), c->d);
		break;
	case CT_RATIO:
		if (c->d * 100 >= 9.95 || c->d == 0)
			snprintf(tmp, sizeof(tmp), "%.0f%%", c->d * 100);
		else
			snprintf(tmp, sizeof(tmp), "%.1f%%", c->d * 100);
		break;
	case CT_BYTES:
		if (col->flags & COL_EXACT)
			snprintf(tmp, sizeof(tmp), "%.0f", c->d);
		else
			fmt_bytes(tmp, sizeof(tmp), c->d);
		break;
	case CT_SECONDS:
		fmt_duration(tmp, sizeof(tmp), c->d);
		break;
	case CT_STATE:
		snprintf(tmp, sizeof(tmp), "%s", state_name((enum sbx_state)c->i));
		break;
	case CT_BOOL:
		snprintf(tmp, sizeof(tmp), "%s", c->i ? "yes" : "no");
		break;
	case CT_LIST:
		for (size_t i = 0; i < c->list.n; i++)
			buf_addf(out, "%s%llu", i ? "," : "", (unsigned long long)c->list.v[i]);
		(void)t;
		return;
	}
	buf_adds(out, tmp);
}

static bool col_right(const struct sbx_col *col)
{
	return col->type != CT_STR && col->type != CT_STATE && col->type != CT_LIST;
}

static bool col_shown(const struct sbx_col *col, const struct render_opts *o)
{
	if (col->flags & COL_HIDE)
		return false;
	if (col->flags & COL_WIDE)
		return o->format == FMT_WIDE;
	return true;
}

/* Shown in this format and not elided to fit the terminal. */
static bool shown(const struct sbx_table *t, const struct render_opts *o, const bool *hide, size_t j)
{
	return col_shown(&t->cols[j], o) && !(hide && hide[j]);
}

/* A text column may narrow to this (or its header) before columns go. */
#define FIT_MIN_TEXT 12

static unsigned col_prio(const struct sbx_col *c)
{
	return c->prio ? c->prio : 5;
}

static bool may_elide(const struct sbx_table *t, size_t j, size_t first)
{
	const struct sbx_col *c = &t->cols[j];

	if (c->prio)
		return c->prio > 1;
	return j != first && !(c->flags & COL_LABEL);
}

static size_t row_width(const struct sbx_table *t, const struct render_opts *o, const bool *hide,
			const size_t *width)
{
	size_t total = 0, n = 0;

	for (size_t j = 0; j < t->ncols; j++)
		if (shown(t, o, hide, j)) {
			total += width[j];
			n++;
		}
	return total + (n ? 2 * (n - 1) : 0);
}

/* Fit a table into a terminal o->width wide (systemd's tables, kubectl's
 * narrow default): text columns narrow to FIT_MIN_TEXT first (their cells
 * cut with an ellipsis when printed), then columns go by priority until
 * the rest fits, and what is left over widens the narrowed ones again.
 * A column of priority 1 (never elided) is not narrowed either.
 * With `frozen` (later parts of a streamed table) the columns stay as the
 * first part chose them: a header is printed once. */
static void fit_columns(const struct sbx_table *t, const struct render_opts *o, size_t *width,
			bool *hide, bool frozen)
{
	size_t first = SIZE_MAX, *fit, need, room;

	if (o->format != FMT_TABLE || o->width <= 0)
		return;
	room = (size_t)o->width;
	fit = xcalloc(t->ncols, sizeof(size_t));
	for (size_t j = 0; j < t->ncols; j++) {
		if (!shown(t, o, hide, j))
			continue;
		if (first == SIZE_MAX)
			first = j;
		fit[j] = width[j];
		if (t->cols[j].type == CT_STR && j != first && t->cols[j].prio != 1) {
			size_t m = text_width(t->cols[j].head, strlen(t->cols[j].head));

			m = m > FIT_MIN_TEXT ? m : FIT_MIN_TEXT;
			if (m < fit[j])
				fit[j] = m;
		}
	}
	/* a first column wider than half the room (a kubelet volume's mount
	 * point) is cut to half before any column goes, so the figures stay
	 * on screen; what is left over widens it again below.  Names that fit
	 * in half (nodes, pods) are never cut. */
	if (first != SIZE_MAX && t->cols[first].type == CT_STR && fit[first] > room / 2 &&
	    row_width(t, o, hide, fit) > room) {
		size_t m = text_width(t->cols[first].head, strlen(t->cols[first].head)),
		       cap = room / 2;

		m = m > FIT_MIN_TEXT ? m : FIT_MIN_TEXT;
		cap = cap > m ? cap : m;
		if (fit[first] > cap)
			fit[first] = cap;
	}
	while (!frozen && (need = row_width(t, o, hide, fit)) > room) {
		size_t best = SIZE_MAX;

		for (size_t j = 0; j < t->ncols; j++)
			if (shown(t, o, hide, j) && may_elide(t, j, first) &&
			    (best == SIZE_MAX || col_prio(&t->cols[j]) >= col_prio(&t->cols[best])))
				best = j;
		if (best == SIZE_MAX)
			break;
		hide[best] = true;
	}
	need = row_width(t, o, hide, fit);
	/* nothing left to elide and still too wide (a 180-character mount
	 * point): the first column is cut too, rather than wrap every row */
	if (!frozen && need > room && first != SIZE_MAX && t->cols[first].type == CT_STR) {
		size_t m = text_width(t->cols[first].head, strlen(t->cols[first].head));

		m = m > FIT_MIN_TEXT ? m : FIT_MIN_TEXT;
		if (fit[first] > m)
			fit[first] = need - room < fit[first] - m ? fit[first] - (need - room) : m;
		need = row_width(t, o, hide, fit);
	}
	for (size_t j = 0, slack = need < room ? room - need : 0; j < t->ncols; j++) {
		size_t give;

		if (!shown(t, o, hide, j))
			continue;
		give = width[j] - fit[j] < slack ? width[j] - fit[j] : slack;
		width[j] = fit[j] + give;
		slack -= give;
	}
	free(fit);
}

static size_t last_shown(const struct sbx_table *t, const struct render_opts *o, const bool *hide)
{
	size_t last = 0;

	for (size_t j = 0; j < t->ncols; j++)
		if (shown(t, o, hide, j))
			last = j;
	return last;
}

/* Under a table that lost columns to the terminal's width: which. */
static void hidden_note(FILE *f, const struct sbx_table *t, const struct render_opts *o,
			const bool *hide)
{
	struct buf b = { 0 };
	size_t n = 0;

	for (size_t j = 0; hide && j < t->ncols; j++)
		if (hide[j] && col_shown(&t->cols[j], o))
			buf_addf(&b, "%s%s", n++ ? ", " : "", t->cols[j].head);
	if (n) {
		char *line = xasprintf("(%s not shown to fit %d columns; -o wide or a pipe shows %s)",
				       b.s, o->width, n == 1 ? "it" : "them");

		put_folded(f, line, 0, o->width);
		free(line);
	}
	buf_free(&b);
}

/* Print s from column `indent` (where the cursor is), folded at words
 * before column `width` (0: not folded), later lines indented the same;
 * widths count characters, not bytes. */
static void put_folded(FILE *f, const char *s, size_t indent, int width)
{
	size_t col = indent;

	if (width <= 0 || indent + 24 > (size_t)width) {
		fprintf(f, "%s\n", s);
		return;
	}
	while (*s) {
		size_t len = strcspn(s, " "), w = text_width(s, len);

		if (col > indent && col + 1 + w > (size_t)width) {
			fprintf(f, "\n%*s", (int)indent, "");
			col = indent;
		} else if (col > indent) {
			fputc(' ', f);
			col++;
		}
		fwrite(s, 1, len, f);
		col += w;
		s += len;
		while (*s == ' ')
			s++;
	}
	fputc('\n', f);
}

/* Reasons of unknown cells, each printed once under its table. */
struct whys {
	char **why;
	size_t *count;
	size_t *n;
};

/* "/proc/irq/41/smp_affinity_list: missing" and its 40 siblings are one
 * reason: path components that are numbers become N. */
static char *reason_key(const char *why)
{
	struct buf b = { 0 };

	for (const char *p = why; *p;) {
		if (*p == '/' && is_digit(p[1])) {
			const char *q = p + 1;

			while (is_digit(*q))
				q++;
			if (*q == '/') {
				buf_adds(&b, "/N");
				p = q;
				continue;
			}
		}
		buf_addc(&b, *p++);
	}
	return b.s ? b.s : xstrdup("");
}

static void note_reason(const struct whys *w, const char *raw)
{
	char *why = reason_key(raw);

	for (size_t i = 0; i < *w->n; i++)
		if (strcmp(w->why[i], why) == 0) {
			w->count[i]++;
			free(why);
			return;
		}
	if (*w->n < 8) {
		w->why[*w->n] = why;
		w->count[*w->n] = 1;
		(*w->n)++;
	} else {
		free(why);
	}
}

static void print_reasons(FILE *f, const struct whys *w, int width)
{
	for (size_t i = 0; i < *w->n; i++) {
		char *line = w->count[i] > 1 ? xasprintf("%s (%zu cells)", w->why[i], w->count[i]) :
					       xstrdup(w->why[i]);

		fputs("? = unknown: ", f);
		put_folded(f, line, 13, width);
		free(line);
		free(w->why[i]);
	}
	*w->n = 0;
}

/* Each cell's text, made once for the widths and kept for printing. */
struct texts {
	struct buf all;
	size_t *end;		/* end of cell i*ncols+j in all */
	size_t *cols;		/* its width on a terminal: characters, not bytes */
};

static const char *text_of(const struct texts *x, size_t k, size_t *len)
{
	size_t start = k ? x->end[k - 1] : 0;

	*len = x->end[k] - start;
	return x->all.s + start;
}

/* Widths of the header and of rows [0, nrows) folded into width[], their
 * texts in x; returns the index of the last shown column. */
static void fold_widths(const struct sbx_table *t, const struct render_opts *o, size_t *width,
			size_t nrows, struct buf *b, struct texts *x, const bool *hide)
{
	buf_reset(&x->all);
	x->end = xreallocarray(x->end, nrows * t->ncols + 1, sizeof(size_t));
	x->cols = xreallocarray(x->cols, nrows * t->ncols + 1, sizeof(size_t));
	for (size_t j = 0; j < t->ncols; j++) {
		size_t hw = text_width(t->cols[j].head, strlen(t->cols[j].head));

		if (shown(t, o, hide, j) && hw > width[j])
			width[j] = hw;
	}
	for (size_t i = 0; i < nrows; i++)
		for (size_t j = 0; j < t->ncols; j++) {
			size_t w = 0;

			if (shown(t, o, hide, j)) {
				cell_text(t, &t->cols[j], table_cell(t, i, j), b);
				w = text_width(b->s, b->len);
				if (w > width[j])
					width[j] = w;
				buf_add(&x->all, b->s, b->len);
			}
			x->end[i * t->ncols + j] = x->all.len;
			x->cols[i * t->ncols + j] = w;
		}
}

static void print_head(FILE *f, const struct sbx_table *t, const struct render_opts *o,
		       const size_t *width, size_t last, const bool *hide)
{
	if (o->no_headers)
		return;
	if (t->title)
		fprintf(f, "%s\n", t->title);
	for (size_t j = 0, first = 1; j < t->ncols; j++) {
		const struct sbx_col *col = &t->cols[j];

		if (!shown(t, o, hide, j))
			continue;
		fprintf(f, "%s", first ? "" : "  ");
		first = 0;
		if (j == last && !col_right(col))
			fprintf(f, "%s", col->head);
		else
			fprintf(f, col_right(col) ? "%*s" : "%-*s", (int)width[j], col->head);
	}
	fputc('\n', f);
}

static void pad(FILE *f, size_t width, size_t len)
{
	static const char spaces[] = "                                ";
	size_t n = width > len ? width - len : 0;

	while (n > 0) {
		size_t k = n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1;

		fwrite(spaces, 1, k, f);
		n -= k;
	}
}

static void print_rows(FILE *f, const struct sbx_table *t, const struct render_opts *o,
		       const size_t *width, size_t last, size_t nrows, const struct whys *w,
		       const struct texts *x, const bool *hide)
{
	for (size_t i = 0; i < nrows; i++) {
		for (size_t j = 0, first = 1; j < t->ncols; j++) {
			const struct sbx_col *col = &t->cols[j];
			const struct sbx_cell *c = table_cell(t, i, j);
			bool colored = o->color && col->type == CT_STATE && c->kind == CELL_VAL;
			const char *text;
			size_t len, cols;
			bool cut;

			if (!shown(t, o, hide, j))
				continue;
			if (c->kind == CELL_UNKNOWN)
				note_reason(w, c->why);
			text = text_of(x, i * t->ncols + j, &len);
			cols = x->cols[i * t->ncols + j];
			cut = cols > width[j];
			if (cut) {	/* narrowed to fit the terminal */
				len = text_prefix(text, len, width[j] - 1);
				cols = text_width(text, len) + 1;
			}
			if (!first)
				fputs("  ", f);
			first = 0;
			if (colored)
				fputs(state_color((enum sbx_state)c->i), f);
			/* 5,000 rows: padding by hand, not printf, per cell */
			if (col_right(col))
				pad(f, width[j], cols);
			if (len)
				fwrite(text, 1, len, f);
			if (cut)
				fputs("\u2026", f);
			if (j != last && !col_right(col))
				pad(f, width[j], cols);
			if (colored)
				fputs("\033[0m", f);
		}
		fputc('\n', f);
	}
}

static void print_table(FILE *f, const struct sbx_table *t, const struct render_opts *o)
{
	size_t nrows = t->nrows, *width = xcalloc(t->ncols, sizeof(size_t)), last;
	bool *hide = xcalloc(t->ncols, sizeof(bool));
	struct buf b = { 0 };
	char *why[8];
	size_t count[8], nwhy = 0;
	struct whys w = { why, count, &nwhy };
	struct texts x = { 0 };

	if (o->format == FMT_TABLE && t->limit && t->limit < nrows)
		nrows = t->limit;
	fold_widths(t, o, width, nrows, &b, &x, NULL);
	fit_columns(t, o, width, hide, false);
	last = last_shown(t, o, hide);
	print_head(f, t, o, width, last, hide);
	print_rows(f, t, o, width, last, nrows, &w, &x, hide);
	if (nrows < t->nrows)
		fprintf(f, "... %zu more (-o wide or -o json shows all)\n", t->nrows - nrows);
	hidden_note(f, t, o, hide);
	print_reasons(f, &w, o->width);
	free(hide);
	buf_free(&b);
	buf_free(&x.all);
	free(x.end);
	free(x.cols);
	free(width);
}

static size_t shown_cols(const struct sbx_table *t, const struct render_opts *o)
{
	size_t shown = 0;

	for (size_t j = 0; j < t->ncols; j++)
		shown += col_shown(&t->cols[j], o);
	return shown;
}

/* The end of a table rendered in parts: how many were left out, why
 * cells are unknown. */
static void table_trailer(FILE *f, struct sbx_table *t, const struct render_opts *o)
{
	struct table_stream *s = t->stream;
	struct whys w = { s->why, s->why_count, &s->nwhy };

	if (s->text_done)
		return;
	s->text_done = true;
	if (s->shown < s->flushed)
		fprintf(f, "... %zu more (-o wide or -o json shows all)\n", s->flushed - s->shown);
	hidden_note(f, t, o, s->hide);
	print_reasons(f, &w, o->width);
}

static void finding_line(FILE *f, const struct sbx_finding *fd, const struct render_opts *o, int w)
{
	if (o->color)
		fprintf(f, "%s%-*s\033[0m  ", state_color(fd->state), w, state_name(fd->state));
	else
		fprintf(f, "%-*s  ", w, state_name(fd->state));
	put_folded(f, fd->text, (size_t)w + 2, o->width);
}

/* More OK findings than this are one line on a terminal (without -v). */
#define OK_SHOWN_MAX 3

/* Findings worst first, as a pipe gets them; on a terminal (o->width)
 * what needs attention comes last, where the prompt leaves it on screen:
 * the OK findings (collapsed into one line unless -v), then the others,
 * the worst last. */
static void findings_block(FILE *f, const struct sbx_report *r, const struct render_opts *o)
{
	size_t *order = findings_by_severity(r), nok = 0;
	bool screen = o->width > 0, collapse;
	int w = 0;

	for (size_t i = 0; i < r->nfind; i++) {
		int n = (int)strlen(state_name(r->findings[i].state));

		w = n > w ? n : w;
		nok += r->findings[i].state == ST_OK;
	}
	collapse = screen && !o->verbose && nok > OK_SHOWN_MAX;
	if (collapse) {
		char *line = nok == r->nfind ? xasprintf("all %zu checks OK; -v lists them", nok) :
					       xasprintf("%zu other check%s OK; -v lists them", nok,
							 plural(nok, "s"));

		fprintf(f, "%s%-*s%s  ", o->color ? state_color(ST_OK) : "", w, "OK",
			o->color ? "\033[0m" : "");
		put_folded(f, line, (size_t)w + 2, o->width);
		free(line);
	}
	for (size_t i = 0; i < r->nfind; i++) {
		const struct sbx_finding *fd = &r->findings[order[screen ? r->nfind - 1 - i : i]];

		if (!(collapse && fd->state == ST_OK))
			finding_line(f, fd, o, w);
	}
	free(order);
}

/* The end of a table view on a terminal: the note, the findings, and the
 * summary as the last line. */
static void screen_tail(FILE *f, const struct sbx_report *r, const struct render_opts *o, bool any)
{
	if ((r->summary || r->note || r->nfind) && any)
		fputc('\n', f);
	if (r->note) {
		char *line = xasprintf("(%s)", r->note);

		put_folded(f, line, 0, o->width);
		free(line);
	}
	findings_block(f, r, o);
	if (r->summary) {
		if (r->nfind || r->note)
			fputc('\n', f);
		put_folded(f, r->summary, 0, o->width);
	}
}

void render_table_part(FILE *f, struct sbx_report *r, const struct render_opts *o, bool end)
{
	struct buf b = { 0 };
	struct texts x = { 0 };
	bool any = false;

	for (size_t i = 0; i < r->ntables; i++) {
		struct sbx_table *t = r->tables[i];
		struct table_stream *s = t->stream;
		struct whys w = { s->why, s->why_count, &s->nwhy };
		size_t nrows = t->nrows, last;

		any |= s->flushed > 0;
		if (!nrows || !shown_cols(t, o))
			continue;
		/* a later table starts: the earlier ones are complete */
		for (size_t k = 0; k < i; k++)
			if (r->tables[k]->stream->flushed)
				table_trailer(f, r->tables[k], o);
		if (o->format == FMT_TABLE && t->limit)
			nrows = s->shown >= t->limit ? 0 : t->limit - s->shown < nrows ? t->limit - s->shown : nrows;
		if (!s->width) {
			s->width = xcalloc(t->ncols, sizeof(size_t));
			s->hide = xcalloc(t->ncols, sizeof(bool));
			fold_widths(t, o, s->width, nrows, &b, &x, NULL);
			fit_columns(t, o, s->width, s->hide, false);
			last = last_shown(t, o, s->hide);
			if (any || i > 0)
				fputc('\n', f);
			print_head(f, t, o, s->width, last, s->hide);
		} else {
			fold_widths(t, o, s->width, nrows, &b, &x, s->hide);
			fit_columns(t, o, s->width, s->hide, true);
			last = last_shown(t, o, s->hide);
		}
		print_rows(f, t, o, s->width, last, nrows, &w, &x, s->hide);
		s->shown += nrows;
		any = true;
	}
	buf_free(&b);
	buf_free(&x.all);
	free(x.end);
	free(x.cols);
	if (!end)
		return;
	if (r->error) {
		fprintf(stderr, "srebox %s: %s\n", r->applet, r->error);
		return;
	}
	/* rows for a pipe, the verdict for the person: o->verdict */
	if (o->verdict && o->verdict != f) {
		fflush(f);
		f = o->verdict;
		any = false;
	}
	for (size_t i = 0; i < r->ntables; i++)
		if (r->tables[i]->stream && r->tables[i]->stream->flushed)
			table_trailer(f, r->tables[i], o);
	if (o->width > 0) {
		screen_tail(f, r, o, any);
		return;
	}
	if ((r->summary || r->note || r->nfind) && any)
		fputc('\n', f);
	if (r->summary)
		fprintf(f, "%s\n", r->summary);
	if (r->note)
		fprintf(f, "(%s)\n", r->note);
	if (r->nfind && (r->summary || r->note))
		fputc('\n', f);
	findings_block(f, r, o);
}

void render_table(FILE *f, const struct sbx_report *r, const struct render_opts *o)
{
	if (r->error) {
		/* Nothing else in the report is valid: say why, on stderr, as
		 * every other srebox error does.  Exit status 3 follows. */
		fprintf(stderr, "srebox %s: %s\n", r->applet, r->error);
		return;
	}
	if (o->width > 0) {
		bool any = false;

		for (size_t i = 0; i < r->ntables; i++) {
			if (r->tables[i]->nrows == 0 || shown_cols(r->tables[i], o) == 0)
				continue;
			if (any)
				fputc('\n', f);
			print_table(f, r->tables[i], o);
			any = true;
		}
		screen_tail(f, r, o, any);
		return;
	}
	if (r->summary)
		fprintf(f, "%s\n", r->summary);
	if (r->note)
		fprintf(f, "(%s)\n", r->note);
	if (r->nfind && (r->summary || r->note))
		fputc('\n', f);
	findings_block(f, r, o);
	for (size_t i = 0; i < r->ntables; i++) {
		if (r->tables[i]->nrows == 0 || shown_cols(r->tables[i], o) == 0)
			continue;
		if (i > 0 || r->nfind || r->summary || r->note)
			fputc('\n', f);
		print_table(f, r->tables[i], o);
	}
}

/* The ids of the checks not OK, worst first, each once, joined by sep
 * (-o name's lines, the line per interval's CHECKS). */
static void not_ok_ids(const struct sbx_report *r, const char *sep, struct buf *out)
{
	size_t *order = findings_by_severity(r), n = 0;

	for (size_t i = 0; i < r->nfind; i++) {
		const struct sbx_finding *fd = &r->findings[order[i]];
		bool seen = false;

		if (fd->state == ST_OK || !fd->check)
			continue;
		for (size_t k = 0; k < i && !seen; k++)
			seen = r->findings[order[k]].state != ST_OK && r->findings[order[k]].check &&
			       !strcmp(r->findings[order[k]].check, fd->check);
		if (!seen)
			buf_addf(out, "%s%s", n++ ? sep : "", fd->check);
	}
	free(order);
}

static const struct sbx_table *compact_table(const struct sbx_report *r)
{
	for (size_t i = 0; i < r->ntables; i++)
		if (r->tables[i]->compact && r->tables[i]->nrows >= 1)
			return r->tables[i];
	return NULL;
}

bool render_compact(FILE *f, const struct sbx_report *r, const struct render_opts *o, size_t *width,
		    bool head)
{
	const struct sbx_table *t = compact_table(r);
	size_t sw = t ? t->ncols : 0;
	struct buf b = { 0 }, checks = { 0 };
	enum sbx_state st = report_state(r);

	if (!t || r->error)
		return false;
	not_ok_ids(r, ",", &checks);
	/* widths: the header's, the first row's, and room to grow */
	for (size_t j = 0; j < t->ncols; j++) {
		size_t w = text_width(t->cols[j].head, strlen(t->cols[j].head));

		cell_text(t, &t->cols[j], table_cell(t, 0, j), &b);
		if (text_width(b.s ? b.s : "", b.len) > w)
			w = text_width(b.s ? b.s : "", b.len);
		if (w > width[j])
			width[j] = w;
	}
	if (strlen(state_name(st)) > width[sw])
		width[sw] = strlen(state_name(st)) < 8 ? 8 : strlen(state_name(st));
	if (head) {
		for (size_t j = 0; j < t->ncols; j++)
			if (col_shown(&t->cols[j], o))
				fprintf(f, col_right(&t->cols[j]) ? "%*s  " : "%-*s  ", (int)width[j],
					t->cols[j].head);
		fprintf(f, "%-*s  CHECKS\n", (int)width[sw], "STATE");
	}
	for (size_t j = 0; j < t->ncols; j++) {
		if (!col_shown(&t->cols[j], o))
			continue;
		cell_text(t, &t->cols[j], table_cell(t, 0, j), &b);
		if (col_right(&t->cols[j]))
			pad(f, width[j], text_width(b.s ? b.s : "", b.len));
		fprintf(f, "%s", b.s ? b.s : "");
		if (!col_right(&t->cols[j]))
			pad(f, width[j], text_width(b.s ? b.s : "", b.len));
		fputs("  ", f);
	}
	if (o->color)
		fprintf(f, "%s%-*s\033[0m  %s\n", state_color(st), (int)width[sw], state_name(st),
			checks.s ? checks.s : "-");
	else
		fprintf(f, "%-*s  %s\n", (int)width[sw], state_name(st), checks.s ? checks.s : "-");
	buf_free(&b);
	buf_free(&checks);
	return true;
}

/* -o name of a probe applet: what needs attention, for a script
 * (for c in $(srebox health -o name); do ...): the id of each check not
 * OK, worst first, each once.  A report that could not be read at all
 * has no checks to name: its error goes to stderr, exit 3. */
static void check_names(FILE *f, const struct sbx_report *r)
{
	struct buf b = { 0 };

	if (r->error)
		return;
	not_ok_ids(r, "\n", &b);
	if (b.len)
		fprintf(f, "%s\n", b.s);
	buf_free(&b);
}

/* For scripts and shell completion (srebox drain $(srebox nodes -o name
 * -l pool=a)): the first column of the first table, one row a line, as
 * the table shows it; a row whose name is unknown is left out. */
void render_name(FILE *f, const struct sbx_report *r, const struct render_opts *o)
{
	const struct sbx_table *t = r->ntables ? r->tables[0] : NULL;
	struct buf b = { 0 };

	if (o->probe) {
		check_names(f, r);
		return;
	}
	if (r->error || !t || !t->ncols)
		return;
	for (size_t i = 0; i < t->nrows; i++) {
		const struct sbx_cell *c = table_cell(t, i, 0);

		if (c->kind != CELL_VAL)
			continue;
		cell_text(t, &t->cols[0], c, &b);
		fprintf(f, "%s\n", b.s ? b.s : "");
	}
	buf_free(&b);
}
