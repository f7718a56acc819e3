#include "judge_kube.h"

#include "check.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

bool kubelet_obs_is_node(const struct kubelet_obs *o)
{
	return o->comm || o->config || (o->have_unit && !strcmp(o->load, "loaded"));
}

static void unit_text(const struct kubelet_obs *o, char *out, size_t n)
{
	char since[32] = "";

	*out = '\0';
	if (!o->unit)
		return;
	if (!o->have_unit) {
		snprintf(out, n, "; unit %s not asked: %s", o->unit, o->unit_why ? o->unit_why : "?");
		return;
	}
	if (o->active_seconds >= 0 && !strcmp(o->active, "active")) {
		fmt_duration(since, sizeof(since), o->active_seconds);
		snprintf(out, n, "; unit %s active (%s) for %s", o->unit, o->sub, since);
	} else {
		snprintf(out, n, "; unit %s %s (%s)%s%s", o->unit, o->active, o->sub,
			 *o->result && strcmp(o->result, "success") ? ", result " : "",
			 *o->result && strcmp(o->result, "success") ? o->result : "");
	}
}

void judge_kubelet(struct sbx_report *rep, const struct kubelet_obs *o)
{
	bool unit_active = o->have_unit && !strcmp(o->active, "active");
	char u[200], who[96];

	if (!o->have_tasks && !o->unit)
		return;
	unit_text(o, u, sizeof(u));
	if (o->have_unit && o->nrestarts >= 0)
		check_value(rep, CHK_KUBELET_RESTARTS, o->unit, (double)o->nrestarts,
			    "%s: restarted %ld time%s by systemd on failure since it was started", o->unit,
			    o->nrestarts, o->nrestarts == 1 ? "" : "s");
	if (!o->comm && !unit_active) {
		if (o->config)
			check_rule(rep, CHK_KUBELET, ST_CRITICAL, NULL,
				   "kubelet: not running, but this node is set up for one (%s)%s", o->config, u);
		else if (o->have_unit && !strcmp(o->load, "loaded"))
			check_rule(rep, CHK_KUBELET, ST_CRITICAL, NULL,
				   "kubelet: not running, but its unit is installed%s", u);
		else if (!o->have_tasks)
			check_rule(rep, CHK_KUBELET, ST_UNKNOWN, NULL,
				   "kubelet: the process table could not be read and no config was found%s", u);
		else
			check_rule(rep, CHK_KUBELET, ST_OK, NULL, "kubelet: none here (no process, no %s)%s",
				   o->looked ? o->looked : "/var/lib/kubelet/config.yaml", u);
		return;
	}
	if (o->comm)
		snprintf(who, sizeof(who), "%s (pid %ld)", o->comm, o->pid);
	else
		snprintf(who, sizeof(who), "kubelet (its unit; no process seen: another PID namespace?)");
	if (o->healthz_why) {
		check_rule(rep, CHK_KUBELET, ST_UNKNOWN, NULL, "%s runs; healthz not asked: %s%s", who,
			   o->healthz_why, u);
	} else if (!o->answered) {
		check_rule(rep, CHK_KUBELET, ST_CRITICAL, NULL, "%s runs but %s did not answer: %s%s", who,
			   o->healthz, o->err ? o->err : "?", u);
	} else if (o->code == 200) {
		check_rule(rep, CHK_KUBELET, ST_OK, NULL, "%s healthy: %s ok in %.0f ms%s", who, o->healthz,
			   o->ms, u);
	} else {
		size_t l = o->body ? o->body_len : 0;

		while (l && (o->body[l - 1] == '\n' || o->body[l - 1] == '\r'))
			l--;
		check_rule(rep, CHK_KUBELET, ST_CRITICAL, NULL, "%s unhealthy: %s answered %ld: %.*s%s", who,
			   o->healthz, o->code, (int)(l > 200 ? 200 : l), l ? o->body : "", u);
	}
}

void judge_kubelet_cert(struct sbx_report *rep, const char *file, const struct x509_info *ci, double now)
{
	double days = ((double)ci->not_after - now) / 86400;
	char left[32];

	fmt_duration(left, sizeof(left), fabs((double)ci->not_after - now));
	if (days < 0)
		check_value(rep, CHK_KUBELET_CERT, file, days, "%s%s%s%s: expired %s ago", file,
			    *ci->cn ? " (" : "", ci->cn, *ci->cn ? ")" : "", left);
	else if ((double)ci->not_before > now)
		check_value(rep, CHK_KUBELET_CERT, file, days, "%s%s%s%s: not valid yet (clock skew?), "
			    "expires in %s", file, *ci->cn ? " (" : "", ci->cn, *ci->cn ? ")" : "", left);
	else
		check_value(rep, CHK_KUBELET_CERT, file, days, "%s%s%s%s: expires in %s", file,
			    *ci->cn ? " (" : "", ci->cn, *ci->cn ? ")" : "", left);
}

bool evict_threshold(const char *thr, double total, double *out)
{
	static const struct {
		const char *s;
		double m;
	} suf[] = { { "Ki", 1024.0 }, { "Mi", 1048576.0 }, { "Gi", 1073741824.0 }, { "Ti", 1099511627776.0 },
		    { "Pi", 1125899906842624.0 }, { "k", 1e3 }, { "M", 1e6 }, { "G", 1e9 }, { "T", 1e12 },
		    { "P", 1e15 }, { "", 1 } };
	char *end;
	double v;

	if (!thr || !*thr)
		return false;
	v = strtod(thr, &end);
	if (end == thr || !isfinite(v) || v < 0)
		return false;
	if (!strcmp(end, "%")) {
		if (v > 100 || total <= 0)
			return false;
		*out = total * v / 100;
		return true;
	}
	for (size_t i = 0; i < ARRAY_SIZE(suf); i++)
		if (!strcmp(end, suf[i].s)) {
			*out = v * suf[i].m;
			return true;
		}
	return false;
}

static void amount(char *out, size_t n, double v, bool bytes)
{
	if (bytes)
		fmt_bytes(out, n, v);
	else
		fmt_count(out, n, v);
}

void judge_eviction(struct sbx_report *rep, const struct evict_signal *s)
{
	double hard = -1, soft = -1;
	char a[32], h[32], t[32];

	if (!s->hard && !s->soft)
		return;
	if (!s->have) {
		check_rule(rep, CHK_EVICTION, ST_UNKNOWN, s->name, "%s: %s", s->name, s->why ? s->why : "?");
		return;
	}
	if ((s->hard && !evict_threshold(s->hard, s->total, &hard)) ||
	    (s->soft && !evict_threshold(s->soft, s->total, &soft))) {
		check_rule(rep, CHK_EVICTION, ST_UNKNOWN, s->name, "%s: threshold %s (%s) is not a quantity or %%",
			   s->name, s->hard && hard < 0 ? s->hard : s->soft, s->from);
		return;
	}
	amount(a, sizeof(a), s->avail, s->bytes);
	amount(t, sizeof(t), s->total, s->bytes);
	amount(h, sizeof(h), hard >= 0 ? hard : soft, s->bytes);
	if (hard >= 0 && s->avail < hard)
		check_rule(rep, CHK_EVICTION, ST_CRITICAL, s->name,
			   "%s: %s of %s, below the hard threshold %s (%s, %s): the kubelet is evicting pods",
			   s->name, a, t, s->hard, h, s->from);
	else if (soft >= 0 && s->avail < soft)
		check_rule(rep, CHK_EVICTION, ST_WARNING, s->name,
			   "%s: %s of %s, below the soft threshold %s (%s): eviction after its grace period",
			   s->name, a, t, s->soft, s->from);
	else
		check_rule(rep, CHK_EVICTION, ST_OK, s->name, "%s: %s of %s, threshold %s (%s, %s)", s->name, a, t,
			   s->hard ? s->hard : s->soft, h, s->from);
}

void judge_runtime(struct sbx_report *rep, bool node, const char *sock, const char *tried,
		   const char *err, double ms)
{
	if (!sock) {
		check_rule(rep, CHK_RUNTIME, node ? ST_CRITICAL : ST_OK, NULL, "container runtime: no socket (%s)%s",
			   tried, node ? "" : ", none expected here");
		return;
	}
	if (err)
		check_rule(rep, CHK_RUNTIME, node ? ST_CRITICAL : ST_WARNING, sock,
			   "container runtime: %s", err);
	else
		check_rule(rep, CHK_RUNTIME, ST_OK, sock, "container runtime: %s answers (%.1f ms)", sock, ms);
}

void judge_cni_config(struct sbx_report *rep, bool node, const char *dir, const char *used,
		      const char *plugin, size_t nvalid, const char *bad, const char *why)
{
	if (why) {
		check_rule(rep, CHK_CNI_CONFIG, node ? ST_CRITICAL : ST_OK, NULL, "%s: %s%s", dir, why,
			   node ? " (the kubelet reports NotReady: cni config uninitialized)" :
				  ": not a Kubernetes node");
		return;
	}
	if (!nvalid) {
		check_rule(rep, CHK_CNI_CONFIG, node ? ST_CRITICAL : ST_WARNING, NULL,
			   "%s: no valid network configuration (%s)", dir, bad ? bad : "no .conf, .conflist or .json");
		return;
	}
	if (bad)
		check_rule(rep, CHK_CNI_CONFIG, ST_WARNING, used, "%s: %s (%s) is used; skipped: %s", dir, used, plugin,
			   bad);
	else
		check_rule(rep, CHK_CNI_CONFIG, ST_OK, used, "%s: %s (%s)%s", dir, used, plugin,
			   nvalid > 1 ? ", the first of several" : "");
}

void judge_cni_pods(struct sbx_report *rep, const char *node, const char *node_ready,
		    const struct cni_pod *p, size_t n, const char *err)
{
	bool ready = !strcmp(node_ready, "True");
	size_t bad = 0;

	if (err) {
		check_rule(rep, CHK_CNI_PODS, ST_UNKNOWN, node, "network pods on %s: %s", node, err);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		bool ok = p[i].total > 0 && p[i].ready == p[i].total && !p[i].crashloop;

		if (ok)
			continue;
		bad++;
		check_rule(rep, CHK_CNI_PODS, !ready && !(p[i].ready == p[i].total && p[i].total) ? ST_CRITICAL : ST_WARNING,
			   p[i].name, "%s/%s %d/%d ready, %s, %ld restarts on %s node %s%s", p[i].ns, p[i].name,
			   p[i].ready, p[i].total, p[i].status, p[i].restarts,
			   ready ? "Ready" : *node_ready ? "NotReady" : "Ready-unknown", node,
			   ready ? "" : ": the likely reason it is NotReady");
	}
	if (!bad)
		check_rule(rep, CHK_CNI_PODS, ST_OK, node, "network pods on %s: %zu, all Ready%s", node, n,
			   n ? "" : " (none found: a CNI without pods, or not scheduled here)");
}

void judge_kube_proxy(struct sbx_report *rep, bool runs, bool asked, const char *url, bool answered,
		      long code, const char *err, const char *body)
{
	if (runs && !asked) {
		check_rule(rep, CHK_KUBE_PROXY, ST_UNKNOWN, NULL, "kube-proxy runs; %s %s", url,
			   err ? err : "not asked");
		return;
	}
	if (!runs) {
		check_rule(rep, CHK_KUBE_PROXY, ST_OK, NULL, "kube-proxy: not running here (%s: %s)", url,
			   err ? err : "no answer");
		return;
	}
	if (!answered)
		check_rule(rep, CHK_KUBE_PROXY, ST_CRITICAL, NULL, "kube-proxy runs but %s did not answer: %s", url,
			   err ? err : "?");
	else if (code == 200)
		check_rule(rep, CHK_KUBE_PROXY, ST_OK, NULL, "kube-proxy healthy: %s answered 200", url);
	else
		check_rule(rep, CHK_KUBE_PROXY, ST_CRITICAL, NULL, "kube-proxy unhealthy: %s answered %ld: %.200s", url,
			   code, body ? body : "");
}

void judge_kube_chains(struct sbx_report *rep, bool proxy_runs, const char *mode,
		       const struct kube_rules *r, const char *source, const char *err)
{
	bool needs = proxy_runs && (!*mode || !strcmp(mode, "iptables") || !strcmp(mode, "nftables"));

	if (!r) {
		check_rule(rep, CHK_KUBE_CHAINS, ST_UNKNOWN, NULL, "kube-proxy rules: %s", err ? err : "?");
		return;
	}
	if (r->has_services && r->rules)
		check_rule(rep, CHK_KUBE_CHAINS, ST_OK, NULL,
			   "kube-proxy rules: %llu in %zu kube chains, %u services (%s)",
			   (unsigned long long)r->rules, r->n, r->services, source);
	else if (needs)
		check_rule(rep, CHK_KUBE_CHAINS, ST_CRITICAL, NULL,
			   "kube-proxy runs%s%s but %s has no %s: Services do not route on this node", *mode ? " in " : "",
			   mode, source, r->n ? "KUBE-SERVICES chain" : "KUBE-* chains");
	else
		check_rule(rep, CHK_KUBE_CHAINS, ST_OK, NULL, "kube-proxy rules: %s (%s)",
			   r->n ? "some KUBE-* chains, no KUBE-SERVICES" : "none", source);
}

void judge_conntrack_fill(struct sbx_report *rep, uint64_t c, uint64_t m)
{
	double pct = m ? (double)c / (double)m * 100 : 0;

	if (!m) {
		check_unknown(rep, CHK_CONNTRACK, NULL, "conntrack: nf_conntrack_max is 0");
		return;
	}
	check_value(rep, CHK_CONNTRACK, NULL, pct, "conntrack %llu of %llu entries (%.1f%%)", (unsigned long long)c,
		    (unsigned long long)m, pct);
}
