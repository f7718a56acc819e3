#!/usr/bin/env bats
# The multi-call binary and what every applet shares: dispatch, exit
# codes, output formats, --root, --textfile, write errors.

load lib
load hangfs

teardown() { hung_teardown; }

@test "--list names every applet of the registry" {
	run sb --list
	[ "$status" -eq 0 ]
	want=$(sed -n 's/^APPLET(\(.*\))$/\1/p' "$SREBOX_TESTS/../cmd/applets.def")
	[ "$output" = "$want" ]
}

@test "--version and --help exit 0; no arguments is a usage error" {
	run sb --version
	[ "$status" -eq 0 ] && [[ $output == "srebox "[0-9]* ]]
	run sb --help
	[ "$status" -eq 0 ] && [[ $output == *"Usage: srebox APPLET"* ]] && [[ $output == *irq* ]]
	run sb
	[ "$status" -eq 3 ]
}

@test "a mistyped applet gets the closest names, like git's \"did you mean\"" {
	run -127 sb helth
	[[ $output == *"'helth' is not a srebox applet"* ]] && [[ $output == *"The most similar applet is:"*"health"* ]]
	run -127 sb nod
	[[ $output == *"The most similar applet is:"$'\n\t'"node" ]]
	run -127 sb cord
	[[ $output == *$'\t'"cordon" ]]
	# nothing close: no suggestion
	run -127 sb frobnicate
	[[ $output != *"most similar"* ]]
	ln -sf "$SREBOX" "$BATS_TEST_TMPDIR/srebox-thrtotle"
	run -127 "$BATS_TEST_TMPDIR/srebox-thrtotle"
	[[ $output == *"throttle"* ]]
}

@test "a reader that goes away ends -n 0 (| head -c1), quietly, with the state read" {
	for a in health cswitch irq throttle disk; do
		t0=$(date +%s%N)
		frun "$a -i 0.2 -n 0 | head -c1" bash -c "timeout 20 '$SREBOX' $a -i 0.2 -n 0 -o json | head -c1; exit \${PIPESTATUS[0]}"
		ms=$(( ($(date +%s%N) - t0) / 1000000 ))
		[ "$status" -le 2 ] || die "$a: exit $status (124 is the timeout): $output"
		[ "$ms" -lt 10000 ] || die "$a: took ${ms}ms after its reader left"
		[[ $output != *"Broken pipe"* ]] || die "$a: $output"
	done
}

@test "a FIFO where a file is expected, in a saved tree, is an error naming it, not a hang" {
	root=$(root_copy node_exporter)
	rm -f "$root/proc/loadavg"
	mkfifo "$root/proc/loadavg"
	for a in health cswitch; do
		frun "$a: a FIFO where a file is expected in --root" timeout 10 "$SREBOX" "$a" --root "$root" -i 0 -o json
		[ "$status" -ne 124 ] || die "$a hung on a FIFO"
		jq -e '[.findings[] | select(.state == "UNKNOWN") | .text
			| select(test("proc/loadavg: not a regular file \\(a FIFO\\)"))] | length > 0' <<<"$output" ||
			die "$a: $output"
	done
}

@test "an unknown applet exits 127 with a clear message, by argument or by link name" {
	run -127 sb frobnicate
	[ "$status" -eq 127 ] && [[ $output == *"'frobnicate' is not a srebox applet"* ]]
	ln -s "$SREBOX" "$BATS_TEST_TMPDIR/srebox-frob"
	run -127 "$BATS_TEST_TMPDIR/srebox-frob"
	[ "$status" -eq 127 ]
	ln -s "$SREBOX" "$BATS_TEST_TMPDIR/frob"
	run -127 "$BATS_TEST_TMPDIR/frob"
	[ "$status" -eq 127 ] && [[ $output == *"applet not found: frob"* ]]
}

@test "a link named APPLET or srebox-APPLET runs that applet" {
	for name in irq srebox-irq; do
		ln -sf "$SREBOX" "$BATS_TEST_TMPDIR/$name"
		run "$BATS_TEST_TMPDIR/$name" -o json
		[ "$(jq -r .applet <<<"$output")" = irq ]
	done
}

@test "--install makes a working link per applet, symbolic with -s" {
	run sb --install -s "$BATS_TEST_TMPDIR"
	[ "$status" -eq 0 ]
	for a in $(sb --list); do
		[ -L "$BATS_TEST_TMPDIR/srebox-$a" ]
		"$BATS_TEST_TMPDIR/srebox-$a" --help | grep -q "Usage: srebox-$a "
	done
	mkdir "$BATS_TEST_TMPDIR/hard"
	run sb --install "$BATS_TEST_TMPDIR/hard"
	[ "$status" -eq 0 ] && [ -f "$BATS_TEST_TMPDIR/hard/srebox-irq" ]
	run sb --install "$BATS_TEST_TMPDIR/no/such/dir"
	[ "$status" -eq 3 ]
}

@test "every applet has --help and --version" {
	for a in $(sb --list); do
		run sb "$a" --help
		[ "$status" -eq 0 ] && [[ $output == "Usage: srebox $a"* ]]
		run sb "$a" -V
		[ "$status" -eq 0 ]
	done
}

@test "usage errors exit 3 and say what was wrong" {
	run sb irq --frobnicate
	[ "$status" -eq 3 ] && [[ $output == *"unknown option --frobnicate"* ]]
	run sb irq -o yaml
	[ "$status" -eq 3 ] && [[ $output == *"'yaml' is not one of"* ]]
	run sb irq -w abc
	[ "$status" -eq 3 ] && [[ $output == *"bad range 'abc'"* ]]
	run sb irq -w nosuch=5
	[ "$status" -eq 3 ] && [[ $output == *"unknown check 'nosuch'"* ]]
	run sb irq -n 3
	[ "$status" -eq 3 ] && [[ $output == *"-n needs -i"* ]]
	run sb irq -i soon
	[ "$status" -eq 3 ]
	run sb irq --root "$BATS_TEST_TMPDIR/missing"
	[ "$status" -eq 3 ] && [[ $output == *"no such directory"* ]]
	run sb irq extra
	[ "$status" -eq 3 ]
}

@test "monitoring-plugins ranges: 10, 10:, ~:10, 10:20, @10:20 set the state" {
	root=$(root_empty)
	printf '      CPU0   CPU1\n 40: 900 100 PCI-MSI 1-edge eth0-rx-0\n' >"$root/proc/interrupts"
	printf '      CPU0   CPU1\n NET_RX: 0 0\n NET_TX: 0 0\n' >"$root/proc/softirqs"
	echo "10.00 15.00" >"$root/proc/uptime"
	# the busiest CPU, CPU0, spent 90% of its ticks in irq+softirq; CPU1 idled
	printf 'cpu  0 0 0 0\ncpu0 5 0 5 0 0 10 80 0 0 0\ncpu1 0 0 0 100 0 0 0 0 0 0\nintr 1\nctxt 1\n' >"$root/proc/stat"
	printf 'btime 1\nprocesses 1\nprocs_running 1\nprocs_blocked 0\n' >>"$root/proc/stat"
	check() { run sb irq --root "$root" -o check -c none "$@"; echo "$output"; }
	check -w 89
	[ "$status" -eq 1 ]
	check -w 90
	[ "$status" -eq 0 ]
	check -w 95 -c 80
	[ "$status" -eq 2 ]
	check -w 91: 
	[ "$status" -eq 1 ]
	check -w '~:50'
	[ "$status" -eq 1 ]
	check -w 80:95
	[ "$status" -eq 0 ]
	check -w @80:95
	[ "$status" -eq 1 ]
	check -w none
	[ "$status" -eq 0 ]
	check -w imbalance=89
	[ "$status" -eq 1 ]
	# the defaults: warning 50, critical 80
	run sb irq --root "$root" -o check
	[ "$status" -eq 2 ] && [[ $output == *"irq=90%;50;80;0;100"* ]]
}

@test "-o json is one valid object with state, findings and tables" {
	# live: whatever this machine's state, the exit status is the one the object reports
	run sb irq -i 0 -o json
	[ "$status" -le 3 ]
	jq -e --argjson s "$status" '.applet == "irq" and .exit_status == $s and .since_boot == true
		and (.findings|length) > 0 and (.interrupts|length) > 0' <<<"$output"
}

@test "-o prom passes promtool and the node_exporter textfile collector loads --textfile" {
	command -v promtool >/dev/null || skip "promtool (prometheus) not installed"
	sb irq -o prom | promtool check metrics
	dir=$BATS_TEST_TMPDIR/tf
	mkdir "$dir"
	run sb irq --textfile "$dir"
	[ "$status" -le 2 ] && [ -z "$output" ]	# live: any state but UNKNOWN
	[ -f "$dir/srebox_irq.prom" ]
	[ "$(ls -A "$dir" | wc -l)" -eq 1 ]	# no temporary file left behind
	command -v prometheus-node-exporter >/dev/null || skip "node_exporter not installed"
	port=$((20000 + RANDOM % 20000))
	prometheus-node-exporter --web.listen-address=127.0.0.1:$port \
		--collector.disable-defaults --collector.textfile \
		--collector.textfile.directory="$dir" >/dev/null 2>&1 &
	pid=$!
	for _ in $(seq 50); do
		m=$(curl -fsS "http://127.0.0.1:$port/metrics" 2>/dev/null) && break
		sleep 0.1
	done
	kill $pid
	grep -q '^node_textfile_scrape_error 0' <<<"$m"
	grep -q '^srebox_up{applet="irq"} 1' <<<"$m"
	grep -q '^srebox_irq_interrupts_total{' <<<"$m"
}

@test "--textfile into a directory that cannot be written is an error" {
	# an OK tree: the write error, not the node's state, sets the exit status
	run sb irq --root "$FIX/irq/virtio-idle" --textfile /proc/self
	[ "$status" -eq 3 ] && [[ $output == *textfile* ]]
	# whatever the verdict: a CRITICAL node whose textfile failed is 3, not 2
	run sb irq --root "$FIX/irq/nic-collapsed" -i 0 --textfile /proc/self -o check
	[ "$status" -eq 3 ] && [[ $output == *"srebox irq: --textfile: /proc/self"* ]]
	[[ $output == *"SREBOX IRQ CRITICAL"* ]]
}

@test "--textfile into a directory on a hung mount: exit 3 within its deadline, the writer left behind" {
	need_fuse
	export XDG_RUNTIME_DIR=$BATS_TEST_TMPDIR/xdg
	mkdir -m 700 "$XDG_RUNTIME_DIR"
	mnt=$BATS_TEST_TMPDIR/hung
	hangfs_start "$mnt" -c
	# mkstemp() there never returns: it used to hang the applet for good
	frun "irq --textfile DIR on a FUSE mount whose create never returns" timeout 30 "$SREBOX" irq --root "$FIX/irq/virtio-idle" --textfile "$mnt"
	[ "$status" -eq 3 ]
	[[ $output == *"srebox irq: --textfile: $mnt: not written within 5s (a hung mount?); the writer (pid "*") was left behind"* ]]
	writer=$(sed -n 's/.*the writer (pid \([0-9]*\)).*/\1/p' <<<"$output")
	[ "$(cat /proc/$writer/comm)" = srebox-textfile ]
	# a cron job's next runs: told at once, and no second writer piles up
	t0=$(date +%s%N)
	for i in 1 2 3; do
		run timeout 30 "$SREBOX" irq --root "$FIX/irq/virtio-idle" --textfile "$mnt"
		[ "$status" -eq 3 ]
		[[ $output == *"--textfile: $mnt: not written: an earlier srebox's writer (pid $writer) has been stuck there for "*"not tried again until it is gone"* ]] || die "$output"
	done
	[ $((($(date +%s%N) - t0) / 1000000)) -lt 3000 ]
	n=0
	for p in $(pgrep -x srebox-textfile); do
		[ "$(readlink /proc/$p/cwd)" = "$PWD" ] && n=$((n + 1))
	done
	[ "$n" -eq 1 ]
	# released, the writer ends and the same directory gives the
	# filesystem's own error
	kill -USR1 "$HANGFS_PID"
	for _ in $(seq 50); do [ -d /proc/$writer ] || break; sleep 0.1; done
	run timeout 30 "$SREBOX" irq --root "$FIX/irq/virtio-idle" --textfile "$mnt"
	[ "$status" -eq 3 ]
	[[ $output == *"cannot create a temporary file"* ]]
}

@test "--root on a tree that stopped answering: the rest is reported, what did not come back is UNKNOWN naming the read; no pile-up" {
	need_fuse
	export XDG_RUNTIME_DIR=$BATS_TEST_TMPDIR/xdg
	mkdir -m 700 "$XDG_RUNTIME_DIR"
	mnt=$BATS_TEST_TMPDIR/dead
	hangfs_start "$mnt" -t
	# each read waits a quarter of --deadline; the first that does not
	# come back is named, and the rest are not tried
	frun "health: --root on a FUSE tree whose reads never return (--deadline 1)" timeout 30 "$SREBOX" health --root "$mnt" --deadline 1 -i 0 -o json
	[ "$status" -eq 3 ] || die "exit $status: $output"
	jq -e --arg m "$mnt/" '.state == "UNKNOWN" and (.findings | length) > 20
		and ([.findings[] | select(.text | test("no answer within 0.25s|the root stopped answering \\(" + $m))] | length) > 20
		and ([.findings[] | select(.state == "OK" and (.text | test("no cgroup hierarchy")))] | length) == 0' <<<"$output" ||
		die "$output"
	# left behind (its main thread gone, its reader stuck) and recorded
	stuck=$(awk -v p="$mnt/srebox-root-reader" '$5 == p { print $1 }' "$XDG_RUNTIME_DIR/srebox/stuck")
	[ -n "$stuck" ] && [ -d "/proc/$stuck/task" ] || die "not recorded: $(cat "$XDG_RUNTIME_DIR/srebox/stuck")"
	# every probe applet, on its own registry: the same partial report
	for a in cswitch irq throttle; do
		mkdir -m 700 "$BATS_TEST_TMPDIR/xdg-$a"
		XDG_RUNTIME_DIR=$BATS_TEST_TMPDIR/xdg-$a frun "$a: --root on a FUSE tree whose reads never return (--deadline 1)" \
			timeout 30 "$SREBOX" "$a" --root "$mnt" --deadline 1 -i 0
		[ "$status" -eq 3 ] || die "$a: exit $status: $output"
		[[ $output == *"$mnt/"*"no answer within 0.25s"* ]] || die "$a: $output"
	done
	# a cron job's next runs over the same root: refused at once, naming
	# the stuck one, and no other left behind
	for a in health irq; do
		frun "$a: --root on a tree an earlier run is stuck on" timeout 30 "$SREBOX" "$a" --root "$mnt" -i 0
		[ "$status" -eq 3 ]
		[[ $output == "srebox $a: --root $mnt: an earlier srebox (pid $stuck) has been stuck reading it for "*"; not read again until it is gone" ]] ||
			die "$a: $output"
	done
	[ "$(grep -c "$mnt/srebox-root-reader" "$XDG_RUNTIME_DIR/srebox/stuck")" -eq 1 ]
	# the server answers again: the stuck run ends, and the root is read
	kill -USR1 "$HANGFS_PID"
	for _ in $(seq 50); do [ -d /proc/$stuck ] || break; sleep 0.1; done
	run timeout 30 "$SREBOX" irq --root "$mnt" -i 0
	[[ $output != *"an earlier srebox"* ]] || die "$output"
	# the deadline is the applet's own work: a long -i is not counted
	run timeout 30 "$SREBOX" irq --root "$FIX/irq/virtio-idle" --deadline 1 -i 1.5 -n 2
	[ "$status" -eq 0 ] || die "exit $status: $output"
	run "$SREBOX" irq --deadline 0
	[ "$status" -eq 3 ] && [[ $output == *"--deadline: give a duration above 0"* ]]
}

@test "--root whose lookups, or opens, never return: bounded by --deadline, named, recorded" {
	need_fuse
	export XDG_RUNTIME_DIR=$BATS_TEST_TMPDIR/xdg
	mkdir -m 700 "$XDG_RUNTIME_DIR"
	# a path walk that never comes back: the first stat, before any read
	mnt=$BATS_TEST_TMPDIR/nolookup
	hangfs_start "$mnt" -g
	frun "health: --root on a FUSE tree whose lookups never return (--deadline 1)" timeout 30 "$SREBOX" health --root "$mnt" --deadline 1 -i 0
	[ "$status" -eq 3 ]
	[[ $output == "srebox health: gave up after 1s without an answer, checking $mnt (a hung --root, mount or /proc read?)"* ]] || die "$output"
	run timeout 30 "$SREBOX" irq --root "$mnt" -i 0
	[ "$status" -eq 3 ] && [[ $output == "srebox irq: --root $mnt: an earlier srebox (pid "*") has been stuck reading it for "* ]] || die "$output"
	# an open that never comes back: in the reader, so the report comes
	mnt=$BATS_TEST_TMPDIR/noopen
	hangfs_start "$mnt" -o
	frun "irq: --root on a FUSE tree whose opens never return (--deadline 1)" timeout 30 "$SREBOX" irq --root "$mnt" --deadline 1 -i 0 -o json
	[ "$status" -eq 3 ] || die "exit $status: $output"
	jq -e --arg m "$mnt" '.state == "UNKNOWN" and (tostring | contains($m + "/proc/interrupts: no answer within 0.25s"))' <<<"$output" || die "$output"
}

@test "-o check is one monitoring-plugins line with perfdata" {
	# live: any state, as long as the line says the state the exit status is
	run sb irq -o check
	[ "${#lines[@]}" -eq 1 ]
	states=(OK WARNING CRITICAL UNKNOWN)
	[[ $output =~ ^SREBOX\ IRQ\ ${states[$status]}:\ .*\ \|\ .*irq=([0-9.]+%\;50\;80\;0\;100|U) ]]
	[[ $output =~ \ irq_queues=([0-9]+|U)\;0\;\;\; ]]
}

@test "--root on a server that answers slowly (0.2 s a read): small reports come, slow, and right; big ones end at --deadline" {
	need_fuse
	mnt=$BATS_TEST_TMPDIR/slow
	mkdir -p "$mnt"
	"$TOOLS/hangfs" -l "$FIX/node_exporter" "$mnt" >/dev/null 2>&1 &
	hung_undo kill $!
	hung_undo umount "$mnt"
	for _ in $(seq 50); do [ -d "$mnt/proc" ] && break; sleep 0.1; done
	# irq reads a handful of files: the answer is the tree's own
	frun "irq: --root on a FUSE copy answering each read in 0.2 s" timeout 60 "$SREBOX" irq --root "$mnt" -i 0 -o json
	# (the tree has no proc/uptime: UNKNOWN, exit 3, either way)
	[ "$status" -eq 3 ] && [ "$(jq -r .state <<<"$output")" = UNKNOWN ] || die "exit $status: $output"
	same='[.findings[] | {check, state, value}], [.interrupts[] | {irq, total, per_cpu}]'
	diff <(jq -S "$same" <<<"$output") \
		<(sb irq --root "$FIX/node_exporter" -i 0 -o json | jq -S "$same")
	# health reads hundreds: it gives up at its deadline, naming the read,
	# instead of running for minutes
	frun "health: --root on a FUSE copy answering each read in 0.2 s (--deadline 2)" timeout 60 "$SREBOX" health --root "$mnt" -i 0 --deadline 2
	[ "$status" -eq 3 ] || die "exit $status: $output"
	# (each read waits half a second: under load one may not, and is named)
	[[ $output == "srebox health: gave up after "*"s without an answer, reading $mnt/"* ||
		$output == *"$mnt/"*"no answer within 0.5s"* ]] || die "$output"
}

@test "a full disk is an error, a closed pipe is not" {
	[ -w /dev/full ] || skip "no /dev/full"
	run sb irq -a -o wide >/dev/full
	frun "irq -a -o wide >/dev/full" bash -c '"$SREBOX" irq -a -o wide >/dev/full'
	[ "$status" -eq 3 ] && [[ $output == *"write error"* ]]
	run bash -c '"$SREBOX" irq -a -o json | head -c 10 >/dev/null'
	[ -z "$output" ]
}

@test "colour only on request or a terminal, and never with NO_COLOR" {
	run sb irq
	[[ $output != *$'\033['* ]]
	run sb irq --color always
	[[ $output == *$'\033['* ]]
	command -v script >/dev/null || skip "no script(1)"
	run script -qec "$SREBOX irq" /dev/null
	[[ $output == *$'\033['* ]]
	run env NO_COLOR=1 script -qec "$SREBOX irq" /dev/null
	[[ $output != *$'\033['* ]]
}

@test "SREBOX_ROOT works like --root" {
	root=$(root_copy node_exporter)
	echo "100.00 200.00" >"$root/proc/uptime"
	a=$(SREBOX_ROOT=$root sb irq -o json | jq -c '.interrupts')
	b=$(sb irq --root "$root" -o json | jq -c '.interrupts')
	[ "$a" = "$b" ]
	[ "$(jq length <<<"$a")" -eq 30 ]
}

@test "-i with -n prints N reports and the worst state is the exit status" {
	run sb irq -i 0.2 -n 3 -o json
	[ "$(jq -s length <<<"$output")" -eq 3 ]
	# a live machine may really be imbalanced: the exit status must be the
	# worst of the three reports' states, whatever they are
	worst=$(jq -rs 'map({"OK":0,"UNKNOWN":1,"WARNING":2,"CRITICAL":3}[.state]) | max' <<<"$output")
	want=$(( worst == 1 ? 3 : worst == 2 ? 1 : worst == 3 ? 2 : 0 ))
	[ "$status" -eq "$want" ]
	jq -se 'all(.[]; .since_boot == false and .interval_seconds > 0.15)' <<<"$output"
}

@test "Ctrl-C ends a -n 0 loop cleanly" {
	"$SREBOX" irq -i 0.2 -n 0 -o check >"$BATS_TEST_TMPDIR/out" &
	pid=$!
	sleep 1
	kill -INT $pid
	wait $pid || true
	[ "$(wc -l <"$BATS_TEST_TMPDIR/out")" -ge 2 ]
}

@test "a file name that is not UTF-8 keeps its path, escaped, in every format" {
	dir=$BATS_TEST_TMPDIR/top
	mkdir "$dir"
	head -c 200000 /dev/zero >"$dir/caf$(printf '\351').log"	# Latin-1 é
	head -c 100000 /dev/zero >"$dir/日本語.txt"
	head -c 50000 /dev/zero >"$dir/back\\slash"
	run sb disk --top "$dir" -o json
	paths=$(jq -r '[.. | objects | .path? // empty] | unique | .[]' <<<"$output")
	grep -qxF "$dir/caf\\xE9.log" <<<"$paths" || die "no escaped Latin-1 path in: $paths"
	grep -qxF "$dir/日本語.txt" <<<"$paths" || die "valid UTF-8 path not kept in: $paths"
	grep -qxF "$dir/back\\\\slash" <<<"$paths" || die "backslash not escaped in: $paths"
	# the table keeps the columns aligned: SIZE ends in the same column
	run sb disk --top "$dir"
	sizes=$(grep -E "^$dir/" <<<"$output" | head -3 |
		while IFS= read -r l; do printf %s "${l%%KiB*}" | wc -L; done | sort -u)
	[ "$(wc -l <<<"$sizes")" -eq 1 ] || die "misaligned: $output"
	run sb disk --top "$dir" -o prom
	[[ $output == *"caf\\\\xE9.log"* ]] || die "prom label lacks the escaped path"
}

# Wait until process $1 has its handler for signal $2 (a number) in place,
# so that a test's signal is not the default action killing it.
wait_handler() {
	local mask
	for _ in $(seq 100); do
		mask=$(sed -n 's/^SigCgt:\t//p' "/proc/$1/status" 2>/dev/null) || return 1
		[ -n "$mask" ] && (( (16#$mask >> ($2 - 1)) & 1 )) && return 0
		sleep 0.02
	done
	return 1
}

@test "SIGINT, SIGTERM or SIGHUP before the first report: exit 3, said on stderr, at once" {
	for a in health cswitch irq disk throttle; do
		for sig in INT TERM HUP; do
			out=$BATS_TEST_TMPDIR/out.$a.$sig err=$BATS_TEST_TMPDIR/err.$a.$sig
			"$SREBOX" "$a" -i 5 -o json >"$out" 2>"$err" &
			pid=$!
			wait_handler $pid "$(kill -l "$sig")" || die "$a: no handler for SIG$sig"
			t0=$(date +%s%N)
			kill -"$sig" $pid
			rc=0
			wait $pid || rc=$?
			ms=$(( ($(date +%s%N) - t0) / 1000000 ))
			[ "$rc" -eq 3 ] || die "$a SIG$sig: exit $rc, want 3: $(cat "$err")"
			grep -q "srebox $a: interrupted by SIG$sig before the first report" "$err" ||
				die "$a SIG$sig: stderr says: $(cat "$err")"
			[ ! -s "$out" ] || die "$a SIG$sig: printed a report"
			[ "$ms" -lt 2000 ] || die "$a SIG$sig: took ${ms}ms to stop"
		done
	done
}

@test "a signal after some reports: the exit status is the worst of those reports" {
	n=0
	for a in health cswitch irq disk throttle; do
		sig=$(( n++ % 3 ))
		sig=$(sed -n "$((sig + 1))p" <<<$'INT\nTERM\nHUP')
		# files of their own: the shell truncates them only after the fork
		out=$BATS_TEST_TMPDIR/out.$a err=$BATS_TEST_TMPDIR/err.$a
		: >"$out"
		"$SREBOX" "$a" -i 0.2 -n 0 -o check >"$out" 2>"$err" &
		pid=$!
		for _ in $(seq 200); do
			[ -s "$out" ] && break
			sleep 0.05
		done
		[ -s "$out" ] || die "$a: no report in 10 s"
		kill -"$sig" $pid
		rc=0
		wait $pid || rc=$?
		# each line is one report; the live states may be anything, so
		# the truth is the worst of what was printed (OK < UNKNOWN < WARNING < CRITICAL)
		want=$(sed -nE 's/^SREBOX [A-Z]+ (OK|WARNING|CRITICAL|UNKNOWN):.*/\1/p' "$out" |
			awk '{ r = $1 == "OK" ? 0 : $1 == "UNKNOWN" ? 1 : $1 == "WARNING" ? 2 : 3; if (r > m) m = r }
			     END { print m == 1 ? 3 : m == 2 ? 1 : m == 3 ? 2 : 0 }')
		[ "$(wc -l <"$out")" -ge 1 ]
		[ "$rc" -eq "$want" ] || die "$a SIG$sig: exit $rc, reports say $want: $(cat "$out")"
		! grep -q interrupted "$err" || die "$a: $(cat "$err")"
	done
}

@test "--root without proc/, missing or not a directory: one clear error, before any probe" {
	mkdir -p "$BATS_TEST_TMPDIR/noproc/sys"
	touch "$BATS_TEST_TMPDIR/file"
	for a in health cswitch irq disk throttle; do
		for r in noproc missing file; do
			d=$BATS_TEST_TMPDIR/$r
			run sb "$a" --root "$d" -o json
			[ "$status" -eq 3 ] || die "$a --root $r: exit $status"
			[ "${#lines[@]}" -eq 1 ] || die "$a --root $r: more than one line: $output"
			case $r in
			noproc) want="srebox $a: --root $d: no proc/ in it" ;;
			missing) want="srebox $a: --root $d: no such directory" ;;
			file) want="srebox $a: --root $d: not a directory" ;;
			esac
			[[ $output == "$want"* ]] || die "$a --root $r: $output"
		done
		run env SREBOX_ROOT="$BATS_TEST_TMPDIR/noproc" "$SREBOX" "$a"
		[ "$status" -eq 3 ] && [[ $output == "srebox $a: SREBOX_ROOT=$BATS_TEST_TMPDIR/noproc: no proc/ in it"* ]] ||
			die "$a SREBOX_ROOT: $output"
	done
	# strace: not one read under the root before the error
	command -v strace >/dev/null || skip "no strace"
	strace -f -e trace=openat,open -o "$BATS_TEST_TMPDIR/trace" "$SREBOX" irq --root "$BATS_TEST_TMPDIR/noproc" 2>/dev/null || true
	! grep "$BATS_TEST_TMPDIR/noproc/" "$BATS_TEST_TMPDIR/trace" || die "opened files under the root"
}
