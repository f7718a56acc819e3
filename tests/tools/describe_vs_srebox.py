#!/usr/bin/env python3
"""Compare `kubectl describe node` (parsed by kubectl_describe.py, file 1)
with `srebox node -o json` (file 2), section by section; print each
difference and exit 1 if there is one.  --events-subset: an older kubectl
(before 1.32 it looked events up by the node's name as uid only): its
events need only be among srebox's."""
import datetime
import json
import sys

args = [a for a in sys.argv[1:] if not a.startswith("--")]
subset = "--events-subset" in sys.argv
k = json.load(open(args[0]))
s = json.load(open(args[1]))
bad = []


def rfc1123z(t):
    if not t:
        return "Mon, 01 Jan 0001 00:00:00 +0000"
    d = datetime.datetime.strptime(t.split(".")[0].rstrip("Z"), "%Y-%m-%dT%H:%M:%S")
    return d.strftime("%a, %d %b %Y %H:%M:%S +0000")


def same(what, a, b):
    if a != b:
        bad.append("%s:\n  kubectl %s\n  srebox  %s" % (what, json.dumps(a), json.dumps(b)))


info = {r["field"]: r["value"] for r in s.get("node", [])}
same("unschedulable", k["unschedulable"], info.get("Unschedulable"))
same("roles", k["roles"], info.get("Roles"))
same("creation", k["creationtimestamp"], info.get("CreationTimestamp", "").split(" (")[0])
same("conditions", k.get("conditions", []),
     [{"type": c["type"], "status": c["status"], "lastheartbeattime": rfc1123z(c["last_heartbeat_time"]),
       "lasttransitiontime": rfc1123z(c["last_transition_time"]), "reason": c["reason"],
       "message": c["message"]} for c in s["conditions"]])
same("taints", sorted(k["taints"]), sorted(t["taint"] for t in s["taints"]))
lease = k["lease"]
if "failed" in lease:
    same("lease", lease["failed"].replace("Failed to get lease: leases.coordination.k8s.io ", "no Lease kube-node-lease/").replace(' not found', '').replace('"', ''),
         info.get("Lease"))
else:
    same("lease holder", lease["HolderIdentity"], info.get("Lease HolderIdentity"))
    same("lease renew", lease["RenewTime"], info.get("Lease RenewTime", "").split(" (")[0])
    same("lease acquire", lease["AcquireTime"], info.get("Lease AcquireTime", "").split(" (")[0])
same("addresses", k["addresses"], [{"type": a["type"], "address": a["address"]} for a in s["addresses"]])
same("capacity", k["capacity"], {r["resource"]: r["capacity"] for r in s["resources"] if r["capacity"] is not None})
same("allocatable", k["allocatable"], {r["resource"]: r["allocatable"] for r in s["resources"] if r["allocatable"] is not None})
same("system info", k["system_info"], {f: info.get(f) for f in k["system_info"]})
keys = ["namespace", "name", "cpu_requests", "cpu_limits", "memory_requests", "memory_limits", "age"]
same("pods", sorted(k["pods"], key=lambda p: (p["namespace"], p["name"])),
     sorted(({x: p[x] for x in keys} for p in s["pods"]), key=lambda p: (p["namespace"], p["name"])))
same("allocated resources", k["allocated"],
     [{"resource": r["resource"], "requests": r["requests"], "limits": r["limits"]} for r in s["resources"] if r["resource"] != "pods"])
ev = ["type", "reason", "age", "from", "message"]
ke = sorted(json.dumps(e, sort_keys=True) for e in k["events"])
se = sorted(json.dumps({x: e[x] for x in ev}, sort_keys=True) for e in s.get("events", []))
if subset:
    same("events (kubectl's among srebox's)", [e for e in ke if e not in se], [])
else:
    same("events", ke, se)
print("\n".join(bad))
sys.exit(1 if bad else 0)
