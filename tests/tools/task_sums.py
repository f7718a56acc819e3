#!/usr/bin/env python3
"""What `srebox cswitch` should report for a saved /proc tree, computed
independently from the files (for tests/cli/cswitch.bats).

  task_sums.py ROOT              since boot, per process:
      pid threads vol nonvol vol_per_s nonvol_per_s
  task_sums.py --threads ROOT    the same per thread: pid tid ... (no threads column)
  task_sums.py ROOT PREV_ROOT    over an interval, per process:
      pid threads dvol dnonvol born exited

Since boot, a thread's rate is its count over its age (uptime minus stat
field 22 over USER_HZ = 100, at least one tick).  Over an interval, a
thread matched by TID and start time contributes its increase; a new one
(or a TID reused with another start time) its whole count."""
import os
import sys

HZ = 100


def tasks(root):
    out = {}
    proc = os.path.join(root, 'proc')
    for pid in sorted((d for d in os.listdir(proc) if d.isdigit()), key=int):
        tdir = os.path.join(proc, pid, 'task')
        for tid in sorted((d for d in os.listdir(tdir) if d.isdigit()), key=int):
            base = os.path.join(tdir, tid)
            stat = open(os.path.join(base, 'stat')).read()
            fields = stat[stat.rindex(')') + 2:].split()
            start = int(fields[19])          # field 22
            counts = {}
            for line in open(os.path.join(base, 'status')):
                k, _, v = line.partition(':')
                if k in ('voluntary_ctxt_switches', 'nonvoluntary_ctxt_switches'):
                    counts[k] = int(v)
            out[(int(pid), int(tid))] = (start, counts['voluntary_ctxt_switches'],
                                         counts['nonvoluntary_ctxt_switches'])
    return out


def uptime(root):
    return float(open(os.path.join(root, 'proc', 'uptime')).read().split()[0])


def main():
    args = sys.argv[1:]
    per_thread = args and args[0] == '--threads'
    if per_thread:
        args = args[1:]
    cur = tasks(args[0])
    rows = {}
    if len(args) == 1:
        up = uptime(args[0])
        for (pid, tid), (start, vol, nonvol) in cur.items():
            age = max(up - start / HZ, 1 / HZ)
            key = (pid, tid) if per_thread else (pid,)
            r = rows.setdefault(key, [0, 0, 0, 0.0, 0.0])
            r[0] += 1
            r[1] += vol
            r[2] += nonvol
            r[3] += vol / age
            r[4] += nonvol / age
        for key, r in sorted(rows.items()):
            cols = list(key) + ([] if per_thread else [r[0]]) + r[1:3] + ['%.9g' % r[3], '%.9g' % r[4]]
            print(' '.join(str(c) for c in cols))
        return
    prev = tasks(args[1])
    for (pid, tid), (start, vol, nonvol) in cur.items():
        r = rows.setdefault(pid, [0, 0, 0, 0, 0])
        r[0] += 1
        was = prev.get((pid, tid))
        if was and was[0] == start:
            r[1] += vol - was[1]
            r[2] += nonvol - was[2]
        else:
            r[1] += vol
            r[2] += nonvol
            r[3] += 1
    for (pid, tid), (start, _, _) in prev.items():
        now = cur.get((pid, tid))
        if pid in rows and (not now or now[0] != start):
            rows[pid][4] += 1
    for pid, r in sorted(rows.items()):
        print(pid, *r)


main()
