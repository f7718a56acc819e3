/* srebox nodes: `kubectl get nodes [-o wide]` with what kubectl leaves
 * out -- the conditions that are not False besides Ready (pressure,
 * node-problem-detector), the taints, and the kubelet's heartbeat from its
 * Lease, which goes stale before the node turns NotReady.  Rows are printed
 * chunk by chunk as the chunked list arrives: memory does not grow with the
 * cluster. */
#include "applet.h"
#include "k8s.h"
#include "k8s_node.h"
#include "k8s_obj.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

enum { N_NAME, N_STATUS, N_ROLES, N_AGE, N_VERSION, N_IIP, N_EIP, N_OS, N_KERNEL, N_RUNTIME,
       N_HEARTBEAT, N_CONDS, N_TAINTS, N_CREATED, N_STATE, N_READY, N_UNSCHED, N_NCOLS };

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

/* The server Table's column names, in our column order (the order of
 * kubectl's printer, assumed until the columnDefinitions say otherwise). */
static const char *const table_names[] = {
	[N_NAME] = "Name",	     [N_STATUS] = "Status",	    [N_ROLES] = "Roles",
	[N_AGE] = "Age",	     [N_VERSION] = "Version",	    [N_IIP] = "Internal-IP",
	[N_EIP] = "External-IP",     [N_OS] = "OS-Image",	    [N_KERNEL] = "Kernel-Version",
	[N_RUNTIME] = "Container-Runtime",
};
#define NCELLS ARRAY_SIZE(table_names)

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

/* What the list says, read without building a tree: of a page of 500
 * Nodes (5-25 MB) only these values are looked at.  A Table's rows carry
 * kubectl's cells and the object; a plain NodeList only objects, and the
 * cells are computed here as the server computes them. */
enum {
	/* a Table */
	P_COLDEF, P_CELL, P_NAME, P_CREATED, P_UNSCHED, P_TKEY, P_TVALUE, P_TEFFECT, P_TAINT,
	P_CTYPE, P_CSTATUS, P_CREASON, P_COND, P_ROW,
	/* a NodeList */
	I_NAME, I_CREATED, I_LABEL, I_UNSCHED, I_TKEY, I_TVALUE, I_TEFFECT, I_TAINT, I_CTYPE,
	I_CSTATUS, I_CREASON, I_COND, I_KUBELET, I_OS, I_KERNEL, I_RUNTIME, I_ATYPE, I_ADDR,
	I_ADDRESS, I_ROW,
	P_NCAPTURE
};

static const char *const list_paths[] = {
	[P_COLDEF] = "=columnDefinitions.*.name",
	[P_CELL] = "=rows.*.cells.*",
	[P_NAME] = "=rows.*.object.metadata.name",
	[P_CREATED] = "=rows.*.object.metadata.creationTimestamp",
	[P_UNSCHED] = "=rows.*.object.spec.unschedulable",
	[P_TKEY] = "=rows.*.object.spec.taints.*.key",
	[P_TVALUE] = "=rows.*.object.spec.taints.*.value",
	[P_TEFFECT] = "=rows.*.object.spec.taints.*.effect",
	[P_TAINT] = "=rows.*.object.spec.taints.*",
	[P_CTYPE] = "=rows.*.object.status.conditions.*.type",
	[P_CSTATUS] = "=rows.*.object.status.conditions.*.status",
	[P_CREASON] = "=rows.*.object.status.conditions.*.reason",
	[P_COND] = "=rows.*.object.status.conditions.*",
	[P_ROW] = "=rows.*",
	[I_NAME] = "=items.*.metadata.name",
	[I_CREATED] = "=items.*.metadata.creationTimestamp",
	[I_LABEL] = "=items.*.metadata.labels.*",
	[I_UNSCHED] = "=items.*.spec.unschedulable",
	[I_TKEY] = "=items.*.spec.taints.*.key",
	[I_TVALUE] = "=items.*.spec.taints.*.value",
	[I_TEFFECT] = "=items.*.spec.taints.*.effect",
	[I_TAINT] = "=items.*.spec.taints.*",
	[I_CTYPE] = "=items.*.status.conditions.*.type",
	[I_CSTATUS] = "=items.*.status.conditions.*.status",
	[I_CREASON] = "=items.*.status.conditions.*.reason",
	[I_COND] = "=items.*.status.conditions.*",
	[I_KUBELET] = "=items.*.status.nodeInfo.kubeletVersion",
	[I_OS] = "=items.*.status.nodeInfo.osImage",
	[I_KERNEL] = "=items.*.status.nodeInfo.kernelVersion",
	[I_RUNTIME] = "=items.*.status.nodeInfo.containerRuntimeVersion",
	[I_ATYPE] = "=items.*.status.addresses.*.type",
	[I_ADDR] = "=items.*.status.addresses.*.address",
	[I_ADDRESS] = "=items.*.status.addresses.*",
	[I_ROW] = "=items.*",
	/* and nothing else */
	"columnDefinitions.*.*",
	"rows.*.object.*",
	"rows.*.object.metadata.*",
	"rows.*.object.spec.*",
	"rows.*.object.spec.taints.*.*",
	"rows.*.object.status.*",
	"rows.*.object.status.conditions.*.*",
	"items.*.metadata.*",
	"items.*.spec.*",
	"items.*.spec.taints.*.*",
	"items.*.status.*",
	"items.*.status.conditions.*.*",
	"items.*.status.nodeInfo.*",
	"items.*.status.addresses.*.*",
	NULL,
};

/* The row being read, and everything the list applet keeps. */
struct reader {
	struct k8s *k;
	bool names_only;		/* -o name: no Lease is asked for */
	struct sbx_table *t;
	struct k8s_node_sum *pending;	/* the page's rows, until their Leases */
	size_t npending, apending;
	struct stats st;
	struct k8s_lease_join lj;
	bool joined;
	double now;
	int pos[NCELLS];		/* our column -> the Table's cell index */
	char *coldefs[32];
	size_t ncoldefs;
	/* the row */
	bool in_row, table;
	long row;
	char *cells[32];
	struct k8s_node_sum sum;
	struct buf name, created, tk, tv, te, ct, cs, cr, at, aa, iip, eip, kubelet, os, kernel,
		runtime;
	bool has_iip, has_eip;
	char *roles[16];
	size_t nroles;
};

static void row_reset(struct reader *r)
{
	struct buf *bufs[] = { &r->name, &r->created, &r->tk, &r->tv, &r->te, &r->ct, &r->cs,
			       &r->cr, &r->at, &r->aa, &r->iip, &r->eip, &r->kubelet, &r->os,
			       &r->kernel, &r->runtime };

	for (size_t i = 0; i < ARRAY_SIZE(r->cells); i++) {
		free(r->cells[i]);
		r->cells[i] = NULL;
	}
	for (size_t i = 0; i < r->nroles; i++)
		free(r->roles[i]);
	r->nroles = 0;
	for (size_t i = 0; i < ARRAY_SIZE(bufs); i++)
		buf_reset(bufs[i]);
	r->has_iip = r->has_eip = false;
	k8s_node_sum_free(&r->sum);
	k8s_node_sum_init(&r->sum, "");
}

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

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The cells of a plain NodeList's node, as the API server computes them. */
static void cells_from_object(struct reader *r, struct sbx_cell *c, const struct k8s_node_sum *s)
{
	char age[32];

	cell_str(&c[N_NAME], s->name);
	cell_str(&c[N_STATUS], s->status.s);
	if (r->nroles) {
		struct buf b = { 0 };

		qsort(r->roles, r->nroles, sizeof(r->roles[0]), cmp_str);
		for (size_t i = 0; i < r->nroles; i++)
			if (!i || strcmp(r->roles[i], r->roles[i - 1]))
				buf_addf(&b, "%s%s", b.len ? "," : "", r->roles[i]);
		cell_str(&c[N_ROLES], b.s);
		buf_free(&b);
	} else {
		cell_str(&c[N_ROLES], "<none>");
	}
	k8s_age(r->created.len ? r->created.s : NULL, r->now, age, sizeof(age));
	cell_str(&c[N_AGE], age);
	cell_str(&c[N_VERSION], r->kubelet.s ? r->kubelet.s : "");
	cell_str(&c[N_IIP], r->has_iip ? r->iip.s ? r->iip.s : "" : "<none>");
	cell_str(&c[N_EIP], r->has_eip ? r->eip.s ? r->eip.s : "" : "<none>");
	cell_str(&c[N_OS], r->os.len ? r->os.s : "<unknown>");
	cell_str(&c[N_KERNEL], r->kernel.len ? r->kernel.s : "<unknown>");
	cell_str(&c[N_RUNTIME], r->runtime.len ? r->runtime.s : "<unknown>");
}

static void cells_from_table(struct reader *r, struct sbx_cell *c)
{
	for (size_t k = 0; k < NCELLS; k++) {
		int i = r->pos[k];

		if (i >= 0 && (size_t)i < ARRAY_SIZE(r->cells) && r->cells[i])
			cell_str(&c[k], r->cells[i]);
		else
			cell_unknown(&c[k], i < 0 ? "the server's Table lacks this column"
						  : "the server's Table row lacks this cell");
	}
}

/* A row is read: kubectl's cells now; what needs its Lease at the end of
 * the page (finish_page), when it is known whether the list is short. */
static void add_node(struct reader *r)
{
	struct sbx_cell *c = table_row(r->t);
	struct k8s_node_sum *s;

	r->now = k8s_now(r->k);
	ALLOC_GROW(r->pending, r->npending + 1, r->apending);
	s = &r->pending[r->npending++];
	*s = r->sum;	/* the row's summary moves to the page */
	k8s_node_sum_init(&r->sum, "");
	snprintf(s->name, sizeof(s->name), "%s", r->name.s ? r->name.s : "");
	k8s_node_sum_done(s);
	if (r->table)
		cells_from_table(r, c);
	else
		cells_from_object(r, c, s);
	cell_str(&c[N_CREATED], r->created.s ? r->created.s : "");
}

static void finish_page(struct reader *r, bool short_list)
{
	struct stats *st = &r->st;
	size_t first = r->t->nrows - r->npending;

	if (!r->joined && !r->names_only) {
		k8s_lease_join_init(&r->lj, r->k, short_list);
		r->joined = true;
	}
	for (size_t i = 0; i < r->npending; i++) {
		struct k8s_node_sum *s = &r->pending[i];
		struct sbx_cell *c = table_cell(r->t, first + i, 0);
		const struct k8s_lease *lease =
			r->names_only ? NULL : k8s_lease_join_find(&r->lj, s->name);

		if (lease)
			k8s_node_sum_renew(s, lease->renew, lease->duration, r->now);
		if (s->has_lease)
			cell_num(&c[N_HEARTBEAT], s->renew_age);
		else
			cell_unknown(&c[N_HEARTBEAT], lease ? "the Lease has no renewTime"
					      : r->names_only ? "not asked (-o name)"
					      : r->lj.why);
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
		k8s_node_sum_free(s);
	}
	r->npending = 0;
}

static void set(struct buf *b, const char *s, size_t n)
{
	buf_reset(b);
	if (!jproj_unescape(s, n, b))
		buf_adds(b, "?");
	if (!b->s)
		buf_adds(b, "");
}

static void on_value(void *arg, unsigned path, const struct jproj *p, const char *s, size_t n,
		     char type)
{
	struct reader *r = arg;
	struct buf v = { 0 };

	if (path == P_COLDEF) {
		if (jproj_index(p, 2) == 0) {	/* each page has its definitions */
			for (size_t i = 0; i < r->ncoldefs; i++)
				free(r->coldefs[i]);
			r->ncoldefs = 0;
		}
		if (type == 's' && r->ncoldefs < ARRAY_SIZE(r->coldefs)) {
			set(&v, s, n);
			r->coldefs[r->ncoldefs++] = v.s;
			for (size_t k = 0; k < NCELLS; k++)
				if (!strcasecmp(v.s, table_names[k]))
					r->pos[k] = (int)r->ncoldefs - 1;
		}
		return;
	}
	/* the first value of a row starts it */
	if (!r->in_row) {
		row_reset(r);
		r->in_row = true;
		r->table = path < I_NAME;
	}
	switch (path) {
	case P_CELL:
		if (jproj_index(p, 4) < (long)ARRAY_SIZE(r->cells)) {
			if (type == 's')
				set(&v, s, n);
			else
				buf_add(&v, s, n);
			free(r->cells[jproj_index(p, 4)]);
			r->cells[jproj_index(p, 4)] = v.s ? v.s : xstrdup("");
		}
		return;
	case P_NAME:
	case I_NAME:
		set(&r->name, s, n);
		return;
	case P_CREATED:
	case I_CREATED:
		set(&r->created, s, n);
		return;
	case P_UNSCHED:
	case I_UNSCHED:
		r->sum.unschedulable = type == 'l' && n == 4 && !memcmp(s, "true", 4);
		return;
	case P_TKEY:
	case I_TKEY:
		set(&r->tk, s, n);
		return;
	case P_TVALUE:
	case I_TVALUE:
		set(&r->tv, s, n);
		return;
	case P_TEFFECT:
	case I_TEFFECT:
		set(&r->te, s, n);
		return;
	case P_TAINT:
	case I_TAINT:
		k8s_node_sum_taint(&r->sum, r->tk.s, r->tv.s, r->te.s);
		buf_reset(&r->tk);
		buf_reset(&r->tv);
		buf_reset(&r->te);
		return;
	case P_CTYPE:
	case I_CTYPE:
		set(&r->ct, s, n);
		return;
	case P_CSTATUS:
	case I_CSTATUS:
		set(&r->cs, s, n);
		return;
	case P_CREASON:
	case I_CREASON:
		set(&r->cr, s, n);
		return;
	case P_COND:
	case I_COND:
		k8s_node_sum_condition(&r->sum, r->ct.s, r->cs.s, r->cr.s);
		buf_reset(&r->ct);
		buf_reset(&r->cs);
		buf_reset(&r->cr);
		return;
	case I_LABEL: {
		const char *key = jproj_name(p, 5);	/* items.N.metadata.labels.KEY */
		const char *role = NULL;

		set(&v, s, n);
		if (str_starts(key, "node-role.kubernetes.io/") && key[24])
			role = key + 24;
		else if (!strcmp(key, "kubernetes.io/role") && v.len)
			role = v.s;
		if (role && r->nroles < ARRAY_SIZE(r->roles))
			r->roles[r->nroles++] = xstrdup(role);
		buf_free(&v);
		return;
	}
	case I_KUBELET:
		set(&r->kubelet, s, n);
		return;
	case I_OS:
		set(&r->os, s, n);
		return;
	case I_KERNEL:
		set(&r->kernel, s, n);
		return;
	case I_RUNTIME:
		set(&r->runtime, s, n);
		return;
	case I_ATYPE:
		set(&r->at, s, n);
		return;
	case I_ADDR:
		set(&r->aa, s, n);
		return;
	case I_ADDRESS:
		/* the first of each type, as kubectl */
		if (r->at.s && !strcmp(r->at.s, "InternalIP") && !r->has_iip) {
			set(&r->iip, r->aa.s ? r->aa.s : "", r->aa.len);
			r->has_iip = true;
		} else if (r->at.s && !strcmp(r->at.s, "ExternalIP") && !r->has_eip) {
			set(&r->eip, r->aa.s ? r->aa.s : "", r->aa.len);
			r->has_eip = true;
		}
		buf_reset(&r->at);
		buf_reset(&r->aa);
		return;
	case P_ROW:
	case I_ROW:
		add_node(r);
		r->in_row = false;
		return;
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
	struct reader *r = xcalloc(1, sizeof(*r));
	struct sbx_err err;
	struct k8s *k;
	struct k8s_list l;
	struct buf q = { 0 }, filter = { 0 };
	json_t *page;
	int rc;

	if (ctx->nargs) {
		warnx_("unexpected argument '%s' (for one node: srebox node %s)", ctx->args[0],
		       ctx->args[0]);
		report_free(rep);
		free(r);
		return 3;
	}
	r->t = report_table(rep, "nodes", node_cols, N_NCOLS);
	for (size_t i = 0; i < NCELLS; i++)
		r->pos[i] = (int)i;
	k = k8s_open(&ctx->kube, &err);
	if (!k) {
		report_fail(rep, "%s", err.msg);
		sbx_emit(ctx, rep);
		free(r);
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
	k8s_list_init(&l, k, "/api/v1/nodes", q.s, K8S_TABLE_OBJECTS, list_paths);
	k8s_list_capture(&l, on_value, r);
	l.limit = o_chunk;
	r->k = k;
	r->names_only = ctx->format == FMT_NAME;
	while ((rc = k8s_list_next(&l, &page, &err)) > 0) {
		/* a handful of nodes in all: one GET each beats listing every Lease */
		finish_page(r, l.pages == 1 && l.done && r->npending <= 16);
		sbx_flush(ctx, rep);
	}
	if (rc < 0)
		report_fail(rep, "%s", err.msg);
	else
		summarize(rep, &r->st, filter.s);
	if (r->joined)
		k8s_lease_join_free(&r->lj);
	for (size_t i = 0; i < r->npending; i++)
		k8s_node_sum_free(&r->pending[i]);
	free(r->pending);
	k8s_list_free(&l);
	k8s_close(k);
	row_reset(r);
	k8s_node_sum_free(&r->sum);
	{
		struct buf *bufs[] = { &r->name, &r->created, &r->tk, &r->tv, &r->te, &r->ct, &r->cs,
				       &r->cr, &r->at, &r->aa, &r->iip, &r->eip, &r->kubelet, &r->os,
				       &r->kernel, &r->runtime };

		for (size_t i = 0; i < ARRAY_SIZE(bufs); i++)
			buf_free(bufs[i]);
	}
	for (size_t i = 0; i < r->ncoldefs; i++)
		free(r->coldefs[i]);
	free(r);
	buf_free(&q);
	buf_free(&filter);
	sbx_emit(ctx, rep);
	return 0;
}

const struct sbx_applet applet_nodes = {
	.name = "nodes",
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
