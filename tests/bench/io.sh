# srebox io against the tools it replaces: the device report since boot
# against iostat -x (sysstat's first report, since boot too), the whole
# report (devices and every process's /proc/PID/io) against pidstat -d and
# against running both, and the parse and judgment of a generated
# 2,000-device /proc/diskstats against cat of it (the I/O floor).
bench_pair "io -i 0 (devices) vs iostat -x" "$SREBOX io -i 0 --no-processes" "iostat -x"
bench_pair "io -i 0 vs pidstat -d" "$SREBOX io -i 0" "pidstat -d"
bench_pair "io -i 0 vs iostat -x; pidstat -d" "$SREBOX io -i 0" "sh -c 'iostat -x; pidstat -d'"
big=$(mktemp -d)
python3 - "$big" <<'PY'
import os, random, sys
root = sys.argv[1]
os.makedirs(f"{root}/proc")
random.seed(1)
with open(f"{root}/proc/diskstats", "w") as f:
    for i in range(2000):
        c = [random.randrange(10**9) for _ in range(17)]
        c[8] = random.randrange(64)
        f.write(f"{8 + i // 256:4} {i % 256:7} sd{i:04} " + " ".join(map(str, c)) + "\n")
with open(f"{root}/proc/uptime", "w") as f:
    f.write("123456.78 234567.89\n")
PY
echo "# generated /proc/diskstats: $(wc -l <"$big/proc/diskstats") devices, $(wc -c <"$big/proc/diskstats") bytes" >&2
bench_pair "io 2000 devices -o check vs cat" "$SREBOX io -i 0 --root $big --no-processes -o check" \
	"cat $big/proc/diskstats"
bench_pair "io 2000 devices -o json vs cat" "$SREBOX io -i 0 --root $big --no-processes -a -o json" \
	"cat $big/proc/diskstats"
# and 5,000 processes' /proc/PID/io and stat: memory stays flat (one
# small record per process), against cat of the same files
python3 - "$big" <<'PY'
import os, random, sys
root = sys.argv[1]
random.seed(2)
for pid in range(1000, 6000):
    d = f"{root}/proc/{pid}"
    os.makedirs(d)
    with open(f"{d}/stat", "w") as f:
        f.write(f"{pid} (worker-{pid}) S 1 {pid} {pid} 0 -1 4194304 " + " ".join(["0"] * 12)
                + f" {random.randrange(10**6)} 1000 100 " + " ".join(["0"] * 19) + " 5 0 0\n")
    with open(f"{d}/io", "w") as f:
        f.write(f"rchar: 1\nwchar: 1\nsyscr: 1\nsyscw: 1\nread_bytes: {random.randrange(10**9)}\n"
                f"write_bytes: {random.randrange(10**9)}\ncancelled_write_bytes: 0\n")
PY
echo "# generated 5000 processes under $big/proc" >&2
BENCH_RUNS=${BENCH_RUNS_TREE:-20} bench_pair "io 5000 processes vs cat their io" \
	"$SREBOX io -i 0 --root $big -o check" "sh -c 'cat $big/proc/*/io >/dev/null; echo'"
rm -rf "$big"
