#include "k8s.h"

#include "http.h"
#include "json_proj.h"
#include "k8s_exec.h"
#include "k8s_obj.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#define JSON_MAX (256u << 20)	/* a page after projection */
#define ERR_BODY_MAX (64u << 10)
#define RAW_DEFAULT_MAX (16u << 20)

struct k8s {
	struct k8s_config cfg;
	struct http *http;
	double timeout;
	double exec_timeout;	/* the exec credential plugin's deadline */
	bool https;
	bool creds_withheld;	/* http: credentials deliberately not sent */
	struct k8s_cred exec;	/* from the exec plugin */
	bool have_exec;
	struct http_tls tls;
	char ua[64];
	double server_date, local_at_date;	/* the last Date header, and when */
};

double k8s_now(const struct k8s *k)
{
	/* SREBOX_TEST_NOW: the golden outputs' fixed clock, so that ages and
	 * heartbeats of a fixture cluster do not grow daily */
	if (getenv("SREBOX_TEST_NOW") || !k || !k->server_date)
		return now_for_ages();
	return k->server_date + (now_monotonic() - k->local_at_date);
}

const struct k8s_config *k8s_cfg(const struct k8s *k)
{
	return &k->cfg;
}

double k8s_timeout(const struct k8s *k)
{
	return k->timeout;
}

/* Any run of SCRUB_MIN or more characters of s that also occurs in the
 * secret is replaced by "***": a server that echoes the Authorization
 * header into an error, which srebox then truncates, shows only part of
 * the token, and that part must go too.  Sixteen characters of a random
 * token are 96 bits of it; shorter runs are left alone, or a message
 * would lose every word it shares with a password or a token's name
 * ("srebox-test-" in a token and in a certificate's name).  A secret
 * shorter than that is scrubbed whole, as before.  O(|s| * |secret|):
 * messages are short. */
#define SCRUB_MIN 16

static size_t common_run(const char *a, const char *b)
{
	size_t n = 0;

	while (a[n] && b[n] && a[n] == b[n])
		n++;
	return n;
}

static void scrub_one(char *s, const char *secret)
{
	size_t sn, min;
	char *p;

	if (!secret || (sn = strlen(secret)) < 4)
		return;
	min = sn < SCRUB_MIN ? sn : SCRUB_MIN;
	for (p = s; *p; p++) {
		size_t best = 0;

		for (const char *q = secret; *q && best < sn; q++) {
			size_t r = common_run(p, q);

			if (r > best)
				best = r;
		}
		if (best >= min) {
			memcpy(p, "***", best < 3 ? best : 3);
			if (best > 3)
				memmove(p + 3, p + best, strlen(p + best) + 1);
			p += 2;
		}
	}
}

void k8s_scrub(const struct k8s *k, char *s)
{
	scrub_one(s, k->cfg.token);
	scrub_one(s, k->cfg.password);
	scrub_one(s, k->exec.token);
}

struct k8s *k8s_open(const struct sbx_kube_opts *o, struct sbx_err *err)
{
	struct k8s *k = xcalloc(1, sizeof(*k));

	/* From here on the process holds tokens and keys: no core dump, and
	 * no ptrace or /proc/PID/mem by the same user, may read them. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (k8s_config_load(o, &k->cfg, err) < 0) {
		free(k);
		return NULL;
	}
	if (str_starts(k->cfg.server, "https://")) {
		k->https = true;
	} else if (!str_starts(k->cfg.server, "http://")) {
		sbx_err_set(err, 0, "server %s (%s) is not an http:// or https:// URL", k->cfg.server,
			    k->cfg.source);
		k8s_close(k);
		return NULL;
	}
	/* libcurl opens these itself, blocking: a FIFO or device in their
	 * place would hang it before any deadline applies */
	{
		const char *files[] = { k->cfg.ca_file, k->cfg.cert_file, k->cfg.key_file };
		const char *what[] = { "certificate-authority", "client-certificate",
				       "client-key" };
		struct stat st;

		for (size_t i = 0; i < ARRAY_SIZE(files); i++)
			if (files[i] && stat(files[i], &st) == 0 &&
			    (!S_ISREG(st.st_mode) || st.st_size > (1 << 20))) {
				sbx_err_set(err, EINVAL, "%s %s (%s) is %s", what[i], files[i],
					    k->cfg.source,
					    S_ISREG(st.st_mode) ? "over 1 MiB: not a certificate"
								: "not a regular file");
				k8s_close(k);
				return NULL;
			}
	}
	k->creds_withheld = !k->https && (k->cfg.token || k->cfg.username || k->cfg.exec ||
					  k->cfg.cert_file || k->cfg.cert_pem.len);
	k->timeout = o->request_timeout > 0 ? o->request_timeout : K8S_DEFAULT_TIMEOUT;
	/* A cloud's plugin may fetch a token over the network: 30 s unless
	 * --request-timeout says otherwise, and then that, at least 1 s. */
	k->exec_timeout = o->request_timeout > 0 ? (o->request_timeout < 1 ? 1 : o->request_timeout)
						 : K8S_EXEC_DEFAULT_TIMEOUT;
	k->http = http_new(err);
	if (!k->http) {
		k8s_close(k);
		return NULL;
	}
	k->tls = (struct http_tls){
		.ca_file = k->cfg.ca_file,
		.ca_pem = &k->cfg.ca_pem,
		.insecure = k->cfg.insecure,
		.server_name = k->cfg.tls_server_name,
	};
	if (k->https) {
		k->tls.cert_file = k->cfg.cert_file;
		k->tls.key_file = k->cfg.key_file;
		k->tls.cert_pem = &k->cfg.cert_pem;
		k->tls.key_pem = &k->cfg.key_pem;
	}
	snprintf(k->ua, sizeof(k->ua), "User-Agent: srebox/%s", SREBOX_VERSION);
	return k;
}

void k8s_close(struct k8s *k)
{
	if (!k)
		return;
	http_free(k->http);
	k8s_cred_free(&k->exec);
	if (k->cfg.token)
		memset(k->cfg.token, 0, strlen(k->cfg.token));
	if (k->cfg.password)
		memset(k->cfg.password, 0, strlen(k->cfg.password));
	k8s_config_free(&k->cfg);
	free(k);
}

/* Run the exec plugin when there is no credential yet or it expired. */
static int exec_refresh(struct k8s *k, bool force, struct sbx_err *err)
{
	if (!k->cfg.exec || !k->https)
		return 0;
	if (k->have_exec && !force && (k->exec.expiry == 0 || k->exec.expiry > now_realtime()))
		return 0;
	k8s_cred_free(&k->exec);
	k->have_exec = false;
	if (k8s_exec_run(&k->cfg, k->exec_timeout, &k->exec, err) < 0)
		return -1;
	k->have_exec = true;
	if (k->exec.cert_pem.len) {
		k->tls.cert_file = k->tls.key_file = NULL;
		k->tls.cert_pem = &k->exec.cert_pem;
		k->tls.key_pem = &k->exec.key_pem;
	}
	return 0;
}

void k8s_status_decode(const char *body, size_t n, long code, struct k8s_status *st)
{
	json_t *j = body && n ? json_loadb(body, n, 0, NULL) : NULL;

	memset(st, 0, sizeof(*st));
	st->code = code;
	if (j && !strcmp(k8s_str(j, "kind", ""), "Status")) {
		snprintf(st->reason, sizeof(st->reason), "%s", k8s_str(j, "reason", ""));
		snprintf(st->message, sizeof(st->message), "%s", k8s_str(j, "message", ""));
		if (json_integer_value(json_object_get(j, "code")))
			st->code = (long)json_integer_value(json_object_get(j, "code"));
	} else if (body && n) {
		/* Not a Status: the first line, printable, short. */
		size_t k = 0;

		for (size_t i = 0; i < n && k < 160 && body[i] != '\n'; i++)
			st->message[k++] = (unsigned char)body[i] < 0x20 || body[i] == 0x7f ? '?'
											     : body[i];
		st->message[k] = '\0';
	}
	json_decref(j);
}

static const char *http_reason(long code)
{
	switch (code) {
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 410: return "Gone";
	case 422: return "Unprocessable Entity";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	}
	return "error";
}

static void who(const struct k8s *k, struct buf *b)
{
	const struct k8s_config *c = &k->cfg;

	if (k->creds_withheld)
		buf_addf(b, "credentials are never sent over plain http (%s)", c->server);
	else if (c->exec)
		buf_addf(b, "credentials from the exec plugin %s of user \"%s\"", c->exec->argv[0],
			 c->user_name);
	else if (c->token_source)
		buf_addf(b, "credentials: %s", c->token_source);
	else if (c->username)
		buf_addf(b, "credentials: basic auth of user \"%s\"", c->user_name);
	else if (c->cert_file || c->cert_pem.len)
		buf_addf(b, "credentials: the client certificate of user \"%s\"", c->user_name);
	else
		buf_addf(b, "no credentials%s%s", c->note ? ": " : "", c->note ? c->note : "");
}

static void api_error(const struct k8s *k, const struct k8s_resp *rs, struct sbx_err *err)
{
	const struct k8s_status *st = &rs->status;
	struct buf b = { 0 };

	if (rs->code == 401) {
		buf_addf(&b, "401 Unauthorized: %s rejected the credentials (", k->cfg.server);
		who(k, &b);
		buf_adds(&b, ")");
	} else if (rs->code == 404 || rs->code == 409 || rs->code == 422 || rs->code == 429 ||
		   rs->code == 410) {
		buf_adds(&b, *st->message ? st->message : http_reason(rs->code));
		if (!*st->message)
			buf_addf(&b, " (HTTP %ld)", rs->code);
	} else {
		buf_addf(&b, "%ld %s", rs->code, http_reason(rs->code));
		if (*st->message)
			buf_addf(&b, ": %s", st->message);
		if (rs->code == 403) {
			buf_adds(&b, " (");
			who(k, &b);
			buf_adds(&b, ")");
		}
	}
	sbx_err_set(err, rs->code == 404 ? ENOENT : 0, "%s", b.s);
	buf_free(&b);
}

struct sink {
	struct k8s *k;
	struct http_resp *hr;
	const struct k8s_req *rq;
	struct k8s_resp *rs;
	struct jproj proj;
	bool proj_on, started, json;
	struct buf body;	/* projected JSON */
	size_t max_raw;
	size_t fed;		/* bytes of the answer so far, decompressed */
	const char *why;	/* set when the sink gave up */
	bool lines;		/* a 2xx stream of lines (rq->line) */
};

static bool is_json_type(const char *ct)
{
	return str_starts(ct, "application/json");
}

/* A stream's lines to rq->line as they complete; the partial one is kept
 * (at most K8S_MAX_LINE bytes), so memory does not grow with the stream. */
static int feed_lines(struct sink *s, const char *data, size_t n)
{
	while (n) {
		const char *nl = memchr(data, '\n', n);
		size_t take = nl ? (size_t)(nl - data) : n;

		if (s->body.len + take > K8S_MAX_LINE) {
			s->why = "line too long";
			return -1;
		}
		buf_add(&s->body, data, take);
		if (!nl)
			return 0;
		if (s->rq->line(s->rq->line_arg, s->body.s ? s->body.s : "", s->body.len) != 0) {
			s->why = "stopped";
			return -1;
		}
		buf_reset(&s->body);
		data = nl + 1;
		n -= take + 1;
	}
	return 0;
}

static int on_data(void *arg, long code, const char *ct, const char *data, size_t n)
{
	struct sink *s = arg;

	if (!s->started) {
		s->started = true;
		/* the server's clock, for what is computed while the body arrives */
		if (s->hr->date) {
			s->k->server_date = s->hr->date;
			s->k->local_at_date = now_monotonic();
		}
		s->json = code >= 200 && code < 300 && !s->rq->raw && !s->rq->line &&
			  is_json_type(ct);
		s->lines = code >= 200 && code < 300 && s->rq->line;
		if (s->json) {
			jproj_init(&s->proj, s->rq->drop, &s->body, JSON_MAX);
			if (s->rq->capture) {
				jproj_capture(&s->proj, s->rq->capture, s->rq->capture_arg);
				s->proj.max_out = K8S_MAX_SCALAR;	/* the value being read */
			}
			s->proj_on = true;
		}
	}
	if (s->lines)
		return feed_lines(s, data, n);
	s->fed += n;
	if (s->fed > K8S_MAX_BODY) {
		s->why = "too large decompressed";
		return -1;
	}
	if (s->json) {
		if (jproj_feed(&s->proj, data, n) < 0) {
			s->why = s->proj.error;
			return -1;
		}
		return 0;
	}
	if (s->rs->raw.len + n > s->max_raw) {
		/* keep what fits: an error body's start says enough */
		if (code >= 200 && code < 300) {
			s->why = "too large";
			return -1;
		}
		n = s->max_raw - s->rs->raw.len;
	}
	buf_add(&s->rs->raw, data, n);
	return 0;
}

static void resp_reset(struct k8s_resp *rs)
{
	json_decref(rs->json);
	buf_free(&rs->raw);
	memset(rs, 0, sizeof(*rs));
	rs->retry_after = -1;
}

void k8s_resp_free(struct k8s_resp *rs)
{
	resp_reset(rs);
}

static int once(struct k8s *k, const struct k8s_req *rq, struct k8s_resp *rs, struct sbx_err *err)
{
	const char *hdrs[16];
	char *accept, *ctype = NULL, *auth = NULL, *imp[9] = { 0 };
	size_t nimp = 0;
	struct buf url = { 0 };
	struct http_resp hr;
	struct sink s = { .k = k, .hr = &hr, .rq = rq, .rs = rs };
	struct http_req hq = { 0 };
	size_t nh = 0;
	int rc;

	s.max_raw = rq->raw ? (rq->max_raw ? rq->max_raw : RAW_DEFAULT_MAX) : ERR_BODY_MAX;
	buf_addf(&url, "%s%s%s%s", k->cfg.server, rq->path, rq->query && *rq->query ? "?" : "",
		 rq->query && *rq->query ? rq->query : "");
	accept = xasprintf("Accept: %s", rq->accept ? rq->accept : rq->raw ? "*/*" : "application/json");
	hdrs[nh++] = accept;
	hdrs[nh++] = k->ua;
	if (rq->content_type) {
		ctype = xasprintf("Content-Type: %s", rq->content_type);
		hdrs[nh++] = ctype;
	}
	if (k->https) {
		const char *tok = k->have_exec && k->exec.token ? k->exec.token : k->cfg.token;

		if (tok && *tok) {
			auth = xasprintf("Authorization: Bearer %s", tok);
			hdrs[nh++] = auth;
		}
		if (k->cfg.as_user) {
			imp[nimp] = xasprintf("Impersonate-User: %s", k->cfg.as_user);
			hdrs[nh++] = imp[nimp++];
		}
		for (char **g = k->cfg.as_groups; g && *g && nimp < ARRAY_SIZE(imp); g++) {
			imp[nimp] = xasprintf("Impersonate-Group: %s", *g);
			hdrs[nh++] = imp[nimp++];
		}
	}
	hdrs[nh] = NULL;
	hq = (struct http_req){
		.method = rq->method,
		.url = url.s,
		.headers = hdrs,
		.body = rq->body,
		.body_len = rq->body_len,
		.timeout = rq->timeout > 0 ? rq->timeout : k->timeout,
		.proxy = k->cfg.proxy_url,
		.tls = &k->tls,
		.username = k->https && !(k->have_exec && k->exec.token) && !k->cfg.token ? k->cfg.username
											  : NULL,
		.password = k->cfg.password,
		.sink = on_data,
		.sink_arg = &s,
		.connect_timeout = rq->connect_timeout,
		.stop = rq->stop,
	};
	rc = http_do(k->http, &hq, &hr, err);
	rs->code = hr.code;
	rs->retry_after = hr.retry_after;
	rs->date = hr.date;
	if (hr.date) {
		k->server_date = hr.date;
		k->local_at_date = now_monotonic();
	}
	snprintf(rs->content_type, sizeof(rs->content_type), "%s", hr.content_type);
	if (rc < 0 && s.why) {
		char hp[300];

		http_url_hostport(url.s, hp, sizeof(hp));
		if (!strcmp(s.why, "stopped"))
			sbx_err_set(err, 0, "stopped");
		else if (!strcmp(s.why, "line too long"))
			sbx_err_set(err, EFBIG, "a line of the stream %s from %s is longer than %u "
				    "MiB: refused", rq->path, hp, K8S_MAX_LINE >> 20);
		else if (!strcmp(s.why, "too large"))
			sbx_err_set(err, EFBIG, "the answer of %s to %s is too large", hp, rq->path);
		else if (!strcmp(s.why, "too large decompressed"))
			sbx_err_set(err, EFBIG, "the answer of %s to %s is larger than %zu MiB "
				    "(after gzip): refused, so that memory and time stay bounded",
				    hp, rq->path, K8S_MAX_BODY >> 20);
		else
			sbx_err_set(err, 0, "%s answered %s with something that is not JSON: %s "
				    "(content-type %s)", hp, rq->path, s.why,
				    *hr.content_type ? hr.content_type : "none");
	}
	if (rc == 0 && hr.code >= 200 && hr.code < 300 && rq->line) {
		/* the stream's last line, without its newline */
		if (s.body.len && rq->line(rq->line_arg, s.body.s, s.body.len) != 0)
			sbx_err_set(err, 0, "stopped"), rc = -1;
	} else if (rc == 0 && hr.code >= 200 && hr.code < 300) {
		if (!s.started) {
			/* no body at all */
			if (!rq->raw && rq->method && strcmp(rq->method, "GET"))
				rs->json = json_object();
			else if (!rq->raw) {
				sbx_err_set(err, 0, "%s answered %s with an empty body", k->cfg.server,
					    rq->path);
				rc = -1;
			}
		} else if (!rq->raw && !s.json) {
			char hp[300];

			http_url_hostport(url.s, hp, sizeof(hp));
			k8s_status_decode(rs->raw.s, rs->raw.len, hr.code, &rs->status);
			sbx_err_set(err, 0, "%s answered %s with %s, not JSON: %s", hp, rq->path,
				    *hr.content_type ? hr.content_type : "no content type",
				    rs->status.message);
			rc = -1;
		} else if (s.json) {
			json_error_t je;

			if (jproj_finish(&s.proj) < 0) {
				sbx_err_set(err, 0, "the answer to %s is not valid JSON: %s", rq->path,
					    s.proj.error);
				rc = -1;
			} else if (rq->capture) {
				/* handed over as it came */
			} else if (!(rs->json = json_loadb(s.body.s, s.body.len, 0, &je))) {
				sbx_err_set(err, 0, "the answer to %s is not valid JSON: %s at byte %d",
					    rq->path, je.text, je.position);
				rc = -1;
			}
		}
	} else if (rc == 0) {
		k8s_status_decode(rs->raw.s, rs->raw.len, hr.code, &rs->status);
		api_error(k, rs, err);
		rc = -1;
	}
	if (s.proj_on)
		jproj_free(&s.proj);
	buf_free(&s.body);
	if (auth) {
		memset(auth, 0, strlen(auth));
		free(auth);
	}
	for (size_t i = 0; i < nimp; i++)
		free(imp[i]);
	free(accept);
	free(ctype);
	buf_free(&url);
	if (rc < 0)
		k8s_scrub(k, err->msg);
	/* the API's own message reaches the user too (drain shows a budget's refusal) */
	k8s_scrub(k, rs->status.message);
	return rc;
}

int k8s_request(struct k8s *k, const struct k8s_req *rq, struct k8s_resp *rs, struct sbx_err *err)
{
	int rc;

	memset(rs, 0, sizeof(*rs));
	rs->retry_after = -1;
	if (exec_refresh(k, false, err) < 0)
		return -1;
	rc = once(k, rq, rs, err);
	/* client-go runs the plugin again after a 401 (exec.go l.338-405) */
	if (rc < 0 && rs->code == 401 && k->have_exec) {
		resp_reset(rs);
		if (exec_refresh(k, true, err) < 0)
			return -1;
		rc = once(k, rq, rs, err);
	}
	return rc;
}

json_t *k8s_get(struct k8s *k, const char *path, const char *query, const char *const *drop,
		long *code, struct sbx_err *err)
{
	struct k8s_req rq = { .path = path, .query = query, .drop = drop };
	struct k8s_resp rs;
	json_t *j = NULL;

	if (k8s_request(k, &rq, &rs, err) == 0) {
		j = rs.json;
		rs.json = NULL;
	}
	if (code)
		*code = rs.code;
	k8s_resp_free(&rs);
	return j;
}

static bool unreserved(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

static void escape(struct buf *b, const char *s, bool query)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (unreserved(c) || (!query && (c == ':' || c == '@')))
			buf_addc(b, (char)c);
		else
			buf_addf(b, "%%%02X", c);
	}
}

void k8s_query_add(struct buf *q, const char *key, const char *value)
{
	if (q->len)
		buf_addc(q, '&');
	escape(q, key, true);
	buf_addc(q, '=');
	escape(q, value, true);
}

void k8s_path_add(struct buf *p, const char *segment)
{
	buf_addc(p, '/');
	escape(p, segment, false);
}

/* --- lists --------------------------------------------------------------- */

void k8s_list_init(struct k8s_list *l, struct k8s *k, const char *path, const char *query,
		   enum k8s_list_kind kind, const char *const *drop)
{
	memset(l, 0, sizeof(*l));
	l->k = k;
	l->path = xstrdup(path);
	l->query = xstrdup(query ? query : "");
	l->kind = kind;
	l->drop = drop;
	l->limit = K8S_CHUNK;
	l->max_pages = K8S_MAX_PAGES;
	l->started = now_monotonic();
}

/* The page read gave continue token tok ("" or NULL: the last page).  A
 * server that repeats a token, or never stops giving new ones, would keep
 * srebox asking for ever: both are errors. */
static int next_token(struct k8s_list *l, const char *tok, struct sbx_err *err)
{
	double limit = K8S_LIST_TIMEOUTS * (l->k ? l->k->timeout : K8S_DEFAULT_TIMEOUT);

	if (limit < K8S_LIST_MIN_SECONDS)
		limit = K8S_LIST_MIN_SECONDS;
	l->pages++;
	if (tok && *tok && now_monotonic() - l->started > limit) {
		sbx_err_set(err, ETIMEDOUT, "the list %s is not complete after %gs (%zu page%s of "
			    "%u): refused (a server that never ends its list?)", l->path, limit,
			    l->pages, plural(l->pages, "s"), l->limit);
		return -1;
	}
	if (tok && *tok && l->cont && !strcmp(tok, l->cont)) {
		sbx_err_set(err, 0, "the server gave the same continue token for %s twice, after "
			    "%zu pages: not a list that ends", l->path, l->pages);
		return -1;
	}
	if (tok && *tok && l->pages >= l->max_pages) {
		sbx_err_set(err, 0, "the list %s goes on past %zu pages of %u: refused (a "
			    "server that never ends its list?)", l->path, l->pages, l->limit);
		return -1;
	}
	free(l->cont);
	l->cont = tok && *tok ? xstrdup(tok) : NULL;
	l->done = !l->cont;
	return 0;
}

void k8s_list_free(struct k8s_list *l)
{
	json_decref(l->page);
	free(l->path);
	free(l->query);
	free(l->cont);
	free(l->paths);
	buf_free(&l->cont_buf);
	memset(l, 0, sizeof(*l));
}

/* The list's own paths follow the caller's. */
enum { LP_CONTINUE, LP_KIND, LP_RV, LP_N };

static void list_value(void *arg, unsigned path, const struct jproj *p, const char *s, size_t n,
		       char type)
{
	struct k8s_list *l = arg;

	if (path < l->npaths) {
		l->capture(l->capture_arg, path, p, s, n, type);
		return;
	}
	if (path == l->npaths + LP_CONTINUE && type == 's') {
		buf_reset(&l->cont_buf);
		jproj_unescape(s, n, &l->cont_buf);
	}
	if (path == l->npaths + LP_RV && type == 's')
		snprintf(l->rv, sizeof(l->rv), "%.*s", (int)n, s);
	if (path == l->npaths + LP_KIND && type == 's')
		snprintf(l->kind_seen, sizeof(l->kind_seen), "%.*s", (int)n, s);
}

void k8s_list_capture(struct k8s_list *l, jproj_value_cb cb, void *arg)
{
	size_t n = 0;

	while (l->drop && l->drop[n])
		n++;
	l->paths = xcalloc(n + LP_N + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		l->paths[i] = l->drop[i];
	l->paths[n + LP_CONTINUE] = "=metadata.continue";
	l->paths[n + LP_KIND] = "=kind";
	l->paths[n + LP_RV] = "=metadata.resourceVersion";
	l->npaths = n;
	l->capture = cb;
	l->capture_arg = arg;
	l->drop = l->paths;
}

/* A captured page's own paths are read afresh for each page. */
static void capture_start(struct k8s_list *l)
{
	buf_reset(&l->cont_buf);
	l->kind_seen[0] = '\0';
}

/* The page is read: what its kind and metadata.continue say. */
static int capture_end(struct k8s_list *l, struct sbx_err *err)
{
	if (strcmp(l->kind_seen, "Table") && !str_ends(l->kind_seen, "List")) {
		sbx_err_set(err, 0, "the answer to %s is not a list (kind %s)", l->path,
			    *l->kind_seen ? l->kind_seen : "none");
		return -1;
	}
	if (next_token(l, l->cont_buf.len ? l->cont_buf.s : NULL, err) < 0)
		return -1;
	return 1;
}

void k8s_list_query(const struct k8s_list *l, struct buf *q)
{
	char lim[16];

	buf_adds(q, l->query);
	if (l->kind != K8S_OBJECTS)
		k8s_query_add(q, "includeObject", l->kind == K8S_TABLE_OBJECTS ? "Object" : "None");
	snprintf(lim, sizeof(lim), "%u", l->limit);
	if (l->limit)
		k8s_query_add(q, "limit", lim);
	if (l->cont)
		k8s_query_add(q, "continue", l->cont);
}

int k8s_list_take(struct k8s_list *l, const char *body, size_t n, struct sbx_err *err)
{
	struct buf unused = { 0 };
	struct jproj p;
	int rc = 0;

	if (l->done)
		return 0;
	if (!l->capture) {
		sbx_err_set(err, EINVAL, "k8s_list_take: the list has no capture");
		return -1;
	}
	capture_start(l);
	jproj_init(&p, l->drop, &unused, JSON_MAX);
	jproj_capture(&p, list_value, l);
	p.max_out = K8S_MAX_SCALAR;
	if (jproj_feed(&p, body, n) < 0 || jproj_finish(&p) < 0) {
		sbx_err_set(err, 0, "the answer to %s is not valid JSON: %s", l->path, p.error);
		rc = -1;
	}
	jproj_free(&p);
	buf_free(&unused);
	return rc < 0 ? -1 : capture_end(l, err);
}

bool k8s_is_table(json_t *page)
{
	return !strcmp(k8s_str(page, "kind", ""), "Table");
}

json_t *k8s_list_items(json_t *page)
{
	json_t *a = json_object_get(page, k8s_is_table(page) ? "rows" : "items");

	return json_is_array(a) ? a : NULL;
}

int k8s_list_next(struct k8s_list *l, json_t **page, struct sbx_err *err)
{
	struct buf q = { 0 };
	struct k8s_req rq = { .path = l->path, .drop = l->drop };
	struct k8s_resp rs;
	const char *cont;
	json_t *items;

	json_decref(l->page);
	l->page = NULL;
	*page = NULL;
	if (l->done)
		return 0;
	k8s_list_query(l, &q);
	rq.query = q.s;
	rq.accept = l->kind == K8S_OBJECTS ? NULL : K8S_ACCEPT_TABLE;
	if (l->capture) {
		rq.capture = list_value;
		rq.capture_arg = l;
		capture_start(l);
	}
	if (k8s_request(l->k, &rq, &rs, err) < 0) {
		if (rs.code == 410)
			sbx_err_set(err, 0, "the list %s changed too much while it was read in "
				    "chunks (continue token expired): run again", l->path);
		k8s_resp_free(&rs);
		buf_free(&q);
		return -1;
	}
	buf_free(&q);
	if (l->capture) {
		l->date = rs.date;
		k8s_resp_free(&rs);
		return capture_end(l, err);
	}
	items = k8s_list_items(rs.json);
	if (!items) {
		sbx_err_set(err, 0, "the answer to %s is not a list (kind %s)", l->path,
			    k8s_str(rs.json, "kind", "none"));
		k8s_resp_free(&rs);
		return -1;
	}
	l->page = rs.json;
	l->date = rs.date;
	rs.json = NULL;
	k8s_resp_free(&rs);
	cont = k8s_str(l->page, "metadata.continue", "");
	if (next_token(l, cont, err) < 0) {
		json_decref(l->page);
		l->page = NULL;
		return -1;
	}
	l->items += json_array_size(items);
	*page = l->page;
	return 1;
}
