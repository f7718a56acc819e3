# srebox top against top -d 2 and irqtop (Debian's irqtop package: the
# util-linux irqtop is not built in Debian 12): the CPU each uses over the
# same wall time at its default interval, batch mode (utime+stime from
# time(1)); and srebox top's memory over a long soak on a small saved tree
# at a short interval, recording to a bounded file (VmRSS at the start and
# the end: flat means no leak).  TOP_BENCH_SECONDS (default 30) and
# TOP_SOAK_SAMPLES (default 100000; 0: no soak) shorten them.

_top_cpu() { # cmd -> "cpu_ms" over TOP_BENCH_SECONDS of wall time
	local f rc=0
	f=$(mktemp)
	/usr/bin/time -o "$f" -f '%U %S' timeout -s INT "${TOP_BENCH_SECONDS:-30}" sh -c "exec $1" \
		>/dev/null 2>&1 </dev/null || rc=$?
	awk 'END { printf "%.0f", ($1 + $2) * 1000 }' "$f"
	rm -f "$f"
}

_top_row() { # label srebox-cmd peer-cmd
	local a b
	if ! command -v "${3%% *}" >/dev/null; then
		printf '%-34s skipped: %s is not installed\n' "$1" "${3%% *}" >>"$BENCH_OUT"
		return 0
	fi
	a=$(_top_cpu "$2")
	b=$(_top_cpu "$3")
	python3 - "$1" "$a" "$b" "${TOP_BENCH_SECONDS:-30}" <<'PY' >>"$BENCH_OUT"
import sys
l, a, b, s = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
r = b / a if a else float('nan')
print(f"{l:<34} {'':>10} {'':>10} {'':>8} | {a:10.0f} {b:10.0f} {r:7.2f}x |  (CPU ms over {s} s of wall time)")
PY
}

_top_row "top -b, 2 s vs top -b -d 2" "$SREBOX top -b -i 2 -n 0" "top -b -d 2"
_top_row "top -b, 2 s vs irqtop -b -d 2" "$SREBOX top -b -i 2 -n 0" "irqtop -b -d 2"

n=${TOP_SOAK_SAMPLES:-100000}
[ "$n" -gt 0 ] || return 0
soak=$(mktemp -d)
mkdir -p "$soak/root/proc" "$soak/root/sys"
printf 'cpu  2 0 2 100 0 0 0 0 0 0\ncpu0 1 0 1 50 0 0 0 0 0 0\ncpu1 1 0 1 50 0 0 0 0 0 0\nintr 2000 0 0\nctxt 10000\nbtime 1\nprocesses 500\nprocs_running 1\nprocs_blocked 0\n' \
	>"$soak/root/proc/stat"
echo "100.00 150.00" >"$soak/root/proc/uptime"
echo "0.10 0.10 0.10 1/200 999" >"$soak/root/proc/loadavg"
start=$(date +%s)
"$SREBOX" top --root "$soak/root" -b -o json -i 0.001 -n "$n" --record "$soak/rec" --record-size 1M \
	>"$soak/out" 2>/dev/null &
pid=$!
rss_first= rss_max=0
while kill -0 "$pid" 2>/dev/null; do
	rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null) || break
	lines=$(wc -l <"$soak/out")
	[ -z "$rss_first" ] && [ "$lines" -ge 1000 ] && [ -n "$rss" ] && rss_first=$rss
	[ -n "$rss" ] && [ "$rss" -gt "$rss_max" ] && rss_max=$rss
	[ -n "$rss" ] && rss_last=$rss
	sleep 2
done
wait "$pid" || true
done_n=$(wc -l <"$soak/out")
printf '%-34s %s samples in %ss: VmRSS %s KiB after 1000, %s KiB at the end, %s KiB at most; recording %s bytes\n' \
	"top soak (RSS, KiB)" "$done_n" "$(($(date +%s) - start))" "${rss_first:-?}" "${rss_last:-?}" "$rss_max" \
	"$(cat "$soak/rec" "$soak/rec.1" 2>/dev/null | wc -c)" >>"$BENCH_OUT"
rm -rf "$soak"
