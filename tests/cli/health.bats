#!/usr/bin/env bats
# srebox health over node_exporter's fixture (values checked against
# node_exporter's own expected output), over sick trees built from it, at
# every threshold boundary, and on this machine with real OOM kills.

load lib
load hangfs

setup() {
	ROOT=$(root_copy node_exporter)
	echo "5000.00 9000.00" >"$ROOT/proc/uptime"
	mkdir -p "$ROOT/sys/fs/cgroup/memory"
	echo 1073741824 >"$ROOT/sys/fs/cgroup/memory/memory.usage_in_bytes"
	printf 'cache 0\ntotal_inactive_file 268435456\n' >"$ROOT/sys/fs/cgroup/memory/memory.stat"
	# a consistent pid picture (the fixture's pid_max 123 < 719 tasks is not)
	echo 32768 >"$ROOT/proc/sys/kernel/pid_max"
	echo 4194304 >"$ROOT/proc/sys/kernel/threads-max"
}

teardown() { hung_teardown; }

hj() { sb health --root "$ROOT" -i 0 -o json "$@"; }
# state of one check
state() { hj | jq -r --arg c "$1" '[.findings[] | select(.check == $c)][0].state'; }

@test "values agree with node_exporter's expected output for the same files" {
	run hj
	node=$(jq -c '.node[0]' <<<"$output")
	for pair in load1:node_load1 memory_total_bytes:node_memory_MemTotal_bytes \
		file_handles:node_filefd_allocated \
		file_max:node_filefd_maximum conntrack_entries:node_nf_conntrack_entries \
		conntrack_max:node_nf_conntrack_entries_limit oom_kills_total:node_vmstat_oom_kill \
		procs_running:node_procs_running procs_blocked:node_procs_blocked; do
		want=$(ne_expected "${pair#*:}" | cut -f2)
		got=$(jq -r --arg k "${pair%%:*}" '.[$k]' <<<"$node")
		[ -n "$want" ] || die "no ${pair#*:} in node_exporter's output"
		python3 -c 'import sys; a, b = map(float, sys.argv[1:]); sys.exit(abs(a - b) > 1e-9 * max(1, abs(a)))' \
			"$want" "$got" || die "${pair%%:*}: srebox $got, node_exporter $want"
	done
}

@test "inconsistent data (719 tasks, pid_max 123) is reported, not a crash" {
	cp "$FIX/node_exporter/proc/sys/kernel/pid_max" "$ROOT/proc/sys/kernel/pid_max"
	run hj
	[ "$status" -eq 2 ]
	jq -e '[.findings[] | select(.check == "pids")][0] | .state == "CRITICAL" and (.text | test("719 of 123"))' <<<"$output"
}

@test "the kubelet's memory.available is MemTotal minus (usage - inactive_file)" {
	run hj
	total=$(jq '.node[0].memory_total_bytes' <<<"$output")
	jq -e --argjson t "$total" '.node[0].kubelet_memory_available_bytes == ($t - (1073741824 - 268435456))' <<<"$output"
	# cgroup v2: the root's memory.stat
	rm -r "$ROOT/sys/fs/cgroup/memory"
	printf 'anon 536870912\nfile 536870912\ninactive_file 268435456\n' >"$ROOT/sys/fs/cgroup/memory.stat"
	run hj
	jq -e --argjson t "$total" '.node[0].kubelet_memory_available_bytes == ($t - 805306368)' <<<"$output"
	echo 0 >"$ROOT/sys/fs/cgroup/memory.stat"
	run hj
	jq -e '[.findings[] | select(.check == "memory_available")][0].state == "UNKNOWN"' <<<"$output"
}

@test "threshold boundaries: conntrack 90% is OK, above is WARNING, above 98% CRITICAL" {
	echo 1000 >"$ROOT/proc/sys/net/netfilter/nf_conntrack_max"
	for c in 900:OK 901:WARNING 980:WARNING 981:CRITICAL 1000:CRITICAL; do
		echo "${c%%:*}" >"$ROOT/proc/sys/net/netfilter/nf_conntrack_count"
		[ "$(state conntrack)" = "${c#*:}" ] || die "conntrack ${c%%:*}: $(state conntrack)"
	done
}

@test "threshold boundaries: file handles 80/95%, pids 80/95%" {
	for c in 800:OK 801:WARNING 951:CRITICAL; do
		printf '%s\t0\t1000\n' "${c%%:*}" >"$ROOT/proc/sys/fs/file-nr"
		[ "$(state files)" = "${c#*:}" ] || die "files ${c%%:*}: $(state files)"
	done
	echo 1000 >"$ROOT/proc/sys/kernel/pid_max"
	for c in 800:OK 801:WARNING 951:CRITICAL; do
		echo "0.10 0.10 0.10 1/${c%%:*} 1234" >"$ROOT/proc/loadavg"
		[ "$(state pids)" = "${c#*:}" ] || die "pids ${c%%:*}: $(state pids)"
	done
}

@test "threshold boundaries: MemAvailable below 10% warns, below 5% is critical" {
	# the fixture's kernel predates MemAvailable (3.14): say so, then add it
	[ "$(state memory)" = UNKNOWN ]
	hj | jq -e '[.findings[] | select(.check == "memory")][0].text | test("no MemAvailable")'
	for c in 100000:OK 99999:WARNING 50000:WARNING 49999:CRITICAL; do
		sed -i -e "s/^MemTotal:.*/MemTotal: 1000000 kB/" -e '/^MemAvailable:/d' "$ROOT/proc/meminfo"
		echo "MemAvailable: ${c%%:*} kB" >>"$ROOT/proc/meminfo"
		[ "$(state memory)" = "${c#*:}" ] || die "memory ${c%%:*}: $(state memory)"
	done
}

@test "threshold boundaries: load per CPU 1.5/3, PSI memory full 5/20" {
	ncpu=$(grep -c '^cpu[0-9]' "$ROOT/proc/stat")
	for c in 1.5:OK 1.51:WARNING 3.01:CRITICAL; do
		l=$(python3 -c "print(round(${c%%:*} * $ncpu, 2))")
		echo "$l $l $l 1/300 1234" >"$ROOT/proc/loadavg"
		[ "$(state load)" = "${c#*:}" ] || die "load ${c%%:*}/CPU: $(state load)"
	done
	for c in 5.00:OK 5.01:WARNING 20.01:CRITICAL; do
		printf 'some avg10=30.00 avg60=1.00 avg300=1.00 total=100\nfull avg10=%s avg60=1.00 avg300=1.00 total=50\n' \
			"${c%%:*}" >"$ROOT/proc/pressure/memory"
		[ "$(state psi_memory)" = "${c#*:}" ] || die "psi_memory ${c%%:*}: $(state psi_memory)"
	done
	run hj -c psi_memory=none -w psi_memory=none
	jq -e '[.findings[] | select(.check == "psi_memory")][0].state == "OK"' <<<"$output"
}

@test "no PSI in the kernel is said as such, and is not a problem" {
	rm -r "$ROOT/proc/pressure"
	run hj
	jq -e '[.findings[] | select(.check == "psi")] | length == 1 and .[0].state == "OK"
		and (.[0].text | test("not in this kernel"))' <<<"$output"
	jq -e '[.findings[] | select(.check | startswith("psi_"))] | length == 0' <<<"$output"
}

@test "PSI hidden from this view (a masked /proc/pressure) is UNKNOWN, not 'not in this kernel'" {
	# the directory is there, its files are not: a container runtime's mask
	rm "$ROOT"/proc/pressure/*
	run hj
	jq -e '[.findings[] | select(.check == "psi")] | length == 1 and .[0].state == "UNKNOWN"
		and (.[0].text | test("hidden"))' <<<"$output"
	# no /proc/pressure at all, but the cgroups have pressure files: the kernel has PSI
	rm -r "$ROOT/proc/pressure"
	mkdir -p "$ROOT/sys/fs/cgroup"
	: >"$ROOT/sys/fs/cgroup/cpu.pressure"
	run hj
	jq -e '[.findings[] | select(.check == "psi")][0] | .state == "UNKNOWN" and (.text | test("hidden"))' <<<"$output"
}

@test "recent OOM kills name the victim and its pod cgroup; old ones do not warn" {
	sed -i 's/^oom_kill .*/oom_kill 2/' "$ROOT/proc/vmstat"
	mkdir -p "$ROOT/dev"
	# uptime 5000 s: a kill at 4900 s is 100 s ago
	cat >"$ROOT/dev/kmsg" <<'KMSG'
6,100,1000000,-;Linux version 6.1.0
4,345,4899990000,-;stress invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=985
6,423,4899999000,-;oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=cri-containerd-ab12.scope,mems_allowed=0,oom_memcg=/kubepods/burstable/pod8f4e,task_memcg=/kubepods/burstable/pod8f4e/ab12,task=stress,pid=4242,uid=0
3,424,4900000000,-;Memory cgroup out of memory: Killed process 4242 (stress) total-vm:221368kB, anon-rss:1048576kB, file-rss:6568kB, shmem-rss:0kB, UID:0 pgtables:128kB oom_score_adj:985
 SUBSYSTEM=memory
KMSG
	run hj
	[ "$status" -eq 1 ]
	jq -e '[.findings[] | select(.check == "oom")][0] | .state == "WARNING"
		and (.text | test("1 in the last 15m, 2 since boot"))
		and (.text | test("stress \\(pid 4242, 1.0GiB anon\\) by its cgroup limit in /kubepods/burstable/pod8f4e/ab12"))' <<<"$output"
	echo "9000.00 9000.00" >"$ROOT/proc/uptime"	# the kill is now 68 minutes old
	run hj
	jq -e '[.findings[] | select(.check == "oom")][0] | .state == "OK" and (.text | test("0 in the last 15m"))' <<<"$output"
}

@test "OOM kills with an unreadable kernel log warn: when is unknown" {
	sed -i 's/^oom_kill .*/oom_kill 3/' "$ROOT/proc/vmstat"
	run hj
	jq -e '[.findings[] | select(.check == "oom")][0] | .state == "WARNING"
		and (.text | test("3 since boot, when unknown \\(kernel log: .*dev/kmsg: missing\\)"))' <<<"$output"
}

@test "hung tasks from the kernel's counter and log" {
	echo 2 >"$ROOT/proc/sys/kernel/hung_task_detect_count"
	mkdir -p "$ROOT/dev"
	echo '3,77,4990000000,-;INFO: task jbd2/sda1-8:321 blocked for more than 120 seconds.' >"$ROOT/dev/kmsg"
	run hj
	jq -e '[.findings[] | select(.check == "hung_tasks")][0] | .state == "WARNING"
		and (.text | test("jbd2/sda1-8 \\(pid 321\\)"))' <<<"$output"
}

@test "unreadable sources are UNKNOWN with the file named; the rest still reported" {
	rm "$ROOT/proc/meminfo"
	printf 'garbage\n' >"$ROOT/proc/sys/fs/file-nr"
	run hj
	[ "$status" -eq 3 ] || [ "$status" -eq 2 ] || [ "$status" -eq 1 ]
	jq -e '[.findings[] | select(.check == "memory")][0] | .state == "UNKNOWN" and (.text | test("proc/meminfo: missing"))' <<<"$output"
	jq -e '[.findings[] | select(.check == "files")][0] | .state == "UNKNOWN" and (.text | test("file-nr"))' <<<"$output"
	jq -e '[.findings[] | select(.check == "conntrack")][0].state == "OK"' <<<"$output"
}

@test "every output format; -o check is one line; exit status is the worst state" {
	echo 1000 >"$ROOT/proc/sys/net/netfilter/nf_conntrack_max"
	echo 990 >"$ROOT/proc/sys/net/netfilter/nf_conntrack_count"
	run sb health --root "$ROOT" -i 0 -o check
	[ "$status" -eq 2 ] && [ "${#lines[@]}" -eq 1 ]
	[[ $output == "SREBOX HEALTH CRITICAL: conntrack 990 of 1000 entries (99.0%)"*"| "*"conntrack=99%;90;98;"* ]]
	run sb health --root "$ROOT" -i 0
	[ "$status" -eq 2 ]
	[[ ${lines[1]} == "CRITICAL  conntrack 990 of 1000"* ]]	# worst first
	command -v promtool >/dev/null || skip "promtool not installed"
	sb health --root "$ROOT" -i 0 -o prom | promtool check metrics
}

@test "a snapshot says 'since boot'; the default samples a short interval" {
	run sb health --root "$ROOT" -i 0 -o json
	jq -e '.since_boot and (.summary | test("values since boot"))' <<<"$output"
	run sb health -o json
	jq -e '(.since_boot | not) and .interval_seconds >= 0.25 and .interval_seconds < 1' <<<"$output"
}

@test "live: an OOM kill in a small memory cgroup is named with its pid" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to make a cgroup"
	cg=""
	if [ -w /sys/fs/cgroup/memory ]; then
		cg=/sys/fs/cgroup/memory/srebox-oom-$$
		mkdir "$cg" && echo 32M >"$cg/memory.limit_in_bytes"
	elif grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null && [ -w /sys/fs/cgroup ]; then
		cg=/sys/fs/cgroup/srebox-oom-$$
		echo +memory >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null || true
		mkdir "$cg" && echo 32M >"$cg/memory.max" && echo 0 >"$cg/memory.swap.max"
	else
		skip "no writable memory cgroup"
	fi
	[ -r /dev/kmsg ] || skip "kernel log not readable"
	before=$(awk '/^oom_kill /{print $2}' /proc/vmstat)
	sh -c "echo \$\$ >$cg/cgroup.procs; exec python3 -c 'b = bytearray(300 << 20)'" &
	pid=$!
	wait $pid || true
	rmdir "$cg" 2>/dev/null || true
	after=$(awk '/^oom_kill /{print $2}' /proc/vmstat)
	[ "$after" -gt "$before" ] || skip "the kernel did not OOM-kill (swap?)"
	run sb health -i 0 -o json
	jq -e --arg pid "$pid" '[.findings[] | select(.check == "oom")][0] | .state == "WARNING"
		and (.text | test("python3 \\(pid " + $pid + ","))' <<<"$output"
}

@test "threshold boundaries: context switches per CPU 50000/150000 (8 CPUs, 38014093 since boot)" {
	for up in 96:OK 95:WARNING 31:CRITICAL; do
		echo "${up%%:*}.00 1.00" >"$ROOT/proc/uptime"
		got=$(state switches)
		[ "$got" = "${up#*:}" ] || die "uptime ${up%%:*}: $got, want ${up#*:}"
	done
	echo "95.00 1.00" >"$ROOT/proc/uptime"
	hj | jq -e '.node[0].context_switches_per_second * 95 | round == 38014093'
}

# zombie_tree N: N zombie processes (pids 5001...) in the fixture's /proc
zombie_tree() {
	for i in $(seq "$1"); do
		mkdir -p "$ROOT/proc/$((5000 + i))"
		sed "s/^1 (systemd) S 0/$((5000 + i)) (defunct-$i) Z 1/" \
			"$FIX/node_exporter/proc/1/stat" >"$ROOT/proc/$((5000 + i))/stat"
	done
}

@test "threshold boundaries: zombies 5 OK, 6 WARNING, 11 CRITICAL; the first three named" {
	zombie_tree 5
	[ "$(state zombies)" = OK ]
	zombie_tree 6
	run hj
	jq -e '[.findings[] | select(.check == "zombies")][0] | .state == "WARNING"
		and .text == "6 zombie processes: defunct-1 (pid 5001), defunct-2 (pid 5002), defunct-3 (pid 5003) and 3 more"' <<<"$output"
	jq -e '.node[0].zombie_processes == 6' <<<"$output"
	zombie_tree 11
	[ "$(state zombies)" = CRITICAL ]
	hj -c zombies=20 | jq -e '[.findings[] | select(.check == "zombies")][0].state == "WARNING"'
}

@test "D state: a process is named with its wait channel, apart from blocked I/O, and explains the load" {
	mkdir -p "$ROOT/proc/6001" "$ROOT/proc/6002"
	sed 's/^1 (systemd) S 0/6001 (nfs-writer) D 1/' "$FIX/node_exporter/proc/1/stat" >"$ROOT/proc/6001/stat"
	echo rpc_wait_bit_killable >"$ROOT/proc/6001/wchan"
	sed 's/^1 (systemd) S 0/6002 (fuse-reader) D 1/' "$FIX/node_exporter/proc/1/stat" >"$ROOT/proc/6002/stat"
	run hj
	jq -e '.node[0].uninterruptible_processes == 2' <<<"$output"
	jq -e '[.findings[] | select(.check == "dstate")][0] | .state == "OK" and .value == 2
		and .text == "2 processes in D state (uninterruptible: block I/O, NFS, FUSE, locks): nfs-writer (pid 6001, in rpc_wait_bit_killable), fuse-reader (pid 6002, wchan missing)"' <<<"$output"
	# blocked on block I/O is procs_blocked, a figure of its own
	b=$(awk '$1 == "procs_blocked" {print $2}' "$ROOT/proc/stat")
	jq -e --argjson b "$b" '[.findings[] | select(.check == "blocked")][0].text
		| startswith("\($b) task")' <<<"$output"
	jq -e '[.findings[] | select(.check == "load")][0].text
		| test("the load counts runnable and uninterruptible tasks: now [0-9]+ runnable, [0-9]+ blocked on block I/O, 2 processes in D state: nfs-writer \\(pid 6001, in rpc_wait_bit_killable\\)")' <<<"$output"
}

@test "live: a zombie process is counted and named with its pid" {
	# the inner sh exits at once; its parent becomes sleep, which never reaps it
	sh -c 'sh -c "exit 0" & exec sleep 30' &
	parent=$!
	zpid=""
	for _ in $(seq 50); do
		zpid=$(awk -v p="$parent" '$3 == "Z" && $4 == p {print $1}' /proc/[0-9]*/stat 2>/dev/null | head -1)
		[ -n "$zpid" ] && break
		sleep 0.05
	done
	[ -n "$zpid" ] || { kill "$parent"; die "no zombie appeared"; }
	before=$(awk '$3 == "Z"' /proc/[0-9]*/stat 2>/dev/null | wc -l)
	run sb health -i 0 -o json -w zombies=0 -c zombies=1000
	after=$(awk '$3 == "Z"' /proc/[0-9]*/stat 2>/dev/null | wc -l)
	kill "$parent"
	wait "$parent" 2>/dev/null || true
	n=$(jq '.node[0].zombie_processes' <<<"$output")
	[ "$n" -ge 1 ] || die "zombies: $n"
	# other zombies come and go on a shared machine (another test file's
	# helpers, between their exit and their reaping): at least those there
	# before and after; srebox's own children are not counted
	lo=$(( before < after ? before : after ))
	[ "$n" -ge "$lo" ] || die "srebox $n zombies, /proc $before..$after"
	jq -e '[.findings[] | select(.check == "zombies")][0].state == "WARNING"' <<<"$output"
	[ "$n" -gt 3 ] || jq -e --arg p "(pid $zpid)" '[.findings[] | select(.check == "zombies")][0].text | contains($p)' <<<"$output"
}

@test "the most CPU-throttled cgroup is named, as srebox throttle ranks it" {
	root=$FIX/throttle/k8s-v2-systemd
	run sb health --root "$root" -i 0 -o json
	want=$(sb throttle --root "$root" -o json | jq -r '.cgroups[0] | "\(.cgroup) \(.throttled_ratio * 100 | round)"')
	jq -e --arg w "$want" '[.findings[] | select(.check == "cfs")][0]
		| .state == "WARNING" and .subject == ($w | split(" ")[0])
		and (.text | contains(($w | split(" ")[0]) + ": throttled in " + ($w | split(" ")[1]) + "%"))' <<<"$output" ||
		die "want $want: $(jq -c '.findings[] | select(.check == "cfs")' <<<"$output")"
	# the other two over 25% are counted, not listed
	jq -e '[.findings[] | select(.check == "cfs")][1] | .subject == "others" and .state == "WARNING"
		and (.text | startswith("2 more cgroups over the threshold"))' <<<"$output"
	run sb health --root "$root" -i 0 -o json -w cfs=90
	jq -e '[.findings[] | select(.check == "cfs")] | length == 1 and .[0].state == "OK"
		and .[0].value == 80' <<<"$output"
}

@test "a hot server: sensors at a trip point, CPUs capped below 90% of their maximum" {
	root=$FIX/throttle/hot-server
	run sb health --root "$root" -i 0 -o json
	jq -e '[.findings[] | select(.check == "trip")][0] | .state == "CRITICAL"
		and .subject == "hwmon0/temp2" and (.text | test("crit_alarm raised"))' <<<"$output"
	jq -e '[.findings[] | select(.check == "freq")][0] | .state == "WARNING" and .value == 60
		and (.text | test("bios_limit 2100 MHz caps them at 60%"))' <<<"$output"
}

# fake_kubelet DIR CODE [NAME]: a process named NAME (kubelet) answering
# /healthz with CODE
fake_kubelet() {
	local name=${3:-kubelet}
	# Debian's python3 itself (not a version manager's shim script): the
	# process is then named after the link
	ln -sf /usr/bin/python3 "$1/$name"
	"$1/$name" - "$2" >"$1/port" 2>/dev/null <<'PY' &
import http.server, sys
code = int(sys.argv[1])
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"ok" if code == 200 else b"[-]syncloop failed: PLEG is not healthy\nhealthz check failed"
        self.send_response(code if self.path == "/healthz" else 404)
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
PY
	KUBELET=$!
	for _ in $(seq 100); do [ -s "$1/port" ] && break; sleep 0.05; done
	PORT=$(cat "$1/port")
}

@test "live: a running kubelet's healthz answering ok is OK, an error is CRITICAL with its body" {
	d=$BATS_TEST_TMPDIR
	fake_kubelet "$d" 200
	run sb health -i 0 -o json --kubelet-healthz "http://127.0.0.1:$PORT/healthz"
	jq -e --arg pid "$KUBELET" '[.findings[] | select(.check == "kubelet")][0] | .state == "OK"
		and (.text | test("kubelet \\(pid " + $pid + "\\) healthy"))' <<<"$output" ||
		{ kill $KUBELET; die "$(jq -c '.findings[] | select(.check == "kubelet")' <<<"$output")"; }
	kill $KUBELET; wait $KUBELET 2>/dev/null || true
	rm -f "$d/port"
	fake_kubelet "$d" 500
	run sb health -i 0 -o json --kubelet-healthz "http://127.0.0.1:$PORT/healthz"
	[ "$status" -eq 2 ]
	jq -e '[.findings[] | select(.check == "kubelet")][0] | .state == "CRITICAL"
		and (.text | test("answered 500: \\[-\\]syncloop failed: PLEG is not healthy"))' <<<"$output"
	kill $KUBELET; wait $KUBELET 2>/dev/null || true
}

@test "live: a kubelet whose healthz never answers is CRITICAL within the deadline" {
	d=$BATS_TEST_TMPDIR
	fake_kubelet "$d" 200
	kill -STOP $KUBELET	# the port accepts (the kernel's backlog), nobody answers
	run timeout 10 "$SREBOX" health -i 0 -o json -t 0.3 --kubelet-healthz "http://127.0.0.1:$PORT/healthz"
	kill -9 $KUBELET; wait $KUBELET 2>/dev/null || true
	[ "$status" -eq 2 ]
	jq -e '[.findings[] | select(.check == "kubelet")][0] | .state == "CRITICAL" and (.text | test("did not answer"))' <<<"$output"
}

@test "a node set up for a kubelet without one running is CRITICAL; a plain host is OK" {
	run hj
	jq -e '[.findings[] | select(.check == "kubelet")][0] | .state == "OK" and (.text | test("none here"))' <<<"$output"
	mkdir -p "$ROOT/var/lib/kubelet"
	echo 'kind: KubeletConfiguration' >"$ROOT/var/lib/kubelet/config.yaml"
	run hj
	[ "$status" -eq 2 ]
	jq -e '[.findings[] | select(.check == "kubelet")][0] | .state == "CRITICAL" and (.text | test("not running"))' <<<"$output"
}

@test "live: a local filesystem filled past 10% free is the disk finding, CRITICAL and named" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to mount a tmpfs"
	fs=$BATS_TEST_TMPDIR/full
	mkdir -p "$fs"
	mount -t tmpfs -o size=10M srebox-health "$fs"
	dd if=/dev/zero of="$fs/fill" bs=1k count=9500 status=none
	run sb health -i 0 -o json
	umount -l "$fs"
	jq -e --arg fs "$fs" '[.findings[] | select(.check == "space" and .subject == $fs)][0]
		| .state == "CRITICAL" and (.text | startswith($fs + ": 7"))' <<<"$output" ||
		die "$(jq -c '.findings[] | select(.check == "space")' <<<"$output")"
}

@test "live: health and disk give the filling filesystem the same finding" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to mount a tmpfs"
	fs=$BATS_TEST_TMPDIR/same
	mkdir -p "$fs"
	mount -t tmpfs -o size=10M srebox-same "$fs"
	dd if=/dev/zero of="$fs/fill" bs=1k count=8800 status=none
	h=$(sb health -i 0 -o json | jq -c --arg fs "$fs" '[.findings[] | select(.subject == $fs)]')
	d=$(sb disk -o json | jq -c --arg fs "$fs" '[.findings[] | select(.subject == $fs)]')
	umount -l "$fs"
	jq -e 'length == 1 and .[0].check == "space" and .[0].state == "WARNING"' <<<"$h" || die "$h"
	[ "$h" = "$d" ] || die "health: $h, disk: $d"
}

@test "the kubelet's nodefs.available is judged on a node with a kubelet dir" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to mount a tmpfs"
	fs=$BATS_TEST_TMPDIR/kubelet
	mkdir -p "$fs"
	mount -t tmpfs -o size=10M srebox-health "$fs"
	dd if=/dev/zero of="$fs/fill" bs=1k count=8800 status=none
	run sb health -i 0 -o json --kubelet-dir "$fs"
	umount -l "$fs"
	jq -e '[.findings[] | select(.check == "nodefs.available")][0] | .state == "WARNING"
		and (.text | test("the kubelet evicts below 10%"))' <<<"$output" ||
		die "$(jq -c '.findings[] | select(.check | startswith("nodefs"))' <<<"$output")"
}

@test "procfs's tree: values from its files, each missing source UNKNOWN and named, no crash" {
	root=$FIX/procfs
	run sb health --root "$root" -i 0 -o json
	[ "$status" -le 3 ]
	jq -e --argjson l "$(cut -d' ' -f1 "$root/proc/loadavg")" '.node[0].load1 == $l' <<<"$output"
	jq -e --argjson b "$(awk '$1 == "procs_blocked" {print $2}' "$root/proc/stat")" \
		'.node[0].procs_blocked == $b' <<<"$output"
	z=$(cat "$root"/proc/[0-9]*/stat | awk '{sub(/.*\) /, ""); print $1}' | grep -c '^Z$' || true)
	jq -e --argjson z "$z" '.node[0].zombie_processes == $z' <<<"$output"
	# an UNKNOWN says which file under the root it could not read, or why
	jq -e --arg r "$root" '[.findings[] | select(.state == "UNKNOWN") | .text
		| select((contains($r + "/") or test("MemAvailable")) | not)] == []' <<<"$output" ||
		die "$(jq -c '[.findings[] | select(.state == "UNKNOWN")]' <<<"$output")"
	jq -e '[.findings[] | select(.state == "UNKNOWN")] | length > 0' <<<"$output"
}

@test "live: the kernel log's scan is kept while the log and the OOM and hung-task counters stand still" {
	command -v strace >/dev/null && strace -o /dev/null true 2>/dev/null || skip "no strace, or ptrace not allowed"
	ooms=$(awk '/^oom_kill /{print $2}' /proc/vmstat)
	export XDG_RUNTIME_DIR=$BATS_TEST_TMPDIR
	t=$BATS_TEST_TMPDIR
	# a whole-log read, not the 4000-byte tail that keys the kept scan (kmsg.h)
	full() { grep 'SYSLOG_ACTION_READ_ALL' "$1" | grep -vq ', 4000) = '; }
	last=$(dmesg -r 2>/dev/null | tail -1)
	strace -f -e trace=syslog -o "$t/s1" "$SREBOX" health -i 0 -o json >"$t/j1" || true
	grep -q 'SYSLOG_ACTION_READ_ALL' "$t/s1" || skip "the kernel log cannot be read here"
	[ "$(stat -c %a "$t/srebox-kmsg.cache")" = 600 ]
	strace -f -e trace=syslog -o "$t/s2" "$SREBOX" health -i 0 -o json >"$t/j2" || true
	moved=$([ "$(dmesg -r | tail -1)" = "$last" ] || echo yes)
	# counters may move on a shared machine: then it must read again
	if [ "$(awk '/^oom_kill /{print $2}' /proc/vmstat)" = "$ooms" ]; then
		# (unless the shared machine's log moved meanwhile: then its tail differs)
		! full "$t/s2" || [ -n "$moved" ] || die "read the log again with the log and counters unchanged"
		# the same victims, their ages moved on (and one may have left the
		# last 15 minutes meanwhile: an earlier test's, in a CI run)
		q='[.findings[] | select(.check == "oom") | .text | sub("[0-9][0-9.]*[smhd][0-9.smhd]* ago"; "_ ago") | sub("[0-9]+ in the last 15m"; "_ in the last 15m")]'
		[ "$(jq -c "$q" "$t/j1")" = "$(jq -c "$q" "$t/j2")" ] || die "$(jq -c "$q" "$t/j1") vs $(jq -c "$q" "$t/j2")"
	fi
	# a scan whose keys match but whose body is garbage (a count past its
	# array, strings without their end, NaN ages) is scanned again, not used
	if [ "$(awk '/^oom_kill /{print $2}' /proc/vmstat)" = "$ooms" ]; then
		size=$(stat -c %s "$t/srebox-kmsg.cache")
		head -c $((size - 80)) /dev/zero | tr '\0' '\377' |
			dd of="$t/srebox-kmsg.cache" bs=4096 seek=80 oflag=seek_bytes conv=notrunc status=none
		# (LeakSanitizer cannot run under ptrace: the sanitizer build's leak
		# check is off for this one run, its other checks stay)
		ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
			run strace -f -e trace=syslog -o "$t/s4" "$SREBOX" health -i 0 -o json
		[ "$status" -le 3 ] || die "exit $status with a garbage cache"
		full "$t/s4" || die "used a garbage cache"
	fi
	# another boot's (or a damaged) scan is not used
	printf 'ffffffff' | dd of="$t/srebox-kmsg.cache" bs=1 seek=12 conv=notrunc status=none
	strace -f -e trace=syslog -o "$t/s3" "$SREBOX" health -i 0 -o json >/dev/null || true
	full "$t/s3"
}

@test "live: k3s's kubelet, inside k3s-agent, is asked the same" {
	d=$BATS_TEST_TMPDIR
	fake_kubelet "$d" 200 k3s-agent
	run sb health -i 0 -o json --kubelet-healthz "http://127.0.0.1:$PORT/healthz"
	kill $KUBELET; wait $KUBELET 2>/dev/null || true
	jq -e --arg pid "$KUBELET" '[.findings[] | select(.check == "kubelet")][0] | .state == "OK"
		and (.text | startswith("k3s-agent (pid " + $pid + ") healthy"))' <<<"$output"
}

@test "live: Ctrl-C while a hung FUSE mount's statfs is waited for ends health at once, not at the deadline" {
	need_fuse
	export XDG_RUNTIME_DIR=$BATS_TEST_TMPDIR/xdg
	mkdir -m 700 "$XDG_RUNTIME_DIR"
	mnt=$BATS_TEST_TMPDIR/hung cwd=$BATS_TEST_TMPDIR/cwd
	mkdir "$cwd"
	hangfs_start "$mnt"
	cd "$cwd"
	"$SREBOX" health -i 5 -t 30 -o json >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
	pid=$!
	# until its statfs helper is stuck on the mount
	for _ in $(seq 100); do [ "$(stuck_helpers "$cwd")" -ge 1 ] && break; sleep 0.1; done
	[ "$(stuck_helpers "$cwd")" -ge 1 ] || die "no helper stuck on $mnt"
	t0=$(date +%s%N)
	kill -INT $pid
	rc=0
	wait $pid || rc=$?
	t=$((($(date +%s%N) - t0) / 1000000))
	[ "$rc" -eq 3 ] || die "exit $rc: $(cat "$BATS_TEST_TMPDIR/err")"
	grep -q "interrupted by SIGINT before the first report" "$BATS_TEST_TMPDIR/err" || die "$(cat "$BATS_TEST_TMPDIR/err")"
	[ "$t" -lt 5000 ] || die "took $t ms to stop with the statfs deadline at 30 s"
	kill -USR1 "$HANGFS_PID"
	helpers_gone "$cwd" || die "the helper is still there"
}

@test "live: a hung FUSE mount is CRITICAL and named within the deadline; its fill is not judged; its helper not asked twice" {
	need_fuse
	export XDG_RUNTIME_DIR=$BATS_TEST_TMPDIR/xdg
	mkdir -m 700 "$XDG_RUNTIME_DIR"
	mnt=$BATS_TEST_TMPDIR/hung cwd=$BATS_TEST_TMPDIR/cwd
	mkdir "$cwd"
	hangfs_start "$mnt"
	cd "$cwd"
	t0=$(date +%s%N)
	frun "health: a live hung FUSE mount (-t 1)" timeout 60 "$SREBOX" health -i 0 -t 1 -o json
	t=$((($(date +%s%N) - t0) / 1000000))
	[ "$status" -eq 2 ] || die "exit $status: $output"
	[ "$t" -lt 4000 ] || die "took $t ms with -t 1"
	jq -e --arg m "$mnt" '[.findings[] | select(.check == "hung" and .subject == $m)][0]
		| .state == "CRITICAL" and (.text | test("^" + $m
		+ " \\(fuse from hangfs\\) did not answer statfs within 1s; its helper \\(pid [0-9]+\\) is stuck"))' <<<"$output"
	jq -e --arg m "$mnt" '[.findings[] | select(.check == "space" or .check == "inodes") | .text
		| select(contains($m))] == []' <<<"$output"
	[ "$(stuck_helpers "$cwd")" -eq 1 ]
	# the next run: not asked again, said so at once with the helper named
	run timeout 60 "$SREBOX" health -i 0 -t 1 -o check
	[ "$status" -eq 2 ] || die "exit $status: $output"
	[[ $output == *"$mnt (fuse from hangfs) has not answered for "*"is still stuck"* ]] || die "$output"
	[ "$(stuck_helpers "$cwd")" -eq 1 ]
	# a server that answers again: asked, no longer hung
	kill -USR1 "$HANGFS_PID"
	helpers_gone "$cwd" || die "the helper is still there"
	run timeout 60 "$SREBOX" health -i 0 -t 1 -o json
	jq -e --arg m "$mnt" '[.findings[] | select(.check == "hung" and .subject == $m)] == []' <<<"$output"
}

# --- CPU throttling: judged as srebox throttle judges it -------------------

# throttle_parity ROOT [ARGS]: `throttle` and `health -i 0` over the same
# tree.  For each throttling check: every finding health shows (the worst
# of each, then "others") is one of throttle's, field for field; the worst
# is the same; and the check's worst state is the same.
throttle_parity() {
	local root=$1 t=$BATS_TEST_TMPDIR
	shift
	"$SREBOX" throttle --root "$root" -o json "$@" >"$t/t.json" || true
	"$SREBOX" health --root "$root" -i 0 -o json "$@" >"$t/h.json" || true
	jq -e -n --slurpfile t "$t/t.json" --slurpfile h "$t/h.json" '
		def of($r; $c): [$r.findings[] | select(.check == $c)];
		def worst: map({"OK": 0, "UNKNOWN": 1, "WARNING": 2, "CRITICAL": 3}[.state]) | max;
		["cfs", "thermal", "trip", "freq", "steal"] | all(. as $c
			| of($t[0]; $c) as $ts | of($h[0]; $c) as $hs
			| ($hs | map(select(.subject != "others"))) as $hl
			| ($hl | length) > 0
			and ($hl | all(. as $x | $ts | any(. == $x)))
			and $hl[0] == ($ts | map(select(.subject != "others")))[0]
			and ($hs | worst) == ($ts | worst))' >/dev/null ||
		die "$root $*: throttle $(jq -c '[.findings[] | select(.check | test("^(cfs|thermal|trip|freq|steal)$"))]' "$t/t.json")
health $(jq -c '[.findings[] | select(.check | test("^(cfs|thermal|trip|freq|steal)$"))]' "$t/h.json")"
}

@test "throttling: every fixture tree gives health throttle's verdicts and texts" {
	for tree in throttle/hot-server throttle/k8s-v2-systemd throttle/k8s-v1-cgroupfs \
		throttle/k8s-v1-systemd throttle/old-kernel node_exporter procfs; do
		throttle_parity "$FIX/$tree"
	done
	# what the trees hold, so the comparison is not of two empty lists
	run sb health --root "$FIX/throttle/k8s-v1-cgroupfs" -i 0 -o json
	jq -e '[.findings[] | select(.check == "cfs")][0] | .state == "WARNING" and .value == 35
		and (.text | test("^pod 2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f \\(Burstable\\) container f4ad9a059102: throttled in 35% of 40000 periods since creation"))' <<<"$output"
	run sb health --root "$FIX/throttle/hot-server" -i 0 -o json
	jq -e '[.findings[] | select(.check == "steal")][0] | .state == "WARNING"
		and (.text | test("13.7% of CPU time stolen.*most on CPU2 \\(14.7%\\)"))' <<<"$output"
}

@test "throttling: -w/-c move health's verdicts as they move throttle's" {
	throttle_parity "$FIX/throttle/hot-server" -w cfs=10 -c freq=95: -w steal=20 -c thermal=5
	throttle_parity "$FIX/throttle/k8s-v2-systemd" -w cfs=10 -c cfs=50
	throttle_parity "$FIX/throttle/k8s-v2-systemd" -w cfs=90
	run sb health --root "$FIX/throttle/hot-server" -i 0 -o json -c freq=95: -w steal=20
	jq -e '[.findings[] | select(.check == "freq")][0] | .state == "CRITICAL" and .value == 60' <<<"$output"
	jq -e '[.findings[] | select(.check == "steal")][0].state == "OK"' <<<"$output"
	run sb health --root "$FIX/throttle/k8s-v2-systemd" -i 0 -o json -w cfs=10 -c cfs=50
	jq -e '[.findings[] | select(.check == "cfs")] | .[0].state == "CRITICAL"
		and .[0].subject == "/system.slice/backup.service"
		and .[1].subject == "others" and .[1].state == "WARNING"' <<<"$output"
}

@test "throttling: a cgroup tree, thermal zones or cpufreq that cannot be read are UNKNOWN, not absent" {
	[ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null || skip "needs root and setpriv"
	root=$(mktemp -d /tmp/srebox-test.XXXXXX)
	cp -r "$FIX/throttle/hot-server/." "$root/"
	cp -r "$FIX/throttle/k8s-v2-systemd/sys/fs" "$root/sys/"
	chmod -R a+rX "$root"
	as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$SREBOX" "$@" --root "$root" -o json; }
	chmod 000 "$root/sys/fs/cgroup/kubepods.slice" "$root/sys/class/thermal" \
		"$root/sys/devices/system/cpu/cpufreq/policy3"
	for applet in throttle "health -i 0"; do
		# shellcheck disable=SC2086
		out=$(as_nobody $applet) || true
		jq -e '[.findings[] | select(.check == "cfs" and .state == "UNKNOWN")][0].text
			| test("kubepods.slice: permission denied")' <<<"$out" || die "$applet: $out"
		# what could be read is still judged
		jq -e '[.findings[] | select(.check == "cfs" and .state == "WARNING")][0].subject
			== "/system.slice/backup.service"' <<<"$out" || die "$applet: $out"
		jq -e '[.findings[] | select(.check == "trip" and .state == "UNKNOWN")][0].text
			| test("class/thermal: permission denied")' <<<"$out" || die "$applet: $out"
	done
	# health lists the worst group of CPUs (60%); throttle each, cpu3 unknown
	out=$(as_nobody throttle) || true
	jq -e '[.findings[] | select(.check == "freq" and .state == "UNKNOWN")][0]
		| .subject == "3" and (.text | test("cpu3/cpufreq/.*permission denied"))' <<<"$out" ||
		die "$out"
	# the whole cgroup tree hidden: not "no cgroup hierarchy"
	chmod 000 "$root/sys/fs/cgroup"
	for applet in throttle "health -i 0"; do
		# shellcheck disable=SC2086
		out=$(as_nobody $applet) || true
		jq -e '[.findings[] | select(.check == "cfs")] | length == 1 and .[0].state == "UNKNOWN"
			and (.[0].text | test("sys/fs/cgroup/cgroup.controllers: permission denied"))' <<<"$out" ||
			die "$applet: $out"
	done
	rm -rf "$root"
}

@test "interrupts: health and irq give one verdict, text and perfdata for the same readings" {
	# node_exporter's fixture: iwlwifi's single vector on CPU0 is no finding
	jq -e '[.findings[] | select(.check | test("^irq"))] | length == 3 and all(.state == "OK")' <<<"$(hj)"
	root=$BATS_TEST_TMPDIR/nic
	cp -r "$FIX/irq/nic-collapsed" "$root"
	pick='[.findings[] | select(.check | test("^irq")) | {check, state, text}] | sort_by(.check)'
	h=$(sb health --root "$root" -i 0 -o json | jq -c "$pick")
	i=$(sb irq --root "$root" -i 0 -o json | jq -c "$pick")
	[ "$h" = "$i" ]
	jq -e 'length == 3 and (map(.state) == ["WARNING", "CRITICAL", "WARNING"])' <<<"$h"
	hp=$(sb health --root "$root" -i 0 -o check | tr ' ' '\n' | grep '^irq[a-z_]*=')
	ip=$(sb irq --root "$root" -i 0 -o check | tr ' ' '\n' | grep '^irq[a-z_]*=')
	[ "$hp" = "$ip" ] && [ "$(wc -l <<<"$hp")" -eq 3 ]
}

# --- no flapping, one sampling loop ----------------------------------------

@test "ten back-to-back runs over a fixture give the same state and findings" {
	# (space and inodes are this machine's filesystems, not the fixture's:
	# their states count, their values move with other writers)
	for i in $(seq 10); do
		sb health --root "$ROOT" -i 0 -o json | jq -c '[.state, [.findings[] | [.check, .state,
			(if .check | IN("space", "inodes") then null else .value end)]]]'
	done >"$BATS_TEST_TMPDIR/runs"
	[ "$(sort -u "$BATS_TEST_TMPDIR/runs" | wc -l)" -eq 1 ]
}

@test "live: ten runs on a steady machine agree on the scheduler's states" {
	# The machine is shared: a check whose state changed between runs must
	# have had its input visibly move (more than a task per CPU, or 5000
	# switches/s per CPU), not flap on the noise of one reading.
	for i in $(seq 10); do
		sb health -o json | jq -c '[.findings[] | select(.check | IN("load", "runqueue",
			"blocked", "switches", "pids", "zombies", "cpu")) | {check, state, value}]'
	done >"$BATS_TEST_TMPDIR/runs"
	python3 - "$BATS_TEST_TMPDIR/runs" <<'PY'
import json, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
assert len(runs) == 10
by = {}
for r in runs:
    for f in r:
        by.setdefault(f["check"], []).append(f)
margin = {"switches": 5000, "zombies": 2, "pids": 1, "cpu": 100, "load": 0}
def spread(c):
    vals = [f["value"] for f in by.get(c, []) if f["value"] is not None]
    return (max(vals) - min(vals), min(vals), max(vals)) if vals else (0, None, None)
# the 1-minute load per CPU moving by more than 0.05: the machine was not steady
unsteady = spread("load")[0] > 0.05
for c, fs in by.items():
    states = {f["state"] for f in fs}
    if len(states) == 1:
        continue
    d, lo, hi = spread(c)
    ok = unsteady or d > margin.get(c, 1.0)
    vals = [lo, hi]
    print(f"{c}: states {sorted(states)}, values {lo}..{hi}: {'moved' if ok else 'FLAPPED'}")
    assert ok, c
PY
}

@test "a saved --root tree over -i: health says so and judges since boot" {
	run sb health --root "$ROOT" -i 0.3 -o json
	jq -e '.since_boot and (.summary | test("values since boot"))
		and (.note | test("did not change in 0.3s \\(a saved copy\\?\\): figures since boot"))' <<<"$output"
	jq -e '[.findings[] | select(.check == "switches")][0].text | test("averaged since boot")' <<<"$output"
}

@test "one judgment: health and cswitch give the same text and perfdata for the scheduler" {
	for c in load runqueue blocked switches forks pids; do
		a=$(sb health --root "$ROOT" -i 0 -o json | jq -c --arg c "$c" '[.findings[] | select(.check == $c)][0] | [.state, .text, .value, .warning, .critical]')
		b=$(sb cswitch --root "$ROOT" -i 0 -o json | jq -c --arg c "$c" '[.findings[] | select(.check == $c)][0] | [.state, .text, .value, .warning, .critical]')
		[ "$a" = "$b" ] || die "$c: health $a, cswitch $b"
	done
}

@test "no /proc/stat: CPUs unknown, never '1 CPUs'; load and run queue unknown with the reason" {
	rm "$ROOT/proc/stat"
	run hj
	jq -e '(.summary | test("CPUs unknown")) and (.summary | test("1 CPUs") | not)' <<<"$output"
	jq -e '[.findings[] | select(.check == "runqueue")][0] | .state == "UNKNOWN" and (.text | test("proc/stat: missing"))' <<<"$output"
	jq -e '[.findings[] | select(.check == "load")][0] | .state == "UNKNOWN" and (.text | test("per CPU unknown"))' <<<"$output"
	jq -e '.node[0].cpus == null' <<<"$output"
	# the limits do not need /proc/stat
	jq -e '[.findings[] | select(.check == "pids")][0].state == "OK"' <<<"$output"
}
