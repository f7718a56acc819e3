#!/bin/sh
# capture-tasks.sh DEST PID...: save what `srebox cswitch` reads from this
# machine into DEST/proc, for the processes given (all their threads), so
# that a test can run `srebox cswitch --root DEST` over a real snapshot:
#   proc/{stat,loadavg,uptime}, proc/sys/kernel/{pid_max,threads-max},
#   proc/PID/{stat,status}, proc/PID/task/TID/{stat,status}
# Files are copied with cat (procfs reports size 0, so cp may copy nothing).
set -eu
[ $# -ge 2 ] || { echo "usage: $0 DEST PID..." >&2; exit 2; }
dest=$1
shift
mkdir -p "$dest/proc/sys/kernel"
for f in stat loadavg uptime sys/kernel/pid_max sys/kernel/threads-max; do
	cat "/proc/$f" >"$dest/proc/$f"
done
for pid in "$@"; do
	mkdir -p "$dest/proc/$pid/task"
	cat "/proc/$pid/stat" >"$dest/proc/$pid/stat"
	cat "/proc/$pid/status" >"$dest/proc/$pid/status"
	for t in /proc/"$pid"/task/*; do
		tid=${t##*/}
		mkdir -p "$dest/proc/$pid/task/$tid"
		cat "$t/stat" >"$dest/proc/$pid/task/$tid/stat"
		cat "$t/status" >"$dest/proc/$pid/task/$tid/status"
	done
done
