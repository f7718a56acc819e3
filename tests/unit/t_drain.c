/* drain_filter over the real fixture pods (each of kubectl's filters and
 * its flag), odd pod shapes, and drain_selector_match. */
#include "unit.h"
#include "drain.h"
#include "k8s_obj.h"

static json_t *pod(const char *name)
{
	char rel[512];
	size_t len;
	char *s;
	json_t *j;

	snprintf(rel, sizeof(rel), "k8s/pods/%s.json", name);
	s = fixture(rel, &len);
	j = json_loadb(s, len, 0, NULL);
	free(s);
	assert_non_null(j);
	return j;
}

static enum drain_action act(json_t *p, const struct drain_opts *o, int ds)
{
	struct drain_verdict v;

	drain_filter(p, o, 1.6e9, ds, "500 Internal Server Error", &v);
	assert_true(v.why[0] != '\0');	/* every verdict says why */
	assert_true((v.action == DA_BLOCK) == (v.fatal != NULL));
	return v.action;
}

#define SERVICE_CA "ocp-openshift-service-ca--service-ca-54c85d7fdb-9g4t4"
#define INSIGHTS "ocp-openshift-insights--insights-operator-5d876b745-t8z24"
#define MIRROR "ocp-openshift-kube-controller-manager--kube-controller-manager-ci-ln-d53y532-f76d1-2btqq-master-0"
#define SDN "ocp-openshift-sdn--sdn-controller-xcnqb"
#define BARE "k9s-default--nginx-bare"

static void managed_pods_are_evicted(void **state)
{
	struct drain_opts o = { .grace = -1 };
	json_t *p = pod(SERVICE_CA);

	(void)state;
	assert_int_equal(act(p, &o, 1), DA_EVICT);
	o.disable_eviction = true;
	assert_int_equal(act(p, &o, 1), DA_DELETE);
	assert_null(drain_pod_daemonset(p));
	json_decref(p);
}

static void local_storage(void **state)
{
	struct drain_opts o = { .grace = -1 };
	json_t *p = pod(INSIGHTS);
	struct drain_verdict v;

	(void)state;
	drain_filter(p, &o, 0, 1, NULL, &v);
	assert_int_equal(v.action, DA_BLOCK);
	assert_string_equal(v.fatal, "Pods with local storage (use --delete-emptydir-data to override)");
	o.delete_emptydir = true;
	assert_int_equal(act(p, &o, 1), DA_EVICT);
	/* finished: goes without the flag */
	o.delete_emptydir = false;
	json_object_set_new(json_object_get(p, "status"), "phase", json_string("Failed"));
	assert_int_equal(act(p, &o, 1), DA_EVICT);
	json_decref(p);
}

static void mirror_pods_stay(void **state)
{
	struct drain_opts o = { .grace = -1, .force = true, .delete_emptydir = true,
				.ignore_daemonsets = true };
	json_t *p = pod(MIRROR);

	(void)state;
	assert_int_equal(act(p, &o, 1), DA_SKIP);
	o = (struct drain_opts){ .grace = -1 };
	assert_int_equal(act(p, &o, 1), DA_SKIP);
	json_decref(p);
}

static void daemonset_pods(void **state)
{
	struct drain_opts o = { .grace = -1 };
	json_t *p = pod(SDN);
	struct drain_verdict v;

	(void)state;
	assert_string_equal(drain_pod_daemonset(p), "sdn-controller");
	drain_filter(p, &o, 0, 1, NULL, &v);
	assert_int_equal(v.action, DA_BLOCK);
	assert_string_equal(v.fatal, "DaemonSet-managed Pods (use --ignore-daemonsets to ignore)");
	o.ignore_daemonsets = true;
	drain_filter(p, &o, 0, 1, NULL, &v);
	assert_int_equal(v.action, DA_SKIP);
	assert_string_equal(v.warning, "ignoring DaemonSet-managed Pods");
	/* the DaemonSet is gone: never deleted, even with --force */
	assert_int_equal(act(p, &o, 0), DA_BLOCK);
	o.force = true;
	assert_int_equal(act(p, &o, 0), DA_SKIP);
	/* the lookup failed: blocked with the error */
	drain_filter(p, &o, 0, -1, "500 Internal Server Error", &v);
	assert_int_equal(v.action, DA_BLOCK);
	assert_non_null(strstr(v.why, "500 Internal Server Error"));
	/* finished DaemonSet pods are not DaemonSet-managed any more (kubectl) */
	json_object_set_new(json_object_get(p, "status"), "phase", json_string("Succeeded"));
	assert_null(drain_pod_daemonset(p));
	o = (struct drain_opts){ .grace = -1 };
	assert_int_equal(act(p, &o, 1), DA_EVICT);
	json_decref(p);
}

static void unmanaged(void **state)
{
	struct drain_opts o = { .grace = -1 };
	json_t *p = pod(BARE);
	struct drain_verdict v;

	(void)state;
	drain_filter(p, &o, 0, 1, NULL, &v);
	assert_int_equal(v.action, DA_BLOCK);
	assert_string_equal(v.fatal, "cannot delete Pods that declare no controller (use --force to override)");
	o.force = true;
	drain_filter(p, &o, 0, 1, NULL, &v);
	assert_int_equal(v.action, DA_EVICT);
	assert_string_equal(v.warning, "deleting Pods that declare no controller");
	json_decref(p);
}

static void skip_long_terminating(void **state)
{
	struct drain_opts o = { .grace = -1, .skip_wait = 60 };
	json_t *p = pod(SERVICE_CA);
	double t;

	(void)state;
	json_object_set_new(json_object_get(p, "metadata"), "deletionTimestamp",
			    json_string("2020-08-12T09:00:00Z"));
	assert_true(k8s_time_parse("2020-08-12T09:00:00Z", &t));
	{
		struct drain_verdict v;

		drain_filter(p, &o, t + 61, 1, NULL, &v);
		assert_int_equal(v.action, DA_SKIP);
		drain_filter(p, &o, t + 59, 1, NULL, &v);
		assert_int_equal(v.action, DA_EVICT);
		o.skip_wait = 0;
		drain_filter(p, &o, t + 1e6, 1, NULL, &v);
		assert_int_equal(v.action, DA_EVICT);
	}
	json_decref(p);
}

static void odd_shapes(void **state)
{
	struct drain_opts o = { .grace = -1 };
	const char *const docs[] = {
		"{}", "[]", "null", "42", "{\"metadata\":[]}", "{\"metadata\":{\"ownerReferences\":{}}}",
		"{\"metadata\":{\"ownerReferences\":[null,1,{\"controller\":\"yes\"}]}}",
		"{\"metadata\":{\"ownerReferences\":[{\"controller\":true}]}}",
		"{\"metadata\":{\"ownerReferences\":[{\"controller\":true,\"kind\":\"DaemonSet\"}]}}",
		"{\"spec\":{\"volumes\":[null,{\"emptyDir\":null}]}}",
		"{\"metadata\":{\"annotations\":{\"kubernetes.io/config.mirror\":1}}}",
		"{\"metadata\":{\"deletionTimestamp\":\"garbage\"}}",
	};

	(void)state;
	o.skip_wait = 1;
	for (size_t i = 0; i < ARRAY_SIZE(docs); i++) {
		json_t *j = json_loads(docs[i], JSON_DECODE_ANY, NULL);
		struct drain_verdict v;

		assert_non_null(j);
		drain_filter(j, &o, 1e9, 1, NULL, &v);
		assert_true(v.why[0]);
		json_decref(j);
	}
	{
		struct drain_verdict v;

		drain_filter(NULL, &o, 0, 1, NULL, &v);
		assert_int_equal(v.action, DA_BLOCK);	/* no controller */
	}
}

static bool sel(const char *selector, const char *labels)
{
	json_t *s = selector ? json_loads(selector, 0, NULL) : NULL;
	json_t *l = json_loads(labels, 0, NULL);
	bool r = drain_selector_match(s, l);

	json_decref(s);
	json_decref(l);
	return r;
}

static void selectors(void **state)
{
	const char *l = "{\"app\":\"prometheus\",\"prometheus\":\"k8s\"}";

	(void)state;
	assert_false(sel(NULL, l));	/* a null selector selects nothing */
	assert_true(sel("{}", l));	/* an empty one everything (policy/v1) */
	assert_true(sel("{\"matchLabels\":{\"app\":\"prometheus\"}}", l));
	assert_false(sel("{\"matchLabels\":{\"app\":\"nginx\"}}", l));
	assert_false(sel("{\"matchLabels\":{\"tier\":\"web\"}}", l));
	assert_false(sel("{\"matchLabels\":{\"app\":5}}", l));
	assert_true(sel("{\"matchExpressions\":[{\"key\":\"app\",\"operator\":\"In\",\"values\":[\"x\",\"prometheus\"]}]}", l));
	assert_false(sel("{\"matchExpressions\":[{\"key\":\"app\",\"operator\":\"NotIn\",\"values\":[\"prometheus\"]}]}", l));
	assert_true(sel("{\"matchExpressions\":[{\"key\":\"zone\",\"operator\":\"NotIn\",\"values\":[\"a\"]}]}", l));
	assert_true(sel("{\"matchExpressions\":[{\"key\":\"app\",\"operator\":\"Exists\"}]}", l));
	assert_false(sel("{\"matchExpressions\":[{\"key\":\"app\",\"operator\":\"DoesNotExist\"}]}", l));
	assert_false(sel("{\"matchExpressions\":[{\"key\":\"app\",\"operator\":\"Gt\",\"values\":[\"1\"]}]}", l));
	assert_false(sel("{\"matchExpressions\":[{\"key\":\"app\",\"operator\":\"In\",\"values\":[1]}]}", l));
	assert_true(sel("{\"matchLabels\":{\"app\":\"prometheus\"},\"matchExpressions\":[{\"key\":\"prometheus\",\"operator\":\"In\",\"values\":[\"k8s\"]}]}", l));
	assert_false(sel("{\"matchLabels\":{\"app\":\"prometheus\"},\"matchExpressions\":[{\"key\":\"prometheus\",\"operator\":\"In\",\"values\":[]}]}", l));
	assert_true(sel("{\"matchExpressions\":[{\"key\":\"x\",\"operator\":\"DoesNotExist\"}]}", "{}"));
	assert_false(sel("[]", l));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(managed_pods_are_evicted),
		cmocka_unit_test(local_storage),
		cmocka_unit_test(mirror_pods_stay),
		cmocka_unit_test(daemonset_pods),
		cmocka_unit_test(unmanaged),
		cmocka_unit_test(skip_long_terminating),
		cmocka_unit_test(odd_shapes),
		cmocka_unit_test(selectors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
