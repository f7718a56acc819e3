/* What a pod on the node is for, over the real pods of the fixture cluster
 * (fixtures/k8s/pods: an OpenShift 4.4 cluster and k9s's minikube) and
 * pods derived from them the way the CNI DaemonSets and kubeadm name
 * theirs: the derivation changes only name, namespace and labels. */
#include "unit.h"
#include "k8s_pods.h"

#include <dirent.h>

static json_t *load(const char *rel)
{
	size_t n;
	char *s = fixture(rel, &n);
	json_t *j = json_loadb(s, n, 0, NULL);

	if (!j)
		fail_msg("%s: not JSON", rel);
	free(s);
	return j;
}

static enum k8s_pod_group group_of(json_t *pod)
{
	struct k8s_pod_state st;

	k8s_pod_state(pod, &st);
	return k8s_pod_classify(pod, &st);
}

#define SDN "k8s/pods/ocp-openshift-sdn--sdn-controller-xcnqb.json"
#define KCM "k8s/pods/ocp-openshift-kube-controller-manager--kube-controller-manager-ci-ln-d53y532-f76d1-2btqq-master-0.json"
#define KCM_OPERATOR "k8s/pods/ocp-openshift-kube-controller-manager-operator--kube-controller-manager-operator-5768cf5945-42rwk.json"
#define NGINX "k8s/pods/k9s-default--nginx-7fb78fb6d8-2w75j.json"

/* A real DaemonSet pod renamed as another DaemonSet's would be. */
static json_t *derive(const char *rel, const char *ns, const char *name, const char *lkey,
		      const char *lval)
{
	json_t *p = load(rel), *md = json_object_get(p, "metadata");

	json_object_set_new(md, "namespace", json_string(ns));
	json_object_set_new(md, "name", json_string(name));
	json_object_set_new(md, "labels", lkey ? json_pack("{s:s}", lkey, lval) : json_object());
	return p;
}

static void real_pods(void **state)
{
	json_t *p;

	(void)state;
	/* the OpenShift SDN's DaemonSet pod: by namespace and by name */
	p = load(SDN);
	assert_true(k8s_pod_is_network(p));
	assert_int_equal(group_of(p), K8S_PG_NETWORK);
	json_decref(p);
	/* a mirror pod of the controller-manager: static, control plane */
	p = load(KCM);
	{
		struct k8s_pod_state st;

		k8s_pod_state(p, &st);
		assert_true(st.static_pod);
		assert_true(k8s_pod_is_control_plane(p, true));
		assert_false(k8s_pod_is_network(p));
	}
	assert_int_equal(group_of(p), K8S_PG_CONTROL);
	json_decref(p);
	/* its operator has the same name start but is a ReplicaSet's pod */
	p = load(KCM_OPERATOR);
	assert_false(k8s_pod_is_control_plane(p, false));
	assert_int_equal(group_of(p), K8S_PG_SYSTEM);
	json_decref(p);
	p = load(NGINX);
	assert_int_equal(group_of(p), K8S_PG_WORKLOAD);
	json_decref(p);
}

static void cni_and_kube_proxy(void **state)
{
	static const struct {
		const char *ns, *name, *lkey, *lval;
		enum k8s_pod_group want;
	} v[] = {
		/* kube-proxy's DaemonSet (kubeadm): k8s-app=kube-proxy */
		{ "kube-system", "kube-proxy-njm2k", "k8s-app", "kube-proxy", K8S_PG_NETWORK },
		/* flannel's, in its own namespace since v0.20 */
		{ "kube-flannel", "kube-flannel-ds-7tjnc", "app", "flannel", K8S_PG_NETWORK },
		/* ... and by its label alone */
		{ "kube-system", "ds-7tjnc", "app", "flannel", K8S_PG_NETWORK },
		/* calico's node agent and its operator's namespace */
		{ "kube-system", "calico-node-4d6fd", "k8s-app", "calico-node", K8S_PG_NETWORK },
		{ "calico-system", "node-abcde", NULL, NULL, K8S_PG_NETWORK },
		{ "kube-system", "cilium-x2b9k", "k8s-app", "cilium", K8S_PG_NETWORK },
		{ "kube-system", "agent-x2b9k", "app.kubernetes.io/name", "cilium-agent", K8S_PG_NETWORK },
		/* not networking: DNS, a system namespace, a workload */
		{ "kube-system", "coredns-747dbcf5df-qmtnl", "k8s-app", "kube-dns", K8S_PG_SYSTEM },
		{ "cert-manager-system", "webhook-1", NULL, NULL, K8S_PG_SYSTEM },
		{ "shop", "frontend-1", "app", "frontend", K8S_PG_WORKLOAD },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		json_t *p = derive(SDN, v[i].ns, v[i].name, v[i].lkey, v[i].lval);

		if (group_of(p) != v[i].want)
			fail_msg("%s/%s: group %s, want %s", v[i].ns, v[i].name,
				 k8s_pod_group_name(group_of(p)), k8s_pod_group_name(v[i].want));
		json_decref(p);
	}
}

static void control_plane(void **state)
{
	static const struct {
		const char *name;
		bool tier;		/* kubeadm's tier=control-plane label */
		bool mirror;		/* keep the mirror annotation and Node owner */
		enum k8s_pod_group want;
	} v[] = {
		{ "kube-apiserver-master-0", false, true, K8S_PG_CONTROL },
		{ "etcd-master-0", false, true, K8S_PG_CONTROL },
		{ "kube-scheduler-master-0", true, true, K8S_PG_CONTROL },
		/* tier=control-plane counts without the mirror */
		{ "kube-scheduler-master-0", true, false, K8S_PG_CONTROL },
		/* an etcd operator's pod is not etcd */
		{ "etcd-operator-5d8f", false, false, K8S_PG_WORKLOAD },
		/* another static pod: the kubelet's manifest, not the control plane */
		{ "haproxy-master-0", false, true, K8S_PG_STATIC },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		json_t *p = derive(KCM, "team-a", v[i].name, v[i].tier ? "tier" : NULL,
				   "control-plane"), *md = json_object_get(p, "metadata");

		if (!v[i].mirror) {
			json_object_del(json_object_get(md, "annotations"), "kubernetes.io/config.mirror");
			json_object_del(md, "ownerReferences");
		}
		if (group_of(p) != v[i].want)
			fail_msg("%s (mirror %d, tier %d): group %s, want %s", v[i].name, v[i].mirror,
				 v[i].tier, k8s_pod_group_name(group_of(p)),
				 k8s_pod_group_name(v[i].want));
		json_decref(p);
	}
}

/* Every fixture pod, sorted as node lists them: the groups in order,
 * then namespace and name; the counts are the cluster's. */
static void sorted(void **state)
{
	const char *top = getenv("SREBOX_TESTS");
	char dir[4096];
	DIR *d;
	struct dirent *e;
	struct k8s_pod *pods = NULL;
	size_t n = 0, alloc = 0, count[K8S_PG_WORKLOAD + 1] = { 0 };

	(void)state;
	snprintf(dir, sizeof(dir), "%s/fixtures/k8s/pods", top ? top : "tests");
	assert_non_null(d = opendir(dir));
	while ((e = readdir(d))) {
		char rel[512];
		json_t *p;

		if (!str_ends(e->d_name, ".json"))
			continue;
		snprintf(rel, sizeof(rel), "k8s/pods/%s", e->d_name);
		p = load(rel);
		k8s_pods_add(&pods, &n, &alloc, p);
		json_decref(p);		/* the list holds its own reference */
	}
	closedir(d);
	k8s_pods_sort(pods, n);
	assert_int_equal(n, 21);
	for (size_t i = 0; i < n; i++) {
		count[pods[i].group]++;
		if (i) {
			const struct k8s_pod *a = &pods[i - 1], *b = &pods[i];
			int c = strcmp(k8s_str(a->obj, "metadata.namespace", ""),
				       k8s_str(b->obj, "metadata.namespace", ""));

			assert_true(a->group <= b->group);
			if (a->group == b->group)
				assert_true(c < 0 || (c == 0 && strcmp(k8s_str(a->obj, "metadata.name", ""),
								       k8s_str(b->obj, "metadata.name", "")) < 0));
		}
	}
	assert_string_equal(k8s_str(pods[0].obj, "metadata.name", ""), "sdn-controller-xcnqb");
	assert_int_equal(count[K8S_PG_NETWORK], 1);
	assert_int_equal(count[K8S_PG_CONTROL], 2);	/* the two controller-manager mirrors */
	assert_int_equal(count[K8S_PG_STATIC], 0);
	assert_int_equal(count[K8S_PG_SYSTEM], 16);
	assert_int_equal(count[K8S_PG_WORKLOAD], 2);	/* k9s's nginx pods */
	assert_string_equal(k8s_pod_group_name(pods[1].group), "control-plane");
	assert_string_equal(k8s_pod_group_name(pods[n - 1].group), "");
	k8s_pods_free(pods, n);
}

/* Pods with the wrong shapes: nothing crashes, nothing is networking. */
static void odd_shapes(void **state)
{
	static const char *const docs[] = {
		"{}",
		"{\"metadata\":null}",
		"{\"metadata\":{\"name\":7,\"namespace\":[],\"labels\":\"k8s-app\"}}",
		"{\"metadata\":{\"labels\":{\"k8s-app\":1,\"app\":null,\"tier\":{}}}}",
		"{\"metadata\":{\"annotations\":[],\"ownerReferences\":{}}}",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(docs); i++) {
		json_t *p = json_loads(docs[i], 0, NULL);

		assert_non_null(p);
		assert_false(k8s_pod_is_network(p));
		assert_int_equal(group_of(p), K8S_PG_WORKLOAD);
		json_decref(p);
	}
	assert_string_equal(k8s_pod_group_name((enum k8s_pod_group)99), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(real_pods),
		cmocka_unit_test(cni_and_kube_proxy),
		cmocka_unit_test(control_plane),
		cmocka_unit_test(sorted),
		cmocka_unit_test(odd_shapes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
