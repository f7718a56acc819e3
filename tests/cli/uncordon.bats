#!/usr/bin/env bats
# srebox uncordon: the PATCH kubectl uncordon sends ({"unschedulable":
# null}), nothing when already schedulable, the server dry run, and the
# same state after as the real kubectl.

load lib
load k8s

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

api_requests() {
	jq -c 'select(.path != "/api" and .path != "/apis" and .user_agent != "k8s_api")
		| [.method, .path, .query, .content_type, (.body | if type == "string" then fromjson else . end)]' "$1"
}

@test "uncordon sends what kubectl uncordon sends, and the field is gone after" {
	k8s_start "$K8S_DIR/default"
	run sb uncordon --kubeconfig "$KC" "$WB"
	[ "$status" -eq 0 ]
	[[ $output == *"OK  node/$WB uncordoned"* ]]
	diff -u <(api_requests "$T/uncordon_b.requests.jsonl") <(api_requests "$K8S_LOG")
	k8s_api "/api/v1/nodes/$WB" | json '.spec | has("unschedulable") | not'
}

@test "already schedulable: the GET only" {
	k8s_start "$K8S_DIR/default"
	run sb uncordon --kubeconfig "$KC" "$WC" -o json
	[ "$status" -eq 0 ]
	json '.nodes[0].result == "already uncordoned"' <<<"$output"
	diff -u <(api_requests "$T/uncordon_b_again.requests.jsonl" | jq -c '.[0]') \
		<(api_requests "$K8S_LOG" | jq -c '.[0]')
}

@test "--dry-run=server: kubectl's request with dryRun=All, the node still cordoned" {
	k8s_start "$K8S_DIR/default"
	run sb uncordon --kubeconfig "$KC" "$WD" --dry-run=server
	[ "$status" -eq 0 ]
	[[ $output == *"node/$WD uncordoned (server dry run)"* ]]
	diff -u <(api_requests "$T/uncordon_dry_server.requests.jsonl") <(api_requests "$K8S_LOG")
	k8s_api "/api/v1/nodes/$WD" | json '.spec.unschedulable == true'
}

@test "parity with kubectl uncordon: the same objects after" {
	need_kubectl
	k8s_start "$K8S_DIR/default"
	kubectl_run uncordon "$WB" "$WD" "$WC"
	k8s_api /api/v1/nodes | jq -S '[.items[] | {name: .metadata.name, spec}]' >"$BATS_TEST_TMPDIR/k"
	k8s_start "$K8S_DIR/default"
	sb uncordon --kubeconfig "$KC" "$WB" "$WD" "$WC" >/dev/null
	k8s_api /api/v1/nodes | jq -S '[.items[] | {name: .metadata.name, spec}]' >"$BATS_TEST_TMPDIR/s"
	diff -u "$BATS_TEST_TMPDIR/k" "$BATS_TEST_TMPDIR/s"
	[ "$(jq '[.[] | select(.spec.unschedulable)] | length' "$BATS_TEST_TMPDIR/s")" -eq 0 ]
}
