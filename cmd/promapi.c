/* The Prometheus and Alertmanager client of slo, query and alerts. */
#include "promapi.h"

#include "http.h"
#include "root.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#define BODY_MAX (64u << 20)

struct prom_conn_opts prom_o = { .timeout = 10 };

const char *prom_url(void)
{
	return prom_o.url && *prom_o.url ? prom_o.url : NULL;
}

struct prom_client {
	struct http *http;
	char *base;
	char *auth_header;	/* "Authorization: Bearer ..." */
	char *user, *password;
	struct http_tls tls;
	char hostport[300];
};

static bool is_loopback(const char *hostport)
{
	return str_starts(hostport, "127.") || str_starts(hostport, "[::1]") ||
	       str_starts(hostport, "localhost") || !strcmp(hostport, "::1");
}

static void wipe(char *s)
{
	if (s)
		memset(s, 0, strlen(s));
	free(s);
}

/* A one-line secret from a file: trailing newline and blanks cut. */
static char *read_secret(const char *opt, const char *path, struct sbx_err *err)
{
	struct buf b = { 0 };
	char *s;

	if (read_file(path, &b, 64u << 10, err) < 0) {
		char m[sizeof(err->msg)];

		snprintf(m, sizeof(m), "%s", err->msg);
		sbx_err_set(err, err->errnum, "--%s: %s", opt, m);
		buf_free(&b);
		return NULL;
	}
	s = b.s ? b.s : xstrdup("");
	while (*s && (s[strlen(s) - 1] == '\n' || s[strlen(s) - 1] == '\r' || is_space(s[strlen(s) - 1])))
		s[strlen(s) - 1] = '\0';
	if (!*s || strchr(s, '\n')) {
		sbx_err_set(err, 0, "--%s %s: %s", opt, path, *s ? "more than one line" : "empty");
		wipe(s);
		return NULL;
	}
	return s;
}

struct prom_client *prom_open(const char *base, struct sbx_err *err)
{
	struct prom_client *c;
	bool https = str_starts(base, "https://");

	if (!https && !str_starts(base, "http://")) {
		sbx_err_set(err, 0, "'%s' is not an http:// or https:// URL", base);
		return NULL;
	}
	if (!(prom_o.timeout > 0)) {
		sbx_err_set(err, 0, "--timeout: give a duration above 0");
		return NULL;
	}
	if (prom_o.token_file && prom_o.basic_file) {
		sbx_err_set(err, 0, "give --bearer-token-file or --basic-auth-file, not both");
		return NULL;
	}
	c = xcalloc(1, sizeof(*c));
	c->base = xstrdup(base);
	while (str_ends(c->base, "/"))
		c->base[strlen(c->base) - 1] = '\0';
	http_url_hostport(c->base, c->hostport, sizeof(c->hostport));
	if ((prom_o.token_file || prom_o.basic_file) && !https && !is_loopback(c->hostport)) {
		sbx_err_set(err, 0, "refusing to send credentials over plain http to %s: use https://",
			    c->hostport);
		prom_close(c);
		return NULL;
	}
	if (prom_o.token_file || prom_o.basic_file)
		prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);	/* no core dump or ptrace reads them */
	if (prom_o.token_file) {
		char *tok = read_secret("bearer-token-file", prom_o.token_file, err);

		if (!tok) {
			prom_close(c);
			return NULL;
		}
		c->auth_header = xasprintf("Authorization: Bearer %s", tok);
		wipe(tok);
	}
	if (prom_o.basic_file) {
		char *up = read_secret("basic-auth-file", prom_o.basic_file, err), *colon;

		if (!up) {
			prom_close(c);
			return NULL;
		}
		colon = strchr(up, ':');
		if (!colon) {
			sbx_err_set(err, 0, "--basic-auth-file %s: not user:password", prom_o.basic_file);
			wipe(up);
			prom_close(c);
			return NULL;
		}
		*colon = '\0';
		c->user = xstrdup(up);
		c->password = xstrdup(colon + 1);
		memset(colon + 1, 0, strlen(colon + 1));
		wipe(up);
	}
	if (prom_o.ca_file && access(prom_o.ca_file, R_OK) != 0) {
		sbx_err_set(err, errno, "--ca-file %s: %s", prom_o.ca_file, strerror(errno));
		prom_close(c);
		return NULL;
	}
	c->tls.ca_file = prom_o.ca_file;
	c->tls.insecure = prom_o.insecure;
	c->http = http_new(err);
	if (!c->http) {
		prom_close(c);
		return NULL;
	}
	return c;
}

void prom_close(struct prom_client *c)
{
	if (!c)
		return;
	if (c->http)
		http_free(c->http);
	free(c->base);
	wipe(c->auth_header);
	wipe(c->user);
	wipe(c->password);
	free(c);
}

void prom_qarg(struct buf *q, const char *name, const char *value)
{
	static const char hex[] = "0123456789ABCDEF";

	if (q->len)
		buf_addc(q, '&');
	buf_adds(q, name);
	buf_addc(q, '=');
	for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || is_digit((char)*p) ||
		    *p == '-' || *p == '_' || *p == '.' || *p == '~') {
			buf_addc(q, (char)*p);
		} else {
			buf_addc(q, '%');
			buf_addc(q, hex[*p >> 4]);
			buf_addc(q, hex[*p & 15]);
		}
	}
}

struct sink {
	struct buf *b;
};

static int into(void *arg, long code, const char *ct, const char *data, size_t n)
{
	struct sink *s = arg;

	(void)code, (void)ct;
	if (s->b->len + n > BODY_MAX)
		return 1;
	buf_add(s->b, data, n);
	return 0;
}

int prom_get(struct prom_client *c, const char *path, const char *query, struct buf *body,
	     long *code, struct sbx_err *err)
{
	char *url = xasprintf("%s%s%s%s", c->base, path, query && *query ? "?" : "",
			      query ? query : "");
	const char *headers[3] = { "Accept: application/json", c->auth_header, NULL };
	struct sink s = { body };
	struct http_req rq = { .url = url, .headers = headers, .timeout = prom_o.timeout,
			       .tls = &c->tls, .username = c->user, .password = c->password,
			       .sink = into, .sink_arg = &s };
	struct http_resp rs = { 0 };
	int rc;

	buf_reset(body);
	rc = http_do(c->http, &rq, &rs, err);
	if (rc < 0 && !strcmp(err->msg, "aborted"))
		sbx_err_set(err, EFBIG, "%s: an answer larger than %u MiB", c->hostport, BODY_MAX >> 20);
	else if (rc < 0 && !strstr(err->msg, c->hostport)) {
		char m[sizeof(err->msg)];

		snprintf(m, sizeof(m), "%s", err->msg);
		sbx_err_set(err, err->errnum, "%s: %s", c->hostport, m);
	}
	*code = rs.code;
	free(url);
	return rc;
}

static void scrub_one(char *s, const char *secret)
{
	size_t n;
	char *p;

	if (!secret || (n = strlen(secret)) < 4)
		return;
	while ((p = strstr(s, secret))) {
		memcpy(p, "***", 3);
		memmove(p + 3, p + n, strlen(p + n) + 1);
	}
}

void prom_scrub(const struct prom_client *c, char *s)
{
	const char *tok = c->auth_header ? c->auth_header + strlen("Authorization: Bearer ") : NULL;

	scrub_one(s, tok);
	scrub_one(s, c->password);
}

void prom_body_line(const struct prom_client *c, const struct buf *b, char *out, size_t n)
{
	/* the whole line first, so that a secret cut at the edge is still found */
	size_t l = b->len ? strcspn(b->s, "\r\n") : 0;
	char *line = xstrndup(b->len ? b->s : "", l), *clean;

	prom_scrub(c, line);
	l = strlen(line);
	if (l > 120)
		line[utf8_boundary(line, 120)] = '\0';
	clean = text_clean(line);
	snprintf(out, n, "%s%s", *clean ? clean : "(empty body)", l > 120 ? "..." : "");
	free(line);
	free(clean);
}

bool prom_time_opt(double *at)
{
	*at = 0;
	if (!prom_o.time)
		return true;
	if (prom_time_parse(prom_o.time, at) || (parse_double(prom_o.time, at) && *at > 0))
		return true;
	warnx_("--time %s: give RFC 3339 (2026-12-01T23:00:00Z) or seconds since the epoch",
	       prom_o.time);
	return false;
}

int prom_query(struct prom_client *c, const char *promql, double at, double range, double step,
	       struct prom_result *r, struct sbx_err *err)
{
	struct buf q = { 0 }, body = { 0 };
	long code = 0;
	int rc;

	memset(r, 0, sizeof(*r));
	prom_qarg(&q, "query", promql);
	if (at > 0 && !(range > 0)) {
		char num[64];

		snprintf(num, sizeof(num), "%.3f", at);
		prom_qarg(&q, "time", num);
	}
	if (range > 0) {
		char num[64];
		double end = at > 0 ? at : now_realtime();

		snprintf(num, sizeof(num), "%.3f", end - range);
		prom_qarg(&q, "start", num);
		snprintf(num, sizeof(num), "%.3f", end);
		prom_qarg(&q, "end", num);
		snprintf(num, sizeof(num), "%.3f", step);
		prom_qarg(&q, "step", num);
	}
	{
		/* the server stops evaluating too, a little before we give up */
		char num[32];

		snprintf(num, sizeof(num), "%.0fms", prom_o.timeout * 900 < 1 ? 1 : prom_o.timeout * 900);
		prom_qarg(&q, "timeout", num);
	}
	rc = prom_get(c, range > 0 ? "/api/v1/query_range" : "/api/v1/query", q.s, &body, &code, err);
	buf_free(&q);
	if (rc < 0) {
		buf_free(&body);
		return -1;
	}
	if (prom_parse_query(body.s ? body.s : "", body.len, r, err) < 0) {
		prom_scrub(c, err->msg);
		char line[200], why[sizeof(err->msg)];

		snprintf(why, sizeof(why), "%s", err->msg);
		prom_body_line(c, &body, line, sizeof(line));
		if (code != 200)
			sbx_err_set(err, 0, "%s: HTTP %ld: %s", c->hostport, code, line);
		else
			sbx_err_set(err, 0, "%s: %s", c->hostport, why);
		buf_free(&body);
		return -1;
	}
	buf_free(&body);
	/* what the server said goes to the report as it said it, less secrets */
	if (r->error)
		prom_scrub(c, r->error);
	for (size_t i = 0; i < r->nwarnings; i++)
		prom_scrub(c, r->warnings[i]);
	return 0;
}
