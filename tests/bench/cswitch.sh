# srebox cswitch against vmstat (system counters), pidstat -w / -wt
# (per-task switch rates) and ps -eLf | wc -l (thread count), one-shot, on
# this node and with 2000 more threads; and the task table read by hand
# (--root over a link to /proc) beside libproc2, to show what libproc2 costs.
lroot=$(mktemp -d)
ln -s /proc "$lroot/proc"
bench_pair "cswitch -o check vs vmstat" "$SREBOX cswitch -i 0 -o check" "vmstat"
bench_pair "cswitch --no-tasks vs vmstat" "$SREBOX cswitch -i 0 --no-tasks" "vmstat"
bench_pair "cswitch vs pidstat -w" "$SREBOX cswitch -i 0" "pidstat -w"
bench_pair "cswitch vs pidstat -wt" "$SREBOX cswitch -i 0" "pidstat -wt"
bench_pair "cswitch by hand vs pidstat -w" "$SREBOX cswitch -i 0 --root $lroot" "pidstat -w"
bench_pair "cswitch vs ps -eLf | wc -l" "$SREBOX cswitch -i 0" "sh -c 'ps -eLf | wc -l'"
"$SREBOX_BUILD/tests/manythreads" -n 2000 -d 900 >/dev/null &
mt=$!
sleep 1
echo "# with $(($(awk '{split($4, t, "/"); print t[2]}' /proc/loadavg))) tasks:" >&2
bench_pair "+2000 thr: cswitch vs pidstat -wt" "$SREBOX cswitch -i 0" "pidstat -wt"
bench_pair "+2000 thr: by hand vs pidstat -wt" "$SREBOX cswitch -i 0 --root $lroot" "pidstat -wt"
bench_pair "+2000 thr: cswitch vs ps -eLf|wc -l" "$SREBOX cswitch -i 0" "sh -c 'ps -eLf | wc -l'"
kill $mt
wait $mt 2>/dev/null || true
rm -rf "$lroot"
