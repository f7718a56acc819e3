/* Parsers for cgroup CPU files and kubelet cgroup names.  See cgroup.h. */
#include "cgroup.h"
#include "procfs.h"

#include <stdio.h>
#include <string.h>

int parse_cg_cpu_stat(const char *text, size_t len, const char *fname, unsigned version,
		      struct cg_cpu_stat *out, struct sbx_err *err)
{
	struct kv_list kv;
	uint64_t v;

	memset(out, 0, sizeof(*out));
	if (parse_kv(text, len, fname, &kv, err) < 0)
		return -1;
	out->has_periods = kv_get(&kv, "nr_periods", &out->nr_periods) &&
			   kv_get(&kv, "nr_throttled", &out->nr_throttled);
	if (version == 1 && kv_get(&kv, "throttled_time", &v)) {
		out->has_throttled_time = true;
		out->throttled_s = (double)v / 1e9;
	} else if (version != 1 && kv_get(&kv, "throttled_usec", &v)) {
		out->has_throttled_time = true;
		out->throttled_s = (double)v / 1e6;
	}
	if (kv_get(&kv, "usage_usec", &v)) {
		out->has_usage = true;
		out->usage_s = (double)v / 1e6;
	}
	kv_free(&kv);
	if (out->has_periods && out->nr_throttled > out->nr_periods) {
		sbx_err_set(err, 0, "%s: nr_throttled %llu above nr_periods %llu", fname,
			    (unsigned long long)out->nr_throttled,
			    (unsigned long long)out->nr_periods);
		return -1;
	}
	return 0;
}

/* One token of a one-line file: its start and length, or false at the end. */
static bool token(const char **p, const char *end, const char **tok, size_t *n)
{
	const char *s = *p;

	while (s < end && (*s == ' ' || *s == '\t' || *s == '\n'))
		s++;
	if (s == end)
		return false;
	*tok = s;
	while (s < end && *s != ' ' && *s != '\t' && *s != '\n')
		s++;
	*n = (size_t)(s - *tok);
	*p = s;
	return true;
}

static bool tok_u64(const char *t, size_t n, uint64_t *v)
{
	const char *p = t;

	return scan_u64(&p, t + n, v) && p == t + n;
}

int parse_cpu_max(const char *text, size_t len, const char *fname, struct cg_cpu_limit *out,
		  struct sbx_err *err)
{
	const char *p = text, *end = text + len, *t1, *t2, *t3;
	size_t n1, n2, n3;
	uint64_t q;

	out->quota_us = -1;
	out->period_us = 100000;	/* the kernel's default period */
	if (!token(&p, end, &t1, &n1))
		goto bad;
	if (n1 == 3 && !memcmp(t1, "max", 3))
		out->quota_us = -1;
	else if (tok_u64(t1, n1, &q) && q <= INT64_MAX)
		out->quota_us = (int64_t)q;
	else
		goto bad;
	if (token(&p, end, &t2, &n2) && (!tok_u64(t2, n2, &out->period_us) || !out->period_us))
		goto bad;
	if (token(&p, end, &t3, &n3))
		goto bad;
	return 0;
bad:
	sbx_err_set(err, 0, "%s: expected '$MAX $PERIOD', got '%.*s'", fname,
		    (int)(len > 40 ? 40 : len), text);
	return -1;
}

int parse_cfs_quota(const char *quota, size_t qlen, const char *period, size_t plen,
		    const char *fname, struct cg_cpu_limit *out, struct sbx_err *err)
{
	const char *p = quota, *end = quota + qlen, *t, *extra;
	size_t n, en;
	uint64_t v;

	if (!token(&p, end, &t, &n) || token(&p, end, &extra, &en))
		goto bad;
	if (n == 2 && !memcmp(t, "-1", 2))
		out->quota_us = -1;
	else if (tok_u64(t, n, &v) && v <= INT64_MAX)
		out->quota_us = (int64_t)v;
	else
		goto bad;
	p = period;
	end = period + plen;
	if (!token(&p, end, &t, &n) || token(&p, end, &extra, &en) ||
	    !tok_u64(t, n, &out->period_us) || !out->period_us) {
		sbx_err_set(err, 0, "%s: cpu.cfs_period_us: not a period: '%.*s'", fname,
			    (int)(plen > 30 ? 30 : plen), period);
		return -1;
	}
	return 0;
bad:
	sbx_err_set(err, 0, "%s: cpu.cfs_quota_us: not a quota: '%.*s'", fname,
		    (int)(qlen > 30 ? 30 : qlen), quota);
	return -1;
}

const char *k8s_qos_name(enum k8s_qos q)
{
	switch (q) {
	case QOS_GUARANTEED:
		return "Guaranteed";
	case QOS_BURSTABLE:
		return "Burstable";
	case QOS_BESTEFFORT:
		return "BestEffort";
	case QOS_NONE:
		break;
	}
	return "";
}

static bool comp_is(const char *c, size_t n, const char *s)
{
	return strlen(s) == n && !memcmp(c, s, n);
}

static bool comp_starts(const char *c, size_t n, const char *s)
{
	size_t l = strlen(s);

	return n >= l && !memcmp(c, s, l);
}

/* "pod<uid>" (cgroupfs) or the uid part of a systemd slice: the kubelet
 * escapes '-' as '_' for systemd (escapeSystemdCgroupName). */
static bool set_uid(struct k8s_cgroup *k, const char *u, size_t n)
{
	if (n == 0 || n >= sizeof(k->pod_uid))
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = u[i];

		if (!(is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
		      c == '_'))
			return false;
		k->pod_uid[i] = c == '_' ? '-' : c;
	}
	k->pod_uid[n] = '\0';
	return true;
}

/* The container's cgroup: "<id>" (cgroupfs), "<runtime>-<id>.scope"
 * (systemd), or on CRI-O with cgroupfs "crio-<id>". */
static bool set_container(struct k8s_cgroup *k, const char *c, size_t n)
{
	static const char *const runtimes[] = { "cri-containerd", "crio-conmon", "crio", "docker",
						"containerd", "cri-dockerd" };

	if (n > 6 && !memcmp(c + n - 6, ".scope", 6))
		n -= 6;
	for (size_t i = 0; i < ARRAY_SIZE(runtimes); i++) {
		size_t l = strlen(runtimes[i]);

		if (n > l + 1 && !memcmp(c, runtimes[i], l) && c[l] == '-') {
			snprintf(k->runtime, sizeof(k->runtime), "%s", runtimes[i]);
			c += l + 1;
			n -= l + 1;
			break;
		}
	}
	if (n == 0 || n >= sizeof(k->container_id))
		return false;
	memcpy(k->container_id, c, n);
	k->container_id[n] = '\0';
	return true;
}

bool k8s_cgroup_parse(const char *path, struct k8s_cgroup *k)
{
	/* the systemd name of the kubepods slice without ".slice", usually
	 * "kubepods", from which every child's name is derived */
	char prefix[128] = "", want[160];
	const char *p = path;
	size_t wl;

	memset(k, 0, sizeof(*k));
	while (*p) {
		const char *c;
		size_t n;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		c = p;
		n = strcspn(p, "/");
		p += n;
		switch (k->level) {
		case K8S_NONE:
			if (comp_is(c, n, "kubepods")) {
				k->driver = DRIVER_CGROUPFS;
				k->level = K8S_NODE;
			} else if (n >= 14 && n - 6 < sizeof(prefix) &&
				   !memcmp(c + n - 14, "kubepods.slice", 14) &&
				   (n == 14 || c[n - 15] == '-')) {
				/* "kubepods.slice", or under another root
				 * "kubelet-kubepods.slice" */
				k->driver = DRIVER_SYSTEMD;
				k->level = K8S_NODE;
				memcpy(prefix, c, n - 6);
				prefix[n - 6] = '\0';
			}
			break;
		case K8S_NODE:
			if (k->driver == DRIVER_CGROUPFS) {
				if (comp_is(c, n, "burstable") || comp_is(c, n, "besteffort")) {
					k->qos = *c == 'b' && c[1] == 'u' ? QOS_BURSTABLE
									  : QOS_BESTEFFORT;
					k->level = K8S_QOS;
				} else if (comp_starts(c, n, "pod") && set_uid(k, c + 3, n - 3)) {
					k->qos = QOS_GUARANTEED;
					k->level = K8S_POD;
				} else {
					goto not_k8s;
				}
				break;
			}
			if (snprintf(want, sizeof(want), "%s-burstable.slice", prefix) > 0 &&
			    comp_is(c, n, want)) {
				k->qos = QOS_BURSTABLE;
				k->level = K8S_QOS;
			} else if (snprintf(want, sizeof(want), "%s-besteffort.slice", prefix) > 0 &&
				   comp_is(c, n, want)) {
				k->qos = QOS_BESTEFFORT;
				k->level = K8S_QOS;
			} else if ((wl = (size_t)snprintf(want, sizeof(want), "%s-pod", prefix)) &&
				   comp_starts(c, n, want) && n > wl + 6 &&
				   !memcmp(c + n - 6, ".slice", 6) &&
				   set_uid(k, c + wl, n - wl - 6)) {
				k->qos = QOS_GUARANTEED;
				k->level = K8S_POD;
			} else {
				goto not_k8s;
			}
			break;
		case K8S_QOS:
			if (k->driver == DRIVER_CGROUPFS) {
				if (!comp_starts(c, n, "pod") || !set_uid(k, c + 3, n - 3))
					goto not_k8s;
			} else {
				wl = (size_t)snprintf(want, sizeof(want), "%s-%s-pod", prefix,
						      k->qos == QOS_BURSTABLE ? "burstable"
									      : "besteffort");
				if (!comp_starts(c, n, want) || n <= wl + 6 ||
				    memcmp(c + n - 6, ".slice", 6) ||
				    !set_uid(k, c + wl, n - wl - 6))
					goto not_k8s;
			}
			k->level = K8S_POD;
			break;
		case K8S_POD:
			if (!set_container(k, c, n))
				goto not_k8s;
			k->level = K8S_CONTAINER;
			break;
		case K8S_CONTAINER:
			/* a cgroup the container made inside its own */
			break;
		}
	}
	return k->level != K8S_NONE;
not_k8s:
	memset(k, 0, sizeof(*k));
	return false;
}

/* One line's controllers field holds ctl as a whole word of its comma list. */
static bool has_controller(const char *list, size_t n, const char *ctl)
{
	size_t cl = strlen(ctl);

	while (n) {
		size_t w = 0;

		while (w < n && list[w] != ',')
			w++;
		if (w == cl && !memcmp(list, ctl, cl))
			return true;
		list += w;
		n -= w;
		if (n) {
			list++;
			n--;
		}
	}
	return false;
}

int parse_proc_cgroup(const char *text, size_t len, const char *fname, char *path, size_t n,
		      struct sbx_err *err)
{
	/* best so far: 3 the v2 line (not "/"), 2 cpu, 1 name=systemd, 0 a v2 "/" */
	int best = -1;
	const char *p = text, *end = text + len;
	size_t lineno = 0;

	if (n)
		path[0] = '\0';
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *c1, *c2, *cp;
		size_t ll, pl;
		int rank = -1;

		lineno++;
		if (!eol) {
			sbx_err_set(err, 0, "%s: line %zu: cut short (no newline)", fname, lineno);
			return -1;
		}
		ll = (size_t)(eol - p);
		c1 = memchr(p, ':', ll);
		c2 = c1 ? memchr(c1 + 1, ':', (size_t)(eol - c1 - 1)) : NULL;
		if (!c1 || !c2 || c1 == p || c2[1] != '/') {
			sbx_err_set(err, 0, "%s: line %zu: not \"ID:controllers:/path\"", fname, lineno);
			return -1;
		}
		for (const char *d = p; d < c1; d++)
			if (*d < '0' || *d > '9') {
				sbx_err_set(err, 0, "%s: line %zu: hierarchy ID is not a number", fname, lineno);
				return -1;
			}
		cp = c2 + 1;
		pl = (size_t)(eol - cp);
		if (c1 - p == 1 && *p == '0' && c2 == c1 + 1)
			rank = pl == 1 ? 0 : 3;
		else if (has_controller(c1 + 1, (size_t)(c2 - c1 - 1), "cpu"))
			rank = 2;
		else if (has_controller(c1 + 1, (size_t)(c2 - c1 - 1), "name=systemd"))
			rank = 1;
		if (rank > best) {
			if (pl >= n) {
				sbx_err_set(err, 0, "%s: line %zu: path longer than %zu bytes", fname, lineno, n - 1);
				return -1;
			}
			memcpy(path, cp, pl);
			path[pl] = '\0';
			best = rank;
		}
		p = eol + 1;
	}
	if (best < 0) {
		sbx_err_set(err, 0, "%s: %s", fname, len ? "no v2, cpu or systemd cgroup line" : "empty");
		return -1;
	}
	return 0;
}

bool parse_pod_log_dir(const char *name, char *pod, size_t podn, char *uid, size_t uidn)
{
	const char *u1 = strchr(name, '_'), *u2 = u1 ? strchr(u1 + 1, '_') : NULL;
	size_t nl, ul;

	if (!u1 || !u2 || u1 == name || u2 == u1 + 1 || strchr(u2 + 1, '_') || !u2[1])
		return false;
	nl = (size_t)(u2 - name);
	ul = strlen(u2 + 1);
	if (nl >= podn || ul >= uidn)
		return false;
	memcpy(pod, name, nl);
	pod[nl] = '\0';
	pod[u1 - name] = '/';
	memcpy(uid, u2 + 1, ul + 1);
	return true;
}
