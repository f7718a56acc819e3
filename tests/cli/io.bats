#!/usr/bin/env bats
# srebox io over a fixture tree (names, partitions, idle devices, since
# boot, two readings with counters that go backwards or devices that go
# away), health's io findings against io's, and live: a loop device over
# a FUSE file that delays each request (tests/tools/delayfs.c), and
# processes whose I/O is known.

load lib

NODE=$FIX/io/node

# Two readings of a --root tree: proc/diskstats.next is swapped in while
# `srebox io -i 1` sleeps.
two_samples() {
	local root=$1
	shift
	"$SREBOX" io --root "$root" -i 1 -n 1 "$@" >"$BATS_TEST_TMPDIR/out" 2>&1 &
	local pid=$!
	sleep 0.5
	mv "$root/proc/diskstats.next" "$root/proc/diskstats"
	echo "1001.00 1801.00" >"$root/proc/uptime"
	wait $pid && status=0 || status=$?
	output=$(cat "$BATS_TEST_TMPDIR/out")
}

# What a test set up, undone in teardown even when it fails, last first:
# "kill PID", "losetup DEV", "umount DIR", "rm DIR" lines.
undo() { echo "$*" >>"$BATS_TEST_TMPDIR/undo"; }

teardown() {
	local f=$BATS_TEST_TMPDIR/undo
	[ -f "$f" ] || return 0
	tac "$f" | while read -r what arg; do
		case $what in
		kill)
			kill -9 "$arg" 2>/dev/null || true
			# gone before its device is: no I/O error for the kernel log
			for _ in $(seq 50); do kill -0 "$arg" 2>/dev/null || break; sleep 0.1; done ;;
		losetup) losetup -d "$arg" 2>/dev/null || true ;;
		umount) fusermount3 -u -z "$arg" 2>/dev/null || umount -l "$arg" 2>/dev/null || true ;;
		rm) rm -rf -- "$arg" ;;
		esac
	done
	rm -f "$f"
}

@test "device-mapper and md devices by name, partitions folded, idle devices left out" {
	run sb io --root "$NODE" -i 0
	[ "$status" -eq 1 ]
	[[ $output == *"vg0-root "* ]] && [[ $output == *"bio raid1"* ]]
	[[ $output != *"sda1"* ]] && [[ $output != *"nvme0n1p1"* ]] && [[ $output != *"loop0"* ]]
	[[ $output == *"1 idle device not shown (-a shows them)"* ]]
	[[ $output == *"3 partitions folded into their disks (-p shows them)"* ]]
	run sb io --root "$NODE" -i 0 -a --partitions -o json
	jq -e '[.devices[].device] == ["sda","sda1","sda2","nvme0n1","nvme0n1p1","vg0-root","md127","loop0","vda"]
		and ([.devices[] | select(.device == "sda1")][0].disk == "sda")
		and ([.devices[] | select(.device == "vg0-root")][0].kernel_name == "dm-0")
		and ([.devices[] | select(.device == "nvme0n1")][0].queue == "mq 4q")
		and ([.devices[] | select(.device == "sda")][0].queue == "hdd 1q")' <<<"$output"
}

@test "since boot: iostat -x arithmetic over the uptime" {
	run sb io --root "$NODE" -i 0 -o json
	# sda: 100000 writes, 8000000 sectors, 8000000 ms, io_ticks 450000, 1000 s up
	jq -e '.devices[0] as $d | $d.device == "sda" and $d.writes_per_second == 100
		and $d.write_kB_per_second == 4000 and $d.w_await_ms == 80 and $d.util_ratio == 0.45
		and $d.aqu_sz == 8.12 and $d.flushes_per_second == 0.5 and $d.write_request_kB == 40' <<<"$output"
	sb io --root "$NODE" -i 0 | grep -q "values since boot"
}

@test "the judge: slow writes and I/O errors on sda; %util not judged on NVMe or dm" {
	run sb io --root "$NODE" -i 0 -o json
	[ "$status" -eq 1 ]
	jq -e '[.findings[] | select(.state != "OK") | [.check, .subject, .state]]
		== [["io_await","sda","WARNING"],["io_errors","sda","WARNING"]]' <<<"$output"
	# one failed request: the block layer's "I/O error, dev sda"; fs/buffer.c's
	# "Buffer I/O error on dev sda1" that follows from it is not counted again
	jq -e '[.findings[] | select(.check == "io_errors")][0] | .value == 1 and .who[0].kind == "device"' <<<"$output"
	# %util is judged on the single-queue ones only: sda 45%, not dm-0's or nvme's
	jq -e '[.findings[] | select(.check == "io_util")][0].text | test("2 devices, the highest 45% on sda")' <<<"$output"
	# thresholds move with -w/-c, the same ids as the catalogue's
	run sb io --root "$NODE" -i 0 -w io_await=100 -w io_errors=5 -o check
	[ "$status" -eq 0 ]
	run sb io --root "$NODE" -i 0 -c io_util=40 -o check
	[ "$status" -eq 2 ]
	[[ $output == "SREBOX IO CRITICAL"* ]]
}

@test "health's io findings are io's over the same tree, io_errors from the same kernel-log scan" {
	run sb io --root "$NODE" -i 0 -o json
	jq -S '[.findings[] | select(.check | startswith("io_"))]' <<<"$output" >"$BATS_TEST_TMPDIR/io"
	run sb health --root "$NODE" -i 0 -o json
	jq -S '[.findings[] | select(.check | startswith("io_"))]' <<<"$output" >"$BATS_TEST_TMPDIR/health"
	[ "$(jq length "$BATS_TEST_TMPDIR/io")" -eq 4 ]
	jq -e 'any(.state == "WARNING")' "$BATS_TEST_TMPDIR/health"
	diff "$BATS_TEST_TMPDIR/io" "$BATS_TEST_TMPDIR/health"
}

@test "health without /proc/diskstats (a saved tree, no block devices) has no io findings, and no UNKNOWN for it" {
	root=$BATS_TEST_TMPDIR/root
	cp -r "$NODE" "$root"
	rm "$root/proc/diskstats"
	run sb health --root "$root" -i 0 -o json
	jq -e '[.findings[] | select(.check | startswith("io_"))] | length == 0' <<<"$output"
}

@test "two readings: rates over the interval; a counter that went backwards and a device that went away are unknown, with the reason" {
	root=$BATS_TEST_TMPDIR/root
	cp -r "$NODE" "$root"
	# over 1 s: sda +50 writes of 100 ms each; vda's write ms went backwards;
	# nvme0n1 went away
	awk '$3 == "sda" { $8 += 50; $10 += 400; $11 += 5000; $13 += 990; $14 += 5000 }
	     $3 == "vda" { $11 = 1 }
	     $3 != "nvme0n1" && $3 != "nvme0n1p1"' "$root/proc/diskstats" >"$root/proc/diskstats.next"
	two_samples "$root" -o json
	[ "$status" -eq 2 ]
	jq -e '.devices[0] | .device == "sda" and .writes_per_second > 40 and .writes_per_second < 60
		and .w_await_ms == 100' <<<"$output"
	jq -e '[.devices[] | select(.device == "vda")][0] | .w_await_ms == null
		and (.unknown.w_await_ms | test("ms writing counter went backwards"))' <<<"$output"
	jq -e '[.devices[] | select(.device == "nvme0n1")][0].unknown.reads_per_second
		| test("went away")' <<<"$output"
	jq -e '[.findings[] | select(.check == "io_util")][0] | .state == "CRITICAL" and .subject == "sda"' <<<"$output"
	jq -e '[.findings[] | select(.check == "io_await")][0] | .state == "WARNING" and .value == 100' <<<"$output"
}

@test "an old kernel's diskstats: no discards or flushes, shown empty, not 0" {
	root=$BATS_TEST_TMPDIR/root
	mkdir -p "$root/proc"
	cp "$FIX/diskstats/old-2.6" "$root/proc/diskstats"
	echo "100000.00 180000.00" >"$root/proc/uptime"
	run sb io --root "$root" -i 0 -a -o json
	jq -e '[.devices[] | select(.device == "hda")][0] | .reads_per_second == 4.46216
		and .discards_per_second == null and .flushes_per_second == null' <<<"$output"
}

@test "bad input: diskstats unreadable or garbage is an error naming the file, exit 3" {
	root=$(root_empty)
	run sb io --root "$root" -i 0
	[ "$status" -eq 3 ]
	[[ $output == *"/proc/diskstats"* ]]
	echo "8 0 sda 1 2" >"$root/proc/diskstats"
	run sb io --root "$root" -i 0
	[ "$status" -eq 3 ]
	[[ $output == *"diskstats"* ]]
	run sb io --min-ios -1
	[ "$status" -eq 3 ]
	run sb io extra
	[ "$status" -eq 3 ]
}

# ---- live ----

need_root_fuse_loop() {
	[ "$(id -u)" -eq 0 ] || skip "needs root to mount a FUSE filesystem and set up a loop device"
	[ -c /dev/fuse ] || skip "no /dev/fuse on this machine"
	[ -e /dev/loop-control ] || skip "no loop devices (/dev/loop-control) on this machine"
	[ -x "$TOOLS/delayfs" ] || die "$TOOLS/delayfs not built (libfuse3-dev is in TEST_DEBS)"
}

# slow_disk MS: a loop device (direct I/O) over a delayfs file whose
# every request waits MS ms; its name in LOOP.  Undone in teardown.
slow_disk() {
	local mnt=$BATS_TEST_TMPDIR/delayfs
	mkdir -p "$mnt"
	"$TOOLS/delayfs" -s 16 -d "$1" "$mnt" >/dev/null 2>&1 3>&- &
	undo kill $!
	undo umount "$mnt"
	for _ in $(seq 50); do [ -f "$mnt/disk.img" ] && break; sleep 0.1; done
	[ -f "$mnt/disk.img" ] || die "delayfs did not mount"
	LOOP=$(losetup --direct-io=on -f --show "$mnt/disk.img") || die "losetup failed"
	undo losetup "$LOOP"
	[ "$(cat "/sys/block/${LOOP#/dev/}/loop/dio")" = 1 ] || die "$LOOP: direct I/O refused"
}

# The await bounds: 20% below the delay, 50% above it, since on a loaded
# machine the FUSE server that adds the delay also waits for a CPU.
@test "live: a device with 20 ms added latency has w_await and r_await of 16 to 30 ms, and io_await goes off below it" {
	need_root_fuse_loop
	slow_disk 20
	dev=${LOOP#/dev/}
	# queue depth 1, direct: each request takes the delay
	dd if=/dev/zero of="$LOOP" bs=4k count=400 oflag=direct 2>/dev/null 3>&- &
	ddpid=$!
	undo kill $ddpid
	sleep 0.3
	run sb io -i 2 -n 1 -a -o json -w io_await=15
	jq -e --arg d "$dev" '[.devices[] | select(.kernel_name == $d)][0] | .writes_per_second > 20
		and .w_await_ms > 16 and .w_await_ms < 30' <<<"$output"
	# who: the device, then the node's top I/O processes, as the table lists them
	jq -e --arg d "$dev" '. as $r | [.findings[] | select(.check == "io_await" and .subject == $d)][0]
		| .state == "WARNING" and .who[0].kind == "device" and .who[0].name == $d
		and ([.who[] | select(.kind == "process") | .pid] | length > 0)
		and ([.who[] | select(.kind == "process") | .pid] as $w | $w == [$r.processes[:($w | length)][] | .pid])' <<<"$output"
	jq -e '[.processes[] | select(.command == "dd")] | length == 1' <<<"$output"
	# the default threshold (50 ms) is not crossed by 20 ms
	wait $ddpid || true
	dd if="$LOOP" of=/dev/null bs=4k count=400 iflag=direct 2>/dev/null 3>&- &
	undo kill $!
	sleep 0.3
	run sb io -i 2 -n 1 -o json
	jq -e --arg d "$dev" '[.devices[] | select(.kernel_name == $d)][0] | .reads_per_second > 20
		and .r_await_ms > 16 and .r_await_ms < 30' <<<"$output"
	jq -e --arg d "$dev" '[.findings[] | select(.check == "io_await" and .subject == $d)] | length == 0' <<<"$output"
}

@test "live: health judges the slow device as io does, and names the processes behind blocked and io_await" {
	need_root_fuse_loop
	slow_disk 20
	dev=${LOOP#/dev/}
	for k in 1 2 3 4; do
		dd if=/dev/zero of="$LOOP" bs=4k count=300 seek=$((k * 1000)) oflag=direct 2>/dev/null 3>&- &
		undo kill $!
	done
	sleep 0.3
	run sb health -i 1 -n 1 -o json -w blocked=0.1 -w io_await=10
	jq -e --arg d "$dev" '[.findings[] | select(.check == "io_await" and .subject == $d)][0]
		| .state != "OK" and .who[0].name == $d and ([.who[] | select(.kind == "process")] | length > 0)' <<<"$output"
	jq -e '[.findings[] | select(.check == "blocked")][0]
		| .state != "OK" and ([.who[] | select(.kind == "process")] | length > 0)' <<<"$output"
}

@test "live: iostat -x over the same slow device agrees within 20%" {
	need_root_fuse_loop
	command -v iostat >/dev/null || skip "no iostat (sysstat is in BENCH_DEBS)"
	slow_disk 20
	dev=${LOOP#/dev/}
	dd if=/dev/zero of="$LOOP" bs=4k count=400 oflag=direct 2>/dev/null 3>&- &
	undo kill $!
	sleep 0.3
	iostat -x -d -y -o JSON "$dev" 2 1 >"$BATS_TEST_TMPDIR/iostat" 3>&- &
	iopid=$!
	run sb io -i 2 -n 1 -a -o json
	wait $iopid || true
	ours=$(jq --arg d "$dev" '[.devices[] | select(.kernel_name == $d)][0].w_await_ms' <<<"$output")
	theirs=$(jq '.sysstat.hosts[0].statistics[0].disk[0].w_await' "$BATS_TEST_TMPDIR/iostat")
	python3 -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); sys.exit(not (abs(a - b) <= 0.2 * b))" "$ours" "$theirs"
}

@test "live: a process that writes a known number of bytes is named with them" {
	dir=$(mktemp -d /var/tmp/srebox-io.XXXXXX)
	undo rm "$dir"
	# 8 MiB written and fsync'd inside the interval, the process alive past its end
	python3 -c 'import os, sys, time
while not os.path.exists(sys.argv[1] + "/go"): time.sleep(0.02)
fd = os.open(sys.argv[1] + "/f", os.O_WRONLY | os.O_CREAT, 0o600)
for _ in range(128): os.write(fd, b"x" * 65536)
os.fsync(fd); os.close(fd); open(sys.argv[1] + "/done", "w").close(); time.sleep(30)' "$dir" 3>&- &
	pid=$!
	undo kill $pid
	"$SREBOX" io -i 4 -n 1 -a -o json >"$BATS_TEST_TMPDIR/out" 3>&- &
	sb=$!
	sleep 0.5
	touch "$dir/go"
	for _ in $(seq 30); do [ -f "$dir/done" ] && break; sleep 0.1; done
	[ -f "$dir/done" ] || die "the writer did not finish within 3 s"
	wait $sb || true
	jq -e --argjson p $pid '[.processes[] | select(.pid == $p)][0] | .command == "python3"
		and (.write_bytes_per_second * 4 > 8388608 * 0.9) and (.write_bytes_per_second * 4 < 8388608 * 1.1)' "$BATS_TEST_TMPDIR/out"
}

@test "live: not root, the io of other users' processes is counted unreadable, never 0" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to drop to another user"
	command -v setpriv >/dev/null || skip "no setpriv"
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$SREBOX" io -i 0 -o json
	jq -e '.note | test("io of [0-9]+ process(es)? unreadable: not root")' <<<"$output"
	# a kernel log it may not read is said, not an UNKNOWN finding
	if [ "$(cat /proc/sys/kernel/dmesg_restrict)" = 1 ]; then
		jq -e '(.note | test("kernel log not read, I/O errors not judged"))
			and ([.findings[] | select(.check == "io_errors")] | length == 0)' <<<"$output"
	fi
	jq -e '[.processes[] | select(.pid == 1)] | length == 0' <<<"$output"
}
