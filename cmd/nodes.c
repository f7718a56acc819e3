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

static const char *o_selector, *o_field_selector;
static unsigned o_chunk = K8S_CHUNK;

static const struct sbx_opt nodes_opts[] = {
	{ 'l', "selector", OPT_STRING, &o_selector, "SELECTOR",
	  "only nodes with these labels (kubectl's -l: a=b,c!=d,e in (f,g),!h)", NULL, NULL },
	{ 0, "field-selector", OPT_STRING, &o_field_selector, "SELECTOR",
	  "only nodes whose fields match (metadata.name=x, spec.unschedulable=true)", NULL, NULL },
	{ 0, "chunk-size", OPT_UINT, &o_chunk, "N",
	  "ask for N nodes at a time (default 500; 0: all in one answer)", NULL, NULL },
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
	[N_ROLES] = { "ROLES", "roles", CT_STR },
	[N_AGE] = { "AGE", "age", CT_STR },
	[N_VERSION] = { "VERSION", "version", CT_STR },
	[N_IIP] = { "INTERNAL-IP", "internal_ip", CT_STR, COL_WIDE },
	[N_EIP] = { "EXTERNAL-IP", "external_ip", CT_STR, COL_WIDE },
	[N_OS] = { "OS-IMAGE", "os_image", CT_STR, COL_WIDE },
	[N_KERNEL] = { "KERNEL-VERSION", "kernel_version", CT_STR, COL_WIDE },
	[N_RUNTIME] = { "CONTAINER-RUNTIME", "container_runtime", CT_STR, COL_WIDE },
	[N_HEARTBEAT] = { "HEARTBEAT", "heartbeat_age_seconds", CT_SECONDS, 0,
			  "nodes_heartbeat_age_seconds",
			  "Seconds since the kubelet last renewed its Lease in kube-node-lease." },
	[N_CONDS] = { "CONDITIONS", "conditions", CT_STR },
	[N_TAINTS] = { "TAINTS", "taints", CT_STR },
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
	size_t total, ready;
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
	f = report_finding(r, st, check, NULL, "%zu %s %s: %s%s", g->n,
			   g->n == 1 ? "node" : "nodes", what, g->names.s,
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
		if (row->cell[k])
			cell_str(&c[k], row->cell[k]);
		else
			cell_unknown(&c[k], row->cell_why[k]);
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
		report_summary(r, "no nodes%s%s", filter ? " match " : "", filter ? filter : "");
		return;
	}
	{
		struct buf b = { 0 };

		buf_addf(&b, "%zu %s: %zu Ready", st->total, st->total == 1 ? "node" : "nodes",
			 st->ready);
		if (st->notready.n)
			buf_addf(&b, ", %zu not Ready", st->notready.n);
		if (st->cordoned.n)
			buf_addf(&b, ", %zu cordoned", st->cordoned.n);
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
						       "all %zu nodes Ready and schedulable", st->total);

		finding_perf(f, "nodes", (double)st->total, "", NULL, NULL);
	}
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

	if (ctx->nargs) {
		warnx_("unexpected argument '%s' (for one node: srebox node %s)", ctx->args[0],
		       ctx->args[0]);
		report_free(rep);
		return 3;
	}
	t = report_table(rep, "nodes", node_cols, N_NCOLS);
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
	if (o_selector && *o_selector) {
		k8s_query_add(&q, "labelSelector", o_selector);
		buf_addf(&filter, "-l %s", o_selector);
	}
	if (o_field_selector && *o_field_selector) {
		k8s_query_add(&q, "fieldSelector", o_field_selector);
		buf_addf(&filter, "%s--field-selector %s", filter.len ? " " : "", o_field_selector);
	}
	/* -o name: no Lease is asked for */
	k8s_nodes_init(&nl, k, q.s, o_chunk, ctx->format != FMT_NAME);
	nl.no_lease_why = "not asked (-o name)";
	while ((rc = k8s_nodes_next(&nl, &err)) > 0) {
		for (size_t i = 0; i < nl.nrows; i++)
			add_row(t, &st, &nl.rows[i], true);
		sbx_flush(ctx, rep);
	}
	if (rc < 0) {
		for (size_t i = 0; i < nl.nrows; i++)
			add_row(t, &st, &nl.rows[i], false);
		report_fail(rep, "%s", err.msg);
		buf_free(&st.notready.names);
		buf_free(&st.cordoned.names);
		buf_free(&st.problems.names);
		buf_free(&st.stale.names);
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
	.usage = "[OPTIONS]",
	.description =
		"Lists the nodes with the cells of `kubectl get nodes` (-o wide: its wide\n"
		"columns), then what kubectl leaves out: the conditions besides Ready that are\n"
		"not False (MemoryPressure, DiskPressure, PIDPressure, NetworkUnavailable, the\n"
		"node-problem-detector's), the taints, and the age of the kubelet's last Lease\n"
		"renewal (HEARTBEAT).  Exit 0 when all nodes are Ready and schedulable, 1 when\n"
		"some are cordoned, under a condition or have a stale heartbeat, 2 when some\n"
		"are not Ready, 3 when the API server could not be asked.",
	.flags = AP_K8S | AP_OUTPUT,
	.opts = nodes_opts,
	.run = nodes_run,
};
