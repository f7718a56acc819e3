/* srebox cni: the network plugin of this Kubernetes node, the guide's
 * NotReady steps `ls /etc/cni/net.d`, `kubectl get pods -n kube-system |
 * grep -E 'flannel|calico'`, `curl 127.0.0.1:10256/healthz` and
 * `iptables-save | grep KUBE` in one command: the CNI config in use, its
 * pods on this node through the API (when reachable), kube-proxy's mode,
 * health and rules, and conntrack's fill and drops.
 *
 * Its own applet rather than `net --k8s`: net measures the kernel's
 * counters over an interval and needs no cluster; this asks the API
 * (kubectl's flags), a packet-filter dump and two local endpoints, and is
 * what on-call types when the node says "network plugin not ready". */
#include "agent.h"
#include "applet.h"
#include "http.h"
#include "hung.h"
#include "judge_kube.h"
#include "judge_net.h"
#include "k8s.h"
#include "k8s_config.h"
#include "k8s_node.h"
#include "k8s_pods.h"
#include "kuberules.h"
#include "net.h"
#include "node.h"
#include "root.h"
#include "tasks.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *o_dir = "/etc/cni/net.d", *o_healthz = "http://127.0.0.1:10256/healthz",
		  *o_mode_url = "http://127.0.0.1:10249/proxyMode", *o_rules, *o_node;
static bool o_no_api;
static double o_timeout = 1;
/* kubectl's flags that matter here: cni is a probe applet (--root, -i),
 * whose -n is --count, so not every Kubernetes option is taken */
static struct sbx_kube_opts o_kube;

static const struct sbx_opt cni_opts[] = {
	{ 0, "cni-dir", OPT_STRING, &o_dir, "DIR",
	  "the CNI configuration directory, under --root (default /etc/cni/net.d)", "dirs", NULL },
	{ 0, "proxy-healthz", OPT_STRING, &o_healthz, "URL",
	  "kube-proxy's health endpoint (default http://127.0.0.1:10256/healthz)", NULL, NULL },
	{ 0, "proxy-mode-url", OPT_STRING, &o_mode_url, "URL",
	  "kube-proxy's metrics endpoint that names its mode (default http://127.0.0.1:10249/proxyMode)", NULL,
	  NULL },
	{ 0, "rules", OPT_STRING, &o_rules, "FILE",
	  "read kube-proxy's rules from FILE (iptables-save or nft list ruleset output) instead of running "
	  "iptables-save or nft", "files", NULL },
	{ 0, "node", OPT_STRING, &o_node, "NAME",
	  "this node's name in the API (default: NODE_NAME, the kubelet's --hostname-override, the hostname)",
	  "nodes", NULL },
	{ 0, "kubeconfig", OPT_STRING, &o_kube.kubeconfig, "FILE",
	  "the kubeconfig to use (default: $KUBECONFIG, ~/.kube/config, in-cluster, this node's)", "files", NULL },
	{ 0, "context", OPT_STRING, &o_kube.context, "NAME", "the kubeconfig context to use", NULL, NULL },
	{ 0, "request-timeout", OPT_SECONDS, &o_kube.request_timeout, "SECONDS",
	  "give up on a request to the API server after SECONDS (default 5)", NULL, NULL },
	{ 0, "no-api", OPT_FLAG, &o_no_api, NULL, "do not ask the API server for the network pods", NULL, NULL },
	{ 't', "timeout", OPT_SECONDS, &o_timeout, "SECONDS",
	  "give up on kube-proxy's endpoints, iptables-save or nft after SECONDS (default 1)", NULL, NULL },
	OPT_END,
};

static const enum sbx_check_id cni_checks[] = {
	CHK_CNI_CONFIG, CHK_CNI_PODS, CHK_KUBE_PROXY, CHK_KUBE_CHAINS, CHK_CONNTRACK, CHK_CONNTRACK_DROPS, CHK_N,
};

enum { F_FILE, F_NAME, F_PLUGINS, F_USED, F_NOTE, F_NCOLS };
static const struct sbx_col conf_cols[] = {
	[F_FILE] = { "FILE", "file", CT_STR, COL_LABEL },
	[F_NAME] = { "NETWORK", "network", CT_STR },
	[F_PLUGINS] = { "PLUGINS", "plugins", CT_STR },
	[F_USED] = { "USED", "used", CT_BOOL },
	[F_NOTE] = { "NOTE", "note", CT_STR },
};

enum { P_NS, P_NAME, P_DS, P_READY, P_STATUS, P_RESTARTS, P_NCOLS };
static const struct sbx_col pod_cols[] = {
	[P_NS] = { "NAMESPACE", "namespace", CT_STR, COL_LABEL },
	[P_NAME] = { "NAME", "name", CT_STR, COL_LABEL },
	[P_DS] = { "DAEMONSET", "daemonset", CT_STR },
	[P_READY] = { "READY", "ready", CT_STR },
	[P_STATUS] = { "STATUS", "status", CT_STR },
	[P_RESTARTS] = { "RESTARTS", "restarts", CT_COUNT, 0, "cni_pod_restarts",
			 "Container restarts of a network pod on this node." },
};

enum { R_TABLE, R_CHAIN, R_CHAINS, R_RULES, R_NCOLS };
static const struct sbx_col rule_cols[] = {
	[R_TABLE] = { "TABLE", "table", CT_STR, COL_LABEL },
	[R_CHAIN] = { "CHAIN", "chain", CT_STR, COL_LABEL },
	[R_CHAINS] = { "CHAINS", "chains", CT_COUNT },
	[R_RULES] = { "RULES", "rules", CT_COUNT, 0, "kube_proxy_rules", "Rules in kube-proxy's chains." },
};

/* --- /etc/cni/net.d ---------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "flannel, portmap" from a .conflist's plugins or a .conf's type. */
static bool conf_plugins(json_t *j, struct buf *out)
{
	json_t *pl = json_object_get(j, "plugins"), *v;
	size_t i;

	if (json_is_array(pl)) {
		json_array_foreach(pl, i, v) {
			const char *t = json_string_value(json_object_get(v, "type"));

			if (t)
				buf_addf(out, "%s%s", out->len ? ", " : "", t);
		}
	} else if (json_string_value(json_object_get(j, "type"))) {
		buf_adds(out, json_string_value(json_object_get(j, "type")));
	}
	return out->len > 0;
}

/* Returns whether there is a config dir at all (a Kubernetes node sign). */
static bool cni_config(struct sbx_report *rep, bool node, bool tables, char *plugin, size_t pn)
{
	struct sbx_err err;
	DIR *d = root_opendir(o_dir, &err);
	struct dirent *e;
	char **names = NULL, used[256] = "";
	size_t n = 0, alloc = 0, nvalid = 0;
	struct buf bad = { 0 };
	struct sbx_table *t = NULL;

	*plugin = '\0';
	if (!d) {
		judge_cni_config(rep, node, rooted(o_dir), NULL, NULL, 0, NULL,
				 err.errnum == ENOENT ? "no such directory" : err.msg);
		return false;
	}
	while ((e = readdir(d)))
		if (str_ends(e->d_name, ".conf") || str_ends(e->d_name, ".conflist") || str_ends(e->d_name, ".json")) {
			if (n == alloc)
				names = xreallocarray(names, alloc = alloc ? alloc * 2 : 8, sizeof(*names));
			names[n++] = xstrdup(e->d_name);
		}
	closedir(d);
	/* libcni (containerd, CRI-O) takes the first valid file in name order */
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	if (tables && n) {
		t = report_table(rep, "configs", conf_cols, F_NCOLS);
		table_title(t, "CNI configuration (%s)", rooted(o_dir));
	}
	for (size_t i = 0; i < n; i++) {
		char path[4096];
		struct buf b = { 0 }, pl = { 0 };
		json_t *j = NULL;
		json_error_t je;
		const char *why = NULL;
		bool ok = false;

		snprintf(path, sizeof(path), "%s/%s", o_dir, names[i]);
		if (root_read(path, &b, &err) < 0)
			why = err.msg;
		else if (!(j = json_loadb(b.s ? b.s : "", b.len, 0, &je)))
			why = je.text;
		else if (!conf_plugins(j, &pl))
			why = "no plugin type";
		else
			ok = true;
		if (!ok)
			buf_addf(&bad, "%s%s: %s", bad.len ? "; " : "", names[i], why);
		if (ok && !nvalid++) {
			snprintf(used, sizeof(used), "%s", names[i]);
			snprintf(plugin, pn, "%s", pl.s);
		}
		if (t) {
			struct sbx_cell *c = table_row(t);
			const char *nm = json_string_value(json_object_get(j, "name"));

			cell_str(&c[F_FILE], names[i]);
			cell_str(&c[F_NAME], nm ? nm : "");
			cell_str(&c[F_PLUGINS], pl.len ? pl.s : "");
			c[F_USED].kind = CELL_VAL;
			c[F_USED].i = ok && nvalid == 1 && !strcmp(used, names[i]);
			cell_str(&c[F_NOTE], why ? why : "");
		}
		json_decref(j);
		buf_free(&b);
		buf_free(&pl);
	}
	judge_cni_config(rep, node, rooted(o_dir), used, plugin, nvalid, bad.len ? bad.s : NULL,
			 n ? NULL : "no .conf, .conflist or .json file");
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	buf_free(&bad);
	return true;
}

/* --- kube-proxy -------------------------------------------------------- */

static bool process_named(const char *const *names, size_t nn, struct sbx_err *err)
{
	struct task_table t = { 0 };
	bool found = false;

	if (tasks_read(&t, TASKS_PROCESSES | TASKS_NO_LIBPROC2, err) < 0)
		return false;
	for (size_t i = 0; i < t.n && !found; i++)
		for (size_t k = 0; k < nn && !found; k++)
			found = t.v[i].has_name && t.v[i].state != 'Z' && !strcmp(t.v[i].comm, names[k]);
	tasks_free(&t);
	return found;
}

struct proxy {
	bool runs, answered, not_asked;
	long code;
	char err[320], body[256], mode[32];
};

static void ask_proxy(struct proxy *p)
{
	static const char *const names[] = { "kube-proxy", "k3s-server", "k3s-agent" };
	struct sbx_err err;
	struct http *h;
	struct http_resp rs;
	struct buf body = { 0 };

	p->runs = process_named(names, ARRAY_SIZE(names), &err);
	/* another machine's kube-proxy is not on this loopback */
	if (root_other_machine()) {
		p->not_asked = true;
		snprintf(p->err, sizeof(p->err), "not asked: %s", root_other_machine());
		return;
	}
	h = http_new(&err);
	if (!h) {
		snprintf(p->err, sizeof(p->err), "%s", err.msg);
		return;
	}
	if (http_get(h, o_healthz, o_timeout, &body, 4096, &rs, &err) == 0) {
		p->answered = p->runs = true;
		p->code = rs.code;
		snprintf(p->body, sizeof(p->body), "%.*s", (int)(body.len > 200 ? 200 : body.len),
			 body.s ? body.s : "");
	} else {
		snprintf(p->err, sizeof(p->err), "%s", err.msg);
	}
	buf_reset(&body);
	if (p->answered && http_get(h, o_mode_url, o_timeout, &body, 256, &rs, &err) == 0 && rs.code == 200 &&
	    body.len) {
		size_t l = strcspn(body.s, "\r\n");

		snprintf(p->mode, sizeof(p->mode), "%.*s", (int)l, body.s);
	}
	buf_free(&body);
	http_free(h);
}

/* iptables-save (legacy or nft backend), else nft's own view. */
static bool read_rules(const char *mode, struct kube_rules *r, char *source, size_t sn, struct sbx_err *err)
{
	const char *ipt[] = { "iptables-save", NULL }, *nft[] = { "nft", "list", "ruleset", NULL };
	const char *const *order[2] = { ipt, nft };
	struct buf out = { 0 };
	struct sbx_err e1 = { 0 };

	if (o_rules) {
		if (read_file(o_rules, &out, 256u << 20, err) < 0)
			goto fail;
		snprintf(source, sn, "%s", o_rules);
		if (kube_rules_parse(out.s ? out.s : "", out.len, r, err) < 0)
			goto fail;
		buf_free(&out);
		return true;
	}
	if (root_other_machine()) {
		sbx_err_set(err, 0, "not read: %s, and this machine's iptables-save and nft answer for "
			    "this one (--rules FILE reads that machine's saved ruleset)", root_other_machine());
		return false;
	}
	if (!strcmp(mode, "nftables")) {
		order[0] = nft;
		order[1] = ipt;
	}
	for (size_t i = 0; i < 2; i++) {
		if (host_run(order[i], o_timeout, &out, i ? err : &e1) < 0)
			continue;
		/* an empty ruleset is an answer only from the last one asked */
		if (kube_rules_parse(out.s, out.len, r, i ? err : &e1) == 0 && (r->fmt != KR_NONE || i)) {
			snprintf(source, sn, "%s", order[i][0]);
			buf_free(&out);
			return true;
		}
		kube_rules_free(r);
	}
	if (e1.msg[0]) {
		char m[sizeof(err->msg)];

		snprintf(m, sizeof(m), "%s", err->msg);
		sbx_err_set(err, 0, "%.150s; %.150s", e1.msg, m);
	}
fail:
	buf_free(&out);
	return false;
}

static void rules_table(struct sbx_report *rep, const struct kube_rules *r, const char *source)
{
	struct sbx_table *t = report_table(rep, "rules", rule_cols, R_NCOLS);

	table_title(t, "kube-proxy's chains (%s)", source);
	for (size_t i = 0; i < r->n; i++) {
		struct sbx_cell *c = table_row(t);

		cell_str(&c[R_TABLE], r->v[i].table);
		cell_str(&c[R_CHAIN], r->v[i].name);
		cell_u64(&c[R_CHAINS], r->v[i].chains);
		cell_u64(&c[R_RULES], r->v[i].rules);
	}
}

/* --- the network pods, through the API ----------------------------------- */

static void cni_pods(struct sbx_report *rep, bool tables)
{
	char name[256], how[128] = "", resolved[256];
	struct sbx_err err = { 0 };
	struct k8s *k;
	json_t *node;
	struct k8s_node_sum s;
	struct k8s_pod *pods;
	struct cni_pod *cp;
	size_t n = 0, m = 0;
	struct sbx_table *t = NULL;

	if (o_node)
		snprintf(name, sizeof(name), "%s", o_node);
	else
		k8s_this_node(name, sizeof(name), how, sizeof(how));
	if (!*name) {
		judge_cni_pods(rep, "this node", "", NULL, 0, "its name is unknown: give --node");
		return;
	}
	k = k8s_open(&o_kube, &err);
	if (!k) {
		judge_cni_pods(rep, name, "", NULL, 0, err.msg);
		return;
	}
	node = k8s_node_find(k, name, false, resolved, sizeof(resolved), &err);
	if (!node) {
		judge_cni_pods(rep, name, "", NULL, 0, err.msg);
		k8s_close(k);
		return;
	}
	k8s_node_sum(node, &s);
	pods = k8s_node_pods(k, resolved, &n, &err);
	if (!pods && err.msg[0]) {
		judge_cni_pods(rep, resolved, s.ready, NULL, 0, err.msg);
		goto out;
	}
	cp = xcalloc(n ? n : 1, sizeof(*cp));
	for (size_t i = 0; i < n; i++) {
		/* the node's own agents: a DaemonSet's pods (not a Deployment
		 * such as calico-kube-controllers, nor a static pod), those of
		 * the network plugin or kube-proxy */
		const char *ds = k8s_pod_daemonset(pods[i].obj);

		if (!ds || pods[i].group != K8S_PG_NETWORK)
			continue;
		cp[m++] = (struct cni_pod){ .ns = k8s_str(pods[i].obj, "metadata.namespace", ""),
					    .name = k8s_str(pods[i].obj, "metadata.name", ""),
					    .status = pods[i].st.status, .ready = pods[i].st.ready,
					    .total = pods[i].st.total, .restarts = pods[i].st.restarts,
					    .crashloop = pods[i].st.crashloop };
		if (tables) {
			struct sbx_cell *c;

			if (!t) {
				t = report_table(rep, "pods", pod_cols, P_NCOLS);
				table_title(t, "Network pods on %s (node Ready: %s)", resolved, *s.ready ? s.ready : "?");
			}
			c = table_row(t);
			cell_str(&c[P_NS], cp[m - 1].ns);
			cell_str(&c[P_NAME], cp[m - 1].name);
			cell_str(&c[P_DS], ds);
			cell_strf(&c[P_READY], "%d/%d", cp[m - 1].ready, cp[m - 1].total);
			cell_str(&c[P_STATUS], cp[m - 1].status);
			cell_u64(&c[P_RESTARTS], (uint64_t)(cp[m - 1].restarts > 0 ? cp[m - 1].restarts : 0));
		}
	}
	judge_cni_pods(rep, resolved, s.ready, cp, m, NULL);
	free(cp);
out:
	k8s_pods_free(pods, n);
	k8s_node_sum_free(&s);
	json_decref(node);
	k8s_close(k);
}

/* --- conntrack: fill now, drops over a short sample --------------------- */

static void conntrack(struct sbx_ctx *ctx, struct sbx_report *rep)
{
	struct net_snap a = { 0 }, b = { 0 };
	struct sbx_err err;
	uint64_t c, m;

	if (node_conntrack(&c, &m, &err) == 0)
		judge_conntrack_fill(rep, c, m);
	else if (err.errnum != ENOENT)
		check_unknown(rep, CHK_CONNTRACK, NULL, "conntrack: %s", err.msg);
	else
		check_rule(rep, CHK_CONNTRACK, ST_OK, NULL, "conntrack: not loaded (no %s)",
			   rooted("/proc/sys/net/netfilter/nf_conntrack_count"));
	net_snap_read(&a, 0, &err);
	if (ctx->interval_given && ctx->interval == 0) {
		judge_net_conntrack(rep, &a, NULL);
	} else {
		sbx_wait(ctx, ctx->interval_given ? ctx->interval : 0.5);
		net_snap_read(&b, 0, &err);
		judge_net_conntrack(rep, &b, &a);
		net_snap_free(&b);
	}
	net_snap_free(&a);
}

static int cni_run(struct sbx_ctx *ctx)
{
	struct sbx_report *rep = report_new("cni");
	struct kube_rules r = { 0 };
	struct proxy p = { 0 };
	struct sbx_err err = { 0 }, serr;
	char plugin[256], source[300] = "";
	bool tables = sbx_wants_tables(ctx), have_dir, have_rules, node;
	struct stat st;

	if (ctx->nargs) {
		warnx_("unexpected argument '%s'", ctx->args[0]);
		report_free(rep);
		return 3;
	}
	ask_proxy(&p);
	have_rules = read_rules(p.mode, &r, source, sizeof(source), &err);
	/* a Kubernetes node: a CNI dir, kube-proxy, its chains, or a kubelet's dir */
	node = p.runs || (have_rules && r.n) || sbx_stat_deadline("/var/lib/kubelet", &st, o_timeout, &serr) == 0;
	have_dir = cni_config(rep, node, tables, plugin, sizeof(plugin));
	node = node || have_dir;
	judge_kube_proxy(rep, p.runs, !p.not_asked, o_healthz, p.answered, p.code, p.err[0] ? p.err : NULL,
			 p.body);
	if (node || have_rules)
		judge_kube_chains(rep, p.runs, p.mode, have_rules ? &r : NULL, source, err.msg);
	if (have_rules && tables && r.n)
		rules_table(rep, &r, source);
	if (node && !o_no_api)
		cni_pods(rep, tables);
	conntrack(ctx, rep);
	if (node)
		report_summary(rep, "CNI %s; kube-proxy %s%s%s", *plugin ? plugin : "not configured",
			       p.runs ? "runs" : "not running", *p.mode ? " in " : "", p.mode);
	else
		report_summary(rep, "not a Kubernetes node: no CNI config, kube-proxy or kubelet dir");
	kube_rules_free(&r);
	sbx_emit(ctx, rep);
	return 0;
}

const struct sbx_applet applet_cni = {
	.name = "cni",
	.examples =
		"# pods on this node cannot reach Services: is kube-proxy healthy?\n"
		"srebox cni\n"
		"# conntrack drops during a traffic spike, without the API server\n"
		"srebox cni --no-api -i 5\n",
	.summary = "the node's network plugin: the CNI config in use, its pods on this node, kube-proxy's mode, health and KUBE-* rules, conntrack fill and drops",
	.usage = "[OPTIONS]",
	.description =
		"Reads /etc/cni/net.d under --root (the first valid file is the one used),\n"
		"asks kube-proxy's healthz and proxyMode on loopback, counts kube-proxy's rules\n"
		"in iptables-save or nft list ruleset (with a deadline, or from --rules FILE),\n"
		"asks the API server for this node's network pods (CNI agents, kube-proxy) and\n"
		"whether the node is Ready, and judges conntrack's fill and drops over a short\n"
		"sample as net does.  A machine with none of these is not a Kubernetes node: OK.",
	.flags = AP_PROBE | AP_OUTPUT,
	.opts = cni_opts,
	.checks = cni_checks,
	.run = cni_run,
};
