/* The Kubernetes API client every Kubernetes applet shares (nodes, node,
 * cordon, drain, health).
 *
 *   struct k8s *k = k8s_open(&ctx->kube, &err);      kubeconfig, auth, TLS
 *   json_t *node = k8s_get(k, "/api/v1/nodes/NAME", NULL, drop, &code, &err);
 *   k8s_list_init(&l, k, "/api/v1/pods", query, K8S_OBJECTS, drop);
 *   while ((rc = k8s_list_next(&l, &page, &err)) > 0) ... k8s_list_items(page)
 *   k8s_request(k, &(struct k8s_req){ .method = "PATCH", ... }, &resp, &err);
 *   k8s_close(k);
 *
 * Every request has a deadline (--request-timeout).  Errors come back as
 * one line that says what went wrong in the user's terms: refused, timed
 * out, TLS (with the certificate's subject), 401, 403 with the RBAC
 * message, a Status message ("nodes \"x\" not found"), garbage.  No
 * credential ever appears in a message; credentials are only sent over
 * https. */
#ifndef SREBOX_K8S_H
#define SREBOX_K8S_H

#include "json_proj.h"
#include "k8s_config.h"

#include <jansson.h>

#define K8S_DEFAULT_TIMEOUT 5.0
#define K8S_EXEC_DEFAULT_TIMEOUT 30.0	/* an exec credential plugin, without --request-timeout */
#define K8S_CHUNK 500
/* The most pages one list may take (a million objects at K8S_CHUNK, over
 * six times the pods of the largest cluster Kubernetes supports): past
 * that, or when the server repeats a continue token, the list is an error,
 * not a loop without end. */
#define K8S_MAX_PAGES 2000
/* Objects kept of one page: a server may ignore limit (the watch cache
 * does), so a page can hold the whole cluster; beyond this many the list
 * is an error rather than unbounded memory.  And the longest value kept
 * of an object (a name, a cell), where the page is decoded as it comes. */
#define K8S_MAX_PAGE_ITEMS 20000
#define K8S_MAX_SCALAR (1u << 20)
/* The most bytes of one answer, after gzip: a 10 MB body that inflates to
 * 2 GB ends here, not after the request timeout's worth of CPU.  A page of
 * 500 Node objects is about 10 MB; the 20,000 of a server that ignores
 * limit about 400 MB. */
#define K8S_MAX_BODY ((size_t)1 << 30)
/* The longest one list may take, all its pages together: max(60 s, ten
 * request timeouts).  A server that gives a new continue token with every
 * small page is ended by this or by K8S_MAX_PAGES, whichever comes first. */
#define K8S_LIST_MIN_SECONDS 60.0
#define K8S_LIST_TIMEOUTS 10

/* What kubectl sends to get a server-side Table (§1.5 of the reference). */
#define K8S_ACCEPT_TABLE                                                                   \
	"application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;" \
	"g=meta.k8s.io,application/json"

struct k8s;

struct k8s *k8s_open(const struct sbx_kube_opts *o, struct sbx_err *err);
void k8s_close(struct k8s *k);
const struct k8s_config *k8s_cfg(const struct k8s *k);
/* The API server's clock as of the last answer (its Date header), else
 * this machine's: ages of cluster timestamps are computed against it. */
double k8s_now(const struct k8s *k);
double k8s_timeout(const struct k8s *k);

/* A decoded metav1.Status (or what could be made of a non-Status error). */
struct k8s_status {
	long code;
	char reason[64];	/* NotFound, Forbidden, TooManyRequests, ... */
	char message[512];
};

struct k8s_req {
	const char *method;		/* NULL: GET */
	const char *path;		/* "/api/v1/nodes/x": build it with k8s_path() */
	const char *query;		/* "a=b&c=d", escaped (k8s_query_add), or NULL */
	const char *accept;		/* NULL: application/json */
	const char *content_type;	/* for a body */
	const char *body;
	size_t body_len;
	const char *const *drop;	/* JSON paths not kept (json_proj.h) */
	bool raw;			/* keep the body as text (pod logs), not JSON */
	jproj_value_cb capture;		/* hand '=' paths of drop to it; no tree */
	void *capture_arg;
	size_t max_raw;			/* for raw: cap (default 16 MiB) */
	double timeout;			/* 0: the client's */
	/* A stream of JSON lines (a watch): a 2xx body goes to line() a line
	 * at a time as it arrives (without its newline; at most
	 * K8S_MAX_LINE bytes), never held whole; nonzero from line() ends
	 * the request (-1, err "stopped").  With it, timeout bounds the whole
	 * stream and connect_timeout (0: timeout) its start; stop as for
	 * http_req (err "interrupted"). */
	int (*line)(void *arg, const char *s, size_t n);
	void *line_arg;
	double connect_timeout;
	volatile int *stop;
};

/* The longest line of a stream: one watch event (a Node is 3-15 KB). */
#define K8S_MAX_LINE (16u << 20)

struct k8s_resp {
	long code;			/* HTTP status; 0 if none came */
	char content_type[128];
	json_t *json;			/* 2xx JSON answer (after drop) */
	struct buf raw;			/* raw answers */
	struct k8s_status status;	/* non-2xx */
	long retry_after;		/* seconds, or -1 */
	double date;			/* the API server's clock, or 0 */
};

/* 0 on a 2xx answer; -1 otherwise with err set to one line (the Status
 * message for API errors) and resp->code telling which (404 for a missing
 * object, 429 for a refused eviction, 0 for no answer at all). */
int k8s_request(struct k8s *k, const struct k8s_req *rq, struct k8s_resp *resp,
		struct sbx_err *err);
void k8s_resp_free(struct k8s_resp *resp);

/* GET a JSON object; NULL with err (and *code, may be NULL) on failure. */
json_t *k8s_get(struct k8s *k, const char *path, const char *query, const char *const *drop,
		long *code, struct sbx_err *err);

/* Chunked lists (limit=500, following metadata.continue), as Tables when
 * asked and the server can (K8S_TABLE: cells only; K8S_TABLE_OBJECTS:
 * cells and each row's object).  A page stays valid until the next call. */
enum k8s_list_kind { K8S_OBJECTS, K8S_TABLE, K8S_TABLE_OBJECTS };

struct k8s_list {
	struct k8s *k;
	char *path, *query;
	enum k8s_list_kind kind;
	const char *const *drop;
	unsigned limit;		/* K8S_CHUNK; 0: all in one answer */
	char *cont;
	bool done;
	json_t *page;
	size_t pages, items;
	size_t max_pages;	/* K8S_MAX_PAGES */
	double started;		/* monotonic: the list's whole time is bounded */
	double date;		/* the API server's clock at the last page, or 0 */
	/* capture mode (k8s_list_capture) */
	jproj_value_cb capture;
	void *capture_arg;
	const char **paths;	/* the caller's paths and the list's own */
	size_t npaths;
	struct buf cont_buf;
	char kind_seen[64];
	char rv[64];		/* metadata.resourceVersion of the last page (captured lists) */
};

void k8s_list_init(struct k8s_list *l, struct k8s *k, const char *path, const char *query,
		   enum k8s_list_kind kind, const char *const *drop);
/* 1 with *page, 0 when the list is complete, -1 with err. */
int k8s_list_next(struct k8s_list *l, json_t **page, struct sbx_err *err);
/* For lists too long for trees: the '=' paths among `drop` (json_proj.h,
 * relative to a page: "rows.*.cells.*", "items.*.metadata.name", "rows.*"
 * for each row's end) go to cb as the page arrives, and k8s_list_next
 * gives *page NULL.  Call before the first k8s_list_next. */
void k8s_list_capture(struct k8s_list *l, jproj_value_cb cb, void *arg);
void k8s_list_free(struct k8s_list *l);
/* The query of the list's next request: the caller's, includeObject for
 * Tables, limit, and the continue token of the page before. */
void k8s_list_query(const struct k8s_list *l, struct buf *q);
/* A captured list's next page from text in hand rather than the API
 * server (a recorded answer): read as k8s_list_next reads a page, the
 * same callbacks, continue token and kind check.  1, 0 when the list is
 * complete, -1 with err. */
int k8s_list_take(struct k8s_list *l, const char *body, size_t n, struct sbx_err *err);
/* The rows of a Table page or the items of a List page. */
json_t *k8s_list_items(json_t *page);
bool k8s_is_table(json_t *page);

/* Query and path building, percent-encoded. */
void k8s_query_add(struct buf *q, const char *key, const char *value);
/* Append "/" and the escaped segment: buf_adds(&p, "/api/v1/nodes");
 * k8s_path_add(&p, name). */
void k8s_path_add(struct buf *p, const char *segment);

/* Decode a Status body (or anything) into st; for tests too. */
void k8s_status_decode(const char *body, size_t n, long code, struct k8s_status *st);

/* Replace every credential the client knows of in s by "***". */
void k8s_scrub(const struct k8s *k, char *s);

#endif
