#!/usr/bin/env python3
"""A Kubernetes API server for the tests, faithful enough that the real
kubectl 1.32 runs `get nodes`, `get nodes -o wide` and `describe node`
against it (see ../../../shared/reference/kubernetes.md §8).  Python's
standard library only; 127.0.0.1 only.

    server.py --dir SCENARIO --port-file F [--cert C --key K] [--token T] ...

SCENARIO is a directory of JSON files (objects, or Lists of objects),
loaded in sorted path order; a later object with the same kind,
namespace and name replaces an earlier one (so `20-derived/` overrides
`10-base/`).  Pod logs are files SCENARIO/logs/NS/POD[.CONTAINER].log.

What it serves
  discovery      /api, /apis (aggregated v2, or --discovery legacy: then
                 /api/v1 and /apis/G/V), /version
  nodes          list (labelSelector, fieldSelector metadata.name and
                 spec.unschedulable, limit/continue), get, PATCH
                 (strategic merge, ?dryRun=All); server-side Tables when
                 Accept asks (includeObject=None|Metadata|Object)
                 watch=1 (resourceVersion, timeoutSeconds, allowWatchBookmarks,
                 selectors): chunked JSON lines of ADDED/MODIFIED/BOOKMARK events,
                 a PATCH shows up as MODIFIED; 410 Expired as an ERROR event
  pods           list (all namespaces or one), get, DELETE (JSON or
                 protobuf DeleteOptions), POST .../eviction, GET .../log
  events, leases, daemonsets, poddisruptionbudgets: list and get
  namespaces, serviceaccounts, daemonsets, clusterroles, clusterrolebindings:
                 create (kubectl apply), get
Errors are metav1.Status objects with the apiserver's reasons and texts.

Faults and behaviours for the tests (repeatable options)
  --delay RE=SECONDS     answer requests whose path matches RE late
  --fail RE=CODE         answer with a Status of that code (401, 403, 500...)
  --garbage RE=html|json|gzipbomb  answer 200 with an HTML page / truncated JSON /
                         a NodeList that inflates from 2 MB of gzip to 2 GiB
  --no-table             answer Table requests with plain lists
  --mode junk|silent     not HTTP at all / accept and never answer
  --evict-429 NS/POD=N   refuse N evictions of a pod with a PDB 429 (-1: forever)
  --pdb-429 NS/PDB=N     refuse N evictions of the pods that budget selects (-1: forever);
                         the 429 names the budget and its status, as the apiserver does
  --replace NS/POD       once gone, the pod comes back under the same name with a new UID
                         (a StatefulSet's), unscheduled
  --deletion-delay S     a deleted or evicted pod stays (terminating) S seconds
  --forbid VERB:RESOURCE 403 as RBAC words it, e.g. list:leases
  --scale-nodes N        N generated nodes (and leases) from the fixture nodes
  --endless-continue     every list page is empty and gives a new continue token
  --now RFC3339          the clock of Table AGE cells (default: real time)
  --watch-timeout S      end every watch after S seconds (cleanly, as timeoutSeconds)
  --watch-window N       node changes kept for a watch to resume from (default 1000)
  --watch-410 N          the first N watches get a 410 Expired ERROR event

Every request is appended to --log as one JSON line: method, path, query,
accept, content_type, user_agent, auth (masked), impersonate, body, code,
bytes (of the answer's body).
Tests assert on it.

Extending (cordon/drain and later applets): a route is one entry of
Server.routes (method, regex, handler); objects live in self.store, keyed by
(kind, namespace, name); self.status(code, reason, message) builds an error.
"""
import argparse
import base64
import copy
import datetime
import json
import os
import re
import socket
import ssl
import sys
import threading
import zlib
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# --------------------------------------------------------------------------
# resources: (group, version, plural, kind, namespaced, shortNames, verbs)
RESOURCES = [
    ("", "v1", "nodes", "Node", False, ["no"], ["get", "list", "patch", "update", "watch"]),
    ("", "v1", "pods", "Pod", True, ["po"], ["get", "list", "delete", "watch"]),
    ("", "v1", "events", "Event", True, ["ev"], ["get", "list", "watch"]),
    ("", "v1", "namespaces", "Namespace", False, ["ns"], ["get", "list", "create"]),
    ("", "v1", "serviceaccounts", "ServiceAccount", True, ["sa"], ["get", "list", "create"]),
    ("apps", "v1", "daemonsets", "DaemonSet", True, ["ds"], ["get", "list", "create"]),
    ("rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", False, [], ["get", "list", "create"]),
    ("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding", False, [],
     ["get", "list", "create"]),
    ("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", True, ["pdb"], ["get", "list"]),
    ("coordination.k8s.io", "v1", "leases", "Lease", True, [], ["get", "list"]),
]
KIND_OF = {r[2]: r[3] for r in RESOURCES}
GV_OF = {r[2]: (r[0], r[1]) for r in RESOURCES}

NODE_COLUMNS = [
    ("Name", "name", 0, "Name must be unique within a namespace."),
    ("Status", "", 0, "The status of the node"),
    ("Roles", "", 0, "The roles of the node"),
    ("Age", "", 0, "CreationTimestamp is a timestamp representing the server time when this object was created."),
    ("Version", "", 0, "Kubelet Version reported by the node."),
    ("Internal-IP", "", 1, "List of internal IPs in the node."),
    ("External-IP", "", 1, "List of external IPs in the node."),
    ("OS-Image", "", 1, "OS image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy))."),
    ("Kernel-Version", "", 1, "Kernel version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64)."),
    ("Container-Runtime", "", 1, "Container runtime version reported by the node through runtime remote API (e.g. containerd://1.4.2)."),
]


def parse_time(s):
    if not s:
        return None
    s = s.replace("Z", "+00:00")
    if "." in s:
        head, frac = s.split(".", 1)
        m = re.match(r"(\d+)(.*)", frac)
        s = head + "." + m.group(1)[:6].ljust(6, "0") + m.group(2)
    return datetime.datetime.fromisoformat(s).timestamp()


def human_duration(d):
    """apimachinery duration.HumanDuration"""
    s = int(d)
    if s < -1:
        return "<invalid>"
    if s < 0:
        return "0s"
    if s < 120:
        return "%ds" % s
    m = s // 60
    if m < 10:
        return "%dm%ds" % (m, s % 60) if s % 60 else "%dm" % m
    if m < 180:
        return "%dm" % m
    h = s // 3600
    if h < 8:
        return "%dh%dm" % (h, m % 60) if m % 60 else "%dh" % h
    if h < 48:
        return "%dh" % h
    if h < 24 * 8:
        return "%dd%dh" % (h // 24, h % 24) if h % 24 else "%dd" % (h // 24)
    if h < 24 * 365 * 2:
        return "%dd" % (h // 24)
    if h < 24 * 365 * 8:
        dy = (h // 24) % 365
        return "%dy%dd" % (h // 24 // 365, dy) if dy else "%dy" % (h // 24 // 365)
    return "%dy" % (h // 24 // 365)


def node_cells(n, now):
    md, st, spec = n.get("metadata", {}), n.get("status", {}), n.get("spec", {})
    status = []
    for c in st.get("conditions") or []:
        if c.get("type") == "Ready":
            status = ["Ready" if c.get("status") == "True" else "NotReady"]
    if not status:
        status = ["Unknown"]
    if spec.get("unschedulable"):
        status.append("SchedulingDisabled")
    roles = set()
    for k, v in (md.get("labels") or {}).items():
        if k.startswith("node-role.kubernetes.io/") and k[24:]:
            roles.add(k[24:])
        elif k == "kubernetes.io/role" and v:
            roles.add(v)
    ts = parse_time(md.get("creationTimestamp"))
    age = "<unknown>" if ts is None else human_duration(now - ts)
    info = st.get("nodeInfo") or {}

    def addr(t):
        for a in st.get("addresses") or []:
            if a.get("type") == t:
                return a.get("address", "")
        return "<none>"
    return [md.get("name", ""), ",".join(status), ",".join(sorted(roles)) or "<none>", age,
            info.get("kubeletVersion", ""), addr("InternalIP"), addr("ExternalIP"),
            info.get("osImage") or "<unknown>", info.get("kernelVersion") or "<unknown>",
            info.get("containerRuntimeVersion") or "<unknown>"]


# --------------------------------------------------------------------------
# selectors

def parse_field_selector(s):
    """[(field, op, value)]; terms in any order, empty values allowed"""
    out = []
    for term in filter(None, (s or "").split(",")):
        m = re.match(r"^([^=!]+)(==|!=|=)(.*)$", term)
        if not m:
            raise ValueError("invalid field selector: %r" % term)
        out.append((m.group(1), "!=" if m.group(2) == "!=" else "=", m.group(3)))
    return out


def split_terms(s):
    terms, depth, cur = [], 0, ""
    for ch in s:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            terms.append(cur)
            cur = ""
        else:
            cur += ch
    if cur:
        terms.append(cur)
    return terms


def label_match(sel, labels):
    labels = labels or {}
    for term in split_terms(sel or ""):
        term = term.strip()
        m = re.match(r"^([\w./-]+)\s+(in|notin)\s+\((.*)\)$", term)
        if m:
            vals = [v.strip() for v in m.group(3).split(",")]
            has = m.group(1) in labels and labels[m.group(1)] in vals
            if (m.group(2) == "in") != has:
                return False
            continue
        m = re.match(r"^([\w./-]+)\s*(==|!=|=)\s*([\w./-]*)$", term)
        if m:
            eq = labels.get(m.group(1)) == m.group(3)
            if m.group(2) == "!=":
                if m.group(1) in labels and eq:
                    return False
            elif not eq:
                return False
            continue
        if term.startswith("!"):
            if term[1:] in labels:
                return False
            continue
        if re.match(r"^[\w./-]+$", term):
            if term not in labels:
                return False
            continue
        raise ValueError("unable to parse requirement: %r" % term)
    return True


def selector_match(sel, labels):
    """metav1.LabelSelector: matchLabels and matchExpressions"""
    for k, v in (sel.get("matchLabels") or {}).items():
        if labels.get(k) != v:
            return False
    for e in sel.get("matchExpressions") or []:
        k, op, vals = e.get("key"), e.get("operator"), e.get("values") or []
        ok = {"In": k in labels and labels[k] in vals, "NotIn": k not in labels or labels[k] not in vals,
              "Exists": k in labels, "DoesNotExist": k not in labels}.get(op, False)
        if not ok:
            return False
    return True


FIELDS = {
    "nodes": {"metadata.name": lambda o: o["metadata"]["name"],
              "spec.unschedulable": lambda o: "true" if o.get("spec", {}).get("unschedulable") else "false"},
    "pods": {"metadata.name": lambda o: o["metadata"]["name"],
             "metadata.namespace": lambda o: o["metadata"].get("namespace", ""),
             "spec.nodeName": lambda o: o.get("spec", {}).get("nodeName", ""),
             "status.phase": lambda o: o.get("status", {}).get("phase", "")},
    "events": {"metadata.name": lambda o: o["metadata"]["name"],
               "metadata.namespace": lambda o: o["metadata"].get("namespace", ""),
               "reason": lambda o: o.get("reason", ""),
               "type": lambda o: o.get("type", ""),
               "source": lambda o: (o.get("source") or {}).get("component", "")},
}
for _f in ("kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath"):
    FIELDS["events"]["involvedObject." + _f] = (lambda f: lambda o: (o.get("involvedObject") or {}).get(f, ""))(_f)
for _r in ("leases", "daemonsets", "poddisruptionbudgets", "namespaces"):
    FIELDS[_r] = {"metadata.name": lambda o: o["metadata"]["name"],
                  "metadata.namespace": lambda o: o["metadata"].get("namespace", "")}


class ApiError(Exception):
    def __init__(self, code, reason, message, details=None):
        super().__init__(message)
        self.code, self.reason, self.message, self.details = code, reason, message, details


def strategic_merge(dst, patch):
    for k, v in patch.items():
        if v is None:
            dst.pop(k, None)
        elif isinstance(v, dict) and isinstance(dst.get(k), dict):
            strategic_merge(dst[k], v)
        else:
            dst[k] = copy.deepcopy(v)


def read_varint(b, i):
    shift = v = 0
    while True:
        c = b[i]
        i += 1
        v |= (c & 0x7f) << shift
        shift += 7
        if not c & 0x80:
            return v, i


def protobuf_fields(b):
    i, out = 0, []
    while i < len(b):
        key, i = read_varint(b, i)
        num, wt = key >> 3, key & 7
        if wt == 0:
            v, i = read_varint(b, i)
        elif wt == 2:
            n, i = read_varint(b, i)
            v, i = b[i:i + n], i + n
        elif wt == 1:
            v, i = b[i:i + 8], i + 8
        elif wt == 5:
            v, i = b[i:i + 4], i + 4
        else:
            raise ValueError("wire type %d" % wt)
        out.append((num, v))
    return out


def delete_options(body, ctype):
    """DeleteOptions from a JSON body or kubectl's protobuf envelope"""
    if not body:
        return {}
    if ctype and "protobuf" in ctype and body[:4] == b"k8s\0":
        raw = dict(protobuf_fields(body[4:])).get(2, b"")
        opts = {}
        for num, v in protobuf_fields(raw):
            if num == 1:
                opts["gracePeriodSeconds"] = v - (1 << 64) if v >= 1 << 63 else v
            elif num == 5:
                opts.setdefault("dryRun", []).append(v.decode())
            elif num == 4:
                opts["propagationPolicy"] = v.decode()
        return opts
    return json.loads(body)


# --------------------------------------------------------------------------

class Store:
    def __init__(self):
        self.objs = {}            # (plural, ns, name) -> object
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self.rv = 1000
        # the watch's history of nodes, once loaded: (rv, type, object);
        # a watch from before the oldest kept one is 410 Gone, as etcd's
        # compaction makes it
        self.events = []
        self.window = 1000
        self.compacted = 0
        self.watching = False

    def put(self, plural, obj):
        md = obj.setdefault("metadata", {})
        ns = md.get("namespace", "") if GV_OF.get(plural) and self.namespaced(plural) else ""
        with self.lock:
            self.rv += 1
            md.setdefault("resourceVersion", str(self.rv))
            key = (plural, ns, md["name"])
            existed = key in self.objs
            self.objs[key] = obj
            if self.watching and plural == "nodes":
                self.record("MODIFIED" if existed else "ADDED", obj)

    def record(self, etype, obj):
        self.events.append((int(obj["metadata"]["resourceVersion"]), etype, copy.deepcopy(obj)))
        if len(self.events) > self.window:
            self.compacted = self.events[-self.window - 1][0]
            del self.events[:-self.window]
        self.changed.notify_all()

    @staticmethod
    def namespaced(plural):
        return next(r[4] for r in RESOURCES if r[2] == plural)

    def list(self, plural, ns=None):
        with self.lock:
            keys = sorted(k for k in self.objs if k[0] == plural and (ns is None or k[1] == ns))
            return [(k, self.objs[k]) for k in keys]


PLURAL_OF_KIND = {r[3]: r[2] for r in RESOURCES}


def load_dir(store, d):
    files = []
    for root, _, names in os.walk(d):
        if os.path.relpath(root, d).split(os.sep)[0] == "logs":
            continue
        files += [os.path.join(root, n) for n in names if n.endswith(".json")]
    for f in sorted(files):
        with open(f) as fh:
            o = json.load(fh)
        items = o.get("items", []) if o.get("kind", "").endswith("List") else [o]
        for it in items:
            kind = it.get("kind") or o.get("kind", "")[:-4]
            if kind in PLURAL_OF_KIND:
                store.put(PLURAL_OF_KIND[kind], it)


IMAGES = ["quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:%064x" % i for i in range(50)]


def scale_nodes(store, n, now):
    """n nodes shaped like the fixture ones, with what real nodes carry:
    50 images (the kubelet's cap) and managedFields; each with a fresh Lease."""
    templates = [o for (p, _, _), o in sorted(store.objs.items()) if p == "nodes"]
    for k in [k for k in store.objs if k[0] in ("nodes", "leases")]:
        del store.objs[k]
    stamp = datetime.datetime.fromtimestamp(now - 30, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    for i in range(n):
        t = copy.deepcopy(templates[i % len(templates)])
        name = "node-%05d" % i
        md = t["metadata"]
        md["name"] = name
        md["uid"] = "00000000-0000-4000-8000-%012d" % i
        md.setdefault("labels", {})["kubernetes.io/hostname"] = name
        md["managedFields"] = [{"manager": "kubelet", "operation": "Update", "apiVersion": "v1",
                                "time": stamp, "fieldsType": "FieldsV1",
                                "fieldsV1": {"f:status": {"f:conditions": {"k:{\"type\":\"%s\"}" % c: {
                                    ".": {}, "f:lastHeartbeatTime": {}, "f:lastTransitionTime": {},
                                    "f:message": {}, "f:reason": {}, "f:status": {}, "f:type": {}}
                                    for c in ("Ready", "MemoryPressure", "DiskPressure", "PIDPressure")},
                                    "f:images": {}, "f:nodeInfo": {"f:bootID": {}}}}}]
        t["status"]["images"] = [{"names": [img, img.split("@")[0] + ":v4.%d" % j], "sizeBytes": 300000000 + j}
                                 for j, img in enumerate(IMAGES)]
        store.put("nodes", t)
        store.put("leases", {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                             "metadata": {"name": name, "namespace": "kube-node-lease",
                                          "creationTimestamp": md.get("creationTimestamp")},
                             "spec": {"holderIdentity": name, "leaseDurationSeconds": 40,
                                      "renewTime": datetime.datetime.fromtimestamp(
                                          now - (i % 10), datetime.timezone.utc).strftime(
                                          "%Y-%m-%dT%H:%M:%S.000000Z")}})


# --------------------------------------------------------------------------

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "srebox-test-apiserver"

    def log_message(self, fmt, *args):
        pass

    def handle(self):
        try:
            super().handle()
        except (ssl.SSLError, ConnectionError, OSError):
            pass

    def _do(self):
        srv = self.server
        u = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(u.query, keep_blank_values=True))
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        self.req = {"method": self.command, "path": u.path, "query": q,
                    "accept": self.headers.get("Accept"),
                    "content_type": self.headers.get("Content-Type"),
                    "user_agent": self.headers.get("User-Agent"),
                    "auth": mask(self.headers.get("Authorization")),
                    "impersonate": [h + ": " + v for h, v in self.headers.items()
                                    if h.lower().startswith("impersonate-")] or None,
                    "body": body.decode("utf-8", "replace") if body and b"\0" not in body else
                    (base64.b64encode(body).decode() if body else None)}
        try:
            for rx, secs in srv.opts.delay:
                if re.search(rx, u.path):
                    time.sleep(float(secs))
            for rx, kind in srv.opts.garbage:
                if re.search(rx, u.path):
                    if kind == "gzipbomb":
                        return self.send_gzip_bomb()
                    if kind == "json":
                        return self.send(200, "application/json", b'{"kind":"NodeList","items":[{"metadata":')
                    return self.send(200, "text/html", b"<html><body>502 Bad Gateway (proxy)</body></html>\n")
            for rx in srv.opts.echo_auth:
                # a proxy or a badly written webhook that puts the request's
                # credentials into its error message
                if re.search(rx, u.path):
                    raise ApiError(403, "Forbidden", "request with Authorization: %s refused"
                                   % (self.headers.get("Authorization") or ""))
            user = self.authenticate()
            for rx, code in srv.opts.fail:
                if re.search(rx, u.path):
                    code = int(code)
                    reason = {401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 429: "TooManyRequests",
                              500: "InternalError", 503: "ServiceUnavailable"}.get(code, "Unknown")
                    raise ApiError(code, reason, "injected failure %d" % code)
            ctype, out = srv.dispatch(self, self.command, u.path, q, body, user)
            if ctype is None:
                return	# streamed already (a watch)
            self.send(200 if self.command != "POST" else 201, ctype, out)
        except ApiError as e:
            st = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                  "message": e.message, "reason": e.reason, "code": e.code}
            if e.details:
                st["details"] = e.details
            self.send(e.code, "application/json", json.dumps(st).encode())

    do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _do

    def authenticate(self):
        srv, auth = self.server, self.headers.get("Authorization") or ""
        if auth.startswith("Bearer ") and auth[7:] in srv.opts.token:
            return "token-user"
        if auth.startswith("Basic "):
            try:
                if base64.b64decode(auth[6:]).decode() in srv.opts.basic:
                    return base64.b64decode(auth[6:]).decode().split(":")[0]
            except ValueError:
                pass
        if srv.tls and getattr(self.request, "getpeercert", None):
            cert = self.request.getpeercert()
            if cert:
                return dict(x[0] for x in cert["subject"]).get("commonName", "cert-user")
        if srv.opts.anonymous:
            return "system:anonymous"
        raise ApiError(401, "Unauthorized", "Unauthorized")

    def send_gzip_bomb(self):
        # a NodeList of 2 GiB of blanks in about 2 MB of gzip: the same
        # fully flushed deflate block, repeated (its trailer is never reached)
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        head = c.compress(b'{"kind":"NodeList","apiVersion":"v1","metadata":{},"items":[') + c.flush(zlib.Z_FULL_FLUSH)
        block = c.compress(b" " * (1 << 20)) + c.flush(zlib.Z_FULL_FLUSH)
        again = c.compress(b" " * (1 << 20)) + c.flush(zlib.Z_FULL_FLUSH)
        assert block == again
        self.req["code"] = 200
        self.server.log(self.req)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        try:
            self.wfile.write(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + head)
            for _ in range(2048):
                self.wfile.write(block)
            self.wfile.write(c.compress(b"]}") + c.flush())
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            pass

    def send(self, code, ctype, body):
        self.req["code"] = code
        self.req["bytes"] = len(body)	# what the answer cost: -o name is judged on it
        self.server.log(self.req)
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def mask(auth):
    if not auth:
        return None
    kind, _, cred = auth.partition(" ")
    return "%s %s..." % (kind, cred[:5]) if kind == "Bearer" else kind + " ..."


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, opts):
        super().__init__(("127.0.0.1", opts.port), Handler)
        self.opts = opts
        self.store = Store()
        self.logf = open(opts.log, "a") if opts.log else None
        self.loglock = threading.Lock()
        self.evict_budget = {k: int(v) for k, v in opts.evict_429}
        self.pdb_budget = {k: int(v) for k, v in opts.pdb_429}
        self.uid_seq = 0
        self.deleting = {}                # (ns, name) -> time it goes away
        self.tls = None
        if opts.cert:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(opts.cert, opts.key)
            if opts.client_ca:
                ctx.load_verify_locations(opts.client_ca)
                ctx.verify_mode = ssl.CERT_OPTIONAL
            self.tls = ctx
        if opts.dir:
            load_dir(self.store, opts.dir)
        if opts.scale_nodes:
            scale_nodes(self.store, opts.scale_nodes, self.now())
        self.store.window = opts.watch_window
        self.store.watching = True
        self.node_json = {}               # name -> (resourceVersion, encoded node)
        self.routes = [
            ("GET", r"^/version$", self.version),
            ("GET", r"^/api$", self.disc_core),
            ("GET", r"^/apis$", self.disc_groups),
            ("GET", r"^/api/v1$", self.resource_list),
            ("GET", r"^/apis/([^/]+)/([^/]+)$", self.resource_list),
            ("GET", r"^/api/v1/namespaces/([^/]+)/pods/([^/]+)/log$", self.pod_log),
            ("POST", r"^/api/v1/namespaces/([^/]+)/pods/([^/]+)/eviction$", self.evict),
            ("DELETE", r"^/api/v1/namespaces/([^/]+)/pods/([^/]+)$", self.delete_pod),
            ("PATCH", r"^/api/v1/nodes/([^/]+)$", self.patch_node),
            ("GET", r"^/api/v1/(nodes|pods|events|namespaces)$", self.list),
            ("GET", r"^/api/v1/namespaces/([^/]+)/(pods|events)$", self.list_ns),
            ("GET", r"^/apis/[^/]+/v1/(daemonsets|poddisruptionbudgets|leases)$", self.list),
            ("GET", r"^/apis/[^/]+/v1/namespaces/([^/]+)/(daemonsets|poddisruptionbudgets|leases)$", self.list_ns),
            ("GET", r"^/api/v1/(nodes|namespaces)/([^/]+)$", self.get_cluster),
            # kubectl apply: get, then create (what srebox manifest prints)
            ("POST", r"^/api/v1/(namespaces)$", self.create_cluster),
            ("POST", r"^/apis/[^/]+/v1/(clusterroles|clusterrolebindings)$", self.create_cluster),
            ("POST", r"^/api/v1/namespaces/([^/]+)/(serviceaccounts)$", self.create_ns),
            ("POST", r"^/apis/[^/]+/v1/namespaces/([^/]+)/(daemonsets)$", self.create_ns),
            ("GET", r"^/apis/[^/]+/v1/(clusterroles|clusterrolebindings)/([^/]+)$", self.get_cluster),
            ("GET", r"^/api/v1/namespaces/([^/]+)/(serviceaccounts)/([^/]+)$", self.get_ns),
            ("GET", r"^/api/v1/namespaces/([^/]+)/(pods|events)/([^/]+)$", self.get_ns),
            ("GET", r"^/apis/[^/]+/v1/namespaces/([^/]+)/(daemonsets|poddisruptionbudgets|leases)/([^/]+)$",
             self.get_ns),
        ]

    def now(self):
        return parse_time(self.opts.now) if self.opts.now else time.time()

    def log(self, req):
        if self.logf:
            with self.loglock:
                self.logf.write(json.dumps(req) + "\n")
                self.logf.flush()

    # -- plumbing -----------------------------------------------------------
    def finish_request(self, request, client_address):
        """In the connection's own thread: faults, then the TLS handshake."""
        if self.opts.mode == "junk":
            request.sendall(b"\x16\x03\x01 this is not HTTP \x00\xff\r\n\r\n")
            return
        if self.opts.mode == "silent":
            time.sleep(3600)
            return
        # headers and body leave in two writes: without this, Nagle and the
        # client's delayed ACK add 40 ms to every answer
        request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.tls:
            request.settimeout(10)
            try:
                request = self.tls.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError):
                return
            request.settimeout(None)
        self.RequestHandlerClass(request, client_address, self)

    def handle_error(self, request, client_address):
        pass

    def dispatch(self, h, method, path, q, body, user):
        self.expire_deleted()
        for m, rx, fn in self.routes:
            mt = re.match(rx, path)
            if mt and m == method:
                return fn(h, q, body, user, *mt.groups())
        if any(re.match(rx, path) for _, rx, _ in self.routes):
            raise ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")
        raise ApiError(404, "NotFound", "the server could not find the requested resource")

    def check(self, user, verb, plural, ns=None):
        if "%s:%s" % (verb, plural) in self.opts.forbid:
            group = GV_OF[plural][0]
            scope = "in the namespace \"%s\"" % ns if ns else "at the cluster scope"
            raise ApiError(403, "Forbidden", '%s is forbidden: User "%s" cannot %s resource "%s" in API group "%s" %s'
                           % (plural if not group else plural + "." + group, user, verb, plural, group, scope),
                           {"kind": plural, "group": group})

    @staticmethod
    def js(o):
        return "application/json", json.dumps(o, separators=(",", ":")).encode()

    # -- discovery ----------------------------------------------------------
    def version(self, h, q, body, user):
        return self.js({"major": "1", "minor": "32", "gitVersion": "v1.32.5", "platform": "linux/amd64"})

    def disc_resources(self, group, version):
        out = []
        for g, v, plural, kind, nsd, short, verbs in RESOURCES:
            if (g, v) != (group, version):
                continue
            r = {"resource": plural, "responseKind": {"group": g, "version": v, "kind": kind},
                 "scope": "Namespaced" if nsd else "Cluster", "singularResource": kind.lower(),
                 "verbs": verbs}
            if short:
                r["shortNames"] = short
            if plural == "pods":
                r["subresources"] = [
                    {"subresource": "eviction", "responseKind": {"group": "policy", "version": "v1", "kind": "Eviction"},
                     "verbs": ["create"]},
                    {"subresource": "log", "responseKind": {"group": "", "version": "v1", "kind": "Pod"},
                     "verbs": ["get"]}]
            out.append(r)
        return out

    def groups(self):
        seen = []
        for g, v, *_ in RESOURCES:
            if g and (g, v) not in seen:
                seen.append((g, v))
        return seen

    def aggregated(self, h):
        return self.opts.discovery == "aggregated" and "as=APIGroupDiscoveryList" in (h.headers.get("Accept") or "")

    def disc_core(self, h, q, body, user):
        if self.opts.discovery == "none":
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        if self.aggregated(h):
            doc = {"kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": {},
                   "items": [{"metadata": {"creationTimestamp": None}, "versions": [
                       {"version": "v1", "resources": self.disc_resources("", "v1"), "freshness": "Current"}]}]}
            return ("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList",
                    json.dumps(doc).encode())
        return self.js({"kind": "APIVersions", "versions": ["v1"],
                        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:6443"}]})

    def disc_groups(self, h, q, body, user):
        if self.opts.discovery == "none":
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        if self.aggregated(h):
            doc = {"kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": {},
                   "items": [{"metadata": {"name": g, "creationTimestamp": None}, "versions": [
                       {"version": v, "resources": self.disc_resources(g, v), "freshness": "Current"}]}
                       for g, v in self.groups()]}
            return ("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList",
                    json.dumps(doc).encode())
        return self.js({"kind": "APIGroupList", "apiVersion": "v1", "groups": [
            {"name": g, "versions": [{"groupVersion": g + "/" + v, "version": v}],
             "preferredVersion": {"groupVersion": g + "/" + v, "version": v}} for g, v in self.groups()]})

    def resource_list(self, h, q, body, user, group="", version="v1"):
        res = self.disc_resources(group, version)
        if not res:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        out = []
        for r in res:
            out.append({"name": r["resource"], "singularName": r["singularResource"],
                        "namespaced": r["scope"] == "Namespaced", "kind": r["responseKind"]["kind"],
                        "verbs": r["verbs"], "shortNames": r.get("shortNames", [])})
            for s in r.get("subresources", []):
                out.append({"name": r["resource"] + "/" + s["subresource"], "singularName": "",
                            "namespaced": True, "group": s["responseKind"]["group"],
                            "version": s["responseKind"]["version"], "kind": s["responseKind"]["kind"],
                            "verbs": s["verbs"]})
        return self.js({"kind": "APIResourceList", "apiVersion": "v1",
                        "groupVersion": (group + "/" if group else "") + version, "resources": out})

    # -- reads --------------------------------------------------------------
    def not_found(self, plural, name):
        group = GV_OF[plural][0]
        full = plural + ("." + group if group else "")
        return ApiError(404, "NotFound", '%s "%s" not found' % (full, name),
                        {"name": name, "group": group, "kind": plural} if group else {"name": name, "kind": plural})

    def wants_table(self, h):
        return "as=Table" in (h.headers.get("Accept") or "") and not self.opts.no_table

    def encode_node(self, n):
        name, rv = n["metadata"]["name"], n["metadata"].get("resourceVersion")
        cached = self.node_json.get(name)
        if cached and cached[0] == rv:
            return cached[1]
        enc = json.dumps(n, separators=(",", ":"))
        self.node_json[name] = (rv, enc)
        return enc

    def table(self, plural, objs, q, cont=None, remaining=None):
        if plural != "nodes":
            return None
        now, inc = self.now(), q.get("includeObject", "Metadata")
        rows = []
        for o in objs:
            row = '{"cells":%s' % json.dumps(node_cells(o, now))
            if inc == "Object":
                row += ',"object":' + self.encode_node(o)
            elif inc != "None":
                row += ',"object":' + json.dumps({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                                                  "metadata": o["metadata"]}, separators=(",", ":"))
            rows.append(row + "}")
        md = {"resourceVersion": str(self.store.rv)}
        if cont:
            md["continue"] = cont
            md["remainingItemCount"] = remaining
        cols = [{"name": n, "type": "string", "format": f, "description": d, "priority": p}
                for n, f, p, d in NODE_COLUMNS]
        doc = ('{"kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":%s,"columnDefinitions":%s,"rows":[%s]}'
               % (json.dumps(md), json.dumps(cols), ",".join(rows)))
        return "application/json;as=Table;v=v1;g=meta.k8s.io", doc.encode()

    def select(self, plural, q, ns=None):
        try:
            fs = parse_field_selector(q.get("fieldSelector"))
            for f, _, _ in fs:
                if f not in FIELDS.get(plural, {}):
                    raise ApiError(400, "BadRequest", 'field label not supported: %s' % f)
            out = []
            for (_, ons, _), o in self.store.list(plural, ns):
                if not label_match(q.get("labelSelector"), o["metadata"].get("labels")):
                    continue
                if all((FIELDS[plural][f](o) == v) == (op == "=") for f, op, v in fs):
                    out.append(o)
            return out
        except ValueError as e:
            raise ApiError(400, "BadRequest", str(e))

    def do_list(self, h, q, plural, ns, user):
        self.check(user, "list", plural, ns)
        if self.opts.endless_continue:
            # a broken server (or a hostile one): every page is empty and
            # hands out a new continue token
            self.uid_seq += 1
            doc = ('{"kind":"%sList","apiVersion":"v1","metadata":{"continue":"endless-%d"},"items":[]}'
                   % (KIND_OF[plural], self.uid_seq))
            return "application/json", doc.encode()
        objs = self.select(plural, q, ns)
        start = 0
        if q.get("continue"):
            try:
                after = tuple(json.loads(base64.b64decode(q["continue"]))["after"])
                start = next((i for i, o in enumerate(objs) if self.key(o) > after), len(objs))
            except (ValueError, KeyError, TypeError):
                raise ApiError(400, "BadRequest", "continue key is not valid: illegal base64 data")
        limit = 0 if self.opts.ignore_limit else int(q.get("limit") or 0)
        page = objs[start:start + limit] if limit else objs[start:]
        cont = remaining = None
        if limit and start + limit < len(objs):
            cont = base64.b64encode(json.dumps({"after": list(self.key(page[-1]))}).encode()).decode()
            remaining = len(objs) - start - limit
        if self.wants_table(h):
            t = self.table(plural, page, q, cont, remaining)
            if t:
                return t
        kind = KIND_OF[plural] + "List"
        g, v = GV_OF[plural]
        md = {"resourceVersion": str(self.store.rv)}
        if cont:
            md["continue"] = cont
            md["remainingItemCount"] = remaining
        items = ",".join(self.encode_node(o) if plural == "nodes" else json.dumps(o, separators=(",", ":"))
                         for o in page)
        doc = '{"kind":"%s","apiVersion":"%s","metadata":%s,"items":[%s]}' % (
            kind, (g + "/" if g else "") + v, json.dumps(md), items)
        return "application/json", doc.encode()

    @staticmethod
    def key(o):
        return (o["metadata"].get("namespace", ""), o["metadata"]["name"])

    def list(self, h, q, body, user, plural):
        if q.get("watch") in ("1", "true"):
            if plural != "nodes":
                raise ApiError(405, "MethodNotAllowed", "this test server watches nodes only")
            return self.watch(h, q, user)
        return self.do_list(h, q, plural, None, user)

    # -- watch (nodes) ------------------------------------------------------
    def watch_event(self, h, q, etype, obj, first):
        """One event line, its object as the list would give it: a
        Table of one row when asked (columnDefinitions with the first
        event only, as the apiserver's NoHeaders for the later ones)."""
        if etype in ("ADDED", "MODIFIED", "DELETED") and self.wants_table(h):
            now, inc = self.now(), q.get("includeObject", "Metadata")
            row = {"cells": node_cells(obj, now)}
            if inc == "Object":
                row["object"] = obj
            elif inc != "None":
                row["object"] = {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                                 "metadata": obj["metadata"]}
            t = {"kind": "Table", "apiVersion": "meta.k8s.io/v1",
                 "metadata": {"resourceVersion": obj["metadata"].get("resourceVersion", "")},
                 "columnDefinitions": None, "rows": [row]}
            if first:
                t["columnDefinitions"] = [{"name": n, "type": "string", "format": f, "description": d,
                                           "priority": p} for n, f, p, d in NODE_COLUMNS]
            obj = t
        return (json.dumps({"type": etype, "object": obj}, separators=(",", ":")) + "\n").encode()

    def watch(self, h, q, user):
        """GET /api/v1/nodes?watch=1: a chunked stream of JSON lines, one
        event each, from resourceVersion on (0 or none: ADDED for every
        node first), until timeoutSeconds (or --watch-timeout) has passed;
        selectors apply to each event.  A resourceVersion older than the
        history kept (--watch-window) or --watch-410 N: a 200 whose one
        event is an ERROR with a 410 Expired Status, as the apiserver."""
        self.check(user, "watch", "nodes")
        fs = parse_field_selector(q.get("fieldSelector"))

        def selected(o):
            return label_match(q.get("labelSelector"), o["metadata"].get("labels")) and \
                all((FIELDS["nodes"][f](o) == v) == (op == "=") for f, op, v in fs)
        try:
            rv = int(q.get("resourceVersion") or 0)
        except ValueError:
            raise ApiError(400, "BadRequest", 'invalid resourceVersion "%s"' % q.get("resourceVersion"))
        timeout = float(q.get("timeoutSeconds") or 1800)
        if self.opts.watch_timeout:
            timeout = min(timeout, self.opts.watch_timeout)
        end = time.monotonic() + timeout
        ctype = "application/json;as=Table;v=v1;g=meta.k8s.io" if self.wants_table(h) else "application/json"
        h.req["code"] = 200
        h.req["watch"] = True
        self.log(h.req)
        h.send_response(200)
        h.send_header("Content-Type", ctype)
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        first = [True]

        def chunk(b):
            h.wfile.write(b"%x\r\n%s\r\n" % (len(b), b))
            h.wfile.flush()

        def send(etype, o):
            chunk(self.watch_event(h, q, etype, o, first[0]))
            first[0] = False
        try:
            with self.store.lock:
                expired = self.opts.watch_410 > 0 or (rv and rv < self.store.compacted)
                if self.opts.watch_410 > 0:
                    self.opts.watch_410 -= 1
                if expired:
                    st = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                          "message": "too old resource version: %d (%d)" % (rv, self.store.compacted or self.store.rv),
                          "reason": "Expired", "code": 410}
                    chunk((json.dumps({"type": "ERROR", "object": st}, separators=(",", ":")) + "\n").encode())
                    chunk(b"")
                    return None, None
                if not rv:
                    for _, o in self.store.list("nodes"):
                        if selected(o):
                            send("ADDED", o)
                    rv = self.store.rv
                pending = [e for e in self.store.events if e[0] > rv]
            last_bookmark = time.monotonic()
            while True:
                for erv, etype, o in pending:
                    rv = erv
                    if selected(o):
                        send(etype, o)
                now = time.monotonic()
                if now >= end:
                    break
                if q.get("allowWatchBookmarks") == "true" and now - last_bookmark >= self.opts.bookmark_every:
                    send("BOOKMARK", {"kind": "Node", "apiVersion": "v1",
                                      "metadata": {"resourceVersion": str(max(rv, self.store.rv))}})
                    last_bookmark = now
                with self.store.lock:
                    pending = [e for e in self.store.events if e[0] > rv]
                    if not pending:
                        self.store.changed.wait(min(end - now, 0.5))
                        pending = [e for e in self.store.events if e[0] > rv]
                    if rv < self.store.compacted:
                        # the watcher fell behind the history kept: the
                        # apiserver closes such a watcher rather than skip
                        # events; it resumes from rv and is told 410
                        break
            chunk(b"")
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            h.close_connection = True
        return None, None

    def list_ns(self, h, q, body, user, ns, plural):
        return self.do_list(h, q, plural, ns, user)

    def lookup(self, plural, ns, name):
        with self.store.lock:
            o = self.store.objs.get((plural, ns, name))
        if o is None:
            raise self.not_found(plural, name)
        return o

    def get_cluster(self, h, q, body, user, plural, name):
        self.check(user, "get", plural)
        o = self.lookup(plural, "", name)
        if self.wants_table(h):
            t = self.table(plural, [o], q)
            if t:
                return t
        return self.js(o)

    def create(self, q, body, user, plural, ns):
        self.check(user, "create", plural, ns or None)
        try:
            o = json.loads(body)
        except ValueError as e:
            raise ApiError(400, "BadRequest", "the body of the request was in an unknown format: %s" % e)
        g, v = GV_OF[plural]
        if o.get("kind") != KIND_OF[plural] or o.get("apiVersion") != (g + "/" if g else "") + v:
            raise ApiError(400, "BadRequest", "the API version in the data (%s) does not match the expected API version (%s)"
                           % (o.get("apiVersion"), (g + "/" if g else "") + v))
        md = o.setdefault("metadata", {})
        name = md.get("name")
        if not name:
            raise ApiError(422, "Invalid", "%s \"\" is invalid: metadata.name: Required value: name or generateName is required"
                           % KIND_OF[plural])
        if ns:
            if md.setdefault("namespace", ns) != ns:
                raise ApiError(400, "BadRequest", "the namespace of the provided object does not match the namespace sent on the request")
            if ("namespaces", "", ns) not in self.store.objs:
                raise ApiError(404, "NotFound", 'namespaces "%s" not found' % ns)
        with self.store.lock:
            if (plural, ns, name) in self.store.objs:
                raise ApiError(409, "AlreadyExists", '%s "%s" already exists' % (plural if not g else plural + "." + g, name))
            self.uid_seq += 1
            md["uid"] = "00000000-0000-4000-8000-%012d" % self.uid_seq
            md["creationTimestamp"] = datetime.datetime.utcfromtimestamp(self.now()).strftime("%Y-%m-%dT%H:%M:%SZ")
            if q.get("dryRun") != "All":
                self.store.put(plural, o)
        return self.js(o)

    def create_cluster(self, h, q, body, user, plural):
        return self.create(q, body, user, plural, "")

    def create_ns(self, h, q, body, user, ns, plural):
        return self.create(q, body, user, plural, ns)

    def get_ns(self, h, q, body, user, ns, plural, name):
        self.check(user, "get", plural, ns)
        return self.js(self.lookup(plural, ns, name))

    def pod_log(self, h, q, body, user, ns, name):
        self.check(user, "get", "pods", ns)
        pod = self.lookup("pods", ns, name)
        containers = [c["name"] for c in pod.get("spec", {}).get("containers", [])]
        c = q.get("container")
        if not c:
            if len(containers) != 1:
                raise ApiError(400, "BadRequest", "a container name must be specified for pod %s, choose one of: %s"
                               % (name, containers))
            c = containers[0]
        elif c not in containers:
            raise ApiError(400, "BadRequest", "container %s is not valid for pod %s" % (c, name))
        path = None
        for p in (os.path.join(self.opts.dir or "", "logs", ns, "%s.%s.log" % (name, c)),
                  os.path.join(self.opts.dir or "", "logs", ns, name + ".log")):
            if os.path.exists(p):
                path = p
                break
        lines = open(path, "rb").read().splitlines(keepends=True) if path else []
        if q.get("tailLines"):
            lines = lines[-int(q["tailLines"]):] if int(q["tailLines"]) else []
        return "text/plain", b"".join(lines)

    # -- writes (cordon, drain) ---------------------------------------------
    def patch_node(self, h, q, body, user, name):
        self.check(user, "patch", "nodes")
        ctype = h.headers.get("Content-Type") or ""
        if "strategic-merge-patch" not in ctype and "merge-patch" not in ctype:
            raise ApiError(415, "UnsupportedMediaType", "the body of the request was in an unknown format")
        with self.store.lock:
            node = copy.deepcopy(self.lookup("nodes", "", name))
            strategic_merge(node, json.loads(body or b"{}"))
            if q.get("dryRun") != "All":
                node["metadata"]["resourceVersion"] = str(self.store.rv + 1)
                self.store.put("nodes", node)
        return self.js(node)

    def expire_deleted(self):
        now = time.time()
        with self.store.lock:
            for (ns, name), when in list(self.deleting.items()):
                if when <= now:
                    self.gone(ns, name)
                    del self.deleting[(ns, name)]

    def gone(self, ns, name):
        """a pod leaves the store; with --replace its controller makes a new
        one under the same name (a StatefulSet's), new UID, not yet scheduled"""
        pod = self.store.objs.pop(("pods", ns, name), None)
        if pod is not None and "%s/%s" % (ns, name) in self.opts.replace:
            new = copy.deepcopy(pod)
            md = new["metadata"]
            md.pop("deletionTimestamp", None)
            md.pop("resourceVersion", None)
            self.uid_seq += 1
            md["uid"] = "00000000-0000-4000-9000-%012d" % self.uid_seq
            new.setdefault("spec", {}).pop("nodeName", None)
            new["status"] = {"phase": "Pending"}
            self.store.put("pods", new)

    def remove_pod(self, ns, name):
        with self.store.lock:
            if (ns, name) in self.deleting:
                return
            pod = self.store.objs[("pods", ns, name)]
            if self.opts.deletion_delay > 0:
                pod["metadata"]["deletionTimestamp"] = datetime.datetime.now(
                    datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
                self.deleting[(ns, name)] = time.time() + self.opts.deletion_delay
            else:
                self.gone(ns, name)

    def budgets_of(self, pod):
        """the PodDisruptionBudgets selecting a pod (policy/v1: {} selects all)"""
        ns, labels = pod["metadata"].get("namespace", ""), pod["metadata"].get("labels") or {}
        out = []
        for (_, bns, _), b in self.store.list("poddisruptionbudgets", ns):
            sel = (b.get("spec") or {}).get("selector")
            if sel is not None and selector_match(sel, labels):
                out.append(b)
        return out

    def refuse(self, budget, pod):
        st = (budget or {}).get("status") or {}
        name = budget["metadata"]["name"] if budget else (pod["metadata"]["name"].split("-")[0] or "pdb")
        raise ApiError(429, "TooManyRequests", "Cannot evict pod as it would violate the pod's disruption budget.",
                       {"causes": [{"reason": "DisruptionBudget",
                                    "message": "The disruption budget %s needs %d healthy pods and has %d currently"
                                    % (name, st.get("desiredHealthy", 1), st.get("currentHealthy", 1))}]})

    def evict(self, h, q, body, user, ns, name):
        self.check(user, "create", "pods", ns)
        pod = self.lookup("pods", ns, name)
        ev = json.loads(body or b"{}")
        key = "%s/%s" % (ns, name)
        budgets = self.budgets_of(pod)
        with self.store.lock:
            left = self.evict_budget.get(key, 0)
            if left:
                if left > 0:
                    self.evict_budget[key] = left - 1
                self.refuse(budgets[0] if budgets else None, pod)
            for b in budgets:
                bkey = "%s/%s" % (ns, b["metadata"]["name"])
                left = self.pdb_budget.get(bkey, 0)
                if left:
                    if left > 0:
                        self.pdb_budget[bkey] = left - 1
                    self.refuse(b, pod)
            if "All" not in ((ev.get("deleteOptions") or {}).get("dryRun") or []):
                self.remove_pod(ns, name)
        return self.js({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201})

    def delete_pod(self, h, q, body, user, ns, name):
        self.check(user, "delete", "pods", ns)
        pod = copy.deepcopy(self.lookup("pods", ns, name))
        opts = delete_options(body, h.headers.get("Content-Type"))
        if "All" not in (opts.get("dryRun") or []) and q.get("dryRun") != "All":
            self.remove_pod(ns, name)
        return self.js(pod)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    kv = lambda s: tuple(s.rsplit("=", 1))
    ap.add_argument("--dir")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--client-ca")
    ap.add_argument("--token", action="append", default=[])
    ap.add_argument("--basic", action="append", default=[], help="USER:PASSWORD")
    ap.add_argument("--anonymous", action="store_true")
    ap.add_argument("--log")
    ap.add_argument("--discovery", choices=["aggregated", "legacy", "none"], default="aggregated")
    ap.add_argument("--no-table", action="store_true")
    ap.add_argument("--mode", choices=["api", "junk", "silent"], default="api")
    ap.add_argument("--delay", type=kv, action="append", default=[])
    ap.add_argument("--fail", type=kv, action="append", default=[])
    ap.add_argument("--garbage", type=kv, action="append", default=[])
    ap.add_argument("--forbid", action="append", default=[])
    ap.add_argument("--echo-auth", action="append", default=[], help="PATH_RE: 403 echoing the Authorization header")
    ap.add_argument("--evict-429", type=kv, action="append", default=[])
    ap.add_argument("--pdb-429", type=kv, action="append", default=[])
    ap.add_argument("--replace", action="append", default=[])
    ap.add_argument("--deletion-delay", type=float, default=0)
    ap.add_argument("--scale-nodes", type=int, default=0)
    ap.add_argument("--ignore-limit", action="store_true", help="every list in one answer, as the watch cache")
    ap.add_argument("--endless-continue", action="store_true", help="every list page empty, with a new continue token")
    ap.add_argument("--now")
    ap.add_argument("--watch-timeout", type=float, default=0,
                    help="end every watch after this many seconds (the apiserver's min-request-timeout)")
    ap.add_argument("--watch-window", type=int, default=1000, help="node changes a watch can resume from")
    ap.add_argument("--watch-410", type=int, default=0, help="answer the first N watches with 410 Expired")
    ap.add_argument("--bookmark-every", type=float, default=60, help="BOOKMARK interval (allowWatchBookmarks)")
    opts = ap.parse_args()
    srv = Server(opts)
    tmp = opts.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, opts.port_file)
    try:
        srv.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
