#!/usr/bin/env bats
# srebox disk on this machine, where each test creates the condition it
# detects (tmpfs and loop filesystems filled past the thresholds, out of
# inodes, a deleted file held open, an ext4 error, a FUSE server that never
# answers statfs), against df, du and check_disk, and over fixture trees.

load lib
load hangfs

CHECK_DISK=/usr/lib/nagios/plugins/check_disk

need_root() {
	[ "$(id -u)" -eq 0 ] || skip "needs root to mount filesystems"
}

# Everything a test mounts or starts is undone, even when it fails.
teardown() {
	local f=$BATS_TEST_TMPDIR/undo
	[ -f "$f" ] || return 0
	tac "$f" | while read -r what arg; do
		case $what in
		kill) kill -9 "$arg" 2>/dev/null || true ;;
		umount)
			fusermount3 -u -z "$arg" 2>/dev/null || umount -l "$arg" 2>/dev/null || true ;;
		loop) losetup -d "$arg" 2>/dev/null || true ;;
		rm) rm -rf -- "$arg" ;;
		esac
	done
	rm -f "$f"
}
undo() { echo "$*" >>"$BATS_TEST_TMPDIR/undo"; }

# mk_tmpfs NAME SIZE [OPTIONS]: a tmpfs at $BATS_TEST_TMPDIR/NAME
mk_tmpfs() {
	local d=$BATS_TEST_TMPDIR/$1
	mkdir -p "$d"
	mount -t tmpfs -o "size=$2${3:+,$3}" srebox-test "$d"
	undo umount "$d"
	echo "$d"
}

# fill DIR KIB: a file of KIB KiB
fill() { dd if=/dev/zero of="$1/fill.$2" bs=1k count="$2" status=none; }

# holding PID FILE: wait until the background PID has FILE open on its fd 3
# (the redirection is made in the child, after the fork: removing the file
# before it would leave nothing to hold)
holding() {
	local i
	for i in $(seq 250); do
		[ "$(readlink "/proc/$1/fd/3" 2>/dev/null)" = "$2" ] && return 0
		sleep 0.02
	done
	die "pid $1 did not open $2"
}

# srebox's finding of check $2 about subject $1 in the JSON on stdin
finding() { jq -r --arg s "$1" --arg c "$2" '[.findings[] | select(.subject == $s and .check == $c)][0].state'; }

@test "a filesystem filled past 15% then 10% free: WARNING then CRITICAL, like check_disk -w 15% -c 10%" {
	need_root
	fs=$(mk_tmpfs fs 10M)
	for kib in 5000 8800 9500; do
		rm -f "$fs"/fill.*
		fill "$fs" $kib
		run sb disk "$fs" -o check
		st=$status
		want=$(case $kib in 5000) echo 0 ;; 8800) echo 1 ;; 9500) echo 2 ;; esac)
		[ "$st" -eq "$want" ] || die "$kib KiB: exit $st, want $want: $output"
		[ "$kib" = 5000 ] || [[ $output == *"$fs: "*" free"* ]] || die "$output"
		run timeout 20 "$CHECK_DISK" -w 15% -c 10% -p "$fs"
		[ "$status" -eq "$st" ] || die "check_disk exit $status, srebox $st at $kib KiB: $output"
	done
}

@test "kubelet signals: nodefs.available and imagefs.available named, DiskPressure stated" {
	need_root
	fs=$(mk_tmpfs fs 10M)
	mkdir -p "$fs/kubelet" "$fs/containerd"
	fill "$fs" 8800 # 12% free: imagefs (15%) evicts, nodefs (10%) warns
	run sb disk --kubelet-dir "$fs/kubelet" --runtime-dir "$fs/containerd" -o json
	[ "$status" -eq 2 ]
	[ "$(finding "$fs" nodefs.available <<<"$output")" = WARNING ]
	[ "$(finding "$fs" imagefs.available <<<"$output")" = CRITICAL ]
	jq -e '.summary | test("DiskPressure: imagefs.available is 1[0-9]%, below the kubelet.s 15%")' <<<"$output"
	jq -e --arg fs "$fs" '[.signals[] | select(.signal == "nodefs.available")][0]
		| .mountpoint == $fs and .hard_threshold_ratio == 0.1
		and (.available / .capacity - .free_ratio | fabs) < 1e-9' <<<"$output"
	fill "$fs" 600 # 6% free: both evict
	run sb disk --kubelet-dir "$fs/kubelet" --runtime-dir "$fs/containerd" -o check
	[ "$status" -eq 2 ]
	[[ $output == *"nodefs.available"* && $output == *"the kubelet evicts below 10%"* ]]
	rm "$fs"/fill.*
	run sb disk --kubelet-dir "$fs/kubelet" --runtime-dir "$fs/containerd" -o json
	[ "$status" -eq 0 ] && jq -e '.summary | test("no DiskPressure")' <<<"$output"
	# a kubelet configured to evict below 50% for nodefs
	fill "$fs" 6000
	run sb disk --kubelet-dir "$fs/kubelet" --runtime-dir "$fs/containerd" -w nodefs.available=none -c nodefs.available=50: -o json
	[ "$status" -eq 2 ] && jq -e '.summary | test("DiskPressure: nodefs.available is [0-9.]+%, in the critical range 50:")' <<<"$output"
}

@test "a container runtime without a kubelet: no eviction signals, no UNKNOWN" {
	mkdir -p "$BATS_TEST_TMPDIR/containerd"
	run sb disk --kubelet-dir "$BATS_TEST_TMPDIR/nokubelet" --runtime-dir "$BATS_TEST_TMPDIR/containerd" -o json
	jq -e '.note | test("no kubelet dir .*nokubelet \\(missing\\): eviction signals not computed")' <<<"$output"
	jq -e '[.findings[] | select(.check | test("fs\\."))] | length == 0' <<<"$output"
}

@test "a filesystem out of inodes is CRITICAL, and nodefs.inodesFree with it" {
	need_root
	fs=$(mk_tmpfs fs 10M nr_inodes=64)
	mkdir "$fs/kubelet"
	for i in $(seq 1 100); do : >"$fs/f$i" 2>/dev/null || break; done
	run sb disk --kubelet-dir "$fs/kubelet" -o json
	[ "$status" -eq 2 ]
	[ "$(finding "$fs" inodes <<<"$output")" = CRITICAL ]
	[ "$(finding "$fs" nodefs.inodesFree <<<"$output")" = CRITICAL ]
	jq -e --arg fs "$fs" '[.filesystems[] | select(.mountpoint == $fs)][0] | .inodes == 64 and .inodes_free == 0' <<<"$output"
}

@test "a deleted file held open is found with its pid, command and size" {
	need_root
	fs=$(mk_tmpfs fs 20M)
	dd if=/dev/urandom of="$fs/big.log" bs=1M count=5 status=none
	sleep 300 3<"$fs/big.log" >/dev/null 2>&1 &
	pid=$!
	undo kill $pid
	holding $pid "$fs/big.log"
	rm "$fs/big.log"
	run sb disk -o json
	jq -e --argjson pid $pid --arg fs "$fs" '[.deleted[] | select(.pid == $pid)][0]
		| .command == "sleep" and .size_bytes == 5242880 and .mountpoint == $fs
		and .largest == ($fs + "/big.log")' <<<"$output"
	# 5 MiB of 20: more than the default 5%
	[ "$(finding "$fs" deleted <<<"$output")" = WARNING ]
	run sb disk "$fs" -o check
	[ "$status" -eq 1 ] && [[ $output == *"deleted files still open hold 5.0MiB"* ]]
}

# wall-clock milliseconds
ms() { echo $(($(date +%s%N) / 1000000)); }

@test "a FUSE server that never answers statfs: CRITICAL hung within the deadline, named, the rest reported" {
	need_fuse
	export XDG_RUNTIME_DIR=$BATS_TEST_TMPDIR/xdg
	mkdir -m 700 "$XDG_RUNTIME_DIR"
	mnt=$BATS_TEST_TMPDIR/hung
	hangfs_start "$mnt"
	# the pipe must close when srebox exits, whatever its helper is stuck in
	t0=$(ms)
	frun "disk: a FUSE mount whose statfs never returns (-t 1)" bash -c "timeout 60 '$SREBOX' disk -t 1 -o json | cat; exit \${PIPESTATUS[0]}"
	t=$(($(ms) - t0))
	[ "$status" -eq 2 ] || die "exit $status: $output"
	# the deadline plus start-up, with room for a loaded machine
	[ "$t" -lt 4000 ] || die "took ${t} ms with -t 1"
	jq -e --arg m "$mnt" '[.findings[] | select(.subject == $m)][0]
		| .state == "CRITICAL" and .check == "hung" and (.text | test("^" + $m
		+ " \\(fuse from hangfs\\) did not answer statfs within 1s; its helper \\(pid [0-9]+\\) is stuck"))' \
		<<<"$output"
	jq -e --arg m "$mnt" '[.filesystems[] | select(.mountpoint == $m)][0].unknown.size_bytes
		| test("did not answer statfs within 1s")' <<<"$output"
	jq -e '[.filesystems[] | select(.mountpoint == "/")][0].size_bytes > 0' <<<"$output"
	# a PATH on the hung mount, and the table view: the helper is still
	# stuck, so the mount is not asked again and no time is lost on it
	t0=$(ms)
	run timeout 60 "$SREBOX" disk -t 1 "$mnt"
	t=$(($(ms) - t0))
	[ "$status" -eq 2 ] || die "exit $status: $output"
	[[ $output == *"CRITICAL  $mnt (fuse from hangfs) has not answered for "*"is still stuck; not asked again until it is gone"* ]] || die "$output"
	[ "$t" -lt 1000 ] || die "took ${t} ms though the helper is known to be stuck"
}

@test "a hung mount does not cost the deleted-files scan its answer: it finished, so it is read" {
	need_fuse
	export XDG_RUNTIME_DIR=$BATS_TEST_TMPDIR/xdg
	mkdir -m 700 "$XDG_RUNTIME_DIR"
	fs=$(mk_tmpfs fs 20M)
	dd if=/dev/zero of="$fs/big.log" bs=1M count=2 status=none
	sleep 300 3<"$fs/big.log" >/dev/null 2>&1 &
	pid=$!
	undo kill $pid
	holding $pid "$fs/big.log"
	rm "$fs/big.log"
	mnt=$BATS_TEST_TMPDIR/hung
	hangfs_start "$mnt"
	# the statfs of the hung mount takes the whole -t; the scan, done in
	# milliseconds meanwhile, is still its answer
	run timeout 60 "$SREBOX" disk -t 1 -o json
	[ "$status" -eq 2 ] || die "exit $status: $output"
	jq -e --arg m "$mnt" '[.findings[] | select(.subject == $m)][0].check == "hung"' <<<"$output"
	jq -e '[.findings[] | select(.check == "deleted" and .state == "UNKNOWN")] | length == 0' <<<"$output" ||
		die "$(jq -c '.findings[] | select(.check == "deleted")' <<<"$output")"
	jq -e --argjson pid $pid '[.deleted[] | select(.pid == $pid)][0].size_bytes == 2097152' <<<"$output"
}

@test "an overlay whose lower layer is a hung FUSE mount: asked with a deadline, CRITICAL hung, not a hang" {
	need_fuse
	export XDG_RUNTIME_DIR=$BATS_TEST_TMPDIR/xdg
	mkdir -m 700 "$XDG_RUNTIME_DIR"
	mnt=$BATS_TEST_TMPDIR/hung ovl=$BATS_TEST_TMPDIR/ovl low2=$BATS_TEST_TMPDIR/low2
	# statfs answers until SIGUSR2: mounting the overlay asks it
	hangfs_start "$mnt" -s
	mkdir -p "$ovl" "$low2"
	# no upper layer: statfs of the overlay asks its first lower (ovl_statfs -> fuse_statfs)
	timeout 10 mount -t overlay overlay -o "lowerdir=$mnt:$low2" "$ovl" 2>/dev/null ||
		skip "this kernel cannot mount an overlay over FUSE"
	hung_undo umount "$ovl"
	kill -USR2 "$HANGFS_PID"
	frun "disk -a: an overlay over a hung FUSE lower layer (-t 1)" timeout 60 "$SREBOX" disk -t 1 -a -o json
	[ "$status" -eq 2 ] || die "exit $status: $output"
	jq -e --arg m "$ovl" '[.findings[] | select(.subject == $m)][0]
		| .state == "CRITICAL" and .check == "hung" and (.text | test("overlay"))' <<<"$output"
	# a PATH on the overlay
	run timeout 60 "$SREBOX" disk -t 1 "$ovl"
	[ "$status" -eq 2 ] || die "exit $status: $output"
	[[ $output == *"$ovl (overlay from overlay)"* ]] || die "$output"
}

@test "ten runs against a hung mount leave one stuck helper; once the server answers the record goes and it is asked again" {
	need_fuse
	export XDG_RUNTIME_DIR=$BATS_TEST_TMPDIR/xdg
	mkdir -m 700 "$XDG_RUNTIME_DIR"
	reg=$XDG_RUNTIME_DIR/srebox/stuck
	mnt=$BATS_TEST_TMPDIR/hung cwd=$BATS_TEST_TMPDIR/cwd
	mkdir "$cwd"
	hangfs_start "$mnt"
	cd "$cwd"
	# cron every minute, compressed
	for i in $(seq 10); do
		run timeout 60 "$SREBOX" disk -t 0.5 -o check
		[ "$status" -eq 2 ] || die "run $i: exit $status: $output"
	done
	[ "$(stuck_helpers "$cwd")" -eq 1 ] || die "$(stuck_helpers "$cwd") helpers stuck after 10 runs"
	pid=$(pgrep -x srebox-fsprobe | while read -r p; do
		[ "$(readlink /proc/$p/cwd)" = "$cwd" ] && echo $p || true; done)
	[ "$(grep -c " $mnt\$" "$reg")" -eq 1 ] && grep -q "^$pid " "$reg" || die "$(cat "$reg")"
	[ "$(stat -c %a "$reg")" = 600 ]
	[[ $output == *"$mnt (fuse from hangfs) has not answered for "*"(pid $pid) is still stuck"* ]] || die "$output"
	# the server comes back: the helper finishes, and the next run
	# drops its record and asks the mount again
	kill -USR1 "$HANGFS_PID"
	helpers_gone "$cwd" || die "the helper is still there"
	run timeout 60 "$SREBOX" disk -t 2 "$mnt" -o json
	[ "$status" -ne 2 ] || die "$output"
	jq -e --arg m "$mnt" '[.findings[] | select(.check == "hung")] == []
		and ([.filesystems[] | select(.mountpoint == $m)][0].size_bytes == 4096000)' <<<"$output"
	! grep -qs " $mnt\$" "$reg" || die "the record is still there: $(cat "$reg")"
	[ "$(stuck_helpers "$cwd")" -eq 0 ]
}

@test "a non-root run keeps its own registry in a private dir, never through a symlink or someone else's dir" {
	need_fuse
	command -v setpriv >/dev/null || skip "no setpriv"
	id nobody >/dev/null 2>&1 || skip "no user nobody"
	own=/tmp/srebox-$(id -u nobody)
	# the test's mount where nobody can reach it
	d=$(mktemp -d /tmp/srebox-hungtest.XXXXXX)
	chmod 755 "$d"
	hung_undo rm "$d"
	rm -rf "$own"
	hung_undo rm "$own"
	mkdir -m 755 "$d/cwd"
	mkdir -m 777 "$d/victim"
	hangfs_start "$d/hung"
	as_nobody() { (cd "$d/cwd" && setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"); }
	# someone else's directory in its place: not used, said so; still CRITICAL
	mkdir -m 755 "$own"
	run as_nobody env -u XDG_RUNTIME_DIR "$SREBOX" disk -t 1 -o json
	[ "$status" -eq 2 ] || die "exit $status: $output"
	jq -e --arg m "$d/hung" '[.findings[] | select(.subject == $m)][0] | .state == "CRITICAL" and .check == "hung"' <<<"$output"
	jq -e --arg o "$own" '.note | contains("stuck helpers not remembered between runs: " + $o + ": owned by uid 0")' <<<"$output"
	[ -z "$(ls -A "$own")" ] || die "wrote into root's dir: $(ls -A "$own")"
	rmdir "$own"
	# a symlink in its place (planted by nobody itself): removed, the dir
	# made anew, nothing written where it pointed
	as_nobody ln -s "$d/victim" "$own"
	run as_nobody env -u XDG_RUNTIME_DIR "$SREBOX" disk -t 1 -o json
	[ "$status" -eq 2 ] || die "exit $status: $output"
	[ -d "$own" ] && [ ! -L "$own" ] || die "$(ls -ld "$own")"
	[ "$(stat -c '%U %a' "$own")" = "nobody 700" ]
	[ -z "$(ls -A "$d/victim")" ] || die "followed the symlink: $(ls -A "$d/victim")"
	grep -q " $d/hung\$" "$own/stuck"
	[ "$(stat -c '%U %a' "$own/stuck")" = "nobody 600" ]
	helpers=$(stuck_helpers "$d/cwd")
	# its own dir made group-writable: closed again, and the record used
	chmod 777 "$own"
	run as_nobody env -u XDG_RUNTIME_DIR "$SREBOX" disk -t 1 -o json
	[ "$status" -eq 2 ] || die "exit $status: $output"
	[ "$(stat -c %a "$own")" = 700 ]
	jq -e --arg m "$d/hung" '[.findings[] | select(.subject == $m)][0].text | test("is still stuck")' <<<"$output"
	[ "$(stuck_helpers "$d/cwd")" -eq "$helpers" ]
	# an inherited $XDG_RUNTIME_DIR that is root's is not nobody's to use
	mkdir -m 700 "$BATS_TEST_TMPDIR/rootxdg"
	run as_nobody env XDG_RUNTIME_DIR="$BATS_TEST_TMPDIR/rootxdg" "$SREBOX" disk -t 1 -o json
	[ "$status" -eq 2 ] || die "exit $status: $output"
	jq -e --arg m "$d/hung" '[.findings[] | select(.subject == $m)][0].text | test("is still stuck")' <<<"$output"
}

@test "a walk into a filesystem whose readdir never returns reports how far it got" {
	need_fuse
	export XDG_RUNTIME_DIR=$BATS_TEST_TMPDIR/xdg
	mkdir -m 700 "$XDG_RUNTIME_DIR"
	mnt=$BATS_TEST_TMPDIR/hung
	mkdir -p "$mnt"
	"$TOOLS/hangfs" -r "$mnt" >/dev/null 2>&1 &
	undo kill $!
	undo umount "$mnt"
	for _ in $(seq 50); do grep -q " $mnt " /proc/self/mountinfo && break; sleep 0.1; done
	run timeout 60 "$SREBOX" disk -t 1 --top "$mnt" --top-timeout 1 -o json
	[ "$status" -eq 3 ] || die "exit $status: $output"
	jq -e '[.findings[] | select(.check == "top")][0].text | test("did not answer within 4s.*counted")' <<<"$output"
}

@test "--top: sizes equal du -s -B1 (allocated) and --apparent-size; hard links once; pod logs named" {
	d=$BATS_TEST_TMPDIR/log
	uid1=0b0e3b5a-3f0c-4a62-8a57-1f3f5d2e4b11 uid2=7d2f1c44-9a1b-4e3c-b0d5-3c2a1e0f9b22
	mkdir -p "$d/pods/kube-system_coredns-x2x7q_$uid1/coredns" "$d/pods/default_web-1_$uid2/nginx" \
		"$d/pods/default_web-1_$uid2/istio-proxy" "$d/other/deep/er"
	head -c 4000000 /dev/zero >"$d/pods/kube-system_coredns-x2x7q_$uid1/coredns/0.log"
	head -c 1000000 /dev/zero >"$d/pods/default_web-1_$uid2/nginx/0.log"
	head -c 2000000 /dev/zero >"$d/pods/default_web-1_$uid2/nginx/1.log"
	head -c 12345 /dev/zero >"$d/pods/default_web-1_$uid2/istio-proxy/0.log"
	head -c 500000 /dev/zero >"$d/other/deep/er/x"
	ln "$d/other/deep/er/x" "$d/other/hardlink"
	ln -s /etc/passwd "$d/other/symlink"
	echo hi >"$d/syslog"
	run sb disk --top "$d" -o json
	[ "$status" -ne 3 ] || die "$output"
	jq -e --argjson du "$(du -s -B1 "$d" | cut -f1)" --argjson app "$(du -s -B1 --apparent-size "$d" | cut -f1)" \
		--argjson n "$(find "$d" | wc -l)" \
		'.walked[0] | .size_bytes == $du and .apparent_bytes == $app and .files == $n - 1 and .complete' <<<"$output"
	for sub in pods other syslog; do
		jq -e --arg p "$d/$sub" --argjson du "$(du -s -B1 "$d/$sub" | cut -f1)" \
			'[.top[] | select(.path | rtrimstr("/") == $p)][0].size_bytes == $du' <<<"$output" ||
			die "$sub differs from du"
	done
	c=$d/pods/default_web-1_$uid2/nginx
	jq -e --arg p "$c" --argjson du "$(du -s -B1 "$c" | cut -f1)" '[.pod_logs[] | select(.path == $p)][0]
		| .namespace == "default" and .pod == "web-1" and .container == "nginx"
		and .size_bytes == $du and .files == 3' <<<"$output"
	jq -e '[.pod_logs[].container] | sort == ["coredns", "istio-proxy", "nginx"]' <<<"$output"
	jq -e '.pod_logs[0].pod == "coredns-x2x7q"' <<<"$output"
	jq -e --arg f "$d/pods/kube-system_coredns-x2x7q_$uid1/coredns/0.log" '.files[0].path == $f' <<<"$output"
}

@test "--top stays on one filesystem and never enters a mount point below it" {
	need_root
	d=$BATS_TEST_TMPDIR/tree
	mkdir -p "$d/a"
	head -c 100000 /dev/zero >"$d/a/f"
	mkdir -p "$d/mnt"
	mount -t tmpfs -o size=10M srebox-test "$d/mnt"
	undo umount "$d/mnt"
	head -c 4000000 /dev/zero >"$d/mnt/big"
	run sb disk --top "$d" -o json
	jq -e --argjson du "$(du -sx -B1 "$d" | cut -f1)" '.walked[0].size_bytes == $du' <<<"$output"
	jq -e '[.files[].path | select(test("mnt/big"))] | length == 0' <<<"$output"
}

@test "bytes and inodes equal df -B1 and df -i for every real filesystem; none of df's missing" {
	need_root
	fs=$(mk_tmpfs quiet 7M nr_inodes=1000)
	fill "$fs" 1234
	before=$(timeout 20 df -B1 --output=target 2>/dev/null | tail -n +2 | sort) || skip "df hung: a dead mount elsewhere on this machine"
	run sb disk -o json
	after=$(timeout 20 df -B1 --output=target 2>/dev/null | tail -n +2 | sort) || skip "df hung"
	json=$output
	mine=$(jq -r '.filesystems[].mountpoint' <<<"$json" | sort)
	# every filesystem df showed both times (df hides overlays only with -x; srebox always)
	for t in $(comm -12 <(echo "$before") <(echo "$after")); do
		grep -qxF -- "$t" <<<"$mine" || [ "$(stat -f -c %T "$t")" = overlayfs ] || die "df shows $t, srebox does not"
	done
	n=0
	while read -r mp size used avail itotal ifree; do
		read -r dsize dused davail < <(timeout 10 df -B1 --output=size,used,avail "$mp" | tail -1)
		read -r ditotal diused difree < <(timeout 10 df --output=itotal,iused,iavail "$mp" | tail -1)
		[ "$size" -eq "$dsize" ] && [ "$itotal" -eq "$ditotal" ] || die "$mp: size $size/$dsize inodes $itotal/$ditotal"
		if [ "$mp" = "$fs" ]; then
			# a filesystem nothing else writes to: exactly equal
			[ "$used $avail $ifree" = "$dused $davail $difree" ] || die "$mp: $used $avail $ifree vs df $dused $davail $difree"
		else
			# others may be written between the two reads: 1% of the size
			tol=$((dsize / 100 + 1048576))
			[ $((used - dused)) -le $tol ] && [ $((dused - used)) -le $tol ] || die "$mp: used $used vs df $dused"
			[ $((avail - davail)) -le $tol ] && [ $((davail - avail)) -le $tol ] || die "$mp: avail $avail vs df $davail"
		fi
		n=$((n + 1))
	done < <(jq -r '.filesystems[] | select(.size_bytes != null)
		| "\(.mountpoint) \(.size_bytes) \(.used_bytes) \(.avail_bytes) \(.inodes) \(.inodes_free)"' <<<"$json")
	[ "$n" -ge 2 ]
}

@test "exit codes agree with check_disk -w 15% -c 10% on every real filesystem" {
	n=0
	for mp in $(sb disk -o json | jq -r '.filesystems[] | select(.size_bytes != null and .size_bytes > 0) | .mountpoint'); do
		run timeout 20 "$CHECK_DISK" -w 15% -c 10% -p "$mp"
		cd=$status
		[ "$cd" -eq 124 ] && continue
		run sb disk "$mp" -o check -w inodes=none -c inodes=none -w errors=none -w deleted=none
		[ "$status" -eq "$cd" ] || die "$mp: srebox $status, check_disk $cd: $output"
		n=$((n + 1))
	done
	[ "$n" -ge 1 ]
}

@test "an ext4 error remount is CRITICAL: turned read-only, the error count and the kernel's message" {
	need_root
	command -v mkfs.ext4 >/dev/null && command -v debugfs >/dev/null || die "e2fsprogs is in TEST_DEBS"
	img=$BATS_TEST_TMPDIR/e4.img mnt=$BATS_TEST_TMPDIR/e4
	mkdir -p "$mnt"
	truncate -s 8M "$img"
	mkfs.ext4 -q -F "$img"
	dev=$(losetup -f --show "$img")
	undo loop "$dev"
	mount -o errors=remount-ro "$dev" "$mnt"
	undo umount "$mnt"
	mkdir "$mnt/d" && echo x >"$mnt/d/f"
	umount "$mnt"
	debugfs -w -R "clri d" "$dev" >/dev/null 2>&1
	mount -o errors=remount-ro "$dev" "$mnt"
	ls "$mnt/d" >/dev/null 2>&1 || true # the error: ext4 remounts read-only
	run sb disk "$mnt" -o json
	[ "$status" -eq 2 ] || die "$output"
	[ "$(finding "$mnt" readonly <<<"$output")" = CRITICAL ]
	jq -e --arg m "$mnt" '[.findings[] | select(.subject == $m and .check == "errors")][0].text
		| test("ext4 has recorded [0-9]+ error") and test("EXT4-fs error \\(device loop[0-9]+\\)")' <<<"$output"
	jq -e --arg m "$mnt" '[.filesystems[] | select(.mountpoint == $m)][0].readonly' <<<"$output"
}

@test "without CAP_SYSLOG the kernel log is not read, and the note says why" {
	need_root
	command -v setpriv >/dev/null || skip "no setpriv"
	[ "$(cat /proc/sys/kernel/dmesg_restrict)" = 1 ] || skip "dmesg_restrict is 0: anyone may read the kernel log"
	run setpriv --inh-caps=-syslog --bounding-set=-syslog "$SREBOX" disk -o json
	jq -e '.note | test("kernel log not read: /dev/kmsg: permission denied")' <<<"$output"
}

@test "-i: fill rate and time to full of a filesystem being written" {
	need_root
	fs=$(mk_tmpfs fs 100M)
	"$SREBOX" disk "$fs" -i 2 -o json >"$BATS_TEST_TMPDIR/out" &
	pid=$!
	sleep 0.5
	fill "$fs" 20480
	wait $pid || true
	jq -e '.interval_seconds > 1 and .filesystems[0].fill_bytes_per_second > 0
		and .filesystems[0].seconds_to_full > 0' "$BATS_TEST_TMPDIR/out"
}

@test "--root: the host's mounts from ROOT/proc/1/mountinfo, statfs at ROOT + mount point, kernel log at ROOT/dev/kmsg" {
	root=$(root_empty)
	mkdir -p "$root/proc/1" "$root/dev" "$root/data" "$root/sys/fs/ext4/sdb1"
	printf '%s\n' "1 0 8:1 / / rw - ext4 /dev/sda1 rw" "2 1 8:17 / /data rw - ext4 /dev/sdb1 rw" \
		"3 1 0:5 / /proc rw - proc proc rw" "4 1 8:17 /x /srv\\040data rw - ext4 /dev/sdb1 rw" \
		"5 1 0:60 / /nfs rw - nfs4 srv:/e rw" >"$root/proc/1/mountinfo"
	printf '%s\n' "3,100,5000000,-;EXT4-fs error (device sdb1): ext4_lookup:1855: inode #2: comm ls: deleted inode referenced: 12" \
		"12,101,5000001,-;EXT4-fs error (device sda1): written by a user, not the kernel" \
		"6,102,5000002,-;EXT4-fs (sdb1): mounted filesystem" >"$root/dev/kmsg"
	echo 7 >"$root/sys/fs/ext4/sdb1/errors_count"
	run sb disk --root "$root" -o json
	# WARNING (the ext4 errors) outranks UNKNOWN (/nfs: no such directory under the root)
	[ "$status" -eq 1 ]
	jq -e '[.findings[] | select(.state == "UNKNOWN")][0].text | test("/nfs: missing")' <<<"$output"
	jq -e '[.filesystems[].mountpoint] == ["/", "/data", "/nfs"]' <<<"$output"
	# statfs ROOT/data: the filesystem holding the test's directory
	jq -e --argjson sz "$(($(stat -f -c '%b * %S' "$root/data")))" '.filesystems[1].size_bytes == $sz' <<<"$output"
	jq -e '.filesystems[2].unknown.size_bytes | test("/nfs: missing")' <<<"$output"
	jq -e '[.findings[] | select(.check == "errors")] | length == 1 and (.[0].subject == "/data")
		and (.[0].text | test("ext4 has recorded 7 errors; 1 kernel log message"))' <<<"$output"
}

@test "mountinfo fixtures: node_exporter's host table shows the real filesystems, once each" {
	root=$(root_copy node_exporter)
	run sb disk --root "$root" -a -o json
	jq -e '[.filesystems[] | select(.note == null) | .mountpoint] | sort ==
		["/", "/boot", "/dev", "/dev/shm", "/run", "/run/lock", "/run/user/1000", "/run/user/1000/gvfs", "/sys/fs/cgroup",
		 "/var/lib/containers/storage/overlay",
		 "/var/lib/kubelet/plugins/kubernetes.io/vsphere-volume/mounts/[vsanDatastore] bafb9e5a-8856-7e6c-699c-801844e77a4a/kubernetes-dynamic-pvc-3eba5bba-48a3-11e8-89ab-005056b92113.vmdk"]' <<<"$output"
	jq -e '[.filesystems[] | select(.note // "" | test("same filesystem as"))] | length == 1' <<<"$output"
	jq -e '[.filesystems[] | select(.fstype == "cgroup")][0].note == "pseudo filesystem"' <<<"$output"
}

@test "usage: bad -t, a missing PATH, an unreadable mount table" {
	run sb disk -t 0
	[ "$status" -eq 3 ] && [[ $output == *"-t must be more than 0"* ]]
	run sb disk /nonexistent/path -o check
	[ "$status" -eq 3 ] && [[ $output == *"/nonexistent/path: missing"* ]]
	root=$(root_empty)
	run sb disk --root "$root"
	[ "$status" -eq 3 ] && [[ $output == *"$root/proc/self/mountinfo: missing"* ]]
	mkdir -p "$root/proc/1" && echo "garbage" >"$root/proc/1/mountinfo"
	run sb disk --root "$root" -o json
	[ "$status" -eq 3 ] && jq -e '.error | test("proc/1/mountinfo:1: bad")' <<<"$output"
	run sb disk -w space=bogus
	[ "$status" -eq 3 ]
}

@test "prom and check output carry the filesystems and the perfdata" {
	run sb disk -o prom
	[[ $output == *'srebox_disk_avail_bytes{mountpoint="/",'* ]]
	[[ $output == *'srebox_disk_inodes_free{mountpoint="/",'* ]]
	run sb disk -o check
	[[ $output =~ ^SREBOX\ DISK\ (OK|WARNING|CRITICAL|UNKNOWN):\ .*\|\ .*space_free=[0-9.]+%\;15:\;10:\;0\;100 ]] || [[ $output == *"|"* ]]
	# every family once, valid for node_exporter's textfile collector
	mkdir -p "$BATS_TEST_TMPDIR/t/a/b"
	head -c 5000 /dev/zero >"$BATS_TEST_TMPDIR/t/a/b/f"
	sb disk --top "$BATS_TEST_TMPDIR/t" -i 0.2 -o prom >"$BATS_TEST_TMPDIR/out.prom" || true
	run promtool check metrics <"$BATS_TEST_TMPDIR/out.prom"
	[ "$status" -eq 0 ] || die "$output"
	grep -q "^srebox_disk_largest_file_bytes{path=\".*/t/a/b/f\"} $(du -B1 "$BATS_TEST_TMPDIR/t/a/b/f" | cut -f1)\$" "$BATS_TEST_TMPDIR/out.prom"
}

@test "live: a mount made while health -i runs is in its next samples, and gone after its unmount" {
	# the mount table is read again only when the kernel says it changed
	# (disk -i and top keep the mounts of their first sample, for rates).
	# The mount is filled, so health names it: a count of filesystems
	# would move with other tests' mounts, made in parallel, and is not
	# given while one of them is filling.
	[ "$(id -u)" -eq 0 ] || skip "not root: mount needs CAP_SYS_ADMIN"
	mnt=$BATS_TEST_TMPDIR/m
	mkdir -p "$mnt"
	"$SREBOX" health -i 0.5 -n 8 -o json >"$BATS_TEST_TMPDIR/out" 2>/dev/null &
	pid=$!
	sleep 1.2
	mount -t tmpfs -o size=1m srebox-test "$mnt"
	head -c 990000 /dev/zero >"$mnt/f"
	sleep 1.5
	umount "$mnt"
	wait "$pid" || true
	named=$(jq -sc --arg m "$mnt" '[.[] | any(.findings[]; .check == "space" and .subject == $m)]' \
		"$BATS_TEST_TMPDIR/out")
	echo "$mnt named in each sample: $named" >&2
	# not before it was mounted, then in a sample while it was, not after
	jq -e 'length == 8 and .[0] == false and (index(true) as $i | $i != null and (.[$i:] | index(false)) != null)' <<<"$named"
}
