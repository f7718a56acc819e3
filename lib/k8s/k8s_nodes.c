#include "k8s_nodes.h"

#include "k8s_obj.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The server Table's column names, in our cell order (the order of
 * kubectl's printer, assumed until the columnDefinitions say otherwise). */
static const char *const table_names[K8S_NC_N] = {
	[K8S_NC_NAME] = "Name",		  [K8S_NC_STATUS] = "Status",
	[K8S_NC_ROLES] = "Roles",	  [K8S_NC_AGE] = "Age",
	[K8S_NC_VERSION] = "Version",	  [K8S_NC_IIP] = "Internal-IP",
	[K8S_NC_EIP] = "External-IP",	  [K8S_NC_OS] = "OS-Image",
	[K8S_NC_KERNEL] = "Kernel-Version", [K8S_NC_RUNTIME] = "Container-Runtime",
};

/* What the list says, read without building a tree.  A Table's rows carry
 * kubectl's cells and the object; a plain NodeList only objects. */
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

#define MAX_CELLS 32

/* The row being read. */
struct k8s_nodes_rd {
	struct k8s_nodes *nl;
	int pos[K8S_NC_N];		/* our cell -> the Table's cell index */
	char *coldefs[MAX_CELLS];
	size_t ncoldefs;
	bool in_row, table;
	char *cells[MAX_CELLS];
	struct k8s_node_sum sum;
	struct buf name, created, tk, tv, te, ct, cs, cr, at, aa, iip, eip, kubelet, os, kernel,
		runtime;
	bool has_iip, has_eip;
	char **roles;			/* as many as the labels name: kubectl cuts none */
	size_t nroles, aroles;
	bool overflow;			/* the page had more than K8S_MAX_PAGE_ITEMS rows */
};

#define RD_BUFS(r)                                                                           \
	{ &(r)->name, &(r)->created, &(r)->tk, &(r)->tv, &(r)->te, &(r)->ct, &(r)->cs, &(r)->cr, \
	  &(r)->at, &(r)->aa, &(r)->iip, &(r)->eip, &(r)->kubelet, &(r)->os, &(r)->kernel,      \
	  &(r)->runtime }

static void row_reset(struct k8s_nodes_rd *r)
{
	struct buf *bufs[] = RD_BUFS(r);

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

static void rd_free(struct k8s_nodes_rd *r)
{
	struct buf *bufs[] = RD_BUFS(r);

	row_reset(r);
	k8s_node_sum_free(&r->sum);
	for (size_t i = 0; i < ARRAY_SIZE(bufs); i++)
		buf_free(bufs[i]);
	for (size_t i = 0; i < r->ncoldefs; i++)
		free(r->coldefs[i]);
	free(r->roles);
	free(r);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void set_cell(struct k8s_node_row *row, int k, const char *s)
{
	row->cell[k] = xstrdup(s ? s : "");
}

/* The cells of a plain NodeList's node, as the API server computes them. */
static void cells_from_object(struct k8s_nodes_rd *r, struct k8s_node_row *row, double now)
{
	char age[32];

	set_cell(row, K8S_NC_NAME, row->sum.name);
	set_cell(row, K8S_NC_STATUS, row->sum.status.s);
	if (r->nroles) {
		struct buf b = { 0 };

		qsort(r->roles, r->nroles, sizeof(r->roles[0]), cmp_str);
		for (size_t i = 0; i < r->nroles; i++)
			if (!i || strcmp(r->roles[i], r->roles[i - 1]))
				buf_addf(&b, "%s%s", b.len ? "," : "", r->roles[i]);
		set_cell(row, K8S_NC_ROLES, b.s);
		buf_free(&b);
	} else {
		set_cell(row, K8S_NC_ROLES, "<none>");
	}
	k8s_age(r->created.len ? r->created.s : NULL, now, age, sizeof(age));
	set_cell(row, K8S_NC_AGE, age);
	set_cell(row, K8S_NC_VERSION, r->kubelet.s);
	set_cell(row, K8S_NC_IIP, r->has_iip ? r->iip.s : "<none>");
	set_cell(row, K8S_NC_EIP, r->has_eip ? r->eip.s : "<none>");
	set_cell(row, K8S_NC_OS, r->os.len ? r->os.s : "<unknown>");
	set_cell(row, K8S_NC_KERNEL, r->kernel.len ? r->kernel.s : "<unknown>");
	set_cell(row, K8S_NC_RUNTIME, r->runtime.len ? r->runtime.s : "<unknown>");
}

static void cells_from_table(struct k8s_nodes_rd *r, struct k8s_node_row *row)
{
	for (size_t k = 0; k < K8S_NC_N; k++) {
		int i = r->pos[k];

		if (i >= 0 && (size_t)i < ARRAY_SIZE(r->cells) && r->cells[i])
			set_cell(row, (int)k, r->cells[i]);
		else
			row->cell_why[k] = i < 0 ? "the server's Table lacks this column"
						 : "the server's Table row lacks this cell";
	}
}

/* A row is read: its cells and summary join the page; its Lease comes at
 * the end of the page, when it is known whether the list is short. */
static void add_node(struct k8s_nodes_rd *r)
{
	struct k8s_nodes *nl = r->nl;
	struct k8s_node_row *row;

	if (nl->nrows >= K8S_MAX_PAGE_ITEMS) {
		r->overflow = true;	/* kept no further: the page is an error */
		return;
	}
	if (nl->list.k)
		nl->now = k8s_now(nl->list.k);
	ALLOC_GROW(nl->rows, nl->nrows + 1, nl->arows);
	row = &nl->rows[nl->nrows++];
	memset(row, 0, sizeof(*row));
	row->sum = r->sum;	/* the row's summary moves to the page */
	k8s_node_sum_init(&r->sum, "");
	/* a Table without objects (-o name asks for no more) names the row in its cells */
	if (!r->name.len && r->table && r->pos[K8S_NC_NAME] >= 0 && r->cells[r->pos[K8S_NC_NAME]]) {
		buf_reset(&r->name);
		buf_adds(&r->name, r->cells[r->pos[K8S_NC_NAME]]);
	}
	snprintf(row->sum.name, sizeof(row->sum.name), "%s", r->name.s ? r->name.s : "");
	k8s_node_sum_done(&row->sum);
	if (r->table)
		cells_from_table(r, row);
	else
		cells_from_object(r, row, nl->now);
	row->created = xstrdup(r->created.s ? r->created.s : "");
}

static void set(struct buf *b, const char *s, size_t n)
{
	buf_reset(b);
	if (!jproj_unescape(s, n, b))
		buf_adds(b, "?");
	if (!b->s)
		buf_adds(b, "");
}

static void on_coldef(struct k8s_nodes_rd *r, const struct jproj *p, const char *s, size_t n,
		      char type)
{
	struct buf v = { 0 };

	if (jproj_index(p, 2) == 0) {	/* each page has its definitions */
		for (size_t i = 0; i < r->ncoldefs; i++)
			free(r->coldefs[i]);
		r->ncoldefs = 0;
		for (size_t k = 0; k < K8S_NC_N; k++)
			r->pos[k] = -1;
	}
	if (type == 's' && r->ncoldefs < ARRAY_SIZE(r->coldefs)) {
		set(&v, s, n);
		r->coldefs[r->ncoldefs++] = v.s;
		for (size_t k = 0; k < K8S_NC_N; k++)
			if (!strcasecmp(v.s, table_names[k]))
				r->pos[k] = (int)r->ncoldefs - 1;
	}
}

static void on_label(struct k8s_nodes_rd *r, const struct jproj *p, const char *s, size_t n)
{
	const char *key = jproj_name(p, 5);	/* items.N.metadata.labels.KEY */
	const char *role = NULL;
	struct buf v = { 0 };

	set(&v, s, n);
	if (str_starts(key, "node-role.kubernetes.io/") && key[24])
		role = key + 24;
	else if (!strcmp(key, "kubernetes.io/role") && v.len)
		role = v.s;
	if (role) {
		ALLOC_GROW(r->roles, r->nroles + 1, r->aroles);
		r->roles[r->nroles++] = xstrdup(role);
	}
	buf_free(&v);
}

/* The first address of each type, as kubectl. */
static void on_address(struct k8s_nodes_rd *r)
{
	if (r->at.s && !strcmp(r->at.s, "InternalIP") && !r->has_iip) {
		set(&r->iip, r->aa.s ? r->aa.s : "", r->aa.len);
		r->has_iip = true;
	} else if (r->at.s && !strcmp(r->at.s, "ExternalIP") && !r->has_eip) {
		set(&r->eip, r->aa.s ? r->aa.s : "", r->aa.len);
		r->has_eip = true;
	}
	buf_reset(&r->at);
	buf_reset(&r->aa);
}

static void on_value(void *arg, unsigned path, const struct jproj *p, const char *s, size_t n,
		     char type)
{
	struct k8s_nodes_rd *r = arg;

	if (path == P_COLDEF) {
		on_coldef(r, p, s, n, type);
		return;
	}
	/* a row is an object: an item that is a string or a number is none */
	if ((path == P_ROW || path == I_ROW) && type != 'e')
		return;
	/* the first value of a row starts it */
	if (!r->in_row) {
		row_reset(r);
		r->in_row = true;
		r->table = path < I_NAME;
	}
	switch (path) {
	case P_CELL: {
		long i = jproj_index(p, 4);
		struct buf v = { 0 };

		if (i >= 0 && i < (long)ARRAY_SIZE(r->cells)) {
			if (type == 's')
				set(&v, s, n);
			else
				buf_add(&v, s, n);
			free(r->cells[i]);
			r->cells[i] = v.s ? v.s : xstrdup("");
		}
		return;
	}
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
	case I_LABEL:
		on_label(r, p, s, n);
		return;
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
		on_address(r);
		return;
	case P_ROW:
	case I_ROW:
		add_node(r);
		r->in_row = false;
		return;
	}
}

static void rows_clear(struct k8s_nodes *nl)
{
	for (size_t i = 0; i < nl->nrows; i++) {
		struct k8s_node_row *row = &nl->rows[i];

		for (size_t k = 0; k < K8S_NC_N; k++)
			free(row->cell[k]);
		free(row->created);
		free(row->lease_why);
		k8s_node_sum_free(&row->sum);
	}
	nl->nrows = 0;
	nl->leases_joined = false;
}

void k8s_nodes_init(struct k8s_nodes *nl, struct k8s *k, const char *query, unsigned limit,
		    bool leases)
{
	struct k8s_nodes_rd *r = xcalloc(1, sizeof(*r));

	memset(nl, 0, sizeof(*nl));
	r->nl = nl;
	for (size_t i = 0; i < K8S_NC_N; i++)
		r->pos[i] = (int)i;
	k8s_node_sum_init(&r->sum, "");
	nl->rd = r;
	nl->leases = leases && k;
	nl->no_lease_why = "not asked";
	k8s_list_init(&nl->list, k, "/api/v1/nodes", query, K8S_TABLE_OBJECTS, list_paths);
	k8s_list_capture(&nl->list, on_value, r);
	nl->list.limit = limit;
}

/* The page is read: each node's Lease, its heartbeat. */
static void page_end(struct k8s_nodes *nl)
{
	/* a handful of nodes in all: one GET each beats listing every Lease */
	bool short_list = nl->list.pages == 1 && nl->list.done && nl->nrows <= 16;

	if (!nl->joined && nl->leases) {
		k8s_lease_join_init(&nl->lj, nl->list.k, short_list);
		nl->joined = true;
	}
	for (size_t i = 0; i < nl->nrows; i++) {
		struct k8s_node_row *row = &nl->rows[i];
		const struct k8s_lease *lease =
			nl->leases ? k8s_lease_join_find(&nl->lj, row->sum.name) : NULL;

		if (lease)
			k8s_node_sum_renew(&row->sum, lease->renew, lease->duration, nl->now);
		if (!row->sum.has_lease)
			row->lease_why = xstrdup(lease ? "the Lease has no renewTime"
						 : !nl->leases ? nl->no_lease_why : nl->lj.why);
	}
	nl->leases_joined = true;
}

static int page(struct k8s_nodes *nl, int rc, struct sbx_err *err)
{
	nl->rd->in_row = false;
	if (rc >= 0 && nl->rd->overflow) {
		sbx_err_set(err, EFBIG, "more than %u nodes in one answer (asked for %u a page): "
			    "not kept, so that memory stays bounded; ask for fewer (-l, --field-selector)",
			    K8S_MAX_PAGE_ITEMS, nl->list.limit);
		rows_clear(nl);
		return -1;
	}
	if (rc > 0)
		page_end(nl);
	return rc;
}

int k8s_nodes_next(struct k8s_nodes *nl, struct sbx_err *err)
{
	json_t *unused;

	rows_clear(nl);
	return page(nl, k8s_list_next(&nl->list, &unused, err), err);
}

int k8s_nodes_take(struct k8s_nodes *nl, const char *body, size_t n, struct sbx_err *err)
{
	rows_clear(nl);
	return page(nl, k8s_list_take(&nl->list, body, n, err), err);
}

void k8s_nodes_free(struct k8s_nodes *nl)
{
	rows_clear(nl);
	free(nl->rows);
	if (nl->joined)
		k8s_lease_join_free(&nl->lj);
	k8s_list_free(&nl->list);
	if (nl->rd)
		rd_free(nl->rd);
	memset(nl, 0, sizeof(*nl));
}
