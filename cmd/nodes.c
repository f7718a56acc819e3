/* srebox nodes: `kubectl get nodes [-o wide]` with what kubectl leaves
 * out -- the conditions that are not False besides Ready (pressure,
 * node-problem-detector), the taints, and the kubelet's heartbeat from its
 * Lease, which goes stale before the node turns NotReady.  Rows are printed
 * chunk by chunk as the chunked list arrives: memory does not grow with the
 * cluster. */
#include "applet.h"
#include "k8s.h"
#include "k8s_nodes.h"
#include "k8s_obj.h"

#include "render.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *o_selector, *o_field_selector;
static unsigned o_chunk = K8S_CHUNK;
static bool o_no_headers, o_watch;
static double o_watch_timeout = 60;

static const struct sbx_opt nodes_opts[] = {
	{ 'l', "selector", OPT_STRING, &o_selector, "SELECTOR",
	  "only nodes with these labels (kubectl's -l: a=b,c!=d,e in (f,g),!h)", NULL, NULL },
	{ 0, "field-selector", OPT_STRING, &o_field_selector, "SELECTOR",
	  "only nodes whose fields match (metadata.name=x, spec.unschedulable=true)", NULL, NULL },
	{ 0, "chunk-size", OPT_UINT, &o_chunk, "N",
	  "ask for N nodes at a time (default 500; 0: all in one answer)", NULL, NULL },
	{ 0, "no-headers", OPT_FLAG, &o_no_headers, NULL,
	  "print the rows without the header line, as kubectl does", NULL, NULL },
	{ 'w', "watch", OPT_FLAG, &o_watch, NULL,
	  "after the list, a row for each change to a node, as kubectl get nodes -w, until "
	  "Ctrl-C", NULL, NULL },
	{ 0, "watch-timeout", OPT_SECONDS, &o_watch_timeout, "SECONDS",
	  "-w: each watch request ends after SECONDS (timeoutSeconds, default 60) and the next "
	  "goes on from where it ended: a server gone silent is noticed within SECONDS plus "
	  "--request-timeout", NULL, NULL },
	OPT_END,
};

/* kubectl's cells first, in lib/k8s_nodes.h's order, then ours. */
enum { N_NAME = K8S_NC_NAME, N_STATUS = K8S_NC_STATUS, N_ROLES = K8S_NC_ROLES, N_AGE = K8S_NC_AGE,
       N_VERSION = K8S_NC_VERSION, N_IIP = K8S_NC_IIP, N_EIP = K8S_NC_EIP, N_OS = K8S_NC_OS,
       N_KERNEL = K8S_NC_KERNEL, N_RUNTIME = K8S_NC_RUNTIME,
       N_HEARTBEAT = K8S_NC_N, N_CONDS, N_TAINTS, N_CREATED, N_STATE, N_READY, N_UNSCHED, N_NCOLS };

static const struct sbx_col node_cols[] = {
	[N_NAME] = { "NAME", "name", CT_STR, COL_LABEL },
	[N_STATUS] = { "STATUS", "status", CT_STR, .prio = 1 },
	[N_ROLES] = { "ROLES", "roles", CT_STR, 0, .none = "<none>" },
	[N_AGE] = { "AGE", "age", CT_STR },
	[N_VERSION] = { "VERSION", "version", CT_STR },
	[N_IIP] = { "INTERNAL-IP", "internal_ip", CT_STR, COL_WIDE, .none = "<none>" },
	[N_EIP] = { "EXTERNAL-IP", "external_ip", CT_STR, COL_WIDE, .none = "<none>" },
	[N_OS] = { "OS-IMAGE", "os_image", CT_STR, COL_WIDE, .none = "<unknown>" },
	[N_KERNEL] = { "KERNEL-VERSION", "kernel_version", CT_STR, COL_WIDE, .none = "<unknown>" },
	[N_RUNTIME] = { "CONTAINER-RUNTIME", "container_runtime", CT_STR, COL_WIDE,
			.none = "<unknown>" },
	[N_HEARTBEAT] = { "HEARTBEAT", "heartbeat_age_seconds", CT_SECONDS, 0,
			  "nodes_heartbeat_age_seconds",
			  "Seconds since the kubelet last renewed its Lease in kube-node-lease." },
	[N_CONDS] = { "CONDITIONS", "conditions", CT_STR },
	[N_TAINTS] = { "TAINTS", "taints", CT_STR, COL_WIDE },
	[N_CREATED] = { "CREATED", "created", CT_STR, COL_HIDE },
	[N_STATE] = { "STATE", "state", CT_STATE, COL_HIDE, "nodes_state",
		      "The node's state: 0 OK, 1 WARNING (cordoned, a condition, a stale "
		      "heartbeat), 2 CRITICAL (not Ready)." },
	[N_READY] = { "READY", "ready", CT_BOOL, COL_HIDE, "nodes_ready",
		      "1 when the node's Ready condition is True." },
	[N_UNSCHED] = { "UNSCHEDULABLE", "unschedulable", CT_BOOL, COL_HIDE,
			"nodes_unschedulable", "1 when the node is cordoned (spec.unschedulable)." },
};

/* Up to a few names per finding: memory stays flat at 5,000 nodes. */
#define MAX_NAMED 5

struct group {
	size_t n;
	struct buf names;
};

struct stats {
	size_t total, ready, notfound;
	struct group notready, cordoned, problems, stale;
};

static void group_add(struct group *g, const char *fmt, ...) SBX_PRINTF(2, 3);
static void group_add(struct group *g, const char *fmt, ...)
{
	va_list ap;

	if (g->n++ >= MAX_NAMED)
		return;
	if (g->names.len)
		buf_adds(&g->names, ", ");
	va_start(ap, fmt);
	buf_vaddf(&g->names, fmt, ap);
	va_end(ap);
}

static void group_finding(struct sbx_report *r, struct group *g, enum sbx_state st,
			  const char *check, const char *what, size_t total)
{
	struct sbx_finding *f;

	if (!g->n)
		return;
	f = report_finding(r, st, check, NULL, "%zu node%s %s: %s%s", g->n,
			   plural(g->n, "s"), what, g->names.s,
			   g->n > MAX_NAMED ? ", ..." : "");
	finding_perf(f, check, (double)g->n, "", NULL, NULL);
	finding_bounds(f, 0, (double)total);
	buf_free(&g->names);
}

/* -w: the latest of each node, for the verdict at the end (memory grows
 * with the nodes, not with the changes watched).  Sorted by name. */
struct wnode {
	char *name, *notready, *problems, *stale;
	bool cordoned, deleted;
};

static struct wnode *wmap;
static size_t wn, wa;
static bool wtrack;

static struct wnode *wnode_get(const char *name)
{
	size_t lo = 0, hi = wn;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(wmap[mid].name, name);

		if (!c)
			return &wmap[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (wn == wa) {
		wa = wa ? 2 * wa : 64;
		wmap = xrealloc(wmap, wa * sizeof(*wmap));
	}
	memmove(&wmap[lo + 1], &wmap[lo], (wn - lo) * sizeof(*wmap));
	wn++;
	memset(&wmap[lo], 0, sizeof(*wmap));
	wmap[lo].name = xstrdup(name);
	return &wmap[lo];
}

static void wnode_clear(struct wnode *w)
{
	free(w->notready);
	free(w->problems);
	free(w->stale);
	w->notready = w->problems = w->stale = NULL;
}

static void wmap_free(void)
{
	for (size_t i = 0; i < wn; i++) {
		wnode_clear(&wmap[i]);
		free(wmap[i].name);
	}
	free(wmap);
	wmap = NULL;
	wn = wa = 0;
}

/* A page's row: kubectl's cells, then the verdict (once its Lease is
 * known: not for the rows of a page that failed). */
static void add_row(struct sbx_table *t, struct stats *st, const struct k8s_node_row *row,
		    bool complete)
{
	struct sbx_cell *c = table_row(t);
	const struct k8s_node_sum *s = &row->sum;

	for (size_t k = 0; k < K8S_NC_N; k++)
		if (!row->cell[k])
			cell_unknown(&c[k], row->cell_why[k]);
		else if (!node_cols[k].none || strcmp(row->cell[k], node_cols[k].none))
			cell_str(&c[k], row->cell[k]);
		/* else kubectl's <none>: shown so, null in JSON (empty) */
	cell_str(&c[N_CREATED], row->created);
	if (!complete)
		return;
	if (s->has_lease)
		cell_num(&c[N_HEARTBEAT], s->renew_age);
	else
		cell_unknown(&c[N_HEARTBEAT], row->lease_why);
	if (s->problems.len)
		cell_str(&c[N_CONDS], s->problems.s);
	if (s->taints.len)
		cell_str(&c[N_TAINTS], s->taints.s);
	cell_i64(&c[N_STATE], s->state);
	cell_i64(&c[N_READY], !strcmp(s->ready, "True"));
	cell_i64(&c[N_UNSCHED], s->unschedulable);

	if (wtrack && row->cell[K8S_NC_NAME]) {
		struct wnode *w = wnode_get(row->cell[K8S_NC_NAME]);

		wnode_clear(w);
		w->deleted = false;
		w->cordoned = s->unschedulable;
		if (!strcmp(s->ready, "True"))
			;
		else if (*s->ready)
			w->notready = xasprintf("%s (%s%s%s)", s->name, s->ready,
						*s->ready_reason ? ", " : "", s->ready_reason);
		else
			w->notready = xasprintf("%s (no Ready condition)", s->name);
		if (s->nproblems)
			w->problems = xasprintf("%s (%s)", s->name, s->problems.s);
		if (s->has_lease && s->stale && !strcmp(s->ready, "True")) {
			char ago[32];

			k8s_human_duration(s->renew_age, ago, sizeof(ago));
			w->stale = xasprintf("%s (renewed %s ago, lease %.0fs)", s->name, ago,
					     s->lease_seconds);
		}
	}
	st->total++;
	if (!strcmp(s->ready, "True"))
		st->ready++;
	else if (*s->ready)
		group_add(&st->notready, "%s (%s%s%s)", s->name, s->ready,
			  *s->ready_reason ? ", " : "", s->ready_reason);
	else
		group_add(&st->notready, "%s (no Ready condition)", s->name);
	if (s->unschedulable)
		group_add(&st->cordoned, "%s", s->name);
	if (s->nproblems)
		group_add(&st->problems, "%s (%s)", s->name, s->problems.s);
	/* a NotReady node's stale Lease is no news */
	if (s->stale && !strcmp(s->ready, "True")) {
		char ago[32];

		k8s_human_duration(s->renew_age, ago, sizeof(ago));
		group_add(&st->stale, "%s (renewed %s ago, lease %.0fs)", s->name, ago,
			  s->lease_seconds);
	}
}

static void summarize(struct sbx_report *r, struct stats *st, const char *filter)
{
	if (!st->total) {
		if (st->notfound)
			report_summary(r, "%zu node%s not found", st->notfound,
				       plural(st->notfound, "s"));
		else
			report_summary(r, "no nodes%s%s", filter ? " match " : "", filter ? filter : "");
		return;
	}
	{
		struct buf b = { 0 };

		buf_addf(&b, "%zu node%s: %zu Ready", st->total, plural(st->total, "s"),
			 st->ready);
		if (st->notready.n)
			buf_addf(&b, ", %zu not Ready", st->notready.n);
		if (st->cordoned.n)
			buf_addf(&b, ", %zu cordoned", st->cordoned.n);
		if (st->notfound)
			buf_addf(&b, ", %zu not found", st->notfound);
		report_summary(r, "%s", b.s);
		buf_free(&b);
	}
	group_finding(r, &st->notready, ST_CRITICAL, "notready", "not Ready", st->total);
	group_finding(r, &st->cordoned, ST_WARNING, "cordoned", "cordoned", st->total);
	group_finding(r, &st->problems, ST_WARNING, "conditions", "with conditions", st->total);
	group_finding(r, &st->stale, ST_WARNING, "heartbeat",
		      "Ready whose kubelet stopped renewing its Lease", st->total);
	if (r->nfind == 0) {
		struct sbx_finding *f = report_finding(r, ST_OK, "nodes", NULL,
						       st->total == 1 ? "%zu node, Ready and schedulable"
						       : "all %zu nodes Ready and schedulable",
						       st->total);

		finding_perf(f, "nodes", (double)st->total, "", NULL, NULL);
	}
}

/* One named node, as `kubectl get nodes NAME` asks for it: a GET of the
 * node as a Table (a plain Node from a server without Tables, read as a
 * list of one).  0, -1 with err and *code (404: no such node). */
static int get_named(struct k8s *k, struct k8s_nodes *nl, const char *name, bool names_only,
		     long *code, struct sbx_err *err)
{
	struct buf p = { 0 }, wrap = { 0 };
	struct k8s_req rq = { .query = names_only ? "includeObject=None" : "includeObject=Object",
			      .accept = K8S_ACCEPT_TABLE, .raw = true };
	struct k8s_resp rs = { 0 };
	int rc;

	buf_adds(&p, "/api/v1/nodes");
	k8s_path_add(&p, name);
	rq.path = p.s;
	rc = k8s_request(k, &rq, &rs, err);
	*code = rs.code;
	if (rc == 0) {
		const char *body = rs.raw.s ? rs.raw.s : "";
		size_t n = rs.raw.len;

		if (!strstr(rs.content_type, "as=Table")) {
			buf_adds(&wrap, "{\"kind\":\"NodeList\",\"apiVersion\":\"v1\",\"items\":[");
			buf_add(&wrap, body, n);
			buf_adds(&wrap, "]}");
			body = wrap.s;
			n = wrap.len;
		}
		rc = k8s_nodes_take(nl, body, n, err) < 0 ? -1 : 0;
	}
	k8s_resp_free(&rs);
	buf_free(&p);
	buf_free(&wrap);
	return rc;
}

static void stats_free(struct stats *st)
{
	buf_free(&st->notready.names);
	buf_free(&st->cordoned.names);
	buf_free(&st->problems.names);
	buf_free(&st->stale.names);
}

/* NAME...: each node in the order given (a few: held, aligned as one
 * part); one that does not exist is an UNKNOWN finding naming it, as
 * kubectl's `Error from server (NotFound)`, and the others are shown.
 * false when the API server could not be asked. */
static bool list_named(struct sbx_ctx *ctx, struct k8s *k, struct sbx_report *rep,
		       struct sbx_table *t, struct stats *st)
{
	for (int i = 0; i < ctx->nargs; i++) {
		struct k8s_nodes nl;
		struct sbx_err err;
		long code = 0;
		int rc;

		k8s_nodes_init(&nl, k, NULL, 0, ctx->format != FMT_NAME);
		nl.no_lease_why = "not asked (-o name)";
		rc = get_named(k, &nl, ctx->args[i], ctx->format == FMT_NAME, &code, &err);
		if (rc == 0) {
			for (size_t j = 0; j < nl.nrows; j++)
				add_row(t, st, &nl.rows[j], true);
		} else if (code == 404) {
			report_finding(rep, ST_UNKNOWN, "notfound", ctx->args[i], "%s", err.msg);
			st->notfound++;
		} else {
			k8s_nodes_free(&nl);
			report_fail(rep, "%s", err.msg);
			return false;
		}
		k8s_nodes_free(&nl);
	}
	return true;
}

/* The verdict of a watch: of each node as last seen. */
static void wmap_stats(struct stats *st)
{
	stats_free(st);
	memset(st, 0, sizeof(*st));
	for (size_t i = 0; i < wn; i++) {
		struct wnode *w = &wmap[i];

		if (w->deleted)
			continue;
		st->total++;
		if (w->notready)
			group_add(&st->notready, "%s", w->notready);
		else
			st->ready++;
		if (w->cordoned)
			group_add(&st->cordoned, "%s", w->name);
		if (w->problems)
			group_add(&st->problems, "%s", w->problems);
		if (w->stale)
			group_add(&st->stale, "%s", w->stale);
	}
}

struct watch {
	struct sbx_ctx *ctx;
	struct sbx_report *rep;
	struct sbx_table *t;
	struct stats *st;
	struct k8s *k;
	char rv[64];
	size_t changes;
	bool gone;		/* 410: the resourceVersion is too old, list again */
	bool failed;		/* err says why the stream cannot go on */
	struct sbx_err err;
};

/* The rows the table holds: rendered in parts, or with -o json each a
 * Node object on its own line, as kubectl -o json -w prints objects. */
static void watch_out(struct watch *w)
{
	if (w->ctx->format == FMT_JSON) {
		for (size_t i = 0; i < w->t->nrows; i++)
			render_json_row(stdout, w->t, i);
		table_drop_rows(w->t);
		if (fflush(stdout) != 0 && errno != EPIPE)
			w->ctx->write_failed = true;
		return;
	}
	sbx_flush(w->ctx, w->rep);
}

/* One event line of the watch. */
static int on_event(void *arg, const char *line, size_t n)
{
	struct watch *w = arg;
	json_error_t je;
	json_t *ev, *obj;
	const char *type;
	char *text = NULL;
	struct buf wrap = { 0 };
	struct k8s_nodes nl;
	int rc = 0;

	while (n && (line[n - 1] == '\r' || line[n - 1] == ' '))
		n--;
	if (!n)
		return 0;
	ev = json_loadb(line, n, 0, &je);
	type = ev ? json_string_value(json_object_get(ev, "type")) : NULL;
	obj = ev ? json_object_get(ev, "object") : NULL;
	if (!type || !json_is_object(obj)) {
		sbx_err_set(&w->err, 0, "the watch sent something that is not an event: %.80s",
			    ev ? line : je.text);
		w->failed = true;
		json_decref(ev);
		return -1;
	}
	if (!strcmp(type, "ERROR")) {
		json_t *code = json_object_get(obj, "code");

		if (json_integer_value(code) == 410) {
			w->gone = true;
		} else {
			sbx_err_set(&w->err, 0, "the watch ended with an error: %s (%s %lld)",
				    k8s_str(obj, "message", "no message"), k8s_str(obj, "reason", ""),
				    (long long)json_integer_value(code));
			w->failed = true;
		}
		json_decref(ev);
		return -1;
	}
	if (*k8s_str(obj, "metadata.resourceVersion", ""))
		snprintf(w->rv, sizeof(w->rv), "%s", k8s_str(obj, "metadata.resourceVersion", ""));
	if (strcmp(type, "ADDED") && strcmp(type, "MODIFIED") && strcmp(type, "DELETED")) {
		json_decref(ev);	/* BOOKMARK: only its resourceVersion */
		return 0;
	}
	text = json_dumps(obj, JSON_COMPACT);
	if (!strcmp(k8s_str(obj, "kind", ""), "Table")) {
		buf_adds(&wrap, text);
	} else {
		buf_adds(&wrap, "{\"kind\":\"NodeList\",\"apiVersion\":\"v1\",\"items\":[");
		buf_adds(&wrap, text);
		buf_adds(&wrap, "]}");
	}
	k8s_nodes_init(&nl, w->k, NULL, 0, false);
	nl.no_lease_why = "not read for a change (-w)";
	if (k8s_nodes_take(&nl, wrap.s, wrap.len, &w->err) < 0) {
		w->failed = true;
		rc = -1;
	} else {
		for (size_t i = 0; i < nl.nrows; i++) {
			add_row(w->t, w->st, &nl.rows[i], true);
			if (!strcmp(type, "DELETED") && nl.rows[i].cell[K8S_NC_NAME])
				wnode_get(nl.rows[i].cell[K8S_NC_NAME])->deleted = true;
		}
		w->changes++;
		watch_out(w);
	}
	k8s_nodes_free(&nl);
	buf_free(&wrap);
	free(text);
	json_decref(ev);
	return rc;
}

/* The watch itself, from w->rv on: each request asks the server to end
 * after --watch-timeout (and has that plus --request-timeout to do it);
 * a clean end is followed by the next request from the last
 * resourceVersion seen, a broken one by up to WATCH_RETRIES more a
 * growing pause apart.  0 when stopped by a signal, 1 when the
 * resourceVersion expired (list again), -1 with w->err. */
#define WATCH_RETRIES 3

static int watch_run(struct watch *w, const char *q0)
{
	int broken = 0;

	while (!*w->ctx->stop) {
		struct buf q = { 0 };
		char to[32];
		struct k8s_req rq = { .path = "/api/v1/nodes", .accept = K8S_ACCEPT_TABLE,
				      .line = on_event, .line_arg = w, .stop = w->ctx->stop,
				      .timeout = o_watch_timeout + k8s_timeout(w->k),
				      .connect_timeout = k8s_timeout(w->k) };
		struct k8s_resp rs;
		double t0 = now_monotonic();
		size_t before = w->changes;
		long code;
		int rc;

		buf_adds(&q, q0 ? q0 : "");
		k8s_query_add(&q, "includeObject", w->ctx->format == FMT_NAME ? "None" : "Object");
		k8s_query_add(&q, "allowWatchBookmarks", "true");
		k8s_query_add(&q, "resourceVersion", w->rv);
		snprintf(to, sizeof(to), "%.0f", o_watch_timeout);
		k8s_query_add(&q, "timeoutSeconds", to);
		k8s_query_add(&q, "watch", "true");
		rq.query = q.s;
		w->failed = w->gone = false;
		rc = k8s_request(w->k, &rq, &rs, &w->err);
		code = rs.code;
		buf_free(&q);
		if (rc < 0 && code == 410)
			w->gone = true;
		k8s_resp_free(&rs);
		if (*w->ctx->stop)
			return 0;
		if (w->gone)
			return 1;
		if (rc == 0) {
			broken = 0;
			/* a server that ends every watch at once: not a busy loop */
			if (now_monotonic() - t0 < 1)
				sbx_wait(w->ctx, 1);
			continue;
		}
		if (w->failed || (code >= 400 && code != 429 && code < 500))
			return -1;	/* not a dropped connection: asking again gives the same */
		if (w->changes > before)
			broken = 0;
		if (++broken > WATCH_RETRIES) {
			char m[sizeof(w->err.msg)];

			snprintf(m, sizeof(m), "%s", w->err.msg);
			sbx_err_set(&w->err, 0, "the watch broke %d times in a row, the last: %s",
				    broken, m);
			return -1;
		}
		fprintf(stderr, "srebox nodes: the watch broke (%s): watching again from "
			"resourceVersion %s in %ds\n", w->err.msg, w->rv, 1 << (broken - 1));
		sbx_wait(w->ctx, 1 << (broken - 1));
	}
	return 0;
}

/* nodes -w: the list (its rows as they come), then the watch from its
 * resourceVersion, listing again when that expires; the verdict at the
 * end is of each node as last seen. */
static int watch_nodes(struct sbx_ctx *ctx, struct sbx_report *rep, struct sbx_table *t,
		       struct k8s *k, struct buf *q, struct buf *filter)
{
	struct stats st = { 0 };
	struct watch w = { .ctx = ctx, .rep = rep, .t = t, .st = &st, .k = k };
	double t0 = now_monotonic();
	const char *end = NULL;
	int rc = 0, lists = 0;

	wtrack = true;
	while (!*ctx->stop) {
		struct k8s_nodes nl;
		struct sbx_err err;

		k8s_nodes_init(&nl, k, q->s, o_chunk, ctx->format != FMT_NAME);
		nl.no_lease_why = "not asked (-o name)";
		if (ctx->format == FMT_NAME)
			nl.list.kind = K8S_TABLE;
		while ((rc = k8s_nodes_next(&nl, &err)) > 0) {
			for (size_t i = 0; i < nl.nrows; i++)
				add_row(t, &st, &nl.rows[i], true);
			watch_out(&w);
		}
		lists++;
		snprintf(w.rv, sizeof(w.rv), "%s", nl.list.rv);
		k8s_nodes_free(&nl);
		if (rc < 0) {
			w.err = err;
			rc = -1;
			break;
		}
		if (!*w.rv) {
			sbx_err_set(&w.err, 0, "the node list has no resourceVersion to watch from");
			rc = -1;
			break;
		}
		rc = watch_run(&w, q->s);
		if (rc != 1)
			break;
		fprintf(stderr, "srebox nodes: the watch's resourceVersion %s expired (410 Gone): "
			"listing again\n", w.rv);
	}
	if (*ctx->stop)
		end = *ctx->stop == SIGPIPE ? "the reader went away" : "interrupted";
	if (rc < 0) {
		report_fail(rep, "%s", w.err.msg);
		stats_free(&st);
	} else {
		char took[32];

		k8s_human_duration(now_monotonic() - t0, took, sizeof(took));
		wmap_stats(&st);
		summarize(rep, &st, filter->len ? filter->s : NULL);
		report_note(rep, "%s%swatched %zu %s in %s%s%s%s", rep->note ? rep->note : "",
			    rep->note ? "; " : "", w.changes,
			    w.changes == 1 ? "change" : "changes", took,
			    lists > 1 ? " (listed again after a 410)" : "", end ? "; " : "",
			    end ? end : "");
	}
	wmap_free();
	wtrack = false;
	k8s_close(k);
	buf_free(q);
	buf_free(filter);
	if (ctx->format == FMT_JSON) {
		/* the stream was of objects: the verdict is for the person */
		if (rep->error)
			fprintf(stderr, "srebox nodes: %s\n", rep->error);
		else if (rep->summary)
			fprintf(stderr, "srebox nodes: %s\n", rep->summary);
		ctx->worst = ctx->emitted ? state_worst(ctx->worst, report_state(rep))
					  : report_state(rep);
		ctx->emitted++;
		report_free(rep);
		return 0;
	}
	sbx_emit(ctx, rep);
	return 0;
}

static int nodes_run(struct sbx_ctx *ctx)
{
	struct sbx_report *rep = report_new("nodes");
	struct stats st = { 0 };
	struct sbx_err err;
	struct sbx_table *t;
	struct k8s *k;
	struct k8s_nodes nl;
	struct buf q = { 0 }, filter = { 0 };
	int rc;

	if (ctx->nargs && ((o_selector && *o_selector) || (o_field_selector && *o_field_selector))) {
		warnx_("give NAME... or a selector (-l, --field-selector), not both (as kubectl)");
		report_free(rep);
		return 3;
	}
	if (o_watch && o_watch_timeout < 1) {
		warnx_("--watch-timeout must be 1s or more, not %gs", o_watch_timeout);
		report_free(rep);
		return 3;
	}
	if (o_watch && ctx->nargs > 1) {
		warnx_("-w watches all the nodes or one NAME, not %d (as kubectl)", ctx->nargs);
		report_free(rep);
		return 3;
	}
	ctx->no_headers = o_no_headers;
	/* `srebox nodes | awk` reads rows: the verdict goes to the person */
	ctx->verdict_stderr = (ctx->format == FMT_TABLE || ctx->format == FMT_WIDE) && !isatty(1);
	t = report_table(rep, "nodes", node_cols, N_NCOLS);
	t->list_kind = "Node";	/* -o json: a v1 List of them, as kubectl's */
	k = k8s_open(&ctx->kube, &err);
	if (!k) {
		report_fail(rep, "%s", err.msg);
		sbx_emit(ctx, rep);
		return 0;
	}
	if (k8s_cfg(k)->from_node || k8s_cfg(k)->note)
		report_note(rep, "%s%s%s", k8s_cfg(k)->from_node ? k8s_cfg(k)->source : "",
			    k8s_cfg(k)->from_node && k8s_cfg(k)->note ? "; " : "",
			    k8s_cfg(k)->note ? k8s_cfg(k)->note : "");
	if (o_watch && ctx->nargs == 1) {
		/* kubectl get nodes NAME -w: the list and watch of that name */
		char *fs = xasprintf("metadata.name=%s", ctx->args[0]);

		k8s_query_add(&q, "fieldSelector", fs);
		buf_adds(&filter, ctx->args[0]);
		free(fs);
		ctx->nargs = 0;
	}
	if (ctx->nargs) {
		if (list_named(ctx, k, rep, t, &st)) {
			sbx_flush(ctx, rep);	/* laid out as a list is: rows, then the verdict */
			summarize(rep, &st, NULL);
		}
		else
			stats_free(&st);
		k8s_close(k);
		sbx_emit(ctx, rep);
		return 0;
	}
	if (o_selector && *o_selector) {
		k8s_query_add(&q, "labelSelector", o_selector);
		buf_addf(&filter, "-l %s", o_selector);
	}
	if (o_field_selector && *o_field_selector) {
		k8s_query_add(&q, "fieldSelector", o_field_selector);
		buf_addf(&filter, "%s--field-selector %s", filter.len ? " " : "", o_field_selector);
	}
	if (o_watch)
		return watch_nodes(ctx, rep, t, k, &q, &filter);
	/* -o name: no Lease is asked for, and of each node only its Table
	 * row without the object (the name is its first cell) */
	k8s_nodes_init(&nl, k, q.s, o_chunk, ctx->format != FMT_NAME);
	nl.no_lease_why = "not asked (-o name)";
	if (ctx->format == FMT_NAME)
		nl.list.kind = K8S_TABLE;
	while ((rc = k8s_nodes_next(&nl, &err)) > 0) {
		for (size_t i = 0; i < nl.nrows; i++)
			add_row(t, &st, &nl.rows[i], true);
		sbx_flush(ctx, rep);
	}
	if (rc < 0) {
		for (size_t i = 0; i < nl.nrows; i++)
			add_row(t, &st, &nl.rows[i], false);
		report_fail(rep, "%s", err.msg);
		stats_free(&st);
	} else {
		summarize(rep, &st, filter.s);
	}
	k8s_nodes_free(&nl);
	k8s_close(k);
	buf_free(&q);
	buf_free(&filter);
	sbx_emit(ctx, rep);
	return 0;
}

const struct sbx_applet applet_nodes = {
	.name = "nodes",
	.examples =
		"# the cluster at a glance, then with the wide columns\n"
		"srebox nodes\n"
		"srebox nodes -o wide\n"
		"# watch them change while a pool is drained\n"
		"srebox nodes -w -l pool=batch\n"
		"# drain a pool\n"
		"srebox drain --ignore-daemonsets --yes $(srebox nodes -l pool=batch -o name)\n",
	.summary = "the cluster's nodes as kubectl get nodes shows them, with pressure, taints and "
		   "kubelet heartbeats",
	.usage = "[OPTIONS] [NAME...]",
	.description =
		"Lists the nodes (or each NAME) with the cells of `kubectl get nodes`, then\n"
		"what kubectl leaves out: the age of the kubelet's last Lease renewal\n"
		"(HEARTBEAT) and the conditions besides Ready that are not False\n"
		"(MemoryPressure, DiskPressure, PIDPressure, NetworkUnavailable, the\n"
		"node-problem-detector's); -o wide adds kubectl's wide columns and the taints.\n"
		"-o json is a v1 List as kubectl's (apiVersion, kind List, items of kind Node\n"
		"with metadata.name), each item srebox's cells with null for a missing value.\n"
		"On a pipe only the rows go to stdout, the verdict to stderr.  -w then prints a\n"
		"row per change from the API's watch until Ctrl-C, as kubectl get nodes -w, and\n"
		"the verdict of the nodes as last seen at the end.  Exit 0 when all\n"
		"nodes are Ready and schedulable, 1 when some are cordoned, under a condition\n"
		"or have a stale heartbeat, 2 when some are not Ready, 3 when the API server\n"
		"could not be asked or no NAME was found.",
	.flags = AP_K8S | AP_OUTPUT,
	.opts = nodes_opts,
	.args_complete = "k8s:nodes",
	.run = nodes_run,
};
