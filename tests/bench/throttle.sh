# srebox throttle against what a user runs instead: the runbook's grep for
# MHz, mpstat for steal, and cat of every cpu.stat in the cgroup tree (which
# only prints; it neither ranks nor names pods).  The tree is generated: a
# node with 110 pods of three containers each on cgroup v2, systemd driver.
bench_pair "throttle (live) vs grep -i mhz cpuinfo" "$SREBOX throttle -i 0" "grep -i mhz /proc/cpuinfo"
bench_pair "throttle (live) vs mpstat -P ALL" "$SREBOX throttle -i 0" "mpstat -P ALL"
bench_pair "throttle (live) vs the three together" "$SREBOX throttle -i 0" \
	"sh -c 'grep -i mhz /proc/cpuinfo && mpstat -P ALL && find /sys/fs/cgroup -name cpu.stat -exec cat {} +'"
big=$(mktemp -d)
python3 - "$big" <<'PY'
import os, random, sys
root = sys.argv[1] + "/sys/fs/cgroup"
os.makedirs(sys.argv[1] + "/proc")	# a root holds proc/ (srebox refuses one without)
random.seed(1)
def cg(path, cpumax, periods=0, throttled=0):
    d = os.path.join(root, path)
    os.makedirs(d, exist_ok=True)
    with open(d + "/cpu.max", "w") as f:
        f.write(cpumax + "\n")
    with open(d + "/cpu.stat", "w") as f:
        f.write(f"usage_usec {random.randrange(10**10)}\nuser_usec 1\nsystem_usec 1\n"
                f"nr_periods {periods}\nnr_throttled {throttled}\nthrottled_usec {throttled * 5000}\n"
                "nr_bursts 0\nburst_usec 0\n")
os.makedirs(root, exist_ok=True)
with open(root + "/cgroup.controllers", "w") as f:
    f.write("cpuset cpu io memory pids\n")
cg("", "max 100000")
for i in range(30):
    cg(f"system.slice/unit{i}.service", "max 100000")
for q in ["burstable", "besteffort"]:
    cg(f"kubepods.slice/kubepods-{q}.slice", "max 100000")
for p in range(110):
    uid = "%08x_%04x_4%03x_8%03x_%012x" % (random.getrandbits(32), random.getrandbits(16),
                                           random.getrandbits(12), random.getrandbits(12),
                                           random.getrandbits(48))
    q = ["burstable", "besteffort", None][p % 3]
    pod = (f"kubepods.slice/kubepods-{q}.slice/kubepods-{q}-pod{uid}.slice" if q
           else f"kubepods.slice/kubepods-pod{uid}.slice")
    n = random.randrange(1, 10**6)
    cg(pod, "200000 100000" if q != "besteffort" else "max 100000", n, random.randrange(n))
    for c in range(3):
        cid = "%064x" % random.getrandbits(256)
        n = random.randrange(1, 10**6)
        cg(f"{pod}/cri-containerd-{cid}.scope",
           "50000 100000" if q != "besteffort" else "max 100000", n, random.randrange(n))
PY
ncg=$(find "$big/sys/fs/cgroup" -name cpu.stat | wc -l)
bench_pair "throttle $ncg cgroups vs find|cat cpu.stat" "$SREBOX throttle -i 0 --root $big -o json" \
	"find $big/sys/fs/cgroup -name cpu.stat -exec cat {} +"
rm -rf "$big"
