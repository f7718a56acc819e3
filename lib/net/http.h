/* HTTP(S) requests with a deadline, over libcurl loaded with dlopen (the
 * only file that knows libcurl: its function table is here).  Used by the
 * Kubernetes client and by anything that asks a local endpoint
 * (the kubelet's healthz on 127.0.0.1:10248). */
#ifndef SREBOX_HTTP_H
#define SREBOX_HTTP_H

#include "util.h"

struct http_tls {
	const char *ca_file;		/* NULL and no ca_pem: the system's CAs */
	const struct buf *ca_pem;	/* inline CA bundle (PEM) */
	bool insecure;			/* no verification at all */
	const char *cert_file, *key_file;	/* client certificate and key (PEM) */
	const struct buf *cert_pem, *key_pem;	/* the same, inline */
	/* Verify the server's certificate for (and send SNI) this name rather
	 * than the URL's host; the connection still goes to the URL's host. */
	const char *server_name;
};

/* Receives the body as it arrives, with the status code and content type
 * (known from the first byte on).  Nonzero aborts the transfer. */
typedef int (*http_sink)(void *arg, long code, const char *content_type, const char *data,
			 size_t n);

struct http_req {
	const char *method;		/* NULL: GET */
	const char *url;
	const char *const *headers;	/* "Name: value", NULL-terminated */
	const char *body;
	size_t body_len;
	double timeout;			/* seconds for the whole exchange */
	/* NULL: the proxy environment variables (loopback never proxied, as
	 * Go does); "": no proxy; else the proxy URL (http, https, socks5). */
	const char *proxy;
	const struct http_tls *tls;
	const char *username, *password;	/* HTTP basic authentication */
	http_sink sink;
	void *sink_arg;
	/* A long transfer (a watch): the connection and the first answer
	 * within connect_timeout (0: timeout), TCP keepalive probes every few
	 * seconds (a peer gone dead is noticed), and the transfer ends within
	 * a second of *stop becoming nonzero (SIGINT, SIGTERM): "interrupted". */
	double connect_timeout;
	volatile int *stop;
};

struct http_resp {
	long code;			/* 0 when no answer came */
	char content_type[128];
	long retry_after;		/* seconds, from Retry-After, or -1 */
	double date;			/* the server's clock (Date header), or 0 */
};

struct http;

/* Loads libcurl on first use; NULL with err when it cannot. */
struct http *http_new(struct sbx_err *err);
void http_free(struct http *h);

/* One request.  0 when an answer (any status) arrived in full; -1 with a
 * one-line reason in err otherwise: refused, timed out (and in which
 * phase), TLS verification failed (with the certificate's subject, issuer
 * and names), the sink aborted ("aborted"). */
int http_do(struct http *h, const struct http_req *rq, struct http_resp *rs, struct sbx_err *err);

/* The common case: GET url into body (at most max bytes). */
int http_get(struct http *h, const char *url, double timeout, struct buf *body, size_t max,
	     struct http_resp *rs, struct sbx_err *err);

/* "host:port" of a URL, for messages ("https://[::1]:6443/x" -> "[::1]:6443"). */
void http_url_hostport(const char *url, char *out, size_t n);

#endif
