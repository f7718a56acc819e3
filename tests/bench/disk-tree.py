#!/usr/bin/env python3
"""Generate the benchmark tree for srebox disk --top: 1,000,000 files in
100 x 100 directories, one file in 100 holding 10 kB (about 120 MB on disk).
Usage: disk-tree.py DIR   (does nothing if DIR/.complete exists)"""
import os
import sys

root = sys.argv[1]
if os.path.exists(os.path.join(root, ".complete")):
    sys.exit(0)
os.makedirs(root, exist_ok=True)
blob = b"x" * 10000
n = 0
for a in range(100):
    for b in range(100):
        d = os.path.join(root, f"d{a:02}", f"s{b:02}")
        os.makedirs(d, exist_ok=True)
        for c in range(100):
            with open(os.path.join(d, f"f{c:02}"), "wb") as f:
                if n % 100 == 0:
                    f.write(blob)
            n += 1
open(os.path.join(root, ".complete"), "w").close()
