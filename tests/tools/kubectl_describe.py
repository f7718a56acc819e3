#!/usr/bin/env python3
"""`kubectl describe node` text (stdin) as JSON: the sections srebox node
reports, for comparing them cell by cell.  Tables are cut at the columns
their dashes line marks (kubectl's tabwriter aligns each table)."""
import json
import re
import sys

lines = sys.stdin.read().split("\n")
out = {}


def table(i):
    """rows of the table whose header is lines[i] and dashes lines[i+1]"""
    dashes = lines[i + 1]
    starts = [m.start() for m in re.finditer(r"-+", dashes)]
    head = lines[i]
    names = [head[s:(starts[k + 1] if k + 1 < len(starts) else None)].strip().lower().replace(" ", "_")
             for k, s in enumerate(starts)]
    rows, j = [], i + 2
    while j < len(lines) and lines[j].startswith("  ") and not lines[j].startswith("  (Total"):
        l = lines[j]
        cells = [l[s:(starts[k + 1] if k + 1 < len(starts) else None)].strip() for k, s in enumerate(starts)]
        rows.append(dict(zip(names, cells)))
        j += 1
    return rows, j


def block(i):
    """indented "  Key:  value" lines after lines[i]"""
    d, j = {}, i + 1
    while j < len(lines) and lines[j].startswith("  "):
        k, _, v = lines[j].strip().partition(":")
        d[k] = v.strip()
        j += 1
    return d, j


i = 0
while i < len(lines):
    l = lines[i]
    m = re.match(r"^([A-Za-z][A-Za-z -]*):\s*(.*)$", l)
    if not m:
        i += 1
        continue
    key, val = m.group(1), m.group(2)
    if key == "Taints":
        t = [val] if val != "<none>" else []
        i += 1
        while i < len(lines) and lines[i].startswith(" "):
            t.append(lines[i].strip())
            i += 1
        out["taints"] = t
        continue
    if key == "Lease":
        if val:
            out["lease"] = {"failed": val}
            i += 1
        else:
            out["lease"], i = block(i)
        continue
    if key == "Conditions":
        out["conditions"], i = table(i + 1)
        continue
    if key == "Addresses":
        d, i = block(i)
        out["addresses"] = [{"type": k, "address": v} for k, v in d.items()]
        continue
    if key in ("Capacity", "Allocatable", "System Info"):
        out[key.lower().replace(" ", "_")], i = block(i)
        continue
    if key == "Non-terminated Pods":
        out["pods"], i = table(i + 1)
        continue
    if key == "Allocated resources":
        out["allocated"], i = table(i + 2)
        continue
    if key == "Events":
        if val == "<none>":
            out["events"] = []
            i += 1
        else:
            out["events"], i = table(i + 1)
        continue
    if key in ("Name", "Unschedulable", "Roles", "CreationTimestamp"):
        out[key.lower()] = val
    i += 1
print(json.dumps(out))
