# srebox irq against the tools it replaces, and the parse of a 256-CPU x
# 2000-IRQ /proc/interrupts against cat and sort of the same file (the
# I/O floor, and what the runbook does with it).
bench_pair "irq (live) vs lsirq" "$SREBOX irq -i 0" "lsirq"
bench_pair "irq (live) vs sort -nr interrupts" "$SREBOX irq -i 0" "sort -nr /proc/interrupts"
big=$(mktemp -d)
python3 - "$big" <<'PY'
import os, random, sys
root = sys.argv[1]
os.makedirs(f"{root}/proc")
random.seed(1)
ncpu, nirq = 256, 2000
with open(f"{root}/proc/interrupts", "w") as f:
    f.write("      " + "".join(f"CPU{c:<7}" for c in range(ncpu)) + "\n")
    for i in range(nirq):
        f.write(f"{i:4}: " + " ".join(f"{random.randrange(10**9):10}" for _ in range(ncpu))
                + f"  IR-PCI-MSI {524288 + i}-edge      eth{i // 64}-TxRx-{i % 64}\n")
with open(f"{root}/proc/softirqs", "w") as f:
    f.write("      " + "".join(f"CPU{c:<7}" for c in range(ncpu)) + "\n")
    for n in ["HI", "TIMER", "NET_TX", "NET_RX", "BLOCK", "IRQ_POLL", "TASKLET", "SCHED", "HRTIMER", "RCU"]:
        f.write(f"{n:>9}: " + " ".join(f"{random.randrange(10**9):10}" for _ in range(ncpu)) + "\n")
with open(f"{root}/proc/stat", "w") as f:
    f.write("cpu  " + " ".join(str(x * ncpu) for x in (1000, 0, 500, 8000, 10, 5, 50, 0, 0, 0)) + "\n")
    for c in range(ncpu):
        f.write(f"cpu{c} 1000 0 500 8000 10 5 50 0 0 0\n")
    f.write("intr 0\nctxt 0\nbtime 1\nprocesses 1\nprocs_running 1\nprocs_blocked 0\n")
with open(f"{root}/proc/uptime", "w") as f:
    f.write("123456.78 234567.89\n")
PY
echo "# generated /proc/interrupts: $(wc -c <"$big/proc/interrupts") bytes" >&2
# the parse and the analysis (-o check prints one line) against the I/O floor
bench_pair "irq 256cpu x 2000irq parse vs cat" "$SREBOX irq -i 0 --root $big -o check" "cat $big/proc/interrupts"
# and with every counter written out: 512k numbers through jansson
bench_pair "irq 256cpu x 2000irq -o json vs cat" "$SREBOX irq -i 0 --root $big -o json" "cat $big/proc/interrupts"
# lsirq cannot read a saved file in util-linux 2.38 (no -i): the runbook's
# sort of the same file instead
bench_pair "irq 256cpu x 2000irq vs sort -nr" "$SREBOX irq -i 0 --root $big" "sort -nr $big/proc/interrupts"
rm -rf "$big"
