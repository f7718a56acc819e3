#!/usr/bin/env bats
# srebox drain against the test API server: the plan and every filter,
# refused evictions retried, --timeout, the wait for pods to go (404 or a
# new UID), dry runs that change nothing (the server's request log says
# so), asking first, Ctrl-C; and against the real kubectl drain on fresh
# copies of the same cluster: the same pods evicted, the same state after.

load lib
load k8s

M0=ci-ln-d53y532-f76d1-2btqq-master-0
M1=ci-ln-d53y532-f76d1-2btqq-master-1
WB=ci-ln-d53y532-f76d1-2btqq-worker-b-7x8mw
WC=ci-ln-d53y532-f76d1-2btqq-worker-c-nmnbz
WD=ci-ln-d53y532-f76d1-2btqq-worker-d-bpnbd
T=$FIX/k8s/kubectl-1.32-transcripts

# A pod for worker-b made from a real one (service-ca's, ReplicaSet-owned):
# mkpod NS NAME JQ-EDIT
mkpod() {
	jq --arg ns "$1" --arg n "$2" --arg node "$WB" \
		'.metadata.namespace = $ns | .metadata.name = $n | .spec.nodeName = $node
		 | .metadata.uid = "aaaaaaaa-0000-4000-8000-" + ($n | explode | map(. % 10 | tostring) | join("") | .[0:12] | . + "000000000000" | .[0:12])
		 | '"$3" "$FIX/k8s/pods/ocp-openshift-service-ca--service-ca-54c85d7fdb-9g4t4.json" \
		>"$K8S_DIR/default/30-drain/pod-$1-$2.json"
}

setup_file() {
	k8s_setup_file
	local d=$K8S_DIR/default/30-drain
	mkdir -p "$d"
	# The DaemonSet of openshift-sdn/sdn-controller-xcnqb: kubectl drain
	# looks it up (the server of the transcripts had it).
	cat >"$d/ds-sdn-controller.json" <<-'EOF2'
		{"apiVersion": "apps/v1", "kind": "DaemonSet",
		 "metadata": {"name": "sdn-controller", "namespace": "openshift-sdn", "uid": "6a0c1f1e-2d9b-4c7e-9a55-0d9f0e1b2c3d",
		              "creationTimestamp": "2020-10-14T06:50:00Z"},
		 "spec": {"selector": {"matchLabels": {"app": "sdn-controller"}},
		          "template": {"metadata": {"labels": {"app": "sdn-controller"}},
		                       "spec": {"containers": [{"name": "sdn-controller", "image": "quay.io/openshift/origin-sdn"}]}}},
		 "status": {"currentNumberScheduled": 3, "desiredNumberScheduled": 3, "numberMisscheduled": 0, "numberReady": 3}}
	EOF2
	# A budget over the prometheus pods that allows no disruption now.
	cat >"$d/pdb-prometheus-k8s.json" <<-'EOF2'
		{"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
		 "metadata": {"name": "prometheus-k8s", "namespace": "openshift-monitoring", "uid": "0b7d6c52-6f0e-4b8f-8f59-7c1c6f0a9d11",
		              "creationTimestamp": "2020-10-14T07:00:00Z"},
		 "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "prometheus", "prometheus": "k8s"}}},
		 "status": {"currentHealthy": 1, "desiredHealthy": 1, "disruptionsAllowed": 0, "expectedPods": 2, "observedGeneration": 1}}
	EOF2
	# worker-b (cordoned already): one pod for each remaining filter.
	mkpod default done-job '.metadata.ownerReferences = [] | .status.phase = "Succeeded" | .spec.volumes += [{"name": "scratch", "emptyDir": {}}]'
	mkpod kube-system fluentd-gcp-v3.2.0-7tpzr '.metadata.ownerReferences = [{"apiVersion": "apps/v1", "kind": "DaemonSet", "name": "fluentd-gcp-v3.2.0", "uid": "1", "controller": true}]'
	mkpod kube-system orphan-agent-x1 '.metadata.ownerReferences = [{"apiVersion": "apps/v1", "kind": "DaemonSet", "name": "gone-agent", "uid": "2", "controller": true}]'
	mkpod default web-1 '.metadata.labels = {"tier": "web"} | .metadata.ownerReferences[0].name = "web-5f7"'
	mkpod default stuck-0 '.metadata.deletionTimestamp = "2020-08-12T09:00:00Z" | .metadata.ownerReferences[0].name = "stuck-7c"'
}

teardown_file() {
	k8s_stop_all
}

teardown() {
	k8s_stop_test
}

# Requests that change something (what a dry run must never send).
mutating() {
	k8s_requests 'select(.method != "GET") | [.method, .path, .query] | tostring'
}

evicted() { # the eviction POSTs the server accepted, one "NS/POD" a line
	k8s_requests 'select(.method == "POST" and .code == 201) | .path' |
		sed -E 's|"/api/v1/namespaces/([^/]+)/pods/([^/]+)/eviction"|\1/\2|' | sort
}

unschedulable() {
	k8s_api "/api/v1/nodes/$1" | jq -r '.spec.unschedulable // false'
}

@test "--dry-run=client: the plan, what kubectl's dry run would evict, and nothing that changes anything" {
	k8s_start "$K8S_DIR/default"
	run --separate-stderr sb drain --kubeconfig "$KC" "$M1" --ignore-daemonsets --dry-run=client -o json
	[ "$status" -eq 0 ]
	jq -r '.pods[] | select(.action == "evict") | .namespace + "/" + .pod' <<<"$output" | sort >"$BATS_TEST_TMPDIR/sb"
	sed -nE 's|^evicting pod (.*) \(dry run\)$|\1|p' "$T/drain_m1_dry_client.stdout" | sort >"$BATS_TEST_TMPDIR/kubectl"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/kubectl")" -eq 7 ]
	diff -u "$BATS_TEST_TMPDIR/kubectl" "$BATS_TEST_TMPDIR/sb"
	json '[.pods[] | select(.action == "skip")] | map(.pod) == ["sdn-controller-xcnqb"]' <<<"$output"
	json '.pods[] | select(.pod == "sdn-controller-xcnqb") | .why | test("DaemonSet sdn-controller")' <<<"$output"
	[ -z "$(mutating)" ] || die "a dry run sent: $(mutating)"
	[ "$(unschedulable "$M1")" = false ]
}

@test "the plan shows a budget that refuses now, with its numbers" {
	k8s_start "$K8S_DIR/default"
	run --separate-stderr sb drain --kubeconfig "$KC" "$WC" --dry-run=client --delete-emptydir-data -o json
	[ "$status" -eq 1 ]
	json '.budgets == [{"namespace": "openshift-monitoring", "name": "prometheus-k8s", "disruptions_allowed": 0,
		"current_healthy": 1, "desired_healthy": 1, "expected_pods": 2, "pods_here": 1, "verdict": "refuses"}]' <<<"$output"
	json '.pods[] | select(.pod == "prometheus-k8s-0") | .budgets == "prometheus-k8s (refuses now)"' <<<"$output"
	json '[.findings[] | select(.check == "budget")][0].text | test("^PodDisruptionBudget openshift-monitoring/prometheus-k8s allows no disruption now \\(1 healthy, 1 desired\\)")' <<<"$output"
	run sb drain --kubeconfig "$KC" "$WC" --dry-run=client --delete-emptydir-data
	[[ $output == *"prometheus-k8s-0"*"prometheus-k8s (refuses now)"* ]]
	[ -z "$(mutating)" ]
}

@test "filters: emptyDir and no controller refuse in kubectl's words, mirror pods are left, and nothing is done" {
	k8s_start "$K8S_DIR/default"
	run --separate-stderr sb drain --kubeconfig "$KC" "$M0" --yes -o json
	[ "$status" -eq 1 ]
	# kubectl 1.32's own message for the same node
	want=$(sed -n '$p' "$T/drain_m0_noflags.stderr")
	json --arg w "$M0: $want" '[.findings[] | select(.check == "filter") | .text] == [$w]' <<<"$output"
	json '.pods[] | select(.pod | startswith("kube-controller-manager-")) | .action == "skip" and (.why | test("mirror"))' <<<"$output"
	run --separate-stderr sb drain --kubeconfig "$KC" minikube --yes -o check
	[ "$status" -eq 1 ]
	# kubectl says "cannot delete cannot delete Pods that declare no controller ..."
	grep -qF "cannot delete Pods that declare no controller (use --force to override): default/nginx" \
		"$T/drain_mk_noforce.stderr"
	[[ $output == *"cannot delete Pods that declare no controller (use --force to override): default/nginx"* ]]
	# unlike kubectl, a node that cannot be drained is not cordoned
	[ -z "$(mutating)" ]
	[ "$(unschedulable "$M0")" = false ]
	[ "$(unschedulable minikube)" = false ]
}

@test "filters: DaemonSet pods never go, an orphan of a gone DaemonSet neither; finished pods go without --force" {
	k8s_start "$K8S_DIR/default"
	run --separate-stderr sb drain --kubeconfig "$KC" "$WB" --dry-run=client -o json
	[ "$status" -eq 1 ]
	json '[.pods[] | [.pod, .action]] == [["done-job","evict"],["stuck-0","evict"],["web-1","evict"],
		["fluentd-gcp-v3.2.0-7tpzr","blocked"],["orphan-agent-x1","blocked"]]' <<<"$output"
	json '[.findings[] | select(.check == "filter") | .text] | sort == [
		"'"$WB"': cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): kube-system/fluentd-gcp-v3.2.0-7tpzr",
		"'"$WB"': cannot delete DaemonSet-managed Pods whose DaemonSet is gone (delete them by hand): kube-system/orphan-agent-x1"]' <<<"$output"
	run --separate-stderr sb drain --kubeconfig "$KC" "$WB" --ignore-daemonsets --force \
		--skip-wait-for-delete-timeout 60 --yes -o json
	[ "$status" -eq 0 ]
	[ "$(evicted)" = "$(printf 'default/done-job\ndefault/web-1')" ]
	plan=$(jq -c -s ".[0]" <<<"$output")
	json '[.pods[] | select(.action == "skip") | .pod] == ["stuck-0","fluentd-gcp-v3.2.0-7tpzr","orphan-agent-x1"]' <<<"$plan"
	json '.pods[] | select(.pod == "stuck-0") | .why | test("terminating for more than 60s")' <<<"$plan"
	# worker-b was cordoned already: no PATCH
	[ -z "$(k8s_requests 'select(.method == "PATCH")')" ]
	# the DaemonSet's pods are still there
	k8s_api /api/v1/namespaces/kube-system/pods/fluentd-gcp-v3.2.0-7tpzr >/dev/null
	k8s_api /api/v1/namespaces/kube-system/pods/orphan-agent-x1 >/dev/null
}

@test "--pod-selector: only those pods are listed, as kubectl asks" {
	k8s_start "$K8S_DIR/default"
	run --separate-stderr sb drain --kubeconfig "$KC" "$WB" --pod-selector tier=web --dry-run=client -o json
	[ "$status" -eq 0 ]
	json '[.pods[].pod] == ["web-1"]' <<<"$output"
	k8s_requests 'select(.path == "/api/v1/pods") | .query' | tail -1 |
		json '. == {"fieldSelector": "spec.nodeName='"$WB"'", "labelSelector": "tier=web", "limit": "500"}'
}

@test "a budget refuses twice: retried with backoff, shown with pod, budget and attempt, then evicted" {
	k8s_start "$K8S_DIR/default" --pdb-429 openshift-monitoring/prometheus-k8s=2
	run --separate-stderr sb drain --kubeconfig "$KC" "$WC" --delete-emptydir-data --yes -o json
	[ "$status" -eq 0 ]
	[ "$(grep -c '^refused: pod openshift-monitoring/prometheus-k8s-0, budget prometheus-k8s, attempt [12]: The disruption budget prometheus-k8s needs 1 healthy pods and has 1 currently; next try in [0-9.]*s$' <<<"$stderr")" -eq 2 ] || die "$stderr"
	grep -qx 'pod/prometheus-k8s-0 evicted' <<<"$stderr"
	[ "$(k8s_requests 'select(.method == "POST") | .code' | tr '\n' ' ')" = "429 429 201 " ]
	res=$(jq -c -s ".[-1]" <<<"$output")
	json '.pods | length == 1 and (.[0] | .pod == "prometheus-k8s-0" and .outcome == "evicted"
		and .attempts == 3 and .refusals == 2 and .budget == "prometheus-k8s")' <<<"$res"
	json '.findings[0].text | test("^node/'"$WC"' drained: 1 pod gone in .*; '"$WC"' stays cordoned \\(unschedulable\\)")' <<<"$res"
	[ "$(unschedulable "$WC")" = true ]
}

@test "a budget that never allows: --timeout ends it, exit 1, the pending pod named, the node stays cordoned" {
	k8s_start "$K8S_DIR/default" --pdb-429 openshift-monitoring/prometheus-k8s=-1
	run --separate-stderr sb drain --kubeconfig "$KC" "$WC" --delete-emptydir-data --yes --timeout 3 -o check
	[ "$status" -eq 1 ]
	output=$(tail -1 <<<"$output")
	[[ $output == "SREBOX DRAIN WARNING: node/$WC not drained: timed out after "*" with 1 pod left: openshift-monitoring/prometheus-k8s-0 (refused "*" times by budget prometheus-k8s); $WC stays cordoned (unschedulable); srebox uncordon $WC when it is ready again"* ]] || die "$output"
	[ "$(unschedulable "$WC")" = true ]
	k8s_api /api/v1/namespaces/openshift-monitoring/pods/prometheus-k8s-0 >/dev/null
	n=$(k8s_requests 'select(.method == "POST") | .code' | sort -u)
	[ "$n" = 429 ]
}

@test "the wait: a terminating pod is looked at until it is gone (404)" {
	k8s_start "$K8S_DIR/default" --deletion-delay 2
	run --separate-stderr sb drain --kubeconfig "$KC" minikube --force --yes -o json
	[ "$status" -eq 0 ]
	codes=$(k8s_requests 'select(.method == "GET" and .path == "/api/v1/namespaces/default/pods/nginx") | .code' | tr '\n' ' ')
	[[ $codes == "200 "*"200 404 " ]] || die "$codes"
	json '.pods[0].outcome == "evicted" and .pods[0].seconds >= 1' <<<"$(jq -c -s ".[-1]" <<<"$output")"
}

@test "a pod replaced under the same name (a new UID) counts as gone" {
	k8s_start "$K8S_DIR/default" --deletion-delay 1 --replace openshift-monitoring/prometheus-k8s-0
	run --separate-stderr sb drain --kubeconfig "$KC" "$WC" --delete-emptydir-data --yes -o json
	[ "$status" -eq 0 ]
	json '.pods[0].outcome == "replaced"' <<<"$(jq -c -s ".[-1]" <<<"$output")"
	grep -qx 'pod/prometheus-k8s-0 replaced' <<<"$stderr"
	# the server kept a pod of that name, never answered 404 for it
	k8s_api /api/v1/namespaces/openshift-monitoring/pods/prometheus-k8s-0 | json '.metadata.uid != "'"$(jq -r .metadata.uid "$FIX/k8s/pods/ocp-openshift-monitoring--prometheus-k8s-0.json")"'"'
	[ -z "$(k8s_requests 'select(.path == "/api/v1/namespaces/openshift-monitoring/pods/prometheus-k8s-0" and .code == 404)')" ]
}

@test "the eviction is the body kubectl sends; --grace-period goes in its deleteOptions" {
	k8s_start "$K8S_DIR/default"
	run --separate-stderr sb drain --kubeconfig "$KC" "$M1" --ignore-daemonsets --yes
	[ "$status" -eq 0 ]
	p=/api/v1/namespaces/openshift-service-ca-operator/pods/service-ca-operator-7bc7f496c8-f74xg/eviction
	want=$(jq -c --arg p "$p" 'select(.path == $p) | [.method, .content_type, (.body | tojson)]' "$T/drain_m1.requests.jsonl")
	[ -n "$want" ]
	[ "$(k8s_requests "select(.path == \"$p\") | [.method, .content_type, .body]")" = "$want" ]
	k8s_start "$K8S_DIR/default"
	run --separate-stderr sb drain --kubeconfig "$KC" minikube --force --grace-period 10 --yes
	[ "$status" -eq 0 ]
	k8s_requests 'select(.method == "POST") | .body | fromjson | .deleteOptions' | json '. == {"gracePeriodSeconds": 10}'
}

@test "--disable-eviction: DELETE with the grace period, budgets not asked" {
	k8s_start "$K8S_DIR/default" --pdb-429 openshift-monitoring/prometheus-k8s=-1
	run --separate-stderr sb drain --kubeconfig "$KC" "$WC" --delete-emptydir-data --disable-eviction \
		--grace-period 10 --yes -o json
	[ "$status" -eq 0 ]
	k8s_requests 'select(.method == "DELETE") | [.path, (.body | fromjson | .gracePeriodSeconds)]' |
		json '. == ["/api/v1/namespaces/openshift-monitoring/pods/prometheus-k8s-0", 10]'
	[ -z "$(k8s_requests 'select(.method == "POST")')" ]
	json '.pods[0].outcome == "deleted"' <<<"$(jq -c -s ".[-1]" <<<"$output")"
}

@test "--dry-run=server: the API server is asked with dryRun=All, and nothing changes" {
	k8s_start "$K8S_DIR/default" --pdb-429 openshift-monitoring/prometheus-k8s=-1
	run --separate-stderr sb drain --kubeconfig "$KC" "$WC" --delete-emptydir-data --dry-run=server -o json
	[ "$status" -eq 1 ]
	k8s_requests 'select(.method == "PATCH") | .query' | json '. == {"dryRun": "All"}'
	k8s_requests 'select(.method == "POST") | [.code, (.body | fromjson | .deleteOptions)]' | json '. == [429, {"dryRun": ["All"]}]'
	json '.pods[0].outcome == "would be refused"' <<<"$(jq -c -s ".[-1]" <<<"$output")"
	[ "$(unschedulable "$WC")" = false ]
	k8s_start "$K8S_DIR/default"
	run --separate-stderr sb drain --kubeconfig "$KC" "$M1" --ignore-daemonsets --dry-run=server -o json
	[ "$status" -eq 0 ]
	[ "$(k8s_api "/api/v1/pods?fieldSelector=spec.nodeName=$M1" | jq '.items | length')" -eq 8 ]
}

@test "not on a terminal and no --yes: the plan, exit 3, nothing changed" {
	k8s_start "$K8S_DIR/default"
	run --separate-stderr sb drain --kubeconfig "$KC" "$M1" --ignore-daemonsets </dev/null
	[ "$status" -eq 3 ]
	# on a pipe the plan's rows on stdout, its summary with the verdict on stderr
	[[ $output != *"drain plan for"* ]]
	[[ $stderr == *"drain plan for $M1: evict 7 pods, leave 1, 0 blocked; 0 budgets refusing now"* ]]
	[[ $stderr == *"not acting without --yes when not on a terminal"* ]]
	[ -z "$(mutating)" ]
}

@test "on a terminal it asks: no changes nothing, yes drains" {
	command -v script >/dev/null || skip "no script(1)"
	k8s_start "$K8S_DIR/default"
	cmd="$SREBOX drain --kubeconfig $KC minikube --force"
	out=$(printf 'n\n' | script -qec "$cmd" /dev/null) && rc=0 || rc=$?
	[ "$rc" -eq 1 ]
	[[ $out == *"Cordon minikube and evict 1 pod? [y/N]"* ]] || die "$out"
	[[ $out == *"nothing done"* ]]
	[ -z "$(mutating)" ]
	out=$(printf 'y\n' | script -qec "$cmd" /dev/null) && rc=0 || rc=$?
	[ "$rc" -eq 0 ] || die "$out"
	[[ $out == *"node/minikube drained"* ]]
	[ "$(evicted)" = default/nginx ]
}

@test "Ctrl-C while a budget refuses: stops, says the node stays cordoned, exit 1" {
	k8s_start "$K8S_DIR/default" --pdb-429 openshift-monitoring/prometheus-k8s=-1
	"$SREBOX" drain --kubeconfig "$KC" "$WC" --delete-emptydir-data --yes >"$BATS_TEST_TMPDIR/out" \
		2>"$BATS_TEST_TMPDIR/err" &
	pid=$!
	for _ in $(seq 200); do
		grep -q '^refused:' "$BATS_TEST_TMPDIR/err" && break
		sleep 0.05
	done
	kill -INT "$pid"
	wait "$pid" && rc=0 || rc=$?
	[ "$rc" -eq 1 ] || die "exit $rc: $(cat "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/err")"
	# stdout is a file: the verdict is on stderr
	grep -q "not drained: interrupted after .* with 1 pod left: openshift-monitoring/prometheus-k8s-0 .*; $WC stays cordoned (unschedulable)" "$BATS_TEST_TMPDIR/err"
	grep -q "interrupted (Ctrl-C)" "$BATS_TEST_TMPDIR/err"
	[ "$(unschedulable "$WC")" = true ]
}

@test "could not ask: no such node, no server, a forbidden eviction (exit 3)" {
	k8s_start "$K8S_DIR/default"
	run --separate-stderr sb drain --kubeconfig "$KC" nosuchnode --yes -o check
	[ "$status" -eq 3 ]
	[[ $output == *'nodes "nosuchnode" not found'* ]]
	run --separate-stderr sb drain --kubeconfig "$KC" minikube --force --yes --request-timeout 2 -o check \
		--kubeconfig /dev/null
	[ "$status" -eq 3 ]
	k8s_start "$K8S_DIR/default" --forbid create:pods
	run --separate-stderr sb drain --kubeconfig "$KC" minikube --force --yes -o json
	[ "$status" -eq 3 ]
	json '.findings[] | select(.check == "pod") | .text | test("could not evict default/nginx: 403")' <<<"$(jq -c -s ".[-1]" <<<"$output")"
}

@test "usage: a node or -l is needed, flags are checked" {
	run sb drain
	[ "$status" -eq 3 ]
	run sb drain x --dry-run=maybe
	[ "$status" -eq 3 ]
	run sb drain x --grace-period=-5
	[ "$status" -eq 3 ]
}

# Parity: kubectl drain and srebox drain on two fresh copies of the cluster.
state() {
	{
		k8s_api /api/v1/pods | jq -c '.items[] | [.metadata.namespace, .metadata.name, .spec.nodeName, .metadata.uid]'
		k8s_api /api/v1/nodes | jq -c '.items[] | [.metadata.name, (.spec.unschedulable // false)]'
	} | sort
}

parity() { # flags...
	k8s_start "$K8S_DIR/default"
	kubectl_run drain "$@" >"$BATS_TEST_TMPDIR/k.out" 2>&1 || true
	evicted >"$BATS_TEST_TMPDIR/k.evicted"
	state >"$BATS_TEST_TMPDIR/k.state"
	k8s_start "$K8S_DIR/default"
	sb drain --kubeconfig "$KC" --yes "$@" >"$BATS_TEST_TMPDIR/s.out" 2>&1 || true
	evicted >"$BATS_TEST_TMPDIR/s.evicted"
	state >"$BATS_TEST_TMPDIR/s.state"
	[ -s "$BATS_TEST_TMPDIR/k.evicted" ] || die "kubectl evicted nothing: $(cat "$BATS_TEST_TMPDIR/k.out")"
	diff -u "$BATS_TEST_TMPDIR/k.evicted" "$BATS_TEST_TMPDIR/s.evicted" || die "not the same pods evicted"
	diff -u "$BATS_TEST_TMPDIR/k.state" "$BATS_TEST_TMPDIR/s.state" || die "not the same state after"
}

@test "parity with kubectl drain: five nodes, every flag that lets them drain" {
	need_kubectl
	parity "$M0" "$M1" minikube "$WC" "$WD" --ignore-daemonsets --delete-emptydir-data --force
	[ "$(wc -l <"$BATS_TEST_TMPDIR/s.evicted")" -eq 12 ]
}

@test "parity with kubectl drain: --pod-selector, and a node that was cordoned already" {
	need_kubectl
	parity "$WB" "$WC" --pod-selector 'app in (prometheus),prometheus=k8s' --delete-emptydir-data
}

@test "on a pipe: the plan's rows on stdout, the verdict on stderr, the exit status the verdict's" {
	k8s_start "$K8S_DIR/default"
	run --separate-stderr sb drain --kubeconfig "$KC" --dry-run=client --ignore-daemonsets minikube
	[ "$status" -eq 1 ]
	[[ $output == *"default    nginx  blocked"* ]]
	[[ $output != *WARNING* && $output != *"drain plan"* ]]
	[[ $stderr == *"drain plan for minikube: "* ]]
	[[ $stderr == *"WARNING  minikube: cannot delete Pods that declare no controller"* ]]
}
