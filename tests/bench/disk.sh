# srebox disk against the tools it replaces: the one-shot report against
# df -h, and the --top walk of a 1,000,000-file tree against du -s of the
# same tree (warm cache, same totals).  The tree is generated once into a
# cache directory outside the repository (SREBOX_BENCH_CACHE, default
# /var/tmp/srebox-bench; ~120 MB, 1M inodes) and kept for later runs.
bench_pair "disk (live) vs df -h" "$SREBOX disk -i 0" "df -h"
BENCH_PEER_OK='0 1 2' bench_pair "disk -o check vs check_disk" "$SREBOX disk -i 0 -o check" \
	"/usr/lib/nagios/plugins/check_disk -w 15% -c 10%"

cache=${SREBOX_BENCH_CACHE:-/var/tmp/srebox-bench}
tree=$cache/tree-1m
echo "# generating $tree once (1M files; minutes the first time)" >&2
python3 "$SREBOX_TESTS/bench/disk-tree.py" "$tree"
a=$("$SREBOX" disk --top "$tree" -o json | python3 -c 'import json,sys; w=json.load(sys.stdin)["walked"][0]; print(w["size_bytes"], w["files"], w["complete"])')
b=$(du -s -B1 "$tree" | cut -f1)
echo "# totals: srebox --top $a (bytes files complete); du -s -B1 $b" >&2
BENCH_RUNS=${BENCH_RUNS_TREE:-10} bench_pair "disk --top 1M files vs du -s" \
	"$SREBOX disk -i 0 --top $tree -o json" "du -s $tree"
