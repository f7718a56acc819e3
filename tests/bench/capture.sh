# srebox capture: its time (-i 0.1, the snapshots' own work), against the
# shell loop a user would write to save the same per-process files (it
# prints nothing: its output is the file), and its
# archive's size, on this node and with 5000 more processes; then the
# replay of health from the archive against health live (whose verdict on
# a busy machine may be WARNING or CRITICAL: exit 1 or 2 is a run too).
cdir=$(mktemp -d)
cap_size() { # snapshots' files and archive kB of one capture
	"$SREBOX" capture -i 0.1 -o "$cdir/size.tar.gz" | sed -E 's/.*apart, ([0-9]+) files, ([0-9.]+) kB.*/\1 files, \2 kB/'
}
peer="sh -c 'for f in /proc/[0-9]*/stat /proc/[0-9]*/status /proc/[0-9]*/io /proc/[0-9]*/task/*/stat; do cat \$f; done 2>/dev/null | gzip -c >$cdir/peer.gz'"
BENCH_PEER_SILENT=no BENCH_RUNS=${BENCH_CAPTURE_RUNS:-10} bench_pair "capture -i 0.1 vs cat /proc/*/… | gzip" \
	"$SREBOX capture -i 0.1 -o $cdir/c.tar.gz" "$peer"
echo "# capture here ($(ls -d /proc/[0-9]* | wc -l) processes): $(cap_size)" >&2
"$SREBOX" capture -i 0.5 -o "$cdir/r.tar.gz" >/dev/null
BENCH_PEER_OK="0 1 2" BENCH_RUNS=${BENCH_CAPTURE_RUNS:-10} bench_pair "health --root CAPTURE vs health live" \
	"$SREBOX health --root $cdir/r.tar.gz" "$SREBOX health"
"$SREBOX_BUILD/tests/spinthreads" -f 5000 -d 900 >"$cdir/kids" &
kids=$!
for _ in $(seq 600); do [ -s "$cdir/kids" ] && break; sleep 0.1; done
echo "# with $(ls -d /proc/[0-9]* | wc -l) processes ($(cat "$cdir/kids")):" >&2
BENCH_PEER_SILENT=no BENCH_RUNS=${BENCH_CAPTURE_RUNS:-5} bench_pair "+5000 procs: capture vs cat | gzip" \
	"$SREBOX capture -i 0.1 -o $cdir/c.tar.gz" "$peer"
echo "# capture with 5000 more processes: $(cap_size)" >&2
"$SREBOX" capture -i 0.5 -o "$cdir/r.tar.gz" >/dev/null
BENCH_PEER_OK="0 1 2" BENCH_RUNS=${BENCH_CAPTURE_RUNS:-5} bench_pair "+5000 procs: health --root CAPTURE vs live" \
	"$SREBOX health --root $cdir/r.tar.gz" "$SREBOX health"
kill $kids
wait $kids 2>/dev/null || true
rm -rf "$cdir"
