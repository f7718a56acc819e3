#!/usr/bin/env bats
# srebox cni: the CNI config in use (fixture trees of flannel's and
# calico's net.d), kube-proxy's health (a fake one on loopback) and its
# rules (iptables-save and nft output of kube-proxy's two modes), the
# network pods of this node through the test API server, conntrack.

load lib
load kubelet
load k8s

M1=ci-ln-d53y532-f76d1-2btqq-master-1
SDN=ocp-openshift-sdn--sdn-controller-xcnqb.json

setup_file() {
	k8s_setup_file
	# only this node and its network pod: as recorded, and the same pair
	# with the node NotReady on the CNI and the pod not Ready
	mkdir -p "$K8S_DIR/ok" "$K8S_DIR/down"
	cp "$FIX/k8s/nodes/ocp-$M1.json" "$FIX/k8s/pods/$SDN" "$K8S_DIR/ok/"
	jq '(.status.conditions[] | select(.type == "Ready")) |= (.status = "False" | .reason = "KubeletNotReady"
		| .message = "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized")' \
		"$FIX/k8s/nodes/ocp-$M1.json" >"$K8S_DIR/down/node.json"
	jq '.status.containerStatuses[].ready = false | .status.containerStatuses[].restartCount = 7
		| (.status.conditions[] | select(.type == "Ready" or .type == "ContainersReady")) |= (.status = "False")' \
		"$FIX/k8s/pods/$SDN" >"$K8S_DIR/down/pod.json"
}

teardown_file() {
	k8s_stop_all
}

setup() {
	D=$BATS_TEST_TMPDIR
	ROOT=$(root_copy node_exporter)
	mkdir -p "$ROOT/etc/cni"
	# node_exporter's tree has no /proc/net/dev: the one of the net fixtures
	cp "$FIX/net/dev" "$ROOT/proc/net/dev"
}

teardown() {
	[ -n "${HZ_PID:-}" ] && kill "$HZ_PID" 2>/dev/null
	k8s_stop_test
}

# no kube-proxy on these ports: refused at once
NOPROXY=(--proxy-healthz http://127.0.0.1:9/healthz --proxy-mode-url http://127.0.0.1:9/proxyMode)
cj() { sb cni --root "$ROOT" -o json -t 0.5 -i 0 --no-api "$@"; }
finding() { jq -c --arg c "$1" '[.findings[] | select(.check == $c)]' <<<"$output"; }

@test "a machine with no CNI config, kube-proxy or kube chains is not a Kubernetes node: OK" {
	printf '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -i lo -j ACCEPT\nCOMMIT\n' >"$D/plain"
	run cj "${NOPROXY[@]}" --rules "$D/plain"
	[ "$status" -eq 0 ]
	jq -e '.summary | test("not a Kubernetes node")' <<<"$output"
	jq -e '[.findings[] | select(.check == "cni_config")][0] | .state == "OK"' <<<"$output"
}

@test "live: this machine, whatever it runs, gives a valid verdict with every check" {
	run sb cni -o json -t 0.5 --no-api
	[ "$status" -le 3 ]
	jq -e '[.findings[].check] | index("cni_config") != null and index("kube_proxy") != null
		and index("conntrack") != null and index("conntrack_drops") != null' <<<"$output"
}

@test "flannel's net.d: the config used and its plugins" {
	cp -r "$FIX/cni/net.d-flannel" "$ROOT/etc/cni/net.d"
	run cj "${NOPROXY[@]}" --rules "$FIX/cni/iptables-save.txt"
	jq -e '[.findings[] | select(.check == "cni_config")][0] | .state == "OK"
		and (.text | test("10-flannel.conflist \\(flannel, portmap\\)"))' <<<"$output" || die "$(finding cni_config)"
	jq -e '.configs[0] | .network == "cbr0" and .used == true' <<<"$output"
	jq -e '.summary | test("CNI flannel, portmap")' <<<"$output"
}

@test "a half-written config first in name order is a WARNING naming it; the next valid one is used" {
	cp -r "$FIX/cni/net.d-calico" "$ROOT/etc/cni/net.d"
	run cj "${NOPROXY[@]}" --rules "$FIX/cni/iptables-save.txt"
	jq -e '[.findings[] | select(.check == "cni_config")][0] | .state == "WARNING"
		and (.text | test("10-calico.conflist \\(calico, portmap, bandwidth\\) is used; skipped: 05-half-written.conflist"))' <<<"$output" || die "$(finding cni_config)"
}

@test "a Kubernetes node without a CNI config is CRITICAL: cni config uninitialized" {
	mkdir -p "$ROOT/var/lib/kubelet"
	run cj "${NOPROXY[@]}" --rules "$FIX/cni/iptables-save.txt"
	[ "$status" -eq 2 ]
	jq -e '[.findings[] | select(.check == "cni_config")][0] | .state == "CRITICAL" and (.text | test("uninitialized"))' <<<"$output"
	mkdir -p "$ROOT/etc/cni/net.d"
	run cj "${NOPROXY[@]}" --rules "$FIX/cni/iptables-save.txt"
	jq -e '[.findings[] | select(.check == "cni_config")][0] | .state == "CRITICAL"' <<<"$output"
}

@test "kube-proxy healthy, iptables mode: the KUBE-* chains counted, per-service chains folded" {
	cp -r "$FIX/cni/net.d-flannel" "$ROOT/etc/cni/net.d"
	fake_healthz "$D" 200
	run cj --proxy-healthz "http://127.0.0.1:$HZ_PORT/healthz" --proxy-mode-url "http://127.0.0.1:$HZ_PORT/proxyMode" \
		--rules "$FIX/cni/iptables-save.txt"
	jq -e '[.findings[] | select(.check == "kube_proxy")][0].state == "OK"' <<<"$output" || die "$(finding kube_proxy)"
	want=$(grep -c '^-A KUBE' "$FIX/cni/iptables-save.txt")
	svcs=$(grep -c '^:KUBE-SVC-' "$FIX/cni/iptables-save.txt")
	jq -e --argjson w "$want" --argjson s "$svcs" '[.findings[] | select(.check == "kube_chains")][0] | .state == "OK"
		and (.text | test("\($w) in .* kube chains, \($s) services"))' <<<"$output" || die "$(finding kube_chains)"
	sep=$(grep -c '^-A KUBE-SEP-' "$FIX/cni/iptables-save.txt")
	jq -e --argjson n "$sep" '[.rules[] | select(.table == "nat" and .chain == "KUBE-SEP-*")][0].rules == $n' <<<"$output"
	jq -e '.summary | test("kube-proxy runs in iptables")' <<<"$output"
}

@test "another machine's tree (its boot id is not this kernel's): this machine's healthz, iptables-save and nft are not asked; this machine's own tree is" {
	cp -r "$FIX/cni/net.d-flannel" "$ROOT/etc/cni/net.d"
	mkdir -p "$D/bin" "$ROOT/proc/sys/kernel/random"
	for c in iptables-save nft; do
		printf '#!/bin/sh\necho %s >>"%s/asked"\nexit 1\n' "$c" "$D" >"$D/bin/$c"
		chmod +x "$D/bin/$c"
	done
	PATH=$D/bin:$PATH
	fake_healthz "$D" 200
	hz=(--proxy-healthz "http://127.0.0.1:$HZ_PORT/healthz" --proxy-mode-url "http://127.0.0.1:$HZ_PORT/proxyMode")
	echo 00000000-0000-4000-8000-000000000000 >"$ROOT/proc/sys/kernel/random/boot_id"
	run cj "${hz[@]}"
	[ ! -e "$D/asked" ] || die "asked this machine: $(cat "$D/asked")"
	jq -e '[.findings[] | select(.check == "kube_chains")][0] | .state == "UNKNOWN"
		and (.text | test("not read: another machine.s tree .its boot id is not this kernel.s., and this machine.s iptables-save and nft answer for this one"))' <<<"$output" ||
		die "$(finding kube_chains)"
	jq -e '[.findings[] | select(.check == "kube_proxy")][0] | .state == "OK" and (.text | test("not asked: another machine"))' <<<"$output" ||
		die "$(finding kube_proxy)"
	# a kube-proxy in that tree's processes: its health is not known, not this machine's
	mkdir -p "$ROOT/proc/4242"
	printf '4242 (kube-proxy) S 1 4242 4242 0 -1 4194560 0 0 0 0 5 3 0 0 20 0 1 0 50 1000000 300 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n' >"$ROOT/proc/4242/stat"
	printf 'Name:\tkube-proxy\nState:\tS (sleeping)\n' >"$ROOT/proc/4242/status"
	echo kube-proxy >"$ROOT/proc/4242/comm"
	run cj "${hz[@]}"
	jq -e '[.findings[] | select(.check == "kube_proxy")][0] | .state == "UNKNOWN"
		and (.text | test("kube-proxy runs; .* not asked: another machine"))' <<<"$output" || die "$(finding kube_proxy)"
	rm -r "$ROOT/proc/4242"
	# the tree of this machine (a container's /host): asked
	cp /proc/sys/kernel/random/boot_id "$ROOT/proc/sys/kernel/random/boot_id"
	run cj "${hz[@]}"
	grep -q iptables-save "$D/asked" || die "this machine's tree, and iptables-save not asked"
	jq -e '[.findings[] | select(.check == "kube_proxy")][0] | .state == "OK" and (.text | test("healthy"))' <<<"$output" ||
		die "$(finding kube_proxy)"
}

@test "kube-proxy running with its chains gone is CRITICAL; its healthz failing is CRITICAL" {
	cp -r "$FIX/cni/net.d-flannel" "$ROOT/etc/cni/net.d"
	grep -v KUBE "$FIX/cni/iptables-save.txt" >"$D/flushed"
	fake_healthz "$D" 200
	run cj --proxy-healthz "http://127.0.0.1:$HZ_PORT/healthz" --proxy-mode-url "http://127.0.0.1:$HZ_PORT/proxyMode" \
		--rules "$D/flushed"
	[ "$status" -eq 2 ]
	jq -e '[.findings[] | select(.check == "kube_chains")][0] | .state == "CRITICAL"
		and (.text | test("no KUBE-\\* chains: Services do not route"))' <<<"$output" || die "$(finding kube_chains)"
	kill "$HZ_PID"; wait "$HZ_PID" 2>/dev/null || true
	fake_healthz "$D" 503
	run cj --proxy-healthz "http://127.0.0.1:$HZ_PORT/healthz" --rules "$FIX/cni/iptables-save.txt"
	[ "$status" -eq 2 ]
	jq -e '[.findings[] | select(.check == "kube_proxy")][0] | .state == "CRITICAL" and (.text | test("answered 503"))' <<<"$output"
}

@test "kube-proxy's nftables mode: its table's chains, services counted" {
	cp -r "$FIX/cni/net.d-flannel" "$ROOT/etc/cni/net.d"
	run cj "${NOPROXY[@]}" --rules "$FIX/cni/nft-ruleset.txt"
	jq -e '[.findings[] | select(.check == "kube_chains")][0] | .state == "OK" and (.text | test("33 in 17 kube chains, 3 services"))' <<<"$output" || die "$(finding kube_chains)"
	jq -e '[.rules[] | select(.chain == "endpoint-*")][0] | .chains == 3 and .rules == 6' <<<"$output"
}

@test "rules that are neither format are UNKNOWN quoting them" {
	cp -r "$FIX/cni/net.d-flannel" "$ROOT/etc/cni/net.d"
	echo "iptables-save v1.8.9 (nf_tables): Could not fetch rule set generation id: Permission denied (you must be root)" >"$D/err"
	run cj "${NOPROXY[@]}" --rules "$D/err"
	jq -e '[.findings[] | select(.check == "kube_chains")][0] | .state == "UNKNOWN" and (.text | test("Permission denied"))' <<<"$output"
}

@test "API: the node's network pod Ready on a Ready node is OK" {
	k8s_start "$K8S_DIR/ok"
	cp -r "$FIX/cni/net.d-flannel" "$ROOT/etc/cni/net.d"
	run sb cni --root "$ROOT" -o json -t 0.5 -i 0 "${NOPROXY[@]}" --rules "$FIX/cni/iptables-save.txt" \
		--kubeconfig "$KC" --node "$M1"
	jq -e '[.findings[] | select(.check == "cni_pods")][0] | .state == "OK" and (.text | test("1, all Ready"))' <<<"$output" || die "$(finding cni_pods)"
	jq -e '.pods[0] | .namespace == "openshift-sdn" and .ready == "1/1" and .daemonset == "sdn-controller"' <<<"$output"
}

@test "API: a network pod not Ready on a NotReady node is CRITICAL, named as the likely reason" {
	k8s_start "$K8S_DIR/down"
	cp -r "$FIX/cni/net.d-flannel" "$ROOT/etc/cni/net.d"
	run sb cni --root "$ROOT" -o json -t 0.5 -i 0 "${NOPROXY[@]}" --rules "$FIX/cni/iptables-save.txt" \
		--kubeconfig "$KC" --node "$M1"
	[ "$status" -eq 2 ]
	jq -e '[.findings[] | select(.check == "cni_pods")][0] | .state == "CRITICAL" and .subject == "sdn-controller-xcnqb"
		and (.text | test("0/1 ready, .*7 restarts on NotReady node .*likely reason"))' <<<"$output" || die "$(finding cni_pods)"
}

@test "API unreachable: the pods are UNKNOWN with the reason, within the request timeout" {
	cp -r "$FIX/cni/net.d-flannel" "$ROOT/etc/cni/net.d"
	printf 'apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: "https://127.0.0.1:9"}\nusers:\n- name: u\n  user: {token: x}\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n' >"$D/kc"
	run timeout 20 "$SREBOX" cni --root "$ROOT" -o json -t 0.5 -i 0 "${NOPROXY[@]}" --rules "$FIX/cni/iptables-save.txt" \
		--kubeconfig "$D/kc" --node "$M1" --request-timeout 2
	jq -e '[.findings[] | select(.check == "cni_pods")][0] | .state == "UNKNOWN" and (.text | test("refused"))' <<<"$output" || die "$(finding cni_pods)"
}

@test "conntrack: a table at 99% is CRITICAL, judged as health judges it" {
	cp -r "$FIX/cni/net.d-flannel" "$ROOT/etc/cni/net.d"
	mkdir -p "$ROOT/proc/sys/net/netfilter"
	echo 64880 >"$ROOT/proc/sys/net/netfilter/nf_conntrack_count"
	echo 65536 >"$ROOT/proc/sys/net/netfilter/nf_conntrack_max"
	run cj "${NOPROXY[@]}" --rules "$FIX/cni/iptables-save.txt"
	[ "$status" -eq 2 ]
	jq -e '[.findings[] | select(.check == "conntrack")][0] | .state == "CRITICAL" and (.text | test("64880 of 65536"))' <<<"$output" || die "$(finding conntrack)"
	run sb health --root "$ROOT" -o json -i 0
	jq -e '[.findings[] | select(.check == "conntrack")][0] | .state == "CRITICAL" and (.text | test("64880 of 65536"))' <<<"$output"
}

@test "live: kube-proxy's nftables table in a network namespace is counted; deleted under a running kube-proxy it is CRITICAL" {
	[ "$(id -u)" -eq 0 ] || skip "needs root for a network namespace"
	command -v nft >/dev/null || skip "nft not installed"
	ns=sbxcni$$
	ip netns add "$ns" || skip "no network namespaces here"
	ip -n "$ns" link set lo up
	ip netns exec "$ns" nft -f "$FIX/cni/nft-ruleset.txt" || { ip netns del "$ns"; die "nft -f failed"; }
	cp -r "$FIX/cni/net.d-flannel" "$ROOT/etc/cni/net.d"
	# kube-proxy's healthz inside the namespace, on its real port
	mkdir -p "$D/hz" && echo ok >"$D/hz/healthz"
	ip netns exec "$ns" python3 -m http.server 10256 --bind 127.0.0.1 --directory "$D/hz" >/dev/null 2>&1 &
	HZ_PID=$!
	for _ in $(seq 100); do ip netns exec "$ns" sh -c 'exec 3<>/dev/tcp/127.0.0.1/10256' 2>/dev/null && break; sleep 0.05; done
	run ip netns exec "$ns" "$SREBOX" cni --root "$ROOT" -o json -i 0 -t 2 --no-api
	jq -e '[.findings[] | select(.check == "kube_chains")][0] | .state == "OK" and (.text | test("33 in 17 kube chains, 3 services \\(nft\\)"))' <<<"$output" ||
		{ ip netns del "$ns"; die "$(finding kube_chains)"; }
	ip netns exec "$ns" nft delete table ip kube-proxy
	run ip netns exec "$ns" "$SREBOX" cni --root "$ROOT" -o json -i 0 -t 2 --no-api
	kill "$HZ_PID"; wait "$HZ_PID" 2>/dev/null || true; HZ_PID=
	ip netns del "$ns"
	[ "$status" -eq 2 ]
	jq -e '[.findings[] | select(.check == "kube_proxy")][0].state == "OK"' <<<"$output" || die "$(finding kube_proxy)"
	jq -e '[.findings[] | select(.check == "kube_chains")][0] | .state == "CRITICAL" and (.text | test("no KUBE-\\* chains"))' <<<"$output" || die "$(finding kube_chains)"
}
