# Shared by the benchmark scripts (tests/bench/*.sh, run by `make bench`).
# Benchmarks measure; they never pass or fail on a figure.
#
#   [BENCH_PEER_OK='0 1 2'] [BENCH_PEER_SILENT=no] bench_pair LABEL 'srebox command' 'peer command'
# runs both with hyperfine (warm cache, many runs) and prints one row:
# wall time, CPU time (user+sys) and peak RSS of each, and the ratios
# peer/srebox (above 1 means srebox is faster or lighter).
#
# Before timing, each command runs once and must do its job: the peer
# exits 0 (or a status in BENCH_PEER_OK, for a monitoring plugin whose
# exit status is its verdict) and prints something on stdout; srebox
# exits 0, 1 or 2 (a verdict, not an error).  A command that is not
# installed, or lacks an option in the version Debian ships (lsirq -i is
# not in util-linux 2.38), would time its own error message: its row says
# why and has no figures.

: "${SREBOX:?run through make bench}"
BENCH_RUNS=${BENCH_RUNS:-200}
BENCH_OUT=${BENCH_OUT:-/dev/stdout}

_hf() { # cmd -> "wall_ms cpu_ms"
	local json
	json=$(mktemp)
	# -i: exit 1 or 2 is a check's verdict, not a failed run
	hyperfine -N -i --warmup 20 --runs "$BENCH_RUNS" --export-json "$json" "$1" >/dev/null 2>&1 ||
		hyperfine -i --warmup 5 --runs "$BENCH_RUNS" --export-json "$json" "$1" >/dev/null 2>&1
	python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.3f %.3f" % (r["mean"]*1e3, (r["user"]+r["system"])*1e3))' "$json"
	rm -f "$json"
}

_rss() { # peak RSS in KiB over 5 runs (max)
	local m=0 v
	for _ in 1 2 3 4 5; do
		v=$(f=$(mktemp); /usr/bin/time -o "$f" -f %M sh -c "$1" >/dev/null 2>&1 || true; tail -1 "$f"; rm -f "$f")
		[ "$v" -gt "$m" ] 2>/dev/null && m=$v
	done
	echo "$m"
}

bench_header() {
	printf '%-34s %10s %10s %8s | %10s %10s %8s | %9s %9s %6s\n' \
		benchmark "srebox ms" "peer ms" ratio "sb cpu ms" "peer cpu" ratio "sb KiB" "peer KiB" ratio >"$BENCH_OUT"
}

# _works CMD STATUSES NEED_OUTPUT: nothing when CMD runs as it should,
# else why not (its status and first line of output).
_works() {
	local out rc=0
	out=$(mktemp)
	timeout 600 sh -c "$1" >"$out" 2>"$out.err" </dev/null || rc=$?
	case " $2 " in
	*" $rc "*)
		if [ "$3" = yes ] && [ ! -s "$out" ]; then
			echo "'$1' printed nothing"
		fi ;;
	*) echo "'$1' exited $rc: $(cat "$out.err" "$out" | head -1)" ;;
	esac
	rm -f "$out" "$out.err"
}

bench_pair() {
	local label=$1 a=$2 b=$3 sa sb ra rb why
	why=$(_works "$b" "${BENCH_PEER_OK:-0}" "${BENCH_PEER_SILENT:-yes}")
	[ -n "$why" ] || why=$(_works "$a" "0 1 2" no)
	if [ -n "$why" ]; then
		printf '%-34s skipped: %s\n' "$label" "$why" >>"$BENCH_OUT"
		return 0
	fi
	sa=$(_hf "$a")
	sb=$(_hf "$b")
	ra=$(_rss "$a")
	rb=$(_rss "$b")
	python3 - "$label" $sa $sb "$ra" "$rb" <<'PY' >>"$BENCH_OUT"
import sys
l, aw, ac, bw, bc, ar, br = sys.argv[1], *map(float, sys.argv[2:6]), float(sys.argv[6]), float(sys.argv[7])
r = lambda x, y: (y / x) if x else float('nan')
print(f"{l:<34} {aw:10.2f} {bw:10.2f} {r(aw,bw):7.2f}x | {ac:10.2f} {bc:10.2f} {r(ac,bc):7.2f}x | {ar:9.0f} {br:9.0f} {r(ar,br):5.2f}x")
PY
}

# For the Kubernetes benchmarks: the real kubectl (Google's versioned
# binary first), or nothing.
bench_kubectl() {
	local k
	for k in /usr/lib/google-cloud-sdk/bin/kubectl.1.3[0-9] "$(command -v kubectl 2>/dev/null)"; do
		[ -x "$k" ] && { echo "$k"; return 0; }
	done
	return 1
}

# A CA (DIR/ca.crt) and a certificate for the test API server on 127.0.0.1
# (DIR/s.crt, DIR/s.key).
bench_certs() {
	(
		cd "$1" || exit 1
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key \
			-out ca.crt -days 2 -subj /CN=bench-ca
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout s.key -out s.csr \
			-subj /CN=bench-apiserver
		printf 'subjectAltName=IP:127.0.0.1\n' >ext
		openssl x509 -req -in s.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out s.crt -days 2 -extfile ext
	) >/dev/null 2>&1
}
