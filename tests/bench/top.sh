# srebox top against top -d 2 and irqtop (Debian's irqtop package: the
# util-linux irqtop is not built in Debian 12): the CPU each uses at its
# default interval, side by side over the same wall time (one after the
# other, a VM's neighbours made the two differ by a third from run to
# run), batch mode and on a screen (each in its own window of one 200x50
# tmux server).  Two figures a pair, from each process's threads'
# /proc/PID/task/*/schedstat (nanoseconds on the CPU):
#   from start: everything since exec, over TOP_WARMUP + TOP_BENCH_SECONDS
#     of wall time -- a short look during an incident, start-up included
#     (irqtop is Ruby: its start-up is most of a minute's cost);
#   steady: over TOP_BENCH_SECONDS after TOP_WARMUP (default 5) seconds --
#     a view kept open for the incident, the cost of each sample.
# Then srebox top's memory over a long soak on a small saved tree of 40
# processes (more than a pane's 25 rows) at a short interval, recording to
# a bounded file (VmRSS after 1000 samples, half way and at the end: flat
# means no leak).  TOP_BENCH_SECONDS (default 30; 0: no CPU rows) and
# TOP_SOAK_SAMPLES (default 100000; 0: no soak) shorten them.  The batch
# pair against top is run twice: on the machine as it is, and with
# TOP_EXTRA_PROCS (default 250) idle processes added, as many as a
# Kubernetes node runs (each tool's cost grows with the process table).

_top_ns() { # pid -> ns on the CPU, its threads summed, or nothing
	cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { if (NR) printf "%.0f", s }'
}

_top_ratio() { # label srebox_ns peer_ns what
	python3 - "$1" "$2" "$3" "$4" <<'PY' >>"$BENCH_OUT"
import sys
l, a, b, w = sys.argv[1], float(sys.argv[2]) / 1e6, float(sys.argv[3]) / 1e6, sys.argv[4]
r = b / a if a else float('nan')
print(f"{l:<34} {'':>10} {'':>10} {'':>8} | {a:10.0f} {b:10.0f} {r:7.2f}x |  (CPU ms, {w})")
PY
}

# _top_pair LABEL PID_SREBOX PID_PEER: both figures of a pair running now
_top_pair() {
	local a0 b0 a1 b1 warm=${TOP_WARMUP:-5} secs=${TOP_BENCH_SECONDS:-30}
	sleep "$warm"
	a0=$(_top_ns "$2") b0=$(_top_ns "$3")
	sleep "$secs"
	a1=$(_top_ns "$2") b1=$(_top_ns "$3")
	if [ -z "$a0" ] || [ -z "$a1" ] || [ -z "$b0" ] || [ -z "$b1" ]; then
		printf '%-34s skipped: a process did not stay up\n' "$1" >>"$BENCH_OUT"
		return 0
	fi
	_top_ratio "$1" "$a1" "$b1" "from start, over $((warm + secs)) s"
	_top_ratio "$1" "$((a1 - a0))" "$((b1 - b0))" "steady, over $secs s after $warm s"
}

_top_row() { # label srebox-cmd peer-cmd
	local a b
	if ! command -v "${3%% *}" >/dev/null; then
		printf '%-34s skipped: %s is not installed\n' "$1" "${3%% *}" >>"$BENCH_OUT"
		return 0
	fi
	$2 >/dev/null 2>&1 </dev/null &
	a=$!
	$3 >/dev/null 2>&1 </dev/null &
	b=$!
	_top_pair "$1" "$a" "$b"
	kill "$a" "$b" 2>/dev/null || true
	wait "$a" "$b" 2>/dev/null || true
}

# _top_many N: the batch pair again with N more idle processes (sleep),
# about a Kubernetes node's count: top opens and reads three files of
# every process each sample; srebox top reads one held file of each task
# and the rest only of those that ran.
_top_many() {
	local i sleepers=()
	for i in $(seq "$1"); do
		sleep 100000 </dev/null >/dev/null 2>&1 &
		sleepers+=($!)
	done
	_top_row "top -b vs top -b -d 2, +$1 idle" "$SREBOX top -b -i 2 -n 0" "top -b -d 2"
	kill "${sleepers[@]}" 2>/dev/null || true
	wait "${sleepers[@]}" 2>/dev/null || true
}

_top_screen() {
	local tm ps_ pt_ pi_
	tm="tmux -L srebox-bench-top-$$ -f /dev/null"
	$tm new-session -d -s b -n srebox -x 200 -y 50 "exec $SREBOX top" || return 0
	$tm new-window -d -t b -n top "exec top -d 2" || true
	if command -v irqtop >/dev/null; then
		$tm new-window -d -t b -n irqtop "exec irqtop -d 2" || true
	fi
	sleep 1
	ps_=$($tm display -p -t b:srebox '#{pane_pid}' 2>/dev/null) || ps_=
	pt_=$($tm display -p -t b:top '#{pane_pid}' 2>/dev/null) || pt_=
	pi_=$($tm display -p -t b:irqtop '#{pane_pid}' 2>/dev/null) || pi_=
	# one wait for all three: two pairs measured over the same seconds
	if [ -n "$pi_" ]; then
		_top_pair "top screen vs irqtop -d 2 (tmux)" "$ps_" "$pi_" &
	fi
	_top_pair "top screen vs top -d 2 (tmux)" "$ps_" "$pt_"
	wait
	$tm kill-server 2>/dev/null || true
	return 0
}
if [ "${TOP_BENCH_SECONDS:-30}" -gt 0 ]; then
	_top_row "top -b, 2 s vs top -b -d 2" "$SREBOX top -b -i 2 -n 0" "top -b -d 2"
	_top_row "top -b, 2 s vs irqtop -b -d 2" "$SREBOX top -b -i 2 -n 0" "irqtop -b -d 2"
	_top_many "${TOP_EXTRA_PROCS:-250}"
	if command -v tmux >/dev/null; then
		_top_screen
	else
		printf '%-34s skipped: tmux is not installed\n' "top screen" >>"$BENCH_OUT"
	fi
fi

n=${TOP_SOAK_SAMPLES:-100000}
[ "$n" -gt 0 ] || return 0
soak=$(mktemp -d)
mkdir -p "$soak/root/proc" "$soak/root/sys"
printf 'cpu  2 0 2 100 0 0 0 0 0 0\ncpu0 1 0 1 50 0 0 0 0 0 0\ncpu1 1 0 1 50 0 0 0 0 0 0\nintr 2000 0 0\nctxt 10000\nbtime 1\nprocesses 500\nprocs_running 1\nprocs_blocked 0\n' \
	>"$soak/root/proc/stat"
echo "100.00 150.00" >"$soak/root/proc/uptime"
echo "0.10 0.10 0.10 1/200 999" >"$soak/root/proc/loadavg"
for p in $(seq 100 139); do
	mkdir -p "$soak/root/proc/$p/task/$p"
	printf '%s (soak%s) S 1 %s %s 0 -1 4194560 0 0 0 0 %s 3 0 0 20 0 1 0 50 1000000 %s 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 %s 0 0 0 0 0\n' \
		"$p" "$p" "$p" "$p" "$((p % 7 + 1))" "$((p * 3))" "$((p % 2))" >"$soak/root/proc/$p/stat"
	printf 'Name:\tsoak%s\nState:\tS (sleeping)\nThreads:\t1\nvoluntary_ctxt_switches:\t%s\nnonvoluntary_ctxt_switches:\t1\n' \
		"$p" "$p" >"$soak/root/proc/$p/status"
	cp "$soak/root/proc/$p/stat" "$soak/root/proc/$p/status" "$soak/root/proc/$p/task/$p/"
done
start=$(date +%s)
"$SREBOX" top --root "$soak/root" -b -o json -i 0.001 -n "$n" --record "$soak/rec" --record-size 1M \
	>"$soak/out" 2>/dev/null &
pid=$!
rss_first= rss_mid= rss_max=0
while kill -0 "$pid" 2>/dev/null; do
	rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null) || break
	lines=$(wc -l <"$soak/out")
	[ -z "$rss_first" ] && [ "$lines" -ge 1000 ] && [ -n "$rss" ] && rss_first=$rss
	[ -z "$rss_mid" ] && [ "$lines" -ge $((n / 2)) ] && [ -n "$rss" ] && rss_mid=$rss
	[ -n "$rss" ] && [ "$rss" -gt "$rss_max" ] && rss_max=$rss
	[ -n "$rss" ] && rss_last=$rss
	sleep 2
done
wait "$pid" || true
done_n=$(wc -l <"$soak/out")
printf '%-34s %s samples in %ss: VmRSS %s KiB after 1000, %s KiB half way, %s KiB at the end, %s KiB at most; recording %s bytes\n' \
	"top soak (RSS, KiB)" "$done_n" "$(($(date +%s) - start))" "${rss_first:-?}" "${rss_mid:-?}" \
	"${rss_last:-?}" "$rss_max" "$(cat "$soak/rec" "$soak/rec.1" 2>/dev/null | wc -c)" >>"$BENCH_OUT"
rm -rf "$soak"
