#!/usr/bin/env bats
# srebox manifest: the DaemonSet that the real kubectl 1.32 applies to the
# test API server, and the fleet path end to end: every probe applet's
# --textfile served by the real node_exporter (Debian's), scraped by a
# real Prometheus with the example rules (--rules) loaded and firing.

load lib
load k8s
load prom

setup_file() { k8s_setup_file; }
teardown_file() {
	k8s_stop_all
	for p in "$BATS_FILE_TMPDIR"/*/pid; do [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null; done
	true
}
setup() { k8s_start "$K8S_DIR/default"; }
teardown() {
	k8s_stop_test
	for p in ${BG_PIDS:-}; do kill "$p" 2>/dev/null; done
	for p in "$BATS_TEST_TMPDIR"/*/pid; do [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null; done
	true
}

@test "kubectl apply accepts the manifest (dry run, then for real) and the API server stores each object" {
	need_kubectl
	sb manifest >"$BATS_TEST_TMPDIR/m.yaml"
	# client-side dry run: kubectl parses and maps every object, sends nothing
	run "$KUBECTL" --kubeconfig "$KC" apply --dry-run=client --validate=false -f "$BATS_TEST_TMPDIR/m.yaml" -o json
	[ "$status" -eq 0 ] || die "$output"
	jq -e '[.items[] | .kind] == ["Namespace","ServiceAccount","ClusterRole","ClusterRoleBinding","DaemonSet"]' <<<"$output"
	[ "$(k8s_requests 'select(.method == "POST")' | wc -l)" -eq 0 ]
	run "$KUBECTL" --kubeconfig "$KC" apply --validate=false -f "$BATS_TEST_TMPDIR/m.yaml"
	[ "$status" -eq 0 ] || die "$output"
	[[ $output == *"daemonset.apps/srebox created"* ]] || die "$output"
	[ "$(k8s_requests 'select(.method == "POST") | .path' | wc -l)" -eq 5 ]
	run "$KUBECTL" --kubeconfig "$KC" get ds -n srebox srebox -o json
	[ "$status" -eq 0 ] || die "$output"
	ds=$output
	# what the DaemonSet must be to see the host as srebox does
	jq -e '.spec.template.spec | .hostPID and .hostNetwork and .serviceAccountName == "srebox"
		and (.tolerations == [{"operator": "Exists"}])
		and ([.volumes[] | select(.hostPath) | .hostPath.path] == ["/", "/proc", "/sys"])
		and ([.volumes[] | select(.name == "textfile") | .emptyDir.medium] == ["Memory"])' <<<"$ds"
	jq -e '.spec.template.spec.containers[0] | .name == "srebox" and .image == "srebox:'"$(sb --version | cut -d' ' -f2)"'"
		and (.args[0] | test("srebox \"\\$a\" --root /host --textfile /textfile"))
		and (.args[0] | test("for a in health cswitch irq throttle disk io net cpu; do"))
		and .securityContext.readOnlyRootFilesystem and .securityContext.allowPrivilegeEscalation == false
		and .securityContext.capabilities == {"drop": ["ALL"], "add": ["SYS_PTRACE", "DAC_READ_SEARCH", "SYSLOG"]}
		and ([.volumeMounts[] | select(.mountPath | startswith("/host")) | .readOnly] | all)
		and .resources.limits.memory == "64Mi"' <<<"$ds"
	jq -e '.spec.template.spec.containers[1] | .name == "node-exporter"
		and (.args | index("--collector.textfile.directory=/textfile") != null)
		and .securityContext.runAsNonRoot' <<<"$ds"
	# a second apply finds them all there
	run "$KUBECTL" --kubeconfig "$KC" get clusterrole srebox-node -o json
	jq -e '.rules == [{"apiGroups":[""],"resources":["nodes"],"verbs":["get"]},{"apiGroups":[""],"resources":["pods"],"verbs":["list"]}]' <<<"$output"
	run "$KUBECTL" --kubeconfig "$KC" get sa -n srebox srebox -o name
	[ "$output" = serviceaccount/srebox ]
}

@test "--textfile-dir: into the node's own node_exporter directory, no container of its own; the applets, namespace, image and interval as given" {
	need_kubectl
	sb manifest -n monitoring --image registry.example/srebox:1 --applets disk,io --interval 30 \
		--textfile-dir /var/lib/node_exporter/textfile_collector >"$BATS_TEST_TMPDIR/m.yaml"
	run "$KUBECTL" --kubeconfig "$KC" apply --dry-run=client --validate=false -f "$BATS_TEST_TMPDIR/m.yaml" -o json
	[ "$status" -eq 0 ] || die "$output"
	jq -e '[.items[] | select(.kind == "DaemonSet")][0] | .metadata.namespace == "monitoring"
		and (.spec.template.spec.containers | length) == 1
		and .spec.template.spec.containers[0].image == "registry.example/srebox:1"
		and (.spec.template.spec.containers[0].args[0] | test("for a in disk io; do") and test("sleep 30"))
		and ([.spec.template.spec.volumes[] | select(.name == "textfile")][0].hostPath
			== {"path": "/var/lib/node_exporter/textfile_collector", "type": "DirectoryOrCreate"})' <<<"$output"
	jq -e '[.items[] | select(.kind == "ClusterRoleBinding")][0].subjects[0].namespace == "monitoring"' <<<"$output"
}

@test "bad options: exit 3, one line naming the option, nothing on stdout" {
	for args in "-n Bad_NS" "--applets health,nodes" "--applets health,health" "--applets ," \
		"--interval 1" "--image a'b" "--textfile-dir relative/dir" "--node-exporter-port 0" "stray"; do
		# shellcheck disable=SC2086
		run --separate-stderr "$SREBOX" manifest $args
		[ "$status" -eq 3 ] || die "$args: exit $status"
		[ -z "$output" ] || die "$args: printed $output"
		[ "${#stderr_lines[@]}" -eq 1 ] && [[ $stderr == "srebox manifest: "* ]] || die "$args: $stderr"
	done
	run --separate-stderr "$SREBOX" manifest --applets health,nodes
	[ "$stderr" = "srebox manifest: --applets: 'nodes' is not an applet that reads this node (one of cni, cpu, cswitch, disk, health, io, irq, kubelet, net, throttle)" ]
	run bash -c '"$SREBOX" manifest >/dev/full'
	[ "$status" -eq 3 ]
}

@test "--rules: promtool accepts them, one per area, each check id one srebox judges" {
	need_prom
	sb manifest --rules >"$BATS_TEST_TMPDIR/r.yml"
	run promtool check rules "$BATS_TEST_TMPDIR/r.yml"
	[ "$status" -eq 0 ] || die "$output"
	[[ $output == *"SUCCESS: 12 rules found"* ]] || die "$output"
	# every check id the rules name is in the catalogue
	for id in $(grep -o 'check=~"[^"]*"' "$BATS_TEST_TMPDIR/r.yml" | cut -d'"' -f2 | tr '|' '\n' | sort -u); do
		sb health --list-checks 2>/dev/null | grep -q "^$id " ||
			sb --list-checks 2>/dev/null | grep -q "^$id " ||
			grep -q "\"$id\"" "$SREBOX_TESTS/../lib/check/checks.def" || die "unknown check $id"
	done
}

# node_exporter on a free port serving DIR's textfiles; sets NE_URL
ne_start() {
	command -v prometheus-node-exporter >/dev/null || skip "node_exporter not installed (make deps-test)"
	local port d=$BATS_TEST_TMPDIR/ne
	mkdir -p "$d"
	port=$(free_port)
	prometheus-node-exporter --web.listen-address=127.0.0.1:$port --collector.disable-defaults \
		--collector.textfile --collector.textfile.directory="$1" >"$d/log" 2>&1 3>&- &
	echo $! >"$d/pid"
	NE_URL=http://127.0.0.1:$port
	wait_http "$NE_URL/metrics"
}

@test "the fleet end to end: every applet's textfile, node_exporter, Prometheus with the rules, an alert firing" {
	need_prom
	tf=$BATS_TEST_TMPDIR/textfile
	mkdir "$tf"
	# the DaemonSet's loop, once; health over a tree that is CRITICAL
	for a in cswitch irq throttle disk io net cpu; do
		run sb "$a" --textfile "$tf"
		[ "$status" -le 3 ] && [ -z "$output" ] || die "$a: $output"
	done
	sb health --root "$FIX/node_exporter" -i 0 --textfile "$tf" || [ $? -eq 2 ]
	for f in "$tf"/*.prom; do promtool check metrics <"$f" || die "$f"; done
	ne_start "$tf"
	m=$(curl -fsS "$NE_URL/metrics")
	grep -qx 'node_textfile_scrape_error 0' <<<"$m"
	for a in health cswitch irq throttle disk io net cpu; do
		grep -q "^srebox_up{applet=\"$a\"} 1" <<<"$m" || die "$a not scraped"
	done
	# Prometheus scraping node_exporter every second, with the rules
	d=$BATS_TEST_TMPDIR/fleet
	mkdir -p "$d/data"
	sb manifest --rules | sed 's/for: [0-9]*m/for: 0s/' >"$d/rules.yml"
	cat >"$d/prometheus.yml" <<-YML
		global: {scrape_interval: 1s, evaluation_interval: 1s}
		rule_files: [$d/rules.yml]
		scrape_configs: [{job_name: node, static_configs: [{targets: ['${NE_URL#http://}']}]}]
	YML
	port=$(free_port)
	prometheus --config.file="$d/prometheus.yml" --storage.tsdb.path="$d/data" \
		--web.listen-address="127.0.0.1:$port" >"$d/log" 2>&1 3>&- &
	echo $! >"$d/pid"
	wait_http "http://127.0.0.1:$port/-/ready"
	for _ in $(seq 100); do
		run sb alerts --url "http://127.0.0.1:$port" -o json
		jq -e '[.alerts[] | select(.alertname == "SreboxNodeCritical" and .state == "firing")] | length > 0' <<<"$output" >/dev/null && break
		sleep 0.2
	done
	jq -e '[.alerts[] | select(.alertname == "SreboxNodeCritical" and .state == "firing")] | any(.[]; .labels | test("check=\"pids\""))' <<<"$output" ||
		die "$output"
	# and every applet is in Prometheus, by srebox's own query applet
	run sb query --url "http://127.0.0.1:$port" -o json 'count(srebox_up == 1)'
	jq -e '.series[0].value == 8' <<<"$output" || die "$output"
}

@test "node_exporter never reads a half-written file while srebox rewrites it in a tight loop" {
	tf=$BATS_TEST_TMPDIR/textfile
	mkdir "$tf"
	sb irq --root "$FIX/irq/nic-collapsed" -i 0 --textfile "$tf" || true
	ne_start "$tf"
	( while [ ! -e "$BATS_TEST_TMPDIR/stop" ]; do
		"$SREBOX" irq --root "$FIX/irq/nic-collapsed" -i 0 --textfile "$tf" 2>/dev/null || :
		echo >>"$BATS_TEST_TMPDIR/rewrites"
	done ) &
	BG_PIDS=$!
	bad=0
	for i in $(seq 200); do
		m=$(curl -fsS "$NE_URL/metrics") || { bad=$((bad + 1)); continue; }
		grep -qx 'node_textfile_scrape_error 0' <<<"$m" || bad=$((bad + 1))
		grep -q '^srebox_up{applet="irq"} 1' <<<"$m" || bad=$((bad + 1))
	done
	touch "$BATS_TEST_TMPDIR/stop"
	wait $BG_PIDS || true
	BG_PIDS=
	[ "$bad" -eq 0 ] || die "$bad of 200 scrapes saw a broken or missing file"
	n=$(wc -l <"$BATS_TEST_TMPDIR/rewrites")
	echo "# $n rewrites during 200 scrapes" >&3
	[ "$n" -ge 20 ]
	# only the one file: no temporary left behind by a rewrite
	[ "$(ls -A "$tf")" = srebox_irq.prom ]
}
