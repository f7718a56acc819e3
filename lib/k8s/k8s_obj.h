/* What kubectl computes from Node, Pod and Event objects, computed the
 * same way (the reference names each source): STATUS and ROLES of
 * `get nodes`, HumanDuration ages, RFC1123Z times, taint strings, resource
 * quantities with their canonical form, pod requests and limits, the pod
 * STATUS of `get pods`.  Pure functions of jansson trees: no I/O. */
#ifndef SREBOX_K8S_OBJ_H
#define SREBOX_K8S_OBJ_H

#include "util.h"

#include <jansson.h>

/* Member by dotted path: k8s_at(node, "status.nodeInfo.kubeletVersion"). */
json_t *k8s_at(json_t *o, const char *path);
/* String at path, or `def` when missing or not a string. */
const char *k8s_str(json_t *o, const char *path, const char *def);

/* RFC 3339 ("2020-08-12T09:41:13.104820Z", "...+02:00") to epoch seconds. */
bool k8s_time_parse(const char *s, double *epoch);
/* Go's time.RFC1123Z in UTC: "Wed, 12 Aug 2020 08:52:36 +0000"; a zero or
 * missing time prints as Go's zero time, "Mon, 01 Jan 0001 00:00:00 +0000". */
void k8s_time_rfc1123z(const char *rfc3339, char *out, size_t n);
/* apimachinery's duration.HumanDuration: "119s", "3m10s", "179m", "7h59m",
 * "47h", "7d23h", "729d", "2y1d", "8y"; "<invalid>" below -1s. */
void k8s_human_duration(double seconds, char *out, size_t n);
/* translateTimestampSince: HumanDuration(now - ts), "<unknown>" without ts. */
void k8s_age(const char *rfc3339, double now, char *out, size_t n);

/* STATUS of `kubectl get nodes`: Ready / NotReady / Unknown, then
 * ",SchedulingDisabled" when spec.unschedulable. */
void k8s_node_status(json_t *node, struct buf *out);
/* The Ready condition's status: "True", "False", "Unknown", or NULL. */
const char *k8s_node_ready(json_t *node);
/* ROLES: sorted set of node-role.kubernetes.io/<role> label suffixes and
 * the kubernetes.io/role value, joined by ','; "<none>" when empty. */
void k8s_node_roles(json_t *labels, struct buf *out);
/* First address of a type ("InternalIP"), or NULL. */
const char *k8s_node_address(json_t *node, const char *type);
/* Taint as core/v1 Taint.ToString(): key=value:Effect, key:Effect, ... */
void k8s_taint_string(json_t *taint, struct buf *out);
void k8s_taint_format(const char *key, const char *value, const char *effect, struct buf *out);

/* resource.Quantity: value = v * 10^scale, with the format it was written
 * in, which decides the canonical form. */
enum k8s_qfmt { QF_DECIMAL_SI, QF_BINARY_SI, QF_DECIMAL_EXP };
struct k8s_qty {
	int64_t v;
	int scale;
	enum k8s_qfmt fmt;
};
bool k8s_qty_parse(const char *s, struct k8s_qty *q);
/* a += b (Quantity.Add: a zero a takes b's format); false on overflow. */
bool k8s_qty_add(struct k8s_qty *a, const struct k8s_qty *b);
int k8s_qty_cmp(const struct k8s_qty *a, const struct k8s_qty *b);
int64_t k8s_qty_milli(const struct k8s_qty *q);	/* MilliValue, rounded up */
int64_t k8s_qty_value(const struct k8s_qty *q);	/* Value, rounded up */
/* Quantity.String(): "3500m", "14236104Ki", "1Gi", "1500", "1k", "0". */
void k8s_qty_string(const struct k8s_qty *q, char *out, size_t n);

/* Requests and limits of a pod for `resource` (cpu, memory, ...), as
 * kubectl's PodRequestsAndLimits: the sum over containers, at least each
 * init container (restartable init containers, i.e. sidecars, add up),
 * plus spec.overhead.  *has_* say whether any container sets it. */
void k8s_pod_resource(json_t *pod, const char *resource, struct k8s_qty *req, struct k8s_qty *lim);

struct k8s_pod_state {
	char status[96];	/* STATUS of `kubectl get pods`: Running, CrashLoopBackOff, Init:0/1 */
	int ready, total;	/* containers ready / total */
	long restarts;
	bool crashloop;		/* a container waiting in CrashLoopBackOff */
	bool terminating;
	bool static_pod;	/* a mirror pod (kubernetes.io/config.mirror) */
};
void k8s_pod_state(json_t *pod, struct k8s_pod_state *st);

/* "x (xN over Y)" of `kubectl describe` events; now in epoch seconds. */
void k8s_event_age(json_t *ev, double now, char *out, size_t n);
/* The event's source: source.component, else reportingController. */
const char *k8s_event_source(json_t *ev);

#endif
