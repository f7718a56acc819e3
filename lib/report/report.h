/* The result every applet builds and one renderer prints: tables of typed
 * cells (util-linux irq-common's column registry, libsmartcols' output
 * modes) and findings, each a check with a state and perfdata
 * (monitoring-plugins' mp_subcheck).  Applets never print. */
#ifndef SREBOX_REPORT_H
#define SREBOX_REPORT_H

#include "range.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>

enum sbx_ctype {
	CT_STR,			/* text */
	CT_INT,			/* signed integer, exact */
	CT_COUNT,		/* unsigned integer, exact (20-digit counters) */
	CT_NUM,			/* plain number */
	CT_RATE,		/* per second */
	CT_RATIO,		/* 0..1; tables show a percentage */
	CT_BYTES,		/* bytes; tables show KiB/MiB/... */
	CT_SECONDS,		/* seconds; tables show 3d4h */
	CT_STATE,		/* enum sbx_state */
	CT_LIST,		/* vector of counts, one per table->vec_ids */
	CT_BOOL,
};

/* Column flags */
#define COL_WIDE 0x01		/* shown by -o wide (always in json and prom) */
#define COL_LABEL 0x02		/* identifies the row: a Prometheus label */
#define COL_COUNTER 0x04	/* Prometheus counter, not gauge */
#define COL_EXACT 0x08		/* tables print the number in full (CT_BYTES, CT_NUM: 15 digits) */
#define COL_HIDE 0x10		/* json and prom only */
#define COL_MILLI 0x20		/* milliseconds, exported to Prometheus in seconds (its base unit) */

struct sbx_col {
	const char *head;	/* table header, "IRQ" */
	const char *key;	/* json key and prom label, "irq" (units in the name) */
	enum sbx_ctype type;
	unsigned flags;
	const char *metric;	/* prom family after "srebox_"; NULL: not exported */
	const char *help;	/* prom HELP */
	const char *vlabel;	/* CT_LIST: label naming each element ("cpu") */
	/* On a narrow terminal, columns go highest priority first (the
	 * rightmost of equals first): 1 is never elided, 0 (unset) is 5, and
	 * the first column and COL_LABEL ones are kept unless given one. */
	unsigned char prio;
	const char *none;	/* the table's text for an empty cell (kubectl's "<none>"); NULL: "-" */
};

enum { CELL_EMPTY, CELL_VAL, CELL_UNKNOWN };

struct sbx_cell {
	unsigned char kind;
	union {
		double d;
		int64_t i;
		uint64_t u;
		char *s;
		struct {
			uint64_t *v;
			size_t n;
		} list;
	};
	char *why;		/* CELL_UNKNOWN: the reason */
};

/* What the renderers remember of a table rendered in parts (streaming,
 * sbx_flush): its rows are freed once rendered. */
struct table_stream {
	size_t flushed;		/* rows rendered and freed so far */
	size_t shown;		/* of those, rows the table view printed */
	size_t *width;		/* table view: column widths so far; they only grow */
	bool *hide;		/* table view: columns elided to fit the terminal, fixed by the first part */
	FILE **prom;		/* prom: each metric column's samples so far */
	char *why[8];		/* table view: reasons of unknown cells, and counts */
	size_t why_count[8], nwhy;
	bool json_open, json_done, text_done;
};

struct sbx_table {
	char *name;		/* json key, e.g. "interrupts" */
	char *title;		/* shown above the table; NULL for none */
	const struct sbx_col *cols;
	size_t ncols;
	struct sbx_cell *cells;	/* nrows * ncols */
	size_t nrows, alloc;
	char **vec_ids;		/* labels for CT_LIST elements */
	size_t nvec;
	size_t limit;		/* table view shows only the first `limit` rows */
	/* The applet's one natural row (vmstat's), its first (cpu's "all"):
	 * with -i and -n other than 1, the table view prints this row alone
	 * per interval, under one header (again each screenful on a
	 * terminal), with the report's state and the checks not OK. */
	bool compact;
	/* -o json as kubectl's v1 List: the rows are "items" of this kind
	 * (apiVersion v1, metadata.name from the first column); NULL: keyed
	 * by name.  One such table per report. */
	const char *list_kind;
	struct table_stream *stream;	/* set once rendered in parts */
};

/* Who is behind a finding: a process, cgroup, pod, device, interface,
 * mount or socket, with the share of the resource it holds.  Kept as
 * fields for -o json ("who": [...]); finding_who() also appends it to the
 * finding's text, so people and scripts read the same evidence. */
struct sbx_culprit {
	char *kind;		/* "process", "cgroup", "pod", "device", "interface", "mount", "socket", "cpu" */
	char *name;		/* "cc1", "sda", "eth0" */
	long pid;		/* 0: none */
	char *cgroup, *pod;	/* NULL: unknown or none */
	bool has_value;
	double value;		/* its share: 62 (%), 1.5e6 (B/s) */
	char *unit;		/* "%", "B/s", "/s", "ms"; NULL with no value */
};

struct sbx_finding {
	char *check;		/* threshold / check id: "imbalance" */
	char *subject;		/* what it is about: "virtio3-rx"; may be NULL */
	enum sbx_state state;
	char *text;		/* "virtio3-rx: 100% of 1730/s on CPU0" */
	/* perfdata */
	char *label;		/* NULL: no perfdata */
	bool has_value;		/* false: value is "U" */
	double value;
	const char *uom;	/* "", "%", "s", "B", "c" */
	char warn[40], crit[40];
	bool has_min, has_max;
	double min, max;
	/* Prometheus: the judged value as srebox_check_<metric>, times scale */
	const char *metric, *metric_help;
	double metric_scale;
	struct sbx_culprit *who;	/* worst first */
	size_t nwho, awho;
};

struct sbx_report {
	const char *applet;
	char *summary;		/* one line for people */
	char *note;		/* "values since boot (up 3d4h)" */
	double interval;	/* seconds; 0 = snapshot since boot */
	char *error;		/* the source could not be read: nothing else is valid */
	struct sbx_table **tables;
	size_t ntables, atables;
	struct sbx_finding *findings;
	size_t nfind, afind;
	bool streaming;		/* rendered in parts: see render_part */
	bool json_open;		/* json: the object is open on the output */
	/* a replayed capture: its host and when (not owned), NULL live */
	const char *capture_host, *capture_taken;
};

struct sbx_report *report_new(const char *applet);
void report_free(struct sbx_report *r);
void report_summary(struct sbx_report *r, const char *fmt, ...) SBX_PRINTF(2, 3);
void report_note(struct sbx_report *r, const char *fmt, ...) SBX_PRINTF(2, 3);
/* The whole probe failed (unreadable or unparsable source): UNKNOWN. */
void report_fail(struct sbx_report *r, const char *fmt, ...) SBX_PRINTF(2, 3);
enum sbx_state report_state(const struct sbx_report *r);

struct sbx_table *report_table(struct sbx_report *r, const char *name, const struct sbx_col *cols,
			       size_t ncols);
void table_title(struct sbx_table *t, const char *fmt, ...) SBX_PRINTF(2, 3);
/* Adds a row of empty cells and returns its first cell. */
struct sbx_cell *table_row(struct sbx_table *t);
struct sbx_cell *table_cell(const struct sbx_table *t, size_t row, size_t col);
/* Rows rendered so far plus rows held: the table's length. */
size_t table_total_rows(const struct sbx_table *t);
/* Free the rows held (after rendering them in parts). */
void table_drop_rows(struct sbx_table *t);
void table_vec_ids(struct sbx_table *t, char **ids, size_t n);	/* copies */

void cell_str(struct sbx_cell *c, const char *s);
void cell_strf(struct sbx_cell *c, const char *fmt, ...) SBX_PRINTF(2, 3);
void cell_u64(struct sbx_cell *c, uint64_t v);
void cell_i64(struct sbx_cell *c, int64_t v);
void cell_num(struct sbx_cell *c, double v);
void cell_list(struct sbx_cell *c, const uint64_t *v, size_t n);
void cell_unknown(struct sbx_cell *c, const char *why);

struct sbx_finding *report_finding(struct sbx_report *r, enum sbx_state st, const char *check,
				   const char *subject, const char *fmt, ...) SBX_PRINTF(5, 6);
/* A finding with an empty text (one nobody will read). */
struct sbx_finding *report_finding_bare(struct sbx_report *r, enum sbx_state st, const char *check,
					const char *subject);
struct sbx_finding *report_vfinding(struct sbx_report *r, enum sbx_state st, const char *check,
				    const char *subject, const char *fmt, va_list ap) SBX_PRINTF(5, 0);
/* Attach perfdata; warn/crit may be NULL. */
void finding_perf(struct sbx_finding *f, const char *label, double value, const char *uom,
		  const struct sbx_range *warn, const struct sbx_range *crit);
void finding_perf_unknown(struct sbx_finding *f, const char *label, const char *uom);
void finding_bounds(struct sbx_finding *f, double min, double max);
/* Name one culprit (strings copied; cgroup, pod, unit may be NULL, pid 0:
 * none).  The first call appends "; who: " to the text, later ones ", ",
 * then "NAME (pid N) VALUEUNIT [pod P]" (evidence a person reads), and the
 * fields go to -o json's "who" array. */
void finding_who(struct sbx_finding *f, const char *kind, const char *name, long pid,
		 const char *cgroup, const char *pod, bool has_value, double value, const char *unit);

/* Output formats */
enum sbx_format { FMT_TABLE, FMT_WIDE, FMT_JSON, FMT_PROM, FMT_CHECK, FMT_NAME };
/* Rewrite every string of the report (summary, note, error, titles, text
 * cells and their reasons, findings and culprits) that fn returns a new
 * heap string for; NULL keeps it.  For the CLI: paths into the directory
 * a capture was unpacked in, shown as on the captured node. */
void report_rewrite(struct sbx_report *r, char *(*fn)(const char *s, void *arg), void *arg);

bool format_parse(const char *s, enum sbx_format *out);

/* Findings in the order people read them: worst first, stable otherwise. */
size_t *findings_by_severity(const struct sbx_report *r);

#endif
