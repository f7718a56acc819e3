/* One renderer per output format, and the table that picks it: the report
 * model (lib/report) knows nothing of them.  Each renderer reads a report
 * and writes one format; render() and render_part()/render_end() only look
 * the format up in renderers[]. */
#ifndef SREBOX_RENDER_H
#define SREBOX_RENDER_H

#include "report.h"

#include <jansson.h>

struct render_opts {
	enum sbx_format format;
	bool color;
	bool last;		/* the final report of a run (json streams) */
	bool prom_too;		/* streaming: also keep Prometheus samples (--textfile) */
	bool no_headers;	/* table rows alone (kubectl's --no-headers) */
	FILE *verdict;		/* the summary, findings and legends in parts; NULL: f */
	/* The table view on a terminal (0: a pipe, full rows): columns are
	 * elided by priority and long cells cut with an ellipsis to fit
	 * `width` columns, findings are folded at words, and the view ends
	 * with what needs attention, OK findings collapsed into one line
	 * unless `verbose`. */
	int width;
	bool verbose;
	bool probe;		/* -o name: the ids of the checks not OK, not the first column */
};
void render(FILE *f, const struct sbx_report *r, const struct render_opts *o);

/* Rendering in parts, for lists too long to hold (a 5000-node cluster):
 * render_part() renders the rows the tables hold now in o->format and
 * frees them; render_end() renders the rest once the report is complete.
 * The table view prints each table's header once, columns aligned per part
 * with widths that only grow (kubectl's tabwriter does the same), then the
 * summary and findings after the tables; json streams each table as an
 * array, one row per line, the state and findings last; prom keeps each
 * family's samples in a temporary file so that families stay contiguous;
 * check needs only the findings. */
void render_part(FILE *f, struct sbx_report *r, const struct render_opts *o);
void render_end(FILE *f, struct sbx_report *r, const struct render_opts *o);
/* Row i of t as one JSON object on a line, as -o json renders it (a
 * List's item when t->list_kind): for streams of objects (nodes -w). */
void render_json_row(FILE *f, const struct sbx_table *t, size_t i);

/* Part renderers of each format (render_part dispatches). */
void render_table_part(FILE *f, struct sbx_report *r, const struct render_opts *o, bool end);
void render_json_part(FILE *f, struct sbx_report *r, const struct render_opts *o, bool end);
void render_prom_part(struct sbx_report *r);
void render_table(FILE *f, const struct sbx_report *r, const struct render_opts *o);
void render_json(FILE *f, const struct sbx_report *r, const struct render_opts *o);
/* render_json's object as a tree (the caller owns it), for a reader in
 * the same process.  picks (NULL: every table, whole, and the findings)
 * name the tables to keep; one with a sort column and a limit keeps only
 * its first `limit` rows by that column, most first (unknown last, ties in
 * table order).  With picks, "findings" is empty unless one pick is
 * JSON_PICK_FINDINGS. */
struct json_pick {
	const char *table, *sort;
	size_t limit;		/* 0: every row */
	const char *const *keys;	/* only these columns (or finding keys); NULL: all */
	size_t nkeys;
};
#define JSON_PICK_FINDINGS "findings"
json_t *report_to_json(const struct sbx_report *r, const struct json_pick *picks, size_t npick);
void render_prom(FILE *f, const struct sbx_report *r, const struct render_opts *o);
void render_check(FILE *f, const struct sbx_report *r, const struct render_opts *o);
/* One line per interval, vmstat's way: the report's compact table's
 * row, its state and the checks not OK; the header first when `head`.
 * width[] (one per column and two more) holds the widths so far, which
 * only grow.  False when the report has no compact row to print. */
bool render_compact(FILE *f, const struct sbx_report *r, const struct render_opts *o, size_t *width,
		    bool head);
/* -o name: the first column of the first table, a row per line; for a
 * probe applet (o->probe) the ids of the checks that are not OK. */
void render_name(FILE *f, const struct sbx_report *r, const struct render_opts *o);

/* Write prom output to DIR/srebox_<applet>.prom atomically: a temporary
 * file in DIR, fsync, rename (what node_exporter's textfile collector needs). */
int render_textfile(const char *dir, const struct sbx_report *r, struct sbx_err *err);


#endif
