#include "k8s_pods.h"

#include <stdlib.h>
#include <string.h>

static const char *const group_names[] = {
	[K8S_PG_NETWORK] = "network", [K8S_PG_CONTROL] = "control-plane",
	[K8S_PG_STATIC] = "static",   [K8S_PG_SYSTEM] = "system",
	[K8S_PG_WORKLOAD] = "",
};

const char *k8s_pod_group_name(enum k8s_pod_group g)
{
	return (size_t)g < ARRAY_SIZE(group_names) ? group_names[g] : "";
}

static const char *label(json_t *pod, const char *key)
{
	return json_string_value(json_object_get(k8s_at(pod, "metadata.labels"), key));
}

bool k8s_pod_is_network(json_t *pod)
{
	static const char *const words[] = {
		"kube-proxy", "flannel",  "calico",    "cilium",	"weave",      "canal",
		"antrea",     "kube-router", "ovnkube", "ovn-kubernetes", "openshift-sdn", "multus",
		"aws-node",   "azure-cni", "kindnet",  "kube-ovn",	"romana",     "contiv",
		"sdn-controller", "tigera",
	};
	const char *fields[] = {
		k8s_str(pod, "metadata.name", ""),
		k8s_str(pod, "metadata.namespace", ""),
		label(pod, "k8s-app"),
		label(pod, "app"),
		label(pod, "app.kubernetes.io/name"),
	};

	for (size_t f = 0; f < ARRAY_SIZE(fields); f++)
		for (size_t w = 0; fields[f] && w < ARRAY_SIZE(words); w++)
			if (strstr(fields[f], words[w]))
				return true;
	return false;
}

const char *k8s_pod_daemonset(json_t *pod)
{
	json_t *refs = k8s_at(pod, "metadata.ownerReferences"), *r;
	size_t i;

	json_array_foreach(refs, i, r) {
		const char *kind = json_string_value(json_object_get(r, "kind"));
		const char *name = json_string_value(json_object_get(r, "name"));

		if (json_is_true(json_object_get(r, "controller")) && kind &&
		    !strcmp(kind, "DaemonSet") && name)
			return name;
	}
	return NULL;
}

bool k8s_pod_is_control_plane(json_t *pod, bool static_pod)
{
	static const char *const comps[] = { "kube-apiserver", "kube-controller-manager",
					     "kube-scheduler", "etcd", "cloud-controller-manager" };
	const char *name = k8s_str(pod, "metadata.name", "");
	const char *tier = label(pod, "tier");

	if (tier && !strcmp(tier, "control-plane"))
		return true;
	for (size_t i = 0; static_pod && i < ARRAY_SIZE(comps); i++)
		if (str_starts(name, comps[i]))
			return true;
	return false;
}

enum k8s_pod_group k8s_pod_classify(json_t *pod, const struct k8s_pod_state *st)
{
	const char *ns = k8s_str(pod, "metadata.namespace", "");

	if (k8s_pod_is_network(pod))
		return K8S_PG_NETWORK;
	if (k8s_pod_is_control_plane(pod, st->static_pod))
		return K8S_PG_CONTROL;
	if (st->static_pod)
		return K8S_PG_STATIC;
	if (!strcmp(ns, "kube-system") || str_starts(ns, "openshift-") || str_ends(ns, "-system"))
		return K8S_PG_SYSTEM;
	return K8S_PG_WORKLOAD;
}

static int cmp_pod(const void *a, const void *b)
{
	const struct k8s_pod *x = a, *y = b;
	int c;

	if (x->group != y->group)
		return (int)x->group - (int)y->group;
	c = strcmp(k8s_str(x->obj, "metadata.namespace", ""), k8s_str(y->obj, "metadata.namespace", ""));
	return c ? c : strcmp(k8s_str(x->obj, "metadata.name", ""), k8s_str(y->obj, "metadata.name", ""));
}

void k8s_pods_add(struct k8s_pod **pods, size_t *n, size_t *alloc, json_t *pod)
{
	struct k8s_pod *p;

	ALLOC_GROW(*pods, *n + 1, *alloc);
	p = &(*pods)[(*n)++];
	p->obj = json_incref(pod);
	k8s_pod_state(pod, &p->st);
	p->group = k8s_pod_classify(pod, &p->st);
}

void k8s_pods_sort(struct k8s_pod *pods, size_t n)
{
	if (n)
		qsort(pods, n, sizeof(*pods), cmp_pod);
}

void k8s_pods_free(struct k8s_pod *pods, size_t n)
{
	for (size_t i = 0; i < n; i++)
		json_decref(pods[i].obj);
	free(pods);
}

/* What nobody reads of a pod here: most of a big pod's bytes. */
static const char *const pod_drop[] = {
	"items.*.metadata.managedFields",
	"items.*.spec.volumes",
	"items.*.spec.tolerations",
	"items.*.spec.containers.*.env",
	"items.*.spec.containers.*.volumeMounts",
	"items.*.spec.initContainers.*.env",
	"items.*.spec.initContainers.*.volumeMounts",
	NULL,
};

struct k8s_pod *k8s_node_pods(struct k8s *k, const char *node, size_t *n, struct sbx_err *err)
{
	struct buf q = { 0 }, fs = { 0 };
	struct k8s_list l;
	json_t *page, *it;
	struct k8s_pod *pods = NULL;
	size_t alloc = 0, i;
	int rc;

	*n = 0;
	buf_addf(&fs, "spec.nodeName=%s,status.phase!=Succeeded,status.phase!=Failed", node);
	k8s_query_add(&q, "fieldSelector", fs.s);
	k8s_list_init(&l, k, "/api/v1/pods", q.s, K8S_OBJECTS, pod_drop);
	while ((rc = k8s_list_next(&l, &page, err)) > 0)
		json_array_foreach(k8s_list_items(page), i, it)
			k8s_pods_add(&pods, n, &alloc, it);
	k8s_list_free(&l);
	buf_free(&q);
	buf_free(&fs);
	if (rc < 0) {
		k8s_pods_free(pods, *n);
		*n = 0;
		return NULL;
	}
	k8s_pods_sort(pods, *n);
	return pods;
}
