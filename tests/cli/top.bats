#!/usr/bin/env bats
# srebox top: batch and JSON lines over fixture trees (the verdict and the
# findings are health's own), the recorder's bound and its crash and
# full-disk safety, replay; and the screen in a real terminal (tmux:
# send-keys, capture-pane) over conditions the tests create: a busy loop,
# a ping-pong context-switch storm, a CPU-throttled cgroup.

load lib
load cgroup
load tmux

PROCFS=$FIX/procfs

# A small tree of system files only: 2 CPUs, no processes.
mk_small() {
	local root=$BATS_TEST_TMPDIR/small
	mkdir -p "$root/proc" "$root/sys"
	printf 'cpu  2 0 2 100 0 0 0 0 0 0\ncpu0 1 0 1 50 0 0 0 0 0 0\ncpu1 1 0 1 50 0 0 0 0 0 0\nintr 2000 0 0\nctxt 10000\nbtime 1\nprocesses 500\nprocs_running 1\nprocs_blocked 0\n' \
		>"$root/proc/stat"
	echo "100.00 150.00" >"$root/proc/uptime"
	echo "0.10 0.10 0.10 1/200 999" >"$root/proc/loadavg"
	echo "$root"
}

# --- the terminal (tmux.bash) -------------------------------------------------

teardown() {
	tm_next
	for p in ${BUSY:-} ${PP:-}; do
		kill -KILL "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	cgroup_cleanup
	if [ -n "${MNT:-}" ]; then
		umount "$MNT" 2>/dev/null || true
	fi
}

# screen W H [ENV=V...] -- TOP-ARGS...: srebox top in a W x H terminal, with
# the terminal's settings saved before and after it, its exit status in $T/rc.
screen() {
	local w=$1 h=$2
	shift 2
	T=$BATS_TEST_TMPDIR
	local envs=()
	while [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	rm -f "$T/rc"
	{
		# an interactive shell is not in the terminal's foreground group:
		# Ctrl-C reaches srebox alone
		echo "trap '' INT"
		echo "stty -a >'$T/stty.before'"
		echo "echo \$\$ >'$T/shell.pid'"
		# the keys tmux sends are those of its own terminal type
		printf 'env TERM=screen-256color %s' "${envs[*]:-}"
		printf " '%s'" "$SREBOX" top "$@"
		echo
		echo "echo \$? >'$T/rc.tmp'; stty -a >'$T/stty.after'; mv '$T/rc.tmp' '$T/rc'"
		echo "sleep 120"
	} >"$T/screen.sh"
	tm_start "$w" "$h" "sh '$T/screen.sh'"
}

# The pid of srebox top inside the terminal.
top_pid() {
	local sh
	sh=$(cat "$T/shell.pid")
	ps -o pid= --ppid "$sh" | awk 'NR == 1 { print $1 }'
}

# Wait for srebox to end; its status in $rc.
# (30 s: with a ping-pong pair on both CPUs and the other test files
# running, a CI run saw more than 10 s; if it does not end, say where
# it is)
wait_exit() {
	local i
	for i in $(seq 150); do
		[ -f "$T/rc" ] && { rc=$(cat "$T/rc"); return 0; }
		sleep 0.2
	done
	echo "srebox top did not end:" >&2
	ps -eo pid,stat,wchan:32,etime,args | grep '[s]rebox top' >&2 || true
	cap >&2
	return 1
}

# stty -a as before srebox started (but the size, after a resize).
sane_tty() {
	diff <(sed 's/rows [0-9]*; columns [0-9]*;//' "$T/stty.before") \
		<(sed 's/rows [0-9]*; columns [0-9]*;//' "$T/stty.after") || die "stty -a changed"
}

# --- batch and JSON lines ----------------------------------------------------

@test "batch JSON over a saved tree: health's verdict and findings, one line a sample" {
	run sb top --root "$PROCFS" -b -o json -i 0.05 -n 2
	[ "$status" -eq 1 ]
	[ "$(wc -l <<<"$output")" -eq 2 ]
	head -1 <<<"$output" >"$BATS_TEST_TMPDIR/top.json"
	run sb health --root "$PROCFS" -i 0 -o json
	[ "$status" -eq 1 ]
	jq -c '[.state, [.findings[] | [.check, .state, .text]]]' <<<"$output" >"$BATS_TEST_TMPDIR/health"
	jq -c '[.state, [.findings[] | [.check, .state, .text]]]' "$BATS_TEST_TMPDIR/top.json" >"$BATS_TEST_TMPDIR/top"
	diff "$BATS_TEST_TMPDIR/health" "$BATS_TEST_TMPDIR/top"
	# the batch text prints the texts of findings not OK alone, but a
	# recording made beside it keeps every text, as JSON lines do
	sb top --root "$PROCFS" -b -i 0.05 -n 1 --record "$BATS_TEST_TMPDIR/rec" >/dev/null || true
	jq -c '[.state, [.findings[] | [.check, .state, .text]]]' "$BATS_TEST_TMPDIR/rec" >"$BATS_TEST_TMPDIR/recorded"
	diff "$BATS_TEST_TMPDIR/health" "$BATS_TEST_TMPDIR/recorded"
	# a saved tree does not move: figures since boot, and it says so
	jq -e '.interval_seconds == 0 and (.note | test("did not change"))' "$BATS_TEST_TMPDIR/top.json"
	# the panes hold the applets' own rows
	run sb cpu --root "$PROCFS" -i 0 -o json
	jq -c '[.by_memory[:5][] | .pid]' <<<"$output" >"$BATS_TEST_TMPDIR/cpu"
	jq -c '[.panes.mem[:5][] | .pid]' "$BATS_TEST_TMPDIR/top.json" | diff "$BATS_TEST_TMPDIR/cpu" -
	jq -e '(.cpus | length) == 9 and .cpus[0].cpu == "all" and (.node.cpus == 8)' "$BATS_TEST_TMPDIR/top.json"
}

@test "batch JSON: the interrupts pane's 25 rows have their affinity, and /proc/irq is read for those rows only" {
	command -v strace >/dev/null && strace -o /dev/null true 2>/dev/null || skip "no strace, or ptrace not allowed"
	root=$(root_copy node_exporter)
	# 40 device interrupts, the busiest the highest numbered, each with
	# its affinity files
	{
		echo "           CPU0       CPU1"
		for i in $(seq 1 40); do
			printf '%4d: %10d %10d  PCI-MSI %d-edge  dev%d\n' "$i" "$((i * 1000))" "$i" "$i" "$i"
			mkdir -p "$root/proc/irq/$i"
			echo "0-1" >"$root/proc/irq/$i/smp_affinity_list"
			echo "$((i % 2))" >"$root/proc/irq/$i/effective_affinity_list"
		done
		echo "LOC:  100  100  Local timer interrupts"
	} >"$root/proc/interrupts"
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		strace -f -e trace=openat -o "$BATS_TEST_TMPDIR/s" "$SREBOX" top --root "$root" -b -o json -i 0.01 -n 1 \
		>"$BATS_TEST_TMPDIR/j" || true
	jq -e '.panes.irq | length == 25 and .[0].irq == "40" and .[24].irq == "16"
		and all(.[]; .effective_affinity_list == ((.irq | tonumber) % 2 | tostring))' "$BATS_TEST_TMPDIR/j" ||
		die "$(jq -c '.panes.irq' "$BATS_TEST_TMPDIR/j")"
	n=$(grep -c 'effective_affinity_list' "$BATS_TEST_TMPDIR/s")
	[ "$n" -eq 25 ] || die "$n effective_affinity_list files opened for the 25 rows of one sample"
	# srebox irq itself still reads every row's
	run sb irq --root "$root" -i 0 -o json
	jq -e '[.interrupts[] | select(.irq | test("^[0-9]+$")) | .effective_affinity_list] | length == 40 and all(. != null)' <<<"$output"
}

@test "batch JSON: a pane's rows are the first rows of its applet's own ranking, ties and all" {
	root=$(root_copy node_exporter)
	# 40 processes whose switch counts tie in sevens, 40 interrupts and the
	# softirqs whose rates tie: top makes only the rows it keeps
	for p in $(seq 100 139); do
		mkdir -p "$root/proc/$p/task/$p"
		printf '%s (cs%s) S 1 %s %s 0 -1 4194560 0 0 0 0 3 3 0 0 20 0 1 0 50 1000000 100 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n' \
			"$p" "$p" "$p" "$p" >"$root/proc/$p/stat"
		printf 'Name:\tcs%s\nState:\tS (sleeping)\nTgid:\t%s\nThreads:\t1\nvoluntary_ctxt_switches:\t%s\nnonvoluntary_ctxt_switches:\t1\n' \
			"$p" "$p" "$(((p % 7) * 1000))" >"$root/proc/$p/status"
		cp "$root/proc/$p/stat" "$root/proc/$p/status" "$root/proc/$p/task/$p/"
	done
	{
		echo "           CPU0       CPU1"
		for i in $(seq 1 40); do
			printf '%4d: %10d %10d  PCI-MSI %d-edge  dev%d\n' "$i" "$(((i % 5) * 1000))" 0 "$i" "$i"
		done
	} >"$root/proc/interrupts"
	sb top --root "$root" -b -o json -i 0.01 -n 1 >"$BATS_TEST_TMPDIR/j" || true
	run sb cswitch --root "$root" -a -o json
	jq -c '[.processes[0:25][] | .pid]' <<<"$output" >"$BATS_TEST_TMPDIR/want"
	jq -c '[.panes.cswitch[] | .pid]' "$BATS_TEST_TMPDIR/j" >"$BATS_TEST_TMPDIR/got"
	[ "$(jq length "$BATS_TEST_TMPDIR/got")" -eq 25 ] || die "cswitch pane: $(cat "$BATS_TEST_TMPDIR/got")"
	diff "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got" || die "cswitch pane is not cswitch's first 25"
	run sb irq --root "$root" -a -o json
	jq -c '[.interrupts[0:25][] | .irq], [.softirqs[0:25][] | .softirq]' <<<"$output" >"$BATS_TEST_TMPDIR/want"
	jq -c '[.panes.irq[] | .irq], [.panes.softirq[] | .softirq]' "$BATS_TEST_TMPDIR/j" >"$BATS_TEST_TMPDIR/got"
	[ "$(head -n 1 "$BATS_TEST_TMPDIR/got" | jq length)" -eq 25 ] || die "irq pane: $(cat "$BATS_TEST_TMPDIR/got")"
	diff "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got" || die "irq panes are not irq's first rows"
	# the batch text keeps 5 a pane: the same first five
	sb top --root "$root" -b -i 0.01 -n 1 >"$BATS_TEST_TMPDIR/t" || true
	got=$(awk '/\[cswitch\]/ { on = 1; getline; next } /^  \[/ { on = 0 } on { print $1 }' "$BATS_TEST_TMPDIR/t" | paste -sd,)
	want=$(jq -r '[.panes.cswitch[0:5][] | .pid] | map(tostring) | join(",")' "$BATS_TEST_TMPDIR/j")
	[ "$got" = "$want" ] || die "batch text cswitch rows $got, JSON's first five $want"
}

@test "live: the task table is read by hand, without loading libproc2, and the panes still have their processes" {
	LD_DEBUG=files sb top -b -o json -i 0.2 -n 2 2>"$BATS_TEST_TMPDIR/dl" >"$BATS_TEST_TMPDIR/j" || true
	! grep -q 'file=libproc2.so.0' "$BATS_TEST_TMPDIR/dl" || die "top loaded libproc2"
	tail -n 1 "$BATS_TEST_TMPDIR/j" | jq -e '(.panes.mem | length) > 0 and all(.panes.mem[]; .pid > 0 and .command != null)' ||
		die "$(tail -n 1 "$BATS_TEST_TMPDIR/j" | jq -c '.panes.mem[0:3]')"
}

# runqueue of the last sample of `top -b -o json -i 1 -n 3` run by
# "$@" beside three busy loops a CPU: its text, with its value checked
busy_runqueue() {
	local ncpu rc
	ncpu=$(grep -c '^cpu[0-9]' /proc/stat)
	timeout 30 "$@" sh -c '
		pids=
		for i in $(seq '$((3 * ncpu))'); do (while :; do :; done) & pids="$pids $!"; done
		sleep 0.3
		"$0" top -b -o json -i 1 -n 3; rc=$?; kill $pids; exit $rc' "$SREBOX" \
		>"$BATS_TEST_TMPDIR/j" 2>"$BATS_TEST_TMPDIR/e" && rc=0 || rc=$?
	# the verdict's exit status: WARNING or worse, never a failure
	[ "$rc" -eq 1 ] || [ "$rc" -eq 2 ] || die "exit $rc: $(cat "$BATS_TEST_TMPDIR/e")"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/j")" -eq 3 ] || die "$(cat "$BATS_TEST_TMPDIR/j")"
	# about 3 runnable per CPU, however it was had
	tail -n 1 "$BATS_TEST_TMPDIR/j" | jq -er '[.findings[] | select(.check == "runqueue")][0] |
		select((.text | capture("(?<v>[0-9.]+) per CPU").v | tonumber) > 2 and .state != "OK") | .text' ||
		die "$(tail -n 1 "$BATS_TEST_TMPDIR/j" | jq -c '[.findings[] | select(.check == "runqueue")]')"
}

@test "live: busy loops make top's run queue WARNING, time-averaged or from readings, and it says which" {
	text=$(busy_runqueue env)
	[[ $text =~ (averaged\ over\ 6\ readings\ in\ 1\.[0-9]+s|time-averaged\ over\ 1\.[0-9]+s\ from\ CPU\ busy\ time\ and\ (each\ task.s|/proc/schedstat.s)\ run\ delay).*\;\ srebox\ itself\ not\ counted ]] ||
		die "$text"
}

@test "live: in a PID namespace, top's table is not every task's: their waits are not the node's" {
	[ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null || skip "needs root and unshare"
	text=$(busy_runqueue unshare --pid --fork --mount-proc)
	# the node's /proc/schedstat, else the readings; never the few tasks' waits
	[[ $text =~ (averaged\ over\ 6\ readings\ in\ 1\.[0-9]+s|/proc/schedstat.s\ run\ delay) ]] || die "$text"
	[[ $text != *"each task's run delay"* ]] || die "$text"
}

@test "live: top holds the node's files open between samples, and a pid taken by a new process is read afresh" {
	[ -w /proc/sys/kernel/ns_last_pid ] || skip "needs to set kernel.ns_last_pid (root)"
	T=$BATS_TEST_TMPDIR
	cp /bin/sh "$T/sbxheldold"
	cp /bin/sh "$T/sbxheldnew"
	"$T/sbxheldold" -c 'while :; do :; done' &
	BUSY=$!
	old=$BUSY
	"$SREBOX" top -b -o json -i 0.5 -n 12 >"$T/j" 2>"$T/err" &
	top=$!
	for i in $(seq 50); do [ "$(wc -l <"$T/j")" -ge 2 ] && break; sleep 0.1; done
	# held: its task files and the kernel's files are open (it had 3 at
	# start: stdin, stdout, stderr); two files a task, up to 1024 (a
	# machine of thousands of tasks has the rest opened each sample)
	nfd=$(ls "/proc/$top/fd" | wc -l)
	nproc_=$(ls -d /proc/[0-9]* | wc -l)
	want=$((nproc_ < 500 ? nproc_ : 500))
	[ "$nfd" -gt "$want" ] || die "top has $nfd files open for $nproc_ processes: none held?"
	kill -KILL "$old"
	wait "$old" 2>/dev/null || true
	BUSY=
	# the same pid for a new process: the held files of the old one must
	# not stand in for it
	for i in $(seq 40); do
		echo $((old - 1)) >/proc/sys/kernel/ns_last_pid
		"$T/sbxheldnew" -c 'while :; do :; done' &
		BUSY=$!
		[ "$BUSY" -eq "$old" ] && break
		kill -KILL "$BUSY"
		wait "$BUSY" 2>/dev/null || true
		BUSY=
	done
	[ -n "$BUSY" ] || skip "pid $old was taken by another process first"
	rc=0
	wait "$top" || rc=$?
	[ "$rc" -le 2 ] || die "top: exit $rc: $(cat "$T/err")"	# the verdict's
	# before: the old one; after: the new one by that pid, at one CPU (a
	# held file of the old one would give its name, or its CPU time
	# against the new one's start)
	jq -se --argjson p "$old" '
		([.[] | .panes.cpu[] | select(.pid == $p)] | map(.command) | index("sbxheldold") != null)
		and (last | .panes.cpu | map(select(.pid == $p))
		     | length == 1 and .[0].command == "sbxheldnew" and .[0].cpu_ratio > 0.5 and .[0].cpu_ratio < 1.1)' \
		"$T/j" || die "$(jq -c --argjson p "$old" '[.panes.cpu[] | select(.pid == $p)]' "$T/j")"
}

@test "batch text: the summary, the findings not OK, each pane's first rows; not a terminal means batch" {
	run sb top --root "$PROCFS" -i 0.05 -n 1
	[ "$status" -eq 1 ]
	[[ ${lines[0]} == *" WARNING: 18 of 40 checks need attention"* ]]
	[[ $output == *"  WARNING  hung_tasks: hung tasks: 6 since boot"* ]]
	[[ $output == *"  [mem] processes by memory"* ]]
	grep -Eq '^ +PID +%CPU +RSS +THR +CPU +USER' <<<"$output"
	# OK findings are not printed
	! grep -q '^  OK ' <<<"$output"
}

@test "bad options: a clear error, exit 3, nothing printed" {
	for args in "-o prom" "-o check" "--record-size 1K" "--record-size lots" "-t 10m ago" \
		"-i 0" "--textfile /tmp" "--replay $BATS_TEST_TMPDIR/none" "--replay x --record y" "stray"; do
		# shellcheck disable=SC2086
		run --separate-stderr sb top -b $args
		[ "$status" -eq 3 ] || die "$args: exit $status"
		[ -z "$output" ] || die "$args: printed $output"
		[[ $stderr == *top* ]] || die "$args: $stderr"
	done
	run --separate-stderr sb top -b -o prom
	[[ $stderr == *"it takes table json"* ]]
	run --separate-stderr sb top -b --replay "$BATS_TEST_TMPDIR/none"
	[[ $stderr == *"--replay $BATS_TEST_TMPDIR/none: No such file or directory"* ]]
}

@test "replay: garbage is no recording; a line cut by a crash is skipped and said" {
	head -c 3000 /dev/urandom >"$BATS_TEST_TMPDIR/junk"
	run --separate-stderr sb top --replay "$BATS_TEST_TMPDIR/junk" -b
	[ "$status" -eq 3 ]
	[[ $stderr == *"no samples in it"* ]]
	: >"$BATS_TEST_TMPDIR/empty"
	run --separate-stderr sb top --replay "$BATS_TEST_TMPDIR/empty" -b
	[ "$status" -eq 3 ]
	root=$(mk_small)
	sb top --root "$root" -b -o json -i 0.01 -n 3 --record "$BATS_TEST_TMPDIR/rec" >/dev/null || true
	# the crash: half a line at the end
	head -1 "$BATS_TEST_TMPDIR/rec" | head -c 500 >>"$BATS_TEST_TMPDIR/rec"
	run --separate-stderr sb top --replay "$BATS_TEST_TMPDIR/rec" -b -o json
	[[ $stderr == *"1 line not a sample (cut by a crash?), skipped"* ]]
	[ "${#lines[@]}" -eq 3 ]
}

@test "record: a ring of FILE and FILE.1 that never passes --record-size, every line whole" {
	root=$(mk_small)
	rec=$BATS_TEST_TMPDIR/rec
	run sb top --root "$root" -b -o json -i 0.001 -n 120 --record "$rec" --record-size 40K
	[ -f "$rec" ] && [ -f "$rec.1" ]
	size=$(($(stat -c %s "$rec") + $(stat -c %s "$rec.1")))
	[ "$size" -le 40960 ] || die "$size bytes"
	[ "$size" -gt 20000 ]
	cat "$rec.1" "$rec" | jq -e -s 'length > 5 and all(.[]; .state != null and .t > 0)
		and ([.[].t] == ([.[].t] | sort))'
	# the newest sample is the last line
	diff <(tail -1 <<<"$output") <(tail -1 "$rec")
}

@test "record: a full disk stops the recording, says so once, leaves it readable" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to mount a small tmpfs"
	MNT=$BATS_TEST_TMPDIR/full
	mkdir -p "$MNT"
	mount -t tmpfs -o size=64k tmpfs "$MNT" 2>/dev/null || { MNT=; skip "cannot mount tmpfs"; }
	root=$(mk_small)
	run --separate-stderr sb top --root "$root" -b -o json -i 0.001 -n 150 --record "$MNT/rec"
	[ "${#lines[@]}" -eq 150 ]
	[ "$(grep -c 'samples are not being kept' <<<"$stderr")" -eq 1 ] || die "$stderr"
	jq -e -s 'length > 3' "$MNT/rec"
	run --separate-stderr sb top --replay "$MNT/rec" -b -o json
	[ -z "$stderr" ] || die "$stderr"
}

@test "replay -b prints the recording as it was taken, -t jumps to a time" {
	root=$(mk_small)
	run sb top --root "$root" -b -o json -i 0.01 -n 4 --record "$BATS_TEST_TMPDIR/rec"
	echo "$output" >"$BATS_TEST_TMPDIR/taken"
	run sb top --replay "$BATS_TEST_TMPDIR/rec" -b -o json
	diff "$BATS_TEST_TMPDIR/taken" - <<<"$output"
	# a recording from another machine and time: samples a minute apart
	now=$(date +%s)
	jq -c --argjson now "$now" -s 'to_entries[] | .key as $i | .value
		| .t = ($now - 600 - 60 * (3 - $i) + 30) | .time = (.t | floor | todate)' \
		"$BATS_TEST_TMPDIR/rec" >"$BATS_TEST_TMPDIR/moved"
	third=$(sed -n 3p "$BATS_TEST_TMPDIR/moved" | jq -r .time)
	run sb top --replay "$BATS_TEST_TMPDIR/moved" -b -o json -t "$third"
	[ "${#lines[@]}" -eq 2 ]
	[ "$(jq -r .time <<<"${lines[0]}")" = "$third" ]
	# the samples are 12.5, 11.5, 10.5 and 9.5 minutes old
	run sb top --replay "$BATS_TEST_TMPDIR/moved" -b -o json -t "11m ago"
	[ "${#lines[@]}" -eq 2 ]
	run sb top --replay "$BATS_TEST_TMPDIR/moved" -b -o json -t "1h ago"
	[ "${#lines[@]}" -eq 4 ]
	run --separate-stderr sb top --replay "$BATS_TEST_TMPDIR/moved" -b -t "1m ago"
	[ "$status" -eq 3 ]
	[[ $stderr == *"the recording ends before that"* ]]
	run --separate-stderr sb top --replay "$BATS_TEST_TMPDIR/moved" -b -t "yesterday-ish"
	[ "$status" -eq 3 ]
	[[ $stderr == *"not a time"* ]]
}

# --- the screen -----------------------------------------------------------------

@test "screen 80x24: verdict, CPU strip, findings and a busy loop first in the cpu pane; q restores the terminal" {
	sh -c 'while :; do :; done' &
	BUSY=$!
	screen 80 24 -- -i 0.5
	wait_for '^ (OK|WARNING|CRITICAL|UNKNOWN) '
	wait_for '^load .* on [0-9]+ CPUs +run'
	wait_for '^PSI cpu'
	wait_for 'checks not OK'
	wait_for '1:cpu 2:mem 3:irq'
	# the busy loop is the first process row
	wait_for "processes by CPU"
	for _ in $(seq 30); do
		cap | awk '/^ +PID +%CPU/ { getline; print $1; exit }' | grep -qx "$BUSY" && break
		sleep 0.2
	done
	cap | awk '/^ +PID +%CPU/ { getline; print; exit }' | grep -E "^ +$BUSY +[0-9.]+% .* sh$" ||
		die "busy loop $BUSY not first: $(cap)"
	keys q
	wait_exit
	[ "$rc" -eq 0 ]
	sane_tty
}

@test "screen: a ping-pong context-switch storm tops the cswitch pane" {
	"$TOOLS/pingpong" -d 20 -f "$BATS_TEST_TMPDIR/count" >/dev/null &
	PP=$!
	screen 100 30 -- -i 0.5
	wait_for '1:cpu'
	keys 5
	wait_for 'busiest context switchers'
	# first, or after another test file's pair only (prove -j)
	first() {
		cap | awk -v pp="$PP" '/^ +PID +CS\/s/ { on = 1; next }
			on && $1 == pp && $NF == "pingpong" { ok = 1; exit }
			on && $NF != "pingpong" { exit }
			END { exit !ok }'
	}
	for _ in $(seq 30); do
		first && break
		sleep 0.2
	done
	first || die "pingpong $PP not first: $(cap)"
	keys q
	wait_exit
	sane_tty
}

@test "screen: a CPU-throttled cgroup tops the throttle pane, its finding in the list" {
	name=srebox-top.$$.$BATS_TEST_NUMBER
	throttled_loop "$name"
	screen 120 40 -- -i 0.5
	wait_for '1:cpu'
	keys 6
	wait_for 'most throttled cgroups'
	for _ in $(seq 30); do
		cap | awk '/^ +THROT/ { getline; print $NF; exit }' | grep -qx "/$name" && break
		sleep 0.2
	done
	cap | awk '/^ +THROT/ { getline; print; exit }' | grep -E "^ +(8[0-9]|9[0-9]|100)% .* /$name$" ||
		die "cgroup /$name not first: $(cap)"
	wait_for "WARNING +cfs: .*$name"
	keys q
	wait_exit
	sane_tty
}

@test "the fs pane: filling fastest first, a filesystem being filled with its rate and time to full, disk's verdict" {
	[ "$(id -u)" = 0 ] || skip "mounting a tmpfs needs root"
	MNT=$BATS_TEST_TMPDIR/fill
	mkdir "$MNT"
	mount -t tmpfs -o size=64m srebox-top-fill "$MNT" || { MNT=; skip "cannot mount a tmpfs"; }
	dd if=/dev/zero of="$MNT/base" bs=1M count=58 status=none
	# 32 KiB every 0.1 s (about 300 KiB/s, 3 MiB at most) while top samples
	sh -c 'i=0; while [ $i -lt 100 ]; do dd if=/dev/zero of="$1/f$i" bs=32k count=1 status=none; i=$((i+1)); sleep 0.1; done' _ "$MNT" &
	BUSY=$!
	run sb top -b -o json -n 2 -i 1
	# filling fastest first (the machine's other filesystems may fill too)
	jq -e '[.panes.fs[].fill_bytes_per_second // -1] | . == (sort | reverse)' <<<"${lines[1]}"
	jq -e --arg m "$MNT" '[.panes.fs[] | select(.mountpoint == $m)][0] | .fill_bytes_per_second > 0
		and .seconds_to_full > 0 and .avail_bytes > 0 and .fstype == "tmpfs"' <<<"${lines[1]}" ||
		die "$MNT not filling in the fs pane: $(jq -c .panes.fs <<<"${lines[1]}")"
	# the same verdict on it as srebox disk
	jq -c --arg m "$MNT" '[.findings[] | select(.text | contains($m)) | [.check, .state]]' <<<"${lines[1]}" \
		>"$BATS_TEST_TMPDIR/top"
	run sb disk -o json "$MNT"
	jq -c --arg m "$MNT" '[.findings[] | select(.text | contains($m)) | [.check, .state]]' <<<"$output" |
		diff - "$BATS_TEST_TMPDIR/top"
	grep -q '"space",' "$BATS_TEST_TMPDIR/top"
	run sb top -b -n 1 -i 0.5
	[[ $output == *"[fs] filesystems filling fastest, with time to full"* ]]
	[[ $output == *" tmpfs    $MNT"* ]]
}

@test "screen: only the pane shown is made; a pane chosen fills at the next sample, all of them with --record" {
	# a long interval: the first sample (at 0.5 s) is the one on the screen
	screen 160 40 -- -i 30
	wait_for '1:cpu'
	wait_for 'processes by CPU'
	wait_gone 'made at the next sample'
	keys 3
	wait_for '^interrupts by rate'
	wait_for 'made at the next sample'
	cap | grep -q 'LOC' && die "the interrupts pane was made while another was shown: $(cap)"
	# the interval halved down to the next sample: the pane fills
	keys - - - - - -
	wait_for 'LOC' 15
	keys q
	wait_exit
	tm_next
	# a recording keeps every pane: the one chosen has its rows at once
	screen 160 40 -- -i 30 --record "$BATS_TEST_TMPDIR/rec"
	wait_for 'processes by CPU'
	sleep 1
	keys 3
	wait_for '^interrupts by rate'
	wait_for 'LOC'
	keys q
	wait_exit
}

@test "screen: every key in the help does what it says" {
	sh -c 'while :; do :; done' &
	BUSY=$!
	screen 120 40 -- -i 0.5
	wait_for '1:cpu'
	keys '?'
	wait_for 'srebox top keys'
	# the help names every key tested here
	for k in "q  " "?  " "Tab, 1-9" "Left, Right" "s  " "r reverses" "/  " "c  " "p, space" "+ -" "Esc" \
		"n, ." "b, ," "N  " "t  " "Home, End"; do
		cap | grep -qF -- "$k" || die "help lacks '$k'"
	done
	keys x
	wait_gone 'srebox top keys'
	keys Tab
	wait_for '^processes by memory'
	keys 3
	wait_for '^interrupts by rate'
	keys Right
	wait_for '^softirqs by rate'
	keys Left Left
	wait_for '^processes by memory'
	keys 9
	wait_for '^TCP and UDP counters'
	keys 0
	wait_for '^filesystems filling fastest'
	keys 1
	wait_for '^processes by CPU, sorted by default'
	keys s
	wait_for 'sorted by PID$'
	keys s
	wait_for 'sorted by %CPU$'
	keys S
	wait_for 'sorted by PID$'
	keys r
	wait_for 'sorted by PID \(reversed\)'
	# sorted by PID, reversed: the smallest first
	# (both rows from one capture, again if it caught a redraw half done)
	for _ in $(seq 20); do
		read -r first second < <(cap | awk '/^ +PID +%CPU/ { getline; a = $1; getline; print a, $1; exit }')
		[[ $first =~ ^[0-9]+$ && $second =~ ^[0-9]+$ ]] && break
		sleep 0.1
	done
	[ "$first" -lt "$second" ] || die "reversed PID order: $first then $second"
	keys / s h Enter
	wait_for 'filter: sh'
	wait_for "^ +$BUSY .* sh"
	cap | awk '/^ +PID +%CPU/ { f = 1; next } f && /^ +[0-9]+ /' | grep -v sh && die "a row without sh"
	keys c 0 Enter
	wait_for 'CPUs: 0'
	# (a strip cell is "1      2% i0%"; "1 of 49 checks not OK" is not one)
	cap | grep -Eq '^(all|1) +[0-9.]+%' && die "CPU strip still shows other CPUs"
	# the prompt starts from the CPU set in force
	keys c x y Enter
	wait_for "not a CPU list: '0xy'"
	keys Escape
	wait_gone 'filter: sh'
	keys p
	wait_for ' PAUSED '
	t1=$(cap | head -1)
	sleep 1.2
	[ "$(cap | head -1)" = "$t1" ] || die "paused, yet the sample moved"
	keys space
	wait_gone 'PAUSED'
	keys +
	wait_for 'every 1s'
	keys - -
	wait_for 'every 0.25s'
	keys q
	wait_exit
	[ "$rc" -eq 0 ]
	sane_tty
}

@test "screen replay: step, jump to a time, next sample that is not OK, first and last" {
	root=$(mk_small)
	sb top --root "$root" -b -o json -i 0.01 -n 6 >"$BATS_TEST_TMPDIR/taken" || true
	# six samples a minute apart, all OK but the fifth
	jq -c -s 'to_entries[] | .key as $i | .value | .t = 1796000000 + 60 * $i
		| .time = (.t | todate) | .state = (if $i == 4 then "CRITICAL" else "OK" end)' \
		"$BATS_TEST_TMPDIR/taken" >"$BATS_TEST_TMPDIR/rec"
	screen 100 30 -- --replay "$BATS_TEST_TMPDIR/rec"
	wait_for 'sample 1/6'
	wait_for '^ OK +2026-11-30T00:53:20Z'
	keys n
	wait_for 'sample 2/6'
	keys .
	wait_for 'sample 3/6'
	keys b
	wait_for 'sample 2/6'
	keys ,
	wait_for 'sample 1/6'
	keys N
	wait_for 'sample 5/6'
	wait_for '^ CRITICAL '
	keys N
	wait_for 'no sample after this one is not OK'
	keys End
	wait_for 'sample 6/6'
	keys Home
	wait_for 'sample 1/6'
	keys space
	wait_for 'sample 2/6'
	keys t
	keys -l "$(sed -n 4p "$BATS_TEST_TMPDIR/rec" | jq -r .time)"
	keys Enter
	wait_for 'sample 4/6'
	keys q
	wait_exit
	sane_tty
}

@test "screen: a recording of a live run replays with the same verdict and findings" {
	"$TOOLS/pingpong" -d 20 -f "$BATS_TEST_TMPDIR/count" >/dev/null &
	PP=$!
	rec=$BATS_TEST_TMPDIR/rec
	sb top -b -o json -i 0.5 -n 3 --record "$rec" >"$BATS_TEST_TMPDIR/taken" || true
	run sb top --replay "$rec" -b -o json
	diff "$BATS_TEST_TMPDIR/taken" - <<<"$output"
	screen 200 50 -- --replay "$rec"
	wait_for 'sample 1/3'
	state=$(head -1 "$rec" | jq -r .state)
	wait_for "^ $state "
	# every finding that is not OK, as recorded
	head -1 "$rec" | jq -r '.findings[] | select(.state != "OK") | "\(.state) \(.check):"' |
		while read -r st check; do
			cap | grep -Eq "^ $st +$check" || die "$st $check not shown"
		done
	keys q
	wait_exit
	sane_tty
}

@test "screen: resize redraws; a terminal under 80x24 still shows the verdict and the worst findings" {
	screen 100 30 -- --root "$PROCFS" -i 0.5
	wait_for '1:cpu'
	TM resize-window -t t -x 60 -y 16
	wait_gone '1:cpu'
	wait_for '^ WARNING '
	wait_for '^ WARNING +hung_tasks: hung tasks'
	wait_for '18 of 40 checks not OK'
	TM resize-window -t t -x 120 -y 40
	wait_for '1:cpu 2:mem'
	keys q
	wait_exit
	sane_tty
}

@test "screen: colour by state, none with NO_COLOR, --color never or TERM=vt100" {
	screen 100 30 -- --root "$PROCFS" -i 0.5
	wait_for '1:cpu'
	cap -e | head -1 | grep -q $'\e\\[33m' || die "no yellow WARNING: $(cap -e | head -1 | cat -v)"
	keys q
	wait_exit
	tm_next
	for e in NO_COLOR=1 TERM=vt100; do
		screen 100 30 "$e" -- --root "$PROCFS" -i 0.5
		wait_for '1:cpu'
		wait_for '^ WARNING '
		! cap -e | grep -q $'\e\\[3[0-7]m' || die "$e: colour: $(cap -e | head -3 | cat -v)"
		keys q
		wait_exit
		sane_tty
		tm_next
	done
}

@test "screen: the terminal is restored after Ctrl-C, SIGTERM, SIGHUP and a fatal signal" {
	for how in C-c TERM HUP SEGV; do
		screen 80 24 -- -i 0.5
		wait_for '1:cpu'
		if [ "$how" = C-c ]; then
			keys C-c
		else
			kill -"$how" "$(top_pid)"
		fi
		wait_exit
		case $how in
		C-c | TERM | HUP) [ "$rc" -eq 0 ] || die "$how: exit $rc" ;;
		SEGV) [ "$rc" -eq 139 ] || die "$how: exit $rc" ;;
		esac
		sane_tty
		# the screen was left: the shell's own terminal again, cursor shown
		wait_gone '1:cpu'
		tm_next
	done
}

@test "screen: no terminal type is a clear error, and the terminal is left as it was" {
	screen 100 30 TERM=dumb -- -i 0.5
	wait_exit
	[ "$rc" -eq 3 ]
	wait_for 'TERM is dumb: the screen needs a terminal type; -b prints the samples'
	sane_tty
}

@test "screen: the CPU strip stays readable at 256 CPUs (a heat strip) and at 2 (a cell each)" {
	root=$BATS_TEST_TMPDIR/big
	mkdir -p "$root/proc" "$root/sys"
	python3 - "$root/proc/stat" <<'PY'
import sys
n = 256
with open(sys.argv[1], "w") as f:
    # CPU k is (k % 10) * 10% busy, since boot
    f.write("cpu  " + " ".join(str(x) for x in (sum((k % 10) * 10 for k in range(n)), 0, 0,
            sum(100 - (k % 10) * 10 for k in range(n)), 0, 0, 0, 0, 0, 0)) + "\n")
    for k in range(n):
        f.write(f"cpu{k} {(k % 10) * 10} 0 0 {100 - (k % 10) * 10} 0 0 0 0 0 0\n")
    f.write("intr 0\nctxt 0\nbtime 1\nprocesses 1\nprocs_running 1\nprocs_blocked 0\n")
PY
	echo "1000.00 2000.00" >"$root/proc/uptime"
	screen 100 30 -- --root "$root" -i 0.5
	wait_for '^CPUs '
	wait_for 'max of each group of CPUs'
	# two CPUs a character, the busier of each pair: 0-9 repeat as " .:-=+*#%@"
	cap | grep -E '^CPUs ' | grep -qF '.-+#@.-+#@' || die "heat strip: $(cap | grep -E '^CPUs ')"
	TM resize-window -t t -x 200 -y 40
	wait_for '^CPU  \.:-=\+\*#%@ \.:-=\+\*#%@'
	keys q
	wait_exit
	tm_next
	screen 100 30 -- --root "$(mk_small)" -i 0.5
	wait_for '^all +3\.8% i0% +s0% +0 +3\.8% i0% +s0% +1 +3\.8%'
	keys q
	wait_exit
}
