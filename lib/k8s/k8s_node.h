/* The node probe behind `nodes`, `node` (and `health`, `drain`): what a
 * Node object, its Lease and its pods say about its health, and which
 * node this machine is. */
#ifndef SREBOX_K8S_NODE_H
#define SREBOX_K8S_NODE_H

#include "k8s.h"
#include "range.h"

/* What a node's health comes to. */
struct k8s_node_cond {
	char type[64], status[16], reason[96];
};

struct k8s_node_sum {
	char name[256];
	struct buf status;	/* kubectl's STATUS: Ready,SchedulingDisabled */
	char ready[16];		/* the Ready condition's status, "" without one */
	char ready_reason[96];
	bool unschedulable;
	struct buf problems;	/* conditions other than Ready that are not False */
	size_t nproblems;
	struct buf taints;	/* key=value:Effect,... */
	/* the kubelet's heartbeat, from the node's Lease */
	bool has_lease;
	double renew_age;	/* seconds since spec.renewTime */
	double lease_seconds;	/* spec.leaseDurationSeconds (40 by default) */
	bool stale;		/* not renewed within its duration */
	enum sbx_state state;	/* CRITICAL not Ready; WARNING cordoned, a problem, stale */
	/* held until k8s_node_sum_done: whether Unknown counts depends on Ready */
	struct k8s_node_cond *conds;
	size_t nconds, aconds;
};

/* Summarize a Node object (the Lease comes later, or never). */
void k8s_node_sum(json_t *node, struct k8s_node_sum *s);
/* The same, piece by piece, for a node read without a tree: init, then
 * its conditions and taints in their order, unschedulable, then done. */
void k8s_node_sum_init(struct k8s_node_sum *s, const char *name);
void k8s_node_sum_condition(struct k8s_node_sum *s, const char *type, const char *status,
			    const char *reason);
void k8s_node_sum_taint(struct k8s_node_sum *s, const char *key, const char *value,
			const char *effect);
void k8s_node_sum_done(struct k8s_node_sum *s);
/* Add the Lease (kube-node-lease/NAME): renew age against `now`. */
void k8s_node_sum_lease(struct k8s_node_sum *s, json_t *lease, double now);
/* The same from its spec.renewTime and leaseDurationSeconds (0: none). */
void k8s_node_sum_renew(struct k8s_node_sum *s, const char *renew_time, double duration,
			double now);
void k8s_node_sum_free(struct k8s_node_sum *s);

/* The Leases of kube-node-lease read alongside a node list: both lists
 * come in name order (a chunked list is in key order), so one page of
 * each is held at a time.  Few nodes (a selector): one GET per node. */
struct k8s_lease {
	char name[256];
	char renew[48];		/* spec.renewTime, "" when unset */
	double duration;	/* spec.leaseDurationSeconds, 0 when unset */
};

struct k8s_lease_join {
	struct k8s *k;
	struct k8s_list list;
	struct k8s_lease *items;	/* the page being walked */
	size_t n, alloc, idx;
	struct k8s_lease one;		/* per node */
	bool listing, in_item, failed, per_node;
	char last[256];		/* the last node asked for, to check the order */
	char why[400];		/* why a node has no lease information */
};
void k8s_lease_join_init(struct k8s_lease_join *j, struct k8s *k, bool per_node);
/* The node's Lease (valid until the next call), or NULL with j->why
 * saying why there is none ("no Lease kube-node-lease/x", the error). */
const struct k8s_lease *k8s_lease_join_find(struct k8s_lease_join *j, const char *node);
void k8s_lease_join_free(struct k8s_lease_join *j);

/* What a Lease's GET need not keep (json_proj.h). */
extern const char *const k8s_lease_drop[];

/* The Node named `name` (managedFields, images and volumes dropped), with
 * `resolved` its name.  When there is none and `prefix` is set, the only
 * node whose name starts with `name`, as kubectl describe node finds it;
 * with several, err lists some.  NULL with err ("nodes \"x\" not found")
 * otherwise. */
json_t *k8s_node_find(struct k8s *k, const char *name, bool prefix, char *resolved, size_t rn,
		      struct sbx_err *err);
/* The names of the nodes with the labels of `selector` (kubectl's -l), in
 * list order, each and the array malloc'd; NULL with err when the list
 * failed or no node has them. */
char **k8s_node_names(struct k8s *k, const char *selector, size_t *n, struct sbx_err *err);
/* The Events about the node, as kubectl describe finds them (an array),
 * or NULL with err. */
json_t *k8s_node_events(struct k8s *k, const char *name, const char *uid, struct sbx_err *err);

/* This machine's node name: $NODE_NAME (the downward API in a DaemonSet),
 * else the running kubelet's --hostname-override, else the hostname in
 * lower case as the kubelet registers it.  `how` says which; /proc and
 * /etc are read under $SREBOX_ROOT. */
void k8s_this_node(char *name, size_t n, char *how, size_t hn);

/* The hostname-override of a kubelet command line (NUL-separated args),
 * or NULL.  Exposed for the unit tests. */
const char *k8s_kubelet_hostname_override(const char *cmdline, size_t n, char *out, size_t on);

#endif
