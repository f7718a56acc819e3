#!/usr/bin/env bats
# srebox retry: a command that fails N times then succeeds, delays within
# the bounds of each jitter mode (logged and measured), giving up with the
# last status, 124 on --timeout, signals passed on, a command that ignores
# SIGTERM, --on-exit/--on-signal, and exit 3 on bad options.

load lib

# A command that fails until its Nth run: flaky N DIR (counts in DIR/n,
# each start's time in DIR/t).
flaky() {
	cat >"$2/flaky" <<EOF
#!/bin/sh
date +%s.%N >>"$2/t"
n=\$(cat "$2/n" 2>/dev/null || echo 0)
n=\$((n + 1))
echo \$n >"$2/n"
echo "run \$n"
echo "err \$n" >&2
[ \$n -ge $1 ]
EOF
	chmod +x "$2/flaky"
}

@test "fails twice then succeeds: exit 0, three runs, output passed through" {
	d=$BATS_TEST_TMPDIR
	flaky 3 "$d"
	run --separate-stderr sb retry -d 50ms -n 5 -- "$d/flaky"
	[ "$status" -eq 0 ]
	[ "$(cat "$d/n")" -eq 3 ]
	[ "$output" = $'run 1\nrun 2\nrun 3' ] || die "$output"
	[ "$(grep -c '^err' <<<"$stderr")" -eq 3 ]
	[ "$(grep -c 'failed: exit 1' <<<"$stderr")" -eq 2 ] || die "$stderr"
	[[ $stderr == *"attempt 3 succeeded"* ]]
}

@test "gives up after --attempts with the last attempt's status" {
	run --separate-stderr sb retry -d 10ms -n 3 -- sh -c 'echo x; exit 42'
	[ "$status" -eq 42 ]
	[ "$output" = $'x\nx\nx' ]
	[[ $stderr == *"attempt 3/3 failed: exit 42"*"giving up (exit 42)"* ]] || die "$stderr"
	# a success at once logs nothing
	run --separate-stderr sb retry -- true
	[ "$status" -eq 0 ] && [ -z "$stderr" ]
}

# Each logged delay lies within the schedule's bounds for the mode, the
# bounds are the mode's, and the time between starts is at least the delay.
@test "delays: within each jitter mode's bounds, growing by the multiplier, capped" {
	for mode in band full equal none; do
		d=$BATS_TEST_TMPDIR/$mode
		mkdir -p "$d"
		flaky 6 "$d"
		run --separate-stderr sb retry -j "$mode" -d 40ms -x 2 -m 200ms -n 6 -- "$d/flaky"
		[ "$status" -eq 0 ] || die "$mode: $stderr"
		grep 'next in' <<<"$stderr" >"$d/log"
		python3 - "$mode" "$d/log" "$d/t" <<'PY'
import re, sys
mode, log, times = sys.argv[1], open(sys.argv[2]).read().splitlines(), [float(x) for x in open(sys.argv[3])]
assert len(log) == 5, log
lo_f, hi_f = {"band": (0.5, 1.5), "full": (0, 1), "equal": (0.5, 1), "none": (1, 1)}[mode]
for k, line in enumerate(log, 1):
    m = re.search(r"next in ([\d.]+)s \(backoff ([\d.]+) s, jitter (\w+): ([\d.]+)s-([\d.]+)s\)", line)
    assert m, line
    delay, backoff, lo, hi = float(m[1]), float(m[2]), float(m[4]), float(m[5])
    want = min(0.04 * 2 ** (k - 1), 0.2)
    assert abs(backoff - want) < 1e-9, (line, want)
    assert abs(lo - min(want * lo_f, 0.2)) < 1e-3 and abs(hi - min(want * hi_f, 0.2)) < 1e-3, line
    assert lo - 1e-3 <= delay <= hi + 1e-3, line
    gap = times[k] - times[k - 1]
    assert gap >= delay - 2e-3, (line, gap)
PY
	done
}

@test "--timeout stops a running attempt: exit 124, on time" {
	start=$(date +%s%N)
	run --separate-stderr sb retry -t 1 -- sleep 30
	[ "$status" -eq 124 ]
	[ $(( ($(date +%s%N) - start) / 1000000 )) -lt 5000 ]
	[[ $stderr == *"--timeout 1s reached"* ]] || die "$stderr"
	# no attempt starts after the deadline: the last status, not a wait
	start=$(date +%s%N)
	run --separate-stderr sb retry -t 1 -d 5s -- false
	[ "$status" -eq 1 ]
	[ $(( ($(date +%s%N) - start) / 1000000 )) -lt 1000 ]
	[[ $stderr == *"next would start after --timeout"* ]] || die "$stderr"
}

@test "--attempt-timeout: a hung attempt is a failure, retried" {
	d=$BATS_TEST_TMPDIR
	cat >"$d/hang-once" <<EOF
#!/bin/sh
[ -e "$d/ran" ] && exit 0
touch "$d/ran"
exec sleep 30
EOF
	chmod +x "$d/hang-once"
	run --separate-stderr sb retry --attempt-timeout 300ms -d 10ms -- "$d/hang-once"
	[ "$status" -eq 0 ]
	[[ $stderr == *"attempt 1/5 failed: timed out"* ]] || die "$stderr"
}

@test "signals sent to retry reach the command; TERM ends the retrying" {
	d=$BATS_TEST_TMPDIR
	cat >"$d/waiter" <<EOF
#!/bin/sh
trap 'echo usr1 >>"$d/got"' USR1
trap 'echo term >>"$d/got"; exit 1' TERM
echo ready >>"$d/ready"
while :; do sleep 0.05; done
EOF
	chmod +x "$d/waiter"
	"$SREBOX" retry -n 5 -d 10ms -- "$d/waiter" 2>"$d/err" 3>&- &
	pid=$!
	for _ in $(seq 100); do [ -e "$d/ready" ] && break; sleep 0.05; done
	kill -USR1 "$pid"
	for _ in $(seq 100); do grep -q usr1 "$d/got" 2>/dev/null && break; sleep 0.05; done
	kill -TERM "$pid"
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 143 ] || die "exit $rc: $(cat "$d/err")"
	[ "$(cat "$d/got")" = $'usr1\nterm' ] || die "$(cat "$d/got")"
	grep -q "got SIGTERM, passed on to the command (exit 1" "$d/err" || die "$(cat "$d/err")"
	[ "$(grep -c ready "$d/ready")" -eq 1 ]	# not retried
}

@test "a command that ignores SIGTERM is killed after --kill-after" {
	d=$BATS_TEST_TMPDIR
	cat >"$d/stubborn" <<EOF
#!/bin/sh
trap '' TERM
echo \$\$ >"$d/pid"
while :; do sleep 0.05; done
EOF
	chmod +x "$d/stubborn"
	"$SREBOX" retry -k 500ms -- "$d/stubborn" 2>"$d/err" 3>&- &
	pid=$!
	for _ in $(seq 100); do [ -s "$d/pid" ] && break; sleep 0.05; done
	start=$(date +%s%N)
	kill -TERM "$pid"
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 143 ] || die "exit $rc: $(cat "$d/err")"
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	[ "$ms" -ge 400 ] && [ "$ms" -lt 5000 ] || die "took ${ms}ms"
	grep -q "killed by SIGKILL" "$d/err" || die "$(cat "$d/err")"
	! kill -0 "$(cat "$d/pid")" 2>/dev/null
	# and on --timeout the same: TERM, then KILL, exit 124
	run --separate-stderr sb retry -t 300ms -k 300ms -- sh -c "trap '' TERM; while :; do sleep 0.05; done"
	[ "$status" -eq 124 ]
}

@test "--on-exit and --on-signal: only those are retried" {
	run --separate-stderr sb retry --on-exit 2 -d 10ms -- sh -c 'exit 3'
	[ "$status" -eq 3 ]
	[[ $stderr == *"exit 3 after"*"which --on-exit does not retry"* ]] || die "$stderr"
	run --separate-stderr sb retry --on-exit 1,75-80 -n 3 -d 10ms -- sh -c 'exit 77'
	[ "$status" -eq 77 ]
	[ "$(grep -c 'failed: exit 77' <<<"$stderr")" -eq 3 ]
	# a death by signal: 128+N, retried only when --on-signal names it
	run --separate-stderr sb retry --on-exit 1 -- sh -c 'kill -KILL $$'
	[ "$status" -eq 137 ]
	[[ $stderr == *"killed by SIGKILL"*"does not retry"* ]] || die "$stderr"
	run --separate-stderr sb retry --on-signal SIGKILL,segv -n 2 -d 10ms -- sh -c 'kill -KILL $$'
	[ "$status" -eq 137 ]
	[[ $stderr == *"attempt 2/2 failed: killed by SIGKILL"* ]] || die "$stderr"
}

@test "the command's own options are its own, with or without --" {
	run sb retry -- sh -c 'echo "$@"' x -o json -n 1
	[ "$status" -eq 0 ] && [ "$output" = "-o json -n 1" ]
	run sb retry -n 1 echo -n hi
	[ "$status" -eq 0 ] && [ "$output" = hi ]
}

@test "a command that cannot be run: 127 or 126, not retried" {
	run -127 --separate-stderr sb retry -d 10ms -- /nonexistent/cmd
	[ "$status" -eq 127 ] && [[ $stderr == *"cannot run '/nonexistent/cmd'"* ]]
	[ "$(grep -c 'cannot run' <<<"$stderr")" -eq 1 ]
	touch "$BATS_TEST_TMPDIR/noexec"
	run -126 --separate-stderr sb retry -- "$BATS_TEST_TMPDIR/noexec"
	[ "$status" -eq 126 ]
}

@test "bad options: exit 3 naming what was wrong, the command never run" {
	t=$BATS_TEST_TMPDIR/ran
	for args in "--on-exit 300" "--on-exit 5-2" "--on-exit x" "--on-signal FOO" "-x 0.5" \
		"-x nan" "--attempts 0" "-j bogus" "-d 0" "-d -1" "-t soon"; do
		# shellcheck disable=SC2086
		run --separate-stderr sb retry $args -- touch "$t"
		[ "$status" -eq 3 ] || die "$args: exit $status"
		[ -n "$stderr" ] || die "$args: no message"
		[ ! -e "$t" ] || die "$args: the command ran"
	done
	run --separate-stderr sb retry
	[ "$status" -eq 3 ] && [[ $stderr == *"no command"* ]]
	run --separate-stderr sb retry --on-signal FOO -- true
	[[ $stderr == *"'FOO' is not a signal"* ]]
}
