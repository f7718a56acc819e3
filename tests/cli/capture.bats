#!/usr/bin/env bats
# srebox capture and the replay of captures (--root FILE, --root DIR1
# --root DIR2).  Live tests create the condition they compare (a ping-pong
# pair, a filled tmpfs, a throttled cgroup, a FUSE mount that never
# answers), capture it, and check the replay against the applet run live
# over the same moments; the error tests build the bad archive themselves.

load lib
load hangfs

CS=$SREBOX_TESTS/fixtures/cswitch

teardown() {
	local f=$BATS_TEST_TMPDIR/undo
	[ -f "$f" ] || return 0
	tac "$f" | while read -r what arg; do
		case $what in
		kill) kill -9 "$arg" 2>/dev/null || true ;;
		umount) fusermount3 -u -z "$arg" 2>/dev/null || umount -l "$arg" 2>/dev/null || true ;;
		rmdir) for _ in 1 2 3 4 5; do rmdir "$arg" 2>/dev/null && break; sleep 0.2; done ;;
		rm) rm -rf -- "$arg" ;;
		esac
	done
	rm -f "$f"
}
undo() { echo "$*" >>"$BATS_TEST_TMPDIR/undo"; }

need_root() { [ "$(id -u)" -eq 0 ] || skip "needs root"; }

# capture [ARGS]: a capture of this machine into $BATS_TEST_TMPDIR/c.tar.gz
capture() {
	CAP=$BATS_TEST_TMPDIR/c.tar.gz
	run timeout 120 "$SREBOX" capture -o "$CAP" "$@"
	[ "$status" -eq 0 ] || die "capture: exit $status: $output"
}

# The check ids of the findings of the JSON report on stdin, sorted, unique.
check_ids() { jq -r '[.findings[].check] | unique | .[]'; }

# A tar.gz made by python from "NAME=TEXT" arguments, in order.
mk_tar() {
	local out=$1
	shift
	python3 - "$out" "$@" <<'PY'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w:gz") as t:
    for a in sys.argv[2:]:
        name, _, text = a.partition("=")
        if name.endswith("/"):
            i = tarfile.TarInfo(name.rstrip("/")); i.type = tarfile.DIRTYPE
            t.addfile(i)
            continue
        b = text.encode()
        i = tarfile.TarInfo(name); i.size = len(b)
        t.addfile(i, io.BytesIO(b))
PY
}

MANIFEST='{"format": "srebox-capture", "version": 1, "srebox": "0.1.0", "host": "h1",
 "snapshots": [{"dir": "0", "uptime_seconds": 10, "time": 1700000000},
 {"dir": "1", "uptime_seconds": 12, "time": 1700000002}]}'

# --- capture ------------------------------------------------------------------

@test "capture: one archive, manifest first, two snapshots by their uptimes, no environment or command line" {
	capture -i 0.5
	[[ $output == "wrote $CAP: $(cat /proc/sys/kernel/hostname), 2 snapshots "*" apart, "*" files, "*" kB; replay with srebox APPLET --root $CAP" ]] || die "$output"
	tar tzf "$CAP" >"$BATS_TEST_TMPDIR/list"
	[ "$(head -1 "$BATS_TEST_TMPDIR/list")" = manifest.json ]
	grep -qx '0/proc/stat' "$BATS_TEST_TMPDIR/list"
	grep -qx '1/proc/stat' "$BATS_TEST_TMPDIR/list"
	grep -qx '0/.srebox/fs' "$BATS_TEST_TMPDIR/list"
	# every process read: its stat, in both snapshots
	grep -qE '^0/proc/[0-9]+/stat$' "$BATS_TEST_TMPDIR/list"
	! grep -E '/(environ|cmdline)$|token|kubeconfig' "$BATS_TEST_TMPDIR/list" || die "secrets captured"
	tar xzf "$CAP" -C "$BATS_TEST_TMPDIR" manifest.json
	m=$BATS_TEST_TMPDIR/manifest.json
	jq -e --arg h "$(cat /proc/sys/kernel/hostname)" --arg k "$(uname -r)" --arg b "$(cat /proc/sys/kernel/random/boot_id)" \
		'.format == "srebox-capture" and .version == 1 and .host == $h and .kernel == $k
		and .boot_id == $b and .include_cmdline == false and (.snapshots | length) == 2
		and .snapshots[1].uptime_seconds - .snapshots[0].uptime_seconds >= 0.45
		and .snapshots[1].uptime_seconds - .snapshots[0].uptime_seconds < 5
		and .snapshots[0].files > 10 and (.unreadable | type) == "array"' "$m"
	# nothing left behind but the archive
	[ "$(ls -A "$BATS_TEST_TMPDIR" | grep -c srebox-capture)" -eq 0 ]
}

@test "capture --include-cmdline records the command lines, and says so in the manifest" {
	capture -i 0.2 --include-cmdline
	tar tzf "$CAP" | grep -qE '^0/proc/[0-9]+/cmdline$'
	tar xzOf "$CAP" manifest.json | jq -e '.include_cmdline == true'
}

@test "a capture that cannot be written: exit 3, the reason, no file (unwritable, full disk)" {
	need_root
	run sb capture -i 0.1 -o /proc/no/such/x.tar.gz
	[ "$status" -eq 3 ] && [[ $output == *"/proc/no/such"* ]] || die "$status: $output"
	d=$BATS_TEST_TMPDIR/full
	mkdir -p "$d"
	mount -t tmpfs -o size=64k srebox-test "$d"
	undo umount "$d"
	run sb capture -i 0.2 -o "$d/c.tar.gz"
	[ "$status" -eq 3 ] || die "$status: $output"
	[[ $output == *"nothing written"* ]] || die "$output"
	[ -z "$(ls -A "$d")" ] || die "left: $(ls -A "$d")"
}

@test "a capture killed on the way leaves nothing; one done replaces the old file whole; a dead writer's partial file goes" {
	d=$BATS_TEST_TMPDIR/out
	mkdir -p "$d"
	# SIGKILL runs no clean-up: the unnamed file (O_TMPFILE) dies with it
	"$SREBOX" capture -i 5 -o "$d/c.tar.gz" 2>/dev/null &
	pid=$!
	sleep 1
	kill -9 "$pid"
	wait "$pid" || true
	[ -z "$(ls -A "$d")" ] || die "left after SIGKILL: $(ls -A "$d")"
	# an older capture is replaced only once the new one is complete
	echo old >"$d/c.tar.gz"
	run sb capture -i 0.1 -o "$d/c.tar.gz"
	[ "$status" -eq 0 ] || die "$status: $output"
	tar xzOf "$d/c.tar.gz" manifest.json | jq -e '.snapshots | length == 2'
	[ "$(ls -A "$d")" = c.tar.gz ] || die "left: $(ls -A "$d")"
	# where O_TMPFILE is refused the hidden partial file names its writer:
	# the next capture removes a dead writer's, not a live one's
	sh -c 'exit 0' &
	dead=$!
	wait "$dead"
	touch "$d/.srebox-capture.partial.$dead.AbCdEf" "$d/.srebox-capture.partial.$$.AbCdEf"
	run sb capture -i 0.1 -o "$d/c2.tar.gz"
	[ "$status" -eq 0 ] || die "$status: $output"
	[ -e "$d/.srebox-capture.partial.$$.AbCdEf" ] || die "a live writer's partial file was removed"
	[ ! -e "$d/.srebox-capture.partial.$dead.AbCdEf" ] || die "a dead writer's partial file was kept"
}

@test "without O_TMPFILE: a killed capture leaves only a hidden partial file that is no capture, the next one removes it" {
	export SREBOX_TEST_NO_TMPFILE=1
	d=$BATS_TEST_TMPDIR/out
	mkdir -p "$d"
	"$SREBOX" capture -i 5 -o "$d/c.tar.gz" 2>/dev/null &
	pid=$!
	for _ in $(seq 50); do ls -A "$d" | grep -q . && break; sleep 0.1; done
	kill -9 "$pid"
	wait "$pid" || true
	left=$(ls -A "$d")
	[[ $left == ".srebox-capture.partial.$pid."* ]] || die "left after SIGKILL: $left"
	[ ! -e "$d/c.tar.gz" ] || die "a complete-looking file"
	run sb health --root "$d/$left"
	[ "$status" -eq 3 ] || die "the partial file replays: $status: $output"
	run sb capture -i 0.1 -o "$d/c.tar.gz"
	[ "$status" -eq 0 ] || die "$status: $output"
	[ "$(ls -A "$d")" = c.tar.gz ] || die "left: $(ls -A "$d")"
	tar xzOf "$d/c.tar.gz" manifest.json | jq -e '.snapshots | length == 2'
}

@test "a saved tree, which does not move, or one without an uptime, is not captured: exit 3, nothing written" {
	root=$(root_copy cswitch/snap1)
	run sb capture --root "$root" -i 0.1 -o "$BATS_TEST_TMPDIR/s.tar.gz"
	[ "$status" -eq 3 ] && [[ $output == *"/proc/uptime stayed "*"s between the snapshots (a saved tree, which does not move): a capture of it could not be replayed; nothing written"* ]] ||
		die "$status: $output"
	[ ! -e "$BATS_TEST_TMPDIR/s.tar.gz" ]
	rm -f "$root/proc/uptime"
	run sb capture --root "$root" -i 0.1 -o "$BATS_TEST_TMPDIR/s.tar.gz"
	[ "$status" -eq 3 ] && [[ $output == *"no readable /proc/uptime, so a replay could not tell the time between the snapshots: nothing written"* ]] ||
		die "$status: $output"
	[ ! -e "$BATS_TEST_TMPDIR/s.tar.gz" ]
	[ -z "$(ls -A "$BATS_TEST_TMPDIR" | grep -v '^root$')" ] || die "left: $(ls -A "$BATS_TEST_TMPDIR")"
}

@test "capture refuses a capture or a pair as its --root, and arguments" {
	run sb capture --root "$CS/snap1" --root "$CS/snap2"
	[ "$status" -eq 3 ] && [[ $output == *"not a capture or a pair"* ]] || die "$output"
	run sb capture extra
	[ "$status" -eq 3 ]
	run sb capture -i 0
	[ "$status" -eq 3 ]
	# -n N reports means nothing for one file: refused, not ignored, and not offered
	for n in "-n 3" "-i 1 -n 2" "--count=2"; do
		run sb capture $n -o "$BATS_TEST_TMPDIR/n.tar.gz"
		[ "$status" -eq 3 ] && [[ $output == *"-n: capture takes one pair of snapshots"* ]] || die "$n: $status: $output"
	done
	[ ! -e "$BATS_TEST_TMPDIR/n.tar.gz" ]
	run sb capture --help
	[[ $output != *"--count"* ]] || die "--help offers -n: $output"
	run sb cswitch --help
	[[ $output == *"--count"* ]] || die "cswitch lost -n"
}

# --- replay against live -----------------------------------------------------------

@test "every probe applet replays the capture: says it is one, of which host and when, the same checks as live" {
	capture -i 1
	host=$(cat /proc/sys/kernel/hostname)
	for a in health cswitch irq throttle disk io net cpu; do
		# disk reads once, as its replay does: with -i its fill check
		# would judge whatever else writes to the disk meanwhile
		if [ "$a" = disk ]; then run sb disk -o json; else run sb "$a" -o json -i 1; fi
		[ "$status" -le 2 ] || die "live $a: $status: $output"
		live=$(check_ids <<<"$output")
		run sb "$a" --root "$CAP" -o json
		[ "$status" -le 2 ] || die "replay $a: $status: $output"
		jq -e --arg h "$host" '.capture.host == $h and (.capture.taken | test("^20[0-9-]+T[0-9:]+Z$"))
			and (.note | test("a capture of " + $h))' <<<"$output" >/dev/null || die "$a: $output"
		# rates over the capture's interval, not since boot (disk reads once)
		[ "$a" = disk ] || jq -e '.since_boot == false and .interval_seconds > 0.9 and .interval_seconds < 3' \
			<<<"$output" >/dev/null || die "$a: $(jq -c '[.since_boot, .interval_seconds]' <<<"$output")"
		replayed=$(check_ids <<<"$output")
		[ "$live" = "$replayed" ] || die "$a: live checks $(echo $live) vs replayed $(echo $replayed)"
		# paths as on the node, never the directory it was unpacked in
		[[ $output != *srebox-replay* ]] || die "$a json: the unpacked copy's path: $output"
		run sb "$a" --root "$CAP"
		[[ $output == *"a capture of $host taken "* ]] || die "$a table: $output"
		[[ $output != *srebox-replay* ]] || die "$a table: the unpacked copy's path: $output"
	done
}

@test "a ping-pong pair: the replayed cswitch ranks it first, its rate within 20% of its own count between the snapshots" {
	# long enough to outlast the capture under ASan (it is killed after)
	"$TOOLS/pingpong" -d 60 -f "$BATS_TEST_TMPDIR/count" >/dev/null &
	pp=$!
	undo kill $pp
	for _ in $(seq 50); do [ -s "$BATS_TEST_TMPDIR/count" ] && break; sleep 0.1; done
	# its own count ("ROUND_TRIPS MONOTONIC_SECONDS") every 20 ms while the capture runs
	(while kill -0 $pp 2>/dev/null; do read -r l <"$BATS_TEST_TMPDIR/count" && echo "$l"; sleep 0.02; done) \
		>"$BATS_TEST_TMPDIR/samples" 2>/dev/null </dev/null 3>&- &
	sampler=$!
	undo kill $sampler
	capture -i 1
	kill $sampler 2>/dev/null || true
	# its rate between cswitch's readings in the two snapshots, by their
	# uptimes (the capture's clock of each applet; monotonic: no suspend here)
	u0=$(tar xzOf "$CAP" 0/.srebox/clock/cswitch | cut -d' ' -f1)
	u1=$(tar xzOf "$CAP" 1/.srebox/clock/cswitch | cut -d' ' -f1)
	own=$(python3 -c '
import sys
u0, u1 = float(sys.argv[2]), float(sys.argv[3])
pts = [tuple(map(float, l.split())) for l in open(sys.argv[1]) if len(l.split()) == 2]
def at(t):
    for (c0, t0), (c1, t1) in zip(pts, pts[1:]):
        if t0 <= t <= t1 and t1 > t0:
            return c0 + (c1 - c0) * (t - t0) / (t1 - t0)
    sys.exit("no sample around %.2f (samples %.2f..%.2f)" % (t, pts[0][1], pts[-1][1]))
print("%.0f" % (2 * (at(u1) - at(u0)) / (u1 - u0)))' "$BATS_TEST_TMPDIR/samples" "$u0" "$u1") || die "$own"
	echo "pingpong counted $own switches/s between the snapshots" >&2
	run sb cswitch --root "$CAP" -o json
	[ "$status" -le 2 ] || die "$output"
	# first, or after another test file's pair only (prove -j runs two
	# files at once, and cswitch.bats has one too)
	jq -e --argjson pid "$pp" '(.processes | map(.pid) | index($pid)) as $i
		| $i != null and .processes[$i].command == "pingpong"
		and all(.processes[0:$i][]; .command == "pingpong")' \
		<<<"$output" || die "$(jq -c '.processes[0:3]' <<<"$output")"
	jq -e --argjson pid "$pp" --argjson own "$own" '.processes[] | select(.pid == $pid)
		| .switches_per_second | (. > 0.8 * $own and . < 1.2 * $own)' <<<"$output" ||
		die "replayed $(jq --argjson pid "$pp" '.processes[] | select(.pid == $pid) | .switches_per_second' <<<"$output")/s vs $own/s"
}

@test "a filled tmpfs: the replayed disk finding is live's, state and text" {
	need_root
	d=$BATS_TEST_TMPDIR/fs
	mkdir -p "$d"
	mount -t tmpfs -o size=10M srebox-test "$d"
	undo umount "$d"
	dd if=/dev/zero of="$d/fill" bs=1k count=9800 status=none
	run sb disk -o json
	live=$(jq -c --arg m "$d" '[.findings[] | select(.subject == $m) | {check, state, text}]' <<<"$output")
	[[ $live == *'"state":"CRITICAL"'* ]] || die "live: $live"
	capture -i 0.2
	run sb disk --root "$CAP" -o json
	[ "$status" -eq 2 ] || die "$status: $output"
	got=$(jq -c --arg m "$d" '[.findings[] | select(.subject == $m) | {check, state, text}]' <<<"$output")
	[ "$got" = "$live" ] || die "replayed $got vs live $live"
}

@test "a throttled cgroup: the replayed throttle names it as live does" {
	need_root
	if [ -f /sys/fs/cgroup/cgroup.controllers ] && grep -qw cpu /sys/fs/cgroup/cgroup.controllers; then
		cg=/sys/fs/cgroup/srebox-capture-test-$$
		mkdir "$cg" || skip "cannot make a cgroup"
		undo rmdir "$cg"
		echo "10000 100000" >"$cg/cpu.max"
	elif [ -f /sys/fs/cgroup/cpu/cpu.cfs_quota_us ]; then
		cg=/sys/fs/cgroup/cpu/srebox-capture-test-$$
		mkdir "$cg" || skip "cannot make a cgroup"
		undo rmdir "$cg"
		echo 100000 >"$cg/cpu.cfs_period_us"
		echo 10000 >"$cg/cpu.cfs_quota_us"
	else
		skip "no cgroup cpu controller"
	fi
	# a busy loop of its own pid, ending by itself, its output not bats'
	bash -c 'echo $$ >"$1/cgroup.procs"; while [ $SECONDS -lt 20 ]; do :; done' _ "$cg" \
		</dev/null >/dev/null 2>&1 3>&- &
	undo kill $!
	sleep 1.5
	name=/${cg##*/}
	capture -i 1
	run sb throttle -o json -i 1
	jq -e --arg n "$name" '[.cgroups[] | select(.cgroup | endswith($n))][0].throttled_ratio > 0.5' \
		<<<"$output" || die "live: $(jq -c '.cgroups' <<<"$output")"
	run sb throttle --root "$CAP" -o json
	jq -e --arg n "$name" '[.cgroups[] | select(.cgroup | endswith($n))][0].throttled_ratio > 0.5' \
		<<<"$output" || die "replayed: $(jq -c '.cgroups' <<<"$output")"
	jq -e --arg n "$name" '[.findings[] | select(.check == "cfs_throttled")][0].state != "OK"' \
		<<<"$output" || die "replayed findings: $(jq -c '.findings' <<<"$output")"
}

@test "a FUSE mount that never answers: the capture does not hang, records it, and the replay says it is hung" {
	need_fuse
	export XDG_RUNTIME_DIR=$BATS_TEST_TMPDIR/xdg
	mkdir -m 700 "$XDG_RUNTIME_DIR"
	mnt=$BATS_TEST_TMPDIR/hung
	hangfs_start "$mnt"
	capture -i 0.5
	run sb disk --root "$CAP" -o json
	[ "$status" -eq 2 ] || die "$status: $output"
	jq -e --arg m "$mnt" '[.findings[] | select(.subject == $m)][0] | .state == "CRITICAL" and .check == "hung"
		and (.text | test("did not answer statfs"))' <<<"$output" || die "$(jq -c '.findings' <<<"$output")"
}

# mk_cap OUT DIR0 DIR1 [MANIFEST]: a capture archive of two trees, as srebox writes it
mk_cap() {
	local t=$BATS_TEST_TMPDIR/mkcap
	rm -rf "$t"
	mkdir -p "$t"
	cp -r "$2" "$t/0"
	cp -r "$3" "$t/1"
	printf '%s\n' "${4:-$MANIFEST}" >"$t/manifest.json"
	tar czf "$1" -C "$t" manifest.json 0 1
}

@test "a replayed capture's errors name the file and the path as on the node, not the unpacked copy" {
	t=$BATS_TEST_TMPDIR/t
	cp -r "$CS/snap2" "$t"
	rm "$t/proc/stat"
	c=$BATS_TEST_TMPDIR/c.tar.gz
	mk_cap "$c" "$CS/snap1" "$t" '{"format": "srebox-capture", "version": 1, "srebox": "0.1.0",
 "host": "h1", "snapshots": [{"dir": "0", "uptime_seconds": 3279.28, "time": 1700000000},
 {"dir": "1", "uptime_seconds": 3280.40, "time": 1700000002}]}'
	run --separate-stderr sb cswitch --root "$c"
	[ "$status" -eq 3 ] || die "$status: $output $stderr"
	[ "$stderr" = "srebox cswitch: $c:/proc/stat: missing" ] || die "stderr: $stderr"
	run --separate-stderr sb cswitch --root "$c" -o json
	[ "$status" -eq 3 ] || die "$status: $output"
	jq -e --arg c "$c" '.error == $c + ":/proc/stat: missing"' <<<"$output" || die "$output"
	[[ "$output$stderr" != *srebox-replay* ]] || die "$output $stderr"
}

# A node's / at $BATS_TEST_TMPDIR/node: this machine's /proc and /sys, and
# the files the test puts there (a runtime's socket, the kubelet's config).
node_tree() {
	NODE=$BATS_TEST_TMPDIR/node
	mkdir -p "$NODE/run/containerd" "$NODE/var/lib/kubelet"
	ln -s /proc "$NODE/proc"
	ln -s /sys "$NODE/sys"
}

# check, state and text of the findings, the root's prefix (the tree, or
# the capture's "FILE:") taken out of the text
findings_of() { jq -c --arg p "$1" '[.findings[] | {check, state, text: (.text | split($p) | join(""))}]'; }

@test "existence checks replay as live: a runtime's socket (listening, then refused), the kubelet's config without its token" {
	node_tree
	sock=$NODE/run/containerd/containerd.sock
	python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(8); time.sleep(30)' "$sock" &
	py=$!
	undo kill $py
	for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
	cat >"$NODE/var/lib/kubelet/config.yaml" <<-'EOF'
	apiVersion: kubelet.config.k8s.io/v1beta1
	kind: KubeletConfiguration
	evictionHard:
	  nodefs.available: "1%"
	staticPodURLHeader:
	  Authorization:
	  - Bearer s3cr3t-t0ken
	EOF
	run sb kubelet --root "$NODE" -o json
	live=$(findings_of "$NODE" <<<"$output" | jq -c '[.[] | select(.check == "runtime" or .check == "eviction") | {check, state}]')
	[[ $live == *'{"check":"runtime","state":"OK"}'* && $live == *'"eviction"'* ]] || die "live: $output"
	capture -i 0.2 --root "$NODE"
	run sb kubelet --root "$CAP" -o json
	got=$(findings_of "$CAP:" <<<"$output" | jq -c '[.[] | select(.check == "runtime" or .check == "eviction") | {check, state}]')
	[ "$got" = "$live" ] || die "replayed $got vs live $live"
	jq -e '[.findings[] | select(.check == "runtime")][0].text | test("/run/containerd/containerd.sock answers")' <<<"$output" \
		|| die "$output"
	# the config is in the capture, its token is not
	tar xzOf "$CAP" 0/var/lib/kubelet/config.yaml >"$BATS_TEST_TMPDIR/cfg"
	grep -q 'nodefs.available: "1%"' "$BATS_TEST_TMPDIR/cfg" || die "$(cat "$BATS_TEST_TMPDIR/cfg")"
	grep -q -- '- <redacted by srebox capture>' "$BATS_TEST_TMPDIR/cfg" || die "$(cat "$BATS_TEST_TMPDIR/cfg")"
	! tar xzOf "$CAP" | grep -a -q s3cr3t || die "the token is in the capture"
	# nobody listens any more: refused, live and replayed, in the same words
	kill $py
	for _ in $(seq 50); do python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).connect(sys.argv[1])' "$sock" 2>/dev/null || break; sleep 0.1; done
	run sb kubelet --root "$NODE" -o json
	live=$(findings_of "$NODE" <<<"$output" | jq -c '[.[] | select(.check == "runtime")]')
	[[ $live == *"connection refused"* ]] || die "live: $live"
	capture -i 0.2 --root "$NODE"
	run sb kubelet --root "$CAP" -o json
	got=$(findings_of "$CAP:" <<<"$output" | jq -c '[.[] | select(.check == "runtime")]')
	[ "$got" = "$live" ] || die "replayed $got vs live $live"
}

@test "disk --top replays the walk the capture made (sizes, not contents), and says a root it did not walk is not in it" {
	node_tree
	mkdir -p "$NODE/var/log/app"
	head -c 3000000 /dev/urandom >"$NODE/var/log/app/big.log"
	echo small >"$NODE/var/log/small"
	walk_of() { jq -c '{walked, top, files}'; }
	run sb disk --top --root "$NODE" -o json
	live=$(walk_of <<<"$output")
	jq -e '.walked | map(.path) == ["/var/lib/kubelet", "/var/log"]' <<<"$live" || die "live: $live"
	jq -e '.files[0].path == "/var/log/app/big.log" and .files[0].apparent_bytes == 3000000' <<<"$live" || die "live: $live"
	capture -i 0.2 --root "$NODE"
	# sizes only: no file's contents in the capture
	! tar tzf "$CAP" | grep -q 'var/log/app/big.log' || die "a walked file's contents captured"
	tar tzf "$CAP" | grep -qx '1/.srebox/walk' || die "the second snapshot has no walk"
	rm -rf "$NODE/var/log/app"	# the node changes: the replay is the capture's
	run sb disk --top --root "$CAP" -o json
	[ "$(walk_of <<<"$output")" = "$live" ] || die "replayed $(walk_of <<<"$output") vs live $live"
	run sb disk --top --root "$CAP"
	[[ $output == *"Walked when the capture was taken"* ]] || die "$output"
	run sb disk --top --root "$CAP" /opt -o json
	jq -e '[.findings[] | select(.check == "top")][0] | .state == "UNKNOWN"
		and (.text | test("/opt: not walked when the capture was taken \\(it walked /var/lib/kubelet, /var/log\\)"))' \
		<<<"$output" || die "$(jq -c '.findings' <<<"$output")"
}

@test "a process's owner replays as live (its /proc/PID's uid, by the captured /etc/passwd), not the replayer" {
	need_root
	command -v setpriv >/dev/null || skip "no setpriv"
	setpriv --reuid=65534 --regid=65534 --clear-groups bash -c 'echo $$ >&3; while [ $SECONDS -lt 15 ]; do :; done' \
		3>"$BATS_TEST_TMPDIR/pid" </dev/null >/dev/null 2>&1 &
	undo kill $!
	for _ in $(seq 50); do [ -s "$BATS_TEST_TMPDIR/pid" ] && break; sleep 0.1; done
	pid=$(cat "$BATS_TEST_TMPDIR/pid")
	name=$(getent passwd 65534 | cut -d: -f1)
	sleep 0.5
	run sb cpu -o json -i 0.5
	jq -e --argjson p "$pid" --arg n "$name" '[.by_cpu[] | select(.pid == $p)][0].user == $n' <<<"$output" \
		|| die "live: $(jq -c '.by_cpu[0:3]' <<<"$output")"
	capture -i 0.5
	run sb cpu --root "$CAP" -o json
	jq -e --argjson p "$pid" --arg n "$name" '[.by_cpu[] | select(.pid == $p)][0].user == $n' <<<"$output" \
		|| die "replayed: $(jq -c --argjson p "$pid" '[.by_cpu[] | select(.pid == $p)]' <<<"$output")"
}

# --- two plain trees ---------------------------------------------------------------

@test "--root DIR1 --root DIR2: rates are the counters' deltas over the trees' own uptime difference, exactly" {
	run sb cswitch --root "$CS/snap1" --root "$CS/snap2" -o json
	[ "$status" -le 2 ] || die "$output"
	want=$(awk '/^ctxt/ { if (a == "") a = $2; else b = $2 } END { printf "%.4f", (b - a) / (3280.40 - 3279.28) }' \
		"$CS/snap1/proc/stat" "$CS/snap2/proc/stat")
	jq -e --argjson w "$want" '(.system[0].context_switches_per_second - $w | fabs) < 0.001
		and (.interval_seconds - 1.12 | fabs) < 1e-9 and .since_boot == false
		and (.note | test("snapshots .*snap1 then .*snap2"))' <<<"$output" ||
		die "want $want: $(jq -c '[.system[0].context_switches_per_second, .interval_seconds]' <<<"$output")"
	forks=$(awk '/^processes/ { if (a == "") a = $2; else b = $2 } END { printf "%.4f", (b - a) / 1.12 }' \
		"$CS/snap1/proc/stat" "$CS/snap2/proc/stat")
	jq -e --argjson w "$forks" '(.system[0].forks_per_second - $w | fabs) < 0.001' <<<"$output"
	# -i 0: the first tree alone, since boot
	run sb cswitch --root "$CS/snap1" --root "$CS/snap2" -i 0 -o json
	jq -e '.since_boot == true' <<<"$output"
}

@test "two trees in the wrong order, without uptime, or three: a usage error naming the tree, exit 3" {
	run sb cswitch --root "$CS/snap2" --root "$CS/snap1"
	[ "$status" -eq 3 ] && [[ $output == *"snap1: its uptime (3279.28s) is not after the first snapshot's (3280.40s)"* ]] || die "$output"
	t=$BATS_TEST_TMPDIR/t
	cp -r "$CS/snap2" "$t"
	rm "$t/proc/uptime"
	run sb cswitch --root "$CS/snap1" --root "$t"
	[ "$status" -eq 3 ] && [[ $output == *"--root $t: no readable proc/uptime"* ]] || die "$output"
	run sb cswitch --root "$CS/snap1" --root "$CS/snap2" --root "$CS/snap2"
	[ "$status" -eq 3 ] && [[ $output == *"at most two"* ]] || die "$output"
}

@test "a second tree missing half its files: UNKNOWN naming what is missing, exit 3" {
	t=$BATS_TEST_TMPDIR/t
	cp -r "$CS/snap2" "$t"
	rm "$t/proc/stat" "$t/proc/loadavg"
	find "$t/proc" -mindepth 1 -maxdepth 1 -name '[0-9]*' | head -3 | xargs rm -rf
	run sb cswitch --root "$CS/snap1" --root "$t"
	[ "$status" -eq 3 ] || die "$status: $output"
	[[ $output == *"$t/proc/stat"* ]] || die "$output"
}

# --- bad archives ------------------------------------------------------------------

@test "a truncated capture: exit 3 naming the file, nothing on stdout" {
	capture -i 0.2
	size=$(stat -c %s "$CAP")
	head -c $((size / 2)) "$CAP" >"$BATS_TEST_TMPDIR/half.tar.gz"
	run --separate-stderr sb health --root "$BATS_TEST_TMPDIR/half.tar.gz"
	[ "$status" -eq 3 ] || die "$status: $output $stderr"
	[ -z "$output" ] || die "stdout: $output"
	[[ $stderr == *"--root $BATS_TEST_TMPDIR/half.tar.gz: "* ]] || die "$stderr"
	# and nothing unpacked is left behind (a TMPDIR of its own, in memory
	# as the default /dev/shm: unpacking to a loaded disk is slow)
	tmp=$(mktemp -d -p /dev/shm 2>/dev/null || mktemp -d)
	undo rm "$tmp"
	TMPDIR=$tmp run sb health --root "$BATS_TEST_TMPDIR/half.tar.gz"
	[ "$status" -eq 3 ] && [ -z "$(ls -A "$tmp")" ] || die "left: $(ls -A "$tmp")"
	# a whole one is unpacked there and removed at the end too
	TMPDIR=$tmp run sb irq --root "$CAP"
	[ "$status" -le 2 ] && [ -z "$(ls -A "$tmp")" ] || die "$status: left: $(ls -A "$tmp"): $output"
}

@test "not a capture: garbage, an empty file, a tar without a manifest first, a manifest not JSON" {
	head -c 5000 /dev/urandom >"$BATS_TEST_TMPDIR/g"
	: >"$BATS_TEST_TMPDIR/e"
	mk_tar "$BATS_TEST_TMPDIR/nm.tar.gz" "0/proc/stat=cpu 1 2 3"
	mk_tar "$BATS_TEST_TMPDIR/nj.tar.gz" "manifest.json={not json"
	for f in g e nm.tar.gz nj.tar.gz; do
		run --separate-stderr sb irq --root "$BATS_TEST_TMPDIR/$f"
		[ "$status" -eq 3 ] && [ -z "$output" ] || die "$f: $status: $output $stderr"
		[[ $stderr == *"--root $BATS_TEST_TMPDIR/$f"* ]] || die "$f: $stderr"
	done
	[[ $stderr == *"manifest.json: not JSON"* ]] || die "$stderr"
}

@test "a manifest from a newer srebox: a clear error naming it, exit 3" {
	mk_tar "$BATS_TEST_TMPDIR/new.tar.gz" \
		'manifest.json={"format": "srebox-capture", "version": 7, "srebox": "9.2.0", "snapshots": []}'
	run --separate-stderr sb health --root "$BATS_TEST_TMPDIR/new.tar.gz"
	[ "$status" -eq 3 ] && [ -z "$output" ] || die "$status: $output"
	[[ $stderr == *"written by srebox 9.2.0 in capture format 7; this srebox reads format 1 and older"* ]] || die "$stderr"
}

@test "a member outside the snapshots (../, absolute, a link): refused, exit 3" {
	mk_tar "$BATS_TEST_TMPDIR/esc.tar.gz" "manifest.json=$MANIFEST" "0/../../../tmp/x=evil"
	run sb health --root "$BATS_TEST_TMPDIR/esc.tar.gz"
	[ "$status" -eq 3 ] && [[ $output == *"outside the snapshots: refused"* ]] || die "$output"
	python3 - "$BATS_TEST_TMPDIR/ln.tar.gz" "$MANIFEST" <<'PY'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w:gz") as t:
    b = sys.argv[2].encode(); i = tarfile.TarInfo("manifest.json"); i.size = len(b); t.addfile(i, io.BytesIO(b))
    i = tarfile.TarInfo("0/proc"); i.type = tarfile.SYMTYPE; i.linkname = "/proc"; t.addfile(i)
PY
	run sb health --root "$BATS_TEST_TMPDIR/ln.tar.gz"
	[ "$status" -eq 3 ] && [[ $output == *"not a file or directory: refused"* ]] || die "$output"
}

# A gzip stream of N gzip members, each 1 MiB of zeros (a tar's data
# blocks), after the header of one member of SIZE bytes: GB of zeros in a
# file of a few MB, never written out.
zeros_tar() {
	python3 - "$@" <<'PY'
import gzip, sys, tarfile
out, members, mib_each = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
man = b'{"format": "srebox-capture", "version": 1, "snapshots": [{"dir": "0"}]}'
z = gzip.compress(b"\0" * (1 << 20), 1)
with open(out, "wb") as f:
    i = tarfile.TarInfo("manifest.json"); i.size = len(man)
    f.write(gzip.compress(i.tobuf(tarfile.GNU_FORMAT) + man + b"\0" * (512 - len(man) % 512), 1))
    for m in range(members):
        i = tarfile.TarInfo("0/zeros%d" % m); i.size = mib_each << 20
        f.write(gzip.compress(i.tobuf(tarfile.GNU_FORMAT), 1))
        for _ in range(mib_each):
            f.write(z)
    f.write(gzip.compress(b"\0" * 1024, 1))
PY
}

@test "2 GB of zeros: refused as a bomb, exit 3, without unpacking it" {
	zeros_tar "$BATS_TEST_TMPDIR/bomb.tar.gz" 1 2048
	[ "$(stat -c %s "$BATS_TEST_TMPDIR/bomb.tar.gz")" -lt 20000000 ]
	run --separate-stderr sb health --root "$BATS_TEST_TMPDIR/bomb.tar.gz"
	[ "$status" -eq 3 ] && [ -z "$output" ] || die "$status: $output $stderr"
	[[ $stderr == *"more than 256 MiB once unpacked"*"refused"* ]] || die "$stderr"
	# the same spread over members of 1 MiB each: the running count stops it
	zeros_tar "$BATS_TEST_TMPDIR/bomb2.tar.gz" 300 1
	run --separate-stderr sb health --root "$BATS_TEST_TMPDIR/bomb2.tar.gz"
	[ "$status" -eq 3 ] && [[ $stderr == *"more than 256 MiB once unpacked"* ]] || die "$status: $stderr"
}

@test "a capture with a snapshot missing: exit 3, the capture is incomplete" {
	mk_tar "$BATS_TEST_TMPDIR/one.tar.gz" "manifest.json=$MANIFEST" "0/proc/uptime=10.00 5.00"
	run sb cswitch --root "$BATS_TEST_TMPDIR/one.tar.gz"
	[ "$status" -eq 3 ] && [[ $output == *"snapshot 2"*"the capture is incomplete"* ]] || die "$output"
}

@test "kubelet from a capture asks neither this machine's systemd nor its healthz" {
	capture -i 0.2
	# a systemctl here that says the unit is active: a replay must not take it
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	printf '#!/bin/sh\necho ActiveState=active\necho LoadState=loaded\necho NRestarts=7\n' \
		>"$BATS_TEST_TMPDIR/bin/systemctl"
	chmod +x "$BATS_TEST_TMPDIR/bin/systemctl"
	PATH=$BATS_TEST_TMPDIR/bin:$PATH run sb kubelet --root "$CAP" -o json
	[ "$status" -le 2 ] || die "$output"
	jq -e '[.findings[] | select(.check == "kubelet")][0].text | test("not asked: a capture")' \
		<<<"$output" || die "$(jq -c '.findings[] | select(.check == "kubelet")' <<<"$output")"
	! grep -q 'NRestarts\|restarted 7' <<<"$output"
}
