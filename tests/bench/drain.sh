# srebox drain --dry-run=client and srebox cordon against kubectl drain
# --dry-run=client and kubectl cordon, on the fixture cluster served by the
# test API server over TLS on loopback (kubectl with a warm discovery
# cache, as on an on-call laptop).  Both commands only read: the dry run
# sends no change, and the node to cordon is cordoned already (a GET each).
drain_bench() {
	local d kubectl port m1=ci-ln-d53y532-f76d1-2btqq-master-1 wb=ci-ln-d53y532-f76d1-2btqq-worker-b-7x8mw
	kubectl=$(bench_kubectl) || { echo "# drain: no kubectl on this machine, skipped" >&2; return 0; }
	d=$(mktemp -d)
	bench_certs "$d" || { echo "# drain: openssl failed, skipped" >&2; rm -rf "$d"; return 0; }
	mkdir -p "$d/scen/derived"
	cp "$SREBOX_TESTS"/fixtures/k8s/nodes/*.json "$SREBOX_TESTS"/fixtures/k8s/pods/*.json \
		"$SREBOX_TESTS"/fixtures/k8s/pdbs/*.json "$SREBOX_TESTS"/fixtures/k8s/daemonsets/*.json "$d/scen/"
	cp "$SREBOX_TESTS"/fixtures/k8s/nodes/derived/worker-*.json "$d/scen/derived/"
	cat >"$d/scen/derived/ds-sdn-controller.json" <<-'DS'
		{"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "sdn-controller", "namespace": "openshift-sdn"},
		 "spec": {"selector": {"matchLabels": {"app": "sdn-controller"}}}}
	DS
	python3 "$SREBOX_TESTS/k8s/server.py" --dir "$d/scen" --port-file "$d/port" \
		--cert "$d/s.crt" --key "$d/s.key" --token bench 2>/dev/null &
	echo $! >"$d/pid"
	for _ in $(seq 200); do [ -s "$d/port" ] && break; sleep 0.1; done
	port=$(cat "$d/port")
	cat >"$d/kc" <<-KC
		apiVersion: v1
		kind: Config
		clusters: [{name: b, cluster: {server: "https://127.0.0.1:$port", certificate-authority: ca.crt}}]
		users: [{name: b, user: {token: bench}}]
		contexts: [{name: b, context: {cluster: b, user: b}}]
		current-context: b
	KC
	"$kubectl" --kubeconfig "$d/kc" --cache-dir "$d/cache" get nodes >/dev/null 2>&1
	BENCH_RUNS=${K8S_BENCH_RUNS:-30} bench_pair "drain --dry-run=client vs kubectl" \
		"$SREBOX drain --kubeconfig $d/kc $m1 --ignore-daemonsets --dry-run=client" \
		"$kubectl --kubeconfig $d/kc --cache-dir $d/cache drain $m1 --ignore-daemonsets --dry-run=client"
	BENCH_RUNS=${K8S_BENCH_RUNS:-30} bench_pair "cordon (already) vs kubectl cordon" \
		"$SREBOX cordon --kubeconfig $d/kc $wb" \
		"$kubectl --kubeconfig $d/kc --cache-dir $d/cache cordon $wb"
	kill "$(cat "$d/pid")" 2>/dev/null
	rm -rf "$d"
}
drain_bench
