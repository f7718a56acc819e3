/* srebox manifest: srebox on every node, reporting through Prometheus.
 *
 * Prints what `kubectl apply -f -` needs: a Namespace, a ServiceAccount
 * with the one ClusterRole srebox's node checks use (read nodes, list the
 * pods of its node), and a DaemonSet whose srebox container runs every
 * probe applet over the host (--root /host) in a loop, writing
 * --textfile output, with a node_exporter container beside it that serves
 * those files (its textfile collector) — or, with --textfile-dir, into
 * the directory of a node_exporter the cluster already runs.  With
 * --rules, an example Prometheus rules file instead: one alert per area,
 * on the metrics those files hold, so that a fleet view is Prometheus.
 *
 * Nothing here asks a server: the YAML is printed, and read by kubectl.
 * Every value that comes from an option is checked before anything is
 * printed, so a bad one never leaves half a manifest in a pipe. */
#include "applet.h"
#include "check.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *o_namespace = "srebox", *o_image = "srebox:" SREBOX_VERSION;
static const char *o_ne_image = "quay.io/prometheus/node-exporter:v1.8.2";
static const char *o_applets = "health,cswitch,irq,throttle,disk,io,net,cpu";
static const char *o_textfile_dir;
static double o_interval = 60;
static unsigned o_ne_port = 9100;
static bool o_rules;

static const struct sbx_opt manifest_opts[] = {
	{ 'n', "namespace", OPT_STRING, &o_namespace, "NS",
	  "the namespace of the DaemonSet and its ServiceAccount (default srebox)", NULL, NULL },
	{ 0, "image", OPT_STRING, &o_image, "IMAGE",
	  "srebox's container image (default srebox:" SREBOX_VERSION "; srebox-manifest(1) says how to build it)",
	  NULL, NULL },
	{ 0, "applets", OPT_STRING, &o_applets, "LIST",
	  "the applets each node runs, comma separated (default health,cswitch,irq,throttle,disk,io,net,cpu)",
	  NULL, NULL },
	{ 0, "interval", OPT_SECONDS, &o_interval, "SECONDS",
	  "how often each applet rewrites its file (default 60; at least 5)", NULL, NULL },
	{ 0, "textfile-dir", OPT_STRING, &o_textfile_dir, "PATH",
	  "write into this host directory, the textfile directory of a node_exporter already "
	  "running, instead of adding a node_exporter container", "dirs", NULL },
	{ 0, "node-exporter-image", OPT_STRING, &o_ne_image, "IMAGE",
	  "the node_exporter container's image (default quay.io/prometheus/node-exporter:v1.8.2)", NULL,
	  NULL },
	{ 0, "node-exporter-port", OPT_UINT, &o_ne_port, "PORT",
	  "the port node_exporter listens on, on the node's network (default 9100)", NULL, NULL },
	{ 0, "rules", OPT_FLAG, &o_rules, NULL,
	  "print example Prometheus alerting rules on srebox's metrics instead", NULL, NULL },
	OPT_END,
};

/* A DNS-1123 label: a namespace name. */
static bool dns_label(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > 63 || !isalnum((unsigned char)s[0]) || !isalnum((unsigned char)s[n - 1]))
		return false;
	for (; *s; s++)
		if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '-'))
			return false;
	return true;
}

/* An image reference: printable, no blanks or quotes (it is put in YAML). */
static bool image_ref(const char *s)
{
	if (!*s || strlen(s) > 512)
		return false;
	for (; *s; s++)
		if (!isgraph((unsigned char)*s) || *s == '"' || *s == '\'' || *s == '\\' || *s == '#')
			return false;
	return true;
}

#define APPLET(n) extern const struct sbx_applet applet_##n;
#include "applets.def"
#undef APPLET
#define APPLET(n) &applet_##n,
static const struct sbx_applet *const all_applets[] = {
#include "applets.def"
};
#undef APPLET

/* An applet that reads the node and writes a textfile (not top's screen,
 * not capture's archive). */
static bool node_applet(const struct sbx_applet *a)
{
	const char *f = applet_formats(a);

	return (a->flags & AP_PROBE) && (a->flags & AP_OUTPUT) && strstr(f, "prom");
}

static const struct sbx_applet *probe_applet(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(all_applets); i++)
		if (!strcmp(all_applets[i]->name, name) && node_applet(all_applets[i]))
			return all_applets[i];
	return NULL;
}

/* The applet list, checked: each a probe applet, once. */
static int applet_list(const char *s, struct buf *out)
{
	char *dup = xstrdup(s), *save = NULL;
	const struct sbx_applet *seen[ARRAY_SIZE(all_applets)];
	size_t n = 0;

	for (char *t = strtok_r(dup, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		const struct sbx_applet *a;

		t = str_trim(t);
		if (!(a = probe_applet(t))) {
			struct buf names = { 0 };

			for (size_t i = 0; i < ARRAY_SIZE(all_applets); i++)
				if (node_applet(all_applets[i]))
					buf_addf(&names, "%s%s", names.len ? ", " : "", all_applets[i]->name);
			warnx_("--applets: '%s' is not an applet that reads this node (one of %s)", t,
			       names.s);
			buf_free(&names);
			free(dup);
			return -1;
		}
		for (size_t i = 0; i < n; i++)
			if (seen[i] == a) {
				warnx_("--applets: '%s' is given twice", t);
				free(dup);
				return -1;
			}
		seen[n++] = a;
		buf_addf(out, "%s%s", out->len ? " " : "", t);
	}
	free(dup);
	if (!n) {
		warnx_("--applets: give at least one applet");
		return -1;
	}
	return 0;
}

/* The regex of check ids: those of `ids` (CHK_N-terminated), or of applet a. */
static void id_regex(struct buf *b, const enum sbx_check_id *ids)
{
	for (size_t i = 0; ids[i] != CHK_N; i++)
		buf_addf(b, "%s%s", i ? "|" : "", sbx_checks[ids[i]].id);
}

static void rule(const char *alert, const char *expr, const char *dur, const char *sev,
		 const char *summary)
{
	printf("      - alert: %s\n        expr: %s\n        for: %s\n        labels: {severity: %s}\n"
	       "        annotations:\n          summary: \"%s\"\n", alert, expr, dur, sev, summary);
}

static void print_rules(void)
{
	/* health's areas, by the catalogue's ids; the topic applets' from
	 * their own lists of checks, so a new check joins its area */
	static const enum sbx_check_id cpu[] = { CHK_LOAD, CHK_RUNQUEUE, CHK_PSI_CPU, CHK_STEAL,
						 CHK_CPU_HOT, CHK_N };
	static const enum sbx_check_id mem[] = { CHK_MEMORY, CHK_MEMORY_AVAILABLE, CHK_SWAP,
						 CHK_PSI_MEMORY, CHK_OOM, CHK_N };
	static const struct {
		const char *alert, *applet, *summary;
	} topic[] = {
		{ "SreboxCpuThrottled", "throttle", "CPU held back" },
		{ "SreboxDisk", "disk", "a filesystem filling, hung or failing" },
		{ "SreboxDiskIo", "io", "a disk slow or failing" },
		{ "SreboxNetwork", "net", "network errors, drops or retransmits" },
		{ "SreboxScheduler", "cswitch", "context switches or tasks near a limit" },
		{ "SreboxIrq", "irq", "interrupts piled on one CPU" },
		{ "SreboxCpuHot", "cpu", "one CPU saturated while the others idle" },
	};
	struct buf re = { 0 }, expr = { 0 }, sum = { 0 };

	/* srebox_check_state: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.  The
	 * `for` keeps one bad minute quiet; UNKNOWN has its own alert. */
	printf("# Example alerting rules on srebox's textfile metrics (srebox manifest --rules):\n"
	       "# srebox_check_state is 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN for each applet,\n"
	       "# check and subject; srebox_up says whether the applet could read the node.\n"
	       "groups:\n  - name: srebox\n    rules:\n");
	rule("SreboxCannotRead", "srebox_up == 0", "10m", "warning",
	     "{{ $labels.instance }}: srebox {{ $labels.applet }} cannot read the node");
	rule("SreboxStale", "time() - node_textfile_mtime_seconds{file=~\"srebox_.*[.]prom\"} > 600",
	     "5m", "warning", "{{ $labels.instance }}: {{ $labels.file }} not rewritten for 10 minutes");
	rule("SreboxNodeCritical", "srebox_check_state{applet=\"health\"} == 2", "5m", "critical",
	     "{{ $labels.instance }}: srebox health is CRITICAL: {{ $labels.check }} {{ $labels.subject }}");
	for (int k = 0; k < 2 + (int)ARRAY_SIZE(topic); k++) {
		const char *applet = k == 0 ? "health" : k == 1 ? "health" : topic[k - 2].applet;

		buf_reset(&re);
		buf_reset(&expr);
		buf_reset(&sum);
		id_regex(&re, k == 0 ? cpu : k == 1 ? mem : probe_applet(applet)->checks);
		buf_addf(&expr, "srebox_check_state{applet=\"%s\",check=~\"%s\"} == 1 or "
			 "srebox_check_state{applet=\"%s\",check=~\"%s\"} == 2", applet, re.s, applet, re.s);
		buf_addf(&sum, "{{ $labels.instance }}: %s: {{ $labels.check }} {{ $labels.subject }}",
			 k == 0 ? "CPU saturated" : k == 1 ? "memory pressure" : topic[k - 2].summary);
		rule(k == 0 ? "SreboxCpuSaturated" : k == 1 ? "SreboxMemoryPressure" : topic[k - 2].alert,
		     expr.s, "10m", "warning", sum.s);
	}
	buf_free(&re);
	buf_free(&expr);
	buf_free(&sum);
}

static int manifest_run(struct sbx_ctx *ctx)
{
	struct buf apps = { 0 };
	char interval[32];

	if (ctx->nargs) {
		warnx_("unexpected argument '%s' (the manifest is printed; pipe it to kubectl apply -f -)",
		       ctx->args[0]);
		return 3;
	}
	if (o_rules) {
		print_rules();
		return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 3;
	}
	if (!dns_label(o_namespace)) {
		warnx_("--namespace '%s': not a namespace name (lower-case letters, digits and '-', "
		       "at most 63)", o_namespace);
		return 3;
	}
	if (!image_ref(o_image) || !image_ref(o_ne_image)) {
		warnx_("--%s '%s': not an image reference", image_ref(o_image) ? "node-exporter-image" : "image",
		       image_ref(o_image) ? o_ne_image : o_image);
		return 3;
	}
	if (o_interval < 5 || o_interval > 86400) {
		warnx_("--interval: give 5 seconds to a day (a node's files must not go stale)");
		return 3;
	}
	if (o_ne_port < 1 || o_ne_port > 65535) {
		warnx_("--node-exporter-port %u: not a port", o_ne_port);
		return 3;
	}
	if (o_textfile_dir && (o_textfile_dir[0] != '/' || !image_ref(o_textfile_dir))) {
		warnx_("--textfile-dir '%s': give an absolute path on the host", o_textfile_dir);
		return 3;
	}
	if (applet_list(o_applets, &apps) < 0) {
		buf_free(&apps);
		return 3;
	}
	snprintf(interval, sizeof(interval), "%g", o_interval);

	printf("# srebox %s on every node: %s over the host (--root /host), every %ss,\n"
	       "# into node_exporter's textfile collector.  kubectl apply -f -; see srebox-manifest(1).\n",
	       SREBOX_VERSION, apps.s, interval);
	printf("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s\n---\n", o_namespace);
	printf("apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: srebox\n  namespace: %s\n---\n",
	       o_namespace);
	/* health's kubelet checks read its node; node checks list its pods */
	printf("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: srebox-node\n"
	       "rules:\n"
	       "  - apiGroups: [\"\"]\n    resources: [nodes]\n    verbs: [get]\n"
	       "  - apiGroups: [\"\"]\n    resources: [pods]\n    verbs: [list]\n---\n");
	printf("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n"
	       "  name: srebox-node\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n"
	       "  name: srebox-node\nsubjects:\n  - kind: ServiceAccount\n    name: srebox\n"
	       "    namespace: %s\n---\n", o_namespace);
	printf("apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: srebox\n  namespace: %s\n"
	       "  labels: {app.kubernetes.io/name: srebox}\n"
	       "spec:\n  selector:\n    matchLabels: {app.kubernetes.io/name: srebox}\n"
	       "  updateStrategy:\n    type: RollingUpdate\n    rollingUpdate: {maxUnavailable: 10%%}\n"
	       "  template:\n    metadata:\n      labels: {app.kubernetes.io/name: srebox}\n"
	       "    spec:\n      serviceAccountName: srebox\n"
	       /* the host's processes and network, as the node's own tools see them */
	       "      hostPID: true\n      hostNetwork: true\n      dnsPolicy: ClusterFirstWithHostNet\n"
	       "      tolerations:\n        - operator: Exists\n"
	       "      containers:\n", o_namespace);
	printf("        - name: srebox\n          image: %s\n"
	       "          command: [/bin/sh, -c]\n"
	       "          args:\n            - |\n"
	       "              while :; do\n"
	       "                for a in %s; do\n"
	       "                  srebox \"$a\" --root /host --textfile /textfile || :\n"
	       "                done\n"
	       "                sleep %s\n"
	       "              done\n",
	       o_image, apps.s, interval);
	printf("          env:\n"
	       /* the stuck-helper registry, on the writable emptyDir */
	       "            - {name: XDG_RUNTIME_DIR, value: /run/srebox-state}\n"
	       "            - {name: NODE_NAME, valueFrom: {fieldRef: {fieldPath: spec.nodeName}}}\n"
	       "          resources:\n"
	       "            requests: {cpu: 10m, memory: 16Mi}\n"
	       "            limits: {cpu: 200m, memory: 64Mi}\n"
	       "          securityContext:\n"
	       "            runAsUser: 0\n"
	       "            readOnlyRootFilesystem: true\n"
	       "            allowPrivilegeEscalation: false\n"
	       "            capabilities:\n"
	       "              drop: [ALL]\n"
	       /* other users' /proc/PID/io, fd and the runtime's dirs; the
		* kernel log under dmesg_restrict */
	       "              add: [SYS_PTRACE, DAC_READ_SEARCH, SYSLOG]\n"
	       "          volumeMounts:\n"
	       "            - {name: root, mountPath: /host, readOnly: true, mountPropagation: HostToContainer}\n"
	       "            - {name: proc, mountPath: /host/proc, readOnly: true}\n"
	       "            - {name: sys, mountPath: /host/sys, readOnly: true}\n"
	       "            - {name: textfile, mountPath: /textfile}\n"
	       "            - {name: state, mountPath: /run/srebox-state}\n");
	if (!o_textfile_dir)
		printf("        - name: node-exporter\n          image: %s\n"
		       "          args:\n"
		       "            - --path.rootfs=/host\n"
		       "            - --web.listen-address=:%u\n"
		       "            - --collector.textfile.directory=/textfile\n"
		       "          ports:\n            - {name: metrics, containerPort: %u}\n"
		       "          resources:\n"
		       "            requests: {cpu: 10m, memory: 24Mi}\n"
		       "            limits: {cpu: 200m, memory: 64Mi}\n"
		       "          securityContext:\n"
		       "            runAsUser: 65534\n"
		       "            runAsNonRoot: true\n"
		       "            readOnlyRootFilesystem: true\n"
		       "            allowPrivilegeEscalation: false\n"
		       "            capabilities: {drop: [ALL]}\n"
		       "          volumeMounts:\n"
		       "            - {name: root, mountPath: /host, readOnly: true, mountPropagation: HostToContainer}\n"
		       "            - {name: textfile, mountPath: /textfile, readOnly: true}\n",
		       o_ne_image, o_ne_port, o_ne_port);
	printf("      volumes:\n"
	       "        - {name: root, hostPath: {path: /}}\n"
	       "        - {name: proc, hostPath: {path: /proc}}\n"
	       "        - {name: sys, hostPath: {path: /sys}}\n");
	if (o_textfile_dir)
		printf("        - {name: textfile, hostPath: {path: %s, type: DirectoryOrCreate}}\n",
		       o_textfile_dir);
	else
		printf("        - {name: textfile, emptyDir: {medium: Memory, sizeLimit: 16Mi}}\n");
	printf("        - {name: state, emptyDir: {medium: Memory, sizeLimit: 1Mi}}\n");
	buf_free(&apps);
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 3;
}

const struct sbx_applet applet_manifest = {
	.name = "manifest",
	.examples =
		"# srebox on every node, served by its own node_exporter\n"
		"srebox manifest | kubectl apply -f -\n"
		"# into the node_exporter the nodes already run\n"
		"srebox manifest --textfile-dir /var/lib/node_exporter/textfile_collector\n"
		"# the alerting rules, checked before they are loaded\n"
		"srebox manifest --rules > rules.yml && promtool check rules rules.yml\n",
	.summary = "a DaemonSet that runs srebox on every node into node_exporter, and example alerting rules",
	.usage = "[OPTIONS]",
	.description =
		"Prints a Namespace, a ServiceAccount with a ClusterRole that reads its node and\n"
		"lists pods, and a DaemonSet: on every node (every taint tolerated) srebox runs\n"
		"the --applets over the host's /, /proc and /sys mounted read-only under /host,\n"
		"every --interval, writing --textfile files that a node_exporter container beside\n"
		"it serves (or, with --textfile-dir, that the node's own node_exporter reads).\n"
		"--rules prints example Prometheus alerting rules on those metrics instead.",
	.opts = manifest_opts,
	.run = manifest_run,
};
