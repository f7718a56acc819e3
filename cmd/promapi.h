/* What slo, query and alerts share: the options that reach a Prometheus
 * or Alertmanager server (promtool's and amtool's: a URL, a timeout, a
 * bearer token or basic credentials from a file, CA or insecure) and the
 * requests, over lib/net's libcurl (loaded with dlopen, as the Kubernetes
 * applets load it).  Credentials are read from files only, never taken
 * on the command line (ps shows it), never printed, and never sent over
 * plain http to anything but loopback. */
#ifndef SREBOX_PROMAPI_H
#define SREBOX_PROMAPI_H

#include "applet.h"
#include "prom_json.h"

struct prom_conn_opts {
	const char *url;
	const char *time;	/* --time: evaluate at (RFC 3339 or seconds since the epoch) */
	double timeout;
	const char *token_file, *basic_file, *ca_file;
	bool insecure;
};
extern struct prom_conn_opts prom_o;

#define PROM_CONN_OPTS                                                                             \
	{ 0, "timeout", OPT_SECONDS, &prom_o.timeout, "SECONDS",                                   \
	  "give up on the server after SECONDS (default 10; 500ms, 1m)", NULL, NULL },             \
	{ 0, "bearer-token-file", OPT_STRING, &prom_o.token_file, "FILE",                          \
	  "send the token in FILE as Authorization: Bearer (never printed)", "files", NULL },      \
	{ 0, "basic-auth-file", OPT_STRING, &prom_o.basic_file, "FILE",                            \
	  "HTTP basic authentication from FILE, one line user:password (never printed)", "files",  \
	  NULL },                                                                                  \
	{ 0, "ca-file", OPT_STRING, &prom_o.ca_file, "FILE",                                       \
	  "verify the server's certificate with the CAs in FILE (PEM)", "files", NULL },           \
	{ 0, "insecure", OPT_FLAG, &prom_o.insecure, NULL,                                         \
	  "do not verify the server's certificate (insecure_skip_verify)", NULL, NULL }

#define PROM_OPTS                                                                                  \
	{ 0, "prometheus", OPT_STRING, &prom_o.url, "URL",                                         \
	  "observe the SLI in this Prometheus (http://127.0.0.1:9090)", NULL, NULL },              \
	PROM_TIME_OPT, PROM_CONN_OPTS

#define PROM_TIME_OPT                                                                              \
	{ 0, "time", OPT_STRING, &prom_o.time, "TIME",                                             \
	  "evaluate at TIME, RFC 3339 or seconds since the epoch (default: now)", NULL, NULL }

/* --time as seconds since the epoch (0: now); false after saying why. */
bool prom_time_opt(double *at);

#define PROM_URL_OPT(what)                                                                         \
	{ 0, "url", OPT_STRING, &prom_o.url, "URL",                                                \
	  "the " what " to ask (default $PROMETHEUS_URL, else http://127.0.0.1:9090)", NULL, NULL }

const char *prom_url(void);

struct prom_client;

/* A client for base (the server's URL); NULL with err when the options are
 * wrong (a credentials file unreadable, credentials over plain http to
 * another host, no libcurl).  Reports err as bad input: exit 3. */
struct prom_client *prom_open(const char *base, struct sbx_err *err);
void prom_close(struct prom_client *c);

/* GET base + path + "?" + query; the body and the status.  -1 with err
 * when no answer came (refused, timed out: the server named). */
int prom_get(struct prom_client *c, const char *path, const char *query, struct buf *body,
	     long *code, struct sbx_err *err);

/* The first line of a body that is not the API's JSON, cleaned and with
 * the client's credentials replaced by *** (a server may echo them). */
void prom_body_line(const struct prom_client *c, const struct buf *b, char *out, size_t n);
/* Replace the client's credentials in s (NUL-terminated, in place) by ***. */
void prom_scrub(const struct prom_client *c, char *s);

/* Add "&name=value" (percent-encoded) to q. */
void prom_qarg(struct buf *q, const char *name, const char *value);

/* An instant query at `at` (0: the server's now) or a range query
 * (at - range .. at by step).  0 with r filled when the server answered
 * as the API does (r->ok false: its error, as it said it); -1 with err
 * when it did not (unreachable, HTTP 500 with a page, garbage). */
int prom_query(struct prom_client *c, const char *promql, double at, double range, double step,
	       struct prom_result *r, struct sbx_err *err);

/* slo's rules (slo_rules.c) and Prometheus (slo.c) parts. */
int slo_rules_main(struct sbx_ctx *ctx, double period_days);
int slo_prometheus(struct sbx_ctx *ctx, struct sbx_report *rep, double target, const char *window,
		   const char *good_q, const char *total_q, double *sli, double *burn1h, char *how,
		   size_t hown);

#endif
