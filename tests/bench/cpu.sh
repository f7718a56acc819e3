# srebox cpu -i 0 against mpstat -P ALL (per-CPU), top -b -n1 and ps aux
# (per-process), on this node and with 5000 more processes; the task table
# read by hand (--root over a link to /proc) beside libproc2, to show what
# loading libproc2 costs; and memory (peak RSS) flat with 5000 processes.
lroot=$(mktemp -d)
ln -s /proc "$lroot/proc"
bench_pair "cpu --no-tasks vs mpstat -P ALL" "$SREBOX cpu -i 0 --no-tasks" "mpstat -P ALL"
bench_pair "cpu vs mpstat -P ALL" "$SREBOX cpu -i 0" "mpstat -P ALL"
bench_pair "cpu vs top -b -n1" "$SREBOX cpu -i 0" "top -b -n1"
bench_pair "cpu vs ps aux --sort=-%mem" "$SREBOX cpu -i 0" "ps aux --sort=-%mem"
bench_pair "cpu vs pidstat -u" "$SREBOX cpu -i 0" "pidstat -u"
bench_pair "cpu libproc2 vs by hand" "$SREBOX cpu -i 0" "$SREBOX cpu -i 0 --by-hand"
bench_pair "cpu by hand vs top -b -n1" "$SREBOX cpu -i 0 --root $lroot" "top -b -n1"
"$SREBOX_BUILD/tests/spinthreads" -f 5000 -d 900 >"$lroot/kids" &
kids=$!
for _ in $(seq 600); do [ -s "$lroot/kids" ] && break; sleep 0.1; done
echo "# with $(ls -d /proc/[0-9]* | wc -l) processes ($(cat "$lroot/kids")):" >&2
bench_pair "+5000 procs: cpu vs top -b -n1" "$SREBOX cpu -i 0" "top -b -n1"
bench_pair "+5000 procs: cpu vs ps aux" "$SREBOX cpu -i 0" "ps aux --sort=-%mem"
bench_pair "+5000 procs: cpu vs pidstat -u" "$SREBOX cpu -i 0" "pidstat -u"
bench_pair "+5000 procs: by hand vs top -b -n1" "$SREBOX cpu -i 0 --root $lroot" "top -b -n1"
kill $kids
wait $kids 2>/dev/null || true
rm -rf "$lroot"
