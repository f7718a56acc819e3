# Hung mounts for the bats tests: a FUSE server whose statfs never returns
# (tests/tools/hangfs.c) and the stuck helpers srebox leaves on it.  Each
# start is undone in teardown through $BATS_TEST_TMPDIR/undo (the file's
# lines: "kill PID", "umount DIR", "rm DIR").

need_fuse() {
	[ "$(id -u)" -eq 0 ] || skip "needs root to mount a FUSE filesystem"
	[ -c /dev/fuse ] || skip "no /dev/fuse on this machine"
	[ -x "$TOOLS/hangfs" ] || die "$TOOLS/hangfs not built (libfuse3-dev is in TEST_DEBS)"
}

hung_undo() { echo "$*" >>"$BATS_TEST_TMPDIR/undo"; }

hung_teardown() {
	local f=$BATS_TEST_TMPDIR/undo
	[ -f "$f" ] || return 0
	tac "$f" | while read -r what arg; do
		case $what in
		kill) kill -9 "$arg" 2>/dev/null || true ;;
		umount) fusermount3 -u -z "$arg" 2>/dev/null || umount -l "$arg" 2>/dev/null || true ;;
		rm) rm -rf -- "$arg" ;;
		esac
	done
	rm -f "$f"
}

# hangfs_start DIR [-r]: a hangfs mount at DIR; its pid in HANGFS_PID
hangfs_start() {
	local mnt=$1
	shift
	mkdir -p "$mnt"
	"$TOOLS/hangfs" "$@" "$mnt" >/dev/null 2>&1 &
	HANGFS_PID=$!
	hung_undo kill $HANGFS_PID
	hung_undo umount "$mnt"
	for _ in $(seq 50); do grep -q " $mnt " /proc/self/mountinfo && return 0; sleep 0.1; done
	die "hangfs did not mount $mnt"
}

# Helpers still stuck that srebox started from directory CWD (a helper
# keeps its parent's cwd: that tells this test's from anyone else's).
stuck_helpers() {
	local n=0 p
	for p in $(pgrep -x srebox-fsprobe); do
		[ "$(readlink "/proc/$p/cwd" 2>/dev/null)" = "$1" ] || continue
		[ "$(cut -d' ' -f3 "/proc/$p/stat" 2>/dev/null)" != Z ] || continue
		n=$((n + 1))
	done
	echo $n
}

# Wait (up to 10 s) until no helper from CWD is left stuck.
helpers_gone() {
	for _ in $(seq 100); do [ "$(stuck_helpers "$1")" -eq 0 ] && return 0; sleep 0.1; done
	return 1
}
