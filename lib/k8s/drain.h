/* Cordon, uncordon and drain, with kubectl 1.32's semantics (reference
 * kubernetes.md §3): the same PATCH, the same pod filters in the same
 * order, policy/v1 Evictions, waiting until each pod is gone (404 or a new
 * UID).  Unlike kubectl, the plan comes first (drain_plan: what will be
 * evicted, skipped and why, which PodDisruptionBudgets block right now) and
 * nothing is sent until the caller decides to act (drain_run).
 *
 * The filter and the selector matching are pure functions of jansson trees
 * (unit-testable); the rest talks to the API server through lib/k8s.h. */
#ifndef SREBOX_DRAIN_H
#define SREBOX_DRAIN_H

#include "k8s.h"
#include "retry.h"

enum drain_dry { DRY_NONE, DRY_CLIENT, DRY_SERVER };

/* --- cordon -------------------------------------------------------------- */

/* Set spec.unschedulable of `node` as kubectl cordon/uncordon does: GET, and
 * only when it differs, PATCH with the strategic merge patch
 * {"spec":{"unschedulable":true}} ({"...":null} to uncordon); DRY_CLIENT
 * sends no PATCH, DRY_SERVER adds ?dryRun=All.  0 with *changed (false:
 * already in that state), or -1 with err (and *code: 404 for no such node). */
int drain_cordon(struct k8s *k, const char *node, bool on, enum drain_dry dry, bool *changed,
		 long *code, struct sbx_err *err);
/* The same in two steps, so that every node is read before any changes
 * (kubectl cordon a nosuch b changes nothing): the node as drain reads it
 * (NULL with err and *code), then the PATCH when `n` differs. */
json_t *drain_node_get(struct k8s *k, const char *node, long *code, struct sbx_err *err);
int drain_cordon_node(struct k8s *k, const char *node, json_t *n, bool on, enum drain_dry dry,
		      bool *changed, long *code, struct sbx_err *err);

/* --- the plan ------------------------------------------------------------ */

struct drain_opts {
	bool ignore_daemonsets, delete_emptydir, force, disable_eviction;
	long grace;		/* --grace-period; -1: each pod's own */
	double skip_wait;	/* --skip-wait-for-delete-timeout; 0: off */
	double timeout;		/* --timeout for evictions and waits; 0: none */
	const char *pod_selector;
	enum drain_dry dry;
	double poll;		/* seconds between checks that a pod is gone (1) */
	struct retry_policy retry;	/* for refused (429) evictions */
};

enum drain_action {
	DA_EVICT,		/* policy/v1 Eviction */
	DA_DELETE,		/* DELETE (--disable-eviction) */
	DA_SKIP,		/* left on the node */
	DA_BLOCK,		/* a filter refuses: nothing happens without its flag */
};

/* What kubectl's filters (filters.go makeFilters) decide for one pod, with
 * srebox's words for people (`why`) and kubectl's for a refusal (`fatal`,
 * the message it groups pods under).  ds: the pod's DaemonSet as looked up
 * (1 exists, 0 not found, -1 the lookup failed with ds_err); only read for
 * DaemonSet-managed pods (drain_pod_daemonset says which).  now: epoch. */
struct drain_verdict {
	enum drain_action action;
	char why[200];
	const char *fatal;	/* DA_BLOCK: kubectl's message */
	const char *warning;	/* kubectl's warning for a pod it deletes or skips anyway */
};
void drain_filter(json_t *pod, const struct drain_opts *o, double now, int ds, const char *ds_err,
		  struct drain_verdict *v);
/* The DaemonSet controlling a running pod ("name"), or NULL. */
const char *drain_pod_daemonset(json_t *pod);

/* A label selector (matchLabels, matchExpressions) against labels; a NULL
 * selector matches nothing, an empty one everything (policy/v1). */
bool drain_selector_match(json_t *selector, json_t *labels);

enum drain_pstate {
	PS_TODO,		/* not yet asked (or refused: asked again at next_at) */
	PS_WAIT,		/* evicted or deleted: waiting until it is gone */
	PS_GONE,		/* 404, or a new pod under the same name */
	PS_SKIPPED_WAIT,	/* terminating longer than --skip-wait-for-delete-timeout */
	PS_ACCEPTED,		/* --dry-run=server: the server would evict it */
	PS_REFUSED,		/* --dry-run=server: a budget would refuse it */
	PS_FAILED,		/* an error that is not a budget's refusal */
};

struct drain_pod {
	char *ns, *name, *uid, *owner;	/* owner: "ReplicaSet/x", or "" */
	char *pdbs;		/* the budgets selecting it, "name, name", or NULL */
	bool pdb_blocks;	/* one of them allows no disruption now */
	struct drain_verdict v;
	/* while draining */
	enum drain_pstate state;
	unsigned attempts, refusals;
	double next_at;		/* monotonic */
	double done_after;	/* seconds from the start of the run */
	bool replaced;		/* gone because a new pod took its name */
	struct retry retry;
	char *budget;		/* the budget named by the last refusal */
	char *error;		/* the last refusal or error, as the server said it */
};

struct drain_pdb {
	char *ns, *name;
	long allowed, current, desired, expected;
	bool has_status;
	size_t here;		/* pods on the node it selects (to be evicted) */
};

struct drain_node {
	char *name;
	bool unschedulable;	/* as found */
	struct drain_pod *pods;
	size_t npods, apods;
	struct drain_pdb *pdbs;
	size_t npdbs, apdbs;
	char *pdb_error;	/* the budgets could not be listed: why */
	size_t n[4];		/* pods per drain_action */
	/* after drain_run */
	bool timed_out, interrupted;
	double elapsed;
};

/* Look at `node` (GET), list its pods (spec.nodeName, --pod-selector, all
 * namespaces, chunked), run the filters (one GET per DaemonSet, as
 * kubectl), and list the budgets of the namespaces concerned.  -1 with err
 * (and *code) when the node or its pods could not be read; a budget list
 * that fails leaves pdb_error set instead. */
int drain_plan(struct k8s *k, const char *node, const struct drain_opts *o, struct drain_node *dn,
	       long *code, struct sbx_err *err);
void drain_node_free(struct drain_node *dn);

/* --- acting -------------------------------------------------------------- */

enum drain_ev {
	DE_EVICT,		/* asking (pod) */
	DE_REFUSED,		/* 429 (pod: budget, error, refusals; delay) */
	DE_GONE,		/* pod gone (replaced tells how) */
	DE_SKIPPED_WAIT,	/* stopped waiting for a long-terminating pod */
	DE_ERROR,		/* pod->error */
	DE_TICK,		/* pending, elapsed, left: a progress line */
};

struct drain_event {
	enum drain_ev kind;
	const struct drain_node *dn;
	const struct drain_pod *pod;
	double delay;		/* DE_REFUSED: until the next try */
	size_t pending;
	double elapsed, left;	/* left: seconds before --timeout, or -1 */
};

typedef void (*drain_event_fn)(void *arg, const struct drain_event *e);

/* Evict (or delete) the pods the plan says, all at once in one loop: each
 * refused eviction is asked again after the retry policy's delay, each
 * accepted one is checked every o->poll seconds until gone; --timeout and
 * *stop (Ctrl-C) end it early.  0 when every pod is gone, 1 when some are
 * left (timed_out / interrupted / refused or failed), never -1: errors are
 * per pod. */
int drain_run(struct k8s *k, struct drain_node *dn, const struct drain_opts *o,
	      volatile int *stop, drain_event_fn fn, void *arg);

/* "evicted", "deleted", "replaced", "pending", ... for a report */
const char *drain_outcome(const struct drain_pod *p, const struct drain_opts *o);
const char *drain_action_name(enum drain_action a);

#endif
