/* The pods on a node, as `kubectl describe node` lists them (the
 * non-terminated ones), each classified by what its failure means for the
 * node: networking (CNI agents, kube-proxy) and the control plane first,
 * then static (mirror) pods, system namespaces, workloads.  The
 * classification is a pure function of the Pod object. */
#ifndef SREBOX_K8S_PODS_H
#define SREBOX_K8S_PODS_H

#include "k8s.h"
#include "k8s_obj.h"

/* In the order they are listed. */
enum k8s_pod_group {
	K8S_PG_NETWORK,		/* a CNI agent or kube-proxy: pod networking on the node */
	K8S_PG_CONTROL,		/* apiserver, controller-manager, scheduler, etcd */
	K8S_PG_STATIC,		/* another mirror pod of the kubelet's manifests */
	K8S_PG_SYSTEM,		/* kube-system, *-system, openshift-* */
	K8S_PG_WORKLOAD,
};
/* "network", "control-plane", "static", "system", "" (a workload). */
const char *k8s_pod_group_name(enum k8s_pod_group g);

/* By name, namespace, or the k8s-app / app / app.kubernetes.io/name label. */
bool k8s_pod_is_network(json_t *pod);
/* The name of the DaemonSet that controls the pod (its controller
 * ownerReference of kind DaemonSet), NULL for any other pod. */
const char *k8s_pod_daemonset(json_t *pod);
/* tier=control-plane, or a static pod named after a control-plane component. */
bool k8s_pod_is_control_plane(json_t *pod, bool static_pod);
enum k8s_pod_group k8s_pod_classify(json_t *pod, const struct k8s_pod_state *st);

struct k8s_pod {
	json_t *obj;			/* a reference held */
	enum k8s_pod_group group;
	struct k8s_pod_state st;
};

/* Add a Pod object (state read, classified); k8s_pods_sort when done:
 * by group, then namespace, then name. */
void k8s_pods_add(struct k8s_pod **pods, size_t *n, size_t *alloc, json_t *pod);
void k8s_pods_sort(struct k8s_pod *pods, size_t n);
void k8s_pods_free(struct k8s_pod *pods, size_t n);

/* The node's non-terminated pods (every namespace), sorted; NULL with
 * err set when the list failed, or with *n 0 when there are none. */
struct k8s_pod *k8s_node_pods(struct k8s *k, const char *node, size_t *n, struct sbx_err *err);

#endif
