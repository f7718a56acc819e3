/* srebox node [NAME]: the parts of `kubectl describe node` on-call reads,
 * computed the same way, with its verdict: conditions, heartbeat, taints,
 * resources, the pods on the node with the networking (CNI, kube-proxy) and
 * control-plane ones first and their health, events.  --logs POD prints
 * the tail of a pod's log.  NAME defaults to this machine's node. */
#include "applet.h"
#include "k8s.h"
#include "k8s_node.h"
#include "k8s_obj.h"
#include "k8s_pods.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *o_logs, *o_container;
static unsigned o_tail = 50;

static const struct sbx_opt node_opts[] = {
	{ 0, "logs", OPT_STRING, &o_logs, "POD",
	  "print the tail of the log of POD on the node (a name, or its start: kube-apiserver)",
	  "k8s:pods", NULL },
	{ 'c', "container", OPT_STRING, &o_container, "NAME",
	  "with --logs: this container (default: the pod's default or first one)", NULL, NULL },
	{ 0, "tail", OPT_UINT, &o_tail, "N", "with --logs: the last N lines (default 50)", NULL,
	  NULL },
	OPT_END,
};

/* --- tables -------------------------------------------------------------- */

static const struct sbx_col info_cols[] = {
	{ "FIELD", "field", CT_STR },
	{ "VALUE", "value", CT_STR },
};

enum { CO_TYPE, CO_STATUS, CO_HB, CO_TR, CO_REASON, CO_MSG, CO_HBT, CO_TRT, CO_NCOLS };
static const struct sbx_col cond_cols[] = {
	[CO_TYPE] = { "TYPE", "type", CT_STR, COL_LABEL },
	[CO_STATUS] = { "STATUS", "status", CT_STR },
	[CO_HB] = { "HEARTBEAT", "heartbeat_age", CT_STR },
	[CO_TR] = { "SINCE", "transition_age", CT_STR },
	[CO_REASON] = { "REASON", "reason", CT_STR },
	[CO_MSG] = { "MESSAGE", "message", CT_STR },
	[CO_HBT] = { "LAST-HEARTBEAT", "last_heartbeat_time", CT_STR, COL_HIDE },
	[CO_TRT] = { "LAST-TRANSITION", "last_transition_time", CT_STR, COL_HIDE },
};

enum { TA_TAINT, TA_KEY, TA_VALUE, TA_EFFECT, TA_SINCE, TA_NCOLS };
static const struct sbx_col taint_cols[] = {
	[TA_TAINT] = { "TAINT", "taint", CT_STR },
	[TA_KEY] = { "KEY", "key", CT_STR, COL_HIDE },
	[TA_VALUE] = { "VALUE", "value", CT_STR, COL_HIDE },
	[TA_EFFECT] = { "EFFECT", "effect", CT_STR, COL_HIDE },
	[TA_SINCE] = { "SINCE", "since", CT_STR },
};

static const struct sbx_col addr_cols[] = {
	{ "TYPE", "type", CT_STR },
	{ "ADDRESS", "address", CT_STR },
};

enum { RE_NAME, RE_CAP, RE_ALLOC, RE_REQ, RE_LIM, RE_REQR, RE_LIMR, RE_NCOLS };
static const struct sbx_col res_cols[] = {
	[RE_NAME] = { "RESOURCE", "resource", CT_STR, COL_LABEL },
	[RE_CAP] = { "CAPACITY", "capacity", CT_STR },
	[RE_ALLOC] = { "ALLOCATABLE", "allocatable", CT_STR },
	[RE_REQ] = { "REQUESTS", "requests", CT_STR },
	[RE_LIM] = { "LIMITS", "limits", CT_STR },
	[RE_REQR] = { "REQUESTS%", "requests_ratio", CT_RATIO, COL_HIDE, "node_requests_ratio",
		      "Requests of the node's non-terminated pods over its allocatable resource." },
	[RE_LIMR] = { "LIMITS%", "limits_ratio", CT_RATIO, COL_HIDE, "node_limits_ratio",
		      "Limits of the node's non-terminated pods over its allocatable resource." },
};

enum { PO_GROUP, PO_NS, PO_NAME, PO_READY, PO_STATUS, PO_RESTARTS, PO_AGE, PO_CPUR, PO_CPUL,
       PO_MEMR, PO_MEML, PO_NCOLS };
static const struct sbx_col pod_cols[] = {
	[PO_GROUP] = { "GROUP", "group", CT_STR },
	[PO_NS] = { "NAMESPACE", "namespace", CT_STR },
	[PO_NAME] = { "NAME", "name", CT_STR },
	[PO_READY] = { "READY", "ready", CT_STR },
	[PO_STATUS] = { "STATUS", "status", CT_STR },
	[PO_RESTARTS] = { "RESTARTS", "restarts", CT_INT },
	[PO_AGE] = { "AGE", "age", CT_STR },
	[PO_CPUR] = { "CPU-REQ", "cpu_requests", CT_STR },
	[PO_CPUL] = { "CPU-LIM", "cpu_limits", CT_STR },
	[PO_MEMR] = { "MEM-REQ", "memory_requests", CT_STR },
	[PO_MEML] = { "MEM-LIM", "memory_limits", CT_STR },
};

enum { EV_TYPE, EV_REASON, EV_AGE, EV_FROM, EV_MSG, EV_LAST, EV_NCOLS };
static const struct sbx_col event_cols[] = {
	[EV_TYPE] = { "TYPE", "type", CT_STR },
	[EV_REASON] = { "REASON", "reason", CT_STR },
	[EV_AGE] = { "AGE", "age", CT_STR },
	[EV_FROM] = { "FROM", "from", CT_STR },
	[EV_MSG] = { "MESSAGE", "message", CT_STR },
	[EV_LAST] = { "LAST", "last_timestamp", CT_STR, COL_HIDE },
};

static const struct sbx_col kv_cols[] = {
	{ "KEY", "key", CT_STR },
	{ "VALUE", "value", CT_STR },
};

static const struct sbx_col log_cols[] = {
	{ "LOG", "line", CT_STR },
};

/* --- helpers ------------------------------------------------------------- */

/* Text from the cluster for a table: tabs expanded, invalid UTF-8 and a
 * trailing CR replaced, so that every format can carry it. */
static char *clean_text(const char *s, size_t n)
{
	struct buf b = { 0 };
	size_t col = 0;

	while (n && (s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
		bool ok = len && i + len <= n;

		for (size_t k = 1; ok && k < len; k++)
			ok = ((unsigned char)s[i + k] >> 6) == 2;
		if (c == '\t') {
			do
				buf_addc(&b, ' ');
			while (++col % 8);
			i++;
			continue;
		}
		if (!ok) {
			buf_addc(&b, '?');
			i++;
			col++;
			continue;
		}
		buf_add(&b, s + i, len);
		i += len;
		col++;
	}
	return b.s ? b.s : xstrdup("");
}

static void kv_row(struct sbx_table *t, const char *k, const char *v)
{
	struct sbx_cell *c = table_row(t);

	cell_str(&c[0], k);
	cell_str(&c[1], v ? v : "");
}

static void time_and_age(const char *ts, double now, char *out, size_t n)
{
	char rfc[64], age[32];

	if (!ts) {
		snprintf(out, n, "<unset>");
		return;
	}
	k8s_time_rfc1123z(ts, rfc, sizeof(rfc));
	k8s_age(ts, now, age, sizeof(age));
	snprintf(out, n, "%s (%s ago)", rfc, age);
}

/* --- pods ---------------------------------------------------------------- */

/* "76m (2%)" as kubectl prints a request against allocatable. */
static void with_pct(char *out, size_t n, const struct k8s_qty *q, const struct k8s_qty *alloc,
		     bool milli, bool pct, double *ratio)
{
	char s[64];
	double a = milli ? (double)k8s_qty_milli(alloc) : (double)k8s_qty_value(alloc);
	double v = milli ? (double)k8s_qty_milli(q) : (double)k8s_qty_value(q);
	double frac = a != 0 ? v / a * 100 : 0;

	k8s_qty_string(q, s, sizeof(s));
	if (pct)
		snprintf(out, n, "%s (%lld%%)", s, (long long)frac);
	else
		snprintf(out, n, "%s", s);
	if (ratio)
		*ratio = a != 0 ? v / a : NAN;
}

static bool alloc_qty(json_t *node, const char *res, struct k8s_qty *q)
{
	json_t *alloc = k8s_at(node, "status.allocatable");

	if (!json_object_size(alloc))
		alloc = k8s_at(node, "status.capacity");
	*q = (struct k8s_qty){ 0 };
	return k8s_qty_parse(json_string_value(json_object_get(alloc, res)), q);
}

static void add_pods_table(struct sbx_report *rep, struct k8s_pod *pods, size_t n, json_t *node,
			   double now)
{
	struct sbx_table *t = report_table(rep, "pods", pod_cols, PO_NCOLS);
	struct k8s_qty acpu, amem;

	table_title(t, "Non-terminated pods (%zu):", n);
	alloc_qty(node, "cpu", &acpu);
	alloc_qty(node, "memory", &amem);
	for (size_t i = 0; i < n; i++) {
		struct sbx_cell *c = table_row(t);
		json_t *p = pods[i].obj;
		struct k8s_qty req, lim;
		char s[96];

		cell_str(&c[PO_GROUP], k8s_pod_group_name(pods[i].group));
		cell_str(&c[PO_NS], k8s_str(p, "metadata.namespace", ""));
		cell_str(&c[PO_NAME], k8s_str(p, "metadata.name", ""));
		cell_strf(&c[PO_READY], "%d/%d", pods[i].st.ready, pods[i].st.total);
		cell_str(&c[PO_STATUS], pods[i].st.status);
		cell_i64(&c[PO_RESTARTS], pods[i].st.restarts);
		k8s_age(k8s_str(p, "metadata.creationTimestamp", NULL), now, s, sizeof(s));
		cell_str(&c[PO_AGE], s);
		k8s_pod_resource(p, "cpu", &req, &lim);
		with_pct(s, sizeof(s), &req, &acpu, true, true, NULL);
		cell_str(&c[PO_CPUR], s);
		with_pct(s, sizeof(s), &lim, &acpu, true, true, NULL);
		cell_str(&c[PO_CPUL], s);
		k8s_pod_resource(p, "memory", &req, &lim);
		with_pct(s, sizeof(s), &req, &amem, false, true, NULL);
		cell_str(&c[PO_MEMR], s);
		with_pct(s, sizeof(s), &lim, &amem, false, true, NULL);
		cell_str(&c[PO_MEML], s);
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* kubectl's standard container resources: the others are extended. */
static bool standard_resource(const char *r)
{
	return !strcmp(r, "cpu") || !strcmp(r, "memory") || !strcmp(r, "ephemeral-storage") ||
	       !strcmp(r, "storage") || str_starts(r, "hugepages-") || !strcmp(r, "pods");
}

/* Capacity, allocatable and what the pods request, in kubectl's order of
 * "Allocated resources" (cpu, memory, ephemeral-storage, hugepages-*,
 * extended resources), then the pods. */
static void add_resources(struct sbx_report *rep, json_t *node, struct k8s_pod *pods, size_t npods,
			  bool have_pods, struct sbx_finding **pods_finding)
{
	struct sbx_table *t = report_table(rep, "resources", res_cols, RE_NCOLS);
	json_t *cap = k8s_at(node, "status.capacity"), *alloc = k8s_at(node, "status.allocatable");
	const char *names[256], *k;
	size_t n = 0, first_huge, first_ext;
	json_t *v;

	table_title(t, "Resources (requests and limits of the non-terminated pods):");
	names[n++] = "cpu";
	names[n++] = "memory";
	names[n++] = "ephemeral-storage";
	first_huge = n;
	json_object_foreach(json_object_size(alloc) ? alloc : cap, k, v)
		if (str_starts(k, "hugepages-") && n < ARRAY_SIZE(names) - 1)
			names[n++] = k;
	qsort(names + first_huge, n - first_huge, sizeof(names[0]), cmp_str);
	first_ext = n;
	json_object_foreach(json_object_size(alloc) ? alloc : cap, k, v)
		if (!standard_resource(k) && n < ARRAY_SIZE(names) - 1)
			names[n++] = k;
	qsort(names + first_ext, n - first_ext, sizeof(names[0]), cmp_str);
	names[n++] = "pods";
	for (size_t i = 0; i < n; i++) {
		struct sbx_cell *c = table_row(t);
		struct k8s_qty req = { 0 }, lim = { 0 }, a;
		bool milli = !strcmp(names[i], "cpu"), pct = i < first_ext;
		char s[96];
		double ratio;
		const char *cv = json_string_value(json_object_get(cap, names[i]));
		const char *av = json_string_value(json_object_get(alloc, names[i]));

		cell_str(&c[RE_NAME], names[i]);
		if (cv)
			cell_str(&c[RE_CAP], cv);
		if (av)
			cell_str(&c[RE_ALLOC], av);
		alloc_qty(node, names[i], &a);
		if (!have_pods) {
			cell_unknown(&c[RE_REQ], "the node's pods could not be listed");
			cell_unknown(&c[RE_LIM], "the node's pods could not be listed");
			continue;
		}
		if (!strcmp(names[i], "pods")) {
			/* not in kubectl's table: how full the node is */
			struct k8s_qty cnt = { (int64_t)npods, 0, QF_DECIMAL_SI };

			with_pct(s, sizeof(s), &cnt, &a, false, true, &ratio);
			cell_str(&c[RE_REQ], s);
			if (isfinite(ratio)) {
				cell_num(&c[RE_REQR], ratio);
				if (ratio >= 0.95 && pods_finding)
					*pods_finding = report_finding(rep, ST_WARNING, "pods", NULL,
								       "%zu pod%s of at most %lld: the node "
								       "takes no more", npods,
								       plural(npods, "s"),
								       (long long)k8s_qty_value(&a));
			}
			continue;
		}
		for (size_t p = 0; p < npods; p++) {
			struct k8s_qty r, l;

			k8s_pod_resource(pods[p].obj, names[i], &r, &l);
			k8s_qty_add(&req, &r);
			k8s_qty_add(&lim, &l);
		}
		with_pct(s, sizeof(s), &req, &a, milli, pct, &ratio);
		cell_str(&c[RE_REQ], s);
		if (isfinite(ratio))
			cell_num(&c[RE_REQR], ratio);
		with_pct(s, sizeof(s), &lim, &a, milli, pct, &ratio);
		cell_str(&c[RE_LIM], s);
		if (isfinite(ratio))
			cell_num(&c[RE_LIMR], ratio);
	}
}

/* --- events -------------------------------------------------------------- */


static int cmp_event(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	double tx = 0, ty = 0;

	k8s_time_parse(k8s_str(x, "lastTimestamp", NULL), &tx);
	k8s_time_parse(k8s_str(y, "lastTimestamp", NULL), &ty);
	return tx < ty ? 1 : tx > ty ? -1 : 0;	/* newest first */
}

static void add_events(struct sbx_report *rep, json_t *events, double now)
{
	struct sbx_table *t = report_table(rep, "events", event_cols, EV_NCOLS);
	size_t n = json_array_size(events);
	json_t **v = xcalloc(n + 1, sizeof(json_t *));

	table_title(t, "Events (newest first):");
	for (size_t i = 0; i < n; i++)
		v[i] = json_array_get(events, i);
	qsort(v, n, sizeof(v[0]), cmp_event);
	t->limit = 20;
	for (size_t i = 0; i < n; i++) {
		struct sbx_cell *c = table_row(t);
		const char *msg = k8s_str(v[i], "message", "");
		char age[96], *m = clean_text(msg, strlen(msg));

		cell_str(&c[EV_TYPE], k8s_str(v[i], "type", ""));
		cell_str(&c[EV_REASON], k8s_str(v[i], "reason", ""));
		k8s_event_age(v[i], now, age, sizeof(age));
		cell_str(&c[EV_AGE], age);
		cell_str(&c[EV_FROM], k8s_event_source(v[i]));
		cell_str(&c[EV_MSG], str_trim(m));
		cell_str(&c[EV_LAST], k8s_str(v[i], "lastTimestamp", ""));
		free(m);
	}
	free(v);
}

/* --- the node ------------------------------------------------------------ */

static void add_info(struct sbx_report *rep, json_t *node, json_t *lease, const char *lease_why,
		     double now)
{
	struct sbx_table *t = report_table(rep, "node", info_cols, 2);
	static const struct {
		const char *label, *path;
	} sysinfo[] = {
		{ "Machine ID", "machineID" },
		{ "System UUID", "systemUUID" },
		{ "Boot ID", "bootID" },
		{ "Kernel Version", "kernelVersion" },
		{ "OS Image", "osImage" },
		{ "Operating System", "operatingSystem" },
		{ "Architecture", "architecture" },
		{ "Container Runtime Version", "containerRuntimeVersion" },
		{ "Kubelet Version", "kubeletVersion" },
		{ "Kube-Proxy Version", "kubeProxyVersion" },
	};
	struct buf b = { 0 };
	char s[160];
	json_t *info = k8s_at(node, "status.nodeInfo"), *e;
	size_t i;

	kv_row(t, "Name", k8s_str(node, "metadata.name", ""));
	k8s_node_status(node, &b);
	kv_row(t, "Status", b.s);
	k8s_node_roles(k8s_at(node, "metadata.labels"), &b);
	kv_row(t, "Roles", b.s);
	time_and_age(k8s_str(node, "metadata.creationTimestamp", NULL), now, s, sizeof(s));
	kv_row(t, "CreationTimestamp", s);
	kv_row(t, "Unschedulable", json_is_true(k8s_at(node, "spec.unschedulable")) ? "true" : "false");
	if (lease) {
		kv_row(t, "Lease HolderIdentity", k8s_str(lease, "spec.holderIdentity", "<unset>"));
		time_and_age(k8s_str(lease, "spec.acquireTime", NULL), now, s, sizeof(s));
		kv_row(t, "Lease AcquireTime", s);
		time_and_age(k8s_str(lease, "spec.renewTime", NULL), now, s, sizeof(s));
		kv_row(t, "Lease RenewTime", s);
	} else {
		kv_row(t, "Lease", lease_why);
	}
	for (i = 0; i < ARRAY_SIZE(sysinfo); i++)
		kv_row(t, sysinfo[i].label, k8s_str(info, sysinfo[i].path, ""));
	if (k8s_str(node, "spec.podCIDR", NULL))
		kv_row(t, "PodCIDR", k8s_str(node, "spec.podCIDR", ""));
	if (json_array_size(k8s_at(node, "spec.podCIDRs"))) {
		buf_reset(&b);
		json_array_foreach(k8s_at(node, "spec.podCIDRs"), i, e)
			buf_addf(&b, "%s%s", i ? "," : "", json_string_value(e) ? json_string_value(e) : "");
		kv_row(t, "PodCIDRs", b.s);
	}
	if (k8s_str(node, "spec.providerID", NULL))
		kv_row(t, "ProviderID", k8s_str(node, "spec.providerID", ""));
	buf_free(&b);
}

static void add_conditions(struct sbx_report *rep, json_t *node, double now)
{
	struct sbx_table *t = report_table(rep, "conditions", cond_cols, CO_NCOLS);
	json_t *c;
	size_t i;

	table_title(t, "Conditions:");
	json_array_foreach(k8s_at(node, "status.conditions"), i, c) {
		struct sbx_cell *r = table_row(t);
		const char *hb = k8s_str(c, "lastHeartbeatTime", NULL);
		const char *tr = k8s_str(c, "lastTransitionTime", NULL);
		char age[32];

		cell_str(&r[CO_TYPE], k8s_str(c, "type", ""));
		cell_str(&r[CO_STATUS], k8s_str(c, "status", ""));
		k8s_age(hb, now, age, sizeof(age));
		cell_str(&r[CO_HB], hb ? age : "<never>");
		k8s_age(tr, now, age, sizeof(age));
		cell_str(&r[CO_TR], tr ? age : "<never>");
		cell_str(&r[CO_REASON], k8s_str(c, "reason", ""));
		cell_str(&r[CO_MSG], k8s_str(c, "message", ""));
		if (hb)
			cell_str(&r[CO_HBT], hb);
		if (tr)
			cell_str(&r[CO_TRT], tr);
	}
}

struct taint_ref {
	char *key;	/* "Effect,key", kubectl describe's sort key */
	json_t *t;
	size_t i;
};

static int cmp_taint(const void *a, const void *b)
{
	const struct taint_ref *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : x->i < y->i ? -1 : x->i > y->i;
}

/* In kubectl describe's order: by effect, then key. */
static void add_taints(struct sbx_report *rep, json_t *node, double now)
{
	struct sbx_table *t = report_table(rep, "taints", taint_cols, TA_NCOLS);
	json_t *all = k8s_at(node, "spec.taints"), *e;
	size_t i, n = json_array_size(all);
	struct taint_ref *v = xcalloc(n ? n : 1, sizeof(*v));

	table_title(t, "Taints:");
	json_array_foreach(all, i, e)
		v[i] = (struct taint_ref){ xasprintf("%s,%s", k8s_str(e, "effect", ""),
						     k8s_str(e, "key", "")), e, i };
	qsort(v, n, sizeof(*v), cmp_taint);
	for (i = 0; i < n; i++) {
		struct sbx_cell *c = table_row(t);
		struct buf b = { 0 };
		const char *added = k8s_str(v[i].t, "timeAdded", NULL);
		char age[32];

		e = v[i].t;
		k8s_taint_string(e, &b);
		cell_str(&c[TA_TAINT], b.s);
		cell_str(&c[TA_KEY], k8s_str(e, "key", ""));
		cell_str(&c[TA_VALUE], k8s_str(e, "value", ""));
		cell_str(&c[TA_EFFECT], k8s_str(e, "effect", ""));
		if (added) {
			k8s_age(added, now, age, sizeof(age));
			cell_str(&c[TA_SINCE], age);
		}
		buf_free(&b);
		free(v[i].key);
	}
	free(v);
}

static void add_addresses(struct sbx_report *rep, json_t *node)
{
	struct sbx_table *t = report_table(rep, "addresses", addr_cols, 2);
	json_t *e;
	size_t i;

	table_title(t, "Addresses:");
	json_array_foreach(k8s_at(node, "status.addresses"), i, e)
		kv_row(t, k8s_str(e, "type", ""), k8s_str(e, "address", ""));
}

static void add_map(struct sbx_report *rep, const char *name, const char *title, json_t *obj)
{
	struct sbx_table *t = report_table(rep, name, kv_cols, 2);
	const char *k;
	json_t *v;

	table_title(t, "%s", title);
	json_object_foreach(obj, k, v)
		kv_row(t, k, json_string_value(v));
}

/* --- the verdict --------------------------------------------------------- */

static void findings(struct sbx_report *rep, json_t *node, const struct k8s_node_sum *s,
		     struct k8s_pod *pods, size_t npods, double now)
{
	json_t *c;
	size_t i;
	char age[32];
	const char *name = s->name;

	json_array_foreach(k8s_at(node, "status.conditions"), i, c) {
		const char *type = k8s_str(c, "type", ""), *st = k8s_str(c, "status", "");
		const char *reason = k8s_str(c, "reason", ""), *msg = k8s_str(c, "message", "");

		k8s_age(k8s_str(c, "lastTransitionTime", NULL), now, age, sizeof(age));
		if (!strcmp(type, "Ready")) {
			if (!strcmp(st, "True"))
				report_finding(rep, ST_OK, "ready", name, "%s Ready for %s", name, age);
			else
				report_finding(rep, ST_CRITICAL, "ready", name, "%s %s for %s: %s%s%s",
					       name, !strcmp(st, "False") ? "NotReady" : "Ready=Unknown",
					       age, reason, *msg ? ": " : "", msg);
			continue;
		}
		if (!strcmp(st, "False") || (strcmp(st, "True") && !strcmp(s->ready, "Unknown")))
			continue;
		report_finding(rep, ST_WARNING, "condition", type, "%s%s%s for %s: %s%s%s", type,
			       strcmp(st, "True") ? "=" : "", strcmp(st, "True") ? st : "", age, reason,
			       *msg ? ": " : "", msg);
	}
	if (!*s->ready)
		report_finding(rep, ST_CRITICAL, "ready", name, "%s has no Ready condition: the kubelet "
			       "never reported", name);
	if (s->unschedulable)
		report_finding(rep, ST_WARNING, "cordoned", name,
			       "%s is cordoned (unschedulable): no new pods", name);
	if (s->has_lease) {
		struct sbx_finding *f;

		k8s_human_duration(s->renew_age, age, sizeof(age));
		if (s->stale)
			f = report_finding(rep, !strcmp(s->ready, "True") ? ST_WARNING : ST_OK,
					   "heartbeat", name, "the kubelet last renewed its Lease %s "
					   "ago (lease %.0fs)%s", age, s->lease_seconds,
					   !strcmp(s->ready, "True")
						   ? ": the node will turn NotReady" : "");
		else
			f = report_finding(rep, ST_OK, "heartbeat", name, "the kubelet renewed its "
					   "Lease %s ago", age);
		finding_perf(f, "heartbeat_age", s->renew_age, "s", NULL, NULL);
	}
	for (size_t p = 0; p < npods; p++) {
		const struct k8s_pod *pd = &pods[p];
		bool down = pd->st.ready < pd->st.total || pd->st.crashloop;
		enum sbx_state st;

		if (!down || pd->group == K8S_PG_WORKLOAD || pd->st.terminating)
			continue;
		st = pd->group == K8S_PG_NETWORK || pd->group == K8S_PG_CONTROL ? ST_CRITICAL : ST_WARNING;
		report_finding(rep, st, "pod", k8s_str(pd->obj, "metadata.name", ""),
			       "%s pod %s/%s %s: %d/%d ready, %ld restart%s",
			       pd->group == K8S_PG_NETWORK ? "networking"
			       : pd->group == K8S_PG_CONTROL ? "control-plane"
			       : pd->group == K8S_PG_STATIC ? "static" : "system",
			       k8s_str(pd->obj, "metadata.namespace", ""),
			       k8s_str(pd->obj, "metadata.name", ""), pd->st.status, pd->st.ready,
			       pd->st.total, pd->st.restarts, plural((unsigned long long)pd->st.restarts, "s"));
	}
}

/* --- logs ---------------------------------------------------------------- */

static const char *default_container(json_t *pod)
{
	const char *d = json_string_value(json_object_get(k8s_at(pod, "metadata.annotations"),
							  "kubectl.kubernetes.io/default-container"));

	return d ? d : k8s_str(json_array_get(k8s_at(pod, "spec.containers"), 0), "name", NULL);
}

static int run_logs(struct sbx_ctx *ctx, struct k8s *k, struct sbx_report *rep, const char *node,
		    struct sbx_err *err)
{
	struct k8s_pod *pods, *pick = NULL;
	size_t n, nmatch = 0;
	struct buf path = { 0 }, q = { 0 }, names = { 0 };
	struct k8s_req rq = { .raw = true };
	struct k8s_resp rs;
	const char *ctr;
	char tail[16];
	int rc = -1;

	pods = k8s_node_pods(k, node, &n, err);
	if (!pods && n == 0 && err->msg[0])
		return -1;
	for (size_t i = 0; i < n; i++) {
		const char *name = k8s_str(pods[i].obj, "metadata.name", "");

		if (ctx->kube.ns && strcmp(ctx->kube.ns, k8s_str(pods[i].obj, "metadata.namespace", "")))
			continue;
		if (!strcmp(name, o_logs)) {
			pick = &pods[i];
			nmatch = 1;
			break;
		}
		if (str_starts(name, o_logs)) {
			if (nmatch++ < 5)
				buf_addf(&names, "%s%s", names.len ? ", " : "", name);
			pick = &pods[i];
		}
	}
	if (nmatch != 1) {
		if (nmatch)
			sbx_err_set(err, 0, "%zu pods on %s start with %s: %s%s", nmatch, node, o_logs,
				    names.s, nmatch > 5 ? ", ..." : "");
		else
			sbx_err_set(err, ENOENT, "no pod %s on node %s%s%s", o_logs, node,
				    ctx->kube.ns ? " in namespace " : "", ctx->kube.ns ? ctx->kube.ns : "");
		goto out;
	}
	ctr = o_container ? o_container : default_container(pick->obj);
	buf_adds(&path, "/api/v1/namespaces");
	k8s_path_add(&path, k8s_str(pick->obj, "metadata.namespace", ""));
	buf_adds(&path, "/pods");
	k8s_path_add(&path, k8s_str(pick->obj, "metadata.name", ""));
	buf_adds(&path, "/log");
	if (ctr)
		k8s_query_add(&q, "container", ctr);
	snprintf(tail, sizeof(tail), "%u", o_tail);
	k8s_query_add(&q, "tailLines", tail);
	rq.path = path.s;
	rq.query = q.s;
	rq.max_raw = 64u << 20;
	if (k8s_request(k, &rq, &rs, err) == 0) {
		struct sbx_table *t = report_table(rep, "log", log_cols, 1);
		const char *p = rs.raw.s ? rs.raw.s : "", *end = p + rs.raw.len;
		size_t lines = 0;

		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			char *line = clean_text(p, (size_t)((nl ? nl : end) - p));

			cell_str(table_row(t), line);
			free(line);
			lines++;
			p = nl ? nl + 1 : end;
		}
		report_summary(rep, "%s/%s on %s, container %s: the last %zu line%s",
			       k8s_str(pick->obj, "metadata.namespace", ""),
			       k8s_str(pick->obj, "metadata.name", ""), node, ctr ? ctr : "?", lines,
			       plural(lines, "s"));
		rc = 0;
	}
	k8s_resp_free(&rs);
out:
	k8s_pods_free(pods, n);
	buf_free(&path);
	buf_free(&q);
	buf_free(&names);
	return rc;
}

/* --- run ----------------------------------------------------------------- */

static void note_add(struct buf *notes, const char *fmt, ...) SBX_PRINTF(2, 3);
static void note_add(struct buf *notes, const char *fmt, ...)
{
	va_list ap;

	if (notes->len)
		buf_adds(notes, "; ");
	va_start(ap, fmt);
	buf_vaddf(notes, fmt, ap);
	va_end(ap);
}

static int node_run(struct sbx_ctx *ctx)
{
	struct sbx_report *rep = report_new("node");
	char name[256], how[128] = "", resolved[256];
	struct sbx_err err = { 0 };
	struct k8s *k;
	json_t *node = NULL, *lease = NULL, *events = NULL;
	struct k8s_pod *pods = NULL;
	size_t npods = 0;
	struct k8s_node_sum s;
	struct buf notes = { 0 }, lp = { 0 }, lease_why = { 0 };
	struct sbx_finding *pods_full = NULL;
	bool have_pods;
	double now;
	long code = 0;

	if (ctx->nargs > 1) {
		warnx_("one node at a time (got '%s' and '%s')", ctx->args[0], ctx->args[1]);
		report_free(rep);
		return 3;
	}
	if ((o_container || o_tail != 50) && !o_logs) {
		warnx_("-c and --tail go with --logs POD");
		report_free(rep);
		return 3;
	}
	if (ctx->nargs) {
		snprintf(name, sizeof(name), "%s", ctx->args[0]);
	} else {
		k8s_this_node(name, sizeof(name), how, sizeof(how));
		if (!*name) {
			report_fail(rep, "no node name given, and this machine's is unknown (%s)", how);
			sbx_emit(ctx, rep);
			return 0;
		}
	}
	k = k8s_open(&ctx->kube, &err);
	if (!k) {
		report_fail(rep, "%s", err.msg);
		sbx_emit(ctx, rep);
		return 0;
	}
	if (k8s_cfg(k)->from_node)
		note_add(&notes, "%s", k8s_cfg(k)->source);
	if (k8s_cfg(k)->note)
		note_add(&notes, "%s", k8s_cfg(k)->note);
	node = k8s_node_find(k, name, ctx->nargs > 0, resolved, sizeof(resolved), &err);
	if (!node) {
		if (!ctx->nargs && !strncmp(err.msg, "nodes \"", 7))
			report_fail(rep, "%s (the name is from %s: give NAME, or set NODE_NAME)", err.msg,
				    how);
		else
			report_fail(rep, "%s", err.msg);
		goto out;
	}
	if (*how)
		note_add(&notes, "node name from %s", how);
	else if (strcmp(resolved, name))
		note_add(&notes, "the only node whose name starts with %s", name);
	if (o_logs) {
		if (run_logs(ctx, k, rep, resolved, &err) < 0)
			report_fail(rep, "%s", err.msg);
		goto out;
	}

	k8s_node_sum(node, &s);
	buf_adds(&lp, "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases");
	k8s_path_add(&lp, resolved);
	lease = k8s_get(k, lp.s, NULL, k8s_lease_drop, &code, &err);
	if (!lease) {
		if (code == 404)
			buf_addf(&lease_why, "no Lease kube-node-lease/%s", resolved);
		else
			buf_addf(&lease_why, "Lease: %s", err.msg);
		note_add(&notes, "%s", lease_why.s);
	}
	sbx_err_clear(&err);	/* a missing Lease is not the pods' error */
	pods = k8s_node_pods(k, resolved, &npods, &err);
	have_pods = pods || !err.msg[0] || npods;
	if (!pods && npods == 0 && err.msg[0]) {
		have_pods = false;
		note_add(&notes, "pods: %s", err.msg);
	}
	sbx_err_clear(&err);
	events = k8s_node_events(k, resolved, k8s_str(node, "metadata.uid", ""), &err);
	if (!events)
		note_add(&notes, "events: %s", err.msg);
	now = k8s_now(k);
	if (lease)
		k8s_node_sum_lease(&s, lease, now);

	{
		struct buf b = { 0 };
		size_t crash = 0;

		for (size_t i = 0; i < npods; i++)
			crash += pods[i].st.crashloop;
		buf_addf(&b, "node %s: %s, %s", s.name, s.status.s,
			 k8s_str(node, "status.nodeInfo.kubeletVersion", "kubelet ?"));
		if (have_pods)
			buf_addf(&b, ", %zu pod%s", npods, plural(npods, "s"));
		if (crash)
			buf_addf(&b, " (%zu crash-looping)", crash);
		report_summary(rep, "%s", b.s);
		buf_free(&b);
	}
	findings(rep, node, &s, pods, npods, now);
	if (sbx_wants_tables(ctx)) {
		add_info(rep, node, lease, lease_why.s ? lease_why.s : "", now);
		add_conditions(rep, node, now);
		add_taints(rep, node, now);
		add_addresses(rep, node);
	}
	add_resources(rep, node, pods, npods, have_pods, &pods_full);
	if (sbx_wants_tables(ctx)) {
		if (have_pods)
			add_pods_table(rep, pods, npods, node, now);
		if (events)
			add_events(rep, events, now);
		if (ctx->format != FMT_TABLE) {
			add_map(rep, "labels", "Labels:", k8s_at(node, "metadata.labels"));
			add_map(rep, "annotations", "Annotations:", k8s_at(node, "metadata.annotations"));
		}
	}
	k8s_node_sum_free(&s);
out:
	if (notes.len)
		report_note(rep, "%s", notes.s);
	k8s_pods_free(pods, npods);
	json_decref(node);
	json_decref(lease);
	json_decref(events);
	buf_free(&notes);
	buf_free(&lp);
	buf_free(&lease_why);
	k8s_close(k);
	sbx_emit(ctx, rep);
	return 0;
}

const struct sbx_applet applet_node = {
	.name = "node",
	.formats = "table json prom check name",	/* no wide column */
	.examples =
		"# this machine's node: conditions, heartbeat, its pods, events\n"
		"srebox node\n"
		"# the last 100 lines of this control-plane node's API server\n"
		"srebox node --logs kube-apiserver --tail 100\n",
	.summary = "one Kubernetes node as on-call needs it: conditions, heartbeat, pressure, its pods "
		   "with the networking and control-plane ones first, events, logs",
	.usage = "[OPTIONS] [NAME]",
	.description =
		"The parts of `kubectl describe node NAME` on-call reads, computed the same way,\n"
		"and a verdict: Ready (CRITICAL when not), the conditions that are not False,\n"
		"cordoned, the kubelet's Lease heartbeat, and the pods on the node with the\n"
		"networking (CNI, kube-proxy) and control-plane pods first: one of those not\n"
		"ready or crash-looping is CRITICAL.  NAME defaults to this machine's node\n"
		"($NODE_NAME, the kubelet's --hostname-override, the hostname); a NAME that is\n"
		"the start of exactly one node's name names that node.  --logs POD prints the\n"
		"tail of a pod's log.",
	.flags = AP_K8S | AP_OUTPUT,
	.opts = node_opts,
	.args_complete = "k8s:nodes",
	.run = node_run,
};
