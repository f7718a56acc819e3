/* kubectl's computations over real objects: the expected strings are the
 * real kubectl 1.32's output for these fixtures (the transcripts in
 * fixtures/k8s/kubectl-1.32-transcripts) or apimachinery's own test vectors. */
#include "unit.h"
#include "k8s_obj.h"
#include "k8s_node.h"

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

/* apimachinery pkg/util/duration/duration_test.go and the reference's list */
static void human_duration(void **state)
{
	static const struct {
		double s;
		const char *want;
	} v[] = {
		{ -2, "<invalid>" }, { -1, "0s" },	      { -0.5, "0s" },		{ 0, "0s" },
		{ 1, "1s" },	     { 119, "119s" },	      { 120, "2m" },		{ 190, "3m10s" },
		{ 599, "9m59s" },    { 600, "10m" },	      { 70 * 60, "70m" },	{ 179 * 60, "179m" },
		{ 3 * 3600, "3h" },  { 7 * 3600 + 59 * 60, "7h59m" },			{ 8 * 3600, "8h" },
		{ 47 * 3600, "47h" }, { 48 * 3600, "2d" },    { 49 * 3600, "2d1h" },	{ 191 * 3600, "7d23h" },
		{ (8 * 24 + 2) * 3600, "8d" },		      { 729 * 86400.0, "729d" },
		{ 730 * 86400.0 + 25 * 3600, "2y1d" },	      { 367 * 86400.0, "367d" },
		{ 8 * 365 * 86400.0 + 2 * 3600, "8y" },	      { 3 * 365 * 86400.0, "3y" },
	};
	char out[32];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		k8s_human_duration(v[i].s, out, sizeof(out));
		if (strcmp(out, v[i].want))
			fail_msg("%g s: got %s, want %s", v[i].s, out, v[i].want);
	}
}

static void times(void **state)
{
	double t;
	char out[64];

	(void)state;
	assert_true(k8s_time_parse("2020-08-12T08:52:36Z", &t));
	assert_true(t == 1597222356);
	assert_true(k8s_time_parse("2020-08-12T09:41:13.104820Z", &t));
	assert_true(t > 1597225273.1 && t < 1597225273.11);
	assert_true(k8s_time_parse("2020-08-12T10:52:36+02:00", &t));
	assert_true(t == 1597222356);
	assert_false(k8s_time_parse("2020-08-12 08:52:36", &t));
	assert_false(k8s_time_parse("2020-08-12T08:52:36", &t));
	assert_false(k8s_time_parse("2020-08-12T08:52:36Zjunk", &t));
	assert_false(k8s_time_parse("", &t));
	assert_false(k8s_time_parse(NULL, &t));
	k8s_time_rfc1123z("2020-08-12T08:52:36Z", out, sizeof(out));
	assert_string_equal(out, "Wed, 12 Aug 2020 08:52:36 +0000");
	k8s_time_rfc1123z("2019-08-31T04:43:11Z", out, sizeof(out));
	assert_string_equal(out, "Sat, 31 Aug 2019 04:43:11 +0000");
	k8s_time_rfc1123z(NULL, out, sizeof(out));
	assert_string_equal(out, "Mon, 01 Jan 0001 00:00:00 +0000");
	k8s_age(NULL, 0, out, sizeof(out));
	assert_string_equal(out, "<unknown>");
	k8s_age("2020-08-12T08:52:36Z", 1597222356 + 91 * 60, out, sizeof(out));
	assert_string_equal(out, "91m");
}

/* get_nodes_cold.stdout: STATUS and ROLES of every fixture node. */
static void node_status_and_roles(void **state)
{
	static const struct {
		const char *file, *status, *roles;
	} v[] = {
		{ "k8s/nodes/ocp-ci-ln-d53y532-f76d1-2btqq-master-0.json", "Ready", "master" },
		{ "k8s/nodes/derived/worker-b-cordoned.json", "Ready,SchedulingDisabled", "worker" },
		{ "k8s/nodes/derived/worker-c-pressure.json", "Ready", "worker" },
		{ "k8s/nodes/derived/worker-d-notready-unknown-cordoned.json",
		  "NotReady,SchedulingDisabled", "worker" },
		{ "k8s/nodes/derived/minikube-notready-false.json", "NotReady", "master" },
		{ "k8s/nodes/k9s-minikube.json", "Ready", "master" },
	};
	struct buf b = { 0 };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		json_t *n = load(v[i].file);

		k8s_node_status(n, &b);
		assert_string_equal(b.s, v[i].status);
		k8s_node_roles(k8s_at(n, "metadata.labels"), &b);
		assert_string_equal(b.s, v[i].roles);
		json_decref(n);
	}
	{
		json_t *n = json_loads("{\"status\":{\"conditions\":[]},\"spec\":{\"unschedulable\":true}}",
				       0, NULL);
		json_t *l = json_loads("{\"node-role.kubernetes.io/worker\":\"true\","
				       "\"node-role.kubernetes.io/\":\"\",\"kubernetes.io/role\":\"infra\","
				       "\"node-role.kubernetes.io/etcd\":\"\",\"kubernetes.io/roleX\":\"no\"}",
				       0, NULL);

		k8s_node_status(n, &b);
		assert_string_equal(b.s, "Unknown,SchedulingDisabled");
		k8s_node_roles(l, &b);
		assert_string_equal(b.s, "etcd,infra,worker");
		k8s_node_roles(NULL, &b);
		assert_string_equal(b.s, "<none>");
		json_decref(n);
		json_decref(l);
	}
	buf_free(&b);
}

static void taints(void **state)
{
	static const struct {
		const char *json, *want;
	} v[] = {
		{ "{\"key\":\"k\",\"value\":\"v\",\"effect\":\"NoSchedule\"}", "k=v:NoSchedule" },
		{ "{\"key\":\"k\",\"effect\":\"NoExecute\"}", "k:NoExecute" },
		{ "{\"key\":\"k\",\"value\":\"v\"}", "k=v:" },
		{ "{\"key\":\"k\"}", "k" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		json_t *t = json_loads(v[i].json, 0, NULL);
		struct buf b = { 0 };

		k8s_taint_string(t, &b);
		assert_string_equal(b.s, v[i].want);
		buf_free(&b);
		json_decref(t);
	}
}

static void qty_round_trip(const char *in, const char *want)
{
	struct k8s_qty q;
	char out[64];

	if (!k8s_qty_parse(in, &q))
		fail_msg("'%s' not parsed", in);
	k8s_qty_string(&q, out, sizeof(out));
	if (strcmp(out, want))
		fail_msg("'%s' printed %s, want %s", in, out, want);
}

/* apimachinery quantity_test.go canonical forms */
static void quantities(void **state)
{
	struct k8s_qty a, b;
	char out[64];

	(void)state;
	qty_round_trip("3500m", "3500m");
	qty_round_trip("14236104Ki", "14236104Ki");
	qty_round_trip("122112633448", "122112633448");
	qty_round_trip("4", "4");
	qty_round_trip("0", "0");
	qty_round_trip("0.5", "500m");
	qty_round_trip("1000", "1k");
	qty_round_trip("1500", "1500");
	qty_round_trip("1024Mi", "1Gi");
	qty_round_trip("1000Mi", "1000Mi");
	qty_round_trip("1.5Gi", "1536Mi");
	qty_round_trip("100M", "100M");
	qty_round_trip("512", "512");
	qty_round_trip("1023Ki", "1023Ki");
	qty_round_trip("0.5Ki", "512");
	qty_round_trip("1e3", "1e3");
	qty_round_trip("1.5e3", "1500");
	qty_round_trip("12e6", "12e6");
	qty_round_trip("1n", "1n");
	qty_round_trip("0.1n", "1n");	/* rounded up to nano */
	qty_round_trip("-100m", "-100m");
	qty_round_trip("4Ei", "4Ei");	/* E is exa, not an exponent */
	qty_round_trip("2E", "2E");
	assert_false(k8s_qty_parse("", &a));
	assert_false(k8s_qty_parse("1Kb", &a));
	assert_false(k8s_qty_parse("m", &a));
	assert_false(k8s_qty_parse("1.2.3", &a));
	assert_false(k8s_qty_parse("99999999999999999999999999999999999999999Ei", &a));
	/* Add keeps the first's format, unless it was zero */
	k8s_qty_parse("50Mi", &a);
	k8s_qty_parse("100M", &b);
	k8s_qty_add(&a, &b);
	k8s_qty_string(&a, out, sizeof(out));
	assert_string_equal(out, "152428800");	/* not a whole Ki: DecimalSI */
	a = (struct k8s_qty){ 0 };
	k8s_qty_parse("80Mi", &b);
	k8s_qty_add(&a, &b);
	k8s_qty_string(&a, out, sizeof(out));
	assert_string_equal(out, "80Mi");
	k8s_qty_parse("3500m", &a);
	assert_int_equal(k8s_qty_milli(&a), 3500);
	assert_int_equal(k8s_qty_value(&a), 4);
	k8s_qty_parse("14236104Ki", &a);
	assert_int_equal(k8s_qty_value(&a), 14236104LL * 1024);
	k8s_qty_parse("1n", &a);
	assert_int_equal(k8s_qty_milli(&a), 1);
	k8s_qty_parse("1Gi", &a);
	k8s_qty_parse("1073741824", &b);
	assert_int_equal(k8s_qty_cmp(&a, &b), 0);
	k8s_qty_parse("1.1", &b);
	assert_int_equal(k8s_qty_cmp(&a, &b), 1);
}

/* Out of range: an error or a visible saturation, never a wrap or 0
 * (issue 16: 2^100 Ei wrapped to 0, 1e30 compared smaller than 1n). */
static void quantities_out_of_range(void **state)
{
	struct k8s_qty a, b;
	char out[64];

	(void)state;
	/* 2^100 Ei is 2^160: refused, not 0 */
	assert_false(k8s_qty_parse("1267650600228229401496703205376Ei", &a));
	/* 8Ei is 2^63, one past INT64_MAX: kept, rounded up, not refused */
	assert_true(k8s_qty_parse("8Ei", &a));
	assert_true(a.v > 0);
	k8s_qty_parse("4Ei", &b);
	assert_int_equal(k8s_qty_cmp(&a, &b), 1);
	assert_int_equal(k8s_qty_value(&b), 4611686018427387904LL);
	assert_int_equal(k8s_qty_value(&a), INT64_MAX);	/* saturates */
	assert_int_equal(k8s_qty_milli(&b), INT64_MAX);
	/* scales 39 apart */
	k8s_qty_parse("1e30", &a);
	k8s_qty_parse("1n", &b);
	assert_int_equal(k8s_qty_cmp(&a, &b), 1);
	assert_int_equal(k8s_qty_cmp(&b, &a), -1);
	k8s_qty_parse("-1e30", &a);
	assert_int_equal(k8s_qty_cmp(&a, &b), -1);
	k8s_qty_parse("1e30", &a);
	k8s_qty_add(&a, &b);
	assert_true(k8s_qty_cmp(&a, &b) > 0);
	k8s_qty_string(&a, out, sizeof(out));
	assert_true(strlen(out) > 0);
	/* a sum past an int64: rounded, not refused */
	k8s_qty_parse("9223372036854775807", &a);
	k8s_qty_parse("9223372036854775807", &b);
	assert_true(k8s_qty_add(&a, &b));
	k8s_qty_parse("9223372036854775807", &b);
	assert_int_equal(k8s_qty_cmp(&a, &b), 1);
}

/* The pods of a node, from the fixture pods directory. */
static size_t node_pods(const char *node, json_t **out, size_t max)
{
	char dir[4096];
	const char *top = getenv("SREBOX_TESTS");
	DIR *d;
	struct dirent *e;
	size_t n = 0;

	snprintf(dir, sizeof(dir), "%s/fixtures/k8s/pods", top ? top : "tests");
	d = opendir(dir);
	assert_non_null(d);
	while ((e = readdir(d)) && n < max) {
		char rel[600];
		json_t *p;

		if (e->d_name[0] == '.')
			continue;
		snprintf(rel, sizeof(rel), "k8s/pods/%s", e->d_name);
		p = load(rel);
		if (!strcmp(k8s_str(p, "spec.nodeName", ""), node))
			out[n++] = p;
		else
			json_decref(p);
	}
	closedir(d);
	return n;
}

/* describe_master_1.stdout: "cpu 80m (2%)", "memory 430Mi (3%)", limits 0;
 * describe_worker_d: 76m (2%), 1184Mi (8%); describe_minikube: 100m,
 * 70Mi and a 170Mi limit (2%). */
static void pod_sums(void **state)
{
	static const struct {
		const char *node, *cpu, *mem, *memlim;
		int cpu_pct, mem_pct;
		size_t npods;
	} v[] = {
		{ "ci-ln-d53y532-f76d1-2btqq-master-1", "80m", "430Mi", "0", 2, 3, 8 },
		{ "ci-ln-d53y532-f76d1-2btqq-worker-d-bpnbd", "76m", "1184Mi", "0", 2, 8, 1 },
		{ "minikube", "100m", "70Mi", "170Mi", 2, 0, 1 },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		json_t *pods[64];
		size_t n = node_pods(v[i].node, pods, 64);
		struct k8s_qty cpu = { 0 }, mem = { 0 }, memlim = { 0 }, alloc_cpu, alloc_mem;
		char out[64];
		json_t *node = load(i == 2 ? "k8s/nodes/k9s-minikube.json"
				    : i == 0 ? "k8s/nodes/ocp-ci-ln-d53y532-f76d1-2btqq-master-1.json"
					     : "k8s/nodes/ocp-ci-ln-d53y532-f76d1-2btqq-worker-d-bpnbd.json");

		assert_int_equal(n, v[i].npods);
		for (size_t k = 0; k < n; k++) {
			struct k8s_qty r, l;

			k8s_pod_resource(pods[k], "cpu", &r, &l);
			k8s_qty_add(&cpu, &r);
			k8s_pod_resource(pods[k], "memory", &r, &l);
			k8s_qty_add(&mem, &r);
			k8s_qty_add(&memlim, &l);
			json_decref(pods[k]);
		}
		k8s_qty_string(&cpu, out, sizeof(out));
		assert_string_equal(out, v[i].cpu);
		k8s_qty_string(&mem, out, sizeof(out));
		assert_string_equal(out, v[i].mem);
		k8s_qty_string(&memlim, out, sizeof(out));
		assert_string_equal(out, v[i].memlim);
		assert_true(k8s_qty_parse(k8s_str(node, "status.allocatable.cpu", ""), &alloc_cpu));
		assert_true(k8s_qty_parse(k8s_str(node, "status.allocatable.memory", ""), &alloc_mem));
		assert_int_equal((int)((double)k8s_qty_milli(&cpu) / (double)k8s_qty_milli(&alloc_cpu) * 100),
				 v[i].cpu_pct);
		assert_int_equal((int)((double)k8s_qty_value(&mem) / (double)k8s_qty_value(&alloc_mem) * 100),
				 v[i].mem_pct);
		json_decref(node);
	}
}

static void init_containers_and_overhead(void **state)
{
	json_t *pod = json_loads(
		"{\"spec\":{\"containers\":[{\"name\":\"a\",\"resources\":{\"requests\":{\"cpu\":\"100m\"},"
		"\"limits\":{\"cpu\":\"1\"}}},{\"name\":\"b\",\"resources\":{\"requests\":{\"cpu\":\"200m\"}}}],"
		"\"initContainers\":[{\"name\":\"i1\",\"resources\":{\"requests\":{\"cpu\":\"500m\"}}},"
		"{\"name\":\"side\",\"restartPolicy\":\"Always\",\"resources\":{\"requests\":{\"cpu\":\"50m\"}}},"
		"{\"name\":\"i2\",\"resources\":{\"requests\":{\"cpu\":\"100m\"}}}],"
		"\"overhead\":{\"cpu\":\"10m\",\"memory\":\"1Mi\"}}}",
		0, NULL);
	struct k8s_qty r, l;
	char out[32];

	(void)state;
	/* containers 300m + sidecar 50m = 350m; init max(500m, 50m, 100m+50m) = 500m;
	 * max(350m, 500m) + overhead 10m = 510m */
	k8s_pod_resource(pod, "cpu", &r, &l);
	k8s_qty_string(&r, out, sizeof(out));
	assert_string_equal(out, "510m");
	k8s_qty_string(&l, out, sizeof(out));
	assert_string_equal(out, "1010m");
	/* overhead is added to requests, but to limits only where one is set */
	k8s_pod_resource(pod, "memory", &r, &l);
	k8s_qty_string(&r, out, sizeof(out));
	assert_string_equal(out, "1Mi");
	k8s_qty_string(&l, out, sizeof(out));
	assert_string_equal(out, "0");
	json_decref(pod);
}

static void pod_states(void **state)
{
	static const struct {
		const char *json, *status;
		int ready, total;
		long restarts;
		bool crash;
	} v[] = {
		{ "{\"status\":{\"phase\":\"Running\",\"containerStatuses\":[{\"name\":\"a\",\"ready\":true,"
		  "\"restartCount\":2,\"state\":{\"running\":{}}}]},\"spec\":{\"containers\":[{}]}}",
		  "Running", 1, 1, 2, false },
		{ "{\"status\":{\"phase\":\"Running\",\"containerStatuses\":[{\"name\":\"a\",\"ready\":false,"
		  "\"restartCount\":7,\"state\":{\"waiting\":{\"reason\":\"CrashLoopBackOff\"}}},"
		  "{\"name\":\"b\",\"ready\":true,\"state\":{\"running\":{}}}]},\"spec\":{\"containers\":[{},{}]}}",
		  "CrashLoopBackOff", 1, 2, 7, true },
		{ "{\"status\":{\"phase\":\"Pending\",\"initContainerStatuses\":[{\"name\":\"i\","
		  "\"state\":{\"running\":{}}}]},\"spec\":{\"initContainers\":[{\"name\":\"i\"},{\"name\":\"j\"}],"
		  "\"containers\":[{}]}}",
		  "Init:0/2", 0, 1, 0, false },
		{ "{\"status\":{\"phase\":\"Failed\",\"reason\":\"Evicted\"},\"spec\":{\"containers\":[{}]}}",
		  "Evicted", 0, 1, 0, false },
		{ "{\"metadata\":{\"deletionTimestamp\":\"2020-01-01T00:00:00Z\"},\"status\":{\"phase\":"
		  "\"Running\"},\"spec\":{\"containers\":[{}]}}",
		  "Terminating", 0, 1, 0, false },
		{ "{\"status\":{\"phase\":\"Running\",\"containerStatuses\":[{\"name\":\"a\",\"state\":"
		  "{\"terminated\":{\"exitCode\":137,\"signal\":0}}}]},\"spec\":{\"containers\":[{}]}}",
		  "ExitCode:137", 0, 1, 0, false },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		json_t *p = json_loads(v[i].json, 0, NULL);
		struct k8s_pod_state st;

		assert_non_null(p);
		k8s_pod_state(p, &st);
		assert_string_equal(st.status, v[i].status);
		assert_int_equal(st.ready, v[i].ready);
		assert_int_equal(st.total, v[i].total);
		assert_int_equal(st.restarts, v[i].restarts);
		assert_int_equal(st.crashloop, v[i].crash);
		json_decref(p);
	}
	{
		json_t *p = load("k8s/pods/ocp-openshift-kube-controller-manager--kube-controller-manager-ci-ln-d53y532-f76d1-2btqq-master-0.json");
		struct k8s_pod_state st;

		k8s_pod_state(p, &st);
		assert_true(st.static_pod);
		json_decref(p);
	}
}

/* describe_worker_d.stdout: "NodeNotReady 6y108d node-controller",
 * counted events "x (xN over Y)". */
static void events(void **state)
{
	json_t *list = load("k8s/events/derived/node-events.json"), *e;
	size_t i;
	double now;
	char out[64];
	bool counted = false;

	(void)state;
	k8s_time_parse("2020-08-12T10:00:00Z", &now);
	json_array_foreach(json_object_get(list, "items"), i, e) {
		k8s_event_age(e, now, out, sizeof(out));
		if (json_integer_value(json_object_get(e, "count")) > 1) {
			assert_non_null(strstr(out, " (x"));
			counted = true;
		}
		assert_true(*k8s_event_source(e));
	}
	assert_true(counted);
	e = json_loads("{\"firstTimestamp\":\"2020-08-12T09:00:00Z\",\"lastTimestamp\":"
		       "\"2020-08-12T09:58:00Z\",\"count\":8,\"reportingController\":\"npd\"}",
		       0, NULL);
	k8s_event_age(e, now, out, sizeof(out));
	assert_string_equal(out, "2m (x8 over 60m)");
	assert_string_equal(k8s_event_source(e), "npd");
	json_decref(e);
	json_decref(list);
}

/* The kubelet's command line as /proc/PID/cmdline has it. */
#define CMD(s) s, sizeof(s) - 1
static void hostname_override(void **state)
{
	static const struct {
		const char *cmd;
		size_t n;
		const char *want;
	} v[] = {
		{ CMD("kubelet\0--hostname-override=node-1\0--v=2\0"), "node-1" },
		{ CMD("kubelet\0--hostname-override\0Node-2\0"), "Node-2" },
		{ CMD("k3s\0agent\0--node-name\0edge-7\0"), "edge-7" },
		{ CMD("kubelet\0--hostname-override=\0"), NULL },
		{ CMD("kubelet\0--hostname-override"), NULL },
		{ CMD("kubelet\0--hostname-overrides=x\0"), NULL },
		{ CMD(""), NULL },
	};
	char out[64];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		const char *got = k8s_kubelet_hostname_override(v[i].cmd, v[i].n, out, sizeof(out));

		if (!v[i].want)
			assert_null(got);
		else
			assert_string_equal(got, v[i].want);
		/* and every truncation is safe */
		for (size_t k = 0; k < v[i].n; k++)
			k8s_kubelet_hostname_override(v[i].cmd, k, out, sizeof(out));
	}
}

/* The summary built piece by piece equals the one from the object. */
static void node_sum_pieces(void **state)
{
	static const char *const files[] = {
		"k8s/nodes/derived/worker-b-cordoned.json",
		"k8s/nodes/derived/worker-c-pressure.json",
		"k8s/nodes/derived/worker-d-notready-unknown-cordoned.json",
		"k8s/nodes/derived/minikube-notready-false.json",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		json_t *n = load(files[i]), *c;
		struct k8s_node_sum a, b;
		size_t k;

		k8s_node_sum(n, &a);
		k8s_node_sum_init(&b, k8s_str(n, "metadata.name", ""));
		json_array_foreach(k8s_at(n, "spec.taints"), k, c)
			k8s_node_sum_taint(&b, k8s_str(c, "key", NULL), k8s_str(c, "value", NULL),
					   k8s_str(c, "effect", NULL));
		json_array_foreach(k8s_at(n, "status.conditions"), k, c)
			k8s_node_sum_condition(&b, k8s_str(c, "type", ""), k8s_str(c, "status", ""),
					       k8s_str(c, "reason", ""));
		b.unschedulable = json_is_true(k8s_at(n, "spec.unschedulable"));
		k8s_node_sum_done(&b);
		assert_string_equal(a.status.s, b.status.s);
		assert_string_equal(a.ready, b.ready);
		assert_int_equal(a.state, b.state);
		assert_string_equal(a.taints.s ? a.taints.s : "", b.taints.s ? b.taints.s : "");
		assert_string_equal(a.problems.s ? a.problems.s : "", b.problems.s ? b.problems.s : "");
		if (i == 1)
			assert_string_equal(b.problems.s, "MemoryPressure,DiskPressure");
		if (i == 2) {
			assert_null(b.problems.s);	/* Unknown everywhere: Ready says it */
			assert_int_equal(b.state, ST_CRITICAL);
			assert_string_equal(b.ready_reason, "NodeStatusUnknown");
		}
		/* a Lease renewed 100 s ago with a 40 s duration is stale */
		k8s_node_sum_renew(&b, "2020-08-12T09:00:00Z", 40, 1597222800 + 100);
		assert_true(b.has_lease && b.stale && b.renew_age == 100);
		k8s_node_sum_free(&a);
		k8s_node_sum_free(&b);
		json_decref(n);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(human_duration),
		cmocka_unit_test(times),
		cmocka_unit_test(node_status_and_roles),
		cmocka_unit_test(taints),
		cmocka_unit_test(quantities),
		cmocka_unit_test(quantities_out_of_range),
		cmocka_unit_test(pod_sums),
		cmocka_unit_test(init_containers_and_overhead),
		cmocka_unit_test(pod_states),
		cmocka_unit_test(events),
		cmocka_unit_test(hostname_override),
		cmocka_unit_test(node_sum_pieces),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
