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
rm -rf "$big"
