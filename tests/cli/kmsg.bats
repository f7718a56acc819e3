#!/usr/bin/env bats
# The kernel log's classes in health (issue 10): saved logs under --root
# (tests/fixtures/kmsg, times relative to the tree's /proc/uptime) for
# every class, recent and old; and live, a real segfault named, a fake
# "soft lockup" written by user space not believed, the kept scan thrown
# away when the log moves.  The machine's own log may hold old OOM kills
# or segfaults: the live tests look for what they made, never for an
# empty log.

load lib

setup() {
	ROOT=$(root_copy node_exporter)
	echo "5000.00 9000.00" >"$ROOT/proc/uptime"
	echo 32768 >"$ROOT/proc/sys/kernel/pid_max"
	echo 4194304 >"$ROOT/proc/sys/kernel/threads-max"
	mkdir -p "$ROOT/dev"
	cp "$FIX/kmsg/classes.kmsg" "$ROOT/dev/kmsg"
}

hj() { sb health --root "$ROOT" -i 0 -o json "$@"; }
# one check's finding
finding() { jq -c --arg c "$1" '[.findings[] | select(.check == $c)] | if length == 1 then .[0] else error("\(length) findings for \($c)") end'; }

@test "fixture: every class recent is its check's state, with counts, the newest's age and its culprit" {
	run hj
	[ "$status" -eq 2 ]
	j=$output
	f=$(finding kernel_lockup <<<"$j")
	jq -e '.state == "CRITICAL" and .value == 2
		and (.text | startswith("kernel lockups: 2 in the last 15m, 2 in the log (soft lockup 1, RCU stall 1); last 8m20s ago: RCU stall"))
		and .who == [{"kind": "process", "name": "stress-ng-cpu", "pid": 8121, "cgroup": null, "pod": null, "value": null, "unit": null}]' <<<"$f" || die "$f"
	f=$(finding kernel_mce <<<"$j")
	jq -e '.state == "CRITICAL" and .value == 1 and (.text | test("1 uncorrected memory error on MC1 CPU_SrcID#1_MC#1_Chan#0_DIMM#0"))
		and .who[0].kind == "device" and (.who[0].name | startswith("MC1"))' <<<"$f" || die "$f"
	# 1 machine check + 1 + 12 EDAC CE: past mcelog's 10 a day
	f=$(finding kernel_mce_corrected <<<"$j")
	jq -e '.state == "WARNING" and .value == 14
		and (.text | test("14 in the last 24h, 14 in the log \\(corrected machine check 1, corrected memory error \\(EDAC\\) 13\\)"))' <<<"$f" || die "$f"
	f=$(finding kernel_net <<<"$j")
	jq -e '.state == "WARNING" and .value == 2 and (.text | test("transmit timeout 1, link down 1"))
		and ([.who[] | .kind + ":" + .name] == ["interface:eth0", "interface:eth1"])' <<<"$f" || die "$f"
	f=$(finding kernel_conntrack <<<"$j")
	jq -e '.state == "CRITICAL" and .value == 2 and (.text | test("last 3m19s ago: conntrack table full"))' <<<"$f" || die "$f"
	f=$(finding kernel_synflood <<<"$j")
	jq -e '.state == "WARNING" and (.text | test("SYN flood on port 8080 \\(sending cookies\\)"))
		and .who[0].kind == "socket" and .who[0].name == "port 8080"' <<<"$f" || die "$f"
	# one segfault is the program's, not the node's
	f=$(finding kernel_segfault <<<"$j")
	jq -e '.state == "OK" and .value == 1 and (.text | test("last 100s ago: cc1 \\(pid 812\\) segfault in libc.so.6"))' <<<"$f" || die "$f"
	f=$(finding kernel_log <<<"$j")
	jq -e '.state == "OK" and (.text | test("26 records since boot, 8 at level err or worse; block I/O errors \\(judged by io_errors\\): sda 1 \\(last 10s ago\\)"))' <<<"$f" || die "$f"
}

@test "fixture: json and prom carry every class's figures, block I/O errors per device for io_errors" {
	run hj
	jq -e '[.kernel_log[] | select(.class == "soft_lockup")][0] == {"class": "soft_lockup", "check": "kernel_lockup",
		"device": "", "subject": "stress-ng-cpu", "recent": 1, "window_seconds": 900, "total": 1,
		"last_age_seconds": 600, "pid": 8121, "cpu": 3, "detail": "stuck for 22s"}' <<<"$output"
	jq -e '[.kernel_log[] | select(.class == "io_error")] == [{"class": "io_error", "check": "io_errors",
		"device": "sda", "subject": "sda", "recent": 1, "window_seconds": 900, "total": 1,
		"last_age_seconds": 10, "pid": null, "cpu": null, "detail": "I/O error"}]' <<<"$output"
	jq -e '[.kernel_log[] | select(.class == "edac_ce")][0] | .total == 13 and .subject == "MC0"' <<<"$output"
	jq -e '[.kernel_log[] | select(.class == "hard_lockup")][0] | .total == 0 and .last_age_seconds == null' <<<"$output"
	run sb health --root "$ROOT" -i 0 -o prom
	grep -qx 'srebox_health_kernel_log_messages_total{class="segfault",check="kernel_segfault",device=""} 1' <<<"$output"
	grep -qx 'srebox_health_kernel_log_messages_total{class="io_error",check="io_errors",device="sda"} 1' <<<"$output"
	grep -qx 'srebox_check_kernel_lockups_recent 2' <<<"$output" || grep -q '^srebox_check_kernel_lockups_recent{.*} 2$' <<<"$output"
}

@test "fixture: the newest kernel errors and classified messages, newest first, in the table and json" {
	run hj
	jq -e '.kernel_errors | length == 5
		and .[0] == {"age_seconds": 9.9995, "level": "err", "class": "",
			"message": "Buffer I/O error on dev sda1, logical block 0, async page read"}
		and .[1].class == "io_error" and .[1].age_seconds == 10
		and .[2].class == "segfault" and .[3].class == "syn_flood" and .[4].class == "conntrack_full"' <<<"$output"
	run sb health --root "$ROOT" -i 0
	grep -q '^newest kernel errors and classified messages$' <<<"$output"
	grep -Eq '^ +10s +err +io_error +I/O error, dev sda, sector 2048' <<<"$output"
	# a log without errors or classified messages: no table
	head -7 "$FIX/kmsg/classes.kmsg" | grep -v '^3,' >"$ROOT/dev/kmsg"
	run hj
	jq -e 'has("kernel_errors") | not' <<<"$output"
	run sb health --root "$ROOT" -i 0
	! grep -q 'newest kernel errors' <<<"$output"
}

@test "fixture: a day later every class is OK, with its history in the text" {
	echo "200000.00 9000.00" >"$ROOT/proc/uptime"
	run hj
	for c in kernel_lockup kernel_mce kernel_mce_corrected kernel_net kernel_conntrack kernel_synflood kernel_segfault; do
		f=$(finding $c <<<"$output")
		jq -e '.state == "OK" and .value == 0 and (.text | test(": 0 in the last (15m|24h), [0-9]+ in the log")) and (.text | test("last 2d[0-9]+h ago: ")) and has("who") == false' <<<"$f" || die "$f"
	done
	jq -e '[.findings[] | select(.check == "kernel_lockup")][0].text | test("2 in the log \\(soft lockup 1, RCU stall 1\\)")' <<<"$output"
}

@test "fixture: an empty log is OK everywhere; a missing one is one UNKNOWN with the reason" {
	echo '6,0,0,-;Linux version 6.1.0' >"$ROOT/dev/kmsg"
	run hj
	f=$(finding kernel_segfault <<<"$output")
	jq -e '.state == "OK" and .text == "no processes killed by segfaults or traps in the kernel log (1 record since boot)"' <<<"$f" || die "$f"
	rm "$ROOT/dev/kmsg"
	run hj
	jq -e '[.findings[] | select(.check | startswith("kernel_"))] | length == 1 and .[0].check == "kernel_log"
		and .[0].state == "UNKNOWN" and (.[0].text | test("dev/kmsg: missing; lockups, hardware errors, NIC errors, conntrack, SYN floods and segfaults not judged"))' <<<"$output"
	jq -e 'has("kernel_log") == false and has("kernel_errors") == false' <<<"$output"
}

@test "fixture: what user space wrote to /dev/kmsg (facility LOG_USER) is never classified" {
	cp "$FIX/kmsg/user.kmsg" "$ROOT/dev/kmsg"
	run hj
	[ "$status" -eq 0 ] || [ "$status" -eq 1 ]
	jq -e '[.findings[] | select(.check | startswith("kernel_")) | select(.state != "OK")] == []' <<<"$output"
	jq -e '[.kernel_log[] | select(.total > 0)] == []' <<<"$output"
	jq -e '[.findings[] | select(.check == "kernel_log")][0].text | test("0 at level err or worse, 4 written by user space \\(not classified\\)")' <<<"$output"
	jq -e 'has("kernel_errors") | not' <<<"$output"
}

@test "fixture: thresholds at their boundaries: 5 segfaults in 15m OK, 6 WARNING; 10 corrected errors a day OK, 11 WARNING; -w moves them" {
	{
		echo '6,0,0,-;Linux version 6.1.0'
		for i in 1 2 3 4 5; do echo "6,$i,49${i}0000000,-;app[10$i]: segfault at 0 ip 0 sp 0 error 4 in app[400000+1000]"; done
		# older than 15 minutes: history, not counted
		echo "6,9,4000000000,-;old[99]: segfault at 0 ip 0 sp 0 error 4 in old[400000+1000]"
		echo '4,10,4000000000,-;EDAC MC0: 10 CE memory read error on DIMM_A1 (channel:0)'
	} >"$ROOT/dev/kmsg"
	run hj
	jq -e '[.findings[] | select(.check == "kernel_segfault")][0] | .state == "OK" and .value == 5
		and (.text | test("5 in the last 15m, 6 in the log; last 2m30s ago: old \\(pid 99\\)") | not)' <<<"$output"
	jq -e '[.findings[] | select(.check == "kernel_mce_corrected")][0] | .state == "OK" and .value == 10' <<<"$output"
	echo "6,11,4960000000,-;app[106]: segfault at 0 ip 0 sp 0 error 4 in app[400000+1000]" >>"$ROOT/dev/kmsg"
	echo '4,12,4000000000,-;mce: [Hardware Error]: Machine check events logged' >>"$ROOT/dev/kmsg"
	run hj
	jq -e '[.findings[] | select(.check == "kernel_segfault")][0] | .state == "WARNING" and .value == 6
		and (.text | test("6 in the last 15m, 7 in the log; last 40s ago: app \\(pid 106\\) segfault in app"))
		and .who[0].name == "app" and .who[0].pid == 106' <<<"$output"
	jq -e '[.findings[] | select(.check == "kernel_mce_corrected")][0] | .state == "WARNING" and .value == 11' <<<"$output"
	run hj -w kernel_segfault=10
	jq -e '[.findings[] | select(.check == "kernel_segfault")][0].state == "OK"' <<<"$output"
}

@test "fixture: more messages than the ring of times holds: a lower bound, said with a +" {
	{
		echo '6,0,0,-;Linux version 6.1.0'
		for i in $(seq 1 40); do echo "4,$i,$((4800 + i))000000,-;nf_conntrack: table full, dropping packet"; done
	} >"$ROOT/dev/kmsg"
	run hj
	jq -e '[.findings[] | select(.check == "kernel_conntrack")][0] | .state == "CRITICAL" and .value == 32
		and (.text | startswith("conntrack table full: 32+ in the last 15m, 40 in the log; last 2m40s ago"))' <<<"$output"
}

@test "fixture: hostile records (huge, cut, control bytes, garbage) are survived and the rest still classified" {
	{
		echo '6,0,0,-;Linux version 6.1.0'
		printf '3,1,4900000000,-;%s\n' "$(head -c 100000 /dev/zero | tr '\0' 'x')"
		printf '3,2,4900000001,-;NETDEV WATCHDOG: \x01\x02\x1b[31m (drv): transmit queue 0 timed out\n'
		echo 'garbage without fields'
		echo '99999999999999999999999,3,4,-;x'
		echo '0,4,4950000000,-;watchdog: BUG: soft lockup - CPU#'
		printf '6,5,4960000000,-;TCP: Possible SYN flooding on port'
	} >"$ROOT/dev/kmsg"
	run hj
	[ "$status" -le 2 ]
	jq -e '[.findings[] | select(.check == "kernel_lockup")][0] | .state == "CRITICAL" and (.text | test("last 50s ago: soft lockup$"))' <<<"$output"
	jq -e '[.findings[] | select(.check == "kernel_net")][0].state == "WARNING"' <<<"$output"
	jq -e '[.kernel_errors[] | .message | length] | max <= 200' <<<"$output"
	jq -e '[.kernel_errors[] | .message | test("[\u0000-\u001f]")] | any | not' <<<"$output"
}

# The live machine's log: readable at all (root, or dmesg_restrict=0)?
live_log() {
	[ "$(id -u)" -eq 0 ] || [ "$(cat /proc/sys/kernel/dmesg_restrict 2>/dev/null)" = 0 ] ||
		skip "the kernel log is not readable here (not root, kernel.dmesg_restrict=1)"
	dmesg >/dev/null 2>&1 || skip "the kernel log is not readable here: $(dmesg 2>&1 | head -1)"
}

@test "live: a process that segfaults is a classified finding naming it, even with a kept scan" {
	live_log
	t=$(cat /proc/sys/debug/exception-trace 2>/dev/null || echo "")
	[ -n "$t" ] || skip "no debug.exception-trace here (not x86): the kernel may not log user faults"
	[ "$t" != 0 ] || skip "debug.exception-trace is 0: the kernel does not log user segfaults"
	export XDG_RUNTIME_DIR=$BATS_TEST_TMPDIR
	sb health -i 0 -o json >/dev/null || true	# keeps the scan
	[ -s "$XDG_RUNTIME_DIR/srebox-kmsg.cache" ] || die "no scan kept"
	"$TOOLS/segv" 2>/dev/null &
	pid=$!
	wait $pid || true
	# printk_ratelimit may drop the message when other faults just happened
	dmesg | grep -q "segv\[$pid\]: segfault at" || skip "the kernel did not log it (rate-limited?)"
	run sb health -i 0 -o json
	[ "$status" -le 2 ] || die "exit $status"
	jq -e --argjson pid "$pid" '[.kernel_log[] | select(.class == "segfault")][0] | .subject == "segv" and .pid == $pid
		and .recent >= 1 and .last_age_seconds < 60' <<<"$output" || die "$(jq -c '.kernel_log' <<<"$output")"
	jq -e --arg pid "$pid" '[.findings[] | select(.check == "kernel_segfault")][0]
		| .text | test("last [0-9.]+s ago: segv \\(pid " + $pid + "\\) segfault in segv")' <<<"$output"
	jq -e --argjson pid "$pid" '[.kernel_errors[] | select(.class == "segfault" and (.message | startswith("segv[\($pid)]: segfault at")))] | length == 1' <<<"$output"
}

# The sequence number of the newest record (Documentation/ABI/testing/dev-kmsg).
newest_seq() { dd if=/dev/kmsg iflag=nonblock bs=8192 2>/dev/null | tail -1 | cut -d, -f2; }

@test "live: a long run walks the ring once while the log stands still, and sees a segfault that comes during it" {
	live_log
	t=$(cat /proc/sys/debug/exception-trace 2>/dev/null || echo "")
	[ -n "$t" ] && [ "$t" != 0 ] || skip "the kernel does not log user segfaults here (debug.exception-trace)"
	command -v strace >/dev/null && strace -o /dev/null true 2>/dev/null || skip "no strace, or ptrace not allowed"
	export XDG_RUNTIME_DIR=$BATS_TEST_TMPDIR
	d=$BATS_TEST_TMPDIR
	seq0=$(newest_seq)
	[ -n "$seq0" ] || skip "/dev/kmsg cannot be read here"
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		strace -f -e trace=syslog -o "$d/s" "$SREBOX" health -i 0.3 -n 16 -o json >"$d/j" 2>"$d/e" &
	sb_pid=$!
	# a few samples in, a segfault
	# (one pretty-printed report a sample: its "time" at the top level)
	for _ in $(seq 100); do [ "$(grep -c '^  "time"' "$d/j")" -ge 3 ] && break; sleep 0.1; done
	"$TOOLS/segv" 2>/dev/null &
	pid=$!
	wait $pid || true
	wait $sb_pid || true
	seq1=$(newest_seq)
	[ "$(jq -s length "$d/j")" -eq 16 ] || die "$(jq -s length "$d/j") samples: $(cat "$d/e")"
	if dmesg | grep -q "segv\[$pid\]: segfault at"; then
		# the last sample has it, named
		jq -s -e --argjson pid "$pid" '.[-1] | [.kernel_log[] | select(.class == "segfault")][0]
			| .subject == "segv" and .pid == $pid' "$d/j" >/dev/null || die "$(jq -s -c '.[-1].kernel_log' "$d/j")"
	fi
	# syslog(2) READ_ALL: the tail key and the scan, once for the first
	# sample and once for each record that came (this machine's own too),
	# not once a sample
	n=$(grep -c 'SYSLOG_ACTION_READ_ALL' "$d/s" || true)
	came=$((seq1 - seq0))
	[ "$n" -ge 1 ] || die "the log was never read"
	[ "$n" -le $((2 * (came + 1))) ] || die "$n whole-ring reads for 16 samples and $came new records"
	[ "$came" -ge 7 ] || [ "$n" -lt 16 ] || die "$n whole-ring reads for 16 samples and $came new records"
}

@test "live: a 'soft lockup' written to /dev/kmsg by user space is not reported" {
	live_log
	[ -w /dev/kmsg ] || skip "/dev/kmsg is not writable here"
	export XDG_RUNTIME_DIR=$BATS_TEST_TMPDIR
	comm=sbxfake$$
	# a priority that asks for the kernel's facility: the kernel makes it LOG_USER
	echo "<0>watchdog: BUG: soft lockup - CPU#0 stuck for 99s! [$comm:$$]" >/dev/kmsg
	dmesg -r | grep -q "$comm" || skip "the message did not reach the log"
	run sb health -i 0 -o json
	[ "$status" -le 2 ] || die "exit $status"
	jq -e --arg c "$comm" '[.findings[] | select(.text | contains($c))] == []' <<<"$output"
	jq -e --arg c "$comm" '[.kernel_log[] | select(.subject == $c)] == []' <<<"$output"
	jq -e --arg c "$comm" '[.kernel_errors // [] | .[] | select(.message | contains($c))] == []' <<<"$output"
	jq -e '[.findings[] | select(.check == "kernel_log")][0].text | test("[1-9][0-9]* written by user space")' <<<"$output"
}

@test "live: the kept scan is used while the log stands still and thrown away when it moves" {
	live_log
	command -v strace >/dev/null && strace -o /dev/null true 2>/dev/null || skip "no strace, or ptrace not allowed"
	[ -w /dev/kmsg ] || skip "/dev/kmsg is not writable here"
	export XDG_RUNTIME_DIR=$BATS_TEST_TMPDIR
	t=$BATS_TEST_TMPDIR
	# a whole-log read: READ_ALL of the ring's size, not of the tail key's 4000 bytes
	full() { grep 'SYSLOG_ACTION_READ_ALL' "$1" | grep -vq ', 4000) = '; }
	strace -f -e trace=syslog -o "$t/s1" "$SREBOX" health -i 0 -o json >/dev/null || true
	grep -q 'SYSLOG_ACTION_READ_ALL' "$t/s1" || skip "the kernel log cannot be read through syslog(2) here"
	strace -f -e trace=syslog -o "$t/s2" "$SREBOX" health -i 0 -o json >/dev/null || true
	# the machine is shared: another test may log meanwhile; then read again, rightly
	if ! full "$t/s2"; then
		grep -q ', 4000) = ' "$t/s2" || die "no tail key read"
	fi
	echo "<6>srebox kmsg.bats moves the log $$" >/dev/kmsg
	strace -f -e trace=syslog -o "$t/s3" "$SREBOX" health -i 0 -o json >/dev/null || true
	full "$t/s3" || die "the log moved but the kept scan was used: $(cat "$t/s3")"
}

@test "fixture: an OOM kill or hung task written by user space is not taken for the kernel's" {
	sed -i 's/^oom_kill .*/oom_kill 1/' "$ROOT/proc/vmstat"
	echo 1 >"$ROOT/proc/sys/kernel/hung_task_detect_count"
	{
		echo '6,0,0,-;Linux version 6.1.0'
		echo '11,1,4900000000,-;Out of memory: Killed process 4242 (fake) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB'
		echo '11,2,4900000001,-;INFO: task fakehung:77 blocked for more than 120 seconds.'
	} >"$ROOT/dev/kmsg"
	run hj
	jq -e '[.findings[] | select(.check == "oom")][0].text | test("when unknown") and (test("fake") | not)' <<<"$output"
	jq -e '[.findings[] | select(.check == "hung_tasks")][0].text | test("when unknown") and (test("fakehung") | not)' <<<"$output"
}

@test "fixture: without an uptime every message is counted as recent, when unknown, never hidden" {
	rm "$ROOT/proc/uptime"
	run hj
	f=$(finding kernel_segfault <<<"$output")
	jq -e '.value == 1 and (.text | test("last when unknown \\(uptime unknown; counted as recent\\): cc1 \\(pid 812\\)"))' <<<"$f" || die "$f"
	jq -e '[.findings[] | select(.check == "kernel_lockup")][0] | .state == "CRITICAL" and .value == 2' <<<"$output"
	jq -e '.kernel_errors[0] | .age_seconds == null and .unknown.age_seconds == "uptime unknown"' <<<"$output"
}
