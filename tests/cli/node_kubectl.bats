#!/usr/bin/env bats
# srebox node against kubectl 1.32's describe node (1.32 itself: 1.30,
# 1.31 and 1.33 count resized pods each another way) on the same test API
# server, for what kubectl gets right and srebox got wrong: pods resized
# in place, a node with no Lease and no pods, the order of taints,
# quantities of exbibytes.

load lib
load k8s

setup_file() {
	k8s_setup_file
}

teardown() {
	k8s_stop_test
}

POD=$FIX/k8s/pods/k9s-default--nginx-bare.json	# on minikube

# kubectl describe node's "Non-terminated Pods" rows: NAME CPU-REQ CPU-LIM MEM-REQ MEM-LIM
# ("76m (2%)" as one word "76m(2%)")
k_pods() {
	kubectl_run describe node "$1" | sed -n '/^Non-terminated Pods:/,/^Allocated resources:/p' |
		sed 's/ (/(/g' | tr -s ' ' | awk '$1 != "Namespace" && $1 !~ /^---/ && NF >= 7 { print $2, $3, $4, $5, $6 }'
}
# and its "Allocated resources" rows: RESOURCE REQUESTS LIMITS
k_alloc() {
	kubectl_run describe node "$1" | sed -n '/^Allocated resources:/,/^Events:/p' | sed 's/ (/(/g' |
		tr -s ' ' | awk '$1 != "Resource" && $1 !~ /^---|^\(|^Allocated|^Events/ { print $1, $2, $3 }'
}
s_pods() {
	jq -r '.pods[] | "\(.name) \(.cpu_requests) \(.cpu_limits) \(.memory_requests) \(.memory_limits)" | gsub(" \\("; "(")' "$1"
}
s_alloc() {
	jq -r '.resources[] | select(.resource != "pods") | "\(.resource) \(.requests) \(.limits)" | gsub(" \\("; "(")' "$1"
}

@test "pods resized in place count as kubectl 1.32 counts them: the larger of spec and status, the status when Infeasible" {
	need_kubectl_132
	d=$BATS_TEST_TMPDIR/resize
	mkdir -p "$d"
	cp "$FIX/k8s/nodes/k9s-minikube.json" "$d/"
	# resized up, the kubelet applied more than the spec says (allocatedResources is not what counts)
	jq '.metadata.name = "up" | .status.containerStatuses[0].resources = {requests: {cpu: "300m", memory: "200Mi"}, limits: {memory: "400Mi"}}
		| .status.containerStatuses[0].allocatedResources = {cpu: "200m", memory: "100Mi"}' "$POD" >"$d/up.json"
	# resized down, not applied yet
	jq '.metadata.name = "down" | .spec.containers[0].resources.requests = {cpu: "500m", memory: "500Mi"}
		| .status.containerStatuses[0].resources = {requests: {cpu: "250m", memory: "50Mi"}}' "$POD" >"$d/down.json"
	# a resize the node cannot take: what runs counts
	jq '.metadata.name = "infeasible" | .status.resize = "Infeasible" | .spec.containers[0].resources.requests = {cpu: "900m", memory: "900Mi"}
		| .status.containerStatuses[0].resources = {requests: {cpu: "150m", memory: "60Mi"}, limits: {memory: "80Mi"}}' "$POD" >"$d/inf.json"
	k8s_start "$d"
	k_pods minikube | sort >"$BATS_TEST_TMPDIR/k"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/k")" -eq 3 ]
	sb node minikube --kubeconfig "$KC" -o json >"$BATS_TEST_TMPDIR/j" || true
	s_pods "$BATS_TEST_TMPDIR/j" | sort >"$BATS_TEST_TMPDIR/s"
	diff -u "$BATS_TEST_TMPDIR/k" "$BATS_TEST_TMPDIR/s"
	k_alloc minikube >"$BATS_TEST_TMPDIR/k"
	s_alloc "$BATS_TEST_TMPDIR/j" >"$BATS_TEST_TMPDIR/s"
	diff -u "$BATS_TEST_TMPDIR/k" "$BATS_TEST_TMPDIR/s"
}

@test "a node with no Lease and no pods: 0 (0%) as kubectl, not unknown" {
	need_kubectl_132
	d=$BATS_TEST_TMPDIR/bare
	mkdir -p "$d"
	cp "$FIX/k8s/nodes/k9s-minikube.json" "$d/"
	k8s_start "$d"
	k_alloc minikube >"$BATS_TEST_TMPDIR/k"
	grep -q '^cpu 0(0%) 0(0%)$' "$BATS_TEST_TMPDIR/k"
	run --separate-stderr sb node minikube --kubeconfig "$KC" -o json
	[ "$status" -eq 0 ]
	s_alloc <(echo "$output") >"$BATS_TEST_TMPDIR/s"
	diff -u "$BATS_TEST_TMPDIR/k" "$BATS_TEST_TMPDIR/s"
	jq -e '.resources[] | select(.resource == "pods") | .requests == "0 (0%)"' <<<"$output"
	jq -e '.unknown == null or (.unknown | tostring | test("pods could not be listed") | not)' <<<"$output"
	run sb node minikube --kubeconfig "$KC"
	[[ $output == *"no Lease kube-node-lease/minikube"* ]]
	[[ $output != *"pods could not be listed"* ]]
}

@test "taints in kubectl describe's order: by effect, then key" {
	need_kubectl_132
	d=$BATS_TEST_TMPDIR/taints
	mkdir -p "$d"
	jq '.spec.taints = [{key: "zeta", effect: "NoSchedule"}, {key: "beta", value: "v", effect: "NoExecute"},
		{key: "alpha", effect: "NoSchedule"}, {key: "mid", effect: "PreferNoSchedule"},
		{key: "alpha", effect: "NoExecute"}, {key: "aaa", effect: "Custom"}]' \
		"$FIX/k8s/nodes/k9s-minikube.json" >"$d/minikube.json"
	k8s_start "$d"
	kubectl_run describe node minikube | sed -n '/^Taints:/,/^Unschedulable:/p' | grep -v '^Unschedulable:' |
		sed 's/^Taints://' | awk '{print $1}' >"$BATS_TEST_TMPDIR/k"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/k")" -eq 6 ]
	sb node minikube --kubeconfig "$KC" -o json | jq -r '.taints[].taint' >"$BATS_TEST_TMPDIR/s" || true
	diff -u "$BATS_TEST_TMPDIR/k" "$BATS_TEST_TMPDIR/s"
}

@test "quantities of 4Ei and more are read as kubectl reads them, not as 0" {
	need_kubectl_132
	d=$BATS_TEST_TMPDIR/huge
	mkdir -p "$d"
	jq '.status.allocatable.memory = "16Ei" | .status.capacity.memory = "16Ei"
		| .status.allocatable["example.com/big"] = "9Ei" | .status.capacity["example.com/big"] = "9Ei"' \
		"$FIX/k8s/nodes/k9s-minikube.json" >"$d/minikube.json"
	jq '.metadata.name = "huge" | .spec.containers[0].resources = {requests: {cpu: "100m", memory: "5Ei", "example.com/big": "4Ei"},
		limits: {memory: "6Ei", "example.com/big": "4Ei"}}' "$POD" >"$d/huge.json"
	cp "$POD" "$d/nginx.json"
	k8s_start "$d"
	k_pods minikube | sort >"$BATS_TEST_TMPDIR/k"
	grep -q '^huge 100m(2%) 0(0%) 5Ei(62%) 6Ei(75%)$' "$BATS_TEST_TMPDIR/k"
	sb node minikube --kubeconfig "$KC" -o json >"$BATS_TEST_TMPDIR/j" || true
	s_pods "$BATS_TEST_TMPDIR/j" | sort >"$BATS_TEST_TMPDIR/s"
	diff -u "$BATS_TEST_TMPDIR/k" "$BATS_TEST_TMPDIR/s"
	k_alloc minikube >"$BATS_TEST_TMPDIR/k"
	s_alloc "$BATS_TEST_TMPDIR/j" >"$BATS_TEST_TMPDIR/s"
	diff -u "$BATS_TEST_TMPDIR/k" "$BATS_TEST_TMPDIR/s"
}
