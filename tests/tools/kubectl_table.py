#!/usr/bin/env python3
"""kubectl's aligned table output (stdin) as a JSON array of objects keyed
by the lower-case header.  A cell is the text under its header up to the
next header's column (kubectl's tabwriter aligns every column), so cells
with spaces and empty cells come out right."""
import json
import re
import sys

lines = [l.rstrip("\n") for l in sys.stdin if l.strip()]
if not lines:
    print("[]")
    sys.exit(0)
head = lines[0]
starts = [m.start() for m in re.finditer(r"\S+", head)]
names = [m.group(0).lower().replace("-", "_") for m in re.finditer(r"\S+", head)]
rows = []
for l in lines[1:]:
    cells = [l[s:(starts[i + 1] if i + 1 < len(starts) else None)].strip() for i, s in enumerate(starts)]
    rows.append(dict(zip(names, cells)))
print(json.dumps(rows))
