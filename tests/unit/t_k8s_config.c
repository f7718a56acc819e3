/* kubeconfig resolution: every rule of clientcmd's loader over the real
 * kubeconfigs (the merge fixtures' expected views are the real kubectl's
 * `config view --raw`), in-cluster and the node's own kubeconfigs. */
#include "unit.h"
#include "k8s_config.h"

#include <sys/stat.h>
#include <unistd.h>

static char tmp[256];

static const char *fix_path(const char *rel)
{
	static char p[4][4096];
	static int i;
	const char *top = getenv("SREBOX_TESTS");

	i = (i + 1) % 4;
	snprintf(p[i], sizeof(p[i]), "%s/fixtures/%s", top ? top : "tests", rel);
	return p[i];
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmp, sizeof(tmp), "/tmp/t_k8s_config.XXXXXX");
	assert_non_null(mkdtemp(tmp));
	unsetenv("KUBECONFIG");
	unsetenv("KUBERNETES_SERVICE_HOST");
	unsetenv("KUBERNETES_SERVICE_PORT");
	unsetenv("POD_NAMESPACE");
	setenv("HOME", tmp, 1);
	root_set(NULL);
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static void load_ok(const struct sbx_kube_opts *o, struct k8s_config *c)
{
	struct sbx_err err;

	if (k8s_config_load(o, c, &err) < 0)
		fail_msg("%s", err.msg);
}

static void load_fails(const struct sbx_kube_opts *o, const char *want)
{
	struct k8s_config c;
	struct sbx_err err;

	if (k8s_config_load(o, &c, &err) == 0)
		fail_msg("loaded, wanted an error with '%s'", want);
	if (!strstr(err.msg, want))
		fail_msg("error '%s' lacks '%s'", err.msg, want);
}

/* expected-merged-view-a-then-b.yaml: shared and shared-user from a,
 * current-context ctx-b from b. */
static void merge_a_then_b(void **state)
{
	char env[8192];
	struct sbx_kube_opts o = { 0 };
	struct k8s_config c;
	char want[4096];

	(void)state;
	snprintf(env, sizeof(env), "%s:%s/nope.yaml:%s:%s", fix_path("kubeconfig/merge/a.config.yaml"),
		 tmp, fix_path("kubeconfig/merge/b.config.yaml"),
		 fix_path("kubeconfig/merge/a.config.yaml"));
	setenv("KUBECONFIG", env, 1);
	load_ok(&o, &c);
	assert_string_equal(c.context, "ctx-b");
	assert_string_equal(c.server, "https://only-b.example:6443");
	assert_string_equal(c.proxy_url, "socks5://127.0.0.1:1080");
	assert_string_equal(c.token, "token-from-a");
	assert_null(c.cert_file);
	assert_string_equal(c.ns, "team-b");
	k8s_config_free(&c);

	o.context = "ctx-a";
	load_ok(&o, &c);
	assert_string_equal(c.server, "https://a.example:6443");
	snprintf(want, sizeof(want), "%s", fix_path("kubeconfig/merge/ca-a.crt"));
	assert_string_equal(c.ca_file, want);
	assert_false(c.insecure);
	assert_null(c.tls_server_name);
	assert_string_equal(c.ns, "default");
	k8s_config_free(&c);
	unsetenv("KUBECONFIG");
}

/* b then a: shared and shared-user now come whole from b (its tokenFile
 * does not exist, so loading says so, naming it). */
static void merge_b_then_a(void **state)
{
	char env[8192];
	struct sbx_kube_opts o = { .context = "ctx-a" };

	(void)state;
	snprintf(env, sizeof(env), "%s:%s", fix_path("kubeconfig/merge/b.config.yaml"),
		 fix_path("kubeconfig/merge/a.config.yaml"));
	setenv("KUBECONFIG", env, 1);
	load_fails(&o, "tokenFile of user \"shared-user\"");
	load_fails(&o, "tok/b.token");
	unsetenv("KUBECONFIG");
}

static void kubectl_generated(void **state)
{
	struct sbx_kube_opts o = { .kubeconfig = fix_path("kubeconfig/kubectl-generated/kubeconfig.yaml") };
	struct k8s_config c;
	char want[4096];

	(void)state;
	load_ok(&o, &c);
	assert_string_equal(c.context, "prod-eu-oncall");
	assert_string_equal(c.server, "https://203.0.113.10:6443");
	snprintf(want, sizeof(want), "%s", fix_path("kubeconfig/kubectl-generated/certs/ca.crt"));
	assert_string_equal(c.ca_file, want);
	assert_string_equal(c.tls_server_name, "kubernetes.default.svc");
	assert_string_equal(c.ns, "kube-system");
	assert_non_null(c.exec);
	assert_string_equal(c.exec->api_version, "client.authentication.k8s.io/v1");
	assert_string_equal(c.exec->argv[0], "/usr/local/bin/fake-credential-helper");
	assert_string_equal(c.exec->argv[1], "get-token");
	assert_string_equal(c.exec->argv[2], "--cluster=prod-eu");
	assert_null(c.exec->argv[3]);
	assert_string_equal(c.exec->env[0], "AWS_PROFILE=oncall");
	assert_true(c.exec->provide_cluster_info);
	assert_string_equal(c.exec->interactive, "Never");
	assert_null(c.token);
	k8s_config_free(&c);

	o.context = "lab-token";
	o.ns = "other";
	load_ok(&o, &c);
	assert_true(c.insecure);
	assert_string_equal(c.proxy_url, "socks5://127.0.0.1:1080");
	assert_string_equal(c.token, "fake-bearer-token-0123456789");
	assert_string_equal(c.ns, "other");
	k8s_config_free(&c);
	o.ns = NULL;

	o.context = "embedded-basic";
	load_ok(&o, &c);
	assert_int_equal(c.ca_pem.len, 7);
	assert_memory_equal(c.ca_pem.s, "fake-ca", 7);
	assert_string_equal(c.username, "admin");
	assert_string_equal(c.password, "fake-password");
	k8s_config_free(&c);

	o.context = "lab-cert";
	load_ok(&o, &c);
	snprintf(want, sizeof(want), "%s", fix_path("kubeconfig/kubectl-generated/certs/client.key"));
	assert_string_equal(c.key_file, want);
	k8s_config_free(&c);

	/* --user replaces the context's user */
	o.user = "exec-samedir-user";
	load_ok(&o, &c);
	snprintf(want, sizeof(want), "%s", fix_path("kubeconfig/kubectl-generated/bin/helper.sh"));
	assert_string_equal(c.exec->argv[0], want);
	assert_string_equal(c.exec->interactive, "IfAvailable");
	k8s_config_free(&c);

	o.user = "oidc-user";
	load_ok(&o, &c);
	assert_string_equal(c.token, "fake.jwt.token");
	k8s_config_free(&c);

	/* a --user that is not there is an error, not a request without credentials */
	o.user = "nosuch-user";
	load_fails(&o, "--user \"nosuch-user\" not found in");

	/* --cluster replaces the context's cluster */
	o.user = NULL;
	o.cluster = "embedded";
	o.context = "lab-token";
	load_ok(&o, &c);
	assert_string_equal(c.server, "https://198.51.100.7");
	assert_string_equal(c.token, "fake-bearer-token-0123456789");
	k8s_config_free(&c);
}

static void exec_relative_and_bare(void **state)
{
	struct sbx_kube_opts o = {
		.kubeconfig = fix_path("kubeconfig/kubectl-generated/exec-relative-command.yaml")
	};
	struct k8s_config c;
	char want[4096];

	(void)state;
	load_ok(&o, &c);
	snprintf(want, sizeof(want), "%s", fix_path("kubeconfig/kubectl-generated/bin/helper.sh"));
	assert_string_equal(c.exec->argv[0], want);
	snprintf(want, sizeof(want), "%s", fix_path("kubeconfig/kubectl-generated/../kc/server.crt"));
	assert_string_equal(c.ca_file, want);
	k8s_config_free(&c);
	o.context = "same";
	load_ok(&o, &c);
	assert_string_equal(c.exec->argv[0], "helper.sh");	/* looked up in PATH */
	k8s_config_free(&c);
}

static void k9s_configs(void **state)
{
	struct sbx_kube_opts o = { .kubeconfig = fix_path("kubeconfig/k9s-testdata/multi-context-insecure.yaml") };
	struct k8s_config c;

	(void)state;
	o.context = "duh";
	load_fails(&o, "cluster \"duh\" of context \"duh\" not found");
	o.context = "nope";
	load_fails(&o, "contexts: fred, blee, duh");
	o.context = "blee";
	load_ok(&o, &c);
	assert_string_equal(c.ns, "zorg");
	assert_string_equal(c.server, "https://localhost:3001");
	assert_memory_equal(c.cert_pem.s, "fred", 4);
	assert_memory_equal(c.key_pem.s, "fred", 4);
	k8s_config_free(&c);

	o = (struct sbx_kube_opts){ .kubeconfig = fix_path("kubeconfig/k9s-testdata/users-null.yaml") };
	load_ok(&o, &c);
	assert_non_null(c.note);
	assert_non_null(strstr(c.note, "user \"blee\" is not defined"));
	assert_null(c.token);
	k8s_config_free(&c);

	o = (struct sbx_kube_opts){ .kubeconfig = fix_path("kubeconfig/k9s-testdata/cert-file-refs.yaml") };
	load_ok(&o, &c);
	assert_string_equal(c.cert_file, "/Users/test/client.crt");	/* absolute: as is */
	assert_string_equal(c.ns, "ns-1");
	k8s_config_free(&c);
}

static void invalid(const char *yaml, const char *want)
{
	char path[400];
	struct sbx_kube_opts o = { .kubeconfig = path };

	snprintf(path, sizeof(path), "%s/bad.yaml", tmp);
	write_file(path, yaml);
	load_fails(&o, want);
}

#define CL "clusters: [{name: c, cluster: {server: 'https://h:6443'}}]\n" \
	   "contexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n"

static void validation(void **state)
{
	(void)state;
	invalid(CL "users: [{name: u, user: {client-certificate: a.crt}}]\n",
		"client certificate without its key");
	invalid(CL "users: [{name: u, user: {client-key-data: Zm9v}}]\n",
		"client key without its certificate");
	invalid(CL "users: [{name: u, user: {token: t, username: a, password: b}}]\n",
		"more than one authentication method");
	invalid(CL "users: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1, "
		   "command: x}}}]\n",
		"interactiveMode must be set");
	invalid(CL "users: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1alpha1, "
		   "command: x}}}]\n",
		"v1alpha1 is not supported");
	invalid(CL "users: [{name: u, user: {auth-provider: {name: gcp}}}]\n",
		"auth-provider gcp is not supported");
	invalid("clusters: [{name: c, cluster: {server: 'https://h', certificate-authority: a, "
		"certificate-authority-data: Zm9v}}]\n"
		"contexts: [{name: x, context: {cluster: c}}]\ncurrent-context: x\n",
		"both certificate-authority and certificate-authority-data");
	invalid("clusters: [{name: c, cluster: {server: 'https://h', certificate-authority-data: '!!'}}]\n"
		"contexts: [{name: x, context: {cluster: c}}]\ncurrent-context: x\n",
		"not valid base64");
	invalid("clusters: [{name: c, cluster: {insecure-skip-tls-verify: true}}]\n"
		"contexts: [{name: x, context: {cluster: c}}]\ncurrent-context: x\n",
		"has no server");
	invalid("clusters: [{name: c, cluster: {server: 'https://h'}}]\n"
		"contexts: [{name: x, context: {cluster: c}}]\n",
		"sets no current-context: use --context (contexts: x)");
	invalid("clusters: [ {name: c\n", "line");
	invalid("- just\n- a list\n", "not a mapping");
}

static void where_from(void **state)
{
	struct sbx_kube_opts o = { 0 };
	struct k8s_config c;
	char path[1024], root[400], env[600];

	(void)state;
	/* --kubeconfig must exist */
	o.kubeconfig = "/nonexistent/kc";
	load_fails(&o, "--kubeconfig /nonexistent/kc: no such file");
	o.kubeconfig = NULL;

	/* nothing anywhere: the message says what was tried */
	snprintf(root, sizeof(root), "%s/root", tmp);
	mkdir(root, 0755);
	root_set(root);
	load_fails(&o, "no Kubernetes configuration");
	load_fails(&o, "/.kube/config");
	load_fails(&o, "KUBERNETES_SERVICE_HOST unset");
	load_fails(&o, "/etc/kubernetes/kubelet.conf");

	/* the node's own kubeconfig under the root, absolute paths rooted */
	snprintf(path, sizeof(path), "%s/etc", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/etc/kubernetes", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/etc/kubernetes/admin.conf", root);
	write_file(path, CL "users: [{name: u, user: {client-certificate: /var/lib/kubelet/pki/c.pem, "
			    "client-key: /var/lib/kubelet/pki/c.pem}}]\n");
	load_ok(&o, &c);
	assert_true(c.from_node);
	assert_non_null(strstr(c.source, "/etc/kubernetes/admin.conf, this node's own kubeconfig"));
	snprintf(path, sizeof(path), "%s/var/lib/kubelet/pki/c.pem", root);
	assert_string_equal(c.cert_file, path);
	k8s_config_free(&c);

	/* ... but not when KUBECONFIG was set (even to files that are gone) */
	snprintf(env, sizeof(env), "%s/gone.yaml", tmp);
	setenv("KUBECONFIG", env, 1);
	load_fails(&o, "no file of KUBECONFIG=");
	unsetenv("KUBECONFIG");

	/* in-cluster wins over the node's kubeconfigs */
	snprintf(path, sizeof(path), "%s/sa", tmp);
	mkdir(path, 0755);
	setenv("SREBOX_SERVICEACCOUNT_DIR", path, 1);
	snprintf(path, sizeof(path), "%s/sa/token", tmp);
	write_file(path, "sa-token\n");
	snprintf(path, sizeof(path), "%s/sa/namespace", tmp);
	write_file(path, "monitoring");
	setenv("KUBERNETES_SERVICE_HOST", "fd00::1", 1);
	setenv("KUBERNETES_SERVICE_PORT", "443", 1);
	load_ok(&o, &c);
	assert_string_equal(c.server, "https://[fd00::1]:443");
	assert_string_equal(c.token, "sa-token");
	assert_string_equal(c.ns, "monitoring");
	assert_null(c.ca_file);
	assert_string_equal(c.source, "in-cluster service account");
	k8s_config_free(&c);
	setenv("POD_NAMESPACE", "from-env", 1);
	load_ok(&o, &c);
	assert_string_equal(c.ns, "from-env");
	k8s_config_free(&c);

	/* ~/.kube/config wins over in-cluster */
	snprintf(path, sizeof(path), "%s/.kube", tmp);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/.kube/config", tmp);
	write_file(path, CL "users: [{name: u, user: {token: home-token}}]\n");
	load_ok(&o, &c);
	assert_string_equal(c.token, "home-token");
	assert_string_equal(c.source, path);
	k8s_config_free(&c);
	unsetenv("KUBERNETES_SERVICE_HOST");
	unsetenv("SREBOX_SERVICEACCOUNT_DIR");
	root_set(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(merge_a_then_b),
		cmocka_unit_test(merge_b_then_a),
		cmocka_unit_test(kubectl_generated),
		cmocka_unit_test(exec_relative_and_bare),
		cmocka_unit_test(k9s_configs),
		cmocka_unit_test(validation),
		cmocka_unit_test(where_from),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
