#!/usr/bin/env bats
# srebox cordon: the requests kubectl cordon sends (its recorded
# transcripts), nothing sent when already cordoned, dry runs, -l, errors,
# and the same state after as the real kubectl on a fresh copy.

load lib
load k8s

M0=ci-ln-d53y532-f76d1-2btqq-master-0
WB=ci-ln-d53y532-f76d1-2btqq-worker-b-7x8mw
WC=ci-ln-d53y532-f76d1-2btqq-worker-c-nmnbz
WD=ci-ln-d53y532-f76d1-2btqq-worker-d-bpnbd
T=$FIX/k8s/kubectl-1.32-transcripts

setup_file() {
	k8s_setup_file
}

teardown_file() {
	k8s_stop_all
}

teardown() {
	k8s_stop_test
}

# The API requests of a log, discovery and the tests' own left out.
api_requests() {
	jq -c 'select(.path != "/api" and .path != "/apis" and .user_agent != "k8s_api")
		| [.method, .path, .query, .content_type, (.body | if type == "string" then fromjson else . end)]' "$1"
}

unschedulable() {
	k8s_api "/api/v1/nodes/$1" | jq -r '.spec.unschedulable // false'
}

@test "cordon sends what kubectl cordon sends: GET, then one strategic merge PATCH" {
	k8s_start "$K8S_DIR/default"
	run sb cordon --kubeconfig "$KC" "$WC"
	[ "$status" -eq 0 ]
	[[ $output == *"OK  node/$WC cordoned"* ]]
	diff -u <(api_requests "$T/cordon_c.requests.jsonl") <(api_requests "$K8S_LOG")
	[ "$(unschedulable "$WC")" = true ]
}

@test "already cordoned: the GET only, as kubectl" {
	k8s_start "$K8S_DIR/default"
	run sb cordon --kubeconfig "$KC" "$WB" -o json
	[ "$status" -eq 0 ]
	json --arg n "$WB" '.nodes == [{"node": $n, "was": "cordoned", "now": "cordoned", "result": "already cordoned"}]' <<<"$output"
	json --arg n "$WB" '.findings[0].text == "node/\($n) already cordoned"' <<<"$output"
	[ "$(k8s_requests 'select(.user_agent != "k8s_api") | .method' | sort -u)" = '"GET"' ]
	# and kubectl's record of the same (worker-c after it was cordoned)
	[ "$(api_requests "$T/cordon_c_again.requests.jsonl" | jq -r '.[0]' | sort -u)" = GET ]
}

@test "--dry-run=client sends no PATCH; --dry-run=server asks with dryRun=All and nothing changes" {
	k8s_start "$K8S_DIR/default"
	run sb cordon --kubeconfig "$KC" "$WC" --dry-run=client -o json
	[ "$status" -eq 0 ]
	json '.nodes[0] | .was == "schedulable" and .now == "schedulable" and .result == "cordoned (dry run)"' <<<"$output"
	[ -z "$(k8s_requests 'select(.method != "GET")')" ]
	run sb cordon --kubeconfig "$KC" "$WC" --dry-run=server
	[ "$status" -eq 0 ]
	[[ $output == *"node/$WC cordoned (server dry run)"* ]]
	k8s_requests 'select(.method == "PATCH") | .query' | json '. == {"dryRun": "All"}'
	[ "$(unschedulable "$WC")" = false ]
}

@test "a node that does not exist: the server's words, exit 3; every name is read first and nothing changes, as kubectl" {
	k8s_start "$K8S_DIR/default"
	run sb cordon --kubeconfig "$KC" "$M0" nosuchnode "$WC"
	[ "$status" -eq 3 ]
	# kubectl: Error from server (NotFound): nodes "nosuchnode" not found
	want=$(sed 's/^Error from server (NotFound): //' "$T/cordon_notfound.stderr")
	[[ $output == *"unable to cordon node \"nosuchnode\": $want"* ]] || die "$output"
	[[ $output == *"1 of 3 nodes not found: none cordoned"* ]]
	[ "$(unschedulable "$M0")" = false ]
	[ "$(unschedulable "$WC")" = false ]
	[ -z "$(k8s_requests 'select(.method == "PATCH")')" ]
	# the real kubectl on the same cluster changes nothing either
	need_kubectl
	run kubectl_run cordon "$M0" nosuchnode "$WC"
	[ "$status" -eq 1 ]
	[[ $output == *"$want"* ]]
	[ "$(unschedulable "$M0")" = false ]
	[ -z "$(k8s_requests 'select(.method == "PATCH")')" ]
	# and uncordon the same way: worker-b stays cordoned
	run sb uncordon --kubeconfig "$KC" "$WB" nosuchnode
	[ "$status" -eq 3 ]
	[ "$(unschedulable "$WB")" = true ]
}

@test "-l: the nodes with those labels" {
	k8s_start "$K8S_DIR/default"
	run sb cordon --kubeconfig "$KC" -l node-role.kubernetes.io/master -o json
	[ "$status" -eq 0 ]
	want=$(jq -s -c '[.[] | select(.metadata.labels | has("node-role.kubernetes.io/master")) | .metadata.name] | sort' \
		"$FIX"/k8s/nodes/*.json)
	json --argjson w "$want" '([.nodes[].node] | sort) == $w and ($w | length) == 4' <<<"$output"
	k8s_requests 'select(.path == "/api/v1/nodes") | .query.labelSelector' | json '. == "node-role.kubernetes.io/master"'
	run sb cordon --kubeconfig "$KC" -l nosuch=label
	[ "$status" -eq 3 ]
	[[ $output == *"no node has the labels nosuch=label"* ]]
}

@test "usage: a node or -l is needed; --dry-run takes none, client or server" {
	run sb cordon
	[ "$status" -eq 3 ]
	[[ $output == *"give NODE... or -l SELECTOR"* ]]
	run sb cordon x --dry-run=yes
	[ "$status" -eq 3 ]
}

@test "parity with kubectl cordon: the same nodes cordoned, the same objects after" {
	need_kubectl
	k8s_start "$K8S_DIR/default"
	kubectl_run cordon "$M0" "$WB" "$WC"
	k8s_api /api/v1/nodes | jq -S '[.items[] | {name: .metadata.name, spec}]' >"$BATS_TEST_TMPDIR/k"
	k8s_start "$K8S_DIR/default"
	sb cordon --kubeconfig "$KC" "$M0" "$WB" "$WC" >/dev/null
	k8s_api /api/v1/nodes | jq -S '[.items[] | {name: .metadata.name, spec}]' >"$BATS_TEST_TMPDIR/s"
	diff -u "$BATS_TEST_TMPDIR/k" "$BATS_TEST_TMPDIR/s"
	[ "$(jq '[.[] | select(.spec.unschedulable)] | length' "$BATS_TEST_TMPDIR/s")" -eq 4 ]
}

@test "--dry-run alone is --dry-run=client, as kubectl takes it: the next word stays a node" {
	k8s_start "$K8S_DIR/default"
	run sb cordon --kubeconfig "$KC" --dry-run "$WC" -o json
	[ "$status" -eq 0 ] || die "$output"
	json '.nodes[0].result == "cordoned (dry run)"' <<<"$output"
	[ -z "$(k8s_requests 'select(.method != "GET")')" ]
	[ "$(unschedulable "$WC")" = false ]
}

@test "on a pipe: only the rows on stdout, the verdict on stderr, the exit status the verdict's" {
	k8s_start "$K8S_DIR/default"
	run --separate-stderr sb cordon --kubeconfig "$KC" "$WC" nosuch --dry-run=client
	[ "$status" -eq 3 ]
	[[ $stderr == *'UNKNOWN'*nosuch* ]]
	[[ $output != *UNKNOWN* ]]
	run --separate-stderr sb cordon --kubeconfig "$KC" "$WC" --dry-run=client
	[ "$status" -eq 0 ]
	[ "$(head -1 <<<"$output" | awk '{ print $1 }')" = NODE ]
	[ "$(awk 'NR > 1 { print $1 }' <<<"$output")" = "$WC" ]
	[[ $stderr == *"OK  node/$WC cordoned (dry run)"* ]]
	run --separate-stderr sb uncordon --kubeconfig "$KC" "$WB" --dry-run=client
	[ "$status" -eq 0 ]
	[ "$(awk 'NR > 1 { print $1 }' <<<"$output")" = "$WB" ]
	[[ $stderr == *"OK  node/$WB uncordoned (dry run)"* ]]
}
