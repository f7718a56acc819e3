#!/usr/bin/env bats
# srebox cpu over constructed trees (tests/fixtures/cpu: offline CPUs, an
# 8-CPU arm64-shaped node with one hot CPU), over real captured trees
# (node_exporter's /proc/stat, cswitch's two task snapshots swapped in
# mid-interval), and live over processes the tests start: a spinner
# pinned to one CPU, a process whose threads spin, one holding 200 MiB.
# health's CPU and memory findings must name them too (who).

load lib

CPUFIX=$FIX/cpu

# mpstat's shares of one /proc/stat (since boot) or two: "cpu usr nice sys
# iowait irq soft steal guest gnice idle busy" lines, as ratios.
mpstat_rows() {
	python3 - "$@" <<'PY'
import sys
def read(p):
    rows = {}
    for l in open(p):
        f = l.split()
        if f and f[0].startswith("cpu"):
            rows["all" if f[0] == "cpu" else f[0][3:]] = [int(x) for x in f[1:]]
    return rows
cur = read(sys.argv[1])
prev = read(sys.argv[2]) if len(sys.argv) > 2 else {}
for cpu, c in cur.items():
    p = prev.get(cpu, [0] * len(c))
    d = [a - b for a, b in zip(c, p)] + [0] * (10 - len(c))
    total = sum(d[:8])
    usr, nice = d[0] - d[8], d[1] - d[9]
    sh = [usr, nice, d[2], d[4], d[5], d[6], d[7], d[8], d[9], d[3]]
    sh = [x / total for x in sh]
    print(cpu, *["%.6f" % x for x in sh], "%.6f" % (1 - sh[9] - sh[3]))
PY
}

# The same rows from srebox cpu -o json.
srebox_rows() {
	jq -r '.cpus[] | select(.state != "offline") | [.cpu, .user_ratio, .nice_ratio, .system_ratio,
		.iowait_ratio, .irq_ratio, .softirq_ratio, .steal_ratio, .guest_ratio, .guest_nice_ratio,
		.idle_ratio, .busy_ratio] | map(tostring) | join(" ")'
}

same_rows() {
	python3 - "$1" "$2" <<'PY'
import sys
a = sorted(l.split() for l in open(sys.argv[1]) if l.strip())
b = sorted(l.split() for l in open(sys.argv[2]) if l.strip())
if len(a) != len(b):
    sys.exit(f"{len(a)} rows expected, {len(b)} got:\n{a}\n{b}")
for x, y in zip(a, b):
    if x[0] != y[0] or len(x) != len(y) or any(abs(float(p) - float(q)) > 1e-6 for p, q in zip(x[1:], y[1:])):
        sys.exit(f"expected {x}\n     got {y}")
PY
}

@test "fixtures: per-CPU shares are mpstat's arithmetic (guest out of usr), every CPU and the aggregate" {
	for tree in "$CPUFIX/aarch64" "$CPUFIX/offline" "$FIX/node_exporter" "$FIX/procfs"; do
		# the aggregate is the sum over the CPUs, not the cpu line (which
		# node_exporter's fixture does not add up to)
		awk '$1 ~ /^cpu[0-9]/ { print; for (i = 2; i <= NF; i++) t[i] += $i; n = NF }
			END { printf "cpu"; for (i = 2; i <= n; i++) printf " %d", t[i]; print "" }' \
			"$tree/proc/stat" >"$BATS_TEST_TMPDIR/stat"
		mpstat_rows "$BATS_TEST_TMPDIR/stat" >"$BATS_TEST_TMPDIR/want"
		run sb cpu --root "$tree" -i 0 -o json --no-tasks
		[ "$status" -le 2 ] || die "$tree: $output"
		srebox_rows <<<"$output" >"$BATS_TEST_TMPDIR/got"
		same_rows "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got" || die "$tree"
	done
}

@test "fixtures: an offline CPU is a row that says so, with no figures, and the note says why" {
	run sb cpu --root "$CPUFIX/offline" -i 0 -o json
	[ "$status" -eq 0 ]
	jq -e '[.cpus[].cpu] == ["all", "0", "1", "2", "3"]
		and (.cpus[3] | .state == "offline" and .busy_ratio == null and .user_ratio == null)
		and (.cpus[1].busy_ratio - 0.30 | fabs) < 1e-9
		and (.note | test("offline CPUs"))' <<<"$output"
	run sb cpu --root "$CPUFIX/offline" -i 0
	[[ "$output" == *"offline: not in /proc/stat"* ]]
}

@test "fixtures: one CPU hot since boot on an 8-CPU node: cpu_hot names the CPU and the thread that ran there" {
	run sb cpu --root "$CPUFIX/aarch64" -i 0 -o json
	[ "$status" -eq 1 ]
	jq -e '.findings[] | select(.check == "cpu_hot") | .state == "WARNING"
		and (.text | test("^CPU5 95% busy .* other CPUs are on average 5% busy"))
		and .who[0].pid == 4242 and .who[0].name == "enc-worker thread 4243"
		and (.who[0].value - (940000 + 9000) / 100 / (10000 - 1.01) * 100 | fabs) < 1e-6' <<<"$output"
	# encoder: its threads summed over its age; top thread 4243, last on CPU5
	jq -e '.by_cpu[0] | .pid == 4242 and .threads == 2 and .top_thread_tid == 4243
		and .top_thread_last_cpu == 5
		and (.cpu_ratio - (940010 + 9005) / 100 / (10000 - 1.00) | fabs) < 1e-9' <<<"$output"
	page=$(getconf PAGESIZE)
	jq -e --argjson page "$page" '.by_memory[0] | .pid == 900 and .command == "postgres"
		and .rss_bytes == 500000 * $page
		and (.memory_ratio - 500000 * $page / (16000000 * 1024) | fabs) < 1e-9' <<<"$output"
	# a threshold above it: quiet
	run sb cpu --root "$CPUFIX/aarch64" -i 0 -o json -w cpu_hot=96
	jq -e '.findings[] | select(.check == "cpu_hot") | .state == "OK" and (.who == null)' <<<"$output"
}

@test "parity: health's cpu, cpu_hot and steal findings are cpu's, state and text" {
	for tree in "$CPUFIX/aarch64" "$CPUFIX/offline" "$FIX/node_exporter"; do
		for w in "" "-w cpu_hot=4"; do
			run sb cpu --root "$tree" -i 0 -o json $w
			jq -c '[.findings[] | select(.check | IN("cpu", "cpu_hot", "steal")) | [.check, .state, .text]] | sort' \
				<<<"$output" >"$BATS_TEST_TMPDIR/cpu"
			run sb health --root "$tree" -i 0 -o json $w
			jq -c '[.findings[] | select(.check | IN("cpu", "cpu_hot", "steal")) | [.check, .state, (.text | sub(" \\(%CPU since each started\\)$"; ""))]] | sort' \
				<<<"$output" >"$BATS_TEST_TMPDIR/health"
			[ "$(jq length "$BATS_TEST_TMPDIR/cpu")" -eq 3 ] || die "$tree: $(cat "$BATS_TEST_TMPDIR/cpu")"
			diff "$BATS_TEST_TMPDIR/cpu" "$BATS_TEST_TMPDIR/health" || die "$tree $w"
		done
	done
}

# `srebox cpu -i 1` over ROOT, with ROOT/proc.next swapped in while it
# sleeps between its two readings.
two_samples() {
	local root=$1
	shift
	"$SREBOX" cpu --root "$root" -i 1 "$@" >"$BATS_TEST_TMPDIR/out" 2>&1 &
	local pid=$!
	sleep 0.5
	mv "$root/proc" "$root/proc.prev" && mv "$root/proc.next" "$root/proc"
	wait $pid && status=0 || status=$?
	output=$(cat "$BATS_TEST_TMPDIR/out")
}

@test "fixtures over an interval: a process's %CPU is its threads' utime+stime over the uptimes' interval" {
	root=$BATS_TEST_TMPDIR/root
	mkdir -p "$root"
	cp -r "$FIX/cswitch/snap1/proc" "$root/"
	cp -r "$FIX/cswitch/snap2/proc" "$root/proc.next"
	chmod -R u+w "$root"
	two_samples "$root" -o json --top 0
	[ "$status" -le 2 ] || die "$output"
	# expected from the files: per process, the sum over threads present
	# in both of delta(utime+stime), over delta(uptime)
	want=$(python3 - "$FIX/cswitch/snap1/proc" "$FIX/cswitch/snap2/proc" <<'PY'
import os, sys, json
def tasks(p):
    out = {}
    for pid in os.listdir(p):
        if not pid.isdigit(): continue
        for tid in os.listdir(f"{p}/{pid}/task"):
            s = open(f"{p}/{pid}/task/{tid}/stat").read()
            f = s[s.rindex(")") + 2:].split()
            out[(int(pid), int(tid))] = (int(f[11]) + int(f[12]), int(f[19]))
    return out
a, b = tasks(sys.argv[1]), tasks(sys.argv[2])
ua = float(open(sys.argv[1] + "/uptime").read().split()[0])
ub = float(open(sys.argv[2] + "/uptime").read().split()[0])
per = {}
for k, (t, start) in b.items():
    if k in a and a[k][1] == start:
        per[k[0]] = per.get(k[0], 0) + t - a[k][0]
print(json.dumps({str(p): v / 100 / (ub - ua) for p, v in per.items()}))
PY
)
	jq -e --argjson want "$want" '[.by_cpu[] | select(.cpu_ratio != null)
		| (.cpu_ratio - $want[.pid | tostring] | fabs) < 1e-9] | all and length > 0' <<<"$output" ||
		die "want $want; got $(jq -c '[.by_cpu[] | [.pid, .cpu_ratio]]' <<<"$output")"
	# pingpong (16602) tops it
	jq -e '.by_cpu[0].pid == 16602 and .by_cpu[0].threads == 2' <<<"$output"
}

@test "bad input: arguments, --top, an unreadable /proc/stat" {
	run sb cpu extra
	[ "$status" -eq 3 ]
	[[ "$output" == *"unexpected argument 'extra'"* ]]
	run sb cpu --top x
	[ "$status" -eq 3 ]
	root=$(root_empty)
	run sb cpu --root "$root" -i 0
	[ "$status" -eq 3 ]
	[[ "$output" == *"/proc/stat"* ]]
	printf 'cpu0 1 2 3\n' >"$root/proc/stat"
	echo "10.00 5.00" >"$root/proc/uptime"
	run sb cpu --root "$root" -i 0 -o json
	[ "$status" -eq 3 ] || die "$output"
}

# --- live ------------------------------------------------------------------

# A spinner pinned to CPU1, named cpuspin: one thread that spins, its main
# thread asleep.  nice does not hold against other sessions (the kernel's
# autogroups share a CPU between sessions, not tasks), so it runs in a cpu
# cgroup of its own with 20 times the default weight: it keeps most of
# CPU1 whatever else the machine runs, and at 50% of the node's 200% or
# more no three other processes can each use more (health names three).
start_spinner() {
	cp "$TOOLS/spinthreads" "$BATS_TEST_TMPDIR/cpuspin"
	CG=
	for v in /sys/fs/cgroup/cpu /sys/fs/cgroup/cpu,cpuacct /sys/fs/cgroup; do
		if [ -e "$v/cpu.shares" ] || [ -e "$v/cgroup.subtree_control" ]; then
			CG=$v/srebox-test-cpu-$$-$BATS_TEST_NUMBER
			mkdir "$CG" 2>/dev/null || CG=
			[ -n "$CG" ] && { echo 20480 >"$CG/cpu.shares" || echo 2000 >"$CG/cpu.weight"; } 2>/dev/null
			break
		fi
	done
	sh -c '[ -n "$1" ] && echo $$ >"$1/cgroup.procs"; shift; exec "$@"' sh "$CG" \
		taskset -c 1 "$BATS_TEST_TMPDIR/cpuspin" -n 1 -d 30 >"$BATS_TEST_TMPDIR/spin" &
	SPIN=$!
	for _ in $(seq 100); do [ -s "$BATS_TEST_TMPDIR/spin" ] && break; sleep 0.05; done
	sleep 0.3
}

teardown() {
	if [ -n "${SPIN:-}" ]; then
		kill "$SPIN" 2>/dev/null || true
		wait "$SPIN" 2>/dev/null || true
	fi
	[ -n "${CG:-}" ] && rmdir "$CG" 2>/dev/null || true
}

stop() {
	kill "$@" 2>/dev/null || true
	wait "$@" 2>/dev/null || true
}

@test "live: a pinned spinner and a multi-threaded spinner are named with plausible %CPU (libproc2 and by hand)" {
	[ "$(nproc)" -ge 2 ] || skip "needs 2 CPUs"
	start_spinner
	"$TOOLS/spinthreads" -n 3 -d 30 >"$BATS_TEST_TMPDIR/mt" &
	mt=$!
	for _ in $(seq 100); do [ -s "$BATS_TEST_TMPDIR/mt" ] && break; sleep 0.05; done
	for by in "" --by-hand; do
		run sb cpu -i 1 -o json --top 0 $by
		[ "$status" -le 2 ] || die "$output"
		# the spinner: ~100% of CPU1, its spinning thread on CPU1 (up to
		# a quarter more: on a loaded node the second scan can reach it
		# later than the first did, and the interval is the scans' starts)
		jq -e --argjson pid "$SPIN" '.by_cpu[] | select(.pid == $pid) | .command == "cpuspin"
			and .cpu_ratio > 0.5 and .cpu_ratio < 1.25 and .threads == 2
			and .top_thread_tid != $pid and .top_thread_last_cpu == 1' <<<"$output" ||
			die "$by spinner: $(jq -c --argjson pid "$SPIN" '.by_cpu[] | select(.pid == $pid)' <<<"$output")"
		# three threads spinning on what the spinner leaves (CPU0 at most,
		# shared with whatever else the machine runs): named, summed over
		# its four threads, its busiest thread a spinning one
		jq -e --argjson pid "$mt" '.by_cpu[] | select(.pid == $pid) | .command == "spinthreads"
			and .threads == 4 and .cpu_ratio > 0 and .cpu_ratio < 2.05
			and .top_thread_tid != $pid and .top_thread_cpu_ratio <= .cpu_ratio' <<<"$output" ||
			die "$by spinthreads: $(jq -c --argjson pid "$mt" '.by_cpu[] | select(.pid == $pid)' <<<"$output")"
		# a process's %CPU is at most the CPUs' busy time over the interval
		jq -e '([.by_cpu[] | .cpu_ratio // 0] | add) <= (.cpus[0].busy_ratio * (.cpus | length - 1)) + 0.1' <<<"$output"
	done
	stop "$SPIN" "$mt"
}

@test "live: the pinned spinner's CPU is the hot CPU when the other CPU idles; quiet when both are busy" {
	[ "$(nproc)" -eq 2 ] || skip "written for 2 CPUs"
	start_spinner
	run sb cpu -i 1 -o json
	stop "$SPIN"
	other=$(jq '.cpus[] | select(.cpu == "0") | .busy_ratio' <<<"$output")
	hot=$(jq '.cpus[] | select(.cpu == "1") | .busy_ratio' <<<"$output")
	jq -e '.cpus[] | select(.cpu == "1") | .busy_ratio > 0.9' <<<"$output" || die "CPU1 at $hot"
	if jq -e --argjson o "$other" -n '$o < 0.5' >/dev/null; then
		# the other CPU idles: WARNING, CPU1, the spinner's thread named
		jq -e --argjson pid "$SPIN" '.findings[] | select(.check == "cpu_hot")
			| .state == "WARNING" and (.text | startswith("CPU1 "))
			and .who[0].pid == $pid and (.who[0].name | startswith("cpuspin thread "))' <<<"$output" ||
			die "other CPU at $other: $(jq -c '.findings' <<<"$output")"
	else
		# the machine is busy elsewhere too: spread, not one CPU's
		jq -e '.findings[] | select(.check == "cpu_hot") | .state == "OK"
			and (.text | test("spread"))' <<<"$output" || die "other CPU at $other"
	fi
}

@test "live: health names the spinner behind psi_cpu, runqueue and cpu forced low (text and json)" {
	[ "$(nproc)" -ge 2 ] || skip "needs 2 CPUs"
	start_spinner
	for i in "" "-i 0"; do
		run sb health $i -w psi_cpu=0 -w runqueue=0 -w cpu=0 -o json
		[ "$status" -le 2 ] || die "$output"
		# busy > 0 with a spinner: cpu is a WARNING; each CPU finding that
		# is not OK names the spinner, or three processes at least as busy
		jq -e '.findings[] | select(.check == "cpu") | .state == "WARNING"' <<<"$output"
		jq -e --argjson pid "$SPIN" '[.findings[] | select(.check | IN("cpu", "runqueue", "psi_cpu"))
			| select(.state != "OK") | (.who | length) > 0
			and ((any(.who[]; .pid == $pid) and (.text | test("cpuspin \\(pid \($pid)\\) [0-9]+%")))
			     or ([.who[] | .value >= 90] | all and length == 3))
			and (.text | test("%CPU over a [0-9.]+s sample\\)$"))] | all and length >= 1' <<<"$output" ||
			die "$i: $(jq -c '[.findings[] | select(.state != "OK")]' <<<"$output")"
	done
	run sb health -w cpu=0
	[[ "$output" == *"cpuspin (pid $SPIN)"* ]] || [[ "$output" == *"who: "*", "*", "* ]]
	stop "$SPIN"
}

@test "live: a process holding 200 MiB is named by memory, its RSS within 5% of its own VmRSS" {
	python3 -c 'import sys, time
x = b"a" * (200 << 20)
print("ready", flush=True)
time.sleep(30)' >"$BATS_TEST_TMPDIR/mem" &
	py=$!
	for _ in $(seq 100); do [ -s "$BATS_TEST_TMPDIR/mem" ] && break; sleep 0.05; done
	vmrss=$(awk '/^VmRSS/ {print $2 * 1024}' "/proc/$py/status")
	run sb cpu -i 0 -o json --top 0
	jq -e --argjson pid "$py" --argjson v "$vmrss" '.by_memory[] | select(.pid == $pid)
		| .command == "python3" and .rss_bytes >= 200 * 1048576
		and ((.rss_bytes - $v) | fabs) <= 0.05 * $v and .memory_ratio > 0' <<<"$output" ||
		die "VmRSS $vmrss: $(jq -c --argjson pid "$py" '.by_memory[] | select(.pid == $pid)' <<<"$output")"
	# health with memory forced to WARNING names the largest processes: the
	# python, or three at least as large
	run sb health -i 0 -w memory=100: -o json
	jq -e --argjson pid "$py" --argjson v "$vmrss" '.findings[] | select(.check == "memory")
		| .state == "WARNING" and (.who | length) > 0
		and (any(.who[]; .pid == $pid) or ([.who[] | .value >= 0.95 * $v] | all and length == 3))
		and ([.who[].unit] | all(. == "B"))' <<<"$output" ||
		die "$(jq -c '.findings[] | select(.check == "memory")' <<<"$output")"
	stop "$py"
}

@test "live: a process is its effective user, as ps says: a daemon that dropped root, one with only euid changed" {
	[ "$(id -u)" -eq 0 ] || skip "needs root"
	# dropped root without exec: not dumpable, so the kernel makes the
	# files in its /proc/PID root's (not the directory)
	python3 -c 'import os, time
os.setresgid(65534, 65534, 65534)
os.setgroups([])
os.setresuid(65534, 65534, 65534)
print("ready", flush=True)
time.sleep(30)' >"$BATS_TEST_TMPDIR/drop" &
	dropped=$!
	# the real uid root, the effective nobody
	python3 -c 'import os, time
os.setegid(65534)
os.seteuid(65534)
print("ready", flush=True)
time.sleep(30)' >"$BATS_TEST_TMPDIR/eff" &
	eff=$!
	for _ in $(seq 100); do [ -s "$BATS_TEST_TMPDIR/drop" ] && [ -s "$BATS_TEST_TMPDIR/eff" ] && break; sleep 0.05; done
	nobody=$(getent passwd 65534 | cut -d: -f1)
	[ "$(ps -o user= -p "$dropped" | tr -d ' ')" = "$nobody" ] && [ "$(ps -o user= -p "$eff" | tr -d ' ')" = "$nobody" ] &&
		[ "$(ps -o ruser= -p "$eff" | tr -d ' ')" = root ] || die "ps: $(ps -o pid,user,ruser -p "$dropped,$eff")"
	run sb cpu -i 0 -o json --top 0
	for pid in "$dropped" "$eff"; do
		jq -e --argjson pid "$pid" --arg u "$nobody" '[.by_memory[] | select(.pid == $pid)][0].user == $u' <<<"$output" ||
			die "ps: $nobody; srebox: $(jq -c --argjson pid "$pid" '.by_memory[] | select(.pid == $pid)' <<<"$output")"
	done
	stop "$dropped"
	stop "$eff"
}

@test "live: an OK node pays nothing: health names no one and takes no extra sample" {
	run sb health -i 0 -o json
	jq -e '[.findings[] | select(.state == "OK") | .who] | all(. == null)' <<<"$output"
	strace -f -e trace=clock_nanosleep,nanosleep -o "$BATS_TEST_TMPDIR/st" "$SREBOX" health -i 0 \
		-w cpu=101 -w psi_cpu=101 -c psi_cpu=101 -w runqueue=1e6 -c runqueue=1e6 -w load=1e6 \
		-c load=1e6 -w memory=0: -c memory=0: -w swap=1e12 -c swap=1e12 -w psi_memory=101 \
		-c psi_memory=101 -w memory_available=0: -c memory_available=0: -w cpu_hot=101 >/dev/null || true
	! grep -q 'nanosleep' "$BATS_TEST_TMPDIR/st" || die "$(cat "$BATS_TEST_TMPDIR/st")"
}

@test "live: libproc2 is loaded by cpu's task table only: not with --no-tasks, --by-hand, --root, nor by health" {
	LD_DEBUG=files sb cpu -i 0 -o json 2>"$BATS_TEST_TMPDIR/dl" >/dev/null || true
	grep -q 'file=libproc2.so.0' "$BATS_TEST_TMPDIR/dl"
	ln -s /proc "$BATS_TEST_TMPDIR/proc"
	for args in "cpu -i 0 --no-tasks" "cpu -i 0 -o prom" "cpu -i 0 --by-hand" "cpu -i 0 --root $BATS_TEST_TMPDIR" \
		"health -i 0 -w cpu=0 -w memory=100:"; do
		LD_DEBUG=files sb $args 2>"$BATS_TEST_TMPDIR/dl" >/dev/null || true
		! grep -q 'file=libproc2.so.0' "$BATS_TEST_TMPDIR/dl" || die "$args loaded libproc2"
	done
}

@test "live: -i 0 is since boot and says so; processes since they started" {
	run sb cpu -i 0
	[ "$status" -le 2 ]
	[[ "$output" == *"averaged since boot"* ]]
	[[ "$output" == *"since each started"* ]]
	run sb cpu -i 0 -o json
	jq -e '.since_boot == true and (.by_cpu | length) > 0 and .cpus[0].cpu == "all"' <<<"$output"
}
