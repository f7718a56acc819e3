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

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *o_selector, *o_field_selector;
static unsigned o_chunk = K8S_CHUNK;
static bool o_no_headers;

static const struct sbx_opt nodes_opts[] = {
	{ 'l', "selector", OPT_STRING, &o_selector, "SELECTOR",
	  "only nodes with these labels (kubectl's -l: a=b,c!=d,e in (f,g),!h)", NULL, NULL },
	{ 0, "field-selector", OPT_STRING, &o_field_selector, "SELECTOR",
	  "only nodes whose fields match (metadata.name=x, spec.unschedulable=true)", NULL, NULL },
	{ 0, "chunk-size", OPT_UINT, &o_chunk, "N",
	  "ask for N nodes at a time (default 500; 0: all in one answer)", NULL, NULL },
	{ 0, "no-headers", OPT_FLAG, &o_no_headers, NULL,
	  "print the rows without the header line, as kubectl does", NULL, NULL },
	OPT_END,
};

/* kubectl's cells first, in lib/k8s_nodes.h's order, then ours. */
enum { N_NAME = K8S_NC_NAME, N_STATUS = K8S_NC_STATUS, N_ROLES = K8S_NC_ROLES, N_AGE = K8S_NC_AGE,
       N_VERSION = K8S_NC_VERSION, N_IIP = K8S_NC_IIP, N_EIP = K8S_NC_EIP, N_OS = K8S_NC_OS,
       N_KERNEL = K8S_NC_KERNEL, N_RUNTIME = K8S_NC_RUNTIME,
       N_HEARTBEAT = K8S_NC_N, N_CONDS, N_TAINTS, N_CREATED, N_STATE, N_READY, N_UNSCHED, N_NCOLS };

static const struct sbx_col node_cols[] = {
	[N_NAME] = { "NAME", "name", CT_STR, COL_LABEL },
	[N_STATUS] = { "STATUS", "status", CT_STR },
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
		"On a pipe only the rows go to stdout, the verdict to stderr.  Exit 0 when all\n"
		"nodes are Ready and schedulable, 1 when some are cordoned, under a condition\n"
		"or have a stale heartbeat, 2 when some are not Ready, 3 when the API server\n"
		"could not be asked or no NAME was found.",
	.flags = AP_K8S | AP_OUTPUT,
	.opts = nodes_opts,
	.args_complete = "k8s:nodes",
	.run = nodes_run,
};
