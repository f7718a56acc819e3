#!/usr/bin/env bats
# srebox cswitch over real snapshots (node_exporter's expected values, and
# task trees captured on a VM: tests/fixtures/cswitch/SOURCE.md), over
# trees edited to hold every interval case and bad input, and live, over
# processes the tests start: a ping-pong pair that switches ~10^5 times a
# second, and a process with 300 threads.

load lib

CS=$FIX/cswitch

# A writable copy of a captured tree: cs_copy snap1 [snap2 as proc.next]
cs_copy() {
	local dst=$BATS_TEST_TMPDIR/root
	mkdir -p "$dst"
	cp -r "$CS/$1/proc" "$dst/"
	[ -n "${2:-}" ] && cp -r "$CS/$2/proc" "$dst/proc.next"
	chmod -R u+w "$dst"
	echo "$dst"
}

# `srebox cswitch -i 1` over ROOT, with ROOT/proc.next swapped in while it
# sleeps between its two samples.
two_samples() {
	local root=$1
	shift
	"$SREBOX" cswitch --root "$root" -i 1 "$@" >"$BATS_TEST_TMPDIR/out" 2>&1 &
	local pid=$!
	sleep 0.5
	mv "$root/proc" "$root/proc.prev" && mv "$root/proc.next" "$root/proc"
	wait $pid && status=0 || status=$?
	output=$(cat "$BATS_TEST_TMPDIR/out")
}

# System files only: mk_sys ROOT PROCS_RUNNING PROCS_BLOCKED [TASKS]
# 2 CPUs, 10000 switches, 2000 interrupts, 500 forks in 100 s of uptime.
mk_sys() {
	local root=$1 running=$2 blocked=$3 tasks=${4:-200}
	mkdir -p "$root/proc/sys/kernel"
	printf 'cpu  2 0 2 100 0 0 0 0 0 0\ncpu0 1 0 1 50 0 0 0 0 0 0\ncpu1 1 0 1 50 0 0 0 0 0 0\nintr 2000 0 0\nctxt 10000\nbtime 1\nprocesses 500\nprocs_running %d\nprocs_blocked %d\n' \
		"$running" "$blocked" >"$root/proc/stat"
	echo "100.00 150.00" >"$root/proc/uptime"
	echo "0.50 0.40 0.30 $running/$tasks 999" >"$root/proc/loadavg"
	echo 1000 >"$root/proc/sys/kernel/pid_max"
	echo 100000 >"$root/proc/sys/kernel/threads-max"
}

# Rows of numbers equal within a relative 1e-6 (JSON keeps 10 digits).
same_rows() {
	python3 - "$1" "$2" <<'PY'
import sys
a = [l.split() for l in open(sys.argv[1]) if l.strip()]
b = [l.split() for l in open(sys.argv[2]) if l.strip()]
if len(a) != len(b):
    sys.exit(f"{len(a)} rows expected, {len(b)} got")
for x, y in zip(a, b):
    if len(x) != len(y) or any(abs(float(p) - float(q)) > 1e-6 * max(1, abs(float(p))) for p, q in zip(x, y)):
        sys.exit(f"expected {x}\n     got {y}")
PY
}

procs_json() { # pid threads vol nonvol vol/s nonvol/s, by pid
	jq -r '.processes | sort_by(.pid)[] | "\(.pid) \(.threads) \(.voluntary_total) \(.involuntary_total) \(.voluntary_per_second) \(.involuntary_per_second)"'
}

@test "system counters and kernel limits equal node_exporter's expected values" {
	root=$(root_copy node_exporter)
	echo "1000.00 1500.00" >"$root/proc/uptime"
	run sb cswitch --root "$root" -o prom
	echo "$output" >"$BATS_TEST_TMPDIR/prom"
	for pair in context_switches_total:node_context_switches_total interrupts_total:node_intr_total \
		forks_total:node_forks_total procs_running:node_procs_running \
		procs_blocked:node_procs_blocked threads_max:node_processes_max_threads \
		pid_max:node_processes_max_processes; do
		want=$(ne_expected "${pair#*:}" | cut -f2)
		got=$(python3 "$SREBOX_TESTS/tools/prom_samples.py" "$BATS_TEST_TMPDIR/prom" \
			"srebox_cswitch_${pair%%:*}" | cut -f2)
		[ -n "$want" ] && [ "$got" = "$want" ] || die "$pair: want '$want' got '$got'"
	done
}

@test "processes, threads and states equal node_exporter's for its tree without task dirs" {
	root=$(root_copy node_exporter)
	echo "1000.00 1500.00" >"$root/proc/uptime"
	run sb cswitch --root "$root" -o json
	[ "$(jq '.processes | length' <<<"$output")" = "$(ne_expected node_processes_pids | cut -f2)" ]
	[ "$(jq '[.processes[].threads] | add' <<<"$output")" = "$(ne_expected node_processes_threads | cut -f2)" ]
	for st in S I; do
		want=$(ne_expected node_processes_state | grep "state=$st" | cut -f2)
		[ "$(jq --arg s "$st" '[.processes[] | select(.state == $s)] | length' <<<"$output")" = "$want" ]
	done
	# no status files in this tree: the counts are unknown, with the file named
	jq -e '.processes[0].switches_per_second == null
		and (.processes[0].unknown.switches_per_second | test("/proc/1/status: missing"))' <<<"$output"
}

@test "719 tasks against pid_max 123 (node_exporter's tree) is CRITICAL, not a crash" {
	root=$(root_copy node_exporter)
	echo "1000.00 1500.00" >"$root/proc/uptime"
	run sb cswitch --root "$root" -o check
	[ "$status" -eq 2 ]
	[[ $output == *"tasks 719 of 123 (584.6%, the limit of kernel.pid_max"* ]]
	[[ $output == *"pids=584.5528%;80;95;0;100"* ]]
}

@test "since boot: system rates are counters over the uptime, and the output says so" {
	root=$(root_copy procfs)
	echo "200.00 300.00" >"$root/proc/uptime"
	run sb cswitch --root "$root" -o json
	jq -e '.since_boot and .interval_seconds == null
		and .system[0].context_switches_per_second == 38014093 / 200
		and .system[0].interrupts_per_second == 73777505 / 200
		and .system[0].forks_per_second == 26442 / 200
		and .system[0].procs_blocked == 1 and .system[0].cpus_online == 8' <<<"$output"
	run sb cswitch --root "$root"
	[[ $output == *"averaged since boot"* ]] && [[ $output == *"(values since boot (up 3m20s)"* ]]
}

@test "since boot: a process's switches are the sum over its threads, each over its own age" {
	root=$(cs_copy snap1)
	python3 "$SREBOX_TESTS/tools/task_sums.py" "$root" >"$BATS_TEST_TMPDIR/want"
	run sb cswitch --root "$root" -o json
	procs_json <<<"$output" >"$BATS_TEST_TMPDIR/got"
	same_rows "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	# the main thread's own status counts far less than the process
	main=$(sed -n 's/^voluntary_ctxt_switches:\t//p' "$root/proc/1/status")
	jq -e --argjson m "$main" '[.processes[] | select(.pid == 1)][0].voluntary_total > 3 * $m' <<<"$output"
}

@test "-t: one row per thread, with its own rate and age" {
	root=$(cs_copy snap1)
	python3 "$SREBOX_TESTS/tools/task_sums.py" --threads "$root" >"$BATS_TEST_TMPDIR/want"
	run sb cswitch --root "$root" -T -o json
	jq -r '.threads | sort_by(.pid, .tid)[] | "\(.pid) \(.tid) \(.voluntary_total) \(.involuntary_total) \(.voluntary_per_second) \(.involuntary_per_second)"' \
		<<<"$output" >"$BATS_TEST_TMPDIR/got"
	same_rows "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	run sb cswitch --root "$root" -T
	[[ $output == *"Busiest threads by context switches/s:"* ]]
	awk '/^ +PID +TID +COMMAND/ {getline; exit !($1 == 16602 && $3 == "pingpong")}' <<<"$output"
}

@test "over an interval: each task's increase, matched by TID, over the measured interval" {
	root=$(cs_copy snap1 snap2)
	mkdir -p "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"
	cp -r "$root/proc" "$BATS_TEST_TMPDIR/a/" && cp -r "$root/proc.next" "$BATS_TEST_TMPDIR/b/proc"
	python3 "$SREBOX_TESTS/tools/task_sums.py" "$BATS_TEST_TMPDIR/b" "$BATS_TEST_TMPDIR/a" >"$BATS_TEST_TMPDIR/want"
	two_samples "$root" -o json
	[ "$status" -ne 3 ] || die "$output"
	jq -r '.interval_seconds as $s | .processes | sort_by(.pid)[] |
		"\(.pid) \(.threads) \(.voluntary_per_second * $s) \(.involuntary_per_second * $s) \(.threads_born) \(.threads_exited)"' \
		<<<"$output" >"$BATS_TEST_TMPDIR/got"
	same_rows "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	jq -e '.since_boot == false and .interval_seconds >= 1 and .note == null' <<<"$output"
}

@test "interval: a new thread counts whole, a reused TID is new, exits are said, not guessed" {
	root=$(cs_copy snap1 snap1)
	next=$root/proc.next
	# 16606 gains a thread, loses another, and one TID is reused (new start time)
	cp -r "$next/16606/task/16607" "$next/16606/task/16650"
	rm -r "$next/16606/task/16610"
	awk '{ $22 = $22 + 50; print }' "$root/proc/16606/task/16609/stat" >"$next/16606/task/16609/stat"
	# process 2 exits; process 1's thread 59 counts backwards
	rm -r "$next/2"
	sed -i 's/^voluntary_ctxt_switches:.*/voluntary_ctxt_switches:\t1/' "$next/1/task/59/status"
	mkdir -p "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"
	cp -r "$root/proc" "$BATS_TEST_TMPDIR/a/" && cp -r "$next" "$BATS_TEST_TMPDIR/b/proc"
	python3 "$SREBOX_TESTS/tools/task_sums.py" "$BATS_TEST_TMPDIR/b" "$BATS_TEST_TMPDIR/a" |
		grep -E '^(15|16602|16606) ' >"$BATS_TEST_TMPDIR/want"
	two_samples "$root" -o json
	jq -r '.interval_seconds as $s | .processes | sort_by(.pid)[] | select(.pid != 1) |
		"\(.pid) \(.threads) \(.voluntary_per_second * $s) \(.involuntary_per_second * $s) \(.threads_born) \(.threads_exited)"' \
		<<<"$output" >"$BATS_TEST_TMPDIR/got"
	same_rows "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	# 16606: two born (16650 and the reused 16609), two exited (16610 and the old 16609)
	jq -e '[.processes[] | select(.pid == 16606)][0] | .threads_born == 2 and .threads_exited == 2' <<<"$output"
	jq -e '[.processes[] | select(.pid == 1)][0] | .switches_per_second == null
		and (.unknown.switches_per_second | test("backwards"))' <<<"$output"
	jq -e '[.processes[] | select(.pid == 2)] | length == 0' <<<"$output"
	jq -e '.note | test("^2 threads of running processes and 1 whole process ended during the interval")' <<<"$output"
}

@test "a process without task/: its status counts the main thread only, so the sum is unknown" {
	root=$(root_empty)
	mk_sys "$root" 1 0
	mkdir -p "$root/proc/26235" "$root/proc/26231"
	cp "$FIX/procfs/proc/26235/status" "$root/proc/26235/"	# Threads: 51
	cp "$FIX/procfs/proc/26231/status" "$FIX/procfs/proc/26231/stat" "$root/proc/26231/"
	run sb cswitch --root "$root" -o json
	jq -e '[.processes[] | select(.pid == 26235)][0] | .threads == 51 and .switches_per_second == null
		and (.unknown.switches_per_second | test("/proc/26235/task missing: its status counts the main thread only, of 51"))' <<<"$output"
	# one thread (vim, Threads: 1): the process's own counts are the whole story
	jq -e '[.processes[] | select(.pid == 26231)][0] | .threads == 1 and .voluntary_total == 4742839' <<<"$output"
}

@test "an unreadable status file is unknown with the reason, never 0" {
	[ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null || skip "needs root and setpriv"
	root=$(mktemp -d /tmp/srebox-test.XXXXXX)
	cp -r "$CS/snap1/proc" "$root/"
	chmod -R a+rX "$root"
	chmod 600 "$root/proc/16606/task/16607/status"
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$SREBOX" cswitch --root "$root" -o json
	rm -rf "$root"
	jq -e '[.processes[] | select(.pid == 16606)][0] | .switches_per_second == null
		and (.unknown.switches_per_second | test("/proc/16606/task/16607/status: permission denied"))' <<<"$output"
	jq -e '[.processes[] | select(.pid == 16602)][0].switches_per_second > 0' <<<"$output"
}

@test "without /proc/uptime, counts stand and rates are unknown (exit 3) until -i" {
	root=$(cs_copy snap1)
	rm "$root/proc/uptime"
	sed -i 's/^procs_running .*/procs_running 1/' "$root/proc/stat"
	run sb cswitch --root "$root" -o json
	[ "$status" -eq 3 ]
	jq -e '.system[0].context_switches_per_second == null
		and (.system[0].unknown.context_switches_per_second | test("/proc/uptime: missing"))
		and .system[0].context_switches_total > 0
		and (.processes[0].unknown.switches_per_second | test("uptime unreadable"))
		and ([.processes[] | select(.pid == 16602)][0].voluntary_total > 0)' <<<"$output"
	# an unchanged tree over -i has no rates over the interval: since boot
	# again (here unknown, no uptime), and said, never 0/s
	cp -r "$root/proc" "$root/proc.next"
	two_samples "$root" -o json
	jq -e '.system[0].context_switches_per_second == null and .since_boot
		and (.note | test("did not change in 1s \\(a saved copy\\?\\): figures since boot"))' <<<"$output"
}

@test "bad /proc/stat: empty, truncated, garbage, binary: exit 3 naming the file" {
	root=$(root_empty)
	mk_sys "$root" 1 0
	for content in '' 'cpu  1 2 3 4\nintr 5\nctxt 38' 'hello world\n' 'cpu  1 2 3 4\x00\x01\n' \
		'cpu  1 2 3 4\nintr 5\nctxt 6x\n'; do
		printf "$content" >"$root/proc/stat"
		for fmt in table json prom check; do
			run sb cswitch --root "$root" -o $fmt
			[ "$status" -eq 3 ] || die "exit $status for '$content' -o $fmt"
			[[ $output == *"$root/proc/stat"* ]] || die "no file name: $output"
		done
	done
	rm "$root/proc/stat"
	run sb cswitch --root "$root"
	[ "$status" -eq 3 ] && [[ $output == *"/proc/stat: missing"* ]]
}

@test "unreadable loadavg or pid_max: the pids check is UNKNOWN naming the file" {
	root=$(root_empty)
	mk_sys "$root" 1 0
	rm "$root/proc/sys/kernel/pid_max"
	run sb cswitch --root "$root" -o check
	[ "$status" -eq 3 ] && [[ $output == *"pids: $root/proc/sys/kernel/pid_max: missing"* ]]
	[[ $output == *"pids=U;;;;"* ]]
	mk_sys "$root" 1 0
	echo "0.1 0.2" >"$root/proc/loadavg"
	run sb cswitch --root "$root" -o json
	[ "$status" -eq 3 ]
	jq -e '.system[0].tasks == null and (.system[0].unknown.tasks | test("/proc/loadavg: cannot parse"))' <<<"$output"
}

@test "exit status 0, 1, 2, 3 in every output format" {
	root=$(root_empty)
	# runqueue and blocked per CPU (2 CPUs): warning at 2, critical at 4
	for case in "1 0" "5 0" "9 0" "1 9" "x"; do
		if [ "$case" = x ]; then
			mk_sys "$root" 1 0
			rm "$root/proc/uptime"
			want=3
		else
			mk_sys "$root" $case
			case $case in "1 0") want=0 ;; "5 0") want=1 ;; *) want=2 ;; esac
		fi
		for fmt in table wide json prom check; do
			run sb cswitch --root "$root" --no-tasks -o $fmt
			[ "$status" -eq $want ] || die "'$case' -o $fmt: exit $status, want $want"
		done
	done
	mk_sys "$root" 5 0
	run sb cswitch --root "$root" --no-tasks -o check
	[[ $output == "SREBOX CSWITCH WARNING: 5 runnable on 2 CPUs: 2.50 per CPU (run queue at most 5, one reading) | "* ]]
}

@test "-w/-c ID=RANGE override each check; a bare RANGE sets the first (switches)" {
	root=$(root_empty)
	mk_sys "$root" 1 1 701
	# 10000 switches in 100 s on 2 CPUs: 50/s per CPU; 5 forks/s; 70.1% of pid_max 1000
	run sb cswitch --root "$root" --no-tasks -o json
	[ "$status" -eq 0 ]
	run sb cswitch --root "$root" --no-tasks -w pids=70 -o json
	[ "$status" -eq 1 ]
	jq -e '[.findings[] | select(.state != "OK") | .check] == ["pids"]' <<<"$output"
	# the old id of the check is still taken, with a note
	run sb cswitch --root "$root" --no-tasks -w threads=70 -o check
	[ "$status" -eq 1 ] && [[ $output == *"check 'threads' is now called 'pids'"* ]]
	run sb cswitch --root "$root" --no-tasks -w 40 -o check
	[ "$status" -eq 1 ] && [[ $output == *"50 context switches/s per CPU"* ]]
	run sb cswitch --root "$root" --no-tasks -c switches=49 -o check
	[ "$status" -eq 2 ]
	run sb cswitch --root "$root" --no-tasks -c blocked=0 -o json
	[ "$status" -eq 2 ] && jq -e '.findings[0].check == "blocked"' <<<"$output"
	run sb cswitch --root "$root" --no-tasks -w forks=4 -o json
	[ "$status" -eq 1 ] && jq -e '.findings[0] | .check == "forks" and .value == 5' <<<"$output"
	run sb cswitch --root "$root" --no-tasks -w runqueue=0.4 -o check
	[ "$status" -eq 1 ] && [[ $output == *"1 runnable on 2 CPUs: 0.50 per CPU"* ]]
	run sb cswitch --root "$root" -w nope=1
	[ "$status" -eq 3 ] && [[ $output == *"unknown check 'nope'"* ]] && [[ $output == *"switches, runqueue, blocked, pids, forks"* ]]
	run sb cswitch --root "$root" -c runqueue=abc
	[ "$status" -eq 3 ] && [[ $output == *"bad range"* ]]
}

@test "--sort voluntary and involuntary order the rows by that rate" {
	root=$(cs_copy snap1)
	python3 "$SREBOX_TESTS/tools/task_sums.py" "$root" >"$BATS_TEST_TMPDIR/sums"
	for key in voluntary:5 involuntary:6; do
		want=$(sort -k"${key#*:}","${key#*:}"gr "$BATS_TEST_TMPDIR/sums" | cut -d' ' -f1 | tr '\n' ' ')
		got=$(sb cswitch --root "$root" -s "${key%%:*}" -o json | jq -r '.processes[].pid' | tr '\n' ' ')
		[ "$got" = "$want" ] || die "$key: want $want got $got"
	done
	[ "$(sb cswitch --root "$root" -s voluntary -o json | jq -r '.processes[1].pid')" = 15 ]
	[ "$(sb cswitch --root "$root" -s involuntary -o json | jq -r '.processes[1].pid')" = 16606 ]
	run sb cswitch --root "$root" -s fastest
	[ "$status" -eq 3 ] && [[ $output == *"not one of: total voluntary involuntary"* ]]
}

@test "--pid shows only those processes; a bad PID is a usage error" {
	root=$(cs_copy snap1)
	run sb cswitch --root "$root" -p 1,15 -o json
	jq -e '([.processes[].pid] | sort) == [1, 15] and ([.most_threads[].pid] | sort) == [1, 15]' <<<"$output"
	run sb cswitch --root "$root" -p 16606 --pid 2 -T -o json
	jq -e '(.threads | length) == 8 and ([.threads[].pid] | unique) == [2, 16606]' <<<"$output"
	run sb cswitch --root "$root" -p 12x
	[ "$status" -eq 3 ] && [[ $output == *"--pid: '12x' is not a process id"* ]]
}

@test "--all lists every task; by default the busiest 20 (and 10 by threads)" {
	root=$(cs_copy snap1)
	for i in $(seq 100 124); do cp -r "$root/proc/2" "$root/proc/$i"; mv "$root/proc/$i/task/2" "$root/proc/$i/task/$i"; done
	run sb cswitch --root "$root"
	[[ $output == *"... 10 more (-o wide or -o json shows all)"* ]]
	[ "$(sed -n '/^Most threads/,$p' <<<"$output" | grep -c '^ *[0-9]')" -eq 10 ]
	run sb cswitch --root "$root" -a
	[[ $output != *"more (-o wide"* ]]
	[ "$(sed -n '/^Busiest/,/^$/p' <<<"$output" | grep -c '^ *[0-9]')" -eq 30 ]
	[ "$(sed -n '/^Most threads/,$p' <<<"$output" | grep -c '^ *[0-9]')" -eq 30 ]
	run sb cswitch --root "$root" -o json
	[ "$(jq '.processes | length' <<<"$output")" -eq 30 ]
}

@test "--no-tasks: the system figures without reading a single task" {
	root=$(root_empty)
	mk_sys "$root" 1 0
	mkdir -p "$root/proc/42"	# a process whose files cannot be read
	run sb cswitch --root "$root" --no-tasks -o json
	[ "$status" -eq 0 ]
	jq -e '(.system | length) == 1 and .processes == null and .most_threads == null' <<<"$output"
	run sb cswitch --root "$root" -o json
	jq -e '.processes[0].pid == 42 and .processes[0].command == null
		and (.processes[0].unknown.switches_per_second | test("/proc/42/status: missing"))' <<<"$output"
}

@test "-o wide adds the totals and states; --textfile writes the Prometheus file" {
	root=$(cs_copy snap1)
	run sb cswitch --root "$root" -o wide
	[[ $output == *"THREADS-MAX"* ]] && [[ $output == *"VOLUNTARY"* ]] && [[ $output == *"STATE"* ]]
	run sb cswitch --root "$root" -T -o wide
	[[ $output == *"  TID  "* ]]
	mkdir "$BATS_TEST_TMPDIR/tf"
	run sb cswitch --root "$root" --textfile "$BATS_TEST_TMPDIR/tf"
	[ -z "$output" ]
	grep -q '^srebox_cswitch_context_switches_total ' "$BATS_TEST_TMPDIR/tf/srebox_cswitch.prom"
	# no per-process series, even with the task tables built for -o json:
	# PIDs as labels would grow without bound
	run sb cswitch --root "$root" --textfile "$BATS_TEST_TMPDIR/tf" -o json
	jq -e '(.processes | length) == 5' <<<"$output"
	grep -q '^srebox_cswitch_tasks 97$' "$BATS_TEST_TMPDIR/tf/srebox_cswitch.prom"
	! grep -q 'pid=' "$BATS_TEST_TMPDIR/tf/srebox_cswitch.prom"
	if command -v promtool >/dev/null; then
		promtool check metrics <"$BATS_TEST_TMPDIR/tf/srebox_cswitch.prom"
	fi
}

@test "usage errors exit 3" {
	run sb cswitch stray
	[ "$status" -eq 3 ] && [[ $output == *"unexpected argument 'stray'"* ]]
	run sb cswitch -n 2
	[ "$status" -eq 3 ] && [[ $output == *"-n needs -i"* ]]
	run sb cswitch --root /nonexistent
	[ "$status" -eq 3 ]
	run sb cswitch -i soon
	[ "$status" -eq 3 ]
}

# --- live: conditions the tests create ---------------------------------

# Start pingpong for D seconds, writing its count to $BATS_TEST_TMPDIR/count.
start_pingpong() {
	"$TOOLS/pingpong" -d "$1" -f "$BATS_TEST_TMPDIR/count" >"$BATS_TEST_TMPDIR/pp" &
	PP=$!
	for _ in $(seq 50); do [ -s "$BATS_TEST_TMPDIR/count" ] && break; sleep 0.1; done
}

# srebox cswitch -i 1 ARGS over the live node while pingpong runs: checks that
# it ranks pingpong first with a rate within 20% of the count pingpong made
# itself over a window that brackets srebox's.
pingpong_first() {
	start_pingpong 6
	local before after
	before=$(cat "$BATS_TEST_TMPDIR/count")
	run sb cswitch -i 1 -o json "$@"
	after=$(cat "$BATS_TEST_TMPDIR/count")
	kill "$PP" 2>/dev/null || true
	wait "$PP" || true
	own=$(awk -v a="$before" -v b="$after" 'BEGIN { split(a, x, " "); split(b, y, " ");
		printf "%.0f", 2 * (y[1] - x[1]) / (y[2] - x[2]) }')
	echo "pingpong counted $own switches/s" >&2
	# first, or after another test file's pair only (prove -j runs two
	# files at once, and capture.bats has one too)
	jq -e --argjson pid "$PP" '(.processes | map(.pid) | index($pid)) as $i
		| $i != null and .processes[$i].command == "pingpong" and .processes[$i].threads == 2
		and all(.processes[0:$i][]; .command == "pingpong")' <<<"$output" ||
		die "$(jq -c '.processes[0:3]' <<<"$output")"
	jq -e --argjson pid "$PP" --argjson own "$own" '.processes[] | select(.pid == $pid)
		| .switches_per_second | (. > 0.8 * $own and . < 1.2 * $own)' <<<"$output" ||
		die "srebox $(jq --argjson pid "$PP" '.processes[] | select(.pid == $pid) | .switches_per_second' <<<"$output")/s vs $own/s"
}

@test "live: a ping-pong pair tops cswitch -i 1 within 20% of its own count (libproc2)" {
	pingpong_first
}

@test "live: the same read by hand (--root over a link to /proc)" {
	ln -s /proc "$BATS_TEST_TMPDIR/proc"
	pingpong_first --root "$BATS_TEST_TMPDIR"
}

# A task that did not run since the last reading keeps that reading's
# switch counts without its status being read again (tasks.c's switches()).
# This pair sits idle through cswitch's first reading, storms from half a
# second in for 1.5 s, then idles again, alive (-s): every switch it makes
# falls between cswitch's first and last readings (at 3 s), so their sum
# over the three intervals must be the pair's own final count, not the
# idle reading's counts carried over.  (Its count taken after cswitch
# exits, while it still stormed, ran on by as long as a loaded machine
# took to run the shell again: twice the right sum, once in CI.)
@test "live: a pair idle at the first reading and storming after it is counted whole" {
	mkfifo "$BATS_TEST_TMPDIR/go"
	"$TOOLS/pingpong" -w "$BATS_TEST_TMPDIR/go" -d 1.5 -s -f "$BATS_TEST_TMPDIR/count" \
		>"$BATS_TEST_TMPDIR/pp" &
	PP=$!
	for _ in $(seq 50); do
		[ "$(ls "/proc/$PP/task" 2>/dev/null | wc -l)" -eq 2 ] && break
		sleep 0.1
	done
	sleep 0.3	# both threads blocked: the echo thread in read, the main one in open
	sb cswitch -i 1 -n 3 -o json >"$BATS_TEST_TMPDIR/out" &
	sbp=$!
	sleep 0.5
	: >"$BATS_TEST_TMPDIR/go"	# pingpong's open returns: the storm starts
	rc=0
	wait "$sbp" || rc=$?
	grep -q round_trips "$BATS_TEST_TMPDIR/pp" || die "the storm had not ended at the last reading"
	after=$(cat "$BATS_TEST_TMPDIR/count")	# the storm's whole count
	kill "$PP" 2>/dev/null || true
	wait "$PP" || true
	[ "$rc" -le 2 ] || die "cswitch exited $rc"	# the storm is a finding
	own=$(awk '{ printf "%.0f", 2 * $1 }' <<<"$after")
	echo "pingpong made $own switches" >&2
	jq -e -s --argjson pid "$PP" --argjson own "$own" 'length == 3 and
		([.[] | (.processes[] | select(.pid == $pid) | .switches_per_second) * .interval_seconds]
		 | length == 3 and (add > 0.8 * $own and add < 1.2 * $own))' "$BATS_TEST_TMPDIR/out" ||
		die "$(jq -c -s --argjson pid "$PP" 'map([(.processes[] | select(.pid == $pid)
			| .switches_per_second), .interval_seconds])' "$BATS_TEST_TMPDIR/out")"
}

@test "live: -T puts pingpong's two threads on top" {
	start_pingpong 4
	run sb cswitch -i 1 -T -o json
	kill "$PP" 2>/dev/null || true
	wait "$PP" || true
	# on top, or after another test file's pair only (prove -j)
	jq -e --argjson pid "$PP" '(.threads | map(.pid) | index($pid)) as $i
		| $i != null and all(.threads[0:$i][]; .command == "pingpong")
		and [.threads[$i:$i + 2][] | .pid] == [$pid, $pid]
		and ([.threads[$i:$i + 2][].tid] | sort | .[0]) == $pid' <<<"$output" ||
		die "$(jq -c '.threads[0:4]' <<<"$output")"
}

@test "live: a process with 300 threads is counted, by libproc2 and by hand" {
	"$TOOLS/manythreads" -n 300 -d 20 >"$BATS_TEST_TMPDIR/mt" &
	mt=$!
	for _ in $(seq 100); do [ -s "$BATS_TEST_TMPDIR/mt" ] && break; sleep 0.1; done
	ln -s /proc "$BATS_TEST_TMPDIR/proc"
	for root in "" "$BATS_TEST_TMPDIR"; do
		run sb cswitch ${root:+--root "$root"} -p "$mt" -o json
		jq -e '.processes[0].threads == 301 and .most_threads[0].threads == 301
			and .processes[0].command == "manythreads"' <<<"$output" || die "root '$root': $output"
		run sb cswitch ${root:+--root "$root"} -o json
		jq -e --argjson pid "$mt" '.system[0].tasks >= 301
			and ([.processes[].threads] | add) >= 301
			and .most_threads[0].pid == $pid' <<<"$output" || die "root '$root'"
		run sb cswitch ${root:+--root "$root"} -T -p "$mt" -o json
		[ "$(jq '.threads | length' <<<"$output")" -eq 301 ]
	done
	kill "$mt"
	wait "$mt" || true
}

@test "live: libproc2 is loaded only to read tasks, never by irq, never under --root" {
	LD_DEBUG=files sb cswitch -o json 2>"$BATS_TEST_TMPDIR/dl" >/dev/null || true
	grep -q 'file=libproc2.so.0' "$BATS_TEST_TMPDIR/dl"
	for args in "cswitch -o check" "cswitch -o prom" "cswitch --no-tasks" "irq" "cswitch --root /"; do
		LD_DEBUG=files sb $args 2>"$BATS_TEST_TMPDIR/dl" >/dev/null || true
		if [ "$args" = "cswitch --root /" ]; then
			grep -q 'file=libproc2.so.0' "$BATS_TEST_TMPDIR/dl" # / is the live machine
		else
			! grep -q 'file=libproc2.so.0' "$BATS_TEST_TMPDIR/dl" || die "$args loaded libproc2"
		fi
	done
	ln -s /proc "$BATS_TEST_TMPDIR/proc"
	LD_DEBUG=files sb cswitch --root "$BATS_TEST_TMPDIR" 2>"$BATS_TEST_TMPDIR/dl" >/dev/null || true
	! grep -q 'file=libproc2.so.0' "$BATS_TEST_TMPDIR/dl"
}

@test "live: since boot, totals and rates agree with /proc/stat; -n 2 prints two reports" {
	ctxt=$(awk '$1 == "ctxt" {print $2}' /proc/stat)
	run sb cswitch -o json
	jq -e --argjson c "$ctxt" '.system[0].context_switches_total >= $c
		and .system[0].cpus_online == '"$(grep -c '^cpu[0-9]' /proc/stat)"'
		and all(.processes[]; .switches_per_second == null or .switches_per_second >= 0)
		and ([.processes[] | select(.pid == '"$$"')] | length) == 1' <<<"$output"
	run sb cswitch -i 0.2 -n 2 --no-tasks -o json
	[ "$(jq -s 'length' <<<"$output")" -eq 2 ]
	jq -s -e 'all(.[]; .since_boot == false and .interval_seconds >= 0.2)' <<<"$output"
}

# --- one sampling loop, no self-measurement --------------------------------

@test "since boot, a task younger than a sample is not ranked by a rate since it started" {
	root=$(cs_copy snap1)
	# pingpong (16602) started 0.1 s before the uptime read (3279.28 s)
	for f in "$root"/proc/16602/task/*/stat; do
		awk '{ $22 = 327918; print }' "$f" >"$f.new" && mv "$f.new" "$f"
	done
	run sb cswitch --root "$root" -i 0 -o json
	jq -e '[.processes[] | select(.pid == 16602)][0] | .switches_per_second == null
		and (.unknown.switches_per_second | test("started less than a sample ago: no rate since start"))
		and .voluntary_total > 0' <<<"$output"
	# and it does not top the ranking: a known rate comes first
	jq -e '.processes[0].switches_per_second != null' <<<"$output"
}

@test "a saved --root tree over -i: since-boot figures, and the output says so, never 0/s" {
	root=$(cs_copy snap1)
	run sb cswitch --root "$root" -i 0.3 -o json
	jq -e '.since_boot and .interval_seconds == null
		and .system[0].context_switches_per_second > 0
		and (.note | test("did not change in 0.3s \\(a saved copy\\?\\): figures since boot"))' <<<"$output"
	jq -e '[.findings[] | select(.check == "switches")][0].text | test("averaged since boot")' <<<"$output"
	# without -i, the same (and at once: a tree that does not move is not waited on)
	t0=$(date +%s%N)
	run sb cswitch --root "$root" -o json
	t1=$(date +%s%N)
	jq -e '.since_boot and (.note | test("did not change"))' <<<"$output"
	[ $(( (t1 - t0) / 1000000 )) -lt 400 ]
}

@test "no -i is a short live sample, the same length as health's; -i 0 is since boot" {
	run sb cswitch --no-tasks -o json
	jq -e '(.since_boot | not) and .interval_seconds >= 0.5 and .interval_seconds < 1' <<<"$output"
	run sb cswitch --no-tasks -i 0 -o json
	jq -e '.since_boot' <<<"$output"
	run sb health -o json
	jq -e '(.since_boot | not) and .interval_seconds >= 0.5 and .interval_seconds < 1' <<<"$output"
}

@test "live: srebox's own process and threads are not in its rankings" {
	# long enough to outlive both samples on a loaded machine (it is
	# killed below): with 4 s it had sometimes ended before the first
	start_pingpong 30
	"$SREBOX" cswitch -i 0.5 -a -T -o json >"$BATS_TEST_TMPDIR/t.json" &
	me=$!
	wait $me || true
	"$SREBOX" cswitch -i 0.5 -a -o json >"$BATS_TEST_TMPDIR/p.json" &
	me2=$!
	wait $me2 || true
	kill "$PP" 2>/dev/null || true
	wait "$PP" || true
	# the ranking is there (pingpong in it), srebox is not
	jq -e --argjson pp "$PP" '[.threads[] | select(.pid == $pp)] | length >= 1' "$BATS_TEST_TMPDIR/t.json"
	jq -e --argjson me "$me" '[.threads[] | select(.pid == $me)] | length == 0' "$BATS_TEST_TMPDIR/t.json"
	jq -e --argjson me "$me2" '[.processes[] | select(.pid == $me)] | length == 0' "$BATS_TEST_TMPDIR/p.json"
	jq -e --argjson me "$me2" '[.most_threads[] | select(.pid == $me)] | length == 0' "$BATS_TEST_TMPDIR/p.json"
}

# Two snapshots 2 s apart (their own uptimes): 3 s of CPU busy (user,
# system, softirq and steal; idle and iowait are not) and 3 s that tasks
# waited, by /proc/schedstat's run_delay of each CPU.
mk_pair() {
	local a=$BATS_TEST_TMPDIR/a b=$BATS_TEST_TMPDIR/b
	mk_sys "$a" 9 1
	mk_sys "$b" 9 3
	sed -i 's/^cpu  .*/cpu  152 0 102 100 40 0 25 25 0 0/' "$b/proc/stat"
	echo "102.00 153.00" >"$b/proc/uptime"
	printf 'version 15\ntimestamp 1\ncpu0 0 0 0 0 0 0 70 %s 9\ndomain0 3 1 2\ncpu1 0 0 0 0 0 0 80 %s 9\n' \
		1000000000 500000000 >"$a/proc/schedstat"
	printf 'version 15\ntimestamp 2\ncpu0 0 0 0 0 0 0 90 %s 9\ndomain0 3 1 2\ncpu1 0 0 0 0 0 0 99 %s 9\n' \
		2500000000 2000000000 >"$b/proc/schedstat"
	echo "$a $b"
}

@test "run queue: time-averaged from busy and /proc/schedstat's run delay, the same in health" {
	read -r a b < <(mk_pair)
	run sb cswitch --root "$a" --root "$b" --no-tasks -o json
	# (3 s busy + 3 s waited) / 2 s: 3 runnable, 1.5 per CPU; the two
	# readings of 9 would be 4.5, CRITICAL
	[ "$status" -eq 0 ]
	jq -e '[.findings[] | select(.check == "runqueue")][0] | .state == "OK" and .value == 1.5
		and .text == "3.0 runnable on 2 CPUs: 1.50 per CPU (run queue at most 9 at the interval'"'"'s ends, time-averaged over 2.00s from CPU busy time and /proc/schedstat'"'"'s run delay)"' <<<"$output"
	# blocked has no time of its own: the two readings, (1 + 3) / 2
	jq -e '[.findings[] | select(.check == "blocked")][0] | .value == 1 and (.text | test("averaged over 2 readings in 2.00s"))' <<<"$output"
	want=$(jq -c '[.findings[] | select(.check == "runqueue" or .check == "blocked") | [.state, .value, .text]]' <<<"$output")
	run sb health --root "$a" --root "$b" -o json
	got=$(jq -c '[.findings[] | select(.check == "runqueue" or .check == "blocked") | [.state, .value, .text]]' <<<"$output")
	[ "$got" = "$want" ] || die "health: $got, cswitch: $want"
	# a CPU more in the second, none in it, or garbage: the readings, and said so
	for bad in 'version 15\ntimestamp 2\ncpu0 0 0 0 0 0 0 90 2500000000 9\n' '' 'version 15\ncpu0 1 2\n'; do
		printf "$bad" >"$b/proc/schedstat"
		run sb cswitch --root "$a" --root "$b" --no-tasks -o json
		[ "$status" -eq 2 ] || die "'$bad': exit $status"
		jq -e '[.findings[] | select(.check == "runqueue")][0] | .state == "CRITICAL" and .value == 4.5
			and (.text | test("averaged over 2 readings in 2.00s\\)$"))' <<<"$output"
	done
	rm "$b/proc/schedstat"
	run sb cswitch --root "$a" --root "$b" --no-tasks -o json
	jq -e '[.findings[] | select(.check == "runqueue")][0].value == 4.5' <<<"$output"
}

@test "live: more busy loops than CPUs make the run queue WARNING, averaged over the interval" {
	ncpu=$(grep -c '^cpu[0-9]' /proc/stat)
	pids=()
	for _ in $(seq $((3 * ncpu))); do
		timeout 20 sh -c 'while :; do :; done' &
		pids+=($!)
	done
	sleep 0.3
	run sb cswitch --no-tasks -i 1 -c runqueue=1000 -o json
	kill "${pids[@]}" 2>/dev/null || true
	wait "${pids[@]}" 2>/dev/null || true
	jq -e '[.findings[] | select(.check == "runqueue")][0] | .state == "WARNING" and .value > 2
		and (.text | test("(averaged over [0-9]+ readings in 1\\.[0-9]+s|time-averaged over 1\\.[0-9]+s from CPU busy time and /proc/schedstat.s run delay); srebox itself not counted"))' <<<"$output"
}

@test "D state: a thread is named with its wait channel, apart from procs_blocked; unreadable said" {
	root=$(cs_copy snap1)
	f=$root/proc/16602/task/16604/stat
	awk '{ $3 = "D"; print }' "$f" >"$f.new" && mv "$f.new" "$f"
	echo nfs_wait_bit_killable >"$root/proc/16602/task/16604/wchan"
	f=$root/proc/16606/task/16607/stat
	awk '{ $3 = "D"; print }' "$f" >"$f.new" && mv "$f.new" "$f"
	run sb cswitch --root "$root" -i 0 -o json
	jq -e '[.findings[] | select(.check == "dstate")][0] | .value == 2
		and (.text | test("^2 threads in D state \\(uninterruptible: block I/O, NFS, FUSE, locks\\): pingpong \\(pid 16602 thread 16604, in nfs_wait_bit_killable\\), .* \\(pid 16606 thread 16607, wchan missing\\)$"))' <<<"$output"
	# procs_blocked is its own figure: the tree's 0
	jq -e '[.findings[] | select(.check == "blocked")][0].text | startswith("0 tasks blocked on block I/O")' <<<"$output"
	jq -e '[.findings[] | select(.check == "load")][0].text | test("2 threads in D state: pingpong")' <<<"$output"
}

@test "live: the rest of srebox's pipeline is not ranked either" {
	cp "$(command -v cat)" "$BATS_TEST_TMPDIR/srebox-pipecat"
	"$SREBOX" cswitch -a -o json | "$BATS_TEST_TMPDIR/srebox-pipecat" >"$BATS_TEST_TMPDIR/out.json"
	jq -e '(.processes | length) > 0' "$BATS_TEST_TMPDIR/out.json"
	jq -e '[.processes[], .most_threads[] | select(.command == "srebox-pipecat")] | length == 0' \
		"$BATS_TEST_TMPDIR/out.json"
	# the same program outside the pipeline is ranked
	"$BATS_TEST_TMPDIR/srebox-pipecat" </dev/zero >/dev/null &
	other=$!
	sleep 0.2
	"$SREBOX" cswitch -a -o json | "$BATS_TEST_TMPDIR/srebox-pipecat" >"$BATS_TEST_TMPDIR/out.json"
	kill $other
	jq -e --argjson p $other '[.processes[] | select(.pid == $p)] | length == 1' "$BATS_TEST_TMPDIR/out.json"
	# each side of a longer pipeline, through the members between
	cp "$(command -v cat)" "$BATS_TEST_TMPDIR/srebox-pipecat2"
	"$BATS_TEST_TMPDIR/srebox-pipecat" </dev/null | "$SREBOX" cswitch -a -o json |
		"$BATS_TEST_TMPDIR/srebox-pipecat" | "$BATS_TEST_TMPDIR/srebox-pipecat2" >"$BATS_TEST_TMPDIR/out.json"
	jq -e '[.processes[], .most_threads[] | select(.command | startswith("srebox-pipecat"))] | length == 0' \
		"$BATS_TEST_TMPDIR/out.json"
}

@test "live: a process started with srebox but not piped to it is ranked" {
	# forked a millisecond apart by the same shell, as a pipeline's are:
	# only the pipes tell them apart
	cp "$(command -v cat)" "$BATS_TEST_TMPDIR/srebox-pipecat"
	"$SREBOX" cswitch -i 1 -a -o json >"$BATS_TEST_TMPDIR/out.json" &
	me=$!
	"$BATS_TEST_TMPDIR/srebox-pipecat" </dev/zero >/dev/null &
	other=$!
	# its exit status is its verdict (1 on a loaded machine): not a
	# failure, and the busy process must go whatever it was, or it holds
	# bats' output open and the suite never ends
	wait $me || true
	kill $other
	jq -e --argjson p $other '[.processes[] | select(.pid == $p)] | length == 1' "$BATS_TEST_TMPDIR/out.json" ||
		die "$(jq -c --argjson p $other '[.processes[] | select(.pid == $p)]' "$BATS_TEST_TMPDIR/out.json")"
}
