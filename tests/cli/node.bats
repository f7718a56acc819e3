#!/usr/bin/env bats
# srebox node: kubectl describe node's sections, section by section against
# the real kubectl for every fixture node; the verdict; which node is this
# machine; pod logs.

load lib
load k8s

NODES="ci-ln-d53y532-f76d1-2btqq-master-0 ci-ln-d53y532-f76d1-2btqq-master-1
ci-ln-d53y532-f76d1-2btqq-master-2 ci-ln-d53y532-f76d1-2btqq-worker-b-7x8mw
ci-ln-d53y532-f76d1-2btqq-worker-c-nmnbz ci-ln-d53y532-f76d1-2btqq-worker-d-bpnbd minikube"
M1=ci-ln-d53y532-f76d1-2btqq-master-1

setup_file() {
	k8s_setup_file
	mkdir -p "$K8S_DIR/default/logs/default" "$K8S_DIR/default/logs/openshift-monitoring"
	printf 'starting nginx\n\tworker 1 ready\nGET / 200\n' >"$K8S_DIR/default/logs/default/nginx.log"
	for i in $(seq 1 80); do echo "prometheus line $i"; done \
		>"$K8S_DIR/default/logs/openshift-monitoring/prometheus-k8s-1.prometheus.log"
	k8s_start "$K8S_DIR/default"
	echo "$KC" >"$BATS_FILE_TMPDIR/kc.default"
}

teardown_file() {
	k8s_stop_all
}

setup() {
	KC=$(cat "$BATS_FILE_TMPDIR/kc.default")
	K8S_LOG=$(dirname "$KC")/requests.jsonl
}

teardown() {
	k8s_stop_test
}

@test "every fixture node: the sections of kubectl describe node, the same values" {
	need_kubectl
	minor=$("$KUBECTL" version --client -o json | jq -r .clientVersion.minor | tr -dc 0-9)
	old=
	[ "$minor" -lt 32 ] && old=--events-subset
	for n in $NODES; do
		kubectl_run describe node "$n" | python3 "$SREBOX_TESTS/tools/kubectl_describe.py" >"$BATS_TEST_TMPDIR/k"
		sb node --kubeconfig "$KC" "$n" -o json >"$BATS_TEST_TMPDIR/s" || true
		python3 "$SREBOX_TESTS/tools/describe_vs_srebox.py" $old "$BATS_TEST_TMPDIR/k" "$BATS_TEST_TMPDIR/s" ||
			die "node $n differs from kubectl describe"
	done
}

@test "the requests kubectl describe makes: node, pods on it, events by uid and by name, its Lease" {
	sb node --kubeconfig "$KC" "$M1" >/dev/null || true
	uid=$(jq -r .metadata.uid "$FIX/k8s/nodes/ocp-$M1.json")
	k8s_requests '.path + " " + (.query.fieldSelector // "")' | tail -5 >"$BATS_TEST_TMPDIR/r"
	cat >"$BATS_TEST_TMPDIR/want" <<-EOF
		"/api/v1/nodes/$M1 "
		"/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/$M1 "
		"/api/v1/pods spec.nodeName=$M1,status.phase!=Succeeded,status.phase!=Failed"
		"/api/v1/events involvedObject.name=$M1,involvedObject.namespace=,involvedObject.kind=Node,involvedObject.uid=$uid"
		"/api/v1/events involvedObject.name=$M1,involvedObject.namespace=,involvedObject.kind=Node,involvedObject.uid=$M1"
	EOF
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/r"
}

@test "the verdict: NotReady is CRITICAL with its reason, cordoned and pressure WARNING" {
	run sb node --kubeconfig "$KC" ci-ln-d53y532-f76d1-2btqq-worker-d-bpnbd -o check
	[ "$status" -eq 2 ]
	[[ $output == "SREBOX NODE CRITICAL: ci-ln-d53y532-f76d1-2btqq-worker-d-bpnbd Ready=Unknown for "*": NodeStatusUnknown: Kubelet stopped posting node status.; ci-ln-d53y532-f76d1-2btqq-worker-d-bpnbd is cordoned (unschedulable): no new pods"* ]]
	run sb node --kubeconfig "$KC" ci-ln-d53y532-f76d1-2btqq-worker-c-nmnbz -o json
	[ "$status" -eq 1 ]
	jq -e '[.findings[] | select(.check == "condition") | .subject] == ["MemoryPressure", "DiskPressure"]' <<<"$output"
	jq -e '[.findings[] | select(.check == "condition")][0].text | test("^MemoryPressure for .*: KubeletHasInsufficientMemory: kubelet has insufficient memory available$")' <<<"$output"
	run sb node --kubeconfig "$KC" minikube -o check
	[ "$status" -eq 0 ]
	[[ $output == "SREBOX NODE OK: node minikube: Ready, v1.15.2, 1 pod" ]]
}

@test "pods grouped: networking first, then control plane, static, system, workloads" {
	run sb node --kubeconfig "$KC" "$M1" -o json
	jq -e '[.pods[].group] == ["network","system","system","system","system","system","system","system"]
		and .pods[0].name == "sdn-controller-xcnqb"' <<<"$output"
	run sb node --kubeconfig "$KC" ci-ln-d53y532-f76d1-2btqq-master-0 -o json
	jq -e '.pods[0] | .group == "control-plane" and (.name | startswith("kube-controller-manager-"))
		and .ready == "4/4" and .status == "Running"' <<<"$output"
	# resources: kubectl's rows, then how full the node is
	jq -e '.resources[-1] | .resource == "pods" and .requests == "3 (1%)"' <<<"$output"
}

# A pod on master-1, made from the fixture's sdn-controller pod.
pod() { # name namespace labels-json container-status-json
	jq --arg n "$1" --arg ns "$2" --argjson l "$3" --argjson cs "$4" '
		.metadata.name = $n | .metadata.namespace = $ns | .metadata.labels = $l
		| .metadata.ownerReferences = [{"kind":"DaemonSet","name":"x","apiVersion":"apps/v1","uid":"u"}]
		| .status.containerStatuses = [$cs]' \
		"$FIX/k8s/pods/ocp-openshift-sdn--sdn-controller-xcnqb.json"
}

@test "a crash-looping CNI pod is CRITICAL, a system pod WARNING, a workload only counted" {
	d=$BATS_TEST_TMPDIR/crash
	k8s_scenario "$d"
	crash='{"name":"sdn-controller","ready":false,"restartCount":17,"image":"x","imageID":"",
		"state":{"waiting":{"reason":"CrashLoopBackOff","message":"back-off 5m0s"}}}'
	pod calico-node-7xk2p kube-system '{"k8s-app":"calico-node"}' "$crash" >"$d/20-derived/p1.json"
	pod coredns-5d78c9869d-abcde kube-system '{"k8s-app":"kube-dns"}' "$crash" >"$d/20-derived/p2.json"
	pod web-6f7d8c9b5-xyz shop '{"app":"web"}' "$crash" >"$d/20-derived/p3.json"
	k8s_start "$d"
	run sb node --kubeconfig "$KC" "$M1" -o json
	[ "$status" -eq 2 ]
	jq -e '[.findings[] | select(.check == "pod") | [.state, .subject]] ==
		[["CRITICAL","calico-node-7xk2p"],["WARNING","coredns-5d78c9869d-abcde"]]' <<<"$output"
	jq -e '[.findings[] | select(.check == "pod")][0].text ==
		"networking pod kube-system/calico-node-7xk2p CrashLoopBackOff: 0/1 ready, 17 restarts"' <<<"$output"
	jq -e '.summary | endswith("11 pods (3 crash-looping)")' <<<"$output"
	jq -e '[.pods[] | select(.name == "web-6f7d8c9b5-xyz")][0] | .group == "" and .restarts == 17' <<<"$output"
}

@test "NAME: this machine's node from NODE_NAME, the kubelet's --hostname-override, the hostname" {
	run env NODE_NAME=minikube "$SREBOX" node --kubeconfig "$KC" -o json
	[ "$status" -eq 0 ]
	jq -e '.note == "node name from $NODE_NAME; no Lease kube-node-lease/minikube"' <<<"$output"
	root=$BATS_TEST_TMPDIR/root
	mkdir -p "$root/proc/4242" "$root/proc/99" "$root/etc"
	echo bash >"$root/proc/99/comm"
	echo kubelet >"$root/proc/4242/comm"
	printf '/usr/bin/kubelet\0--config=/var/lib/kubelet/config.yaml\0--hostname-override\0MiniKube\0' \
		>"$root/proc/4242/cmdline"
	echo other-host >"$root/etc/hostname"
	run env -u NODE_NAME SREBOX_ROOT="$root" "$SREBOX" node --kubeconfig "$KC" -o json
	[ "$status" -eq 0 ]
	jq -e '.note | startswith("node name from the kubelet'"'"'s --hostname-override")' <<<"$output"
	rm -r "$root/proc/4242"
	run env -u NODE_NAME SREBOX_ROOT="$root" "$SREBOX" node --kubeconfig "$KC"
	[ "$status" -eq 3 ]
	[ "$output" = "srebox node: nodes \"other-host\" not found (the name is from $root/etc/hostname: give NAME, or set NODE_NAME)" ]
}

@test "NAME: the start of one node's name; several or none is an error naming them" {
	run sb node --kubeconfig "$KC" mini -o json
	[ "$status" -eq 0 ]
	jq -e '.node[0].value == "minikube" and (.note | startswith("the only node whose name starts with mini"))' <<<"$output"
	run sb node --kubeconfig "$KC" ci-ln-d53y532-f76d1-2btqq-worker
	[ "$status" -eq 3 ]
	[ "$output" = 'srebox node: nodes "ci-ln-d53y532-f76d1-2btqq-worker" not found; 3 nodes start with it: ci-ln-d53y532-f76d1-2btqq-worker-b-7x8mw, ci-ln-d53y532-f76d1-2btqq-worker-c-nmnbz, ci-ln-d53y532-f76d1-2btqq-worker-d-bpnbd' ]
	run sb node --kubeconfig "$KC" nosuch
	[ "$status" -eq 3 ]
	[ "$output" = 'srebox node: nodes "nosuch" not found' ]
	run sb node --kubeconfig "$KC" a b
	[ "$status" -eq 3 ]
}

@test "--logs: the tail of a pod's log, by the start of its name, the default container" {
	run --separate-stderr sb node --kubeconfig "$KC" minikube --logs ngi
	[ "$status" -eq 0 ]
	# on a pipe the lines alone on stdout, the heading on stderr
	[ "$stderr" = "default/nginx on minikube, container nginx: the last 3 lines" ]
	[[ $output != *"the last 3 lines"* ]]
	[ "${lines[-1]}" = "GET / 200" ]
	[ "${lines[-2]}" = "        worker 1 ready" ]	# a tab, expanded
	k8s_requests 'select(.path | endswith("/log")) | .path + "?" + (.query | to_entries | map("\(.key)=\(.value)") | join("&"))' |
		tail -1 | grep -qx '"/api/v1/namespaces/default/pods/nginx/log?container=nginx&tailLines=50"'
	run sb node --kubeconfig "$KC" ci-ln-d53y532-f76d1-2btqq-worker-d-bpnbd --logs prometheus-k8s-1 -c prometheus --tail 5 -o json
	[ "$status" -eq 0 ]
	jq -e '[.log[].line] == ["prometheus line 76","prometheus line 77","prometheus line 78","prometheus line 79","prometheus line 80"]' <<<"$output"
	run sb node --kubeconfig "$KC" ci-ln-d53y532-f76d1-2btqq-worker-d-bpnbd --logs prometheus-k8s-1 -c nope
	[ "$status" -eq 3 ]
	[ "$output" = "srebox node: 400 Bad Request: container nope is not valid for pod prometheus-k8s-1" ]
	run sb node --kubeconfig "$KC" "$M1" --logs kube
	[ "$status" -eq 3 ]
	[[ $output == "srebox node: 3 pods on $M1 start with kube: "* ]]
	run sb node --kubeconfig "$KC" minikube --tail 3
	[ "$status" -eq 3 ]
	[[ $output == *"-c and --tail go with --logs POD"* ]]
}

@test "pods and events forbidden (a kubelet's credentials): the node is still judged, the note says" {
	k8s_start "$K8S_DIR/default" --forbid list:events --forbid list:pods
	run sb node --kubeconfig "$KC" minikube -o json
	[ "$status" -eq 0 ]
	jq -e '(.note | test("pods: 403 Forbidden: pods is forbidden")) and (.note | test("events: 403 Forbidden"))
		and (.pods == null) and ([.resources[0].unknown.requests] == ["the node'"'"'s pods could not be listed"])' <<<"$output"
}

@test "a node that takes no more pods" {
	d=$BATS_TEST_TMPDIR/full
	k8s_scenario "$d"
	jq '.status.allocatable.pods = "1"' "$FIX/k8s/nodes/k9s-minikube.json" >"$d/20-derived/minikube.json"
	k8s_start "$d"
	run sb node --kubeconfig "$KC" minikube -o check
	[ "$status" -eq 1 ]
	[[ $output == "SREBOX NODE WARNING: 1 pod of at most 1: the node takes no more"* ]]
}

@test "Prometheus text: the resource ratios by resource, valid for promtool" {
	sb node --kubeconfig "$KC" "$M1" -o prom >"$BATS_TEST_TMPDIR/p" || true
	promtool check metrics <"$BATS_TEST_TMPDIR/p"
	# describe_master_1: 80m of 3500m cpu, 430Mi of 14236104Ki memory
	want=$(python3 -c 'print("%.10g %.10g" % (80 / 3500, 430 * 2**20 / (14236104 * 1024)))')
	got="$(sed -n 's/^srebox_node_requests_ratio{resource="cpu"} //p' "$BATS_TEST_TMPDIR/p") $(sed -n 's/^srebox_node_requests_ratio{resource="memory"} //p' "$BATS_TEST_TMPDIR/p")"
	[ "$got" = "$want" ]
}

@test "on a pipe: the sections on stdout, the summary and findings on stderr, the exit status the verdict's" {
	run --separate-stderr sb node --kubeconfig "$KC" ci-ln-d53y532-f76d1-2btqq-worker-c-nmnbz
	[ "$status" -eq 1 ]
	[[ $output == *"Non-terminated pods"* ]]
	[[ $output != *WARNING* && $output != *"node ci-ln"* ]]
	[[ $stderr == *"WARNING  MemoryPressure for "* ]]
	[[ $stderr == *"node ci-ln-d53y532-f76d1-2btqq-worker-c-nmnbz: Ready, "* ]]
	# -o json is one document on stdout as before
	run --separate-stderr sb node --kubeconfig "$KC" ci-ln-d53y532-f76d1-2btqq-worker-c-nmnbz -o json
	[ "$status" -eq 1 ]
	jq -e '.state == "WARNING"' <<<"$output"
}
