#!/usr/bin/env bats
# Counts agree with their nouns: the applets over fixture trees built to
# give counts of one and of two (CPUs, cgroups, devices, interfaces), top's
# screen on a node of one CPU, and the Kubernetes applets against the test
# API server with a cluster of one node and one pod, and of two of each.

load lib
load k8s
load tmux

teardown() {
	tm_next
	k8s_stop_test
}

# A node of N CPUs, N block devices, N cgroups with a CPU limit and N-1
# interfaces besides lo.
tree() {
	local r=$BATS_TEST_TMPDIR/n$1 n=$1 i
	mkdir -p "$r/proc/net" "$r/sys/fs/cgroup"
	{
		echo "cpu  6100 20 3100 126000 200 0 300 50 0 0"
		for ((i = 0; i < n; i++)); do echo "cpu$i 6100 20 3100 126000 200 0 300 50 0 0"; done
		printf 'intr 1250000 0\nctxt 2500000\nbtime 1700000000\nprocesses 5000\n'
		printf 'procs_running 1\nprocs_blocked 0\n'
	} >"$r/proc/stat"
	echo "1364.00 2600.00" >"$r/proc/uptime"
	echo "0.10 0.20 0.30 1/100 200" >"$r/proc/loadavg"
	{
		printf '    '
		for ((i = 0; i < n; i++)); do printf '       CPU%d' $i; done
		printf '\n 26:'
		for ((i = 0; i < n; i++)); do printf ' %10d' 17; done
		echo "  IO-APIC   4-edge      ttyS0"
	} >"$r/proc/interrupts"
	{
		printf '          '
		for ((i = 0; i < n; i++)); do printf '       CPU%d' $i; done
		printf '\n       TIMER:'
		for ((i = 0; i < n; i++)); do printf ' %10d' 7000; done
		echo
	} >"$r/proc/softirqs"
	{
		echo "Inter-|   Receive                                                |  Transmit"
		echo " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed"
		echo "    lo: 100 1 0 0 0 0 0 0 100 1 0 0 0 0 0 0"
		for ((i = 1; i < n; i++)); do echo "  eth$i: 1000 10 0 0 0 0 0 0 2000 20 0 0 0 0 0 0"; done
	} >"$r/proc/net/dev"
	: >"$r/proc/diskstats"
	echo "cpu memory" >"$r/sys/fs/cgroup/cgroup.controllers"
	printf 'usage_usec 100\nnr_periods 0\nnr_throttled 0\nthrottled_usec 0\n' >"$r/sys/fs/cgroup/cpu.stat"
	for ((i = 0; i < n; i++)); do
		echo " 259 $i nvme${i}n1 47114 4 4643973 21650 1078320 43950 39451633 1011053 0 222766 1032546" >>"$r/proc/diskstats"
		mkdir -p "$r/sys/fs/cgroup/pod$i"
		echo "50000 100000" >"$r/sys/fs/cgroup/pod$i/cpu.max"
		printf 'usage_usec 1000000\nnr_periods 5000\nnr_throttled 0\nthrottled_usec 0\n' >"$r/sys/fs/cgroup/pod$i/cpu.stat"
	done
	echo "$r"
}

# every line the applets print over ROOT, all checks listed
all_out() {
	local a
	for a in health cpu cswitch irq io net throttle; do sb $a -i 0 -v --root "$1" 2>&1 || true; done
}

@test "one of a thing is singular, two are plural: CPUs, cgroups, devices, interfaces" {
	one=$(all_out "$(tree 1)")
	two=$(all_out "$(tree 2)")
	for want in "on 1 CPU:" "on 1 CPU," "1 CPU, values since boot" "the most of 1 CPU" \
		"in 1 cgroup with a CPU limit" "disk I/O of 1 device," "1 interface (0 pod/container links)"; do
		grep -qF -- "$want" <<<"$one" || die "no '$want' with one: $one"
	done
	for want in "on 2 CPUs:" "on 2 CPUs," "2 CPUs, values since boot" "the most of 2 CPUs" \
		"in 2 cgroups with a CPU limit" "(3 cgroups walked)" "disk I/O of 2 devices," "2 interfaces (0 pod"; do
		grep -qF -- "$want" <<<"$two" || die "no '$want' with two: $two"
	done
	# nowhere a count of one with a plural noun, or of two with a singular one
	bad=$(grep -oE '\b1 (CPUs|cgroups|devices|interfaces|records|files|tasks|processes|checks)\b' <<<"$one" || true)
	[ -z "$bad" ] || die "one with a plural: $bad"
	bad=$(grep -oE '\b2 (CPU|cgroup|device|interface|record|file|task|process|check)\b[^_#]' <<<"$two" | grep -v '2 CPU [0-9]' || true)
	[ -z "$bad" ] || die "two with a singular: $bad"
}

@test "durations in one format: net gives the uptime as every applet does, not in seconds" {
	r=$(tree 2)
	run sb net -i 0 --root "$r"
	[[ ${lines[0]} == *"averaged since boot, up 22m44s"* ]] || die "$output"
	sb io -i 0 --root "$r" | grep -q "up 22m44s"
}

@test "top's screen: load on 1 CPU, on 2 CPUs; the checks counted with their noun" {
	for n in 1 2; do
		r=$(tree $n)
		tm_start 200 50 "$SREBOX top --root $r -i 0.2"
		wait_for 'checks? not OK' 20 || die "top never drew its screen"
		screen=$(cap)
		tm_next
		if [ $n = 1 ]; then
			grep -qE 'load [0-9.-]+ on 1 CPU  run' <<<"$screen" || die "one CPU: $screen"
		else
			grep -qE 'load [0-9.-]+ on 2 CPUs  run' <<<"$screen" || die "two CPUs: $screen"
		fi
		grep -qE '[0-9]+ of [0-9]*([02-9]|1[0-9]) checks not OK|[0-9]+ of 1 check not OK' <<<"$screen" ||
			die "the checks' count: $screen"
	done
}

# A cluster of N nodes (minikube, minikube-m02) and N bare pods on minikube.
cluster() {
	local d=$BATS_TEST_TMPDIR/c$1 n=$1 i
	mkdir -p "$d"
	for ((i = 0; i < n; i++)); do
		jq --arg i "$i" 'if $i == "0" then . else .metadata.name = "minikube-m0" + $i
			| .metadata.uid = "11111111-2222-4333-8444-00000000000" + $i end' \
			"$FIX/k8s/nodes/k9s-minikube.json" >"$d/node$i.json"
		jq --arg i "$i" 'if $i == "0" then . else .metadata.name = "nginx-" + $i
			| .metadata.uid = "11111111-2222-4333-8444-10000000000" + $i end' \
			"$FIX/k8s/pods/k9s-default--nginx-bare.json" >"$d/pod$i.json"
	done
	echo "$d"
}

# every line nodes, node, cordon, uncordon and drain (dry runs) print
k8s_out() {
	local nodes=minikube
	[ "$1" = 2 ] && nodes="minikube minikube-m01"
	k8s_start "$(cluster "$1")"
	{
		sb nodes --kubeconfig "$KC"
		sb node --kubeconfig "$KC" minikube
		sb cordon --kubeconfig "$KC" --dry-run $nodes
		sb uncordon --kubeconfig "$KC" --dry-run $nodes
		sb drain --kubeconfig "$KC" --dry-run minikube
		sb drain --kubeconfig "$KC" --dry-run minikube --force
	} 2>&1 || true
}

@test "nodes, node, cordon, uncordon, drain: 1 node and 1 pod, 2 nodes and 2 pods" {
	export K8S_CERTS=$BATS_TEST_TMPDIR/certs
	k8s_certs "$K8S_CERTS"
	one=$(k8s_out 1)
	two=$(k8s_out 2)
	for want in "1 node: 1 Ready" "1 node, Ready and schedulable" "minikube: Ready, v1.15.2, 1 pod" \
		"1 node cordoned (dry run)" "1 already uncordoned" "evict 1 pod, leave 0, 0 blocked; 0 budgets" \
		"evict 1 pod from minikube"; do
		grep -qF -- "$want" <<<"$one" || die "no '$want' with one: $one"
	done
	for want in "2 nodes: 2 Ready" "all 2 nodes Ready and schedulable" "minikube: Ready, v1.15.2, 2 pods" \
		"2 nodes cordoned (dry run)" "2 already uncordoned" "evict 2 pods, leave 0" "evict 2 pods from minikube"; do
		grep -qF -- "$want" <<<"$two" || die "no '$want' with two: $two"
	done
	bad=$(grep -oE '\b1 (nodes|pods|budgets|evictions|restarts|lines|checks)\b' <<<"$one" || true)
	[ -z "$bad" ] || die "one with a plural: $bad"
	bad=$(grep -oE '\b2 (node|pod|budget|eviction|restart|line|check)\b' <<<"$two" || true)
	[ -z "$bad" ] || die "two with a singular: $bad"
	! grep -q 'all 1 node' <<<"$one" || die "$one"
}
