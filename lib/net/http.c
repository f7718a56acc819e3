#include "http.h"

#include "dl.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* The whole of libcurl that srebox uses. */
static struct {
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_perform)(CURL *);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	void (*easy_cleanup)(CURL *);
	const char *(*easy_strerror)(CURLcode);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
} cu;

static const struct dl_sym curl_syms[] = {
	{ "curl_easy_init", (void **)&cu.easy_init },
	{ "curl_easy_setopt", (void **)&cu.easy_setopt },
	{ "curl_easy_perform", (void **)&cu.easy_perform },
	{ "curl_easy_getinfo", (void **)&cu.easy_getinfo },
	{ "curl_easy_cleanup", (void **)&cu.easy_cleanup },
	{ "curl_easy_strerror", (void **)&cu.easy_strerror },
	{ "curl_slist_append", (void **)&cu.slist_append },
	{ "curl_slist_free_all", (void **)&cu.slist_free_all },
};

static void *curl_lib;

struct http {
	CURL *c;
};

static int load(struct sbx_err *err)
{
	static const char *const sonames[] = { "libcurl.so.4", "libcurl-gnutls.so.4", NULL };

	if (curl_lib)
		return 0;
	curl_lib = dl_load(sonames, curl_syms, ARRAY_SIZE(curl_syms), "libcurl4", err);
	return curl_lib ? 0 : -1;
}

struct http *http_new(struct sbx_err *err)
{
	struct http *h;

	if (load(err) < 0)
		return NULL;
	h = xcalloc(1, sizeof(*h));
	h->c = cu.easy_init();
	if (!h->c) {
		sbx_err_set(err, 0, "libcurl: cannot create a handle");
		free(h);
		return NULL;
	}
	return h;
}

void http_free(struct http *h)
{
	if (!h)
		return;
	cu.easy_cleanup(h->c);
	free(h);
}

/* scheme://[user@]host[:port][/path]: the host (IPv6 with brackets) and
 * port (the scheme's default when absent); the rest of the URL in *rest. */
static bool url_split(const char *url, char *host, size_t hn, unsigned *port, const char **rest)
{
	const char *p = strstr(url, "://"), *h, *end, *at;
	size_t l;

	if (!p)
		return false;
	*port = str_starts(url, "https") ? 443 : 80;
	h = p + 3;
	end = h + strcspn(h, "/?#");
	at = memchr(h, '@', (size_t)(end - h));
	if (at)
		h = at + 1;
	*rest = end;
	if (*h == '[') {
		const char *rb = memchr(h, ']', (size_t)(end - h));

		if (!rb)
			return false;
		l = (size_t)(rb - h) + 1;
		if (rb[1] == ':')
			*port = (unsigned)strtoul(rb + 2, NULL, 10);
	} else {
		const char *colon = memchr(h, ':', (size_t)(end - h));

		l = (size_t)((colon ? colon : end) - h);
		if (colon)
			*port = (unsigned)strtoul(colon + 1, NULL, 10);
	}
	if (l == 0 || l >= hn)
		return false;
	memcpy(host, h, l);
	host[l] = '\0';
	return true;
}

void http_url_hostport(const char *url, char *out, size_t n)
{
	char host[256];
	unsigned port;
	const char *rest;

	if (url_split(url, host, sizeof(host), &port, &rest))
		snprintf(out, n, "%s:%u", host, port);
	else
		snprintf(out, n, "%s", url);
}

struct xfer {
	const struct http_req *rq;
	struct http_resp *rs;
	CURL *c;
	bool started, aborted;
};

static void fill_resp(struct xfer *x)
{
	long code = 0;
	char *ct = NULL;
	curl_off_t ra = -1;

	cu.easy_getinfo(x->c, CURLINFO_RESPONSE_CODE, &code);
	cu.easy_getinfo(x->c, CURLINFO_CONTENT_TYPE, &ct);
	if (cu.easy_getinfo(x->c, CURLINFO_RETRY_AFTER, &ra) != CURLE_OK || ra <= 0)
		ra = -1;
	x->rs->code = code;
	snprintf(x->rs->content_type, sizeof(x->rs->content_type), "%s", ct ? ct : "");
	x->rs->retry_after = (long)ra;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct xfer *x = arg;
	size_t n = size * nmemb;

	if (!x->started) {
		fill_resp(x);
		x->started = true;
	}
	if (x->rq->sink &&
	    x->rq->sink(x->rq->sink_arg, x->rs->code, x->rs->content_type, data, n) != 0) {
		x->aborted = true;
		return 0;
	}
	return n;
}

/* Called by libcurl about once a second, and as data moves. */
static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	const struct xfer *x = arg;

	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return x->rq->stop && *x->rq->stop ? 1 : 0;
}

/* Only the Date header is wanted: the server's clock. */
static size_t on_header(char *data, size_t size, size_t nmemb, void *arg)
{
	struct xfer *x = arg;
	size_t n = size * nmemb;
	char line[128];
	struct tm tm = { 0 };

	if (n > 5 && n < sizeof(line) && !strncasecmp(data, "Date:", 5)) {
		memcpy(line, data, n);
		line[n] = '\0';
		if (strptime(str_trim(line + 5), "%a, %d %b %Y %H:%M:%S GMT", &tm))
			x->rs->date = (double)timegm(&tm);
	}
	return n;
}

static void set_tls(CURL *c, const struct http_tls *t)
{
	struct curl_blob ca = { 0 }, cert = { 0 }, key = { 0 };

	cu.easy_setopt(c, CURLOPT_SSL_VERIFYPEER, t && t->insecure ? 0L : 1L);
	cu.easy_setopt(c, CURLOPT_SSL_VERIFYHOST, t && t->insecure ? 0L : 2L);
	/* Without a CA of its own, the system's: libcurl's default, which
	 * setting CAINFO to NULL would take away. */
	if (t && t->ca_file)
		cu.easy_setopt(c, CURLOPT_CAINFO, t->ca_file);
	if (t && t->ca_pem && t->ca_pem->len) {
		ca = (struct curl_blob){ t->ca_pem->s, t->ca_pem->len, CURL_BLOB_COPY };
		cu.easy_setopt(c, CURLOPT_CAINFO_BLOB, &ca);
	} else {
		cu.easy_setopt(c, CURLOPT_CAINFO_BLOB, NULL);
	}
	cu.easy_setopt(c, CURLOPT_SSLCERT, t && t->cert_file ? t->cert_file : NULL);
	cu.easy_setopt(c, CURLOPT_SSLKEY, t && t->key_file ? t->key_file : NULL);
	if (t && t->cert_pem && t->cert_pem->len) {
		cert = (struct curl_blob){ t->cert_pem->s, t->cert_pem->len, CURL_BLOB_COPY };
		cu.easy_setopt(c, CURLOPT_SSLCERT_BLOB, &cert);
	} else {
		cu.easy_setopt(c, CURLOPT_SSLCERT_BLOB, NULL);
	}
	if (t && t->key_pem && t->key_pem->len) {
		key = (struct curl_blob){ t->key_pem->s, t->key_pem->len, CURL_BLOB_COPY };
		cu.easy_setopt(c, CURLOPT_SSLKEY_BLOB, &key);
	} else {
		cu.easy_setopt(c, CURLOPT_SSLKEY_BLOB, NULL);
	}
	cu.easy_setopt(c, CURLOPT_SSLCERTTYPE, "PEM");
	cu.easy_setopt(c, CURLOPT_SSLKEYTYPE, "PEM");
}

/* Loopback is never proxied (Go's ProxyFromEnvironment does the same),
 * whatever NO_PROXY says. */
static void set_proxy(CURL *c, const char *proxy, char *noproxy, size_t n)
{
	const char *env = getenv("NO_PROXY");

	if (!env || !*env)
		env = getenv("no_proxy");
	snprintf(noproxy, n, "%s%slocalhost,127.0.0.1,::1", env && *env ? env : "",
		 env && *env ? "," : "");
	cu.easy_setopt(c, CURLOPT_PROXY, proxy);
	cu.easy_setopt(c, CURLOPT_NOPROXY, proxy && *proxy ? NULL : noproxy);
}

static void common_opts(CURL *c, double timeout, char *errbuf)
{
	long ms = timeout > 0 ? (long)(timeout * 1000) : 10000;

	cu.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	cu.easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	cu.easy_setopt(c, CURLOPT_TIMEOUT_MS, ms);
	cu.easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, ms);
	cu.easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	cu.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	cu.easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
}

/* The certificate the server presents, fetched without verifying it (and
 * without sending anything): "subject CN=x, issuer CN=y, names DNS:a". */
static void describe_peer(const struct http_req *rq, const char *url, const char *connect_to,
			  char *out, size_t n)
{
	CURL *c = cu.easy_init();
	char errbuf[CURL_ERROR_SIZE] = "", noproxy[512];
	struct curl_certinfo *ci = NULL;
	struct curl_slist *ct = NULL;

	out[0] = '\0';
	if (!c)
		return;
	common_opts(c, rq->timeout, errbuf);
	set_proxy(c, rq->proxy, noproxy, sizeof(noproxy));
	cu.easy_setopt(c, CURLOPT_URL, url);
	if (connect_to) {
		ct = cu.slist_append(NULL, connect_to);
		cu.easy_setopt(c, CURLOPT_CONNECT_TO, ct);
	}
	cu.easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
	cu.easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	cu.easy_setopt(c, CURLOPT_CERTINFO, 1L);
	cu.easy_setopt(c, CURLOPT_CONNECT_ONLY, 1L);
	if (cu.easy_perform(c) == CURLE_OK &&
	    cu.easy_getinfo(c, CURLINFO_CERTINFO, &ci) == CURLE_OK && ci && ci->num_of_certs > 0) {
		struct buf b = { 0 };
		static const struct {
			const char *field, *label;
		} want[] = { { "Subject:", "subject" },
			     { "Issuer:", "issuer" },
			     { "X509v3 Subject Alternative Name:", "names" } };

		for (size_t w = 0; w < ARRAY_SIZE(want); w++)
			for (struct curl_slist *s = ci->certinfo[0]; s; s = s->next)
				if (str_starts(s->data, want[w].field)) {
					const char *v = s->data + strlen(want[w].field);

					while (*v == ' ')
						v++;
					buf_addf(&b, "%s%s %s", b.len ? "; " : "", want[w].label, v);
				}
		snprintf(out, n, "%s", b.s ? b.s : "");
		buf_free(&b);
	}
	if (ct)
		cu.slist_free_all(ct);
	cu.easy_cleanup(c);
}

static void one_line(char *s)
{
	for (; *s; s++)
		if (*s == '\n' || *s == '\r')
			*s = ' ';
}

static void explain(const struct http_req *rq, CURL *c, CURLcode rc, const char *errbuf,
		    const char *url, const char *connect_to, struct sbx_err *err)
{
	char hp[640], why[CURL_ERROR_SIZE + 64], peer[1024];
	long oserr = 0, lport = 0;
	double start_t = 0;

	http_url_hostport(rq->url, hp, sizeof(hp));
	if (rq->proxy && *rq->proxy) {
		/* say which proxy, never its credentials */
		char px[300];

		http_url_hostport(rq->proxy, px, sizeof(px));
		snprintf(hp + strlen(hp), sizeof(hp) - strlen(hp), " (through the proxy %s)", px);
	}
	snprintf(why, sizeof(why), "%s", *errbuf ? errbuf : cu.easy_strerror(rc));
	one_line(why);
	cu.easy_getinfo(c, CURLINFO_OS_ERRNO, &oserr);
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
		sbx_err_set(err, 0, "cannot resolve the host of %s: %s", hp, why);
		return;
	case CURLE_COULDNT_RESOLVE_PROXY:
		sbx_err_set(err, 0, "cannot resolve the proxy: %s", why);
		return;
	case CURLE_COULDNT_CONNECT:
		if (oserr == ECONNREFUSED)
			sbx_err_set(err, ECONNREFUSED,
				    "connection to %s refused: is the server running, and is that "
				    "the right host and port?",
				    hp);
		else
			sbx_err_set(err, (int)oserr, "cannot connect to %s: %s", hp, why);
		return;
	case CURLE_OPERATION_TIMEDOUT:
		/* a local port means TCP connected (the connect time stays 0
		 * when the TLS handshake is what timed out) */
		cu.easy_getinfo(c, CURLINFO_LOCAL_PORT, &lport);
		cu.easy_getinfo(c, CURLINFO_STARTTRANSFER_TIME, &start_t);
		if (lport <= 0)
			sbx_err_set(err, ETIMEDOUT, "could not connect to %s within %gs", hp,
				    rq->timeout);
		else if (start_t <= 0)
			sbx_err_set(err, ETIMEDOUT, "%s accepted the connection but did not answer "
				    "within %gs", hp, rq->timeout);
		else
			sbx_err_set(err, ETIMEDOUT, "%s answered too slowly: not complete after %gs",
				    hp, rq->timeout);
		return;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
		describe_peer(rq, url, connect_to, peer, sizeof(peer));
		if (*peer)
			sbx_err_set(err, 0, "TLS: cannot verify the certificate of %s (%s): %s", hp,
				    peer, why);
		else
			sbx_err_set(err, 0, "TLS: cannot verify the certificate of %s: %s", hp, why);
		return;
	case CURLE_SSL_CERTPROBLEM:
		sbx_err_set(err, 0, "TLS: the client certificate or key cannot be used: %s", why);
		return;
	case CURLE_SSL_CONNECT_ERROR:
		sbx_err_set(err, 0, "TLS handshake with %s failed: %s", hp, why);
		return;
	case CURLE_GOT_NOTHING:
		sbx_err_set(err, 0, "%s closed the connection without answering", hp);
		return;
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
		sbx_err_set(err, (int)oserr, "connection to %s broken: %s", hp, why);
		return;
	case CURLE_WEIRD_SERVER_REPLY:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		sbx_err_set(err, 0, "%s does not speak HTTP: %s", hp, why);
		return;
	default:
		sbx_err_set(err, 0, "request to %s failed: %s", hp, why);
		return;
	}
}

int http_do(struct http *h, const struct http_req *rq, struct http_resp *rs, struct sbx_err *err)
{
	CURL *c = h->c;
	char errbuf[CURL_ERROR_SIZE] = "", noproxy[512], host[256], connect_to[600];
	char hosthdr[300], *url = NULL;
	struct curl_slist *hdrs = NULL, *ct = NULL;
	struct xfer x = { .rq = rq, .rs = rs, .c = c };
	unsigned port;
	const char *rest;
	CURLcode rc;
	bool rewrite = rq->tls && rq->tls->server_name && *rq->tls->server_name;

	memset(rs, 0, sizeof(*rs));
	rs->retry_after = -1;
	common_opts(c, rq->timeout, errbuf);
	set_proxy(c, rq->proxy, noproxy, sizeof(noproxy));
	set_tls(c, rq->tls);
	cu.easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "gzip");
	if (rewrite && url_split(rq->url, host, sizeof(host), &port, &rest)) {
		/* TLS for tls-server-name, the TCP connection to the real host. */
		url = xasprintf("https://%s:%u%s", rq->tls->server_name, port, rest);
		snprintf(connect_to, sizeof(connect_to), "%s:%u:%s:%u", rq->tls->server_name, port,
			 host, port);
		snprintf(hosthdr, sizeof(hosthdr), "Host: %s:%u", host, port);
		ct = cu.slist_append(NULL, connect_to);
		hdrs = cu.slist_append(hdrs, hosthdr);
	} else {
		rewrite = false;
	}
	cu.easy_setopt(c, CURLOPT_URL, url ? url : rq->url);
	cu.easy_setopt(c, CURLOPT_CONNECT_TO, ct);
	for (size_t i = 0; rq->headers && rq->headers[i]; i++)
		hdrs = cu.slist_append(hdrs, rq->headers[i]);
	hdrs = cu.slist_append(hdrs, "Expect:");
	cu.easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	if (rq->username) {
		cu.easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		cu.easy_setopt(c, CURLOPT_USERNAME, rq->username);
		cu.easy_setopt(c, CURLOPT_PASSWORD, rq->password ? rq->password : "");
	} else {
		cu.easy_setopt(c, CURLOPT_USERNAME, NULL);
		cu.easy_setopt(c, CURLOPT_PASSWORD, NULL);
	}
	if (!rq->method || !strcmp(rq->method, "GET")) {
		cu.easy_setopt(c, CURLOPT_HTTPGET, 1L);
		cu.easy_setopt(c, CURLOPT_CUSTOMREQUEST, NULL);
	} else {
		cu.easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
		cu.easy_setopt(c, CURLOPT_POSTFIELDS, rq->body ? rq->body : "");
		cu.easy_setopt(c, CURLOPT_CUSTOMREQUEST, rq->method);
	}
	if (rq->connect_timeout > 0)
		cu.easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)(rq->connect_timeout * 1000));
	cu.easy_setopt(c, CURLOPT_TCP_KEEPIDLE, rq->stop ? 10L : 60L);
	cu.easy_setopt(c, CURLOPT_TCP_KEEPINTVL, rq->stop ? 5L : 60L);
	cu.easy_setopt(c, CURLOPT_NOPROGRESS, rq->stop ? 0L : 1L);
	cu.easy_setopt(c, CURLOPT_XFERINFOFUNCTION, rq->stop ? on_progress : NULL);
	cu.easy_setopt(c, CURLOPT_XFERINFODATA, rq->stop ? &x : NULL);
	cu.easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	cu.easy_setopt(c, CURLOPT_WRITEDATA, &x);
	cu.easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	cu.easy_setopt(c, CURLOPT_HEADERDATA, &x);
	rc = cu.easy_perform(c);
	if (!x.started)
		fill_resp(&x);
	if (rc != CURLE_OK) {
		if (x.aborted)
			sbx_err_set(err, 0, "aborted");
		else if (rc == CURLE_ABORTED_BY_CALLBACK)
			sbx_err_set(err, EINTR, "interrupted");
		else
			explain(rq, c, rc, errbuf, url ? url : rq->url, rewrite ? connect_to : NULL,
				err);
	}
	/* The handle keeps pointers to these: detach before freeing. */
	cu.easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
	cu.easy_setopt(c, CURLOPT_CONNECT_TO, NULL);
	cu.easy_setopt(c, CURLOPT_ERRORBUFFER, NULL);
	cu.easy_setopt(c, CURLOPT_POSTFIELDS, NULL);
	cu.slist_free_all(hdrs);
	if (ct)
		cu.slist_free_all(ct);
	free(url);
	return rc == CURLE_OK ? 0 : -1;
}

struct get_sink {
	struct buf *body;
	size_t max;
};

static int get_into(void *arg, long code, const char *ct, const char *data, size_t n)
{
	struct get_sink *g = arg;

	(void)code;
	(void)ct;
	if (g->body->len + n > g->max)
		return -1;
	buf_add(g->body, data, n);
	return 0;
}

int http_get(struct http *h, const char *url, double timeout, struct buf *body, size_t max,
	     struct http_resp *rs, struct sbx_err *err)
{
	struct get_sink g = { body, max };
	struct http_req rq = { .url = url, .timeout = timeout, .sink = get_into, .sink_arg = &g };

	if (http_do(h, &rq, rs, err) < 0) {
		if (!strcmp(err->msg, "aborted"))
			sbx_err_set(err, EFBIG, "%s: answer larger than %zu bytes", url, max);
		return -1;
	}
	return 0;
}
