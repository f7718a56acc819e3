#!/usr/bin/env bats
# srebox nodes keeps kubectl get nodes' habits: NAME..., --no-headers, rows
# alone on a pipe, a default table as narrow as kubectl's plus what srebox
# adds, every role, and -o name asking for no more than the names.  The
# real kubectl against the same test API server is the reference.

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

M0=ci-ln-d53y532-f76d1-2btqq-master-0

cells() { # srebox's kubectl cells, in srebox's order
	jq -S '[.items[] | {name, status, roles: (.roles // "<none>"), age, version}]'
}

@test "nodes NAME...: kubectl get nodes NAME's rows, in the order given, one GET each" {
	need_kubectl_132
	run --separate-stderr kubectl_run get nodes minikube "$M0"
	[ "$status" -eq 0 ]
	python3 "$SREBOX_TESTS/tools/kubectl_table.py" <<<"$output" | jq -S . >"$BATS_TEST_TMPDIR/k"
	[ "$(jq length "$BATS_TEST_TMPDIR/k")" -eq 2 ]
	: >"$K8S_LOG"
	run --separate-stderr sb nodes --kubeconfig "$KC" minikube "$M0" -o json
	[ "$status" -eq 1 ]	# master-0's Lease is years old
	cells <<<"$output" >"$BATS_TEST_TMPDIR/s"
	diff -u "$BATS_TEST_TMPDIR/k" "$BATS_TEST_TMPDIR/s"
	# a GET of each node, not a list of all
	k8s_requests 'select(.path | startswith("/api/v1/nodes")) | .path' >"$BATS_TEST_TMPDIR/p"
	diff <(printf '"/api/v1/nodes/minikube"\n"/api/v1/nodes/%s"\n' "$M0") "$BATS_TEST_TMPDIR/p"
	# and without server-side Tables, a plain Node read the same way
	k8s_start "$K8S_DIR/default" --no-table
	sb nodes --kubeconfig "$KC" minikube "$M0" -o json | cells >"$BATS_TEST_TMPDIR/s" || true
	diff -u "$BATS_TEST_TMPDIR/k" "$BATS_TEST_TMPDIR/s"
}

@test "nodes NAME...: a name that does not exist is named as kubectl names it, the others shown" {
	need_kubectl_132
	run --separate-stderr kubectl_run get nodes nosuch minikube
	[ "$status" -eq 1 ]
	kerr=$stderr
	[[ $kerr == *'nodes "nosuch" not found'* ]]
	run --separate-stderr sb nodes --kubeconfig "$KC" nosuch minikube
	[ "$status" -ne 0 ]
	[ "$(grep -c '^minikube ' <<<"$output")" -eq 1 ]
	[[ $stderr == *'UNKNOWN  nodes "nosuch" not found'* ]]
	[[ $stderr == *"1 node: 1 Ready, 1 not found"* ]]
	# nothing found at all: UNKNOWN, exit 3
	run --separate-stderr sb nodes --kubeconfig "$KC" nosuch -o json
	[ "$status" -eq 3 ]
	jq -e '.summary == "1 node not found" and .findings[0].check == "notfound"
		and .findings[0].subject == "nosuch" and (.items | length) == 0' <<<"$output"
	run sb nodes --kubeconfig "$KC" minikube -l a=b
	[ "$status" -eq 3 ]
	[[ $output == *"not both"* ]]
}

@test "--no-headers: the rows kubectl get nodes --no-headers prints, no header line" {
	need_kubectl_132
	kubectl_run get nodes --no-headers | awk '{print $1, $2, $3}' >"$BATS_TEST_TMPDIR/k"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/k")" -eq 7 ]
	run --separate-stderr sb nodes --kubeconfig "$KC" --no-headers
	[ "$status" -eq 2 ]
	awk '{print $1, $2, $3}' <<<"$output" >"$BATS_TEST_TMPDIR/s"
	diff -u "$BATS_TEST_TMPDIR/k" "$BATS_TEST_TMPDIR/s"
	run --separate-stderr sb nodes --kubeconfig "$KC" --no-headers -o wide
	[ "$(wc -l <<<"$output")" -eq 7 ]
	! grep -q '^NAME ' <<<"$output"
}

@test "on a pipe stdout holds the rows alone, the verdict goes to stderr; on a terminal both on it" {
	run --separate-stderr sb nodes --kubeconfig "$KC"
	[ "$status" -eq 2 ]	# the exit status stays the verdict's
	[ "$(wc -l <<<"$output")" -eq 8 ]
	[ "$(grep -vc '^NAME \|^ci-ln-\|^minikube ' <<<"$output")" -eq 0 ]
	[[ $stderr == *"7 nodes: 6 Ready, 1 not Ready, 2 cordoned"* ]]
	[[ $stderr == *"CRITICAL  1 node not Ready"* ]]
	[[ $stderr == *"? = unknown: no Lease kube-node-lease/minikube"* ]]
	# a terminal (script(1) gives it one) sees the verdict after the rows
	command -v script >/dev/null || skip "no script(1)"
	script -qec "$SREBOX nodes --kubeconfig $KC 2>/dev/null" /dev/null >"$BATS_TEST_TMPDIR/tty" || true
	tr -d '\r' <"$BATS_TEST_TMPDIR/tty" | sed 's/\x1b\[[0-9;]*m//g' >"$BATS_TEST_TMPDIR/t"
	grep -q '^NAME ' "$BATS_TEST_TMPDIR/t"
	grep -q '^7 nodes: 6 Ready, 1 not Ready, 2 cordoned' "$BATS_TEST_TMPDIR/t"
	[ "$(grep -n '^7 nodes' "$BATS_TEST_TMPDIR/t" | cut -d: -f1)" -gt "$(grep -n '^minikube ' "$BATS_TEST_TMPDIR/t" | cut -d: -f1)" ]
}

@test "the default table is kubectl's plus HEARTBEAT and CONDITIONS; TAINTS and the wide cells under -o wide" {
	need_kubectl_132
	khead=$(kubectl_run get nodes | head -1 | tr -s ' ')
	shead=$(sb nodes --kubeconfig "$KC" 2>/dev/null | head -1 | tr -s ' ')
	[ "$shead" = "${khead% } HEARTBEAT CONDITIONS" ]
	kwide=$(kubectl_run get nodes -o wide | head -1 | tr -s ' ')
	swide=$(sb nodes --kubeconfig "$KC" -o wide 2>/dev/null | head -1 | tr -s ' ')
	[ "$swide" = "${kwide% } HEARTBEAT CONDITIONS TAINTS" ]
	# no wider than kubectl's table and the two columns srebox adds (each
	# as wide as its widest cell, plus the separator)
	kw=$(kubectl_run get nodes | awk '{ if (length > w) w = length } END { print w }')
	sb nodes --kubeconfig "$KC" -o json >"$BATS_TEST_TMPDIR/j" || true
	cw=$(jq -r '.items[] | .conditions // "-"' "$BATS_TEST_TMPDIR/j" | awk '{ if (length > w) w = length } END { print w }')
	sw=$(sb nodes --kubeconfig "$KC" 2>/dev/null | awk '{ if (length > w) w = length } END { print w }')
	echo "# kubectl $kw columns, srebox $sw (CONDITIONS $cw)" >&3
	[ "$sw" -le $((kw + 2 + 9 + 2 + (cw > 10 ? cw : 10))) ]
	# json keeps every column whatever the table shows
	jq -e '.items[] | select(.name | test("worker-c")) | .taints | test("memory-pressure")' "$BATS_TEST_TMPDIR/j"
}

@test "ROLES is never cut: a node with 20 roles shows all 20, as the API server's cells" {
	need_kubectl_132
	d=$BATS_TEST_TMPDIR/roles
	mkdir -p "$d"
	jq '.metadata.labels += ([range(20)] | map({key: "node-role.kubernetes.io/role-\(.)", value: ""}) | from_entries)' \
		"$FIX/k8s/nodes/k9s-minikube.json" >"$d/minikube.json"
	k8s_start "$d"
	kroles=$(kubectl_run get nodes --no-headers | awk '{print $3}')
	[ "$(tr ',' '\n' <<<"$kroles" | wc -l)" -eq 21 ]	# and master
	# srebox computes the cells itself from a plain NodeList
	k8s_start "$d" --no-table
	run --separate-stderr sb nodes --kubeconfig "$KC" -o json
	[ "$(jq -r '.items[0].roles' <<<"$output")" = "$kroles" ]
}

@test "-o name asks for Table rows without their objects: the same names for a fraction of kubectl's bytes" {
	need_kubectl_132
	: >"$K8S_LOG"
	kubectl_run get nodes -o name | sed 's|^node/||' >"$BATS_TEST_TMPDIR/k"
	kbytes=$(k8s_requests 'select(.path == "/api/v1/nodes") | .bytes' | jq -s add)
	: >"$K8S_LOG"
	sb nodes --kubeconfig "$KC" -o name >"$BATS_TEST_TMPDIR/s" || true
	diff -u "$BATS_TEST_TMPDIR/k" "$BATS_TEST_TMPDIR/s"
	k8s_requests 'select(.path == "/api/v1/nodes") | .query.includeObject' | grep -qx '"None"'
	sbytes=$(k8s_requests 'select(.path == "/api/v1/nodes") | .bytes' | jq -s add)
	[ -z "$(k8s_requests 'select(.path | test("lease")) | .path')" ]
	echo "# -o name: srebox $sbytes bytes, kubectl $kbytes bytes" >&3
	[ "$sbytes" -lt $((kbytes / 4)) ]
	# a server without Tables: the plain list still gives the names
	k8s_start "$K8S_DIR/default" --no-table
	sb nodes --kubeconfig "$KC" -o name >"$BATS_TEST_TMPDIR/s" || true
	diff -u "$BATS_TEST_TMPDIR/k" "$BATS_TEST_TMPDIR/s"
	# and one name the same way
	[ "$(sb nodes --kubeconfig "$KC" -o name minikube)" = minikube ]
}

@test "an unknown --user or --cluster is a config error before any request, as kubectl's" {
	need_kubectl_132
	run --separate-stderr kubectl_run get nodes --user nosuch
	[ "$status" -ne 0 ]
	[[ $stderr == *'auth info "nosuch" does not exist'* ]]
	for opt in --user --cluster; do
		: >"$K8S_LOG"
		run --separate-stderr sb nodes --kubeconfig "$KC" "$opt" nosuch
		[ "$status" -eq 3 ]
		[ -z "$output" ]
		[[ $stderr == *'"nosuch"'*"not found in $KC"* ]]
		[ ! -s "$K8S_LOG" ]
		run --separate-stderr sb cordon --kubeconfig "$KC" "$opt" nosuch minikube
		[ "$status" -eq 3 ]
		[ ! -s "$K8S_LOG" ]
	done
}

@test "columns are aligned by characters: a UTF-8 OS image moves no column, as in kubectl's table" {
	need_kubectl_132
	d=$BATS_TEST_TMPDIR/utf8
	mkdir -p "$d"
	jq '.status.nodeInfo.osImage = "Débian GNU/Linux – ünstable ☃"' "$FIX/k8s/nodes/k9s-minikube.json" >"$d/minikube.json"
	cp "$FIX/k8s/nodes/ocp-ci-ln-d53y532-f76d1-2btqq-master-0.json" "$d/"
	k8s_start "$d"
	# the character offset of each line's KERNEL-VERSION cell, as the header places it
	starts() {
		python3 -c '
import sys
lines = sys.stdin.read().splitlines()
col = lines[0].index("KERNEL-VERSION")
print(len(lines) - 1, all(l[col - 2:col] == "  " and l[col] != " " for l in lines[1:]))'
	}
	[ "$(kubectl_run get nodes -o wide | starts)" = "2 True" ]
	[ "$(sb nodes --kubeconfig "$KC" -o wide 2>/dev/null | starts)" = "2 True" ]
}

@test "-o json: null where kubectl's table says <none> or <unknown>, the table still says it" {
	need_kubectl_132
	kubectl_run get nodes minikube -o wide | grep -q '^minikube .* <none> '
	run --separate-stderr sb nodes --kubeconfig "$KC" -o json minikube
	jq -e '.items[0] | .external_ip == null and .internal_ip == "192.168.64.107" and .roles == "master"' <<<"$output"
	# the anonymised fixture's ExternalIP is an empty string: kept, not null
	run --separate-stderr sb nodes --kubeconfig "$KC" -o json "$M0"
	jq -e '.items[0].external_ip == ""' <<<"$output"
	run --separate-stderr sb nodes --kubeconfig "$KC" -o wide minikube
	[[ $output == *" <none> "* ]]
	d=$BATS_TEST_TMPDIR/bare
	mkdir -p "$d"
	jq 'del(.metadata.labels["node-role.kubernetes.io/master"]) | del(.status.nodeInfo.osImage)' \
		"$FIX/k8s/nodes/k9s-minikube.json" >"$d/minikube.json"
	k8s_start "$d" --no-table
	run --separate-stderr sb nodes --kubeconfig "$KC" -o json
	jq -e '.items[0] | .roles == null and .os_image == null' <<<"$output"
	run --separate-stderr sb nodes --kubeconfig "$KC" -o wide
	[[ $output == *"minikube  Ready   <none>"* ]]
	[[ $output == *"<unknown>"* ]]
}

@test "-o json: a v1 List as kubectl get nodes -o json's, with the same items in the same order" {
	need_kubectl_132
	run --separate-stderr kubectl_run get nodes -o json
	[ "$status" -eq 0 ]
	jq -c '{apiVersion, kind, metadata, items: [.items[] | {apiVersion: (.apiVersion // "v1"), kind: (.kind // "Node"),
		name: .metadata.name}]}' <<<"$output" >"$BATS_TEST_TMPDIR/k"
	[ "$(jq '.items | length' "$BATS_TEST_TMPDIR/k")" -eq 7 ]
	run --separate-stderr sb nodes --kubeconfig "$KC" -o json
	jq -c '{apiVersion, kind, metadata, items: [.items[] | {apiVersion, kind, name: .metadata.name}]}' \
		<<<"$output" >"$BATS_TEST_TMPDIR/s"
	diff -u "$BATS_TEST_TMPDIR/k" "$BATS_TEST_TMPDIR/s"
	# every item's srebox keys are there, null when unknown or missing
	jq -e '.items | all(has("heartbeat_age_seconds") and has("conditions") and .metadata.name == .name)' <<<"$output"
	# named nodes and none found are Lists too
	run --separate-stderr sb nodes --kubeconfig "$KC" nosuch -o json
	jq -e '.kind == "List" and .apiVersion == "v1" and .items == []' <<<"$output"
}
