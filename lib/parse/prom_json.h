/* The answers of Prometheus' HTTP API (/api/v1/query, query_range,
 * /api/v1/alerts) and Alertmanager's (/api/v2/alerts), parsed into plain
 * structs.  Pure: bytes in, struct out, total on any input (garbage, a
 * truncated body, an HTML error page, wrong types, a matrix where a vector
 * was asked for, 100 MB): a body that is not such an answer is an error
 * with the reason, never a silent empty result. */
#ifndef SREBOX_PROM_JSON_H
#define SREBOX_PROM_JSON_H

#include "util.h"

enum prom_rtype { PROM_NONE, PROM_VECTOR, PROM_MATRIX, PROM_SCALAR, PROM_STRING };

struct prom_labels {
	char **k, **v;		/* sorted by name, __name__ first */
	size_t n;
};

struct prom_series {
	struct prom_labels l;
	double *t, *v;		/* seconds since the epoch; values ("NaN", "+Inf" kept) */
	size_t n;
	char *str;		/* PROM_STRING */
};

struct prom_result {
	bool ok;		/* status "success" */
	char *error_type, *error;	/* status "error": as the server said them */
	char **warnings;
	size_t nwarnings;
	enum prom_rtype type;
	struct prom_series *s;
	size_t ns;
};

/* A query answer.  0 when the body is one (status success or error: see
 * r->ok), -1 with err when it is not. */
int prom_parse_query(const char *body, size_t n, struct prom_result *r, struct sbx_err *err);
void prom_result_free(struct prom_result *r);
const char *prom_rtype_name(enum prom_rtype t);

struct prom_alert {
	struct prom_labels l;
	char *summary;		/* annotations.summary, else description, else NULL */
	char *state;		/* Prometheus: firing, pending; Alertmanager: active, suppressed, unprocessed */
	double since;		/* activeAt / startsAt, seconds since the epoch; 0: unknown */
	char **silenced_by, **inhibited_by;	/* Alertmanager: ids */
	size_t nsilenced, ninhibited;
};

struct prom_alerts {
	struct prom_alert *a;
	size_t n;
};

/* Prometheus' {"status":"success","data":{"alerts":[...]}} (am false) or
 * Alertmanager's bare array (am true). */
int prom_parse_alerts(const char *body, size_t n, bool am, struct prom_alerts *out,
		      struct sbx_err *err);
void prom_alerts_free(struct prom_alerts *a);

/* The value of label k, or NULL. */
const char *prom_label(const struct prom_labels *l, const char *k);
/* {a="b", c="d"} (name first, outside the braces: up{job="x"}), escaped
 * as PromQL writes strings. */
void prom_labels_fmt(const struct prom_labels *l, bool with_name, struct buf *out);

/* RFC 3339 ("2026-12-01T23:40:12.5Z", "+02:00" offsets) into seconds since
 * the epoch; false when it is not one. */
bool prom_time_parse(const char *s, double *out);

#endif
