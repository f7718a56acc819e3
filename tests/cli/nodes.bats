#!/usr/bin/env bats
# srebox nodes against the test API server serving the fixture cluster:
# the same cells as the real kubectl for every node, what kubectl leaves
# out, the exit states, selectors and chunking.

load lib
load k8s

setup_file() {
	k8s_setup_file
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

# A renewTime `age` seconds ago.
ago() {
	date -u -d "@$(($(date +%s) - $1))" +%Y-%m-%dT%H:%M:%S.000000Z
}

# A scenario of the three masters whose kubelets renewed their Leases
# `age` seconds ago (or as given per node: name=age).
masters() {
	local d=$BATS_TEST_TMPDIR/masters age=$1 n
	shift
	mkdir -p "$d"
	for n in 0 1 2; do
		cp "$FIX/k8s/nodes/ocp-ci-ln-d53y532-f76d1-2btqq-master-$n.json" "$d/"
		jq --arg t "$(ago "$age")" '.spec.renewTime = $t' \
			"$FIX/k8s/leases/derived/ci-ln-d53y532-f76d1-2btqq-master-$n.json" >"$d/lease-$n.json"
	done
	echo "$d"
}

cells() { # srebox's cells, sorted by name, as kubectl_table.py keys them (JSON's null as kubectl shows it)
	jq -S '[.items[] | {name, status, roles: (.roles // "<none>"), age, version,
		internal_ip: (.internal_ip // "<none>"), external_ip: (.external_ip // "<none>"),
		os_image: (.os_image // "<unknown>"), kernel_version: (.kernel_version // "<unknown>"),
		container_runtime: (.container_runtime // "<unknown>")}] | sort_by(.name)'
}

@test "every fixture node: the same cells as kubectl get nodes and -o wide" {
	need_kubectl
	run --separate-stderr kubectl_run get nodes
	[ "$status" -eq 0 ]
	python3 "$SREBOX_TESTS/tools/kubectl_table.py" <<<"$output" | jq -S 'sort_by(.name)' >"$BATS_TEST_TMPDIR/k"
	[ "$(jq length "$BATS_TEST_TMPDIR/k")" -eq 7 ]
	sb nodes --kubeconfig "$KC" -o json | cells |
		jq -S 'map({name, status, roles, age, version})' >"$BATS_TEST_TMPDIR/s"
	diff -u "$BATS_TEST_TMPDIR/k" "$BATS_TEST_TMPDIR/s"

	run --separate-stderr kubectl_run get nodes -o wide
	python3 "$SREBOX_TESTS/tools/kubectl_table.py" <<<"$output" |
		jq -S 'sort_by(.name) | map(.container_runtime = .container_runtime)' >"$BATS_TEST_TMPDIR/k"
	sb nodes --kubeconfig "$KC" -o json | cells >"$BATS_TEST_TMPDIR/s"
	diff -u "$BATS_TEST_TMPDIR/k" "$BATS_TEST_TMPDIR/s"
}

@test "the test server's legacy discovery (APIVersions, APIGroupList) serves kubectl too" {
	need_kubectl
	k8s_start "$K8S_DIR/default" --discovery legacy
	run --separate-stderr kubectl_run get nodes -o name
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 7 ]
	k8s_requests 'select(.path | startswith("/apis/")) | .path' | grep -q '"/apis/coordination.k8s.io/v1"'
}

@test "without server-side Tables srebox computes the same cells itself" {
	need_kubectl
	run --separate-stderr kubectl_run get nodes -o wide
	python3 "$SREBOX_TESTS/tools/kubectl_table.py" <<<"$output" | jq -S 'sort_by(.name)' >"$BATS_TEST_TMPDIR/k"
	k8s_start "$K8S_DIR/default" --no-table
	sb nodes --kubeconfig "$KC" -o json | cells >"$BATS_TEST_TMPDIR/s"
	diff -u "$BATS_TEST_TMPDIR/k" "$BATS_TEST_TMPDIR/s"
	# it asked for a Table with objects, and got a NodeList
	k8s_requests 'select(.path == "/api/v1/nodes") | .accept + " " + .query.includeObject' |
		grep -q 'as=Table;v=v1;g=meta.k8s.io.* Object'
}

@test "the fixture cluster: NotReady is CRITICAL, cordoned and pressure WARNING, each named" {
	run sb nodes --kubeconfig "$KC" -o json
	[ "$status" -eq 2 ]
	jq -e '.state == "CRITICAL" and .exit_status == 2' <<<"$output"
	jq -e '[.findings[] | select(.check == "notready")][0].text
		| test("1 node not Ready: ci-ln-d53y532-f76d1-2btqq-worker-d-bpnbd \\(Unknown, NodeStatusUnknown\\)")' <<<"$output"
	jq -e '[.findings[] | select(.check == "cordoned")][0] | .state == "WARNING" and .value == 2' <<<"$output"
	jq -e '.items[] | select(.name | test("worker-c")) | .conditions == "MemoryPressure,DiskPressure"
		and (.taints | test("node.kubernetes.io/memory-pressure:NoSchedule")) and .state == "WARNING"' <<<"$output"
	# Unknown pressure of an unreachable kubelet is not news: Ready=Unknown says it
	jq -e '.items[] | select(.name | test("worker-d")) | .conditions == null and .state == "CRITICAL"
		and .ready == false and .unschedulable == true' <<<"$output"
	# minikube has no Lease: its heartbeat is unknown, with the reason
	jq -e '.items[] | select(.name == "minikube") | .heartbeat_age_seconds == null
		and .unknown.heartbeat_age_seconds == "no Lease kube-node-lease/minikube"' <<<"$output"
	run sb nodes --kubeconfig "$KC"
	[ "$status" -eq 2 ]
	[[ $output == *"? = unknown: no Lease kube-node-lease/minikube"* ]]
	[[ $output == *"7 nodes: 6 Ready, 1 not Ready, 2 cordoned"* ]]
	run sb nodes --kubeconfig "$KC" -o check
	[ "$status" -eq 2 ]
	[[ $output =~ ^SREBOX\ NODES\ CRITICAL:\ 1\ node\ not\ Ready ]]
	[[ $output == *"| notready=1;;;0;7 cordoned=2;;;0;7 conditions=1;;;0;7"* ]]
}

@test "all Ready with fresh heartbeats: 0; a cordon: 1; a kubelet that stops renewing: 1 before NotReady" {
	d=$(masters 3)
	k8s_start "$d"
	run sb nodes --kubeconfig "$KC" -o json
	[ "$status" -eq 0 ]
	jq -e '[.items[].heartbeat_age_seconds] | all(. >= 2 and . < 60)' <<<"$output"
	jq -e '.findings[0].text == "all 3 nodes Ready and schedulable"' <<<"$output"

	jq '.spec.unschedulable = true' "$d/ocp-ci-ln-d53y532-f76d1-2btqq-master-1.json" >"$d/z.json"
	k8s_start "$d"
	run sb nodes --kubeconfig "$KC" -o check
	[ "$status" -eq 1 ]
	[[ $output == "SREBOX NODES WARNING: 1 node cordoned: ci-ln-d53y532-f76d1-2btqq-master-1 |"* ]]
	rm "$d/z.json"

	jq --arg t "$(ago 300)" '.spec.renewTime = $t' "$d/lease-2.json" >"$d/z.json"
	k8s_start "$d"
	run sb nodes --kubeconfig "$KC" -o check
	[ "$status" -eq 1 ]
	[[ $output =~ "1 node Ready whose kubelet stopped renewing its Lease: ci-ln-d53y532-f76d1-2btqq-master-2 (renewed "(4m5[0-9]s|5m|5m[0-9]s)" ago, lease 40s)" ]]
}

@test "a node-problem-detector condition is a WARNING with its type" {
	d=$(masters 2)
	jq '.status.conditions += [{"type":"KernelDeadlock","status":"True","reason":"DockerHung",
		"message":"task docker:1234 blocked for more than 120 seconds."}]' \
		"$d/ocp-ci-ln-d53y532-f76d1-2btqq-master-0.json" >"$d/z.json"
	k8s_start "$d"
	run sb nodes --kubeconfig "$KC" -o json
	[ "$status" -eq 1 ]
	jq -e '.items[0].conditions == "KernelDeadlock" and .items[0].state == "WARNING"' <<<"$output"
}

@test "-l and --field-selector go to the server as kubectl sends them" {
	run sb nodes --kubeconfig "$KC" -l 'node-role.kubernetes.io/master' -o json
	jq -e '[.items[].name] == ["ci-ln-d53y532-f76d1-2btqq-master-0","ci-ln-d53y532-f76d1-2btqq-master-1",
		"ci-ln-d53y532-f76d1-2btqq-master-2","minikube"]' <<<"$output"
	k8s_requests 'select(.path == "/api/v1/nodes") | .query.labelSelector' | tail -1 |
		grep -qx '"node-role.kubernetes.io/master"'
	run sb nodes --kubeconfig "$KC" --field-selector spec.unschedulable=true -o json
	jq -e '[.items[].name] == ["ci-ln-d53y532-f76d1-2btqq-worker-b-7x8mw","ci-ln-d53y532-f76d1-2btqq-worker-d-bpnbd"]' <<<"$output"
	run --separate-stderr sb nodes --kubeconfig "$KC" -l nosuch=label
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$stderr" = "no nodes match -l nosuch=label" ]
	run sb nodes --kubeconfig "$KC" -l 'bad selector ((('
	[ "$status" -eq 3 ]
	[[ $output == *"400 Bad Request: unable to parse requirement"* ]]
}

@test "chunked: limit and continue as kubectl, every row once, one header" {
	run sb nodes --kubeconfig "$KC" --chunk-size 2
	[ "$status" -eq 2 ]
	[ "$(grep -c '^NAME ' <<<"$output")" -eq 1 ]
	[ "$(grep -c '^ci-ln\|^minikube' <<<"$output")" -eq 7 ]
	k8s_requests 'select(.path == "/api/v1/nodes") | [.query.limit, (.query.continue != null)]' | tail -4 >"$BATS_TEST_TMPDIR/q"
	diff <(printf '["2",false]\n["2",true]\n["2",true]\n["2",true]\n') "$BATS_TEST_TMPDIR/q"
	run sb nodes --kubeconfig "$KC" --chunk-size 3 -o json
	jq -e '.items | length == 7' <<<"$output"
}

@test "1,200 nodes: Leases are listed alongside, in pages, and every node has its heartbeat" {
	k8s_start "$K8S_DIR/default" --scale-nodes 1200
	run --separate-stderr sb nodes --kubeconfig "$KC" -o json
	[ "$status" -eq 2 ]	# generated from the fixtures, NotReady ones too
	jq -e '(.items | length) == 1200 and ([.items[] | select(.heartbeat_age_seconds == null)] | length) == 0' <<<"$output"
	[ "$(k8s_requests 'select(.path | endswith("/leases")) | .query.limit' | sort -u)" = '"500"' ]
	[ "$(k8s_requests 'select(.path | endswith("/leases"))' | wc -l)" -eq 3 ]
	[ "$(k8s_requests 'select(.path == "/api/v1/nodes")' | wc -l)" -eq 3 ]
	# Prometheus text streamed in parts: families stay whole
	sb nodes --kubeconfig "$KC" -o prom >"$BATS_TEST_TMPDIR/p" || [ $? -eq 2 ]
	promtool check metrics <"$BATS_TEST_TMPDIR/p"
	[ "$(grep -c '^srebox_nodes_ready{' "$BATS_TEST_TMPDIR/p")" -eq 1200 ]
}

@test "a server that ignores limit: 5,000 nodes in one answer are read; over 20,000 is an error, memory bounded" {
	k8s_start "$K8S_DIR/default" --scale-nodes 5000 --ignore-limit
	# the Python server's one answer of 75 MB takes longer than 5 s on a loaded machine
	run --separate-stderr sb nodes --kubeconfig "$KC" -o json --request-timeout 60
	[ "$status" -eq 2 ]
	jq -e '(.items | length) == 5000' <<<"$output"
	k8s_start "$K8S_DIR/default" --scale-nodes 20001 --ignore-limit
	frun "nodes: a server that ignores limit, 20,001 nodes in one answer" "$SREBOX" nodes --kubeconfig "$KC" --request-timeout 180
	echo "$output"
	output+=$'\n'"maxrss $(tail -1 "$BATS_TEST_TMPDIR"/frun.*)"
	[ "$status" -eq 3 ]
	[[ $output == *"srebox nodes: more than 20000 nodes in one answer (asked for 500 a page): not kept, so that memory stays bounded"* ]]
	# the 20,000 rows kept are summaries, not objects: well under the ~100 MB
	# of the answer (AddressSanitizer's own bookkeeping would dwarf it)
	rss=$(sed -n 's/^maxrss //p' <<<"$output")
	echo "# peak RSS with 20,001 nodes in one answer: $rss kB" >&3
	[ "${SANITIZE:-}" = 1 ] || [ "$rss" -lt 150000 ]
}

@test "--textfile with the list streamed: the same samples as -o prom" {
	mkdir -p "$BATS_TEST_TMPDIR/tf"
	run sb nodes --kubeconfig "$KC" --chunk-size 2 --textfile "$BATS_TEST_TMPDIR/tf"
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	sb nodes --kubeconfig "$KC" -o prom >"$BATS_TEST_TMPDIR/p" || true
	# heartbeat ages move with the clock between the two runs: compare their labels
	norm() { grep -v '^#' "$1" | sed -E 's/^(srebox_nodes_heartbeat_age_seconds\{[^}]*\}) .*/\1/' | sort; }
	[ "$(norm "$BATS_TEST_TMPDIR/p" | wc -l)" -ge 30 ]
	diff <(norm "$BATS_TEST_TMPDIR/p") <(norm "$BATS_TEST_TMPDIR/tf/srebox_nodes.prom")
}

@test "usage: a NAME is a node to get (kubectl get nodes NAME), --request-timeout must be above 0" {
	run sb nodes --kubeconfig "$KC" worker-1
	[ "$status" -eq 3 ]
	[[ $output == *'nodes "worker-1" not found'* ]]
	run sb nodes --kubeconfig "$KC" --request-timeout 0
	[ "$status" -eq 3 ]
	[[ $output == *"--request-timeout 0: give a duration above 0"* ]]
}

@test "-o name: the names alone, those kubectl get -o name lists, and no Lease asked for" {
	: >"$K8S_LOG"
	run --separate-stderr sb nodes --kubeconfig "$KC" -o name
	[ "$status" -le 2 ]
	# the list of nodes, and no Lease
	[ -z "$(k8s_requests 'select(.path | test("lease")) | .path')" ]
	k8s_requests 'select(.path == "/api/v1/nodes")' | grep -q .
	want=$(sb nodes --kubeconfig "$KC" -o json | jq -r '.items[].name')
	[ "$output" = "$want" ]
	[ "$(wc -l <<<"$output")" -ge 7 ]
	run sb nodes --kubeconfig "$KC" -o name -l 'node-role.kubernetes.io/master'
	[ "$(tr '\n' ' ' <<<"$output")" = "ci-ln-d53y532-f76d1-2btqq-master-0 ci-ln-d53y532-f76d1-2btqq-master-1 ci-ln-d53y532-f76d1-2btqq-master-2 minikube " ]
	need_kubectl
	[ "$(sb nodes --kubeconfig "$KC" -o name)" = "$(kubectl_run get nodes -o name | sed 's|^node/||')" ]
}

@test "-o name with an unreachable server: nothing on stdout, the reason on stderr, exit 3" {
	k8s_kubeconfig "$BATS_TEST_TMPDIR/kc" "https://127.0.0.1:1" "token: x"
	run --separate-stderr sb nodes --kubeconfig "$BATS_TEST_TMPDIR/kc" -o name --request-timeout 1s
	[ "$status" -eq 3 ]
	[ -z "$output" ]
	[[ $stderr == *"127.0.0.1:1"* ]]
}
