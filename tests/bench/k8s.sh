# srebox nodes against kubectl get nodes on a cluster of 5,000 realistic
# nodes (the fixture nodes with the 50 images a kubelet reports and
# managedFields, each with its Lease), served by the test API server over
# TLS on loopback.  Client CPU time and peak memory are what srebox
# controls; wall time is mostly the Python server's.  Then srebox at 500
# against 5,000 nodes: its memory must not grow with the cluster.
# Bytes of the answers to the node list in a test server's log.
k8s_bench_bytes() {
	jq -s '[.[] | select(.path == "/api/v1/nodes") | .bytes] | add // 0' "$1"
}

k8s_bench() {
	local d kubectl srv port
	d=$(mktemp -d)
	bench_certs "$d" || { echo "# k8s: openssl failed, skipped" >&2; rm -rf "$d"; return 0; }
	mkdir -p "$d/scen"
	cp "$SREBOX_TESTS"/fixtures/k8s/nodes/*.json "$d/scen/"
	for n in 500 5000; do
		python3 "$SREBOX_TESTS/k8s/server.py" --dir "$d/scen" --port-file "$d/$n.port" \
			--cert "$d/s.crt" --key "$d/s.key" --token bench --scale-nodes "$n" \
			--log "$d/$n.log" 2>/dev/null &
		echo $! >"$d/$n.pid"
	done
	for n in 500 5000; do
		for _ in $(seq 200); do [ -s "$d/$n.port" ] && break; sleep 0.1; done
		port=$(cat "$d/$n.port")
		cat >"$d/kc$n" <<-KC
			apiVersion: v1
			kind: Config
			clusters: [{name: b, cluster: {server: "https://127.0.0.1:$port", certificate-authority: ca.crt}}]
			users: [{name: b, user: {token: bench}}]
			contexts: [{name: b, context: {cluster: b, user: b}}]
			current-context: b
		KC
	done
	echo "# k8s: $(du -h "$d/scen" | cut -f1) of fixture nodes, scaled to 500 and 5000 nodes of ~15 KB (50 images, managedFields)" >&2
	kubectl=$(bench_kubectl) || kubectl=
	if [ -n "$kubectl" ]; then
		# warm discovery cache, as on an on-call laptop
		"$kubectl" --kubeconfig "$d/kc5000" --cache-dir "$d/cache" get nodes >/dev/null 2>&1
		BENCH_RUNS=${K8S_BENCH_RUNS:-10} bench_pair "nodes 5000 vs kubectl get nodes" \
			"$SREBOX nodes --kubeconfig $d/kc5000" \
			"$kubectl --kubeconfig $d/kc5000 --cache-dir $d/cache get nodes"
		BENCH_RUNS=${K8S_BENCH_RUNS:-10} bench_pair "nodes -o wide 5000 vs kubectl" \
			"$SREBOX nodes -o wide --kubeconfig $d/kc5000" \
			"$kubectl --kubeconfig $d/kc5000 --cache-dir $d/cache get nodes -o wide"
		BENCH_RUNS=${K8S_BENCH_RUNS:-10} bench_pair "nodes -o name 5000 vs kubectl" \
			"$SREBOX nodes -o name --kubeconfig $d/kc5000" \
			"$kubectl --kubeconfig $d/kc5000 --cache-dir $d/cache get nodes -o name"
		# what each asks the API server for the names: bytes of the node
		# list's answers (the test server logs each answer's size)
		: >"$d/5000.log"
		"$SREBOX" nodes -o name --kubeconfig "$d/kc5000" >/dev/null || true	# exit 1: a verdict, not a failure
		sbytes=$(k8s_bench_bytes "$d/5000.log")
		: >"$d/5000.log"
		"$kubectl" --kubeconfig "$d/kc5000" --cache-dir "$d/cache" get nodes -o name >/dev/null
		kbytes=$(k8s_bench_bytes "$d/5000.log")
		python3 -c 'import sys; s, k = map(int, sys.argv[1:]); print("%-34s %10d %10d %7.2fx" % ("nodes -o name 5000: bytes read", s, k, k / s if s else float("nan")))' \
			"$sbytes" "$kbytes" >>"$BENCH_OUT"
	else
		echo "# k8s: no kubectl on this machine: srebox only" >&2
	fi
	BENCH_PEER_OK='0 1 2' BENCH_RUNS=${K8S_BENCH_RUNS:-10} bench_pair "nodes 5000 vs nodes 500 (srebox)" \
		"$SREBOX nodes --kubeconfig $d/kc5000" "$SREBOX nodes --kubeconfig $d/kc500"
	kill $(cat "$d"/*.pid) 2>/dev/null
	rm -rf "$d"
}
k8s_bench
