# srebox health -i 0 against the seed runbook's commands run one after
# another, and against the cost of starting a process at all.
# (joined by && so that a command missing here skips the row rather than
# leaving it out of the time)
runbook='uptime && vmstat && ps -eLf | wc -l && grep -i mhz /proc/cpuinfo && sort -nr /proc/interrupts && df -h && df -i && free -m && cat /proc/pressure/* && grep oom_kill /proc/vmstat'
bench_pair "health -i 0 vs the runbook" "$SREBOX health -i 0" "sh -c '$runbook'"
BENCH_PEER_SILENT=no bench_pair "health -i 0 vs busybox true" "$SREBOX health -i 0" "busybox true"
