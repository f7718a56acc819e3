#!/usr/bin/env bats
# What a person sees on a terminal: srebox run in a real terminal (tmux) of
# 80x24 and 200x50, with colour and with NO_COLOR, on a machine each test
# makes sick (a filled tmpfs, zombies).  After the command returns the
# screen must hold the verdict and the findings that need attention, and no
# line may have wrapped.  Pipes get full rows and every check.

load lib
load tmux

need_tmux() {
	command -v tmux >/dev/null || skip "tmux not installed"
}

need_root() {
	[ "$(id -u)" -eq 0 ] || skip "needs root to mount a tmpfs"
}

teardown() {
	local f=$BATS_TEST_TMPDIR/undo
	tm_next
	[ -f "$f" ] || return 0
	tac "$f" | while read -r what arg; do
		case $what in
		kill) kill -9 "$arg" 2>/dev/null || true ;;
		umount) umount -l "$arg" 2>/dev/null || true ;;
		esac
	done
	rm -f "$f"
}
undo() { echo "$*" >>"$BATS_TEST_TMPDIR/undo"; }

# A tmpfs filled to 95%: the space check is CRITICAL.
sick_disk() {
	local d=$BATS_TEST_TMPDIR/full
	mkdir -p "$d"
	mount -t tmpfs -o size=10M srebox-test "$d"
	undo umount "$d"
	dd if=/dev/zero of="$d/fill" bs=1k count=9700 status=none
	echo "$d"
}

# Six zombies (the zombies check warns at 5): children that exited under
# a parent that never reaps them.
zombies() {
	sh -c 'for i in 1 2 3 4 5 6; do true & done; exec sleep 300' &
	undo kill $!
	for _ in $(seq 50); do
		[ "$(ps -o stat= --ppid $! | grep -c Z)" -ge 6 ] && return 0
		sleep 0.1
	done
	die "the zombies did not appear"
}

# on_screen W H [env...] -- CMD: run CMD in a W x H terminal, wait until it
# returns, and print the screen as the user sees it then ($screen_raw keeps
# the colours).  Lines are joined where the terminal wrapped them (-J),
# so a line longer than W is a line that wrapped.
on_screen() {
	local w=$1 h=$2
	shift 2
	tm_start "$w" "$h" "env PS1='$ ' bash --norc --noprofile"
	keys "clear; $*; printf %s __DONE__" Enter
	for _ in $(seq 300); do
		cap | grep -q '__DONE__\$ *$' && break
		sleep 0.1
	done
	screen_raw=$(cap -e -J)
	screen=$(cap -J)
	tm_next
	grep -q __DONE__ <<<"$screen" || die "did not return in 30s: $screen"
}

# no line of the screen is wider than W characters
fits() {
	local w=$1 long
	long=$(while IFS= read -r l; do [ "${#l}" -le "$w" ] || printf '%s\n' "$l"; done <<<"$screen")
	[ -z "$long" ] || die "lines wrapped at $w columns: $long"
}

@test "health in 80x24 and 200x50, colour and NO_COLOR: the verdict and every finding not OK are on the screen after it returns, nothing wraps" {
	need_tmux
	need_root
	fs=$(sick_disk)
	zombies
	for size in 80x24 200x50; do
		w=${size%x*} h=${size#*x}
		for colour in always never; do
			on_screen "$w" "$h" "$SREBOX" health --color=$colour
			fits "$w"
			# the summary ends the output (folded over two lines at most)
			grep -v '^$' <<<"$screen" | tail -3 | grep -q '^CRITICAL: [0-9]* of [0-9]* checks needs\? attention' ||
				die "$size $colour: no verdict at the end: $screen"
			grep -q "^CRITICAL  $fs: " <<<"$screen" || die "$size $colour: the full tmpfs is not on screen: $screen"
			# worst last: on a machine sicker than the test made it,
			# 24 lines may hold only the worst; the collapsed OK line
			# comes before them all, so when it is on the screen every
			# finding not OK is too
			if grep -qE "^OK +[0-9]+ other checks OK; -v lists them$" <<<"$screen"; then
				grep -qE "^(WARNING|CRITICAL) +[0-9]+ zombie processes" <<<"$screen" ||
					die "$size $colour: the zombies are not on screen: $screen"
			else
				[ "$h" -lt 50 ] || die "$size $colour: OK checks not collapsed: $screen"
				[ -n "$(head -1 <<<"$screen")" ] || die "$size $colour: room left, yet no OK line: $screen"
			fi
			if [ $colour = always ]; then
				grep -qE $'\e\\[[0-9;]*31m(\e\\[[0-9;]*m)?CRITICAL' <<<"$screen_raw" || die "no colour: $screen_raw"
			else
				! grep -qF $'\e[' <<<"$screen_raw" || die "colour with --color=never: $screen_raw"
			fi
		done
	done
	# at 200x50 every finding that is not OK is there, whatever the live
	# state of this machine adds to the test's own: the screen is judged
	# against its own summary (N of M checks need attention), as the live
	# readings of a second run may differ (a CPU busy for a moment)
	on_screen 200 50 NO_COLOR=1 "$SREBOX" health
	sum=$(grep -oE '^[A-Z]+: [0-9]+ of [0-9]+ checks? needs? attention' <<<"$screen") ||
		die "no summary: $screen"
	bad=$(sed -E 's/^[A-Z]+: ([0-9]+) of.*/\1/' <<<"$sum")
	all=$(sed -E 's/^[A-Z]+: [0-9]+ of ([0-9]+) .*/\1/' <<<"$sum")
	shown=$(grep -cE '^(WARNING|CRITICAL|UNKNOWN)  ' <<<"$screen") || true
	[ "$shown" -eq "$bad" ] || die "$bad need attention, $shown on screen: $screen"
	ok=$(grep -oE '^OK +[0-9]+ other checks OK' <<<"$screen" | grep -oE '[0-9]+') || die "no OK line: $screen"
	[ $((ok + bad)) -eq "$all" ] || die "$ok OK and $bad not, of $all: $screen"
}

@test "health on a terminal with -v lists every check; a pipe gets every check, worst first, summary first" {
	need_tmux
	need_root
	fs=$(sick_disk)
	on_screen 200 60 NO_COLOR=1 "$SREBOX" health -v
	n=$(sb health -o json | jq '[.findings[] | select(.state == "OK")] | length') || true
	[ "$(grep -c '^OK  ' <<<"$screen")" -ge $((n - 3)) ] || die "-v: not every OK check: $screen"
	! grep -q "other checks OK" <<<"$screen" || die "$screen"
	run sb health
	[[ ${lines[0]} == CRITICAL:* ]] || die "pipe: ${lines[0]}"
	! grep -q "other checks OK" <<<"$output" || die "pipe collapsed: $output"
	first=$(grep -m1 -E '^(OK|WARNING|CRITICAL|UNKNOWN) ' <<<"$output")
	[[ $first == CRITICAL* ]] || die "pipe: not worst first: $first"
	grep -q "^CRITICAL  $fs: " <<<"$output" || die "$output"
}

@test "tables fit 80 columns by priority and say what they left out; a pipe and -o wide get full rows" {
	need_tmux
	for a in cpu irq cswitch io; do
		on_screen 80 50 NO_COLOR=1 "$SREBOX" $a --root "$FIX/node_exporter" -i 0 2>/dev/null
		fits 80
	done
	# cpu gives its guest columns the lowest priority: they go first
	on_screen 78 60 NO_COLOR=1 "$SREBOX" cpu --root "$FIX/node_exporter" -i 0
	head=$(grep -m1 '^CPU  ' <<<"$screen")
	[[ $head != *%GNICE* ]] || die "$head"
	[[ $head == *%USR*%SYS*%IDLE* ]] || die "$head"
	grep -q "%GNICE.*not shown to fit 78 columns" <<<"$screen" || die "$screen"
	run sb cpu --root "$FIX/node_exporter" -i 0
	grep -q '^CPU .*%GNICE' <<<"$output" || die "pipe lost a column: $output"
	! grep -q "not shown to fit" <<<"$output" || die "$output"
	# -o wide is never cut
	on_screen 80 60 NO_COLOR=1 "$SREBOX" cpu --root "$FIX/node_exporter" -i 0 -o wide
	grep -q '^CPU .*%GNICE.*STATE' <<<"$screen" || die "$screen"
}

@test "a long wait shows its progress on a terminal and clears it; a pipe gets none" {
	need_tmux
	for cmd in "$SREBOX irq -i 3" "$SREBOX irq -i 3 | cat"; do
		tm_start 100 30 "env PS1='$ ' bash --norc --noprofile"
		keys "clear; $cmd; printf %s __DONE__" Enter
		sleep 1.8
		mid=$(cap)
		for _ in $(seq 100); do
			cap | grep -q '__DONE__\$ *$' && break
			sleep 0.1
		done
		end=$(cap)
		tm_next
		if [[ $cmd == *"| cat" ]]; then
			! grep -q "sampling" <<<"$mid$end" || die "progress into a pipe: $mid"
		else
			grep -qE "srebox irq: sampling, [0-9]+s of 3s" <<<"$mid" || die "no progress: $mid"
			! grep -q "sampling" <<<"$end" || die "progress left behind: $end"
		fi
		grep -q "RATE/s" <<<"$end" || die "$end"
	done
}

@test "a disk --top walk shows the files scanned so far on a terminal and erases it; a pipe gets none" {
	need_tmux
	[ "$(id -u)" -eq 0 ] && [ -c /dev/fuse ] || skip "needs root and /dev/fuse for a hung filesystem"
	# a filesystem whose readdir never returns: the walk runs to its deadline
	mnt=$BATS_TEST_TMPDIR/hung
	mkdir -p "$mnt" "$BATS_TEST_TMPDIR/xdg"
	chmod 700 "$BATS_TEST_TMPDIR/xdg"
	"$TOOLS/hangfs" -r "$mnt" >/dev/null 2>&1 &
	undo kill $!
	undo umount "$mnt"
	for _ in $(seq 50); do grep -q " $mnt " /proc/self/mountinfo && break; sleep 0.1; done
	n=0
	for cmd in "$SREBOX disk -t 1 --top $mnt --top-timeout 2" "$SREBOX disk -t 1 --top $mnt --top-timeout 2 | cat"; do
		# a socket each: a new session on the one just killed can meet
		# that server still going ("server exited unexpectedly")
		sock=$BATS_TEST_TMPDIR/tmux.$((n++)).sock
		tmux -S "$sock" -f /dev/null new-session -d -x 150 -y 40 \
			"env PS1='$ ' XDG_RUNTIME_DIR=$BATS_TEST_TMPDIR/xdg bash --norc --noprofile"
		undo tmux "$sock"
		tmux -S "$sock" send-keys "clear; $cmd; printf %s __DONE__" Enter
		# every screen while it runs, until it returns (at most 60 s)
		seen=
		for _ in $(seq 600); do
			s=$(tmux -S "$sock" capture-pane -p)
			seen+=$(grep "scanned" <<<"$s" || true)
			grep -q '__DONE__\$ *$' <<<"$s" && break
			sleep 0.1
		done
		end=$(tmux -S "$sock" capture-pane -p)
		tmux -S "$sock" kill-server
		grep -q '__DONE__' <<<"$end" || die "did not return: $end"
		if [[ $cmd == *"| cat" ]]; then
			[ -z "$seen" ] || die "progress into a pipe: $seen"
		else
			grep -qE "srebox disk: --top: [0-9]+ files? scanned, " <<<"$seen" || die "no progress: $end"
			! grep -q "scanned" <<<"$end" || die "progress left behind: $end"
		fi
		grep -q "did not answer within" <<<"$end" || die "$end"
	done
}
