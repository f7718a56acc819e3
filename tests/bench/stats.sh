# srebox stats over 10 million values against datamash perc (exact
# percentiles, the peer the issue names) and sort -n (the floor of every
# `sort -n | awk` percentile one-liner), on two shapes of data: 17-digit
# floats (python's repr, the worst case for number parsing) and
# milliseconds with 3 decimals (what latency logs hold).  A run of datamash
# takes seconds, so few runs: BENCH_STATS_RUNS (default 3).
stats_runs=${BENCH_STATS_RUNS:-3}
stats_n=${BENCH_STATS_N:-10000000}

stats_row() { # LABEL 'srebox cmd' 'peer cmd'
	local label=$1 a=$2 b=$3 ja jb ra rb
	ja=$(mktemp)
	jb=$(mktemp)
	if ! sh -c "$b" >/dev/null 2>&1; then
		printf '%-34s skipped: %s failed\n' "$label" "$b" >>"$BENCH_OUT"
		return 0
	fi
	hyperfine -i --warmup 1 --runs "$stats_runs" --export-json "$ja" "$a" >/dev/null 2>&1
	hyperfine -i --warmup 1 --runs "$stats_runs" --export-json "$jb" "$b" >/dev/null 2>&1
	ra=$(f=$(mktemp); /usr/bin/time -o "$f" -f %M sh -c "$a" >/dev/null 2>&1; tail -1 "$f"; rm -f "$f")
	rb=$(f=$(mktemp); /usr/bin/time -o "$f" -f %M sh -c "$b" >/dev/null 2>&1; tail -1 "$f"; rm -f "$f")
	python3 - "$label" "$ja" "$jb" "$ra" "$rb" <<'PY' >>"$BENCH_OUT"
import json, sys
l, ja, jb, ar, br = sys.argv[1:6]
f = lambda p: (lambda r: (r["mean"] * 1e3, (r["user"] + r["system"]) * 1e3))(json.load(open(p))["results"][0])
(aw, ac), (bw, bc) = f(ja), f(jb)
ar, br = float(ar), float(br)
r = lambda x, y: (y / x) if x else float('nan')
print(f"{l:<34} {aw:10.2f} {bw:10.2f} {r(aw,bw):7.2f}x | {ac:10.2f} {bc:10.2f} {r(ac,bc):7.2f}x | {ar:9.0f} {br:9.0f} {r(ar,br):5.2f}x")
PY
	rm -f "$ja" "$jb"
}

stats_dir=$(mktemp -d)
python3 - "$stats_dir" "$stats_n" <<'PY'
import random, sys
d, n = sys.argv[1], int(sys.argv[2])
random.seed(1)
with open(f"{d}/f17", "w") as f:
    f.writelines(f"{random.lognormvariate(0, 1)!r}\n" for _ in range(n))
with open(f"{d}/ms", "w") as f:
    f.writelines("%.3f\n" % random.lognormvariate(3, 1) for _ in range(n))
PY
echo "# stats: $stats_n values, $(wc -c <"$stats_dir/f17") and $(wc -c <"$stats_dir/ms") bytes" >&2
for shape in f17 ms; do
	stats_row "stats 10M $shape p50,90,99 vs datamash" \
		"$SREBOX stats -p 50,90,99 -o check $stats_dir/$shape" \
		"datamash perc:50 1 perc:90 1 perc:99 1 <$stats_dir/$shape"
	stats_row "stats 10M $shape p50,90,99 vs sort -n" \
		"$SREBOX stats -p 50,90,99 -o check $stats_dir/$shape" \
		"sort -n $stats_dir/$shape"
	stats_row "stats --approx 10M $shape vs datamash" \
		"$SREBOX stats --approx -p 50,90,99 -o check $stats_dir/$shape" \
		"datamash perc:50 1 perc:90 1 perc:99 1 <$stats_dir/$shape"
done
rm -rf "$stats_dir"
