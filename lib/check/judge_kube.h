/* The judgments on a Kubernetes node's own agents, made once for
 * `srebox kubelet`, `srebox cni` and `srebox health`: the kubelet (its
 * process or unit and healthz), its certificates, its eviction signals,
 * the container runtime's socket, the network plugin's config and pods,
 * kube-proxy's health and rules, and conntrack's fill.  The readings come
 * from host/, net/ and k8s/ (done by the applets); only the rules are
 * here. */
#ifndef SREBOX_JUDGE_KUBE_H
#define SREBOX_JUDGE_KUBE_H

#include "kuberules.h"
#include "report.h"
#include "x509.h"

struct kubelet_obs {
	bool have_tasks;		/* the process table was read */
	const char *comm;		/* the kubelet's process (kubelet, k3s-server...), NULL: none */
	long pid;
	/* systemd's unit (srebox kubelet asks; health does not) */
	const char *unit;		/* NULL: not asked */
	bool have_unit;			/* systemctl answered */
	const char *unit_why;		/* !have_unit: why not */
	char load[32], active[32], sub[32], result[32];
	long nrestarts;			/* -1: unknown */
	double active_seconds;		/* since it entered active, -1: unknown */
	const char *config;		/* a file saying the node is set up for a kubelet, or NULL */
	const char *looked;		/* the config file looked for, for "none here" */
	/* healthz: asked only when the kubelet runs */
	const char *healthz;
	const char *healthz_why;	/* not asked: why (libcurl missing) */
	bool answered;
	long code;
	const char *err;		/* no answer: why */
	double ms;
	const char *body;
	size_t body_len;
};

/* kubelet (and kubelet_restarts when the unit was asked).  Whether this is a
 * Kubernetes node at all: a process, a loaded unit or a config. */
void judge_kubelet(struct sbx_report *rep, const struct kubelet_obs *o);
bool kubelet_obs_is_node(const struct kubelet_obs *o);

/* kubelet_cert for one certificate of `file` (now: epoch seconds). */
void judge_kubelet_cert(struct sbx_report *rep, const char *file, const struct x509_info *ci, double now);

/* One eviction signal: what is available now of what total. */
struct evict_signal {
	const char *name;		/* "memory.available", "nodefs.inodesFree" */
	bool have;
	const char *why;		/* !have */
	double avail, total;		/* bytes or inodes */
	bool bytes;
	const char *hard, *soft;	/* the thresholds in force ("100Mi", "10%"), NULL: none */
	const char *from;		/* "config.yaml" or "the kubelet's default" */
};
/* eviction, one finding per signal with a threshold.  A threshold that does
 * not parse is UNKNOWN naming it. */
void judge_eviction(struct sbx_report *rep, const struct evict_signal *s);
/* A threshold "100Mi", "10%", "1.5Gi" against total: the amount (bytes or
 * inodes) below which the signal trips; false when it does not parse. */
bool evict_threshold(const char *thr, double total, double *out);

/* runtime: `sock` the socket asked (NULL: none found, `tried` lists where
 * srebox looked), err its failure (NULL: it answered in ms). */
void judge_runtime(struct sbx_report *rep, bool node, const char *sock, const char *tried,
		   const char *err, double ms);

/* cni_config: the files of /etc/cni/net.d, the first valid one is used. */
void judge_cni_config(struct sbx_report *rep, bool node, const char *dir, const char *used,
		      const char *plugin, size_t nvalid, const char *bad, const char *why);

struct cni_pod {
	const char *ns, *name, *status;
	int ready, total;
	long restarts;
	bool crashloop;
};
/* cni_pods: node_ready "True", "False", "Unknown" or "" (not read); err:
 * the API could not be asked (UNKNOWN, or OK with no API on a plain
 * host: api_optional). */
void judge_cni_pods(struct sbx_report *rep, const char *node, const char *node_ready,
		    const struct cni_pod *p, size_t n, const char *err);

/* kube_proxy: runs (its process, or its healthz answered at all); asked:
 * its healthz was (not for another machine's tree: UNKNOWN, err why). */
void judge_kube_proxy(struct sbx_report *rep, bool runs, bool asked, const char *url, bool answered,
		      long code, const char *err, const char *body);

/* kube_chains: mode "iptables", "nftables", "ipvs" or "" (unknown);
 * rules NULL with err when they could not be read. */
void judge_kube_chains(struct sbx_report *rep, bool proxy_runs, const char *mode,
		       const struct kube_rules *rules, const char *source, const char *err);

/* conntrack (fill): count of max, or err (ENOENT-style "not loaded" is
 * said by the caller's choice to skip). */
void judge_conntrack_fill(struct sbx_report *rep, uint64_t count, uint64_t max);

#endif
