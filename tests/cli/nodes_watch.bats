#!/usr/bin/env bats
# srebox nodes -w: the list, then a row per change from the API's watch, as
# kubectl get nodes -w prints them.  The real kubectl 1.32 runs beside it
# against the same test API server; the server is killed, stopped and made
# to expire the watch to see srebox notice each, and never hang.

load lib
load k8s

setup_file() {
	k8s_setup_file
}

setup() {
	T=$BATS_TEST_TMPDIR
}

teardown() {
	[ -n "${SPID:-}" ] && kill -CONT "$SPID" 2>/dev/null
	local p c
	for p in "${BG[@]:-}"; do
		[ -n "$p" ] || continue
		for c in $(pgrep -P "$p"); do
			kill "$c" 2>/dev/null
		done
		kill "$p" 2>/dev/null
	done
	k8s_stop_test
}

M1=ci-ln-d53y532-f76d1-2btqq-master-1
BG=()

# wait_lines FILE N [SECONDS]: until FILE has N lines (10 s by default).
wait_lines() {
	local i
	for i in $(seq $((${3:-10} * 20))); do
		[ "$(wc -l <"$1")" -ge "$2" ] && return 0
		sleep 0.05
	done
	echo "# $1 has $(wc -l <"$1") lines, not $2:" >&2
	cat "$1" >&2
	return 1
}

# wait_grep FILE PATTERN [SECONDS]
wait_grep() {
	local i
	for i in $(seq $((${3:-10} * 20))); do
		grep -q -- "$2" "$1" && return 0
		sleep 0.05
	done
	echo "# no '$2' in $1:" >&2
	cat "$1" >&2
	return 1
}

# bg_sb NAME ARGS...: srebox in the background, stdout in $T/NAME.out,
# stderr in $T/NAME.err, its exit status in $T/NAME.rc when it ends.
bg_sb() {
	local n=$1
	shift
	(
		rc=0
		"$SREBOX" "$@" >"$T/$n.out" 2>"$T/$n.err" 3>&- || rc=$?
		echo $rc >"$T/$n.rc"
	) 3>&- &
	BG+=($!)
}

# wait_rc NAME SECONDS: until the background srebox NAME has ended.
wait_rc() {
	local i
	for i in $(seq $(($2 * 20))); do
		[ -s "$T/$1.rc" ] && return 0
		sleep 0.05
	done
	echo "# $1 still running after $2 s; its stderr:" >&2
	cat "$T/$1.err" >&2
	return 1
}

# the pid of the srebox started by bg_sb (the subshell's child)
sb_pid() {
	pgrep -P "${BG[$1]}" -x srebox
}

patch_node() { # patch_node NAME JSON: a strategic merge patch as the admin
	python3 - "$K8S_URL/api/v1/nodes/$1" "$K8S_CERTS/ca.crt" "$K8S_TOKEN" "$2" <<-'PY'
		import ssl, sys, urllib.request
		ctx = ssl.create_default_context(cafile=sys.argv[2])
		rq = urllib.request.Request(sys.argv[1], data=sys.argv[4].encode(), method="PATCH",
		                            headers={"Authorization": "Bearer " + sys.argv[3],
		                                     "Content-Type": "application/strategic-merge-patch+json",
		                                     "User-Agent": "k8s_api"})
		urllib.request.urlopen(rq, context=ctx).read()
	PY
}

@test "-w beside kubectl get nodes -w: the same table, then the same row for a cordon made during the watch" {
	need_kubectl_132
	k8s_start "$K8S_DIR/default"
	kubectl_run get nodes -w >"$T/k.out" 2>"$T/k.err" 3>&- &
	BG+=($!)
	bg_sb s nodes -w --kubeconfig "$KC"
	wait_lines "$T/k.out" 8
	wait_lines "$T/s.out" 8
	sleep 0.5	# both watches are open
	[ "$(k8s_requests 'select(.query.watch == "true") | .path' | wc -l)" -eq 2 ]
	kubectl_run cordon "$M1" >/dev/null
	wait_lines "$T/k.out" 9
	wait_lines "$T/s.out" 9
	# the change is the last row of both, with kubectl's cells
	tail -1 "$T/k.out" | awk '{print $1, $2, $3, $4, $5}' >"$T/k.row"
	tail -1 "$T/s.out" | awk '{print $1, $2, $3, $4, $5}' >"$T/s.row"
	diff -u "$T/k.row" "$T/s.row"
	grep -q "^$M1 Ready,SchedulingDisabled master " "$T/s.row"
	# and the table before it: kubectl's rows, srebox's cells first
	head -8 "$T/k.out" | awk '{print $1, $2, $3, $4, $5}' >"$T/k.tab"
	head -8 "$T/s.out" | awk '{print $1, $2, $3, $4, $5}' >"$T/s.tab"
	diff -u "$T/k.tab" "$T/s.tab"
	# Ctrl-C ends it at once, cleanly, with the verdict of the nodes as last seen
	kill -INT "$(sb_pid 1)"
	wait_rc s 3
	[ "$(cat "$T/s.rc")" -eq 2 ]	# worker-d is NotReady
	grep -q 'watched 1 change in .*; interrupted' "$T/s.err"
	grep -q "cordoned: .*$M1" "$T/s.err"
	# the watch as kubectl asks for it, from the list's resourceVersion
	k8s_requests 'select(.query.watch and (.user_agent | startswith("srebox"))) | .query' >"$T/q"
	k8s_requests 'select(.query.watch and (.user_agent | startswith("kubectl"))) | .query' >"$T/kq"
	[ "$(jq -r .resourceVersion "$T/q")" = "$(jq -r .resourceVersion "$T/kq")" ]
	json '.watch == "true" and .timeoutSeconds == "60" and .allowWatchBookmarks == "true"' "$T/q"
	k8s_requests 'select(.query.watch) | .accept' | sort -u | grep -q 'as=Table;v=v1;g=meta.k8s.io'
}

@test "-w -o name and -o json: the names, and each node an object, as kubectl -w prints them" {
	need_kubectl_132
	k8s_start "$K8S_DIR/default"
	kubectl_run get nodes -w -o name >"$T/kn.out" 2>/dev/null 3>&- &
	BG+=($!)
	kubectl_run get nodes -w -o json >"$T/kj.out" 2>/dev/null 3>&- &
	BG+=($!)
	bg_sb n nodes -w -o name --kubeconfig "$KC"
	bg_sb j nodes -w -o json --kubeconfig "$KC"
	wait_lines "$T/kn.out" 7
	wait_lines "$T/n.out" 7
	wait_lines "$T/j.out" 7
	wait_grep "$T/kj.out" '"name": "minikube"'
	sleep 0.5
	patch_node minikube '{"spec":{"unschedulable":true}}'
	wait_lines "$T/kn.out" 8
	wait_lines "$T/n.out" 8
	wait_lines "$T/j.out" 8
	sed 's|^node/||' "$T/kn.out" | diff -u - "$T/n.out"
	sleep 0.5	# kubectl's last object is complete
	jq -r '.metadata.name' "$T/kj.out" >"$T/kj.names"
	jq -r '.metadata.name' "$T/j.out" | diff -u "$T/kj.names" -
	# one object a line, kind Node, the change cordoned
	[ "$(wc -l <"$T/j.out")" -eq 8 ]
	tail -1 "$T/j.out" | json '.kind == "Node" and .unschedulable == true and .status == "Ready,SchedulingDisabled"'
	tail -1 "$T/kj.out" >/dev/null
	jq -s -e '.[-1].spec.unschedulable == true' "$T/kj.out"
	# -o json's stdout is the objects alone; the verdict goes to stderr
	kill -TERM "$(sb_pid 3)"
	wait_rc j 3
	jq -e . "$T/j.out" >/dev/null
	grep -q 'srebox nodes: 7 nodes: 6 Ready, 1 not Ready, 3 cordoned' "$T/j.err"
}

@test "-w NAME watches that node alone (fieldSelector metadata.name, as kubectl)" {
	k8s_start "$K8S_DIR/default"
	bg_sb n nodes -w -o name "$M1" --kubeconfig "$KC"
	wait_lines "$T/n.out" 1
	sleep 0.5
	patch_node minikube '{"metadata":{"labels":{"x":"1"}}}'
	patch_node "$M1" '{"metadata":{"labels":{"x":"1"}}}'
	wait_lines "$T/n.out" 2
	sleep 0.3
	[ "$(cat "$T/n.out")" = "$(printf '%s\n%s' "$M1" "$M1")" ]
	k8s_requests 'select(.query.watch) | .query.fieldSelector' | grep -qx "\"metadata.name=$M1\""
	run sb nodes -w a b --kubeconfig "$KC"
	[ "$status" -eq 3 ]
	[[ $output == *'-w watches all the nodes or one NAME, not 2'* ]]
	run sb nodes -w --watch-timeout 0.5 --kubeconfig "$KC"
	[ "$status" -eq 3 ]
	[[ $output == *'--watch-timeout must be 1s or more'* ]]
}

@test "-w: a watch the server ends (timeoutSeconds) is followed by the next, from the last resourceVersion seen" {
	k8s_start "$K8S_DIR/default" --watch-timeout 1
	bg_sb n nodes -w -o name --kubeconfig "$KC"
	wait_lines "$T/n.out" 7
	sleep 1.5
	patch_node minikube '{"metadata":{"labels":{"x":"1"}}}'
	wait_lines "$T/n.out" 8
	sleep 2	# another watch or two
	rv=$(k8s_api /api/v1/nodes/minikube | jq -r .metadata.resourceVersion)
	kill -INT "$(sb_pid 0)"
	wait_rc n 3
	k8s_requests 'select(.query.watch) | .query.resourceVersion | tonumber' >"$T/rvs"
	[ "$(wc -l <"$T/rvs")" -ge 3 ]
	sort -n -c "$T/rvs"			# never backwards
	[ "$(tail -1 "$T/rvs")" -eq "$rv" ]	# from the change it printed
	[ "$(grep -c minikube "$T/n.out")" -eq 2 ]	# each change once
	! grep -q 'broke' "$T/n.err"
}

@test "-w: 410 Expired from the watch lists again, says so, and watches from the new list" {
	k8s_start "$K8S_DIR/default" --watch-410 1
	bg_sb n nodes -w --kubeconfig "$KC"
	wait_lines "$T/n.out" 15	# one header, the rows of each list
	wait_grep "$T/n.err" 'expired (410 Gone): listing again'
	sleep 0.5
	kill -INT "$(sb_pid 0)"
	wait_rc n 3
	k8s_requests 'select(.path == "/api/v1/nodes") | if .query.watch then "watch" else "list" end' |
		tr -d '"' | tr '\n' ' ' >"$T/seq"
	[ "$(cat "$T/seq")" = "list watch list watch " ]
	grep -q 'listed again after a 410' "$T/n.err"
	[ "$(grep -c '^NAME ' "$T/n.out")" -eq 1 ]
	[ "$(grep -c '^minikube ' "$T/n.out")" -eq 2 ]
}

@test "-w: the server killed mid-watch: srebox says the watch broke, tries again, then exits 3" {
	k8s_start "$K8S_DIR/default"
	SPID=$(cat "$(dirname "$KC")/pid")
	bg_sb n nodes -w -o name --kubeconfig "$KC"
	wait_lines "$T/n.out" 7
	sleep 0.5
	kill -9 "$SPID"
	wait_rc n 20
	[ "$(cat "$T/n.rc")" -eq 3 ]
	grep -q 'the watch broke (.*): watching again from resourceVersion [0-9]* in 1s' "$T/n.err"
	grep -q 'the watch broke 4 times in a row, the last: connection to 127.0.0.1:[0-9]* refused' "$T/n.err"
	SPID=
}

@test "-w: a server that stops answering (SIGSTOP) is noticed within --watch-timeout plus --request-timeout" {
	k8s_start "$K8S_DIR/default"
	SPID=$(cat "$(dirname "$KC")/pid")
	bg_sb n nodes -w -o name --watch-timeout 1 --request-timeout 1 --kubeconfig "$KC"
	wait_lines "$T/n.out" 7
	sleep 0.3
	kill -STOP "$SPID"
	t0=$(date +%s%N)
	wait_grep "$T/n.err" 'the watch broke' 4
	t1=$(date +%s%N)
	echo "# a silent server noticed after $(((t1 - t0) / 1000000)) ms" >&3
	[ $(((t1 - t0) / 1000000)) -lt 3500 ]
	wait_rc n 20
	[ "$(cat "$T/n.rc")" -eq 3 ]
	grep -q 'broke 4 times in a row' "$T/n.err"
}

@test "-w: memory does not grow with the changes watched (1,000 of them)" {
	k8s_start "$K8S_DIR/default" --watch-window 2000
	bg_sb n nodes -w -o wide --kubeconfig "$KC"
	wait_lines "$T/n.out" 8
	sleep 0.3
	pid=$(sb_pid 0)
	many() { # many FROM TO: a label change each, over one connection
		python3 - "$K8S_PORT" "$K8S_CERTS/ca.crt" "$K8S_TOKEN" "$1" "$2" <<-'PY'
			import http.client, json, ssl, sys
			ctx = ssl.create_default_context(cafile=sys.argv[2])
			c = http.client.HTTPSConnection("127.0.0.1", int(sys.argv[1]), context=ctx)
			for i in range(int(sys.argv[4]), int(sys.argv[5])):
			    c.request("PATCH", "/api/v1/nodes/ci-ln-d53y532-f76d1-2btqq-master-%d" % (i % 3),
			              json.dumps({"metadata": {"labels": {"n": str(i)}}}),
			              {"Authorization": "Bearer " + sys.argv[3],
			               "Content-Type": "application/strategic-merge-patch+json"})
			    c.getresponse().read()
		PY
	}
	many 0 100
	wait_lines "$T/n.out" 108 20
	hwm1=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
	many 100 1100
	wait_lines "$T/n.out" 1108 60
	hwm2=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
	echo "# max RSS after 100 changes ${hwm1} kB, after 1,100 ${hwm2} kB" >&3
	# (ASan's quarantine keeps what was freed: measured in the plain build)
	[ "${SANITIZE:-}" = 1 ] || [ $((hwm2 - hwm1)) -lt 1024 ]
	kill -INT "$pid"
	wait_rc n 5
	[ "$(cat "$T/n.rc")" -eq 2 ]	# and no leak (LeakSanitizer's 99)
	grep -q 'watched 1100 changes' "$T/n.err"
}
